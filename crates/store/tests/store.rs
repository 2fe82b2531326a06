//! The store against a real SQLite file in a temporary directory.

use chrono::{TimeZone, Utc};
use xinwen_model::{ArticleStatus, Image, NewArticle, NewChannel, NewSource, Script, SourceKind};
use xinwen_store::{ArticleFilter, Error, Store};

async fn store_with_source() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).await.unwrap();
    for (slug, name) in [("guoji", "国际"), ("keji", "科技")] {
        store
            .upsert_channel(&NewChannel {
                slug: slug.into(),
                name: name.into(),
                description: String::new(),
                position: 0,
            })
            .await
            .unwrap();
    }
    store
        .upsert_source(&NewSource {
            slug: "xinghe".into(),
            name: "星河日报".into(),
            kind: SourceKind::NewsSite,
            homepage: Some("https://xinghe.example/".into()),
            feed_url: None,
            follow_url: None,
            qr_image: None,
            channel_slug: Some("guoji".into()),
            description: String::new(),
        })
        .await
        .unwrap();
    (dir, store)
}

fn article(n: u32, title: &str) -> NewArticle {
    let published =
        Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap() + chrono::Duration::hours(i64::from(n));
    NewArticle {
        source_slug: "xinghe".into(),
        channel_slug: None,
        title: title.into(),
        author: Some("记者".into()),
        original_url: format!("https://xinghe.example/{n}.html?utm_source=x"),
        canonical_url: format!("https://xinghe.example/{n}.html"),
        published_at: published,
        fetched_at: published,
        body_html: format!("<p>{title}的正文。</p>"),
        body_text: format!("{title}的正文。"),
        summary: format!("{title}的正文。"),
        images: vec![Image {
            src: "/media/a.svg".into(),
            alt: "图".into(),
            caption: "图说".into(),
        }],
        script: Script::Simplified,
    }
}

#[tokio::test]
async fn migrations_apply_once_and_reopening_keeps_the_data() {
    let (dir, store) = store_with_source().await;
    store
        .upsert_articles(&[article(1, "第一篇")])
        .await
        .unwrap();
    assert_eq!(store.schema_versions().await.unwrap(), vec![1]);
    store.close().await;
    let reopened = Store::open(dir.path()).await.unwrap();
    assert_eq!(reopened.schema_versions().await.unwrap(), vec![1]);
    assert_eq!(reopened.article_count().await.unwrap(), 1);
}

#[tokio::test]
async fn the_same_canonical_url_updates_instead_of_duplicating() {
    let (_dir, store) = store_with_source().await;
    let first = store
        .upsert_articles(&[article(1, "旧标题")])
        .await
        .unwrap();
    let mut again = article(1, "新标题");
    again.images.clear();
    let second = store.upsert_articles(&[again]).await.unwrap();
    assert_eq!(first, second);
    assert_eq!(store.article_count().await.unwrap(), 1);
    let stored = store.article(first[0]).await.unwrap().unwrap();
    assert_eq!(stored.title, "新标题");
    assert!(
        stored.images.is_empty(),
        "images are replaced, not appended"
    );
    assert_eq!(stored.channel.slug, "guoji", "the source's default channel");
    assert_eq!(stored.source.name, "星河日报");
}

#[tokio::test]
async fn a_batch_is_written_whole_or_not_at_all() {
    let (_dir, store) = store_with_source().await;
    let mut bad = article(2, "来源不明");
    bad.source_slug = "nobody".into();
    let err = store
        .upsert_articles(&[article(1, "第一篇"), bad])
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::NotFound { what: "source", .. }),
        "{err}"
    );
    assert_eq!(
        store.article_count().await.unwrap(),
        0,
        "the good article was rolled back"
    );
}

#[tokio::test]
async fn lists_are_newest_first_paginated_and_filtered() {
    let (_dir, store) = store_with_source().await;
    let mut batch: Vec<_> = (1..=25).map(|n| article(n, &format!("文章{n}"))).collect();
    batch[0].channel_slug = Some("keji".into());
    store.upsert_articles(&batch).await.unwrap();
    let page1 = store
        .latest_articles(ArticleFilter::default(), 1, 10, false)
        .await
        .unwrap();
    assert_eq!(page1.total, 25);
    assert_eq!(page1.page_count(), 3);
    assert_eq!(page1.items[0].title, "文章25");
    assert_eq!(
        page1.items[0].thumbnail.as_ref().unwrap().src,
        "/media/a.svg"
    );
    assert!(page1.items[0].body_html.is_none());
    let page3 = store
        .latest_articles(ArticleFilter::default(), 3, 10, true)
        .await
        .unwrap();
    assert_eq!(page3.items.len(), 5);
    assert!(!page3.has_next());
    assert!(page3.items[0].body_html.is_some());
    let keji = store.channel_by_slug("keji").await.unwrap().unwrap();
    let only_keji = store
        .latest_articles(
            ArticleFilter {
                channel_id: Some(keji.id),
                ..Default::default()
            },
            1,
            10,
            false,
        )
        .await
        .unwrap();
    assert_eq!(only_keji.total, 1);
    assert_eq!(only_keji.items[0].title, "文章1");
}

#[tokio::test]
async fn a_removed_article_leaves_lists_and_stays_removed_when_fetched_again() {
    let (_dir, store) = store_with_source().await;
    let ids = store
        .upsert_articles(&[article(1, "留下"), article(2, "删除")])
        .await
        .unwrap();
    store
        .set_article_status(ids[1], ArticleStatus::Removed)
        .await
        .unwrap();
    let list = store
        .latest_articles(ArticleFilter::default(), 1, 10, false)
        .await
        .unwrap();
    assert_eq!(list.total, 1);
    assert_eq!(list.items[0].title, "留下");
    store.upsert_articles(&[article(2, "删除")]).await.unwrap();
    let again = store.article(ids[1]).await.unwrap().unwrap();
    assert_eq!(again.status, ArticleStatus::Removed);
    assert!(matches!(
        store.set_article_status(9999, ArticleStatus::Removed).await,
        Err(Error::NotFound { .. })
    ));
}

#[tokio::test]
async fn a_source_with_an_unknown_channel_is_refused() {
    let (_dir, store) = store_with_source().await;
    let err = store
        .upsert_source(&NewSource {
            slug: "x".into(),
            name: "X".into(),
            kind: SourceKind::Other,
            homepage: None,
            feed_url: None,
            follow_url: None,
            qr_image: None,
            channel_slug: Some("nope".into()),
            description: String::new(),
        })
        .await
        .unwrap_err();
    assert_eq!(err.to_string(), "unknown channel \"nope\"");
}

#[tokio::test]
async fn an_unwritable_data_directory_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("not-a-dir");
    std::fs::write(&file, "x").unwrap();
    let err = Store::open(&file.join("data")).await.unwrap_err();
    assert!(
        err.to_string().starts_with("cannot use data directory"),
        "{err}"
    );
}
