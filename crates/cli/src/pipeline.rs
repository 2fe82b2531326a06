//! Putting the fetcher, the media signer, the ingester and the media proxy together from the
//! configuration: the same assembly for `serve`, `fetch`, `demo` and `bench`.

use crate::config::Config;
use std::sync::Arc;
use xinwen_fetch::{FetchConfig, Fetcher};
use xinwen_ingest::{IngestConfig, Ingester};
use xinwen_media::{MediaConfig, MediaProxy, Signer};
use xinwen_store::Store;

pub struct Pipeline {
    pub ingester: Arc<Ingester>,
    pub media: Arc<MediaProxy>,
    /// The client for links readers submit, which editors preview: the same settings without
    /// the operator's allow-list, so that a reader cannot make the site fetch a private host.
    pub readers_links: Arc<Fetcher>,
}

impl Pipeline {
    /// From the configuration as it is.
    /// Sources whose feeds name a WebSub hub are subscribed to when the site has a public
    /// address of its own (`site.base_url`) for the hub to call back.
    pub async fn from_config(store: &Store, config: &Config) -> anyhow::Result<Pipeline> {
        let fetch = config.fetch.to_fetch_config()?;
        let mut ingest = config.ingest.to_ingest_config();
        ingest.push_callback_base = config.site.base_url.as_ref().map(|_| config.base_url());
        Pipeline::new(store, config, fetch, ingest).await
    }

    /// For a process that serves pages and never ingests (`serve --no-fetch`): the media proxy
    /// and the editors' link preview, without the story keeper, whose fingerprints of the last
    /// four weeks are hundreds of megabytes at a million articles a year.
    pub async fn for_web_only(store: &Store, config: &Config) -> anyhow::Result<Pipeline> {
        let fetch = config.fetch.to_fetch_config()?;
        Pipeline::build(
            store,
            config,
            fetch,
            config.ingest.to_ingest_config(),
            false,
        )
        .await
    }

    /// With fetch and ingest settings given (the demo and the benchmark adjust them).
    pub async fn new(
        store: &Store,
        config: &Config,
        fetch: FetchConfig,
        ingest: IngestConfig,
    ) -> anyhow::Result<Pipeline> {
        Pipeline::build(store, config, fetch, ingest, true).await
    }

    async fn build(
        store: &Store,
        config: &Config,
        fetch: FetchConfig,
        ingest: IngestConfig,
        with_stories: bool,
    ) -> anyhow::Result<Pipeline> {
        let readers_links = Arc::new(Fetcher::new(fetch.for_readers_links())?);
        // The one HTTP client for everything else, shared by ingest and the media proxy.
        let mut fetcher = Fetcher::new(fetch)?;
        if let Some(turns) = crate::cluster::shared_turns(store) {
            fetcher = fetcher.with_shared_turns(turns);
        }
        let fetcher = Arc::new(fetcher);
        crate::cluster::share_keys(store).await?;
        let signer = Signer::load_or_create(store.data_dir())?;
        let media = Arc::new(MediaProxy::new(
            signer.clone(),
            fetcher.clone(),
            store.clone(),
            MediaConfig {
                max_bytes: config.media.max_bytes,
                ..MediaConfig::default()
            },
        ));
        let mut ingester = Ingester::new(store.clone(), fetcher.clone(), signer, ingest);
        if with_stories {
            let stories = Arc::new(xinwen_ingest::StoryKeeper::load(store.clone()).await?);
            ingester = ingester.with_stories(stories);
        }
        let ingester = Arc::new(ingester);
        Ok(Pipeline {
            ingester,
            media,
            readers_links,
        })
    }
}

/// One fetch pass over `sources`, a progress bar on standard error while it runs.
pub async fn run_pass_with_progress(
    pipeline: &Pipeline,
    sources: Vec<xinwen_store::SourceWithHealth>,
) -> Vec<xinwen_ingest::SourceReport> {
    let bar = progress_bar(sources.len());
    let reports = pipeline
        .ingester
        .run_pass(sources, |report| {
            bar.set_message(report.slug.clone());
            bar.inc(1);
        })
        .await;
    bar.finish_and_clear();
    reports
}

/// A progress bar for a pass over `total` sources, on standard error (hidden when that is not
/// a terminal, so scripts and tests see only the summary).
pub fn progress_bar(total: usize) -> indicatif::ProgressBar {
    progress_bar_with(total, "{spinner} {bar:30} {pos}/{len} sources  {msg}")
}

/// A progress bar drawn with `template`, which may show `{rate}`: items per second as people
/// read a rate (indicatif's own `{per_sec}` prints "1,426.9466/s").
pub fn progress_bar_with(total: usize, template: &str) -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::with_draw_target(
        Some(total as u64),
        indicatif::ProgressDrawTarget::stderr(),
    );
    if let Ok(style) = indicatif::ProgressStyle::with_template(template) {
        bar.set_style(style.with_key(
            "rate",
            |state: &indicatif::ProgressState, out: &mut dyn std::fmt::Write| {
                let _ = out.write_str(&human_rate(state.per_sec()));
            },
        ));
    }
    bar
}

/// "1427/s", "3.5/s": whole numbers from ten up, one decimal below, no thousands separator.
pub fn human_rate(per_second: f64) -> String {
    match per_second {
        r if !r.is_finite() || r <= 0.0 => "-/s".to_owned(),
        r if r >= 10.0 => format!("{r:.0}/s"),
        r => format!("{r:.1}/s"),
    }
}

/// One line per source that failed, and the totals, as `fetch --once` and `demo` print them.
pub fn summarize(reports: &[xinwen_ingest::SourceReport]) -> String {
    let mut added = 0;
    let mut updated = 0;
    let mut withheld = 0;
    let mut lines = Vec::new();
    for report in reports {
        match &report.outcome {
            Ok(stats) => {
                added += stats.added;
                updated += stats.updated;
                withheld += stats.withheld;
                for (url, why) in &stats.failed {
                    lines.push(format!("  {}: entry {url}: {why}", report.slug));
                }
            }
            Err(why) => lines.push(format!("  {}: {why}", report.slug)),
        }
    }
    let failed = reports.iter().filter(|r| r.outcome.is_err()).count();
    let mut text = format!(
        "Fetched {} sources: {added} articles added, {updated} updated, {failed} sources failed.",
        reports.len()
    );
    if withheld > 0 {
        text.push_str(&format!(
            " {withheld} articles withheld: a takedown removed them."
        ));
    }
    for line in lines {
        text.push('\n');
        text.push_str(&line);
    }
    text
}

#[cfg(test)]
mod tests {
    use super::human_rate;

    #[test]
    fn rates_read_as_people_write_them() {
        assert_eq!(human_rate(1426.9466), "1427/s");
        assert_eq!(human_rate(12_000.4), "12000/s");
        assert_eq!(human_rate(3.46), "3.5/s");
        assert_eq!(human_rate(0.0), "-/s");
        assert_eq!(human_rate(f64::NAN), "-/s");
    }
}
