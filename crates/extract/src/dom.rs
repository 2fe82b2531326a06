//! The parsed page, with what the extractor needs to know about each element: whether it is
//! junk (scripts, navigation, share bars...) and how much text, link text and punctuation it
//! holds. Counts are computed once, bottom-up, without recursion (pages can nest thousands
//! of levels deep).

use crate::text::Measure;
use ego_tree::{NodeId, NodeRef};
use regex::Regex;
use scraper::{Html, Node};
// NodeIds are small integers: a fast non-cryptographic hash is safe and much quicker.
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::sync::LazyLock;

pub type NodeHandle<'a> = NodeRef<'a, Node>;

/// Elements that never hold article text.
const JUNK_TAGS: &[&str] = &[
    "script", "style", "noscript", "iframe", "nav", "footer", "button", "select", "input",
    "textarea", "svg", "canvas", "object", "embed", "template", "aside", "link", "meta", "head",
    "title", "map", "audio", "video", "dialog", "menu", "label", "option",
];

/// Elements that start a new block of text.
pub const BLOCK_TAGS: &[&str] = &[
    "address",
    "article",
    "aside",
    "blockquote",
    "center",
    "dd",
    "details",
    "div",
    "dl",
    "dt",
    "fieldset",
    "figcaption",
    "figure",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hr",
    "li",
    "main",
    "nav",
    "ol",
    "p",
    "pre",
    "section",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "tr",
    "ul",
    "br",
];

/// Class and id words of page furniture, in English and pinyin (readability's list, with what
/// Chinese portals and WeChat use).
static UNLIKELY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)-ad-|ai2html|banner|breadcrumb|combx|comment|community|cover-wrap|disqus|extra|footer|gdpr|header|legends|menu|related|remark|replies|rss|shoutbox|sidebar|skyscraper|social|sponsor|supplemental|ad-break|agegate|pagination|pager|popup|share|qrcode|qr_code|erweima|copyright|recommend|tuijian|xiangguan|toolbar|login|subscribe|disclaimer|hotnews|hot_news|hot-news|paihang|rank|navbar|topbar|bottom|crumb|tags?$|^tag|keyword|jubao|report",
    )
    .expect("valid regex")
});

/// A class or id token naming a comments section or one comment.
static COMMENTS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(comments?|[a-z]+[-_]comments?|comments?[-_](area|section|list|wrapper|wrap|container|block|box|thread|body|content|text|respond))$")
        .expect("valid regex")
});

/// Words that make an element a likely article container despite an unlikely word.
static MAYBE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)and|article|body|column|content|main|shadow|text|detail|rich_media|post|story|entry|js_content|zhengwen")
        .expect("valid regex")
});

pub static POSITIVE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)article|body|content|entry|hentry|h-entry|main|page|pagination|post|text|blog|story|detail|zhengwen|rich_media|artibody|news_txt|endtext")
        .expect("valid regex")
});

pub static NEGATIVE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)-ad-|hidden|^hid$| hid$| hid |^hid |banner|combx|comment|com-|contact|footer|gdpr|masthead|media-meta|outbrain|promo|related|scroll|share|shoutbox|sidebar|skyscraper|sponsor|shopping|tags|widget|recommend|tuijian|copyright|qrcode|erweima|author-info|byline|dateline|source|toolbar|statement")
        .expect("valid regex")
});

/// Counts over an element and everything inside it that is not junk.
#[derive(Debug, Clone, Copy, Default)]
pub struct Stats {
    pub text: Measure,
    /// Characters inside links.
    pub link_chars: usize,
    pub paragraphs: usize,
    pub images: usize,
    pub list_items: usize,
    pub inputs: usize,
    pub links: usize,
    pub embeds: usize,
}

impl Stats {
    pub fn link_density(&self) -> f64 {
        if self.text.chars == 0 {
            0.0
        } else {
            self.link_chars as f64 / self.text.chars as f64
        }
    }
}

