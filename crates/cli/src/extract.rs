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
    print(&bytes, url, charset, json)
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
