//! Ingest end to end: a local origin on 127.0.0.1 serving feeds and pages, the real fetcher,
//! extractor and SQLite store.

use axum::Router;
use axum::extract::Path;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;
use chrono::Utc;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use xinwen_fetch::{FetchConfig, Fetcher, Guard};
use xinwen_ingest::{IngestConfig, Ingester};
use xinwen_media::Signer;
use xinwen_model::{NewChannel, NewSource, SourceKind};
use xinwen_store::{ArticleFilter, Store};

fn paragraph(n: usize) -> String {
    format!(
        "<p>第{n}段：青澜市交通部门表示，新线路开通后沿线居民的通勤时间将明显缩短，早晚高峰的发车间隔也会随客流调整，市民可以通过官方渠道查询最新的运营信息。</p>"
    )
}

fn page(origin: SocketAddr, n: usize, title: &str) -> String {
    let body: String = (1..=6).map(paragraph).collect();
    format!(
        r#"<!DOCTYPE html><html lang="zh-CN"><head><meta charset="{charset}"><title>{title} - 星河日报</title>
<link rel="canonical" href="http://{origin}/a/{n}.html"></head>
<body><nav><a href="/">首页</a> <a href="/news">新闻</a></nav>
<article><h1>{title}</h1><p class="byline">记者 李明</p>{body}
<figure><img src="/img/{n}.png" alt="现场"><figcaption>开通首日的站台</figcaption></figure></article>
<aside><h3>热门推荐</h3><ul><li><a href="/x">别的新闻</a></li></ul></aside><footer>版权所有</footer></body></html>"#,
        charset = if n == 2 { "gbk" } else { "utf-8" }
    )
}

fn rss(origin: SocketAddr, items: &[(usize, &str)], full: bool) -> String {
    let items: String = items
        .iter()
        .map(|(n, title)| {
            let description = if full {
                (1..=6).map(paragraph).collect::<String>()
            } else {
                "<p>五号线今日开通。</p>".to_owned()
            };
            format!(
                "<item><title>{title}</title><link>http://{origin}/a/{n}.html?from=rss</link><guid>entry-{n}</guid>\
                 <pubDate>Thu, 0{n} Nov 2026 08:00:00 +0800</pubDate><description><![CDATA[{description}]]></description></item>"
            )
        })
        .collect();
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>星河日报</title>{items}</channel></rss>"#
    )
}

struct Origin {
    address: SocketAddr,
    page_hits: Arc<AtomicUsize>,
    feed_hits: Arc<AtomicUsize>,
}

async fn origin() -> Origin {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let page_hits = Arc::new(AtomicUsize::new(0));
    let feed_hits = Arc::new(AtomicUsize::new(0));
    let (pages, feeds, feeds2) = (page_hits.clone(), feed_hits.clone(), feed_hits.clone());
    let router = Router::new()
        .route(
            "/summary.xml",
            get(move |headers: HeaderMap| {
                feeds.fetch_add(1, Ordering::SeqCst);
                async move {
                    if headers
                        .get(header::IF_NONE_MATCH)
                        .is_some_and(|v| v == "\"s1\"")
                    {
                        return StatusCode::NOT_MODIFIED.into_response();
                    }
                    let body = rss(
                        address,
                        &[(1, "地铁五号线开通"), (2, "五号线首日客流")],
                        false,
                    );
                    (
                        [
                            (header::ETAG, "\"s1\""),
                            (header::CONTENT_TYPE, "application/rss+xml"),
                        ],
                        body,
                    )
                        .into_response()
                }
            }),
        )
        .route(
            "/full.xml",
            get(move || {
                feeds2.fetch_add(1, Ordering::SeqCst);
                async move { rss(address, &[(3, "全文条目")], true) }
            }),
        )
        .route(
            // Another publisher reposting the full-text entry word for word.
            "/copy.xml",
            get(move || async move {
                rss(address, &[(4, "全文条目（转载）")], true).replace("entry-4", "copy-4")
            }),
        )
        .route(
            "/broken.xml",
            get(|| async { "<rss><channel><item><title>半截" }),
        )
        .route(
            "/html.xml",
            get(|| async { "<!DOCTYPE html><html><body>not a feed</body></html>" }),
        )
        .route(
            "/busy.xml",
            get(|| async {
                (
                    StatusCode::SERVICE_UNAVAILABLE,
                    [(header::RETRY_AFTER, "7200")],
                    "维护中",
                )
            }),
        )
        .route(
            "/a/{file}",
            get(move |Path(file): Path<String>| {
                pages.fetch_add(1, Ordering::SeqCst);
                async move {
                    let n: usize = file.trim_end_matches(".html").parse().unwrap_or(0);
                    let html = page(
                        address,
                        n,
                        if n == 2 {
                            "五号线首日客流"
                        } else {
                            "地铁五号线开通"
                        },
                    );
                    if n == 2 {
                        let (bytes, _, _) = encoding_rs::GBK.encode(&html);
                        ([(header::CONTENT_TYPE, "text/html")], bytes.into_owned()).into_response()
                    } else {
                        ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], html).into_response()
                    }
                }
            }),
        );
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    Origin {
        address,
        page_hits,
        feed_hits,
    }
}

