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
             VALUES (?, ?, ?, ?, ?)
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
        let done = sqlx::query("DELETE FROM websub_subscriptions WHERE topic = ? AND callback = ?")
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
                 FROM websub_subscriptions WHERE topic = ? AND expires_at > ?",
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
             SET last_delivery_at = CASE WHEN ? IS NULL THEN ? ELSE last_delivery_at END,
                 last_error = ?
             WHERE id = ?",
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
        let done = sqlx::query("DELETE FROM websub_subscriptions WHERE expires_at <= ?")
            .bind(now.timestamp())
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected())
    }

    /// How many live subscriptions there are.
    pub async fn websub_count(&self, now: DateTime<Utc>) -> Result<u64> {
        let n: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM websub_subscriptions WHERE expires_at > ?")
                .bind(now.timestamp())
                .fetch_one(&self.pool)
                .await?;
        Ok(n.try_into().unwrap_or(0))
    }

    /// The latest change number of the articles: where a follower of changes starts.
    pub async fn latest_change_seq(&self) -> Result<i64> {
        let n: Option<i64> = sqlx::query_scalar(
            "SELECT MAX(n) FROM (SELECT MAX(change_seq) AS n FROM articles
             UNION ALL SELECT MAX(change_seq) FROM article_deletions)",
        )
        .fetch_one(&self.pool)
        .await?;
        Ok(n.unwrap_or(0))
    }
}
