//! What templates see: plain values prepared by the handlers, and the template structs.
//!
//! Templates are compiled into the binary by askama; every value they print is escaped unless
//! marked `|safe`, which only the stored (sanitized) article body and rendered operator pages
//! are.

use crate::AppState;
use crate::filters;
use crate::format::{datetime_iso, datetime_zh};
use askama::Template;
use xinwen_model::{ArticleSummary, Channel};

/// The CSS version in its URL, so that browsers may cache it for a long time.
pub const CSS_VERSION: &str = "7";

pub struct FeedLink {
    pub title: String,
    pub href: String,
    pub mime: &'static str,
}

pub struct NavItem {
    pub name: String,
    pub href: String,
    pub current: bool,
}

/// What an article page adds to the head for links shared to chat apps and social sites
/// (Open Graph, Twitter cards) and for search engines (JSON-LD `NewsArticle`).
pub struct ArticleSharing {
    /// The first picture, absolute: the card's image.
    pub image: Option<String>,
    pub published_iso: String,
    pub author: Option<String>,
    pub section: String,
    /// The JSON-LD document, ready to print inside its script element (`<` escaped).
    pub json_ld: String,
}

/// The frame of every page: head, header with the channels, footer.
pub struct Layout {
    pub site_name: String,
    pub tagline: String,
    pub title: String,
    /// The page's own title, without the site's name: what a shared link's card shows.
    pub page_title: String,
    pub description: String,
    pub canonical: String,
    pub feeds: Vec<FeedLink>,
    pub sharing: Option<ArticleSharing>,
    pub channels: Vec<NavItem>,
    pub css_version: &'static str,
    pub year: i32,
}

impl Layout {
    pub fn new(state: &AppState, channels: &[Channel], title: String, path: &str) -> Layout {
        let site = state.site();
        let full_title = if title.is_empty() {
            format!("{} - {}", site.name, site.tagline)
        } else {
            format!("{title} - {}", site.name)
        };
        Layout {
            site_name: site.name.clone(),
            tagline: site.tagline.clone(),
            page_title: if title.is_empty() {
                site.name.clone()
            } else {
                title.clone()
            },
            title: full_title,
            description: site.tagline.clone(),
            canonical: format!("{}{path}", site.base_url),
            feeds: Vec::new(),
            sharing: None,
            channels: channels
                .iter()
                .map(|c| {
                    let href = format!("/channel/{}", c.slug);
                    NavItem {
                        current: path == href,
                        name: c.name.clone(),
                        href,
                    }
                })
                .collect(),
            css_version: CSS_VERSION,
            year: chrono::Utc::now()
                .with_timezone(&xinwen_model::china_offset())
                .format("%Y")
                .to_string()
                .parse()
                .unwrap_or(2026),
        }
    }

    /// Advertises the RSS, Atom and JSON feeds of a list whose page lives at `base_path`.
    pub fn with_feeds(mut self, label: &str, feed_base: &str) -> Layout {
        self.feeds.push(FeedLink {
            title: format!("{label} RSS"),
            href: format!("{feed_base}/feed.xml"),
            mime: "application/rss+xml",
        });
        self.feeds.push(FeedLink {
            title: format!("{label} Atom"),
            href: format!("{feed_base}/atom.xml"),
            mime: "application/atom+xml",
        });
        self.feeds.push(FeedLink {
            title: format!("{label} JSON Feed"),
            href: format!("{feed_base}/feed.json"),
            mime: "application/feed+json",
        });
        self
    }
}

/// A list item's picture. It repeats the headline beside it, so it is decorative (empty alt)
/// and hidden from screen readers, which read the headline once.
pub struct Thumb {
    pub src: String,
    /// Smaller copies for a list (`?w=240`, `?w=480`) when the image is one the proxy serves:
    /// a list shows it at about 100 CSS pixels, not the original's width.
    pub srcset: Option<String>,
}

impl Thumb {
    fn of(src: &str) -> Thumb {
        let srcset = src.starts_with(xinwen_media::PROXY_PREFIX).then(|| {
            let [small, middle, _] = xinwen_media::WIDTHS;
            format!("{src}?w={small} {small}w, {src}?w={middle} {middle}w")
        });
        Thumb {
            src: src.to_owned(),
            srcset,
        }
    }
}

pub struct ListItem {
    pub href: String,
    pub title: String,
    pub summary: String,
    pub source_name: String,
    pub source_href: String,
    pub channel_name: String,
    pub channel_href: String,
    pub time_display: String,
    pub time_iso: String,
    pub thumb: Option<Thumb>,
}

impl From<&ArticleSummary> for ListItem {
    fn from(a: &ArticleSummary) -> Self {
        ListItem {
            href: format!("/article/{}", a.id),
            title: a.title.clone(),
            summary: a.summary.clone(),
            source_name: a.source_name.clone(),
            source_href: format!("/source/{}", a.source_slug),
            channel_name: a.channel_name.clone(),
            channel_href: format!("/channel/{}", a.channel_slug),
            time_display: datetime_zh(a.published_at),
            time_iso: datetime_iso(a.published_at),
            thumb: a.thumbnail.as_ref().map(|t| Thumb::of(&t.src)),
        }
    }
}

