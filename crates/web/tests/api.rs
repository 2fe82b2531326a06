//! The JSON API through the router, over the demo corpus in a real SQLite file and a real
//! search index: lists by cursor, filters, errors as problem documents, caching, CORS and the
//! per-address limit, and the OpenAPI document. (The document is checked by a validator, and
//! every route against it, in the CLI's end-to-end tests.)

mod common;

use axum::http::{Method, StatusCode, header};
use common::{Site, call};
use serde_json::Value;
use xinwen_model::ArticleStatus;

async fn demo_site(api_per_minute: u32) -> Site {
    let site = common::demo_site(|_| {}, |s| s.api_requests_per_minute = api_per_minute).await;
    // Two articles told as one story, as ingest would place them.
    for id in &site.ids[..2] {
        site.state
            .store()
            .assign_story(*id, 1, None, (&[], 0, 0, &[]))
            .await
            .unwrap();
    }
    site
}

async fn json(site: &Site, uri: &str) -> (StatusCode, Value) {
    let (status, headers, body) = call(site, Method::GET, uri, &[]).await;
    let kind = headers[header::CONTENT_TYPE].to_str().unwrap();
    if status.is_success() {
        assert_eq!(kind, "application/json", "{uri}");
    } else {
        assert_eq!(kind, "application/problem+json", "{uri}");
    }
    (status, serde_json::from_slice(&body).unwrap())
}

fn ids(list: &Value) -> Vec<i64> {
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_i64().unwrap())
        .collect()
}

#[tokio::test]
async fn articles_page_by_cursor_newest_first_without_gaps_or_repeats() {
    let site = demo_site(6000).await;
    let total = site.state.store().article_count().await.unwrap() as usize;
    let mut seen = Vec::new();
    let mut times = Vec::new();
    let mut uri = "/api/v1/articles?limit=25".to_owned();
    loop {
        let (status, page) = json(&site, &uri).await;
        assert_eq!(status, StatusCode::OK);
        for item in page["items"].as_array().unwrap() {
            times.push(item["published_at"].as_str().unwrap().to_owned());
            assert!(
                item["url"]
                    .as_str()
                    .unwrap()
                    .starts_with("https://news.example/article/")
            );
            assert!(item.get("html").is_none(), "no bodies unless asked");
        }
        seen.extend(ids(&page));
        match page["next_cursor"].as_str() {
            Some(cursor) => uri = format!("/api/v1/articles?limit=25&cursor={cursor}"),
            None => break,
        }
    }
    let mut unique = seen.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), seen.len(), "an article came twice");
    assert_eq!(seen.len(), total, "every live article, reposts included");
    let mut sorted = times.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(times, sorted, "newest first");
}

#[tokio::test]
async fn articles_filter_by_channel_source_story_and_time() {
    let site = demo_site(6000).await;
    let (_, keji) = json(&site, "/api/v1/articles?channel=keji&limit=100").await;
    let items = keji["items"].as_array().unwrap();
    assert!(!items.is_empty());
    assert!(items.iter().all(|i| i["channel"]["slug"] == "keji"));

    let (_, source) = json(&site, "/api/v1/articles?source=rebo-kuaixun&limit=100").await;
    let items = source["items"].as_array().unwrap();
    assert!(!items.is_empty());
    assert!(items.iter().all(|i| i["source"]["slug"] == "rebo-kuaixun"));

    // A window of time: everything in it, nothing outside it.
    let (_, all) = json(&site, "/api/v1/articles?limit=100").await;
    let all = all["items"].as_array().unwrap();
    let middle = all[all.len() / 2]["published_at"]
        .as_str()
        .unwrap()
        .to_owned();
    let (_, newer) = json(&site, &format!("/api/v1/articles?limit=100&since={middle}")).await;
    let (_, older) = json(&site, &format!("/api/v1/articles?limit=100&until={middle}")).await;
    let (newer, older) = (ids(&newer), ids(&older));
    assert_eq!(newer.len() + older.len(), all.len());
    assert!(newer.iter().all(|id| !older.contains(id)));

    // With bodies: the sanitized HTML, links made absolute.
    let (_, bodies) = json(&site, "/api/v1/articles?limit=5&body=true").await;
    for item in bodies["items"].as_array().unwrap() {
        let html = item["html"].as_str().unwrap();
        assert!(!html.is_empty());
        assert!(
            !html.contains("src=\"/media"),
            "relative picture in the API"
        );
    }
}

