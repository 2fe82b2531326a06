//! Sources that publish no feed: list pages, sitemaps, and WeChat accounts read through their
//! bridges. Each becomes a list of entries like a feed's, and from there the pipeline is the
//! feed's own (guard, robots.txt, politeness, dedup, tombstones, stories).
//!
//! - A **page** source's article links are found on its list page (`xinwen_extract::links`).
//!   The first time, "next page" links are followed up to [`FIRST_FETCH_PAGES`]; later, only
//!   the first page is read, and only links not seen before are fetched.
//! - A **sitemap** source reads a sitemap, or the newest sitemaps of an index (news sitemaps
//!   first), and keeps the entries published or modified within [`SITEMAP_RECENT_DAYS`].
//! - A **wechat** source asks its bridges in order of preference and reads the first that
//!   answers with recent entries; a bridge that fails or has gone stale is passed over, and the
//!   source's health says which bridge is in use and why.
//!
//! [`probe`] and [`discover`] do the same reading without a store, for `xinwen source test`,
//! `source add` and the admin's preview.

use crate::Ingester;
use crate::pipeline::{PassStats, SourceFailure};
use chrono::{DateTime, Utc};
use std::sync::Arc;
use std::time::Duration;
use url::Url;
use xinwen_extract::links::{CompiledRules, LinkRules, LinkRulesError};
use xinwen_feed::{Entry, FeedError, Sitemap, SitemapError};
use xinwen_fetch::{FetchError, Fetcher, Outcome, Request, Response};
use xinwen_model::SourceKind;
use xinwen_newsroom::schedule::publishing_interval;
use xinwen_store::{BridgeOutcome, FetchSuccess, SourceWithHealth};

/// List pages read on a page source's first fetch (the page and the next ones it links).
pub const FIRST_FETCH_PAGES: usize = 5;
/// How old an entry of a sitemap may be and still be taken.
pub const SITEMAP_RECENT_DAYS: i64 = 3;
/// Child sitemaps of an index read per pass: the news ones and the most recently modified.
const SITEMAPS_PER_INDEX: usize = 3;
/// A bridge whose newest entry is older than this, while another has newer, is stale.
pub const BRIDGE_STALE_AFTER_DAYS: i64 = 3;

/// Why an address cannot be read as a source of the kind asked.
#[derive(Debug, thiserror::Error)]
pub enum ProbeError {
    #[error("{0:?} is not an http or https address")]
    NotAUrl(String),
    #[error(transparent)]
    Fetch(#[from] FetchError),
    #[error("{url} is not a feed xinwen can read: {source}")]
    Feed { url: String, source: FeedError },
    #[error("{url}: {source}")]
    Sitemap { url: String, source: SitemapError },
    #[error(transparent)]
    Rules(#[from] LinkRulesError),
    #[error(
        "no article links were found on {url}; if it is a list page, name the links with a CSS selector or a URL pattern"
    )]
    NoLinks { url: String },
    #[error(
        "the sitemap {url} lists no entry from the last {days} days (xinwen takes only recent ones); a site's news sitemap or its list page may serve better"
    )]
    NoRecentEntries { url: String, days: i64 },
    #[error("{url} is not a web page (it is {content_type})")]
    NotAPage { url: String, content_type: String },
}

/// A link a source would take, with what its list said of it.
#[derive(Debug, Clone, PartialEq)]
pub struct ProbedLink {
    pub url: String,
    pub title: Option<String>,
    pub published: Option<DateTime<Utc>>,
}

/// What reading an address as a source gives now.
#[derive(Debug, Clone)]
pub struct Probe {
    pub kind: SourceKind,
    /// The feed's or page's title, when it has one.
    pub title: Option<String>,
    pub links: Vec<ProbedLink>,
    /// List pages or sitemaps read.
    pub documents_read: usize,
}

fn web_url(raw: &str) -> Result<Url, ProbeError> {
    xinwen_model::link::web_url(raw.trim()).ok_or_else(|| ProbeError::NotAUrl(raw.to_owned()))
}

