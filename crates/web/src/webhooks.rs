//! Telling the operator's webhooks what happened: a story became hot (热点), a reader's
//! submission was published, a takedown was decided. Each event is queued in the store as a
//! delivery per webhook that wants it; a background task POSTs them as JSON signed with the
//! webhook's secret (`X-Xinwen-Signature: sha256=HEX`, HMAC-SHA256 of the body), through the
//! fetch guard (no private addresses), and retries failures with growing pauses. The admin
//! shows each webhook's deliveries.
//!
//! Only the process that fetches runs the task (`serve` without `--no-fetch`): a delivery is
//! not claimed, so two senders would send it twice.

use crate::AppState;
use bytes::Bytes;
use chrono::{DateTime, TimeDelta, Utc};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::sync::Arc;
use std::time::Duration;
use xinwen_fetch::Fetcher;

/// The events a webhook may want, with their names in the admin.
pub const EVENTS: &[(&str, &str)] = &[
    ("story.hot", "新闻成为热点"),
    ("submission.published", "读者投稿已发布"),
    ("takedown.decided", "删除请求已处理"),
];

/// Pauses after each failed attempt; after the last, the delivery is given up.
const RETRY_AFTER_SECS: &[i64] = &[60, 300, 1_800, 7_200, 43_200];

/// How often the task looks for due deliveries, and for new hot stories; a node that does
/// not hold the task looks whether it may take it over as often.
const DELIVERY_EVERY: Duration = Duration::from_secs(5);
const HOT_EVERY: TimeDelta = TimeDelta::seconds(60);
/// Deliveries sent per round; the rest wait for the next.
const PER_ROUND: u32 = 20;
/// How long finished deliveries stay in the admin's record.
const DELIVERIES_KEPT: TimeDelta = TimeDelta::days(30);
/// Hot stories looked at each time (the top of 热点).
const HOT_WATCHED: u32 = 10;

/// Queues `event` for the webhooks that want it. A failure to queue is logged, never the
/// caller's failure: the action it reports has already happened.
pub(crate) async fn announce(state: &AppState, event: &str, data: serde_json::Value) {
    let payload = serde_json::json!({
        "event": event,
        "at": Utc::now().to_rfc3339(),
        "site": state.site().base_url,
        "data": data,
    })
    .to_string();
    if let Err(e) = state.store().queue_webhook_event(event, &payload).await {
        tracing::warn!(event, error = %e, "a webhook event could not be queued");
    }
}

/// The signature of `body` with `secret`, as the header carries it.
pub fn signature(secret: &str, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("any key length works");
    mac.update(body);
    let digest: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("sha256={digest}")
}

/// When to try again after `attempts` failed attempts, or `None` to give up.
fn retry_at(now: DateTime<Utc>, attempts: u32) -> Option<DateTime<Utc>> {
    RETRY_AFTER_SECS
        .get(attempts as usize)
        .map(|secs| now + TimeDelta::seconds(*secs))
}

/// Starts the task that sends deliveries and watches 热点, through the site's fetcher (the
/// guard without the operator's allow-list, as for readers' links); none without one.
pub fn start_webhooks(state: AppState, holder: String) -> Option<tokio::task::JoinHandle<()>> {
    let fetcher: Arc<Fetcher> = state.inner.services.fetcher.clone()?;
    Some(tokio::spawn(async move {
        let mut hot_checked: Option<DateTime<Utc>> = None;
        loop {
            let now = Utc::now();
            if crate::holds_task(&state, WEBHOOK_TASK, &holder)
                .await
                .is_some()
            {
                if hot_checked.is_none_or(|at| now - at >= HOT_EVERY) {
                    hot_checked = Some(now);
                    if let Err(e) = watch_hot(&state).await {
                        tracing::warn!(error = %e, "热点 could not be checked for webhooks");
                    }
                    if let Err(e) = state.store().prune_deliveries(now - DELIVERIES_KEPT).await {
                        tracing::warn!(error = %e, "old webhook deliveries could not be pruned");
                    }
                }
                if let Err(e) = deliver_due(&state, &fetcher).await {
                    tracing::warn!(error = %e, "webhook deliveries could not be read");
                }
            }
            tokio::time::sleep(DELIVERY_EVERY).await;
        }
    }))
}

