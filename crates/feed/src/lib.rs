//! Feeds in, plain entries out: RSS 0.9x/1.0/2.0, Atom and JSON Feed, plus OPML lists of feeds
//! and sitemaps (`sitemap`), the feeds of sites that have none.
//!
//! This crate owns the reading of feed documents and the decisions that depend only on them:
//! what an entry's identity is, which of its texts is the body, whether that body is whole or
//! only a teaser (in which case ingest fetches the page). It must not fetch, sanitize or store
//! anything; the HTML it returns is the publisher's, untrusted.
//!
//! feed-rs does the parsing: one model for every feed format, tolerant of the broken dates and
//! namespaces real feeds carry. What it does not do for us is charset: a feed served as GBK
//! without an XML prolog saying so is decoded here first (HTTP charset, then a guess), and the
//! faults every feed reader forgives but strict XML does not (HTML entities, bare ampersands,
//! an RSS root without a known version, Atom 0.3) are mended first (`mend`).

mod mend;
mod opml_io;
mod sitemap;

pub use opml_io::{OpmlError, OpmlFeed, parse_opml, write_opml};
pub use sitemap::{Sitemap, SitemapError, SitemapPage, SitemapRef, parse_sitemap};

use chrono::{DateTime, Utc};
use encoding_rs::{Encoding, UTF_8};
use serde::Serialize;

/// A parsed feed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Feed {
    /// `rss`, `atom` or `json`.
    pub format: &'static str,
    pub title: Option<String>,
    /// The publisher's site.
    pub site_url: Option<String>,
    pub description: Option<String>,
    /// The WebSub hub the feed names (`<link rel="hub">`), which pushes it when it changes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hub: Option<String>,
    /// The feed's own address as it names it (`<link rel="self">`): the topic at its hub.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub self_url: Option<String>,
    pub entries: Vec<Entry>,
}

/// One item of a feed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Entry {
    /// The entry's identity within its feed: its GUID/id, or its link when it has none.
    pub guid: String,
    /// The article page.
    pub url: Option<String>,
    pub title: Option<String>,
    /// The teaser, as HTML.
    pub summary: Option<String>,
    /// The full body, as HTML, when the feed carries it.
    pub content: Option<String>,
    pub authors: Vec<String>,
    pub published: Option<DateTime<Utc>>,
    pub updated: Option<DateTime<Utc>>,
    /// A lead image the feed names apart from the body (media:content, enclosures).
    pub image: Option<String>,
    /// The entry's categories or tags, as the feed names them.
    pub categories: Vec<String>,
}

/// Below this many characters of text, an entry's body is a teaser, not the article.
///
/// Chinese news articles run from about 400 characters up; teasers are one or two sentences
/// (rarely over 150). The gap is wide, so the exact figure matters little.
pub const FULL_TEXT_MIN_CHARS: usize = 280;

impl Entry {
    /// The HTML that holds the most text: the content, or else the summary.
    pub fn body_html(&self) -> Option<&str> {
        match (&self.content, &self.summary) {
            (Some(content), Some(summary)) => {
                if visible_chars(content) >= visible_chars(summary) {
                    Some(content)
                } else {
                    Some(summary)
                }
            }
            (Some(content), None) => Some(content),
            (None, Some(summary)) => Some(summary),
            (None, None) => None,
        }
    }

    /// Whether the feed carries the whole article, so that no page fetch is needed.
    ///
    /// A body in the content element (`content:encoded`, Atom `content`, JSON `content_html`)
    /// is the article, however short: publishers put teasers in the summary. A summary alone
    /// counts only when it is long enough to be an article.
    pub fn has_full_text(&self) -> bool {
        if self
            .content
            .as_deref()
            .is_some_and(|c| visible_chars(c) > 0)
        {
            return true;
        }
        self.summary
            .as_deref()
            .is_some_and(|html| visible_chars(html) >= FULL_TEXT_MIN_CHARS)
    }
}

/// Characters of text in an HTML fragment, tags and whitespace not counted. Rough on purpose:
/// it only has to tell a teaser from an article.
pub fn visible_chars(html: &str) -> usize {
    let mut in_tag = false;
    let mut count = 0;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            _ if in_tag || c.is_whitespace() => {}
            _ => count += 1,
        }
    }
    count
}

/// Why a document is not a feed we can read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FeedError {
    #[error("the document is empty")]
    Empty,
    #[error(
        "this is an HTML page, not a feed; look on the site for a link to its RSS or Atom feed"
    )]
    HtmlPage,
    #[error("not a feed xinwen can read (RSS, Atom or JSON Feed): {0}")]
    Unreadable(String),
}

