//! The parsed page, with what the extractor needs to know about each element: whether it is
//! junk (scripts, navigation, share bars...) and how much text, link text and punctuation it
//! holds. Counts are computed once, bottom-up, without recursion (pages can nest thousands
//! of levels deep).

use crate::html::{Document, Node, NodeId, NodeRef};
use crate::text::Measure;
use regex::Regex;
use rustc_hash::FxHashMap;
use std::sync::LazyLock;

pub type NodeHandle<'a> = NodeRef<'a>;

/// Elements that never hold article text.
pub(crate) fn is_junk_tag(name: &str) -> bool {
    matches!(
        name,
        "script"
            | "style"
            | "noscript"
            | "iframe"
            | "nav"
            | "footer"
            | "button"
            | "select"
            | "input"
            | "textarea"
            | "svg"
            | "canvas"
            | "object"
            | "embed"
            | "template"
            | "aside"
            | "link"
            | "meta"
            | "head"
            | "title"
            | "map"
            | "audio"
            | "video"
            | "dialog"
            | "menu"
            | "label"
            | "option"
            // Ruby annotations: the reading above a character (furigana, pinyin), not more text.
            | "rt"
            | "rp"
            // AMP's overlays, hidden until a reader opens them (an image viewer, a side menu).
            | "amp-lightbox"
            | "amp-sidebar"
            | "amp-consent"
            | "amp-user-notification"
    )
}

/// Elements that start a new block of text. (A `match`, not a list: it runs for every
/// element every time text is gathered.)
pub fn is_block(name: &str) -> bool {
    matches!(
        name,
        "address"
            | "article"
            | "aside"
            | "blockquote"
            | "center"
            | "dd"
            | "details"
            | "div"
            | "dl"
            | "dt"
            | "fieldset"
            | "figcaption"
            | "figure"
            | "footer"
            | "form"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "header"
            | "hr"
            | "li"
            | "main"
            | "nav"
            | "ol"
            | "p"
            | "pre"
            | "section"
            | "table"
            | "tbody"
            | "td"
            | "tfoot"
            | "th"
            | "thead"
            | "tr"
            | "ul"
            | "br"
    )
}

/// Class and id words of page furniture, in English and pinyin (readability's list, with what
/// Chinese portals and WeChat use).
///
/// This and the name patterns below are written in lower case and matched against names
/// lower-cased once each (see `NameCache`).
static UNLIKELY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"-ad-|ai2html|banner|breadcrumb|combx|comment|community|cover-wrap|disqus|extra|footer|gdpr|cookies|cookie-?(banner|bar|notice|consent|law|layer|settings|policy|popup|hint)|consent|donat|newsletter|membership|author-?bio|author-?desc|author-?box|about-?the-?author|author_bio|author_box|header|legends|menu|related|remark|replies|rss|shoutbox|sidebar|skyscraper|social|sponsor|supplemental|ad-break|agegate|pagination|pager|popup|share|qrcode|qr_code|erweima|copyright|recommend|tuijian|xiangguan|toolbar|login|subscribe|disclaimer|hotnews|hot_news|hot-news|paihang|rank|navbar|topbar|crumb|tags?$|^tag|keyword|jubao|report",
    )
    .expect("valid regex")
});

/// A class or id token naming a comments section or one comment, or readers' star ratings
/// (the same kind of box: what readers said of the article).
static COMMENTS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(comments?|[a-z]+[-_]comments?|comments?[-_](area|section|list|wrapper|wrap|container|block|box|thread|body|content|text|respond)|ratings?|[a-z]+[-_]ratings?|ratings?[-_](widget|box|container|wrapper|stars))$")
        .expect("valid regex")
});

/// Words that make an element a likely article container despite an unlikely word.
static MAYBE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"and|article|body|column|content|main|shadow|text|detail|rich_media|post|story|entry|js_content|zhengwen")
        .expect("valid regex")
});

static POSITIVE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"article|body|content|entry|hentry|h-entry|main|page|pagination|post|text|blog|story|detail|zhengwen|rich_media|artibody|news_txt|endtext")
        .expect("valid regex")
});

