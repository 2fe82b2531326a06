//! `xinwen feed parse FILE`: what xinwen reads in a feed file, or why it cannot.

use crate::output::outln;
use anyhow::Context;
use std::path::Path;

pub fn parse(file: &Path, charset: Option<&str>, json: bool) -> anyhow::Result<()> {
    let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    let feed = xinwen_feed::parse(&bytes, charset, None)
        .with_context(|| format!("{} is not a usable feed", file.display()))?;
    if json {
        outln!("{}", serde_json::to_string_pretty(&feed)?);
        return Ok(());
    }
    outln!(
        "{} feed: {} ({} entries)",
        feed.format,
        feed.title.as_deref().unwrap_or("(no title)"),
        feed.entries.len()
    );
    for entry in &feed.entries {
        let date = entry
            .published
            .or(entry.updated)
            .map_or("-".to_owned(), |d| d.to_rfc3339());
        let text = if entry.has_full_text() {
            "full text"
        } else {
            "teaser"
        };
        outln!(
            "- {}\n  {}  {}  {}\n  id {}",
            entry.title.as_deref().unwrap_or("(no title)"),
            date,
            text,
            entry.url.as_deref().unwrap_or("(no link)"),
            entry.guid
        );
    }
    Ok(())
}
