//! `xinwen source add` by any address and `xinwen source test`, against a publisher on
//! 127.0.0.1 that has a home page declaring a feed, a section page with no feed, and pages
//! that are no source at all.

mod common;

use common::{BINARY, origin};
use std::path::PathBuf;
use std::process::{Command, Output};

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
            "[storage]\ndata_dir = {:?}\n[fetch]\nallow = [\"127.0.0.1\"]\nmin_host_delay_ms = 0\n",
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

fn ok(output: &Output) -> String {
    assert!(
        output.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn refused(output: &Output) -> String {
    assert!(
        !output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stdout)
    );
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn article(n: usize) -> String {
    let body: String = (1..=5)
        .map(|p| format!("<p>第{n}篇第{p}段：青澜港今天迎来冬季第一批远洋渔船，码头工人连夜卸货，鱼市的批发价格随之回落，市民可以在周末的早市上买到新鲜的带鱼和鲳鱼。</p>"))
        .collect();
    format!(
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>渔港新闻第{n}篇 - 青澜港讯</title>\
         <meta property=\"article:published_time\" content=\"2026-12-01T08:00:00+08:00\"></head>\
         <body><div id=\"nav\"><a href=\"/\">首页</a></div><div class=\"article\"><h1>渔港新闻第{n}篇</h1>{body}</div></body></html>"
    )
}

fn publisher() -> std::net::SocketAddr {
    let list: String = (1..=3)
        .rev()
        .map(|n| format!("<li><a href=\"/2026/12/a{n:05}.html\">渔港新闻第{n}篇：冬季第一批远洋渔船靠港</a></li>"))
        .collect();
    let html = "text/html; charset=utf-8";
    origin(vec![
        (
            "/",
            html,
            "<!DOCTYPE html><html><head><title>青澜港讯</title>\
             <link rel=\"alternate\" type=\"application/rss+xml\" title=\"RSS\" href=\"/rss/gangxun.xml\"></head>\
             <body><p>欢迎</p></body></html>"
                .to_owned(),
        ),
        (
            "/rss/gangxun.xml",
            "application/rss+xml",
            "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>青澜港讯</title></channel></rss>"
                .to_owned(),
        ),
        (
            "/news/",
            html,
            format!(
                "<!DOCTYPE html><html><head><title>要闻 - 青澜港讯</title></head><body>\
                 <div id=\"nav\"><a href=\"/\">首页</a> <a href=\"/news/\">要闻</a></div>\
                 <ul class=\"list\">{list}</ul><div class=\"footer\"><a href=\"/about.html\">关于我们</a></div></body></html>"
            ),
        ),
        ("/2026/12/a00001.html", html, article(1)),
        ("/2026/12/a00002.html", html, article(2)),
        ("/2026/12/a00003.html", html, article(3)),
        (
            "/about.html",
            html,
            "<!DOCTYPE html><html><head><title>关于我们</title></head><body><div id=\"nav\"><a href=\"/\">首页</a></div><p>本站创办于2010年。</p></body></html>"
                .to_owned(),
        ),
        ("/notxml.xml", "application/xml", "<urlset><url><loc>".to_owned()),
    ])
}

#[test]
fn source_test_shows_the_links_and_first_article_a_page_source_would_take() {
    let address = publisher();
    let site = site();
    let said = ok(&xinwen(
        &site,
        &[
            "source",
            "test",
            &format!("http://{address}/news/"),
            "--json",
        ],
    ));
    let value: serde_json::Value = serde_json::from_str(&said).unwrap();
    assert_eq!(value["kind"], "page");
    let links: Vec<&str> = value["links"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l.as_str().unwrap())
        .collect();
    let expected: Vec<String> = (1..=3)
        .rev()
        .map(|n| format!("http://{address}/2026/12/a{n:05}.html"))
        .collect();
    assert_eq!(links, expected);
    assert_eq!(value["article"]["title"], "渔港新闻第3篇");
    assert!(
        value["article"]["text"]
            .as_str()
            .unwrap()
            .contains("远洋渔船")
    );
    assert!(!site.data.exists(), "testing stores nothing");

    // In words, the same.
    let said = ok(&xinwen(
        &site,
        &["source", "test", &format!("http://{address}/news/")],
    ));
    assert!(said.contains("3 article links would be taken"), "{said}");
    assert!(said.contains("渔港新闻第3篇"), "{said}");
}

#[test]
fn a_page_without_a_feed_is_added_as_a_page_source_and_fetched() {
    let address = publisher();
    let site = site();
    let said = ok(&xinwen(
        &site,
        &[
            "source",
            "add",
            &format!("http://{address}/news/"),
            "--publisher",
            "official",
        ],
    ));
    assert!(said.contains("declares no feed"), "{said}");
    assert!(said.contains("a page source"), "{said}");
    ok(&xinwen(&site, &["fetch", "--once"]));
    let listed = ok(&xinwen(&site, &["source", "list", "--json"]));
    let value: serde_json::Value = serde_json::from_str(&listed).unwrap();
    let source = &value.as_array().unwrap()[0];
    assert_eq!(source["kind"], "page");
    assert_eq!(source["publisher"], "official");
    assert_eq!(source["articles"], 3);
    assert_eq!(
        source["name"], "要闻 - 青澜港讯",
        "named by the page's title"
    );

    // A home page that declares a feed is followed through the feed.
    let said = ok(&xinwen(
        &site,
        &[
            "source",
            "add",
            &format!("http://{address}/"),
            "--slug",
            "gangxun",
        ],
    ));
    assert!(said.contains("declares a feed"), "{said}");
    let listed = ok(&xinwen(&site, &["source", "show", "gangxun", "--json"]));
    let value: serde_json::Value = serde_json::from_str(&listed).unwrap();
    assert_eq!(value["kind"], "feed");
    assert_eq!(value["url"], format!("http://{address}/rss/gangxun.xml"));
}

#[test]
fn what_is_no_source_is_refused_with_the_reason_and_nothing_stored() {
    let address = publisher();
    let site = site();
    let no_links = refused(&xinwen(
        &site,
        &["source", "add", &format!("http://{address}/about.html")],
    ));
    assert!(no_links.contains("no article links"), "{no_links}");
    let not_xml = refused(&xinwen(
        &site,
        &[
            "source",
            "test",
            &format!("http://{address}/notxml.xml"),
            "--kind",
            "sitemap",
        ],
    ));
    assert!(not_xml.contains("not XML"), "{not_xml}");
    let missing = refused(&xinwen(
        &site,
        &[
            "source",
            "add",
            &format!("http://{address}/gone/"),
            "--kind",
            "page",
        ],
    ));
    assert!(missing.contains("404"), "{missing}");
    let bad_rule = refused(&xinwen(
        &site,
        &[
            "source",
            "add",
            &format!("http://{address}/news/"),
            "--pattern",
            "(unclosed",
        ],
    ));
    assert!(bad_rule.contains("not a regular expression"), "{bad_rule}");
    assert!(
        !site.data.exists(),
        "a refused source leaves no data directory"
    );
}
