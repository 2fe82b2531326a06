//! The article's metadata: title, authors, source, site, publish time, canonical URL,
//! language. Each is taken from the most reliable place the page offers: meta tags and
//! JSON-LD first, then the page's own headings and byline text.

use crate::dom::{Dom, NodeHandle, attr, tag};
use crate::html::{Node, NodeId};
use crate::text::collapse_whitespace;
use chrono::{DateTime, FixedOffset};
use regex::Regex;
use serde_json::Value;
use std::collections::HashMap;
use std::sync::LazyLock;
use url::Url;

/// What `<meta>`, `<link>` and JSON-LD say, gathered once.
pub struct Head {
    /// `<meta name|property|itemprop=... content=...>`, keys lower-cased; first value wins.
    pub meta: HashMap<String, String>,
    pub title_tag: Option<String>,
    pub canonical: Option<String>,
    pub html_lang: Option<String>,
    pub ld: Vec<Value>,
    pub scripts: Vec<String>,
    pub headings: Vec<String>,
    /// Elements that set their text apart (h2–h4, bold, `<font>`, a box named for a title), in
    /// page order: where an old page whose `<title>` is its site's shows its headline. Their
    /// text is read only for such a page.
    pub emphasised: Vec<NodeId>,
    /// Links to authors' pages: which author, whether to their own page, and the link's text.
    pub author_links: Vec<(String, bool, String)>,
}

impl Head {
    /// Reads the page's head; script bodies are kept only when `keep_scripts` (WeChat pages
    /// carry their metadata in script variables; other pages' scripts are only cost).
    pub fn read(dom: &Dom, keep_scripts: bool) -> Head {
        let mut head = Head {
            meta: HashMap::new(),
            title_tag: None,
            canonical: None,
            html_lang: None,
            ld: Vec::new(),
            scripts: Vec::new(),
            headings: Vec::new(),
            emphasised: Vec::new(),
            author_links: Vec::new(),
        };
        let mut titled_in_meta = false;
        for node in dom.root().descendants() {
            let Some(name) = tag(&node) else { continue };
            match name {
                "html" => head.html_lang = attr(&node, "lang").map(str::to_owned),
                "meta" => {
                    let key = attr(&node, "property")
                        .or_else(|| attr(&node, "name"))
                        .or_else(|| attr(&node, "itemprop"))
                        .or_else(|| attr(&node, "http-equiv"));
                    if let (Some(key), Some(content)) = (key, attr(&node, "content")) {
                        let content = collapse_whitespace(content);
                        if !content.is_empty() {
                            titled_in_meta |=
                                TITLE_KEYS.iter().any(|k| key.eq_ignore_ascii_case(k));
                            head.meta.entry(key.to_ascii_lowercase()).or_insert(content);
                        }
                    }
                }
                "title" if head.title_tag.is_none() => {
                    let t = collapse_whitespace(&raw_text(node));
                    if !t.is_empty() {
                        head.title_tag = Some(t);
                    }
                }
                "link" => {
                    let rel = attr(&node, "rel").unwrap_or("").to_ascii_lowercase();
                    if rel.split_whitespace().any(|r| r == "canonical") && head.canonical.is_none()
                    {
                        head.canonical = attr(&node, "href").map(str::to_owned);
                    }
                }
                "script" => {
                    if attr(&node, "type").is_some_and(|t| t.contains("ld+json")) {
                        if let Ok(v) = serde_json::from_str::<Value>(raw_text(node).trim()) {
                            flatten_ld(v, &mut head.ld);
                        }
                    } else if keep_scripts {
                        let body = raw_text(node);
                        if body.len() < 200_000 {
                            head.scripts.push(body);
                        }
                    }
                }
                "a" => {
                    if let Some((key, own)) = author_link(&node) {
                        let text = if own {
                            dom.text_of(node)
                        } else {
                            String::new()
                        };
                        head.author_links.push((key, own, text));
                    }
                }
                "h1" if !dom.is_junk(node.id()) => {
                    let t = dom.text_of(node);
                    if !t.is_empty() {
                        head.headings.push(t);
                    }
                }
                // Only a page that names no headline in its head needs them; the head comes
                // first, and most pages name one there.
                _ if !titled_in_meta
                    && head.emphasised.len() < MOST_EMPHASISED
                    && dom.stats(node.id()).text.chars <= *HEADLINE_CHARS.end()
                    && sets_apart(&node, name) =>
                {
                    head.emphasised.push(node.id());
                }
                _ => {}
            }
        }
        head
    }

    /// Whether the page names its headline anywhere but in `<title>`: a title meta tag,
    /// JSON-LD's headline, or a main heading.
    pub fn names_its_headline(&self) -> bool {
        self.meta(TITLE_KEYS).is_some()
            || self
                .ld_article()
                .is_some_and(|a| a["headline"].as_str().is_some())
            || !self.headings.is_empty()
    }

    pub fn meta(&self, keys: &[&str]) -> Option<&str> {
        keys.iter()
            .find_map(|k| self.meta.get(*k).map(String::as_str))
    }

    /// The object Baidu's search asks Chinese sites to describe a page with (its
    /// `cambrian.jsonld` context: `title`, `images`, `pubDate`), if any.
    pub fn ld_cambrian(&self) -> Option<&Value> {
        self.ld.iter().find(|v| {
            v["@context"]
                .as_str()
                .is_some_and(|c| c.contains("/contexts/cambrian"))
        })
    }

    /// The JSON-LD object that describes the article, if any.
    pub fn ld_article(&self) -> Option<&Value> {
        self.ld.iter().find(|v| {
            let types = match &v["@type"] {
                Value::String(s) => vec![s.as_str()],
                Value::Array(a) => a.iter().filter_map(Value::as_str).collect(),
                _ => vec![],
            };
            types
                .iter()
                .any(|t| t.ends_with("Article") || *t == "BlogPosting" || *t == "Report")
        })
    }
}

/// The meta tags that give the headline.
const TITLE_KEYS: &[&str] = &["og:title", "twitter:title", "title", "headline"];

/// The length of a headline in characters.
const HEADLINE_CHARS: std::ops::RangeInclusive<usize> = 5..=60;

/// The longest emphasised line taken for a headline: longer ones are notices and sentences.
const EMPHASISED_HEADLINE_CHARS: usize = 40;

/// The emphasised texts kept: a page can bold thousands of words.
const MOST_EMPHASISED: usize = 300;

/// Whether an element sets its text apart as a heading would.
fn sets_apart(node: &NodeHandle<'_>, name: &str) -> bool {
    matches!(name, "h2" | "h3" | "h4" | "b" | "strong" | "font")
        || [attr(node, "class"), attr(node, "id")]
            .into_iter()
            .flatten()
            .any(|v| crate::text::contains_ignoring_case(v.as_bytes(), b"title"))
}

