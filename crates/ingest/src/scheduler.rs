//! The fetch scheduler: runs due sources until told to stop.
//!
//! Any number of schedulers may run on one store, in one process or on several machines: each
//! takes the due sources it fetches with a lease (`Store::claim_due_sources`), renews it while
//! the pass runs and lets go at the end, so that no source is fetched by two at once and a
//! dead scheduler's sources go to another when its leases run out.

use crate::Ingester;
use chrono::Utc;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

/// The longest the scheduler sleeps before looking again, so that a source added or resumed
/// by another process is picked up soon.
const MAX_SLEEP: Duration = Duration::from_secs(10);

/// Fetches due sources, pass after pass, until `shutdown` completes. A pass in progress is
/// dropped at shutdown: what it committed stays, and the rest is done on the next start.
pub async fn run(ingester: Arc<Ingester>, shutdown: impl Future<Output = ()>) {
    tokio::pin!(shutdown);
    let worker = worker_name();
    let lease = ingester.config.lease;
    tracing::info!(worker, "fetch worker started");
    loop {
        let work = async {
            let batch = (ingester.config.source_concurrency.max(1) * 4) as u32;
            let claimed = ingester
                .store
                .claim_due_sources(&worker, Utc::now(), lease, batch)
                .await;
            match claimed {
                Ok(due) if !due.is_empty() => {
                    let count = due.len();
                    let pass = ingester.run_pass(due, |_| {});
                    let reports = while_renewing(&ingester, &worker, pass).await;
                    if let Err(e) = ingester.store.release_leases(&worker).await {
                        // They run out by themselves; until then no other worker takes them.
                        tracing::warn!(error = %e, "cannot let go of the sources fetched");
                    }
                    let failed = reports.iter().filter(|r| r.outcome.is_err()).count();
                    let added: usize = reports
                        .iter()
                        .filter_map(|r| r.outcome.as_ref().ok())
                        .map(|s| s.added)
                        .sum();
                    tracing::info!(sources = count, failed, added, "fetch pass done");
                }
                Ok(_) => {
                    let wait = match ingester.store.next_due_at_for(Some(&worker)).await {
                        Ok(Some(next)) => (next - Utc::now()).to_std().unwrap_or(Duration::ZERO),
                        _ => MAX_SLEEP,
                    };
                    tokio::time::sleep(wait.clamp(Duration::from_millis(200), MAX_SLEEP)).await;
                }
                Err(e) => {
                    tracing::error!(error = %e, "cannot read due sources");
                    tokio::time::sleep(MAX_SLEEP).await;
                }
            }
        };
        tokio::select! {
            () = &mut shutdown => {
                tracing::info!("fetch scheduler stopped");
                return;
            }
            () = work => {}
        }
    }
}

/// Runs `pass`, renewing the worker's leases every third of their length meanwhile, so that
/// only a worker that stopped (killed, frozen, cut off from the database) loses its sources.
async fn while_renewing<T>(ingester: &Ingester, worker: &str, pass: impl Future<Output = T>) -> T {
    let lease = ingester.config.lease;
    let mut renewals = tokio::time::interval((lease / 3).max(Duration::from_millis(100)));
    // The first tick is at once; the leases were only just taken.
    renewals.tick().await;
    tokio::pin!(pass);
    loop {
        tokio::select! {
            done = &mut pass => return done,
            _ = renewals.tick() => {
                if let Err(e) = ingester.store.renew_leases(worker, Utc::now(), lease).await {
                    tracing::warn!(error = %e, "cannot renew the leases of the sources being fetched");
                }
            }
        }
    }
}

/// This process's name in the leases it holds: the machine, the process and a random part,
/// so that a restarted process (same pid in a new container) is not taken for its predecessor.
pub fn worker_name() -> String {
    let host = std::fs::read_to_string("/etc/hostname")
        .ok()
        .map(|h| h.trim().to_owned())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "localhost".into());
    format!("{host}:{}:{:08x}", std::process::id(), fastrand::u32(..))
}
