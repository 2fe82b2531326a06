//! Bytes to text: which encoding a page is in, decided the way browsers decide.
//!
//! Order (the HTML standard's): a byte-order mark, then the HTTP `charset`, then a
//! `<meta charset>` or `http-equiv` declaration in the first bytes, then detection from the
//! bytes themselves (chardetng, Firefox's detector). Chinese pages are often GBK, GB18030 or
//! Big5, and often say so wrongly or not at all.

use encoding_rs::{Encoding, UTF_8};
use std::borrow::Cow;

/// How far into the document a `<meta>` charset declaration is looked for (the standard says
/// 1024 bytes; real pages put it later, after long comments and scripts).
const PRESCAN_BYTES: usize = 4096;

/// Decodes `bytes` to UTF-8, returning the text and the name of the encoding used.
pub fn decode_html(bytes: &[u8], http_charset: Option<&str>) -> (String, &'static str) {
    let (text, name) = decode_html_from(bytes, http_charset, None);
    (text.into_owned(), name)
}

/// As [`decode_html`], with the page's top-level domain (`cn`, `tw`) to guide detection.
/// A page already in UTF-8 is borrowed, not copied.
pub fn decode_html_from<'b>(
    bytes: &'b [u8],
    http_charset: Option<&str>,
    tld: Option<&str>,
) -> (Cow<'b, str>, &'static str) {
    let (encoding, utf8) = detect_with_tld(bytes, http_charset, tld);
    // Validated once already: a page found to be UTF-8 is used as it is.
    if let Some(text) = utf8
        && encoding == UTF_8
    {
        return (Cow::Borrowed(text), encoding.name());
    }
    let (text, _, _) = encoding.decode(bytes);
    (text, encoding.name())
}

/// The encoding of an HTML document.
pub fn detect(bytes: &[u8], http_charset: Option<&str>) -> &'static Encoding {
    detect_with_tld(bytes, http_charset, None).0
}

/// The encoding, and the page as text where it is valid UTF-8 without a byte-order mark (the
/// caller uses it only where the encoding is UTF-8).
fn detect_with_tld<'b>(
    bytes: &'b [u8],
    http_charset: Option<&str>,
    tld: Option<&str>,
) -> (&'static Encoding, Option<&'b str>) {
    if let Some((encoding, _)) = Encoding::for_bom(bytes) {
        return (encoding, None);
    }
    // Text that is valid UTF-8 and not plain ASCII is UTF-8, whatever the page says: GBK or
    // Big5 text almost never validates as UTF-8 by accident, while pages re-encoded to UTF-8
    // that keep their old `charset=gb2312` are common.
    let utf8 = std::str::from_utf8(bytes).ok();
    let is_utf8 = utf8.is_some();
    let has_non_ascii = !bytes.is_ascii();
    if let Some(encoding) = http_charset.and_then(|c| Encoding::for_label(c.trim().as_bytes())) {
        if encoding != UTF_8 && is_utf8 && has_non_ascii {
            return (UTF_8, utf8);
        }
        return (declared(encoding), utf8);
    }
    if let Some(encoding) = meta_charset(&bytes[..bytes.len().min(PRESCAN_BYTES)]) {
        if is_utf8 && has_non_ascii {
            return (UTF_8, utf8);
        }
        // A page that declares UTF-8 but is not valid UTF-8 lies more often than it breaks.
        if encoding != UTF_8 {
            return (declared(encoding), utf8);
        }
    }
    if is_utf8 {
        return (UTF_8, utf8);
    }
    // Only bytes beyond ASCII tell encodings apart, and markup is ASCII: the detector reads
    // 4 KiB from the first of them (where the text starts). It costs about half a
    // millisecond there and over two for 16 KiB, more than the rest of extraction; on the
    // undeclared pages of the Chinese benchmark it guesses the same from 2 to 16 KiB, and one
    // page's first 64 KiB (the old sample) read as windows-1252.
    let text_start = bytes.iter().position(|b| !b.is_ascii()).unwrap_or(0);
    let sample = &bytes[text_start..bytes.len().min(text_start + 4 * 1024)];
    let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    detector.feed(sample, text_start + sample.len() == bytes.len());
    let tld = tld.filter(|t| t.bytes().all(|b| b.is_ascii_lowercase()));
    (
        detector.guess(tld.map(str::as_bytes), chardetng::Utf8Detection::Allow),
        None,
    )
}

