//! Sources and fetching from the command line, against a publisher served on 127.0.0.1 by the
//! test: adding sources, OPML, one fetch pass, and a kill in the middle of a pass.

mod common;

use axum::Router;
use axum::extract::Path;
use axum::routing::get;
use common::BINARY;
use std::net::SocketAddr;
use std::path::{Path as FsPath, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

const ENTRIES: usize = 40;

/// A publisher with a summary-only feed of `ENTRIES` articles, each page taking `delay` to
/// answer, on a runtime of its own.
fn publisher(delay: Duration) -> SocketAddr {
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Runtime::new().unwrap();
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            let address = listener.local_addr().unwrap();
            let feed = move || async move {
                let items: String = (1..=ENTRIES)
                    .map(|n| {
                        format!(
                            "<item><title>第{n}号通报</title><link>http://{address}/n/{n}.html</link><guid>n-{n}</guid>\
                             <pubDate>Wed, 25 Nov 2026 {:02}:00:00 +0800</pubDate><description>摘要{n}</description></item>",
                            n % 24
                        )
                    })
                    .collect();
                ([("content-type", "application/rss+xml")], format!("<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>本地测试通讯</title>{items}</channel></rss>"))
            };
            let page = move |Path(file): Path<String>| async move {
                tokio::time::sleep(delay).await;
                let n = file.trim_end_matches(".html");
                let body: String = (1..=5)
                    .map(|p| format!("<p>第{n}号通报第{p}段：本市有关部门今天通报了近期的工作进展，并就市民关心的问题作出说明，相关措施将在下月起陆续实施。</p>"))
                    .collect();
                (
                    [("content-type", "text/html; charset=utf-8")],
                    format!("<html><head><title>第{n}号通报</title></head><body><nav>首页 新闻</nav><article><h1>第{n}号通报</h1>{body}<img src=\"/img/{n}.png\" alt=\"图\"></article><footer>版权所有</footer></body></html>"),
                )
            };
            let router = Router::new()
                .route("/feed.xml", get(feed))
                .route("/n/{file}", get(page));
            sender.send(address).unwrap();
            axum::serve(listener, router).await.unwrap();
        });
    });
    receiver.recv_timeout(Duration::from_secs(10)).unwrap()
}

struct Site {
    _temp: tempfile::TempDir,
    data: PathBuf,
    config: PathBuf,
}

fn site() -> Site {
    let temp = tempfile::tempdir().unwrap();
    let data = temp.path().join("data");
    let config = temp.path().join("xinwen.toml");
    std::fs::write(
        &config,
        format!(
            "[storage]\ndata_dir = {:?}\n[fetch]\nallow = [\"127.0.0.1\"]\nmin_host_delay_ms = 0\nper_host_concurrency = 4\n[ingest]\nbatch_size = 4\n",
            data.display().to_string()
        ),
    )
    .unwrap();
    Site {
        _temp: temp,
        data,
        config,
    }
}

fn xinwen(site: &Site, args: &[&str]) -> Output {
    Command::new(BINARY)
        .arg("--config")
        .arg(&site.config)
        .args(args)
        .env("XINWEN_LOG", "error")
        .output()
        .unwrap()
}

fn stdout(output: &Output) -> String {
    assert!(
        output.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn count_articles(data: &FsPath) -> (u64, Vec<(i64, String, usize, usize)>) {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let store = xinwen_store::Store::open(data).await.unwrap();
        // Every article, not a list: lists show a story once.
        let mut rows = Vec::new();
        for row in store.articles_changed_since(i64::MIN, 1000).await.unwrap() {
            let article = store.article(row.id).await.unwrap().unwrap();
            rows.push((
                article.id,
                article.canonical_url,
                article.body_text.len(),
                article.images.len(),
            ));
        }
        rows.sort();
        let total = store.article_count().await.unwrap();
        store.close().await;
        (total, rows)
    })
}

