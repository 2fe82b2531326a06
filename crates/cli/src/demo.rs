//! `xinwen demo`: the demo corpus served by a built-in origin and ingested through the real
//! fetch → extract → store pipeline.

use crate::config::Config;
use crate::pipeline::{Pipeline, run_pass_with_progress, summarize};
use anyhow::Context;
use std::time::Duration;
use xinwen_demo::origin::Origin;
use xinwen_store::Store;

pub struct Loaded {
    /// The admin account made for the demo, with its password, when one was made now.
    pub admin: Option<(String, String)>,
    pub channels: usize,
    pub sources: usize,
    pub articles: u64,
    pub summary: String,
    pub pipeline: Pipeline,
    pub origin: Origin,
}

pub async fn load(store: &Store, config: &Config) -> anyhow::Result<Loaded> {
    let corpus = xinwen_demo::load()?;
    // QR codes are the site's own images, not the publishers': they go straight to media/.
    let media_dir = store.data_dir().join("media");
    for file in corpus.media.iter().filter(|m| m.path.contains("/qr-")) {
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
    let origin = xinwen_demo::origin::start(&corpus)
        .await
        .context("cannot start the demo origin")?;
    for channel in &corpus.channels {
        store.upsert_channel(channel).await?;
    }
    for source in &corpus.sources {
        let mut source = source.clone();
        source.feed_url = origin.feed_urls.get(&source.slug).cloned();
        source.bridges = origin
            .bridges
            .get(&source.slug)
            .cloned()
            .unwrap_or_default();
        store.upsert_source(&source).await?;
    }

    // The invented publishers live on the origin: their names resolve to it, and it is the one
    // private address allowed. It is our own server, so no delay between requests.
    let mut fetch = config.fetch.to_fetch_config()?;
    let mut guard = xinwen_fetch::Guard::new(vec!["127.0.0.1".parse().expect("a valid address")]);
    for host in &origin.hosts {
        guard.resolve_to(host, origin.address);
    }
    fetch.guard = guard;
    fetch.min_host_delay = Duration::ZERO;
    fetch.per_host_concurrency = 4;
    // The origin is ours and changes only as the demo scripts it (a WeChat bridge breaks
    // after the first pass): sources are checked again within minutes, so that what happens
    // next shows while someone looks, not half a day later.
    let mut ingest = config.ingest.to_ingest_config();
    ingest.min_interval = Duration::from_secs(60);
    ingest.max_interval = Duration::from_secs(180);
    let pipeline = Pipeline::new(store, config, fetch, ingest).await?;

    let sources = store.sources_with_health().await?;
    let reports = run_pass_with_progress(&pipeline, sources).await;

    // Images are fetched now rather than on first view, so that the site keeps them when the
    // origin is gone (`--load-only`, then `serve`).
    let signer = pipeline.media.signer().clone();
    let mut since = i64::MIN;
    loop {
        let rows = store.articles_changed_since(since, 200).await?;
        let Some(last) = rows.last() else { break };
        since = last.change_seq;
        for row in &rows {
            let Some(article) = store.article(row.id).await? else {
                continue;
            };
            for image in &article.images {
                let Some(rest) = image.src.strip_prefix(xinwen_media::PROXY_PREFIX) else {
                    continue;
                };
                if let Some((signature, encoded)) = rest.split_once('/')
                    && signer.verify(signature, encoded).is_some()
                {
                    pipeline.media.get(signature, encoded, None).await?;
                }
            }
        }
    }
    let articles = store.article_count().await?;
    let admin = demo_admin(store).await?;
    Ok(Loaded {
        admin,
        channels: corpus.channels.len(),
        sources: corpus.sources.len(),
        articles,
        summary: summarize(&reports),
        pipeline,
        origin,
    })
}

/// An admin account to try the admin with, with a fresh random password, the first time a
/// data directory is loaded; later loads leave the accounts alone.
async fn demo_admin(store: &Store) -> anyhow::Result<Option<(String, String)>> {
    if !store.users().await?.is_empty() {
        return Ok(None);
    }
    let password: String = xinwen_accounts::new_token()?.chars().take(16).collect();
    let hashed = {
        let password = password.clone();
        tokio::task::spawn_blocking(move || xinwen_accounts::hash_password(&password)).await??
    };
    store
        .add_user("admin", &hashed, xinwen_model::Role::Admin)
        .await?;
    Ok(Some(("admin".to_owned(), password)))
}
