//! What strict XML refuses and feed readers read anyway, mended before feed-rs sees it.
//!
//! feed-rs parses well-formed XML only, and knows RSS by its `version` attribute. Feeds in the
//! wild break both rules in a few common ways that every feed reader forgives, and a site
//! that refuses them loses the source:
//!
//! - HTML's named references (`&nbsp;`, `&eacute;`, `&mdash;`) in a document that declares
//!   none, and bare ampersands in links (`?a=1&b=2`): the named ones become numeric
//!   references, anything else a literal `&`;
//! - `<rss>` without a version, or with one feed-rs does not list (0.93, 0.94, "2.0 "): read
//!   as RSS 2.0, which every RSS 0.9x element is part of;
//! - Atom 0.3 (`http://purl.org/atom/ns#`): read as Atom 1.0, whose elements it mostly shares
//!   (its MIME types on text constructs become Atom 1.0's `text`, `html`, `xhtml`; `issued`
//!   and `modified` become `published` and `updated`);
//! - `&#X41;`, the upper-case form HTML allows and XML does not.
//!
//! Comments, CDATA sections, processing instructions and the doctype are copied as they are.

use std::borrow::Cow;

use markup5ever::data::NAMED_ENTITIES;

const ATOM_03: &str = "http://purl.org/atom/ns#";
const ATOM_10: &str = "http://www.w3.org/2005/Atom";
/// The RSS versions feed-rs recognises on the root element.
const RSS_VERSIONS_READ: [&str; 4] = ["2.0", "", "0.91", "0.92"];

enum Root {
    Atom,
    Atom03,
    Other,
}

/// `text` with the faults above mended; borrowed when there were none.
pub(crate) fn mend(text: &str) -> Cow<'_, str> {
    // A document that declares its own entities means its references; leave them alone.
    let mend_references = !text.contains("<!ENTITY");
    let mut out: Option<String> = None;
    let mut copied = 0;
    let mut at = 0;
    let mut root_seen = false;
    let mut root = Root::Other;
    let bytes = text.as_bytes();
    while let Some(offset) = memchr::memchr2(b'<', b'&', &bytes[at..]) {
        let start = at + offset;
        let rest = &text[start..];
        if bytes[start] == b'&' {
            at = start + 1;
            if !mend_references {
                continue;
            }
            if let Some((len, replacement)) = mended_reference(rest) {
                let out = out.get_or_insert_with(|| String::with_capacity(text.len() + 64));
                out.push_str(&text[copied..start]);
                out.push_str(&replacement);
                copied = start + len;
                at = copied;
            }
            continue;
        }
        // Markup that is copied whole, `&` and all.
        let skip_to = [
            ("<!--", "-->"),
            ("<![CDATA[", "]]>"),
            ("<?", "?>"),
            ("<!", ">"),
        ]
        .iter()
        .find(|(open, _)| rest.starts_with(open))
        .map(|(open, close)| {
            let end = if *open == "<!" {
                doctype_end(rest)
            } else {
                rest[open.len()..]
                    .find(close)
                    .map(|i| open.len() + i + close.len())
            };
            start + end.unwrap_or(rest.len())
        });
        if let Some(end) = skip_to {
            at = end;
            continue;
        }
        let tag_end = rest.find('>').map_or(text.len(), |i| start + i + 1);
        if !root_seen {
            root_seen = true;
            let tag = &text[start..tag_end];
            if tag.starts_with("<feed") {
                root = if tag.contains(ATOM_03) {
                    Root::Atom03
                } else {
                    Root::Atom
                };
            }
            if let Some(tag) = mended_root(&text[start..tag_end]) {
                let out = out.get_or_insert_with(|| String::with_capacity(text.len() + 64));
                out.push_str(&text[copied..start]);
                out.push_str(&tag);
                copied = tag_end;
                at = tag_end;
                continue;
            }
        }
        // Inside a tag, `&` in attribute values needs the same mending as in text.
        at = start + 1;
    }
    let mended = match out {
        None => Cow::Borrowed(text),
        Some(mut out) => {
            out.push_str(&text[copied..]);
            Cow::Owned(out)
        }
    };
    match root {
        Root::Atom03 => Cow::Owned(construct_types(&atom_03_as_1_0(&mended), true)),
        Root::Atom if mended.contains(" type=") => Cow::Owned(construct_types(&mended, false)),
        _ => mended,
    }
}

/// Atom 0.3's names for what Atom 1.0 calls otherwise, in a document now in Atom 1.0's
/// namespace.
fn atom_03_as_1_0(text: &str) -> String {
    let mut text = text.to_owned();
    for (old, new) in [
        ("issued", "published"),
        ("modified", "updated"),
        ("tagline", "subtitle"),
    ] {
        for (open, close) in [("<", ">"), ("<", " "), ("</", ">")] {
            text = text.replace(
                &format!("{open}{old}{close}"),
                &format!("{open}{new}{close}"),
            );
        }
    }
    text
}

