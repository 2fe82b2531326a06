//! Loading the demo corpus into a store: media and pages to the data directory, rows to the
//! database in one batch.

use anyhow::Context;
use xinwen_store::Store;

pub struct Loaded {
    pub channels: usize,
    pub sources: usize,
    pub articles: usize,
}

pub async fn load(store: &Store) -> anyhow::Result<Loaded> {
    let corpus = xinwen_demo::load()?;
    let media_dir = store.data_dir().join("media");
    for file in &corpus.media {
        let path = media_dir.join(&file.path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("cannot create {}", parent.display()))?;
        }
        std::fs::write(&path, &file.bytes)
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    // The operator's own edits win: a page already in the data directory is left alone.
    let pages_dir = store.data_dir().join("pages");
    std::fs::create_dir_all(&pages_dir)
        .with_context(|| format!("cannot create {}", pages_dir.display()))?;
    for (name, text) in &corpus.pages {
        let path = pages_dir.join(format!("{name}.md"));
        if !path.exists() {
            std::fs::write(&path, text)
                .with_context(|| format!("cannot write {}", path.display()))?;
        }
    }
    for channel in &corpus.channels {
        store.upsert_channel(channel).await?;
    }
    for source in &corpus.sources {
        store.upsert_source(source).await?;
    }
    store.upsert_articles(&corpus.articles).await?;
    Ok(Loaded {
        channels: corpus.channels.len(),
        sources: corpus.sources.len(),
        articles: corpus.articles.len(),
    })
}
