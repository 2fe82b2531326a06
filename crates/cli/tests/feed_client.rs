//! The site's feeds read by a real feed client, Python's feedparser, the way feed readers
//! would: no parse errors (bozo), the right titles, links that open.
//!
//! The README's test command installs feedparser into its own virtual environment and points
//! XINWEN_PYTHON at it (with XINWEN_REQUIRE_FEEDPARSER=1, so that there the test cannot skip).

mod common;

use common::{Server, get, required};
use serde_json::Value;
use std::process::Command;

const READ_FEED: &str = r#"
import json, sys, feedparser
d = feedparser.parse(sys.argv[1])
print(json.dumps({
    "bozo": bool(d.bozo),
    "problem": str(d.get("bozo_exception", "")),
    "version": d.version,
    "title": d.feed.get("title"),
    "link": d.feed.get("link"),
    "entries": [{"title": e.get("title"), "link": e.get("link"), "id": e.get("id"),
                 "published": bool(e.get("published_parsed")),
                 "has_content": bool(e.get("content") or e.get("summary"))} for e in d.entries],
}, ensure_ascii=False))
"#;

fn python() -> Option<String> {
    match std::env::var("XINWEN_PYTHON") {
        Ok(python) => Some(python),
        Err(_) if required("XINWEN_REQUIRE_FEEDPARSER") => {
            panic!("XINWEN_REQUIRE_FEEDPARSER=1 but XINWEN_PYTHON is not set")
        }
        Err(_) => {
            eprintln!(
                "SKIPPED: XINWEN_PYTHON (a python with feedparser) is not set; the README's test command sets it"
            );
            None
        }
    }
}

fn parse(python: &str, xml: &str) -> Value {
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), xml).unwrap();
    let out = Command::new(python)
        .args(["-c", READ_FEED])
        .arg(file.path())
        .output()
        .expect("python runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn feedparser_reads_every_kind_of_feed_without_complaint() {
    let Some(python) = python() else { return };
    let server = Server::demo();
    let feeds = [
        ("/feed.xml", "rss20", "新闻 xinwen"),
        ("/atom.xml", "atom10", "新闻 xinwen"),
        ("/channel/guoji/feed.xml", "rss20", "国际 - 新闻 xinwen"),
        ("/channel/guoji/atom.xml", "atom10", "国际 - 新闻 xinwen"),
        (
            "/source/taihai-shibao/feed.xml",
            "rss20",
            "台海時報 - 新闻 xinwen",
        ),
        (
            "/source/shuma-qianyan/atom.xml",
            "atom10",
            "数码前沿 - 新闻 xinwen",
        ),
    ];
    for (path, version, title) in feeds {
        let (status, xml) = get(&format!("{}{path}", server.url));
        assert_eq!(status, 200, "{path}");
        let feed = parse(&python, &xml);
        assert_eq!(
            feed["bozo"],
            Value::Bool(false),
            "{path}: {}",
            feed["problem"]
        );
        assert_eq!(feed["version"], version, "{path}");
        assert_eq!(feed["title"], title, "{path}");
        let entries = feed["entries"].as_array().unwrap();
        assert!(!entries.is_empty(), "{path}");
        for entry in entries {
            let link = entry["link"].as_str().unwrap();
            assert!(
                link.starts_with(&format!("{}/article/", server.url)),
                "{path}: {link}"
            );
            assert!(!entry["title"].as_str().unwrap().is_empty());
            assert_eq!(entry["published"], Value::Bool(true), "{path}: {link}");
            assert_eq!(entry["has_content"], Value::Bool(true), "{path}: {link}");
        }
        // The first entry's link opens the article whose title the feed gives.
        let first = &entries[0];
        let (status, page) = get(first["link"].as_str().unwrap());
        assert_eq!(status, 200);
        let title = first["title"].as_str().unwrap();
        assert!(
            page.contains(&format!("<h1 id=\"article-title\">{title}</h1>")),
            "{path}: {title}"
        );
    }
}
