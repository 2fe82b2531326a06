//! Article links on a list page: a portal's section page, a site's front page, a forum's
//! thread list. What `page` sources are read by.
//!
//! A list page links to everything: its site's sections, tags, the next page, ads, a hot
//! list, partners in the footer, and, somewhere in the middle, the articles. What tells the
//! articles apart, in order of weight:
//!
//! - **Structure.** Articles come in lists: many items of one shape (`li`, `dd`, a card) in
//!   one container, each with a link and a title. Navigation is a list too, of short words.
//! - **The link's shape.** An article's path carries an id or a date (`/2026/11/25/x.html`,
//!   `/p/8712`, `?id=5531`); a section's is a bare word or ends in `/`, and index, tag, list and
//!   pagination paths say so.
//! - **The region.** Links under `nav`, `header`, `footer`, `aside`, or under a class or id
//!   that names them (menu, footer, ad, rank, hot...), or under a heading such as 排行 or
//!   热点, are furniture. The words are data (`data/list-noise-*.txt`), not code.
//! - **The site.** Only links to the page's own site (its registered domain) are taken.
//!
//! An editor who knows the page better can name the region with a CSS selector and the
//! article paths with a regular expression; both narrow what is taken, never widen it.
//!
//! The page is parsed with `scraper` (html5ever and Servo's selectors) rather than the crate's
//! own parser: editors' selectors need a real selector engine, and list pages are read once
//! per check, not by the thousand.

use ego_tree::NodeId;
use regex::Regex;
use scraper::{ElementRef, Html, Selector};
use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;
use url::Url;

/// How an editor narrows a page source.
#[derive(Debug, Clone, Default)]
pub struct LinkRules {
    /// Only links inside elements matching this CSS selector (or matching it themselves).
    pub selector: Option<String>,
    /// Only links whose absolute URL this regular expression finds a match in.
    pub url_pattern: Option<String>,
}

/// A link to an article, as the list page shows it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ArticleLink {
    /// Absolute, without its fragment.
    pub url: String,
    /// The link's text (or title, or image alt): the article's title as the list gives it.
    pub text: String,
}

/// What a list page offers.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct ListPage {
    /// The article links, in page order, each once.
    pub links: Vec<ArticleLink>,
    /// The list's next page, when the page links one on the same site.
    pub next_page: Option<String>,
    /// The page's `<title>`.
    pub title: Option<String>,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum LinkRulesError {
    #[error("the CSS selector {selector:?} cannot be read: {reason}")]
    Selector { selector: String, reason: String },
    #[error("the URL pattern {pattern:?} is not a regular expression: {reason}")]
    Pattern { pattern: String, reason: String },
}

/// Checked rules, ready to apply.
#[derive(Debug, Clone)]
pub struct CompiledRules {
    selector: Option<Selector>,
    pattern: Option<Regex>,
}

impl LinkRules {
    /// Compiles the rules, saying what is wrong with either; what an editor's form checks.
    pub fn compile(&self) -> Result<CompiledRules, LinkRulesError> {
        let selector = match self.selector.as_deref().map(str::trim) {
            Some(text) if !text.is_empty() => {
                Some(Selector::parse(text).map_err(|e| LinkRulesError::Selector {
                    selector: text.to_owned(),
                    reason: e.to_string(),
                })?)
            }
            _ => None,
        };
        let pattern = match self.url_pattern.as_deref().map(str::trim) {
            Some(text) if !text.is_empty() => {
                Some(Regex::new(text).map_err(|e| LinkRulesError::Pattern {
                    pattern: text.to_owned(),
                    reason: e.to_string(),
                })?)
            }
            _ => None,
        };
        Ok(CompiledRules { selector, pattern })
    }
}