/// The headline of a page whose `<title>` is not printed over its body (an old portal's
/// 「显示」, the site's own name): the first short line the page sets apart among the few
/// over the body, or the body's first line.
pub fn emphasised_headline(head: &Head, dom: &Dom, over_body: &[&str]) -> Option<String> {
    let emphasised: Vec<String> = head
        .emphasised
        .iter()
        .filter_map(|&id| dom.html.get(id))
        .map(|node| collapse_whitespace(&dom.text_of(node)))
        .filter(|t| HEADLINE_CHARS.contains(&t.chars().count()))
        .collect();
    over_body
        .iter()
        .map(|l| collapse_whitespace(l))
        .filter(|l| {
            let length = l.chars().count();
            length >= *HEADLINE_CHARS.start() && length <= EMPHASISED_HEADLINE_CHARS
        })
        .filter(|l| !l.ends_with(['。', '！', '？', '，', '.', ',', '：', ':']))
        // A breadcrumb or a page's name and section (首页 - 新闻动态) is set apart too.
        .filter(|l| !l.contains(['>', '»']) && !TITLE_SEPARATORS.is_match(l))
        .find(|l| emphasised.iter().any(|e| e == l))
}

/// Which author's page a link leads to, as blog and CMS software makes them: WordPress's
/// `?author=7` and `/author/name/`, or any link marked `rel="author"`. The flag says
/// whether the link is to the author's own page, whose text is then the name: a query that
/// also names a category (`?pc=3&author=7`) lists that author's posts in it.
fn author_link(node: &NodeHandle<'_>) -> Option<(String, bool)> {
    let href = attr(node, "href")?;
    let rel_author = || {
        attr(node, "rel").is_some_and(|r| {
            r.split_whitespace()
                .any(|r| r.eq_ignore_ascii_case("author"))
        })
    };
    // Most links say nothing of authors: pass them over before copying anything.
    if !crate::text::contains_ignoring_case(href.as_bytes(), b"author") && !rel_author() {
        return None;
    }
    let lower = href.to_ascii_lowercase();
    let key = |from: usize| {
        lower[from..]
            .split(['&', '/', '#', '?'])
            .next()
            .unwrap_or("")
            .to_owned()
    };
    if let Some(at) = lower.find("/author/") {
        return Some((key(at + "/author/".len()), true));
    }
    if let Some(at) = lower.find("author=") {
        let own = lower[..at].ends_with('?');
        return Some((key(at + "author=".len()), own));
    }
    rel_author().then_some((lower, true))
}

/// The author whose pages the page links to most, named by the text of a link to their own
/// page: a blog links its owner's name and every category of theirs, a news page its
/// writer's byline; a tie names nobody.
fn most_linked_author(links: &[(String, bool, String)]) -> Option<String> {
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for (key, _, _) in links {
        *counts.entry(key).or_default() += 1;
    }
    let top = counts.values().copied().max()?;
    let mut leaders = counts.iter().filter(|(_, n)| **n == top);
    let (leader, _) = leaders.next()?;
    if leaders.next().is_some() {
        return None;
    }
    links
        .iter()
        .find(|(key, own, text)| key == leader && *own && !text.is_empty())
        .map(|(_, _, text)| text.clone())
}

fn raw_text(node: NodeHandle<'_>) -> String {
    node.descendants()
        .filter_map(|n| match n.value() {
            Node::Text(t) => Some(t),
            _ => None,
        })
        .collect()
}

fn flatten_ld(v: Value, out: &mut Vec<Value>) {
    match v {
        Value::Array(items) => items.into_iter().for_each(|i| flatten_ld(i, out)),
        Value::Object(mut map) => {
            if let Some(graph) = map.remove("@graph") {
                flatten_ld(graph, out);
            }
            out.push(Value::Object(map));
        }
        _ => {}
    }
}

/// Separators between a headline and the site's name in `<title>`.
static TITLE_SEPARATORS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\s+[-|–—·:»]\s+|\s*[_｜|丨]\s*|\s*--\s*|\s+-\s*|\s*-\s+").expect("valid regex")
});

