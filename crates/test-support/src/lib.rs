//! Helpers for tests only; nothing in the product depends on this crate.
//!
//! [`browser`] drives Debian's headless Chromium over the DevTools protocol, so that page tests
//! run in a real browser: a small client of our own over a WebSocket, because the protocol
//! messages we need are few and the crates that wrap all of it break with new Chromium
//! releases when they meet events they do not know. [`hostile`] makes the text outsiders send,
//! for the property tests that every function reading it must pass without a panic.

pub mod browser;
pub mod hostile;

use std::path::PathBuf;

/// A directory of the public evaluation data in ../shared/data, which never enters the
/// repository; `None` (and a line saying the test skips) when it is absent.
/// `XINWEN_SHARED_DATA` overrides where it is looked for. With `XINWEN_REQUIRE_SHARED_DATA=1`
/// (the README's test command sets it wherever the data is laid out, CI included) an absent
/// set fails the test instead: a test that silently checks nothing is worse than none.
pub fn shared_data(what: &str) -> Option<PathBuf> {
    let dir = std::env::var_os("XINWEN_SHARED_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data"));
    let path = dir.join(what);
    if path.exists() {
        Some(path)
    } else if required("XINWEN_REQUIRE_SHARED_DATA") {
        panic!(
            "XINWEN_REQUIRE_SHARED_DATA=1 but {} is not there (the shared evaluation data)",
            path.display()
        );
    } else {
        eprintln!(
            "SKIPPED: {} is not there (the shared evaluation data)",
            path.display()
        );
        None
    }
}

/// Whether a test that needs something outside the repository (the shared data, a browser,
/// Python) must fail rather than skip without it: `VARIABLE=1`.
pub fn required(variable: &str) -> bool {
    std::env::var(variable).is_ok_and(|v| v == "1")
}

/// Says how many cases a data-driven test compared, on standard output (`cargo test --
/// --nocapture` shows it), and fails it when that is none: a test over a data set that found
/// nothing to compare has checked nothing.
pub fn compared(what: &str, count: usize) {
    println!("COMPARED: {count} {what}");
    assert!(count > 0, "no {what} were compared");
}