/// Links to the neighbouring pages of a list.
pub struct Pager {
    pub number: u32,
    pub count: u32,
    pub prev: Option<String>,
    pub next: Option<String>,
}

impl Pager {
    pub fn new(path: &str, number: u32, count: u32) -> Pager {
        Pager::for_link(number, count, |n| {
            if n == 1 {
                path.to_owned()
            } else {
                format!("{path}?page={n}")
            }
        })
    }

    /// A pager whose links `link` writes (a search keeps its query in them).
    pub fn for_link(number: u32, count: u32, link: impl Fn(u32) -> String) -> Pager {
        Pager {
            number,
            count: count.max(1),
            prev: (number > 1).then(|| link(number - 1)),
            next: (number < count).then(|| link(number + 1)),
        }
    }
}

pub struct ChannelSection {
    pub name: String,
    pub href: String,
    pub items: Vec<ListItem>,
}

#[derive(Template)]
#[template(path = "home.html")]
pub struct HomePage {
    pub layout: Layout,
    pub hot: Vec<HotItem>,
    pub items: Vec<ListItem>,
    pub pager: Pager,
    pub sections: Vec<ChannelSection>,
}

/// A story on the 热点 list: its lead article and how widely it is told.
pub struct HotItem {
    pub rank: usize,
    pub href: String,
    pub title: String,
    pub story_href: String,
    pub source_count: u32,
    pub time_display: String,
}

#[derive(Template)]
#[template(path = "hot.html")]
pub struct HotPage {
    pub layout: Layout,
    pub hot: Vec<HotItem>,
}

/// One article of a story's coverage.
pub struct CoverageItem {
    pub href: String,
    pub title: String,
    pub source_name: String,
    /// 官方媒体, 商业媒体, 自媒体 or 读者, beside the name.
    pub source_type: &'static str,
    pub source_href: String,
    pub time_display: String,
    pub time_iso: String,
    pub is_original: bool,
}

#[derive(Template)]
#[template(path = "story.html")]
pub struct StoryPage {
    pub layout: Layout,
    pub title: String,
    pub source_count: usize,
    pub coverage: Vec<CoverageItem>,
}

/// "Also reported by": the other sources of an article's story.
pub struct AlsoReported {
    pub story_href: String,
    pub source_count: usize,
    pub others: Vec<CoverageItem>,
    /// When this article is not the original: who had it first.
    pub original: Option<CoverageItem>,
}

/// What a list page is about: a channel or a source.
pub struct ListHeading {
    pub kicker: String,
    pub name: String,
    pub description: String,
    /// The page's own path, which its feeds hang under.
    pub path: String,
    pub feed_rss: String,
    pub feed_atom: String,
}

impl ListHeading {
    /// The heading of the list at `{section}/{slug}` (`/channel/keji`).
    pub fn new(kicker: &str, name: &str, description: &str, section: &str, slug: &str) -> Self {
        let path = format!("{section}/{slug}");
        ListHeading {
            kicker: kicker.to_owned(),
            name: name.to_owned(),
            description: description.to_owned(),
            feed_rss: format!("{path}/feed.xml"),
            feed_atom: format!("{path}/atom.xml"),
            path,
        }
    }
}

/// How a reader follows a source: a link and, for WeChat accounts, a QR code.
pub struct Follow {
    pub source_name: String,
    pub is_wechat: bool,
    pub follow_url: Option<String>,
    pub qr_image: Option<String>,
    pub homepage: Option<String>,
    pub source_href: String,
    pub feed_rss: String,
}

#[derive(Template)]
#[template(path = "list.html")]
pub struct ListPage {
    pub layout: Layout,
    pub heading: ListHeading,
    pub follow: Option<Follow>,
    pub status: Option<SourceStatus>,
    pub items: Vec<ListItem>,
    pub pager: Pager,
}

/// How fetching a source is going, on its page: for editors, and honest with readers about
/// why a source has gone quiet.
pub struct SourceStatus {
    /// A class for the stylesheet: ok, paused, failing, stale, new.
    pub state: &'static str,
    pub label: &'static str,
    pub last_success: Option<String>,
    /// What a reader is told of a failing source. The error itself (a parser's or a server's
    /// words, often in English) is for editors, in the admin.
    pub note: Option<&'static str>,
    pub failures: u32,
}

