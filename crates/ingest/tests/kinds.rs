//! Sources without a feed of their own, end to end against a publisher on 127.0.0.1: a portal's
//! list page (new links only on later fetches, pagination bounded on the first), a sitemap
//! index with a news sitemap, a WeChat account through two bridges (failover and its health,
//! one article whatever form of its link a bridge gives), and addresses that are not what
//! they claim (a clear error, nothing stored).

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;
use chrono::{Duration as Days, Utc};
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;
use xinwen_fetch::{FetchConfig, Fetcher, Guard};
use xinwen_ingest::{IngestConfig, Ingester};
use xinwen_media::Signer;
use xinwen_model::{NewChannel, NewSource, SourceKind};
use xinwen_store::Store;

/// Articles on the list, newest first; 3 a page, 8 pages at most.
const PER_PAGE: usize = 3;

#[derive(Default)]
struct Publisher {
    /// How many articles the site has published so far.
    published: AtomicUsize,
    article_hits: AtomicUsize,
    list_hits: AtomicUsize,
    bridge_down: AtomicBool,
    /// The first bridge stopped updating ten days ago.
    bridge_stale: AtomicBool,
}

fn article_page(n: usize) -> String {
    let body: String = (1..=5)
        .map(|p| format!("<p>第{n}篇第{p}段：南屿县今天召开专题会议，部署冬季森林防火和道路安全工作，要求各乡镇落实值班制度，及时处置突发情况，确保群众平安过冬。</p>"))
        .collect();
    format!(
        r#"<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>南屿要闻第{n}篇 - 南屿新闻网</title>
<meta property="article:published_time" content="2026-12-0{day}T09:00:00+08:00"></head>
<body><div class="nav"><a href="/">首页</a></div><div class="article"><h1>南屿要闻第{n}篇</h1>{body}</div>
<div class="footer"><a href="/about.html">关于我们</a></div></body></html>"#,
        day = 1 + n % 3
    )
}

fn list_page(publisher: &Publisher, page: usize) -> String {
    let published = publisher.published.load(Ordering::SeqCst);
    let pages = published.div_ceil(PER_PAGE).max(1);
    let items: String = (1..=published)
        .rev()
        .skip((page - 1) * PER_PAGE)
        .take(PER_PAGE)
        .map(|n| format!("<li><a href=\"/2026/12/a{n:05}.html\">南屿要闻第{n}篇：县里部署冬季安全工作</a><span>12-01</span></li>"))
        .collect();
    let next = if page < pages {
        format!("<a href=\"/list/index_{}.html\">下一页</a>", page + 1)
    } else {
        String::new()
    };
    format!(
        r#"<!DOCTYPE html><html><head><meta charset="utf-8"><title>要闻 - 南屿新闻网</title></head><body>
<div id="nav"><a href="/">首页</a> <a href="/list/">要闻</a> <a href="/zt/">专题</a></div>
<ul class="news-list">{items}</ul><div class="pages">{next}</div>
<div class="footer"><a href="/about.html">关于我们</a> <a href="/contact.html">联系我们</a></div></body></html>"#
    )
}

fn wechat_body() -> String {
    (1..=6)
        .map(|p| format!("<p>第{p}段：入冬以来，城市里的早餐铺子陆续推出了热汤和蒸点，我们走访了十几家老店，记下了它们开门的时间和最受欢迎的几样吃食，供大家参考。</p>"))
        .collect()
}

/// A bridge's RSS of the account's one article, its link in the bridge's own form.
fn bridge_feed(link: &str, published: chrono::DateTime<Utc>) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>城市早餐地图</title>
<item><title>入冬后的早餐地图</title><link>{link}</link><guid>{guid}</guid><pubDate>{date}</pubDate>
<description><![CDATA[{body}]]></description></item></channel></rss>"#,
        guid = link.len(),
        date = published.to_rfc2822(),
        body = wechat_body()
    )
}

