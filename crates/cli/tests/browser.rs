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
    let repost = article_url(&server, "rebo-kuaixun", "紧急扩散！台风“白鹭”逼近南屿岛");
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
        let h1 = js(
            &mut browser,
            &page,
            "document.querySelectorAll('h1').length",
        );
        assert_eq!(h1.as_u64(), Some(1), "the home page has its one heading");
        // Thumbnails offer the proxy's small copies and load only when near.
        let thumbs = js(
            &mut browser,
            &page,
            "[...document.querySelectorAll('.item .thumb img')].map(i => [i.srcset.includes('?w=240 240w'), i.loading])",
        );
        let thumbs = thumbs.as_array().unwrap();
        assert!(!thumbs.is_empty());
        assert!(
            thumbs
                .iter()
                .all(|t| t == &serde_json::json!([true, "lazy"])),
            "{thumbs:?}"
        );
        // Where each part of the home page sits: [left, top, width] of 热点, the latest
        // articles and the channel sections.
        let boxes = js(
            &mut browser,
            &page,
            "['.hot', '.latest', '.sections'].map(s => { const r = document.querySelector(s).getBoundingClientRect(); return [r.left, r.top + scrollY, r.width]; })",
        );
        let at = |part: usize, field: usize| boxes[part][field].as_f64().unwrap();
        let (hot, latest, sections) = (0, 1, 2);
        if name == "desktop" {
            // The latest articles in the wide column, 热点 heading the side column at the same
            // height, the channels under it.
            assert!(at(latest, 2) > 1.5 * at(hot, 2), "{boxes}");
            assert!(at(latest, 0) < at(hot, 0), "{boxes}");
            assert!((at(latest, 1) - at(hot, 1)).abs() < 2.0, "{boxes}");
            assert!((at(sections, 0) - at(hot, 0)).abs() < 2.0, "{boxes}");
            assert!(at(sections, 1) > at(hot, 1), "{boxes}");
        } else {
            // One column in reading order: 热点, the latest, the channels.
            assert!(
                at(hot, 1) < at(latest, 1) && at(latest, 1) < at(sections, 1),
                "{boxes}"
            );
        }
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
        let body_image = js(
            &mut browser,
            &page,
            "(() => { const i = document.querySelector('.article-body img'); return [i.srcset.includes('?w=960 960w'), i.loading, i.complete && i.naturalWidth > 0]; })()",
        );
        assert_eq!(body_image, serde_json::json!([true, "lazy", true]));
        browser
            .screenshot(&page, &artifacts_dir().join(format!("article-{name}.png")))
            .unwrap();

        // A repost names the publication it credits, and the account that carried it.
        browser.goto(&page, &repost).unwrap();
        assert_clean(&mut browser, &page, &format!("repost at {name}"));
        let credit = js(
            &mut browser,
            &page,
            "document.querySelector('.source-line').innerText",
        );
        assert!(
            credit
                .as_str()
                .unwrap()
                .starts_with("来源｜东海晚报（热播快讯转载） · 阅读原文"),
            "{credit}"
        );
        let byline = js(
            &mut browser,
            &page,
            "document.querySelector('.byline').innerText",
        );
        assert!(byline.as_str().unwrap().contains("文 吴海涛"), "{byline}");
        // Something to read next, every item on screen within the page's width.
        let related = js(
            &mut browser,
            &page,
            "[...document.querySelectorAll('.related li')].filter(li => li.offsetHeight > 0 && li.getBoundingClientRect().right <= document.documentElement.clientWidth).length",
        );
        assert!(related.as_u64().unwrap() >= 5, "{related}");

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
        // The switch says which script this is, and the text is in a traditional font.
        let current = js(
            &mut browser,
            &page,
            "[document.querySelector('.script-switch [aria-current]').innerText, getComputedStyle(document.body).fontFamily]",
        );
        assert_eq!(current[0], "繁體", "{current}");
        assert!(current[1].as_str().unwrap().contains("TC"), "{current}");
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

