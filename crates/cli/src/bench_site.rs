//! `xinwen bench site`: the whole site at production size, as its readers load it.
//!
//! 1. **Build** (or reuse) a data directory holding a year of synthetic news: about 2,000
//!    sources of very unequal output in every channel, articles of news length, reposts that
//!    the real story keeper gathers into stories, images, a few takedowns, and the search index.
//! 2. **Serve** it from a separate `xinwen serve --no-fetch` process, so that the server's
//!    memory is its own and the two processes share the cores as a site and its readers would;
//!    with `--nodes N`, from N such processes on one PostgreSQL, each with its own copy of the
//!    search index, behind HAProxy checking `/readyz` (the layout of `deploy/`).
//! 3. **Uncached pages one at a time**: fresh addresses of each kind, the cost of a miss.
//! 4. **Mixed traffic at a fixed rate** (open loop): each request is due at its time whatever
//!    happened to the ones before, and its latency counts from when it was due, so that a stall
//!    shows instead of slowing the offered load the way a closed-loop tool does. Addresses
//!    rotate the way a cache misses on a real site: deep list pages, articles over the whole
//!    year (weighted to recent ones), story pages, searches never repeated, feeds.
//! 5. **The highest rate that holds** p99 ≤ 100 ms: up or down from `--rate` by half until the
//!    answer changes, then halving the gap ([`highest_holding_rate`]).
//! 6. **The same during ingest**: the real pipeline (fetch → extract → store → stories) in this
//!    process writes to the served store from a local origin at `--ingest-articles` per second.
//!
//! The last line holds the main run's figures as `key=value` pairs for scripts.

use crate::bench::{IngestBench, peak_rss_mib, start_origin, synthetic_site};
use crate::config::Config;
use crate::output::outln;
use crate::synthetic::{Rng, Vocabulary};
use anyhow::Context;
use chrono::{DateTime, Duration as TimeDelta, Utc};
use std::collections::HashSet;
use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::time::Instant as TokioInstant;
use xinwen_model::{ArticleStatus, Image, NewArticle, NewChannel, NewSource, Script, SourceKind};
use xinwen_store::{ArticleFilter, Store};

pub struct SiteBench {
    pub articles: usize,
    pub data: Option<PathBuf>,
    pub keep: bool,
    pub rate: u32,
    pub ingest_rate: u32,
    pub ingest_articles: u32,
    pub seconds: u64,
    /// Web nodes; more than one stand behind HAProxy.
    pub nodes: usize,
}

/// The bound the rates are judged by.
const P99_BOUND: Duration = Duration::from_millis(100);
/// A request not answered this long after it was due counts as a timeout, not a latency.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(5);
/// Connections the load generator may hold open at once.
const CONNECTIONS: usize = 256;
const SOURCES: usize = 2_000;
/// One seed for the corpus and the queries, so that a reused store is searched with its words.
const SEED: u64 = 0x005e_ed0f_1ea7_2026;
const CHANNELS: [(&str, &str); 8] = [
    ("politics", "时政"),
    ("finance", "财经"),
    ("tech", "科技"),
    ("society", "社会"),
    ("world", "国际"),
    ("culture", "文化"),
    ("sports", "体育"),
    ("health", "健康"),
];
const SOURCE_SUFFIXES: [&str; 8] = [
    "日报",
    "晚报",
    "新闻网",
    "观察",
    "在线",
    "周刊",
    "快讯",
    "视点",
];

pub async fn run(options: SiteBench, config: &Config) -> anyhow::Result<()> {
    let (data_dir, temporary) = match &options.data {
        Some(dir) => (dir.clone(), None),
        None => {
            let temp = tempfile::Builder::new()
                .prefix("xinwen-bench-site-")
                .tempdir()
                .context("cannot create a temporary data directory")?;
            (temp.path().to_path_buf(), Some(temp))
        }
    };
    // On PostgreSQL when --database-url (or XINWEN_DATABASE_URL) names one; the data
    // directory then holds the search index, keys and media.
    let store = crate::open_store(&data_dir).await?;
    let mut rng = Rng(SEED);
    let vocabulary = Vocabulary::new(&mut rng, 30_000);
    build(&store, &vocabulary, &mut rng, options.articles).await?;
    let pools = Pools::read(&store, vocabulary).await?;
    let result = measure(&options, config, &store, &data_dir, pools).await;
    store.close().await;
    match temporary {
        Some(temp) if options.keep => {
            let kept = temp.keep();
            outln!(
                "data directory kept: {} (serve it with `xinwen serve --data {}`)",
                kept.display(),
                kept.display()
            );
        }
        _ => {}
    }
    result
}

