//! The media cache's index: original image URL → the bytes on disk, or why there are none.

use crate::{Result, Store, from_timestamp, to_timestamp};
use chrono::{DateTime, Utc};
use sqlx::Row;

/// What the store knows of one proxied image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaRecord {
    pub url: String,
    /// Names the file on disk; `None` when the image could not be fetched.
    pub content_hash: Option<String>,
    pub content_type: Option<String>,
    pub size: Option<u64>,
    pub fetched_at: DateTime<Utc>,
    pub error: Option<String>,
}

impl Store {
    pub async fn media(&self, url_hash: &str) -> Result<Option<MediaRecord>> {
        let row = sqlx::query(
            "SELECT url, content_hash, content_type, size, fetched_at, error FROM media WHERE url_hash = ?",
        )
        .bind(url_hash)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|row| {
            Ok(MediaRecord {
                url: row.try_get("url")?,
                content_hash: row.try_get("content_hash")?,
                content_type: row.try_get("content_type")?,
                size: row
                    .try_get::<Option<i64>, _>("size")?
                    .and_then(|s| u64::try_from(s).ok()),
                fetched_at: from_timestamp(row.try_get("fetched_at")?),
                error: row.try_get("error")?,
            })
        })
        .transpose()
    }

    pub async fn put_media(&self, url_hash: &str, record: &MediaRecord) -> Result<()> {
        sqlx::query(
            "INSERT INTO media (url_hash, url, content_hash, content_type, size, fetched_at, error)
             VALUES (?, ?, ?, ?, ?, ?, ?)
             ON CONFLICT (url_hash) DO UPDATE SET
                url = excluded.url, content_hash = excluded.content_hash,
                content_type = excluded.content_type, size = excluded.size,
                fetched_at = excluded.fetched_at, error = excluded.error",
        )
        .bind(url_hash)
        .bind(&record.url)
        .bind(&record.content_hash)
        .bind(&record.content_type)
        .bind(record.size.and_then(|s| i64::try_from(s).ok()))
        .bind(to_timestamp(record.fetched_at))
        .bind(&record.error)
        .execute(&self.pool)
        .await?;
        Ok(())
    }
}
