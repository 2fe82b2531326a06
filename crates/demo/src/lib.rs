//! The demo corpus: channels, sources and articles the team wrote about invented events, and
//! the loader that turns its plain files into what the store takes.
//!
//! The corpus lives as plain files under `demo/` at the repository root (TOML for channels and
//! sources, Markdown with TOML front matter for articles, SVG for images) and is embedded in
//! the binary so that `xinwen demo` works from anywhere. This crate must not write to the
//! store itself; it returns values, and the binary decides where they go.
//!
//! Article files look like this:
//!
//! ```text
//! +++
//! source = "xinghe-ribao"          # a source slug from sources.toml
//! channel = "keji"                 # optional: the source's channel otherwise
//! title = "..."
//! author = "..."                   # optional
//! published = "2026-11-03T08:30:00+08:00"
//! url = "https://xinghe.example/..."
//! +++
//! Paragraphs in Markdown. ## for sub-headings.
//! ![alt text](image.svg "caption shown under the image")
//! ```

mod markdown;
pub mod origin;

pub use markdown::markdown_to_html;
use xinwen_extract::summarize;

use chrono::{DateTime, Duration, FixedOffset, Utc};
use include_dir::{Dir, include_dir};
use serde::Deserialize;
use std::collections::BTreeMap;
use xinwen_model::{NewArticle, NewChannel, NewSource, Publisher, Script, SourceKind};

static CORPUS: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/../../demo");

/// Where demo images are served from, below the site's `/media/` path.
pub const MEDIA_PREFIX: &str = "demo";

/// Everything the demo site holds.
#[derive(Debug, Clone)]
pub struct Corpus {
    pub channels: Vec<NewChannel>,
    pub sources: Vec<NewSource>,
    pub articles: Vec<NewArticle>,
    /// Files to place under the media directory, by path relative to it.
    pub media: Vec<MediaFile>,
    /// Operator pages (about...) written for the demo, by name without extension.
    pub pages: Vec<(String, String)>,
    /// The story each multi-source article belongs to, by canonical URL.
    pub stories: BTreeMap<String, String>,
    /// Verbatim reposts: the repost's canonical URL → the original's.
    pub reposts: BTreeMap<String, String>,
    /// How the demo origin publishes each source.
    pub feeds: Vec<DemoFeed>,
}

#[derive(Debug, Clone)]
pub struct MediaFile {
    pub path: String,
    pub bytes: Vec<u8>,
}

/// A corpus file that does not parse, named so that whoever edits the corpus can fix it.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("demo corpus: {file} is missing")]
    Missing { file: String },
    #[error("demo corpus: {file}: {message}")]
    Invalid { file: String, message: String },
}

#[derive(Deserialize)]
struct ChannelsFile {
    channel: Vec<ChannelEntry>,
}

#[derive(Deserialize)]
struct ChannelEntry {
    slug: String,
    name: String,
    #[serde(default)]
    description: String,
}

#[derive(Deserialize)]
struct SourcesFile {
    source: Vec<SourceEntry>,
}

#[derive(Deserialize)]
struct SourceEntry {
    slug: String,
    name: String,
    kind: SourceKind,
    #[serde(default)]
    publisher: Publisher,
    channel: String,
    #[serde(default)]
    description: String,
    homepage: Option<String>,
    follow_url: Option<String>,
    feed: FeedStyle,
    charset: Option<String>,
}

/// How the demo origin publishes a source's feed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FeedStyle {
    RssSummary,
    RssFull,
    AtomSummary,
    JsonFull,
    /// A feed that does not parse, to show a failing source.
    Broken,
    /// No feed: a section page listing the articles, several pages long (a `page` source).
    ListPage,
    /// No feed: a news sitemap (a `sitemap` source).
    NewsSitemap,
    /// A WeChat account's full-text feed through two bridges, the first of which breaks after
    /// the demo's first pass (a `wechat` source with two bridges).
    Bridges,
}

/// How the demo origin serves one source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoFeed {
    pub source_slug: String,
    pub style: FeedStyle,
    /// Article pages (and RSS feeds) in GBK rather than UTF-8.
    pub gbk: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FrontMatter {
    source: String,
    channel: Option<String>,
    title: String,
    author: Option<String>,
    published: DateTime<FixedOffset>,
    url: String,
    #[serde(default)]
    traditional: bool,
    /// Which invented event the article tells, when several sources tell it: the ground truth
    /// for same-story tests.
    story: Option<String>,
    /// The canonical URL of the article this one copies word for word (with boilerplate added).
    repost_of: Option<String>,
}