/// The lease one web node of a site holds to send its webhooks, so that each delivery is sent
/// once however many nodes serve ([`crate::holds_task`]).
pub const WEBHOOK_TASK: &str = "webhooks";

/// Announces the stories that reached the top of 热点 since the last look, once each; only
/// while some webhook wants to hear of them.
async fn watch_hot(state: &AppState) -> Result<(), xinwen_store::Error> {
    let store = state.store();
    let wanted = store
        .webhooks()
        .await?
        .iter()
        .any(|w| w.events.iter().any(|e| e == "story.hot"));
    if !wanted {
        return Ok(());
    }
    let hot = store.hot_stories(Utc::now(), HOT_WATCHED).await?;
    let ids: Vec<i64> = hot.iter().map(|h| h.story_id).collect();
    let fresh = store.newly_hot(&ids).await?;
    if fresh.is_empty() {
        return Ok(());
    }
    let leads: Vec<i64> = hot
        .iter()
        .filter(|h| fresh.contains(&h.story_id))
        .map(|h| h.lead_article_id)
        .collect();
    let summaries = store.summaries_by_ids(&leads).await?;
    let base = state.site().base_url.trim_end_matches('/');
    for h in hot.iter().filter(|h| fresh.contains(&h.story_id)) {
        let Some(lead) = summaries.iter().find(|a| a.id == h.lead_article_id) else {
            continue;
        };
        let data = serde_json::json!({
            "story_id": h.story_id,
            "story_url": format!("{base}/story/{}", h.story_id),
            "source_count": h.source_count,
            "lead": {
                "id": lead.id,
                "title": lead.title,
                "url": format!("{base}/article/{}", lead.id),
                "source": lead.source_name,
            },
        });
        announce(state, "story.hot", data).await;
    }
    Ok(())
}

async fn deliver_due(state: &AppState, fetcher: &Fetcher) -> Result<(), xinwen_store::Error> {
    let store = state.store();
    for (delivery, url, secret) in store.due_deliveries(Utc::now(), PER_ROUND).await? {
        let body = Bytes::from(delivery.payload.clone());
        let outcome = match url::Url::parse(&url) {
            Ok(target) => {
                let headers = [
                    ("x-xinwen-event", delivery.event.clone()),
                    ("x-xinwen-delivery", delivery.id.to_string()),
                    ("x-xinwen-signature", signature(&secret, &body)),
                ];
                fetcher
                    .post(&target, "application/json", &headers, body)
                    .await
                    .map_err(|e| (None, e.to_string()))
                    .and_then(|status| {
                        if (200..300).contains(&status) {
                            Ok(status)
                        } else {
                            Err((Some(status), format!("the receiver answered {status}")))
                        }
                    })
            }
            Err(e) => Err((None, format!("not an address: {e}"))),
        };
        match outcome {
            Ok(status) => {
                store
                    .record_delivery_attempt(delivery.id, Some(status), None, None)
                    .await?;
            }
            Err((status, error)) => {
                let again = retry_at(Utc::now(), delivery.attempts);
                tracing::info!(
                    delivery = delivery.id,
                    %url,
                    %error,
                    retry = again.is_some(),
                    "a webhook delivery failed"
                );
                store
                    .record_delivery_attempt(delivery.id, status, Some(&error), again)
                    .await?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_are_hmac_sha256_in_hex() {
        // RFC 4231, test case 2.
        assert_eq!(
            signature("Jefe", b"what do ya want for nothing?"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn failures_wait_longer_each_time_then_stop() {
        let now = Utc::now();
        let waits: Vec<i64> = (0..5)
            .map(|n| (retry_at(now, n).unwrap() - now).num_seconds())
            .collect();
        assert!(waits.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(retry_at(now, 5), None);
    }
}
