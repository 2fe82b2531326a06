//! The whole site driven through its router, without a socket, over the demo corpus in a
//! real SQLite file.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use tower::ServiceExt;
use xinwen_model::{ArticleStatus, ArticleSummary};
use xinwen_store::{ArticleFilter, Store};
use xinwen_web::{AppState, SiteSettings, router};

struct Site {
    _dir: tempfile::TempDir,
    state: AppState,
}

async fn demo_site() -> Site {
    let dir = tempfile::tempdir().unwrap();
    let database_url = xinwen_test_support::site_database().await;
    let store = Store::connect(dir.path(), database_url.as_deref())
        .await
        .unwrap();
    let corpus = xinwen_demo::load().unwrap();
    for c in &corpus.channels {
        store.upsert_channel(c).await.unwrap();
    }
    for s in &corpus.sources {
        store.upsert_source(s).await.unwrap();
    }
    store.upsert_articles(&corpus.articles).await.unwrap();
    let mut site = SiteSettings::for_data_dir(dir.path());
    site.base_url = "https://news.example".into();
    for file in &corpus.media {
        let path = site.media_dir.join(&file.path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, &file.bytes).unwrap();
    }
    Site {
        state: AppState::new(store, site),
        _dir: dir,
    }
}

struct Reply {
    status: StatusCode,
    content_type: String,
    cache_control: String,
    body: String,
}

async fn get(site: &Site, uri: &str) -> Reply {
    let response = router(site.state.clone())
        .oneshot(Request::get(uri).body(Body::empty()).unwrap())
        .await
        .unwrap();
    let header = |name| {
        response
            .headers()
            .get(name)
            .map(|v: &axum::http::HeaderValue| v.to_str().unwrap().to_owned())
            .unwrap_or_default()
    };
    let content_type = header(header::CONTENT_TYPE);
    let cache_control = header(header::CACHE_CONTROL);
    let status = response.status();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    Reply {
        status,
        content_type,
        cache_control,
        body: String::from_utf8_lossy(&bytes).into_owned(),
    }
}

async fn find(site: &Site, title_part: &str) -> ArticleSummary {
    site.state
        .store()
        .latest_articles(ArticleFilter::default(), 1, 200, false)
        .await
        .unwrap()
        .items
        .into_iter()
        .find(|a| a.title.contains(title_part))
        .unwrap_or_else(|| panic!("no article titled like {title_part}"))
}

/// The part of the page readers see, without the head (whose <title> repeats the headline).
fn visible(html: &str) -> &str {
    &html[html.find("<body>").expect("a body")..]
}