async fn measure(
    options: &SiteBench,
    config: &Config,
    store: &Store,
    data_dir: &Path,
    mut pools: Pools,
) -> anyhow::Result<()> {
    // rustls needs its crypto provider chosen before any client is built, even a plain-HTTP one.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let front = Front::start(data_dir, options.nodes).await?;
    let server = &front.servers[0];
    for node in &front.servers {
        outln!(
            "server: pid {} on {}, log in {}",
            node.child.id(),
            node.base,
            node.log.display()
        );
    }
    if front.balancer.is_some() {
        outln!(
            "load balancer: HAProxy on {}, round robin over {} nodes",
            front.base,
            front.servers.len()
        );
    }
    // Compressed answers are asked for, as browsers ask, but not decoded: decoding is the
    // readers' machines' work, not this one's, whose two cores the server needs.
    // XINWEN_BENCH_IDENTITY=1 asks for them uncompressed, to weigh what compression costs.
    let mut headers = reqwest::header::HeaderMap::new();
    if std::env::var_os("XINWEN_BENCH_IDENTITY").is_none() {
        headers.insert(
            reqwest::header::ACCEPT_ENCODING,
            reqwest::header::HeaderValue::from_static("br, gzip"),
        );
    }
    let client = reqwest::Client::builder()
        .default_headers(headers)
        .no_gzip()
        .no_brotli()
        .no_proxy()
        .pool_max_idle_per_host(CONNECTIONS)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .context("cannot build the load generator's client")?;
    let memory = MemoryWatch::start(server.child.id());

    outln!("\nuncached pages, one at a time (fresh addresses of each kind):");
    outln!(
        "{:<10} {:>6} {:>9} {:>9} {:>9}",
        "page",
        "n",
        "p50 ms",
        "p90 ms",
        "max ms"
    );
    for kind in Kind::ALL {
        let n = if kind == Kind::Hot { 1 } else { 30 };
        let mut times = Vec::new();
        for _ in 0..n {
            let path = pools.url(kind, true);
            let started = Instant::now();
            let response = client
                .get(format!("{}{path}", front.base))
                .send()
                .await
                .with_context(|| format!("{path} was not answered"))?;
            let status = response.status();
            response.bytes().await?;
            anyhow::ensure!(status.is_success(), "{path} answered {status}");
            times.push(started.elapsed());
        }
        times.sort();
        outln!(
            "{:<10} {:>6} {:>9.1} {:>9.1} {:>9.1}",
            kind.name(),
            times.len(),
            ms(percentile(&times, 0.5)),
            ms(percentile(&times, 0.9)),
            ms(*times.last().unwrap_or(&Duration::ZERO))
        );
    }

    let seconds = Duration::from_secs(options.seconds.max(1));
    outln!(
        "\nmixed traffic at {} req/s for {} s (open loop, up to {CONNECTIONS} connections):",
        options.rate,
        seconds.as_secs()
    );
    let main = offer(&client, &front.base, &mut pools, options.rate, seconds).await;
    main.print();
    let main_rss = memory.peak();

    let best = highest_holding_rate(options.rate, main.holds(), async |rate| {
        let run = offer(&client, &front.base, &mut pools, rate, seconds).await;
        outln!("at {rate} req/s: {}", run.summary());
        run.holds()
    })
    .await;
    match best {
        Some(rate) => {
            outln!("highest rate tried that holds p99 ≤ 100 ms with no error: {rate} req/s")
        }
        None => outln!("no rate tried holds p99 ≤ 100 ms with no error"),
    }

    outln!(
        "\nmixed traffic at {} req/s while ingest aims at {} articles/s:",
        options.ingest_rate,
        options.ingest_articles
    );
    let ingest = Ingest::prepare(store, config, options).await?;
    let started_ingest = Instant::now();
    let (during, added) = tokio::join!(
        offer(
            &client,
            &front.base,
            &mut pools,
            options.ingest_rate,
            seconds
        ),
        ingest.run(seconds)
    );
    let added = added?;
    during.print();
    outln!(
        "ingest: {added} articles stored in {:.1} s = {:.0} articles/s (fetch feed + page, extract, sanitize, store, stories)",
        started_ingest.elapsed().as_secs_f64(),
        added as f64 / started_ingest.elapsed().as_secs_f64()
    );

    let peak = memory.peak();
    outln!(
        "\nserver memory: peak resident {:.0} MiB in all (VmHWM); of it, peak anonymous {:.0} MiB (heap, caches) and peak file-backed {:.0} MiB (search index and database pages mapped, the binary)",
        peak.hwm,
        peak.anon,
        peak.file
    );
    if let Some(own) = peak_rss_mib() {
        outln!("load generator and ingest (this process): peak resident {own:.0} MiB");
    }
    if front.servers.len() > 1 {
        outln!("(memory of node 1; the nodes are alike)");
    }
    let warnings: usize = front.servers.iter().map(Server::log_lines).sum();
    outln!("server log: {warnings} lines at warn or above");
    let articles = store.article_count().await?;
    let mix = main.mix();
    outln!(
        "articles={articles} rps={:.0} p50_ms={:.1} p99_ms={:.1} errors={} timeouts={} rss_mib={:.0}",
        mix.rps,
        ms(mix.p50),
        ms(mix.p99),
        mix.errors,
        mix.timeouts,
        main_rss.anon
    );
    Ok(())
}

/// Runs tried after the main one when looking for the highest rate that holds.
const RATE_TRIES: usize = 5;