/// Finds the article links of a list page already decoded to text.
pub fn article_links(html: &str, page_url: &Url, rules: &CompiledRules) -> ListPage {
    let document = Html::parse_document(html);
    let base = declared_base(&document, page_url);
    // The page's own site only: a `<base>` naming another site does not widen it.
    let sites = [site_of(page_url)];
    let anchors: Vec<ElementRef<'_>> = match &rules.selector {
        Some(selector) => {
            let mut seen = HashSet::new();
            let mut anchors = Vec::new();
            for region in document.select(selector) {
                let inside = std::iter::once(region)
                    .chain(region.descendants().filter_map(ElementRef::wrap));
                for element in inside {
                    if element.value().name() == "a" && seen.insert(element.id()) {
                        anchors.push(element);
                    }
                }
            }
            anchors
        }
        None => document.select(&ANCHOR).collect(),
    };

    let mut candidates = Vec::new();
    // A list page links a few hundred pages; a page with tens of thousands of links is read
    // up to this many, so that grouping (which looks around each link) stays cheap.
    for anchor in anchors.into_iter().take(MAX_ANCHORS) {
        let Some(url) = anchor
            .value()
            .attr("href")
            .and_then(|href| resolve(&base, href))
        else {
            continue;
        };
        if !sites.contains(&site_of(&url)) || same_page(&url, page_url) {
            continue;
        }
        let (text, visible) = link_text(&anchor);
        let noise = rules.selector.is_none() && in_noise_region(&anchor);
        let shaped = match &rules.pattern {
            Some(pattern) => pattern.is_match(url.as_str()),
            None => looks_like_article(&url),
        };
        candidates.push(Candidate {
            anchor,
            url,
            text,
            visible,
            noise,
            shaped,
        });
    }
    let groups = group_by_list(&candidates);
    let mut taken = vec![false; candidates.len()];
    for group in groups.values() {
        let accepted = if rules.pattern.is_some() && rules.selector.is_some() {
            true
        } else {
            group_is_article_list(group, &candidates)
        };
        if accepted {
            for &i in group {
                let c = &candidates[i];
                taken[i] = c.shaped && !c.noise && (rules.selector.is_some() || list_title(c));
            }
        }
    }
    // A link the editor's pattern names is an article wherever the page puts it.
    if rules.pattern.is_some() {
        for (i, c) in candidates.iter().enumerate() {
            taken[i] |= c.shaped && !c.noise;
        }
    }
    let mut seen = HashSet::new();
    let mut links = Vec::new();
    for (i, c) in candidates.iter().enumerate() {
        if taken[i] && seen.insert(c.url.as_str().to_owned()) {
            links.push(ArticleLink {
                url: c.url.to_string(),
                text: c.text.clone(),
            });
        }
    }
    // A link taken once keeps its longest text (a thumbnail and its title link one article).
    for link in &mut links {
        if let Some(longer) = candidates
            .iter()
            .filter(|c| {
                c.url.as_str() == link.url && c.text.chars().count() > link.text.chars().count()
            })
            .max_by_key(|c| c.text.chars().count())
        {
            link.text = longer.text.clone();
        }
    }
    ListPage {
        links,
        next_page: next_page(&document, &base, &sites, page_url),
        title: title_of(&document),
    }
}

fn title_of(document: &Html) -> Option<String> {
    static TITLE: LazyLock<Selector> =
        LazyLock::new(|| Selector::parse("title").expect("a valid selector"));
    let title = collapse(&document.select(&TITLE).next()?.text().collect::<String>());
    (!title.is_empty()).then_some(title)
}

