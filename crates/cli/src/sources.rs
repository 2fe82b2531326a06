//! `xinwen source ...`: adding, listing, pausing and removing the publishers we fetch, and
//! OPML in and out.

use crate::config::Config;
use crate::output::outln;
use anyhow::{Context, bail};
use chrono::{DateTime, Utc};
use clap::Subcommand;
use std::path::{Path, PathBuf};
use xinwen_model::{NewChannel, NewSource, Publisher, SourceKind};
use xinwen_store::{SourceWithHealth, Store};

#[derive(Subcommand)]
pub enum SourceCommand {
    /// Add a source by any address: a feed, a site's page (its declared feed is used, or its
    /// article links when it has none), a list page, a sitemap, or a WeChat bridge feed.
    Add(NewSourceArgs),
    /// Show, storing nothing, which article links a source at this address would take and
    /// what the first article extracts to.
    Test(TestArgs),
    /// List sources with their health.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Everything about one source (by id or slug).
    Show {
        source: String,
        #[arg(long)]
        json: bool,
    },
    /// Stop fetching a source; its articles stay.
    Pause { source: String },
    /// Fetch a paused source again, starting now.
    Resume { source: String },
    /// Remove a source. Refused while it has articles, unless --with-articles.
    Remove {
        source: String,
        #[arg(long)]
        with_articles: bool,
    },
    /// Add every feed of an OPML file (feeds already present are skipped).
    ImportOpml {
        file: PathBuf,
        /// The channel for the imported sources (a slug).
        #[arg(long)]
        channel: Option<String>,
    },
    /// Write every source read by its feed as OPML (to standard output unless --output).
    ExportOpml {
        #[arg(long)]
        output: Option<PathBuf>,
    },
}

/// Runs a source command on the store in `data_dir`. Adding is how a new site starts, so `add`
/// and `import-opml` create the store when there is none; the others need one.
pub async fn run(command: SourceCommand, data_dir: &Path, config: &Config) -> anyhow::Result<()> {
    match command {
        SourceCommand::Add(new) => add(new, data_dir, config).await,
        SourceCommand::Test(args) => test(args, config).await,
        SourceCommand::ImportOpml { file, channel } => {
            import_opml(&file, channel, data_dir, config).await
        }
        command => {
            let store = crate::open_existing_store(data_dir).await?;
            let result = run_on(command, &store, config).await;
            store.close().await;
            result
        }
    }
}

/// How a list page is narrowed, for `source add` and `source test`.
#[derive(clap::Args, Clone)]
pub struct LinkRuleArgs {
    /// Only links inside elements matching this CSS selector (a page source).
    #[arg(long)]
    selector: Option<String>,
    /// Only article links whose URL this regular expression matches (a page source).
    #[arg(long)]
    pattern: Option<String>,
}

impl LinkRuleArgs {
    fn rules(&self) -> xinwen_extract::links::LinkRules {
        xinwen_extract::links::LinkRules {
            selector: self.selector.clone(),
            url_pattern: self.pattern.clone(),
        }
    }
}

/// What `source add` is given.
#[derive(clap::Args)]
pub struct NewSourceArgs {
    /// The address: a feed (RSS, Atom or JSON Feed), a web page (its declared feed is used,
    /// else its article links), a list page, a sitemap, or a WeChat account's bridge feed.
    url: String,
    /// How to read it: feed, page, sitemap or wechat; found out from the address when not given.
    #[arg(long)]
    kind: Option<SourceKind>,
    /// More bridge feeds of a WeChat account, after URL, in order of preference.
    #[arg(long = "bridge")]
    bridges: Vec<String>,
    #[command(flatten)]
    rules: LinkRuleArgs,
    /// What kind of publisher it is: official, commercial, self_media or readers (shown to
    /// readers); self_media for WeChat accounts and commercial otherwise when not given.
    #[arg(long)]
    publisher: Option<Publisher>,
    /// The name readers see; read from the feed or page when not given.
    #[arg(long)]
    name: Option<String>,
    /// The URL segment (/source/SLUG); made from the name or host when not given.
    #[arg(long)]
    slug: Option<String>,
    /// The channel its articles go to by default (a slug); on a site with one channel, that one.
    #[arg(long)]
    channel: Option<String>,
    #[arg(long)]
    homepage: Option<String>,
    /// Where readers follow the source (a WeChat profile link).
    #[arg(long)]
    follow_url: Option<String>,
    /// Add it without reading it first (a site that is down for now). Addresses that can
    /// never be fetched are refused all the same; without --kind, it is taken for a feed.
    #[arg(long)]
    no_check: bool,
}

