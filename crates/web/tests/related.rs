//! Related reading on the served site: worked out by the background worker from the real
//! search index, kept in the store, and read from there by the article page.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tower::ServiceExt;
use xinwen_search::SearchIndex;
use xinwen_store::{ArticleFilter, Store};
use xinwen_web::{AppState, Services, SiteSettings, router};

async fn page(state: &AppState, uri: &str) -> String {
    let response = router(state.clone())
        .oneshot(Request::get(uri).body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK, "{uri}");
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    String::from_utf8_lossy(&bytes).into_owned()
}

/// The demo corpus in a store, indexed; with how many articles it has.
async fn demo_store_and_index() -> (tempfile::TempDir, Store, Arc<SearchIndex>, usize) {
    let dir = tempfile::tempdir().unwrap();
    let database_url = xinwen_test_support::site_database().await;
    let store = Store::connect(dir.path(), database_url.as_deref())
        .await
        .unwrap();
    let corpus = xinwen_demo::load().unwrap();
    for c in &corpus.channels {
        store.upsert_channel(c).await.unwrap();
    }
    for s in &corpus.sources {
        store.upsert_source(s).await.unwrap();
    }
    store.upsert_articles(&corpus.articles).await.unwrap();
    let index = Arc::new(
        SearchIndex::open(&dir.path().join("index"), xinwen_text::Analyzer::new()).unwrap(),
    );
    index.catch_up(&store, |_| {}).await.unwrap();
    (dir, store, index, corpus.articles.len())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_worker_fills_related_reading_that_the_article_page_then_shows() {
    let (dir, store, index, _) = demo_store_and_index().await;
    let typhoon = store
        .latest_articles(ArticleFilter::default(), 1, 200, false)
        .await
        .unwrap()
        .items
        .into_iter()
        .find(|a| a.title.contains("台风“白鹭”逼近南屿岛"))
        .unwrap();

    let mut site = SiteSettings::for_data_dir(dir.path());
    site.page_cache_ttl = Duration::ZERO;
    let services = Services {
        search: Some(index.clone()),
        ..Default::default()
    };
    let state = AppState::with_services(store.clone(), site, services);
    // Before the worker has been to it, the page offers the channel's newest other stories,
    // as suggestions only.
    let uri = format!("/article/{}", typhoon.id);
    let first = page(&state, &uri).await;
    assert!(store.related_reading(typhoon.id).await.unwrap().is_none());
    let standing_in = &first[first.find("相关阅读").expect("something to read next")..];
    let standing_in = &standing_in[..standing_in.find("</section>").unwrap()];
    let suggestions = &standing_in[standing_in.find("你可能还想看").expect("as suggestions")..];
    let offered = suggestions.matches("href=\"/article/").count();
    assert!(
        offered >= xinwen_search::RELATED_AT_LEAST,
        "{offered} offered: {standing_in}"
    );
    let story = store.article(typhoon.id).await.unwrap().unwrap().story_id;
    let channel_newest = store
        .latest_articles(ArticleFilter::default(), 1, 200, false)
        .await
        .unwrap()
        .items;
    for other in &channel_newest {
        if other.id == typhoon.id || (story.is_some() && other.story_id == story) {
            assert!(
                !standing_in.contains(&format!("href=\"/article/{}\"", other.id)),
                "neither the article nor its story's other reports: {standing_in}"
            );
        }
    }
    // The page asked; the worker (readers' requests first) answers within seconds.
    let started = Instant::now();
    while store.related_reading(typhoon.id).await.unwrap().is_none() {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "no related reading after a minute"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let html = page(&state, &uri).await;
    let kept = store.related_reading(typhoon.id).await.unwrap().unwrap();
    assert!(!kept.items.is_empty());
    assert!(kept.items.iter().all(|link| link.id != typhoon.id));
    // What the page shows is what the store keeps: the close matches, then under their own
    // heading the suggestions that fill the list; and not the algorithm's working.
    let related = &html[html.find("相关阅读").unwrap()..];
    let related = &related[..related.find("</section>").unwrap()];
    assert!(!related.contains("共同关键词"), "{related}");
    let suggestions_at = related.find("你可能还想看").unwrap_or(related.len());
    for link in &kept.items {
        let at = related
            .find(&format!("href=\"/article/{}\"", link.id))
            .unwrap_or_else(|| panic!("{} is not shown: {related}", link.id));
        assert_eq!(link.close == Some(true), at < suggestions_at, "{related}");
    }
    assert!(kept.items.len() >= xinwen_search::RELATED_AT_LEAST);
    // The same list as the index gives: the worker stored the search's answer.
    let searched = index
        .related(typhoon.id, xinwen_web::RELATED_SHOWN)
        .unwrap();
    assert_eq!(
        kept.items.iter().map(|l| l.id).collect::<Vec<_>>(),
        searched.iter().map(|r| r.id).collect::<Vec<_>>()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn catching_up_before_serving_works_out_every_article_of_a_small_site() {
    let (dir, store, index, articles) = demo_store_and_index().await;
    let done = xinwen_web::catch_up_related(&store, &index, Duration::from_secs(600)).await;
    assert_eq!(done, articles);
    let left = store
        .articles_needing_related(None, None, chrono::Utc::now(), 10)
        .await
        .unwrap();
    assert!(left.is_empty(), "{left:?}");

    // Every article then shows something to read next: at least five, close or suggested.
    let mut site = SiteSettings::for_data_dir(dir.path());
    site.page_cache_ttl = Duration::ZERO;
    let state = AppState::with_services(
        store.clone(),
        site,
        Services {
            search: Some(index.clone()),
            ..Default::default()
        },
    );
    let all = store
        .latest_articles(ArticleFilter::default(), 1, 200, false)
        .await
        .unwrap()
        .items;
    assert_eq!(all.len(), articles);
    for article in &all {
        let html = page(&state, &format!("/article/{}", article.id)).await;
        let related = html
            .find("class=\"related\"")
            .map(|at| &html[at..])
            .unwrap_or_else(|| panic!("article {} shows no related reading", article.id));
        let related = &related[..related.find("</section>").unwrap()];
        let shown = related.matches("<li>").count();
        assert!(
            shown >= xinwen_search::RELATED_AT_LEAST,
            "article {} ({}) shows {shown} to read next",
            article.id,
            article.title
        );
    }
}
