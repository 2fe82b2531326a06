//! `xinwen demo` ingests the corpus through the real pipeline (origin → fetch → extract →
//! store): what lands in the store must be the corpus, article for article.

mod common;

use common::run_with_data;
use std::collections::HashMap;

/// Share of the expected text's character bigrams found in the actual text.
fn bigram_recall(expected: &str, actual: &str) -> f64 {
    let grams = |text: &str| {
        let chars: Vec<char> = text.chars().filter(|c| !c.is_whitespace()).collect();
        chars.windows(2).map(|w| (w[0], w[1])).collect::<Vec<_>>()
    };
    let mut have: HashMap<(char, char), usize> = HashMap::new();
    for g in grams(actual) {
        *have.entry(g).or_default() += 1;
    }
    let wanted = grams(expected);
    let found = wanted
        .iter()
        .filter(|g| match have.get_mut(g) {
            Some(n) if *n > 0 => {
                *n -= 1;
                true
            }
            _ => false,
        })
        .count();
    found as f64 / wanted.len().max(1) as f64
}

#[test]
fn the_demo_corpus_arrives_whole_through_the_pipeline() {
    let temp = tempfile::tempdir().unwrap();
    let data = temp.path().join("data");
    let said = run_with_data(&["demo", "--load-only"], &data);
    assert!(said.contains("82 articles added"), "{said}");
    assert!(
        said.contains("1 sources failed"),
        "only the broken feed fails: {said}"
    );

    let corpus = xinwen_demo::load().unwrap();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let store = xinwen_store::Store::open(&data).await.unwrap();
        assert_eq!(
            store.article_count().await.unwrap(),
            corpus.articles.len() as u64
        );
        let mut by_url = HashMap::new();
        for row in store.articles_changed_since(i64::MIN, 1000).await.unwrap() {
            let article = store.article(row.id).await.unwrap().unwrap();
            by_url.insert(article.canonical_url.clone(), article);
        }
        let mut weakest = (f64::INFINITY, String::new());
        for expected in &corpus.articles {
            let actual = by_url
                .get(&expected.canonical_url)
                .unwrap_or_else(|| panic!("{} did not arrive", expected.canonical_url));
            assert_eq!(actual.title, expected.title, "{}", expected.canonical_url);
            assert_eq!(actual.source.slug, expected.source_slug);
            assert_eq!(
                actual.published_at, expected.published_at,
                "{}",
                expected.canonical_url
            );
            assert_eq!(actual.script, expected.script, "{}", expected.canonical_url);
            let source = corpus
                .sources
                .iter()
                .find(|s| s.slug == expected.source_slug)
                .unwrap();
            let channel = expected
                .channel_slug
                .as_ref()
                .or(source.channel_slug.as_ref())
                .unwrap();
            assert_eq!(&actual.channel.slug, channel, "{}", expected.canonical_url);
            if expected.author.is_some() {
                assert_eq!(actual.author, expected.author, "{}", expected.canonical_url);
            }
            assert_eq!(
                actual.images.len(),
                expected.images.len(),
                "{}",
                expected.canonical_url
            );
            for (image, wanted) in actual.images.iter().zip(&expected.images) {
                assert!(image.src.starts_with("/media/p/"));
                assert_eq!(image.caption, wanted.caption);
            }
            // A repost is the original's text with boilerplate added (来源 lines, END, QR
            // prompts, 相关阅读), which extraction drops: what must arrive is the copied text.
            let copied = corpus
                .reposts
                .get(&expected.canonical_url)
                .and_then(|original| {
                    corpus
                        .articles
                        .iter()
                        .find(|a| &a.canonical_url == original)
                })
                .unwrap_or(expected);
            // Extraction keeps captions with their images, out of the text.
            let mut expected_text = copied.body_text.clone();
            for image in &copied.images {
                expected_text = expected_text.replace(&image.caption, "");
            }
            let recall = bigram_recall(&expected_text, &actual.body_text);
            if recall < weakest.0 {
                weakest = (recall, expected.canonical_url.clone());
            }
            assert!(
                !actual.body_text.contains("长按识别二维码")
                    && !actual.body_text.contains("—— END ——"),
                "{}: the repost boilerplate stays out: {}",
                expected.canonical_url,
                actual.body_text
            );
            assert!(
                recall >= 0.95,
                "{}: only {recall:.2} of the text arrived:\n{}",
                expected.canonical_url,
                actual.body_text
            );
        }
        println!("weakest text recall: {:.3} ({})", weakest.0, weakest.1);

        // Every repost joined its original's story, and the story credits the original.
        for (repost, original) in &corpus.reposts {
            let repost = &by_url[repost];
            let original = &by_url[original];
            assert!(repost.story_id.is_some());
            assert_eq!(
                repost.story_id, original.story_id,
                "{} joins {}",
                repost.title, original.title
            );
            let story = store
                .story(repost.story_id.unwrap())
                .await
                .unwrap()
                .unwrap();
            assert_eq!(
                story.original_article_id,
                Some(original.id),
                "{} is credited",
                original.title
            );
        }
        // Nothing else was merged: every other article is a story of its own.
        let mut stories: Vec<i64> = by_url.values().filter_map(|a| a.story_id).collect();
        stories.sort_unstable();
        stories.dedup();
        assert_eq!(stories.len(), corpus.articles.len() - corpus.reposts.len());
        // Lists show each story once.
        let home = store
            .latest_articles(Default::default(), 1, 200, false)
            .await
            .unwrap();
        assert_eq!(home.total as usize, stories.len());
        let broken = store.find_source("qinglan-kuaibao").await.unwrap();
        let health = store.source_health(broken.id).await.unwrap();
        assert_eq!(health.consecutive_failures, 1);
        assert!(health.last_error.unwrap().contains("not a feed"));
        store.close().await;
    });
}