#[test]
fn sources_are_added_fetched_listed_paused_exported_and_removed() {
    let origin = publisher(Duration::ZERO);
    let site = site();
    let feed = format!("http://{origin}/feed.xml");
    let said = stdout(&xinwen(&site, &["source", "add", &feed]));
    assert!(
        said.contains("本地测试通讯"),
        "the name is read from the feed: {said}"
    );
    let duplicate = xinwen(&site, &["source", "add", &feed, "--slug", "127-0-0-1"]);
    assert!(!duplicate.status.success());
    assert!(String::from_utf8_lossy(&duplicate.stderr).contains("already exists"));

    let said = stdout(&xinwen(&site, &["fetch", "--once"]));
    assert!(
        said.contains(&format!("{ENTRIES} articles added")),
        "{said}"
    );
    let said = stdout(&xinwen(&site, &["fetch", "--once"]));
    assert!(
        said.contains("0 articles added"),
        "the same entries add nothing: {said}"
    );
    assert_eq!(count_articles(&site.data).0, ENTRIES as u64);

    let list = stdout(&xinwen(&site, &["source", "list"]));
    assert!(
        list.contains(" ok ") && list.contains(&ENTRIES.to_string()),
        "{list}"
    );
    let shown: serde_json::Value = serde_json::from_str(&stdout(&xinwen(
        &site,
        &["source", "show", "127-0-0-1", "--json"],
    )))
    .unwrap();
    assert_eq!(shown["state"], "ok");
    assert_eq!(shown["health"]["articles_added"], ENTRIES);
    assert_eq!(shown["health"]["publish_interval_secs"], 3600);

    stdout(&xinwen(&site, &["source", "pause", "127-0-0-1"]));
    let said = stdout(&xinwen(&site, &["fetch", "--once"]));
    assert!(
        said.contains("Fetched 0 sources"),
        "a paused source is not fetched: {said}"
    );

    let opml = stdout(&xinwen(&site, &["source", "export-opml"]));
    assert!(
        opml.contains(&feed) && opml.contains("本地测试通讯"),
        "{opml}"
    );
    let refused = xinwen(&site, &["source", "remove", "127-0-0-1"]);
    assert!(String::from_utf8_lossy(&refused.stderr).contains("pause it instead"));
    let said = stdout(&xinwen(
        &site,
        &["source", "remove", "127-0-0-1", "--with-articles"],
    ));
    assert!(said.contains(&format!("{ENTRIES} articles")), "{said}");

    let file = site.data.join("exported.opml");
    std::fs::write(&file, &opml).unwrap();
    let said = stdout(&xinwen(
        &site,
        &["source", "import-opml", file.to_str().unwrap()],
    ));
    assert!(said.contains("Imported 1 sources"), "{said}");
    let said = stdout(&xinwen(
        &site,
        &["source", "import-opml", file.to_str().unwrap()],
    ));
    assert!(
        said.contains("Imported 0 sources"),
        "an import twice adds nothing: {said}"
    );
}