static NEGATIVE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"-ad-|hidden|^hid$| hid$| hid |^hid |banner|combx|comment|com-|contact|footer|gdpr|cookie|consent|masthead|media-meta|outbrain|promo|related|scroll|share|shoutbox|sidebar|skyscraper|sponsor|shopping|tags|widget|recommend|tuijian|copyright|qrcode|erweima|author-info|byline|dateline|source|toolbar|statement")
        .expect("valid regex")
});

/// What a class or id value says about its element.
#[derive(Debug, Clone, Copy, Default)]
struct NameKinds {
    /// A token of it names a comments section.
    comments: bool,
    /// It names page furniture...
    unlikely: bool,
    /// ...or perhaps the article.
    maybe: bool,
    /// readability's class weight of this one name.
    weight: i8,
}

impl NameKinds {
    fn of(name: &str) -> NameKinds {
        let name = name.to_ascii_lowercase();
        NameKinds {
            comments: name
                .split_whitespace()
                .any(|token| COMMENTS.is_match(token)),
            unlikely: UNLIKELY.is_match(&name),
            maybe: MAYBE.is_match(&name),
            weight: name_weight(&name),
        }
    }

    fn or(self, other: NameKinds) -> NameKinds {
        NameKinds {
            comments: self.comments || other.comments,
            unlikely: self.unlikely || other.unlikely,
            maybe: self.maybe || other.maybe,
            weight: self.weight + other.weight,
        }
    }
}

#[derive(Default)]
struct NameCache<'a>(FxHashMap<&'a str, NameKinds>);

impl<'a> NameCache<'a> {
    fn kinds(&mut self, name: &'a str) -> NameKinds {
        *self.0.entry(name).or_insert_with(|| NameKinds::of(name))
    }
}

/// Counts over an element and everything inside it that is not junk.
#[derive(Debug, Clone, Copy, Default)]
pub struct Stats {
    pub text: Measure,
    /// Characters inside links.
    pub link_chars: usize,
    pub paragraphs: usize,
    /// Paragraphs, and divs, list items and table cells of inline content with text in
    /// them: readability turns divs into paragraphs before it counts, and pages that never
    /// use `<p>` have them alone.
    pub text_blocks: usize,
    pub images: usize,
    /// `<br>` elements: lines, where a page breaks its text without blocks.
    pub breaks: usize,
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
    pub html: Document,
    /// By node index: whether the node is junk itself (not whether it is inside junk).
    junk: Vec<bool>,
    /// By node index; zero inside junk.
    stats: Vec<Stats>,
    /// By node index: whether the node has a block element (not `<br>`, not junk) among its
    /// children. Filled with the counts; looked up for every element extraction writes.
    has_block: Vec<bool>,
    /// By node index: readability's class weight, from the class and id names; `None`
    /// inside junk, where nothing is weighed.
    class_weights: Vec<Option<i8>>,
    /// Whether class and id names alone can make an element junk. Names mislead sometimes
    /// ("pageRow" reads as "pager"), so extraction retries without them when it finds little.
    strip_unlikely: bool,
}

pub fn tag<'a>(node: &NodeHandle<'a>) -> Option<&'a str> {
    node.tag()
}

pub fn attr<'a>(node: &NodeHandle<'a>, name: &str) -> Option<&'a str> {
    node.attr(name)
}

/// readability's class weight of one lower-cased class or id value: +25 for article-like
/// names, -25 for furniture.
fn name_weight(lower: &str) -> i8 {
    let mut weight = 0;
    if NEGATIVE.is_match(lower) {
        weight -= 25;
    }
    if POSITIVE.is_match(lower) {
        weight += 25;
    }
    weight
}

impl Dom {
    #[cfg(test)]
    pub fn parse(source: &str) -> Dom {
        Dom::parse_owned(source.to_owned())
    }

    pub fn parse_owned(source: String) -> Dom {
        let html = Document::parse_owned(source);
        let mut dom = Dom {
            html,
            junk: Vec::new(),
            stats: Vec::new(),
            has_block: Vec::new(),
            class_weights: Vec::new(),
            strip_unlikely: true,
        };
        dom.mark_junk();
        dom.count();
        dom
    }

    /// Recomputes junk and counts without judging elements by their class and id names.
    pub fn relax(&mut self) {
        self.strip_unlikely = false;
        self.mark_junk();
        self.count();
    }

