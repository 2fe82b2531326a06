//! The real binary, started as a user would, read over HTTP.

mod common;

use common::{BINARY, Server, article_url, get, run_with_data};
use std::process::Command;

#[test]
fn the_demo_serves_a_populated_site() {
    let server = Server::demo();
    let (status, home) = get(&format!("{}/", server.url));
    assert_eq!(status, 200);
    assert!(home.contains("最新文章"));
    assert!(home.matches("<li class=\"item\">").count() >= 20);
    let article = article_url(&server, "xinghe-ribao", "青澜跨江大桥今晨正式通车");
    let (status, page) = get(&article);
    assert_eq!(status, 200);
    assert!(page.contains("<figcaption>青澜跨江大桥主桥跨度1180米"));
    let (status, feed) = get(&format!("{}/feed.xml", server.url));
    assert_eq!(status, 200);
    assert!(feed.starts_with("<?xml"));
    assert!(
        feed.contains(&format!("<link>{}/article/", server.url)),
        "feeds link to where we serve"
    );
    let (status, body) = get(&format!("{}/healthz", server.url));
    assert_eq!((status, body.as_str()), (200, "ok\n"));
    // The article's images come through the media proxy, never from the publisher.
    let src_at = page.find("src=\"/media/p/").expect("a proxied image") + "src=\"".len();
    let src = &page[src_at..src_at + page[src_at..].find('"').unwrap()];
    let (status, image) = get(&format!("{}{src}", server.url));
    assert_eq!(status, 200);
    assert!(
        image.contains("<svg") && !image.contains("图片暂时无法显示"),
        "the real image"
    );
    let (status, qr) = get(&format!("{}/media/demo/qr-chengshi-zhinan.svg", server.url));
    assert_eq!(status, 200);
    assert!(qr.contains("<svg"));
    // The source whose feed is broken says so on its page.
    let (status, broken) = get(&format!("{}/source/qinglan-kuaibao", server.url));
    assert_eq!(status, 200);
    assert!(broken.contains("最近一次抓取失败"), "{broken}");
    assert!(broken.contains("编辑已收到提醒"), "{broken}");
    // The parser's own words are for editors, not readers.
    assert!(!broken.contains("not a feed xinwen can read"), "{broken}");
    let (_, metrics) = get(&format!("{}/metrics", server.url));
    assert!(
        metrics.contains(r#"http_requests_total{method="GET",route="/",status="200"} 1"#),
        "{metrics}"
    );
    let (status, missing) = get(&format!("{}/article/424242", server.url));
    assert_eq!(status, 404);
    assert!(missing.contains("页面不存在"));
    let about = get(&format!("{}/about", server.url)).1;
    assert!(
        about.contains("虚构"),
        "the about page says the demo is invented"
    );
}

#[test]
fn sigterm_stops_the_server_cleanly() {
    let server = Server::demo();
    assert_eq!(get(&format!("{}/healthz", server.url)).0, 200);
    let status = server.terminate();
    assert!(status.success(), "exit status {status}");
}

#[test]
fn serve_reads_its_configuration_file_and_the_environment_overrides_it() {
    let temp = tempfile::tempdir().unwrap();
    let data = temp.path().join("data");
    let said = run_with_data(&["demo", "--load-only"], &data);
    assert!(
        said.contains("8 channels, 13 sources, 82 articles"),
        "{said}"
    );
    // Every way of reading a source is in the demo, and each took its articles.
    let listed = run_with_data(&["source", "list", "--json"], &data);
    let sources: serde_json::Value = serde_json::from_str(&listed).unwrap();
    let by_slug = |slug: &str| {
        sources
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["slug"] == slug)
            .unwrap_or_else(|| panic!("{slug} in {listed}"))
            .clone()
    };
    let portal = by_slug("jinqiao-caijing");
    assert_eq!(
        (portal["kind"].as_str(), portal["articles"].as_u64()),
        (Some("page"), Some(6))
    );
    assert!(
        portal["read_note"].as_str().unwrap().contains("2个列表页"),
        "{portal}"
    );
    let sitemap = by_slug("lvyin-tiyu");
    assert_eq!(
        (sitemap["kind"].as_str(), sitemap["articles"].as_u64()),
        (Some("sitemap"), Some(7))
    );
    let account = by_slug("chengshi-zhinan");
    assert_eq!(account["kind"], "wechat");
    assert_eq!(account["articles"], 9);
    assert_eq!(account["bridges"].as_array().unwrap().len(), 2);
    assert_eq!(account["read_note"], "使用首选桥接（rsshub.example）");
    assert_eq!(by_slug("xinghe-ribao")["kind"], "feed");
    let config = temp.path().join("xinwen.toml");
    std::fs::write(
        &config,
        format!(
            "[site]\nname = \"配置里的站名\"\n[server]\nlisten = \"127.0.0.1:0\"\n[storage]\ndata_dir = {:?}\n",
            data.display().to_string()
        ),
    )
    .unwrap();
    let server = Server::start(
        Command::new(BINARY)
            .arg("--config")
            .arg(&config)
            .arg("serve")
            .env("XINWEN_BASE_URL", "https://news.example"),
    );
    let (status, home) = get(&format!("{}/", server.url));
    assert_eq!(status, 200);
    assert!(home.contains("配置里的站名"));
    assert!(home.contains(r#"<link rel="canonical" href="https://news.example/">"#));
    assert!(home.contains("青澜"), "the demo data is served");
    // The origin is gone with the loading process; the images were kept.
    let src_at = home.find("src=\"/media/p/").expect("a thumbnail") + "src=\"".len();
    let src = &home[src_at..src_at + home[src_at..].find('"').unwrap()];
    let (status, image) = get(&format!("{}{src}", server.url));
    assert_eq!(status, 200);
    assert!(
        !image.contains("图片暂时无法显示"),
        "served from the media cache"
    );
}

#[test]
fn migrate_creates_a_fresh_store() {
    let temp = tempfile::tempdir().unwrap();
    let out = Command::new(BINARY)
        .args(["migrate", "--data"])
        .arg(temp.path().join("fresh"))
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("is at schema version 20."));
    assert!(temp.path().join("fresh/xinwen.db").exists());
}

#[test]
fn bad_configuration_is_a_clear_error_not_a_panic() {
    let temp = tempfile::tempdir().unwrap();
    let config = temp.path().join("bad.toml");
    std::fs::write(&config, "[server]\nlisten = \"not an address\"\n").unwrap();
    let out = Command::new(BINARY)
        .arg("--config")
        .arg(&config)
        .arg("migrate")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("xinwen: error: in configuration file"),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"));
    let missing = Command::new(BINARY)
        .args(["--config", "/nonexistent/xinwen.toml", "migrate"])
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&missing.stderr)
            .contains("cannot read configuration file /nonexistent/xinwen.toml")
    );
}

#[test]
fn a_port_in_use_is_a_clear_error() {
    let server = Server::demo();
    let port = server.url.rsplit(':').next().unwrap().to_owned();
    let temp = tempfile::tempdir().unwrap();
    let out = Command::new(BINARY)
        .args(["serve", "--listen", &format!("127.0.0.1:{port}"), "--data"])
        .arg(temp.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains(&format!("cannot listen on 127.0.0.1:{port}"))
    );
}
