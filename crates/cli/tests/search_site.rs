//! Search, related reading and the script switch on the running demo site, over HTTP.

mod common;

use common::{Server, article_url, get, run_with_data};

fn client() -> reqwest::blocking::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::blocking::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

#[test]
fn search_finds_either_script_marks_words_and_offers_a_feed() {
    let server = Server::demo();
    let (status, page) = get(&format!("{}/search?q=%E5%8F%B0%E9%A3%8E", server.url));
    assert_eq!(status, 200);
    assert!(page.contains("<mark>台风</mark>"), "{page}");
    let count = |page: &str| page.matches("<li class=\"item\">").count();
    let simplified = count(&page);
    assert!(simplified >= 8, "{simplified}");
    let (_, traditional) = get(&format!("{}/search?q=%E9%A2%B1%E9%A2%A8", server.url));
    assert_eq!(
        count(&traditional),
        simplified,
        "颱風 finds what 台风 finds"
    );

    let (status, feed) = get(&format!(
        "{}/search/feed.xml?q=%E5%8F%B0%E9%A3%8E",
        server.url
    ));
    assert_eq!(status, 200);
    assert!(
        feed.starts_with("<?xml") && feed.matches("<item>").count() >= 8,
        "{feed}"
    );

    let (_, nothing) = get(&format!(
        "{}/search?q=%E6%B2%A1%E6%9C%89%E8%BF%99%E4%B8%AA%E8%AF%8D",
        server.url
    ));
    assert!(
        nothing.contains("没有找到") && nothing.contains("最新文章"),
        "a helpful page: {nothing}"
    );
    let (_, help) = get(&format!("{}/search", server.url));
    assert!(help.contains("怎样搜索"));
    let (status, _) = get(&format!("{}/search?q=a&page=zero", server.url));
    assert_eq!(status, 400);
    let (status, odd) = get(&format!(
        "{}/search?q=%22%22%22%20-%20source%3A%20after%3Axx",
        server.url
    ));
    assert_eq!(status, 200, "odd queries are answered, not failed: {odd}");
    let (_, noted) = get(&format!(
        "{}/search?q=after%3Axx%20%E5%8F%B0%E9%A3%8E",
        server.url
    ));
    assert!(
        noted.contains("没有看懂“after:xx”，已忽略") && noted.contains("<mark>"),
        "{noted}"
    );
}

#[test]
fn related_reading_is_on_topic_without_the_algorithms_words_and_never_the_article() {
    let server = Server::demo();
    let article = article_url(&server, "donghai-wanbao", "台风“白鹭”逼近南屿岛");
    // Until the worker has been to the article (the catch-up at start may not reach it on a
    // busy machine), the page offers its channel's newest as suggestions; the close matches
    // follow within the page cache's ten seconds of the worker's answer.
    let has_close_matches = |page: &str| {
        page.find("相关阅读").is_some_and(|at| {
            let section = &page[at..];
            let end = section
                .find("你可能还想看")
                .or_else(|| section.find("</section>"))
                .unwrap_or(section.len());
            section[..end].contains("<li>")
        })
    };
    let started = std::time::Instant::now();
    let page = loop {
        let (_, page) = get(&article);
        if has_close_matches(&page) || started.elapsed() > std::time::Duration::from_secs(60) {
            break page;
        }
        std::thread::sleep(std::time::Duration::from_millis(500));
    };
    let related = &page[page.find("相关阅读").expect("a related section")..];
    let related = &related[..related.find("</section>").expect("the section's end")];
    assert!(!related.contains("共同关键词"), "{related}");
    let own_path = &article[server.url.len()..];
    assert!(
        !related.contains(&format!("href=\"{own_path}\"")),
        "never the article itself"
    );
    // The list itself, item by item: the nearest first, about the same typhoon.
    let list = &related[..related.find("</ul>").expect("a list")];
    let titles: Vec<&str> = list
        .split("<li><a href=\"/article/")
        .skip(1)
        .map(|item| {
            let start = item.find('>').unwrap() + 1;
            &item[start..start + item[start..].find("</a>").unwrap()]
        })
        .collect();
    assert!(titles.len() >= 2, "{titles:?}");
    // Every close match is about the typhoon (the suggestions come after, under their own
    // heading, when the close ones are fewer than five).
    for title in &titles {
        assert!(
            ["台风", "白鹭", "南屿岛", "颱風"]
                .iter()
                .any(|word| title.contains(word)),
            "{titles:?}"
        );
    }
}

#[test]
fn the_script_switch_remembers_the_choice_and_returns_to_the_page() {
    let server = Server::demo();
    let host = server.url.trim_start_matches("http://").to_owned();
    let response = client()
        .get(format!("{}/script/hant", server.url))
        .header("Referer", format!("{}/search?q=x", server.url))
        .header("Host", &host)
        .send()
        .unwrap();
    assert_eq!(response.status().as_u16(), 303);
    assert_eq!(response.headers()["location"], "/search?q=x");
    assert!(
        response.headers()["set-cookie"]
            .to_str()
            .unwrap()
            .starts_with("zh=hant;")
    );
    let response = client()
        .get(format!("{}/script/hans", server.url))
        .header("Referer", "https://elsewhere.example/phish")
        .send()
        .unwrap();
    assert_eq!(
        response.headers()["location"],
        "/",
        "never back to another site"
    );

    let traditional = client()
        .get(format!("{}/", server.url))
        .header("Cookie", "zh=hant")
        .send()
        .unwrap();
    assert_eq!(traditional.headers()["vary"], "Cookie, Accept-Language");
    let body = traditional.text().unwrap();
    assert!(
        body.contains("<html lang=\"zh-Hant\">") && body.contains("國際"),
        "interface converted"
    );
    let by_language = client()
        .get(format!("{}/", server.url))
        .header("Accept-Language", "zh-TW,zh;q=0.9")
        .send()
        .unwrap()
        .text()
        .unwrap();
    assert!(
        by_language.contains("國際"),
        "zh-TW browsers get traditional by default"
    );
    let (_, as_published) = get(&format!("{}/", server.url));
    assert!(as_published.contains("国际"));
}

#[test]
fn reindex_rebuilds_the_index_from_the_store() {
    let temp = tempfile::tempdir().unwrap();
    let data = temp.path().join("data");
    run_with_data(&["demo", "--load-only"], &data);
    let said = run_with_data(&["reindex"], &data);
    assert!(said.contains("Indexed 82 live articles"), "{said}");
}