    pub fn root(&self) -> NodeHandle<'_> {
        self.html.root()
    }

    pub fn is_junk(&self, id: NodeId) -> bool {
        self.junk[id.index()]
    }

    pub fn stats(&self, id: NodeId) -> Stats {
        self.stats[id.index()]
    }

    pub fn body(&self) -> NodeHandle<'_> {
        self.root()
            .descendants()
            .find(|n| tag(n) == Some("body"))
            .unwrap_or_else(|| self.root())
    }

    /// Marks the outermost junk nodes; what lies inside them is left unjudged, since every
    /// walk stops at them. A parent's id is below its children's, so one walk forward sees
    /// parents first.
    fn mark_junk(&mut self) {
        let mut junk = vec![false; self.html.node_count()];
        let mut inside = vec![false; self.html.node_count()];
        let mut class_weights = vec![None; self.html.node_count()];
        // Pages repeat the same few class names on thousands of elements.
        let mut names = NameCache::default();
        for node in self.html.nodes() {
            let i = node.id().index();
            if let Some(parent) = node.parent() {
                let p = parent.id().index();
                if junk[p] || inside[p] {
                    inside[i] = true;
                    continue;
                }
            }
            let (is_junk, kinds) = self.looks_like_junk(&node, &mut names);
            junk[i] = matches!(node.value(), Node::Comment) || is_junk;
            class_weights[i] = kinds.map(|k| k.weight);
        }
        self.junk = junk;
        self.class_weights = class_weights;
    }

    /// readability's class weight of an element: +25 for article-like class and id names,
    /// -25 for furniture, per name.
    pub fn class_weight(&self, node: &NodeHandle<'_>) -> f64 {
        let weight = match self.class_weights[node.id().index()] {
            Some(weight) => weight,
            None => [attr(node, "class"), attr(node, "id")]
                .into_iter()
                .flatten()
                .map(|name| name_weight(&name.to_ascii_lowercase()))
                .sum(),
        };
        f64::from(weight)
    }

    /// Whether an element is junk, and what its class and id names say (`None` for what is
    /// not an element, and for junk by tag).
    fn looks_like_junk<'a>(
        &self,
        node: &NodeHandle<'a>,
        names: &mut NameCache<'a>,
    ) -> (bool, Option<NameKinds>) {
        let Node::Element(element) = node.value() else {
            return (false, None);
        };
        let name = element.name();
        // Some sites wrap the whole article in an <aside>; the relaxed pass looks there.
        if is_junk_tag(name) && (self.strip_unlikely || name != "aside") {
            return (true, None);
        }
        // One pass over the attributes: this runs for every element of the page.
        let (mut class, mut id) = (None, None);
        for (attribute, value) in element.attrs() {
            match attribute {
                "class" if class.is_none() => class = Some(value),
                "id" if id.is_none() => id = Some(value),
                "hidden" => return (true, None),
                "style" if value.contains("none") => {
                    let style: String = value.chars().filter(|c| !c.is_whitespace()).collect();
                    if style.contains("display:none") {
                        return (true, None);
                    }
                }
                "role"
                    if matches!(
                        value,
                        "menu"
                            | "menubar"
                            | "complementary"
                            | "navigation"
                            | "alert"
                            | "alertdialog"
                            | "dialog"
                    ) =>
                {
                    return (true, None);
                }
                _ => {}
            }
        }
        // A comments section is never the article, whatever else its name says
        // ("post-comments", "comment-body"), even when a short article has the page look
        // through names ("commentary" is another word).
        let kinds = [class, id]
            .into_iter()
            .flatten()
            .fold(NameKinds::default(), |all, name| all.or(names.kinds(name)));
        if !matches!(name, "html" | "body") && kinds.comments {
            return (true, Some(kinds));
        }
        if !self.strip_unlikely
            || matches!(
                name,
                "html" | "body" | "a" | "table" | "tbody" | "tr" | "td" | "main" | "article" | "p"
            )
        {
            return (false, Some(kinds));
        }
        (kinds.unlikely && !kinds.maybe, Some(kinds))
    }

    /// Fills `stats` for every node. Ids follow document order, so one walk forward finds
    /// what lies inside junk and one walk backward adds children into parents.
    fn count(&mut self) {
        let nodes = self.html.node_count();
        let mut dead = vec![false; nodes];
        for node in self.html.nodes() {
            let i = node.id().index();
            dead[i] = self.junk[i] || node.parent().is_some_and(|p| dead[p.id().index()]);
        }
        let mut stats = vec![Stats::default(); nodes];
        // Children come after their parent in id order, so this is complete for a node by
        // the time the backward walk reaches it. It is kept inside junk too: a lead found in
        // a page header is written from there.
        let mut has_block = vec![false; nodes];
        for node in self.html.nodes().rev() {
            let i = node.id().index();
            if let Some(parent) = node.parent()
                && !self.junk[i]
                && let Node::Element(e) = node.value()
                // A block inside an inline wrapper (`<strong><p>`) is a block of the parent too.
                && ((is_block(e.name()) && e.name() != "br") || has_block[i])
            {
                has_block[parent.id().index()] = true;
            }
            if dead[i] {
                continue;
            }
            let mut own = stats[i];
            match node.value() {
                Node::Text(t) => own.text = Measure::of(t),
                Node::Element(e) => match e.name() {
                    "a" => {
                        own.link_chars = own.text.chars;
                        own.links += 1;
                    }
                    "p" => {
                        own.paragraphs += 1;
                        own.text_blocks += 1;
                    }
                    "div" | "section" | "td" | "th" if !has_block[i] && own.text.chars > 0 => {
                        own.text_blocks += 1;
                    }
                    "img" => own.images += 1,
                    "br" if ends_line(&node) => own.breaks += 1,
                    "li" => {
                        own.list_items += 1;
                        if !has_block[i] && own.text.chars > 0 {
                            own.text_blocks += 1;
                        }
                    }
                    "input" | "select" | "textarea" => own.inputs += 1,
                    "embed" | "object" | "iframe" | "video" => own.embeds += 1,
                    _ => {}
                },
                _ => {}
            }
            stats[i] = own;
            if let Some(parent) = node.parent()
                && !matches!(node.value(), Node::Doctype | Node::Comment)
            {
                let into = &mut stats[parent.id().index()];
                into.text.add(own.text);
                into.link_chars += own.link_chars;
                into.paragraphs += own.paragraphs;
                into.text_blocks += own.text_blocks;
                into.images += own.images;
                into.breaks += own.breaks;
                into.list_items += own.list_items;
                into.inputs += own.inputs;
                into.links += own.links;
                into.embeds += own.embeds;
            }
        }
        self.stats = stats;
        self.has_block = has_block;
    }

    /// The text of a node, junk left out, on one line.
    pub fn text_of(&self, node: NodeHandle<'_>) -> String {
        let mut out = String::new();
        self.push_text(node, &mut out, ' ', usize::MAX);
        crate::text::collapse_whitespace(&out)
    }

    /// A key for the text under `node` (its words, white space aside), to tell repeats apart
    /// without keeping the text; `scratch` is reused between calls.
    pub fn text_key(&self, node: NodeHandle<'_>, scratch: &mut String) -> u64 {
        scratch.clear();
        self.push_text(node, scratch, ' ', usize::MAX);
        crate::text::words_hash(scratch)
    }

    /// The text of a small node, or `None` when the node holds more than `max_nodes` nodes:
    /// checks meant for short blocks must not walk huge subtrees once per ancestor.
    pub fn short_text_of(&self, node: NodeHandle<'_>, max_nodes: usize) -> Option<String> {
        let mut out = String::new();
        self.push_text(node, &mut out, ' ', max_nodes)
            .then(|| crate::text::collapse_whitespace(&out))
    }

    /// The text around an element that shows `heading`, junk included (scripts and styles
    /// aside), a line per block, where `wanted` finds what is looked for: some pages set their
    /// date and 来源 beside the headline in a block whose class calls it a header. Up to three
    /// levels above the heading's text, while the block holds at most `max_chars` characters;
    /// the heading's first few places on the page are tried (a ticker may repeat it first).
    pub fn text_beside_heading(
        &self,
        heading: &str,
        max_chars: usize,
        wanted: impl Fn(&str) -> bool,
    ) -> Option<String> {
        let key: String = heading.chars().filter(|c| c.is_alphanumeric()).collect();
        if key.chars().count() < 4 {
            return None;
        }
        let holders = self.body().descendants().filter(|n| match n.value() {
            Node::Text(t) => {
                let t = t.trim();
                // Most text nodes are told apart by their length before any copy is made.
                (key.len()..=key.len() * 2).contains(&t.len())
                    && t.chars().filter(|c| c.is_alphanumeric()).eq(key.chars())
            }
            _ => false,
        });
        for holder in holders.take(4) {
            let Some(mut block) = holder.parent() else {
                continue;
            };
            for _ in 0..3 {
                let Some(parent) = block.parent() else { break };
                match self.text_with_junk(parent, max_chars) {
                    Some(text) if wanted(&text) => return Some(text),
                    Some(_) => block = parent,
                    None => break,
                }
            }
        }
        None
    }

    /// The text under `node` with junk included but scripts and styles left out, a line per
    /// block; `None` when it is longer than `max_chars`.
    fn text_with_junk(&self, node: NodeHandle<'_>, max_chars: usize) -> Option<String> {
        let mut out = String::new();
        let mut stack = vec![node];
        while let Some(n) = stack.pop() {
            match n.value() {
                Node::Text(t) => {
                    out.push_str(t);
                    if out.len() > max_chars * 4 {
                        return None;
                    }
                }
                Node::Element(e) => {
                    if matches!(e.name(), "script" | "style" | "noscript" | "template") {
                        continue;
                    }
                    if is_block(e.name()) {
                        out.push('\n');
                    }
                    stack.extend(n.children().rev());
                }
                _ => {}
            }
        }
        (out.chars().count() <= max_chars).then_some(out)
    }

    /// The text of a node, junk left out, a line per block (white space as in the page).
    pub fn block_text(&self, node: NodeHandle<'_>) -> String {
        let mut out = String::new();
        self.push_text(node, &mut out, '\n', usize::MAX);
        out
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
            if self.is_junk(n.id()) {
                continue;
            }
            match n.value() {
                Node::Text(t) => out.push_str(t),
                Node::Element(e) => {
                    if is_block(e.name()) {
                        out.push(block_break);
                    }
                    stack.extend(n.children().rev());
                }
                _ => stack.extend(n.children().rev()),
            }
        }
        true
    }

    /// Whether an element has a block element among its children (not counting junk), looking
    /// through inline wrappers such as `<strong><p>`.
    pub fn has_block_child(&self, node: NodeHandle<'_>) -> bool {
        self.has_block[node.id().index()]
    }
}