/// Parses a feed document. `http_charset` is the charset the server named, if any; `base_url`
/// resolves relative links.
pub fn parse(
    bytes: &[u8],
    http_charset: Option<&str>,
    base_url: Option<&str>,
) -> Result<Feed, FeedError> {
    let text_start = bytes
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(bytes.len());
    if text_start == bytes.len() {
        return Err(FeedError::Empty);
    }
    let head = String::from_utf8_lossy(&bytes[text_start..bytes.len().min(text_start + 512)])
        .to_ascii_lowercase();
    if head.starts_with("<!doctype html") || head.starts_with("<html") {
        return Err(FeedError::HtmlPage);
    }
    let decoded = to_utf8(bytes, http_charset);
    // to_utf8 leaves UTF-8 behind; a lossy view only guards against a bug there.
    let decoded = String::from_utf8_lossy(&decoded);
    let decoded = mend::mend(&decoded);
    let parser = feed_rs::parser::Builder::new()
        .base_uri(base_url)
        .id_generator(stable_id)
        .build();
    // The parser has panicked on odd encodings before; a hostile feed must not take the
    // process down, so a panic becomes an error like any other.
    let feed = // AssertUnwindSafe: the parser is made for this call and dropped with it.
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| parser.parse(decoded.as_bytes())))
        .map_err(|_| FeedError::Unreadable("the feed parser failed on this document".to_owned()))?
        .map_err(|e| FeedError::Unreadable(e.to_string()))?;
    let format = match feed.feed_type {
        feed_rs::model::FeedType::Atom => "atom",
        feed_rs::model::FeedType::JSON => "json",
        _ => "rss",
    };
    let entries = feed.entries.into_iter().map(entry_from).collect();
    Ok(Feed {
        format,
        title: feed
            .title
            .map(|t| t.content.trim().to_owned())
            .filter(|t| !t.is_empty()),
        site_url: feed
            .links
            .iter()
            .find(|l| l.rel.as_deref().is_none_or(|rel| rel == "alternate"))
            .and_then(|l| web_link(&l.href)),
        description: feed.description.map(|t| t.content),
        hub: link_with_rel(&feed.links, "hub"),
        self_url: link_with_rel(&feed.links, "self"),
        entries,
    })
}

/// The http(s) address of the first link with relation `rel`.
fn link_with_rel(links: &[feed_rs::model::Link], rel: &str) -> Option<String> {
    links
        .iter()
        .filter(|l| l.rel.as_deref() == Some(rel))
        .find_map(|l| web_link(&l.href))
}

/// feed-rs's fallback id when an entry has none. Its own default hashes the title too, so an
/// edited headline would look like a new entry; the link alone stays put.
fn stable_id(
    links: &[feed_rs::model::Link],
    title: &Option<feed_rs::model::Text>,
    uri: Option<&str>,
) -> String {
    if let Some(link) = links.first() {
        return link.href.clone();
    }
    match (uri, title) {
        (Some(uri), Some(title)) => format!("{uri}#{}", title.content),
        (None, Some(title)) => title.content.clone(),
        // Left empty: the caller falls back to the entry's text.
        _ => String::new(),
    }
}

/// The name in an author element: RSS writes `email (Name)` or `Name (email)`, and feed-rs
/// leaves `(Name)` when it takes the address out.
fn author_name(raw: &str) -> Option<String> {
    let raw = raw.trim();
    let name = match raw.rsplit_once('(') {
        Some((before, inside)) if raw.ends_with(')') => {
            let inside = inside.trim_end_matches(')').trim();
            let before = before.trim();
            if before.is_empty() || before.contains('@') {
                inside
            } else if inside.contains('@') {
                before
            } else {
                raw
            }
        }
        _ => raw,
    };
    (!name.is_empty() && !name.contains('@')).then(|| name.to_owned())
}

/// A link as the feed gave it when it is an absolute http(s) URL; anything else is dropped
/// here, where it enters.
fn web_link(href: &str) -> Option<String> {
    xinwen_model::link::is_web_url(href).then(|| href.trim().to_owned())
}