#[tokio::test]
async fn one_article_whole_and_errors_as_problem_documents() {
    let site = demo_site(6000).await;
    let (_, list) = json(&site, "/api/v1/articles?limit=1").await;
    let id = ids(&list)[0];
    let (status, article) = json(&site, &format!("/api/v1/articles/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(article["id"], id);
    assert!(!article["text"].as_str().unwrap().is_empty());
    assert!(article["html"].as_str().unwrap().contains('<'));
    assert!(article["script"] == "zh-Hans" || article["script"] == "zh-Hant");

    for (uri, status, code) in [
        (
            "/api/v1/articles/999999",
            StatusCode::NOT_FOUND,
            "not_found",
        ),
        ("/api/v1/articles/abc", StatusCode::NOT_FOUND, "not_found"),
        (
            "/api/v1/articles?limit=0",
            StatusCode::BAD_REQUEST,
            "bad_request",
        ),
        (
            "/api/v1/articles?limit=101",
            StatusCode::BAD_REQUEST,
            "bad_request",
        ),
        (
            "/api/v1/articles?body=true&limit=51",
            StatusCode::BAD_REQUEST,
            "bad_request",
        ),
        (
            "/api/v1/articles?limit=ten",
            StatusCode::BAD_REQUEST,
            "bad_request",
        ),
        (
            "/api/v1/articles?cursor=yesterday",
            StatusCode::BAD_REQUEST,
            "bad_request",
        ),
        (
            "/api/v1/articles?since=yesterday",
            StatusCode::BAD_REQUEST,
            "bad_request",
        ),
        (
            "/api/v1/articles?channel=nowhere",
            StatusCode::NOT_FOUND,
            "not_found",
        ),
        ("/api/v1/search?q=", StatusCode::BAD_REQUEST, "bad_request"),
        ("/api/v1/search", StatusCode::BAD_REQUEST, "bad_request"),
        ("/api/v1/stories/0", StatusCode::NOT_FOUND, "not_found"),
        ("/api/v1/nothing", StatusCode::NOT_FOUND, "not_found"),
    ] {
        let (got, problem) = json(&site, uri).await;
        assert_eq!(got, status, "{uri}");
        assert_eq!(problem["status"], status.as_u16(), "{uri}");
        assert_eq!(problem["code"], code, "{uri}");
        assert!(!problem["detail"].as_str().unwrap().is_empty(), "{uri}");
    }

    site.state
        .store()
        .set_article_status(id, ArticleStatus::Removed)
        .await
        .unwrap();
    site.state.invalidate_pages();
    let (status, problem) = json(&site, &format!("/api/v1/articles/{id}")).await;
    assert_eq!(status, StatusCode::GONE);
    assert_eq!(problem["code"], "gone");
    let (_, list) = json(&site, "/api/v1/articles?limit=100").await;
    assert!(
        !ids(&list).contains(&id),
        "a removed article leaves the API's lists"
    );
}

#[tokio::test]
async fn stories_hot_search_sources_and_channels() {
    let site = demo_site(6000).await;
    let (_, list) = json(&site, "/api/v1/articles?limit=100").await;
    let story = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find_map(|i| i["story_id"].as_i64())
        .expect("a demo article in a story");
    let (status, body) = json(&site, &format!("/api/v1/stories/{story}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(!body["articles"].as_array().unwrap().is_empty());
    let (_, in_story) = json(&site, &format!("/api/v1/articles?story={story}&limit=100")).await;
    assert_eq!(
        ids(&in_story).len(),
        body["articles"].as_array().unwrap().len(),
        "the story's articles, by either route"
    );

    let (status, hot) = json(&site, "/api/v1/hot?limit=5").await;
    assert_eq!(status, StatusCode::OK);
    assert!(hot["items"].as_array().unwrap().len() <= 5);

    let (status, found) = json(&site, "/api/v1/search?q=%E5%8F%B0%E9%A3%8E&limit=3").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(found["query"], "台风");
    assert!(found["total"].as_u64().unwrap() > 3, "{found}");
    assert_eq!(ids(&found).len(), 3);
    let cursor = found["next_cursor"].as_str().unwrap();
    let (_, second) = json(
        &site,
        &format!("/api/v1/search?q=%E5%8F%B0%E9%A3%8E&limit=3&cursor={cursor}"),
    )
    .await;
    assert!(ids(&second).iter().all(|id| !ids(&found).contains(id)));

    let (_, sources) = json(&site, "/api/v1/sources").await;
    let sources = sources["items"].as_array().unwrap();
    assert!(sources.iter().any(|s| s["slug"] == "rebo-kuaixun"));
    assert!(sources.iter().all(|s| s["health"]["state"].is_string()));

    let (_, channels) = json(&site, "/api/v1/channels").await;
    assert!(
        channels["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["slug"] == "keji")
    );
}

#[tokio::test]
async fn the_api_is_cached_tagged_open_to_other_sites_and_read_only() {
    let site = demo_site(6000).await;
    let (status, headers, _) = call(&site, Method::GET, "/api/v1/channels", &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::ACCESS_CONTROL_ALLOW_ORIGIN], "*");
    assert_eq!(headers[header::CACHE_CONTROL], "public, max-age=60");
    let etag = headers[header::ETAG].to_str().unwrap().to_owned();
    let (status, _, body) = call(
        &site,
        Method::GET,
        "/api/v1/channels",
        &[("if-none-match", &etag)],
    )
    .await;
    assert_eq!(status, StatusCode::NOT_MODIFIED);
    assert!(body.is_empty());

    let (status, headers, _) = call(
        &site,
        Method::OPTIONS,
        "/api/v1/articles",
        &[
            ("origin", "https://reader.example"),
            ("access-control-request-method", "GET"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(headers[header::ACCESS_CONTROL_ALLOW_ORIGIN], "*");
    assert!(
        headers[header::ACCESS_CONTROL_ALLOW_METHODS]
            .to_str()
            .unwrap()
            .contains("GET")
    );

    let (status, headers, body) = call(&site, Method::DELETE, "/api/v1/articles", &[]).await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(headers[header::CONTENT_TYPE], "application/problem+json");
    let problem: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(problem["code"], "method_not_allowed");
}

#[tokio::test]
async fn an_address_past_its_limit_gets_429_with_retry_after() {
    // Eight a minute: two at once, then one every 7.5 s.
    let site = demo_site(8).await;
    for _ in 0..2 {
        let (status, _, _) = call(&site, Method::GET, "/api/v1/channels", &[]).await;
        assert_eq!(status, StatusCode::OK);
    }
    let (status, headers, body) = call(&site, Method::GET, "/api/v1/channels", &[]).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    let wait: u64 = headers[header::RETRY_AFTER]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=9).contains(&wait), "{wait}");
    let problem: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(problem["code"], "rate_limited");
    // The site's pages are not the API's to limit.
    let (status, _, _) = call(&site, Method::GET, "/", &[]).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn the_openapi_document_names_every_route_and_the_docs_page_shows_it() {
    let site = demo_site(6000).await;
    let (status, doc) = json(&site, "/api/v1/openapi.json").await;
    assert_eq!(status, StatusCode::OK);
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    assert_eq!(doc["servers"][0]["url"], "https://news.example");
    let paths: Vec<&String> = doc["paths"].as_object().unwrap().keys().collect();
    for path in [
        "/api/v1/articles",
        "/api/v1/articles/{id}",
        "/api/v1/stories/{id}",
        "/api/v1/hot",
        "/api/v1/search",
        "/api/v1/sources",
        "/api/v1/channels",
    ] {
        assert!(
            paths.iter().any(|p| p.as_str() == path),
            "{path} undocumented"
        );
    }
    let (status, _, page) = call(&site, Method::GET, "/api/v1/docs", &[]).await;
    assert_eq!(status, StatusCode::OK);
    let page = String::from_utf8(page).unwrap();
    for path in paths {
        assert!(
            page.contains(path.as_str()),
            "{path} missing from the docs page"
        );
    }
    assert!(page.contains("<code>limit</code>"));
}

const EDITOR_TOKEN: &str = "xw_editor-token-for-tests";
const ADMIN_TOKEN: &str = "xw_admin-token-for-tests";

async fn site_with_tokens() -> Site {
    let site = demo_site(6000).await;
    let store = site.state.store();
    let operator = xinwen_store::Actor::operator();
    for (name, role, token) in [
        ("newsroom-bot", xinwen_model::Role::Editor, EDITOR_TOKEN),
        ("ops", xinwen_model::Role::Admin, ADMIN_TOKEN),
    ] {
        store
            .add_api_token(name, role, &xinwen_accounts::token_digest(token), &operator)
            .await
            .unwrap();
    }
    site
}

async fn write(
    site: &Site,
    method: Method,
    uri: &str,
    token: Option<&str>,
    body: &str,
) -> (StatusCode, Value) {
    let bearer = token.map(|t| format!("Bearer {t}"));
    let mut request = axum::http::Request::builder()
        .method(method)
        .uri(uri)
        .header("content-type", "application/json");
    if let Some(bearer) = &bearer {
        request = request.header("authorization", bearer);
    }
    let response = tower::ServiceExt::oneshot(
        xinwen_web::router(site.state.clone()),
        request
            .body(axum::body::Body::from(body.to_owned()))
            .unwrap(),
    )
    .await
    .unwrap();
    let status = response.status();
    let kind = response.headers()[header::CONTENT_TYPE]
        .to_str()
        .unwrap()
        .to_owned();
    let bytes = http_body_util::BodyExt::collect(response.into_body())
        .await
        .unwrap()
        .to_bytes();
    if status.is_success() {
        assert_eq!(kind, "application/json", "{uri}");
    } else {
        assert_eq!(kind, "application/problem+json", "{uri}");
    }
    (status, serde_json::from_slice(&bytes).unwrap())
}

#[tokio::test]
async fn writing_needs_a_live_token_and_admins_alone_add_sources() {
    let site = site_with_tokens().await;
    let id = site.ids[5];
    let hide = format!("/api/v1/articles/{id}/hide");
    let (status, problem) = write(&site, Method::POST, &hide, None, "").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(problem["code"], "unauthorized");
    let (status, _) = write(&site, Method::POST, &hide, Some("xw_guess"), "").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    let source = r#"{"name": "远望日报", "slug": "yuanwang-ribao", "feed_url": "https://yuanwang.example/feed.xml", "channel": "guoji"}"#;
    let (status, problem) = write(
        &site,
        Method::POST,
        "/api/v1/sources",
        Some(EDITOR_TOKEN),
        source,
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{problem}");
    let (status, added) = write(
        &site,
        Method::POST,
        "/api/v1/sources",
        Some(ADMIN_TOKEN),
        source,
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{added}");
    assert_eq!(added["slug"], "yuanwang-ribao");
    let (status, problem) = write(
        &site,
        Method::POST,
        "/api/v1/sources",
        Some(ADMIN_TOKEN),
        source,
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{problem}");
    let (status, problem) = write(
        &site,
        Method::POST,
        "/api/v1/sources",
        Some(ADMIN_TOKEN),
        "{",
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(problem["code"], "bad_request");
    let big = format!(
        r#"{{"name": "{}", "slug": "x", "channel": "guoji"}}"#,
        "长".repeat(40_000)
    );
    let (status, problem) = write(
        &site,
        Method::POST,
        "/api/v1/sources",
        Some(ADMIN_TOKEN),
        &big,
    )
    .await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(problem["code"], "too_large");

    // Revoked: refused at once.
    site.state
        .store()
        .revoke_api_token("newsroom-bot", &xinwen_store::Actor::operator())
        .await
        .unwrap();
    let (status, _) = write(&site, Method::POST, &hide, Some(EDITOR_TOKEN), "").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn an_editors_token_hides_moves_and_pauses_as_the_admin_would_and_is_audited() {
    let site = site_with_tokens().await;
    let id = site.ids[5];
    let (status, hidden) = write(
        &site,
        Method::POST,
        &format!("/api/v1/articles/{id}/hide"),
        Some(EDITOR_TOKEN),
        "",
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{hidden}");
    assert_eq!(hidden["hidden"], true);
    let (status, _) = json(&site, &format!("/api/v1/articles/{id}")).await;
    assert_ne!(status, StatusCode::OK, "a hidden article is not read");
    let (_, restored) = write(
        &site,
        Method::POST,
        &format!("/api/v1/articles/{id}/restore"),
        Some(EDITOR_TOKEN),
        "",
    )
    .await;
    assert_eq!(restored["hidden"], false);

    let (status, moved) = write(
        &site,
        Method::PUT,
        &format!("/api/v1/articles/{id}/channel"),
        Some(EDITOR_TOKEN),
        r#"{"channel": "keji"}"#,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{moved}");
    assert_eq!(moved["channel"], "keji");
    let (_, article) = json(&site, &format!("/api/v1/articles/{id}")).await;
    assert_eq!(
        article["channel"]["slug"], "keji",
        "the API reads what it wrote"
    );
    let (status, problem) = write(
        &site,
        Method::PUT,
        &format!("/api/v1/articles/{id}/channel"),
        Some(EDITOR_TOKEN),
        r#"{"channel": "nowhere"}"#,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{problem}");

    let (status, paused) = write(
        &site,
        Method::POST,
        "/api/v1/sources/rebo-kuaixun/pause",
        Some(EDITOR_TOKEN),
        "",
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(paused["paused"], true);
    let (status, _) = write(
        &site,
        Method::POST,
        "/api/v1/sources/nowhere/pause",
        Some(EDITOR_TOKEN),
        "",
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let log = site.state.store().audit_log(1, 20).await.unwrap();
    let by_token: Vec<&str> = log
        .items
        .iter()
        .filter(|e| e.actor == "token:newsroom-bot")
        .map(|e| e.action.as_str())
        .collect();
    for action in ["article.hide", "article.restore", "source.pause"] {
        assert!(
            by_token.contains(&action),
            "{action} not audited: {by_token:?}"
        );
    }
}

#[tokio::test]
async fn the_queues_are_read_and_decided_with_a_token_and_never_cached() {
    let site = site_with_tokens().await;
    let store = site.state.store();
    let submission = store
        .add_submission(
            &xinwen_store::NewSubmission {
                kind: xinwen_model::SubmissionKind::Article,
                title: "青澜港夜市重新开张".into(),
                body: "青澜港夜市经过三个月整修重新开张，新增了六十个摊位和一处儿童游乐区。\n摊主们说，整修后的夜市通风更好，雨天也能照常营业。".into(),
                url: None,
                author: Some("林晓".into()),
                contact: Some("reader@example.org".into()),
                address_hash: "h".into(),
            },
            "S-TEST-0001",
        )
        .await
        .unwrap();
    let (status, headers, body) = call(
        &site,
        Method::GET,
        "/api/v1/submissions",
        &[("authorization", &format!("Bearer {EDITOR_TOKEN}"))],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::CACHE_CONTROL], "no-store");
    assert!(headers.get(header::ETAG).is_none());
    let queue: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(queue["items"][0]["id"], submission);
    let (status, _, _) = call(&site, Method::GET, "/api/v1/submissions", &[]).await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "the queue holds readers' contacts"
    );

    let approve = format!("/api/v1/submissions/{submission}/approve");
    let (status, published) = write(
        &site,
        Method::POST,
        &approve,
        Some(EDITOR_TOKEN),
        r#"{"title": "青澜港夜市重新开张 新增六十个摊位"}"#,
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{published}");
    let article = published["article_id"].as_i64().unwrap();
    let (status, read) = json(&site, &format!("/api/v1/articles/{article}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(read["title"], "青澜港夜市重新开张 新增六十个摊位");
    let (status, _) = write(
        &site,
        Method::POST,
        &approve,
        Some(EDITOR_TOKEN),
        r#"{"title": "again"}"#,
    )
    .await;
    assert_eq!(
        status,
        StatusCode::CONFLICT,
        "a decided submission stays decided"
    );

    let takedown = store
        .add_takedown(
            &xinwen_store::NewTakedown {
                claimant: "东海晚报社".into(),
                contact: "legal@donghai.example".into(),
                pages: format!("https://news.example/article/{article}"),
                work: "本报记者稿件".into(),
                statement: "本社是该文的著作权人。".into(),
                address_hash: "h".into(),
            },
            "T-TEST-0001",
        )
        .await
        .unwrap();
    let approve = format!("/api/v1/takedowns/{takedown}/approve");
    let body = format!(r#"{{"articles": [{article}], "confirm": false}}"#);
    let (status, problem) = write(&site, Method::POST, &approve, Some(EDITOR_TOKEN), &body).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{problem}");
    let body = format!(r#"{{"articles": [{article}], "confirm": true, "note": "核实无误"}}"#);
    let (status, removed) = write(&site, Method::POST, &approve, Some(EDITOR_TOKEN), &body).await;
    assert_eq!(status, StatusCode::OK, "{removed}");
    assert_eq!(removed["removed"], 1);
    let (status, _) = json(&site, &format!("/api/v1/articles/{article}")).await;
    assert_eq!(status, StatusCode::GONE);
}
