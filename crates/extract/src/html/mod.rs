//! The page as a tree, and the parser that builds it.
//!
//! Why not html5ever (through scraper), which this crate used first: parsing took about 60% of
//! extraction time, most of it in a tokenizer that moves the page through a character queue
//! one code point at a time, and in interning every name. Extraction has to run many times
//! faster than the peers it is measured against, so the page is read here instead, a byte
//! slice at a time (`tokenize`), into one arena (`build`): nodes in a `Vec`, text and
//! attribute values as ranges of the page itself, or of a buffer for the few that needed
//! decoding. The one limit the standard does not set: at most 64 unclosed formatting
//! elements are remembered, so that a hostile page cannot make every block reopen thousands.
//!
//! It follows the WHATWG tree construction wherever that decides where text ends up: void
//! and raw-text elements, character references, implied `<html>`, `<head>`, `<body>`, row
//! groups and rows, the end tags a browser implies (`<p>`, `<li>`, `<dd>`, cells, headings,
//! `<option>`), end tags that close only what their scope allows, quirks mode (a `<table>` in
//! a `<p>` of an old page stays inside it), content in a table outside its cells placed
//! before the table, and the list of active formatting elements with the adoption agency
//! (`<a><div>x</a>y` leaves "y" out of the link). What it leaves out does not move text:
//! the insertion modes of `<select>`, `<frameset>` and foreign content beyond self-closing
//! tags, and `<template>` contents kept apart. `tests.rs` holds it to html5ever's tree on
//! fragments written for each rule and on every page of the public extraction sets.
//!
//! Node ids follow document order (the few moves the standard makes are followed by a
//! renumbering), so a node's id is greater than its parent's and than every earlier node's:
//! a reverse walk over ids visits children before parents, and a subtree is a range of ids.

mod build;
mod entity;
#[cfg(test)]
mod tests;
mod tokenize;

use std::ops::Range;

/// A node's place in its [`Document`]; ids follow document order.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub struct NodeId(u32);

impl NodeId {
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

const NONE: u32 = u32::MAX;

/// Marks the start of a range that points into `Document::source`.
const IN_SOURCE: u32 = 1 << 31;

/// A parsed page.
#[derive(Debug)]
pub struct Document {
    nodes: Vec<NodeData>,
    /// The page as given. Text and attribute values that need no decoding point into it
    /// (their ranges carry `IN_SOURCE`) instead of being copied: copying them was a good
    /// part of parsing time, on pages with large scripts especially.
    source: String,
    /// The text of text nodes that needed decoding or joining, one after another.
    text: String,
    attrs: Vec<Attr>,
    /// Names and values of every attribute, and tag names the parser does not know.
    attr_text: String,
}

#[derive(Debug, Clone)]
struct NodeData {
    parent: u32,
    first_child: u32,
    last_child: u32,
    prev_sibling: u32,
    next_sibling: u32,
    kind: Kind,
}

#[derive(Debug, Clone)]
enum Kind {
    Document,
    Doctype,
    Comment,
    Text(Range<u32>),
    Element { name: TagName, attrs: Range<u32> },
}

#[derive(Debug, Clone, Copy)]
enum TagName {
    Known(&'static str),
    /// A range of `attr_text`.
    Other(u32, u32),
}

#[derive(Debug, Clone)]
struct Attr {
    name: Range<u32>,
    value: Range<u32>,
}

/// What a node is, borrowed from its document.
#[derive(Debug, Clone, Copy)]
pub enum Node<'a> {
    Document,
    Doctype,
    Comment,
    Text(&'a str),
    Element(Element<'a>),
}

/// An element: its lower-case name and its attributes.
#[derive(Debug, Clone, Copy)]
pub struct Element<'a> {
    name: &'a str,
    doc: &'a Document,
    /// A range of `doc.attrs`.
    attrs: (u32, u32),
}

impl<'a> Element<'a> {
    pub fn name(&self) -> &'a str {
        self.name
    }

    /// The value of attribute `name` (lower case); the first one when a tag repeats it.
    pub fn attr(&self, name: &str) -> Option<&'a str> {
        self.attrs().find(|(n, _)| *n == name).map(|(_, v)| v)
    }

    pub fn attrs(&self) -> impl Iterator<Item = (&'a str, &'a str)> + 'a {
        let doc = self.doc;
        doc.attrs[self.attrs.0 as usize..self.attrs.1 as usize]
            .iter()
            .map(move |a| (doc.attr_slice(&a.name), doc.attr_slice(&a.value)))
    }
}

/// A range of the page itself (marked `IN_SOURCE`) or of a buffer of decoded text.
pub(super) fn resolve<'a>(source: &'a str, buffer: &'a str, range: &Range<u32>) -> &'a str {
    if range.start & IN_SOURCE != 0 {
        &source[(range.start & !IN_SOURCE) as usize..range.end as usize]
    } else {
        &buffer[range.start as usize..range.end as usize]
    }
}

/// Builds the parser's tables now (see [`crate::warm_up`]).
pub(crate) fn warm_up() {
    build::warm_up();
}

impl Document {
    /// Parses a whole page, which the document keeps. Never fails: every input is some
    /// tree, as in a browser.
    pub fn parse_owned(source: String) -> Document {
        tokenize::parse(source)
    }

    #[cfg(test)]
    pub fn parse(source: &str) -> Document {
        tokenize::parse(source.to_owned())
    }

    /// The page as parsed.
    pub fn source(&self) -> &str {
        &self.source
    }

