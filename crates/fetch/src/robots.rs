//! robots.txt, fetched once per site and kept for a while (RFC 9309).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use texting_robots::Robot;
use tokio::time::Instant;

/// What a site's robots.txt says for xinwen.
#[derive(Clone)]
pub(crate) enum Rules {
    /// No robots.txt (4xx): everything is allowed.
    AllowAll,
    /// The file answered with an error (5xx): RFC 9309 says to assume nothing is allowed.
    Unavailable {
        status: u16,
    },
    Parsed(Arc<Robot>),
}

impl Rules {
    pub fn from_response(agent: &str, status: u16, body: &[u8]) -> Rules {
        match status {
            200..=299 => match Robot::new(agent, body) {
                Ok(robot) => Rules::Parsed(Arc::new(robot)),
                // A file nobody can parse says nothing we could honour.
                Err(_) => Rules::AllowAll,
            },
            500..=599 => Rules::Unavailable { status },
            _ => Rules::AllowAll,
        }
    }

    /// Whether `url` may be fetched; the `Err` carries the status of an unavailable file.
    pub fn allows(&self, url: &str) -> Result<bool, u16> {
        match self {
            Rules::AllowAll => Ok(true),
            Rules::Unavailable { status } => Err(*status),
            Rules::Parsed(robot) => Ok(robot.allowed(url)),
        }
    }

    /// The Crawl-delay the site asks of us, if any (bounded: a typo of 86400 must not stop us
    /// for a day per request).
    pub fn crawl_delay(&self) -> Option<Duration> {
        match self {
            Rules::Parsed(robot) => robot
                .delay
                .filter(|d| d.is_finite() && *d > 0.0)
                .map(|d| Duration::from_secs_f32(d.min(60.0))),
            _ => None,
        }
    }
}

/// Rules by site origin (`https://host:port`), each kept for a time-to-live.
pub(crate) struct RobotsCache {
    ttl: Duration,
    entries: Mutex<HashMap<String, (Rules, Instant)>>,
}

impl RobotsCache {
    pub fn new(ttl: Duration) -> RobotsCache {
        RobotsCache {
            ttl,
            entries: Mutex::new(HashMap::new()),
        }
    }

    pub fn get(&self, origin: &str) -> Option<Rules> {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries
            .get(origin)
            .filter(|(_, fetched)| fetched.elapsed() < self.ttl)
            .map(|(rules, _)| rules.clone())
    }

    pub fn put(&self, origin: &str, rules: Rules) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.len() > 10_000 {
            let ttl = self.ttl;
            entries.retain(|_, (_, fetched)| fetched.elapsed() < ttl);
        }
        // An unavailable file is asked again sooner than a good one.
        let fetched = match rules {
            Rules::Unavailable { .. } => {
                Instant::now() - self.ttl + Duration::from_secs(600).min(self.ttl)
            }
            _ => Instant::now(),
        };
        entries.insert(origin.to_owned(), (rules, fetched));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_follow_the_status_of_the_file() {
        let parsed = Rules::from_response(
            "xinwen",
            200,
            b"User-agent: *\nDisallow: /private/\nCrawl-delay: 2\n\nUser-agent: xinwen\nDisallow: /no-xinwen/\n",
        );
        assert_eq!(parsed.allows("https://a.example/news/1.html"), Ok(true));
        assert_eq!(
            parsed.allows("https://a.example/no-xinwen/1.html"),
            Ok(false)
        );
        assert!(matches!(
            Rules::from_response("xinwen", 404, b""),
            Rules::AllowAll
        ));
        assert_eq!(
            Rules::from_response("xinwen", 503, b"").allows("https://a.example/"),
            Err(503)
        );
        let delayed = Rules::from_response("xinwen", 200, b"User-agent: *\nCrawl-delay: 3\n");
        assert_eq!(delayed.crawl_delay(), Some(Duration::from_secs(3)));
        let absurd = Rules::from_response("xinwen", 200, b"User-agent: *\nCrawl-delay: 86400\n");
        assert_eq!(absurd.crawl_delay(), Some(Duration::from_secs(60)));
    }
}
