//! Whatever bytes a publisher sends, extraction returns; it never panics.

use proptest::prelude::*;

/// Fragments real pages are made of, to build pages random in structure rather than in bytes.
const PIECES: &[&str] = &[
    "<div>",
    "</div>",
    "<p>",
    "</p>",
    "<table><tr><td>",
    "</td></tr></table>",
    "<br>",
    "<h1>标题</h1>",
    "<a href=\"/x\">链接</a>",
    "<img data-src=\"a.jpg\">",
    "<script>var ct = \"1\";</script>",
    "正文，内容。",
    "More text. ",
    "<meta charset=gbk>",
    "<!--",
    "-->",
    "<![CDATA[",
    "&#x",
    "&amp;",
    "<div id=\"js_content\">",
    "<figure><figcaption>图说</figcaption>",
    "相关阅读",
    "来源：星河日报",
    "2026年11月12日 08:30",
    "<ul><li>",
    "</li></ul>",
    "\u{0}",
    "\u{feff}",
    "<",
    ">",
    "\"",
    "'",
    "<html><head><title>新闻_网站</title></head><body>",
    "<style>p{}</style>",
    "<svg><script>x</script></svg>",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2000)) {
        let _ = xinwen_extract::extract(&bytes, Some("https://example.com/a"), None);
    }

    #[test]
    fn random_pages_never_panic(pieces in proptest::collection::vec(0..PIECES.len(), 0..200)) {
        let page: String = pieces.iter().map(|i| PIECES[*i]).collect();
        let article = xinwen_extract::extract(page.as_bytes(), Some("https://example.com/a/b"), None);
        prop_assert!(!article.html.contains("<script"));
    }

    #[test]
    fn truncated_pages_never_panic(cut in 0usize..4000) {
        let page = include_bytes!("fixtures/portal.html");
        let cut = cut.min(page.len());
        let _ = xinwen_extract::extract(&page[..cut], None, Some("utf-8"));
        let gbk = include_bytes!("fixtures/gbk.html");
        let _ = xinwen_extract::extract(&gbk[..cut.min(gbk.len())], None, None);
    }
}

#[test]
fn deeply_nested_markup_does_not_overflow_the_stack() {
    let mut page = String::from("<html><body>");
    // Deeper than any real page. (The HTML parser itself is quadratic in nesting depth,
    // as the standard's scope checks are; 5,000 levels stay well under a second in release.)
    for _ in 0..5_000 {
        page.push_str("<div>");
    }
    page.push_str("<p>很深的一段正文，仍然要能读出来。</p>");
    let article = xinwen_extract::extract(page.as_bytes(), None, None);
    assert!(article.text.contains("很深的一段正文"), "{}", article.text);
}

// The helpers that other crates call on outsiders' text directly (search results turn bodies
// into text with `html_to_text`; a reader's submission reaches it through an editor).
proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn text_helpers_never_panic_on_hostile_text(text in xinwen_test_support::hostile::hostile_text(40)) {
        let plain = xinwen_extract::html_to_text(&text);
        prop_assert!(!plain.contains("<script"));
        let clean = xinwen_extract::sanitize_html(&text);
        prop_assert!(!clean.contains("javascript:"), "{clean}");
        let _ = xinwen_extract::summarize(&text, 20);
        let _ = xinwen_extract::extract_str(&text, Some("https://example.com/a"));
        // A list page's links: whatever the page, only web links on the page's site come out.
        let base = url::Url::parse("https://example.com/list/").unwrap();
        let rules = xinwen_extract::links::LinkRules::default().compile().unwrap();
        let page = xinwen_extract::links::article_links(&text, &base, &rules);
        for link in &page.links {
            prop_assert!(link.url.starts_with("https://example.com/"), "{}", link.url);
        }
        let _ = xinwen_extract::links::declared_feeds(&text, &base);
    }

    #[test]
    fn decoding_never_panics_on_hostile_bytes(bytes in xinwen_test_support::hostile::hostile_bytes(40)) {
        for charset in [None, Some("utf-8"), Some("gbk"), Some("big5"), Some("x-unknown")] {
            let _ = xinwen_extract::charset::decode_html(&bytes, charset);
            let _ = xinwen_extract::extract(&bytes, None, charset);
        }
    }
}

/// The defect that closed connections: an entity-like `&` whose 12-byte window ends inside a
/// Chinese character.
#[test]
fn an_ampersand_before_chinese_is_kept_whole() {
    let text = xinwen_extract::html_to_text("<b>A&B</b>中文标题内容");
    assert_eq!(text, "A&B中文标题内容");
    assert_eq!(
        xinwen_extract::html_to_text("&中文中文中文"),
        "&中文中文中文"
    );
    assert_eq!(xinwen_extract::html_to_text("&amp;中文"), "&中文");
}
