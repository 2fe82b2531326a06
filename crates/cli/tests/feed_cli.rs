//! `xinwen feed parse` over every feed file of the public test suites in ../shared/data
//! (feedparser's and feed-rs's): each one parses (exit 0) or gives a clear error (exit 1);
//! none may crash the process.

mod common;

use common::BINARY;
use std::path::{Path, PathBuf};
use std::process::Command;
use xinwen_test_support::shared_data;

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            files_under(&path, out);
        } else {
            out.push(path);
        }
    }
}

fn parse_all(files: &[PathBuf]) -> (usize, usize, Vec<String>) {
    let (mut parsed, mut refused, mut crashed) = (0, 0, Vec::new());
    for file in files {
        let out = Command::new(BINARY)
            .args(["feed", "parse"])
            .arg(file)
            .output()
            .unwrap();
        match out.status.code() {
            Some(0) => parsed += 1,
            // The parser's own panics are caught in `xinwen_feed::parse` and reported as this
            // error; they count as crashes here, so that the backstop cannot hide them.
            Some(1) if String::from_utf8_lossy(&out.stderr).contains("the feed parser failed") => {
                crashed.push(file.display().to_string())
            }
            Some(1) => {
                let err = String::from_utf8_lossy(&out.stderr);
                assert!(
                    err.starts_with("xinwen: error: ") && err.len() > 40,
                    "{}: an unclear error: {err}",
                    file.display()
                );
                refused += 1;
            }
            _ => crashed.push(format!(
                "{}: {}",
                file.display(),
                String::from_utf8_lossy(&out.stderr)
            )),
        }
    }
    (parsed, refused, crashed)
}

#[test]
fn every_public_test_feed_parses_or_is_refused_clearly() {
    for suite in ["feedparser-tests", "feed-rs-fixtures"] {
        let Some(dir) = shared_data(suite) else {
            continue;
        };
        let mut files = Vec::new();
        files_under(&dir, &mut files);
        files.sort();
        // Two workers: the machine has two cores, and each file is a process start.
        let (left, right) = files.split_at(files.len() / 2);
        let (a, b) = std::thread::scope(|scope| {
            let first = scope.spawn(|| parse_all(left));
            let second = scope.spawn(|| parse_all(right));
            (first.join().unwrap(), second.join().unwrap())
        });
        let parsed = a.0 + b.0;
        let refused = a.1 + b.1;
        let crashed: Vec<String> = a.2.into_iter().chain(b.2).collect();
        println!(
            "{suite}: {} files through `xinwen feed parse`: {parsed} parsed, {refused} refused with a clear error, {} crashed",
            files.len(),
            crashed.len()
        );
        assert!(crashed.is_empty(), "{crashed:#?}");
        assert!(parsed > 0 && files.len() > 50);
    }
}

#[test]
fn a_feed_file_prints_its_entries_and_a_broken_one_exits_1() {
    let temp = tempfile::tempdir().unwrap();
    let good = temp.path().join("good.xml");
    std::fs::write(
        &good,
        "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>星河日报</title><item><title>地铁五号线开通</title><link>https://xinghe.example/1.html</link><guid>x-1</guid><pubDate>Thu, 05 Nov 2026 08:00:00 +0800</pubDate></item></channel></rss>",
    )
    .unwrap();
    let out = Command::new(BINARY)
        .args(["feed", "parse"])
        .arg(&good)
        .output()
        .unwrap();
    assert!(out.status.success());
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        said.contains("rss feed: 星河日报 (1 entries)")
            && said.contains("地铁五号线开通")
            && said.contains("teaser"),
        "{said}"
    );
    let out = Command::new(BINARY)
        .args(["feed", "parse", "--json"])
        .arg(&good)
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["entries"][0]["guid"], "x-1");

    let broken = temp.path().join("broken.xml");
    std::fs::write(&broken, "<!DOCTYPE html><html><body>首页</body></html>").unwrap();
    let out = Command::new(BINARY)
        .args(["feed", "parse"])
        .arg(&broken)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("HTML page, not a feed"), "{err}");
}