impl SourceStatus {
    pub fn new(
        source: &xinwen_model::Source,
        health: &xinwen_model::SourceHealth,
        stale_after: chrono::Duration,
    ) -> Option<SourceStatus> {
        if source.feed_url.is_none() && source.kind != xinwen_model::SourceKind::Wechat {
            return None;
        }
        let (state, label) = if source.paused {
            ("paused", "已暂停抓取")
        } else if health.is_stale(chrono::Utc::now(), stale_after) {
            ("stale", "长期抓取失败")
        } else if health.consecutive_failures > 0 {
            ("failing", "最近一次抓取失败")
        } else if health.last_success_at.is_none() {
            ("new", "尚未抓取")
        } else {
            ("ok", "抓取正常")
        };
        Some(SourceStatus {
            state,
            label,
            last_success: health.last_success_at.map(crate::format::datetime_zh),
            note: (health.consecutive_failures > 0 && !source.paused)
                .then_some("暂时无法从这个来源获取新文章，编辑已收到提醒，正在处理。"),
            failures: health.consecutive_failures,
        })
    }
}

pub struct RelatedItem {
    pub href: String,
    pub title: String,
    pub source_name: String,
    pub time_display: String,
}

#[derive(Template)]
#[template(path = "article.html")]
pub struct ArticlePage {
    pub layout: Layout,
    pub id: i64,
    /// The article's own script (zh-Hans, zh-Hant), so that screen readers and fonts follow
    /// the article rather than the zh-CN interface around it.
    pub lang: &'static str,
    pub title: String,
    pub channel_name: String,
    pub channel_href: String,
    pub author: Option<String>,
    pub source_name: String,
    pub source_href: String,
    /// 官方媒体, 商业媒体, 自媒体 or 读者: what kind of publisher the source is.
    pub source_type: &'static str,
    /// The publication a repost credits, named in the 来源 line before the source that
    /// carried it.
    pub credited: Option<String>,
    pub time_display: String,
    pub time_iso: String,
    pub body_html: String,
    pub original_url: String,
    pub follow: Option<Follow>,
    pub also: Option<AlsoReported>,
    /// Related reading: the close matches, then the suggestions that fill the list.
    pub related: Vec<RelatedItem>,
    pub suggested: Vec<RelatedItem>,
}

/// One search result: the headline and snippet already escaped, with the query's words marked.
pub struct SearchResult {
    pub href: String,
    pub title_html: String,
    pub snippet_html: String,
    pub source_name: String,
    pub source_href: String,
    pub channel_name: String,
    pub time_display: String,
    pub time_iso: String,
}

#[derive(Template)]
#[template(path = "search.html")]
pub struct SearchPage {
    pub layout: Layout,
    pub query: String,
    pub total: usize,
    /// The count as shown: exact, or an estimate said to be one.
    pub total_text: String,
    pub results: Vec<SearchResult>,
    pub pager: Pager,
    pub feed_href: String,
    /// Parts of the query that were not understood, said in words.
    pub notes: Vec<String>,
    /// When nothing matched: the newest articles instead of an empty page.
    pub latest: Vec<ListItem>,
}

#[derive(Template)]
#[template(path = "page.html")]
pub struct InfoPage {
    pub layout: Layout,
    pub body_html: String,
}

#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage {
    pub layout: Layout,
    pub heading: String,
    pub message: String,
}

/// The tip and article form, with what was typed when it comes back with mistakes.
#[derive(Template)]
#[template(path = "submit.html")]
pub struct SubmitPage {
    pub layout: Layout,
    pub csrf: String,
    /// `tip` or `article`: which of the two forms the values belong to.
    pub kind: String,
    pub errors: Vec<String>,
    pub title: String,
    pub body: String,
    pub url: String,
    pub author: String,
    pub contact: String,
    pub max_tip: usize,
    pub max_article: usize,
}

/// What a reader or rights holder sees after sending a form.
#[derive(Template)]
#[template(path = "receipt.html")]
pub struct ReceiptPage {
    pub layout: Layout,
    pub heading: String,
    pub message: String,
    pub receipt: Option<String>,
    pub status_href: String,
}

/// Where a submission or request stands, looked up by its receipt.
pub struct StatusView {
    pub received: String,
    pub label: String,
    pub note: Option<String>,
    pub article_href: Option<String>,
}

#[derive(Template)]
#[template(path = "status.html")]
pub struct StatusPage {
    pub layout: Layout,
    pub heading: String,
    pub action: String,
    pub receipt: String,
    pub found: Option<StatusView>,
    pub asked: bool,
}

/// The rights holders' request form.
#[derive(Template)]
#[template(path = "takedown.html")]
pub struct TakedownPage {
    pub layout: Layout,
    pub csrf: String,
    pub errors: Vec<String>,
    pub claimant: String,
    pub contact: String,
    pub pages: String,
    pub work: String,
    pub statement: String,
    pub confirmed: bool,
}

#[derive(Template)]
#[template(path = "transparency.html")]
pub struct TransparencyPage {
    pub layout: Layout,
    pub months: Vec<xinwen_store::MonthCounts>,
    pub totals: xinwen_store::MonthCounts,
}

/// An article's 410 page: why it is gone, and where to read about removals.
#[derive(Template)]
#[template(path = "gone.html")]
pub struct GonePage {
    pub layout: Layout,
    pub by_takedown: bool,
    pub removed_on: Option<String>,
    pub receipt: Option<String>,
}
