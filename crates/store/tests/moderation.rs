//! Accounts, sessions, submissions, takedowns, tombstones and the audit log, against each
//! backend (see `common`).

use chrono::{Duration, Utc};
use xinwen_model::{
    ArticleStatus, NewArticle, NewChannel, NewSource, Role, Script, SourceKind, SubmissionKind,
    SubmissionStatus, TakedownStatus,
};
mod common;

use common::TestStore;
use xinwen_store::{Actor, Backend, Error, NewSubmission, NewTakedown, Store};

async fn store(backend: Backend) -> TestStore {
    let store = TestStore::new(backend).await;
    store
        .upsert_channel(&NewChannel {
            slug: "guoji".into(),
            name: "国际".into(),
            description: String::new(),
            position: 0,
        })
        .await
        .unwrap();
    store
        .upsert_source(&NewSource {
            slug: "xinghe".into(),
            name: "星河日报".into(),
            kind: SourceKind::Feed,
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
    store
}

fn article(n: u32) -> NewArticle {
    let now = Utc::now();
    NewArticle {
        source_slug: "xinghe".into(),
        channel_slug: None,
        title: format!("第{n}篇"),
        author: None,
        original_url: format!("https://xinghe.example/{n}.html?from=feed"),
        canonical_url: format!("https://xinghe.example/{n}.html"),
        published_at: now,
        fetched_at: now,
        body_html: "<p>正文</p>".into(),
        body_text: "正文".into(),
        summary: "正文".into(),
        images: vec![xinwen_model::Image {
            src: format!("/media/p/sig/{n}"),
            alt: String::new(),
            caption: String::new(),
        }],
        script: Script::Simplified,
        credited_source: None,
    }
}

async fn editor(store: &Store) -> Actor {
    store
        .add_user("zhang", "$argon2id$fake", Role::Editor)
        .await
        .unwrap();
    let (user, hash) = store.user_for_login("zhang").await.unwrap().unwrap();
    assert_eq!(hash, "$argon2id$fake");
    Actor::user(&user)
}

async fn sessions_live_until_they_expire_or_the_password_changes(backend: Backend) {
    let store = store(backend).await;
    let id = store.add_user("li", "hash-1", Role::Admin).await.unwrap();
    assert!(matches!(
        store.add_user("li", "hash-2", Role::Editor).await,
        Err(Error::Conflict { .. })
    ));
    let now = Utc::now();
    store
        .create_session("digest-a", id, "csrf-a", now + Duration::hours(1))
        .await
        .unwrap();
    let session = store.session("digest-a", now).await.unwrap().unwrap();
    assert_eq!(session.user.username, "li");
    assert_eq!(session.user.role, Role::Admin);
    assert_eq!(session.csrf_token, "csrf-a");
    assert!(
        store
            .session("digest-a", now + Duration::hours(2))
            .await
            .unwrap()
            .is_none(),
        "expired"
    );
    assert!(store.session("unknown", now).await.unwrap().is_none());

    store.set_password("li", "hash-3").await.unwrap();
    assert!(
        store.session("digest-a", now).await.unwrap().is_none(),
        "ended by the new password"
    );
    assert_eq!(
        store.user_for_login("li").await.unwrap().unwrap().1,
        "hash-3"
    );
    assert!(matches!(
        store.set_password("nobody", "h").await,
        Err(Error::NotFound { .. })
    ));

    store
        .create_session("digest-b", id, "csrf-b", now + Duration::hours(1))
        .await
        .unwrap();
    store.delete_session("digest-b").await.unwrap();
    assert!(
        store.session("digest-b", now).await.unwrap().is_none(),
        "logged out"
    );
}

async fn failed_logins_are_counted_by_name_and_address(backend: Backend) {
    let store = store(backend).await;
    let now = Utc::now();
    for i in 0..3 {
        store
            .record_login_failure("li", "addr-1", now - Duration::seconds(i))
            .await
            .unwrap();
    }
    store
        .record_login_failure("wang", "addr-1", now)
        .await
        .unwrap();
    store
        .record_login_failure("li", "addr-2", now - Duration::hours(1))
        .await
        .unwrap();
    let (by_name, by_address) = store
        .login_failures("li", "addr-1", now - Duration::minutes(15))
        .await
        .unwrap();
    assert_eq!(by_name.len(), 3, "the old failure is outside the window");
    assert_eq!(by_address.len(), 4, "any name from the address counts");
    store.clear_login_failures("li").await.unwrap();
    let (by_name, _) = store
        .login_failures("li", "addr-1", now - Duration::days(1))
        .await
        .unwrap();
    assert!(by_name.is_empty());
}

async fn a_submission_is_published_once_with_its_audit_line(backend: Backend) {
    let store = store(backend).await;
    let actor = editor(&store).await;
    let new = NewSubmission {
        kind: SubmissionKind::Tip,
        title: String::new(),
        body: "青岚湖步道今天开放".into(),
        url: None,
        author: None,
        contact: Some("reader@example.com".into()),
        address_hash: "addr-1".into(),
    };
    let id = store
        .add_submission(&new, "S-AAAA-BBBB-CCCC")
        .await
        .unwrap();
    store
        .add_submission(&new, "S-AAAA-BBBB-DDDD")
        .await
        .unwrap();
    let hour_ago = Utc::now() - Duration::hours(1);
    assert_eq!(
        store
            .requests_since(Some("addr-1"), hour_ago)
            .await
            .unwrap(),
        2
    );
    assert_eq!(
        store
            .requests_since(Some("addr-2"), hour_ago)
            .await
            .unwrap(),
        0
    );
    assert_eq!(store.requests_since(None, hour_ago).await.unwrap(), 2);

    let pending = store
        .submissions(SubmissionStatus::Pending, 1, 10)
        .await
        .unwrap();
    assert_eq!(pending.total, 2);
    assert_eq!(pending.items[0].receipt, "S-AAAA-BBBB-CCCC", "oldest first");

    let mut published = article(9);
    published.canonical_url = "xinwen:submission:S-AAAA-BBBB-CCCC".into();
    let article_id = store
        .publish_submission(id, &published, &actor)
        .await
        .unwrap();
    let s = store
        .submission_by_receipt("S-AAAA-BBBB-CCCC")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(s.status, SubmissionStatus::Approved);
    assert_eq!(s.article_id, Some(article_id));
    assert_eq!(s.decided_by.as_deref(), Some("zhang"));
    assert_eq!(
        store.article(article_id).await.unwrap().unwrap().title,
        "第9篇"
    );
    // The dashboard's queue: one still waits at the end of today, none before they came.
    let queues = store.queue_history(30, Utc::now()).await.unwrap();
    assert_eq!(queues.len(), 30);
    let today = queues.last().unwrap();
    assert_eq!((today.submissions, today.takedowns), (1, 0));
    assert_eq!(queues[0].submissions, 0);
    // Decided is decided: neither a second publication nor a rejection goes through.
    assert!(matches!(
        store.publish_submission(id, &published, &actor).await,
        Err(Error::Conflict { .. })
    ));
    assert!(matches!(
        store
            .dismiss_submission(id, SubmissionStatus::Spam, &actor)
            .await,
        Err(Error::Conflict { .. })
    ));
    let log = store.audit_log(1, 50).await.unwrap();
    let actions: Vec<&str> = log.items.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(
        actions,
        [
            "submission.approve",
            "submission.receive",
            "submission.receive",
            "user.add"
        ]
    );
    assert_eq!(log.items[0].actor, "zhang");
    assert_eq!(log.items[1].actor, "public");
}

async fn an_approved_takedown_removes_tombstones_and_is_counted(backend: Backend) {
    let store = store(backend).await;
    let actor = editor(&store).await;
    let ids = store
        .upsert_articles(&[article(1), article(2), article(3)])
        .await
        .unwrap();
    let takedown = store
        .add_takedown(
            &NewTakedown {
                claimant: "青岚出版社".into(),
                contact: "legal@example.com".into(),
                pages: "https://xinghe.example/1.html".into(),
                work: "《青岚湖志》".into(),
                statement: "我社为著作权人".into(),
                address_hash: "addr-9".into(),
            },
            "T-AAAA-BBBB-CCCC",
        )
        .await
        .unwrap();
    let named = store
        .articles_by_refs(&[ids[1]], &["https://xinghe.example/1.html".into()])
        .await
        .unwrap();
    assert_eq!(
        named.iter().map(|a| a.id).collect::<Vec<_>>(),
        [ids[1], ids[0]]
    );

    let removed = store
        .approve_takedown(takedown, &[(ids[0], 11), (ids[1], 12)], "核实无误", &actor)
        .await
        .unwrap();
    assert_eq!(removed.len(), 2);
    assert_eq!(removed[0].image_srcs, ["/media/p/sig/1"]);
    // Until the purge is recorded, the takedown is there to be finished at the next start,
    // with what it removed.
    let unfinished = store.unpurged_takedowns().await.unwrap();
    assert_eq!(unfinished, vec![(takedown, removed.clone())]);
    store.takedown_purged(takedown).await.unwrap();
    assert!(store.unpurged_takedowns().await.unwrap().is_empty());
    for id in &ids[..2] {
        assert_eq!(
            store.article(*id).await.unwrap().unwrap().status,
            ArticleStatus::Removed
        );
        let notice = store.removal_notice(*id).await.unwrap().unwrap();
        assert_eq!(notice.reason.as_deref(), Some("takedown"));
        assert_eq!(notice.takedown_receipt.as_deref(), Some("T-AAAA-BBBB-CCCC"));
    }
    assert_eq!(
        store.article(ids[2]).await.unwrap().unwrap().status,
        ArticleStatus::Live
    );
    assert!(store.has_tombstones().await.unwrap());
    // Both the canonical and the original address are tombstoned.
    let (urls, hashes) = store
        .tombstoned(
            &[
                "https://xinghe.example/1.html",
                "https://xinghe.example/1.html?from=feed",
                "https://xinghe.example/3.html",
            ],
            &[12, 13],
        )
        .await
        .unwrap();
    assert_eq!(urls.len(), 2);
    assert_eq!(hashes.into_iter().collect::<Vec<_>>(), [12]);
    // Fetched again, the article stays removed.
    store.upsert_articles(&[article(1)]).await.unwrap();
    assert_eq!(
        store.article(ids[0]).await.unwrap().unwrap().status,
        ArticleStatus::Removed
    );
    // An editor cannot undo a takedown by "restoring" the article.
    assert!(matches!(
        store.set_article_hidden(ids[0], false, &actor).await,
        Err(Error::Conflict { .. })
    ));
    assert!(matches!(
        store.reject_takedown(takedown, "late", &actor).await,
        Err(Error::Conflict { .. })
    ));
    let t = store
        .takedown_by_receipt("T-AAAA-BBBB-CCCC")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(t.status, TakedownStatus::Approved);
    assert_eq!(t.decision_note.as_deref(), Some("核实无误"));

    let months = store.transparency().await.unwrap();
    assert_eq!(months.len(), 1);
    assert_eq!(months[0].takedowns_received, 1);
    assert_eq!(months[0].takedowns_approved, 1);
    assert_eq!(months[0].articles_removed, 2);
    let live = store
        .latest_articles(Default::default(), 1, 10, false)
        .await
        .unwrap();
    assert_eq!(
        live.items.iter().map(|a| a.id).collect::<Vec<_>>(),
        [ids[2]]
    );
    let sitemap: Vec<i64> = store
        .sitemap_articles(10)
        .await
        .unwrap()
        .iter()
        .map(|(id, _)| *id)
        .collect();
    assert_eq!(sitemap, [ids[2]]);
    let actions: Vec<String> = store
        .audit_log(1, 50)
        .await
        .unwrap()
        .items
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert_eq!(
        actions[..3],
        ["takedown.approve", "article.remove", "article.remove"]
    );
}

async fn hiding_restoring_and_moving_articles(backend: Backend) {
    let store = store(backend).await;
    let actor = editor(&store).await;
    store
        .upsert_channel(&NewChannel {
            slug: "keji".into(),
            name: "科技".into(),
            description: String::new(),
            position: 1,
        })
        .await
        .unwrap();
    let ids = store.upsert_articles(&[article(1)]).await.unwrap();
    store
        .set_article_hidden(ids[0], true, &actor)
        .await
        .unwrap();
    let hidden = store
        .admin_articles(Some(ArticleStatus::Removed), None, 1, 10)
        .await
        .unwrap();
    assert_eq!(hidden.items[0].removal_reason.as_deref(), Some("hidden"));
    store
        .set_article_hidden(ids[0], false, &actor)
        .await
        .unwrap();
    assert_eq!(
        store.article(ids[0]).await.unwrap().unwrap().status,
        ArticleStatus::Live
    );
    store
        .set_article_channel(ids[0], "keji", &actor)
        .await
        .unwrap();
    assert_eq!(
        store.article(ids[0]).await.unwrap().unwrap().channel.slug,
        "keji"
    );
    assert!(matches!(
        store.set_article_channel(ids[0], "nope", &actor).await,
        Err(Error::NotFound { .. })
    ));
    let found = store
        .admin_articles(None, Some("1篇"), 1, 10)
        .await
        .unwrap();
    assert_eq!(found.total, 1);
    assert_eq!(
        store
            .admin_articles(None, Some("没有"), 1, 10)
            .await
            .unwrap()
            .total,
        0
    );
}

async fn api_tokens_are_kept_as_digests_named_once_and_revoked_at_once(backend: Backend) {
    let store = store(backend).await;
    let actor = Actor::operator();
    let id = store
        .add_api_token("newsroom-bot", Role::Editor, "digest-1", &actor)
        .await
        .unwrap();
    assert!(matches!(
        store
            .add_api_token("newsroom-bot", Role::Admin, "digest-2", &actor)
            .await,
        Err(Error::Conflict { .. })
    ));
    let token = store
        .api_token_by_digest("digest-1")
        .await
        .unwrap()
        .unwrap();
    assert_eq!((token.id, token.role), (id, Role::Editor));
    assert_eq!(token.actor().name, "token:newsroom-bot");
    assert!(
        store
            .api_token_by_digest("digest-x")
            .await
            .unwrap()
            .is_none()
    );
    let listed = store.api_tokens().await.unwrap();
    assert!(listed[0].last_used_at.is_some(), "a use is noted");

    assert!(
        store
            .revoke_api_token("newsroom-bot", &actor)
            .await
            .unwrap()
    );
    assert!(
        !store
            .revoke_api_token("newsroom-bot", &actor)
            .await
            .unwrap()
    );
    assert!(
        store
            .api_token_by_digest("digest-1")
            .await
            .unwrap()
            .is_none()
    );
    assert!(store.api_tokens().await.unwrap()[0].revoked_at.is_some());
    let log = store.audit_log(1, 10).await.unwrap();
    let actions: Vec<&str> = log.items.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(&actions[..2], ["token.revoke", "token.add"]);
}

async fn webhook_events_are_queued_for_those_that_want_them_and_hot_stories_once(backend: Backend) {
    let store = store(backend).await;
    let actor = Actor::operator();
    let all = store
        .add_webhook(
            "https://hooks.example/all",
            &["story.hot", "takedown.decided"],
            "s1",
            &actor,
        )
        .await
        .unwrap();
    let hot_only = store
        .add_webhook("https://hooks.example/hot", &["story.hot"], "s2", &actor)
        .await
        .unwrap();
    assert_eq!(
        store.queue_webhook_event("story.hot", "{}").await.unwrap(),
        2
    );
    assert_eq!(
        store
            .queue_webhook_event("takedown.decided", "{}")
            .await
            .unwrap(),
        1
    );
    // A name that merely contains another's is not it.
    assert_eq!(store.queue_webhook_event("story", "{}").await.unwrap(), 0);
    let due = store
        .due_deliveries(Utc::now() + Duration::seconds(1), 10)
        .await
        .unwrap();
    assert_eq!(due.len(), 3);
    let (first, url, secret) = &due[0];
    assert_eq!(
        (url.as_str(), secret.as_str()),
        ("https://hooks.example/all", "s1")
    );

    store
        .record_delivery_attempt(first.id, Some(200), None, None)
        .await
        .unwrap();
    let later = Utc::now() + Duration::minutes(5);
    store
        .record_delivery_attempt(due[1].0.id, Some(500), Some("500"), Some(later))
        .await
        .unwrap();
    let due = store
        .due_deliveries(Utc::now() + Duration::seconds(1), 10)
        .await
        .unwrap();
    assert_eq!(due.len(), 1, "one delivered, one waiting to be tried again");
    let history = store.webhook_deliveries(all, 10).await.unwrap();
    assert!(
        history
            .iter()
            .any(|d| d.delivered_at.is_some() && d.attempts == 1)
    );

    assert_eq!(store.newly_hot(&[7, 8]).await.unwrap(), [7, 8]);
    assert_eq!(store.newly_hot(&[8, 9]).await.unwrap(), [9]);

    assert!(store.delete_webhook(hot_only, &actor).await.unwrap());
    assert!(
        store
            .webhook_deliveries(hot_only, 10)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(!store.delete_webhook(hot_only, &actor).await.unwrap());
}

on_each_backend!(
    sessions_live_until_they_expire_or_the_password_changes,
    failed_logins_are_counted_by_name_and_address,
    a_submission_is_published_once_with_its_audit_line,
    an_approved_takedown_removes_tombstones_and_is_counted,
    hiding_restoring_and_moving_articles,
    api_tokens_are_kept_as_digests_named_once_and_revoked_at_once,
    webhook_events_are_queued_for_those_that_want_them_and_hot_stories_once,
);
