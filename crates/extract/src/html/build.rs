//! The tree builder: where each tag and piece of text goes, as the standard's tree
//! construction decides in the cases that move text (see the module above for what is kept).

use super::entity::decode_into;
use super::{Attr, Document, IN_SOURCE, Kind, NONE, NodeData, TagName};
use memchr::{memchr, memchr2, memchr3};
use rustc_hash::FxHashSet;
use std::sync::LazyLock;

/// Gives nodes ids in document order again, after misnested tags or table content moved
/// nodes; nodes left out of the tree are dropped.
pub(super) fn renumber(doc: &mut Document) {
    let old = std::mem::take(&mut doc.nodes);
    let mut order = Vec::with_capacity(old.len());
    let mut new_id = vec![NONE; old.len()];
    let mut stack = vec![0u32];
    while let Some(id) = stack.pop() {
        new_id[id as usize] = order.len() as u32;
        order.push(id);
        let mut child = old[id as usize].last_child;
        while child != NONE {
            stack.push(child);
            child = old[child as usize].prev_sibling;
        }
    }
    let map = |id: u32| {
        if id == NONE {
            NONE
        } else {
            new_id[id as usize]
        }
    };
    doc.nodes = order
        .iter()
        .map(|&id| {
            let n = &old[id as usize];
            NodeData {
                parent: map(n.parent),
                first_child: map(n.first_child),
                last_child: map(n.last_child),
                prev_sibling: map(n.prev_sibling),
                next_sibling: map(n.next_sibling),
                kind: n.kind.clone(),
            }
        })
        .collect();
}

/// Tag names the parser keeps without copying; others are stored in the attribute text.
const KNOWN: &[&str] = &[
    "a",
    "abbr",
    "address",
    "applet",
    "area",
    "article",
    "aside",
    "audio",
    "b",
    "base",
    "bdi",
    "bdo",
    "big",
    "blockquote",
    "body",
    "br",
    "button",
    "canvas",
    "caption",
    "center",
    "cite",
    "code",
    "col",
    "colgroup",
    "data",
    "dd",
    "del",
    "details",
    "dfn",
    "dialog",
    "dir",
    "div",
    "dl",
    "dt",
    "em",
    "embed",
    "fieldset",
    "figcaption",
    "figure",
    "font",
    "footer",
    "form",
    "frame",
    "frameset",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "head",
    "header",
    "hgroup",
    "hr",
    "html",
    "i",
    "iframe",
    "img",
    "input",
    "ins",
    "kbd",
    "label",
    "legend",
    "li",
    "link",
    "listing",
    "main",
    "map",
    "mark",
    "marquee",
    "math",
    "menu",
    "meta",
    "nav",
    "nobr",
    "noembed",
    "noframes",
    "noscript",
    "object",
    "ol",
    "optgroup",
    "option",
    "p",
    "param",
    "picture",
    "plaintext",
    "pre",
    "q",
    "rp",
    "rt",
    "ruby",
    "s",
    "samp",
    "script",
    "search",
    "section",
    "select",
    "small",
    "source",
    "span",
    "strike",
    "strong",
    "style",
    "sub",
    "summary",
    "sup",
    "svg",
    "table",
    "tbody",
    "td",
    "template",
    "textarea",
    "tfoot",
    "th",
    "thead",
    "time",
    "title",
    "tr",
    "track",
    "tt",
    "u",
    "ul",
    "var",
    "video",
    "wbr",
    "xmp",
];

static KNOWN_NAMES: LazyLock<FxHashSet<&'static str>> =
    LazyLock::new(|| KNOWN.iter().copied().collect());

pub(super) fn warm_up() {
    LazyLock::force(&KNOWN_NAMES);
}

/// Elements that never have content.
fn is_void(name: &str) -> bool {
    matches!(
        name,
        "area"
            | "base"
            | "basefont"
            | "bgsound"
            | "br"
            | "col"
            | "embed"
            | "frame"
            | "hr"
            | "img"
            | "input"
            | "keygen"
            | "link"
            | "meta"
            | "param"
            | "source"
            | "track"
            | "wbr"
    )
}

/// How the text inside an element is read.
#[derive(Clone, Copy, PartialEq)]
pub(super) enum TextMode {
    Markup,
    /// Up to the end tag, as written (`<script>`, `<style>`).
    Raw,
    /// Up to the end tag, references decoded (`<title>`, `<textarea>`).
    Escapable,
    /// Everything to the end of the page.
    Plain,
}

pub(super) fn text_mode(name: &str) -> TextMode {
    match name {
        "script" | "style" | "xmp" | "iframe" | "noembed" | "noframes" | "noscript" => {
            TextMode::Raw
        }
        "title" | "textarea" => TextMode::Escapable,
        "plaintext" => TextMode::Plain,
        _ => TextMode::Markup,
    }
}

/// Start tags that close an open `<p>`.
fn closes_p(name: &str) -> bool {
    matches!(
        name,
        "address"
            | "article"
            | "aside"
            | "blockquote"
            | "center"
            | "details"
            | "dialog"
            | "dir"
            | "div"
            | "dl"
            | "fieldset"
            | "figcaption"
            | "figure"
            | "footer"
            | "form"
            | "header"
            | "hgroup"
            | "hr"
            | "main"
            | "menu"
            | "nav"
            | "ol"
            | "p"
            | "search"
            | "section"
            | "summary"
            | "ul"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "pre"
            | "listing"
            | "table"
            | "xmp"
            | "plaintext"
            | "li"
            | "dd"
            | "dt"
    )
}