async fn get(fetcher: &Fetcher, request: &Request) -> Result<Option<Response>, FetchError> {
    match fetcher.fetch(request).await? {
        Outcome::Fetched(response) => Ok(Some(response)),
        Outcome::NotModified { .. } => Ok(None),
    }
}

/// A 304 to a request sent without validators: the server is wrong, and says so.
fn unasked_304(request: &Request) -> FetchError {
    FetchError::Status {
        url: request.url.to_string(),
        status: 304,
        retry_after: None,
    }
}

fn fetched(request: &Request, response: Option<Response>) -> Result<Response, FetchError> {
    response.ok_or_else(|| unasked_304(request))
}

fn content_type_is_html(response: &Response) -> Result<(), ProbeError> {
    let content_type = response.content_type.as_deref().unwrap_or_default();
    let looks_html = content_type.is_empty()
        || content_type.contains("html")
        || content_type.starts_with("text/plain");
    if looks_html {
        Ok(())
    } else {
        Err(ProbeError::NotAPage {
            url: response.url.to_string(),
            content_type: content_type.to_owned(),
        })
    }
}

/// The article links of a list page and, up to `max_pages`, of the next pages it links.
/// `None` when the first page answered 304 to the validators given.
async fn read_list(
    fetcher: &Fetcher,
    first: Request,
    rules: &CompiledRules,
    max_pages: usize,
) -> Result<Option<(Vec<ProbedLink>, Option<String>, usize, Response)>, ProbeError> {
    let Some(response) = get(fetcher, &first).await? else {
        return Ok(None);
    };
    content_type_is_html(&response)?;
    let mut links = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut visited = vec![response.url.to_string()];
    let (mut page, title) = list_of(&response, rules).await;
    let mut pages = 1;
    loop {
        for link in page.links.drain(..) {
            if seen.insert(xinwen_model::link::canonical_url(&link.url)) {
                links.push(ProbedLink {
                    url: link.url,
                    title: Some(link.text).filter(|t| !t.is_empty()),
                    published: None,
                });
            }
        }
        let Some(next) = page.next_page.take().filter(|n| !visited.contains(n)) else {
            break;
        };
        if pages >= max_pages {
            break;
        }
        let Ok(next_url) = Url::parse(&next) else {
            break;
        };
        visited.push(next.clone());
        let request = Request::page(next_url);
        match get(fetcher, &request).await {
            Ok(Some(next_response)) => {
                page = list_of(&next_response, rules).await.0;
                pages += 1;
            }
            // A later page that fails leaves what the first ones gave.
            Ok(None) | Err(_) => break,
        }
    }
    Ok(Some((links, title, pages, response)))
}

async fn list_of(
    response: &Response,
    rules: &CompiledRules,
) -> (xinwen_extract::links::ListPage, Option<String>) {
    let body = response.body.clone();
    let charset = response.charset.clone();
    let url = response.url.clone();
    let rules = rules.clone();
    tokio::task::spawn_blocking(move || {
        let (text, _) = xinwen_extract::charset::decode_html_from(&body, charset.as_deref(), None);
        let page = xinwen_extract::links::article_links(&text, &url, &rules);
        let title = page.title.clone();
        (page, title)
    })
    .await
    .unwrap_or_default()
}

