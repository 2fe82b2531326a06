//! The parser against html5ever, the standard's reference implementation in Rust: the same
//! tree on tricky fragments, and on every page of the public extraction sets when they are
//! there.

use super::{Document, Node};

/// The tree as nested tags (with their attributes, sorted) and text, white-space-only text
/// left out. SVG, MathML and `<template>` appear without their insides or attributes:
/// html5ever keeps a template's content apart and spells SVG names in camel case, and
/// extraction drops all three anyway.
fn ours(source: &str) -> String {
    outline(&Document::parse(source))
}

fn outline(doc: &Document) -> String {
    let mut out = String::new();
    let mut stack = vec![(doc.root(), false)];
    while let Some((node, closing)) = stack.pop() {
        match node.value() {
            Node::Element(e) if closing => {
                out.push_str("</");
                out.push_str(e.name());
                out.push('>');
            }
            Node::Element(e) => {
                open_tag(&mut out, e.name(), e.attrs().collect());
                stack.push((node, true));
                if !matches!(e.name(), "svg" | "math" | "template") {
                    stack.extend(node.children().rev().map(|c| (c, false)));
                }
            }
            Node::Text(t) if !t.trim().is_empty() => out.push_str(t),
            Node::Document => stack.extend(node.children().rev().map(|c| (c, false))),
            _ => {}
        }
    }
    out
}

/// Writes a start tag with its attributes sorted; SVG and MathML, which spell attribute names
/// in camel case and with namespaces, without them.
fn open_tag(out: &mut String, name: &str, mut attrs: Vec<(&str, &str)>) {
    out.push('<');
    out.push_str(name);
    if !matches!(name, "svg" | "math") {
        attrs.sort_unstable();
        for (name, value) in attrs {
            out.push_str(&format!(" {name}={value:?}"));
        }
    }
    out.push('>');
}

fn html5ever(source: &str) -> String {
    let doc = scraper::Html::parse_document(source);
    let mut out = String::new();
    let mut stack = vec![(doc.tree.root(), false)];
    while let Some((node, closing)) = stack.pop() {
        match node.value() {
            scraper::Node::Element(e) if closing => {
                out.push_str("</");
                out.push_str(e.name());
                out.push('>');
            }
            scraper::Node::Element(e) => {
                open_tag(&mut out, e.name(), e.attrs().collect());
                stack.push((node, true));
                if !matches!(e.name(), "svg" | "math" | "template") {
                    stack.extend(node.children().rev().map(|c| (c, false)));
                }
            }
            scraper::Node::Text(t) if !t.trim().is_empty() => out.push_str(t),
            scraper::Node::Document => {
                stack.extend(node.children().rev().map(|c| (c, false)));
            }
            _ => {}
        }
    }
    out
}

/// Fragments on which a simple parser goes wrong, each for a rule the standard has.
const TRICKY: &[&str] = &[
    // Ruby readings, closed and left open.
    "<p><ruby>漢<rp>(</rp><rt>かん</rt><rp>)</rp>字<rt>じ</rt></ruby>です",
    "<p><ruby>漢<rt>かん<rt>じ<rp>(x</ruby>後",
    // <html>, <head> and <body>, written or not.
    "<title>标题</title><p>正文",
    "<!DOCTYPE html><html><head><meta charset=utf-8></head><body><div>x</div></body></html>",
    "<html><head><title>t</title><div>正文</div></html>",
    "<html><head></head><style>p{}</style><body><p>x</p></body></html><p>after",
    "<meta charset=gbk><html lang=zh><p>x",
    // End tags a browser implies.
    "<p>一<p>二<div>三</div>",
    "<ul><li>一<li>二<ul><li>三</ul><li>四</ul>",
    "<dl><dt>a<dd>b<dt>c</dl>",
    "<h2>a<h3>b</h3>",
    "<p>a<br/>b</br>c",
    "<select><option>a<option>b<optgroup><option>c</select>",
    // Tables: implied row groups and rows, content outside cells, forms and inputs.
    "<table><tr><td>a<td>b<tr><td>c</table>",
    "<table><td>a</table>",
    "<table>stray text<tr><td>cell</td></tr></table>",
    "<table><div>fostered</div><tr><td>x</td></tr></table>",
    "<table><form><tr><td>in form</td></tr></form></table>",
    "<table><input type=hidden><input type=text><tr><td>x</table>",
    "<div><table><tr><td>a</div>b</td></tr></table>c</div>d",
    "<td>no table</td><tr>none</tr>",
    // A table inside a paragraph, with and without a modern doctype.
    "<p>quirks<table><tr><td>x</td></tr></table>",
    "<!DOCTYPE html><p>standard<table><tr><td>x</td></tr></table>",
    "<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 4.01 Transitional//EN\"><p>q<table><tr><td>x</table>",
    "<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 4.01 Transitional//EN\" \"http://www.w3.org/TR/html4/loose.dtd\"><p>lq<table><tr><td>x</table>",
    // Misnested formatting elements and stray end tags.
    "<div>a</span>b</div>c",
    "<font><div>a</font>b</div>",
    "<div><span>a</div>b",
    "<b>1<p>2</b>3</p>",
    "<a href=1>a<a href=2>b</a>",
    "<a name=top /><div id=c><h3>评论</h3><h4><a href=#1>#</a>re</h4></div>",
    "<b><i>x</b>y</i>z",
    "<p><b>bold<p>still bold</b>not",
    "<font color=red><font color=red><font color=red><font color=red>deep</font>",
    "<div>a</p>b</div>",
    "<nobr>a<nobr>b",
    // `<x/>` is a start tag in HTML; only void elements and foreign ones close themselves.
    "<div/>a</div><svg><path/></svg>b",
    // Raw text, references, comments, odd markup.
    "<p>x</p><script>if (a<b && c) x = '</p>';</script><p>a&amp;b&lt;c&#x4e2d;&nbsp;&notit;",
    "<textarea>\n&lt;b&gt;</TEXTAREA>x",
    "a < b <3 </ c> d",
    "<pre>\ncode\r\nline</pre>",
    "a<!-- <p>not</p> -->b<!---->c<!--->d",
    "<p>x<?php echo 1; ?>y",
    "<image src=a.png>",
    // Cut off pages.
    "<p>text<div class=\"cut",
    "<!-- never closed",
    "<script>var a = 1;",
    "x</",
];

