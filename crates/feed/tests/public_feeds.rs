//! Every feed file of the public test suites in ../shared/data (feedparser's and feed-rs's)
//! goes through the parser without a panic: each parses or gives a clear error.

use std::path::{Path, PathBuf};
use xinwen_test_support::shared_data;

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            files_under(&path, out);
        } else {
            out.push(path);
        }
    }
}

fn run_suite(name: &str) {
    let Some(dir) = shared_data(name) else {
        return;
    };
    let mut files = Vec::new();
    files_under(&dir, &mut files);
    files.sort();
    let (mut parsed, mut refused, mut panicked) = (0, 0, Vec::new());
    for file in &files {
        let bytes = std::fs::read(file).unwrap();
        match std::panic::catch_unwind(|| xinwen_feed::parse(&bytes, None, None)) {
            Ok(Ok(_)) => parsed += 1,
            // The parser's own panics are caught inside `parse` and reported as this error;
            // they count as panics here, so that the backstop cannot hide them.
            Ok(Err(err)) if err.to_string().contains("the feed parser failed") => {
                panicked.push(file.display().to_string())
            }
            Ok(Err(err)) => {
                assert!(!err.to_string().is_empty());
                refused += 1;
            }
            Err(_) => panicked.push(file.display().to_string()),
        }
    }
    println!(
        "{name}: {} files, {parsed} parsed, {refused} refused with a clear error, {} panicked",
        files.len(),
        panicked.len()
    );
    assert!(
        files.len() > 50,
        "{name} looks incomplete: {} files",
        files.len()
    );
    assert!(panicked.is_empty(), "the parser panicked on: {panicked:#?}");
}

#[test]
fn feedparser_test_suite_files_never_panic() {
    run_suite("feedparser-tests");
}

#[test]
fn feed_rs_fixture_files_never_panic() {
    run_suite("feed-rs-fixtures");
}
