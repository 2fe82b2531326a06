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

/// What JSON Feed 1.1 (https://www.jsonfeed.org/version/1.1/) requires of a feed, and of the
/// types of the fields it defines; extensions must begin with an underscore.
fn check_json_feed_1_1(feed: &serde_json::Value) -> Result<(), String> {
    let object = feed.as_object().ok_or("a feed is an object")?;
    let string = |v: &serde_json::Value, what: &str| {
        v.as_str()
            .map(|_| ())
            .ok_or_else(|| format!("{what} must be a string"))
    };
    let url = |v: &serde_json::Value, what: &str| {
        let s = v
            .as_str()
            .ok_or_else(|| format!("{what} must be a string"))?;
        url::Url::parse(s)
            .map(|_| ())
            .map_err(|_| format!("{what} must be a URL: {s}"))
    };
    let date = |v: &serde_json::Value, what: &str| {
        let s = v
            .as_str()
            .ok_or_else(|| format!("{what} must be a string"))?;
        chrono::DateTime::parse_from_rfc3339(s)
            .map(|_| ())
            .map_err(|_| format!("{what} must be RFC 3339: {s}"))
    };
    let authors = |v: &serde_json::Value, what: &str| -> Result<(), String> {
        for a in v
            .as_array()
            .ok_or_else(|| format!("{what} must be an array"))?
        {
            let a = a
                .as_object()
                .ok_or_else(|| format!("{what}: an author is an object"))?;
            if !["name", "url", "avatar"].iter().any(|k| a.contains_key(*k)) {
                return Err(format!("{what}: an author needs a name, url or avatar"));
            }
        }
        Ok(())
    };
    if feed["version"] != "https://jsonfeed.org/version/1.1" {
        return Err("version must be https://jsonfeed.org/version/1.1".into());
    }
    string(&feed["title"], "title")?;
    for (key, value) in object {
        match key.as_str() {
            "version" | "title" | "description" | "user_comment" | "language" => {
                string(value, key)?
            }
            "home_page_url" | "feed_url" | "next_url" | "icon" | "favicon" => url(value, key)?,
            "authors" => authors(value, key)?,
            "expired" => {
                value.as_bool().ok_or("expired must be a boolean")?;
            }
            "hubs" => {
                for hub in value.as_array().ok_or("hubs must be an array")? {
                    string(&hub["type"], "a hub's type")?;
                    url(&hub["url"], "a hub's url")?;
                }
            }
            "items" => {}
            other if other.starts_with('_') => {}
            other => return Err(format!("{other} is not a JSON Feed 1.1 field")),
        }
    }
    for item in feed["items"].as_array().ok_or("items must be an array")? {
        let item = item.as_object().ok_or("an item is an object")?;
        string(&item["id"], "an item's id")?;
        if !item.contains_key("content_html") && !item.contains_key("content_text") {
            return Err("an item needs content_html or content_text".into());
        }
        for (key, value) in item {
            match key.as_str() {
                "id" | "title" | "content_html" | "content_text" | "summary" | "language" => {
                    string(value, key)?
                }
                "url" | "external_url" | "image" | "banner_image" => url(value, key)?,
                "date_published" | "date_modified" => date(value, key)?,
                "authors" => authors(value, key)?,
                "tags" => {
                    for tag in value.as_array().ok_or("tags must be an array")? {
                        string(tag, "a tag")?;
                    }
                }
                "attachments" => {}
                other if other.starts_with('_') => {}
                other => return Err(format!("{other} is not a JSON Feed 1.1 item field")),
            }
        }
    }
    Ok(())
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
        if let Err(why) = check_json_feed_1_1(&json) {
            panic!("{path} is not JSON Feed 1.1: {why}");
        }
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

#[test]
fn the_json_feed_check_refuses_what_the_spec_does() {
    let good = serde_json::json!({
        "version": "https://jsonfeed.org/version/1.1",
        "title": "t",
        "items": [{ "id": "1", "content_text": "x", "date_published": "2026-12-01T08:00:00+08:00" }],
    });
    assert_eq!(check_json_feed_1_1(&good), Ok(()));
    for (field, value) in [
        (
            "version",
            serde_json::json!("https://jsonfeed.org/version/1"),
        ),
        ("home_page_url", serde_json::json!("not a url")),
        ("made_up", serde_json::json!(1)),
    ] {
        let mut bad = good.clone();
        bad[field] = value;
        assert!(check_json_feed_1_1(&bad).is_err(), "{field}");
    }
    let mut no_content = good.clone();
    no_content["items"][0] = serde_json::json!({ "id": "1" });
    assert!(check_json_feed_1_1(&no_content).is_err());
    let mut bad_date = good.clone();
    bad_date["items"][0]["date_published"] = serde_json::json!("yesterday");
    assert!(check_json_feed_1_1(&bad_date).is_err());
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
    let page = scraper::Html::parse_document(&String::from_utf8(body).unwrap());
    let meta = |attribute: &str, name: &str| {
        let selector = scraper::Selector::parse(&format!("meta[{attribute}=\"{name}\"]")).unwrap();
        let found: Vec<String> = page
            .select(&selector)
            .filter_map(|m| m.value().attr("content").map(str::to_owned))
            .collect();
        assert_eq!(found.len(), 1, "one {name}: {found:?}");
        found[0].clone()
    };
    let url = format!("https://news.example/article/{}", pictured.id);
    assert_eq!(meta("property", "og:url"), url);
    assert_eq!(meta("property", "og:type"), "article");
    assert_eq!(meta("property", "og:title"), pictured.title);
    assert_eq!(meta("property", "og:site_name"), "新闻 xinwen");
    assert_eq!(meta("name", "twitter:card"), "summary_large_image");
    let image = meta("property", "og:image");
    assert!(image.starts_with("https://news.example/media/"), "{image}");
    assert_eq!(meta("name", "twitter:image"), image);
    assert!(
        chrono::DateTime::parse_from_rfc3339(&meta("property", "article:published_time")).is_ok()
    );

    let scripts: Vec<String> = page
        .select(&scraper::Selector::parse(r#"script[type="application/ld+json"]"#).unwrap())
        .map(|s| s.text().collect())
        .collect();
    assert_eq!(scripts.len(), 1);
    let ld: serde_json::Value = serde_json::from_str(&scripts[0]).unwrap();
    assert_eq!(ld["@context"], "https://schema.org");
    assert_eq!(ld["@type"], "NewsArticle");
    assert_eq!(ld["headline"], pictured.title.as_str());
    assert_eq!(ld["mainEntityOfPage"], url.as_str());
    assert_eq!(ld["image"][0], image.as_str());
    assert_eq!(ld["publisher"]["@type"], "Organization");
    assert_eq!(ld["publisher"]["name"], "新闻 xinwen");
    assert_eq!(ld["isBasedOn"], pictured.original_url.as_str());
    assert_eq!(
        ld["sourceOrganization"]["name"],
        pictured.source_name.as_str()
    );
    assert!(chrono::DateTime::parse_from_rfc3339(ld["datePublished"].as_str().unwrap()).is_ok());
    if let Some(author) = &pictured.author {
        assert_eq!(ld["author"][0]["name"], author.as_str());
    }

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