/// The recent pages of a sitemap, or of the newest sitemaps of an index. `None` when the
/// sitemap answered 304.
async fn read_sitemap(
    fetcher: &Fetcher,
    first: Request,
    now: DateTime<Utc>,
) -> Result<Option<(Vec<ProbedLink>, usize, Response)>, ProbeError> {
    let Some(response) = get(fetcher, &first).await? else {
        return Ok(None);
    };
    let url = response.url.to_string();
    let mut documents = 1;
    let parsed = parse_sitemap_off_thread(&response)
        .await
        .map_err(|source| ProbeError::Sitemap {
            url: url.clone(),
            source,
        })?;
    let pages = match parsed {
        Sitemap::Pages(pages) => pages,
        Sitemap::Index(mut children) => {
            // News sitemaps first, then the most recently modified.
            children.sort_by_key(|c| {
                (
                    !c.url.to_ascii_lowercase().contains("news"),
                    std::cmp::Reverse(c.lastmod),
                )
            });
            let mut pages = Vec::new();
            for child in children.iter().take(SITEMAPS_PER_INDEX) {
                let Ok(child_url) = Url::parse(&child.url) else {
                    continue;
                };
                let request = Request::feed(child_url);
                // A child that fails or is itself an index is passed over; the others count.
                let Ok(Some(child_response)) = get(fetcher, &request).await else {
                    continue;
                };
                documents += 1;
                if let Ok(Sitemap::Pages(found)) = parse_sitemap_off_thread(&child_response).await {
                    pages.extend(found);
                }
            }
            pages
        }
    };
    let listed = pages.len();
    let since = now - chrono::Duration::days(SITEMAP_RECENT_DAYS);
    let mut recent: Vec<ProbedLink> = pages
        .into_iter()
        .filter_map(|page| {
            // Recent when published or changed lately (a page re-edited today is news again).
            let when = page.published.max(page.lastmod)?;
            (when >= since).then_some(ProbedLink {
                url: page.url,
                title: page.title,
                published: page.published.or(page.lastmod),
            })
        })
        .collect();
    if recent.is_empty() && listed > 0 {
        return Err(ProbeError::NoRecentEntries {
            url,
            days: SITEMAP_RECENT_DAYS,
        });
    }
    recent.sort_by_key(|l| std::cmp::Reverse(l.published));
    Ok(Some((recent, documents, response)))
}

async fn parse_sitemap_off_thread(response: &Response) -> Result<Sitemap, SitemapError> {
    let body = response.body.clone();
    tokio::task::spawn_blocking(move || xinwen_feed::parse_sitemap(&body))
        .await
        .unwrap_or(Err(SitemapError::Empty))
}

/// Reads `url` as a source of `kind` would be read on its first fetch, storing nothing: which
/// article links it would take. A WeChat account is probed through one bridge feed.
pub async fn probe(
    fetcher: &Fetcher,
    kind: SourceKind,
    url: &str,
    rules: &LinkRules,
) -> Result<Probe, ProbeError> {
    let url = web_url(url)?;
    let compiled = rules.compile()?;
    match kind {
        SourceKind::Page => {
            let request = Request::page(url.clone());
            let (links, title, pages, _) =
                read_list(fetcher, request.clone(), &compiled, FIRST_FETCH_PAGES)
                    .await?
                    .ok_or_else(|| unasked_304(&request))?;
            if links.is_empty() {
                return Err(ProbeError::NoLinks {
                    url: url.to_string(),
                });
            }
            Ok(Probe {
                kind,
                title,
                links,
                documents_read: pages,
            })
        }
        SourceKind::Sitemap => {
            let request = Request::feed(url.clone());
            let (links, documents, _) = read_sitemap(fetcher, request.clone(), Utc::now())
                .await?
                .ok_or_else(|| unasked_304(&request))?;
            Ok(Probe {
                kind,
                title: None,
                links,
                documents_read: documents,
            })
        }
        SourceKind::Feed | SourceKind::Wechat => {
            let request = Request::feed(url.clone());
            let response = fetched(&request, get(fetcher, &request).await?)?;
            let feed =
                parse_feed_off_thread(&response)
                    .await
                    .map_err(|source| ProbeError::Feed {
                        url: response.url.to_string(),
                        source,
                    })?;
            Ok(Probe {
                kind,
                title: feed.title,
                links: feed
                    .entries
                    .into_iter()
                    .filter_map(|e| {
                        Some(ProbedLink {
                            url: e.url?,
                            title: e.title,
                            published: e.published.or(e.updated),
                        })
                    })
                    .collect(),
                documents_read: 1,
            })
        }
    }
}

