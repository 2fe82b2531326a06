//! Configuration: a TOML file, then environment variables over it, then command-line flags
//! over both.
//!
//! ```toml
//! [site]
//! name = "新闻 xinwen"
//! tagline = "来源清楚的中文新闻"
//! base_url = "https://news.example.org"
//!
//! [server]
//! listen = "127.0.0.1:8080"
//!
//! [storage]
//! data_dir = "/var/lib/xinwen"
//! # PostgreSQL instead of SQLite in data_dir, for several web nodes and fetch workers:
//! # database_url = "postgres://xinwen:PASSWORD@db.internal:5432/xinwen"
//!
//! [log]
//! filter = "info"      # tracing's EnvFilter syntax
//! format = "text"      # or "json"
//!
//! [fetch]
//! contact_url = "https://news.example.org/contact"   # put in the User-Agent
//! allow = []               # private addresses fetching may reach, e.g. ["10.1.0.0/16"]
//! min_host_delay_ms = 1000 # between two requests to one host
//! per_host_concurrency = 2
//! timeout_secs = 30
//! connect_timeout_secs = 10
//! max_body_bytes = 10485760
//! max_redirects = 5
//!
//! [ingest]
//! min_interval_minutes = 10    # bounds of the check interval a source's pace sets
//! max_interval_minutes = 720
//! stale_after_hours = 48       # a source failing this long is flagged stale
//! source_concurrency = 8
//! batch_size = 50              # articles per transaction
//! lease_secs = 120             # a dead fetch worker's sources go to another after this
//!
//! [media]
//! max_bytes = 8388608          # largest image the proxy fetches
//! ```
//!
//! Environment: `XINWEN_SITE_NAME`, `XINWEN_BASE_URL`, `XINWEN_LISTEN`, `XINWEN_DATA_DIR`,
//! `XINWEN_LOG`, `XINWEN_LOG_FORMAT`, `XINWEN_CONTACT_URL`, `XINWEN_FETCH_ALLOW` (ranges
//! separated by commas).

use anyhow::{Context, bail};
use serde::Deserialize;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    pub site: SiteConfig,
    pub server: ServerConfig,
    pub storage: StorageConfig,
    pub log: LogConfig,
    pub fetch: FetchSection,
    pub ingest: IngestSection,
    pub media: MediaSection,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct FetchSection {
    pub contact_url: Option<String>,
    pub allow: Vec<String>,
    pub min_host_delay_ms: u64,
    pub per_host_concurrency: usize,
    pub timeout_secs: u64,
    pub connect_timeout_secs: u64,
    pub max_body_bytes: u64,
    pub max_redirects: usize,
}

impl Default for FetchSection {
    fn default() -> Self {
        let defaults = xinwen_fetch::FetchConfig::default();
        FetchSection {
            contact_url: None,
            allow: Vec::new(),
            min_host_delay_ms: defaults.min_host_delay.as_millis() as u64,
            per_host_concurrency: defaults.per_host_concurrency,
            timeout_secs: defaults.timeout.as_secs(),
            connect_timeout_secs: defaults.connect_timeout.as_secs(),
            max_body_bytes: defaults.max_body_bytes,
            max_redirects: defaults.max_redirects,
        }
    }
}