#[tokio::test]
async fn the_home_page_lists_the_latest_articles_and_every_channel() {
    let site = demo_site().await;
    let reply = get(&site, "/").await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.content_type, "text/html; charset=utf-8");
    let html = &reply.body;
    assert!(html.contains("<html lang=\"zh-CN\">"));
    assert!(html.contains("<main id=\"main\""), "a main landmark");
    assert!(html.contains("<nav class=\"channel-nav\" aria-label=\"频道\">"));
    assert!(html.contains(r#"<link rel="alternate" type="application/rss+xml""#));
    assert!(html.contains(r#"<link rel="alternate" type="application/atom+xml""#));
    assert_eq!(
        html.matches("<li class=\"item\">").count(),
        20,
        "one page of 20"
    );
    for channel in [
        "公众号新闻",
        "国际",
        "财经",
        "科技",
        "社会",
        "生活",
        "体育",
        "文化",
    ] {
        assert!(
            html.contains(&format!(">{channel}</a></h2>")),
            "section {channel}"
        );
    }
    // The newest article of the corpus leads.
    let newest = site
        .state
        .store()
        .latest_articles(ArticleFilter::default(), 1, 1, false)
        .await
        .unwrap()
        .items
        .remove(0);
    let first_item = &html[html.find("<li class=\"item\">").unwrap()..];
    assert!(first_item[..2000.min(first_item.len())].contains(&newest.title));
    assert!(html.contains("rel=\"next\" href=\"/?page=2\""));
}

#[tokio::test]
async fn pages_of_a_list_are_numbered_and_checked() {
    let site = demo_site().await;
    let page2 = get(&site, "/?page=2").await;
    assert_eq!(page2.status, StatusCode::OK);
    assert!(page2.body.contains("rel=\"prev\" href=\"/\""));
    assert!(
        !page2.body.contains("channel-section"),
        "sections only on the first page"
    );
    assert_eq!(get(&site, "/?page=99").await.status, StatusCode::NOT_FOUND);
    let bad = get(&site, "/?page=abc").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.body.contains("页码“abc”不是正整数"), "{}", bad.body);
    assert_eq!(get(&site, "/?page=0").await.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn the_article_page_has_every_part_of_the_reference_page() {
    let site = demo_site().await;
    let summary = find(&site, "台风“白鹭”逼近南屿岛 渡轮").await;
    let article = site
        .state
        .store()
        .article(summary.id)
        .await
        .unwrap()
        .unwrap();
    let reply = get(&site, &format!("/article/{}", summary.id)).await;
    assert_eq!(reply.status, StatusCode::OK);
    let html = visible(&reply.body);
    assert_eq!(html.matches("<h1").count(), 1);
    assert_eq!(
        html.matches(&article.title).count(),
        1,
        "the title exactly once"
    );
    assert!(html.contains(r#"<p class="kicker"><a href="/channel/shehui">社会</a></p>"#));
    assert!(html.contains(r#"<article class="article" lang="zh-Hans""#));
    assert!(html.contains("<span class=\"author\">文 吴海涛</span>"));
    assert!(html.contains(r#"<a class="source" href="/source/donghai-wanbao">东海晚报</a>"#));
    assert!(
        html.contains(r#"<time datetime="2026-11-07T09:20:00+08:00">2026年11月07日 09:20</time>"#)
    );
    assert!(html.contains("<figcaption>台风“白鹭”预报路径。图片来源：市气象台</figcaption>"));
    assert!(html.contains(r#"<img src="/media/demo/typhoon-map.svg" alt="台风路径图">"#));
    assert!(html.contains(&format!(
        r#"来源｜<a href="/source/donghai-wanbao">东海晚报</a> · <a class="original" href="{}" rel="noopener nofollow">阅读原文</a>"#,
        article.original_url
    )));
    assert!(html.contains("关注 东海晚报"));
    assert!(html.contains(r#"<a href="/source/donghai-wanbao/feed.xml">RSS 订阅</a>"#));
    // No search here, so nothing has been worked out: the channel's newest other stories
    // stand in, as suggestions, never the article itself.
    let related = &html[html.find("相关阅读").expect("something to read next")..];
    let related = &related[..related.find("</section>").unwrap()];
    let suggested = &related[related.find("你可能还想看").expect("as suggestions")..];
    assert!(
        suggested.matches("href=\"/article/").count() >= 5,
        "{related}"
    );
    assert!(!related.contains(&format!("href=\"/article/{}\"", article.id)));
    assert!(reply.body.contains(&format!(
        r#"<meta name="description" content="{}">"#,
        article.summary
    )));
}

#[tokio::test]
async fn a_wechat_article_shows_the_qr_code_to_follow_its_account() {
    let site = demo_site().await;
    let summary = find(&site, "晨曦三号升空！").await;
    let html = get(&site, &format!("/article/{}", summary.id)).await.body;
    assert!(html.contains("微信扫码关注该文公众号作者"));
    assert!(html.contains(
        r#"<img class="qr" src="/media/demo/qr-shuma-qianyan.svg" alt="数码前沿 的关注二维码""#
    ));
    assert!(html.contains(
        r#"<a href="https://wx.example/profile/shuma-qianyan" rel="noopener nofollow">关注链接</a>"#
    ));
    let traditional = find(&site, "北山西澤簽署漁業協定").await;
    let page = get(&site, &format!("/article/{}", traditional.id))
        .await
        .body;
    assert!(page.contains(r#"<article class="article" lang="zh-Hant""#));
    let qr = get(&site, "/media/demo/qr-shuma-qianyan.svg").await;
    assert_eq!(qr.status, StatusCode::OK);
    assert!(qr.body.starts_with("<?xml") || qr.body.contains("<svg"));
    assert_eq!(qr.cache_control, "public, max-age=86400");
}

#[tokio::test]
async fn a_removed_article_answers_410_and_leaves_lists_and_feeds() {
    let site = demo_site().await;
    let summary = find(&site, "寒潮周末到来").await;
    let path = format!("/article/{}", summary.id);
    assert_eq!(get(&site, &path).await.status, StatusCode::OK);
    assert!(get(&site, "/feed.xml").await.body.contains(&summary.title));
    site.state
        .store()
        .set_article_status(summary.id, ArticleStatus::Removed)
        .await
        .unwrap();
    site.state.invalidate_pages();
    let gone = get(&site, &path).await;
    assert_eq!(gone.status, StatusCode::GONE);
    assert!(gone.body.contains("文章已删除"));
    assert!(!gone.body.contains(&summary.title));
    for list in [
        "/",
        "/channel/shehui",
        "/source/xinghe-ribao",
        "/feed.xml",
        "/atom.xml",
        "/source/xinghe-ribao/feed.xml",
    ] {
        let body = get(&site, list).await.body;
        assert!(
            !body.contains(&summary.title),
            "{list} still shows the removed article"
        );
    }
}

#[tokio::test]
async fn unknown_addresses_get_the_sites_404_page() {
    let site = demo_site().await;
    for uri in [
        "/article/999999",
        "/article/abc",
        "/article/-1",
        "/channel/nope",
        "/source/nope",
        "/no/such/page",
        "/channel/nope/feed.xml",
    ] {
        let reply = get(&site, uri).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{uri}");
        assert!(reply.body.contains("页面不存在"), "{uri}");
    }
    assert_eq!(
        get(&site, "/media/demo/nope.svg").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        get(&site, "/media/../xinwen.db").await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn channel_and_source_pages_list_their_own_articles_with_feeds() {
    let site = demo_site().await;
    let channel = get(&site, "/channel/tiyu").await;
    assert_eq!(channel.status, StatusCode::OK);
    assert!(channel.body.contains("<h1>体育</h1>"));
    assert!(channel.body.contains(r#"href="/channel/tiyu/feed.xml""#));
    assert!(channel.body.contains(r#"aria-current="page""#));
    assert!(channel.body.contains("海鸥队2比1逆转矿工队"));
    assert!(!channel.body.contains("晨曦三号"));
    let source = get(&site, "/source/chengshi-zhinan").await;
    assert_eq!(source.status, StatusCode::OK);
    assert!(source.body.contains("<h1>城市生活指南</h1>"));
    assert!(source.body.contains("微信公众号"));
    assert!(source.body.contains("微信扫码关注该文公众号作者"));
    assert!(source.body.contains(r#"<link rel="alternate" type="application/rss+xml" title="城市生活指南 RSS" href="/source/chengshi-zhinan/feed.xml">"#));
}

#[tokio::test]
async fn feeds_parse_and_link_back_to_the_site() {
    let site = demo_site().await;
    for path in [
        "/feed.xml",
        "/channel/caijing/feed.xml",
        "/source/rebo-kuaixun/feed.xml",
    ] {
        let reply = get(&site, path).await;
        assert_eq!(reply.status, StatusCode::OK, "{path}");
        assert_eq!(reply.content_type, "application/rss+xml; charset=utf-8");
        let channel = rss::Channel::read_from(reply.body.as_bytes()).expect(path);
        assert!(!channel.items().is_empty(), "{path}");
        for item in channel.items() {
            let link = item.link().unwrap();
            assert!(link.starts_with("https://news.example/article/"), "{link}");
            let content = item.content().unwrap();
            assert!(
                !content.contains("src=\"/media"),
                "relative image in a feed"
            );
        }
    }
    let atom = get(&site, "/channel/keji/atom.xml").await;
    assert_eq!(atom.content_type, "application/atom+xml; charset=utf-8");
    let feed = atom_syndication::Feed::read_from(atom.body.as_bytes()).unwrap();
    assert_eq!(feed.title().as_str(), "科技 - 新闻 xinwen");
    assert!(
        feed.entries()
            .iter()
            .any(|e| e.title().as_str().contains("晨曦三号"))
    );
    assert!(feed.entries().iter().all(|e| e.content().is_some()));
}

#[tokio::test]
async fn default_pages_speak_to_readers() {
    let site = demo_site().await;
    // xinwen's own pages say where to send a removal request or a tip, never which file an
    // operator should edit. The footer's removal promise leads to the form.
    for page in ["/contact", "/privacy", "/terms"] {
        let body = get(&site, page).await.body;
        assert!(
            !body.contains(".md") && !body.contains("数据目录"),
            "{page}: {body}"
        );
        assert!(body.contains("href=\"/takedown\""), "{page}");
    }
    let contact = get(&site, "/contact").await.body;
    assert!(contact.contains("<a href=\"/submit\">"), "{contact}");
    let about = get(&site, "/about").await.body;
    assert!(about.contains("请通过<a href=\"/takedown\">侵权投诉</a>告知"));
}

#[tokio::test]
async fn operator_pages_come_from_markdown_files_with_raw_html_inert() {
    let site = demo_site().await;
    let about = get(&site, "/about").await;
    assert_eq!(about.status, StatusCode::OK);
    assert!(about.body.contains("<h1>关于本站</h1>"));
    let pages_dir = site.state.site().pages_dir.clone();
    std::fs::create_dir_all(&pages_dir).unwrap();
    std::fs::write(
        pages_dir.join("contact.md"),
        "# 联系编辑部\n\n邮箱：desk@news.example <script>alert(1)</script>\n",
    )
    .unwrap();
    let contact = get(&site, "/contact").await;
    assert!(contact.body.contains("<h1>联系编辑部</h1>"));
    assert!(!contact.body.contains("<script>alert(1)"));
    assert!(contact.body.contains("&lt;script&gt;"));
    for page in ["/privacy", "/terms"] {
        assert_eq!(get(&site, page).await.status, StatusCode::OK, "{page}");
    }
}

/// A node is ready once its search index has caught up with the store, not before.
#[tokio::test]
async fn a_node_is_ready_once_its_index_caught_up() {
    let site = demo_site().await;
    assert_eq!(
        get(&site, "/readyz").await.status,
        StatusCode::OK,
        "no index to wait for"
    );
    let index = std::sync::Arc::new(
        xinwen_search::SearchIndex::in_memory(xinwen_text::Analyzer::new()).unwrap(),
    );
    let services = xinwen_web::Services {
        search: Some(index.clone()),
        ..xinwen_web::Services::default()
    };
    let node = Site {
        state: AppState::with_services(
            site.state.store().clone(),
            site.state.site().clone(),
            services,
        ),
        _dir: tempfile::tempdir().unwrap(),
    };
    let waiting = get(&node, "/readyz").await;
    assert_eq!(waiting.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(waiting.body.contains("search index"), "{}", waiting.body);
    index.catch_up(node.state.store(), |_| {}).await.unwrap();
    let ready = get(&node, "/readyz").await;
    assert_eq!(
        (ready.status, ready.body.as_str()),
        (StatusCode::OK, "ready\n")
    );
}

#[tokio::test]
async fn health_metrics_and_the_stylesheet() {
    let site = demo_site().await;
    let health = get(&site, "/healthz").await;
    assert_eq!(
        (health.status, health.body.as_str()),
        (StatusCode::OK, "ok\n")
    );
    let css = get(&site, "/static/style.css").await;
    assert_eq!(css.status, StatusCode::OK);
    assert!(css.cache_control.contains("immutable"));
    // The recorder is process-wide; install it as serve() does, then count a request.
    let _ = metrics_as(&site, "127.0.0.1", &[]).await;
    get(&site, "/channel/keji").await;
    let (status, metrics) = metrics_as(&site, "127.0.0.1", &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        metrics
            .contains(r#"http_requests_total{method="GET",route="/channel/{slug}",status="200"}"#),
        "{metrics}"
    );
    assert!(metrics.contains("http_request_duration_seconds_bucket"));
}

/// `/metrics` asked from `peer` with `headers`.
async fn metrics_as(site: &Site, peer: &str, headers: &[(&str, &str)]) -> (StatusCode, String) {
    let mut request = Request::get("/metrics");
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let mut request = request.body(Body::empty()).unwrap();
    let ip: std::net::IpAddr = peer.parse().unwrap();
    let peer = std::net::SocketAddr::new(ip, 50000);
    request
        .extensions_mut()
        .insert(axum::extract::ConnectInfo(peer));
    let response = router(site.state.clone()).oneshot(request).await.unwrap();
    let status = response.status();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (status, String::from_utf8_lossy(&bytes).into_owned())
}

#[tokio::test]
async fn metrics_are_for_the_operator_only() {
    let mut site = demo_site().await;
    assert_eq!(metrics_as(&site, "127.0.0.1", &[]).await.0, StatusCode::OK);
    assert_eq!(metrics_as(&site, "::1", &[]).await.0, StatusCode::OK);
    for (peer, headers) in [
        ("203.0.113.7", vec![]),
        ("10.0.0.8", vec![]),
        // A proxy on this machine passes the visitor on: not the operator.
        ("127.0.0.1", vec![("x-forwarded-for", "203.0.113.7")]),
        (
            "203.0.113.7",
            vec![("authorization", "Bearer guessed-token-guessed")],
        ),
    ] {
        let (status, body) = metrics_as(&site, peer, &headers).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{peer} {headers:?}");
        assert!(!body.contains("http_requests_total"), "{body}");
    }
    let mut settings = site.state.site().clone();
    settings.metrics_token = Some("a-long-metrics-token-for-prometheus".into());
    site.state = AppState::new(site.state.store().clone(), settings);
    let bearer = [(
        "authorization",
        "Bearer a-long-metrics-token-for-prometheus",
    )];
    assert_eq!(
        metrics_as(&site, "203.0.113.7", &bearer).await.0,
        StatusCode::OK
    );
    let wrong = [(
        "authorization",
        "Bearer a-long-metrics-token-for-prometheuS",
    )];
    assert_eq!(
        metrics_as(&site, "203.0.113.7", &wrong).await.0,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn every_kind_of_response_carries_the_security_headers() {
    let site = demo_site().await;
    let article = find(&site, "台风").await;
    let paths = [
        "/".to_owned(),
        format!("/article/{}", article.id),
        "/feed.xml".to_owned(),
        "/atom.xml".to_owned(),
        "/static/style.css".to_owned(),
        "/search?q=台风".to_owned(),
        "/submit".to_owned(),
        "/admin/login".to_owned(),
        "/no/such/page".to_owned(),
        "/sitemap.xml".to_owned(),
        // An SVG the operator serves: a script inside it must not run either.
        "/media/demo/qr-shuma-qianyan.svg".to_owned(),
    ];
    for path in &paths {
        let response = router(site.state.clone())
            .oneshot(Request::get(path.as_str()).body(Body::empty()).unwrap())
            .await
            .unwrap();
        let headers = response.headers();
        let csp = headers
            .get(header::CONTENT_SECURITY_POLICY)
            .unwrap_or_else(|| panic!("{path}: no Content-Security-Policy"))
            .to_str()
            .unwrap();
        assert!(
            csp.contains("script-src 'none'")
                || (csp.contains("default-src 'none'") && !csp.contains("script-src")),
            "{path}: {csp}"
        );
        assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        assert_eq!(headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff", "{path}");
        assert!(headers.contains_key(header::REFERRER_POLICY), "{path}");
    }
    // The admin says script-src itself, not only through a default.
    let login = router(site.state.clone())
        .oneshot(Request::get("/admin/login").body(Body::empty()).unwrap())
        .await
        .unwrap();
    let csp = login.headers()[header::CONTENT_SECURITY_POLICY]
        .to_str()
        .unwrap();
    assert!(csp.contains("script-src 'none'"), "{csp}");
    assert_eq!(login.headers()[header::REFERRER_POLICY], "same-origin");
}

#[tokio::test]
async fn a_panic_in_a_request_is_a_500_page_not_a_closed_connection() {
    use axum::routing::get;
    async fn boom() -> &'static str {
        panic!("a handler's bug")
    }
    let app = xinwen_web::outermost(axum::Router::new().route("/boom", get(boom)));
    // Through the layers, without a socket.
    let response = app
        .clone()
        .oneshot(Request::get("/boom").body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert!(
        response
            .headers()
            .contains_key(header::CONTENT_SECURITY_POLICY)
    );
    let body = response.into_body().collect().await.unwrap().to_bytes();
    assert!(String::from_utf8_lossy(&body).contains("服务器内部错误"));
    // And over a real connection, which must answer and stay usable.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    for _ in 0..2 {
        stream
            .write_all(b"GET /boom HTTP/1.1\r\nHost: x\r\n\r\n")
            .await
            .unwrap();
        let mut reply = vec![0u8; 4096];
        let n = tokio::time::timeout(std::time::Duration::from_secs(10), stream.read(&mut reply))
            .await
            .expect("an answer, not silence")
            .unwrap();
        let reply = String::from_utf8_lossy(&reply[..n]);
        assert!(reply.starts_with("HTTP/1.1 500"), "{reply}");
    }
}
