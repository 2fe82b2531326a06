//! Sanitized attack vectors rendered in a real browser (headless Chromium): nothing runs.
//!
//! The page under test first replaces alert, confirm, prompt and print with recorders, then
//! holds every sanitized vector (our own, in `fixtures/xss-vectors.txt`). Needs Debian's
//! `chromium`; says so and passes without it, unless XINWEN_REQUIRE_BROWSER=1 (the README's
//! test command), where a missing browser fails.

mod common;

use serde_json::Value;
use xinwen_test_support::browser::{Browser, find_chromium};

#[test]
fn sanitized_vectors_run_nothing_in_chromium() {
    let Some(chromium) = find_chromium() else {
        assert!(
            !xinwen_test_support::required("XINWEN_REQUIRE_BROWSER"),
            "XINWEN_REQUIRE_BROWSER=1 but no chromium on PATH"
        );
        eprintln!("SKIPPED: no chromium on PATH");
        return;
    };
    let vectors: Vec<String> = common::xss_vectors().into_iter().map(|(_, v)| v).collect();
    xinwen_test_support::compared("attack vectors rendered", vectors.len());
    let mut page = String::from(
        "<!doctype html><html><head><meta charset=utf-8><script>\
         window.__ran = [];\
         for (const f of ['alert', 'confirm', 'prompt', 'print']) { window[f] = (...a) => window.__ran.push(f + ':' + a.join(',')); }\
         </script></head><body>",
    );
    for (i, vector) in vectors.iter().enumerate() {
        page.push_str(&format!(
            "<section id=\"v{i}\">{}</section>\n",
            xinwen_extract::sanitize_html(vector)
        ));
    }
    page.push_str("</body></html>");
    let dir = tempfile_dir();
    let file = dir.join("vectors.html");
    std::fs::write(&file, page).unwrap();

    let mut browser = Browser::launch(&chromium).unwrap();
    let tab = browser.new_page(1024, 768, false).unwrap();
    browser
        .goto(&tab, &format!("file://{}", file.display()))
        .unwrap();
    // The load event has fired, so have the error and load handlers of every image; two
    // frames later, focus and animation handlers have had their turn too.
    let ran = browser
        .eval(
            &tab,
            "new Promise(done => requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(() => done(window.__ran)))))",
        )
        .unwrap();
    assert_eq!(ran, Value::Array(vec![]), "script ran: {ran}");
    // Links would only run script through their URL, as the browser resolved it.
    let schemes = browser
        .eval(
            &tab,
            "[...document.querySelectorAll('[href], [src]')].map(e => new URL(e.href || e.src, location.href).protocol).filter(p => !['http:', 'https:', 'mailto:', 'file:'].includes(p))",
        )
        .unwrap();
    assert_eq!(
        schemes,
        Value::Array(vec![]),
        "links with other schemes: {schemes}"
    );
    let scripts = browser
        .eval(
            &tab,
            "document.querySelectorAll('body script, body iframe, body object, body embed').length",
        )
        .unwrap();
    assert_eq!(scripts.as_u64(), Some(0));
    let _ = std::fs::remove_dir_all(dir);
}

fn tempfile_dir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("xinwen-xss-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