pub struct Dom {
    pub html: Html,
    junk: HashSet<NodeId>,
    stats: HashMap<NodeId, Stats>,
    /// Whether class and id names alone can make an element junk. Names mislead sometimes
    /// ("pageRow" reads as "pager"), so extraction retries without them when it finds little.
    strip_unlikely: bool,
}

pub fn tag<'a>(node: &NodeHandle<'a>) -> Option<&'a str> {
    match node.value() {
        Node::Element(e) => Some(e.name()),
        _ => None,
    }
}

pub fn attr<'a>(node: &NodeHandle<'a>, name: &str) -> Option<&'a str> {
    match node.value() {
        Node::Element(e) => e.attr(name),
        _ => None,
    }
}

/// readability's class weight: +25 for article-like names, -25 for furniture.
pub fn class_weight(node: &NodeHandle<'_>) -> f64 {
    let mut weight = 0.0;
    for name in [attr(node, "class"), attr(node, "id")]
        .into_iter()
        .flatten()
    {
        if NEGATIVE.is_match(name) {
            weight -= 25.0;
        }
        if POSITIVE.is_match(name) {
            weight += 25.0;
        }
    }
    weight
}

impl Dom {
    pub fn parse(source: &str) -> Dom {
        let html = Html::parse_document(source);
        let mut dom = Dom {
            html,
            junk: HashSet::default(),
            stats: HashMap::default(),
            strip_unlikely: true,
        };
        dom.mark_junk();
        dom.count();
        dom
    }

    /// Recomputes junk and counts without judging elements by their class and id names.
    pub fn relax(&mut self) {
        self.strip_unlikely = false;
        self.junk.clear();
        self.mark_junk();
        self.count();
    }