/// The highest rate found to hold, within a tenth when [`RATE_TRIES`] runs suffice: up by half from the main rate while it
/// holds (down by half while it does not) until the answer changes, then halving the gap
/// between the highest rate that held and the lowest that did not. `holds(rate)` runs the load.
async fn highest_holding_rate(
    main: u32,
    main_holds: bool,
    mut holds: impl AsyncFnMut(u32) -> bool,
) -> Option<u32> {
    let (mut held, mut failed) = if main_holds {
        (Some(main), None)
    } else {
        (None, Some(main))
    };
    for _ in 0..RATE_TRIES {
        let rate = match (held, failed) {
            (Some(low), None) => low.saturating_mul(3) / 2,
            (None, Some(high)) if high / 2 >= 50 => high / 2,
            (Some(low), Some(high)) if high - low > (low / 10).max(25) => {
                // Round to 25 req/s so that the figures read as the rates they are.
                ((low + high) / 2 / 25 * 25).max(low + 1)
            }
            _ => break,
        };
        if holds(rate).await {
            held = Some(rate);
        } else {
            failed = Some(rate);
        }
    }
    held
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    sorted[((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1]
}

// ---------------------------------------------------------------------------------------------
// Building the store.

/// Writes `wanted` articles into an empty store, or reuses a store that has them already.
async fn build(
    store: &Store,
    vocabulary: &Vocabulary,
    rng: &mut Rng,
    wanted: usize,
) -> anyhow::Result<()> {
    let existing = store.article_count().await? as usize;
    if existing >= wanted {
        outln!(
            "store: reusing {} with {existing} articles",
            store.data_dir().display()
        );
        return Ok(());
    }
    anyhow::ensure!(
        existing == 0,
        "{} holds {existing} articles, fewer than the {wanted} asked for: use an empty directory, or --articles {existing}",
        store.data_dir().display()
    );
    let started = Instant::now();
    for (position, (slug, name)) in CHANNELS.iter().enumerate() {
        store
            .upsert_channel(&NewChannel {
                slug: (*slug).to_owned(),
                name: (*name).to_owned(),
                description: String::new(),
                position: position as i64,
            })
            .await?;
    }
    let mut sources = Vec::with_capacity(SOURCES);
    for n in 0..SOURCES {
        let name = format!(
            "{}{}",
            vocabulary.word(rng),
            SOURCE_SUFFIXES[rng.below(SOURCE_SUFFIXES.len())]
        );
        let wechat = n % 5 < 2;
        let slug = format!("src-{n:04}");
        store
            .upsert_source(&NewSource {
                slug: slug.clone(),
                name: name.clone(),
                kind: if wechat {
                    SourceKind::Wechat
                } else {
                    SourceKind::Feed
                },
                homepage: Some(format!("https://src{n}.example.com/")),
                channel_slug: Some(CHANNELS[n % CHANNELS.len()].0.to_owned()),
                ..NewSource::default()
            })
            .await?;
        sources.push((slug, name));
    }
    // Output per source falls as a power of its rank: a few publish all day, most rarely.
    let mut total = 0.0;
    let source_weights: Vec<f64> = (1..=SOURCES)
        .map(|rank| {
            total += 1.0 / (rank as f64).powf(0.9);
            total
        })
        .collect();
    let pick_source = |rng: &mut Rng| {
        let target = (rng.below(1 << 30) as f64 / (1u64 << 30) as f64) * total;
        source_weights
            .partition_point(|c| *c < target)
            .min(SOURCES - 1)
    };

    let keeper = xinwen_ingest::StoryKeeper::load(store.clone()).await?;
    let end = Utc::now() - TimeDelta::minutes(5);
    let year = TimeDelta::days(365);
    let bar = crate::pipeline::progress_bar_with(
        wanted,
        "{spinner} {bar:30} {pos}/{len} articles  {rate}  {msg}",
    );
    // Recent originals that later articles repost, so that stories have several sources.
    let mut recent: Vec<NewArticle> = Vec::new();
    let mut batch: Vec<NewArticle> = Vec::with_capacity(1_000);
    let mut written = 0usize;
    for n in 0..wanted {
        let at = end - year
            + TimeDelta::milliseconds(
                (year.num_milliseconds() as f64 * n as f64 / wanted as f64) as i64,
            );
        let source = pick_source(rng);
        let article = if !recent.is_empty() && rng.below(100) < 12 {
            let original = &recent[rng.below(recent.len())];
            repost(original, &sources[source], source, n, at)
        } else {
            let article = original_article(vocabulary, rng, &sources[source], source, n, at);
            if recent.len() < 400 {
                recent.push(article.clone());
            } else {
                let slot = rng.below(recent.len());
                recent[slot] = article.clone();
            }
            article
        };
        batch.push(article);
        if batch.len() == 1_000 || n + 1 == wanted {
            let ids = store.upsert_articles(&batch).await?;
            written += batch.len();
            batch.clear();
            // About one in a thousand taken down, as rights holders ask.
            for id in ids {
                if rng.below(1_000) == 0 {
                    store.set_article_status(id, ArticleStatus::Removed).await?;
                }
            }
            keeper.assign_pending().await?;
            bar.set_position(written as u64);
        }
    }
    bar.finish_and_clear();
    let stored = started.elapsed();
    outln!(
        "store: {written} articles from {SOURCES} sources in {} channels written and placed in stories in {:.0} s",
        CHANNELS.len(),
        stored.as_secs_f64()
    );
    crate::index::rebuild(store).await?;
    outln!(
        "store built in {:.0} s in all ({:.0} s for the search index); database {:.0} MiB",
        started.elapsed().as_secs_f64(),
        (started.elapsed() - stored).as_secs_f64(),
        std::fs::metadata(store.data_dir().join(xinwen_store::DATABASE_FILE))
            .map(|m| m.len() as f64 / 1_048_576.0)
            .unwrap_or(0.0)
    );
    Ok(())
}

fn original_article(
    vocabulary: &Vocabulary,
    rng: &mut Rng,
    (slug, _): &(String, String),
    source: usize,
    n: usize,
    at: DateTime<Utc>,
) -> NewArticle {
    let title_words = 5 + rng.below(6);
    let title = vocabulary
        .text(rng, title_words, |_| {})
        .trim_end_matches('。')
        .replace(['，', '、', '；'], "");
    // News length: 5 to 12 paragraphs of 2 to 4 sentences, about 900 characters in all.
    let paragraphs: Vec<String> = (0..5 + rng.below(8))
        .map(|_| {
            (0..2 + rng.below(3))
                .map(|_| {
                    let words = 8 + rng.below(10);
                    vocabulary.text(rng, words, |_| {})
                })
                .collect()
        })
        .collect();
    let mut body_html: String = paragraphs.iter().map(|p| format!("<p>{p}</p>")).collect();
    let mut images = Vec::new();
    if rng.below(100) < 35 {
        let src = format!("/media/bench/{n}.jpg");
        let caption = vocabulary.text(rng, 6, |_| {});
        body_html.push_str(&format!(
            "<figure><img src=\"{src}\" alt=\"\"><figcaption>{caption}</figcaption></figure>"
        ));
        images.push(Image {
            src,
            alt: String::new(),
            caption,
        });
    }
    let body_text = paragraphs.join("\n\n");
    let summary: String = body_text.chars().take(90).collect();
    let url = format!(
        "https://src{source}.example.com/{}/{n}.html",
        at.format("%Y/%m%d")
    );
    NewArticle {
        source_slug: slug.clone(),
        channel_slug: None,
        title,
        author: (rng.below(3) == 0).then(|| format!("记者 {}", vocabulary.word(rng))),
        original_url: url.clone(),
        canonical_url: url,
        published_at: at,
        fetched_at: at,
        body_html,
        body_text,
        summary,
        images,
        script: Script::Simplified,
        credited_source: None,
    }
}

/// Another source's copy of `original`, crediting it, as reposts on WeChat and portals are.
fn repost(
    original: &NewArticle,
    (slug, _): &(String, String),
    source: usize,
    n: usize,
    at: DateTime<Utc>,
) -> NewArticle {
    let url = format!(
        "https://src{source}.example.com/{}/{n}.html",
        at.format("%Y/%m%d")
    );
    NewArticle {
        source_slug: slug.clone(),
        original_url: url.clone(),
        canonical_url: url,
        published_at: at,
        fetched_at: at,
        credited_source: Some(original.source_slug.clone()),
        ..original.clone()
    }
}

// ---------------------------------------------------------------------------------------------
// What readers ask for.

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    Home,
    Channel,
    Source,
    Article,
    Story,
    Hot,
    Search,
    Feed,
    /// `/api/v1/articles`, a channel's or a source's, at a cursor or not.
    ApiList,
    /// `/api/v1/articles/{id}`.
    ApiArticle,
    /// `/api/v1/search?q=`.
    ApiSearch,
}

impl Kind {
    const ALL: [Kind; 11] = [
        Kind::Home,
        Kind::Channel,
        Kind::Source,
        Kind::Article,
        Kind::Story,
        Kind::Hot,
        Kind::Search,
        Kind::Feed,
        Kind::ApiList,
        Kind::ApiArticle,
        Kind::ApiSearch,
    ];

    fn name(self) -> &'static str {
        match self {
            Kind::Home => "home",
            Kind::Channel => "channel",
            Kind::Source => "source",
            Kind::Article => "article",
            Kind::Story => "story",
            Kind::Hot => "hot",
            Kind::Search => "search",
            Kind::Feed => "feed",
            Kind::ApiList => "api list",
            Kind::ApiArticle => "api article",
            Kind::ApiSearch => "api search",
        }
    }

    /// Its share of the mix, in percent: most readers arrive on an article.
    fn weight(self) -> usize {
        match self {
            Kind::Home => 8,
            Kind::Channel => 8,
            Kind::Source => 11,
            Kind::Article => 34,
            Kind::Story => 10,
            Kind::Hot => 4,
            Kind::Search => 10,
            Kind::Feed => 7,
            Kind::ApiList => 3,
            Kind::ApiArticle => 3,
            Kind::ApiSearch => 2,
        }
    }

    fn pick(rng: &mut Rng) -> Kind {
        let mut roll = rng.below(100);
        for kind in Kind::ALL {
            if roll < kind.weight() {
                return kind;
            }
            roll -= kind.weight();
        }
        Kind::Article
    }
}

