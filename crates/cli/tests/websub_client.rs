//! xinwen as a WebSub subscriber, against a publisher and hub this test runs on 127.0.0.1: a
//! source whose feed names a hub is subscribed to there when it is first fetched; the hub's
//! check is answered with its challenge; a notice with a bad signature is ignored; a signed
//! one has the new article on the site within seconds, without waiting for the next poll.

mod common;

use axum::Router;
use axum::extract::{Path, State};
use axum::routing::{get, post};
use common::{BINARY, Server, get as http_get};
use hmac::Mac;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

#[derive(Default)]
struct Publisher {
    /// The items the feed carries now.
    items: Vec<u32>,
    /// What xinwen sent the hub.
    requests: Vec<HashMap<String, String>>,
}

type Shared = Arc<Mutex<Publisher>>;

fn paragraph(n: u32) -> String {
    format!(
        "<p>第{n}号公告：本市今天公布了新的公共交通时刻表，地铁和公交的末班车将延后半小时，周末还将增开夜间线路，方便市民出行。</p>"
    )
}

fn publisher(shared: Shared) -> SocketAddr {
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Runtime::new().unwrap();
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            let address = listener.local_addr().unwrap();
            let feed = move |State(shared): State<Shared>| async move {
                let items: String = shared
                    .lock()
                    .unwrap()
                    .items
                    .iter()
                    .map(|n| {
                        format!(
                            "<item><title>第{n}号公告</title><link>http://{address}/n/{n}.html</link><guid>n-{n}</guid>\
                             <pubDate>Wed, 02 Dec 2026 {:02}:00:00 +0800</pubDate><description>公告{n}</description></item>",
                            n % 24
                        )
                    })
                    .collect();
                (
                    [("content-type", "application/rss+xml")],
                    format!(
                        "<?xml version=\"1.0\"?><rss version=\"2.0\" xmlns:atom=\"http://www.w3.org/2005/Atom\"><channel>\
                         <title>推送测试公告</title><atom:link rel=\"hub\" href=\"http://{address}/hub\"/>\
                         <atom:link rel=\"self\" href=\"http://{address}/feed.xml\"/>{items}</channel></rss>"
                    ),
                )
            };
            let page = |Path(file): Path<String>| async move {
                let n: u32 = file.trim_end_matches(".html").parse().unwrap_or(0);
                let body: String = (0..4).map(|_| paragraph(n)).collect();
                (
                    [("content-type", "text/html; charset=utf-8")],
                    format!("<html><head><title>第{n}号公告</title></head><body><article><h1>第{n}号公告</h1>{body}</article></body></html>"),
                )
            };
            let hub = |State(shared): State<Shared>, body: String| async move {
                let form = url::form_urlencoded::parse(body.as_bytes()).into_owned().collect();
                shared.lock().unwrap().requests.push(form);
                axum::http::StatusCode::ACCEPTED
            };
            let router = Router::new()
                .route("/feed.xml", get(feed))
                .route("/n/{file}", get(page))
                .route("/hub", post(hub))
                .with_state(shared);
            sender.send(address).unwrap();
            axum::serve(listener, router).await.unwrap();
        });
    });
    std::sync::mpsc::Receiver::recv_timeout(&receiver, Duration::from_secs(10)).unwrap()
}

fn wait_for<T>(what: &str, limit: Duration, mut check: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + limit;
    loop {
        if let Some(found) = check() {
            return found;
        }
        assert!(Instant::now() < deadline, "waited too long for {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn notify(callback: &str, body: &str, signature: &str) -> u16 {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::blocking::Client::new()
        .post(callback)
        .header("content-type", "application/rss+xml")
        .header("x-hub-signature", signature)
        .body(body.to_owned())
        .send()
        .unwrap()
        .status()
        .as_u16()
}

fn titles(server: &Server) -> Vec<String> {
    let (_, body) = http_get(&format!(
        "{}/api/v1/articles?source=push-test&limit=50",
        server.url
    ));
    let json: serde_json::Value = serde_json::from_str(&body).unwrap();
    json["items"]
        .as_array()
        .map(|items| {
            items
                .iter()
                .map(|i| i["title"].as_str().unwrap_or_default().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn a_source_with_a_hub_is_pushed_and_fetched_at_once() {
    let shared: Shared = Arc::new(Mutex::new(Publisher {
        items: vec![1],
        ..Publisher::default()
    }));
    let origin = publisher(shared.clone());
    let temp = tempfile::tempdir().unwrap();
    let data = temp.path().join("data");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let config = temp.path().join("xinwen.toml");
    std::fs::write(
        &config,
        format!(
            "[site]\nbase_url = \"http://127.0.0.1:{port}\"\n[server]\nlisten = \"127.0.0.1:{port}\"\n\
             [storage]\ndata_dir = {:?}\n[fetch]\nallow = [\"127.0.0.1\"]\nmin_host_delay_ms = 0\n",
            data.display().to_string()
        ),
    )
    .unwrap();
    let added = Command::new(BINARY)
        .arg("--config")
        .arg(&config)
        .args([
            "source",
            "add",
            &format!("http://{origin}/feed.xml"),
            "--slug",
            "push-test",
        ])
        .env("XINWEN_LOG", "error")
        .output()
        .unwrap();
    assert!(
        added.status.success(),
        "{}",
        String::from_utf8_lossy(&added.stderr)
    );
    let server = Server::start(
        Command::new(BINARY)
            .arg("--config")
            .arg(&config)
            .arg("serve"),
    );

    // The first fetch subscribes at the feed's hub.
    let request = wait_for("the subscription request", Duration::from_secs(30), || {
        shared.lock().unwrap().requests.first().cloned()
    });
    assert_eq!(request["hub.mode"], "subscribe");
    assert_eq!(request["hub.topic"], format!("http://{origin}/feed.xml"));
    let callback = request["hub.callback"].clone();
    assert!(
        callback.starts_with(&format!("http://127.0.0.1:{port}/websub/callback/")),
        "{callback}"
    );
    let secret = request["hub.secret"].clone();
    assert!(secret.len() >= 32);
    wait_for("the first article", Duration::from_secs(30), || {
        titles(&server)
            .contains(&"第1号公告".to_owned())
            .then_some(())
    });

    // The hub checks: the challenge comes back for the topic asked, not for another.
    let check = |topic: &str| {
        let url = format!(
            "{callback}?hub.mode=subscribe&hub.topic={}&hub.challenge=c-123&hub.lease_seconds=600",
            url::form_urlencoded::byte_serialize(topic.as_bytes()).collect::<String>()
        );
        http_get(&url)
    };
    assert_eq!(check("http://elsewhere.example/feed.xml").0, 404);
    assert_eq!(
        check(&format!("http://{origin}/feed.xml")),
        (200, "c-123".to_owned())
    );

    // A new item; a notice with a bad signature changes nothing.
    shared.lock().unwrap().items.push(2);
    let body = "<rss/>";
    assert_eq!(notify(&callback, body, "sha256=00ff"), 202);
    std::thread::sleep(Duration::from_secs(12));
    assert!(
        !titles(&server).contains(&"第2号公告".to_owned()),
        "a forged notice was obeyed"
    );

    // Signed with the secret xinwen gave: fetched at once, not at the next poll (minutes away).
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(body.as_bytes());
    let signature: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(notify(&callback, body, &format!("sha256={signature}")), 202);
    wait_for("the pushed article", Duration::from_secs(25), || {
        titles(&server)
            .contains(&"第2号公告".to_owned())
            .then_some(())
    });
    server.terminate();
}
