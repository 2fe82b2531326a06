//! One pass over one source: feed, entries, pages, articles, health.

use crate::Ingester;
use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};
use std::sync::Arc;
use std::time::Duration;
use url::Url;
use xinwen_feed::Entry;
use xinwen_fetch::{FetchError, Outcome, Request};
use xinwen_model::{ArticleStatus, Channel, Image, NewArticle, SourceKind};
use xinwen_newsroom::schedule::{check_interval, failure_backoff, publishing_interval};
use xinwen_newsroom::script_of;
use xinwen_store::{EntryKey, FeedArticle, FetchSuccess, SourceWithHealth};

/// The lease xinwen asks of hubs: ten days, renewed in the last day.
const PUSH_LEASE_SECS: i64 = 10 * 24 * 3600;

/// What a pass over one source did.
#[derive(Debug, Clone)]
pub struct SourceReport {
    pub source_id: i64,
    pub slug: String,
    /// The pass's figures, or why the source could not be fetched at all.
    pub outcome: Result<PassStats, String>,
    pub next_check_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PassStats {
    /// The feed answered 304: nothing changed.
    pub not_modified: bool,
    pub entries: usize,
    pub added: usize,
    pub updated: usize,
    pub unchanged: usize,
    /// Pages fetched because the feed carried only a teaser.
    pub pages_fetched: usize,
    /// Articles not written because a takedown tombstoned their address or their text.
    pub withheld: usize,
    /// Entries that could not be turned into articles this time, with why; they are tried
    /// again on the next pass.
    pub failed: Vec<(String, String)>,
}

/// A failure of the whole source, and how long the server asked us to wait.
pub(crate) struct SourceFailure {
    pub(crate) message: String,
    pub(crate) retry_after: Option<Duration>,
}

impl SourceFailure {
    pub(crate) fn new(message: impl Into<String>) -> SourceFailure {
        SourceFailure {
            message: message.into(),
            retry_after: None,
        }
    }
}

impl From<FetchError> for SourceFailure {
    fn from(e: FetchError) -> Self {
        SourceFailure {
            retry_after: e.retry_after(),
            message: e.to_string(),
        }
    }
}

impl Ingester {
    /// Fetches one source's feed and turns its new and changed entries into articles, then
    /// records how it went and when the source is due next.
    pub async fn fetch_source(self: &Arc<Self>, source: &SourceWithHealth) -> SourceReport {
        let started = Utc::now();
        let id = source.source.id;
        if let Err(e) = self.store.record_fetch_attempt(id, started).await {
            tracing::warn!(source = %source.source.slug, error = %e, "cannot record the attempt");
        }
        let result = self.pass(source).await;
        if let Some(stories) = &self.stories
            && let Err(e) = stories.assign_pending().await
        {
            // The articles are stored; they join their stories on the next pass or start.
            tracing::error!(source = %source.source.slug, error = %e, "cannot place new articles in stories");
        }
        let now = Utc::now();
        let (outcome, next_check_at) = match result {
            Ok((stats, success)) => {
                let next = success.next_check_at;
                if let Err(e) = self.store.record_fetch_success(id, now, &success).await {
                    tracing::error!(source = %source.source.slug, error = %e, "cannot record the fetch");
                }
                (Ok(stats), next)
            }
            Err(failure) => {
                let failures = source.health.consecutive_failures.saturating_add(1);
                let mut wait =
                    failure_backoff(failures, self.config.backoff_base, self.config.backoff_cap);
                if let Some(asked) = failure.retry_after {
                    wait = wait.max(asked);
                }
                let next =
                    now + chrono::Duration::from_std(wait).unwrap_or(chrono::Duration::hours(1));
                tracing::warn!(source = %source.source.slug, error = %failure.message, "fetch failed");
                if let Err(e) = self
                    .store
                    .record_fetch_failure(id, now, &failure.message, next)
                    .await
                {
                    tracing::error!(source = %source.source.slug, error = %e, "cannot record the failure");
                }
                (Err(failure.message), next)
            }
        };
        SourceReport {
            source_id: id,
            slug: source.source.slug.clone(),
            outcome,
            next_check_at,
        }
    }

