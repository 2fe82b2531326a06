//! What the router tests of the API and of HTTP caching share: the demo corpus in a real
//! SQLite file with a real search index, and one request through the whole router.

// Each test file uses its own part of this.
#![allow(dead_code)]

use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode};
use http_body_util::BodyExt;
use tower::ServiceExt;
use xinwen_store::Store;
use xinwen_web::{AppState, Services, SiteSettings, router};

pub struct Site {
    pub _dir: tempfile::TempDir,
    pub state: AppState,
    /// The demo articles' ids, in the corpus's order.
    pub ids: Vec<i64>,
}

/// The demo corpus, changed by `adjust` before it is stored, served with `settings` changed
/// by `configure` (the base URL is `https://news.example`).
pub async fn demo_site(
    adjust: impl FnOnce(&mut xinwen_demo::Corpus),
    configure: impl FnOnce(&mut SiteSettings),
) -> Site {
    let dir = tempfile::tempdir().unwrap();
    let database_url = xinwen_test_support::site_database().await;
    let store = Store::connect(dir.path(), database_url.as_deref())
        .await
        .unwrap();
    let mut corpus = xinwen_demo::load().unwrap();
    adjust(&mut corpus);
    for c in &corpus.channels {
        store.upsert_channel(c).await.unwrap();
    }
    for s in &corpus.sources {
        store.upsert_source(s).await.unwrap();
    }
    let ids = store.upsert_articles(&corpus.articles).await.unwrap();
    let index = xinwen_search::SearchIndex::in_memory(xinwen_text::Analyzer::new()).unwrap();
    index.catch_up(&store, |_| {}).await.unwrap();
    let mut settings = SiteSettings::for_data_dir(dir.path());
    settings.base_url = "https://news.example".into();
    configure(&mut settings);
    let services = Services {
        search: Some(std::sync::Arc::new(index)),
        ..Services::default()
    };
    Site {
        state: AppState::with_services(store, settings, services),
        _dir: dir,
        ids,
    }
}

/// One request through the whole router: status, headers and body.
pub async fn call(
    site: &Site,
    method: Method,
    uri: &str,
    headers: &[(&str, &str)],
) -> (StatusCode, HeaderMap, Vec<u8>) {
    let mut request = Request::builder().method(method).uri(uri);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = router(site.state.clone())
        .oneshot(request.body(Body::empty()).unwrap())
        .await
        .unwrap();
    let (parts, body) = response.into_parts();
    let bytes = body.collect().await.unwrap().to_bytes().to_vec();
    (parts.status, parts.headers, bytes)
}