/// What `source test` is given.
#[derive(clap::Args)]
pub struct TestArgs {
    /// The address to read.
    url: String,
    /// Read it as: feed, page, sitemap or wechat (a bridge feed); found out when not given.
    #[arg(long)]
    kind: Option<SourceKind>,
    #[command(flatten)]
    rules: LinkRuleArgs,
    /// As JSON: `kind`, `url`, `links` (the article URLs it would take) and `article` (the
    /// first one extracted, or null).
    #[arg(long)]
    json: bool,
}

fn web_address(raw: &str, what: &str) -> anyhow::Result<url::Url> {
    let url = url::Url::parse(raw.trim())
        .with_context(|| format!("{raw:?} is not a URL; give the {what}'s full address"))?;
    if !xinwen_model::link::is_web_url(raw) {
        bail!("{raw} is not an http or https address");
    }
    Ok(url)
}

/// What an address turned out to be, read as a source would read it.
struct Checked {
    kind: SourceKind,
    url: String,
    title: Option<String>,
    links: Vec<xinwen_ingest::ProbedLink>,
    found: Option<String>,
}

/// Finds out what `url` is (unless `kind` says) and reads it as a source of that kind would:
/// the same work for `source add` and `source test`.
async fn check_address(
    fetcher: &xinwen_fetch::Fetcher,
    kind: Option<SourceKind>,
    url: &url::Url,
    rules: &xinwen_extract::links::LinkRules,
) -> anyhow::Result<Checked> {
    let (kind, address, found) = match kind {
        Some(kind) => (kind, url.to_string(), None),
        None => {
            let discovery = xinwen_ingest::discover(fetcher, url.as_str()).await?;
            let found = match discovery.kind {
                SourceKind::Feed if discovery.url == url.as_str() => None,
                SourceKind::Feed if discovery.declared => Some(format!(
                    "The page declares a feed; it is read instead: {}",
                    discovery.url
                )),
                SourceKind::Feed => Some(format!(
                    "The page declares no feed, but the site has one at {}; it is read instead (give --kind page to read this page's own article links)",
                    discovery.url
                )),
                SourceKind::Sitemap => Some("It is a sitemap.".to_owned()),
                _ => Some(
                    "The page declares no feed and none answers at the usual paths; its article links are read (give --kind sitemap for the site's sitemap instead)."
                        .to_owned(),
                ),
            };
            (discovery.kind, discovery.url, found)
        }
    };
    let probe = xinwen_ingest::probe(fetcher, kind, &address, rules).await?;
    Ok(Checked {
        kind,
        url: address,
        title: probe.title,
        links: probe.links,
        found,
    })
}

/// `source test`: what a source at this address would take, storing nothing.
async fn test(args: TestArgs, config: &Config) -> anyhow::Result<()> {
    let url = web_address(&args.url, "page")?;
    let fetcher = xinwen_fetch::Fetcher::new(config.fetch.to_fetch_config()?)?;
    fetcher.check_url(&url)?;
    let rules = args.rules.rules();
    let checked = check_address(&fetcher, args.kind, &url, &rules)
        .await
        .with_context(|| format!("cannot read {url} as a source"))?;
    let article = match checked.links.first() {
        Some(first) => Some(
            xinwen_ingest::preview(&fetcher, &first.url)
                .await
                .with_context(|| format!("the first article, {}, cannot be read", first.url))?,
        ),
        None => None,
    };
    if args.json {
        let value = serde_json::json!({
            "kind": checked.kind.as_str(),
            "url": checked.url,
            "title": checked.title,
            "links": checked.links.iter().map(|l| l.url.as_str()).collect::<Vec<_>>(),
            "article": article.as_ref().map(|a| serde_json::json!({
                "url": a.url,
                "title": a.title,
                "authors": a.authors,
                "published_at": a.published_at.map(|t| t.to_rfc3339()),
                "text": a.text,
                "is_article": a.is_article,
                "warnings": a.warnings,
            })),
        });
        outln!("{}", serde_json::to_string_pretty(&value)?);
        return Ok(());
    }
    if let Some(found) = &checked.found {
        outln!("{found}");
    }
    outln!(
        "Read as a {} source: {}{}",
        checked.kind,
        checked.url,
        checked
            .title
            .as_deref()
            .map(|t| format!(" ({t})"))
            .unwrap_or_default()
    );
    outln!("{} article links would be taken:", checked.links.len());
    for link in &checked.links {
        match &link.title {
            Some(title) => outln!("  {}  {title}", link.url),
            None => outln!("  {}", link.url),
        }
    }
    match &article {
        Some(a) => {
            outln!("The first article extracts to:");
            outln!("  title      {}", a.title.as_deref().unwrap_or("-"));
            outln!(
                "  author     {}",
                if a.authors.is_empty() {
                    "-".to_owned()
                } else {
                    a.authors.join("、")
                }
            );
            outln!(
                "  published  {}",
                a.published_at.map_or("-".to_owned(), |t| t.to_rfc3339())
            );
            outln!("  text       {} characters", a.text.chars().count());
            let opening: String = a.text.chars().take(120).collect();
            outln!("  begins     {opening}");
        }
        None => outln!("It lists no article now."),
    }
    Ok(())
}

