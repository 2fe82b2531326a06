//! What the admin's charts draw: articles per day, each source's fetches per day, the
//! moderation queues over time. Each query reads a window of days, never the whole store.

use crate::{Result, Store, to_timestamp};
use chrono::{DateTime, Utc};
use sqlx::Row;

/// How many days of each source's fetch counts the store keeps.
pub const FETCH_DAYS_KEPT: i64 = 90;

/// Seconds China time is ahead of UTC: days are the site's days, as its dates are shown.
const CHINA_OFFSET_SECS: i64 = 8 * 3600;

/// A day in China time, as days since 1970-01-01.
pub fn china_day(t: DateTime<Utc>) -> i64 {
    (t.timestamp() + CHINA_OFFSET_SECS).div_euclid(86_400)
}

/// A count on one day for one key (a channel's id, a source's id).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DayCount {
    pub day: i64,
    pub key: i64,
    pub count: u64,
}

/// One source's (or every source's) fetches on one day.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FetchDay {
    pub day: i64,
    pub successes: u64,
    pub failures: u64,
    pub articles: u64,
}

/// The moderation queues at the end of one day.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QueueDay {
    pub day: i64,
    pub submissions: u64,
    pub takedowns: u64,
}

fn count(row: &sqlx::any::AnyRow, column: &str) -> u64 {
    u64::try_from(row.get::<i64, _>(column)).unwrap_or(0)
}

impl Store {
    /// Live articles published per day and channel, over the `days` days up to `now`'s.
    pub async fn articles_per_day_by_channel(
        &self,
        days: i64,
        now: DateTime<Utc>,
    ) -> Result<Vec<DayCount>> {
        let first_day = china_day(now) - days + 1;
        let since = first_day * 86_400 - CHINA_OFFSET_SECS;
        // A range of the (status, published_at) index: the window's articles only.
        let rows = sqlx::query(
            "SELECT (published_at + $1) / 86400 AS day, COALESCE(channel_id, 0) AS channel,
                    COUNT(*) AS n
             FROM articles WHERE status = 'live' AND published_at >= $2 AND published_at <= $3
             GROUP BY day, channel ORDER BY day, channel",
        )
        .bind(CHINA_OFFSET_SECS)
        .bind(since)
        .bind(to_timestamp(now))
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .iter()
            .map(|r| DayCount {
                day: r.get("day"),
                key: r.get("channel"),
                count: count(r, "n"),
            })
            .collect())
    }

    /// Articles added per day and source by fetching, over the `days` days up to `now`'s.
    pub async fn articles_added_per_day_by_source(
        &self,
        days: i64,
        now: DateTime<Utc>,
    ) -> Result<Vec<DayCount>> {
        let rows = sqlx::query(
            "SELECT day, source_id, articles FROM fetch_days
             WHERE day >= $1 AND articles > 0 ORDER BY day, source_id",
        )
        .bind(china_day(now) - days + 1)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .iter()
            .map(|r| DayCount {
                day: r.get("day"),
                key: r.get("source_id"),
                count: count(r, "articles"),
            })
            .collect())
    }

    /// Fetches per day over the `days` days up to `now`'s: one source's, or every source's
    /// added together.
    pub async fn fetch_days(
        &self,
        source: Option<i64>,
        days: i64,
        now: DateTime<Utc>,
    ) -> Result<Vec<FetchDay>> {
        let rows = sqlx::query(
            // PostgreSQL sums BIGINTs as NUMERIC; cast back, which SQLite takes as it is.
            "SELECT day, CAST(SUM(successes) AS BIGINT) AS successes,
                    CAST(SUM(failures) AS BIGINT) AS failures,
                    CAST(SUM(articles) AS BIGINT) AS articles
             FROM fetch_days WHERE day >= $1 AND ($2 IS NULL OR source_id = $3)
             GROUP BY day ORDER BY day",
        )
        .bind(china_day(now) - days + 1)
        .bind(source)
        .bind(source)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .iter()
            .map(|r| FetchDay {
                day: r.get("day"),
                successes: count(r, "successes"),
                failures: count(r, "failures"),
                articles: count(r, "articles"),
            })
            .collect())
    }

    /// How many submissions and takedown requests were waiting at the end of each of the
    /// `days` days up to `now`'s. Reads what is pending and what was decided in the window.
    pub async fn queue_history(&self, days: i64, now: DateTime<Utc>) -> Result<Vec<QueueDay>> {
        let today = china_day(now);
        let first_day = today - days + 1;
        let since = first_day * 86_400 - CHINA_OFFSET_SECS;
        let mut history: Vec<QueueDay> = (first_day..=today)
            .map(|day| QueueDay {
                day,
                ..QueueDay::default()
            })
            .collect();
        for table in ["submissions", "takedowns"] {
            let rows = sqlx::query(crate::numbered(format!(
                "SELECT created_at, decided_at FROM {table}
                 WHERE status = 'pending' OR decided_at >= ?"
            )))
            .bind(since)
            .fetch_all(&self.pool)
            .await?;
            for row in rows {
                let created: i64 = row.get("created_at");
                let decided: Option<i64> = row.get("decided_at");
                for entry in history.iter_mut() {
                    let day_end = (entry.day + 1) * 86_400 - CHINA_OFFSET_SECS;
                    let waiting = created < day_end && decided.is_none_or(|d| d >= day_end);
                    if waiting {
                        match table {
                            "submissions" => entry.submissions += 1,
                            _ => entry.takedowns += 1,
                        }
                    }
                }
            }
        }
        Ok(history)
    }
}
