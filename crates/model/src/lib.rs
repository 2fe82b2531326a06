//! Domain types shared by every xinwen crate: channels, sources, articles, stories, the
//! requests readers and rights holders send, and the people who act on them.
//!
//! This crate owns the vocabulary of the system and nothing else. It must not do IO, talk to a
//! database or render HTML; it only says what a channel, a source and an article are, and how
//! their small enumerations are written as text (the form the store keeps and the API shows),
//! and which outside links may be kept and printed ([`link`]).

pub mod link;
mod people;
mod requests;
mod story;

pub use people::{Actor, User};
pub use requests::{NewSubmission, NewTakedown, Submission, Takedown};
pub use story::{HotStory, Story, StoryArticle};

use chrono::{DateTime, FixedOffset, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// China Standard Time. China keeps no daylight saving, so a fixed offset is exact.
pub fn china_offset() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("+08:00 is a valid offset")
}

/// A text value that is not one of an enumeration's spellings.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {what} {value:?}; expected one of: {expected}")]
pub struct UnknownValue {
    pub what: &'static str,
    pub value: String,
    pub expected: &'static str,
}

/// An enumeration kept as text: `as_str` gives the spelling the store keeps, `FromStr` reads
/// it back (with an error naming the spellings it knows), `Display` prints it.
macro_rules! text_enum {
    ($(#[$meta:meta])* $name:ident, $what:literal {
        $first:ident => $first_text:literal $(, $variant:ident => $text:literal)* $(,)?
    }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $first, $($variant),*
        }

        impl $name {
            pub const ALL: &[$name] = &[$name::$first, $($name::$variant),*];

            pub fn as_str(self) -> &'static str {
                match self {
                    $name::$first => $first_text,
                    $($name::$variant => $text),*
                }
            }
        }

        impl FromStr for $name {
            type Err = UnknownValue;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $first_text => Ok($name::$first),
                    $($text => Ok($name::$variant),)*
                    _ => Err(UnknownValue {
                        what: $what,
                        value: s.to_owned(),
                        expected: concat!($first_text $(, ", ", $text)*),
                    }),
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

/// How a source is read. WeChat public accounts matter apart because they publish no feed
/// of their own (bridges do), their pages need their own extraction and their images refuse
/// hotlinking.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SourceKind {
    /// An RSS, Atom or JSON Feed.
    #[default]
    Feed,
    /// A section or list page whose article links are found on it.
    Page,
    /// A sitemap or sitemap index, news sitemaps first.
    Sitemap,
    /// A WeChat public account, read through its bridge feeds in order of preference.
    Wechat,
}

impl SourceKind {
    pub const ALL: &[SourceKind] = &[
        SourceKind::Feed,
        SourceKind::Page,
        SourceKind::Sitemap,
        SourceKind::Wechat,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SourceKind::Feed => "feed",
            SourceKind::Page => "page",
            SourceKind::Sitemap => "sitemap",
            SourceKind::Wechat => "wechat",
        }
    }

    /// Where the source publishes, as readers know it.
    pub fn label_zh(self) -> &'static str {
        match self {
            SourceKind::Wechat => "微信公众号",
            SourceKind::Feed | SourceKind::Page | SourceKind::Sitemap => "新闻网站",
        }
    }

    /// How it is read, for editors.
    pub fn reading_zh(self) -> &'static str {
        match self {
            SourceKind::Feed => "订阅源",
            SourceKind::Page => "列表页",
            SourceKind::Sitemap => "站点地图",
            SourceKind::Wechat => "公众号桥接",
        }
    }
}

impl FromStr for SourceKind {
    type Err = UnknownValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "feed" => Ok(SourceKind::Feed),
            "page" => Ok(SourceKind::Page),
            "sitemap" => Ok(SourceKind::Sitemap),
            "wechat" => Ok(SourceKind::Wechat),
            // The spellings of schema 16 and before, when the kind named the platform; a news
            // site was then always read by its feed.
            "news_site" | "other" => Ok(SourceKind::Feed),
            _ => Err(UnknownValue {
                what: "source kind",
                value: s.to_owned(),
                expected: "feed, page, sitemap, wechat",
            }),
        }
    }
}