/// `source add`: what is given is checked before the store is touched, so that a refused
/// address leaves nothing behind, not even a new data directory.
async fn add(new: NewSourceArgs, data_dir: &Path, config: &Config) -> anyhow::Result<()> {
    let NewSourceArgs {
        url: raw_url,
        kind,
        bridges,
        rules,
        publisher,
        name,
        slug,
        channel,
        homepage,
        follow_url,
        no_check,
    } = new;
    let url = web_address(&raw_url, "feed or page")?;
    for (flag, value) in [("--homepage", &homepage), ("--follow-url", &follow_url)] {
        if let Some(value) = value
            && !xinwen_model::link::is_web_url(value)
        {
            bail!("{flag} {value:?} is not a whole http or https address");
        }
    }
    if !bridges.is_empty() && kind != Some(SourceKind::Wechat) {
        bail!("--bridge is for WeChat accounts; give --kind wechat");
    }
    let link_rules = rules.rules();
    link_rules.compile()?;
    let fetcher = xinwen_fetch::Fetcher::new(config.fetch.to_fetch_config()?)?;
    // An address the fetcher refuses (loopback, private) would fail on every pass.
    fetcher.check_url(&url)?;
    let mut bridge_urls = Vec::new();
    for bridge in &bridges {
        let bridge_url = web_address(bridge, "bridge feed")?;
        fetcher.check_url(&bridge_url)?;
        bridge_urls.push(bridge_url.to_string());
    }
    let checked = match no_check {
        true => Checked {
            kind: kind.unwrap_or_default(),
            url: url.to_string(),
            title: None,
            links: Vec::new(),
            found: None,
        },
        false => check_address(&fetcher, kind, &url, &link_rules).await.with_context(|| {
            format!(
                "cannot add {url}: it could not be read as a source; check the address (`xinwen source test` shows what it gives), or add it all the same with --no-check if the site is only down for now"
            )
        })?,
    };
    if let Some(found) = &checked.found {
        outln!("{found}");
    }
    let kind = checked.kind;
    let name = match (name, checked.title.clone()) {
        (Some(name), _) | (None, Some(name)) => name,
        (None, None) => url.host_str().unwrap_or("source").to_owned(),
    };
    let publisher = publisher.unwrap_or(match kind {
        SourceKind::Wechat => Publisher::SelfMedia,
        _ => Publisher::Commercial,
    });
    let (feed_url, bridges) = match kind {
        SourceKind::Wechat => {
            let mut all = vec![checked.url.clone()];
            all.extend(bridge_urls);
            (None, all)
        }
        _ => (Some(checked.url.clone()), Vec::new()),
    };
    let store = crate::open_store_creating(data_dir).await?;
    let result = async {
            let channel = resolve_channel(&store, channel).await?;
            let slug = match slug {
                Some(slug) => slug,
                None => unique_slug(&store, &slugify(&name, &url)).await?,
            };
            let id = store
                .insert_source(&NewSource {
                    slug: slug.clone(),
                    name: name.clone(),
                    kind,
                    publisher,
                    homepage,
                    feed_url,
                    link_selector: link_rules.selector.clone(),
                    link_pattern: link_rules.url_pattern.clone(),
                    bridges,
                    follow_url,
                    qr_image: None,
                    channel_slug: Some(channel.clone()),
                    description: String::new(),
                })
                .await?;
            outln!(
                "Added source {id} ({slug}): {name}, a {kind} source into channel {channel}{}. It is fetched on the next pass.",
                if no_check { String::new() } else { format!(", with {} article links now", checked.links.len()) }
            );
            anyhow::Ok(())
        }
        .await;
    store.close().await;
    result
}

