//! The allow-list sanitizer every article body passes through before it is stored.
//!
//! ammonia (html5ever underneath) is used rather than a hand-written filter: parsing HTML the
//! way browsers do is the only sound base for deciding what is safe, and ammonia is the
//! maintained allow-list sanitizer of the Rust ecosystem.

use ammonia::{Builder, UrlRelative};
use std::collections::HashSet;
use std::sync::OnceLock;

/// Elements an article body may keep: text structure, figures, tables, quotes. Everything else
/// (script, style, iframe, object, embed, form, base, meta...) is removed with its attributes.
const ALLOWED_TAGS: &[&str] = &[
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "caption",
    "cite",
    "code",
    "dd",
    "del",
    "dl",
    "dt",
    "em",
    "figcaption",
    "figure",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "img",
    "ins",
    "li",
    "mark",
    "ol",
    "p",
    "pre",
    "q",
    "s",
    "small",
    "strong",
    "sub",
    "sup",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "time",
    "tr",
    "u",
    "ul",
];

fn builder() -> &'static Builder<'static> {
    static BUILDER: OnceLock<Builder<'static>> = OnceLock::new();
    BUILDER.get_or_init(|| {
        let mut b = Builder::empty();
        b.add_tags(ALLOWED_TAGS.iter().copied())
            .add_tag_attributes("a", ["href", "title"])
            .add_tag_attributes("img", ["src", "alt", "width", "height", "title"])
            .add_tag_attributes("td", ["colspan", "rowspan"])
            .add_tag_attributes("th", ["colspan", "rowspan", "scope"])
            .add_tag_attributes("time", ["datetime"])
            .add_tag_attributes("blockquote", ["cite"])
            .add_tag_attributes("q", ["cite"])
            // No data: URLs at all: data:text/html runs script, and images we serve ourselves.
            .url_schemes(HashSet::from(["http", "https", "mailto"]))
            // Paths on our own site (the media directory) stay as they are.
            .url_relative(UrlRelative::PassThrough)
            .link_rel(Some("noopener noreferrer nofollow"))
            .attribute_filter(|_element, attribute, value| {
                if matches!(attribute, "href" | "src" | "cite") && hidden_scheme(value) {
                    None
                } else {
                    Some(value.into())
                }
            })
            .strip_comments(true)
            .clean_content_tags(HashSet::from(["script", "style", "template", "noscript"]));
        b
    })
}

/// A URL that passes for relative only because invisible characters hide its scheme
/// (`\u{2028}javascript:`, `java\u{3}script:`). Browsers differ in what they skip; we refuse
/// what any might read as script.
fn hidden_scheme(value: &str) -> bool {
    let visible: String = value
        .chars()
        .filter(|c| {
            !c.is_whitespace()
                && !c.is_control()
                && !matches!(
                    *c,
                    '\u{200b}'..='\u{200f}' | '\u{180e}' | '\u{feff}' | '\u{2060}'
                )
        })
        .collect::<String>()
        .to_ascii_lowercase();
    ["javascript:", "vbscript:", "livescript:", "data:"]
        .iter()
        .any(|scheme| visible.starts_with(scheme))
}