/// The feeds a page declares (`<link rel="alternate">` of an RSS, Atom or JSON Feed type),
/// absolute, on the web, each once; and the page's title.
pub fn declared_feeds(html: &str, page_url: &Url) -> (Vec<Url>, Option<String>) {
    static ALTERNATE: LazyLock<Selector> =
        LazyLock::new(|| Selector::parse("link[rel~=alternate][href]").expect("a valid selector"));
    let document = Html::parse_document(html);
    let base = declared_base(&document, page_url);
    let mut feeds = Vec::new();
    for link in document.select(&ALTERNATE) {
        let kind = link
            .value()
            .attr("type")
            .unwrap_or_default()
            .to_ascii_lowercase();
        let is_feed = kind.contains("rss") || kind.contains("atom") || kind.contains("feed+json");
        if let Some(url) = link.value().attr("href").and_then(|h| resolve(&base, h))
            && is_feed
            && !feeds.contains(&url)
        {
            feeds.push(url);
        }
    }
    (feeds, title_of(&document))
}

struct Candidate<'a> {
    anchor: ElementRef<'a>,
    url: Url,
    text: String,
    /// Whether `text` is shown on the page (not only a title or an image's alt): an icon
    /// with a tooltip is not a headline.
    visible: bool,
    /// Under navigation, a footer, an ad, a hot list...
    noise: bool,
    /// The URL has an article's shape (or matches the editor's pattern).
    shaped: bool,
}

/// Links looked at on one page.
const MAX_ANCHORS: usize = 3_000;
/// How far above its link an item may be.
const MAX_ITEM_DEPTH: usize = 8;

static ANCHOR: LazyLock<Selector> =
    LazyLock::new(|| Selector::parse("a[href]").expect("a valid selector"));

/// Where relative links resolve: `<base href>` when the page declares one on the web.
fn declared_base(document: &Html, page_url: &Url) -> Url {
    static BASE: LazyLock<Selector> =
        LazyLock::new(|| Selector::parse("base[href]").expect("a valid selector"));
    document
        .select(&BASE)
        .next()
        .and_then(|b| b.value().attr("href"))
        .and_then(|href| page_url.join(href.trim()).ok())
        .filter(|u| matches!(u.scheme(), "http" | "https"))
        .unwrap_or_else(|| page_url.clone())
}

fn resolve(base: &Url, href: &str) -> Option<Url> {
    let href = href.trim();
    if href.is_empty() || href.starts_with('#') {
        return None;
    }
    let mut url = base.join(href).ok()?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return None;
    }
    url.set_fragment(None);
    Some(url)
}

fn same_page(a: &Url, b: &Url) -> bool {
    a.host_str() == b.host_str() && a.path() == b.path() && a.query() == b.query()
}

/// The registered domain of a URL's host, roughly: the last two labels, or three under a
/// second-level suffix such as `.com.cn`. An address's host stands for itself.
pub fn site_of(url: &Url) -> String {
    let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
    if url
        .host()
        .is_some_and(|h| !matches!(h, url::Host::Domain(_)))
    {
        return host;
    }
    let labels: Vec<&str> = host.split('.').filter(|l| !l.is_empty()).collect();
    let keep = match labels.as_slice() {
        [.., second, top]
            if top.len() == 2
                && matches!(*second, "com" | "net" | "org" | "gov" | "edu" | "ac" | "co") =>
        {
            3
        }
        _ => 2,
    };
    labels[labels.len().saturating_sub(keep)..].join(".")
}

fn link_text(anchor: &ElementRef<'_>) -> (String, bool) {
    let mut text = String::new();
    for piece in anchor.text() {
        text.push_str(piece);
    }
    let text = collapse(&text);
    if !text.is_empty() {
        return (text, true);
    }
    let hidden = anchor
        .value()
        .attr("title")
        .map(collapse)
        .or_else(|| {
            anchor
                .descendants()
                .filter_map(ElementRef::wrap)
                .find_map(|e| e.value().attr("alt").map(collapse))
        })
        .unwrap_or_default();
    (hidden, false)
}

