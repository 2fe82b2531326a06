//! The store against each backend: a real SQLite file in a temporary directory, and a real
//! PostgreSQL database when the test server is there (see `common`).

use chrono::{DateTime, TimeZone, Utc};
use xinwen_model::{ArticleStatus, Image, NewArticle, NewChannel, NewSource, Script, SourceKind};
mod common;

use common::TestStore;
use xinwen_store::{ArticleFilter, Backend, Error, Store};

async fn store_with_source(backend: Backend) -> TestStore {
    let store = TestStore::new(backend).await;
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
            kind: SourceKind::Feed,
            homepage: Some("https://xinghe.example/".into()),
            feed_url: None,
            follow_url: None,
            qr_image: None,
            channel_slug: Some("guoji".into()),
            description: String::new(),
            ..NewSource::default()
        })
        .await
        .unwrap();
    store
}

/// A source of its own in channel guoji, for tests that need several.
async fn add_source(store: &Store, slug: &str, name: &str) {
    store
        .upsert_source(&NewSource {
            slug: slug.into(),
            name: name.into(),
            kind: SourceKind::Wechat,
            homepage: None,
            feed_url: None,
            follow_url: None,
            qr_image: None,
            channel_slug: Some("guoji".into()),
            description: String::new(),
            ..NewSource::default()
        })
        .await
        .unwrap();
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
        credited_source: None,
    }
}

/// The newest migration's number.
const LATEST_SCHEMA: i64 = 20;

/// The migrations a new store of `backend` has applied: PostgreSQL's history begins at 17.
fn all_migrations(backend: Backend) -> Vec<i64> {
    match backend {
        Backend::Sqlite => (1..=LATEST_SCHEMA).collect(),
        Backend::Postgres => (17..=LATEST_SCHEMA).collect(),
    }
}

async fn migrations_apply_once_and_reopening_keeps_the_data(backend: Backend) {
    let store = store_with_source(backend).await;
    store
        .upsert_articles(&[article(1, "第一篇")])
        .await
        .unwrap();
    assert_eq!(
        store.schema_versions().await.unwrap(),
        all_migrations(backend)
    );
    store.close().await;
    let reopened = store.reopen().await;
    assert_eq!(
        reopened.schema_versions().await.unwrap(),
        all_migrations(backend)
    );
    assert_eq!(reopened.article_count().await.unwrap(), 1);
}