impl FetchSection {
    /// The fetcher's settings; an allow-list entry that does not parse is an error naming it.
    pub fn to_fetch_config(&self) -> anyhow::Result<xinwen_fetch::FetchConfig> {
        let allow = self
            .allow
            .iter()
            .map(|entry| entry.parse::<xinwen_fetch::Cidr>())
            .collect::<Result<Vec<_>, _>>()
            .context("in fetch.allow")?;
        Ok(xinwen_fetch::FetchConfig {
            user_agent: xinwen_fetch::user_agent(self.contact_url.as_deref()),
            connect_timeout: Duration::from_secs(self.connect_timeout_secs.max(1)),
            timeout: Duration::from_secs(self.timeout_secs.max(1)),
            max_body_bytes: self.max_body_bytes,
            max_redirects: self.max_redirects,
            per_host_concurrency: self.per_host_concurrency.max(1),
            min_host_delay: Duration::from_millis(self.min_host_delay_ms),
            guard: xinwen_fetch::Guard::new(allow),
            ..xinwen_fetch::FetchConfig::default()
        })
    }
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct IngestSection {
    pub min_interval_minutes: u64,
    pub max_interval_minutes: u64,
    pub stale_after_hours: u64,
    pub source_concurrency: usize,
    pub batch_size: usize,
    pub lease_secs: u64,
}

impl Default for IngestSection {
    fn default() -> Self {
        IngestSection {
            min_interval_minutes: 10,
            max_interval_minutes: 720,
            stale_after_hours: 48,
            source_concurrency: 8,
            batch_size: xinwen_ingest::IngestConfig::default().batch_size,
            lease_secs: xinwen_ingest::IngestConfig::default().lease.as_secs(),
        }
    }
}

impl IngestSection {
    pub fn to_ingest_config(&self) -> xinwen_ingest::IngestConfig {
        xinwen_ingest::IngestConfig {
            min_interval: Duration::from_secs(self.min_interval_minutes.max(1) * 60),
            max_interval: Duration::from_secs(self.max_interval_minutes.max(1) * 60),
            source_concurrency: self.source_concurrency.max(1),
            batch_size: self.batch_size.max(1),
            lease: Duration::from_secs(self.lease_secs.max(1)),
            ..xinwen_ingest::IngestConfig::default()
        }
    }

    pub fn stale_after(&self) -> chrono::Duration {
        chrono::Duration::hours(i64::try_from(self.stale_after_hours).unwrap_or(48))
    }
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct MediaSection {
    pub max_bytes: u64,
}

impl Default for MediaSection {
    fn default() -> Self {
        MediaSection {
            max_bytes: xinwen_media::MediaConfig::default().max_bytes,
        }
    }
}

/// The longest session an operator may configure: a year.
pub const MAX_SESSION_HOURS: i64 = 24 * 366;

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct SiteConfig {
    pub name: String,
    pub tagline: String,
    /// The public address; `None` means the listen address, which suits a local site.
    pub base_url: Option<String>,
    /// Mark cookies Secure. `None`: when the base URL is https.
    pub secure_cookies: Option<bool>,
    /// Take the visitor's address from X-Forwarded-For: only behind a proxy that sets it.
    pub trust_forwarded_for: bool,
    /// How long an editor stays logged in.
    pub session_hours: i64,
    /// Submissions and takedown requests accepted per address per hour, and overall.
    pub requests_per_address_hour: u64,
    pub requests_per_hour: u64,
    /// An external WebSub hub for the feeds to name instead of the site's own `/websub`.
    pub websub_hub: Option<String>,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct ServerConfig {
    pub listen: SocketAddr,
    /// Lets a scraper on another machine read `/metrics` (as a bearer token); without it,
    /// only requests from this machine may.
    pub metrics_token: Option<String>,
    /// Requests to the JSON API one address may make in a minute.
    pub api_requests_per_minute: u32,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct StorageConfig {
    /// Keys, the search index and media; with SQLite, the database too.
    pub data_dir: PathBuf,
    /// A PostgreSQL database (`postgres://…`) holding what SQLite holds otherwise.
    pub database_url: Option<String>,
}

#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct LogConfig {
    pub filter: String,
    pub format: LogFormat,
}

impl Default for SiteConfig {
    fn default() -> Self {
        SiteConfig {
            name: "新闻 xinwen".into(),
            tagline: "来源清楚的中文新闻".into(),
            base_url: None,
            secure_cookies: None,
            trust_forwarded_for: false,
            session_hours: 12,
            requests_per_address_hour: 5,
            requests_per_hour: 200,
            websub_hub: None,
        }
    }
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            metrics_token: None,
            api_requests_per_minute: 600,
        }
    }
}

impl Default for StorageConfig {
    fn default() -> Self {
        StorageConfig {
            data_dir: PathBuf::from("xinwen-data"),
            database_url: None,
        }
    }
}

impl Default for LogConfig {
    fn default() -> Self {
        LogConfig {
            // html5ever reports every malformed page it repairs; publishers' pages are malformed.
            filter: "info,html5ever=error".into(),
            format: LogFormat::Text,
        }
    }
}

impl Config {
    /// Reads `path` when given (it must exist), then applies the environment.
    pub fn load(path: Option<&Path>) -> anyhow::Result<Config> {
        let mut config = match path {
            Some(path) => {
                let text = std::fs::read_to_string(path).with_context(|| {
                    format!("cannot read configuration file {}", path.display())
                })?;
                Config::parse(&text)
                    .with_context(|| format!("in configuration file {}", path.display()))?
            }
            None => Config::default(),
        };
        config.apply_env(|name| std::env::var(name).ok())?;
        config.validate()?;
        Ok(config)
    }

