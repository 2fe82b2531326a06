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
    /// Removed by a takedown: never fetched or served again. Only [`Store::block_media`] sets it.
    pub blocked: bool,
}

impl Store {
    pub async fn media(&self, url_hash: &str) -> Result<Option<MediaRecord>> {
        let row = sqlx::query(
            "SELECT url, content_hash, content_type, size, fetched_at, error, blocked FROM media
             WHERE url_hash = ?",
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
                blocked: row.try_get::<i64, _>("blocked")? != 0,
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

    /// Blocks an image for good and returns the file it was cached in, if it was and no other
    /// image still being served has the same bytes (then the caller may delete the file).
    pub async fn block_media(&self, url_hash: &str, url: &str) -> Result<Option<String>> {
        let mut tx = self.write_transaction().await?;
        let hash: Option<Option<String>> = sqlx::query_scalar(
            "INSERT INTO media (url_hash, url, fetched_at, error, blocked)
             VALUES (?, ?, ?, 'removed by a takedown', 1)
             ON CONFLICT (url_hash) DO UPDATE SET blocked = 1, error = excluded.error
             RETURNING content_hash",
        )
        .bind(url_hash)
        .bind(url)
        .bind(Utc::now().timestamp())
        .fetch_optional(&mut *tx)
        .await?;
        let Some(Some(hash)) = hash else {
            tx.commit().await?;
            return Ok(None);
        };
        let shared: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM media WHERE content_hash = ? AND blocked = 0")
                .bind(&hash)
                .fetch_one(&mut *tx)
                .await?;
        tx.commit().await?;
        Ok((shared == 0).then_some(hash))
    }
}
