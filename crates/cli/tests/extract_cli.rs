//! `xinwen extract` and `xinwen eval extract`, run as a user runs them.

mod common;

use common::BINARY;
use std::io::Write;
use std::process::{Command, Stdio};

const PAGE: &str = r#"<html><head><meta charset="utf-8"><title>海鸥队夺冠_绿茵体育</title></head><body>
<div class="nav"><a href="/">首页</a><a href="/zq/">足球</a></div>
<h1>海鸥队夺冠</h1><div class="info">2026-11-16 22:15 来源：绿茵体育 作者：方磊</div>
<div class="content"><p>16日晚进行的云溪杯决赛中，青澜海鸥队在主场以2比1战胜石岭矿工队，时隔十二年再次夺得这项赛事冠军。</p>
<p>补时第3分钟，海鸥队获得前场任意球，19岁的小将邱天在门前抢点打进，全场三万多名观众沸腾。</p>
<p><img src="/img/final.jpg" alt="决赛现场"></p></div>
<div class="footer">版权所有</div></body></html>"#;

fn extract(args: &[&str], stdin: &str) -> (i32, String, String) {
    let mut child = Command::new(BINARY)
        .arg("extract")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn json_output_has_exactly_the_article_fields() {
    let (code, out, err) = extract(
        &[
            "-",
            "--url",
            "https://lvyin.example/zq/2026/11/16/final.html",
            "--json",
        ],
        PAGE,
    );
    assert_eq!(code, 0, "{err}");
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    let mut keys: Vec<&str> = json
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "authors",
            "canonical_url",
            "editors",
            "html",
            "images",
            "is_article",
            "lang",
            "published_at",
            "site_name",
            "source_name",
            "summary",
            "text",
            "title",
            "warnings"
        ]
    );
    assert_eq!(json["title"], "海鸥队夺冠");
    assert_eq!(json["authors"], serde_json::json!(["方磊"]));
    assert_eq!(json["source_name"], "绿茵体育");
    assert_eq!(json["published_at"], "2026-11-16T22:15:00+08:00");
    assert_eq!(
        json["images"][0]["src"],
        "https://lvyin.example/img/final.jpg"
    );
    assert_eq!(json["is_article"], true);
    let text = json["text"].as_str().unwrap();
    assert!(text.starts_with("16日晚进行的云溪杯决赛中"), "{text}");
    assert!(!text.contains("首页") && !text.contains("版权所有") && !text.contains("海鸥队夺冠\n"));
}

#[test]
fn plain_output_and_clear_errors() {
    let (code, out, _) = extract(&["-"], PAGE);
    assert_eq!(code, 0);
    assert!(out.starts_with("title: 海鸥队夺冠\n"), "{out}");
    assert!(out.contains("is article: yes"));
    let (code, _, err) = extract(&["/nonexistent/page.html"], "");
    assert_eq!(code, 1);
    assert!(err.contains("cannot read /nonexistent/page.html"), "{err}");
    // A URL is fetched through the guard: the metadata address is refused before any
    // connection, with the address named.
    let (code, _, err) = extract(&["http://169.254.169.254/latest/meta-data/"], "");
    assert_eq!(code, 1);
    assert!(
        err.contains("refused") && err.contains("169.254.169.254 is the cloud metadata address"),
        "{err}"
    );
    let (code, out, _) = extract(&["-", "--json"], "\u{1}<<<>>>&&&");
    assert_eq!(code, 0, "garbage is no article, not a crash");
    assert!(out.contains("\"is_article\": false"));
    let (code, _, err) = extract(&["-", "--json"], "\u{0}\u{1}<<<>>>&&&");
    assert_eq!(code, 1, "binary input is refused, not read as a page");
    assert!(
        err.contains("standard input") && err.contains("binary"),
        "{err}"
    );
}

#[test]
fn eval_extract_scores_a_dataset_in_the_benchmark_layout() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("html")).unwrap();
    let mut gz = flate2::write::GzEncoder::new(
        std::fs::File::create(dir.path().join("html/page1.html.gz")).unwrap(),
        flate2::Compression::fast(),
    );
    gz.write_all(PAGE.as_bytes()).unwrap();
    gz.finish().unwrap();
    let truth = serde_json::json!({"page1": {
        "articleBody": "16日晚进行的云溪杯决赛中，青澜海鸥队在主场以2比1战胜石岭矿工队，时隔十二年再次夺得这项赛事冠军。\n补时第3分钟，海鸥队获得前场任意球，19岁的小将邱天在门前抢点打进，全场三万多名观众沸腾。",
        "author": "方磊", "date": "2026-11-16 22:15"}});
    std::fs::write(dir.path().join("ground-truth.json"), truth.to_string()).unwrap();
    let out = Command::new(BINARY)
        .args(["eval", "extract", "--dataset"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let last = stdout.lines().last().unwrap();
    assert!(
        last.starts_with("f1=1.000 precision=1.000 recall=1.000 pages_per_s="),
        "{stdout}"
    );
    assert!(stdout.contains("author accuracy: 1.000"));
    assert!(stdout.contains("date accuracy: 1.000"));
    let missing = Command::new(BINARY)
        .args(["eval", "extract", "--dataset", "/nonexistent"])
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("neither ground-truth.json"));
}

#[test]
fn a_saved_html_gz_page_is_read_and_a_binary_file_refused() {
    let temp = tempfile::tempdir().unwrap();
    let gz = temp.path().join("final.html.gz");
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(PAGE.as_bytes()).unwrap();
    std::fs::write(&gz, encoder.finish().unwrap()).unwrap();
    let (code, out, err) = extract(&[gz.to_str().unwrap()], "");
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("title: 海鸥队夺冠") && out.contains("19岁的小将邱天"),
        "{out}"
    );

    let png = temp.path().join("photo.html");
    std::fs::write(&png, b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x10").unwrap();
    let (code, out, err) = extract(&[png.to_str().unwrap()], "");
    assert_eq!(code, 1, "{out}");
    assert!(
        err.contains("photo.html") && err.contains("not an HTML page"),
        "{err}"
    );
}
