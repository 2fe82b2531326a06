//! What the site tells browsers, feed readers and caches, through the router over the demo
//! corpus: JSON Feeds beside RSS and Atom, lifetimes and tags with 304 answers, compression.

mod common;

use axum::http::{HeaderMap, Method, StatusCode, header};
use common::Site;
use std::io::Read;

async fn demo_site() -> Site {
    common::demo_site(
        |corpus| {
            // One repost that credits the paper it came from, as ingest records it.
            if let Some(repost) = corpus
                .articles
                .iter_mut()
                .find(|a| a.source_slug == "rebo-kuaixun")
            {
                repost.credited_source = Some("东海晚报".into());
            }
            // One article of this hour, for the news sitemap's two days.
            corpus.articles[0].published_at = chrono::Utc::now();
        },
        |_| {},
    )
    .await
}

async fn ask(site: &Site, uri: &str, headers: &[(&str, &str)]) -> (StatusCode, HeaderMap, Vec<u8>) {
    common::call(site, Method::GET, uri, headers).await
}

fn header(headers: &HeaderMap, name: header::HeaderName) -> &str {
    headers
        .get(name)
        .map(|v| v.to_str().unwrap())
        .unwrap_or_default()
}

fn varies_by(headers: &HeaderMap, name: &str) -> bool {
    headers
        .get_all(header::VARY)
        .iter()
        .flat_map(|v| v.to_str().unwrap().split(','))
        .any(|v| v.trim().eq_ignore_ascii_case(name))
}