/// The standard's "special" elements: an end tag for another element does not close them.
fn is_special(name: &str) -> bool {
    matches!(
        name,
        "address"
            | "applet"
            | "area"
            | "article"
            | "aside"
            | "base"
            | "basefont"
            | "bgsound"
            | "blockquote"
            | "body"
            | "br"
            | "button"
            | "caption"
            | "center"
            | "col"
            | "colgroup"
            | "dd"
            | "details"
            | "dir"
            | "div"
            | "dl"
            | "dt"
            | "embed"
            | "fieldset"
            | "figcaption"
            | "figure"
            | "footer"
            | "form"
            | "frame"
            | "frameset"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "head"
            | "header"
            | "hgroup"
            | "hr"
            | "html"
            | "iframe"
            | "img"
            | "input"
            | "keygen"
            | "li"
            | "link"
            | "listing"
            | "main"
            | "marquee"
            | "menu"
            | "meta"
            | "nav"
            | "noembed"
            | "noframes"
            | "noscript"
            | "object"
            | "ol"
            | "p"
            | "param"
            | "plaintext"
            | "pre"
            | "script"
            | "search"
            | "section"
            | "select"
            | "source"
            | "style"
            | "summary"
            | "table"
            | "tbody"
            | "td"
            | "template"
            | "textarea"
            | "tfoot"
            | "th"
            | "thead"
            | "title"
            | "tr"
            | "track"
            | "ul"
            | "wbr"
            | "xmp"
    )
}

/// Elements that bound the standard's default scope: an end tag does not reach past them.
fn bounds_scope(name: &str) -> bool {
    matches!(
        name,
        "applet"
            | "caption"
            | "html"
            | "table"
            | "td"
            | "th"
            | "marquee"
            | "object"
            | "template"
            | "svg"
            | "math"
    )
}

fn is_heading(name: &str) -> bool {
    matches!(name, "h1" | "h2" | "h3" | "h4" | "h5" | "h6")
}

/// What may sit in `<head>`; anything else there starts the body.
fn belongs_in_head(name: &str) -> bool {
    matches!(
        name,
        "base"
            | "basefont"
            | "bgsound"
            | "link"
            | "meta"
            | "noframes"
            | "script"
            | "style"
            | "template"
            | "title"
            | "noscript"
    )
}

#[derive(Clone, Copy, PartialEq)]
pub(super) enum Scope {
    Default,
    /// The default scope, and `<button>`.
    Button,
    /// The default scope, and lists.
    ListItem,
    /// Only the table itself.
    Table,
}

fn bounds(scope: Scope, name: &str) -> bool {
    match scope {
        Scope::Default => bounds_scope(name),
        Scope::Button => bounds_scope(name) || name == "button",
        Scope::ListItem => bounds_scope(name) || matches!(name, "ol" | "ul"),
        Scope::Table => matches!(name, "html" | "table" | "template"),
    }
}

pub(super) struct Builder<'s> {
    /// The page, which becomes `doc.source` when parsing ends.
    pub(super) source: &'s str,
    /// Whether ranges can point into the source (a page under 2 GiB).
    pub(super) point_into_source: bool,
    pub(super) doc: Document,
    /// Open elements, outermost first.
    pub(super) open: Vec<u32>,
    pub(super) html: Option<u32>,
    pub(super) head: Option<u32>,
    pub(super) body: Option<u32>,
    /// How many open elements are `<svg>` or `<math>`: inside them `<x/>` closes itself.
    pub(super) foreign: usize,
    /// How many `<p>`, `<table>`, `<form>` and `<head>` elements are open: every block start
    /// looks for an open `<p>`, and most of the time there is none, so the search is skipped.
    pub(super) open_p: usize,
    pub(super) open_table: usize,
    pub(super) open_form: usize,
    pub(super) open_head: usize,
    /// The standard's list of active formatting elements (`<b>`, `<font>`, `<a>`...), with
    /// `MARKER` where a cell or an object starts: a formatting element that a block closed
    /// early is opened again inside the next text, so that text keeps its link or its font.
    pub(super) active: Vec<u32>,
    /// Whether a node was moved or inserted out of document order (a misnested tag, table
    /// content placed before its table); ids are renumbered at the end if so.
    pub(super) moved: bool,
    /// The standard's quirks mode, for pages without a modern doctype: there `<table>` does
    /// not close an open `<p>`.
    pub(super) quirks: bool,
}

/// Whether a doctype (what follows `<!DOCTYPE`) puts the page in quirks mode: the standard's
/// list of legacy public identifiers, by family.
fn is_quirky(doctype: &str) -> bool {
    let lower = doctype.to_ascii_lowercase();
    let mut parts = lower.split(['"', '\'']);
    let head = parts.next().unwrap_or("");
    let public = parts.next();
    let system = parts.nth(1);
    let mut words = head.split_whitespace();
    if words.next() != Some("html") {
        return true;
    }
    if words.next() != Some("public") {
        return false;
    }
    let Some(public) = public else {
        return false;
    };
    const PREFIXES: &[&str] = &[
        "+//silmaril//",
        "-//as//",
        "-//advasoft ltd//",
        "-//ietf//dtd html",
        "-//metrius//",
        "-//microsoft//",
        "-//netscape comm. corp.//",
        "-//o'reilly and associates//",
        "-//sq//",
        "-//softquad",
        "-//spyglass//",
        "-//sun microsystems corp.//",
        "-//w3c//dtd html 3",
        "-//w3c//dtd html 4.0 frameset//",
        "-//w3c//dtd html 4.0 transitional//",
        "-//w3c//dtd html experimental",
        "-//w3c//dtd w3 html//",
        "-//w3o//dtd w3 html 3.0//",
        "-//webtechs//",
    ];
    PREFIXES.iter().any(|p| public.starts_with(p))
        || matches!(
            public,
            "-//w3o//dtd w3 html strict 3.0//en//" | "-/w3c/dtd html 4.0 transitional/en" | "html"
        )
        || (system.is_none()
            && (public.starts_with("-//w3c//dtd html 4.01 frameset//")
                || public.starts_with("-//w3c//dtd html 4.01 transitional//")))
        || system == Some("http://www.ibm.com/data/dtd/v11/ibmxhtml1-transitional.dtd")
}