async fn the_same_canonical_url_updates_instead_of_duplicating(backend: Backend) {
    let store = store_with_source(backend).await;
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

async fn a_batch_is_written_whole_or_not_at_all(backend: Backend) {
    let store = store_with_source(backend).await;
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

async fn lists_are_newest_first_paginated_and_filtered(backend: Backend) {
    let store = store_with_source(backend).await;
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

async fn a_removed_article_leaves_lists_and_stays_removed_when_fetched_again(backend: Backend) {
    let store = store_with_source(backend).await;
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

async fn a_source_with_an_unknown_channel_is_refused(backend: Backend) {
    let store = store_with_source(backend).await;
    let err = store
        .upsert_source(&NewSource {
            slug: "x".into(),
            name: "X".into(),
            kind: SourceKind::Feed,
            homepage: None,
            feed_url: None,
            follow_url: None,
            qr_image: None,
            channel_slug: Some("nope".into()),
            description: String::new(),
            ..NewSource::default()
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

fn entry(guid: &str) -> xinwen_store::EntryKey {
    xinwen_store::EntryKey {
        guid: guid.into(),
        entry_hash: format!("hash-of-{guid}"),
    }
}

async fn an_entry_seen_again_under_a_new_url_updates_its_article(backend: Backend) {
    let store = store_with_source(backend).await;
    let source = store.find_source("xinghe").await.unwrap();
    let first = xinwen_store::FeedArticle {
        article: article(1, "原标题"),
        entry: entry("guid-1"),
    };
    let ids = store.upsert_feed_articles(&[first]).await.unwrap();
    let mut moved = article(1, "新标题");
    moved.canonical_url = "https://xinghe.example/2026/1.html".into();
    let again = xinwen_store::FeedArticle {
        article: moved,
        entry: entry("guid-1"),
    };
    assert_eq!(store.upsert_feed_articles(&[again]).await.unwrap(), ids);
    assert_eq!(store.article_count().await.unwrap(), 1);
    let stored = store.article(ids[0]).await.unwrap().unwrap();
    assert_eq!(stored.title, "新标题");
    assert_eq!(stored.canonical_url, "https://xinghe.example/2026/1.html");
    let known = store
        .known_entries(source.id, &["guid-1".into(), "guid-2".into()])
        .await
        .unwrap();
    assert_eq!(known.len(), 1);
    assert_eq!(known["guid-1"].article_id, ids[0]);
    assert_eq!(known["guid-1"].status, ArticleStatus::Live);
}

async fn an_entry_met_twice_in_one_batch_makes_one_article_with_its_last_images(backend: Backend) {
    let store = store_with_source(backend).await;
    let mut moved = article(1, "新标题");
    moved.canonical_url = "https://xinghe.example/2026/1.html".into();
    moved.images = vec![
        Image {
            src: "/media/b.svg".into(),
            alt: "乙".into(),
            caption: String::new(),
        },
        Image {
            src: "/media/c.svg".into(),
            alt: "丙".into(),
            caption: String::new(),
        },
    ];
    let batch = [
        xinwen_store::FeedArticle {
            article: article(1, "原标题"),
            entry: entry("guid-1"),
        },
        xinwen_store::FeedArticle {
            article: article(2, "另一篇"),
            entry: entry("guid-2"),
        },
        xinwen_store::FeedArticle {
            article: moved,
            entry: entry("guid-1"),
        },
    ];
    let ids = store.upsert_feed_articles(&batch).await.unwrap();
    assert_eq!(
        ids[0], ids[2],
        "the entry's second time updates its first article"
    );
    assert_ne!(ids[0], ids[1]);
    assert_eq!(store.article_count().await.unwrap(), 2);
    let stored = store.article(ids[0]).await.unwrap().unwrap();
    assert_eq!(stored.canonical_url, "https://xinghe.example/2026/1.html");
    let srcs: Vec<&str> = stored.images.iter().map(|i| i.src.as_str()).collect();
    assert_eq!(srcs, ["/media/b.svg", "/media/c.svg"]);
    let other = store.article(ids[1]).await.unwrap().unwrap();
    assert_eq!(other.images.len(), 1);
}

async fn a_batch_longer_than_a_statement_keeps_its_order_and_a_repeated_url_is_one_article(
    backend: Backend,
) {
    let store = store_with_source(backend).await;
    // More articles than one statement holds, with the 300th article's URL sent again last
    // by another entry: that one updates it.
    let mut batch: Vec<xinwen_store::FeedArticle> = (1..=450)
        .map(|n| xinwen_store::FeedArticle {
            article: article(n, &format!("第{n}篇")),
            entry: entry(&format!("guid-{n}")),
        })
        .collect();
    batch.push(xinwen_store::FeedArticle {
        article: article(300, "第300篇（更正）"),
        entry: entry("guid-300-corrected"),
    });
    let ids = store.upsert_feed_articles(&batch).await.unwrap();
    assert_eq!(ids.len(), 451);
    assert_eq!(ids[299], ids[450]);
    assert_eq!(store.article_count().await.unwrap(), 450);
    for (n, id) in ids.iter().enumerate().take(450).step_by(37) {
        let stored = store.article(*id).await.unwrap().unwrap();
        assert_eq!(
            stored.canonical_url,
            format!("https://xinghe.example/{}.html", n + 1)
        );
    }
    let corrected = store.article(ids[299]).await.unwrap().unwrap();
    assert_eq!(corrected.title, "第300篇（更正）");
    // Change numbers follow the batch's order, the repeated article at its first place.
    let changed = store.articles_changed_since(0, 1000).await.unwrap();
    let order: Vec<i64> = changed.iter().map(|row| row.id).collect();
    assert_eq!(order, ids[..450]);
}

/// Articles written for placing are numbered when placed, once; an article already in a story
/// is numbered as it is written, since no placement follows.
async fn articles_written_for_placing_are_numbered_once_placed(backend: Backend) {
    let store = store_with_source(backend).await;
    let feed = |n: u32, title: &str| xinwen_store::FeedArticle {
        article: article(n, title),
        entry: entry(&format!("guid-{n}")),
    };
    let ids = store
        .upsert_feed_articles_to_place(&[feed(1, "一"), feed(2, "二")])
        .await
        .unwrap();
    let changed = |since: i64| {
        let store = store.clone();
        async move {
            store
                .articles_changed_since(since, 100)
                .await
                .unwrap()
                .into_iter()
                .map(|row| (row.id, row.change_seq))
                .collect::<Vec<_>>()
        }
    };
    assert!(changed(0).await.is_empty(), "not yet placed, not yet told");
    let place = |article: i64| xinwen_store::Placement {
        article_id: article,
        story_id: ids[0],
        merged: None,
        signature: vec![0; 512],
        shingles: 100,
        content_hash: article as u64,
        numbers: Vec::new(),
    };
    store
        .assign_stories(&[place(ids[0]), place(ids[1])])
        .await
        .unwrap();
    let placed = changed(0).await;
    assert_eq!(
        placed.iter().map(|(id, _)| *id).collect::<Vec<_>>(),
        ids,
        "numbered in the order placed"
    );
    let newest = placed.last().unwrap().1;
    // Fetched again with a correction: in a story already, so numbered as it is written.
    let again = store
        .upsert_feed_articles_to_place(&[feed(2, "二（更正）"), feed(3, "三")])
        .await
        .unwrap();
    assert_eq!(again[0], ids[1]);
    assert_eq!(changed(newest).await, [(ids[1], newest + 1)]);
}

async fn a_batch_of_placements_is_written_as_if_placed_in_turn(backend: Backend) {
    let store = store_with_source(backend).await;
    let ids = store
        .upsert_articles(
            &(1..=5)
                .map(|n| article(n, &format!("篇{n}")))
                .collect::<Vec<_>>(),
        )
        .await
        .unwrap();
    let before = store.articles_changed_since(i64::MIN, 100).await.unwrap();
    let newest_before = before.iter().map(|r| r.change_seq).max().unwrap();
    let place = |article: i64, story: i64, merged: Option<i64>| xinwen_store::Placement {
        article_id: article,
        story_id: story,
        merged,
        signature: vec![0; 512],
        shingles: 100,
        content_hash: article as u64,
        numbers: Vec::new(),
    };
    let [a1, a2, a3, a4, a5] = [ids[0], ids[1], ids[2], ids[3], ids[4]];
    store
        .assign_stories(&[
            place(a1, a1, None),
            place(a2, a1, None),
            place(a3, a3, None),
            place(a4, a4, None),
            // Folds a4's story into a3's: a4 must already be in it to move with it.
            place(a5, a3, Some(a4)),
            // Placed again: the last placement holds.
            place(a2, a3, None),
        ])
        .await
        .unwrap();
    let members = |story: xinwen_store::Story| {
        let mut ids: Vec<i64> = story.articles.iter().map(|a| a.id).collect();
        ids.sort_unstable();
        ids
    };
    assert_eq!(members(store.story(a1).await.unwrap().unwrap()), [a1]);
    assert_eq!(
        members(store.story(a3).await.unwrap().unwrap()),
        [a2, a3, a4, a5]
    );
    assert!(
        store.story(a4).await.unwrap().is_none(),
        "the folded story is gone"
    );
    let story = store.story(a3).await.unwrap().unwrap();
    assert_eq!(
        story.original_article_id,
        Some(a2),
        "the earliest, with no credit"
    );
    // Every placed article has a change number newer than before, and none is shared by two
    // articles placed one by one (a reader catching up by number would skip one).
    let after = store
        .articles_changed_since(newest_before, 100)
        .await
        .unwrap();
    let mut placed: Vec<(i64, i64)> = after.iter().map(|r| (r.change_seq, r.id)).collect();
    placed.sort_unstable();
    let mut seqs: Vec<i64> = placed.iter().map(|(seq, _)| *seq).collect();
    seqs.dedup();
    assert_eq!(
        seqs.len(),
        placed.len(),
        "distinct change numbers: {placed:?}"
    );
    let mut found: Vec<i64> = after.iter().map(|r| r.id).collect();
    found.sort_unstable();
    found.dedup();
    assert_eq!(found, ids, "every placed article is newer");
}

async fn sources_are_added_once_paused_and_removed_only_with_their_articles(backend: Backend) {
    let store = store_with_source(backend).await;
    let source = store.find_source("xinghe").await.unwrap();
    let duplicate = NewSource {
        slug: "xinghe".into(),
        name: "另一个".into(),
        kind: SourceKind::Feed,
        homepage: None,
        feed_url: None,
        follow_url: None,
        qr_image: None,
        channel_slug: None,
        description: String::new(),
        ..NewSource::default()
    };
    assert!(matches!(
        store.insert_source(&duplicate).await,
        Err(Error::Conflict { .. })
    ));
    assert_eq!(
        store
            .find_source(&source.id.to_string())
            .await
            .unwrap()
            .slug,
        "xinghe"
    );
    store.set_source_paused(source.id, true).await.unwrap();
    assert!(store.find_source("xinghe").await.unwrap().paused);
    store.upsert_articles(&[article(1, "一篇")]).await.unwrap();
    let err = store.remove_source(source.id, false).await.unwrap_err();
    assert!(
        matches!(err, Error::SourceHasArticles { count: 1, .. }),
        "{err}"
    );
    assert!(err.to_string().contains("pause it instead"), "{err}");
    let before = store.articles_changed_since(i64::MIN, 100).await.unwrap();
    let last_seq = before.last().unwrap().change_seq;
    assert_eq!(store.remove_source(source.id, true).await.unwrap(), 1);
    assert_eq!(store.article_count().await.unwrap(), 0);
    // The deletion is a change an index catches up on, numbered after everything before it.
    let after = store.articles_changed_since(last_seq, 100).await.unwrap();
    assert_eq!(after.len(), 1);
    assert_eq!(after[0].id, before.last().unwrap().id);
    assert_eq!(after[0].status, ArticleStatus::Removed);
    assert!(after[0].change_seq > last_seq);
    // ...and numbers are never handed out twice, though the newest article is gone.
    add_source(&store, "other", "别的报").await;
    let mut next = article(2, "下一篇");
    next.source_slug = "other".into();
    store.upsert_articles(&[next]).await.unwrap();
    let newest = store
        .articles_changed_since(after[0].change_seq, 100)
        .await
        .unwrap();
    assert_eq!(
        newest.len(),
        1,
        "the new article is seen after the deletion"
    );
    assert_eq!(newest[0].title, "下一篇");
    assert!(matches!(
        store.find_source("xinghe").await,
        Err(Error::NotFound { .. })
    ));
}

async fn health_records_failures_in_a_row_and_a_success_clears_them(backend: Backend) {
    let store = store_with_source(backend).await;
    let mut source = store.find_source("xinghe").await.unwrap();
    let t0 = Utc.with_ymd_and_hms(2026, 11, 20, 8, 0, 0).unwrap();
    let hour = chrono::Duration::hours(1);
    assert_eq!(
        store.source_health(source.id).await.unwrap(),
        Default::default()
    );
    assert_eq!(
        store
            .record_fetch_failure(source.id, t0, "超时", t0 + hour)
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        store
            .record_fetch_failure(source.id, t0 + hour, "仍然超时", t0 + hour * 3)
            .await
            .unwrap(),
        2
    );
    let health = store.source_health(source.id).await.unwrap();
    assert_eq!(
        health.failing_since,
        Some(t0),
        "the run of failures began with the first"
    );
    assert_eq!(health.last_error.as_deref(), Some("仍然超时"));
    assert_eq!(health.next_check_at, Some(t0 + hour * 3));
    assert!(health.is_stale(t0 + chrono::Duration::days(3), chrono::Duration::days(2)));

    // Only sources with a feed are due.
    assert!(
        store
            .due_sources(t0 + hour * 4, 10)
            .await
            .unwrap()
            .is_empty()
    );
    source.feed_url = Some("https://xinghe.example/rss.xml".into());
    store
        .upsert_source(&NewSource {
            slug: source.slug.clone(),
            name: source.name.clone(),
            kind: source.kind,
            homepage: source.homepage.clone(),
            feed_url: source.feed_url.clone(),
            follow_url: None,
            qr_image: None,
            channel_slug: Some("guoji".into()),
            description: String::new(),
            ..NewSource::default()
        })
        .await
        .unwrap();
    assert!(
        store
            .due_sources(t0 + hour * 2, 10)
            .await
            .unwrap()
            .is_empty(),
        "not yet due"
    );
    assert_eq!(store.due_sources(t0 + hour * 4, 10).await.unwrap().len(), 1);

    let success = xinwen_store::FetchSuccess {
        etag: Some("\"v2\"".into()),
        last_modified: None,
        articles_added: 3,
        publish_interval_secs: Some(7200),
        next_check_at: t0 + hour * 5,
        read_note: None,
    };
    store
        .record_fetch_success(source.id, t0 + hour * 4, &success)
        .await
        .unwrap();
    store
        .record_fetch_success(
            source.id,
            t0 + hour * 5,
            &xinwen_store::FetchSuccess {
                publish_interval_secs: None,
                ..success.clone()
            },
        )
        .await
        .unwrap();
    let health = store.source_health(source.id).await.unwrap();
    assert_eq!(health.consecutive_failures, 0);
    assert_eq!(health.last_error, None);
    assert_eq!(health.failing_since, None);
    assert_eq!(health.articles_added, 6);
    assert_eq!(
        health.publish_interval_secs,
        Some(7200),
        "kept when a fetch observes none"
    );
    assert_eq!(health.etag.as_deref(), Some("\"v2\""));
    let listed = store.sources_with_health().await.unwrap();
    assert_eq!(listed[0].health, health);

    // The day's fetches, for the admin's charts: 16:00 to 21:00 in China is one day.
    let day = xinwen_store::china_day(t0);
    let days = store
        .fetch_days(Some(source.id), 30, t0 + hour * 5)
        .await
        .unwrap();
    assert_eq!(
        days,
        [xinwen_store::FetchDay {
            day,
            successes: 2,
            failures: 2,
            articles: 6
        }]
    );
    assert_eq!(
        store.fetch_days(None, 30, t0 + hour * 5).await.unwrap(),
        days
    );
    let added = store
        .articles_added_per_day_by_source(30, t0 + hour * 5)
        .await
        .unwrap();
    assert_eq!(
        added,
        [xinwen_store::DayCount {
            day,
            key: source.id,
            count: 6
        }]
    );
    // Past the window, nothing.
    let later = t0 + chrono::Duration::days(40);
    assert!(store.fetch_days(None, 30, later).await.unwrap().is_empty());
}

async fn hot_stories_rank_by_sources_and_recency_within_the_window(backend: Backend) {
    let store = store_with_source(backend).await;
    for slug in ["a", "b", "c", "d"] {
        add_source(&store, slug, &format!("来源{slug}")).await;
    }
    let now = Utc.with_ymd_and_hms(2026, 11, 26, 12, 0, 0).unwrap();
    let hours = chrono::Duration::hours;
    // (story, sources, hours ago of each article)
    let plan: [(&str, &[&str], &[i64]); 4] = [
        ("wide", &["a", "b", "c"], &[6, 5, 4]),
        ("narrow", &["a", "b"], &[2, 1]),
        ("old", &["a", "b", "c", "d"], &[100, 99, 98, 97]),
        ("alone", &["a"], &[1]),
    ];
    let mut leads = Vec::new();
    for (n, (story, sources, ages)) in plan.iter().enumerate() {
        let told: Vec<(&str, DateTime<Utc>)> = sources
            .iter()
            .zip(ages.iter())
            .map(|(source, age)| (*source, now - hours(*age)))
            .collect();
        leads.push(add_story(&store, n as u32 * 10, story, &told).await);
    }
    let hot = store.hot_stories(now, 10).await.unwrap();
    let order: Vec<i64> = hot.iter().map(|h| h.story_id).collect();
    // Three sources five hours ago outweigh two sources an hour ago; a story told by one
    // source is not hot. The window holds two stories, fewer than 热点 shows: it looks back
    // further, and the story four days old comes after them, colder.
    assert_eq!(order, [leads[0], leads[1], leads[2]], "{hot:?}");
    // When the window holds as many as are asked for, older stories stay out.
    let two = store.hot_stories(now, 2).await.unwrap();
    assert_eq!(
        two.iter().map(|h| h.story_id).collect::<Vec<_>>(),
        [leads[0], leads[1]]
    );
    assert_eq!(hot[0].source_count, 3);
    let story = store.story(leads[0]).await.unwrap().unwrap();
    assert_eq!(
        story.original_article_id,
        Some(leads[0]),
        "the earliest, when nobody is credited"
    );
    assert_eq!(story.source_count(), 3);
    // The lead leaves with its article; the list shows the story by the next one.
    store
        .set_article_status(leads[0], ArticleStatus::Removed)
        .await
        .unwrap();
    let story = store.story(leads[0]).await.unwrap().unwrap();
    assert_ne!(story.lead_article_id, Some(leads[0]));
    assert!(story.lead_article_id.is_some());
}

async fn the_original_is_the_one_reposts_credit_by_name_or_link_not_just_the_earliest(
    backend: Backend,
) {
    let store = store_with_source(backend).await;
    let now = Utc.with_ymd_and_hms(2026, 11, 26, 12, 0, 0).unwrap();
    for (slug, name) in [("rebo", "热播快讯"), ("zhinan", "城市生活指南")] {
        add_source(&store, slug, name).await;
    }
    // The repost reached us first; its 阅读原文 leads to 星河日报's page.
    let mut repost = article(1, "刚刚！大桥通车");
    repost.source_slug = "rebo".into();
    repost.published_at = now - chrono::Duration::hours(3);
    repost.credited_source = Some("http://xinghe.example/2.html?from=timeline".into());
    let mut original = article(2, "大桥正式通车");
    original.published_at = now - chrono::Duration::hours(2);
    let mut named = article(3, "转：大桥通车");
    named.source_slug = "zhinan".into();
    named.published_at = now - chrono::Duration::hours(1);
    named.credited_source = Some("星河日报".into());
    let ids = store
        .upsert_articles(&[repost, original, named])
        .await
        .unwrap();
    for id in &ids {
        store
            .assign_story(*id, ids[0], None, (&[0u8; 512], 100, *id as u64, &[]))
            .await
            .unwrap();
    }
    let story = store.story(ids[0]).await.unwrap().unwrap();
    assert_eq!(
        story.original_article_id,
        Some(ids[1]),
        "credited twice, by link and by name"
    );
    assert_eq!(story.lead_article_id, Some(ids[1]));
    let list = store
        .latest_articles(ArticleFilter::default(), 1, 10, false)
        .await
        .unwrap();
    assert_eq!(list.total, 1, "one story, listed once");
    assert_eq!(list.items[0].id, ids[1], "by its original");
}

#[tokio::test]
async fn a_data_directory_that_is_a_file_is_named_as_such() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("notes.txt");
    std::fs::write(&file, "not a directory").unwrap();
    let err = Store::open(&file).await.unwrap_err();
    assert!(matches!(err, Error::NotADirectory { .. }), "{err}");
    assert!(
        err.to_string().contains("is a file, not a directory"),
        "{err}"
    );
}

#[tokio::test]
async fn an_empty_database_file_is_refused_rather_than_started_as_a_new_site() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join(xinwen_store::DATABASE_FILE);
    std::fs::write(&db, b"").unwrap();
    let err = Store::open(dir.path()).await.unwrap_err();
    assert!(matches!(err, Error::EmptyDatabase { .. }), "{err}");
    assert!(err.to_string().contains("0 bytes"), "{err}");
    assert_eq!(std::fs::metadata(&db).unwrap().len(), 0, "left as it was");
}

#[tokio::test]
async fn an_overwritten_page_is_found_by_the_integrity_check() {
    let store = store_with_source(Backend::Sqlite).await;
    let articles: Vec<NewArticle> = (0..400)
        .map(|n| {
            let mut a = article(n, &format!("第{n}篇"));
            a.body_text = "正文".repeat(200);
            a
        })
        .collect();
    store.upsert_articles(&articles).await.unwrap();
    store.check_integrity().await.unwrap();
    store.close().await;
    let db = store.dir.path().join(xinwen_store::DATABASE_FILE);
    // Closing the last connection folds the log into the main file, so that the page
    // overwritten below is the one SQLite reads.
    assert!(!store.dir.path().join("xinwen.db-wal").exists());
    let mut bytes = std::fs::read(&db).unwrap();
    let page_size = usize::from(u16::from_be_bytes([bytes[16], bytes[17]]));
    let pages = bytes.len() / page_size;
    assert!(pages > 20, "{pages} pages");
    // A page in the middle, well past the schema, overwritten with junk.
    let at = page_size * (pages / 2);
    for (i, b) in bytes[at..at + page_size].iter_mut().enumerate() {
        *b = (i * 31 % 251) as u8;
    }
    std::fs::write(&db, &bytes).unwrap();
    // Found when the store is opened (its statistics read that page) or by the check.
    let err = match Store::open(store.dir.path()).await {
        Ok(store) => store.check_integrity().await.unwrap_err(),
        Err(err) => err,
    };
    assert!(matches!(err, Error::Damaged { .. }), "{err}");
    assert!(
        err.to_string().contains("restore xinwen.db from a backup"),
        "{err}"
    );
}

/// A data directory from before heat was kept: its stories get their heat at the next open,
/// and 热点 lists them as it did.
#[tokio::test]
async fn stories_from_before_heat_get_it_at_open() {
    let store = store_with_source(Backend::Sqlite).await;
    for slug in ["a", "b"] {
        add_source(&store, slug, &format!("来源{slug}")).await;
    }
    let now = Utc.with_ymd_and_hms(2026, 11, 26, 12, 0, 0).unwrap();
    let hours = chrono::Duration::hours;
    add_story(
        &store,
        0,
        "heat",
        &[("a", now - hours(3)), ("b", now - hours(2))],
    )
    .await;
    let hot_before = store.hot_stories(now, 10).await.unwrap();
    assert_eq!(hot_before.len(), 1, "the story told by two sources is hot");
    store.close().await;
    let db = store.dir.path().join(xinwen_store::DATABASE_FILE);
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", db.display()))
        .await
        .unwrap();
    sqlx::query("UPDATE stories SET heat = NULL")
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;

    let store = Store::open(store.dir.path()).await.unwrap();
    assert_eq!(store.stories_without_heat().await.unwrap(), 0);
    let hot = store.hot_stories(now, 10).await.unwrap();
    assert_eq!(hot.len(), 1, "{hot:?}");
    assert_eq!(hot[0].story_id, hot_before[0].story_id);
    assert!((hot[0].score - hot_before[0].score).abs() < 1e-9);
}

/// Reading a list page after the previous page's last article gives what counting from the
/// top gives; the count stops at the deepest page a list offers, and past it nothing is read.
async fn lists_read_after_a_cursor_and_stop_at_their_deepest_page(backend: Backend) {
    let store = store_with_source(backend).await;
    let batch: Vec<_> = (1..=60).map(|n| article(n, &format!("文章{n}"))).collect();
    store.upsert_articles(&batch).await.unwrap();
    let all = ArticleFilter::default();
    let mut after = None;
    let mut seen = Vec::new();
    for number in 1..=7 {
        let by_offset = store.latest_articles(all, number, 10, false).await.unwrap();
        let by_key = store
            .latest_articles_after(all, number, after, 10, false)
            .await
            .unwrap();
        let ids = |p: &xinwen_store::Page<xinwen_model::ArticleSummary>| {
            p.items.iter().map(|a| a.id).collect::<Vec<_>>()
        };
        assert_eq!(ids(&by_key), ids(&by_offset), "page {number}");
        seen.extend(ids(&by_key));
        after = by_key.next;
        assert_eq!(after.is_some(), number < 6, "page {number} has a next");
    }
    seen.sort_unstable();
    seen.dedup();
    assert_eq!(seen.len(), 60, "every article once");
    let cursor = xinwen_store::Cursor::parse("1764000000-42").unwrap();
    assert_eq!(
        (cursor.published_at, cursor.id, cursor.to_param()),
        (1_764_000_000, 42, "1764000000-42".to_owned())
    );
    assert_eq!(xinwen_store::Cursor::parse("42"), None);

    // With one article per page, 60 articles are more than the deepest page: the count says
    // as many as may be shown, and the page past it is empty.
    let capped = store.latest_articles(all, 1, 1, false).await.unwrap();
    assert_eq!(capped.total, u64::from(xinwen_store::MAX_LIST_PAGES));
    assert_eq!(capped.page_count(), xinwen_store::MAX_LIST_PAGES);
    let past = store
        .latest_articles(all, xinwen_store::MAX_LIST_PAGES + 1, 1, false)
        .await
        .unwrap();
    assert!(past.items.is_empty());
}

/// One story told by each `(source, time)` in turn, the first article its lead; returns the
/// story's id. Articles are numbered from `first_number`.
async fn add_story(
    store: &Store,
    first_number: u32,
    name: &str,
    told: &[(&str, DateTime<Utc>)],
) -> i64 {
    let mut first = None;
    for (k, (source, at)) in told.iter().enumerate() {
        let mut a = article(first_number + k as u32, &format!("{name}-{k}"));
        a.source_slug = (*source).into();
        a.published_at = *at;
        let id = store.upsert_articles(&[a]).await.unwrap()[0];
        let story_id = *first.get_or_insert(id);
        store
            .assign_story(id, story_id, None, (&[0u8; 512], 100, id as u64, &[]))
            .await
            .unwrap();
    }
    first.expect("a story has an article")
}

async fn related_reading_is_kept_and_worked_out_again_once_an_article_is_a_day_old(
    backend: Backend,
) {
    let store = store_with_source(backend).await;
    let ids = store
        .upsert_articles(&[article(1, "一"), article(2, "二"), article(3, "三")])
        .await
        .unwrap();
    let published =
        |n: i64| Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap() + chrono::Duration::hours(n);
    let needing = |now| {
        let store = store.clone();
        async move {
            store
                .articles_needing_related(None, None, now, 10)
                .await
                .unwrap()
                .into_iter()
                .map(|(id, _)| id)
                .collect::<Vec<_>>()
        }
    };
    // None worked out: all, newest first; then after a cursor, the older ones.
    let now = published(4);
    assert_eq!(needing(now).await, [ids[2], ids[1], ids[0]]);
    let first = store
        .articles_needing_related(None, None, now, 1)
        .await
        .unwrap();
    let after = store
        .articles_needing_related(Some(first[0].1), None, now, 10)
        .await
        .unwrap();
    assert_eq!(
        after.iter().map(|(id, _)| *id).collect::<Vec<_>>(),
        [ids[1], ids[0]]
    );
    // Worked out an hour after it appeared: kept, and not asked again until it is a day old.
    let links = vec![xinwen_store::RelatedLink {
        id: ids[0],
        shared: vec!["台风".into(), "南屿".into()],
        close: Some(true),
    }];
    store
        .set_related_reading(ids[2], &links, published(4))
        .await
        .unwrap();
    let kept = store.related_reading(ids[2]).await.unwrap().unwrap();
    assert_eq!(kept.items, links);
    assert_eq!(needing(published(5)).await, [ids[1], ids[0]]);
    assert_eq!(needing(published(3 + 25)).await, [ids[2], ids[1], ids[0]]);
    // Worked out again a day on: settled.
    store
        .set_related_reading(ids[2], &links, published(3 + 25))
        .await
        .unwrap();
    assert_eq!(needing(published(3 + 100)).await, [ids[1], ids[0]]);
    // A removed article is not worked out; nothing is kept for an article that is not there.
    store
        .set_article_status(ids[1], ArticleStatus::Removed)
        .await
        .unwrap();
    assert_eq!(needing(published(3 + 100)).await, [ids[0]]);
    store
        .set_related_reading(999_999, &links, published(5))
        .await
        .unwrap();
    assert!(store.related_reading(999_999).await.unwrap().is_none());
}

/// A store made by schema 16 (sources named by platform: wechat, news_site, other), upgraded
/// in place: kinds and publisher types follow from the platform, a WeChat account's feed
/// becomes its first bridge, and nothing that refers to a source is lost in the table's
/// rebuild (health, feed entries, articles), while stored WeChat links lose their signature.
#[tokio::test]
async fn a_schema_16_store_upgrades_its_sources_in_place() {
    use sqlx::Connection;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join(xinwen_store::DATABASE_FILE);
    {
        let options = sqlx::sqlite::SqliteConnectOptions::new()
            .filename(&file)
            .create_if_missing(true)
            .foreign_keys(true);
        let mut conn = sqlx::SqliteConnection::connect_with(&options)
            .await
            .unwrap();
        sqlx::raw_sql(
            "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)",
        )
        .execute(&mut conn)
        .await
        .unwrap();
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/sqlite");
        let mut files: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        files.sort();
        for path in files {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            let version: i64 = name[..4].parse().unwrap();
            if version > 16 {
                continue;
            }
            sqlx::raw_sql(sqlx::AssertSqlSafe(std::fs::read_to_string(&path).unwrap()))
                .execute(&mut conn)
                .await
                .unwrap();
            sqlx::query("INSERT INTO schema_migrations VALUES (?, ?, 0)")
                .bind(version)
                .bind(&name)
                .execute(&mut conn)
                .await
                .unwrap();
        }
        sqlx::raw_sql(
            "INSERT INTO channels (id, slug, name) VALUES (1, 'shehui', '社会');
             INSERT INTO sources (id, slug, name, kind, feed_url, channel_id, created_at) VALUES
                (1, 'ribao', '日报', 'news_site', 'https://ribao.example/rss.xml', 1, 0),
                (2, 'zhanghao', '公众号', 'wechat', 'https://rsshub.example/wechat/mp/x', 1, 0),
                (3, 'duzhe', '读者投稿', 'other', NULL, 1, 0);
             INSERT INTO source_health (source_id, articles_added, last_success_at) VALUES (1, 7, 100), (2, 3, 100);
             INSERT INTO articles (id, source_id, channel_id, title, original_url, canonical_url,
                                   published_at, fetched_at, body_html, body_text, summary, script, updated_at)
             VALUES (1, 2, 1, '一篇', 'https://mp.weixin.qq.com/s?__biz=MzA=&mid=9&idx=1&sn=ab',
                     'https://mp.weixin.qq.com/s?__biz=MzA%3D&idx=1&mid=9&sn=ab', 0, 0, '<p>x</p>', 'x', 'x', 'zh-Hans', 0);
             INSERT INTO feed_entries (source_id, guid, article_id, entry_hash, seen_at) VALUES (2, 'g1', 1, 'h', 0);",
        )
        .execute(&mut conn)
        .await
        .unwrap();
        conn.close().await.unwrap();
    }
    let store = Store::open(dir.path()).await.unwrap();
    assert_eq!(
        store.schema_versions().await.unwrap(),
        (1..=LATEST_SCHEMA).collect::<Vec<i64>>()
    );
    let sources = store.sources_with_health().await.unwrap();
    let by_slug = |slug: &str| sources.iter().find(|s| s.source.slug == slug).unwrap();
    let ribao = by_slug("ribao");
    assert_eq!(ribao.source.kind, SourceKind::Feed);
    assert_eq!(ribao.source.publisher, xinwen_model::Publisher::Commercial);
    assert_eq!(
        ribao.health.articles_added, 7,
        "health survives the rebuild"
    );
    let account = by_slug("zhanghao");
    assert_eq!(account.source.kind, SourceKind::Wechat);
    assert_eq!(account.source.publisher, xinwen_model::Publisher::SelfMedia);
    assert_eq!(account.source.feed_url, None);
    let bridges = store.source_bridges(account.source.id).await.unwrap();
    assert_eq!(bridges.len(), 1);
    assert_eq!(bridges[0].url, "https://rsshub.example/wechat/mp/x");
    assert_eq!(
        by_slug("duzhe").source.publisher,
        xinwen_model::Publisher::Readers
    );
    let article = store.article(1).await.unwrap().unwrap();
    assert_eq!(
        article.canonical_url,
        "https://mp.weixin.qq.com/s?__biz=MzA%3D&idx=1&mid=9"
    );
    let known = store
        .known_entries(account.source.id, &["g1".to_owned()])
        .await
        .unwrap();
    assert_eq!(known.len(), 1, "feed entries survive the rebuild");
}

/// Workers sharing a store: a due source goes to one worker at a time, is renewed while held,
/// and goes to another once released or once its lease runs out.
async fn due_sources_are_leased_to_one_worker_at_a_time(backend: Backend) {
    let store = store_with_source(backend).await;
    let mut second = NewSource {
        slug: "second".into(),
        name: "第二".into(),
        kind: SourceKind::Feed,
        feed_url: Some("https://second.example/feed.xml".into()),
        channel_slug: Some("guoji".into()),
        ..NewSource::default()
    };
    store.upsert_source(&second).await.unwrap();
    second.slug = "third".into();
    second.feed_url = Some("https://third.example/feed.xml".into());
    store.upsert_source(&second).await.unwrap();
    let now = Utc::now();
    let lease = std::time::Duration::from_secs(60);
    let slugs = |due: &[xinwen_store::SourceWithHealth]| -> Vec<String> {
        due.iter().map(|s| s.source.slug.clone()).collect()
    };
    let a = store.claim_due_sources("a", now, lease, 1).await.unwrap();
    let b = store.claim_due_sources("b", now, lease, 10).await.unwrap();
    assert_eq!(a.len(), 1);
    assert_eq!(
        b.len(),
        1,
        "the feedless source is never due: {:?}",
        slugs(&b)
    );
    assert_ne!(slugs(&a), slugs(&b), "never the same source to two workers");
    assert!(
        store
            .claim_due_sources("c", now, lease, 10)
            .await
            .unwrap()
            .is_empty()
    );
    // A holder asking again keeps what it holds.
    assert_eq!(
        slugs(&store.claim_due_sources("a", now, lease, 10).await.unwrap()),
        slugs(&a)
    );
    // Another worker waits for the lease, not for the source's schedule.
    let next = store.next_due_at_for(Some("c")).await.unwrap().unwrap();
    assert!(
        next > now + chrono::Duration::seconds(50),
        "{next} vs {now}"
    );

    assert_eq!(store.renew_leases("a", now, lease).await.unwrap(), 1);
    assert_eq!(store.release_leases("b").await.unwrap(), 1);
    assert_eq!(
        slugs(&store.claim_due_sources("c", now, lease, 10).await.unwrap()),
        slugs(&b)
    );
    // a dies: past its lease, its source goes to another.
    let later = now + chrono::Duration::seconds(61);
    assert_eq!(
        slugs(
            &store
                .claim_due_sources("d", later, lease, 10)
                .await
                .unwrap()
        )
        .len(),
        2
    );
}

/// Turns at a host are spaced across workers, and a pause holds every one back.
async fn host_turns_are_spaced_for_every_worker(backend: Backend) {
    let store = store_with_source(backend).await;
    let now = 1_000_000;
    assert_eq!(
        store
            .reserve_host_turn("a.example", now, 1000)
            .await
            .unwrap(),
        now
    );
    assert_eq!(
        store
            .reserve_host_turn("a.example", now, 1000)
            .await
            .unwrap(),
        now + 1000
    );
    assert_eq!(
        store
            .reserve_host_turn("b.example", now, 1000)
            .await
            .unwrap(),
        now
    );
    // Long after, a turn is at once again.
    assert_eq!(
        store
            .reserve_host_turn("a.example", now + 60_000, 1000)
            .await
            .unwrap(),
        now + 60_000
    );
    store.pause_host("a.example", now + 120_000).await.unwrap();
    store.pause_host("a.example", now + 90_000).await.unwrap();
    assert_eq!(
        store
            .reserve_host_turn("a.example", now + 61_000, 1000)
            .await
            .unwrap(),
        now + 120_000
    );
}

/// Places for requests in flight at a host are counted across workers: no more than the
/// limit, one given back is free again, and one never given back frees itself.
async fn places_at_a_host_are_shared_up_to_the_limit(backend: Backend) {
    let store = store_with_source(backend).await;
    let now = 1_000_000;
    let take = |holder: &'static str, at: i64| {
        let store = store.clone();
        async move {
            store
                .take_host_place("a.example", holder, 2, at, 30_000)
                .await
                .unwrap()
        }
    };
    assert_eq!(take("w1:1", now).await, Some(0));
    assert_eq!(take("w2:1", now).await, Some(1));
    assert_eq!(take("w1:2", now).await, None, "both places are held");
    assert_eq!(
        store
            .take_host_place("b.example", "w1:3", 2, now, 30_000)
            .await
            .unwrap(),
        Some(0),
        "another host has places of its own"
    );
    // Given back by someone else's name: nothing happens.
    store
        .leave_host_place("a.example", 0, "w2:1")
        .await
        .unwrap();
    assert_eq!(take("w1:4", now).await, None);
    store
        .leave_host_place("a.example", 0, "w1:1")
        .await
        .unwrap();
    assert_eq!(take("w1:5", now + 10_000).await, Some(0));
    // w2:1 died holding place 1: it is free once its hold runs out.
    assert_eq!(take("w1:6", now + 29_000).await, None);
    assert_eq!(take("w1:7", now + 30_000).await, Some(1));

    // A request's way in takes a place and a start together, and no start without a place.
    let enter = |holder: &'static str, at: i64| {
        let store = store.clone();
        async move {
            store
                .enter_host("c.example", holder, 1, at, 30_000, 1_000)
                .await
                .unwrap()
        }
    };
    assert_eq!(enter("w1:8", now).await, Some((0, now)));
    assert_eq!(enter("w2:2", now).await, None, "the one place is held");
    store
        .leave_host_place("c.example", 0, "w1:8")
        .await
        .unwrap();
    assert_eq!(
        enter("w2:3", now + 10).await,
        Some((0, now + 1_000)),
        "a place, and the start after the last one"
    );

    // The holder's next request goes on in the place it holds: held longer, with a start.
    assert_eq!(
        store
            .reenter_host("c.example", 0, "w2:3", now + 20_000, 30_000, 1_000)
            .await
            .unwrap(),
        Some(now + 20_000)
    );
    assert_eq!(
        enter("w1:9", now + 40_000).await,
        None,
        "kept longer, the place is still held past its first hold"
    );
    assert_eq!(
        store
            .reenter_host("c.example", 0, "w1:9", now + 40_000, 30_000, 1_000)
            .await
            .unwrap(),
        None,
        "only its holder goes on in a place"
    );
    assert_eq!(enter("w1:10", now + 50_000).await, Some((0, now + 50_000)));
    assert_eq!(
        store
            .reenter_host("c.example", 0, "w2:3", now + 50_000, 30_000, 1_000)
            .await
            .unwrap(),
        None,
        "a place whose hold ran out and went to another is not gone on in"
    );
}

/// A site-wide task is held by one process at a time, passes on when its lease runs out or is
/// given up, and the next holder goes on from the mark the last one left.
async fn a_task_is_held_by_one_process_and_passed_on_with_its_mark(backend: Backend) {
    let store = store_with_source(backend).await;
    let now = 1_000_000;
    let hold = |holder: &'static str, at: i64| {
        let store = store.clone();
        async move {
            store
                .hold_task("webhooks", holder, at, 30_000)
                .await
                .unwrap()
        }
    };
    assert_eq!(hold("node-1", now).await, Some(0));
    assert_eq!(hold("node-2", now + 1_000).await, None, "node 1 holds it");
    assert_eq!(hold("node-1", now + 20_000).await, Some(0), "renewed");
    assert!(store.set_task_mark("webhooks", "node-1", 42).await.unwrap());
    assert!(!store.set_task_mark("webhooks", "node-2", 7).await.unwrap());
    assert_eq!(hold("node-2", now + 45_000).await, None, "the renewal runs");
    // Node 1 went quiet: once its lease runs out, node 2 goes on from its mark.
    assert_eq!(hold("node-2", now + 50_000).await, Some(42));
    assert_eq!(hold("node-1", now + 51_000).await, None);
    store.release_task("webhooks", "node-2").await.unwrap();
    assert_eq!(
        hold("node-1", now + 52_000).await,
        Some(42),
        "given up, taken at once"
    );
    assert_eq!(
        store
            .hold_task("websub", "node-2", now, 30_000)
            .await
            .unwrap(),
        Some(0),
        "each task has its own lease"
    );
}

/// What every node must agree on besides articles: the site's generation and its keys.
async fn site_changes_and_keys_are_shared(backend: Backend) {
    let store = store_with_source(backend).await;
    assert_eq!(store.site_generation().await.unwrap(), 0);
    assert_eq!(store.announce_site_change().await.unwrap(), 1);
    assert_eq!(store.announce_site_change().await.unwrap(), 2);
    assert_eq!(store.reopen().await.site_generation().await.unwrap(), 2);
    assert_eq!(store.shared_key("media.key", "aa").await.unwrap(), "aa");
    assert_eq!(
        store.shared_key("media.key", "bb").await.unwrap(),
        "aa",
        "the first offer wins"
    );
}

/// A SQLite site moved to PostgreSQL: every table counted and checksummed alike, and the
/// PostgreSQL store answers as the SQLite one did; new rows take new ids.
#[tokio::test]
async fn a_sqlite_store_copied_to_postgresql_answers_the_same() {
    if !xinwen_test_support::postgres_available() {
        return;
    }
    let sqlite = store_with_source(Backend::Sqlite).await;
    for slug in ["a", "b"] {
        add_source(&sqlite, slug, &format!("来源{slug}")).await;
    }
    let now = Utc.with_ymd_and_hms(2026, 11, 26, 12, 0, 0).unwrap();
    let story = add_story(
        &sqlite,
        0,
        "copy",
        &[
            ("a", now - chrono::Duration::hours(3)),
            ("b", now - chrono::Duration::hours(2)),
        ],
    )
    .await;
    let mut with_image = article(7, "有图的一篇");
    with_image.images = vec![Image {
        src: "https://img.example/1.jpg".into(),
        alt: "图".into(),
        caption: String::new(),
    }];
    sqlite.upsert_articles(&[with_image]).await.unwrap();
    sqlite.announce_site_change().await.unwrap();

    let target = TestStore::new(Backend::Postgres).await;
    let mut last = None;
    let report = sqlite
        .copy_into(&target, |p| last = Some((p.done, p.total)))
        .await
        .unwrap();
    let (done, total) = last.unwrap();
    assert_eq!(done, total);
    for table in &report {
        assert!(table.matches(), "{table:?}");
    }
    let articles = report.iter().find(|t| t.table == "articles").unwrap();
    assert_eq!(articles.target_rows, 3);

    assert_eq!(target.article_count().await.unwrap(), 3);
    assert_eq!(target.site_generation().await.unwrap(), 1);
    assert_eq!(
        target.hot_stories(now, 10).await.unwrap(),
        sqlite.hot_stories(now, 10).await.unwrap()
    );
    assert_eq!(
        target.story(story).await.unwrap(),
        sqlite.story(story).await.unwrap()
    );
    let page = |store: &Store| {
        let store = store.clone();
        async move {
            store
                .latest_articles(ArticleFilter::default(), 1, 20, true)
                .await
                .unwrap()
        }
    };
    assert_eq!(page(&target).await, page(&sqlite).await);
    let added = target
        .upsert_articles(&[article(8, "搬家以后")])
        .await
        .unwrap()[0];
    let highest = report
        .iter()
        .find(|t| t.table == "articles")
        .unwrap()
        .source_rows as i64;
    assert!(added > highest, "a new article takes a new id ({added})");
    let err = sqlite.copy_into(&target, |_| {}).await.unwrap_err();
    assert!(err.to_string().contains("new, empty database"), "{err}");
}

/// The files of blocked images are listed for every node to delete from its own cache, in the
/// order they were blocked, page by page; a file whose bytes another image still serves is not.
async fn blocked_images_are_listed_for_every_node_in_order(backend: Backend) {
    let store = TestStore::new(backend).await;
    let record = |url: &str, hash: &str| xinwen_store::MediaRecord {
        url: url.into(),
        content_hash: Some(hash.into()),
        content_type: Some("image/png".into()),
        size: Some(10),
        fetched_at: Utc::now(),
        error: None,
        blocked: false,
        dimensions: None,
    };
    for (url_hash, url, hash) in [
        ("u1", "https://img.example/1.png", "aa11"),
        ("u2", "https://img.example/2.png", "bb22"),
        ("u3", "https://img.example/3.png", "cc33"),
        // The same bytes as 3, under another URL that is not blocked.
        ("u4", "https://img.example/4.png", "cc33"),
    ] {
        store.put_media(url_hash, &record(url, hash)).await.unwrap();
    }
    let start = (i64::MIN, String::new());
    assert!(
        store
            .blocked_media_files(&start, 10)
            .await
            .unwrap()
            .is_empty()
    );
    for (url_hash, url) in [
        ("u2", "https://img.example/2.png"),
        ("u1", "https://img.example/1.png"),
        ("u3", "https://img.example/3.png"),
        // Never fetched: blocked, with no file.
        ("u5", "https://img.example/5.png"),
    ] {
        store.block_media(url_hash, url).await.unwrap();
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    let first = store.blocked_media_files(&start, 1).await.unwrap();
    assert_eq!(first.len(), 1);
    assert_eq!(
        first[0].content_hash, "bb22",
        "the first blocked comes first"
    );
    let rest = store
        .blocked_media_files(&first[0].position, 10)
        .await
        .unwrap();
    let hashes: Vec<&str> = rest.iter().map(|f| f.content_hash.as_str()).collect();
    assert_eq!(
        hashes,
        ["aa11"],
        "3's bytes are still served as 4; 5 has none"
    );
    assert!(
        store
            .blocked_media_files(&rest[0].position, 10)
            .await
            .unwrap()
            .is_empty()
    );
    // Blocked again, an image keeps its place in the order.
    store
        .block_media("u2", "https://img.example/2.png")
        .await
        .unwrap();
    assert_eq!(
        store.blocked_media_files(&start, 10).await.unwrap()[0].content_hash,
        "bb22"
    );
}

on_each_backend!(
    blocked_images_are_listed_for_every_node_in_order,
    due_sources_are_leased_to_one_worker_at_a_time,
    host_turns_are_spaced_for_every_worker,
    a_task_is_held_by_one_process_and_passed_on_with_its_mark,
    places_at_a_host_are_shared_up_to_the_limit,
    site_changes_and_keys_are_shared,
    migrations_apply_once_and_reopening_keeps_the_data,
    the_same_canonical_url_updates_instead_of_duplicating,
    a_batch_is_written_whole_or_not_at_all,
    lists_are_newest_first_paginated_and_filtered,
    a_removed_article_leaves_lists_and_stays_removed_when_fetched_again,
    a_source_with_an_unknown_channel_is_refused,
    an_entry_seen_again_under_a_new_url_updates_its_article,
    an_entry_met_twice_in_one_batch_makes_one_article_with_its_last_images,
    a_batch_longer_than_a_statement_keeps_its_order_and_a_repeated_url_is_one_article,
    a_batch_of_placements_is_written_as_if_placed_in_turn,
    articles_written_for_placing_are_numbered_once_placed,
    sources_are_added_once_paused_and_removed_only_with_their_articles,
    health_records_failures_in_a_row_and_a_success_clears_them,
    hot_stories_rank_by_sources_and_recency_within_the_window,
    the_original_is_the_one_reposts_credit_by_name_or_link_not_just_the_earliest,
    lists_read_after_a_cursor_and_stop_at_their_deepest_page,
    related_reading_is_kept_and_worked_out_again_once_an_article_is_a_day_old,
);

/// A batch that deadlocks with another writer on PostgreSQL (each holds a row the other
/// wants) is cancelled by the server and written again, whole, once the other is done.
#[tokio::test]
async fn a_batch_cancelled_to_end_a_deadlock_is_written_again() {
    use sqlx::Connection as _;
    if !xinwen_test_support::postgres_available() {
        return;
    }
    let store = store_with_source(Backend::Postgres).await;
    store
        .upsert_articles(&[article(1, "第一篇"), article(2, "第二篇")])
        .await
        .unwrap();
    let mut other = sqlx::PgConnection::connect(store.database_url.as_deref().unwrap())
        .await
        .unwrap();
    sqlx::query("BEGIN").execute(&mut other).await.unwrap();
    // So that the batch, which waits first, is the one the server finds the deadlock in and
    // cancels (changing it takes a superuser, as the test server's owner is; otherwise both
    // wait the default second and the batch, having waited longer, still checks first).
    let _ = sqlx::query("SET LOCAL deadlock_timeout = '10s'")
        .execute(&mut other)
        .await;
    let lock = |n: u32| {
        sqlx::query("UPDATE articles SET title = title WHERE canonical_url = $1")
            .bind(format!("https://xinghe.example/{n}.html"))
    };
    lock(2).execute(&mut other).await.unwrap();
    let batch = {
        let store = store.reopen().await;
        tokio::spawn(async move {
            store
                .upsert_articles(&[article(1, "第一篇改"), article(2, "第二篇改")])
                .await
        })
    };
    // The batch writes the first article, then waits for the second.
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert!(!batch.is_finished(), "the batch waits for the locked row");
    // Now this writer wants the batch's first row: a deadlock, which the server ends by
    // cancelling the batch.
    lock(1).execute(&mut other).await.unwrap();
    sqlx::query("COMMIT").execute(&mut other).await.unwrap();
    let ids = batch
        .await
        .unwrap()
        .expect("the batch is written after the deadlock");
    assert_eq!(ids.len(), 2);
    for (n, title) in [(1, "第一篇改"), (2, "第二篇改")] {
        let id = ids[n - 1];
        assert_eq!(store.article(id).await.unwrap().unwrap().title, title);
    }
}
