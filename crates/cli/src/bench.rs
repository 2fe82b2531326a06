//! `xinwen bench ingest`: end-to-end ingest throughput (fetch → extract → store) against a
//! local origin of synthetic publishers, and the process's peak memory.
//!
//! The origin runs in this process, on a runtime of its own, serving pages built before the
//! clock starts, so that it costs as little as a remote server would; it still shares the two
//! cores, which makes the figure a floor. Politeness delays are off: the benchmark measures the
//! pipeline, not the waiting that politeness adds per host.

use crate::config::Config;
use crate::output::outln;
use crate::pipeline::Pipeline;
use crate::synthetic::{Rng, Vocabulary};
use anyhow::Context;
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};
use xinwen_model::{NewChannel, NewSource, SourceKind};
use xinwen_store::Store;

pub struct IngestBench {
    pub sources: usize,
    /// Written into every page's address and entry id, so that a second run on one store adds
    /// new articles (the site benchmark's ingest pass).
    pub tag: String,
    pub articles_per_source: usize,
    pub page_kb: usize,
    /// Workers sharing the sources through leases (1: one pass over all of them).
    pub workers: usize,
}

pub(crate) type Pages = HashMap<(String, String), (&'static str, Vec<u8>)>;

pub async fn ingest(options: IngestBench, config: &Config) -> anyhow::Result<()> {
    let started_setup = Instant::now();
    let pages = Arc::new(synthetic_site(&options));
    let page_bytes: usize = pages
        .iter()
        .filter(|((_, path), _)| path.ends_with(".html"))
        .map(|(_, (_, body))| body.len())
        .sum();
    let origin = start_origin(pages.clone())?;
    let temp = tempfile::Builder::new()
        .prefix("xinwen-bench-")
        .tempdir()
        .context("cannot create a temporary data directory")?;
    // PostgreSQL when --database-url names one, which must be empty: the run counts what
    // it stores.
    let store = crate::open_store(temp.path()).await?;
    anyhow::ensure!(
        store.sources().await?.is_empty(),
        "the benchmark needs an empty store; give it a new database"
    );
    store
        .upsert_channel(&NewChannel {
            slug: "bench".into(),
            name: "测试".into(),
            description: String::new(),
            position: 0,
        })
        .await?;
    for s in 0..options.sources {
        store
            .insert_source(&NewSource {
                slug: format!("site-{s}"),
                name: format!("合成来源{s}"),
                kind: SourceKind::Feed,
                homepage: Some(format!("http://{}/", host(s))),
                feed_url: Some(format!("http://{}/rss.xml", host(s))),
                channel_slug: Some("bench".into()),
                ..NewSource::default()
            })
            .await?;
    }
    let mut fetch = config.fetch.to_fetch_config()?;
    let mut guard = xinwen_fetch::Guard::new(vec!["127.0.0.1".parse().expect("an address")]);
    for s in 0..options.sources {
        guard.resolve_to(&host(s), origin);
    }
    fetch.guard = guard;
    fetch.min_host_delay = Duration::ZERO;
    fetch.per_host_concurrency = 4;
    let ingest = config.ingest.to_ingest_config();
    let mut pipelines = Vec::with_capacity(options.workers.max(1));
    for _ in 0..options.workers.max(1) {
        pipelines.push(Pipeline::new(&store, config, fetch.clone(), ingest.clone()).await?);
    }
    let sources = store.sources_with_health().await?;
    outln!(
        "setup: {} sources x {} articles, pages of {:.1} KB on average ({:.1} MB in all), built in {:.1} s",
        options.sources,
        options.articles_per_source,
        page_bytes as f64 / (options.sources * options.articles_per_source).max(1) as f64 / 1024.0,
        page_bytes as f64 / 1_048_576.0,
        started_setup.elapsed().as_secs_f64()
    );

    let clock = Instant::now();
    let reports = if pipelines.len() == 1 {
        pipelines[0].ingester.run_pass(sources, |_| {}).await
    } else {
        let workers = pipelines.iter().enumerate().map(|(n, pipeline)| {
            let store = store.clone();
            async move { leasing_worker(&format!("bench-{n}"), &store, pipeline).await }
        });
        futures_util::future::try_join_all(workers)
            .await?
            .into_iter()
            .flatten()
            .collect()
    };
    let elapsed = clock.elapsed().as_secs_f64();
    let added: usize = reports
        .iter()
        .filter_map(|r| r.outcome.as_ref().ok())
        .map(|s| s.added)
        .sum();
    let failed: Vec<&str> = reports
        .iter()
        .filter_map(|r| r.outcome.as_ref().err().map(String::as_str))
        .collect();
    let stored = store.article_count().await?;
    anyhow::ensure!(
        failed.is_empty() && stored as usize == options.sources * options.articles_per_source,
        "the benchmark run was not clean: {} stored, failures: {failed:?}",
        stored
    );
    outln!(
        "ingest: {added} articles (fetch feed + page, extract, sanitize, store) in {elapsed:.2} s = {:.0} articles/s, {:.1} MB/s of pages",
        added as f64 / elapsed,
        page_bytes as f64 / 1_048_576.0 / elapsed
    );
    if let Some(peak) = peak_rss_mib() {
        outln!(
            "peak memory (VmHWM, whole process including the origin and its pages): {peak:.1} MiB"
        );
    }
    outln!(
        "store: {:?}, {} worker(s)",
        store.backend(),
        pipelines.len()
    );
    let db = temp.path().join(xinwen_store::DATABASE_FILE);
    if let Ok(meta) = std::fs::metadata(&db)
        && store.backend() == xinwen_store::Backend::Sqlite
    {
        outln!("database: {:.1} MB", meta.len() as f64 / 1_048_576.0);
    }
    outln!("articles_per_second={:.0}", added as f64 / elapsed);
    store.close().await;
    Ok(())
}

/// What a `xinwen fetch` worker does, until no source is left due: take a batch with leases,
/// fetch it, let go.
async fn leasing_worker(
    name: &str,
    store: &Store,
    pipeline: &Pipeline,
) -> anyhow::Result<Vec<xinwen_ingest::SourceReport>> {
    let lease = Duration::from_secs(120);
    let mut reports = Vec::new();
    loop {
        let due = store
            .claim_due_sources(name, chrono::Utc::now(), lease, 8)
            .await?;
        if due.is_empty() {
            return Ok(reports);
        }
        reports.extend(pipeline.ingester.run_pass(due, |_| {}).await);
        store.release_leases(name).await?;
    }
}

pub(crate) fn host(source: usize) -> String {
    format!("site{source}.bench.example")
}

pub(crate) fn start_origin(pages: Arc<Pages>) -> anyhow::Result<SocketAddr> {
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::Builder::new()
        .name("bench-origin".into())
        .spawn(move || {
            let runtime = match tokio::runtime::Builder::new_multi_thread()
                .worker_threads(1)
                .enable_all()
                .build()
            {
                Ok(runtime) => runtime,
                Err(e) => {
                    let _ = sender.send(Err(e.to_string()));
                    return;
                }
            };
            runtime.block_on(async move {
                let listener = match tokio::net::TcpListener::bind("127.0.0.1:0").await {
                    Ok(listener) => listener,
                    Err(e) => {
                        let _ = sender.send(Err(e.to_string()));
                        return;
                    }
                };
                let _ = sender.send(listener.local_addr().map_err(|e| e.to_string()));
                let router = Router::new().fallback(serve_page).with_state(pages);
                let _ = axum::serve(listener, router).await;
            });
        })
        .context("cannot start the origin thread")?;
    receiver
        .recv()
        .context("the origin did not start")?
        .map_err(|e| anyhow::anyhow!("the origin did not start: {e}"))
}

async fn serve_page(State(pages): State<Arc<Pages>>, headers: HeaderMap, uri: Uri) -> Response {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .and_then(|h| h.split(':').next())
        .unwrap_or_default()
        .to_owned();
    match pages.get(&(host, uri.path().to_owned())) {
        Some((content_type, body)) => {
            ([(header::CONTENT_TYPE, *content_type)], body.clone()).into_response()
        }
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

pub(crate) fn synthetic_site(options: &IngestBench) -> Pages {
    let mut pages = Pages::new();
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let vocabulary = Vocabulary::new(&mut rng, 2_000);
    let mut words = Words {
        rng: &mut rng,
        vocabulary: &vocabulary,
    };
    for s in 0..options.sources {
        let host = host(s);
        let mut items = String::new();
        for a in 0..options.articles_per_source {
            let title = format!("{}{}{}第{a}号", words.next(), words.next(), words.next());
            let path = format!("/news/2026/{}{s}-{a}.html", options.tag);
            items.push_str(&format!(
                "<item><title>{title}</title><link>http://{host}{path}?from=rss</link><guid>{}{s}-{a}</guid>\
                 <pubDate>Wed, 25 Nov 2026 {:02}:{:02}:00 +0800</pubDate><description>{}</description></item>",
                options.tag,
                a % 24,
                a % 60,
                words.sentence()
            ));
            let page = page(&mut words, &host, &path, &title, options.page_kb * 1024);
            pages.insert(
                (host.clone(), path),
                ("text/html; charset=utf-8", page.into_bytes()),
            );
        }
        let feed = format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><rss version=\"2.0\"><channel><title>合成来源{s}</title>{items}</channel></rss>"
        );
        pages.insert(
            (host.clone(), "/rss.xml".into()),
            ("application/rss+xml", feed.into_bytes()),
        );
        pages.insert(
            (host, "/robots.txt".into()),
            ("text/plain", b"User-agent: *\nAllow: /\n".to_vec()),
        );
    }
    pages
}

/// A portal-style page of about `size` bytes: an article of 8–14 paragraphs in the middle of
/// navigation, lists of links, comments and scripts, as the pages xinwen meets are.
fn page(words: &mut Words<'_>, host: &str, path: &str, title: &str, size: usize) -> String {
    let paragraphs = 8 + words.rng.below(7);
    let article: String = (0..paragraphs)
        .map(|_| {
            format!(
                "<p>{}{}{}</p>",
                words.sentence(),
                words.sentence(),
                words.sentence()
            )
        })
        .collect();
    let mut page = format!(
        "<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>{title}_合成新闻网</title>\
         <link rel=\"canonical\" href=\"http://{host}{path}\"><meta name=\"author\" content=\"记者 王明\">\
         <script>var config = {{\"page\": \"article\", \"ads\": [1, 2, 3]}};</script></head><body>\
         <div class=\"top\"><a href=\"/\">首页</a> <a href=\"/login\">登录</a></div><ul class=\"nav\">"
    );
    for n in 0..12 {
        page.push_str(&format!(
            "<li><a href=\"/c/{n}/\">{}</a></li>",
            words.next()
        ));
    }
    page.push_str(&format!(
        "</ul><div class=\"main\"><div class=\"article\"><h1>{title}</h1><div class=\"info\">2026-11-25 08:00 来源：合成新闻网</div>\
         <div class=\"content\">{article}<figure><img src=\"/img/{path}.jpg\" alt=\"图\"><figcaption>{}</figcaption></figure></div></div>",
        words.sentence()
    ));
    // Clutter up to the page size: related links, a hot list, comments, footer scripts.
    let mut block = 0;
    while page.len() < size.saturating_sub(200) {
        match block % 3 {
            0 => {
                page.push_str("<div class=\"related\"><h3>相关新闻</h3><ul>");
                for n in 0..10 {
                    page.push_str(&format!("<li><a href=\"/news/{block}/{n}.html\">{}{}{}</a></li>", words.next(), words.next(), words.next()));
                }
                page.push_str("</ul></div>");
            }
            1 => {
                page.push_str("<div class=\"comments\">");
                for n in 0..5 {
                    page.push_str(&format!("<div class=\"comment\"><span>网友{n}</span>：{}</div>", words.next()));
                }
                page.push_str("</div>");
            }
            _ => page.push_str("<script>(function(){var a=[];for(var i=0;i<10;i++){a.push(i*2);}window.track&&window.track(a);})();</script>"),
        }
        block += 1;
    }
    page.push_str(
        "</div><div class=\"footer\">Copyright © 2026 合成新闻网 版权所有</div></body></html>",
    );
    page
}

/// The word source of the synthetic pages.
struct Words<'a> {
    rng: &'a mut Rng,
    vocabulary: &'a Vocabulary,
}

impl<'a> Words<'a> {
    fn next(&mut self) -> &'a str {
        let vocabulary: &'a Vocabulary = self.vocabulary;
        vocabulary.word(self.rng)
    }

    fn sentence(&mut self) -> String {
        let length = 8 + self.rng.below(10);
        self.vocabulary.text(self.rng, length, |_| {})
    }
}

/// The process's peak resident memory, from Linux's /proc.
pub fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}