/// The corpus embedded in this binary.
pub fn load() -> Result<Corpus, Error> {
    let channels: ChannelsFile = parse_toml(&CORPUS, "channels.toml")?;
    let sources: SourcesFile = parse_toml(&CORPUS, "sources.toml")?;
    let mut media = Vec::new();
    if let Some(dir) = CORPUS.get_dir("media") {
        for file in dir.files() {
            let name = file_name(file.path());
            media.push(MediaFile {
                path: format!("{MEDIA_PREFIX}/{name}"),
                bytes: file.contents().to_vec(),
            });
        }
    }
    let mut new_sources = Vec::new();
    let mut feeds = Vec::new();
    for s in sources.source {
        feeds.push(DemoFeed {
            source_slug: s.slug.clone(),
            style: s.feed,
            gbk: s
                .charset
                .as_deref()
                .is_some_and(|c| c.eq_ignore_ascii_case("gbk")),
        });
        let qr_image = match (&s.kind, &s.follow_url) {
            (SourceKind::Wechat, Some(url)) if !qr_svg(url).is_empty() => {
                let name = format!("qr-{}.svg", s.slug);
                media.push(MediaFile {
                    path: format!("{MEDIA_PREFIX}/{name}"),
                    bytes: qr_svg(url).into_bytes(),
                });
                Some(format!("/media/{MEDIA_PREFIX}/{name}"))
            }
            _ => None,
        };
        new_sources.push(NewSource {
            slug: s.slug,
            name: s.name,
            kind: s.kind,
            publisher: s.publisher,
            homepage: s.homepage,
            follow_url: s.follow_url,
            qr_image,
            channel_slug: Some(s.channel),
            description: s.description,
            ..NewSource::default()
        });
    }
    let mut articles = Vec::new();
    let mut stories = BTreeMap::new();
    let mut reposts = BTreeMap::new();
    let dir = CORPUS.get_dir("articles").ok_or_else(|| Error::Missing {
        file: "articles/".into(),
    })?;
    let mut files: Vec<_> = dir.files().collect();
    files.sort_by_key(|f| f.path());
    for file in files {
        let name = file_name(file.path());
        let text = file.contents_utf8().ok_or_else(|| Error::Invalid {
            file: name.clone(),
            message: "not UTF-8".into(),
        })?;
        let parsed = parse_article(&name, text)?;
        let url = parsed.article.canonical_url.clone();
        if let Some(story) = parsed.story {
            stories.insert(url.clone(), story);
        }
        if let Some(original) = parsed.repost_of {
            reposts.insert(url, original);
        }
        articles.push(parsed.article);
    }
    let mut pages = Vec::new();
    if let Some(dir) = CORPUS.get_dir("pages") {
        for file in dir.files() {
            let name = file_name(file.path());
            if let (Some(stem), Some(text)) = (name.strip_suffix(".md"), file.contents_utf8()) {
                pages.push((stem.to_owned(), text.to_owned()));
            }
        }
    }
    Ok(Corpus {
        channels: channels
            .channel
            .into_iter()
            .enumerate()
            .map(|(i, c)| NewChannel {
                slug: c.slug,
                name: c.name,
                description: c.description,
                position: i64::try_from(i).unwrap_or(i64::MAX),
            })
            .collect(),
        sources: new_sources,
        articles,
        media,
        pages,
        stories,
        reposts,
        feeds,
    })
}

fn file_name(path: &std::path::Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn parse_toml<T: serde::de::DeserializeOwned>(dir: &Dir<'_>, name: &str) -> Result<T, Error> {
    let file = dir
        .get_file(name)
        .ok_or_else(|| Error::Missing { file: name.into() })?;
    let text = file.contents_utf8().unwrap_or_default();
    toml::from_str(text).map_err(|e| Error::Invalid {
        file: name.into(),
        message: e.to_string(),
    })
}

/// One article file, parsed.
#[derive(Debug, Clone)]
pub struct ParsedArticle {
    pub article: NewArticle,
    pub story: Option<String>,
    pub repost_of: Option<String>,
}

/// Parses one article file: TOML front matter between `+++` lines, then Markdown.
pub fn parse_article(file: &str, text: &str) -> Result<ParsedArticle, Error> {
    let invalid = |message: String| Error::Invalid {
        file: file.to_owned(),
        message,
    };
    let rest = text
        .strip_prefix("+++\n")
        .ok_or_else(|| invalid("must start with a +++ front matter line".into()))?;
    let end = rest
        .find("\n+++\n")
        .ok_or_else(|| invalid("front matter has no closing +++ line".into()))?;
    let front: FrontMatter = toml::from_str(&rest[..end]).map_err(|e| invalid(e.to_string()))?;
    let body = &rest[end + 5..];
    let rendered = markdown_to_html(body, &format!("/media/{MEDIA_PREFIX}/"));
    if rendered.text.is_empty() {
        return Err(invalid("the article has no text".into()));
    }
    let published_at = front.published.with_timezone(&Utc);
    let article = NewArticle {
        source_slug: front.source,
        channel_slug: front.channel,
        title: front.title,
        author: front.author,
        original_url: front.url.clone(),
        canonical_url: front.url,
        published_at,
        // As if our crawler had picked it up a few minutes after it appeared.
        fetched_at: published_at + Duration::minutes(7),
        summary: summarize(&rendered.lead, 110),
        body_html: rendered.html,
        body_text: rendered.text,
        images: rendered.images,
        script: if front.traditional {
            Script::Traditional
        } else {
            Script::Simplified
        },
        credited_source: None,
    };
    Ok(ParsedArticle {
        article,
        story: front.story,
        repost_of: front.repost_of,
    })
}

/// A scannable QR code for a follow link, as a small SVG.
fn qr_svg(url: &str) -> String {
    match qrcode::QrCode::new(url.as_bytes()) {
        Ok(code) => code
            .render::<qrcode::render::svg::Color<'_>>()
            .min_dimensions(160, 160)
            .quiet_zone(true)
            .build(),
        // Only absurdly long URLs fail to encode; the page then shows the follow link alone.
        Err(_) => String::new(),
    }
}
