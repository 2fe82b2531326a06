//! The fetch scheduler: runs due sources until told to stop.

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
    loop {
        let work = async {
            let batch = (ingester.config.source_concurrency.max(1) * 4) as u32;
            match ingester.store.due_sources(Utc::now(), batch).await {
                Ok(due) if !due.is_empty() => {
                    let count = due.len();
                    let reports = ingester.run_pass(due, |_| {}).await;
                    let failed = reports.iter().filter(|r| r.outcome.is_err()).count();
                    let added: usize = reports
                        .iter()
                        .filter_map(|r| r.outcome.as_ref().ok())
                        .map(|s| s.added)
                        .sum();
                    tracing::info!(sources = count, failed, added, "fetch pass done");
                }
                Ok(_) => {
                    let wait = match ingester.store.next_due_at().await {
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