#[test]
fn tricky_fragments_parse_as_in_html5ever() {
    let mut wrong = Vec::new();
    for source in TRICKY {
        let (got, want) = (ours(source), html5ever(source));
        if got != want {
            wrong.push(format!(
                "{source:?}\n  ours:      {got}\n  html5ever: {want}"
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn text_copied_or_pointed_to_reads_the_same() {
    for source in TRICKY {
        let copied = super::tokenize::parse_with(source.to_string(), false);
        assert_eq!(ours(source), outline(&copied), "{source:?}");
    }
}

#[test]
fn public_pages_parse_as_in_html5ever() {
    let mut pages = 0;
    let mut sets = 0;
    let mut wrong = Vec::new();
    for set in [
        "chinese-web-content-extraction",
        "scrapinghub-article-extraction-benchmark",
    ] {
        let Some(dir) = xinwen_test_support::shared_data(&format!("{set}/html")) else {
            continue;
        };
        sets += 1;
        for entry in std::fs::read_dir(&dir).expect("readable dataset") {
            let path = entry.expect("readable entry").path();
            let mut bytes = Vec::new();
            std::io::Read::read_to_end(
                &mut flate2::read::GzDecoder::new(std::fs::File::open(&path).expect("page")),
                &mut bytes,
            )
            .expect("gzip page");
            let (source, _) = crate::charset::decode_html(&bytes, None);
            pages += 1;
            let (got, want) = (ours(&source), html5ever(&source));
            if got != want {
                let at = got
                    .char_indices()
                    .zip(want.chars())
                    .find(|((_, a), b)| a != b)
                    .map_or(got.len().min(want.len()), |((i, _), _)| i);
                let around = |s: &str| {
                    let start = s.floor_char_boundary(at.saturating_sub(120));
                    let end = s.ceil_char_boundary((at + 80).min(s.len()));
                    s[start..end].to_owned()
                };
                wrong.push(format!(
                    "{}\n  ours:      …{}…\n  html5ever: …{}…",
                    path.display(),
                    around(&got),
                    around(&want)
                ));
            }
        }
    }
    if sets > 0 {
        xinwen_test_support::compared("public pages parsed by both", pages);
    }
    assert!(
        wrong.is_empty(),
        "{} of {pages} differ:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}

#[test]
fn attributes_are_lower_cased_decoded_and_first_wins() {
    let doc = Document::parse("<a href='/x?a=1&amp;b=2&copy=3' TITLE=\"t\" title=dup data-x>y</a>");
    let a = doc
        .root()
        .descendants()
        .find(|n| n.tag() == Some("a"))
        .expect("a link");
    assert_eq!(a.attr("href"), Some("/x?a=1&b=2&copy=3"));
    assert_eq!(a.attr("title"), Some("t"));
    assert_eq!(a.attr("data-x"), Some(""));
    let doc = Document::parse("<meta charset=utf-8><html lang=zh-CN><p>x");
    let html = doc.root().descendants().find(|n| n.tag() == Some("html"));
    assert_eq!(html.and_then(|h| h.attr("lang")), Some("zh-CN"));
}

#[test]
fn ids_follow_document_order_even_after_nodes_move() {
    for source in [
        "<html><head><title>t</title></head><body><div><p>a<b>b</b><ul><li>x<li>y</ul></div><p>z</p><!--c--></body></html><p>after",
        "<table>fostered<tr><td>x</td></tr></table><b>1<p>2</b>3</p>",
        "<head></head><!--c--><style>p{}</style><a name=t /><div><h4><a>x</a></h4></div>",
    ] {
        let doc = Document::parse(source);
        for node in doc.nodes() {
            for child in node.children() {
                assert!(child.id() > node.id(), "{source}");
            }
            if let Some(next) = node.next_sibling() {
                assert!(node.descendants().all(|d| d.id() < next.id()), "{source}");
            }
        }
        let descendants: Vec<_> = doc.root().descendants().map(|n| n.id()).collect();
        let all: Vec<_> = doc.nodes().map(|n| n.id()).collect();
        assert_eq!(descendants, all, "{source}");
    }
}

#[test]
fn thousands_of_unclosed_formatting_elements_do_not_multiply_the_page() {
    let mut page = String::from("<div>");
    for i in 0..5000 {
        page.push_str(&format!("<b id=b{i}>"));
    }
    page.push_str("</div>");
    for _ in 0..5000 {
        page.push_str("<div>x</div>");
    }
    let doc = Document::parse(&page);
    // 5,000 bold elements, 5,000 blocks of text and what each block reopens, bounded.
    assert!(doc.node_count() < 5000 * 70, "{} nodes", doc.node_count());
}
