//! `xinwen extract`: one page in, the article out.

use anyhow::{Context, bail};
use std::fmt::Write as _;
use std::io::{Read, Write as _};

pub async fn run(
    file: &str,
    url: Option<&str>,
    charset: Option<&str>,
    json: bool,
    config: &crate::config::Config,
) -> anyhow::Result<()> {
    if file.starts_with("http://") || file.starts_with("https://") {
        // Fetched like ingest fetches: through the guard, politely, within the limits.
        let target = url::Url::parse(file).with_context(|| format!("{file:?} is not a URL"))?;
        let fetcher = xinwen_fetch::Fetcher::new(config.fetch.to_fetch_config()?)?;
        let response = match fetcher.fetch(&xinwen_fetch::Request::page(target)).await? {
            xinwen_fetch::Outcome::Fetched(response) => response,
            xinwen_fetch::Outcome::NotModified { .. } => {
                bail!("{file} answered 304 to a plain GET")
            }
        };
        let page_url = response.url.to_string();
        let charset = charset.or(response.charset.as_deref());
        return print(
            &response.body,
            Some(url.unwrap_or(&page_url)),
            charset,
            json,
        );
    }
    let bytes = if file == "-" {
        let mut bytes = Vec::new();
        std::io::stdin()
            .read_to_end(&mut bytes)
            .context("cannot read standard input")?;
        bytes
    } else {
        std::fs::read(file).with_context(|| format!("cannot read {file}"))?
    };
    let name = if file == "-" { "standard input" } else { file };
    let page = page_bytes(bytes).with_context(|| format!("cannot read a page from {name}"))?;
    print(&page, url, charset, json)
}

/// The largest page `extract` unpacks from a gzip file; what ingest fetches is smaller still.
const MAX_UNPACKED: u64 = 64 * 1024 * 1024;

/// The page in what was read: a saved `.html.gz` is unpacked (pages are often stored that
/// way); other archives and binary files are refused, since reading them as HTML prints noise.
fn page_bytes(bytes: Vec<u8>) -> anyhow::Result<Vec<u8>> {
    let bytes = if bytes.starts_with(&[0x1f, 0x8b]) {
        let mut page = Vec::new();
        std::io::Read::take(
            flate2::read::MultiGzDecoder::new(bytes.as_slice()),
            MAX_UNPACKED + 1,
        )
        .read_to_end(&mut page)
        .context("it starts like a gzip file but does not unpack")?;
        if page.len() as u64 > MAX_UNPACKED {
            bail!("it unpacks to more than {} MiB", MAX_UNPACKED >> 20);
        }
        page
    } else {
        bytes
    };
    let packed = [
        (&b"PK\x03\x04"[..], "a zip archive"),
        (&b"BZh"[..], "a bzip2 file"),
        (&b"\xfd7zXZ\x00"[..], "an xz file"),
        (&b"\x28\xb5\x2f\xfd"[..], "a zstd file"),
        (&b"%PDF-"[..], "a PDF document"),
    ];
    if let Some((_, what)) = packed.iter().find(|(magic, _)| bytes.starts_with(magic)) {
        bail!("it is {what}, not an HTML page; unpack it first");
    }
    // UTF-16 pages hold NUL bytes and say so with a byte-order mark; other text never does.
    let utf16 = bytes.starts_with(&[0xff, 0xfe]) || bytes.starts_with(&[0xfe, 0xff]);
    if !utf16 && bytes.iter().take(8192).any(|&b| b == 0) {
        bail!("it holds binary data, not an HTML page");
    }
    Ok(bytes)
}

fn print(bytes: &[u8], url: Option<&str>, charset: Option<&str>, json: bool) -> anyhow::Result<()> {
    let article = xinwen_extract::extract(bytes, url, charset);
    let mut out = String::new();
    if json {
        out = serde_json::to_string_pretty(&article)? + "\n";
        return write_out(&out);
    }
    let mut field = |name: &str, value: Option<&str>| {
        if let Some(v) = value.filter(|v| !v.is_empty()) {
            let _ = writeln!(out, "{name}: {v}");
        }
    };
    field("title", article.title.as_deref());
    field("authors", Some(&article.authors.join(", ")));
    field("editors", Some(&article.editors.join(", ")));
    field("source", article.source_name.as_deref());
    field("site", article.site_name.as_deref());
    field(
        "published",
        article.published_at.map(|t| t.to_rfc3339()).as_deref(),
    );
    field("canonical", article.canonical_url.as_deref());
    field("lang", article.lang.as_deref());
    if let Some(w) = &article.wechat {
        field("wechat account", w.account.as_deref());
        field("原创", w.original.then_some("yes"));
        field("阅读原文", w.source_url.as_deref());
    }
    let _ = writeln!(
        out,
        "is article: {}",
        if article.is_article { "yes" } else { "no" }
    );
    for warning in &article.warnings {
        let _ = writeln!(out, "warning: {warning}");
    }
    let _ = writeln!(out, "\n{}", article.text);
    for image in &article.images {
        let _ = writeln!(out, "[image] {} {}", image.src, image.caption);
    }
    write_out(&out)
}

/// Writes to standard output; a reader that stopped reading (`| head`) is not an error.
fn write_out(text: &str) -> anyhow::Result<()> {
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(e).context("cannot write to standard output")
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::page_bytes;
    use std::io::Write as _;

    #[test]
    fn a_gzipped_page_is_unpacked_and_binary_files_refused() {
        let html = "<html><body><p>新闻正文</p></body></html>".as_bytes();
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(html).unwrap();
        assert_eq!(page_bytes(gz.finish().unwrap()).unwrap(), html);
        assert_eq!(page_bytes(html.to_vec()).unwrap(), html);
        let broken = page_bytes(vec![0x1f, 0x8b, 8, 0, 1, 2]).unwrap_err();
        assert!(broken.to_string().contains("gzip"), "{broken}");
        let zip = page_bytes(b"PK\x03\x04rest".to_vec()).unwrap_err();
        assert!(zip.to_string().contains("zip"), "{zip}");
        let binary = page_bytes(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec()).unwrap_err();
        assert!(binary.to_string().contains("binary"), "{binary}");
        let utf16: Vec<u8> = [0xff, 0xfe]
            .into_iter()
            .chain("<p>新</p>".encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        assert_eq!(page_bytes(utf16.clone()).unwrap(), utf16);
    }
}