impl fmt::Display for SourceKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What kind of publisher a source is, shown to readers beside its name (as Google News's Full
/// Coverage labels its sources).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Publisher {
    /// State and party media, government offices (人民日报, 新华社, a county's own site).
    Official,
    /// Commercial media and portals.
    #[default]
    Commercial,
    /// Self-media (自媒体): individuals and studios, most WeChat accounts.
    SelfMedia,
    /// The site's readers (读者投稿).
    Readers,
}

impl Publisher {
    pub const ALL: &[Publisher] = &[
        Publisher::Official,
        Publisher::Commercial,
        Publisher::SelfMedia,
        Publisher::Readers,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Publisher::Official => "official",
            Publisher::Commercial => "commercial",
            Publisher::SelfMedia => "self_media",
            Publisher::Readers => "readers",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Publisher::Official => "官方媒体",
            Publisher::Commercial => "商业媒体",
            Publisher::SelfMedia => "自媒体",
            Publisher::Readers => "读者",
        }
    }
}

impl FromStr for Publisher {
    type Err = UnknownValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "official" => Ok(Publisher::Official),
            "commercial" => Ok(Publisher::Commercial),
            "self_media" | "self-media" => Ok(Publisher::SelfMedia),
            "readers" => Ok(Publisher::Readers),
            _ => Err(UnknownValue {
                what: "publisher type",
                value: s.to_owned(),
                expected: "official, commercial, self_media, readers",
            }),
        }
    }
}

impl fmt::Display for Publisher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which Chinese script an article was published in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Script {
    #[serde(rename = "zh-Hans")]
    Simplified,
    #[serde(rename = "zh-Hant")]
    Traditional,
}

impl Script {
    pub fn as_str(self) -> &'static str {
        match self {
            Script::Simplified => "zh-Hans",
            Script::Traditional => "zh-Hant",
        }
    }
}

impl FromStr for Script {
    type Err = UnknownValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "zh-Hans" => Ok(Script::Simplified),
            "zh-Hant" => Ok(Script::Traditional),
            _ => Err(UnknownValue {
                what: "script",
                value: s.to_owned(),
                expected: "zh-Hans, zh-Hant",
            }),
        }
    }
}

/// Whether readers may see an article. A removed article keeps its row so that its page can
/// answer 410 Gone and so that it is not fetched back in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ArticleStatus {
    Live,
    Removed,
}

impl ArticleStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ArticleStatus::Live => "live",
            ArticleStatus::Removed => "removed",
        }
    }
}

impl FromStr for ArticleStatus {
    type Err = UnknownValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "live" => Ok(ArticleStatus::Live),
            "removed" => Ok(ArticleStatus::Removed),
            _ => Err(UnknownValue {
                what: "article status",
                value: s.to_owned(),
                expected: "live, removed",
            }),
        }
    }
}

/// A section of the site with its own pages and feeds (国际, 财经, 科技...).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Channel {
    pub id: i64,
    /// The URL segment: `/channel/{slug}`.
    pub slug: String,
    pub name: String,
    pub description: String,
    /// Order on the home page, smallest first.
    pub position: i64,
}

/// A channel as given to the store, before it has an id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewChannel {
    pub slug: String,
    pub name: String,
    pub description: String,
    pub position: i64,
}

/// A publisher whose articles xinwen shows, credited and linked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Source {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub kind: SourceKind,
    pub publisher: Publisher,
    pub homepage: Option<String>,
    /// The address read: the feed, the list page or the sitemap (`None` for a WeChat
    /// account, read through its bridges).
    pub feed_url: Option<String>,
    /// An editor's narrowing of a list page: a CSS selector around the article links, and a
    /// regular expression their URLs match.
    pub link_selector: Option<String>,
    pub link_pattern: Option<String>,
    /// Where a reader follows the account (a WeChat profile link, a newsletter page).
    pub follow_url: Option<String>,
    /// A QR code image to scan to follow the account, when the publisher has one.
    pub qr_image: Option<String>,
    /// The channel new articles from this source go to unless they say otherwise.
    pub channel_id: Option<i64>,
    pub description: String,
    /// A paused source is not fetched; its articles stay.
    pub paused: bool,
}

