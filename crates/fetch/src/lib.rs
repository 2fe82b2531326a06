//! Fetching other people's pages: politely, safely, and with errors a person can act on.
//!
//! This crate owns every outbound HTTP request xinwen makes (feeds, article pages, images,
//! robots.txt, and later submitted URLs). It must not parse what it fetches or write anything
//! down: it hands back bytes with their headers, and the caller keeps the ETag and
//! Last-Modified it was given for the next conditional request.
//!
//! What every request goes through:
//! - the private-address guard ([`guard`]), at connect time and on every redirect hop;
//! - robots.txt for the site, fetched once and cached ([`robots`]);
//! - a turn at the host: a limit on requests in flight and a minimum delay between them, longer
//!   when robots.txt asks for a Crawl-delay or the server for a Retry-After ([`politeness`]);
//!   with [`SharedTurns`], the limit, the spacing and the pauses hold across every fetching
//!   process;
//! - limits: connect and total timeouts, a maximum body size (counted after decompression, so
//!   a gzip bomb stops at the limit), a maximum number of redirects.
//!
//! reqwest is the client (with rustls and the `ring` provider, which builds without a C
//! toolchain's help, unlike aws-lc). Redirects are followed here, not by reqwest, so that each
//! hop is checked like the first request.

mod error;
pub mod guard;
mod politeness;
mod retry_after;
mod robots;

pub use error::FetchError;
pub use guard::{Cidr, Guard};
pub use politeness::{Entering, SharedPlace, SharedTurns};

use bytes::Bytes;
use reqwest::header::{self, HeaderMap, HeaderValue};
use robots::{RobotsCache, Rules};
use std::sync::Arc;
use std::time::Duration;
use url::Url;

/// How the fetcher behaves; [`FetchConfig::default`] is what a public deployment wants, apart
/// from the contact URL, which the operator should give.
#[derive(Debug, Clone)]
pub struct FetchConfig {
    /// The whole User-Agent header; [`user_agent`] builds the usual one.
    pub user_agent: String,
    pub connect_timeout: Duration,
    /// For the whole request, body included.
    pub timeout: Duration,
    pub max_body_bytes: u64,
    pub max_redirects: usize,
    pub per_host_concurrency: usize,
    /// Between the starts of two requests to one host.
    pub min_host_delay: Duration,
    pub robots_ttl: Duration,
    pub guard: Guard,
}

impl Default for FetchConfig {
    fn default() -> Self {
        FetchConfig {
            user_agent: user_agent(None),
            connect_timeout: Duration::from_secs(10),
            timeout: Duration::from_secs(30),
            max_body_bytes: 10 * 1024 * 1024,
            max_redirects: 5,
            per_host_concurrency: 2,
            min_host_delay: Duration::from_secs(1),
            robots_ttl: Duration::from_secs(24 * 3600),
            guard: Guard::default(),
        }
    }
}

impl FetchConfig {
    /// These settings for fetching links that readers submit: public addresses only,
    /// whatever the operator allow-listed (see [`Guard::without_allow_list`]).
    pub fn for_readers_links(&self) -> FetchConfig {
        FetchConfig {
            guard: self.guard.without_allow_list(),
            ..self.clone()
        }
    }
}

/// The product token robots.txt files name us by.
pub const ROBOTS_AGENT: &str = "xinwen";

/// `xinwen/VERSION (+CONTACT)`: publishers who see us in their logs can find who runs us.
pub fn user_agent(contact_url: Option<&str>) -> String {
    let version = env!("CARGO_PKG_VERSION");
    match contact_url {
        Some(contact) => format!("{ROBOTS_AGENT}/{version} (+{contact})"),
        None => format!("{ROBOTS_AGENT}/{version} (+https://github.com/xinwen-news/xinwen)"),
    }
}

/// What Referer header a request carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Referer {
    None,
    /// The target's own origin: WeChat's image host refuses other sites' Referers but accepts
    /// its own.
    OwnOrigin,
}

/// One GET request.
#[derive(Debug, Clone)]
pub struct Request {
    pub url: Url,
    /// Validators from the last successful fetch, for a conditional GET.
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    pub referer: Referer,
    pub accept: &'static str,
    /// A lower body limit than the fetcher's own, for this request (images).
    pub max_bytes: Option<u64>,
}

impl Request {
    pub fn new(url: Url, accept: &'static str) -> Request {
        Request {
            url,
            etag: None,
            last_modified: None,
            referer: Referer::None,
            accept,
            max_bytes: None,
        }
    }