/// The addresses the load is drawn from, read from the store being served.
struct Pools {
    rng: Rng,
    /// Live articles, oldest first.
    articles: Vec<i64>,
    /// Stories told twice or more, most recent first.
    stories: Vec<i64>,
    /// Slugs with how many list pages each has.
    channels: Vec<(String, u32)>,
    sources: Vec<(String, u32)>,
    home_pages: u32,
    /// The corpus's words, so that searches find what readers would.
    vocabulary: Vocabulary,
    searched: HashSet<String>,
    /// Addresses already asked, for the uncached runs.
    asked: HashSet<String>,
}

impl Pools {
    async fn read(store: &Store, vocabulary: Vocabulary) -> anyhow::Result<Pools> {
        let per_page = xinwen_web::SiteSettings::for_data_dir(Path::new(".")).per_page;
        let articles = store.live_article_ids().await?;
        anyhow::ensure!(!articles.is_empty(), "the store has no live article");
        let stories = store.stories_told_twice(200_000).await?;
        anyhow::ensure!(!stories.is_empty(), "the store has no story told twice");
        let pages = |total: u64| (total.div_ceil(u64::from(per_page)).max(1)) as u32;
        let home = store
            .latest_articles(ArticleFilter::default(), 1, per_page, false)
            .await?;
        let mut channels = Vec::new();
        for channel in store.channels().await? {
            let list = store
                .latest_articles(
                    ArticleFilter {
                        channel_id: Some(channel.id),
                        source_id: None,
                    },
                    1,
                    per_page,
                    false,
                )
                .await?;
            if list.total > 0 {
                channels.push((channel.slug, pages(list.total)));
            }
        }
        let mut sources = Vec::new();
        for source in store.sources().await? {
            let list = store
                .latest_articles(
                    ArticleFilter {
                        channel_id: None,
                        source_id: Some(source.id),
                    },
                    1,
                    per_page,
                    false,
                )
                .await?;
            if list.total > 0 {
                sources.push((source.slug, pages(list.total)));
            }
        }
        anyhow::ensure!(
            !channels.is_empty() && !sources.is_empty(),
            "the store has no lists"
        );
        let rng = Rng(SEED ^ 0xabcd);
        Ok(Pools {
            vocabulary,
            rng,
            articles,
            stories,
            channels,
            sources,
            home_pages: pages(home.total),
            searched: HashSet::new(),
            asked: HashSet::new(),
        })
    }

