//! The tokenizer and tree builder: one pass over the source, finding each `<` with memchr and
//! building the tree as tags arrive. See the module above for what it keeps of the standard.

use super::entity::decode_into;
use super::{Attr, Document, Kind, NONE, NodeData, TagName};
use memchr::{memchr, memchr2, memmem};
use rustc_hash::FxHashSet;
use std::sync::LazyLock;

pub fn parse(source: &str) -> Document {
    let mut builder = Builder::new(source.len());
    let mut tokenizer = Tokenizer {
        source,
        pos: 0,
        end_name: String::new(),
    };
    tokenizer.run(&mut builder);
    builder.doc
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
enum TextMode {
    Markup,
    /// Up to the end tag, as written (`<script>`, `<style>`).
    Raw,
    /// Up to the end tag, references decoded (`<title>`, `<textarea>`).
    Escapable,
    /// Everything to the end of the page.
    Plain,
}

fn text_mode(name: &str) -> TextMode {
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
enum Scope {
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

struct Builder {
    doc: Document,
    /// Open elements, outermost first.
    open: Vec<u32>,
    html: Option<u32>,
    head: Option<u32>,
    body: Option<u32>,
    /// How many open elements are `<svg>` or `<math>`: inside them `<x/>` closes itself.
    foreign: usize,
    /// How many `<p>`, `<a>`, `<form>` and `<head>` elements are open: every block start
    /// looks for an open `<p>`, every link for an open `<a>`, and most pages have neither
    /// open most of the time, so the search is skipped.
    open_p: usize,
    open_a: usize,
    open_form: usize,
    open_head: usize,
    attr_scratch: String,
}

impl Builder {
    fn new(source_len: usize) -> Builder {
        let mut doc = Document {
            nodes: Vec::with_capacity(source_len / 40 + 16),
            text: String::with_capacity(source_len / 3),
            attrs: Vec::with_capacity(source_len / 60),
            attr_text: String::with_capacity(source_len / 4),
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
            doc,
            open: Vec::new(),
            html: None,
            head: None,
            body: None,
            foreign: 0,
            open_p: 0,
            open_a: 0,
            open_form: 0,
            open_head: 0,
            attr_scratch: String::new(),
        }
    }

    fn name_of(&self, id: u32) -> &str {
        match &self.doc.nodes[id as usize].kind {
            Kind::Element { name, .. } => self.doc.tag_name(*name),
            _ => "",
        }
    }

    fn counter(&mut self, id: u32) -> Option<&mut usize> {
        let counter = match self.name_of(id) {
            "p" => &mut self.open_p,
            "a" => &mut self.open_a,
            "form" => &mut self.open_form,
            "head" => &mut self.open_head,
            "svg" | "math" => &mut self.foreign,
            _ => return None,
        };
        Some(counter)
    }

    fn push_open(&mut self, id: u32) {
        self.open.push(id);
        if let Some(count) = self.counter(id) {
            *count += 1;
        }
    }

    fn pop_open(&mut self) -> Option<u32> {
        let id = self.open.pop()?;
        if let Some(count) = self.counter(id) {
            *count -= 1;
        }
        Some(id)
    }

    fn truncate_open(&mut self, len: usize) {
        while self.open.len() > len {
            self.pop_open();
        }
    }

    fn current(&self) -> u32 {
        self.open.last().copied().unwrap_or(0)
    }

    fn current_name(&self) -> &str {
        self.name_of(self.current())
    }

    fn append(&mut self, parent: u32, kind: Kind) -> u32 {
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

    fn new_element(&mut self, parent: u32, name: &str, attrs: std::ops::Range<u32>) -> u32 {
        let name = match KNOWN_NAMES.get(name) {
            Some(known) => TagName::Known(known),
            None => {
                let start = self.doc.attr_text.len() as u32;
                self.doc.attr_text.push_str(name);
                TagName::Other(start, self.doc.attr_text.len() as u32)
            }
        };
        self.append(parent, Kind::Element { name, attrs })
    }

    /// `<html>`, created when the page does not open it itself.
    fn ensure_html(&mut self) -> u32 {
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
    fn ensure_body(&mut self) {
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
            let body = self.new_element(html, "body", 0..0);
            self.body = Some(body);
            self.push_open(body);
        }
    }

    fn text(&mut self, text: &str, decode: bool) {
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
        let parent = self.current();
        let start = self.doc.text.len();
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
        if decode && memchr(b'&', rest.as_bytes()).is_some() {
            decode_into(&mut self.doc.text, rest, false);
        } else {
            self.doc.text.push_str(rest);
        }
        if memchr2(b'\r', b'\0', &self.doc.text.as_bytes()[start..]).is_some() {
            let cleaned = self.doc.text[start..]
                .replace("\r\n", "\n")
                .replace('\r', "\n")
                .replace('\0', "");
            self.doc.text.truncate(start);
            self.doc.text.push_str(&cleaned);
        }
        let end = self.doc.text.len() as u32;
        if end as usize == start {
            return;
        }
        // Text next to text (a comment or a dropped tag between them) is one node.
        let last = self.doc.nodes[parent as usize].last_child;
        if last != NONE
            && let Kind::Text(range) = &mut self.doc.nodes[last as usize].kind
            && range.end as usize == start
        {
            range.end = end;
            return;
        }
        self.append(parent, Kind::Text(start as u32..end));
    }

    fn comment(&mut self) {
        let parent = self.current();
        self.append(parent, Kind::Comment);
    }

    fn doctype(&mut self) {
        if self.html.is_none() {
            self.append(0, Kind::Doctype);
        }
    }

    /// Where in the open elements `name` is, when it is in `scope`.
    fn in_scope(&self, scope: Scope, matches: impl Fn(&str) -> bool) -> Option<usize> {
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
    fn close_from(&mut self, index: usize) {
        // <html> and <body> stay open to the end, as in a browser.
        let floor = self
            .open
            .iter()
            .position(|&id| Some(id) == self.body)
            .map_or(1, |i| i + 1);
        let index = index.max(floor.min(self.open.len()));
        self.truncate_open(index);
    }

    fn close_in_scope(&mut self, scope: Scope, matches: impl Fn(&str) -> bool) -> bool {
        match self.in_scope(scope, matches) {
            Some(i) => {
                self.close_from(i);
                true
            }
            None => false,
        }
    }

    fn start_tag(&mut self, name: &str, attrs: std::ops::Range<u32>, self_closing: bool) -> u32 {
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
                let body = self.new_element(html, "body", attrs);
                self.body = Some(body);
                self.push_open(body);
                return body;
            }
            // A form inside a form is ignored, as in a browser.
            "form" if self.open_form > 0 => return NONE,
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
                } else if !in_head {
                    self.ensure_html();
                }
            } else {
                self.ensure_body();
            }
        } else if self.open_head > 0 {
            self.ensure_body();
        }

        if self.foreign == 0 {
            self.imply_end_tags(name);
        }
        let parent = self.current();
        let id = self.new_element(parent, name, attrs);
        let foreign_root = matches!(name, "svg" | "math");
        let closes_itself = is_void(name) || (self_closing && (self.foreign > 0 || foreign_root));
        if !closes_itself {
            self.push_open(id);
        }
        id
    }

    /// Closes what a start tag `name` closes in a browser before it opens.
    fn imply_end_tags(&mut self, name: &str) {
        if self.open_p > 0 && closes_p(name) {
            self.close_in_scope(Scope::Button, |n| n == "p");
        }
        match name {
            "li" => self.close_item(&["li"]),
            "dd" | "dt" => self.close_item(&["dd", "dt"]),
            _ if is_heading(name) && is_heading(self.current_name()) => {
                self.pop_open();
            }
            "a" if self.open_a > 0 => {
                self.close_in_scope(Scope::Default, |n| n == "a");
            }
            "tr" => {
                self.close_in_scope(Scope::Table, |n| n == "tr");
            }
            "td" | "th" => {
                self.close_in_scope(Scope::Table, |n| matches!(n, "td" | "th"));
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

    /// Before a new `<li>` (or `<dd>`/`<dt>`), the open one ends; the search stops at any
    /// block that is not a `<div>`, `<p>` or `<address>`.
    fn close_item(&mut self, names: &[&str]) {
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

    fn end_tag(&mut self, name: &str) {
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
                if self.open_p > 0 {
                    self.close_in_scope(Scope::Button, |n| n == "p");
                }
            }
            "li" => {
                self.close_in_scope(Scope::ListItem, |n| n == "li");
            }
            "dd" | "dt" => {
                let own = name.to_owned();
                self.close_in_scope(Scope::Default, |n| n == own);
            }
            _ if is_heading(name) => {
                self.close_in_scope(Scope::Default, is_heading);
            }
            "tr" | "td" | "th" | "tbody" | "thead" | "tfoot" | "table" | "caption" => {
                let own = name.to_owned();
                self.close_in_scope(Scope::Table, |n| n == own);
            }
            _ if is_special(name) => {
                let own = name.to_owned();
                self.close_in_scope(Scope::Default, |n| n == own);
            }
            _ => {
                // Any other end tag closes its element only when no block was opened inside
                // it: `<font><div>…</font>…</div>` keeps the div open, as a browser does.
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
        }
    }

    /// A second `<html>` or `<body>` tag (or the first after one was implied) gives the
    /// element its attributes (`<html lang>` matters) when it has none yet.
    fn merge_attrs(&mut self, element: u32, attrs: std::ops::Range<u32>) {
        if let Kind::Element { attrs: own, .. } = &mut self.doc.nodes[element as usize].kind
            && own.start == own.end
        {
            *own = attrs;
        }
    }
}

struct Tokenizer<'s> {
    source: &'s str,
    pos: usize,
    /// The lower-cased name of the end tag being read.
    end_name: String,
}

impl Tokenizer<'_> {
    fn run(&mut self, builder: &mut Builder) {
        let bytes = self.source.as_bytes();
        while self.pos < bytes.len() {
            let Some(offset) = memchr(b'<', &bytes[self.pos..]) else {
                builder.text(&self.source[self.pos..], true);
                return;
            };
            let lt = self.pos + offset;
            let next = bytes.get(lt + 1).copied();
            let markup = match next {
                Some(b'!') | Some(b'?') => true,
                // `</` then anything is markup (`</ x>` is a bogus comment), unless the page ends.
                Some(b'/') => lt + 2 < bytes.len(),
                Some(b) => b.is_ascii_alphabetic(),
                None => false,
            };
            if !markup {
                // A `<` that opens no tag is text.
                builder.text(&self.source[self.pos..lt + 1], true);
                self.pos = lt + 1;
                continue;
            }
            builder.text(&self.source[self.pos..lt], true);
            self.pos = lt;
            match next {
                Some(b'!') => self.markup_declaration(builder),
                Some(b'?') => {
                    self.skip_past(b'>');
                    builder.comment();
                }
                Some(b'/') if bytes[lt + 2].is_ascii_alphabetic() => self.end_tag(builder),
                Some(b'/') => {
                    self.skip_past(b'>');
                    if bytes[lt + 2] != b'>' {
                        builder.comment();
                    }
                }
                _ => self.start_tag(builder),
            }
        }
    }

    /// Moves past the next `byte`, or to the end.
    fn skip_past(&mut self, byte: u8) {
        let bytes = self.source.as_bytes();
        self.pos = match memchr(byte, &bytes[self.pos..]) {
            Some(i) => self.pos + i + 1,
            None => bytes.len(),
        };
    }

    fn markup_declaration(&mut self, builder: &mut Builder) {
        let rest = &self.source.as_bytes()[self.pos..];
        if rest.starts_with(b"<!--") {
            // `<!-->` and `<!--->` are whole comments.
            let body = &rest[4..];
            let end = if body.starts_with(b">") {
                5
            } else if body.starts_with(b"->") {
                6
            } else {
                match memmem::find(body, b"-->") {
                    Some(i) => 4 + i + 3,
                    None => rest.len(),
                }
            };
            self.pos += end;
            builder.comment();
        } else if rest.len() >= 9 && rest[2..9].eq_ignore_ascii_case(b"doctype") {
            self.skip_past(b'>');
            builder.doctype();
        } else {
            self.skip_past(b'>');
            builder.comment();
        }
    }

    fn end_tag(&mut self, builder: &mut Builder) {
        let bytes = self.source.as_bytes();
        let start = self.pos + 2;
        let name_end = start
            + bytes[start..]
                .iter()
                .position(|b| b.is_ascii_whitespace() || *b == b'/' || *b == b'>')
                .unwrap_or(bytes.len() - start);
        self.end_name.clear();
        self.end_name.push_str(&self.source[start..name_end]);
        self.end_name.make_ascii_lowercase();
        self.pos = name_end;
        self.skip_past(b'>');
        if !self.end_name.is_empty() {
            builder.end_tag(&self.end_name);
        }
    }

    fn start_tag(&mut self, builder: &mut Builder) {
        let bytes = self.source.as_bytes();
        let start = self.pos + 1;
        let mut i = start;
        while i < bytes.len()
            && !(bytes[i].is_ascii_whitespace() || bytes[i] == b'/' || bytes[i] == b'>')
        {
            i += 1;
        }
        let mut name_buf = std::mem::take(&mut builder.attr_scratch);
        name_buf.clear();
        name_buf.push_str(&self.source[start..i]);
        name_buf.make_ascii_lowercase();
        if name_buf == "image" {
            name_buf.replace_range(.., "img");
        }
        let attrs_start = builder.doc.attrs.len();
        let text_start = builder.doc.attr_text.len();
        let mut self_closing = false;
        let mut complete = false;
        while i < bytes.len() {
            match bytes[i] {
                b'>' => {
                    i += 1;
                    complete = true;
                    break;
                }
                b'/' => {
                    self_closing = bytes.get(i + 1) == Some(&b'>');
                    i += 1;
                    continue;
                }
                b if b.is_ascii_whitespace() => {
                    i += 1;
                    continue;
                }
                _ => {}
            }
            self_closing = false;
            // An attribute name may start with `=`; after that, `=` ends it.
            let name_start = i;
            i += 1;
            while i < bytes.len()
                && !(bytes[i].is_ascii_whitespace() || matches!(bytes[i], b'/' | b'>' | b'='))
            {
                i += 1;
            }
            let attr_name = &self.source[name_start..i];
            while i < bytes.len() && bytes[i].is_ascii_whitespace() {
                i += 1;
            }
            let mut value: Option<&str> = None;
            if bytes.get(i) == Some(&b'=') {
                i += 1;
                while i < bytes.len() && bytes[i].is_ascii_whitespace() {
                    i += 1;
                }
                match bytes.get(i) {
                    Some(&quote @ (b'"' | b'\'')) => match memchr(quote, &bytes[i + 1..]) {
                        Some(len) => {
                            value = Some(&self.source[i + 1..i + 1 + len]);
                            i += len + 2;
                        }
                        None => {
                            i = bytes.len();
                            break;
                        }
                    },
                    Some(_) => {
                        let value_start = i;
                        while i < bytes.len()
                            && !(bytes[i].is_ascii_whitespace() || bytes[i] == b'>')
                        {
                            i += 1;
                        }
                        value = Some(&self.source[value_start..i]);
                    }
                    None => break,
                }
            }
            builder.add_attr(attrs_start, attr_name, value.unwrap_or(""));
        }
        self.pos = i;
        if !complete {
            // A tag cut off by the end of the page is dropped, as in a browser.
            builder.doc.attrs.truncate(attrs_start);
            builder.doc.attr_text.truncate(text_start);
            builder.attr_scratch = name_buf;
            return;
        }
        let attrs = attrs_start as u32..builder.doc.attrs.len() as u32;
        let id = builder.start_tag(&name_buf, attrs, self_closing);
        let mode = if builder.foreign > 0 || id == NONE {
            TextMode::Markup
        } else {
            text_mode(&name_buf)
        };
        if mode != TextMode::Markup && builder.open.last() == Some(&id) {
            self.element_text(builder, &name_buf, mode);
        }
        builder.attr_scratch = name_buf;
    }

    /// The text of a raw-text or escapable element, up to its end tag, which closes it.
    fn element_text(&mut self, builder: &mut Builder, name: &str, mode: TextMode) {
        let bytes = self.source.as_bytes();
        let (end, after) = if mode == TextMode::Plain {
            (bytes.len(), bytes.len())
        } else {
            find_end_tag(bytes, self.pos, name)
        };
        builder.text(&self.source[self.pos..end], mode == TextMode::Escapable);
        if builder
            .open
            .last()
            .is_some_and(|&top| builder.name_of(top) == name)
        {
            builder.pop_open();
        }
        self.pos = after;
    }
}

impl Builder {
    fn add_attr(&mut self, element_attrs_start: usize, raw_name: &str, raw_value: &str) {
        let name_start = self.doc.attr_text.len();
        self.doc.attr_text.push_str(raw_name);
        self.doc.attr_text[name_start..].make_ascii_lowercase();
        let name_end = self.doc.attr_text.len();
        let duplicate = self.doc.attrs[element_attrs_start..]
            .iter()
            .any(|a| self.doc.attr_slice(&a.name) == &self.doc.attr_text[name_start..name_end]);
        if duplicate {
            self.doc.attr_text.truncate(name_start);
            return;
        }
        if memchr(b'&', raw_value.as_bytes()).is_some() {
            decode_into(&mut self.doc.attr_text, raw_value, true);
        } else {
            self.doc.attr_text.push_str(raw_value);
        }
        self.doc.attrs.push(Attr {
            name: name_start as u32..name_end as u32,
            value: name_end as u32..self.doc.attr_text.len() as u32,
        });
    }
}

/// Where the end tag `</name` (any case, then white space, `/` or `>`) starts after `from`,
/// and where it ends; the end of the page when there is none.
fn find_end_tag(bytes: &[u8], from: usize, name: &str) -> (usize, usize) {
    let finder = memmem::Finder::new(b"</");
    let mut at = from;
    while let Some(i) = finder.find(&bytes[at..]) {
        let start = at + i;
        let name_start = start + 2;
        let name_end = name_start + name.len();
        if name_end <= bytes.len()
            && bytes[name_start..name_end].eq_ignore_ascii_case(name.as_bytes())
            && bytes
                .get(name_end)
                .is_none_or(|b| b.is_ascii_whitespace() || *b == b'/' || *b == b'>')
        {
            let after = match memchr(b'>', &bytes[name_end..]) {
                Some(j) => name_end + j + 1,
                None => bytes.len(),
            };
            return (start, after);
        }
        at = start + 2;
    }
    (bytes.len(), bytes.len())
}

#[cfg(test)]
mod tests {
    use super::super::{Document, Node, NodeRef};

    /// The tree as a browser's serialization would show it, attributes left out.
    fn outline(doc: &Document) -> String {
        fn walk(node: NodeRef<'_>, out: &mut String) {
            match node.value() {
                Node::Text(t) => out.push_str(t),
                Node::Element(e) => {
                    out.push('<');
                    out.push_str(e.name());
                    out.push('>');
                    for child in node.children() {
                        walk(child, out);
                    }
                    out.push_str("</");
                    out.push_str(e.name());
                    out.push('>');
                }
                Node::Comment | Node::Doctype => {}
                Node::Document => {
                    for child in node.children() {
                        walk(child, out);
                    }
                }
            }
        }
        let mut out = String::new();
        walk(doc.root(), &mut out);
        out
    }

    fn body(source: &str) -> String {
        let doc = Document::parse(source);
        let full = outline(&doc);
        let start = full.find("<body>").map_or(0, |i| i + "<body>".len());
        let end = full.rfind("</body>").unwrap_or(full.len());
        full[start..end].to_owned()
    }

    #[test]
    fn a_page_gets_html_head_and_body_as_in_a_browser() {
        let doc = Document::parse("<title>标题</title><p>正文");
        assert_eq!(
            outline(&doc),
            "<html><head><title>标题</title></head><body><p>正文</p></body></html>"
        );
        let doc = Document::parse(
            "<!DOCTYPE html><html><head><meta charset=utf-8></head><body><div>x</div></body></html>",
        );
        assert_eq!(
            outline(&doc),
            "<html><head><meta></meta></head><body><div>x</div></body></html>"
        );
        // Body content in an unclosed head ends the head.
        let doc = Document::parse("<html><head><title>t</title><div>正文</div></html>");
        assert_eq!(
            outline(&doc),
            "<html><head><title>t</title></head><body><div>正文</div></body></html>"
        );
    }

    #[test]
    fn end_tags_a_browser_implies_are_implied() {
        assert_eq!(
            body("<p>一<p>二<div>三</div>"),
            "<p>一</p><p>二</p><div>三</div>"
        );
        assert_eq!(
            body("<ul><li>一<li>二<ul><li>三</ul><li>四</ul>"),
            "<ul><li>一</li><li>二<ul><li>三</li></ul></li><li>四</li></ul>"
        );
        assert_eq!(
            body("<table><tr><td>a<td>b<tr><td>c</table>"),
            "<table><tr><td>a</td><td>b</td></tr><tr><td>c</td></tr></table>"
        );
        assert_eq!(
            body("<dl><dt>a<dd>b<dt>c</dl>"),
            "<dl><dt>a</dt><dd>b</dd><dt>c</dt></dl>"
        );
        assert_eq!(body("<h2>a<h3>b</h3>"), "<h2>a</h2><h3>b</h3>");
        assert_eq!(body("<a href=1>a<a href=2>b</a>"), "<a>a</a><a>b</a>");
        assert_eq!(body("<p>a<br/>b</br>c"), "<p>a<br></br>b<br></br>c</p>");
    }

    #[test]
    fn stray_end_tags_close_only_what_they_may() {
        // A </div> with no div open is ignored; an inline end tag does not close a block
        // opened inside it.
        assert_eq!(body("<div>a</span>b</div>c"), "<div>ab</div>c");
        assert_eq!(
            body("<font><div>a</font>b</div>"),
            "<font><div>ab</div></font>"
        );
        assert_eq!(body("<div><span>a</div>b"), "<div><span>a</span></div>b");
        // A table cell is a boundary: </div> inside it does not close the div around the table.
        assert_eq!(
            body("<div><table><tr><td>a</div>b</td></tr></table>c</div>d"),
            "<div><table><tr><td>ab</td></tr></table>c</div>d"
        );
        // `<div/>` is a start tag in HTML; only void elements and SVG close themselves.
        assert_eq!(
            body("<div/>a</div><svg><path/></svg>b"),
            "<div>a</div><svg><path></path></svg>b"
        );
    }

    #[test]
    fn raw_text_and_references_are_read_as_in_a_browser() {
        assert_eq!(
            body("<p>x</p><script>if (a<b && c) x = '</p>';</script><p>a&amp;b&lt;c&#x4e2d;&nbsp;"),
            "<p>x</p><script>if (a<b && c) x = '</p>';</script><p>a&b<c中\u{a0}</p>"
        );
        assert_eq!(
            body("<textarea>\n&lt;b&gt;</TEXTAREA>x"),
            "<textarea><b></textarea>x"
        );
        assert_eq!(body("a < b <3 </ c> d"), "a < b <3  d");
        assert_eq!(body("x</"), "x</");
        assert_eq!(body("<pre>\ncode\r\nline</pre>"), "<pre>code\nline</pre>");
        assert_eq!(body("a<!-- <p>not</p> -->b<!---->c"), "abc");
        let doc =
            Document::parse("<a href='/x?a=1&amp;b=2&copy=3' TITLE=\"t\" title=dup data-x>y</a>");
        let a = doc
            .root()
            .descendants()
            .find(|n| n.tag() == Some("a"))
            .unwrap();
        assert_eq!(a.attr("href"), Some("/x?a=1&b=2&copy=3"));
        assert_eq!(a.attr("title"), Some("t"));
        assert_eq!(a.attr("data-x"), Some(""));
    }

    #[test]
    fn cut_off_pages_still_parse() {
        for source in [
            "<div class=\"a",
            "<!-- never closed",
            "<script>var a = 1;",
            "<p>a</",
            "&#x",
            "<",
            "</",
        ] {
            let doc = Document::parse(source);
            assert!(doc.node_count() >= 1, "{source:?}");
        }
        assert_eq!(body("<p>text<div class=\"cut"), "<p>text</p>");
    }

    #[test]
    fn html_lang_survives_an_implied_html() {
        let doc = Document::parse("<meta charset=utf-8><html lang=zh-CN><p>x");
        let html = doc
            .root()
            .descendants()
            .find(|n| n.tag() == Some("html"))
            .unwrap();
        assert_eq!(html.attr("lang"), Some("zh-CN"));
    }

    #[test]
    fn ids_follow_document_order() {
        let doc = Document::parse(
            "<html><head><title>t</title></head><body><div><p>a<b>b</b><ul><li>x<li>y</ul></div><p>z</p><!--c--></body></html><p>after",
        );
        for node in doc.nodes() {
            for child in node.children() {
                assert!(child.id() > node.id());
            }
            if let Some(next) = node.next_sibling() {
                assert!(node.descendants().all(|d| d.id() < next.id()));
            }
        }
        let descendants: Vec<_> = doc.root().descendants().map(|n| n.id()).collect();
        let all: Vec<_> = doc.nodes().map(|n| n.id()).collect();
        assert_eq!(descendants, all);
    }
}