/// `source import-opml`: every feed in the file not yet present, into one channel. The feeds
/// are not read (an export can hold hundreds); addresses that can never be fetched are skipped.
async fn import_opml(
    file: &Path,
    channel: Option<String>,
    data_dir: &Path,
    config: &Config,
) -> anyhow::Result<()> {
    let text =
        std::fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))?;
    let feeds = xinwen_feed::parse_opml(&text).with_context(|| file.display().to_string())?;
    let fetcher = xinwen_fetch::Fetcher::new(config.fetch.to_fetch_config()?)?;
    let store = crate::open_store_creating(data_dir).await?;
    let result = import_feeds(&store, &fetcher, feeds, channel).await;
    store.close().await;
    let (added, skipped) = result?;
    outln!(
        "Imported {added} sources from {} ({skipped} already present or unusable).",
        file.display()
    );
    Ok(())
}

async fn import_feeds(
    store: &Store,
    fetcher: &xinwen_fetch::Fetcher,
    feeds: Vec<xinwen_feed::OpmlFeed>,
    channel: Option<String>,
) -> anyhow::Result<(usize, usize)> {
    let channel = resolve_channel(store, channel).await?;
    let existing: Vec<String> = store
        .sources()
        .await?
        .into_iter()
        .filter_map(|s| s.feed_url)
        .collect();
    let (mut added, mut skipped) = (0, 0);
    for feed in feeds {
        let Some(url) = xinwen_model::link::web_url(&feed.feed_url) else {
            eprintln!("skipped {:?}: not an http or https address", feed.feed_url);
            skipped += 1;
            continue;
        };
        if let Err(refused) = fetcher.check_url(&url) {
            eprintln!("skipped {url}: {refused}");
            skipped += 1;
            continue;
        }
        if existing.contains(&url.to_string()) || existing.contains(&feed.feed_url) {
            skipped += 1;
            continue;
        }
        let slug = unique_slug(store, &slugify(&feed.title, &url)).await?;
        store
            .insert_source(&NewSource {
                slug,
                name: if feed.title.is_empty() {
                    url.host_str().unwrap_or("source").to_owned()
                } else {
                    feed.title
                },
                kind: SourceKind::Feed,
                homepage: feed.site_url,
                feed_url: Some(url.to_string()),
                channel_slug: Some(channel.clone()),
                ..NewSource::default()
            })
            .await?;
        added += 1;
    }
    Ok((added, skipped))
}