    /// Reads the source as its kind says.
    async fn pass(
        self: &Arc<Self>,
        source: &SourceWithHealth,
    ) -> Result<(PassStats, FetchSuccess), SourceFailure> {
        match source.source.kind {
            SourceKind::Feed => self.feed_pass(source).await,
            SourceKind::Page => self.page_pass(source).await,
            SourceKind::Sitemap => self.sitemap_pass(source).await,
            SourceKind::Wechat => self.wechat_pass(source).await,
        }
    }

    async fn feed_pass(
        self: &Arc<Self>,
        source: &SourceWithHealth,
    ) -> Result<(PassStats, FetchSuccess), SourceFailure> {
        let feed_url = source
            .source
            .feed_url
            .as_deref()
            .ok_or_else(|| SourceFailure {
                message: "the source has no feed address; add one with `xinwen source add`".into(),
                retry_after: None,
            })?;
        let feed_url = Url::parse(feed_url).map_err(|e| SourceFailure {
            message: format!("the feed address {feed_url:?} is not a URL: {e}"),
            retry_after: None,
        })?;
        let request = Request::feed(feed_url).with_validators(
            source.health.etag.clone(),
            source.health.last_modified.clone(),
        );
        let stored_interval = source.health.publish_interval_secs.map(Duration::from_secs);
        let response = match self.fetcher.fetch(&request).await? {
            Outcome::NotModified { .. } => {
                let stats = PassStats {
                    not_modified: true,
                    ..PassStats::default()
                };
                let success = FetchSuccess {
                    etag: source.health.etag.clone(),
                    last_modified: source.health.last_modified.clone(),
                    articles_added: 0,
                    publish_interval_secs: None,
                    next_check_at: self.next_check(stored_interval),
                    read_note: None,
                };
                return Ok((stats, success));
            }
            Outcome::Fetched(response) => response,
        };
        let feed = crate::kinds::parse_feed_off_thread(&response)
            .await
            .map_err(|e| SourceFailure::new(format!("{}: {e}", response.url)))?;
        if let (Some(base), Some(hub)) = (&self.config.push_callback_base, &feed.hub) {
            let topic = feed
                .self_url
                .clone()
                .unwrap_or_else(|| request.url.to_string());
            if let Err(e) = self.subscribe_at_hub(source, base, hub, &topic).await {
                tracing::info!(source = %source.source.slug, %hub, error = %e, "not subscribed at the feed's hub; polling it");
            }
        }
        let mut entries = feed.entries;
        entries.truncate(self.config.max_entries);
        let stats = self.store_entries(source, entries.clone()).await?;
        let times: Vec<DateTime<Utc>> = entries
            .iter()
            .filter_map(|e| e.published.or(e.updated))
            .collect();
        let interval = publishing_interval(&times);
        let success = FetchSuccess {
            etag: response.etag,
            last_modified: response.last_modified,
            articles_added: stats.added as u64,
            publish_interval_secs: interval.map(|i| i.as_secs()),
            next_check_at: self.next_check(interval.or(stored_interval)),
            read_note: None,
        };
        Ok((stats, success))
    }

    /// Asks the feed's WebSub hub to tell xinwen when it changes, unless a subscription is
    /// active (and not near its end) or was asked for within the day.
    pub(crate) async fn subscribe_at_hub(
        &self,
        source: &SourceWithHealth,
        callback_base: &str,
        hub: &str,
        topic: &str,
    ) -> Result<(), String> {
        let id = source.source.id;
        let now = Utc::now();
        let held = self
            .store
            .source_push(id)
            .await
            .map_err(|e| e.to_string())?;
        let current = held.as_ref().is_some_and(|p| {
            p.hub == hub
                && p.topic == topic
                && match p.state.as_str() {
                    "active" => p
                        .lease_expires_at
                        .is_some_and(|end| end - now > chrono::Duration::days(1)),
                    "denied" => now - p.requested_at < chrono::Duration::days(7),
                    _ => now - p.requested_at < chrono::Duration::days(1),
                }
        });
        if current {
            return Ok(());
        }
        let hub_url = Url::parse(hub).map_err(|e| e.to_string())?;
        let secret = xinwen_accounts::new_token().map_err(|e| e.to_string())?;
        let callback = format!(
            "{}/websub/callback/{id}",
            callback_base.trim_end_matches('/')
        );
        let form: String = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("hub.mode", "subscribe")
            .append_pair("hub.topic", topic)
            .append_pair("hub.callback", &callback)
            .append_pair("hub.secret", &secret)
            .append_pair("hub.lease_seconds", &PUSH_LEASE_SECS.to_string())
            .finish();
        // Noted before asking: the hub may verify before its answer arrives.
        self.store
            .push_requested(id, hub, topic, &secret)
            .await
            .map_err(|e| e.to_string())?;
        let status = self
            .fetcher
            .post(
                &hub_url,
                "application/x-www-form-urlencoded",
                &[],
                form.into_bytes().into(),
            )
            .await
            .map_err(|e| e.to_string())?;
        if !(200..300).contains(&status) {
            return Err(format!("the hub answered {status}"));
        }
        Ok(())
    }