/// Atom text constructs whose `type` is a MIME type (Atom 0.3's way, and a common slip in
/// 1.0) or empty, given the `text`, `html` or `xhtml` Atom 1.0 means; feed-rs refuses the
/// whole feed over one of them. `content` may carry any MIME type in Atom 1.0, so it is
/// rewritten only in Atom 0.3 (`with_content`).
fn construct_types(text: &str, with_content: bool) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('<') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let end = rest.find('>').map_or(rest.len(), |i| i + 1);
        let tag = &rest[..end];
        let name = tag[1..]
            .split(|c: char| c.is_whitespace() || c == '>' || c == '/')
            .next()
            .unwrap_or_default();
        let construct = ["title", "subtitle", "summary", "rights"].contains(&name)
            || (with_content && name == "content");
        match attribute(&tag[1 + name.len()..], "type") {
            Some((value, (from, to))) if construct => {
                let kind = match value.trim() {
                    "" | "text/plain" => "text",
                    "text/html" => "html",
                    "application/xhtml+xml" => "xhtml",
                    _ => value,
                };
                let (from, to) = (1 + name.len() + from, 1 + name.len() + to);
                out.push_str(&tag[..from]);
                out.push_str(&format!(" type=\"{kind}\""));
                out.push_str(&tag[to..]);
            }
            _ => out.push_str(tag),
        }
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// The end of `<!DOCTYPE …>`, past an internal subset in brackets.
fn doctype_end(rest: &str) -> Option<usize> {
    let mut in_subset = false;
    for (i, c) in rest.char_indices() {
        match c {
            '[' => in_subset = true,
            ']' => in_subset = false,
            '>' if !in_subset => return Some(i + 1),
            _ => {}
        }
    }
    None
}

/// The reference at the start of `rest` (which starts with `&`) when XML would refuse it:
/// how many bytes it takes and what to write instead.
fn mended_reference(rest: &str) -> Option<(usize, String)> {
    let after = &rest[1..];
    let name_len = after
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '#'))
        .unwrap_or(after.len());
    let name = &after[..name_len];
    let terminated = after[name_len..].starts_with(';');
    if terminated && !name.is_empty() {
        if let Some(number) = name.strip_prefix('#') {
            if let Some(hex) = number.strip_prefix('X')
                && !hex.is_empty()
                && hex.chars().all(|c| c.is_ascii_hexdigit())
            {
                return Some((name_len + 2, format!("&#x{hex};")));
            }
            let valid = match number.strip_prefix('x') {
                Some(hex) => !hex.is_empty() && hex.chars().all(|c| c.is_ascii_hexdigit()),
                None => !number.is_empty() && number.chars().all(|c| c.is_ascii_digit()),
            };
            if valid {
                return None;
            }
        } else if ["amp", "lt", "gt", "quot", "apos"].contains(&name) {
            return None;
        } else if let Some(&(first, second)) = NAMED_ENTITIES.get(&after[..name_len + 1])
            && first != 0
        {
            let mut numeric = format!("&#{first};");
            if second != 0 {
                numeric.push_str(&format!("&#{second};"));
            }
            return Some((name_len + 2, numeric));
        }
    }
    // Not a reference XML or HTML knows: the ampersand is text.
    Some((1, "&amp;".to_owned()))
}

/// The root start tag rewritten when feed-rs would not know it for the feed it is.
fn mended_root(tag: &str) -> Option<String> {
    let name_end = tag[1..]
        .find(|c: char| c.is_whitespace() || c == '>' || c == '/')
        .map_or(tag.len(), |i| i + 1);
    match &tag[1..name_end] {
        "rss" => {
            let attributes = &tag[name_end..];
            let version = attribute(attributes, "version");
            if version.is_some_and(|(value, _)| RSS_VERSIONS_READ.contains(&value)) {
                return None;
            }
            let others = match version {
                Some((_, span)) => format!("{}{}", &attributes[..span.0], &attributes[span.1..]),
                None => attributes.to_owned(),
            };
            Some(format!("<rss version=\"2.0\"{others}"))
        }
        "feed" if tag.contains(ATOM_03) => Some(tag.replace(ATOM_03, ATOM_10)),
        _ => None,
    }
}