    /// A list page: the first most often, then the next few, sometimes deep.
    fn list_page(&mut self, pages: u32) -> u32 {
        match self.rng.below(10) {
            0..5 => 1,
            5..8 => 2 + self.rng.below(4) as u32,
            _ => 1 + self.rng.below(pages as usize) as u32,
        }
        .min(pages)
    }

    /// An address of `kind`; with `fresh`, one not asked before in this run.
    fn url(&mut self, kind: Kind, fresh: bool) -> String {
        for _ in 0..1_000 {
            let url = self.draw(kind, fresh);
            if !fresh || self.asked.insert(url.clone()) {
                return url;
            }
        }
        self.draw(kind, false)
    }

    fn draw(&mut self, kind: Kind, fresh: bool) -> String {
        let with_page = |path: String, page: u32| match page {
            1 => path,
            n => format!("{path}?page={n}"),
        };
        match kind {
            Kind::Home => {
                let page = if fresh {
                    1 + self.rng.below(self.home_pages as usize) as u32
                } else {
                    self.list_page(self.home_pages)
                };
                with_page("/".to_owned(), page)
            }
            Kind::Channel => {
                let (slug, pages) = self.channels[self.rng.below(self.channels.len())].clone();
                let page = self.list_page(pages);
                with_page(format!("/channel/{slug}"), page)
            }
            Kind::Source => {
                let (slug, pages) = self.sources[self.rng.below(self.sources.len())].clone();
                let page = self.list_page(pages);
                with_page(format!("/source/{slug}"), page)
            }
            Kind::Article => {
                // Half from the newest 2% (the last week of a year), half from any time.
                let len = self.articles.len();
                let index = if self.rng.below(2) == 0 {
                    len - 1 - self.rng.below((len / 50).max(1))
                } else {
                    self.rng.below(len)
                };
                format!("/article/{}", self.articles[index])
            }
            Kind::Story => {
                let len = self.stories.len();
                let index = if self.rng.below(2) == 0 {
                    self.rng.below(len.min(500))
                } else {
                    self.rng.below(len)
                };
                format!("/story/{}", self.stories[index])
            }
            Kind::Hot => "/hot".to_owned(),
            Kind::Search => loop {
                // Readers' queries: a word or two of the articles' vocabulary, drawn evenly
                // over its frequency curve as `bench search` draws them (readers look for
                // names and subjects, not for the commonest words), never the same query
                // twice, so that no answer is cached.
                let words = &self.vocabulary.words;
                let first = words[self.rng.below(words.len())].clone();
                let query = if self.rng.below(5) < 2 {
                    first
                } else {
                    let second = &words[self.rng.below(words.len())];
                    format!("{first} {second}")
                };
                if self.searched.insert(query.clone()) {
                    return format!("/search?q={}", encode(&query));
                }
            },
            Kind::ApiList => {
                let list = match self.rng.below(3) {
                    0 => String::new(),
                    1 => format!(
                        "&channel={}",
                        self.channels[self.rng.below(self.channels.len())].0
                    ),
                    _ => format!(
                        "&source={}",
                        self.sources[self.rng.below(self.sources.len())].0
                    ),
                };
                format!("/api/v1/articles?limit=20{list}")
            }
            Kind::ApiArticle => {
                let path = self.draw(Kind::Article, fresh);
                format!("/api/v1/articles/{}", path.trim_start_matches("/article/"))
            }
            Kind::ApiSearch => {
                let path = self.draw(Kind::Search, fresh);
                format!("/api/v1/search?{}", path.trim_start_matches("/search?"))
            }
            Kind::Feed => match self.rng.below(3) {
                0 => "/feed.xml".to_owned(),
                1 => format!(
                    "/channel/{}/feed.xml",
                    self.channels[self.rng.below(self.channels.len())].0
                ),
                _ => format!(
                    "/source/{}/feed.xml",
                    self.sources[self.rng.below(self.sources.len())].0
                ),
            },
        }
    }
}

fn encode(query: &str) -> String {
    url::form_urlencoded::byte_serialize(query.as_bytes()).collect()
}

// ---------------------------------------------------------------------------------------------
// Offering load.

#[derive(Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Ok,
    /// Answered with a status other than 200, or the connection failed.
    Error,
    /// Not answered within [`REQUEST_TIMEOUT`] of when it was due.
    Timeout,
}

struct Sample {
    kind: Kind,
    latency: Duration,
    outcome: Outcome,
}

struct Run {
    seconds: f64,
    samples: Vec<Sample>,
}

struct Figures {
    count: usize,
    rps: f64,
    p50: Duration,
    p99: Duration,
    max: Duration,
    errors: usize,
    timeouts: usize,
}

