//! Ingest: from a source's feed to stored, credited articles, on a schedule.
//!
//! ```text
//! due source ─ feed (conditional GET) ─ entries ─┬─ full text in the feed ─┐
//!                                                └─ teaser: fetch the page ┴─ extract ─ sanitize
//!            ─ images → proxy URLs ─ batch (articles + entries, one transaction) ─ store
//!            ─ health: last success / error, failures in a row, next check
//! ```
//!
//! This crate owns the pass over one source ([`Ingester::fetch_source`]), passes over many
//! ([`Ingester::run_pass`]) and the scheduler loop ([`scheduler::run`]). It decides when a page
//! must be fetched and what an article's identity is, and applies the newsroom's rule for when a
//! source is next due (`xinwen-newsroom`). It must not speak HTTP itself (that is
//! `xinwen-fetch`), parse HTML (`xinwen-extract`) or render pages.
//!
//! What it promises: an entry seen again updates its article and never adds a second one; a
//! crash at any point loses nothing already committed, because each batch of articles is
//! committed with the feed entries it came from, and the feed's validators are saved only
//! after every batch, so an interrupted pass is simply done again.

mod kinds;
mod pipeline;
mod preview;
pub mod scheduler;
mod stories;

pub use kinds::{
    BRIDGE_STALE_AFTER_DAYS, Discovery, FIRST_FETCH_PAGES, Probe, ProbeError, ProbedLink,
    SITEMAP_RECENT_DAYS, discover, probe,
};
pub use pipeline::{AddLinkError, PassStats, SourceReport};
pub use preview::{Preview, PreviewError, preview};
pub use stories::StoryKeeper;

use std::sync::Arc;
use std::time::Duration;
use xinwen_fetch::Fetcher;
use xinwen_media::Signer;
use xinwen_store::{SourceWithHealth, Store};

/// How ingest paces itself.
#[derive(Debug, Clone)]
pub struct IngestConfig {
    /// Bounds of the check interval a source's publishing pace sets.
    pub min_interval: Duration,
    pub max_interval: Duration,
    /// The first retry delay after a failure, doubled each time up to the cap.
    pub backoff_base: Duration,
    pub backoff_cap: Duration,
    /// Sources fetched at the same time.
    pub source_concurrency: usize,
    /// Pages of one source fetched and extracted at the same time (the per-host limit of the
    /// fetcher still applies).
    pub page_concurrency: usize,
    /// Articles written per transaction.
    pub batch_size: usize,
    /// Entries of one feed looked at per pass (the newest, in feed order).
    pub max_entries: usize,
    /// The site's public address, under which hubs reach `/websub/callback/{source}`: with
    /// it, sources whose feeds name a WebSub hub are subscribed to there and fetched as soon
    /// as the hub says they changed. `None` (a site no hub can reach) polls only.
    pub push_callback_base: Option<String>,
    /// How long a worker holds the sources it took before another may take them: renewed
    /// while it works, so it only runs out when the worker died.
    pub lease: Duration,
}

impl Default for IngestConfig {
    fn default() -> Self {
        IngestConfig {
            min_interval: Duration::from_secs(10 * 60),
            max_interval: Duration::from_secs(12 * 3600),
            backoff_base: Duration::from_secs(5 * 60),
            backoff_cap: Duration::from_secs(12 * 3600),
            source_concurrency: 8,
            page_concurrency: 4,
            batch_size: 50,
            max_entries: 200,
            push_callback_base: None,
            lease: Duration::from_secs(120),
        }
    }
}

/// Everything a pass needs; share it in an `Arc`.
pub struct Ingester {
    store: Store,
    fetcher: Arc<Fetcher>,
    signer: Signer,
    config: IngestConfig,
    stories: Option<Arc<StoryKeeper>>,
}

impl Ingester {
    pub fn new(
        store: Store,
        fetcher: Arc<Fetcher>,
        signer: Signer,
        config: IngestConfig,
    ) -> Ingester {
        // Once per process: the first pages of a pass then cost what every page costs.
        xinwen_extract::warm_up();
        Ingester {
            store,
            fetcher,
            signer,
            config,
            stories: None,
        }
    }

    /// New articles join stories as they are stored.
    pub fn with_stories(mut self, stories: Arc<StoryKeeper>) -> Ingester {
        self.stories = Some(stories);
        self
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn config(&self) -> &IngestConfig {
        &self.config
    }

    /// Fetches every source given, `source_concurrency` at a time, calling `on_done` as each
    /// finishes (for a progress bar). Reports come back in the order sources finish.
    pub async fn run_pass(
        self: &Arc<Self>,
        sources: Vec<SourceWithHealth>,
        on_done: impl Fn(&SourceReport),
    ) -> Vec<SourceReport> {
        let limit = Arc::new(tokio::sync::Semaphore::new(
            self.config.source_concurrency.max(1),
        ));
        let mut tasks = tokio::task::JoinSet::new();
        for source in sources {
            let ingester = self.clone();
            let limit = limit.clone();
            tasks.spawn(async move {
                let _permit = limit.acquire_owned().await.expect("never closed");
                ingester.fetch_source(&source).await
            });
        }
        let mut reports = Vec::new();
        while let Some(joined) = tasks.join_next().await {
            match joined {
                Ok(report) => {
                    on_done(&report);
                    reports.push(report);
                }
                // A panic in one source's pass is a bug; it must not take the others down.
                Err(e) => tracing::error!(error = %e, "a source's fetch task failed"),
            }
        }
        reports
    }
}