/// Parses a fetched feed on the blocking pool (a large feed takes a while); a panic there is
/// an unreadable feed, not a lost task.
pub(crate) async fn parse_feed_off_thread(
    response: &Response,
) -> Result<xinwen_feed::Feed, FeedError> {
    let body = response.body.clone();
    let charset = response.charset.clone();
    let base = response.url.to_string();
    tokio::task::spawn_blocking(move || xinwen_feed::parse(&body, charset.as_deref(), Some(&base)))
        .await
        .unwrap_or_else(|e| Err(FeedError::Unreadable(e.to_string())))
}

/// What an address turned out to be, and how it can be followed.
#[derive(Debug, Clone)]
pub struct Discovery {
    /// The kind xinwen would read it as: the feed itself, the first feed the page declares,
    /// a sitemap, or the page's own list of articles.
    pub kind: SourceKind,
    /// The address to read (a declared feed's, when the page names one).
    pub url: String,
    pub title: Option<String>,
    /// Feeds the page declares (`<link rel="alternate">`) or that answer at common paths.
    pub feeds: Vec<String>,
    /// Whether the page itself declared them (else they were found at common paths).
    pub declared: bool,
}

/// Common places of a site's feed, tried when its page declares none.
const COMMON_FEED_PATHS: &[&str] = &[
    "/feed",
    "/rss",
    "/rss.xml",
    "/feed.xml",
    "/atom.xml",
    "/index.xml",
];

/// Finds how to follow an address: a feed is a feed; a sitemap is a sitemap; a web page is
/// followed through the feed it declares (or one at a common path), else read as a list page.
pub async fn discover(fetcher: &Fetcher, url: &str) -> Result<Discovery, ProbeError> {
    let url = web_url(url)?;
    let request = Request::page(url.clone());
    let response = fetched(&request, get(fetcher, &request).await?)?;
    let final_url = response.url.to_string();
    if let Ok(feed) = parse_feed_off_thread(&response).await {
        return Ok(Discovery {
            kind: SourceKind::Feed,
            url: final_url.clone(),
            title: feed.title,
            feeds: vec![final_url],
            declared: true,
        });
    }
    if parse_sitemap_off_thread(&response).await.is_ok() {
        return Ok(Discovery {
            kind: SourceKind::Sitemap,
            url: final_url,
            title: None,
            feeds: Vec::new(),
            declared: false,
        });
    }
    content_type_is_html(&response)?;
    let body = response.body.clone();
    let charset = response.charset.clone();
    let base = response.url.clone();
    let (declared, title) = tokio::task::spawn_blocking(move || {
        let (text, _) = xinwen_extract::charset::decode_html_from(&body, charset.as_deref(), None);
        xinwen_extract::links::declared_feeds(&text, &base)
    })
    .await
    .unwrap_or_default();
    let mut feeds = Vec::new();
    let was_declared = !declared.is_empty();
    let candidates: Vec<Url> = if declared.is_empty() {
        COMMON_FEED_PATHS
            .iter()
            .filter_map(|path| response.url.join(path).ok())
            .collect()
    } else {
        declared
    };
    for candidate in candidates {
        let request = Request::feed(candidate.clone());
        if let Ok(Some(answer)) = get(fetcher, &request).await
            && parse_feed_off_thread(&answer).await.is_ok()
        {
            feeds.push(answer.url.to_string());
        }
    }
    match feeds.first() {
        Some(feed) => Ok(Discovery {
            kind: SourceKind::Feed,
            url: feed.clone(),
            title,
            feeds,
            declared: was_declared,
        }),
        None => Ok(Discovery {
            kind: SourceKind::Page,
            url: final_url,
            title,
            feeds,
            declared: false,
        }),
    }
}