    pub fn root(&self) -> NodeRef<'_> {
        NodeRef { doc: self, id: 0 }
    }

    pub fn get(&self, id: NodeId) -> Option<NodeRef<'_>> {
        (id.index() < self.nodes.len()).then_some(NodeRef {
            doc: self,
            id: id.0,
        })
    }

    /// How many nodes the page has; every [`NodeId`] indexes below it.
    pub fn node_count(&self) -> usize {
        self.nodes.len()
    }

    /// Every node, in document order.
    pub fn nodes(&self) -> impl DoubleEndedIterator<Item = NodeRef<'_>> {
        (0..self.nodes.len() as u32).map(move |id| NodeRef { doc: self, id })
    }

    fn attr_slice(&self, range: &Range<u32>) -> &str {
        self.slice(&self.attr_text, range)
    }

    fn text_slice(&self, range: &Range<u32>) -> &str {
        self.slice(&self.text, range)
    }

    fn slice<'a>(&'a self, buffer: &'a str, range: &Range<u32>) -> &'a str {
        resolve(&self.source, buffer, range)
    }

    fn tag_name(&self, name: TagName) -> &str {
        match name {
            TagName::Known(name) => name,
            TagName::Other(start, end) => &self.attr_text[start as usize..end as usize],
        }
    }
}

/// A node and the document it lives in.
#[derive(Clone, Copy)]
pub struct NodeRef<'a> {
    doc: &'a Document,
    id: u32,
}

impl std::fmt::Debug for NodeRef<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "NodeRef({}, {:?})", self.id, self.value())
    }
}

impl<'a> NodeRef<'a> {
    pub fn id(&self) -> NodeId {
        NodeId(self.id)
    }

    fn data(&self) -> &'a NodeData {
        &self.doc.nodes[self.id as usize]
    }

    fn at(&self, id: u32) -> Option<NodeRef<'a>> {
        (id != NONE).then_some(NodeRef { doc: self.doc, id })
    }

    pub fn value(&self) -> Node<'a> {
        let doc = self.doc;
        match &self.data().kind {
            Kind::Document => Node::Document,
            Kind::Doctype => Node::Doctype,
            Kind::Comment => Node::Comment,
            Kind::Text(range) => Node::Text(doc.text_slice(range)),
            Kind::Element { name, attrs } => Node::Element(Element {
                name: doc.tag_name(*name),
                doc,
                attrs: (attrs.start, attrs.end),
            }),
        }
    }

    /// The element's name, or `None` for text, comments and the document.
    pub fn tag(&self) -> Option<&'a str> {
        match &self.data().kind {
            Kind::Element { name, .. } => Some(self.doc.tag_name(*name)),
            _ => None,
        }
    }

    pub fn attr(&self, name: &str) -> Option<&'a str> {
        match self.value() {
            Node::Element(e) => e.attr(name),
            _ => None,
        }
    }

    pub fn parent(&self) -> Option<NodeRef<'a>> {
        self.at(self.data().parent)
    }

    pub fn first_child(&self) -> Option<NodeRef<'a>> {
        self.at(self.data().first_child)
    }

    pub fn last_child(&self) -> Option<NodeRef<'a>> {
        self.at(self.data().last_child)
    }

    pub fn next_sibling(&self) -> Option<NodeRef<'a>> {
        self.at(self.data().next_sibling)
    }

    pub fn prev_sibling(&self) -> Option<NodeRef<'a>> {
        self.at(self.data().prev_sibling)
    }

    pub fn children(&self) -> Children<'a> {
        Children {
            front: self.first_child(),
            back: self.last_child(),
        }
    }

    /// Parent, grandparent, and so on up to the document.
    pub fn ancestors(&self) -> impl Iterator<Item = NodeRef<'a>> + 'a {
        std::iter::successors(self.parent(), NodeRef::parent)
    }

    /// This node and everything inside it, in document order.
    pub fn descendants(&self) -> impl Iterator<Item = NodeRef<'a>> + 'a {
        let doc = self.doc;
        let end = self.subtree_end();
        (self.id..end).map(move |id| NodeRef { doc, id })
    }

    /// Whether `other` is this node or inside it.
    pub fn contains(&self, other: &NodeRef<'_>) -> bool {
        self.id <= other.id && other.id < self.subtree_end()
    }

    /// One past the last id inside this node: ids follow document order, so a subtree is a
    /// range of them, ending where the next node after it (not inside it) begins.
    fn subtree_end(&self) -> u32 {
        let mut node = *self;
        loop {
            if let Some(next) = node.next_sibling() {
                return next.id;
            }
            match node.parent() {
                Some(parent) => node = parent,
                None => return self.doc.nodes.len() as u32,
            }
        }
    }
}

/// The children of a node, from either end.
pub struct Children<'a> {
    front: Option<NodeRef<'a>>,
    back: Option<NodeRef<'a>>,
}

impl<'a> Iterator for Children<'a> {
    type Item = NodeRef<'a>;

    fn next(&mut self) -> Option<NodeRef<'a>> {
        let node = self.front?;
        if self.back.is_some_and(|b| b.id == node.id) {
            self.front = None;
            self.back = None;
        } else {
            self.front = node.next_sibling();
        }
        Some(node)
    }
}

impl DoubleEndedIterator for Children<'_> {
    fn next_back(&mut self) -> Option<Self::Item> {
        let node = self.back?;
        if self.front.is_some_and(|f| f.id == node.id) {
            self.front = None;
            self.back = None;
        } else {
            self.back = node.prev_sibling();
        }
        Some(node)
    }
}
