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

/// Host turns kept in the store, so that every worker's requests to a host are spaced and
/// counted as one worker's would be; the string names this process in the places it holds.
pub struct StoreTurns {
    store: Store,
    /// This process's name; each request's place is held as the name and a count.
    process: String,
    requests: std::sync::atomic::AtomicU64,
}

impl StoreTurns {
    fn new(store: Store) -> StoreTurns {
        StoreTurns {
            store,
            process: xinwen_ingest::scheduler::worker_name(),
            requests: std::sync::atomic::AtomicU64::new(0),
        }
    }
}

impl xinwen_fetch::SharedTurns for StoreTurns {
    fn pause<'a>(
        &'a self,
        host: &'a str,
        pause: Duration,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send + 'a>> {
        Box::pin(async move {
            let until = chrono::Utc::now().timestamp_millis()
                + i64::try_from(pause.as_millis()).unwrap_or(i64::MAX / 2);
            if let Err(e) = self.store.pause_host(host, until).await {
                tracing::warn!(host, error = %e, "cannot tell other workers to pause at the host");
            }
        })
    }

    fn enter<'a>(
        &'a self,
        host: &'a str,
        limit: usize,
        hold: Duration,
        spacing: Duration,
    ) -> xinwen_fetch::Entering<'a> {
        Box::pin(async move {
            let request = self
                .requests
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let holder = format!("{}:{request}", self.process);
            let now = chrono::Utc::now().timestamp_millis();
            let limit = u32::try_from(limit).unwrap_or(u32::MAX);
            let place = |place| xinwen_fetch::SharedPlace {
                host: host.to_owned(),
                place,
                holder: holder.clone(),
            };
            match self
                .store
                .enter_host(host, &holder, limit, now, millis(hold), millis(spacing))
                .await
            {
                Ok(entered) => entered.map(|(n, start)| {
                    let wait = Duration::from_millis(u64::try_from(start - now).unwrap_or(0));
                    (place(n), wait)
                }),
                Err(e) => {
                    tracing::warn!(host, error = %e, "cannot take a shared turn at the host; going by this worker's own");
                    Some((place(NOT_SHARED), Duration::ZERO))
                }
            }
        })
    }

    fn reenter<'a>(
        &'a self,
        place: &'a xinwen_fetch::SharedPlace,
        hold: Duration,
        spacing: Duration,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = Option<Duration>> + Send + 'a>> {
        Box::pin(async move {
            if place.place == NOT_SHARED {
                // Kept from a request that went by this worker's own turns: try the store again.
                return None;
            }
            let now = chrono::Utc::now().timestamp_millis();
            match self
                .store
                .reenter_host(
                    &place.host,
                    place.place,
                    &place.holder,
                    now,
                    millis(hold),
                    millis(spacing),
                )
                .await
            {
                Ok(start) => start
                    .map(|start| Duration::from_millis(u64::try_from(start - now).unwrap_or(0))),
                Err(e) => {
                    tracing::warn!(host = place.host, error = %e, "cannot keep a shared place at the host; taking a new one");
                    None
                }
            }
        })
    }

    fn leave(
        &self,
        place: xinwen_fetch::SharedPlace,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send + '_>> {
        // At once, not gathered with others: a place given back late holds the next request
        // to the host back as long (gathering them over 20 ms took two-worker ingest from
        // 945–997 articles a second to 806–904).
        Box::pin(async move {
            if place.place == NOT_SHARED {
                return;
            }
            if let Err(e) = self
                .store
                .leave_host_place(&place.host, place.place, &place.holder)
                .await
            {
                tracing::warn!(host = place.host, error = %e, "cannot give a shared place at the host back; it frees itself later");
            }
        })
    }
}

fn millis(duration: Duration) -> i64 {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX / 4)
}

/// The place a request goes by when the store could not be asked: none that is shared.
const NOT_SHARED: u32 = u32::MAX;

/// The fetcher's turns at hosts, shared through the store when others share it.
pub fn shared_turns(store: &Store) -> Option<Arc<dyn xinwen_fetch::SharedTurns>> {
    is_shared(store)
        .then(|| Arc::new(StoreTurns::new(store.clone())) as Arc<dyn xinwen_fetch::SharedTurns>)
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