fn comparable(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// The headline: a main heading that the `<title>` or og:title confirms, else og:title, else
/// the `<title>` without the site's name, else the first heading.
pub fn title(head: &Head) -> Option<String> {
    let og = head.meta(TITLE_KEYS).map(str::to_owned).or_else(|| {
        head.ld_article()
            .and_then(|a| a["headline"].as_str())
            .map(str::to_owned)
    });
    let title_tag = head.title_tag.clone();
    let confirmed = head.headings.iter().find(|h| {
        let key = comparable(h);
        key.chars().count() >= 4
            && (og.as_deref().is_some_and(|o| comparable(o).contains(&key))
                || title_tag
                    .as_deref()
                    .is_some_and(|t| comparable(t).contains(&key)))
    });
    if let Some(h) = confirmed {
        return Some(h.clone());
    }
    // A `<title>` cut short: the heading that begins with its headline is the whole title.
    if let Some(t) = &title_tag {
        let short = comparable(&strip_site(t, head));
        if short.chars().count() >= 6
            && let Some(h) = head
                .headings
                .iter()
                .find(|h| comparable(h).starts_with(&short))
        {
            return Some(h.clone());
        }
    }
    if let Some(og) = og {
        return Some(strip_site(&og, head));
    }
    if let Some(t) = title_tag {
        return Some(strip_site(&t, head));
    }
    head.headings.first().cloned()
}

/// The longest part of a `<title>` split at its separators: the site name is the short part.
fn strip_site(title: &str, head: &Head) -> String {
    let parts: Vec<&str> = TITLE_SEPARATORS
        .split(title)
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    if parts.len() < 2 {
        // 「法国全国大罢工再次严重影响交通-新华网」: a publication's name after a bare hyphen.
        if let Some((headline, suffix)) = title.trim().rsplit_once(['-', '_'])
            && (2..=8).contains(&suffix.trim().chars().count())
            && is_organisation(suffix.trim())
            && headline.trim().chars().count() >= 4
        {
            return headline.trim().to_owned();
        }
        return title.trim().to_owned();
    }
    let site = head
        .meta(&["og:site_name", "application-name"])
        .map(comparable);
    // Longest as read: a Han character says more than a letter, so 「…与下岗职工的再就业」
    // outweighs "powered by Discuz! Archiver", which has more characters.
    let weight = |part: &str| -> usize {
        part.chars()
            .map(|c| if crate::text::is_cjk(c) { 2 } else { 1 })
            .sum()
    };
    let best = parts
        .iter()
        .filter(|p| site.as_deref() != Some(comparable(p).as_str()))
        .max_by_key(|p| weight(p))
        .unwrap_or(&parts[0]);
    // A headline that itself holds a separator ("北京 - 上海高铁") loses less than a wrong cut.
    if best.chars().count() * 2 < title.chars().count() / 2 {
        return title.trim().to_owned();
    }
    (*best).to_owned()
}

/// The site's own name.
pub fn site_name(head: &Head) -> Option<String> {
    if let Some(s) = head.meta(&["og:site_name", "application-name"]) {
        return Some(s.to_owned());
    }
    if let Some(name) = head
        .ld_article()
        .and_then(|a| a["publisher"]["name"].as_str())
    {
        return Some(name.to_owned());
    }
    let t = head.title_tag.as_deref()?;
    let parts: Vec<&str> = TITLE_SEPARATORS
        .split(t)
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    (parts.len() >= 2)
        .then(|| parts.last().map(|s| (*s).to_owned()))
        .flatten()
        .filter(|s| s.chars().count() <= 20)
}

static NAMES: &str = r"[\p{Han}·]{2,4}(?:[ 、和及与]+[\p{Han}·]{2,4}){0,4}";

/// Which of [`BYLINE`] finds 记者 and the names after it.
const REPORTER_PATTERN: usize = 2;

static BYLINE: LazyLock<Vec<Regex>> = LazyLock::new(|| {
    [
        format!(r"(?:作者|撰文|撰稿人?|文字|编译|口述|整理|执笔人?)\s*[:：｜|丨/]\s*({NAMES})"),
        // 【文/观察者网专栏作者 王文】: the outlet and the writer's role may come first.
        format!(
            r"(?:^|[\s【\[】\]►●▲■])文\s*[:：｜|丨/]\s*(?:\p{{Han}}{{0,12}}?(?:作者|撰稿人|评论员|记者)\s*)?({NAMES})"
        ),
        format!(r"(?:本报|本台|本刊|新华社|中新社|特约)?(?:实习)?(?:记者|实习生|通讯员)\s*[:：]?\s*({NAMES})"),
        format!(r"(?:^|[\s►●▲■])文\s+(?:\S+\s+)?({NAMES})\s*$"),
    ]
    .iter()
    .map(|p| Regex::new(p).expect("valid regex"))
    .collect()
});

static AUTHOR_WORD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:^|\s)作者\s*[:：]\s*([^\s:：，,。()（）\[\]【】]{2,20})\s*$")
        .expect("valid regex")
});

static SOURCE_LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"来源\s*[:：｜|丨]\s*([\p{Han}A-Za-z0-9·（）()]{2,20})").expect("valid regex")
});

static ENGLISH_BYLINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?i:by)\s+([A-Z][\w.'’-]+(?:\s+(?:[A-Z][\w.'’-]+|and|&))*)").expect("valid regex")
});

/// The words of a data file: whitespace-separated, `#` lines left out.
fn words(text: &'static str) -> Vec<&'static str> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.starts_with('#'))
        .flat_map(str::split_whitespace)
        .collect()
}

/// The days an English byline may run on into before its date.
const WEEKDAYS: &[&str] = &[
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

/// Words that follow 记者 in text but are not names (`data/not-names.txt`).
static NOT_NAMES: LazyLock<Vec<&str>> =
    LazyLock::new(|| words(include_str!("../data/not-names.txt")));

/// Words that make an author an organisation (`data/organisation-words.txt`).
static ORGANISATION_WORDS: LazyLock<Vec<&str>> =
    LazyLock::new(|| words(include_str!("../data/organisation-words.txt")));

/// Endings of organisations' names (`data/organisation-endings.txt`).
static ORGANISATION_ENDINGS: LazyLock<Vec<&str>> =
    LazyLock::new(|| words(include_str!("../data/organisation-endings.txt")));

/// Chinese family names, compound ones first (`data/surnames.txt`).
static SURNAMES: LazyLock<Vec<&str>> =
    LazyLock::new(|| words(include_str!("../data/surnames.txt")));

/// Placeholders that templates leave in a meta author.
const PLACEHOLDERS: &[&str] = &[
    "name", "admin", "author", "unknown", "null", "none", "未知", "佚名", "匿名", "不详",
];

fn is_organisation(name: &str) -> bool {
    let lower = name.to_lowercase();
    ORGANISATION_WORDS.iter().any(|w| lower.contains(w))
        || (name.chars().count() >= 3 && ORGANISATION_ENDINGS.iter().any(|e| name.ends_with(e)))
}

/// Whether a name given as an author can be a person's: not an organisation, a number (a
/// CMS's user id) or a template's placeholder.
fn is_person(name: &str) -> bool {
    let name = name.trim();
    name.chars().count() <= 30
        && !is_organisation(name)
        && !name
            .chars()
            .all(|c| c.is_ascii_digit() || c.is_whitespace())
        && !PLACEHOLDERS.iter().any(|p| name.eq_ignore_ascii_case(p))
}

fn begins_with_not_a_name(name: &str) -> bool {
    NOT_NAMES.iter().any(|w| name.starts_with(w))
}

/// A Chinese personal name: two to four Han characters that begin with a family name. Used
/// where nothing but the shape says a name is one (a line of names, a credit in brackets).
fn looks_like_chinese_name(name: &str) -> bool {
    let length = name.chars().count();
    // A given name has one or two characters after the family name (欧阳修, 王建宏).
    (2..=4).contains(&length)
        && name.chars().all(|c| c == '·' || crate::text::is_cjk(c))
        && SURNAMES.iter().any(|s| {
            let family = s.chars().count();
            name.starts_with(s) && (family + 1..=family + 2).contains(&length)
        })
        && !begins_with_not_a_name(name)
        && !is_organisation(name)
}

/// The names in a byline's capture; none when a part is a word that follows 记者 in running
/// text (记者获悉、了解到…): then the capture was a sentence, not a byline.
fn split_names(s: &str) -> Vec<String> {
    let mut names = Vec::new();
    // 和, 及 and 与 join two names (张三和李四) but also end some (吕清和): split there
    // only when a name stands on each side.
    let parts = s.split([' ', '、']).flat_map(|part| {
        let joined: Vec<&str> = part.split(['和', '及', '与']).collect();
        if joined.len() > 1 && joined.iter().all(|p| p.chars().count() >= 2) {
            joined
        } else {
            vec![part]
        }
    });
    for part in parts {
        let name = part
            .trim()
            .trim_start_matches("本报记者")
            .trim_start_matches("记者")
            .trim_start_matches("通讯员")
            .trim_start_matches("实习生");
        if name.chars().count() < 2 {
            continue;
        }
        // 「上海报道」「北京电」after the names say where they wrote from.
        if name.ends_with("报道") || name.ends_with('电') {
            break;
        }
        if begins_with_not_a_name(name) {
            return Vec::new();
        }
        if is_person(name) {
            names.push(name.to_owned());
        }
    }
    names
}

/// A credit in brackets that ends an article: （记者 胡晓蓉）, （常书香 马丹阳）, （姚峰 上海报道）.
static TRAILING_CREDIT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?:^|[。！？!?”」』…])\s*[（(]\s*(?:\p{{Han}}{{0,6}}?记者|通讯员)?\s*({NAMES})\s*[）)]\s*$"
    ))
    .expect("valid regex")
});