fn entry_of(link: ProbedLink) -> Entry {
    Entry {
        guid: xinwen_model::link::canonical_url(&link.url),
        url: Some(link.url),
        title: None,
        summary: None,
        content: None,
        authors: Vec::new(),
        published: link.published,
        updated: None,
        image: None,
        categories: Vec::new(),
    }
}

fn not_modified(ingester: &Ingester, source: &SourceWithHealth) -> (PassStats, FetchSuccess) {
    let stored = source.health.publish_interval_secs.map(Duration::from_secs);
    (
        PassStats {
            not_modified: true,
            ..PassStats::default()
        },
        FetchSuccess {
            etag: source.health.etag.clone(),
            last_modified: source.health.last_modified.clone(),
            articles_added: 0,
            publish_interval_secs: None,
            next_check_at: ingester.next_check(stored),
            read_note: source.health.read_note.clone(),
        },
    )
}

fn probe_failure(e: ProbeError) -> SourceFailure {
    match e {
        ProbeError::Fetch(e) => SourceFailure {
            retry_after: e.retry_after(),
            message: e.to_string(),
        },
        other => SourceFailure::new(other.to_string()),
    }
}

impl Ingester {
    fn address(source: &SourceWithHealth) -> Result<Url, SourceFailure> {
        let raw = source.source.feed_url.as_deref().ok_or_else(|| {
            SourceFailure::new(
                "the source has no address to read; give one with `xinwen source add`",
            )
        })?;
        xinwen_model::link::web_url(raw)
            .ok_or_else(|| SourceFailure::new(format!("the source's address {raw:?} is not a URL")))
    }

    /// Reads a list page (and, the first time, the next ones) and fetches the links not seen
    /// before.
    pub(crate) async fn page_pass(
        self: &Arc<Self>,
        source: &SourceWithHealth,
    ) -> Result<(PassStats, FetchSuccess), SourceFailure> {
        let url = Self::address(source)?;
        let rules = LinkRules {
            selector: source.source.link_selector.clone(),
            url_pattern: source.source.link_pattern.clone(),
        }
        .compile()
        .map_err(|e| SourceFailure::new(e.to_string()))?;
        let first_fetch = source.health.last_success_at.is_none();
        let max_pages = if first_fetch { FIRST_FETCH_PAGES } else { 1 };
        let request = Request::page(url.clone()).with_validators(
            source.health.etag.clone(),
            source.health.last_modified.clone(),
        );
        let Some((links, _, pages, response)) =
            read_list(&self.fetcher, request, &rules, max_pages)
                .await
                .map_err(probe_failure)?
        else {
            return Ok(not_modified(self, source));
        };
        if links.is_empty() {
            return Err(probe_failure(ProbeError::NoLinks {
                url: url.to_string(),
            }));
        }
        let mut entries: Vec<Entry> = links.into_iter().map(entry_of).collect();
        entries.truncate(self.config.max_entries);
        let stats = self.store_entries(source, entries).await?;
        let note = format!("读了{pages}个列表页，找到{}篇文章的链接", stats.entries);
        Ok((
            stats.clone(),
            FetchSuccess {
                etag: response.etag,
                last_modified: response.last_modified,
                articles_added: stats.added as u64,
                publish_interval_secs: None,
                next_check_at: self
                    .next_check(source.health.publish_interval_secs.map(Duration::from_secs)),
                read_note: Some(note),
            },
        ))
    }