#[test]
fn a_feed_that_cannot_be_fetched_is_refused_when_added_and_leaves_nothing() {
    let origin = publisher(Duration::ZERO);
    let site = site();
    std::fs::write(
        &site.config,
        format!(
            "[storage]\ndata_dir = {:?}\n",
            site.data.display().to_string()
        ),
    )
    .unwrap();
    let feed = format!("http://{origin}/feed.xml");
    // A loopback address is refused without the allow-list, even unchecked: no pass could
    // ever fetch it.
    for extra in [None, Some("--no-check")] {
        let mut args = vec!["source", "add", &feed, "--name", "内网源"];
        args.extend(extra);
        let refused = xinwen(&site, &args);
        let said = String::from_utf8_lossy(&refused.stderr);
        assert!(!refused.status.success(), "{args:?}: {said}");
        assert!(
            said.contains("127.0.0.1 is a loopback address") && said.contains("fetch.allow"),
            "{said}"
        );
    }
    // A host that does not exist (`.invalid` never does) is refused with what to do.
    let unknown = "http://no-such-publisher.invalid/feed.xml";
    let refused = xinwen(&site, &["source", "add", unknown]);
    let said = String::from_utf8_lossy(&refused.stderr);
    assert!(!refused.status.success(), "{said}");
    assert!(
        said.contains("could not be read") && said.contains("--no-check"),
        "{said}"
    );
    assert!(
        !site.data.exists(),
        "a refused source leaves no data directory behind"
    );
    // A feed that is only down for now can be added on purpose; the pass says why it fails.
    let said = stdout(&xinwen(&site, &["source", "add", unknown, "--no-check"]));
    assert!(said.contains("Added source"), "{said}");
    let said = stdout(&xinwen(&site, &["fetch", "--once"]));
    assert!(said.contains("1 sources failed"), "{said}");
}

#[test]
fn an_address_that_is_no_feed_is_refused_when_added_as_one() {
    let origin = publisher(Duration::ZERO);
    let site = site();
    let page = format!("http://{origin}/n/1.html");
    let refused = xinwen(&site, &["source", "add", &page, "--kind", "feed"]);
    let said = String::from_utf8_lossy(&refused.stderr);
    assert!(!refused.status.success(), "{said}");
    assert!(
        said.contains("could not be read") && said.contains("not a feed"),
        "{said}"
    );
    assert!(!site.data.exists());
    // Without a kind, an article page leads to its site's feed at a common path.
    let said = stdout(&xinwen(&site, &["source", "add", &page]));
    assert!(
        said.contains(&format!("the site has one at http://{origin}/feed.xml")),
        "{said}"
    );
}

#[test]
fn with_several_channels_a_new_source_names_its_channel() {
    let origin = publisher(Duration::ZERO);
    let site = site();
    tokio::runtime::Runtime::new().unwrap().block_on(async {
        let store = xinwen_store::Store::open(&site.data).await.unwrap();
        for (position, (slug, name)) in [("gongzhonghao", "公众号新闻"), ("shehui", "社会")]
            .into_iter()
            .enumerate()
        {
            store
                .upsert_channel(&xinwen_model::NewChannel {
                    slug: slug.into(),
                    name: name.into(),
                    description: String::new(),
                    position: position as i64,
                })
                .await
                .unwrap();
        }
        store.close().await;
    });
    let feed = format!("http://{origin}/feed.xml");
    let refused = xinwen(&site, &["source", "add", &feed]);
    let said = String::from_utf8_lossy(&refused.stderr);
    assert!(!refused.status.success(), "{said}");
    assert!(
        said.contains("--channel")
            && said.contains("gongzhonghao (公众号新闻)")
            && said.contains("shehui (社会)"),
        "{said}"
    );
    let said = stdout(&xinwen(
        &site,
        &["source", "add", &feed, "--channel", "shehui"],
    ));
    assert!(said.contains("into channel shehui"), "{said}");
}

#[test]
fn commands_on_a_store_that_is_not_there_say_so_and_create_nothing() {
    let temp = tempfile::tempdir().unwrap();
    for args in [
        vec!["source", "list"],
        vec!["source", "pause", "1"],
        vec!["user", "list"],
        vec!["fetch", "--once"],
        vec!["reindex"],
    ] {
        let out = Command::new(BINARY)
            .args(&args)
            .current_dir(temp.path())
            .env("XINWEN_LOG", "error")
            .env_remove("XINWEN_DATA_DIR")
            .env_remove("XINWEN_CONFIG")
            .output()
            .unwrap();
        let said = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{args:?}: {said}");
        assert!(
            said.contains("there is no xinwen store in xinwen-data") && said.contains("--data"),
            "{args:?}: {said}"
        );
        assert!(
            std::fs::read_dir(temp.path()).unwrap().next().is_none(),
            "{args:?} left something behind"
        );
    }
}