async fn start(publisher: Arc<Publisher>) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let html = |body: String| ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], body);
    let router = Router::new()
        .route(
            "/list/",
            get(move |State(p): State<Arc<Publisher>>| async move {
                p.list_hits.fetch_add(1, Ordering::SeqCst);
                html(list_page(&p, 1))
            }),
        )
        .route(
            "/list/{file}",
            get(move |State(p): State<Arc<Publisher>>, Path(file): Path<String>| async move {
                p.list_hits.fetch_add(1, Ordering::SeqCst);
                let page = file
                    .trim_start_matches("index_")
                    .trim_end_matches(".html")
                    .parse()
                    .unwrap_or(1);
                html(list_page(&p, page))
            }),
        )
        .route(
            "/2026/12/{file}",
            get(move |State(p): State<Arc<Publisher>>, Path(file): Path<String>| async move {
                p.article_hits.fetch_add(1, Ordering::SeqCst);
                let n = file
                    .trim_start_matches('a')
                    .trim_end_matches(".html")
                    .parse()
                    .unwrap_or(0);
                html(article_page(n))
            }),
        )
        .route(
            "/about.html",
            get(move || async move {
                html("<html><head><title>关于我们</title></head><body><div id=\"nav\"><a href=\"/\">首页</a></div><p>南屿新闻网创办于2010年。</p></body></html>".to_owned())
            }),
        )
        .route(
            "/logo.png",
            get(|| async { ([(header::CONTENT_TYPE, "image/png")], vec![0x89, b'P', b'N', b'G']) }),
        )
        .route(
            "/sitemap.xml",
            get(move || async move {
                format!(
                    r#"<?xml version="1.0" encoding="UTF-8"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>http://{address}/sitemap-2019.xml</loc><lastmod>2019-12-31</lastmod></sitemap>
<sitemap><loc>http://{address}/sitemap-news.xml</loc><lastmod>{now}</lastmod></sitemap>
</sitemapindex>"#,
                    now = Utc::now().to_rfc3339()
                )
            }),
        )
        .route(
            "/sitemap-news.xml",
            get(move || async move {
                let recent = |n: usize, hours: i64| {
                    format!(
                        "<url><loc>http://{address}/2026/12/a{n:05}.html</loc><news:news><news:publication><news:name>南屿新闻网</news:name><news:language>zh</news:language></news:publication><news:publication_date>{}</news:publication_date><news:title>南屿要闻第{n}篇</news:title></news:news></url>",
                        (Utc::now() - Days::hours(hours)).to_rfc3339()
                    )
                };
                format!(
                    r#"<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">{}{}
<url><loc>http://{address}/2026/12/a00099.html</loc><lastmod>2020-01-01</lastmod></url></urlset>"#,
                    recent(101, 2),
                    recent(102, 30)
                )
            }),
        )
        .route(
            "/sitemap-2019.xml",
            get(move || async move {
                format!(
                    r#"<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>http://{address}/2026/12/a00001.html</loc><lastmod>2019-06-01</lastmod></url></urlset>"#
                )
            }),
        )
        .route(
            "/broken-sitemap.xml",
            get(|| async { ([(header::CONTENT_TYPE, "application/xml")], "<urlset><url><loc>http://a.example/</loc></url") }),
        )
        .route(
            "/bridge1.xml",
            get(move |State(p): State<Arc<Publisher>>| async move {
                if p.bridge_down.load(Ordering::SeqCst) {
                    return (StatusCode::BAD_GATEWAY, "upstream blocked").into_response();
                }
                let when = if p.bridge_stale.load(Ordering::SeqCst) {
                    Utc::now() - Days::days(10)
                } else {
                    Utc::now() - Days::hours(1)
                };
                bridge_feed(
                    "https://mp.weixin.qq.com/s?__biz=MzA5NzI=&amp;mid=2651&amp;idx=1&amp;sn=9f1c&amp;chksm=bd01#rd",
                    when,
                )
                .into_response()
            }),
        )
        .route(
            "/bridge2.xml",
            get(move || async move {
                // The same article as the backup bridge gives it: http, escaped twice, scene.
                bridge_feed(
                    "http://mp.weixin.qq.com/s?__biz=MzA5NzI%3D&amp;amp;mid=2651&amp;amp;idx=1&amp;amp;sn=9f1c&amp;amp;scene=21#wechat_redirect",
                    Utc::now() - Days::hours(1),
                )
            }),
        )
        .with_state(publisher);
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    address
}

async fn setup(source: NewSource) -> (tempfile::TempDir, Arc<Ingester>) {
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
            slug: "nanyu".into(),
            name: "南屿新闻网".into(),
            channel_slug: Some("shehui".into()),
            ..source
        })
        .await
        .unwrap();
    let ingester = Arc::new(Ingester::new(
        store,
        Arc::new(fetcher()),
        Signer::load_or_create(dir.path()).unwrap(),
        IngestConfig::default(),
    ));
    (dir, ingester)
}

fn fetcher() -> Fetcher {
    Fetcher::new(FetchConfig {
        guard: Guard::new(vec!["127.0.0.1".parse().unwrap()]),
        min_host_delay: Duration::ZERO,
        ..FetchConfig::default()
    })
    .unwrap()
}

async fn pass(ingester: &Arc<Ingester>) -> xinwen_ingest::SourceReport {
    let sources = ingester.store().sources_with_health().await.unwrap();
    let mut reports = ingester.run_pass(sources, |_| {}).await;
    reports.remove(0)
}