fn entry_from(entry: feed_rs::model::Entry) -> Entry {
    // Only http(s) links are kept: a `javascript:` link would be printed as 阅读原文.
    let url = entry
        .links
        .iter()
        .find(|l| l.rel.as_deref().is_none_or(|rel| rel == "alternate"))
        .or(entry.links.first())
        .and_then(|l| web_link(&l.href));
    let content = entry
        .content
        .and_then(|c| c.body)
        .filter(|b| !b.trim().is_empty());
    let summary = entry
        .summary
        .map(|s| s.content)
        .filter(|s| !s.trim().is_empty());
    let title = entry
        .title
        .map(|t| t.content.trim().to_owned())
        .filter(|t| !t.is_empty());
    let mut guid = entry.id.trim().to_owned();
    if guid.is_empty() {
        guid = url.clone().unwrap_or_else(|| {
            // No id and no link: the entry is its own text.
            format!(
                "text:{}",
                title.clone().unwrap_or_default() + summary.as_deref().unwrap_or_default()
            )
        });
    }
    let image = entry.media.iter().find_map(|m| {
        m.content
            .iter()
            .find(|c| {
                c.content_type
                    .as_ref()
                    .is_none_or(|t| t.to_string().starts_with("image/"))
            })
            .and_then(|c| c.url.as_ref().and_then(|u| web_link(u.as_str())))
            .or_else(|| m.thumbnails.first().and_then(|t| web_link(&t.image.uri)))
    });
    Entry {
        guid,
        url,
        title,
        summary,
        content,
        authors: entry
            .authors
            .into_iter()
            .filter_map(|p| p.name.as_deref().and_then(author_name))
            .collect(),
        published: entry.published,
        updated: entry.updated,
        image,
        categories: entry
            .categories
            .into_iter()
            .map(|c| c.label.unwrap_or(c.term).trim().to_owned())
            .filter(|c| !c.is_empty())
            .collect(),
    }
}

/// The document as UTF-8, with its XML prolog saying so.
///
/// The encoding is read here rather than by the XML parser, because the parser panics on some
/// (UTF-16 without a byte-order mark) and does not know the HTTP charset. In order: a
/// byte-order mark, UTF-16 recognised by its first bytes, the prolog's `encoding`, valid UTF-8,
/// the HTTP charset, and last a guess from the bytes.
fn to_utf8<'a>(bytes: &'a [u8], http_charset: Option<&str>) -> std::borrow::Cow<'a, [u8]> {
    let declared = || {
        let prolog = String::from_utf8_lossy(&bytes[..bytes.len().min(200)]).to_ascii_lowercase();
        let prolog = prolog.trim_start();
        if !prolog.starts_with("<?xml") {
            return None;
        }
        let end = prolog.find("?>")?;
        let at = prolog[..end].find("encoding")?;
        let rest = prolog[at + "encoding".len()..end]
            .trim_start()
            .strip_prefix('=')?
            .trim_start();
        let quote = rest.chars().next().filter(|q| *q == '"' || *q == '\'')?;
        let label = &rest[1..];
        let label = &label[..label.find(quote)?];
        Encoding::for_label(label.as_bytes())
    };
    let (encoding, skip) = if let Some((encoding, bom)) = Encoding::for_bom(bytes) {
        (encoding, bom)
    } else if bytes.starts_with(&[0, b'<', 0]) {
        (encoding_rs::UTF_16BE, 0)
    } else if bytes.starts_with(&[b'<', 0, b'?', 0]) || bytes.starts_with(&[b'<', 0, b'r', 0]) {
        (encoding_rs::UTF_16LE, 0)
    } else if let Some(encoding) = declared() {
        (encoding, 0)
    } else if std::str::from_utf8(bytes).is_ok() {
        (UTF_8, 0)
    } else if let Some(encoding) =
        http_charset.and_then(|label| Encoding::for_label(label.as_bytes()))
    {
        (encoding, 0)
    } else {
        let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
        detector.feed(bytes, true);
        (
            detector.guess(Some(b"cn"), chardetng::Utf8Detection::Allow),
            0,
        )
    };
    // A declared UTF-16 over bytes that are plainly ASCII-compatible is a wrong label.
    let encoding = if (encoding == encoding_rs::UTF_16LE || encoding == encoding_rs::UTF_16BE)
        && skip == 0
        && !bytes.starts_with(&[0])
        && bytes.get(1) != Some(&0)
    {
        UTF_8
    } else {
        encoding
    };
    if encoding == UTF_8 && skip == 0 && std::str::from_utf8(bytes).is_ok() {
        return bytes.into();
    }
    let (text, _) = encoding.decode_without_bom_handling(&bytes[skip..]);
    let text = text.trim_start_matches('\u{feff}');
    restate_prolog_as_utf8(text).into_bytes().into()
}

