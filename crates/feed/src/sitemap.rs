//! Sitemaps: the `urlset` of a site's pages, the `sitemapindex` of its sitemaps, and Google's
//! news sitemaps (`news:news` with a publication date and title), gzip-compressed or not.
//!
//! What `sitemap` sources are read by. A site with no feed often keeps a news sitemap of its
//! last two days, which is as good as a feed for finding new articles; an ordinary sitemap
//! lists everything the site ever published, so ingest keeps only entries modified recently.
//! quick-xml reads it as a stream of events: a sitemap may hold 50,000 URLs, and only a few
//! elements matter.

use chrono::{DateTime, NaiveDate, Utc};
use quick_xml::Reader;
use quick_xml::events::Event;
use std::io::Read;

/// What a sitemap document is.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub enum Sitemap {
    /// A `urlset`: pages.
    Pages(Vec<SitemapPage>),
    /// A `sitemapindex`: other sitemaps.
    Index(Vec<SitemapRef>),
}

/// A page a sitemap lists.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct SitemapPage {
    pub url: String,
    pub lastmod: Option<DateTime<Utc>>,
    /// From `news:news`: the page is a news article, published then, with this title.
    pub news: bool,
    pub published: Option<DateTime<Utc>>,
    pub title: Option<String>,
}

/// A sitemap an index lists.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct SitemapRef {
    pub url: String,
    pub lastmod: Option<DateTime<Utc>>,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SitemapError {
    #[error("the document is empty")]
    Empty,
    #[error("this is not XML, so not a sitemap: {0}")]
    NotXml(String),
    #[error("this XML is not a sitemap (its root is <{0}>, not <urlset> or <sitemapindex>)")]
    NotASitemap(String),
    #[error("the sitemap is gzip-compressed but does not decompress: {0}")]
    Gzip(String),
    #[error("the sitemap is larger than {0} MB once decompressed")]
    TooLarge(usize),
}

/// Sitemaps are capped at 50 MB uncompressed by the protocol; a bigger one is refused rather
/// than decompressed without end.
const MAX_BYTES: usize = 50 * 1024 * 1024;

/// Parses a sitemap or sitemap index, decompressing it first when it is gzip.
pub fn parse_sitemap(bytes: &[u8]) -> Result<Sitemap, SitemapError> {
    let decompressed;
    let bytes = if bytes.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(bytes)
            .take(MAX_BYTES as u64 + 1)
            .read_to_end(&mut out)
            .map_err(|e| SitemapError::Gzip(e.to_string()))?;
        if out.len() > MAX_BYTES {
            return Err(SitemapError::TooLarge(MAX_BYTES / 1024 / 1024));
        }
        decompressed = out;
        &decompressed[..]
    } else {
        bytes
    };
    let start = bytes
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .ok_or(SitemapError::Empty)?;
    let bytes = &bytes[start..];
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    if bytes.first() != Some(&b'<') {
        return Err(SitemapError::NotXml(
            "it does not start with a tag".to_owned(),
        ));
    }
    let mut reader = Reader::from_reader(bytes);
    reader.config_mut().trim_text(true);
    let mut buf = Vec::new();
    let mut root: Option<String> = None;
    // The element being read inside <url> or <sitemap>, by local name.
    let mut path: Vec<String> = Vec::new();
    let mut pages = Vec::new();
    let mut refs = Vec::new();
    let mut current = Item::default();
    loop {
        let event = reader
            .read_event_into(&mut buf)
            .map_err(|e| SitemapError::NotXml(e.to_string()))?;
        match event {
            Event::Start(start) => {
                let name = local_name(start.name().as_ref());
                if root.is_none() {
                    if name != "urlset" && name != "sitemapindex" {
                        if name.eq_ignore_ascii_case("html") {
                            return Err(SitemapError::NotXml("it is an HTML page".to_owned()));
                        }
                        return Err(SitemapError::NotASitemap(name));
                    }
                    root = Some(name.clone());
                }
                if name == "url" || name == "sitemap" {
                    current = Item::default();
                }
                path.push(name);
            }
            Event::Empty(empty) => {
                let name = local_name(empty.name().as_ref());
                if root.is_none() {
                    return Err(SitemapError::NotASitemap(name));
                }
            }
            Event::Text(text) => {
                let value = text
                    .xml10_content()
                    .map_err(|e| SitemapError::NotXml(e.to_string()))?;
                current.take(path.last().map(String::as_str), value.trim());
            }
            Event::CData(text) => {
                let value = String::from_utf8_lossy(&text.into_inner()).into_owned();
                current.take(path.last().map(String::as_str), value.trim());
            }
            Event::GeneralRef(reference) => {
                // An entity inside a URL (`&amp;`): quick-xml hands it apart from the text.
                let name = String::from_utf8_lossy(&reference).into_owned();
                let resolved = match name.as_str() {
                    "amp" => "&",
                    "lt" => "<",
                    "gt" => ">",
                    "quot" => "\"",
                    "apos" => "'",
                    _ => "",
                };
                current.append(path.last().map(String::as_str), resolved);
            }
            Event::End(end) => {
                let name = local_name(end.name().as_ref());
                path.pop();
                match name.as_str() {
                    "url" => {
                        if let Some(page) = current.page() {
                            pages.push(page);
                        }
                    }
                    "sitemap" => {
                        if let Some(found) = current.sitemap() {
                            refs.push(found);
                        }
                    }
                    _ => {}
                }
            }
            Event::Eof => {
                if let Some(open) = path.last() {
                    return Err(SitemapError::NotXml(format!(
                        "it ends inside <{open}>, cut short"
                    )));
                }
                break;
            }
            _ => {}
        }
        buf.clear();
    }
    match root.as_deref() {
        Some("urlset") => Ok(Sitemap::Pages(pages)),
        Some(_) => Ok(Sitemap::Index(refs)),
        None => Err(SitemapError::Empty),
    }
}