#[tokio::test]
async fn a_list_page_source_follows_pages_once_then_takes_only_new_links() {
    let publisher = Arc::new(Publisher::default());
    publisher.published.store(24, Ordering::SeqCst); // 8 pages of 3
    let address = start(publisher.clone()).await;
    let (_dir, ingester) = setup(NewSource {
        kind: SourceKind::Page,
        feed_url: Some(format!("http://{address}/list/")),
        ..NewSource::default()
    })
    .await;

    let first = pass(&ingester).await;
    let stats = first.outcome.expect("the first pass works");
    let pages = xinwen_ingest::FIRST_FETCH_PAGES;
    assert_eq!(
        publisher.list_hits.load(Ordering::SeqCst),
        pages,
        "pagination is bounded"
    );
    assert_eq!(stats.added, pages * PER_PAGE, "{stats:?}");
    assert_eq!(
        publisher.article_hits.load(Ordering::SeqCst),
        pages * PER_PAGE
    );
    let store = ingester.store();
    assert_eq!(
        store.article_count().await.unwrap(),
        (pages * PER_PAGE) as u64
    );
    let health = store.source_health(first.source_id).await.unwrap();
    assert!(
        health
            .read_note
            .as_deref()
            .unwrap_or_default()
            .contains("5个列表页"),
        "{health:?}"
    );

    // Two new articles: the next pass reads the first page only and fetches just those.
    publisher.published.store(26, Ordering::SeqCst);
    publisher.list_hits.store(0, Ordering::SeqCst);
    publisher.article_hits.store(0, Ordering::SeqCst);
    ingester
        .store()
        .make_source_due(first.source_id)
        .await
        .unwrap();
    let second = pass(&ingester)
        .await
        .outcome
        .expect("the second pass works");
    assert_eq!(publisher.list_hits.load(Ordering::SeqCst), 1);
    assert_eq!(second.added, 2, "{second:?}");
    assert_eq!(second.unchanged, 1);
    assert_eq!(publisher.article_hits.load(Ordering::SeqCst), 2);
    assert_eq!(
        store.article_count().await.unwrap(),
        (pages * PER_PAGE + 2) as u64
    );
}

#[tokio::test]
async fn a_sitemap_index_gives_the_recent_entries_of_its_news_sitemap() {
    let publisher = Arc::new(Publisher::default());
    let address = start(publisher.clone()).await;
    let (_dir, ingester) = setup(NewSource {
        kind: SourceKind::Sitemap,
        feed_url: Some(format!("http://{address}/sitemap.xml")),
        ..NewSource::default()
    })
    .await;
    let report = pass(&ingester).await;
    let stats = report.outcome.expect("the sitemap is read");
    // 101 and 102 are recent; 99 (2020) and the 2019 sitemap's entry are not taken.
    assert_eq!(stats.added, 2, "{stats:?}");
    let mut titles: Vec<String> = Vec::new();
    for row in ingester
        .store()
        .articles_changed_since(i64::MIN, 10)
        .await
        .unwrap()
    {
        let article = ingester.store().article(row.id).await.unwrap().unwrap();
        titles.push(article.title);
    }
    titles.sort();
    assert_eq!(titles, ["南屿要闻第101篇", "南屿要闻第102篇"]);
    // The news sitemap's publication time is the article's.
    let newest = ingester
        .store()
        .articles_changed_since(i64::MIN, 10)
        .await
        .unwrap();
    let article = ingester
        .store()
        .article(newest[0].id)
        .await
        .unwrap()
        .unwrap();
    assert!(
        Utc::now() - article.published_at < Days::days(2),
        "{}",
        article.published_at
    );
}