fn log_in(browser: &mut Browser, page: &Page, server: &Server, name: &str, password: &str) {
    browser
        .goto(page, &format!("{}/admin/login", server.url))
        .unwrap();
    browser
        .navigate_by(
            page,
            &format!(
                "document.querySelector('#username').value = '{name}'; document.querySelector('#password').value = '{password}'; document.querySelector('#login-form').submit()"
            ),
        )
        .unwrap();
    let path = js(browser, page, "location.pathname");
    assert_eq!(path, "/admin", "logged in");
}

fn text_of(browser: &mut Browser, page: &Page, selector: &str) -> String {
    js(
        browser,
        page,
        &format!("document.querySelector('{selector}')?.innerText ?? ''"),
    )
    .as_str()
    .unwrap_or_default()
    .to_owned()
}

#[test]
fn a_reader_tip_is_submitted_approved_and_published() {
    let Some(mut browser) = browser() else { return };
    let server = Server::demo();
    common::add_user(
        &server.data_dir,
        "editor1",
        "editor",
        "a long editor password",
    );
    let page = browser.new_page(390, 844, true).unwrap();
    // From an article, as the reference page invites.
    let article = article_url(&server, "xinghe-ribao", "寒潮");
    browser.goto(&page, &article).unwrap();
    browser
        .navigate_by(&page, "document.querySelector('.submit-link').click()")
        .unwrap();
    assert_clean(&mut browser, &page, "the submission form");
    browser
        .navigate_by(
            &page,
            "document.querySelector('#tip-body').value = '青澜市东湖公园的樱花今天提前开放，游客很多。\\n\\n现场有志愿者引导。'; document.querySelector('#tip-url').value = 'https://photos.example/donghu'; document.querySelector('#tip-form').submit()",
        )
        .unwrap();
    let receipt = text_of(&mut browser, &page, "#receipt");
    assert!(receipt.starts_with("S-"), "a receipt: {receipt:?}");
    // Reloading the receipt shows it again and sends nothing (one pending submission below).
    browser.navigate_by(&page, "location.reload()").unwrap();
    assert_eq!(text_of(&mut browser, &page, "#receipt"), receipt);

    let admin = browser.new_page(1280, 900, false).unwrap();
    log_in(
        &mut browser,
        &admin,
        &server,
        "editor1",
        "a long editor password",
    );
    assert_eq!(text_of(&mut browser, &admin, "#pending-submissions"), "1");
    browser
        .navigate_by(
            &admin,
            "document.querySelector('#pending-submissions').closest('a').click()",
        )
        .unwrap();
    browser
        .navigate_by(
            &admin,
            "document.querySelector('#submissions tbody a').click()",
        )
        .unwrap();
    assert_clean(&mut browser, &admin, "the submission in the admin");
    assert!(text_of(&mut browser, &admin, "#submission-body").contains("樱花今天提前开放"));
    browser
        .navigate_by(
            &admin,
            "document.querySelector('#p-title').value = '东湖公园樱花提前开放'; document.querySelector('#approve-form').submit()",
        )
        .unwrap();
    assert!(text_of(&mut browser, &admin, ".notice").contains("已采用并发布"));
    browser
        .screenshot(
            &admin,
            &artifacts_dir().join("admin-submission-approved.png"),
        )
        .unwrap();
    browser
        .navigate_by(
            &admin,
            "document.querySelector('#published-article').click()",
        )
        .unwrap();
    assert_clean(&mut browser, &admin, "the published tip");
    assert_eq!(
        text_of(&mut browser, &admin, "#article-title"),
        "东湖公园樱花提前开放"
    );
    assert!(text_of(&mut browser, &admin, ".article-body").contains("现场有志愿者引导"));
    assert!(text_of(&mut browser, &admin, ".byline").contains("读者投稿"));

    browser
        .goto(
            &page,
            &format!("{}/submit/status?receipt={receipt}", server.url),
        )
        .unwrap();
    assert_eq!(text_of(&mut browser, &page, "#status-label"), "已采用");
    browser
        .goto(&page, &format!("{}/channel/tougao", server.url))
        .unwrap();
    assert!(text_of(&mut browser, &page, "main").contains("东湖公园樱花提前开放"));
}