#[derive(Default)]
struct Item {
    loc: String,
    lastmod: String,
    news: bool,
    publication_date: String,
    title: String,
}

impl Item {
    fn take(&mut self, element: Option<&str>, value: &str) {
        self.append(element, value);
    }

    fn append(&mut self, element: Option<&str>, value: &str) {
        let field = match element {
            Some("loc") => &mut self.loc,
            Some("lastmod") => &mut self.lastmod,
            Some("publication_date") => {
                self.news = true;
                &mut self.publication_date
            }
            Some("title") => {
                self.news = true;
                &mut self.title
            }
            Some("news") => {
                self.news = true;
                return;
            }
            _ => return,
        };
        field.push_str(value);
    }

    fn page(&self) -> Option<SitemapPage> {
        let url = self.loc.trim();
        xinwen_model::link::web_url(url)?;
        Some(SitemapPage {
            url: url.to_owned(),
            lastmod: w3c_date(&self.lastmod),
            news: self.news,
            published: w3c_date(&self.publication_date),
            title: Some(self.title.trim().to_owned()).filter(|t| !t.is_empty()),
        })
    }

    fn sitemap(&self) -> Option<SitemapRef> {
        let url = self.loc.trim();
        xinwen_model::link::web_url(url)?;
        Some(SitemapRef {
            url: url.to_owned(),
            lastmod: w3c_date(&self.lastmod),
        })
    }
}

fn local_name(name: &[u8]) -> String {
    let name = String::from_utf8_lossy(name);
    match name.rsplit_once(':') {
        Some((_, local)) => local.to_owned(),
        None => name.into_owned(),
    }
}