/// Pages labelled GB2312 or GBK routinely contain GB18030-only characters; GB18030 is their
/// superset, so it decodes them all. (encoding_rs maps both labels to GBK, whose decoder is
/// already the GB18030 one; this keeps that guarantee explicit.)
fn declared(encoding: &'static Encoding) -> &'static Encoding {
    if encoding == encoding_rs::GBK {
        encoding_rs::GB18030
    } else {
        encoding
    }
}

/// Finds `<meta charset=...>`, `<meta http-equiv="Content-Type" content="...; charset=...">`
/// or an XML declaration's `encoding="..."`.
fn meta_charset(head: &[u8]) -> Option<&'static Encoding> {
    let lower: Vec<u8> = head.iter().map(u8::to_ascii_lowercase).collect();
    if let Some(start) = find(&lower, b"<?xml").or_else(|| find(&lower, b"<text ")) {
        let end = lower[start..]
            .iter()
            .position(|&b| b == b'>')
            .map_or(lower.len(), |e| start + e);
        if let Some(encoding) = declared_label(&lower[start..end], b"encoding") {
            return Some(encoding);
        }
    }
    let mut from = 0;
    while let Some(found) = find(&lower[from..], b"<meta") {
        let start = from + found;
        let end = lower[start..]
            .iter()
            .position(|&b| b == b'>')
            .map_or(lower.len(), |e| start + e);
        if let Some(encoding) = declared_label(&lower[start..end], b"charset") {
            return Some(encoding);
        }
        from = end.max(start + 1);
    }
    None
}

/// The encoding named after `attribute` (`charset`, `encoding`) in a tag.
fn declared_label(tag: &[u8], attribute: &[u8]) -> Option<&'static Encoding> {
    {
        if let Some(at) = find(tag, attribute) {
            let rest = &tag[at + attribute.len()..];
            let rest = rest
                .iter()
                .skip_while(|b| b.is_ascii_whitespace() || **b == b'=')
                .skip_while(|b| **b == b'"' || **b == b'\'')
                .copied()
                .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b':' | b'.'))
                .collect::<Vec<u8>>();
            return Encoding::for_label(&rest);
        }
    }
    None
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gbk(text: &str) -> Vec<u8> {
        encoding_rs::GBK.encode(text).0.into_owned()
    }

    #[test]
    fn the_order_is_bom_http_meta_then_detection() {
        let mut bom = vec![0xEF, 0xBB, 0xBF];
        bom.extend_from_slice("<meta charset=gbk>中文".as_bytes());
        assert_eq!(decode_html(&bom, Some("gbk")).1, "UTF-8");
        let page = gbk("<html><head><meta charset=\"utf-8\"></head><body>新闻正文</body></html>");
        // The HTTP header outranks the page's own (wrong) declaration.
        assert!(decode_html(&page, Some("GB2312")).0.contains("新闻正文"));
        // A page re-encoded to UTF-8 that still says gb2312 is read as UTF-8.
        let reencoded = "<meta charset=gb2312><p>新闻正文</p>".as_bytes();
        assert_eq!(
            decode_html(reencoded, None),
            ("<meta charset=gb2312><p>新闻正文</p>".to_owned(), "UTF-8")
        );
        assert_eq!(decode_html(reencoded, Some("gbk")).1, "UTF-8");
        let declared = gbk(
            "<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=gb2312\"></head><body>新闻</body></html>",
        );
        let (text, name) = decode_html(&declared, None);
        assert_eq!(name, "gb18030");
        assert!(text.contains("新闻"));
    }

    #[test]
    fn an_undeclared_gbk_page_is_detected() {
        let page = gbk(
            "<html><body><p>青澜跨江大桥今晨正式通车，两岸通行时间缩短至十分钟。市交通局提醒市民错峰出行。</p></body></html>",
        );
        let (text, _) = decode_html(&page, None);
        assert!(text.contains("青澜跨江大桥今晨正式通车"), "{text}");
    }

    #[test]
    fn a_page_that_lies_about_utf8_is_detected_instead() {
        let page = gbk(
            "<meta charset=\"utf-8\"><p>这一页声称自己是统一码，其实是国标码编码的中文新闻正文内容。</p>",
        );
        let (text, _) = decode_html(&page, None);
        assert!(text.contains("其实是国标码"), "{text}");
    }

    #[test]
    fn an_xml_declaration_names_the_encoding_too() {
        let page = gbk(
            "<?xml version=\"1.0\" encoding=\"gb2312\"?><html><body><p>主题：新闻</p></body></html>",
        );
        assert!(decode_html(&page, None).0.contains("主题：新闻"));
    }

    #[test]
    fn big5_is_read_from_its_label() {
        let page = encoding_rs::BIG5
            .encode("<meta charset=big5><p>繁體中文新聞</p>")
            .0
            .into_owned();
        assert!(decode_html(&page, None).0.contains("繁體中文新聞"));
    }
}