/// The ids of articles in the `related` section of an article page.
fn related_ids(html: &str) -> Vec<String> {
    let Some(start) = html.find("class=\"related\"") else {
        return Vec::new();
    };
    html[start..]
        .split("href=\"/article/")
        .skip(1)
        .map(|rest| rest[..rest.find('"').unwrap()].to_owned())
        .collect()
}

#[test]
fn a_takedown_is_requested_approved_and_the_article_is_gone_everywhere() {
    let Some(mut browser) = browser() else { return };
    let server = Server::demo();
    common::add_user(
        &server.data_dir,
        "editor1",
        "editor",
        "a long editor password",
    );
    // An article some other article recommends, so that related reading is put to the test.
    let (_, home) = common::get(&format!("{}/", server.url));
    let listed: Vec<String> = home
        .split("href=\"/article/")
        .skip(1)
        .map(|rest| rest[..rest.find('"').unwrap()].to_owned())
        .collect();
    let mut recommended_by: Vec<(String, String)> = Vec::new();
    for id in &listed {
        let (_, html) = common::get(&format!("{}/article/{id}", server.url));
        for other in related_ids(&html) {
            recommended_by.push((id.clone(), other));
        }
    }
    let (_, target) = recommended_by
        .first()
        .cloned()
        .expect("some related reading");
    let recommenders: Vec<String> = recommended_by
        .iter()
        .filter(|(_, t)| *t == target)
        .map(|(by, _)| by.clone())
        .collect();
    let target_url = format!("{}/article/{target}", server.url);
    let (_, html) = common::get(&target_url);
    let title_start = html.find("id=\"article-title\">").unwrap() + "id=\"article-title\">".len();
    let title = html[title_start..title_start + html[title_start..].find('<').unwrap()].to_owned();
    let query: String = title.chars().take(6).collect();
    let search_url = format!(
        "{}/search?q={}",
        server.url,
        url::form_urlencoded::byte_serialize(query.as_bytes()).collect::<String>()
    );
    assert!(
        common::get(&search_url)
            .1
            .contains(&format!("/article/{target}\""))
    );

    // The rights holder reports it from the article page.
    let page = browser.new_page(390, 844, true).unwrap();
    browser.goto(&page, &target_url).unwrap();
    browser
        .navigate_by(&page, "document.querySelector('.report-link').click()")
        .unwrap();
    assert_clean(&mut browser, &page, "the takedown form");
    let prefilled = js(
        &mut browser,
        &page,
        "document.querySelector('#td-pages').value",
    );
    assert!(
        prefilled
            .as_str()
            .unwrap()
            .ends_with(&format!("/article/{target}"))
    );
    browser
        .navigate_by(
            &page,
            "document.querySelector('#td-claimant').value = '星河日报社法务部'; document.querySelector('#td-contact').value = 'legal@xinghe.example'; document.querySelector('#td-work').value = '本社记者采写的原创报道'; document.querySelector('#td-statement').value = '本社为著作权人，未授权转载。'; document.querySelector('input[name=confirm]').checked = true; document.querySelector('#takedown-form').submit()",
        )
        .unwrap();
    let receipt = text_of(&mut browser, &page, "#receipt");
    assert!(receipt.starts_with("T-"), "a receipt: {receipt:?}");

    // An editor approves it.
    let admin = browser.new_page(1280, 900, false).unwrap();
    log_in(
        &mut browser,
        &admin,
        &server,
        "editor1",
        "a long editor password",
    );
    browser
        .goto(&admin, &format!("{}/admin/takedowns", server.url))
        .unwrap();
    browser
        .navigate_by(
            &admin,
            "document.querySelector('#takedowns tbody a').click()",
        )
        .unwrap();
    assert_clean(&mut browser, &admin, "the takedown in the admin");
    let checked = js(
        &mut browser,
        &admin,
        "[...document.querySelectorAll('input[name=article]:checked')].map(i => i.value)",
    );
    assert_eq!(checked, serde_json::json!([target]));
    // 批准并删除 is not sent until the editor ticks that the claim was checked.
    let valid = js(
        &mut browser,
        &admin,
        "document.querySelector('#approve-takedown').checkValidity()",
    );
    assert_eq!(valid, serde_json::json!(false));
    browser
        .navigate_by(
            &admin,
            "document.querySelector('#approve-confirm').checked = true; document.querySelector('#approve-takedown').submit()",
        )
        .unwrap();
    assert!(text_of(&mut browser, &admin, ".notice").contains("已从全站删除"));

    // Gone: 410 with a notice, and out of search, feeds, the sitemap and related reading.
    let (status, gone) = common::get(&target_url);
    assert_eq!(status, 410);
    assert!(gone.contains("应权利人要求") && gone.contains(&receipt));
    browser.goto(&page, &target_url).unwrap();
    assert!(text_of(&mut browser, &page, "main").contains("应权利人要求"));
    browser.goto(&page, &search_url).unwrap();
    let hits = js(
        &mut browser,
        &page,
        &format!(
            "document.querySelectorAll('.search-results a[href=\"/article/{target}\"]').length"
        ),
    );
    assert_eq!(hits, 0);
    for feed in ["/feed.xml", "/atom.xml", "/sitemap.xml", "/hot/feed.xml"] {
        let (_, body) = common::get(&format!("{}{feed}", server.url));
        assert!(
            !body.contains(&format!("/article/{target}<")) && !body.contains(&title),
            "{feed}"
        );
    }
    for by in &recommenders {
        let (_, html) = common::get(&format!("{}/article/{by}", server.url));
        assert!(
            !related_ids(&html).contains(&target),
            "article {by} still recommends it"
        );
    }
    browser
        .goto(
            &page,
            &format!("{}/takedown/status?receipt={receipt}", server.url),
        )
        .unwrap();
    assert_eq!(
        text_of(&mut browser, &page, "#status-label"),
        "已删除相关文章"
    );
    browser
        .goto(&page, &format!("{}/transparency", server.url))
        .unwrap();
    assert_clean(&mut browser, &page, "the transparency page");
    // Received, approved, rejected, articles removed, submissions received, published.
    let totals = js(
        &mut browser,
        &page,
        "[...document.querySelectorAll('tfoot td')].map(td => td.innerText)",
    );
    assert_eq!(totals, serde_json::json!(["1", "1", "0", "1", "0", "0"]));
}