impl Run {
    fn figures(&self, kind: Option<Kind>) -> Figures {
        let chosen: Vec<&Sample> = self
            .samples
            .iter()
            .filter(|s| kind.is_none_or(|k| s.kind == k))
            .collect();
        let mut latencies: Vec<Duration> = chosen.iter().map(|s| s.latency).collect();
        latencies.sort();
        Figures {
            count: chosen.len(),
            rps: chosen.iter().filter(|s| s.outcome == Outcome::Ok).count() as f64 / self.seconds,
            p50: percentile(&latencies, 0.5),
            p99: percentile(&latencies, 0.99),
            max: latencies.last().copied().unwrap_or_default(),
            errors: chosen
                .iter()
                .filter(|s| s.outcome == Outcome::Error)
                .count(),
            timeouts: chosen
                .iter()
                .filter(|s| s.outcome == Outcome::Timeout)
                .count(),
        }
    }

    fn mix(&self) -> Figures {
        self.figures(None)
    }

    /// Every kind of page within the bound, nothing failed.
    fn holds(&self) -> bool {
        Kind::ALL.iter().all(|kind| {
            let f = self.figures(Some(*kind));
            f.count == 0 || f.p99 <= P99_BOUND
        }) && self.mix().errors == 0
            && self.mix().timeouts == 0
    }

    fn summary(&self) -> String {
        let mix = self.mix();
        let worst = Kind::ALL
            .iter()
            .map(|k| (self.figures(Some(*k)).p99, k.name()))
            .max()
            .unwrap_or_default();
        format!(
            "{:.0} req/s answered, p50 {:.1} ms, p99 {:.1} ms (worst page: {} at {:.1} ms), {} errors, {} timeouts",
            mix.rps,
            ms(mix.p50),
            ms(mix.p99),
            worst.1,
            ms(worst.0),
            mix.errors,
            mix.timeouts
        )
    }

    fn print(&self) {
        outln!(
            "{:<10} {:>7} {:>8} {:>9} {:>9} {:>9} {:>7} {:>9}",
            "page",
            "n",
            "req/s",
            "p50 ms",
            "p99 ms",
            "max ms",
            "errors",
            "timeouts"
        );
        let row = |name: &str, f: Figures| {
            outln!(
                "{:<10} {:>7} {:>8.0} {:>9.1} {:>9.1} {:>9.1} {:>7} {:>9}",
                name,
                f.count,
                f.rps,
                ms(f.p50),
                ms(f.p99),
                ms(f.max),
                f.errors,
                f.timeouts
            );
        };
        for kind in Kind::ALL {
            row(kind.name(), self.figures(Some(kind)));
        }
        row("mix", self.mix());
    }
}

/// Offers `rate` requests a second for `length`, each due at its time (open loop), at most
/// [`CONNECTIONS`] in flight; waits for the last answers.
async fn offer(
    client: &reqwest::Client,
    base: &str,
    pools: &mut Pools,
    rate: u32,
    length: Duration,
) -> Run {
    let total = (u64::from(rate) * length.as_secs()) as usize;
    let connections = Arc::new(tokio::sync::Semaphore::new(CONNECTIONS));
    let samples = Arc::new(Mutex::new(Vec::with_capacity(total)));
    let start = TokioInstant::now();
    let interval = Duration::from_secs_f64(1.0 / f64::from(rate.max(1)));
    let mut tasks = tokio::task::JoinSet::new();
    for n in 0..total {
        let due = start + interval.mul_f64(n as f64);
        tokio::time::sleep_until(due).await;
        let kind = Kind::pick(&mut pools.rng);
        let url = format!("{base}{}", pools.url(kind, false));
        let client = client.clone();
        let connections = connections.clone();
        let samples = samples.clone();
        tasks.spawn(async move {
            let answered = tokio::time::timeout_at(due + REQUEST_TIMEOUT, async {
                let _connection = connections.acquire().await.ok()?;
                let response = client.get(&url).send().await.ok()?;
                let ok = response.status() == reqwest::StatusCode::OK;
                response.bytes().await.ok()?;
                Some(ok)
            })
            .await;
            let outcome = match answered {
                Ok(Some(true)) => Outcome::Ok,
                Ok(_) => Outcome::Error,
                Err(_) => Outcome::Timeout,
            };
            let sample = Sample {
                kind,
                latency: due.elapsed(),
                outcome,
            };
            if let Ok(mut samples) = samples.lock() {
                samples.push(sample);
            }
        });
        // Finished tasks are collected as they go, so the set stays small.
        while tasks.try_join_next().is_some() {}
    }
    while tasks.join_next().await.is_some() {}
    let samples = std::mem::take(&mut *samples.lock().unwrap_or_else(|e| e.into_inner()));
    Run {
        seconds: length.as_secs_f64(),
        samples,
    }
}

// ---------------------------------------------------------------------------------------------
// The server, its memory, the ingest pass.

struct Server {
    child: std::process::Child,
    base: String,
    log: PathBuf,
}

/// What the load is offered to: one node, or several behind a load balancer.
struct Front {
    servers: Vec<Server>,
    balancer: Option<Balancer>,
    base: String,
}

impl Front {
    async fn start(data_dir: &Path, nodes: usize) -> anyhow::Result<Front> {
        if nodes <= 1 {
            let server = Server::start(data_dir)?;
            let base = server.base.clone();
            return Ok(Front {
                servers: vec![server],
                balancer: None,
                base,
            });
        }
        anyhow::ensure!(
            crate::database_url().is_some(),
            "several web nodes share one store only on PostgreSQL: give --database-url postgres://…"
        );
        let mut servers = vec![Server::start(data_dir)?];
        for node in 2..=nodes {
            // Each node derives its own search index from the database; a copy of the first
            // node's saves building it again.
            let node_dir = data_dir.join("nodes").join(format!("node-{node}"));
            copy_tree(&data_dir.join("index"), &node_dir.join("index")).with_context(|| {
                format!(
                    "cannot copy the search index for node {node} into {}",
                    node_dir.display()
                )
            })?;
            servers.push(Server::start(&node_dir)?);
        }
        let balancer = Balancer::start(data_dir, &servers).await?;
        let base = balancer.base.clone();
        Ok(Front {
            servers,
            balancer: Some(balancer),
            base,
        })
    }
}

