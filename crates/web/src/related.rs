//! Related reading, worked out in the background and kept in the store.
//!
//! An article's related reading is a keyword search over the whole index, whose cost grows with
//! the corpus (a fifth of a second at 100k articles on one core). An article page therefore
//! never runs it: it shows the list the store keeps, and when there is none yet, asks for it
//! and shows the page without. One worker fills the store, in this order: articles a reader
//! asked for while they had no list; articles of the last two days, where new ones arrive; then
//! the rest, newest first. It runs one search at a time and rests four times as long as each
//! took (nine times, for the rest), so that it is searching a fifth of the time at most, and
//! it searches on a low-priority thread (`xinwen-background`): under load it takes only what
//! readers leave of the CPU. At a million articles it was a tenth of a loaded server's CPU.

use chrono::{Duration as TimeDelta, Utc};
use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::mpsc;
use xinwen_search::SearchIndex;
use xinwen_store::{Cursor, RelatedLink, Store};

/// Articles an article page shows in its related reading.
pub const RELATED_SHOWN: usize = 8;
/// Requests from pages waiting for the worker; more are dropped, and asked again by the next
/// reader of that page.
const QUEUE: usize = 1_024;
/// How far back "recent" goes: new articles are worked out before older ones.
const RECENT_DAYS: i64 = 2;
/// Articles read from the store per turn of the worker.
const BATCH: u32 = 8;
/// Rest after a search, as a multiple of the time it took: for an article a reader is on or a
/// recent one, and for the pass over the rest of the corpus, which can wait.
const REST_FACTOR: u32 = 4;
const PASS_REST_FACTOR: u32 = 9;
/// When there is nothing to do, how often to look again.
const IDLE: Duration = Duration::from_secs(5);
/// A whole pass over the corpus found nothing: how long before the next.
const BETWEEN_PASSES: Duration = Duration::from_secs(60);

/// The handle pages use to ask for an article's related reading.
pub(crate) struct RelatedKeeper {
    asked: mpsc::Sender<i64>,
    pending: Arc<Mutex<HashSet<i64>>>,
}

impl RelatedKeeper {
    /// Starts the worker on the current tokio runtime; `None` outside one.
    pub(crate) fn start(store: Store, index: Arc<SearchIndex>) -> Option<RelatedKeeper> {
        let runtime = tokio::runtime::Handle::try_current().ok()?;
        let (asked, requests) = mpsc::channel(QUEUE);
        let pending = Arc::new(Mutex::new(HashSet::new()));
        runtime.spawn(work(store, index, requests, pending.clone()));
        Some(RelatedKeeper { asked, pending })
    }

    /// Asks for article `id`'s related reading soon; once per article until it is done.
    pub(crate) fn ask(&self, id: i64) {
        let Ok(mut pending) = self.pending.lock() else {
            return;
        };
        if pending.insert(id) && self.asked.try_send(id).is_err() {
            pending.remove(&id);
        }
    }
}

/// Works out related reading for up to `budget`, newest articles first: a serving process
/// calls it before its first request, so that a small site starts with every list in place.
/// Returns how many were worked out.
pub async fn catch_up_related(store: &Store, index: &Arc<SearchIndex>, budget: Duration) -> usize {
    let started = Instant::now();
    let mut done = 0;
    let mut after = None;
    while started.elapsed() < budget {
        let batch = match store
            .articles_needing_related(after, None, Utc::now(), BATCH)
            .await
        {
            Ok(batch) => batch,
            Err(e) => {
                tracing::warn!(error = %e, "cannot list articles for related reading");
                break;
            }
        };
        let Some((_, last)) = batch.last() else {
            break;
        };
        after = Some(*last);
        for (id, _) in batch {
            if started.elapsed() >= budget {
                break;
            }
            if let Ok(Some(_)) = work_out(store, index, id).await {
                done += 1;
            }
        }
    }
    done
}