#[tokio::test]
async fn a_wechat_account_fails_over_to_its_next_bridge_and_says_why() {
    let publisher = Arc::new(Publisher::default());
    let address = start(publisher.clone()).await;
    let (_dir, ingester) = setup(NewSource {
        kind: SourceKind::Wechat,
        bridges: vec![
            format!("http://{address}/bridge1.xml"),
            format!("http://{address}/bridge2.xml"),
        ],
        ..NewSource::default()
    })
    .await;
    let store = ingester.store().clone();

    let first = pass(&ingester).await;
    assert_eq!(first.outcome.as_ref().unwrap().added, 1);
    let health = store.source_health(first.source_id).await.unwrap();
    assert_eq!(
        health.read_note.as_deref(),
        Some("使用首选桥接（127.0.0.1）")
    );

    // The preferred bridge breaks: the backup is read, the same article is not added again
    // although its link has another form, and health says which bridge and why.
    publisher.bridge_down.store(true, Ordering::SeqCst);
    store.make_source_due(first.source_id).await.unwrap();
    let second = pass(&ingester).await;
    let stats = second.outcome.expect("the backup bridge works");
    assert_eq!((stats.entries, stats.added), (1, 0), "{stats:?}");
    assert_eq!(store.article_count().await.unwrap(), 1);
    let health = store.source_health(first.source_id).await.unwrap();
    let note = health.read_note.unwrap();
    assert!(
        note.starts_with("使用备用桥接2")
            && note.contains("首选桥接（127.0.0.1）失败")
            && note.contains("502"),
        "{note}"
    );
    let bridges = store.source_bridges(first.source_id).await.unwrap();
    assert_eq!(bridges[0].failures, 1);
    assert!(bridges[0].last_error.as_deref().unwrap().contains("502"));
    assert_eq!(bridges[1].failures, 0);

    // Back up but ten days behind: stale, so the backup stays in use.
    publisher.bridge_down.store(false, Ordering::SeqCst);
    publisher.bridge_stale.store(true, Ordering::SeqCst);
    store.make_source_due(first.source_id).await.unwrap();
    pass(&ingester).await.outcome.expect("a bridge works");
    let note = store
        .source_health(first.source_id)
        .await
        .unwrap()
        .read_note
        .unwrap();
    assert!(
        note.starts_with("使用备用桥接2") && note.contains("停在10天前"),
        "{note}"
    );

    // Every bridge down: the source fails, with each bridge's reason.
    let (_dir2, lone) = setup(NewSource {
        kind: SourceKind::Wechat,
        bridges: vec![format!("http://{address}/nothing-here.xml")],
        ..NewSource::default()
    })
    .await;
    let failed = pass(&lone).await;
    let error = failed.outcome.unwrap_err();
    assert!(
        error.contains("every bridge failed") && error.contains("404"),
        "{error}"
    );
}

#[tokio::test]
async fn what_is_not_a_source_of_its_kind_says_so_and_stores_nothing() {
    let publisher = Arc::new(Publisher::default());
    let address = start(publisher.clone()).await;
    let cases = [
        (SourceKind::Page, "/about.html", "no article links"),
        (SourceKind::Page, "/logo.png", "not a web page"),
        (SourceKind::Sitemap, "/broken-sitemap.xml", "not XML"),
        (SourceKind::Sitemap, "/about.html", "not XML"),
        (
            SourceKind::Sitemap,
            "/sitemap-2019.xml",
            "no entry from the last",
        ),
    ];
    for (kind, path, expected) in cases {
        let (_dir, ingester) = setup(NewSource {
            kind,
            feed_url: Some(format!("http://{address}{path}")),
            ..NewSource::default()
        })
        .await;
        let report = pass(&ingester).await;
        let error = report.outcome.expect_err(path);
        assert!(error.contains(expected), "{path}: {error}");
        assert_eq!(ingester.store().article_count().await.unwrap(), 0, "{path}");
        let health = ingester
            .store()
            .source_health(report.source_id)
            .await
            .unwrap();
        assert_eq!(health.consecutive_failures, 1, "{path}");

        // The same answer from the probe `source test` and the admin's preview use.
        let probed = xinwen_ingest::probe(
            &fetcher(),
            kind,
            &format!("http://{address}{path}"),
            &Default::default(),
        )
        .await;
        let said = probed.expect_err(path).to_string();
        assert!(said.contains(expected), "{path}: {said}");
    }
}

#[tokio::test]
async fn discovery_tells_a_feed_a_sitemap_and_a_list_page_apart() {
    let publisher = Arc::new(Publisher::default());
    publisher.published.store(4, Ordering::SeqCst);
    let address = start(publisher.clone()).await;
    let fetcher = fetcher();
    let feed = xinwen_ingest::discover(&fetcher, &format!("http://{address}/bridge2.xml"))
        .await
        .unwrap();
    assert_eq!(feed.kind, SourceKind::Feed);
    assert_eq!(feed.title.as_deref(), Some("城市早餐地图"));
    let sitemap = xinwen_ingest::discover(&fetcher, &format!("http://{address}/sitemap.xml"))
        .await
        .unwrap();
    assert_eq!(sitemap.kind, SourceKind::Sitemap);
    let list = xinwen_ingest::discover(&fetcher, &format!("http://{address}/list/"))
        .await
        .unwrap();
    assert_eq!(list.kind, SourceKind::Page);
    assert!(list.feeds.is_empty());
    let probe = xinwen_ingest::probe(&fetcher, list.kind, &list.url, &Default::default())
        .await
        .unwrap();
    assert_eq!(
        probe.links.len(),
        4,
        "two pages of the list, read as a first fetch"
    );
}
