//! The demo corpus holds what the demo promises: enough articles, channels and sources over
//! three weeks, stories told by several sources, verbatim reposts with boilerplate, and images
//! with captions that exist.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use xinwen_model::{Script, SourceKind};

fn corpus() -> xinwen_demo::Corpus {
    xinwen_demo::load().expect("the embedded corpus parses")
}

#[test]
fn the_corpus_has_the_promised_size() {
    let c = corpus();
    assert!(c.articles.len() >= 80, "{} articles", c.articles.len());
    assert!(c.channels.len() >= 8, "{} channels", c.channels.len());
    assert!(c.sources.len() >= 12, "{} sources", c.sources.len());
    // Every way a source is read: feeds, a portal without one, a news sitemap, WeChat accounts
    // (one of them through two bridges).
    let kinds: HashSet<_> = c.sources.iter().map(|s| s.kind).collect();
    assert_eq!(kinds.len(), SourceKind::ALL.len(), "{kinds:?}");
    assert!(
        c.feeds
            .iter()
            .any(|f| f.style == xinwen_demo::FeedStyle::Bridges)
    );
    assert!(c.articles.iter().any(|a| a.script == Script::Traditional));
}

#[test]
fn the_articles_span_three_weeks() {
    let c = corpus();
    let first = c.articles.iter().map(|a| a.published_at).min().unwrap();
    let last = c.articles.iter().map(|a| a.published_at).max().unwrap();
    assert!((last - first).num_days() >= 20, "from {first} to {last}");
}

#[test]
fn every_article_names_a_known_source_and_channel_and_is_unique() {
    let c = corpus();
    let sources: HashSet<_> = c.sources.iter().map(|s| s.slug.as_str()).collect();
    let channels: HashSet<_> = c.channels.iter().map(|ch| ch.slug.as_str()).collect();
    let mut urls = HashSet::new();
    for a in &c.articles {
        assert!(
            sources.contains(a.source_slug.as_str()),
            "{}",
            a.source_slug
        );
        if let Some(ch) = &a.channel_slug {
            assert!(channels.contains(ch.as_str()), "{ch}");
        }
        assert!(
            urls.insert(a.canonical_url.clone()),
            "duplicate {}",
            a.canonical_url
        );
        assert!(
            !a.summary.is_empty() && !a.body_text.is_empty(),
            "{}",
            a.title
        );
        assert!(
            !a.body_text.contains(&a.title),
            "title repeated in body: {}",
            a.title
        );
    }
    // Every channel gets articles, directly or through its sources' default.
    let mut used = HashSet::new();
    for a in &c.articles {
        let channel = a.channel_slug.clone().unwrap_or_else(|| {
            let source = c.sources.iter().find(|s| s.slug == a.source_slug).unwrap();
            source.channel_slug.clone().unwrap()
        });
        used.insert(channel);
    }
    assert_eq!(used.len(), c.channels.len(), "channels without articles");
}

#[test]
fn at_least_six_stories_are_told_by_three_sources_or_more() {
    let c = corpus();
    let source_of: BTreeMap<_, _> = c
        .articles
        .iter()
        .map(|a| (a.canonical_url.as_str(), a.source_slug.as_str()))
        .collect();
    let mut sources_by_story: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for (url, story) in &c.stories {
        if c.reposts.contains_key(url) {
            continue; // a verbatim copy is not another source's telling
        }
        sources_by_story
            .entry(story)
            .or_default()
            .insert(source_of[url.as_str()]);
    }
    let told_thrice = sources_by_story.values().filter(|s| s.len() >= 3).count();
    assert!(told_thrice >= 6, "{sources_by_story:?}");
}

#[test]
fn reposts_copy_the_original_word_for_word_and_add_boilerplate() {
    let c = corpus();
    assert!(c.reposts.len() >= 4, "{} reposts", c.reposts.len());
    for (repost_url, original_url) in &c.reposts {
        let repost = c
            .articles
            .iter()
            .find(|a| &a.canonical_url == repost_url)
            .unwrap();
        let original = c
            .articles
            .iter()
            .find(|a| &a.canonical_url == original_url)
            .unwrap_or_else(|| {
                panic!("{repost_url} copies {original_url}, which is not in the corpus")
            });
        assert_ne!(repost.source_slug, original.source_slug);
        assert!(
            repost.body_text.contains(&original.body_text),
            "{repost_url} does not contain the original text"
        );
        let added = repost.body_text.replace(&original.body_text, "");
        for boilerplate in ["来源", "相关阅读"] {
            assert!(
                added.contains(boilerplate),
                "{repost_url} lacks {boilerplate}"
            );
        }
        assert!(added.contains("扫码关注") || added.contains("长按识别二维码"));
    }
}

#[test]
fn every_image_exists_and_has_a_caption() {
    let c = corpus();
    let media: HashSet<String> = c
        .media
        .iter()
        .map(|m| format!("/media/{}", m.path))
        .collect();
    let mut seen = 0;
    for a in &c.articles {
        for image in &a.images {
            assert!(
                media.contains(&image.src),
                "{} in {} is missing",
                image.src,
                a.title
            );
            assert!(
                !image.caption.is_empty() && !image.alt.is_empty(),
                "{}",
                a.title
            );
            seen += 1;
        }
    }
    assert!(seen >= 30, "{seen} images");
    for source in &c.sources {
        if source.kind == SourceKind::Wechat {
            let qr = source
                .qr_image
                .as_ref()
                .expect("WeChat sources have a QR code");
            assert!(media.contains(qr));
        }
    }
}

#[test]
fn a_broken_article_file_is_named_in_the_error() {
    let err = xinwen_demo::parse_article("bad.md", "no front matter").unwrap_err();
    assert!(err.to_string().contains("bad.md"), "{err}");
    let err = xinwen_demo::parse_article("bad.md", "+++\ntitle = 1\n+++\n正文").unwrap_err();
    assert!(err.to_string().starts_with("demo corpus: bad.md:"), "{err}");
}