/// The responsible editor's line: 责任编辑：张申, 【编辑:刘欢】, 编辑：苏亮.
static EDITOR_LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:责任编辑|责编|编辑)\s*[:：]\s*([\p{Han}·]{2,4}(?:[ 、]+[\p{Han}·]{2,4}){0,2})")
        .expect("valid regex")
});

/// Where a page's names may be: the lines under its headline, the lines between the headline
/// and the body, and the body's last lines with what follows them.
pub struct BylinePlaces<'a> {
    pub header: &'a str,
    /// Lines after the headline and before the body, nearest the body last.
    pub before_body: &'a [String],
    /// The body's last lines and the lines after it.
    pub tail: &'a [String],
    /// The page's lines from the body's first to a few after its last, as they are.
    pub body_region: &'a [&'a str],
    /// The site's own name: a meta author that is the site names no person.
    pub site_name: Option<&'a str>,
    /// Whether the headline was found above the body, so that `before_body` lies between
    /// them: only there is a line of bare names taken for the byline.
    pub headline_above_body: bool,
    /// Whether the headline was found among the body's own lines, so that the lines under it
    /// (`header`'s first) open the article.
    pub headline_in_body: bool,
}

/// Names from the byline patterns in one line.
fn byline_names(line: &str) -> Vec<String> {
    // Every byline pattern holds one of these: most lines are passed over at once.
    if !line.contains(['作', '撰', '文', '编', '口', '整', '记', '执', '实', '通']) {
        return Vec::new();
    }
    // 「作者： 放飞&心情」: one word after 作者 that ends the line is the name as written, a
    // forum's screen name as much as a reporter's.
    if let Some(c) = AUTHOR_WORD.captures(line)
        && !begins_with_not_a_name(&c[1])
        && is_person(&c[1])
    {
        return vec![c[1].to_owned()];
    }
    let mut found = Vec::new();
    let short = line.chars().count() <= 40;
    for (n, pattern) in BYLINE.iter().enumerate() {
        if let Some(c) = pattern.captures(line) {
            // 记者 in a long line is running text (向本报记者透露…) unless in brackets, as a
            // dateline puts it: 新华社巴黎12月9日电（记者唐霁）.
            let start = c.get(0).map_or(0, |m| m.start());
            if n == REPORTER_PATTERN && !short && !in_brackets(&line[..start]) {
                continue;
            }
            let after = &line[c.get(1).map_or(line.len(), |m| m.end())..];
            // 「作者：芊草凡凡 时间：…」: a word followed by a colon labels the next field.
            let mut capture = &c[1];
            if after.trim_start().starts_with([':', '：']) {
                capture = capture
                    .trim_end()
                    .rsplit_once([' ', '、'])
                    .map_or("", |(names, _label)| names);
            }
            let mut names = split_names(capture);
            // 「彭冲 山东冠县报道」: the last capture is where the names wrote from.
            // A capture cut inside a longer word (医技药剂|党支部) was no name; 报道, 摄, 电, 发自
            // and 讯 may follow names directly.
            let cut_short = after
                .chars()
                .next()
                .is_some_and(|c| crate::text::is_cjk(c) && !"报摄电讯发".contains(c));
            if after.trim_start().starts_with("报道") || cut_short {
                names.pop();
            }
            found.extend(names);
        }
    }
    found
}

/// Whether what comes before a match ends inside an opened bracket, a few characters in
/// （总台记者 张倩）.
fn in_brackets(before: &str) -> bool {
    let recent: Vec<char> = before.chars().rev().take(8).collect();
    match recent.iter().position(|c| matches!(c, '（' | '(')) {
        Some(open) => !recent[..open].iter().any(|c| matches!(c, '）' | ')')),
        None => false,
    }
}

/// A name whose characters are spaced apart, as lists pad two-character names to the width
/// of three (赵  培), written together; other names with spaces collapsed.
fn unpadded(name: &str) -> String {
    let name = collapse_whitespace(name);
    let parts: Vec<&str> = name.split(' ').collect();
    let spaced_han = parts.len() > 1
        && parts
            .iter()
            .all(|p| p.chars().count() == 1 && p.chars().all(crate::text::is_cjk));
    if spaced_han { parts.concat() } else { name }
}

/// A name in brackets in the line that dates the article and names its source, as portals
/// print the writer there: `2004年7月16日08:19 [ 黄宇 ] 来源：[ 国际金融报 ]`.
fn bracketed_name_in_dateline(header: &str, site: Option<&str>) -> Option<String> {
    let lines: Vec<&str> = header.lines().collect();
    lines.iter().enumerate().find_map(|(i, line)| {
        if !line.contains("来源") || !line.contains(['[', '【']) {
            return None;
        }
        // The date may close the line before: 2004年7月16日08:19 / [ 黄宇 ] 来源：…
        let dated = |l: &str| crate::date::parse(l, crate::date::shanghai(), None).is_some();
        let dated_here_or_above = dated(line) || (i > 0 && dated(lines[i - 1]));
        if !dated_here_or_above {
            return None;
        }
        let before_source = &line[..line.find("来源")?];
        let c = BRACKETED_NAME.captures(before_source)?;
        let name = c[1].to_owned();
        (looks_like_chinese_name(&name) && site != Some(comparable(&name).as_str())).then_some(name)
    })
}

static BRACKETED_NAME: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"[\[【]\s*([\p{Han}·]{2,4})\s*[\]】]").expect("valid regex"));

/// The line a forum or blog closes a post with names who posted it and when:
/// 由海姑娘张贴 @ 2005-06-14 03:25, 本贴由大卫于2005年8月12日16:12:21在〖…〗发表,
/// 发布时间 2005/03/15 22:36:13 by duscha.
fn poster(line: &str) -> Option<String> {
    if line.chars().count() > CREDIT_LINE_CHARS {
        return None;
    }
    let c = POSTED_BY.captures(line)?;
    let name = c.get(1).or_else(|| c.get(2))?.as_str();
    let dated = crate::date::parse(line, crate::date::shanghai(), None).is_some();
    let posted = ["张贴", "发表", "发布", "贴"]
        .iter()
        .any(|w| line.contains(w));
    (dated && posted && !name.starts_with('于') && is_person(name)).then(|| name.to_owned())
}

