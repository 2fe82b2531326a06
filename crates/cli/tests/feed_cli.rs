//! `xinwen feed parse` over every feed file of the public test suites in ../shared/data
//! (feedparser's and feed-rs's): each one parses (exit 0) or gives a clear error (exit 1);
//! none may crash the process; what it reads in feed-rs's fixtures is what their expected
//! output says, and what it reads in feedparser's is what their `Expect:` lines say, but for
//! the differences `tests/fixtures/feedparser-differences.txt` explains. Without the data the
//! tests say so and pass, unless XINWEN_REQUIRE_SHARED_DATA=1 (the README's test command),
//! where they fail; the same for Python (XINWEN_PYTHON, XINWEN_REQUIRE_PYTHON).

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
            return;
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
        xinwen_test_support::compared(&format!("{suite} files parsed"), parsed);
        assert!(files.len() > 50);
    }
}

/// The link an entry's expected output names as ours would: the alternate one, or else the
/// first, when it is http(s).
fn expected_link(links: &serde_json::Value) -> Option<String> {
    let links = links.as_array()?;
    let chosen = links
        .iter()
        .find(|l| l["rel"].is_null() || l["rel"] == "alternate")
        .or(links.first())?;
    let href = chosen["href"].as_str()?.trim();
    (href.starts_with("http://") || href.starts_with("https://")).then(|| href.to_owned())
}

/// An id feed-rs made up: 32 hex digits, or a UUID.
fn made_up_id(id: &str) -> bool {
    let hex = |s: &str| s.chars().all(|c| c.is_ascii_hexdigit());
    let groups: Vec<&str> = id.split('-').collect();
    (id.len() == 32 && hex(id))
        || (groups.iter().map(|g| g.len()).collect::<Vec<_>>() == [8, 4, 4, 4, 12]
            && groups.iter().all(|g| hex(g)))
}

fn trimmed(value: &serde_json::Value) -> Option<String> {
    value
        .as_str()
        .map(|t| t.trim().to_owned())
        .filter(|t| !t.is_empty())
}

#[test]
fn feed_rs_fixtures_read_as_their_expected_output_says() {
    let Some(dir) = shared_data("feed-rs-fixtures/fixture") else {
        return;
    };
    let mut files = Vec::new();
    files_under(&dir, &mut files);
    let mut fixtures = 0;
    let mut entries_compared = 0;
    let mut differences = Vec::new();
    for expected_path in files
        .iter()
        .filter(|p| p.to_string_lossy().ends_with(".serde.json"))
    {
        let name = expected_path.to_string_lossy();
        let stem = name.trim_end_matches(".serde.json");
        let Some(input) = ["xml", "json"]
            .iter()
            .map(|ext| PathBuf::from(format!("{stem}.{ext}")))
            .find(|p| p.exists())
        else {
            continue;
        };
        let expected: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(expected_path).unwrap()).unwrap();
        let out = Command::new(BINARY)
            .args(["feed", "parse", "--json"])
            .arg(&input)
            .output()
            .unwrap();
        if !out.status.success() {
            differences.push(format!(
                "{}: refused: {}",
                input.display(),
                String::from_utf8_lossy(&out.stderr)
            ));
            continue;
        }
        fixtures += 1;
        let ours: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let mut differ = |what: String, want: Option<String>, got: Option<String>| {
            if want != got {
                differences.push(format!(
                    "{}: {what}: expected {want:?}, read {got:?}",
                    input.display()
                ));
            }
        };
        differ(
            "title".into(),
            trimmed(&expected["title"]["content"]),
            trimmed(&ours["title"]),
        );
        let want = expected["entries"].as_array().cloned().unwrap_or_default();
        let got = ours["entries"].as_array().cloned().unwrap_or_default();
        differ(
            "entries".into(),
            Some(want.len().to_string()),
            Some(got.len().to_string()),
        );
        for (i, (want, got)) in want.iter().zip(&got).enumerate() {
            entries_compared += 1;
            differ(
                format!("entry {i} title"),
                trimmed(&want["title"]["content"]),
                trimmed(&got["title"]),
            );
            differ(
                format!("entry {i} link"),
                expected_link(&want["links"]),
                got["url"].as_str().map(str::to_owned),
            );
            // feed-rs makes up an id (an MD5 or a UUID) for an entry without one; xinwen
            // uses the entry's link instead, on purpose (`xinwen_feed`'s `stable_id`).
            if let Some(id) = trimmed(&want["id"]).filter(|id| !made_up_id(id)) {
                differ(
                    format!("entry {i} id"),
                    Some(id),
                    got["guid"].as_str().map(str::to_owned),
                );
            }
        }
    }
    xinwen_test_support::compared("feed-rs fixtures", fixtures);
    xinwen_test_support::compared("feed-rs fixture entries", entries_compared);
    assert!(differences.is_empty(), "{differences:#?}");
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

