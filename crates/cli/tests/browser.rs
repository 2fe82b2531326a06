//! Pages in a real browser (headless Chromium) at phone and desktop widths: the visible parts
//! are there, nothing overflows, nothing fails in the console. Screenshots are saved under
//! `target/test-artifacts/` for people to look at.
//!
//! Needs Debian's `chromium`; the README's test command installs it and sets
//! XINWEN_REQUIRE_BROWSER=1, so that there the test fails instead of skipping.

mod common;

use common::{Server, article_url, artifacts_dir, required};
use serde_json::Value;
use xinwen_test_support::browser::{Browser, Page, find_chromium};

const WIDTHS: [(&str, u32, u32, bool); 2] =
    [("phone", 390, 844, true), ("desktop", 1280, 900, false)];

fn browser() -> Option<Browser> {
    match find_chromium() {
        Some(path) => Some(Browser::launch(&path).expect("Chromium starts")),
        None if required("XINWEN_REQUIRE_BROWSER") => {
            panic!("XINWEN_REQUIRE_BROWSER=1 but no chromium on PATH")
        }
        None => {
            eprintln!("SKIPPED: no chromium on PATH (the README's test command installs it)");
            None
        }
    }
}

fn js(browser: &mut Browser, page: &Page, expression: &str) -> Value {
    browser
        .eval(page, expression)
        .unwrap_or_else(|e| panic!("{e}"))
}

fn assert_clean(browser: &mut Browser, page: &Page, what: &str) {
    let errors = browser.errors(page);
    assert!(errors.is_empty(), "{what}: console errors: {errors:#?}");
    let overflow = js(
        browser,
        page,
        "document.documentElement.scrollWidth - document.documentElement.clientWidth",
    );
    assert_eq!(overflow.as_i64(), Some(0), "{what} scrolls sideways");
    let broken = js(
        browser,
        page,
        // Lazy images below the fold have not been asked for yet; any image that was is loaded.
        "[...document.images].filter(i => (i.complete && i.naturalWidth === 0) || (!i.complete && i.loading !== 'lazy')).map(i => i.src)",
    );
    assert_eq!(
        broken,
        Value::Array(vec![]),
        "{what}: images that did not load"
    );
}

#[test]
fn home_and_article_pages_at_phone_and_desktop_widths() {
    let Some(mut browser) = browser() else { return };
    let server = Server::demo();
    let article = article_url(&server, "donghai-wanbao", "台风“白鹭”逼近南屿岛");
    let wechat = article_url(&server, "shuma-qianyan", "晨曦三号升空！");
    for (name, width, height, mobile) in WIDTHS {
        let page = browser.new_page(width, height, mobile).unwrap();

        browser.goto(&page, &format!("{}/", server.url)).unwrap();
        assert_clean(&mut browser, &page, &format!("home at {name}"));
        let items = js(
            &mut browser,
            &page,
            "document.querySelectorAll('.latest .item').length",
        );
        assert_eq!(items.as_u64(), Some(20));
        let visible_titles = js(
            &mut browser,
            &page,
            "[...document.querySelectorAll('.item-title')].filter(t => t.offsetHeight > 0).length",
        );
        assert_eq!(visible_titles.as_u64(), Some(20));
        let nav = js(
            &mut browser,
            &page,
            "document.querySelector('nav.channel-nav').innerText",
        );
        assert!(nav.as_str().unwrap().contains("公众号新闻"));
        browser
            .screenshot(&page, &artifacts_dir().join(format!("home-{name}.png")))
            .unwrap();

        browser.goto(&page, &article).unwrap();
        assert_clean(&mut browser, &page, &format!("article at {name}"));
        let title = "台风“白鹭”逼近南屿岛 渡轮今起全线停航";
        let h1 = js(
            &mut browser,
            &page,
            "[...document.querySelectorAll('h1')].map(h => h.innerText)",
        );
        assert_eq!(h1, serde_json::json!([title]), "one heading, the title");
        let times = js(
            &mut browser,
            &page,
            &format!("document.body.innerText.split({title:?}).length - 1"),
        );
        assert_eq!(times.as_u64(), Some(1), "the title shows exactly once");
        let byline = js(
            &mut browser,
            &page,
            "document.querySelector('.byline').innerText",
        );
        let byline = byline.as_str().unwrap();
        assert!(
            byline.contains("文 吴海涛")
                && byline.contains("东海晚报")
                && byline.contains("2026年11月07日 09:20"),
            "{byline}"
        );
        let caption = js(
            &mut browser,
            &page,
            "(() => { const c = document.querySelector('figure figcaption'); return c.offsetHeight > 0 ? c.innerText : ''; })()",
        );
        assert_eq!(
            caption.as_str(),
            Some("台风“白鹭”预报路径。图片来源：市气象台")
        );
        let original = js(
            &mut browser,
            &page,
            "document.querySelector('.source-line a.original').href",
        );
        assert_eq!(
            original.as_str(),
            Some("https://donghai-wanbao.example/news/20261107/typhoon-bailu")
        );
        let image_fits = js(
            &mut browser,
            &page,
            "(() => { const i = document.querySelector('.article-body img'); return i.getBoundingClientRect().width <= document.documentElement.clientWidth; })()",
        );
        assert_eq!(image_fits, Value::Bool(true));
        browser
            .screenshot(&page, &artifacts_dir().join(format!("article-{name}.png")))
            .unwrap();

        browser.goto(&page, &wechat).unwrap();
        assert_clean(&mut browser, &page, &format!("WeChat article at {name}"));
        let follow = js(
            &mut browser,
            &page,
            "document.querySelector('.follow').innerText",
        );
        assert!(
            follow
                .as_str()
                .unwrap()
                .contains("微信扫码关注该文公众号作者")
        );
        let qr = js(
            &mut browser,
            &page,
            "document.querySelector('.follow img.qr').naturalWidth > 0",
        );
        assert_eq!(qr, Value::Bool(true));
    }
}

