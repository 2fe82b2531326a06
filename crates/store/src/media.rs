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
    /// The picture's size in pixels, when it could be read (not for SVG).
    pub dimensions: Option<(u32, u32)>,
}

/// Images of one article whose sizes are looked up, at most: a body of hundreds of pictures
/// gets sizes for its first ones.
const MAX_IMAGES_SIZED: usize = 64;

fn dimensions(width: Option<i64>, height: Option<i64>) -> Option<(u32, u32)> {
    Some((u32::try_from(width?).ok()?, u32::try_from(height?).ok()?))
}

impl Store {
    pub async fn media(&self, url_hash: &str) -> Result<Option<MediaRecord>> {
        let row = sqlx::query(
            "SELECT url, content_hash, content_type, size, fetched_at, error, blocked, width,
                    height FROM media WHERE url_hash = $1",
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
                dimensions: dimensions(row.try_get("width")?, row.try_get("height")?),
            })
        })
        .transpose()
    }

    /// The sizes of the images among `url_hashes` whose size is known, by hash: the images
    /// of one article, a few at a time.
    pub async fn media_dimensions(
        &self,
        url_hashes: &[String],
    ) -> Result<std::collections::HashMap<String, (u32, u32)>> {
        let mut found = std::collections::HashMap::new();
        for hash in url_hashes.iter().take(MAX_IMAGES_SIZED) {
            let row: Option<(Option<i64>, Option<i64>)> = sqlx::query_as(
                "SELECT width, height FROM media WHERE url_hash = $1 AND blocked = 0",
            )
            .bind(hash)
            .fetch_optional(&self.pool)
            .await?;
            if let Some(size) = row.and_then(|(w, h)| dimensions(w, h)) {
                found.insert(hash.clone(), size);
            }
        }
        Ok(found)
    }

    pub async fn put_media(&self, url_hash: &str, record: &MediaRecord) -> Result<()> {
        sqlx::query(
            "INSERT INTO media (url_hash, url, content_hash, content_type, size, fetched_at, error,
                 width, height)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
             ON CONFLICT (url_hash) DO UPDATE SET
                url = excluded.url, content_hash = excluded.content_hash,
                content_type = excluded.content_type, size = excluded.size,
                fetched_at = excluded.fetched_at, error = excluded.error,
                width = excluded.width, height = excluded.height",
        )
        .bind(url_hash)
        .bind(&record.url)
        .bind(&record.content_hash)
        .bind(&record.content_type)
        .bind(record.size.and_then(|s| i64::try_from(s).ok()))
        .bind(to_timestamp(record.fetched_at))
        .bind(&record.error)
        .bind(record.dimensions.map(|d| i64::from(d.0)))
        .bind(record.dimensions.map(|d| i64::from(d.1)))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Blocks an image for good and returns the file it was cached in, if it was and no other
    /// image still being served has the same bytes (then the caller may delete the file).
    pub async fn block_media(&self, url_hash: &str, url: &str) -> Result<Option<String>> {
        let mut tx = self.write_transaction().await?;
        let hash: Option<Option<String>> = sqlx::query_scalar(
            "INSERT INTO media (url_hash, url, fetched_at, error, blocked, blocked_at)
             VALUES ($1, $2, $3, 'removed by a takedown', 1, $4)
             ON CONFLICT (url_hash) DO UPDATE SET blocked = 1, error = excluded.error,
                 blocked_at = COALESCE(media.blocked_at, excluded.blocked_at)
             RETURNING content_hash",
        )
        .bind(url_hash)
        .bind(url)
        .bind(Utc::now().timestamp())
        .bind(Utc::now().timestamp_millis())
        .fetch_optional(&mut *tx)
        .await?;
        let Some(Some(hash)) = hash else {
            tx.commit().await?;
            return Ok(None);
        };
        let shared: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM media WHERE content_hash = $1 AND blocked = 0",
        )
        .bind(&hash)
        .fetch_one(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok((shared == 0).then_some(hash))
    }

    /// The files of images blocked after `after` (in the order of when, then of which URL),
    /// oldest first, at most `limit`, whose bytes no image still served shares: what a web node
    /// deletes from its own media cache when another node blocked them. Page on with the last
    /// one's [`BlockedFile::position`].
    pub async fn blocked_media_files(
        &self,
        after: &(i64, String),
        limit: i64,
    ) -> Result<Vec<BlockedFile>> {
        let rows: Vec<(i64, String, String)> = sqlx::query_as(
            "SELECT m.blocked_at, m.url_hash, m.content_hash FROM media m
             WHERE m.blocked_at IS NOT NULL
                   AND (m.blocked_at > $1 OR (m.blocked_at = $1 AND m.url_hash > $2))
                   AND m.content_hash IS NOT NULL
                   AND NOT EXISTS (SELECT 1 FROM media other
                                   WHERE other.content_hash = m.content_hash
                                         AND other.blocked = 0)
             ORDER BY m.blocked_at, m.url_hash LIMIT $3",
        )
        .bind(after.0)
        .bind(&after.1)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(blocked_at, url_hash, content_hash)| BlockedFile {
                position: (blocked_at, url_hash),
                content_hash,
            })
            .collect())
    }
}

/// A cached file of an image a takedown blocked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlockedFile {
    /// When the image was blocked (Unix milliseconds) and its URL's hash: where a reader of
    /// [`Store::blocked_media_files`] pages on from.
    pub position: (i64, String),
    /// Names the file.
    pub content_hash: String,
}
