//! Sanitized attack vectors rendered in a real browser (headless Chromium): nothing runs.
//!
//! The page under test first replaces alert, confirm, prompt and print with recorders, then
//! holds every sanitized vector. Needs Debian's `chromium` and the shared xss-vectors data;
//! says so and passes without them, unless XINWEN_REQUIRE_BROWSER=1 (the README's test
//! command), where a missing browser fails.

mod common;

use serde_json::Value;
use xinwen_test_support::browser::{Browser, find_chromium};

#[test]
fn sanitized_vectors_run_nothing_in_chromium() {
    let Some(dir) = common::shared_data("xss-vectors") else {
        return;
    };
    let Some(chromium) = find_chromium() else {
        assert!(
            std::env::var("XINWEN_REQUIRE_BROWSER").as_deref() != Ok("1"),
            "XINWEN_REQUIRE_BROWSER=1 but no chromium on PATH"
        );
        eprintln!("SKIPPED: no chromium on PATH");
        return;
    };
    let mut vectors = Vec::new();
    for (file, field) in [
        ("h5sc-html5-security-cheatsheet.json", "data"),
        ("dompurify-expect.json", "payload"),
        ("owasp-xss-filter-evasion.json", "vector"),
    ] {
        let json: Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join(file)).unwrap()).unwrap();
        for item in json["items"].as_array().unwrap() {
            vectors.push(item[field].as_str().unwrap_or("").to_owned());
        }
    }
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
    // Give timers and load handlers a moment to fire.
    let ran = browser
        .eval(
            &tab,
            "new Promise(done => setTimeout(() => done(window.__ran), 500))",
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