async fn setup(feed_path: &str, origin: &Origin) -> (tempfile::TempDir, Arc<Ingester>) {
    let dir = tempfile::tempdir().unwrap();
    let database_url = xinwen_test_support::site_database().await;
    let store = Store::connect(dir.path(), database_url.as_deref())
        .await
        .unwrap();
    store
        .upsert_channel(&NewChannel {
            slug: "shehui".into(),
            name: "社会".into(),
            description: String::new(),
            position: 0,
        })
        .await
        .unwrap();
    store
        .insert_source(&NewSource {
            slug: "xinghe".into(),
            name: "星河日报".into(),
            kind: SourceKind::Feed,
            homepage: None,
            feed_url: Some(format!("http://{}{feed_path}", origin.address)),
            follow_url: None,
            qr_image: None,
            channel_slug: Some("shehui".into()),
            description: String::new(),
            ..NewSource::default()
        })
        .await
        .unwrap();
    let fetcher = Fetcher::new(FetchConfig {
        guard: Guard::new(vec!["127.0.0.1".parse().unwrap()]),
        min_host_delay: Duration::ZERO,
        ..FetchConfig::default()
    })
    .unwrap();
    let signer = Signer::load_or_create(dir.path()).unwrap();
    let ingester = Arc::new(Ingester::new(
        store,
        Arc::new(fetcher),
        signer,
        IngestConfig::default(),
    ));
    (dir, ingester)
}

async fn pass(ingester: &Arc<Ingester>) -> xinwen_ingest::SourceReport {
    let sources = ingester.store().sources_with_health().await.unwrap();
    let mut reports = ingester.run_pass(sources, |_| {}).await;
    assert_eq!(reports.len(), 1);
    reports.remove(0)
}

