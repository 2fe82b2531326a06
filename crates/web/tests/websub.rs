//! The site's WebSub hub with a real subscriber on 127.0.0.1: feeds name the hub, a
//! subscription is verified by its challenge before it is kept, a new article pushes the feed
//! signed with the subscriber's secret, and an unsubscription ends it.

mod common;

use axum::extract::{Query, State};
use axum::http::{HeaderMap, Method, StatusCode};
use hmac::Mac;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use xinwen_web::{AppState, Services};

#[derive(Default)]
struct Subscriber {
    /// The verification requests' query parameters.
    asked: Vec<HashMap<String, String>>,
    /// The pushes: headers and body.
    pushed: Vec<(HeaderMap, String)>,
    /// Whether to echo the challenge (a subscriber that wants the subscription).
    agrees: bool,
}

type Shared = Arc<Mutex<Subscriber>>;

async fn subscriber(agrees: bool) -> (String, Shared) {
    let shared: Shared = Arc::new(Mutex::new(Subscriber {
        agrees,
        ..Subscriber::default()
    }));
    let app = axum::Router::new()
        .route(
            "/callback",
            axum::routing::get(
                |State(s): State<Shared>, Query(q): Query<HashMap<String, String>>| async move {
                    let mut s = s.lock().unwrap();
                    s.asked.push(q.clone());
                    if s.agrees {
                        (
                            StatusCode::OK,
                            q.get("hub.challenge").cloned().unwrap_or_default(),
                        )
                    } else {
                        (StatusCode::NOT_FOUND, String::new())
                    }
                },
            )
            .post(
                |State(s): State<Shared>, headers: HeaderMap, body: String| async move {
                    s.lock().unwrap().pushed.push((headers, body));
                    StatusCode::OK
                },
            ),
        )
        .with_state(shared.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let at = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{at}/callback"), shared)
}

async fn hub_site() -> common::Site {
    let base = common::demo_site(|_| {}, |_| {}).await;
    let fetcher = xinwen_fetch::Fetcher::new(xinwen_fetch::FetchConfig {
        guard: xinwen_fetch::Guard::new(vec!["127.0.0.1".parse().unwrap()]),
        min_host_delay: std::time::Duration::ZERO,
        ..xinwen_fetch::FetchConfig::default()
    })
    .unwrap();
    let state = AppState::with_services(
        base.state.store().clone(),
        base.state.site().clone(),
        Services {
            fetcher: Some(Arc::new(fetcher)),
            ..Services::default()
        },
    );
    common::Site { state, ..base }
}

async fn ask_hub(site: &common::Site, fields: &[(&str, &str)]) -> (StatusCode, String) {
    let body: String = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(fields)
        .finish();
    let response = tower::ServiceExt::oneshot(
        xinwen_web::router(site.state.clone()),
        axum::http::Request::builder()
            .method(Method::POST)
            .uri("/websub")
            .header("content-type", "application/x-www-form-urlencoded")
            .header("origin", "https://reader.example")
            .body(axum::body::Body::from(body))
            .unwrap(),
    )
    .await
    .unwrap();
    let status = response.status();
    let bytes = http_body_util::BodyExt::collect(response.into_body())
        .await
        .unwrap()
        .to_bytes();
    (status, String::from_utf8_lossy(&bytes).into_owned())
}

async fn until(what: &str, check: impl Fn() -> bool) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while !check() {
        assert!(
            std::time::Instant::now() < deadline,
            "waited too long for {what}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn every_feed_names_the_hub() {
    let site = hub_site().await;
    for (path, needle) in [
        (
            "/feed.xml",
            r#"<atom:link href="https://news.example/websub" rel="hub""#,
        ),
        (
            "/channel/keji/atom.xml",
            r#"<link href="https://news.example/websub" rel="hub""#,
        ),
        (
            "/source/rebo-kuaixun/feed.json",
            r#""url":"https://news.example/websub""#,
        ),
    ] {
        let (status, _, body) = common::call(&site, Method::GET, path, &[]).await;
        assert_eq!(status, StatusCode::OK);
        let body = String::from_utf8(body).unwrap().replace(": ", ":");
        assert!(body.contains(needle), "{path}: {body}");
    }
}

#[tokio::test]
async fn a_verified_subscriber_is_pushed_the_feed_signed_when_it_gains_an_article() {
    let site = hub_site().await;
    let (callback, subscriber) = subscriber(true).await;
    let topic = "https://news.example/channel/keji/feed.xml";

    for (fields, why) in [
        (
            vec![
                ("hub.mode", "subscribe"),
                ("hub.topic", "https://elsewhere.example/feed.xml"),
                ("hub.callback", callback.as_str()),
            ],
            "hub.topic",
        ),
        (
            vec![
                ("hub.mode", "subscribe"),
                ("hub.topic", topic),
                ("hub.callback", "http://10.0.0.7/callback"),
            ],
            "hub.callback",
        ),
        (
            vec![
                ("hub.mode", "publish"),
                ("hub.topic", topic),
                ("hub.callback", callback.as_str()),
            ],
            "hub.mode",
        ),
    ] {
        let (status, body) = ask_hub(&site, &fields).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{fields:?}");
        assert!(body.contains(why), "{body}");
    }

    let (status, _) = ask_hub(
        &site,
        &[
            ("hub.mode", "subscribe"),
            ("hub.topic", topic),
            ("hub.callback", &callback),
            ("hub.secret", "a shared secret"),
            ("hub.lease_seconds", "86400"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let store = site.state.store().clone();
    until("the subscription", || {
        let asked = subscriber.lock().unwrap().asked.len();
        asked == 1
    })
    .await;
    let asked = subscriber.lock().unwrap().asked[0].clone();
    assert_eq!(asked["hub.mode"], "subscribe");
    assert_eq!(asked["hub.topic"], topic);
    assert_eq!(asked["hub.lease_seconds"], "86400");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let subscribed = loop {
        let subs = store
            .websub_subscribers(&[topic.to_owned()], chrono::Utc::now())
            .await
            .unwrap();
        if !subs.is_empty() || std::time::Instant::now() > deadline {
            break subs;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    };
    assert_eq!(subscribed.len(), 1, "kept once the challenge came back");

    // A new article in the channel: the feed is pushed, signed, naming hub and topic.
    let pusher = xinwen_web::start_websub(site.state.clone(), "node-1".into()).unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let mut article = xinwen_demo::load().unwrap().articles[0].clone();
    article.title = "晨曦四号卫星发射成功".into();
    article.canonical_url = "https://news.example.org/chenxi-4".into();
    article.original_url = article.canonical_url.clone();
    article.channel_slug = Some("keji".into());
    article.published_at = chrono::Utc::now();
    store.upsert_articles(&[article]).await.unwrap();
    until("the push", || !subscriber.lock().unwrap().pushed.is_empty()).await;
    pusher.abort();
    let (headers, body) = subscriber.lock().unwrap().pushed[0].clone();
    assert!(body.contains("晨曦四号卫星发射成功"), "{body}");
    assert!(
        headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/rss+xml")
    );
    let link = headers["link"].to_str().unwrap();
    assert!(
        link.contains("<https://news.example/websub>; rel=\"hub\""),
        "{link}"
    );
    assert!(link.contains(&format!("<{topic}>; rel=\"self\"")), "{link}");
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(b"a shared secret").unwrap();
    mac.update(body.as_bytes());
    let expected: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(
        headers["x-hub-signature"].to_str().unwrap(),
        format!("sha256={expected}")
    );

    // Unsubscribing is verified too, then the subscription is gone.
    let (status, _) = ask_hub(
        &site,
        &[
            ("hub.mode", "unsubscribe"),
            ("hub.topic", topic),
            ("hub.callback", &callback),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    until("the unsubscription's check", || {
        subscriber.lock().unwrap().asked.len() == 2
    })
    .await;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let subs = store
            .websub_subscribers(&[topic.to_owned()], chrono::Utc::now())
            .await
            .unwrap();
        if subs.is_empty() {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "still subscribed");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn a_callback_that_does_not_echo_the_challenge_is_not_subscribed() {
    let site = hub_site().await;
    let (callback, subscriber) = subscriber(false).await;
    let topic = "https://news.example/feed.json";
    let (status, _) = ask_hub(
        &site,
        &[
            ("hub.mode", "subscribe"),
            ("hub.topic", topic),
            ("hub.callback", &callback),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    until("the check", || subscriber.lock().unwrap().asked.len() == 1).await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let subs = site
        .state
        .store()
        .websub_subscribers(&[topic.to_owned()], chrono::Utc::now())
        .await
        .unwrap();
    assert!(subs.is_empty());
}

#[tokio::test]
async fn with_an_external_hub_the_feeds_name_it_and_it_is_told_what_changed() {
    // The external hub: records the pings it is sent.
    let pings: Arc<Mutex<Vec<String>>> = Arc::default();
    let app = axum::Router::new()
        .route(
            "/hub",
            axum::routing::post(
                |State(p): State<Arc<Mutex<Vec<String>>>>, body: String| async move {
                    p.lock().unwrap().push(body);
                    StatusCode::NO_CONTENT
                },
            ),
        )
        .with_state(pings.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let hub = format!("http://{}/hub", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });

    let base = common::demo_site(|_| {}, |s| s.websub_hub = Some(hub.clone())).await;
    let fetcher = xinwen_fetch::Fetcher::new(xinwen_fetch::FetchConfig {
        guard: xinwen_fetch::Guard::new(vec!["127.0.0.1".parse().unwrap()]),
        min_host_delay: std::time::Duration::ZERO,
        ..xinwen_fetch::FetchConfig::default()
    })
    .unwrap();
    let site = common::Site {
        state: AppState::with_services(
            base.state.store().clone(),
            base.state.site().clone(),
            Services {
                fetcher: Some(Arc::new(fetcher)),
                ..Services::default()
            },
        ),
        ..base
    };
    let (_, _, rss) = common::call(&site, Method::GET, "/channel/keji/feed.xml", &[]).await;
    let rss = String::from_utf8(rss).unwrap();
    assert!(
        rss.contains(&format!(r#"<atom:link href="{hub}" rel="hub""#)),
        "{rss}"
    );
    assert!(!rss.contains("news.example/websub"));

    let pusher = xinwen_web::start_websub(site.state.clone(), "node-1".into()).unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let mut article = xinwen_demo::load().unwrap().articles[0].clone();
    article.title = "晨曦五号卫星发射成功".into();
    article.canonical_url = "https://news.example.org/chenxi-5".into();
    article.original_url = article.canonical_url.clone();
    article.channel_slug = Some("keji".into());
    site.state
        .store()
        .upsert_articles(&[article])
        .await
        .unwrap();
    until("the pings", || pings.lock().unwrap().len() >= 9).await;
    pusher.abort();
    let pings = pings.lock().unwrap().clone();
    for topic in [
        "https://news.example/feed.xml",
        "https://news.example/channel/keji/feed.json",
        "https://news.example/channel/keji/atom.xml",
    ] {
        let ping: String = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("hub.mode", "publish")
            .append_pair("hub.url", topic)
            .finish();
        assert!(pings.contains(&ping), "{topic} not announced: {pings:?}");
    }
}