#[test]
fn a_kill_in_the_middle_of_a_fetch_pass_loses_nothing_committed() {
    let origin = publisher(Duration::from_millis(150));
    let site = site();
    stdout(&xinwen(
        &site,
        &[
            "source",
            "add",
            &format!("http://{origin}/feed.xml"),
            "--slug",
            "slow",
        ],
    ));
    let mut child = Command::new(BINARY)
        .arg("--config")
        .arg(&site.config)
        .args(["fetch", "--once"])
        .env("XINWEN_LOG", "error")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    let before_kill = loop {
        let (count, rows) = count_articles(&site.data);
        if count >= 8 {
            break rows;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the pass never committed a batch"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    child.kill().unwrap();
    child.wait().unwrap();
    let (count, after_kill) = count_articles(&site.data);
    assert!(
        count < ENTRIES as u64,
        "the kill came before the pass ended ({count} articles)"
    );
    for row in &before_kill {
        assert!(
            after_kill.contains(row),
            "{row:?} was committed and must survive the kill"
        );
    }
    for (_, url, text, images) in &after_kill {
        assert!(
            *text > 100 && *images == 1,
            "{url} is whole: {text} bytes of text, {images} images"
        );
    }
    assert_eq!(count % 4, 0, "whole batches only: {count}");

    // The next pass finishes the work: every entry once, the survivors unchanged.
    let said = stdout(&xinwen(&site, &["fetch", "--once"]));
    assert!(said.contains("0 sources failed"), "{said}");
    let (count, rows) = count_articles(&site.data);
    assert_eq!(count, ENTRIES as u64);
    for row in &after_kill {
        assert!(rows.contains(row), "{row:?} kept its id and content");
    }
}

#[test]
fn a_log_written_to_a_file_has_no_colour_codes() {
    let temp = tempfile::tempdir().unwrap();
    let out = Command::new(BINARY)
        .args(["migrate", "--data"])
        .arg(temp.path().join("data"))
        .env("XINWEN_LOG", "info")
        .output()
        .unwrap();
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{log}");
    assert!(log.contains("applied migration"), "{log}");
    assert!(!log.contains('\u{1b}'), "{log:?}");
}

#[test]
fn an_article_is_added_by_its_link_under_a_source() {
    let origin = publisher(Duration::ZERO);
    let site = site();
    stdout(&xinwen(
        &site,
        &[
            "source",
            "add",
            &format!("http://{origin}/feed.xml"),
            "--slug",
            "local-news",
        ],
    ));
    let link = format!("http://{origin}/n/7.html");
    let said = stdout(&xinwen(
        &site,
        &["article", "add", &link, "--source", "local-news"],
    ));
    let id: i64 = said
        .trim()
        .rsplit(' ')
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{said}"));
    let (count, rows) = count_articles(&site.data);
    assert_eq!(count, 1);
    assert_eq!(rows[0].0, id);
    assert!(rows[0].2 > 200, "the page's text, not a teaser: {rows:?}");
    assert_eq!(rows[0].3, 1, "its picture");

    // Again: the same article, updated, not a second one.
    let again = stdout(&xinwen(
        &site,
        &["article", "add", &link, "--source", "local-news"],
    ));
    assert_eq!(again.trim(), said.trim());
    assert_eq!(count_articles(&site.data).0, 1);

    let unknown = xinwen(&site, &["article", "add", &link, "--source", "nowhere"]);
    assert!(!unknown.status.success());
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("no source is named"));
    let private = xinwen(
        &site,
        &[
            "article",
            "add",
            "http://10.1.1.1/a.html",
            "--source",
            "local-news",
        ],
    );
    assert!(!private.status.success());
    assert!(
        String::from_utf8_lossy(&private.stderr).contains("10.1.1.1"),
        "{}",
        String::from_utf8_lossy(&private.stderr)
    );
}