/// Rewrites `encoding="..."` in the XML prolog to UTF-8, which the text now is.
fn restate_prolog_as_utf8(text: &str) -> String {
    let trimmed = text.trim_start();
    if let Some(end) = trimmed.find("?>").filter(|_| trimmed.starts_with("<?xml")) {
        let prolog = &trimmed[..end];
        if let Some(at) = prolog.find("encoding") {
            let rest = &prolog[at..];
            let first_quote = rest.find(['"', '\'']);
            if let Some(open) = first_quote {
                let quote = rest.as_bytes()[open] as char;
                if let Some(close) = rest[open + 1..].find(quote) {
                    let close = at + open + 1 + close;
                    return format!(
                        "{}encoding=\"utf-8\"{}",
                        &trimmed[..at],
                        &trimmed[close + 1..]
                    );
                }
            }
        }
    }
    text.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    const RSS: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>星河日报</title><link>https://xinghe.example/</link>
<item><title>地铁五号线开通</title><link>https://xinghe.example/a/1.html</link>
<guid isPermaLink="false">xinghe-1</guid><description>&lt;p&gt;五号线今日开通。&lt;/p&gt;</description>
<pubDate>Thu, 05 Nov 2026 08:00:00 +0800</pubDate><author>李明</author><category>社会</category></item>
<item><title>没有 GUID 的条目</title><link>https://xinghe.example/a/2.html</link></item>
</channel></rss>"#;

    #[test]
    fn an_author_is_named_without_the_address_rss_puts_beside_it() {
        for (raw, name) in [
            ("(Example editor)", Some("Example editor")),
            ("me@example.com (Example editor)", Some("Example editor")),
            ("Example editor (me@example.com)", Some("Example editor")),
            ("新华社 (北京)", Some("新华社 (北京)")),
            ("  李明 ", Some("李明")),
            ("me@example.com", None),
            ("()", None),
        ] {
            assert_eq!(author_name(raw).as_deref(), name, "{raw}");
        }
    }

    #[test]
    fn rss_entries_keep_their_guid_link_and_date() {
        let feed = parse(RSS.as_bytes(), None, None).unwrap();
        assert_eq!(feed.format, "rss");
        assert_eq!(feed.title.as_deref(), Some("星河日报"));
        assert_eq!(feed.entries.len(), 2);
        let first = &feed.entries[0];
        assert_eq!(first.guid, "xinghe-1");
        assert_eq!(
            first.url.as_deref(),
            Some("https://xinghe.example/a/1.html")
        );
        assert_eq!(
            first.published.unwrap().to_rfc3339(),
            "2026-11-05T00:00:00+00:00"
        );
        assert!(!first.has_full_text(), "one sentence is a teaser");
        assert_eq!(first.categories, ["社会"]);
        assert_eq!(feed.entries[1].guid, "https://xinghe.example/a/2.html");
    }

    #[test]
    fn a_short_body_in_the_content_element_is_still_the_whole_article() {
        let xml = r#"<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>t</title>
<item><title>短讯</title><link>https://a.example/1</link><description>摘要</description>
<content:encoded><![CDATA[<p>全文只有一句话。</p>]]></content:encoded></item></channel></rss>"#;
        let feed = parse(xml.as_bytes(), None, None).unwrap();
        assert!(feed.entries[0].has_full_text());
        assert_eq!(feed.entries[0].body_html(), Some("<p>全文只有一句话。</p>"));
    }

    #[test]
    fn the_id_of_an_entry_without_guid_survives_a_title_edit() {
        let edited = RSS.replace("没有 GUID 的条目", "标题改过了");
        let a = parse(RSS.as_bytes(), None, None).unwrap();
        let b = parse(edited.as_bytes(), None, None).unwrap();
        assert_eq!(a.entries[1].guid, b.entries[1].guid);
    }

    #[test]
    fn links_that_are_not_http_are_dropped_where_they_enter() {
        let xml = "<rss version=\"2.0\"><channel><title>t</title><link>javascript:alert(1)</link>\
            <item><title>a</title><link>javascript:alert(document.cookie)</link><guid>g1</guid></item>\
            <item><title>b</title><link> JaVaScRiPt:alert(1)</link><guid>g2</guid></item>\
            <item><title>c</title><link>data:text/html,x</link><guid>g3</guid></item>\
            <item><title>d</title><link>https://d.example/4</link><guid>g4</guid></item></channel></rss>";
        let feed = parse(xml.as_bytes(), None, None).unwrap();
        assert_eq!(feed.site_url, None);
        let urls: Vec<_> = feed.entries.iter().map(|e| e.url.as_deref()).collect();
        assert_eq!(urls, [None, None, None, Some("https://d.example/4")]);
    }

    #[test]
    fn a_gbk_feed_without_a_prolog_is_decoded_from_the_http_charset() {
        let xml = "<rss version=\"2.0\"><channel><title>东海晚报</title><item><title>台风登陆</title><link>https://d.example/1</link></item></channel></rss>";
        let (gbk, _, _) = encoding_rs::GBK.encode(xml);
        let feed = parse(&gbk, Some("gbk"), None).unwrap();
        assert_eq!(feed.title.as_deref(), Some("东海晚报"));
        assert_eq!(feed.entries[0].title.as_deref(), Some("台风登陆"));
        // And guessed when the server says nothing.
        let feed = parse(&gbk, None, None).unwrap();
        assert_eq!(feed.entries[0].title.as_deref(), Some("台风登陆"));
    }

    #[test]
    fn a_gbk_feed_with_a_prolog_is_decoded_by_it() {
        let xml = "<?xml version=\"1.0\" encoding=\"GBK\"?><rss version=\"2.0\"><channel><title>东海晚报</title></channel></rss>";
        let (gbk, _, _) = encoding_rs::GBK.encode(xml);
        assert_eq!(
            parse(&gbk, None, None).unwrap().title.as_deref(),
            Some("东海晚报")
        );
    }

    #[test]
    fn atom_and_json_feed_parse_and_full_text_is_recognised() {
        let long = "<p>".to_owned() + &"正文内容。".repeat(80) + "</p>";
        let atom = format!(
            r#"<feed xmlns="http://www.w3.org/2005/Atom"><title>远望国际</title>
<entry><id>tag:yuanwang.example,2026:1</id><title>选举</title><link href="https://yuanwang.example/1"/>
<updated>2026-11-05T15:10:00Z</updated><content type="html">{}</content></entry></feed>"#,
            long.replace('<', "&lt;")
        );
        let feed = parse(atom.as_bytes(), None, None).unwrap();
        assert_eq!(feed.format, "atom");
        assert!(feed.entries[0].has_full_text());
        let json = serde_json::json!({
            "version": "https://jsonfeed.org/version/1.1",
            "title": "书香文化",
            "items": [{"id": "sx-1", "url": "https://wx.example/s/1", "title": "古籍", "content_html": long}]
        });
        let feed = parse(json.to_string().as_bytes(), None, None).unwrap();
        assert_eq!(feed.format, "json");
        assert_eq!(feed.entries[0].guid, "sx-1");
        assert!(feed.entries[0].has_full_text());
    }

    #[test]
    fn utf16_feeds_are_read_with_or_without_a_byte_order_mark() {
        let xml = "<?xml version=\"1.0\" encoding=\"utf-16\"?><rss version=\"2.0\"><channel><title>新闻</title></channel></rss>";
        let be: Vec<u8> = xml.encode_utf16().flat_map(u16::to_be_bytes).collect();
        let le: Vec<u8> = xml.encode_utf16().flat_map(u16::to_le_bytes).collect();
        let mut be_bom = vec![0xfe, 0xff];
        be_bom.extend(&be);
        for bytes in [be, le, be_bom] {
            assert_eq!(
                parse(&bytes, None, None).unwrap().title.as_deref(),
                Some("新闻")
            );
        }
    }

    #[test]
    fn what_is_not_a_feed_says_so() {
        assert_eq!(parse(b"  \n", None, None), Err(FeedError::Empty));
        assert_eq!(
            parse(b"<!DOCTYPE html><html><body>hi</body></html>", None, None),
            Err(FeedError::HtmlPage)
        );
        // A document cut off in the middle (a download that broke) is refused: what it would
        // give is a guess.
        assert!(matches!(
            parse(b"<rss><channel><item><title>unclosed", None, None),
            Err(FeedError::Unreadable(_))
        ));
        assert!(matches!(
            parse(b"{\"not\": \"a feed\"}", None, None),
            Err(FeedError::Unreadable(_))
        ));
        assert!(matches!(
            parse(b"\x00\x01\x02garbage", None, None),
            Err(FeedError::Unreadable(_))
        ));
    }
}