#[tokio::test]
async fn every_list_has_a_json_feed_that_a_feed_reader_reads() {
    let site = demo_site().await;
    let (_, _, home) = ask(&site, "/", &[]).await;
    let home = String::from_utf8(home).unwrap();
    assert!(
        home.contains(r#"<link rel="alternate" type="application/feed+json" title="新闻 xinwen JSON Feed" href="/feed.json">"#),
        "the home page advertises its JSON Feed"
    );
    for path in [
        "/feed.json",
        "/channel/keji/feed.json",
        "/source/rebo-kuaixun/feed.json",
        "/hot/feed.json",
        "/search/feed.json?q=%E5%8F%B0%E9%A3%8E",
    ] {
        let (status, headers, body) = ask(&site, path, &[]).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert_eq!(
            header(&headers, header::CONTENT_TYPE),
            "application/feed+json; charset=utf-8"
        );
        let json: serde_json::Value = serde_json::from_slice(&body).expect(path);
        assert_eq!(json["version"], "https://jsonfeed.org/version/1.1");
        assert_eq!(
            json["feed_url"].as_str().unwrap(),
            format!("https://news.example{path}")
        );
        // Read back by the parser xinwen follows other sites' feeds with.
        let feed = xinwen_feed::parse(&body, None, None).expect(path);
        assert_eq!(feed.format, "json", "{path}");
        // 热点 holds stories of the last days, which the demo's fixed dates may be past.
        assert!(
            path == "/hot/feed.json" || !feed.entries.is_empty(),
            "{path}"
        );
        for entry in &feed.entries {
            let url = entry.url.as_deref().unwrap();
            assert!(url.starts_with("https://news.example/article/"), "{url}");
            let content = entry.content.as_deref().unwrap();
            assert!(
                content.contains("来源："),
                "the credit travels with the item"
            );
            assert!(
                !content.contains("src=\"/media"),
                "relative image in a feed"
            );
            assert!(entry.published.is_some());
        }
    }
    // The repost names the publication it credits, and every item its source.
    let (_, _, body) = ask(&site, "/source/rebo-kuaixun/feed.json", &[]).await;
    let json: serde_json::Value = serde_json::from_slice(&body).unwrap();
    let items = json["items"].as_array().unwrap();
    assert!(items.iter().all(|i| i["_xinwen"]["source"] == "热播快讯"));
    assert!(
        items
            .iter()
            .any(|i| i["_xinwen"]["credited_source"] == "东海晚报"),
        "{items:#?}"
    );
}

#[tokio::test]
async fn pages_and_feeds_carry_a_lifetime_and_a_tag_and_an_unchanged_one_is_a_304() {
    let site = demo_site().await;
    for (path, lifetime) in [
        ("/", "public, max-age=60"),
        ("/channel/keji", "public, max-age=60"),
        ("/feed.xml", "public, max-age=300"),
        ("/channel/keji/atom.xml", "public, max-age=300"),
        ("/feed.json", "public, max-age=300"),
        ("/sitemap.xml", "public, max-age=3600"),
    ] {
        let (status, headers, body) = ask(&site, path, &[]).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert_eq!(header(&headers, header::CACHE_CONTROL), lifetime, "{path}");
        let etag = header(&headers, header::ETAG).to_owned();
        assert!(etag.starts_with("W/\""), "{path}: {etag:?}");

        let (status, again, empty) = ask(&site, path, &[("if-none-match", &etag)]).await;
        assert_eq!(status, StatusCode::NOT_MODIFIED, "{path}");
        assert!(empty.is_empty());
        assert_eq!(header(&again, header::ETAG), etag);
        assert_eq!(header(&again, header::CACHE_CONTROL), lifetime);

        // A tag of another version gets the whole response.
        let (status, _, whole) = ask(&site, path, &[("if-none-match", "W/\"0-0\"")]).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(whole, body);
    }
}

#[tokio::test]
async fn the_script_a_reader_chose_has_its_own_tag_and_private_pages_none() {
    let site = demo_site().await;
    let (_, simplified, _) = ask(&site, "/", &[]).await;
    let (status, traditional, body) = ask(&site, "/", &[("accept-language", "zh-TW")]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(String::from_utf8(body).unwrap().contains("熱點"));
    assert_ne!(
        header(&simplified, header::ETAG),
        header(&traditional, header::ETAG),
        "a cache must not answer a 繁體 reader's revalidation with the 简体 page"
    );
    assert!(varies_by(&traditional, "cookie"));

    for path in ["/submit", "/takedown", "/admin/login"] {
        let (status, headers, _) = ask(&site, path, &[]).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert_eq!(
            header(&headers, header::CACHE_CONTROL),
            "no-store",
            "{path}"
        );
        assert!(headers.get(header::ETAG).is_none(), "{path}");
    }
}

#[tokio::test]
async fn pages_and_feeds_are_compressed_for_readers_that_accept_it() {
    let site = demo_site().await;
    for path in ["/", "/feed.xml", "/feed.json", "/static/style.css"] {
        let (_, _, plain) = ask(&site, path, &[]).await;

        let (status, headers, gzipped) = ask(&site, path, &[("accept-encoding", "gzip")]).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(header(&headers, header::CONTENT_ENCODING), "gzip", "{path}");
        assert!(varies_by(&headers, "accept-encoding"), "{path}");
        let mut unzipped = Vec::new();
        flate2::read::GzDecoder::new(gzipped.as_slice())
            .read_to_end(&mut unzipped)
            .unwrap();
        assert_eq!(unzipped, plain, "{path}");
        assert!(
            gzipped.len() * 2 < plain.len(),
            "{path}: {} of {}",
            gzipped.len(),
            plain.len()
        );

        let (_, headers, brotli) =
            ask(&site, path, &[("accept-encoding", "gzip, deflate, br")]).await;
        assert_eq!(header(&headers, header::CONTENT_ENCODING), "br", "{path}");
        let mut unbrotli = Vec::new();
        brotli_decompressor::Decompressor::new(brotli.as_slice(), 4096)
            .read_to_end(&mut unbrotli)
            .unwrap();
        assert_eq!(unbrotli, plain, "{path}");
    }
}

fn between<'a>(text: &'a str, start: &str, end: &str) -> &'a str {
    let from = text.find(start).map(|i| i + start.len()).expect(start);
    let to = text[from..].find(end).expect(end);
    &text[from..from + to]
}