/// Whether a `<br>` ends a line of text: one right after another (a blank line between
/// paragraphs) or at the start of its block does not.
fn ends_line(br: &NodeHandle<'_>) -> bool {
    let mut previous = br.prev_sibling();
    while let Some(node) = previous {
        match node.value() {
            Node::Text(t) if crate::text::is_blank(t) => previous = node.prev_sibling(),
            Node::Comment => previous = node.prev_sibling(),
            Node::Element(e) => return e.name() != "br",
            _ => return true,
        }
    }
    false
}

/// Compiles this module's patterns now (see [`crate::warm_up`]).
pub(crate) fn warm_up() {
    LazyLock::force(&UNLIKELY);
    LazyLock::force(&COMMENTS);
    LazyLock::force(&MAYBE);
    LazyLock::force(&POSITIVE);
    LazyLock::force(&NEGATIVE);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stats_of(html: &str, tag_name: &str) -> Stats {
        let dom = Dom::parse(html);
        let node = dom
            .root()
            .descendants()
            .find(|n| tag(n) == Some(tag_name))
            .unwrap();
        dom.stats(node.id())
    }

    #[test]
    fn a_blank_line_between_paragraphs_is_one_break_not_two() {
        let stats = stats_of(
            "<div>first line<br><br>\n<br>second line<br>third</div>",
            "div",
        );
        assert_eq!(stats.breaks, 2);
        let stats = stats_of("<div><br>only line<br> <!-- c --> <br></div>", "div");
        assert_eq!(stats.breaks, 1);
    }

    #[test]
    fn divs_items_and_cells_of_inline_content_count_as_text_blocks() {
        let stats = stats_of(
            "<section><div><span>one</span></div><div><div>two</div></div><div> </div><p>three</p>\
             <ul><li>four</li><li><p>five</p></li></ul>\
             <table><tr><td>six</td><td><p>seven</p></td><td></td></tr></table></section>",
            "section",
        );
        assert_eq!(stats.paragraphs, 3);
        assert_eq!(stats.text_blocks, 7);
        assert_eq!(stats.list_items, 2);
    }
}