/// A publisher's feed whose links run script: one entry's link, the feed's own site link, and
/// a link inside an entry's body.
fn hostile_feed(origin: std::net::SocketAddr) -> String {
    let body = "<p>青澜市南湖区今天举行了一场社区运动会，来自十二个街道的居民参加了拔河、跳绳和接力跑等项目。</p>\
        <p>组织者说，今年报名的人数比去年多了一倍，很多家庭是全家一起参加的。</p>\
        <p>运动会结束后，主办方还为参加比赛的老人和孩子准备了纪念品。<a href=\"javascript:window.name='pwned-body'\">点此领取</a></p>";
    format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\
         <rss version=\"2.0\" xmlns:content=\"http://purl.org/rss/1.0/modules/content/\"><channel>\
         <title>可疑来源</title><link>javascript:window.name='pwned-site'</link>\
         <item><title>带脚本链接的条目</title><guid>hostile-1</guid>\
         <link>javascript:window.name='pwned';void(0)</link>\
         <content:encoded><![CDATA[{body}]]></content:encoded></item>\
         <item><title>南湖社区运动会举行</title><guid>hostile-2</guid>\
         <link>http://{origin}/news/sports.html</link>\
         <content:encoded><![CDATA[{body}]]></content:encoded></item>\
         </channel></rss>"
    )
}

