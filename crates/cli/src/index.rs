//! The search index in a serving process: opened at start, caught up with the store, and kept
//! current as articles arrive (from this process or another writing the same store).

use crate::output::outln;
use anyhow::Context;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};
use xinwen_search::SearchIndex;
use xinwen_store::Store;

/// How often the index looks for changed articles: new ones are searchable within this.
const CATCH_UP_EVERY: Duration = Duration::from_secs(2);

pub fn open(data_dir: &Path) -> anyhow::Result<Arc<SearchIndex>> {
    let analyzer = xinwen_text::Analyzer::with_user_dictionary(&data_dir.join("dict.txt"))?;
    let index = SearchIndex::open(&data_dir.join("index"), analyzer)
        .context("cannot open the search index; `xinwen reindex` rebuilds it from the store")?;
    Ok(Arc::new(index))
}

/// Brings the index up to date with the store at low priority, saying how long it took when
/// it had work.
pub async fn catch_up(index: &Arc<SearchIndex>, store: &Store) -> anyhow::Result<u64> {
    let started = Instant::now();
    let done = index.catch_up_quietly(store).await?;
    if done > 0 {
        tracing::info!(
            articles = done,
            seconds = started.elapsed().as_secs_f64(),
            "search index caught up"
        );
    }
    Ok(done)
}

/// Catches up every few seconds until `stop` completes.
pub async fn keep_current(
    index: Arc<SearchIndex>,
    store: Store,
    stop: impl std::future::Future<Output = ()>,
) {
    tokio::pin!(stop);
    loop {
        tokio::select! {
            () = &mut stop => return,
            () = tokio::time::sleep(CATCH_UP_EVERY) => {
                if let Err(e) = catch_up(&index, &store).await {
                    tracing::error!(error = %e, "the search index could not catch up");
                }
            }
        }
    }
}

/// `xinwen reindex`: throws the index away and builds it again from the store.
pub async fn rebuild(store: &Store) -> anyhow::Result<()> {
    let dir = store.data_dir().join("index");
    if dir.exists() {
        std::fs::remove_dir_all(&dir)
            .with_context(|| format!("cannot remove {}", dir.display()))?;
    }
    let index = open(store.data_dir())?;
    let total = store.article_count().await?;
    let bar = crate::pipeline::progress_bar_with(
        total as usize,
        "{spinner} {bar:30} {pos}/{len} articles  {rate}",
    );
    let started = Instant::now();
    let done = index.catch_up(store, |n| bar.set_position(n)).await?;
    bar.finish_and_clear();
    let compacting = Instant::now();
    let segments = tokio::task::block_in_place(|| index.compact())?;
    tracing::info!(
        segments,
        seconds = compacting.elapsed().as_secs_f64(),
        "search index compacted"
    );
    outln!(
        "Indexed {} live articles ({done} read) in {:.1} s into {}.",
        index.document_count(),
        started.elapsed().as_secs_f64(),
        dir.display()
    );
    Ok(())
}