    /// Refuses values that would fail later, at a worse moment: a session length that makes
    /// every login fail, links that are not http(s), a guessable metrics token.
    pub fn validate(&self) -> anyhow::Result<()> {
        if !(1..=MAX_SESSION_HOURS).contains(&self.site.session_hours) {
            bail!(
                "site.session_hours = {}: expected 1 to {MAX_SESSION_HOURS} (a year)",
                self.site.session_hours
            );
        }
        for (key, value) in [
            ("site.base_url", &self.site.base_url),
            ("fetch.contact_url", &self.fetch.contact_url),
            ("site.websub_hub", &self.site.websub_hub),
        ] {
            if let Some(value) = value
                && !xinwen_model::link::is_web_url(value)
            {
                bail!("{key} = {value:?}: expected a whole http or https address");
            }
        }
        if let Some(token) = &self.server.metrics_token
            && token.trim().len() < 16
        {
            bail!("server.metrics_token: use at least 16 characters, or leave it out");
        }
        Ok(())
    }

    pub fn parse(text: &str) -> anyhow::Result<Config> {
        Ok(toml::from_str(text)?)
    }

    /// Applies `XINWEN_*` variables; `get` reads one (the environment, or a map in tests).
    pub fn apply_env(&mut self, get: impl Fn(&str) -> Option<String>) -> anyhow::Result<()> {
        if let Some(v) = get("XINWEN_SITE_NAME") {
            self.site.name = v;
        }
        if let Some(v) = get("XINWEN_BASE_URL") {
            self.site.base_url = Some(v);
        }
        if let Some(v) = get("XINWEN_LISTEN") {
            self.server.listen = v.parse().with_context(|| {
                format!("XINWEN_LISTEN={v:?} is not an address like 127.0.0.1:8080")
            })?;
        }
        if let Some(v) = get("XINWEN_DATA_DIR") {
            self.storage.data_dir = PathBuf::from(v);
        }
        if let Some(v) = get("XINWEN_DATABASE_URL").filter(|v| !v.is_empty()) {
            self.storage.database_url = Some(v);
        }
        if let Some(v) = get("XINWEN_LOG") {
            self.log.filter = v;
        }
        if let Some(v) = get("XINWEN_CONTACT_URL") {
            self.fetch.contact_url = Some(v);
        }
        if let Some(v) = get("XINWEN_FETCH_ALLOW") {
            self.fetch.allow = v
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect();
        }
        if let Some(v) = get("XINWEN_API_REQUESTS_PER_MINUTE") {
            self.server.api_requests_per_minute = v.parse().map_err(|_| {
                anyhow::anyhow!("XINWEN_API_REQUESTS_PER_MINUTE={v:?} is not a whole number")
            })?;
        }
        if let Some(v) = get("XINWEN_METRICS_TOKEN") {
            self.server.metrics_token = Some(v);
        }
        if let Some(v) = get("XINWEN_LOG_FORMAT") {
            self.log.format = match v.as_str() {
                "text" => LogFormat::Text,
                "json" => LogFormat::Json,
                _ => bail!("XINWEN_LOG_FORMAT={v:?}: expected text or json"),
            };
        }
        Ok(())
    }