/// The value of attribute `name` in a tag's attribute text, and the byte span of the whole
/// attribute (the space before it to its closing quote).
fn attribute<'a>(attributes: &'a str, name: &str) -> Option<(&'a str, (usize, usize))> {
    let mut from = 0;
    while let Some(found) = attributes[from..].find(name) {
        let start = from + found;
        from = start + name.len();
        let before_ok = attributes[..start]
            .chars()
            .next_back()
            .is_some_and(char::is_whitespace);
        let rest = attributes[from..].trim_start();
        let Some(value) = rest.strip_prefix('=').map(str::trim_start) else {
            continue;
        };
        if !before_ok {
            continue;
        }
        let quote = value.chars().next().filter(|q| *q == '"' || *q == '\'')?;
        let close = value[1..].find(quote)?;
        let value_start = attributes.len() - value.len() + 1;
        let end = value_start + close + 1;
        let with_space = attributes[..start].trim_end().len();
        return Some((&value[1..1 + close], (with_space, end)));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::mend;

    #[test]
    fn html_references_become_numeric_and_stray_ampersands_text() {
        assert_eq!(
            mend("<rss version=\"2.0\"><title>caf&eacute; &mdash; &nbsp;x</title></rss>"),
            "<rss version=\"2.0\"><title>caf&#233; &#8212; &#160;x</title></rss>"
        );
        assert_eq!(
            mend(
                "<link>http://a.example/?a=1&b=2&c</link><t>&doesnotexist; &#26; &#x2F; &amp;</t>"
            ),
            "<link>http://a.example/?a=1&amp;b=2&amp;c</link><t>&amp;doesnotexist; &#26; &#x2F; &amp;</t>"
        );
        assert_eq!(mend("<t>&#X61;&#X;</t>"), "<t>&#x61;&amp;#X;</t>");
    }

    #[test]
    fn comments_cdata_and_declared_entities_are_left_alone() {
        let text = "<!-- a & b --><rss version=\"2.0\"><d><![CDATA[x & y &nbsp;]]></d></rss>";
        assert!(matches!(mend(text), std::borrow::Cow::Borrowed(_)));
        let declared =
            "<!DOCTYPE rss [<!ENTITY nbsp \"&#160;\">]><rss version=\"2.0\">&nbsp;</rss>";
        assert_eq!(mend(declared), declared);
    }

    #[test]
    fn rss_without_a_version_feed_rs_knows_is_read_as_2_0() {
        assert_eq!(
            mend("<rss><channel/></rss>"),
            "<rss version=\"2.0\"><channel/></rss>"
        );
        assert_eq!(
            mend("<?xml version=\"1.0\"?>\n<!-- c --><rss xmlns:dc=\"x\" version='0.93'>"),
            "<?xml version=\"1.0\"?>\n<!-- c --><rss version=\"2.0\" xmlns:dc=\"x\">"
        );
        let known = "<rss version=\"0.91\"><channel/></rss>";
        assert_eq!(mend(known), known);
        // Only the root is looked at.
        let nested = "<rdf:RDF><rss/></rdf:RDF>";
        assert_eq!(mend(nested), nested);
    }

    #[test]
    fn atom_0_3_is_read_as_atom_1_0() {
        assert_eq!(
            mend("<feed version=\"0.3\" xmlns=\"http://purl.org/atom/ns#\"><entry/></feed>"),
            "<feed version=\"0.3\" xmlns=\"http://www.w3.org/2005/Atom\"><entry/></feed>"
        );
        let entry = "<feed xmlns=\"http://purl.org/atom/ns#\"><entry>\
            <title type=\"text/plain\">t</title><link type=\"text/html\" href=\"x\"/>\
            <summary type='application/xhtml+xml' mode=\"xml\"><div/></summary>\
            <content type=\"text/html\" mode=\"escaped\">&lt;b&gt;</content>\
            <issued>2004-01-01T00:00:00Z</issued></entry></feed>";
        let mended = mend(entry);
        for expected in [
            "<title type=\"text\">",
            "<link type=\"text/html\"",
            "<summary type=\"xhtml\" mode=\"xml\">",
            "<content type=\"html\" mode=\"escaped\">",
            "<published>2004-01-01T00:00:00Z</published>",
        ] {
            assert!(mended.contains(expected), "{expected} not in {mended}");
        }
    }

    #[test]
    fn atom_1_0_text_constructs_with_a_mime_type_or_none_say_what_they_hold() {
        let feed = "<feed xmlns=\"http://www.w3.org/2005/Atom\"><entry><title type=\"\">evil</title>\
            <summary type=\"text/html\">&lt;b&gt;</summary><content type=\"image/png\" src=\"a.png\"/>\
            </entry></feed>";
        let mended = mend(feed);
        assert!(mended.contains("<title type=\"text\">evil"), "{mended}");
        assert!(mended.contains("<summary type=\"html\">"), "{mended}");
        assert!(
            mended.contains("<content type=\"image/png\" src"),
            "{mended}"
        );
    }
}