    pub fn root(&self) -> NodeHandle<'_> {
        self.html.tree.root()
    }

    pub fn is_junk(&self, id: NodeId) -> bool {
        self.junk.contains(&id)
    }

    pub fn stats(&self, id: NodeId) -> Stats {
        self.stats.get(&id).copied().unwrap_or_default()
    }

    pub fn body(&self) -> NodeHandle<'_> {
        self.root()
            .descendants()
            .find(|n| tag(n) == Some("body"))
            .unwrap_or_else(|| self.root())
    }

    fn mark_junk(&mut self) {
        let mut junk = Vec::new();
        let mut stack = vec![self.html.tree.root()];
        while let Some(node) = stack.pop() {
            if let Node::Comment(_) | Node::ProcessingInstruction(_) = node.value() {
                junk.push(node.id());
                continue;
            }
            if self.looks_like_junk(&node) {
                junk.push(node.id());
                continue;
            }
            stack.extend(node.children());
        }
        self.junk.extend(junk);
    }

    fn looks_like_junk(&self, node: &NodeHandle<'_>) -> bool {
        let Some(name) = tag(node) else {
            return false;
        };
        if JUNK_TAGS.contains(&name) {
            return true;
        }
        if attr(node, "hidden").is_some() {
            return true;
        }
        if let Some(style) = attr(node, "style") {
            let style: String = style.chars().filter(|c| !c.is_whitespace()).collect();
            if style.contains("display:none") {
                return true;
            }
        }
        if let Some(role) = attr(node, "role")
            && matches!(
                role,
                "menu"
                    | "menubar"
                    | "complementary"
                    | "navigation"
                    | "alert"
                    | "alertdialog"
                    | "dialog"
            )
        {
            return true;
        }
        // A comments section is never the article, whatever else its name says
        // ("post-comments", "comment-body"), even when a short article has the page look
        // through names ("commentary" is another word).
        if !matches!(name, "html" | "body")
            && [attr(node, "class"), attr(node, "id")]
                .iter()
                .flatten()
                .flat_map(|n| n.split_whitespace())
                .any(|token| COMMENTS.is_match(token))
        {
            return true;
        }
        if !self.strip_unlikely
            || matches!(
                name,
                "html" | "body" | "a" | "table" | "tbody" | "tr" | "td" | "main" | "article" | "p"
            )
        {
            return false;
        }
        let names = [attr(node, "class"), attr(node, "id")];
        let any = |re: &Regex| names.iter().flatten().any(|n| re.is_match(n));
        any(&UNLIKELY) && !any(&MAYBE)
    }

    /// Fills `stats` for every element, children before parents.
    fn count(&mut self) {
        let mut stack: Vec<(NodeHandle<'_>, bool)> = vec![(self.html.tree.root(), false)];
        let mut stats: HashMap<NodeId, Stats> = HashMap::default();
        while let Some((node, children_done)) = stack.pop() {
            if self.junk.contains(&node.id()) {
                continue;
            }
            if !children_done {
                stack.push((node, true));
                for child in node.children() {
                    stack.push((child, false));
                }
                continue;
            }
            let mut own = Stats::default();
            match node.value() {
                Node::Text(t) => own.text = Measure::of(t),
                Node::Element(e) => {
                    for child in node.children() {
                        if let Some(s) = stats.get(&child.id()) {
                            own.text.add(s.text);
                            own.link_chars += s.link_chars;
                            own.paragraphs += s.paragraphs;
                            own.images += s.images;
                            own.list_items += s.list_items;
                            own.inputs += s.inputs;
                            own.links += s.links;
                            own.embeds += s.embeds;
                        }
                    }
                    match e.name() {
                        "a" => {
                            own.link_chars = own.text.chars;
                            own.links += 1;
                        }
                        "p" => own.paragraphs += 1,
                        "img" => own.images += 1,
                        "li" => own.list_items += 1,
                        "input" | "select" | "textarea" => own.inputs += 1,
                        "embed" | "object" | "iframe" | "video" => own.embeds += 1,
                        _ => {}
                    }
                }
                _ => {}
            }
            stats.insert(node.id(), own);
        }
        self.stats = stats;
    }

    /// The text of a node, junk left out, on one line.
    pub fn text_of(&self, node: NodeHandle<'_>) -> String {
        let mut out = String::new();
        self.push_text(node, &mut out, ' ', usize::MAX);
        crate::text::collapse_whitespace(&out)
    }

    /// The text of a small node, or `None` when the node holds more than `max_nodes` nodes:
    /// checks meant for short blocks must not walk huge subtrees once per ancestor.
    pub fn short_text_of(&self, node: NodeHandle<'_>, max_nodes: usize) -> Option<String> {
        let mut out = String::new();
        self.push_text(node, &mut out, ' ', max_nodes)
            .then(|| crate::text::collapse_whitespace(&out))
    }

    /// The text of a node, junk left out, a line per block.
    pub fn lines_of(&self, node: NodeHandle<'_>) -> Vec<String> {
        let mut out = String::new();
        self.push_text(node, &mut out, '\n', usize::MAX);
        out.lines()
            .map(crate::text::collapse_whitespace)
            .filter(|l| !l.is_empty())
            .collect()
    }

    /// Appends the text under `node`, `block_break` between blocks; false when the subtree
    /// has more than `max_nodes` nodes (and `out` is then incomplete).
    fn push_text(
        &self,
        node: NodeHandle<'_>,
        out: &mut String,
        block_break: char,
        max_nodes: usize,
    ) -> bool {
        let mut stack = vec![node];
        let mut seen = 0usize;
        while let Some(n) = stack.pop() {
            seen += 1;
            if seen > max_nodes {
                return false;
            }
            if self.junk.contains(&n.id()) {
                continue;
            }
            match n.value() {
                Node::Text(t) => out.push_str(t),
                Node::Element(e) => {
                    if BLOCK_TAGS.contains(&e.name()) {
                        out.push(block_break);
                    }
                    stack.extend(n.children().rev());
                }
                _ => stack.extend(n.children().rev()),
            }
        }
        true
    }

    /// Whether an element has a block element among its children (not counting junk).
    pub fn has_block_child(&self, node: NodeHandle<'_>) -> bool {
        node.children().any(|c| {
            !self.junk.contains(&c.id())
                && tag(&c).is_some_and(|t| BLOCK_TAGS.contains(&t) && t != "br")
        })
    }
}