/// Copies a directory tree (the search index), replacing what was there.
fn copy_tree(from: &Path, to: &Path) -> std::io::Result<()> {
    if to.exists() {
        std::fs::remove_dir_all(to)?;
    }
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_tree(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), target)?;
        }
    }
    Ok(())
}

/// HAProxy in front of the nodes, round robin, taking a node out while its `/readyz` fails.
struct Balancer {
    child: std::process::Child,
    base: String,
}

impl Balancer {
    async fn start(data_dir: &Path, servers: &[Server]) -> anyhow::Result<Balancer> {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .context("cannot find a free port for the load balancer")?
            .port();
        let mut config = format!(
            "global\n    maxconn 4096\ndefaults\n    mode http\n    timeout connect 2s\n    timeout client 30s\n    timeout server 30s\n\
             frontend site\n    bind 127.0.0.1:{port}\n    default_backend nodes\n\
             backend nodes\n    balance roundrobin\n    option httpchk GET /readyz\n"
        );
        for (i, server) in servers.iter().enumerate() {
            let address = server.base.trim_start_matches("http://");
            config.push_str(&format!(
                "    server node{} {address} check inter 1s\n",
                i + 1
            ));
        }
        let config_path = data_dir.join("bench-haproxy.cfg");
        std::fs::write(&config_path, config)
            .with_context(|| format!("cannot write {}", config_path.display()))?;
        let log = data_dir.join("bench-haproxy.log");
        let log_file = std::fs::File::create(&log)
            .with_context(|| format!("cannot create {}", log.display()))?;
        let child = std::process::Command::new("haproxy")
            .arg("-db")
            .arg("-f")
            .arg(&config_path)
            .stdout(log_file.try_clone()?)
            .stderr(log_file)
            .spawn()
            .context("cannot start haproxy; install it (Debian: apt-get install haproxy)")?;
        let balancer = Balancer {
            child,
            base: format!("http://127.0.0.1:{port}"),
        };
        // Ready once HAProxy answers and has seen every node pass its check.
        let client = reqwest::Client::builder().no_proxy().build()?;
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let up = client
                .get(format!("{}/readyz", balancer.base))
                .send()
                .await
                .is_ok_and(|r| r.status().is_success());
            if up {
                // Every node's first check passes within the check interval.
                tokio::time::sleep(Duration::from_millis(1_500)).await;
                return Ok(balancer);
            }
            anyhow::ensure!(
                Instant::now() < deadline,
                "HAProxy did not serve within 30 s; see {}",
                log.display()
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
}

impl Drop for Balancer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    /// Starts `xinwen serve` on the data directory, on a free port, and waits until it serves.
    fn start(data_dir: &Path) -> anyhow::Result<Server> {
        let log = data_dir.join("bench-server.log");
        let log_file = std::fs::File::create(&log)
            .with_context(|| format!("cannot create {}", log.display()))?;
        let exe = std::env::current_exe().context("cannot find the xinwen binary")?;
        let mut child = std::process::Command::new(exe)
            .arg("serve")
            .arg("--data")
            .arg(data_dir)
            .args(["--listen", "127.0.0.1:0", "--no-fetch"])
            .args(
                crate::database_url()
                    .map(|url| vec!["--database-url", url])
                    .unwrap_or_default(),
            )
            .env("XINWEN_LOG", "warn")
            // The load comes from one address; the API's per-address limit is for readers.
            .env("XINWEN_API_REQUESTS_PER_MINUTE", "100000000")
            .stdout(std::process::Stdio::piped())
            .stderr(log_file)
            .spawn()
            .context("cannot start `xinwen serve`")?;
        let stdout = child.stdout.take().context("no standard output")?;
        let mut lines = std::io::BufReader::new(stdout).lines();
        let base = loop {
            match lines.next() {
                Some(Ok(line)) => {
                    if let Some(rest) = line.strip_prefix("xinwen is serving on ") {
                        break rest.trim_end_matches('/').to_owned();
                    }
                }
                _ => {
                    let _ = child.kill();
                    anyhow::bail!(
                        "`xinwen serve` stopped before serving; see {}",
                        log.display()
                    );
                }
            }
        };
        // Whatever else it prints is drained, so that it never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        Ok(Server { child, base, log })
    }

    fn log_lines(&self) -> usize {
        std::fs::read_to_string(&self.log)
            .map(|text| text.lines().count())
            .unwrap_or(0)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[derive(Clone, Copy, Default)]
struct Memory {
    hwm: f64,
    anon: f64,
    file: f64,
}

/// Samples the server's resident memory four times a second and keeps the peaks, by kind:
/// what it allocated (anonymous) apart from the files it maps (the search index, the binary).
struct MemoryWatch {
    peak: Arc<Mutex<Memory>>,
    task: tokio::task::JoinHandle<()>,
}

impl MemoryWatch {
    fn start(pid: u32) -> MemoryWatch {
        let peak = Arc::new(Mutex::new(Memory::default()));
        let kept = peak.clone();
        let task = tokio::spawn(async move {
            loop {
                if let Some(now) = read_memory(pid)
                    && let Ok(mut peak) = kept.lock()
                {
                    peak.hwm = peak.hwm.max(now.hwm);
                    peak.anon = peak.anon.max(now.anon);
                    peak.file = peak.file.max(now.file);
                }
                tokio::time::sleep(Duration::from_millis(250)).await;
            }
        });
        MemoryWatch { peak, task }
    }

    fn peak(&self) -> Memory {
        self.peak.lock().map(|m| *m).unwrap_or_default()
    }
}

impl Drop for MemoryWatch {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn read_memory(pid: u32) -> Option<Memory> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let field = |name: &str| -> Option<f64> {
        let line = status.lines().find(|l| l.starts_with(name))?;
        let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
        Some(kib / 1024.0)
    };
    Some(Memory {
        hwm: field("VmHWM:")?,
        anon: field("RssAnon:")? + field("RssShmem:").unwrap_or(0.0),
        file: field("RssFile:")?,
    })
}

/// The real ingest pipeline, in this process, writing to the served store from a local origin
/// of synthetic publishers whose every page is new.
struct Ingest {
    pipeline: crate::pipeline::Pipeline,
    sources: Vec<xinwen_store::SourceWithHealth>,
    per_second: u32,
}

/// Articles in each synthetic publisher's feed.
const INGEST_PER_SOURCE: usize = 20;

impl Ingest {
    async fn prepare(
        store: &Store,
        config: &Config,
        options: &SiteBench,
    ) -> anyhow::Result<Ingest> {
        let wanted = options.ingest_articles as usize * options.seconds as usize;
        let count = wanted.div_ceil(INGEST_PER_SOURCE).max(1);
        let tag = format!("{}-", Utc::now().timestamp());
        let site = IngestBench {
            sources: count,
            tag: tag.clone(),
            articles_per_source: INGEST_PER_SOURCE,
            page_kb: 30,
            workers: 1,
        };
        let origin = start_origin(Arc::new(synthetic_site(&site)))?;
        let mut fetch = config.fetch.to_fetch_config()?;
        let mut guard = xinwen_fetch::Guard::new(vec!["127.0.0.1".parse().expect("an address")]);
        let mut slugs = HashSet::new();
        for s in 0..count {
            let host = crate::bench::host(s);
            guard.resolve_to(&host, origin);
            let slug = format!("ingest-{tag}{s}");
            store
                .upsert_source(&NewSource {
                    slug: slug.clone(),
                    name: format!("新到来源{s}"),
                    kind: SourceKind::Feed,
                    homepage: Some(format!("http://{host}/")),
                    feed_url: Some(format!("http://{host}/rss.xml")),
                    channel_slug: Some(CHANNELS[s % CHANNELS.len()].0.to_owned()),
                    ..NewSource::default()
                })
                .await?;
            slugs.insert(slug);
        }
        fetch.guard = guard;
        fetch.min_host_delay = Duration::ZERO;
        fetch.per_host_concurrency = 4;
        let pipeline =
            crate::pipeline::Pipeline::new(store, config, fetch, config.ingest.to_ingest_config())
                .await?;
        let sources = store
            .sources_with_health()
            .await?
            .into_iter()
            .filter(|s| slugs.contains(&s.source.slug))
            .collect();
        Ok(Ingest {
            pipeline,
            sources,
            per_second: options.ingest_articles.max(1),
        })
    }

    /// Fetches the sources a few at a time, paced to the rate; returns the articles stored.
    async fn run(self, length: Duration) -> anyhow::Result<usize> {
        let started = Instant::now();
        let per_batch = (self.per_second as usize)
            .div_ceil(INGEST_PER_SOURCE)
            .max(1);
        let mut added = 0;
        let mut sources = self.sources.into_iter().peekable();
        while sources.peek().is_some() && started.elapsed() < length {
            let batch: Vec<_> = sources.by_ref().take(per_batch).collect();
            for report in self.pipeline.ingester.run_pass(batch, |_| {}).await {
                match report.outcome {
                    Ok(stats) => added += stats.added,
                    Err(why) => anyhow::bail!("the ingest pass failed on {}: {why}", report.slug),
                }
            }
            // Paced: the next batch is due when the articles so far are due.
            let due = Duration::from_secs_f64(added as f64 / f64::from(self.per_second));
            if let Some(wait) = due.checked_sub(started.elapsed()) {
                tokio::time::sleep(wait).await;
            }
        }
        Ok(added)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The rates a search tries against a server that holds up to `capacity`, and its answer.
    async fn search(main: u32, capacity: u32) -> (Vec<u32>, Option<u32>) {
        let mut tried = Vec::new();
        let best = highest_holding_rate(main, main <= capacity, async |rate| {
            tried.push(rate);
            rate <= capacity
        })
        .await;
        (tried, best)
    }

    #[tokio::test]
    async fn the_rate_search_closes_in_between_held_and_failed_rates() {
        let (tried, best) = search(1000, 1234).await;
        assert_eq!(tried[..2], [1500, 1250]);
        let best = best.expect("1000 holds");
        assert!((1125..=1234).contains(&best), "{best} after {tried:?}");

        let (tried, best) = search(1000, 800).await;
        assert_eq!(tried[0], 500);
        let best = best.expect("500 holds");
        assert!((725..=800).contains(&best), "{best} after {tried:?}");
    }

    #[tokio::test]
    async fn the_rate_search_says_when_nothing_holds() {
        let (tried, best) = search(1000, 10).await;
        assert_eq!(best, None);
        assert_eq!(tried, [500, 250, 125, 62]);
    }
}
