//! Subscriptions to the site's feeds through its WebSub hub, as verified with each subscriber.

use crate::{Result, Store, from_timestamp};
use chrono::{DateTime, Utc};
use sqlx::Row;

/// A verified subscription.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subscription {
    pub id: i64,
    pub topic: String,
    pub callback: String,
    pub secret: Option<String>,
    pub expires_at: DateTime<Utc>,
    pub last_delivery_at: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
}

impl Store {
    /// Records (or renews) `callback`'s subscription to `topic` until `expires_at`.
    pub async fn websub_subscribe(
        &self,
        topic: &str,
        callback: &str,
        secret: Option<&str>,
        expires_at: DateTime<Utc>,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO websub_subscriptions (topic, callback, secret, expires_at, created_at)
             VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (topic, callback) DO UPDATE
             SET secret = excluded.secret, expires_at = excluded.expires_at, last_error = NULL",
        )
        .bind(topic)
        .bind(callback)
        .bind(secret)
        .bind(expires_at.timestamp())
        .bind(Utc::now().timestamp())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Ends `callback`'s subscription to `topic`; `false` when there was none.
    pub async fn websub_unsubscribe(&self, topic: &str, callback: &str) -> Result<bool> {
        let done =
            sqlx::query("DELETE FROM websub_subscriptions WHERE topic = $1 AND callback = $2")
                .bind(topic)
                .bind(callback)
                .execute(&self.pool)
                .await?;
        Ok(done.rows_affected() > 0)
    }

    /// The live subscriptions to any of `topics`.
    pub async fn websub_subscribers(
        &self,
        topics: &[String],
        now: DateTime<Utc>,
    ) -> Result<Vec<Subscription>> {
        let mut found = Vec::new();
        for topic in topics {
            let rows = sqlx::query(
                "SELECT id, topic, callback, secret, expires_at, last_delivery_at, last_error
                 FROM websub_subscriptions WHERE topic = $1 AND expires_at > $2",
            )
            .bind(topic)
            .bind(now.timestamp())
            .fetch_all(&self.pool)
            .await?;
            for row in &rows {
                found.push(Subscription {
                    id: row.try_get("id")?,
                    topic: row.try_get("topic")?,
                    callback: row.try_get("callback")?,
                    secret: row.try_get("secret")?,
                    expires_at: from_timestamp(row.try_get("expires_at")?),
                    last_delivery_at: row
                        .try_get::<Option<i64>, _>("last_delivery_at")?
                        .map(from_timestamp),
                    last_error: row.try_get("last_error")?,
                });
            }
        }
        Ok(found)
    }

    /// Notes a push to a subscriber: delivered, or why not.
    pub async fn websub_pushed(&self, id: i64, error: Option<&str>) -> Result<()> {
        sqlx::query(
            "UPDATE websub_subscriptions
             SET last_delivery_at = CASE WHEN $1 IS NULL THEN $2 ELSE last_delivery_at END,
                 last_error = $3
             WHERE id = $4",
        )
        .bind(error)
        .bind(Utc::now().timestamp())
        .bind(error)
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Forgets subscriptions whose lease ran out.
    pub async fn websub_prune(&self, now: DateTime<Utc>) -> Result<u64> {
        let done = sqlx::query("DELETE FROM websub_subscriptions WHERE expires_at <= $1")
            .bind(now.timestamp())
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected())
    }

    /// How many live subscriptions there are.
    pub async fn websub_count(&self, now: DateTime<Utc>) -> Result<u64> {
        let n: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM websub_subscriptions WHERE expires_at > $1")
                .bind(now.timestamp())
                .fetch_one(&self.pool)
                .await?;
        Ok(n.try_into().unwrap_or(0))
    }

    /// The latest change number of the articles: where a follower of changes starts.
    pub async fn latest_change_seq(&self) -> Result<i64> {
        let n: Option<i64> = sqlx::query_scalar(
            "SELECT MAX(n) FROM (SELECT MAX(change_seq) AS n FROM articles
             UNION ALL SELECT MAX(change_seq) FROM article_deletions) AS seqs",
        )
        .fetch_one(&self.pool)
        .await?;
        Ok(n.unwrap_or(0))
    }
}

/// xinwen's own subscription at a source's hub.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourcePush {
    pub source_id: i64,
    pub hub: String,
    pub topic: String,
    pub secret: String,
    /// `requested`, `active` or `denied`.
    pub state: String,
    pub requested_at: DateTime<Utc>,
    pub lease_expires_at: Option<DateTime<Utc>>,
}

impl Store {
    /// The subscription xinwen holds (or asked for) at a source's hub.
    pub async fn source_push(&self, source_id: i64) -> Result<Option<SourcePush>> {
        let row = sqlx::query(
            "SELECT source_id, hub, topic, secret, state, requested_at, lease_expires_at
             FROM source_push WHERE source_id = $1",
        )
        .bind(source_id)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|row| {
            Ok(SourcePush {
                source_id: row.try_get("source_id")?,
                hub: row.try_get("hub")?,
                topic: row.try_get("topic")?,
                secret: row.try_get("secret")?,
                state: row.try_get("state")?,
                requested_at: from_timestamp(row.try_get("requested_at")?),
                lease_expires_at: row
                    .try_get::<Option<i64>, _>("lease_expires_at")?
                    .map(from_timestamp),
            })
        })
        .transpose()
    }

    /// Notes that a subscription to `topic` at `hub` was asked for, with `secret`.
    pub async fn push_requested(
        &self,
        source_id: i64,
        hub: &str,
        topic: &str,
        secret: &str,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO source_push (source_id, hub, topic, secret, state, requested_at)
             VALUES ($1, $2, $3, $4, 'requested', $5)
             ON CONFLICT (source_id) DO UPDATE SET hub = excluded.hub, topic = excluded.topic,
                 secret = excluded.secret, state = 'requested',
                 requested_at = excluded.requested_at",
        )
        .bind(source_id)
        .bind(hub)
        .bind(topic)
        .bind(secret)
        .bind(Utc::now().timestamp())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The hub confirms a subscription to `topic` xinwen asked for, until `expires_at`;
    /// `false` when xinwen asked for no such thing.
    pub async fn push_confirmed(
        &self,
        source_id: i64,
        topic: &str,
        expires_at: DateTime<Utc>,
    ) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE source_push SET state = 'active', lease_expires_at = $1
             WHERE source_id = $2 AND topic = $3 AND state IN ('requested', 'active')",
        )
        .bind(expires_at.timestamp())
        .bind(source_id)
        .bind(topic)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() > 0)
    }

    /// The hub refused the subscription.
    pub async fn push_denied(&self, source_id: i64, topic: &str) -> Result<()> {
        sqlx::query("UPDATE source_push SET state = 'denied' WHERE source_id = $1 AND topic = $2")
            .bind(source_id)
            .bind(topic)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Makes a source due now: its hub says the feed changed.
    pub async fn fetch_soon(&self, source_id: i64) -> Result<()> {
        sqlx::query("UPDATE source_health SET next_check_at = 0 WHERE source_id = $1")
            .bind(source_id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}