#[tokio::test]
async fn an_article_shared_shows_a_card_and_tells_search_engines_what_it_is() {
    let site = demo_site().await;
    let articles = site
        .state
        .store()
        .latest_articles(xinwen_store::ArticleFilter::default(), 1, 200, false)
        .await
        .unwrap()
        .items;
    let pictured = articles.iter().find(|a| a.thumbnail.is_some()).unwrap();
    let (status, _, body) = ask(&site, &format!("/article/{}", pictured.id), &[]).await;
    assert_eq!(status, StatusCode::OK);
    let page = String::from_utf8(body).unwrap();
    let url = format!("https://news.example/article/{}", pictured.id);
    assert!(page.contains(&format!(r#"<meta property="og:url" content="{url}">"#)));
    assert!(page.contains(r#"<meta property="og:type" content="article">"#));
    assert!(page.contains(r#"<meta name="twitter:card" content="summary_large_image">"#));
    let image = between(&page, r#"<meta property="og:image" content=""#, "\"");
    assert!(image.starts_with("https://news.example/media/"), "{image}");

    let ld: serde_json::Value = serde_json::from_str(between(
        &page,
        r#"<script type="application/ld+json">"#,
        "</script>",
    ))
    .unwrap();
    assert_eq!(ld["@type"], "NewsArticle");
    assert_eq!(ld["headline"], pictured.title.as_str());
    assert_eq!(ld["mainEntityOfPage"], url.as_str());
    assert_eq!(ld["image"][0], image);
    assert_eq!(ld["publisher"]["name"], "新闻 xinwen");
    assert_eq!(ld["isBasedOn"], pictured.original_url.as_str());
    assert!(ld["datePublished"].as_str().unwrap().starts_with("20"));

    // Other pages are websites, with a plain card.
    let (_, _, home) = ask(&site, "/", &[]).await;
    let home = String::from_utf8(home).unwrap();
    assert!(home.contains(r#"<meta property="og:type" content="website">"#));
    assert!(!home.contains("application/ld+json"));
}

#[tokio::test]
async fn the_news_sitemap_lists_the_last_two_days_and_robots_names_it() {
    let site = demo_site().await;
    let (status, headers, body) = ask(&site, "/sitemap-news.xml", &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        header(&headers, header::CONTENT_TYPE),
        "application/xml; charset=utf-8"
    );
    let xml = String::from_utf8(body).unwrap();
    assert_eq!(
        xml.matches("<url>").count(),
        1,
        "only this hour's article: {xml}"
    );
    assert!(xml.contains("<news:name>新闻 xinwen</news:name>"));
    assert!(xml.contains("<news:language>zh-cn</news:language>"));
    let recent = site
        .state
        .store()
        .latest_articles(xinwen_store::ArticleFilter::default(), 1, 1, false)
        .await
        .unwrap()
        .items
        .remove(0);
    assert!(xml.contains(&format!(
        "<loc>https://news.example/article/{}</loc>",
        recent.id
    )));

    // The full sitemap's lastmod is when each article was published.
    let (_, _, full) = ask(&site, "/sitemap.xml", &[]).await;
    let full = String::from_utf8(full).unwrap();
    let entry = between(
        &full,
        &format!("<loc>https://news.example/article/{}</loc>", recent.id),
        "</url>",
    );
    assert_eq!(
        entry,
        format!(
            "<lastmod>{}</lastmod>",
            recent.published_at.format("%Y-%m-%dT%H:%M:%SZ")
        )
    );

    let (_, _, robots) = ask(&site, "/robots.txt", &[]).await;
    assert!(
        String::from_utf8(robots)
            .unwrap()
            .contains("Sitemap: https://news.example/sitemap-news.xml")
    );
}