async fn run_on(command: SourceCommand, store: &Store, config: &Config) -> anyhow::Result<()> {
    match command {
        SourceCommand::Add(_) | SourceCommand::ImportOpml { .. } | SourceCommand::Test(_) => {
            Box::pin(run(command, store.data_dir(), config)).await
        }
        SourceCommand::List { json } => {
            let sources = store.sources_with_health().await?;
            if json {
                let mut rows = Vec::new();
                for s in &sources {
                    rows.push(as_json(s, store, config).await?);
                }
                outln!("{}", serde_json::to_string_pretty(&rows)?);
                return Ok(());
            }
            outln!(
                "{:>4}  {:<20} {:<9} {:>8}  {:<16} {:<16} NAME / LAST ERROR",
                "ID",
                "SLUG",
                "STATE",
                "ARTICLES",
                "LAST SUCCESS",
                "NEXT CHECK"
            );
            for s in &sources {
                let mut line = format!(
                    "{:>4}  {:<20} {:<9} {:>8}  {:<16} {:<16} {}",
                    s.source.id,
                    s.source.slug,
                    state(s, config),
                    s.health.articles_added,
                    when(s.health.last_success_at),
                    if s.source.paused {
                        "-".to_owned()
                    } else {
                        when(s.health.next_check_at)
                    },
                    s.source.name,
                );
                if let Some(error) = &s.health.last_error {
                    line.push_str(&format!("\n{:>6}last error: {error}", ""));
                }
                outln!("{line}");
            }
            Ok(())
        }
        SourceCommand::Show { source, json } => {
            let found = store.find_source(&source).await?;
            let all = store.sources_with_health().await?;
            let s = all
                .iter()
                .find(|s| s.source.id == found.id)
                .context("the source vanished while reading it")?;
            if json {
                outln!(
                    "{}",
                    serde_json::to_string_pretty(&as_json(s, store, config).await?)?
                );
                return Ok(());
            }
            let h = &s.health;
            outln!("id                    {}", s.source.id);
            outln!("slug                  {}", s.source.slug);
            outln!("name                  {}", s.source.name);
            outln!("kind                  {}", s.source.kind);
            outln!("publisher             {}", s.source.publisher);
            outln!(
                "address               {}",
                s.source.feed_url.as_deref().unwrap_or("-")
            );
            for bridge in store.source_bridges(s.source.id).await? {
                outln!(
                    "bridge {}              {}{}",
                    bridge.position + 1,
                    bridge.url,
                    bridge
                        .last_error
                        .map(|e| format!(" (failing: {e})"))
                        .unwrap_or_default()
                );
            }
            if let Some(selector) = &s.source.link_selector {
                outln!("link selector         {selector}");
            }
            if let Some(pattern) = &s.source.link_pattern {
                outln!("link pattern          {pattern}");
            }
            outln!(
                "last read             {}",
                h.read_note.as_deref().unwrap_or("-")
            );
            outln!(
                "homepage              {}",
                s.source.homepage.as_deref().unwrap_or("-")
            );
            outln!("state                 {}", state(s, config));
            outln!("last attempt          {}", when(h.last_attempt_at));
            outln!("last success          {}", when(h.last_success_at));
            outln!(
                "last error            {}",
                h.last_error.as_deref().unwrap_or("-")
            );
            outln!("failures in a row     {}", h.consecutive_failures);
            outln!("failing since         {}", when(h.failing_since));
            outln!("next check            {}", when(h.next_check_at));
            outln!("articles added        {}", h.articles_added);
            outln!(
                "publishing interval   {}",
                h.publish_interval_secs
                    .map_or("-".to_owned(), human_interval)
            );
            Ok(())
        }
        SourceCommand::Pause { source } => {
            let found = store.find_source(&source).await?;
            store.set_source_paused(found.id, true).await?;
            outln!("Paused {} ({}).", found.slug, found.name);
            Ok(())
        }
        SourceCommand::Resume { source } => {
            let found = store.find_source(&source).await?;
            store.set_source_paused(found.id, false).await?;
            store.make_source_due(found.id).await?;
            outln!(
                "Resumed {} ({}); it is fetched on the next pass.",
                found.slug,
                found.name
            );
            Ok(())
        }
        SourceCommand::Remove {
            source,
            with_articles,
        } => {
            let found = store.find_source(&source).await?;
            let removed = store.remove_source(found.id, with_articles).await?;
            outln!(
                "Removed {} ({}) and {removed} articles.",
                found.slug,
                found.name
            );
            Ok(())
        }
        SourceCommand::ExportOpml { output } => {
            let channels = store.channels().await?;
            let feeds: Vec<xinwen_feed::OpmlFeed> = store
                .sources()
                .await?
                .into_iter()
                // OPML lists feeds; list pages, sitemaps and WeChat bridges are not.
                .filter(|s| s.kind == SourceKind::Feed)
                .filter_map(|s| {
                    let category = s
                        .channel_id
                        .and_then(|id| channels.iter().find(|c| c.id == id))
                        .map(|c| c.name.clone());
                    Some(xinwen_feed::OpmlFeed {
                        title: s.name,
                        feed_url: s.feed_url?,
                        site_url: s.homepage,
                        category,
                    })
                })
                .collect();
            let text = xinwen_feed::write_opml(&config.site.name, &feeds)?;
            match output {
                Some(path) => {
                    std::fs::write(&path, text)
                        .with_context(|| format!("cannot write {}", path.display()))?;
                    eprintln!("Wrote {} sources to {}.", feeds.len(), path.display());
                }
                None => outln!("{text}"),
            }
            Ok(())
        }
    }
}

/// The state word `source list` shows.
fn state(s: &SourceWithHealth, config: &Config) -> &'static str {
    if s.source.paused {
        "paused"
    } else if s.source.feed_url.is_none() && s.source.kind != SourceKind::Wechat {
        "no address"
    } else if s.health.is_stale(Utc::now(), config.ingest.stale_after()) {
        "STALE"
    } else if s.health.consecutive_failures > 0 {
        "failing"
    } else if s.health.last_success_at.is_none() {
        "new"
    } else {
        "ok"
    }
}