/// A path pattern of the differences file: a trailing `*` matches any rest, and one `*`
/// inside matches any run between its two sides.
fn pattern_matches(pattern: &str, path: &str) -> bool {
    match pattern.split_once('*') {
        None => pattern == path,
        Some((head, tail)) => {
            path.len() >= head.len() + tail.len()
                && path.starts_with(head)
                && (tail.is_empty() || path[head.len()..].contains(tail.trim_end_matches('*')))
        }
    }
}

fn python() -> Option<String> {
    let python = std::env::var("XINWEN_PYTHON").unwrap_or_else(|_| "python3".into());
    let runs = Command::new(&python)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if runs {
        return Some(python);
    }
    assert!(
        !common::required("XINWEN_REQUIRE_PYTHON"),
        "XINWEN_REQUIRE_PYTHON=1 but {python} does not run"
    );
    eprintln!("SKIPPED: {python} does not run");
    None
}

#[test]
fn feedparser_expectations_hold_for_what_xinwen_reads() {
    let Some(dir) = shared_data("feedparser-tests/tests") else {
        return;
    };
    let Some(python) = python() else { return };
    let mut files = Vec::new();
    files_under(&dir, &mut files);
    files.sort();
    let cases: Vec<(String, String, PathBuf)> = files
        .into_iter()
        .filter_map(|path| {
            let text = String::from_utf8_lossy(&std::fs::read(&path).ok()?).into_owned();
            let expect = text
                .lines()
                .find_map(|l| l.trim().strip_prefix("Expect:"))?;
            let name = path.strip_prefix(&dir).ok()?.to_string_lossy().into_owned();
            Some((name, expect.trim().to_owned(), path))
        })
        .collect();
    let read = |cases: &[(String, String, PathBuf)]| -> Vec<String> {
        cases
            .iter()
            .map(|(name, expect, path)| {
                let out = Command::new(BINARY)
                    .args(["feed", "parse", "--json"])
                    .arg(path)
                    .output()
                    .unwrap();
                let ours: serde_json::Value =
                    serde_json::from_slice(&out.stdout).unwrap_or(serde_json::Value::Null);
                serde_json::json!({
                    "file": name, "expect": expect,
                    "exit": out.status.code(), "ours": ours,
                })
                .to_string()
            })
            .collect()
    };
    let (left, right) = cases.split_at(cases.len() / 2);
    let lines: Vec<String> = std::thread::scope(|scope| {
        let first = scope.spawn(|| read(left));
        let second = scope.spawn(|| read(right));
        let mut lines = first.join().unwrap();
        lines.extend(second.join().unwrap());
        lines
    });

    let mut evaluator = Command::new(&python)
        .args(["-c", include_str!("feedparser_expect.py")])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("python runs");
    let mut stdin = evaluator.stdin.take().unwrap();
    let input = lines.join("\n") + "\n";
    let writer = std::thread::spawn(move || {
        use std::io::Write;
        stdin.write_all(input.as_bytes()).unwrap();
    });
    let out = evaluator.wait_with_output().unwrap();
    writer.join().unwrap();
    assert!(out.status.success(), "the evaluator failed");

    let explained = include_str!("fixtures/feedparser-differences.txt");
    let explanations: Vec<(&str, &str)> = explained
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| {
            l.split_once("    ")
                .expect("a pattern, four spaces, a reason")
        })
        .collect();
    let mut used = vec![0usize; explanations.len()];
    let mut counts = std::collections::BTreeMap::<String, usize>::new();
    let mut unexplained = Vec::new();
    for verdict in String::from_utf8_lossy(&out.stdout).lines() {
        let verdict: serde_json::Value = serde_json::from_str(verdict).unwrap();
        let file = verdict["file"].as_str().unwrap();
        let said = verdict["verdict"].as_str().unwrap();
        *counts.entry(said.to_owned()).or_default() += 1;
        if said == "agree" || said == "not-read" {
            continue;
        }
        match explanations
            .iter()
            .position(|(pattern, _)| pattern_matches(pattern, file))
        {
            Some(i) => used[i] += 1,
            None => unexplained.push(format!("{file}: {said} {}", verdict["detail"])),
        }
    }
    println!("feedparser's Expect lines over `xinwen feed parse`: {counts:?}");
    let stale: Vec<&str> = explanations
        .iter()
        .zip(&used)
        .filter(|(_, n)| **n == 0)
        .map(|((pattern, _), _)| *pattern)
        .collect();
    assert!(
        unexplained.is_empty(),
        "read otherwise than feedparser's Expect line, with no reason in feedparser-differences.txt: {unexplained:#?}"
    );
    assert!(
        stale.is_empty(),
        "lines of feedparser-differences.txt that explain no difference any more: {stale:?}"
    );
    xinwen_test_support::compared(
        "feedparser expectations agreed with",
        counts.get("agree").copied().unwrap_or(0),
    );
    assert_eq!(counts.values().sum::<usize>(), cases.len());
}
