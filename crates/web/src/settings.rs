//! What the operator configures about the site.

use std::path::PathBuf;
use std::time::Duration;

#[derive(Debug, Clone)]
pub struct SiteSettings {
    /// The site's name in the header, titles and feeds.
    pub name: String,
    /// One line under the name.
    pub tagline: String,
    /// The public address, without a trailing slash; feeds need absolute links.
    pub base_url: String,
    /// Markdown files the operator edits: about.md, contact.md, privacy.md, terms.md.
    /// A missing file falls back to the text built into xinwen.
    pub pages_dir: PathBuf,
    /// Images and other files served under `/media/`.
    pub media_dir: PathBuf,
    /// Articles per page in lists.
    pub per_page: u32,
    /// Memory the rendered-page cache may use.
    pub page_cache_bytes: u64,
    /// How long a rendered page is served before it is rendered again.
    pub page_cache_ttl: Duration,
    /// A source failing this long is shown as stale.
    pub stale_after: chrono::Duration,
    /// Cookies carry `Secure`: on when the site is served over https.
    pub secure_cookies: bool,
    /// Read the visitor's address from `X-Forwarded-For`: only behind a proxy that sets it.
    pub trust_forwarded_for: bool,
    /// Keys the hashes of visitors' addresses, so that the store holds no addresses.
    pub address_key: String,
    /// How long an editor's session lasts.
    pub session_hours: i64,
    /// Submissions and takedown requests accepted from one address in an hour.
    pub requests_per_address_hour: u64,
    /// ... and from everyone together: a flood cannot bury the editors.
    pub requests_per_hour: u64,
    /// Pages rendered at once (cache misses); the others wait their turn.
    pub renders_at_once: usize,
    /// Requests that may wait for a turn; past that they get 503 at once.
    pub render_queue: usize,
    /// How long a request waits for its turn before it gets 503.
    pub render_wait: Duration,
    /// A rendering that takes longer is abandoned with 503, so that one slow query cannot
    /// hold a turn for long.
    pub render_timeout: Duration,
    /// Requests to the JSON API one address may make in a minute (a quarter of them at once).
    pub api_requests_per_minute: u32,
    /// An external WebSub hub the feeds name instead of the site's own; it is told (a
    /// `publish` ping) when a feed changes, and serves the subscribers itself.
    pub websub_hub: Option<String>,
    /// The bearer token that lets a scraper on another machine read `/metrics`; without it,
    /// only requests from this machine may.
    pub metrics_token: Option<String>,
}

impl SiteSettings {
    /// Settings for a site whose data lives in `data_dir`.
    pub fn for_data_dir(data_dir: &std::path::Path) -> SiteSettings {
        SiteSettings {
            name: "新闻 xinwen".into(),
            tagline: "来源清楚的中文新闻".into(),
            base_url: "http://127.0.0.1:8080".into(),
            pages_dir: data_dir.join("pages"),
            media_dir: data_dir.join("media"),
            per_page: 20,
            page_cache_bytes: 64 * 1024 * 1024,
            page_cache_ttl: Duration::from_secs(10),
            stale_after: chrono::Duration::hours(48),
            secure_cookies: false,
            trust_forwarded_for: false,
            address_key: xinwen_accounts::new_token().unwrap_or_default(),
            session_hours: 12,
            requests_per_address_hour: 5,
            requests_per_hour: 200,
            metrics_token: None,
            api_requests_per_minute: 600,
            websub_hub: None,
            // As many as the store has connections: more would only queue on the pool.
            renders_at_once: xinwen_store::POOL_CONNECTIONS as usize,
            render_queue: 512,
            render_wait: Duration::from_secs(1),
            render_timeout: Duration::from_secs(10),
        }
    }
}