/// A source as given to the store, before it has an id.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewSource {
    pub slug: String,
    pub name: String,
    pub kind: SourceKind,
    #[serde(default)]
    pub publisher: Publisher,
    pub homepage: Option<String>,
    pub feed_url: Option<String>,
    #[serde(default)]
    pub link_selector: Option<String>,
    #[serde(default)]
    pub link_pattern: Option<String>,
    /// A WeChat account's bridge feeds, the preferred first.
    #[serde(default)]
    pub bridges: Vec<String>,
    pub follow_url: Option<String>,
    pub qr_image: Option<String>,
    /// The default channel, by slug.
    pub channel_slug: Option<String>,
    pub description: String,
}

/// How fetching a source has been going: what `xinwen source list` shows and the scheduler reads.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceHealth {
    pub last_attempt_at: Option<DateTime<Utc>>,
    pub last_success_at: Option<DateTime<Utc>>,
    /// The last failure, in words a person can act on; `None` once a fetch succeeds.
    pub last_error: Option<String>,
    pub consecutive_failures: u32,
    /// When the current run of failures began.
    pub failing_since: Option<DateTime<Utc>>,
    /// When the scheduler will next fetch the source; `None` for "as soon as possible".
    pub next_check_at: Option<DateTime<Utc>>,
    /// Articles added from this source since it was added.
    pub articles_added: u64,
    /// The median gap between the source's publications, as last observed.
    pub publish_interval_secs: Option<u64>,
    /// How the source was last read, in words: a WeChat account's bridge in use and why, the
    /// list pages followed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub read_note: Option<String>,
    /// Validators of the last feed response, for the next conditional GET.
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}

impl SourceHealth {
    /// A source that has been failing for longer than `stale_after`: an editor should look.
    pub fn is_stale(&self, now: DateTime<Utc>, stale_after: chrono::Duration) -> bool {
        self.consecutive_failures > 0
            && self
                .failing_since
                .is_some_and(|since| now - since >= stale_after)
    }
}

/// An image of an article body, with what the publisher wrote under it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Image {
    pub src: String,
    pub alt: String,
    pub caption: String,
}

/// An article as given to the store by the demo loader or, later, the ingest pipeline.
///
/// `body_html` must already be sanitized: the store keeps what it is given, and pages show it as is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewArticle {
    pub source_slug: String,
    /// When `None`, the source's default channel.
    pub channel_slug: Option<String>,
    pub title: String,
    pub author: Option<String>,
    pub original_url: String,
    /// The identity of the article: a second article with the same canonical URL updates the first.
    pub canonical_url: String,
    pub published_at: DateTime<Utc>,
    pub fetched_at: DateTime<Utc>,
    pub body_html: String,
    pub body_text: String,
    pub summary: String,
    pub images: Vec<Image>,
    pub script: Script,
    /// Whom the article says it comes from (a repost's 来源 line), when it says.
    #[serde(default)]
    pub credited_source: Option<String>,
}

/// The publication a repost credits (its 来源 line) when that is not the source itself: what
/// the article page and feeds name as the article's origin beside the source that carried it.
pub fn credited_publication<'a>(credited: Option<&'a str>, source_name: &str) -> Option<&'a str> {
    let credited = credited?.trim();
    let is_link = credited.starts_with("http://") || credited.starts_with("https://");
    let is_the_source = source_name.contains(credited) || credited.contains(source_name);
    (!credited.is_empty() && !is_link && !is_the_source).then_some(credited)
}

/// A whole article, as its page shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Article {
    pub id: i64,
    pub source: Source,
    pub channel: Channel,
    pub title: String,
    pub author: Option<String>,
    pub original_url: String,
    pub canonical_url: String,
    pub published_at: DateTime<Utc>,
    pub fetched_at: DateTime<Utc>,
    pub body_html: String,
    pub body_text: String,
    pub summary: String,
    pub images: Vec<Image>,
    pub script: Script,
    pub status: ArticleStatus,
    /// The story the article belongs to, once compared with the others.
    pub story_id: Option<i64>,
    /// Whom the article says it comes from: a publication's name (a repost's 来源 line) or
    /// the link of its original (a 阅读原文 that leads elsewhere).
    #[serde(default)]
    pub credited_source: Option<String>,
}

