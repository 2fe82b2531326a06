//! Webhooks: the addresses the operator registers, the events each wants, and every delivery
//! with its attempts, so that a failing receiver is retried with backoff and shown in the
//! admin. Sending them is the web crate's (`webhooks.rs`); this keeps the record.

use crate::accounts::audit_in;
use crate::{Result, Store, from_timestamp};
use chrono::{DateTime, Utc};
use sqlx::Row;
use xinwen_model::Actor;

/// A registered address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Webhook {
    pub id: i64,
    pub url: String,
    pub secret: String,
    pub events: Vec<String>,
    pub created_at: DateTime<Utc>,
}

/// One event for one webhook, delivered or still being tried.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    pub id: i64,
    pub webhook_id: i64,
    pub event: String,
    pub payload: String,
    pub created_at: DateTime<Utc>,
    pub attempts: u32,
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub delivered_at: Option<DateTime<Utc>>,
    pub last_status: Option<u16>,
    pub last_error: Option<String>,
}

fn delivery_from_row(row: &sqlx::any::AnyRow) -> Result<Delivery> {
    Ok(Delivery {
        id: row.try_get("id")?,
        webhook_id: row.try_get("webhook_id")?,
        event: row.try_get("event")?,
        payload: row.try_get("payload")?,
        created_at: from_timestamp(row.try_get("created_at")?),
        attempts: row
            .try_get::<i64, _>("attempts")?
            .try_into()
            .unwrap_or(u32::MAX),
        next_attempt_at: row
            .try_get::<Option<i64>, _>("next_attempt_at")?
            .map(from_timestamp),
        delivered_at: row
            .try_get::<Option<i64>, _>("delivered_at")?
            .map(from_timestamp),
        last_status: row
            .try_get::<Option<i64>, _>("last_status")?
            .and_then(|s| u16::try_from(s).ok()),
        last_error: row.try_get("last_error")?,
    })
}

impl Store {
    /// Registers `url` for `events`, signing with `secret`.
    pub async fn add_webhook(
        &self,
        url: &str,
        events: &[&str],
        secret: &str,
        actor: &Actor,
    ) -> Result<i64> {
        let mut tx = self.write_transaction().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO webhooks (url, secret, events, created_at) VALUES ($1, $2, $3, $4)
             RETURNING id",
        )
        .bind(url)
        .bind(secret)
        .bind(events.join(" "))
        .bind(Utc::now().timestamp())
        .fetch_one(&mut *tx)
        .await?;
        audit_in(&mut tx, actor, "webhook.add", ("webhook", Some(id)), url).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Every webhook, oldest first.
    pub async fn webhooks(&self) -> Result<Vec<Webhook>> {
        let rows =
            sqlx::query("SELECT id, url, secret, events, created_at FROM webhooks ORDER BY id")
                .fetch_all(&self.pool)
                .await?;
        rows.iter()
            .map(|row| {
                let events: String = row.try_get("events")?;
                Ok(Webhook {
                    id: row.try_get("id")?,
                    url: row.try_get("url")?,
                    secret: row.try_get("secret")?,
                    events: events.split_whitespace().map(str::to_owned).collect(),
                    created_at: from_timestamp(row.try_get("created_at")?),
                })
            })
            .collect()
    }

    /// Removes a webhook and its deliveries; `false` when there is none by that id.
    pub async fn delete_webhook(&self, id: i64, actor: &Actor) -> Result<bool> {
        let mut tx = self.write_transaction().await?;
        let url: Option<String> =
            sqlx::query_scalar("DELETE FROM webhooks WHERE id = $1 RETURNING url")
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?;
        let Some(url) = url else {
            return Ok(false);
        };
        sqlx::query("DELETE FROM webhook_deliveries WHERE webhook_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        audit_in(
            &mut tx,
            actor,
            "webhook.delete",
            ("webhook", Some(id)),
            &url,
        )
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Queues `event` with `payload` for every webhook that wants it, due now; returns how
    /// many deliveries were queued.
    pub async fn queue_webhook_event(&self, event: &str, payload: &str) -> Result<u64> {
        let now = Utc::now().timestamp();
        let done = sqlx::query(
            "INSERT INTO webhook_deliveries (webhook_id, event, payload, created_at, next_attempt_at)
             SELECT id, $1, $2, $3, $4 FROM webhooks
             WHERE (' ' || events || ' ') LIKE ('% ' || $5 || ' %')",
        )
        .bind(event)
        .bind(payload)
        .bind(now)
        .bind(now)
        .bind(event)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected())
    }