/// Who posted the first post of a page that stacks several in its body (a blog's front page,
/// a thread), by the line that closes it.
fn first_poster(region: &[&str]) -> Option<String> {
    region
        .iter()
        .filter(|line| line.len() <= CREDIT_LINE_CHARS * 4)
        .find_map(|line| poster(&crate::text::collapse_whitespace(line)))
}

static POSTED_BY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"由\s*([^\s\p{P}]{2,20}?)\s*(?:于|@|张贴|发表|发布)|\d\s+(?i:by)\s+([\w.\-]{2,30})")
        .expect("valid regex")
});

/// The names a credit at the end of the article gives: a short line of its own (记者 刘涛,
/// □ 本报记者 葛灵丹, 文：眉间尺) or brackets that close the last paragraph.
fn trailing_names(tail: &[String]) -> Vec<String> {
    for line in tail {
        if line.chars().count() <= 40 {
            let names = byline_names(line);
            if !names.is_empty() {
                return names;
            }
        }
        if line.ends_with(['）', ')'])
            && let Some(c) = TRAILING_CREDIT.captures(line)
        {
            let names = split_names(&c[1]);
            if !names.is_empty() && names.iter().all(|n| looks_like_chinese_name(n)) {
                return names;
            }
        }
    }
    Vec::new()
}

/// Names on a line of their own between the headline and the body (胡平; 赵延东、王明).
fn name_line(before_body: &[String]) -> Vec<String> {
    for line in before_body.iter().rev() {
        let line = line.trim();
        if line.is_empty() || line.chars().count() > 16 {
            continue;
        }
        let names: Vec<&str> = line
            .split([' ', '、', '\u{3000}'])
            .filter(|n| !n.is_empty())
            .collect();
        if names.is_empty() || names.len() > 5 {
            continue;
        }
        if names.iter().all(|n| looks_like_chinese_name(n)) || co_authors(line, &names) {
            return names.into_iter().map(str::to_owned).collect();
        }
    }
    Vec::new()
}

/// Writers listed together with 、 (赵延东、风笑天): the list says they are names, so a name
/// whose family name is too rare for the list counts when half of them begin with a common one.
fn co_authors(line: &str, names: &[&str]) -> bool {
    let name_shaped = |name: &str| {
        (2..=3).contains(&name.chars().count())
            && name.chars().all(crate::text::is_cjk)
            && !begins_with_not_a_name(name)
            && !is_organisation(name)
    };
    let known = names.iter().filter(|n| looks_like_chinese_name(n)).count();
    names.len() >= 2
        && line.contains('、')
        && names
            .iter()
            .all(|n| looks_like_chinese_name(n) || name_shaped(n))
        && known * 2 >= names.len()
}

/// The names of an essay's author, where the page's headline was not found: a heading, the
/// name on its own line, perhaps a subtitle that opens with a dash, then the body
/// (犬儒病 / 胡平 / ——当代中国的精神危机).
fn essay_name_line(before_body: &[String]) -> Vec<String> {
    let mut lines: Vec<&str> = before_body
        .iter()
        .map(|l| l.trim())
        .filter(|l| !l.is_empty())
        .collect();
    if lines
        .last()
        .is_some_and(|l| l.starts_with(['—', '－', '-']))
    {
        lines.pop();
    }
    let [.., heading, names] = lines.as_slice() else {
        return Vec::new();
    };
    let is_heading = heading.chars().count() <= 30
        && heading.chars().any(crate::text::is_cjk)
        && !heading.ends_with(['。', '！', '？', '：', ':', '，'])
        && name_line(std::slice::from_ref(&heading.to_string())).is_empty();
    if !is_heading {
        return Vec::new();
    }
    name_line(&[names.to_string()])
}

/// The page's editors (责任编辑), kept apart from its authors: the byline credits writers.
pub fn editors(places: &BylinePlaces<'_>) -> Vec<String> {
    let mut found: Vec<String> = Vec::new();
    let tail: Vec<&str> = places.tail.iter().map(String::as_str).collect();
    let header: Vec<&str> = places.header.lines().collect();
    let before_body: Vec<&str> = places.before_body.iter().map(String::as_str).collect();
    // Each line, and a label that ends its line (责任编辑:) with the name on the next.
    let lines = [tail, header, before_body].into_iter().flat_map(|place| {
        (0..place.len())
            .map(|i| match place.get(i + 1) {
                Some(next) if place[i].trim_end().ends_with([':', '：']) => {
                    format!("{} {next}", place[i])
                }
                _ => place[i].to_owned(),
            })
            .collect::<Vec<_>>()
    });
    for line in lines {
        if !line.contains('编') {
            continue;
        }
        if let Some(c) = EDITOR_LINE.captures(&line) {
            for name in split_names(&c[1]) {
                if !found.contains(&name) {
                    found.push(name);
                }
            }
            if !found.is_empty() {
                break;
            }
        }
    }
    found
}