    /// The public base URL: the configured one, or the listen address.
    pub fn base_url(&self) -> String {
        match &self.site.base_url {
            Some(url) => url.trim_end_matches('/').to_owned(),
            None => format!("http://{}", self.server.listen),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    /// The example deployment's settings stay what this xinwen reads.
    #[test]
    fn the_example_deployment_settings_are_read() {
        let config = Config::parse(include_str!("../../../deploy/xinwen.toml")).unwrap();
        config.validate().unwrap();
        assert!(config.site.trust_forwarded_for);
        assert_eq!(config.ingest.lease_secs, 120);
    }

    #[test]
    fn values_that_would_fail_later_are_refused_at_start() {
        let err = Config::parse("[site]\nsession_hours = 99999999999\n")
            .unwrap()
            .validate()
            .unwrap_err();
        assert!(err.to_string().contains("site.session_hours"), "{err}");
        for bad in [
            "[site]\nsession_hours = 0\n",
            "[site]\nbase_url = \"javascript:alert(1)\"\n",
            "[fetch]\ncontact_url = \"data:text/html,x\"\n",
            "[server]\nmetrics_token = \"short\"\n",
        ] {
            assert!(Config::parse(bad).unwrap().validate().is_err(), "{bad}");
        }
        let ok = "[site]\nsession_hours = 8784\nbase_url = \"https://news.example\"\n";
        Config::parse(ok).unwrap().validate().unwrap();
        Config::default().validate().unwrap();
    }

    #[test]
    fn a_file_sets_what_it_names_and_defaults_fill_the_rest() {
        let config =
            Config::parse("[site]\nname = \"测试新闻\"\n[server]\nlisten = \"0.0.0.0:9000\"\n")
                .unwrap();
        assert_eq!(config.site.name, "测试新闻");
        assert_eq!(config.server.listen.port(), 9000);
        assert_eq!(config.storage, StorageConfig::default());
    }

    #[test]
    fn unknown_keys_are_an_error_not_silence() {
        let err = Config::parse("[server]\nlisten_addr = \"0.0.0.0:9000\"\n").unwrap_err();
        assert!(err.to_string().contains("listen_addr"), "{err}");
    }

    #[test]
    fn the_environment_overrides_the_file() {
        let mut config = Config::parse("[storage]\ndata_dir = \"/from/file\"\n").unwrap();
        let env = HashMap::from([
            ("XINWEN_DATA_DIR", "/from/env"),
            ("XINWEN_BASE_URL", "https://news.example/"),
        ]);
        config
            .apply_env(|k| env.get(k).map(|v| (*v).to_owned()))
            .unwrap();
        assert_eq!(config.storage.data_dir, PathBuf::from("/from/env"));
        assert_eq!(config.base_url(), "https://news.example");
    }

    #[test]
    fn a_bad_allow_list_entry_is_named() {
        let config = Config::parse("[fetch]\nallow = [\"127.0.0.1\", \"intranet\"]\n").unwrap();
        let err = format!("{:#}", config.fetch.to_fetch_config().unwrap_err());
        assert!(
            err.contains("fetch.allow") && err.contains("intranet"),
            "{err}"
        );
    }

    #[test]
    fn a_bad_value_in_the_environment_says_which() {
        let mut config = Config::default();
        let err = config
            .apply_env(|k| (k == "XINWEN_LISTEN").then(|| "eighty".to_owned()))
            .unwrap_err();
        assert!(err.to_string().contains("XINWEN_LISTEN"), "{err}");
    }
}