const MARKER: u32 = NONE;

/// At most this many formatting elements are remembered since the last marker. The standard
/// sets no bound, and a hostile page that leaves thousands of different `<b>`s open and then
/// writes thousands of blocks would have each block reopen all of them; real pages leave a
/// handful open.
const MAX_ACTIVE: usize = 64;

/// Elements the standard reopens when a block closed them too early.
fn is_formatting(name: &str) -> bool {
    matches!(
        name,
        "a" | "b"
            | "big"
            | "code"
            | "em"
            | "font"
            | "i"
            | "nobr"
            | "s"
            | "small"
            | "strike"
            | "strong"
            | "tt"
            | "u"
    )
}

/// Elements whose start puts a marker in the list of active formatting elements.
fn is_marker(name: &str) -> bool {
    matches!(
        name,
        "td" | "th" | "caption" | "applet" | "marquee" | "object" | "template"
    )
}

/// Where content does not belong, in a table outside its cells: it goes before the table.
fn is_table_context(name: &str) -> bool {
    matches!(name, "table" | "tbody" | "tfoot" | "thead" | "tr")
}

/// Start tags that belong in a table as they are.
fn is_table_part(name: &str) -> bool {
    matches!(
        name,
        "caption"
            | "colgroup"
            | "col"
            | "tbody"
            | "tfoot"
            | "thead"
            | "td"
            | "th"
            | "tr"
            | "table"
            | "style"
            | "script"
            | "template"
            | "form"
    )
}

/// Start tags before which formatting elements closed too early are opened again: all but
/// blocks, table parts and what belongs in the head.
fn reopens_formatting(name: &str) -> bool {
    !(closes_p(name)
        || is_table_part(name)
        || belongs_in_head(name)
        || matches!(
            name,
            "hr" | "textarea" | "iframe" | "noembed" | "param" | "source" | "track" | "html"
        ))
}