async fn work(
    store: Store,
    index: Arc<SearchIndex>,
    mut requests: mpsc::Receiver<i64>,
    pending: Arc<Mutex<HashSet<i64>>>,
) {
    // Where the pass over the whole corpus has got to, and when the last one ended.
    let mut deep: Option<Cursor> = None;
    let mut last_pass_ended: Option<Instant> = None;
    // A reader's request that arrived while the worker was idle.
    let mut waiting: Option<i64> = None;
    loop {
        if store.is_closed() {
            return;
        }
        let asked = match waiting.take() {
            Some(id) => Ok(id),
            None => requests.try_recv(),
        };
        let (ids, rest) = match asked {
            Ok(id) => (vec![id], REST_FACTOR),
            Err(mpsc::error::TryRecvError::Disconnected) => return,
            Err(mpsc::error::TryRecvError::Empty) => {
                match next_batch(&store, &mut deep, &mut last_pass_ended).await {
                    Ok(next) => next,
                    Err(e) => {
                        if !store.is_closed() {
                            tracing::warn!(error = %e, "cannot list articles for related reading");
                        }
                        (Vec::new(), REST_FACTOR)
                    }
                }
            }
        };
        let mut worked = false;
        for id in &ids {
            match work_out(&store, &index, *id).await {
                Ok(Some(took)) => {
                    worked = true;
                    tokio::time::sleep(took * rest).await;
                }
                // Not in the index yet: the index catches up within seconds.
                Ok(None) => {}
                Err(e) => {
                    if !store.is_closed() {
                        tracing::warn!(article = id, error = %e, "related reading failed");
                    }
                }
            }
            if let Ok(mut pending) = pending.lock() {
                pending.remove(id);
            }
        }
        if !worked {
            // Nothing could be done: wait for a reader's request (taken at the top of the
            // loop) or look again later.
            tokio::select! {
                asked = requests.recv() => match asked {
                    Some(id) => waiting = Some(id),
                    None => return,
                },
                () = tokio::time::sleep(IDLE) => {}
            }
        }
    }
}

/// The next articles to work out: recent ones first, else the next of the pass over the corpus;
/// with the rest to take after each.
async fn next_batch(
    store: &Store,
    deep: &mut Option<Cursor>,
    last_pass_ended: &mut Option<Instant>,
) -> xinwen_store::Result<(Vec<i64>, u32)> {
    let now = Utc::now();
    let recent = store
        .articles_needing_related(None, Some(now - TimeDelta::days(RECENT_DAYS)), now, BATCH)
        .await?;
    if !recent.is_empty() {
        return Ok((recent.into_iter().map(|(id, _)| id).collect(), REST_FACTOR));
    }
    if last_pass_ended.is_some_and(|ended| ended.elapsed() < BETWEEN_PASSES) {
        return Ok((Vec::new(), REST_FACTOR));
    }
    let batch = store
        .articles_needing_related(*deep, None, now, BATCH)
        .await?;
    match batch.last() {
        Some((_, cursor)) => *deep = Some(*cursor),
        None => {
            *deep = None;
            *last_pass_ended = Some(Instant::now());
        }
    }
    Ok((
        batch.into_iter().map(|(id, _)| id).collect(),
        PASS_REST_FACTOR,
    ))
}

/// Works out and keeps article `id`'s related reading; `None` when the index does not have the
/// article yet. Returns how long the search took.
async fn work_out(
    store: &Store,
    index: &Arc<SearchIndex>,
    id: i64,
) -> Result<Option<Duration>, String> {
    let started = Instant::now();
    let searcher = index.clone();
    // At low priority: a search over the whole index, which no reader is waiting on.
    let found = xinwen_background::run(move || {
        if !searcher.contains(id) {
            return Ok(None);
        }
        searcher.related(id, RELATED_SHOWN).map(Some)
    })
    .await
    .map_err(|e| e.to_string())?
    .map_err(|e| e.to_string())?;
    let Some(found) = found else {
        return Ok(None);
    };
    let took = started.elapsed();
    let items: Vec<RelatedLink> = found
        .into_iter()
        .map(|r| RelatedLink {
            id: r.id,
            shared: r.shared,
            close: Some(r.close),
        })
        .collect();
    store
        .set_related_reading(id, &items, Utc::now())
        .await
        .map_err(|e| e.to_string())?;
    Ok(Some(took))
}
