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
//!
//! [log]
//! filter = "info"      # tracing's EnvFilter syntax
//! format = "text"      # or "json"
//! ```
//!
//! Environment: `XINWEN_SITE_NAME`, `XINWEN_BASE_URL`, `XINWEN_LISTEN`, `XINWEN_DATA_DIR`,
//! `XINWEN_LOG`, `XINWEN_LOG_FORMAT`.

use anyhow::{Context, bail};
use serde::Deserialize;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    pub site: SiteConfig,
    pub server: ServerConfig,
    pub storage: StorageConfig,
    pub log: LogConfig,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct SiteConfig {
    pub name: String,
    pub tagline: String,
    /// The public address; `None` means the listen address, which suits a local site.
    pub base_url: Option<String>,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct ServerConfig {
    pub listen: SocketAddr,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct StorageConfig {
    pub data_dir: PathBuf,
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
        }
    }
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
        }
    }
}

impl Default for StorageConfig {
    fn default() -> Self {
        StorageConfig {
            data_dir: PathBuf::from("xinwen-data"),
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
        Ok(config)
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
        if let Some(v) = get("XINWEN_LOG") {
            self.log.filter = v;
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
    fn a_bad_value_in_the_environment_says_which() {
        let mut config = Config::default();
        let err = config
            .apply_env(|k| (k == "XINWEN_LISTEN").then(|| "eighty".to_owned()))
            .unwrap_err();
        assert!(err.to_string().contains("XINWEN_LISTEN"), "{err}");
    }
}