/// The article's authors: from meta and JSON-LD, else from a byline under the headline, else
/// from a credit at the article's end, else from a line of names above the body.
pub fn authors(head: &Head, places: &BylinePlaces<'_>, dom: &Dom) -> Vec<String> {
    let header_text = places.header;
    let site = places.site_name.map(comparable);
    let names_a_person =
        |name: &str| is_person(name) && site.as_deref() != Some(comparable(name).as_str());
    let mut found: Vec<String> = Vec::new();
    // Scholarly pages name their writers for citation and often the publisher as `author`.
    if let Some(a) = head.meta(&["citation_author", "citation_authors"]) {
        found.extend(
            a.split([';', '；'])
                .map(unpadded)
                .filter(|s| !s.is_empty() && names_a_person(s)),
        );
    }
    if found.is_empty()
        && let Some(a) = head.meta(&[
            "author",
            "article:author",
            "byl",
            "dc.creator",
            "sailthru.author",
            "parsely-author",
        ])
        && !a.starts_with("http")
    {
        found.extend(
            a.split([',', '，', '、', ';'])
                .map(|s| {
                    s.trim()
                        .trim_start_matches("By ")
                        .trim_start_matches("by ")
                        .to_owned()
                })
                .filter(|s| !s.is_empty() && names_a_person(s)),
        );
    }
    if found.is_empty()
        && let Some(article) = head.ld_article()
    {
        let names = match &article["author"] {
            Value::String(s) => vec![s.clone()],
            Value::Object(o) => o
                .get("name")
                .and_then(Value::as_str)
                .map(|s| vec![s.to_owned()])
                .unwrap_or_default(),
            Value::Array(items) => items
                .iter()
                .filter_map(|i| {
                    i.as_str()
                        .map(str::to_owned)
                        .or_else(|| i["name"].as_str().map(str::to_owned))
                })
                .collect(),
            _ => vec![],
        };
        found.extend(
            names
                .into_iter()
                .filter(|n| !n.is_empty() && names_a_person(n)),
        );
    }
    if found.is_empty() {
        let lines = header_text
            .lines()
            .chain(places.before_body.iter().map(String::as_str));
        // A byline may take a line for each role (本报实习生 刘国栋 周炜 / 本报记者 王燕平):
        // the lines that follow the first one with names, as long as each has names too.
        for line in lines {
            let names = byline_names(line);
            if names.is_empty() {
                if found.is_empty() {
                    continue;
                }
                break;
            }
            found.extend(names);
        }
    }
    if found.is_empty() {
        found = bracketed_name_in_dateline(header_text, site.as_deref())
            .into_iter()
            .collect();
    }
    if found.is_empty() {
        found = trailing_names(places.tail);
    }
    if found.is_empty() {
        found = places
            .tail
            .iter()
            .find_map(|line| poster(line))
            .or_else(|| first_poster(places.body_region))
            .into_iter()
            .collect();
    }
    if found.is_empty() {
        // The short lines just under a headline, where a body that holds its byline (a
        // thread's post that repeats its headline, then names its writers) has it.
        let under_headline: Vec<String> =
            match places.headline_above_body || places.headline_in_body {
                true => header_text
                    .lines()
                    .take(3)
                    .take_while(|l| l.chars().count() <= 30)
                    .map(str::to_owned)
                    .collect(),
                false => Vec::new(),
            };
        if places.headline_above_body {
            found = name_line(places.before_body);
        }
        if found.is_empty() {
            found = name_line(&under_headline);
        }
        if found.is_empty() && !places.headline_above_body {
            found = essay_name_line(places.before_body);
        }
    }
    // Pages that never spell either word (in any case) are not walked.
    let source = dom.html.source().as_bytes();
    if found.is_empty()
        && (crate::text::contains_ignoring_case(source, b"author")
            || crate::text::contains_ignoring_case(source, b"byline"))
    {
        // An element named for the byline, as English sites mark it.
        let named = |node: &NodeHandle<'_>| {
            [attr(node, "class"), attr(node, "id")]
                .into_iter()
                .flatten()
                .any(|v| {
                    let v = v.as_bytes();
                    let has =
                        |word: &[u8]| v.windows(word.len()).any(|w| w.eq_ignore_ascii_case(word));
                    (has(b"byline") || has(b"author")) && !has(b"comment")
                })
        };
        for node in dom.body().descendants() {
            if tag(&node).is_some() && named(&node) {
                let text = dom.text_of(node);
                if text.chars().count() <= 80
                    && let Some(c) = ENGLISH_BYLINE.captures(&text)
                {
                    // A byline that runs on into its date (By Carrie Arnold November 15, 2019).
                    let names =
                        c.get(1).map_or("", |names| {
                            match crate::date::named_month_date_at(&text) {
                                Some(date) if date > names.start() => {
                                    &text[names.start()..date.min(names.end())]
                                }
                                _ => names.as_str(),
                            }
                        });
                    let names = names.trim();
                    // …or into the day it was written (By Jeff Foust Monday, November 18).
                    let names = match names.rsplit_once(' ') {
                        Some((before, last)) if WEEKDAYS.contains(&last) => before,
                        _ => names,
                    };
                    found.extend(
                        names
                            .split(" and ")
                            .flat_map(|s| s.split(" & "))
                            .map(|s| s.trim().to_owned()),
                    );
                    break;
                }
            }
        }
    }
    if found.is_empty()
        && let Some(name) = most_linked_author(&head.author_links)
        && name.chars().count() <= 20
        && names_a_person(&name)
    {
        found.push(name);
    }
    let mut unique = Vec::new();
    for name in found {
        let name = unpadded(&name);
        if !name.is_empty() && name.chars().count() <= 40 && !unique.contains(&name) {
            unique.push(name);
        }
    }
    unique
}

/// The publication the article credits as its source (来源：...).
pub fn source_name(head: &Head, header_text: &str, body_text: &str) -> Option<String> {
    if let Some(s) = head.meta(&["source", "article:source"]) {
        return Some(s.to_owned());
    }
    for text in [header_text, body_text] {
        // Look only where the word is: a regex with CJK classes over a whole page is slow.
        for (at, _) in text.match_indices("来源") {
            let window: String = text[at..].chars().take(32).collect();
            if let Some(c) = SOURCE_LINE.captures(&window) {
                return Some(c[1].trim().to_owned());
            }
        }
    }
    None
}

/// Different days in the lines under a title that make them a list rather than a byline.
const DAYS_IN_A_LIST: usize = 3;

/// The longest line over a headline read for its date.
const DATE_LINE_CHARS: usize = 40;