fn collapse(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn headline(candidate: &Candidate<'_>) -> bool {
    candidate.visible && letter_weight(&candidate.text) >= 12
}

/// In a list already known to be of articles, a shorter title will do (a forum thread's
/// 龙吟大砍？), though not a count, a date or an icon.
fn list_title(candidate: &Candidate<'_>) -> bool {
    candidate.visible && letter_weight(&candidate.text) >= 8
}

/// How much of a title a text is: its letters, a Chinese character counting as two. A
/// headline weighs 12 or more (six characters); menu words, dates, counts and 更多 weigh less.
fn letter_weight(text: &str) -> usize {
    text.chars()
        .filter(|c| c.is_alphabetic())
        .map(|c| if c.is_ascii() { 1 } else { 2 })
        .sum()
}

static NOISE_CLASSES: LazyLock<(HashSet<&'static str>, Vec<&'static str>)> = LazyLock::new(|| {
    let mut exact = HashSet::new();
    let mut prefixes = Vec::new();
    for word in data_lines(include_str!("../data/list-noise-classes.txt")) {
        match word.strip_suffix('*') {
            Some(prefix) => prefixes.push(prefix),
            None => {
                exact.insert(word);
            }
        }
    }
    (exact, prefixes)
});

static NOISE_HEADINGS: LazyLock<Vec<&'static str>> =
    LazyLock::new(|| data_lines(include_str!("../data/list-noise-headings.txt")).collect());

static ID_PARAMS: LazyLock<HashSet<&'static str>> =
    LazyLock::new(|| data_lines(include_str!("../data/article-id-params.txt")).collect());

static NEXT_WORDS: LazyLock<HashSet<String>> = LazyLock::new(|| {
    data_lines(include_str!("../data/next-page-words.txt"))
        .map(str::to_lowercase)
        .collect()
});

fn data_lines(text: &'static str) -> impl Iterator<Item = &'static str> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
}

fn noisy_name(name: &str) -> bool {
    let (exact, prefixes) = &*NOISE_CLASSES;
    name.split(|c: char| c.is_whitespace() || c == '-' || c == '_')
        .filter(|w| !w.is_empty())
        .map(str::to_ascii_lowercase)
        .any(|w| exact.contains(w.as_str()) || prefixes.iter().any(|p| w.starts_with(p)))
}

fn in_noise_region(anchor: &ElementRef<'_>) -> bool {
    for (depth, element) in std::iter::once(*anchor)
        .chain(anchor.ancestors().filter_map(ElementRef::wrap))
        .enumerate()
    {
        let value = element.value();
        if matches!(value.name(), "nav" | "header" | "footer" | "aside") {
            return true;
        }
        if value.attr("class").is_some_and(noisy_name) || value.attr("id").is_some_and(noisy_name) {
            return true;
        }
        // A block headed 排行 or 热点: its heading is a child of one of the link's nearest
        // containers, before the list.
        if depth <= 4 && headed_as_noise(&element) {
            return true;
        }
    }
    false
}

fn headed_as_noise(container: &ElementRef<'_>) -> bool {
    container
        .children()
        .filter_map(ElementRef::wrap)
        .take(3)
        .filter(|child| {
            matches!(
                child.value().name(),
                "h1" | "h2" | "h3" | "h4" | "h5" | "h6"
            ) || child
                .value()
                .attr("class")
                .is_some_and(|c| c.contains("title") || c.contains("hd") || c.contains("tit"))
        })
        .any(|heading| {
            let text: String = heading.text().collect();
            let text = collapse(&text);
            text.chars().count() <= 16 && NOISE_HEADINGS.iter().any(|w| text.contains(w))
        })
}

/// Words that name a section, a tag or a listing in a path segment, not an article.
const NOT_ARTICLE_SEGMENTS: &[&str] = &[
    "tag",
    "tags",
    "topic",
    "topics",
    "list",
    "lists",
    "category",
    "categories",
    "channel",
    "column",
    "section",
    "author",
    "authors",
    "user",
    "users",
    "search",
    "login",
    "register",
    "page",
    "index",
    "default",
    "about",
    "contact",
    "help",
    "feed",
    "rss",
    "special",
    "zt",
];

/// Whether a URL has an article's shape: an id or a date in the path (or an id parameter),
/// and nothing that says index, tag, list or page.
pub fn looks_like_article(url: &Url) -> bool {
    let path = url.path();
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let Some(last) = segments.last() else {
        return false;
    };
    let stem = last
        .split('.')
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    if NOT_ARTICLE_SEGMENTS.contains(&stem.as_str())
        || segments.iter().any(|s| {
            NOT_ARTICLE_SEGMENTS.contains(&s.to_ascii_lowercase().as_str())
                && *s != *last
                && segments.len() <= 2
        })
    {
        return false;
    }
    // Pagination of a list: `list_2.html`, `index_3.shtml`, `?page=2`.
    if PAGINATION.is_match(&stem) {
        return false;
    }
    // A jump to somewhere else (`?mod=redirect&goto=lastpost`), not a page of its own.
    if url
        .query_pairs()
        .any(|(k, v)| k.eq_ignore_ascii_case("redirect") || v.eq_ignore_ascii_case("redirect"))
        || segments.iter().any(|s| s.eq_ignore_ascii_case("redirect"))
    {
        return false;
    }
    let query_id = url.query_pairs().any(|(k, v)| {
        ID_PARAMS.contains(k.to_ascii_lowercase().as_str())
            && v.len() >= 3
            && v.chars().all(|c| c.is_ascii_alphanumeric())
    });
    let long_number = LONG_NUMBER.is_match(path);
    let dated = DATE_PATH.is_match(path);
    let long_token = stem.len() >= 10
        && stem.chars().filter(char::is_ascii_digit).count() >= 4
        && stem
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    let page_file = last.contains('.') && segments.len() >= 2;
    let slug = stem.matches('-').count() >= 3 && segments.len() >= 2;
    long_number
        || query_id
        || long_token
        || (dated && (page_file || slug || segments.len() >= 3))
        || (slug && !path.ends_with('/'))
}

static LONG_NUMBER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\d{5,}").expect("a valid pattern"));
static DATE_PATH: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:19|20)\d\d[-/_]?(?:0[1-9]|1[0-2])|/\d\d/(?:0[1-9]|1[0-2])\d\d/")
        .expect("a valid pattern")
});
static PAGINATION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:index|list|default|page)[_-]?\d{1,3}$").expect("a valid pattern")
});