    /// Reads a sitemap (or the newest of an index) and fetches its recent pages not seen.
    pub(crate) async fn sitemap_pass(
        self: &Arc<Self>,
        source: &SourceWithHealth,
    ) -> Result<(PassStats, FetchSuccess), SourceFailure> {
        let url = Self::address(source)?;
        let request = Request::feed(url).with_validators(
            source.health.etag.clone(),
            source.health.last_modified.clone(),
        );
        let Some((links, documents, response)) = read_sitemap(&self.fetcher, request, Utc::now())
            .await
            .map_err(probe_failure)?
        else {
            return Ok(not_modified(self, source));
        };
        let times: Vec<DateTime<Utc>> = links.iter().filter_map(|l| l.published).collect();
        let interval = publishing_interval(&times);
        let mut entries: Vec<Entry> = links.into_iter().map(entry_of).collect();
        entries.truncate(self.config.max_entries);
        let stats = self.store_entries(source, entries).await?;
        let stored = source.health.publish_interval_secs.map(Duration::from_secs);
        Ok((
            stats.clone(),
            FetchSuccess {
                etag: response.etag,
                last_modified: response.last_modified,
                articles_added: stats.added as u64,
                publish_interval_secs: interval.map(|i| i.as_secs()),
                next_check_at: self.next_check(interval.or(stored)),
                read_note: Some(format!(
                    "读了{documents}个站点地图，近{SITEMAP_RECENT_DAYS}天的文章{}篇",
                    stats.entries
                )),
            },
        ))
    }