/// An article as lists show it: enough for a headline, a line of summary and a thumbnail.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ArticleSummary {
    pub id: i64,
    pub title: String,
    pub summary: String,
    pub author: Option<String>,
    pub published_at: DateTime<Utc>,
    pub source_slug: String,
    pub source_name: String,
    pub channel_slug: String,
    pub channel_name: String,
    pub thumbnail: Option<Image>,
    pub original_url: String,
    /// Feeds carry the whole body; pages do not need it, so lists leave it empty unless asked.
    pub body_html: Option<String>,
    pub story_id: Option<i64>,
    /// As [`Article::credited_source`].
    #[serde(default)]
    pub credited_source: Option<String>,
}

text_enum! {
    /// What an editor may do. Editors moderate (articles, submissions, takedowns, pausing
    /// sources); admins also manage sources, the operator's pages and see the accounts.
    Role, "role" { Admin => "admin", Editor => "editor" }
}

text_enum! {
    /// What a reader sent: a tip (a few lines, perhaps a link) or a whole article.
    SubmissionKind, "submission kind" { Tip => "tip", Article => "article" }
}

text_enum! {
    /// Where a reader's submission stands.
    SubmissionStatus, "submission status" {
        Pending => "pending", Approved => "approved", Rejected => "rejected", Spam => "spam",
    }
}

text_enum! {
    /// Where a rights holder's request stands.
    TakedownStatus, "takedown status" {
        Pending => "pending", Approved => "approved", Rejected => "rejected",
    }
}

impl Role {
    pub fn label_zh(self) -> &'static str {
        match self {
            Role::Admin => "管理员",
            Role::Editor => "编辑",
        }
    }
}

impl SubmissionStatus {
    pub fn label_zh(self) -> &'static str {
        match self {
            SubmissionStatus::Pending => "待审核",
            SubmissionStatus::Approved => "已采用",
            SubmissionStatus::Rejected => "未采用",
            // The reader is told no more than for a rejection.
            SubmissionStatus::Spam => "未采用",
        }
    }
}

impl TakedownStatus {
    pub fn label_zh(self) -> &'static str {
        match self {
            TakedownStatus::Pending => "待处理",
            TakedownStatus::Approved => "已删除相关文章",
            TakedownStatus::Rejected => "已驳回",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enumerations_round_trip_through_their_text_form() {
        for &kind in SourceKind::ALL {
            assert_eq!(kind.as_str().parse::<SourceKind>().unwrap(), kind);
        }
        for &publisher in Publisher::ALL {
            assert_eq!(publisher.as_str().parse::<Publisher>().unwrap(), publisher);
        }
        // Stores and scripts from before schema 17 named the platform.
        assert_eq!("news_site".parse::<SourceKind>().unwrap(), SourceKind::Feed);
        for script in [Script::Simplified, Script::Traditional] {
            assert_eq!(script.as_str().parse::<Script>().unwrap(), script);
        }
        for status in [ArticleStatus::Live, ArticleStatus::Removed] {
            assert_eq!(status.as_str().parse::<ArticleStatus>().unwrap(), status);
        }
        for role in Role::ALL {
            assert_eq!(role.as_str().parse::<Role>().unwrap(), *role);
        }
        for status in SubmissionStatus::ALL {
            assert_eq!(
                status.as_str().parse::<SubmissionStatus>().unwrap(),
                *status
            );
        }
        for status in TakedownStatus::ALL {
            assert_eq!(status.as_str().parse::<TakedownStatus>().unwrap(), *status);
        }
        let err = "boss".parse::<Role>().unwrap_err();
        assert_eq!(
            err.to_string(),
            "unknown role \"boss\"; expected one of: admin, editor"
        );
    }

    #[test]
    fn a_source_is_stale_only_after_failing_for_the_whole_period() {
        let now = Utc::now();
        let days = chrono::Duration::days;
        let mut health = SourceHealth {
            consecutive_failures: 3,
            failing_since: Some(now - days(1)),
            ..SourceHealth::default()
        };
        assert!(!health.is_stale(now, days(2)));
        health.failing_since = Some(now - days(3));
        assert!(health.is_stale(now, days(2)));
        health.consecutive_failures = 0;
        assert!(!health.is_stale(now, days(2)), "a success ends staleness");
    }

    #[test]
    fn an_unknown_spelling_says_what_would_have_been_accepted() {
        let err = "weibo".parse::<SourceKind>().unwrap_err();
        assert_eq!(
            err.to_string(),
            "unknown source kind \"weibo\"; expected one of: feed, page, sitemap, wechat"
        );
    }
}