#[test]
fn the_not_found_page_is_styled_and_clean() {
    let Some(mut browser) = browser() else { return };
    let server = Server::demo();
    let page = browser.new_page(390, 844, true).unwrap();
    browser
        .goto(&page, &format!("{}/no/such/page", server.url))
        .unwrap();
    let heading = js(
        &mut browser,
        &page,
        "document.querySelector('h1').innerText",
    );
    assert_eq!(heading.as_str(), Some("页面不存在"));
    // The 404 status itself is logged by Chromium as a failed load; nothing else may be.
    let errors: Vec<_> = browser
        .errors(&page)
        .into_iter()
        .filter(|e| !e.contains("404"))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
}

#[test]
fn search_and_the_script_switch_in_a_browser() {
    let Some(mut browser) = browser() else { return };
    let server = Server::demo();
    for (name, width, height, mobile) in WIDTHS {
        let page = browser.new_page(width, height, mobile).unwrap();
        browser.goto(&page, &format!("{}/", server.url)).unwrap();
        // A reader types a traditional query into the header's search box.
        browser
            .navigate_by(
                &page,
                "document.querySelector('.header-search input').value = '颱風'; document.querySelector('.header-search').submit()",
            )
            .unwrap();
        assert_clean(&mut browser, &page, &format!("search at {name}"));
        let results = js(
            &mut browser,
            &page,
            "document.querySelectorAll('.search-results .item').length",
        );
        assert!(results.as_u64().unwrap() >= 5, "{results}");
        let marked = js(
            &mut browser,
            &page,
            "[...document.querySelectorAll('.search-results mark')].map(m => m.innerText)",
        );
        let marked: Vec<String> = serde_json::from_value(marked).unwrap();
        assert!(
            !marked.is_empty() && marked.iter().all(|m| m == "台风" || m == "颱風"),
            "{marked:?}"
        );
        browser
            .screenshot(&page, &artifacts_dir().join(format!("search-{name}.png")))
            .unwrap();

        // 繁體: the same page again, the whole site in traditional characters.
        browser
            .navigate_by(
                &page,
                "document.querySelector('.script-switch a[hreflang=\"zh-Hant\"]').click()",
            )
            .unwrap();
        assert_clean(
            &mut browser,
            &page,
            &format!("traditional search at {name}"),
        );
        let state = js(
            &mut browser,
            &page,
            "[location.pathname, document.documentElement.lang, document.querySelector('h1').innerText, document.querySelector('nav.channel-nav').innerText]",
        );
        assert_eq!(state[0], "/search", "back on the page the reader was on");
        assert_eq!(state[1], "zh-Hant");
        assert!(
            state[2].as_str().unwrap().contains("「颱風」的搜索結果"),
            "{state}"
        );
        assert!(
            state[3].as_str().unwrap().contains("國際"),
            "the interface too: {state}"
        );
        browser.goto(&page, &format!("{}/", server.url)).unwrap();
        let home = js(&mut browser, &page, "document.body.innerText");
        assert!(
            home.as_str().unwrap().contains("颱風"),
            "the choice is kept across pages"
        );
        browser
            .screenshot(
                &page,
                &artifacts_dir().join(format!("home-traditional-{name}.png")),
            )
            .unwrap();

        // And back to 简体.
        browser
            .navigate_by(
                &page,
                "document.querySelector('.script-switch a[hreflang=\"zh-Hans\"]').click()",
            )
            .unwrap();
        let lang = js(
            &mut browser,
            &page,
            "[document.documentElement.lang, document.body.innerText.includes('颱風')]",
        );
        assert_eq!(lang, serde_json::json!(["zh-CN", false]));
    }
}
