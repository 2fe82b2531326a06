//! What a process does when it shares its store with others (web nodes and fetch workers on
//! several machines, one PostgreSQL): it spaces its requests to each host with theirs, and it
//! signs and hashes with the same keys.

use std::sync::Arc;
use std::time::Duration;
use xinwen_store::{Backend, Store};

/// Whether processes on other machines may share this store: only PostgreSQL is reachable from
/// them. A SQLite store is one machine's, where each process keeps its own turns and the data
/// directory's keys are the same file for all.
pub fn is_shared(store: &Store) -> bool {
    store.backend() == Backend::Postgres
}

/// Host turns kept in the store, so that every worker's requests to a host are spaced as one
/// worker's would be.
pub struct StoreTurns(pub Store);

impl xinwen_fetch::SharedTurns for StoreTurns {
    fn reserve<'a>(
        &'a self,
        host: &'a str,
        spacing: Duration,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = Duration> + Send + 'a>> {
        Box::pin(async move {
            let now = chrono::Utc::now().timestamp_millis();
            let spacing_ms = i64::try_from(spacing.as_millis()).unwrap_or(i64::MAX);
            match self.0.reserve_host_turn(host, now, spacing_ms).await {
                Ok(start) => Duration::from_millis(u64::try_from(start - now).unwrap_or(0)),
                Err(e) => {
                    tracing::warn!(host, error = %e, "cannot take a shared turn at the host; going by this worker's own");
                    Duration::ZERO
                }
            }
        })
    }

    fn pause<'a>(
        &'a self,
        host: &'a str,
        pause: Duration,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send + 'a>> {
        Box::pin(async move {
            let until = chrono::Utc::now().timestamp_millis()
                + i64::try_from(pause.as_millis()).unwrap_or(i64::MAX / 2);
            if let Err(e) = self.0.pause_host(host, until).await {
                tracing::warn!(host, error = %e, "cannot tell other workers to pause at the host");
            }
        })
    }
}

/// The fetcher's turns at hosts, shared through the store when others share it.
pub fn shared_turns(store: &Store) -> Option<Arc<dyn xinwen_fetch::SharedTurns>> {
    is_shared(store)
        .then(|| Arc::new(StoreTurns(store.clone())) as Arc<dyn xinwen_fetch::SharedTurns>)
}

/// Files in the data directory every process of a site must hold alike: the media proxy's
/// signing key (an image link signed by the worker that stored the article must open on every
/// web node) and the key that hashes visitors' addresses (so that rate limits and login
/// throttling count one visitor once, whichever node they reach).
const SHARED_KEY_FILES: [&str; 2] = ["media.key", "site.key"];

/// Makes this data directory's keys the site's: the first process to start offers its own
/// (made now if missing) and the store keeps them; every later one, on any machine, takes
/// those and writes them here. Before anything reads the keys.
pub async fn share_keys(store: &Store) -> anyhow::Result<()> {
    use anyhow::Context as _;
    if !is_shared(store) {
        return Ok(());
    }
    let dir = store.data_dir();
    // Made the usual way when missing, so that what is offered is a valid key.
    xinwen_media::Signer::load_or_create(dir)?;
    crate::users::address_key(dir)?;
    for name in SHARED_KEY_FILES {
        let path = dir.join(name);
        let local =
            std::fs::read(&path).with_context(|| format!("cannot read {}", path.display()))?;
        let shared = store.shared_key(name, &to_hex(&local)).await?;
        let shared = from_hex(&shared).with_context(|| {
            format!("the database's {name} is not hex; delete its row in site_keys to start over")
        })?;
        if shared != local {
            let temp = dir.join(format!("{name}.{}", std::process::id()));
            std::fs::write(&temp, &shared)
                .with_context(|| format!("cannot write {}", temp.display()))?;
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                let _ = std::fs::set_permissions(&temp, std::fs::Permissions::from_mode(0o600));
            }
            std::fs::rename(&temp, &path)
                .with_context(|| format!("cannot replace {}", path.display()))?;
            tracing::info!(file = %path.display(), "key taken from the database the site shares");
        }
    }
    Ok(())
}

fn to_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn from_hex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_go_through_hex_and_back() {
        let key: Vec<u8> = (0..=255).collect();
        assert_eq!(from_hex(&to_hex(&key)), Some(key));
        assert_eq!(from_hex("abc"), None);
        assert_eq!(from_hex("zz"), None);
    }
}
