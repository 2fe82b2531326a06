use std::net::IpAddr;
use std::time::Duration;

/// Why a fetch failed, in words an operator can act on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FetchError {
    #[error("{url:?} is not a usable address: {reason}")]
    InvalidUrl { url: String, reason: String },
    #[error("{url} uses {scheme}:, but only http: and https: addresses are fetched")]
    Scheme { url: String, scheme: String },
    #[error(
        "refused to connect for {url}: {address} is {reason}; add it to fetch.allow in the configuration only if it is meant to be reached"
    )]
    Refused {
        url: String,
        address: IpAddr,
        reason: &'static str,
    },
    #[error("{url} is disallowed for xinwen by the site's robots.txt")]
    RobotsDisallowed { url: String },
    #[error(
        "{url}: the site's robots.txt answered {status}, which means nothing may be fetched for now"
    )]
    RobotsUnavailable { url: String, status: u16 },
    #[error("{url} did not answer within {seconds} s")]
    Timeout { url: String, seconds: u64 },
    #[error("{url} is larger than the {limit}-byte limit for what is fetched")]
    TooLarge { url: String, limit: u64 },
    #[error("{url} redirected more than {limit} times")]
    TooManyRedirects { url: String, limit: usize },
    #[error("{url} redirected without saying where to")]
    BadRedirect { url: String },
    #[error("{url} answered {status}{hint}", hint = status_hint(*status, *retry_after))]
    Status {
        url: String,
        status: u16,
        retry_after: Option<Duration>,
    },
    #[error("could not reach {url}: {message}")]
    Network { url: String, message: String },
}

fn status_hint(status: u16, retry_after: Option<Duration>) -> String {
    let mut hint = match status {
        401 | 403 => {
            " (the site refuses us: check that the address is public and not behind a login)"
                .to_owned()
        }
        404 | 410 => " (the address no longer exists: check it on the publisher's site)".to_owned(),
        429 => " (too many requests: xinwen will slow down)".to_owned(),
        500..=599 => " (the site has a problem on its side; xinwen will retry)".to_owned(),
        _ => String::new(),
    };
    if let Some(wait) = retry_after {
        hint.push_str(&format!("; it asked to wait {} s", wait.as_secs()));
    }
    hint
}

impl FetchError {
    /// How long the server asked us to wait, if it did.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            FetchError::Status { retry_after, .. } => *retry_after,
            _ => None,
        }
    }

    /// The short name metrics and the source list group failures by.
    pub fn kind(&self) -> &'static str {
        match self {
            FetchError::InvalidUrl { .. } | FetchError::Scheme { .. } => "invalid_url",
            FetchError::Refused { .. } => "refused_address",
            FetchError::RobotsDisallowed { .. } | FetchError::RobotsUnavailable { .. } => "robots",
            FetchError::Timeout { .. } => "timeout",
            FetchError::TooLarge { .. } => "too_large",
            FetchError::TooManyRedirects { .. } | FetchError::BadRedirect { .. } => "redirect",
            FetchError::Status { .. } => "http_status",
            FetchError::Network { .. } => "network",
        }
    }
}