#[test]
fn a_hostile_feeds_script_links_run_nothing_for_a_logged_in_editor() {
    let Some(mut browser) = browser() else { return };
    let server = Server::demo();
    common::add_user(
        &server.data_dir,
        "editor2",
        "editor",
        "a long editor password",
    );
    // The feed names a page on another origin, which serves nothing: the feed's text is whole.
    let elsewhere = common::origin(Vec::new());
    let feed = hostile_feed(elsewhere);
    let origin = common::origin(vec![("/feed.xml", "application/rss+xml", feed)]);
    let feed_url = format!("http://{origin}/feed.xml");
    let xinwen = |args: &[&str]| {
        let out = std::process::Command::new(common::BINARY)
            .args(args)
            .arg("--data")
            .arg(&server.data_dir)
            .env("XINWEN_LOG", "error")
            .env("XINWEN_FETCH_ALLOW", "127.0.0.1")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "xinwen {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    xinwen(&[
        "source",
        "add",
        &feed_url,
        "--name",
        "可疑来源",
        "--slug",
        "hostile",
        "--channel",
        "shehui",
    ]);
    xinwen(&["fetch", "--once", "--source", "hostile"]);
    // The entry whose only link runs script is not taken: it has no original to credit.
    let (_, listing) = common::get(&format!("{}/source/hostile", server.url));
    assert!(listing.contains("南湖社区运动会举行"), "{listing}");
    assert!(!listing.contains("带脚本链接的条目"), "{listing}");
    assert!(!listing.contains("javascript:"), "{listing}");

    // A row as an older version could have written it, with the script as its original link:
    // printing checks the link again.
    let db = server.data_dir.join("xinwen.db");
    tokio::runtime::Runtime::new().unwrap().block_on(async {
        use sqlx::ConnectOptions as _;
        let mut connection = sqlx::sqlite::SqliteConnectOptions::new()
            .filename(&db)
            .connect()
            .await
            .unwrap();
        let done = sqlx::query("UPDATE articles SET original_url = ? WHERE title = ?")
            .bind("javascript:window.name='pwned';void(0)")
            .bind("南湖社区运动会举行")
            .execute(&mut connection)
            .await
            .unwrap();
        assert_eq!(done.rows_affected(), 1);
    });

    let page = browser.new_page(1280, 900, false).unwrap();
    log_in(
        &mut browser,
        &page,
        &server,
        "editor2",
        "a long editor password",
    );
    let article = article_url(&server, "hostile", "南湖社区运动会举行");
    browser.goto(&page, &article).unwrap();
    let links = js(
        &mut browser,
        &page,
        "[...document.querySelectorAll('a')].map(a => a.getAttribute('href')).filter(h => /script:/i.test(h ?? ''))",
    );
    assert_eq!(links, serde_json::json!([]), "no link runs script");
    let original = js(
        &mut browser,
        &page,
        "document.querySelector('a.original').getAttribute('href')",
    );
    assert_eq!(original, "#");
    // Clicked by the editor: nothing runs. Even a script URL forced on the page is refused by
    // its Content-Security-Policy.
    let name = js(
        &mut browser,
        &page,
        "new Promise(done => { window.name = 'clean'; addEventListener('hashchange', () => done(window.name), {once: true}); document.querySelector('a.original').click(); })",
    );
    assert_eq!(name, "clean");
    let forced = js(
        &mut browser,
        &page,
        "new Promise(done => { const a = document.createElement('a'); a.href = \"javascript:window.name='pwned'\"; document.body.append(a); addEventListener('securitypolicyviolation', e => done(e.violatedDirective), {once: true}); a.click(); })",
    );
    assert!(
        forced.as_str().is_some_and(|d| d.starts_with("script-src")),
        "{forced}"
    );
    assert_eq!(js(&mut browser, &page, "window.name"), "clean");
    // The editor's session did nothing it was not asked to: the article is still live.
    assert_eq!(common::get(&article).0, 200);
}