impl<'s> Builder<'s> {
    pub(super) fn new(source: &'s str) -> Builder<'s> {
        let source_len = source.len();
        let mut doc = Document {
            nodes: Vec::with_capacity(source_len / 40 + 16),
            text: String::with_capacity(source_len / 16),
            attrs: Vec::with_capacity(source_len / 60),
            attr_text: String::with_capacity(source_len / 16),
            // Set when parsing ends: the builder reads the source through its own borrow.
            source: String::new(),
        };
        doc.nodes.push(NodeData {
            parent: NONE,
            first_child: NONE,
            last_child: NONE,
            prev_sibling: NONE,
            next_sibling: NONE,
            kind: Kind::Document,
        });
        Builder {
            source,
            point_into_source: source_len < IN_SOURCE as usize,
            doc,
            open: Vec::new(),
            html: None,
            head: None,
            body: None,
            foreign: 0,
            open_p: 0,
            open_table: 0,
            open_form: 0,
            open_head: 0,
            active: Vec::new(),
            moved: false,
            quirks: true,
        }
    }

    /// An attribute's name or value while parsing: the document gets its source only when
    /// parsing ends, so ranges into the source are read from the builder's borrow.
    fn attr_str(&self, range: &std::ops::Range<u32>) -> &str {
        super::resolve(self.source, &self.doc.attr_text, range)
    }

    /// A text node's text while parsing (see [`Builder::attr_str`]).
    fn text_str(&self, range: &std::ops::Range<u32>) -> &str {
        super::resolve(self.source, &self.doc.text, range)
    }

    pub(super) fn name_of(&self, id: u32) -> &str {
        match &self.doc.nodes[id as usize].kind {
            Kind::Element { name, .. } => self.doc.tag_name(*name),
            _ => "",
        }
    }

    pub(super) fn counter(&mut self, id: u32) -> Option<&mut usize> {
        let counter = match self.name_of(id) {
            "p" => &mut self.open_p,
            "table" => &mut self.open_table,
            "form" => &mut self.open_form,
            "head" => &mut self.open_head,
            "svg" | "math" => &mut self.foreign,
            _ => return None,
        };
        Some(counter)
    }

    pub(super) fn push_open(&mut self, id: u32) {
        self.open.push(id);
        if let Some(count) = self.counter(id) {
            *count += 1;
        }
    }

    pub(super) fn pop_open(&mut self) -> Option<u32> {
        let id = self.open.pop()?;
        if let Some(count) = self.counter(id) {
            *count -= 1;
        }
        if is_marker(self.name_of(id)) {
            while let Some(entry) = self.active.pop() {
                if entry == MARKER {
                    break;
                }
            }
        }
        Some(id)
    }

    pub(super) fn remove_open(&mut self, index: usize) {
        let id = self.open.remove(index);
        if let Some(count) = self.counter(id) {
            *count -= 1;
        }
    }

    pub(super) fn insert_open(&mut self, index: usize, id: u32) {
        self.open.insert(index, id);
        if let Some(count) = self.counter(id) {
            *count += 1;
        }
    }

    pub(super) fn truncate_open(&mut self, len: usize) {
        while self.open.len() > len {
            self.pop_open();
        }
    }

    pub(super) fn current(&self) -> u32 {
        self.open.last().copied().unwrap_or(0)
    }

    pub(super) fn current_name(&self) -> &str {
        self.name_of(self.current())
    }

    pub(super) fn append(&mut self, parent: u32, kind: Kind) -> u32 {
        let id = self.doc.nodes.len() as u32;
        let last = self.doc.nodes[parent as usize].last_child;
        self.doc.nodes.push(NodeData {
            parent,
            first_child: NONE,
            last_child: NONE,
            prev_sibling: last,
            next_sibling: NONE,
            kind,
        });
        if last == NONE {
            self.doc.nodes[parent as usize].first_child = id;
        } else {
            self.doc.nodes[last as usize].next_sibling = id;
        }
        self.doc.nodes[parent as usize].last_child = id;
        id
    }

    /// A node in no tree yet.
    pub(super) fn create(&mut self, kind: Kind) -> u32 {
        let id = self.doc.nodes.len() as u32;
        self.doc.nodes.push(NodeData {
            parent: NONE,
            first_child: NONE,
            last_child: NONE,
            prev_sibling: NONE,
            next_sibling: NONE,
            kind,
        });
        id
    }

    pub(super) fn detach(&mut self, id: u32) {
        let NodeData {
            parent,
            prev_sibling: prev,
            next_sibling: next,
            ..
        } = self.doc.nodes[id as usize];
        if parent == NONE {
            return;
        }
        if prev == NONE {
            self.doc.nodes[parent as usize].first_child = next;
        } else {
            self.doc.nodes[prev as usize].next_sibling = next;
        }
        if next == NONE {
            self.doc.nodes[parent as usize].last_child = prev;
        } else {
            self.doc.nodes[next as usize].prev_sibling = prev;
        }
        let node = &mut self.doc.nodes[id as usize];
        node.parent = NONE;
        node.prev_sibling = NONE;
        node.next_sibling = NONE;
    }

    /// Makes the detached node `id` the last child of `parent`.
    pub(super) fn attach(&mut self, parent: u32, id: u32) {
        let last = self.doc.nodes[parent as usize].last_child;
        {
            let node = &mut self.doc.nodes[id as usize];
            node.parent = parent;
            node.prev_sibling = last;
            node.next_sibling = NONE;
        }
        if last == NONE {
            self.doc.nodes[parent as usize].first_child = id;
        } else {
            self.doc.nodes[last as usize].next_sibling = id;
        }
        self.doc.nodes[parent as usize].last_child = id;
    }

    /// Puts the detached node `id` just before `sibling`.
    pub(super) fn attach_before(&mut self, sibling: u32, id: u32) {
        let parent = self.doc.nodes[sibling as usize].parent;
        let prev = self.doc.nodes[sibling as usize].prev_sibling;
        {
            let node = &mut self.doc.nodes[id as usize];
            node.parent = parent;
            node.prev_sibling = prev;
            node.next_sibling = sibling;
        }
        self.doc.nodes[sibling as usize].prev_sibling = id;
        if prev == NONE {
            self.doc.nodes[parent as usize].first_child = id;
        } else {
            self.doc.nodes[prev as usize].next_sibling = id;
        }
        self.moved = true;
    }

    /// Where content that does not belong in a table goes: before the innermost open table
    /// (or, for a table no longer in the tree, into what holds it on the stack).
    pub(super) fn foster(&mut self, id: u32) {
        let Some(index) = self.open.iter().rposition(|&e| self.name_of(e) == "table") else {
            let parent = self.current();
            self.attach(parent, id);
            return;
        };
        let table = self.open[index];
        if self.doc.nodes[table as usize].parent != NONE {
            self.attach_before(table, id);
        } else {
            let holder = self.open[index.saturating_sub(1)];
            self.attach(holder, id);
            self.moved = true;
        }
    }

    /// A copy of an element, attributes shared, in no tree yet.
    pub(super) fn clone_element(&mut self, id: u32) -> u32 {
        let kind = self.doc.nodes[id as usize].kind.clone();
        self.create(kind)
    }

    pub(super) fn new_element(
        &mut self,
        parent: u32,
        name: &str,
        attrs: std::ops::Range<u32>,
    ) -> u32 {
        let id = self.new_element_detached(name, attrs);
        self.attach(parent, id);
        id
    }

    pub(super) fn new_element_detached(&mut self, name: &str, attrs: std::ops::Range<u32>) -> u32 {
        let name = match KNOWN_NAMES.get(name) {
            Some(known) => TagName::Known(known),
            None => {
                let start = self.doc.attr_text.len() as u32;
                self.doc.attr_text.push_str(name);
                TagName::Other(start, self.doc.attr_text.len() as u32)
            }
        };
        self.create(Kind::Element { name, attrs })
    }

    /// `<html>`, created when the page does not open it itself.
    pub(super) fn ensure_html(&mut self) -> u32 {
        if let Some(html) = self.html {
            return html;
        }
        let html = self.new_element(0, "html", 0..0);
        self.html = Some(html);
        self.push_open(html);
        html
    }

    /// Makes the current node one that can take body content: closes `<head>`, and opens
    /// `<body>` when the page has not.
    pub(super) fn ensure_body(&mut self) {
        self.ensure_html();
        if let Some(head) = self.head
            && self.open_head > 0
        {
            while let Some(top) = self.pop_open() {
                if top == head {
                    break;
                }
            }
        }
        if self.body.is_none() {
            let html = self.ensure_html();
            self.ensure_head(html);
            let body = self.new_element(html, "body", 0..0);
            self.body = Some(body);
            self.push_open(body);
        }
    }

    /// A page without `<head>` gets an empty one before its body, as in a browser.
    pub(super) fn ensure_head(&mut self, html: u32) {
        if self.head.is_none() {
            self.head = Some(self.new_element(html, "head", 0..0));
        }
    }

    /// The end of the page: a browser's tree always has a body.
    pub(super) fn finish(&mut self) {
        self.ensure_body();
    }

    /// The text from `start` to `end` of the source; references decoded when `decode`.
    pub(super) fn text(&mut self, start: usize, end: usize, decode: bool) {
        let source = self.source;
        let text = &source[start..end];
        if text.is_empty() {
            return;
        }
        let whitespace = text.bytes().all(|b| b.is_ascii_whitespace());
        let in_head = self.head.is_some_and(|h| self.open.last() == Some(&h));
        if !whitespace && (self.body.is_none() || in_head) {
            // Inside <title> or <noscript> in the head, text is the element's own.
            if text_mode(self.current_name()) == TextMode::Markup {
                self.ensure_body();
            }
        } else if whitespace && self.body.is_none() && !in_head {
            // Between tags before the body: a browser drops it.
            if self.html.is_none() || self.current() == self.html.unwrap_or(NONE) {
                return;
            }
        }
        let in_markup = text_mode(self.current_name()) == TextMode::Markup;
        if in_markup && self.body.is_some() && !self.active.is_empty() {
            self.reopen_formatting();
        }
        let parent = self.current();
        let fostered = in_markup && !whitespace && is_table_context(self.name_of(parent));
        let mut rest = text;
        // A newline straight after <pre> or <textarea> is not content.
        if self.doc.nodes[parent as usize].first_child == NONE
            && matches!(self.name_of(parent), "pre" | "textarea" | "listing")
        {
            rest = rest
                .strip_prefix("\r\n")
                .or_else(|| rest.strip_prefix('\n'))
                .unwrap_or(rest);
        }
        if rest.is_empty() {
            return;
        }
        let rest_start = end - rest.len();
        let bytes = rest.as_bytes();
        let plain = self.point_into_source
            && !(decode && memchr(b'&', bytes).is_some())
            && memchr2(b'\r', b'\0', bytes).is_none();
        let range = if plain {
            (rest_start as u32 | IN_SOURCE)..end as u32
        } else {
            let copied = self.doc.text.len();
            self.push_text(rest, decode);
            if self.doc.text.len() == copied {
                return;
            }
            copied as u32..self.doc.text.len() as u32
        };
        if fostered {
            let id = self.create(Kind::Text(range));
            self.foster(id);
            return;
        }
        // Text next to text (a comment or a dropped tag between them) is one node.
        let last = self.doc.nodes[parent as usize].last_child;
        if last != NONE
            && let Kind::Text(previous) = &self.doc.nodes[last as usize].kind
        {
            let previous = previous.clone();
            let joined = if previous.start & IN_SOURCE == 0
                && range.start & IN_SOURCE == 0
                && previous.end == range.start
            {
                previous.start..range.end
            } else {
                // Copy both, in order, to the end of the text buffer.
                let previous_text = self.text_str(&previous).to_owned();
                let new_text = self.text_str(&range).to_owned();
                let joined_start = self.doc.text.len() as u32;
                self.doc.text.push_str(&previous_text);
                self.doc.text.push_str(&new_text);
                joined_start..self.doc.text.len() as u32
            };
            self.doc.nodes[last as usize].kind = Kind::Text(joined);
            return;
        }
        self.append(parent, Kind::Text(range));
    }

    /// Appends text to the text buffer as a browser reads it: references decoded (when
    /// `decode`), line ends made `\n`, NUL characters dropped.
    fn push_text(&mut self, text: &str, decode: bool) {
        let start = self.doc.text.len();
        if decode && memchr(b'&', text.as_bytes()).is_some() {
            decode_into(&mut self.doc.text, text, false);
        } else {
            self.doc.text.push_str(text);
        }
        normalize_line_ends(&mut self.doc.text, start, "");
    }

    pub(super) fn comment(&mut self) {
        let parent = self.current();
        self.append(parent, Kind::Comment);
    }

    pub(super) fn doctype(&mut self, body: &str) {
        if self.html.is_none() {
            self.append(0, Kind::Doctype);
            self.quirks = is_quirky(body);
        }
    }

    /// Where in the open elements `name` is, when it is in `scope`.
    pub(super) fn in_scope(&self, scope: Scope, matches: impl Fn(&str) -> bool) -> Option<usize> {
        for (i, &id) in self.open.iter().enumerate().rev() {
            let name = self.name_of(id);
            if matches(name) {
                return Some(i);
            }
            if bounds(scope, name) {
                return None;
            }
        }
        None
    }

    /// Closes the element at `index` of the open elements, and everything opened inside it.
    pub(super) fn close_from(&mut self, index: usize) {
        // <html> and <body> stay open to the end, as in a browser.
        let floor = self
            .open
            .iter()
            .position(|&id| Some(id) == self.body)
            .map_or(1, |i| i + 1);
        let index = index.max(floor.min(self.open.len()));
        self.truncate_open(index);
    }

    pub(super) fn close_in_scope(&mut self, scope: Scope, matches: impl Fn(&str) -> bool) -> bool {
        match self.in_scope(scope, matches) {
            Some(i) => {
                self.close_from(i);
                true
            }
            None => false,
        }
    }

    pub(super) fn start_tag(
        &mut self,
        name: &str,
        attrs: std::ops::Range<u32>,
        self_closing: bool,
    ) -> u32 {
        match name {
            "html" => {
                let html = self.ensure_html();
                self.merge_attrs(html, attrs);
                return html;
            }
            "head" => {
                if self.head.is_none() && self.body.is_none() {
                    let html = self.ensure_html();
                    let head = self.new_element(html, "head", attrs);
                    self.head = Some(head);
                    self.push_open(head);
                    return head;
                }
                return NONE;
            }
            "body" => {
                if let Some(body) = self.body {
                    self.merge_attrs(body, attrs);
                    return body;
                }
                self.ensure_html();
                if let Some(head) = self.head
                    && let Some(i) = self.open.iter().position(|&id| id == head)
                {
                    self.truncate_open(i);
                }
                let html = self.ensure_html();
                self.ensure_head(html);
                let body = self.new_element(html, "body", attrs);
                self.body = Some(body);
                self.push_open(body);
                return body;
            }
            // A form inside a form is ignored, as are table parts outside a table.
            "form" if self.open_form > 0 => return NONE,
            "caption" | "col" | "colgroup" | "tbody" | "td" | "tfoot" | "th" | "thead" | "tr"
                if self.open_table == 0 =>
            {
                return NONE;
            }
            _ => {}
        }
        if self.body.is_none() {
            let in_head = self.head.is_some_and(|h| self.open.last() == Some(&h));
            if belongs_in_head(name) {
                if self.head.is_none() {
                    let html = self.ensure_html();
                    let head = self.new_element(html, "head", 0..0);
                    self.head = Some(head);
                    self.push_open(head);
                } else if !in_head && let Some(head) = self.head {
                    // Between </head> and <body>, head content still goes into the head.
                    let id = self.new_element_detached(name, attrs);
                    self.attach(head, id);
                    self.moved = true;
                    if !is_void(name) {
                        self.push_open(id);
                    }
                    return id;
                }
            } else {
                self.ensure_body();
            }
        } else if self.open_head > 0 {
            self.ensure_body();
        }

        if self.foreign == 0 {
            self.imply_end_tags(name);
            if name == "a"
                && let Some(i) = self.active_named("a")
            {
                let previous = self.active[i];
                self.adoption_agency("a");
                if let Some(i) = self.active.iter().position(|&e| e == previous) {
                    self.active.remove(i);
                }
                if let Some(i) = self.open.iter().position(|&e| e == previous) {
                    self.remove_open(i);
                }
            }
            if name == "nobr" && self.in_scope(Scope::Default, |n| n == "nobr").is_some() {
                self.adoption_agency("nobr");
            }
            if !self.active.is_empty() && reopens_formatting(name) {
                self.reopen_formatting();
            }
        }
        let hidden_input = name == "input"
            && self.doc.attrs[attrs.start as usize..attrs.end as usize]
                .iter()
                .any(|a| {
                    self.attr_str(&a.name) == "type"
                        && self.attr_str(&a.value).eq_ignore_ascii_case("hidden")
                });
        let id = self.new_element_detached(name, attrs);
        if is_table_context(self.current_name()) && name == "form" {
            // A form between table parts is an empty element, as in a browser.
            let parent = self.current();
            self.attach(parent, id);
            return NONE;
        }
        if is_table_context(self.current_name()) && !is_table_part(name) && !hidden_input {
            self.foster(id);
        } else {
            let parent = self.current();
            self.attach(parent, id);
        }
        let foreign_root = matches!(name, "svg" | "math");
        let closes_itself = is_void(name) || (self_closing && (self.foreign > 0 || foreign_root));
        if !closes_itself {
            self.push_open(id);
            if self.foreign == 0 {
                if is_formatting(name) {
                    self.push_active(id);
                } else if is_marker(name) {
                    self.active.push(MARKER);
                }
            }
        }
        id
    }

    /// Closes what a start tag `name` closes in a browser before it opens.
    pub(super) fn imply_end_tags(&mut self, name: &str) {
        if self.open_p > 0 && closes_p(name) && !(name == "table" && self.quirks) {
            self.close_in_scope(Scope::Button, |n| n == "p");
        }
        match name {
            "li" => self.close_item(&["li"]),
            "dd" | "dt" => self.close_item(&["dd", "dt"]),
            // A reading ends where the next reading or base starts.
            "rb" | "rp" | "rt" | "rtc"
                if self.in_scope(Scope::Default, |n| n == "ruby").is_some() =>
            {
                let also_rtc = matches!(name, "rb" | "rtc");
                while matches!(self.current_name(), "rb" | "rp" | "rt")
                    || (also_rtc && self.current_name() == "rtc")
                {
                    self.pop_open();
                }
            }
            _ if is_heading(name) && is_heading(self.current_name()) => {
                self.pop_open();
            }
            // Rows sit in a row group and cells in a row, written or not: the depth of a
            // cell matters to scoring, which votes for ancestors by level.
            "tr" => {
                self.close_in_scope(Scope::Table, |n| n == "tr");
                if self.current_name() == "table" {
                    self.open_implied("tbody");
                }
            }
            "td" | "th" => {
                self.close_in_scope(Scope::Table, |n| matches!(n, "td" | "th"));
                if self.current_name() == "table" {
                    self.open_implied("tbody");
                }
                if matches!(self.current_name(), "tbody" | "thead" | "tfoot") {
                    self.open_implied("tr");
                }
            }
            "thead" | "tbody" | "tfoot" => {
                self.close_in_scope(Scope::Table, |n| matches!(n, "thead" | "tbody" | "tfoot"));
            }
            "option" if self.current_name() == "option" => {
                self.pop_open();
            }
            "optgroup" => {
                while matches!(self.current_name(), "option" | "optgroup") {
                    self.pop_open();
                }
            }
            "button" => {
                self.close_in_scope(Scope::Default, |n| n == "button");
            }
            _ => {}
        }
    }

    /// The standard's "reconstruct the active formatting elements": formatting elements a
    /// block closed early are opened again, inside the current node, before new content.
    pub(super) fn reopen_formatting(&mut self) {
        let Some(&last) = self.active.last() else {
            return;
        };
        if last == MARKER || self.open.contains(&last) {
            return;
        }
        let mut first = self.active.len() - 1;
        while first > 0 {
            let entry = self.active[first - 1];
            if entry == MARKER || self.open.contains(&entry) {
                break;
            }
            first -= 1;
        }
        for i in first..self.active.len() {
            let copy = self.clone_element(self.active[i]);
            self.insert(copy);
            self.push_open(copy);
            self.active[i] = copy;
        }
    }

    /// Inserts a new node where the current node takes content: into it, or before the table
    /// when the current node is a table outside its cells.
    pub(super) fn insert(&mut self, id: u32) {
        if is_table_context(self.current_name()) {
            self.foster(id);
        } else {
            let parent = self.current();
            self.attach(parent, id);
        }
    }

    /// Adds a formatting element to the active list; of three alike (same name and
    /// attributes) since the last marker, the earliest goes (the standard's Noah's Ark).
    pub(super) fn push_active(&mut self, id: u32) {
        let since_marker = self
            .active
            .iter()
            .rposition(|&e| e == MARKER)
            .map_or(0, |i| i + 1);
        let alike: Vec<usize> = (since_marker..self.active.len())
            .filter(|&i| self.same_element(self.active[i], id))
            .collect();
        if alike.len() >= 3 {
            self.active.remove(alike[0]);
        } else if self.active.len() - since_marker >= MAX_ACTIVE {
            self.active.remove(since_marker);
        }
        self.active.push(id);
    }

    pub(super) fn same_element(&self, a: u32, b: u32) -> bool {
        if self.name_of(a) != self.name_of(b) {
            return false;
        }
        let attrs = |id: u32| match &self.doc.nodes[id as usize].kind {
            Kind::Element { attrs, .. } => self.doc.attrs[attrs.start as usize..attrs.end as usize]
                .iter()
                .map(|a| (self.attr_str(&a.name), self.attr_str(&a.value)))
                .collect::<Vec<_>>(),
            _ => Vec::new(),
        };
        let (mut x, mut y) = (attrs(a), attrs(b));
        x.sort_unstable();
        y.sort_unstable();
        x == y
    }

    /// The last formatting element named `name` since the last marker, as an index of the
    /// active list.
    pub(super) fn active_named(&self, name: &str) -> Option<usize> {
        for i in (0..self.active.len()).rev() {
            let entry = self.active[i];
            if entry == MARKER {
                return None;
            }
            if self.name_of(entry) == name {
                return Some(i);
            }
        }
        None
    }

    /// The standard's adoption agency algorithm, for the end tag of a formatting element:
    /// `<a><div>x</a>y</div>` becomes `<a></a><div><a>x</a>y</div>`, so that "y" is not
    /// link text.
    pub(super) fn adoption_agency(&mut self, subject: &str) {
        let current = self.current();
        if self.name_of(current) == subject && !self.active.contains(&current) {
            self.pop_open();
            return;
        }
        for _ in 0..8 {
            let Some(fe_active) = self.active_named(subject) else {
                self.close_other(subject);
                return;
            };
            let formatting = self.active[fe_active];
            let Some(fe_open) = self.open.iter().rposition(|&e| e == formatting) else {
                self.active.remove(fe_active);
                return;
            };
            if self.open[fe_open + 1..]
                .iter()
                .any(|&e| bounds_scope(self.name_of(e)))
            {
                return;
            }
            let Some(fb_open) =
                (fe_open + 1..self.open.len()).find(|&i| is_special(self.name_of(self.open[i])))
            else {
                self.truncate_open(fe_open);
                if let Some(i) = self.active.iter().position(|&e| e == formatting) {
                    self.active.remove(i);
                }
                return;
            };
            let furthest_block = self.open[fb_open];
            let common_ancestor = self.open[fe_open - 1];
            let mut bookmark = fe_active;
            let mut node_index = fb_open;
            let mut last_node = furthest_block;
            let mut inner = 0;
            loop {
                inner += 1;
                node_index -= 1;
                let node = self.open[node_index];
                if node == formatting {
                    break;
                }
                let mut node_active = self.active.iter().position(|&e| e == node);
                if inner > 3
                    && let Some(i) = node_active
                {
                    self.active.remove(i);
                    if i < bookmark {
                        bookmark -= 1;
                    }
                    node_active = None;
                }
                let Some(node_active) = node_active else {
                    self.remove_open(node_index);
                    continue;
                };
                let copy = self.clone_element(node);
                self.active[node_active] = copy;
                self.open[node_index] = copy;
                if last_node == furthest_block {
                    bookmark = node_active + 1;
                }
                self.detach(last_node);
                self.attach(copy, last_node);
                last_node = copy;
            }
            self.detach(last_node);
            if is_table_context(self.name_of(common_ancestor)) {
                self.foster(last_node);
            } else {
                self.attach(common_ancestor, last_node);
            }
            let copy = self.clone_element(formatting);
            loop {
                let child = self.doc.nodes[furthest_block as usize].first_child;
                if child == NONE {
                    break;
                }
                self.detach(child);
                self.attach(copy, child);
            }
            self.attach(furthest_block, copy);
            if let Some(i) = self.active.iter().position(|&e| e == formatting) {
                self.active.remove(i);
                if i < bookmark {
                    bookmark -= 1;
                }
            }
            self.active.insert(bookmark.min(self.active.len()), copy);
            if let Some(i) = self.open.iter().position(|&e| e == formatting) {
                self.remove_open(i);
            }
            if let Some(i) = self.open.iter().position(|&e| e == furthest_block) {
                self.insert_open(i + 1, copy);
            }
            self.moved = true;
        }
    }

    /// The standard's "any other end tag": closes the element named `name` unless a block
    /// was opened inside it: `<span><div>…</span>…</div>` keeps the div open.
    pub(super) fn close_other(&mut self, name: &str) {
        for i in (0..self.open.len()).rev() {
            let open = self.name_of(self.open[i]);
            if open == name {
                self.close_from(i);
                return;
            }
            if is_special(open) {
                return;
            }
        }
    }

    pub(super) fn open_implied(&mut self, name: &str) {
        let parent = self.current();
        let id = self.new_element(parent, name, 0..0);
        self.push_open(id);
    }

    /// Before a new `<li>` (or `<dd>`/`<dt>`), the open one ends; the search stops at any
    /// block that is not a `<div>`, `<p>` or `<address>`.
    pub(super) fn close_item(&mut self, names: &[&str]) {
        for i in (0..self.open.len()).rev() {
            let name = self.name_of(self.open[i]);
            if names.contains(&name) {
                self.close_from(i);
                return;
            }
            if is_special(name) && !matches!(name, "address" | "div" | "p") {
                return;
            }
        }
    }

    pub(super) fn end_tag(&mut self, name: &str) {
        if self.foreign > 0 {
            // In SVG and MathML every element is closed explicitly.
            if let Some(i) = self
                .in_scope(Scope::Default, |n| n == name)
                .or_else(|| self.open.iter().rposition(|&id| self.name_of(id) == name))
            {
                self.close_from(i);
            }
            return;
        }
        match name {
            "html" | "body" => {}
            "head" => {
                if let Some(head) = self.head
                    && self.open.last() == Some(&head)
                {
                    self.pop_open();
                }
            }
            "br" => {
                let attrs = self.doc.attrs.len() as u32;
                self.start_tag("br", attrs..attrs, false);
            }
            "p" => {
                if self.open_p == 0 || !self.close_in_scope(Scope::Button, |n| n == "p") {
                    // A stray </p> is an empty paragraph in a browser.
                    let attrs = self.doc.attrs.len() as u32;
                    if self.start_tag("p", attrs..attrs, false) != NONE {
                        self.pop_open();
                    }
                }
            }
            "li" => {
                self.close_in_scope(Scope::ListItem, |n| n == "li");
            }
            "dd" | "dt" => {
                self.close_in_scope(Scope::Default, |n| n == name);
            }
            _ if is_heading(name) => {
                self.close_in_scope(Scope::Default, is_heading);
            }
            "tr" | "td" | "th" | "tbody" | "thead" | "tfoot" | "table" | "caption" => {
                self.close_in_scope(Scope::Table, |n| n == name);
            }
            _ if is_special(name) => {
                self.close_in_scope(Scope::Default, |n| n == name);
            }
            _ if is_formatting(name) => self.adoption_agency(name),
            _ => self.close_other(name),
        }
    }

    /// A second `<html>` or `<body>` tag (or the first after one was implied) gives the
    /// element its attributes (`<html lang>` matters) when it has none yet.
    pub(super) fn merge_attrs(&mut self, element: u32, attrs: std::ops::Range<u32>) {
        if let Kind::Element { attrs: own, .. } = &mut self.doc.nodes[element as usize].kind
            && own.start == own.end
        {
            *own = attrs;
        }
    }
}

impl Builder<'_> {
    /// Adds an attribute of the element whose attributes start at `element_attrs_start`:
    /// its name and value as ranges of the source (no value: the empty string).
    pub(super) fn add_attr(
        &mut self,
        element_attrs_start: usize,
        name: std::ops::Range<usize>,
        value: Option<std::ops::Range<usize>>,
    ) {
        let source = self.source;
        let raw_name = &source[name.clone()];
        let name_range =
            if self.point_into_source && !raw_name.bytes().any(|b| b.is_ascii_uppercase()) {
                (name.start as u32 | IN_SOURCE)..name.end as u32
            } else {
                let start = self.doc.attr_text.len();
                self.doc.attr_text.push_str(raw_name);
                self.doc.attr_text[start..].make_ascii_lowercase();
                start as u32..self.doc.attr_text.len() as u32
            };
        let duplicate = self.doc.attrs[element_attrs_start..]
            .iter()
            .any(|a| self.attr_str(&a.name) == self.attr_str(&name_range));
        if duplicate {
            return;
        }
        let value = value.unwrap_or(0..0);
        let raw_value = &source[value.clone()];
        let bytes = raw_value.as_bytes();
        let value_range = if self.point_into_source && memchr3(b'&', b'\r', b'\0', bytes).is_none()
        {
            (value.start as u32 | IN_SOURCE)..value.end as u32
        } else {
            let start = self.doc.attr_text.len();
            decode_into(&mut self.doc.attr_text, raw_value, true);
            normalize_line_ends(&mut self.doc.attr_text, start, "\u{FFFD}");
            start as u32..self.doc.attr_text.len() as u32
        };
        self.doc.attrs.push(Attr {
            name: name_range,
            value: value_range,
        });
    }
}

/// Makes the end of `buffer` from `start` read as a browser reads it: `\r\n` and `\r` become
/// `\n`, and NUL becomes `nul` (nothing in text, a replacement character in attributes).
fn normalize_line_ends(buffer: &mut String, start: usize, nul: &str) {
    if memchr2(b'\r', b'\0', &buffer.as_bytes()[start..]).is_some() {
        let cleaned = buffer[start..]
            .replace("\r\n", "\n")
            .replace('\r', "\n")
            .replace('\0', nul);
        buffer.truncate(start);
        buffer.push_str(&cleaned);
    }
}
