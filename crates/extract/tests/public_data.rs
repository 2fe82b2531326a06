//! The extractor and the sanitizer on attack vectors (our own, in `fixtures/xss-vectors.txt`)
//! and on public data from ../shared/data: the sanitizer cases of feedparser's test suite, and
//! Chinese list and article pages. A test over shared data says so and passes when the data is
//! not there, unless XINWEN_REQUIRE_SHARED_DATA=1 (the README's test command), where it fails.

mod common;

use common::{executable_content, gunzip, pages, xss_vectors};
use xinwen_test_support::{compared, shared_data};

#[test]
fn no_xss_vector_survives_the_sanitizer() {
    let vectors = xss_vectors();
    compared("attack vectors sanitized", vectors.len());
    let mut failures = Vec::new();
    for (name, vector) in &vectors {
        let clean = xinwen_extract::sanitize_html(vector);
        let bad = executable_content(&clean);
        if !bad.is_empty() {
            failures.push(format!("{name}: {bad:?} in {clean}"));
        }
        // Sanitizing is idempotent: nothing hides behind a second pass.
        assert_eq!(xinwen_extract::sanitize_html(&clean), clean, "{name}");
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn no_xss_vector_survives_extraction_either() {
    let vectors = xss_vectors();
    compared("attack vectors extracted", vectors.len());
    for (name, vector) in &vectors {
        let page = format!(
            "<html><head><title>测试</title></head><body><article><p>这是一段足够长的正文，用来让提取器把它当成文章的一部分。{vector}</p><p>第二段正文，同样有标点。{vector}</p></article></body></html>"
        );
        let article = xinwen_extract::extract(page.as_bytes(), Some("https://example.com/a"), None);
        let bad = executable_content(&article.html);
        assert!(bad.is_empty(), "{name}: {bad:?} in {}", article.html);
    }
}

/// The HTML a feedparser sanitize test feeds in: the first content-bearing element's text,
/// entity-decoded when the feed escapes it.
fn feed_content(xml: &str) -> Option<String> {
    let body = xml.split("-->").nth(1).unwrap_or(xml);
    for tag in [
        "content",
        "description",
        "summary",
        "title",
        "subtitle",
        "tagline",
        "info",
        "copyright",
        "rights",
        "content:encoded",
        "body",
    ] {
        let open = format!("<{tag}");
        let Some(start) = body.find(&open) else {
            continue;
        };
        let after = &body[start..];
        let Some(gt) = after.find('>') else { continue };
        let close = format!("</{tag}>");
        let Some(end) = after.find(&close) else {
            continue;
        };
        let inner = &after[gt + 1..end];
        let inner = inner
            .trim_start_matches("<![CDATA[")
            .trim_end_matches("]]>");
        return Some(
            inner
                .replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&quot;", "\"")
                .replace("&#39;", "'")
                .replace("&amp;", "&"),
        );
    }
    None
}

#[test]
fn feedparser_sanitize_cases_keep_no_executable_content() {
    let Some(dir) = shared_data("feedparser-tests/tests/wellformed/sanitize") else {
        return;
    };
    let mut checked = 0;
    let mut failures = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let Ok(xml) = std::fs::read_to_string(&path) else {
            continue;
        };
        let Some(html) = feed_content(&xml) else {
            continue;
        };
        let clean = xinwen_extract::sanitize_html(&html);
        let bad = executable_content(&clean);
        if !bad.is_empty() {
            failures.push(format!("{}: {bad:?} in {clean}", path.display()));
        }
        checked += 1;
    }
    compared("feedparser sanitize cases", checked);
    assert!(checked >= 500, "only {checked} cases read");
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn list_pages_are_not_articles() {
    let Some(dir) = shared_data("gne-chinese-news-pages/test_list_page") else {
        return;
    };
    let list = pages(&dir);
    compared("list pages", list.len());
    for page in list {
        let article = xinwen_extract::extract(&gunzip(&page), None, None);
        assert!(
            !article.is_article,
            "{} was taken for an article",
            page.display()
        );
    }
}

#[test]
fn chinese_news_pages_are_articles_with_a_title_said_once() {
    let Some(dir) = shared_data("gne-chinese-news-pages/tests") else {
        return;
    };
    let list = pages(&dir);
    compared("Chinese news pages", list.len());
    assert!(list.len() >= 40);
    let mut not_articles = Vec::new();
    for page in &list {
        let article = xinwen_extract::extract(&gunzip(page), None, None);
        if !article.is_article {
            not_articles.push(page.display().to_string());
        }
        let title = article.title.clone().unwrap_or_default();
        if title.chars().count() >= 8 {
            assert!(
                !article.text.lines().any(|l| l.trim() == title.trim()),
                "{}: the title {title} is repeated in the body",
                page.display()
            );
        }
    }
    // Most are news articles; a few are video or gallery pages with little text.
    assert!(not_articles.len() * 10 <= list.len(), "{not_articles:#?}");
}