    /// Deliveries due by `now`, the longest waiting first, with where they go and the
    /// secret that signs them.
    pub async fn due_deliveries(
        &self,
        now: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<(Delivery, String, String)>> {
        let rows = sqlx::query(
            "SELECT d.id, d.webhook_id, d.event, d.payload, d.created_at, d.attempts,
                    d.next_attempt_at, d.delivered_at, d.last_status, d.last_error,
                    w.url, w.secret
             FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id
             WHERE d.next_attempt_at IS NOT NULL AND d.next_attempt_at <= $1
             ORDER BY d.next_attempt_at, d.id LIMIT $2",
        )
        .bind(now.timestamp())
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok((
                    delivery_from_row(row)?,
                    row.try_get("url")?,
                    row.try_get("secret")?,
                ))
            })
            .collect()
    }

    /// Records an attempt: delivered (`error` is `None`), or failed and tried again at
    /// `retry_at` (`None`: given up).
    pub async fn record_delivery_attempt(
        &self,
        id: i64,
        status: Option<u16>,
        error: Option<&str>,
        retry_at: Option<DateTime<Utc>>,
    ) -> Result<()> {
        let now = Utc::now().timestamp();
        let delivered = error.is_none();
        sqlx::query(
            "UPDATE webhook_deliveries
             SET attempts = attempts + 1, last_status = $1, last_error = $2,
                 delivered_at = CASE WHEN $3 THEN $4 ELSE delivered_at END,
                 next_attempt_at = $5
             WHERE id = $6",
        )
        .bind(status.map(i64::from))
        .bind(error)
        .bind(delivered)
        .bind(now)
        .bind(if delivered {
            None
        } else {
            retry_at.map(|t| t.timestamp())
        })
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// A webhook's latest deliveries, newest first.
    pub async fn webhook_deliveries(&self, webhook_id: i64, limit: u32) -> Result<Vec<Delivery>> {
        let rows = sqlx::query(
            "SELECT id, webhook_id, event, payload, created_at, attempts, next_attempt_at,
                    delivered_at, last_status, last_error
             FROM webhook_deliveries WHERE webhook_id = $1 ORDER BY id DESC LIMIT $2",
        )
        .bind(webhook_id)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(delivery_from_row).collect()
    }

    /// Forgets finished deliveries (delivered or given up) made before `before`.
    pub async fn prune_deliveries(&self, before: DateTime<Utc>) -> Result<u64> {
        let done = sqlx::query(
            "DELETE FROM webhook_deliveries WHERE next_attempt_at IS NULL AND created_at < $1",
        )
        .bind(before.timestamp())
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected())
    }

    /// Of `story_ids`, those not announced as hot before; they are marked announced.
    pub async fn newly_hot(&self, story_ids: &[i64]) -> Result<Vec<i64>> {
        let now = Utc::now().timestamp();
        let mut fresh = Vec::new();
        let mut tx = self.write_transaction().await?;
        for id in story_ids {
            let inserted = sqlx::query(
                "INSERT INTO hot_announced (story_id, at) VALUES ($1, $2) ON CONFLICT DO NOTHING",
            )
            .bind(id)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            if inserted.rows_affected() == 1 {
                fresh.push(*id);
            }
        }
        tx.commit().await?;
        Ok(fresh)
    }
}