/// When the article was published.
pub fn published_at(
    head: &Head,
    header_text: &str,
    above_headline: &[String],
    later_text: impl FnOnce() -> String,
    page_url: Option<&str>,
    dom: &Dom,
    is_article: bool,
) -> Option<DateTime<FixedOffset>> {
    let offset = crate::date::shanghai();
    let url_date = page_url.and_then(crate::date::from_url);
    let year_hint = url_date.map(|d| chrono::Datelike::year(&d));
    // A day without a time (`publishdate` 2022-02-13) is made exact by a time the page shows
    // under its headline on that day.
    let with_shown_time = |day: DateTime<FixedOffset>, written: &str| {
        if written.contains(':') {
            return day;
        }
        crate::date::parse(header_text, offset, year_hint)
            .filter(|shown| shown.date_naive() == day.date_naive())
            .unwrap_or(day)
    };
    let meta_date = head.meta(&[
        "article:published_time",
        "og:published_time",
        "og:release_date",
        "datepublished",
        "pubdate",
        "publishdate",
        "publish_date",
        "publishtime",
        "publish-time",
        "dc.date.issued",
        "dc.date",
        "date",
        "sailthru.date",
        "parsely-pub-date",
        "weibo:article:create_at",
        "apub:time",
    ]);
    if let Some(written) = meta_date
        && let Some(t) = crate::date::parse(written, offset, year_hint)
    {
        return Some(in_shown_offset(with_shown_time(t, written), dom));
    }
    if let Some(written) = head
        .ld_article()
        .and_then(|a| a["datePublished"].as_str().or(a["dateCreated"].as_str()))
        && let Some(t) = crate::date::parse(written, offset, year_hint)
    {
        return Some(in_shown_offset(with_shown_time(t, written), dom));
    }
    if let Some(node) = dom
        .body()
        .descendants()
        .find(|n| tag(n) == Some("time") && attr(n, "datetime").is_some())
        && let Some(t) =
            attr(&node, "datetime").and_then(|s| crate::date::parse(s, offset, year_hint))
    {
        return Some(t);
    }
    // A page that is no article and shows a run of different days is a list of dated links:
    // the first day in it is its first item's, not the page's own.
    let dated_list = |text: &str| {
        let mut days = std::collections::BTreeSet::new();
        for line in text.lines() {
            if let Some(day) = crate::date::parse(line, offset, year_hint) {
                days.insert(day.date_naive());
            }
        }
        !is_article && days.len() >= DAYS_IN_A_LIST
    };
    if dated_list(header_text) {
        return url_date;
    }
    let from_header = crate::date::parse(
        &without_dated_links(header_text, offset, year_hint),
        offset,
        year_hint,
    );
    // Over the headline, only the nearest short lines (`above_headline`): further up is the
    // site's banner, which may show today's date.
    let from_above = || {
        above_headline
            .iter()
            .rev()
            .filter(|l| l.chars().count() <= DATE_LINE_CHARS)
            .filter(|l| !is_dated_link(l, offset, year_hint))
            .find_map(|l| crate::date::parse(l, offset, year_hint))
    };
    // Baidu's description of the page gives the time it was published to the web, which
    // the page's own shown time is preferred to.
    let described = || {
        head.ld_cambrian()
            .and_then(|c| c["pubDate"].as_str())
            .and_then(|written| crate::date::parse(written, offset, year_hint))
    };
    let from_header = from_header.or_else(from_above).or_else(described);
    // A URL gives the day only; a time on the same day in the page is more precise.
    match (from_header, url_date) {
        (Some(h), Some(u)) if h.date_naive() != u.date_naive() => Some(u),
        (Some(h), _) => Some(h),
        (None, u) => u.or_else(|| {
            // Forums and old portals put the date of the post further down. (Read only
            // then: most pages have their date earlier.)
            let later = later_text();
            if dated_list(&later) {
                return None;
            }
            let first_lines: String = later.lines().take(60).collect::<Vec<_>>().join("\n");
            without_dated_links(&first_lines, offset, year_hint)
                .lines()
                .find_map(|l| crate::date::parse(l, offset, year_hint))
        }),
    }
}

/// `t` in the offset the page shows it to readers, when a `<time>` element gives the same
/// moment in its `datetime` and a clock time in its text: a page that stores UTC and shows
/// Paris time (`datetime="…T12:48:06+00:00"`, 13:48) was published at 13:48 for its readers.
fn in_shown_offset(t: DateTime<FixedOffset>, dom: &Dom) -> DateTime<FixedOffset> {
    let offset = crate::date::shanghai();
    let Some(node) = dom.body().descendants().find(|n| {
        tag(n) == Some("time")
            && attr(n, "datetime")
                .and_then(|d| crate::date::parse(d, offset, None))
                .is_some_and(|d| d == t)
    }) else {
        return t;
    };
    let shown = dom.text_of(node);
    let Some(c) = CLOCK.captures(&shown) else {
        return t;
    };
    let (Ok(hour), Ok(minute)) = (c[1].parse::<i32>(), c[2].parse::<i32>()) else {
        return t;
    };
    let utc = t.naive_utc();
    let shown_minutes = hour * 60 + minute;
    let utc_minutes = (chrono::Timelike::hour(&utc) * 60 + chrono::Timelike::minute(&utc)) as i32;
    // The difference within a day, as an offset between -12:00 and +14:00.
    let mut difference = (shown_minutes - utc_minutes).rem_euclid(24 * 60);
    if difference > 14 * 60 {
        difference -= 24 * 60;
    }
    if difference % 15 != 0 {
        return t;
    }
    FixedOffset::east_opt(difference * 60).map_or(t, |o| t.with_timezone(&o))
}

static CLOCK: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b(\d{1,2}):(\d{2})\b").expect("valid regex"));

/// `text` without links that are each followed by a date in brackets, when there is a run of
/// them: those dates are other pages' (相关链接 少年时代(1)(2004/10/10 17:06)).
fn without_dated_links(
    text: &str,
    offset: FixedOffset,
    year_hint: Option<i32>,
) -> std::borrow::Cow<'_, str> {
    let is_dated_link = |line: &str| is_dated_link(line, offset, year_hint);
    if text.lines().filter(|l| is_dated_link(l)).count() < DAYS_IN_A_LIST {
        return text.into();
    }
    text.lines()
        .filter(|l| !is_dated_link(l))
        .collect::<Vec<_>>()
        .join("\n")
        .into()
}

/// Whether `line` is a link's text followed by its date in brackets (少年时代(1)(2004/10/10
/// 17:06)): the date is the linked page's.
fn is_dated_link(line: &str, offset: FixedOffset, year_hint: Option<i32>) -> bool {
    let line = line.trim_end();
    let Some(open) = line.rfind(['(', '（']) else {
        return false;
    };
    open > 0
        && line.ends_with([')', '）'])
        && crate::date::parse(&line[open..], offset, year_hint).is_some()
}

/// Words that put a post's date in the line that closes it (作者:某某 发表于:2005-07-31 12:30).
const POSTED_LABELS: &[&str] = &[
    "张贴",
    "发表于",
    "发布于",
    "发表时间",
    "发布时间",
    "发表日期",
    "发布日期",
];

/// The longest line read as a closing credit: longer ones are the article's own sentences.
const CREDIT_LINE_CHARS: usize = 80;

/// A reprint's citation of the periodical it came from: ——《北京之春》1998年3月号.
static PERIODICAL_ISSUE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"《[^》]{1,20}》\s*(\d{4})\s*年\s*(\d{1,2})\s*月号").expect("valid regex")
});

/// The date in the lines that close an article, for pages that give none above it: the
/// post's own line (发表于…) or the issue of the periodical a reprint cites, as its month.
pub fn date_in_credits(tail: &[String]) -> Option<DateTime<FixedOffset>> {
    let offset = crate::date::shanghai();
    for line in tail
        .iter()
        .filter(|l| l.chars().count() <= CREDIT_LINE_CHARS)
    {
        if let Some(at) = POSTED_LABELS.iter().filter_map(|l| line.find(l)).min()
            && let Some(t) = crate::date::parse(&line[at..], offset, None)
        {
            return Some(t);
        }
        if line.contains("月号")
            && let Some(c) = PERIODICAL_ISSUE.captures(line)
        {
            let (year, month): (i32, u32) = (c[1].parse().ok()?, c[2].parse().ok()?);
            if !(1990..=2100).contains(&year) {
                continue;
            }
            let first = chrono::NaiveDate::from_ymd_opt(year, month, 1)?;
            return first
                .and_hms_opt(0, 0, 0)?
                .and_local_timezone(offset)
                .single();
        }
    }
    None
}