/// The W3C datetime forms sitemaps use: a date, a date and time to the minute or second, with
/// a zone (a time without one is taken as UTC).
fn w3c_date(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Some(t.with_timezone(&Utc));
    }
    let zoned = match text.strip_suffix('Z') {
        Some(rest) => format!("{rest}+00:00"),
        None => text.to_owned(),
    };
    let text = zoned.as_str();
    for format in [
        "%Y-%m-%dT%H:%M%:z",
        "%Y-%m-%dT%H:%M:%S%.f%z",
        "%Y-%m-%d %H:%M:%S%:z",
    ] {
        if let Ok(t) = DateTime::parse_from_str(text, format) {
            return Some(t.with_timezone(&Utc));
        }
    }
    for format in ["%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M"] {
        if let Ok(t) = chrono::NaiveDateTime::parse_from_str(text, format) {
            return Some(t.and_utc());
        }
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_news_sitemap_gives_pages_with_dates_and_titles() {
        let xml = r#"<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
  <url>
    <loc>https://news.example/2026/12/01/a.html?from=sm&amp;x=1</loc>
    <lastmod>2026-12-01T10:05:00+08:00</lastmod>
    <news:news>
      <news:publication><news:name>示例新闻</news:name><news:language>zh</news:language></news:publication>
      <news:publication_date>2026-12-01T09:30:00+08:00</news:publication_date>
      <news:title><![CDATA[海港隧道今日贯通 & 通车]]></news:title>
    </news:news>
  </url>
  <url><loc>https://news.example/about.html</loc><lastmod>2025-01-02</lastmod></url>
  <url><loc>javascript:alert(1)</loc></url>
</urlset>"#;
        let Sitemap::Pages(pages) = parse_sitemap(xml.as_bytes()).unwrap() else {
            panic!("a urlset");
        };
        assert_eq!(pages.len(), 2);
        assert_eq!(
            pages[0].url,
            "https://news.example/2026/12/01/a.html?from=sm&x=1"
        );
        assert!(pages[0].news);
        assert_eq!(pages[0].title.as_deref(), Some("海港隧道今日贯通 & 通车"));
        assert_eq!(
            pages[0].published.unwrap().to_rfc3339(),
            "2026-12-01T01:30:00+00:00"
        );
        assert!(!pages[1].news);
        assert_eq!(
            pages[1].lastmod.unwrap().to_rfc3339(),
            "2025-01-02T00:00:00+00:00"
        );
    }

    #[test]
    fn an_index_lists_sitemaps_and_gzip_is_read() {
        let xml = r#"<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <sitemap><loc>https://news.example/sitemap-news.xml</loc><lastmod>2026-12-01T10:00Z</lastmod></sitemap>
  <sitemap><loc>https://news.example/sitemap-2019.xml.gz</loc></sitemap>
</sitemapindex>"#;
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        std::io::Write::write_all(&mut gz, xml.as_bytes()).unwrap();
        let bytes = gz.finish().unwrap();
        let Sitemap::Index(refs) = parse_sitemap(&bytes).unwrap() else {
            panic!("an index");
        };
        assert_eq!(refs.len(), 2);
        assert_eq!(
            refs[0].lastmod.unwrap().to_rfc3339(),
            "2026-12-01T10:00:00+00:00"
        );
        assert_eq!(refs[1].lastmod, None);
    }

    #[test]
    fn what_is_not_a_sitemap_says_so() {
        assert_eq!(parse_sitemap(b"  \n"), Err(SitemapError::Empty));
        assert!(matches!(
            parse_sitemap(b"<!DOCTYPE html><html><body>hi</body></html>"),
            Err(SitemapError::NotXml(_))
        ));
        assert!(matches!(
            parse_sitemap(b"{\"version\": \"https://jsonfeed.org/version/1.1\"}"),
            Err(SitemapError::NotXml(_))
        ));
        assert_eq!(
            parse_sitemap(b"<rss version=\"2.0\"><channel></channel></rss>"),
            Err(SitemapError::NotASitemap("rss".into()))
        );
        assert!(matches!(
            parse_sitemap(b"<urlset><url><loc>https://a.example/</loc></urlset>"),
            Err(SitemapError::NotXml(_))
        ));
        assert!(matches!(
            parse_sitemap(b"<urlset><url><loc>"),
            Err(SitemapError::NotXml(_))
        ));
        assert!(matches!(
            parse_sitemap(&[0x1f, 0x8b, 1, 2, 3]),
            Err(SitemapError::Gzip(_))
        ));
    }
}