    pub(crate) fn next_check(&self, publish_interval: Option<Duration>) -> DateTime<Utc> {
        let wait = check_interval(
            publish_interval,
            self.config.min_interval,
            self.config.max_interval,
        );
        Utc::now() + chrono::Duration::from_std(wait).unwrap_or(chrono::Duration::hours(1))
    }

    pub(crate) async fn store_entries(
        self: &Arc<Self>,
        source: &SourceWithHealth,
        entries: Vec<Entry>,
    ) -> Result<PassStats, SourceFailure> {
        let store_failure = |e: xinwen_store::Error| SourceFailure {
            message: format!("the store failed: {e}"),
            retry_after: None,
        };
        let mut stats = PassStats {
            entries: entries.len(),
            ..PassStats::default()
        };
        let channels: Arc<Vec<Channel>> =
            Arc::new(self.store.channels().await.map_err(store_failure)?);
        let guids: Vec<String> = entries.iter().map(|e| e.guid.clone()).collect();
        let known = self
            .store
            .known_entries(source.source.id, &guids)
            .await
            .map_err(store_failure)?;
        // A feed may list one entry twice; the first (newest) wins.
        let mut seen = std::collections::HashSet::new();
        let mut work = Vec::new();
        for entry in entries {
            if !seen.insert(entry.guid.clone()) {
                continue;
            }
            let hash = entry_hash(&entry);
            match known.get(&entry.guid) {
                Some(k) if k.status == ArticleStatus::Removed => stats.unchanged += 1,
                Some(k) if k.entry_hash == hash => stats.unchanged += 1,
                other => work.push((entry, hash, other.is_some())),
            }
        }
        // Oldest first, so that a pass cut short has stored the earlier articles.
        work.reverse();
        let limit = Arc::new(tokio::sync::Semaphore::new(
            self.config.page_concurrency.max(1),
        ));
        let mut tasks = tokio::task::JoinSet::new();
        for (entry, hash, was_known) in work {
            let ingester = self.clone();
            let limit = limit.clone();
            let source = source.source.clone();
            let channels = channels.clone();
            tasks.spawn(async move {
                let _permit = limit.acquire_owned().await.expect("never closed");
                let built = ingester
                    .build_article(&source.slug, &entry, &channels)
                    .await;
                (entry, hash, was_known, built)
            });
        }
        // Written as they are built, a batch at a time, so that a pass cut short keeps what
        // it finished.
        let mut batch = Vec::new();
        let check_tombstones = self.store.has_tombstones().await.map_err(store_failure)?;
        while let Some(joined) = tasks.join_next().await {
            let (entry, hash, was_known, built) = match joined {
                Ok(item) => item,
                Err(e) => {
                    stats
                        .failed
                        .push((String::new(), format!("internal error: {e}")));
                    continue;
                }
            };
            match built {
                Ok((article, fetched_page)) => {
                    stats.pages_fetched += usize::from(fetched_page);
                    if check_tombstones && self.tombstoned(&article).await.map_err(store_failure)? {
                        tracing::info!(url = %article.canonical_url, "withheld: a takedown removed this work");
                        stats.withheld += 1;
                        continue;
                    }
                    if was_known {
                        stats.updated += 1;
                    } else {
                        stats.added += 1;
                    }
                    batch.push(FeedArticle {
                        article,
                        entry: EntryKey {
                            guid: entry.guid.clone(),
                            entry_hash: hash,
                        },
                    });
                    if batch.len() >= self.config.batch_size.max(1) {
                        self.write_batch(&batch).await.map_err(store_failure)?;
                        batch.clear();
                    }
                }
                Err(reason) => {
                    stats
                        .failed
                        .push((entry.url.clone().unwrap_or(entry.guid.clone()), reason));
                }
            }
        }
        if !batch.is_empty() {
            self.write_batch(&batch).await.map_err(store_failure)?;
        }
        Ok(stats)
    }