#[tokio::test]
async fn a_summary_only_feed_leads_to_page_fetches_and_an_entry_seen_twice_is_one_article() {
    let origin = origin().await;
    let (_dir, ingester) = setup("/summary.xml", &origin).await;
    let report = pass(&ingester).await;
    let stats = report.outcome.clone().unwrap();
    assert_eq!(
        (stats.entries, stats.added, stats.pages_fetched),
        (2, 2, 2),
        "{stats:?}"
    );
    assert!(stats.failed.is_empty(), "{:?}", stats.failed);
    assert_eq!(origin.page_hits.load(Ordering::SeqCst), 2);

    let store = ingester.store();
    let list = store
        .latest_articles(ArticleFilter::default(), 1, 10, false)
        .await
        .unwrap();
    assert_eq!(list.total, 2);
    let first = store
        .article(
            list.items
                .iter()
                .find(|a| a.title == "地铁五号线开通")
                .unwrap()
                .id,
        )
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        first.original_url,
        format!("http://{}/a/1.html", origin.address),
        "the page's canonical URL, not the feed's tracking link"
    );
    assert_eq!(
        first.canonical_url,
        format!("https://{}/a/1.html", origin.address),
        "in one form"
    );
    assert!(
        first.body_text.contains("第6段"),
        "the whole article, from the page"
    );
    assert!(
        !first.body_text.contains("热门推荐"),
        "without the page's clutter"
    );
    assert_eq!(first.author.as_deref(), Some("李明"));
    assert_eq!(first.images.len(), 1);
    assert!(
        first.images[0].src.starts_with("/media/p/"),
        "{}",
        first.images[0].src
    );
    assert!(
        !first
            .body_html
            .contains(&format!("src=\"http://{}", origin.address)),
        "no hotlinked image"
    );
    // The GBK page was read as GBK.
    let second = store
        .article(
            list.items
                .iter()
                .find(|a| a.title == "五号线首日客流")
                .unwrap()
                .id,
        )
        .await
        .unwrap()
        .unwrap();
    assert!(
        second.body_text.contains("青澜市交通部门表示"),
        "{}",
        second.body_text
    );

    // Again: the feed answers 304, nothing is fetched or added.
    let report = pass(&ingester).await;
    assert!(report.outcome.as_ref().unwrap().not_modified);
    assert_eq!(origin.page_hits.load(Ordering::SeqCst), 2);
    assert_eq!(store.article_count().await.unwrap(), 2);

    // Without the validators the feed is read again, and the known entries are left alone.
    let id = report.source_id;
    store
        .record_fetch_success(
            id,
            Utc::now(),
            &xinwen_store::FetchSuccess {
                next_check_at: Utc::now(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let stats = pass(&ingester).await.outcome.unwrap();
    assert_eq!(
        (stats.unchanged, stats.added, stats.pages_fetched),
        (2, 0, 0),
        "{stats:?}"
    );
    assert_eq!(store.article_count().await.unwrap(), 2);
    let health = store.source_health(id).await.unwrap();
    assert_eq!(health.articles_added, 2);
    assert_eq!(health.consecutive_failures, 0);
    assert_eq!(
        health.publish_interval_secs,
        Some(24 * 3600),
        "one entry a day"
    );
    assert_eq!(origin.feed_hits.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn a_full_text_feed_needs_no_page_fetch() {
    let origin = origin().await;
    let (_dir, ingester) = setup("/full.xml", &origin).await;
    let stats = pass(&ingester).await.outcome.unwrap();
    assert_eq!((stats.added, stats.pages_fetched), (1, 0), "{stats:?}");
    assert_eq!(origin.page_hits.load(Ordering::SeqCst), 0);
    let list = ingester
        .store()
        .latest_articles(ArticleFilter::default(), 1, 10, true)
        .await
        .unwrap();
    assert!(
        list.items[0]
            .body_html
            .as_deref()
            .unwrap()
            .contains("第6段")
    );
}

#[tokio::test]
async fn a_broken_feed_is_recorded_with_a_clear_error_and_backs_off() {
    let origin = origin().await;
    for (path, expected) in [("/broken.xml", "not a feed"), ("/html.xml", "HTML page")] {
        let (_dir, ingester) = setup(path, &origin).await;
        let before = Utc::now();
        let report = pass(&ingester).await;
        let error = report.outcome.unwrap_err();
        assert!(error.contains(expected), "{error}");
        let health = ingester
            .store()
            .source_health(report.source_id)
            .await
            .unwrap();
        assert_eq!(health.consecutive_failures, 1);
        assert_eq!(health.last_error.as_deref(), Some(error.as_str()));
        let wait = health.next_check_at.unwrap() - before;
        assert!(
            wait >= chrono::Duration::seconds(150) && wait <= chrono::Duration::seconds(301),
            "{wait}"
        );
        let report = pass(&ingester).await;
        assert!(report.outcome.is_err());
        let health = ingester
            .store()
            .source_health(report.source_id)
            .await
            .unwrap();
        assert_eq!(
            health.consecutive_failures, 2,
            "failures in a row are counted"
        );
    }
}

#[tokio::test]
async fn retry_after_pushes_the_next_check_back() {
    let origin = origin().await;
    let (_dir, ingester) = setup("/busy.xml", &origin).await;
    let before = Utc::now();
    let report = pass(&ingester).await;
    let error = report.outcome.unwrap_err();
    assert!(error.contains("503") && error.contains("7200"), "{error}");
    assert!(report.next_check_at - before >= chrono::Duration::seconds(7200));
}

#[tokio::test]
async fn a_tombstoned_work_does_not_come_back_from_its_source_or_a_copy() {
    let origin = origin().await;
    let (_dir, ingester) = setup("/full.xml", &origin).await;
    assert_eq!(pass(&ingester).await.outcome.unwrap().added, 1);
    let store = ingester.store();
    let list = store
        .latest_articles(ArticleFilter::default(), 1, 10, false)
        .await
        .unwrap();
    let article = store.article(list.items[0].id).await.unwrap().unwrap();
    let takedown = store
        .add_takedown(
            &xinwen_store::NewTakedown {
                claimant: "星河日报".into(),
                contact: "legal@xinghe.example".into(),
                pages: article.original_url.clone(),
                work: "全文条目".into(),
                statement: "本报为著作权人".into(),
                address_hash: "test".into(),
            },
            "T-TEST-0000-0001",
        )
        .await
        .unwrap();
    let hash = xinwen_dedup::content_hash(&article.title, &article.body_text);
    store
        .approve_takedown(
            takedown,
            &[(article.id, hash)],
            "",
            &xinwen_store::Actor::operator(),
        )
        .await
        .unwrap();

    store
        .insert_source(&NewSource {
            slug: "reposter".into(),
            name: "转载号".into(),
            kind: SourceKind::Wechat,
            homepage: None,
            feed_url: Some(format!("http://{}/copy.xml", origin.address)),
            follow_url: None,
            qr_image: None,
            channel_slug: Some("shehui".into()),
            description: String::new(),
            ..NewSource::default()
        })
        .await
        .unwrap();
    let sources = store.sources_with_health().await.unwrap();
    let reports = ingester.run_pass(sources, |_| {}).await;
    let by_slug = |slug: &str| {
        reports
            .iter()
            .find(|r| r.slug == slug)
            .unwrap()
            .outcome
            .clone()
            .unwrap()
    };
    let original = by_slug("xinghe");
    assert_eq!((original.added, original.updated), (0, 0), "{original:?}");
    let copy = by_slug("reposter");
    assert_eq!((copy.added, copy.withheld), (0, 1), "{copy:?}");
    let live = store
        .latest_articles(ArticleFilter::default(), 1, 10, false)
        .await
        .unwrap();
    assert_eq!(live.total, 0, "nothing of the removed work is live");
}