/// A source for `--json`: what scripts ask first at the top (`kind`, how it is read;
/// `articles`, how many it has added), everything else under `source` and `health`.
async fn as_json(
    s: &SourceWithHealth,
    store: &Store,
    config: &Config,
) -> anyhow::Result<serde_json::Value> {
    let bridges = match s.source.kind {
        SourceKind::Wechat => store.source_bridges(s.source.id).await?,
        _ => Vec::new(),
    };
    Ok(serde_json::json!({
        "id": s.source.id,
        "slug": s.source.slug,
        "name": s.source.name,
        "kind": s.source.kind.as_str(),
        "publisher": s.source.publisher.as_str(),
        "url": s.source.feed_url,
        "bridges": bridges,
        "articles": s.health.articles_added,
        "state": state(s, config),
        "read_note": s.health.read_note,
        "source": s.source,
        "health": s.health,
    }))
}

fn when(time: Option<DateTime<Utc>>) -> String {
    time.map_or("-".to_owned(), |t| {
        t.with_timezone(&xinwen_model::china_offset())
            .format("%Y-%m-%d %H:%M")
            .to_string()
    })
}

fn human_interval(seconds: u64) -> String {
    match seconds {
        s if s >= 86_400 => format!("about {:.1} days", s as f64 / 86_400.0),
        s if s >= 3_600 => format!("about {:.1} hours", s as f64 / 3_600.0),
        s => format!("about {} minutes", s.div_ceil(60)),
    }
}

/// The channel a new source goes to: the one named (which must exist); without a name, the
/// site's only channel, or a 综合 channel made for it on a fresh site. With several channels
/// the operator says which: a first channel picked for them filed news sites under 公众号新闻.
async fn resolve_channel(store: &Store, channel: Option<String>) -> anyhow::Result<String> {
    let channels = store.channels().await?;
    match channel {
        Some(slug) => {
            if channels.iter().any(|c| c.slug == slug) {
                Ok(slug)
            } else {
                let known: Vec<&str> = channels.iter().map(|c| c.slug.as_str()).collect();
                bail!(
                    "there is no channel {slug:?}; the channels are: {}",
                    known.join(", ")
                )
            }
        }
        None => match channels.as_slice() {
            [only] => Ok(only.slug.clone()),
            [] => {
                store
                    .upsert_channel(&NewChannel {
                        slug: "zonghe".into(),
                        name: "综合".into(),
                        description: String::new(),
                        position: 0,
                    })
                    .await?;
                Ok("zonghe".into())
            }
            several => {
                let known: Vec<String> = several
                    .iter()
                    .map(|c| format!("{} ({})", c.slug, c.name))
                    .collect();
                bail!(
                    "this site has {} channels; say which one the articles go to with --channel: {}",
                    several.len(),
                    known.join(", ")
                )
            }
        },
    }
}

/// A URL segment from a name when it is ASCII, else from the feed's host.
fn slugify(name: &str, url: &url::Url) -> String {
    let from = |text: &str| {
        let mut slug = String::new();
        for c in text.chars() {
            if c.is_ascii_alphanumeric() {
                slug.push(c.to_ascii_lowercase());
            } else if !slug.ends_with('-') && !slug.is_empty() {
                slug.push('-');
            }
        }
        slug.trim_matches('-').to_owned()
    };
    let by_name = from(name);
    if by_name.len() >= 3 && name.is_ascii() {
        return by_name;
    }
    let host = url.host_str().unwrap_or("source");
    let host = host.strip_prefix("www.").unwrap_or(host);
    let by_host = from(host);
    if by_host.is_empty() {
        "source".into()
    } else {
        by_host
    }
}

async fn unique_slug(store: &Store, base: &str) -> anyhow::Result<String> {
    let mut slug = base.to_owned();
    let mut n = 2;
    while store.source_by_slug(&slug).await?.is_some() {
        slug = format!("{base}-{n}");
        n += 1;
    }
    Ok(slug)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_come_from_ascii_names_or_the_host() {
        let url = url::Url::parse("https://www.xinghe-ribao.example/rss.xml").unwrap();
        assert_eq!(slugify("Tech Daily!", &url), "tech-daily");
        assert_eq!(slugify("星河日报", &url), "xinghe-ribao-example");
    }
}