/// Returns `html` with everything not on the allow-list removed.
pub fn sanitize_html(html: &str) -> String {
    // Written straight to bytes: `to_string` would serialize to bytes and then copy them
    // through a formatter.
    let mut out = Vec::with_capacity(html.len());
    if builder().clean(html).write_to(&mut out).is_err() {
        // Writing to memory fails only when memory does; nothing unsafe is returned.
        return String::new();
    }
    String::from_utf8(out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// The readable text of sanitized HTML: block elements become line breaks, entities decoded.
///
/// Used for summaries and, later, for indexing; it never returns markup.
pub fn html_to_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(lt) = rest.find('<') {
        push_decoded(&mut out, &rest[..lt]);
        let Some(gt) = rest[lt..].find('>') else {
            rest = "";
            break;
        };
        let tag = rest[lt + 1..lt + gt].trim_start_matches('/');
        let name: String = tag
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        if matches!(
            name.as_str(),
            "p" | "br"
                | "div"
                | "li"
                | "h2"
                | "h3"
                | "h4"
                | "h5"
                | "h6"
                | "figcaption"
                | "tr"
                | "blockquote"
                | "figure"
                | "pre"
                | "table"
        ) && !out.ends_with('\n')
            && !out.is_empty()
        {
            out.push('\n');
        }
        rest = &rest[lt + gt + 1..];
    }
    push_decoded(&mut out, rest);
    out.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

fn push_decoded(out: &mut String, text: &str) {
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let tail = &rest[amp..];
        // Searched in bytes: a byte count can end inside a multi-byte character, and ';' is
        // ASCII, so wherever it is found the slice boundary is a character boundary.
        let Some(semi) = tail.as_bytes()[..tail.len().min(12)]
            .iter()
            .position(|&b| b == b';')
        else {
            out.push('&');
            rest = &tail[1..];
            continue;
        };
        let entity = &tail[1..semi];
        let decoded = match entity {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" | "#39" => Some('\''),
            "nbsp" => Some(' '),
            _ => entity
                .strip_prefix("#x")
                .or_else(|| entity.strip_prefix("#X"))
                .and_then(|hex| u32::from_str_radix(hex, 16).ok())
                .or_else(|| entity.strip_prefix('#').and_then(|d| d.parse().ok()))
                .and_then(char::from_u32),
        };
        match decoded {
            Some(c) => {
                out.push(c);
                rest = &tail[semi + 1..];
            }
            None => {
                out.push('&');
                rest = &tail[1..];
            }
        }
    }
    out.push_str(rest);
}

/// Builds the sanitizer's allow-lists now (see [`crate::warm_up`]).
pub(crate) fn warm_up() {
    builder();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn executable_content_is_removed() {
        let cases = [
            r#"<p>正文<script>alert(1)</script></p>"#,
            r#"<img src="x" onerror="alert(1)">"#,
            r#"<a href="javascript:alert(1)">链接</a>"#,
            r#"<a href="vbscript:msgbox(1)">链接</a>"#,
            r#"<a href="data:text/html,<script>alert(1)</script>">链接</a>"#,
            r#"<iframe src="https://example.com"></iframe><object data="x"></object><embed src="x">"#,
            r#"<form action="/x"><input name="a"></form><base href="https://evil.example/">"#,
            r#"<meta http-equiv="refresh" content="0;url=javascript:alert(1)">"#,
            r#"<p style="width: expression(alert(1))">样式</p><style>p{}</style>"#,
        ];
        for case in cases {
            let clean = sanitize_html(case).to_ascii_lowercase();
            for bad in [
                "<script",
                "onerror",
                "javascript:",
                "vbscript:",
                "data:",
                "<iframe",
                "<object",
                "<embed",
                "<form",
                "<input",
                "<base",
                "<meta",
                "expression(",
                "<style",
                "style=",
            ] {
                assert!(
                    !clean.contains(bad),
                    "{bad} survived in {clean} (from {case})"
                );
            }
        }
    }

    #[test]
    fn article_structure_is_kept_and_links_are_marked() {
        let html = r#"<h2>小标题</h2><figure><img src="/media/a.svg" alt="图"><figcaption>图说</figcaption></figure><p><a href="https://example.com/">原文</a></p>"#;
        let clean = sanitize_html(html);
        assert!(clean.contains("<h2>小标题</h2>"));
        assert!(clean.contains(r#"<img src="/media/a.svg" alt="图">"#));
        assert!(clean.contains("<figcaption>图说</figcaption>"));
        assert!(clean.contains(r#"rel="noopener noreferrer nofollow""#));
    }

    #[test]
    fn text_keeps_paragraphs_apart_and_decodes_entities() {
        let text = html_to_text(
            "<p>第一段 &amp; 更多</p><p>第二段&#12290;</p><figure><figcaption>图说</figcaption></figure>",
        );
        assert_eq!(text, "第一段 & 更多\n第二段。\n图说");
    }

    #[test]
    fn truncated_markup_does_not_panic() {
        for html in ["<p", "&#x", "<p>a &", "&#99999999999;", "<", "&;"] {
            let _ = html_to_text(html);
            let _ = sanitize_html(html);
        }
    }
}