    pub fn feed(url: Url) -> Request {
        Request::new(
            url,
            "application/rss+xml, application/atom+xml, application/feed+json, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5",
        )
    }

    pub fn page(url: Url) -> Request {
        Request::new(url, "text/html, application/xhtml+xml;q=0.9, */*;q=0.5")
    }

    pub fn image(url: Url) -> Request {
        Request::new(
            url,
            "image/avif, image/webp, image/png, image/jpeg, image/gif, image/svg+xml, image/*;q=0.8",
        )
    }

    pub fn with_validators(mut self, etag: Option<String>, last_modified: Option<String>) -> Self {
        self.etag = etag;
        self.last_modified = last_modified;
        self
    }

    pub fn with_max_bytes(mut self, limit: u64) -> Self {
        self.max_bytes = Some(limit);
        self
    }

    pub fn with_referer(mut self, referer: Referer) -> Self {
        self.referer = referer;
        self
    }
}

/// What came back.
#[derive(Debug, Clone)]
pub enum Outcome {
    Fetched(Response),
    /// 304: what we have is current.
    NotModified {
        url: Url,
    },
}

/// A successful (2xx) response, body read whole.
#[derive(Debug, Clone)]
pub struct Response {
    /// After redirects.
    pub url: Url,
    pub status: u16,
    /// The media type alone, lowercased (`text/html`).
    pub content_type: Option<String>,
    /// The charset parameter of Content-Type, if given.
    pub charset: Option<String>,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    pub body: Bytes,
}

/// The HTTP client; one per process, shared by every task.
pub struct Fetcher {
    client: reqwest::Client,
    config: FetchConfig,
    guard: Arc<Guard>,
    hosts: politeness::HostLimiter,
    shared_turns: Option<Arc<politeness::SharedHosts>>,
    robots: RobotsCache,
}

impl std::fmt::Debug for Fetcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Fetcher")
            .field("config", &self.config)
            .finish()
    }
}

/// The HTTP client could not be set up (TLS roots missing, a bad User-Agent).
#[derive(Debug, thiserror::Error)]
#[error("cannot set up the HTTP client: {0}")]
pub struct SetupError(String);

impl Fetcher {
    pub fn new(config: FetchConfig) -> Result<Fetcher, SetupError> {
        // One crypto provider for the whole process; a second install is a harmless no-op.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let guard = Arc::new(config.guard.clone());
        let mut headers = HeaderMap::new();
        headers.insert(
            header::ACCEPT_LANGUAGE,
            HeaderValue::from_static("zh-CN,zh;q=0.9,zh-TW;q=0.8,en;q=0.5"),
        );
        let client = reqwest::Client::builder()
            .user_agent(&config.user_agent)
            .default_headers(headers)
            .no_proxy()
            .redirect(reqwest::redirect::Policy::none())
            .dns_resolver(Arc::new(guard::GuardedResolver {
                guard: guard.clone(),
            }))
            .connect_timeout(config.connect_timeout)
            .timeout(config.timeout)
            .pool_max_idle_per_host(config.per_host_concurrency.max(1))
            .build()
            .map_err(|e| SetupError(e.to_string()))?;
        Ok(Fetcher {
            client,
            hosts: politeness::HostLimiter::new(config.per_host_concurrency),
            shared_turns: None,
            robots: RobotsCache::new(config.robots_ttl),
            guard,
            config,
        })
    }

    pub fn config(&self) -> &FetchConfig {
        &self.config
    }

    /// Spaces requests to each host across processes too, through `turns`.
    pub fn with_shared_turns(mut self, turns: Arc<dyn SharedTurns>) -> Fetcher {
        self.shared_turns = Some(politeness::SharedHosts::new(turns));
        self
    }

    /// Checks a URL against the guard without fetching it (for forms that take URLs).
    pub fn check_url(&self, url: &Url) -> Result<(), FetchError> {
        self.guard.check_url(url)
    }

    /// POSTs `body` to `url`, a receiver that asked for it (a webhook): through the guard and
    /// the host's turn, without robots.txt, following no redirect. The status the receiver
    /// answered with, whatever it was; its body is not read.
    pub async fn post(
        &self,
        url: &Url,
        content_type: &str,
        headers: &[(&str, String)],
        body: Bytes,
    ) -> Result<u16, FetchError> {
        self.guard.check_url(url)?;
        let _turn = self.hosts.turn(&host_key(url), Duration::ZERO).await;
        let mut builder = self
            .client
            .post(url.clone())
            .header(header::CONTENT_TYPE, content_type)
            .body(body);
        for (name, value) in headers {
            builder = builder.header(*name, value);
        }
        let response = builder.send().await.map_err(|e| self.describe(url, &e))?;
        Ok(response.status().as_u16())
    }