/// The date of the first post of a page that stacks several in its body, from the line that
/// closes it (由某某张贴 @ 2005-06-14 03:25:55; 发表于 …).
pub fn date_posted_in(region: &[&str]) -> Option<DateTime<FixedOffset>> {
    let offset = crate::date::shanghai();
    region
        .iter()
        .filter(|line| line.len() <= CREDIT_LINE_CHARS * 4)
        .map(|line| crate::text::collapse_whitespace(line))
        .filter(|line| line.chars().count() <= CREDIT_LINE_CHARS)
        .find_map(|line| {
            let at = POSTED_LABELS.iter().filter_map(|l| line.find(l)).min()?;
            crate::date::parse(&line[at..], offset, None)
        })
}

/// The canonical URL, absolute.
pub fn canonical_url(head: &Head, base: Option<&Url>) -> Option<String> {
    let candidate = head.canonical.as_deref().or_else(|| head.meta(&["og:url"]));
    match (candidate, base) {
        (Some(c), Some(b)) => b.join(c).ok().map(|u| u.to_string()),
        (Some(c), None) => Url::parse(c).ok().map(|u| u.to_string()),
        (None, Some(b)) => Some(b.to_string()),
        (None, None) => None,
    }
}

/// The language: what the page declares, else what its text (`measure`) is.
pub fn lang(head: &Head, measure: crate::text::Measure) -> Option<String> {
    if let Some(l) = head
        .html_lang
        .as_deref()
        .or_else(|| head.meta(&["content-language", "og:locale"]))
    {
        let l = l.trim().replace('_', "-");
        if !l.is_empty() {
            return Some(l);
        }
    }
    let m = measure;
    if m.chars == 0 {
        None
    } else if m.cjk * 10 >= m.chars {
        Some("zh".into())
    } else {
        None
    }
}

/// Compiles this module's patterns now (see [`crate::warm_up`]).
pub(crate) fn warm_up() {
    LazyLock::force(&TITLE_SEPARATORS);
    LazyLock::force(&BYLINE);
    LazyLock::force(&AUTHOR_WORD);
    LazyLock::force(&SOURCE_LINE);
    LazyLock::force(&ENGLISH_BYLINE);
    LazyLock::force(&TRAILING_CREDIT);
    LazyLock::force(&EDITOR_LINE);
    LazyLock::force(&BRACKETED_NAME);
    LazyLock::force(&POSTED_BY);
    LazyLock::force(&CLOCK);
    LazyLock::force(&SURNAMES);
    LazyLock::force(&NOT_NAMES);
    LazyLock::force(&ORGANISATION_WORDS);
    LazyLock::force(&ORGANISATION_ENDINGS);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_of_stacked_posts_is_credited_and_dated_by_its_first_posts_closing_line() {
        // A blog's front page whose body runs to the end of the page: its closing lines are
        // among its posts, not after them, and the page is its first post.
        let region = [
            "渡口边的早点摊",
            "渡口边的早点摊每天五点就开张，摊主老两口先把豆浆锅烧上。",
            "\t\t由潮汐客张贴 @  2026-06-14 06:25:55   (37)",
            "雨后的旧书市",
            "雨停以后，旧书市的摊主们把盖在书上的塑料布掀开。",
            "由潮汐客张贴 @ 2026-06-10 15:00:14 (69)",
            "关于我们 - 联系我们 - 隐私政策",
        ];
        assert_eq!(first_poster(&region).as_deref(), Some("潮汐客"));
        assert_eq!(
            date_posted_in(&region).map(|t| t.to_rfc3339()).as_deref(),
            Some("2026-06-14T06:25:55+08:00")
        );
        // A sentence that mentions posting is no closing line.
        let prose = [
            "这篇文章由编辑部于今年春天发表在校刊上，后来被很多人转载到了各个论坛，引起了不少讨论和争议，作者本人却从未回应过。",
        ];
        assert_eq!(first_poster(&prose), None);
        assert_eq!(date_posted_in(&prose), None);
    }

    #[test]
    fn bylines_give_names_not_titles_or_verbs() {
        assert_eq!(split_names("记者惠禾 张明超"), ["惠禾", "张明超"]);
        assert_eq!(split_names("却看到了"), Vec::<String>::new());
        assert_eq!(split_names("王建宏、张文攀"), ["王建宏", "张文攀"]);
        assert_eq!(split_names("王建宏和张文攀"), ["王建宏", "张文攀"]);
        assert_eq!(split_names("吕清和"), ["吕清和"], "和 ends the name");
        assert_eq!(split_names("未知"), Vec::<String>::new());
        // 「记者获悉，本月伴随…」 is a sentence: nothing of it is a name.
        assert_eq!(split_names("获悉 本月伴随"), Vec::<String>::new());
        assert_eq!(byline_names("新京报记者 彭冲 山东冠县报道"), ["彭冲"]);
        assert_eq!(
            byline_names(
                "她还首度向本报记者自曝实验秘密，并称举报人动机不纯，这一说法引来更多质疑。"
            ),
            Vec::<String>::new()
        );
        assert_eq!(
            byline_names(
                "新华社巴黎12月9日电（记者唐霁）法国9日再次爆发全国跨行业大罢工，首都交通几乎瘫痪。"
            ),
            ["唐霁"]
        );
    }

    #[test]
    fn bare_names_need_a_family_name_in_front() {
        for name in ["胡平", "欧阳修", "王建宏"] {
            assert!(looks_like_chinese_name(name), "{name}");
        }
        // Shape alone cannot tell every word from a name (古代 begins like 古 Gu's name):
        // bare names are read only between a headline and its body.
        for word in ["纪实传记", "楼主", "关注", "新华社", "分享", "本报"] {
            assert!(!looks_like_chinese_name(word), "{word}");
        }
    }

    #[test]
    fn organisations_and_software_are_not_authors() {
        assert!(is_person("齐倩"));
        assert!(is_person("Meg James"));
        for org in [
            "Discuz! Team and Comsenz UI Team",
            "www.yunnan.cn",
            "汉斯出版社",
            "维基媒体项目贡献者",
            "L_104485",
            "网易",
            "云南网",
            "104363",
            "name",
            "新浪财经-自媒体综合",
        ] {
            assert!(!is_person(org), "{org}");
        }
    }
}