#[test]
fn the_admin_on_a_phone_and_the_site_in_dark_mode() {
    let Some(mut browser) = browser() else { return };
    let server = Server::demo();
    common::add_user(&server.data_dir, "chief", "admin", "a long chief password");
    let phone = browser.new_page(390, 844, true).unwrap();
    log_in(
        &mut browser,
        &phone,
        &server,
        "chief",
        "a long chief password",
    );
    for path in [
        "/admin",
        "/admin/sources",
        "/admin/articles",
        "/admin/submissions",
        "/admin/takedowns",
        "/admin/audit",
        "/admin/users",
        "/admin/sources/1",
    ] {
        browser
            .goto(&phone, &format!("{}{path}", server.url))
            .unwrap();
        assert_clean(&mut browser, &phone, &format!("{path} at 390 px"));
    }
    browser
        .goto(&phone, &format!("{}/admin/sources", server.url))
        .unwrap();
    browser
        .screenshot(&phone, &artifacts_dir().join("admin-sources-phone.png"))
        .unwrap();
    // Each source is a card: its cells stacked and labelled.
    let cell = js(
        &mut browser,
        &phone,
        "(() => { const td = document.querySelector('#sources tbody td'); return [getComputedStyle(td).display, getComputedStyle(td, '::before').content]; })()",
    );
    assert_eq!(cell, serde_json::json!(["block", "\"来源：\""]));
    // Deleting a source asks for a box to be ticked first.
    browser
        .goto(&phone, &format!("{}/admin/sources/1", server.url))
        .unwrap();
    let valid = js(
        &mut browser,
        &phone,
        "document.querySelector('#delete-source').checkValidity()",
    );
    assert_eq!(valid, serde_json::json!(false));

    // On a desktop (the same browser, so the same session), dates stay on one line.
    let desktop = browser.new_page(1280, 900, false).unwrap();
    for path in ["/admin/sources", "/admin/articles", "/admin/audit"] {
        browser
            .goto(&desktop, &format!("{}{path}", server.url))
            .unwrap();
        assert_clean(&mut browser, &desktop, &format!("{path} at 1280 px"));
        let wrapped = js(
            &mut browser,
            &desktop,
            "[...document.querySelectorAll('.admin-table td.when')].filter(td => { const r = document.createRange(); r.selectNodeContents(td); return td.textContent.trim() && r.getClientRects().length > 1; }).map(td => td.textContent)",
        );
        assert_eq!(wrapped, serde_json::json!([]), "{path}: dates that wrap");
    }
    // The dashboard's charts, drawn by the server: the demo's fetches are in them.
    browser
        .goto(&desktop, &format!("{}/admin", server.url))
        .unwrap();
    let bars = js(
        &mut browser,
        &desktop,
        "document.querySelectorAll('#chart-fetches rect').length",
    );
    assert!(bars.as_i64().unwrap_or(0) >= 1, "{bars}");
    browser
        .screenshot(
            &desktop,
            &artifacts_dir().join("admin-dashboard-desktop.png"),
        )
        .unwrap();
    browser
        .goto(&phone, &format!("{}/admin", server.url))
        .unwrap();
    browser
        .screenshot(&phone, &artifacts_dir().join("admin-dashboard-phone.png"))
        .unwrap();

    // Dark mode: light text on a dark page, for readers and editors alike.
    let dark = browser.new_page(390, 844, true).unwrap();
    browser.prefer_dark(&dark, true).unwrap();
    let article = article_url(&server, "xinghe-ribao", "寒潮");
    for url in [format!("{}/", server.url), article] {
        browser.goto(&dark, &url).unwrap();
        assert_clean(&mut browser, &dark, &format!("{url} in dark mode"));
        let colours = js(
            &mut browser,
            &dark,
            "[getComputedStyle(document.documentElement).backgroundColor, getComputedStyle(document.body).color]",
        );
        let luminance = |css: &Value| -> u32 {
            css.as_str()
                .unwrap()
                .trim_start_matches("rgb(")
                .trim_end_matches(')')
                .split(',')
                .map(|c| c.trim().parse::<u32>().unwrap())
                .sum()
        };
        assert!(
            luminance(&colours[0]) < 120 && luminance(&colours[1]) > 550,
            "{url}: {colours}"
        );
    }
    browser
        .screenshot(&dark, &artifacts_dir().join("article-dark-phone.png"))
        .unwrap();
}