    /// GETs `request.url` for a receiver that asked to be called (a WebSub subscriber's
    /// callback): as [`Fetcher::fetch`], but without robots.txt, which governs crawling.
    pub async fn fetch_as_asked(&self, request: &Request) -> Result<Outcome, FetchError> {
        self.fetch_inner(request, false).await
    }

    /// GETs `request.url`, following redirects, honouring robots.txt and the host's turn.
    pub async fn fetch(&self, request: &Request) -> Result<Outcome, FetchError> {
        self.fetch_inner(request, true).await
    }

    async fn fetch_inner(
        &self,
        request: &Request,
        obey_robots: bool,
    ) -> Result<Outcome, FetchError> {
        let mut url = request.url.clone();
        for _hop in 0..=self.config.max_redirects {
            self.guard.check_url(&url)?;
            let mut delay = self.config.min_host_delay;
            if obey_robots {
                let rules = self.rules_for(&url).await?;
                match rules.allows(url.as_str()) {
                    Ok(true) => {}
                    Ok(false) => {
                        return Err(FetchError::RobotsDisallowed {
                            url: url.to_string(),
                        });
                    }
                    Err(status) => {
                        return Err(FetchError::RobotsUnavailable {
                            url: url.to_string(),
                            status,
                        });
                    }
                }
                if let Some(crawl_delay) = rules.crawl_delay() {
                    delay = delay.max(crawl_delay);
                }
            }
            let host = host_key(&url);
            let turn = self.hosts.turn(&host, delay).await;
            // Held as long as the turn: the host's requests in flight and their spacing,
            // counted across processes.
            let mut place = None;
            if let Some(shared) = &self.shared_turns {
                place = Some(
                    shared
                        .take(
                            &host,
                            self.config.per_host_concurrency,
                            self.config.timeout + self.config.connect_timeout,
                            delay,
                        )
                        .await,
                );
            }
            let response = self.send(&url, request).await?;
            let status = response.status().as_u16();
            if matches!(status, 301 | 302 | 303 | 307 | 308) {
                let next = response
                    .headers()
                    .get(header::LOCATION)
                    .and_then(|value| value.to_str().ok())
                    .and_then(|location| url.join(location).ok())
                    .ok_or_else(|| FetchError::BadRedirect {
                        url: url.to_string(),
                    })?;
                drop((turn, place));
                url = next;
                continue;
            }
            if status == 304 {
                return Ok(Outcome::NotModified { url });
            }
            if !(200..300).contains(&status) {
                let retry_after = response
                    .headers()
                    .get(header::RETRY_AFTER)
                    .and_then(|value| value.to_str().ok())
                    .and_then(|value| retry_after::parse_retry_after(value, chrono::Utc::now()));
                if let Some(wait) = retry_after {
                    self.hosts.pause(&host, wait);
                    if let Some(shared) = &self.shared_turns {
                        shared.turns().pause(&host, wait).await;
                    }
                }
                return Err(FetchError::Status {
                    url: url.to_string(),
                    status,
                    retry_after,
                });
            }
            let headers = response.headers().clone();
            let limit = request.max_bytes.map_or(self.config.max_body_bytes, |m| {
                m.min(self.config.max_body_bytes)
            });
            let body = self.read_body(&url, response, limit).await?;
            drop((turn, place));
            let text = |name: header::HeaderName| {
                headers
                    .get(name)
                    .and_then(|value| value.to_str().ok())
                    .map(str::to_owned)
            };
            let content_type = text(header::CONTENT_TYPE);
            return Ok(Outcome::Fetched(Response {
                url,
                status,
                charset: content_type.as_deref().and_then(charset_of),
                content_type: content_type.as_deref().map(media_type_of),
                etag: text(header::ETAG),
                last_modified: text(header::LAST_MODIFIED),
                body,
            }));
        }
        Err(FetchError::TooManyRedirects {
            url: request.url.to_string(),
            limit: self.config.max_redirects,
        })
    }