/// Groups links by the list they belong to: the container of their item, and the item's
/// shape. A link's item is the largest element around it that holds no link to another
/// page; the item's parent is the list.
fn group_by_list(candidates: &[Candidate<'_>]) -> HashMap<GroupKey, Vec<usize>> {
    let mut groups: HashMap<(NodeId, String), Vec<usize>> = HashMap::new();
    for (i, candidate) in candidates.iter().enumerate() {
        let mut item = candidate.anchor;
        // An item sits a few levels above its link; a hostile page nested thousands deep is
        // not climbed to the top for each of its links.
        for _ in 0..MAX_ITEM_DEPTH {
            let Some(parent) = item.parent().and_then(ElementRef::wrap) else {
                break;
            };
            if matches!(parent.value().name(), "body" | "html") {
                break;
            }
            let other_link = parent
                .descendants()
                .filter_map(ElementRef::wrap)
                .filter(|e| e.value().name() == "a")
                .filter_map(|a| a.value().attr("href"))
                .any(|href| {
                    Some(href.trim()) != candidate.anchor.value().attr("href").map(str::trim)
                });
            if other_link {
                break;
            }
            item = parent;
        }
        let Some(list) = item.parent() else { continue };
        let shape = format!(
            "{}.{}",
            item.value().name(),
            item.value().attr("class").unwrap_or_default()
        );
        groups.entry((list.id(), shape)).or_default().push(i);
    }
    // Items that hold more than one link (a thread's title, its author, its pages) leave
    // each link alone in its group; the same links of many items share the path of classes
    // that leads to them, and that path makes them one list.
    let mut by_path: HashMap<String, Vec<usize>> = HashMap::new();
    let mut rest = HashMap::new();
    for (key, members) in groups {
        let distinct: HashSet<&str> = members
            .iter()
            .map(|&i| candidates[i].url.as_str())
            .collect();
        if distinct.len() == 1 {
            for i in members {
                by_path
                    .entry(class_path(&candidates[i].anchor))
                    .or_default()
                    .push(i);
            }
        } else {
            rest.insert(GroupKey::List(key.0, key.1), members);
        }
    }
    for (path, members) in by_path {
        rest.insert(GroupKey::Path(path), members);
    }
    rest
}

#[derive(Debug, PartialEq, Eq, Hash)]
enum GroupKey {
    /// A list container and the shape of its items.
    List(NodeId, String),
    /// The tags and classes from a few levels up down to the link.
    Path(String),
}

fn class_path(anchor: &ElementRef<'_>) -> String {
    let mut path = String::new();
    for element in std::iter::once(*anchor)
        .chain(anchor.ancestors().filter_map(ElementRef::wrap))
        .take(5)
    {
        path.push_str(element.value().name());
        path.push('.');
        path.push_str(element.value().attr("class").unwrap_or_default());
        path.push('<');
    }
    path
}

/// A group is a list of articles when it repeats (three items or more, two when both are
/// clearly articles) and most of its links have an article's shape and a title's length.
fn group_is_article_list(group: &[usize], candidates: &[Candidate<'_>]) -> bool {
    let distinct: HashSet<&str> = group.iter().map(|&i| candidates[i].url.as_str()).collect();
    let members = distinct.len();
    let shaped = group
        .iter()
        .filter(|&&i| candidates[i].shaped && headline(&candidates[i]))
        .map(|&i| candidates[i].url.as_str())
        .collect::<HashSet<_>>()
        .len();
    let all_titled = distinct.iter().all(|url| {
        group
            .iter()
            .any(|&i| candidates[i].url.as_str() == *url && headline(&candidates[i]))
    });
    match members {
        0 => false,
        // A lone link: a headline in its own box, taken when its title is a real one.
        1 => shaped == 1,
        2 => shaped == 2,
        // A list of titles that mixes in a few links to sections is still a list of news.
        _ => shaped * 2 >= members || (all_titled && shaped >= 1),
    }
}

/// The list's next page: `rel=next`, or a link whose whole text says 下一页 / next.
fn next_page(document: &Html, base: &Url, sites: &[String], page_url: &Url) -> Option<String> {
    static REL_NEXT: LazyLock<Selector> = LazyLock::new(|| {
        Selector::parse("link[rel~=next][href], a[rel~=next][href]").expect("a valid selector")
    });
    let same_site = |url: &Url| sites.contains(&site_of(url)) && !same_page(url, page_url);
    if let Some(url) = document
        .select(&REL_NEXT)
        .filter_map(|e| e.value().attr("href").and_then(|h| resolve(base, h)))
        .find(|u| same_site(u))
    {
        return Some(url.to_string());
    }
    document
        .select(&ANCHOR)
        .filter(|a| {
            let text = collapse(&a.text().collect::<String>()).to_lowercase();
            let label = a.value().attr("title").map(str::to_lowercase);
            [Some(text), label].into_iter().flatten().any(|t| {
                let bare = t.trim_matches(|c: char| c.is_whitespace() || "<>‹›«»".contains(c));
                NEXT_WORDS.contains(t.trim()) || (!bare.is_empty() && NEXT_WORDS.contains(bare))
            })
        })
        .filter_map(|a| a.value().attr("href").and_then(|h| resolve(base, h)))
        .find(|u| same_site(u))
        .map(|u| u.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(text: &str) -> Url {
        Url::parse(text).unwrap()
    }

    #[test]
    fn article_shapes() {
        for yes in [
            "https://news.example/2026/11/25/cold-wave.html",
            "https://news.163.example/19/0401/10/EBCDE123000189FH.html",
            "https://tieba.example/p/6123456789",
            "https://portal.example/news/show.php?id=5531",
            "https://portal.example/a/20261125/000123.shtml",
            "https://blog.example/posts/how-we-built-the-new-bridge",
        ] {
            assert!(looks_like_article(&url(yes)), "{yes}");
        }
        for no in [
            "https://news.example/",
            "https://news.example/tech/",
            "https://news.example/tech",
            "https://news.example/tag/bridge",
            "https://news.example/list_2.html",
            "https://news.example/index.html",
            "https://news.example/society/index_3.shtml",
            "https://news.example/about.html",
        ] {
            assert!(!looks_like_article(&url(no)), "{no}");
        }
    }

    #[test]
    fn sites_are_registered_domains() {
        assert_eq!(site_of(&url("https://news.163.com/x")), "163.com");
        assert_eq!(
            site_of(&url("https://www.xinhua.com.cn/x")),
            "xinhua.com.cn"
        );
        assert_eq!(site_of(&url("http://127.0.0.1:8080/x")), "127.0.0.1");
        assert_eq!(site_of(&url("https://portal.example/")), "portal.example");
    }

    #[test]
    fn declared_feeds_are_found_in_any_attribute_order() {
        let html = r#"<html><head><title> 青澜在线 </title>
            <link rel="stylesheet" href="/a.css">
            <link type="application/rss+xml" rel="alternate" href="/rss.xml" title="RSS">
            <link rel='alternate' type='application/atom+xml' href='https://news.example/atom.xml'>
            <link rel="alternate" type="text/html" hreflang="en" href="/en/">
            <link rel="alternate" type="application/rss+xml" href="javascript:alert(1)">
        </head></html>"#;
        let (feeds, title) = declared_feeds(html, &url("https://news.example/section/"));
        let feeds: Vec<String> = feeds.iter().map(Url::to_string).collect();
        assert_eq!(
            feeds,
            [
                "https://news.example/rss.xml",
                "https://news.example/atom.xml"
            ]
        );
        assert_eq!(title.as_deref(), Some("青澜在线"));
    }

    #[test]
    fn a_page_of_endless_links_is_read_quickly() {
        let mut html = String::from("<ul>");
        for n in 0..40_000 {
            html.push_str(&format!(
                "<li><a href=\"/2026/12/{n:06}.html\">一篇标题足够长的新闻第{n}号</a></li>"
            ));
        }
        html.push_str("</ul>");
        let started = std::time::Instant::now();
        let page = article_links(
            &html,
            &url("https://news.example/list/"),
            &LinkRules::default().compile().unwrap(),
        );
        assert_eq!(page.links.len(), MAX_ANCHORS);
        // Nested thousands deep, a link in each level.
        let mut deep = String::new();
        for n in 0..5_000 {
            deep.push_str(&format!(
                "<div><a href=\"/2026/12/{n:06}.html\">一篇标题足够长的新闻第{n}号</a>"
            ));
        }
        article_links(
            &deep,
            &url("https://news.example/list/"),
            &LinkRules::default().compile().unwrap(),
        );
        assert!(started.elapsed() < std::time::Duration::from_secs(30));
    }

    #[test]
    fn bad_rules_say_what_is_wrong() {
        let bad = LinkRules {
            selector: Some("ul >> li[".into()),
            url_pattern: None,
        };
        assert!(matches!(
            bad.compile(),
            Err(LinkRulesError::Selector { .. })
        ));
        let bad = LinkRules {
            selector: None,
            url_pattern: Some("(unclosed".into()),
        };
        assert!(matches!(bad.compile(), Err(LinkRulesError::Pattern { .. })));
    }
}