    /// Asks a WeChat account's bridges in order and reads the first that answers with
    /// recent entries.
    pub(crate) async fn wechat_pass(
        self: &Arc<Self>,
        source: &SourceWithHealth,
    ) -> Result<(PassStats, FetchSuccess), SourceFailure> {
        let id = source.source.id;
        let store_failure =
            |e: xinwen_store::Error| SourceFailure::new(format!("the store failed: {e}"));
        let bridges = self.store.source_bridges(id).await.map_err(store_failure)?;
        if bridges.is_empty() {
            return Err(SourceFailure::new(
                "the account has no bridge feed; add one with `xinwen source add --kind wechat --bridge URL`",
            ));
        }
        let now = Utc::now();
        let stale_before = now - chrono::Duration::days(BRIDGE_STALE_AFTER_DAYS);
        // What each bridge asked said: failures in words, answers with their entries.
        let mut failures: Vec<(usize, String)> = Vec::new();
        let mut answers: Vec<BridgeAnswer> = Vec::new();
        let mut last_retry_after = None;
        for (i, bridge) in bridges.iter().enumerate() {
            let answer = match Url::parse(&bridge.url) {
                Err(e) => Err(format!("its address is not a URL ({e})")),
                Ok(url) => {
                    let request = Request::feed(url)
                        .with_validators(bridge.etag.clone(), bridge.last_modified.clone());
                    match self.fetcher.fetch(&request).await {
                        Ok(Outcome::NotModified { .. }) => Ok(None),
                        Ok(Outcome::Fetched(response)) => {
                            match parse_feed_off_thread(&response).await {
                                Ok(feed) => Ok(Some((feed, response))),
                                Err(e) => Err(e.to_string()),
                            }
                        }
                        Err(e) => {
                            last_retry_after = e.retry_after().or(last_retry_after);
                            Err(e.to_string())
                        }
                    }
                }
            };
            let (outcome, answered) = match answer {
                Err(error) => {
                    failures.push((i, error.clone()));
                    let outcome = BridgeOutcome {
                        error: Some(error),
                        ..BridgeOutcome::default()
                    };
                    (outcome, None)
                }
                // Nothing new since last time: as fresh as what it gave before.
                Ok(None) => (
                    BridgeOutcome {
                        etag: bridge.etag.clone(),
                        last_modified: bridge.last_modified.clone(),
                        ..BridgeOutcome::default()
                    },
                    Some(BridgeAnswer {
                        index: i,
                        entries: Vec::new(),
                        newest: bridge.newest_entry_at,
                    }),
                ),
                Ok(Some((feed, response))) => {
                    let mut entries = feed.entries;
                    for entry in &mut entries {
                        // One article through two bridges is one entry.
                        if let Some(url) = &entry.url {
                            entry.guid = xinwen_model::link::canonical_url(url);
                        }
                    }
                    let newest = entries
                        .iter()
                        .filter_map(|e| e.published.or(e.updated))
                        .max();
                    (
                        BridgeOutcome {
                            error: None,
                            etag: response.etag,
                            last_modified: response.last_modified,
                            newest_entry_at: newest,
                        },
                        Some(BridgeAnswer {
                            index: i,
                            entries,
                            newest: newest.or(bridge.newest_entry_at),
                        }),
                    )
                }
            };
            self.store
                .record_bridge(id, bridge.position, now, &outcome)
                .await
                .map_err(store_failure)?;
            if let Some(answer) = answered {
                let fresh = answer.newest.is_some_and(|t| t >= stale_before);
                answers.push(answer);
                // A bridge with recent entries is read; later ones need not be asked.
                if fresh {
                    break;
                }
            }
        }
        // Otherwise the bridge with the newest entries, the preferred among equals.
        let Some(chosen) = answers
            .iter()
            .max_by(|a, b| a.newest.cmp(&b.newest).then(b.index.cmp(&a.index)))
        else {
            let reasons: Vec<String> = failures
                .iter()
                .map(|(i, e)| format!("{}：{e}", bridge_name(*i, &bridges[*i].url)))
                .collect();
            return Err(SourceFailure {
                message: format!("every bridge failed: {}", reasons.join("; ")),
                retry_after: last_retry_after,
            });
        };
        let index = chosen.index;
        let mut passed_over: Vec<String> = failures
            .iter()
            .filter(|(i, _)| *i < index)
            .map(|(i, e)| format!("{}失败：{e}", bridge_name(*i, &bridges[*i].url)))
            .collect();
        for earlier in answers.iter().filter(|a| a.index < index) {
            passed_over.push(format!(
                "{}的最新文章停在{}天前",
                bridge_name(earlier.index, &bridges[earlier.index].url),
                days_since(earlier.newest, now)
            ));
        }
        let mut entries = answers
            .into_iter()
            .find(|a| a.index == index)
            .map(|a| a.entries)
            .unwrap_or_default();
        let in_use = bridge_name(index, &bridges[index].url);
        let note = if passed_over.is_empty() {
            format!("使用{in_use}")
        } else {
            format!("使用{in_use}，因为{}", passed_over.join("；"))
        };
        entries.truncate(self.config.max_entries);
        let times: Vec<DateTime<Utc>> = entries
            .iter()
            .filter_map(|e| e.published.or(e.updated))
            .collect();
        let interval = publishing_interval(&times);
        let stats = self.store_entries(source, entries).await?;
        let stored = source.health.publish_interval_secs.map(Duration::from_secs);
        Ok((
            stats.clone(),
            FetchSuccess {
                etag: None,
                last_modified: None,
                articles_added: stats.added as u64,
                publish_interval_secs: interval.map(|i| i.as_secs()),
                next_check_at: self.next_check(interval.or(stored)),
                read_note: Some(note),
            },
        ))
    }
}

struct BridgeAnswer {
    index: usize,
    /// Empty when the bridge answered 304.
    entries: Vec<Entry>,
    newest: Option<DateTime<Utc>>,
}

/// "首选桥接（rsshub.example）", "备用桥接2（wewe.example）": how health names a bridge.
fn bridge_name(index: usize, url: &str) -> String {
    let host = Url::parse(url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_owned))
        .unwrap_or_else(|| url.to_owned());
    if index == 0 {
        format!("首选桥接（{host}）")
    } else {
        format!("备用桥接{}（{host}）", index + 1)
    }
}

fn days_since(time: Option<DateTime<Utc>>, now: DateTime<Utc>) -> i64 {
    time.map_or(0, |t| (now - t).num_days())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bridges_are_named_by_place_and_host() {
        assert_eq!(
            bridge_name(0, "https://rsshub.example/wechat/mp/x"),
            "首选桥接（rsshub.example）"
        );
        assert_eq!(
            bridge_name(1, "https://wewe.example/feeds/x.atom"),
            "备用桥接2（wewe.example）"
        );
    }
}