    /// Stores a batch of articles. With a story keeper, which places new articles (and so
    /// numbers their changes) as soon as the pass ends, new articles are left for it to number.
    async fn write_batch(&self, batch: &[FeedArticle]) -> Result<Vec<i64>, xinwen_store::Error> {
        match &self.stories {
            Some(_) => self.store.upsert_feed_articles_to_place(batch).await,
            None => self.store.upsert_feed_articles(batch).await,
        }
    }

    /// Whether a takedown removed this work: its address, or the same text anywhere else.
    async fn tombstoned(&self, article: &NewArticle) -> Result<bool, xinwen_store::Error> {
        let hash = xinwen_dedup::content_hash(&article.title, &article.body_text);
        let (urls, hashes) = self
            .store
            .tombstoned(&[article.canonical_url.as_str()], &[hash])
            .await?;
        Ok(!urls.is_empty() || !hashes.is_empty())
    }

    /// Turns one entry into an article: from the feed's own text when it is whole, from the
    /// article page otherwise. Returns whether a page was fetched.
    async fn build_article(
        &self,
        source_slug: &str,
        entry: &Entry,
        channels: &[Channel],
    ) -> Result<(NewArticle, bool), String> {
        // Checked again here, where it becomes the article's 阅读原文: http(s) or nothing.
        let entry_url = entry.url.as_deref().and_then(xinwen_model::link::web_url);
        let (html, page_url, charset, fetched_page) = if entry.has_full_text()
            || entry_url.is_none()
        {
            let body = entry.body_html().unwrap_or_default();
            let page = format!(
                "<html><head><meta charset=\"utf-8\"><title>{}</title></head><body><article>{body}</article></body></html>",
                escape_text(entry.title.as_deref().unwrap_or_default())
            );
            (page.into_bytes().into(), entry_url.clone(), None, false)
        } else {
            let url = entry_url.clone().expect("checked above");
            match self.fetcher.fetch(&Request::page(url.clone())).await {
                Ok(Outcome::Fetched(response)) => {
                    (response.body, Some(response.url), response.charset, true)
                }
                Ok(Outcome::NotModified { .. }) => {
                    return Err(format!("{url} answered 304 to a plain GET"));
                }
                // The page may not be fetched (robots.txt) or is gone, but the feed's teaser
                // is still ours to show, credited and linked.
                Err(
                    e @ (FetchError::RobotsDisallowed { .. }
                    | FetchError::Status {
                        status: 404 | 410, ..
                    }),
                ) if entry.body_html().is_some() => {
                    tracing::info!(url = %url, error = %e, "using the feed's text");
                    let body = entry.body_html().unwrap_or_default();
                    let page = format!("<html><body><article>{body}</article></body></html>");
                    (page.into_bytes().into(), Some(url), None, false)
                }
                Err(e) => return Err(e.to_string()),
            }
        };
        let page_url_text = page_url.as_ref().map(Url::to_string);
        // At low priority: nobody is waiting on this page, and readers of the site are.
        let extracted = xinwen_background::run(move || {
            xinwen_extract::extract(&html, page_url_text.as_deref(), charset.as_deref())
        })
        .await
        .map_err(|e| format!("extraction failed: {e}"))?;
        let text = extracted.text.trim();
        if text.is_empty() {
            return Err("the page has no article text".into());
        }
        let title = entry
            .title
            .clone()
            .or(extracted.title.clone())
            .ok_or("the entry has no title and the page none either")?;
        let link = identity_url(
            entry_url.as_ref(),
            page_url.as_ref(),
            extracted.canonical_url.as_deref(),
        )
        .ok_or("the entry has no http or https link to credit as its original")?;
        let published_at = entry
            .published
            .or(entry.updated)
            .or(extracted.published_at.map(|t| t.with_timezone(&Utc)))
            .unwrap_or_else(Utc::now);
        let author = if extracted.authors.is_empty() {
            (!entry.authors.is_empty()).then(|| entry.authors.join("、"))
        } else {
            Some(extracted.authors.join("、"))
        };
        let images: Vec<Image> = extracted
            .images
            .iter()
            .map(|image| Image {
                src: self
                    .signer
                    .proxied(&image.src)
                    .unwrap_or_else(|| image.src.clone()),
                alt: image.alt.clone(),
                caption: image.caption.clone(),
            })
            .collect();
        let script = script_of(extracted.lang.as_deref(), text);
        // Who it credits: a 来源 line's name, else where its 阅读原文 leads (when that is
        // another page).
        let credited_source = extracted.source_name.clone().or_else(|| {
            let read_original = extracted.wechat.as_ref()?.source_url.clone()?;
            xinwen_model::link::web_url(&read_original)?;
            (xinwen_model::link::canonical_url(&read_original)
                != xinwen_model::link::canonical_url(&link))
            .then_some(read_original)
        });
        Ok((
            NewArticle {
                source_slug: source_slug.to_owned(),
                channel_slug: channel_for(&entry.categories, channels),
                title,
                author,
                canonical_url: xinwen_model::link::canonical_url(&link),
                original_url: link,
                published_at,
                fetched_at: Utc::now(),
                body_html: xinwen_media::rewrite_images(&extracted.html, &self.signer),
                body_text: extracted.text.clone(),
                summary: extracted.summary.clone(),
                images,
                script,
                credited_source,
            },
            fetched_page,
        ))
    }
}

/// The channel an entry's category names, by the channel's name or slug; `None` leaves the
/// article in its source's default channel. This is how one source (a daily covering every
/// section) fills several channels.
fn channel_for(categories: &[String], channels: &[Channel]) -> Option<String> {
    categories.iter().find_map(|category| {
        channels
            .iter()
            .find(|c| c.name == *category || c.slug.eq_ignore_ascii_case(category))
            .map(|c| c.slug.clone())
    })
}

/// The URL an article is known by: the page's declared canonical URL when it is on the same
/// site as the page (a canonical pointing elsewhere could claim another publisher's article),
/// otherwise the entry's link, otherwise the page's address.
fn identity_url(
    entry_url: Option<&Url>,
    page_url: Option<&Url>,
    canonical: Option<&str>,
) -> Option<String> {
    let fallback = entry_url
        .or(page_url)
        .filter(|u| xinwen_model::link::is_web_url(u.as_str()))?;
    let same_site = |candidate: &Url| {
        [entry_url, page_url]
            .into_iter()
            .flatten()
            .any(|known| registrable_host(known) == registrable_host(candidate))
    };
    match canonical.and_then(xinwen_model::link::web_url) {
        Some(canonical) if same_site(&canonical) => Some(canonical.to_string()),
        _ => Some(fallback.to_string()),
    }
}

/// The host without a leading `www.`/`m.`: enough to tell "same site" for canonical links.
fn registrable_host(url: &Url) -> String {
    let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
    for prefix in ["www.", "m.", "wap."] {
        if let Some(rest) = host.strip_prefix(prefix) {
            return rest.to_owned();
        }
    }
    host
}

/// What the feed said of an entry, hashed: the same hash means there is nothing to fetch.
fn entry_hash(entry: &Entry) -> String {
    let mut hasher = Sha256::new();
    for part in [
        entry.url.as_deref().unwrap_or_default(),
        entry.title.as_deref().unwrap_or_default(),
        entry.summary.as_deref().unwrap_or_default(),
        entry.content.as_deref().unwrap_or_default(),
    ] {
        hasher.update(part.as_bytes());
        hasher.update([0]);
    }
    for time in [entry.published, entry.updated] {
        hasher.update(time.map_or(0, |t| t.timestamp()).to_le_bytes());
    }
    hasher
        .finalize()
        .iter()
        .take(16)
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn escape_text(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(text: &str) -> Url {
        Url::parse(text).unwrap()
    }

    #[test]
    fn a_canonical_url_on_another_site_is_not_trusted() {
        let entry = url("http://www.xinghe.example/a/1.html?from=rss");
        assert_eq!(
            identity_url(
                Some(&entry),
                Some(&entry),
                Some("https://xinghe.example/a/1.html")
            )
            .as_deref(),
            Some("https://xinghe.example/a/1.html")
        );
        assert_eq!(
            identity_url(
                Some(&entry),
                Some(&entry),
                Some("https://other.example/original.html")
            )
            .as_deref(),
            Some("http://www.xinghe.example/a/1.html?from=rss")
        );
        assert_eq!(
            identity_url(Some(&entry), None, Some("javascript:alert(1)")).as_deref(),
            Some("http://www.xinghe.example/a/1.html?from=rss")
        );
        assert_eq!(identity_url(None, None, Some("https://x.example/")), None);
    }

    #[test]
    fn the_entry_hash_changes_with_what_the_feed_says() {
        let entry = Entry {
            guid: "1".into(),
            url: Some("https://a.example/1".into()),
            title: Some("标题".into()),
            summary: None,
            content: None,
            authors: vec![],
            published: None,
            updated: None,
            image: None,
            categories: vec![],
        };
        let mut edited = entry.clone();
        edited.title = Some("新标题".into());
        assert_eq!(entry_hash(&entry), entry_hash(&entry.clone()));
        assert_ne!(entry_hash(&entry), entry_hash(&edited));
    }
}

/// Why a link could not be added as an article.
#[derive(Debug, thiserror::Error)]
pub enum AddLinkError {
    #[error("no source is named {0:?}")]
    UnknownSource(String),
    #[error("{0} is not an http(s) address")]
    NotAWebAddress(String),
    #[error("a takedown removed this work; it is not published again")]
    Withheld,
    #[error("{0}")]
    Failed(String),
    #[error("the store failed: {0}")]
    Store(#[from] xinwen_store::Error),
}

impl Ingester {
    /// Fetches one article page an editor found, extracts and stores it under the source
    /// named `source_slug`, as a feed entry would be (through the guard, tombstones, stories);
    /// returns the article's id. A link already stored under that source is updated.
    pub async fn add_link(
        self: &Arc<Self>,
        source_slug: &str,
        link: &str,
    ) -> Result<i64, AddLinkError> {
        let url = xinwen_model::link::web_url(link)
            .ok_or_else(|| AddLinkError::NotAWebAddress(link.to_owned()))?;
        let source = self
            .store
            .source_by_slug(source_slug)
            .await?
            .ok_or_else(|| AddLinkError::UnknownSource(source_slug.to_owned()))?;
        let source = SourceWithHealth {
            source,
            health: Default::default(),
        };
        let guid = url.to_string();
        let entry = Entry {
            guid: guid.clone(),
            url: Some(guid.clone()),
            title: None,
            summary: None,
            content: None,
            authors: Vec::new(),
            published: None,
            updated: None,
            image: None,
            categories: Vec::new(),
        };
        let stats = self
            .store_entries(&source, vec![entry])
            .await
            .map_err(|f| AddLinkError::Failed(f.message))?;
        if let Some((_, why)) = stats.failed.first() {
            return Err(AddLinkError::Failed(why.clone()));
        }
        if stats.withheld > 0 {
            return Err(AddLinkError::Withheld);
        }
        if let Some(stories) = &self.stories
            && let Err(e) = stories.assign_pending().await
        {
            tracing::error!(error = %e, "cannot place the added article in a story");
        }
        let known = self
            .store
            .known_entries(source.source.id, std::slice::from_ref(&guid))
            .await?;
        known
            .get(&guid)
            .map(|k| k.article_id)
            .ok_or_else(|| AddLinkError::Failed("the article was not stored".into()))
    }
}