    async fn send(&self, url: &Url, request: &Request) -> Result<reqwest::Response, FetchError> {
        let mut builder = self
            .client
            .get(url.clone())
            .header(header::ACCEPT, request.accept);
        if let Some(etag) = &request.etag {
            builder = builder.header(header::IF_NONE_MATCH, etag);
        }
        if let Some(last_modified) = &request.last_modified {
            builder = builder.header(header::IF_MODIFIED_SINCE, last_modified);
        }
        if request.referer == Referer::OwnOrigin {
            builder = builder.header(
                header::REFERER,
                format!("{}/", url.origin().ascii_serialization()),
            );
        }
        builder.send().await.map_err(|e| self.describe(url, &e))
    }

    async fn read_body(
        &self,
        url: &Url,
        mut response: reqwest::Response,
        limit: u64,
    ) -> Result<Bytes, FetchError> {
        let too_large = || FetchError::TooLarge {
            url: url.to_string(),
            limit,
        };
        if response
            .content_length()
            .is_some_and(|length| length > limit)
        {
            return Err(too_large());
        }
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(|e| self.describe(url, &e))? {
            if (body.len() + chunk.len()) as u64 > limit {
                return Err(too_large());
            }
            body.extend_from_slice(&chunk);
        }
        Ok(Bytes::from(body))
    }

    /// Turns the client's error into one that says what happened.
    fn describe(&self, url: &Url, error: &reqwest::Error) -> FetchError {
        if let Some(refused) = guard::refusal_in(error) {
            return FetchError::Refused {
                url: url.to_string(),
                address: refused.address,
                reason: refused.reason,
            };
        }
        if error.is_timeout() {
            return FetchError::Timeout {
                url: url.to_string(),
                seconds: self.config.timeout.as_secs(),
            };
        }
        // The innermost cause is the one a person understands ("Connection refused").
        let mut message = error.to_string();
        let mut source = std::error::Error::source(error);
        while let Some(cause) = source {
            message = cause.to_string();
            source = cause.source();
        }
        FetchError::Network {
            url: url.to_string(),
            message,
        }
    }

    async fn rules_for(&self, url: &Url) -> Result<Rules, FetchError> {
        let origin = url.origin().ascii_serialization();
        if let Some(rules) = self.robots.get(&origin) {
            return Ok(rules);
        }
        let robots_url = url
            .join("/robots.txt")
            .map_err(|e| FetchError::InvalidUrl {
                url: url.to_string(),
                reason: e.to_string(),
            })?;
        let request = Request::new(robots_url, "text/plain, */*;q=0.5");
        // Boxed: this calls back into the fetch it is part of.
        let rules = match Box::pin(self.fetch_inner(&request, false)).await {
            Ok(Outcome::Fetched(response)) => {
                Rules::from_response(ROBOTS_AGENT, response.status, &response.body)
            }
            Ok(Outcome::NotModified { .. }) => Rules::AllowAll,
            Err(FetchError::Status { status, .. }) => {
                Rules::from_response(ROBOTS_AGENT, status, b"")
            }
            // An oversized or endlessly redirecting robots.txt says nothing we could honour.
            Err(FetchError::TooLarge { .. } | FetchError::TooManyRedirects { .. }) => {
                Rules::AllowAll
            }
            Err(other) => return Err(other),
        };
        self.robots.put(&origin, rules.clone());
        Ok(rules)
    }
}

fn host_key(url: &Url) -> String {
    match url.port_or_known_default() {
        Some(port) => format!("{}:{port}", url.host_str().unwrap_or_default()),
        None => url.host_str().unwrap_or_default().to_owned(),
    }
}

fn media_type_of(content_type: &str) -> String {
    content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase()
}

fn charset_of(content_type: &str) -> Option<String> {
    content_type.split(';').skip(1).find_map(|parameter| {
        let (name, value) = parameter.split_once('=')?;
        name.trim()
            .eq_ignore_ascii_case("charset")
            .then(|| value.trim().trim_matches('"').to_owned())
            .filter(|value| !value.is_empty())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_type_splits_into_media_type_and_charset() {
        assert_eq!(media_type_of("Text/HTML; charset=GBK"), "text/html");
        assert_eq!(
            charset_of("text/html; charset=\"gb2312\""),
            Some("gb2312".into())
        );
        assert_eq!(charset_of("text/html"), None);
        assert_eq!(charset_of("text/html; charset="), None);
    }

    #[test]
    fn the_user_agent_names_xinwen_and_the_operator() {
        let agent = user_agent(Some("https://news.example/contact"));
        assert!(agent.starts_with("xinwen/"));
        assert!(agent.ends_with("(+https://news.example/contact)"));
    }
}
