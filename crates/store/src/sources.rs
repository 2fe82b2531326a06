//! Sources: the publishers (WeChat accounts, news sites) whose articles we show.

use crate::{Result, Store};
use sqlx::sqlite::SqliteRow;
use sqlx::{AssertSqlSafe, Row};
use xinwen_model::{NewSource, Source};

pub(crate) const COLUMNS: &str =
    "id, slug, name, kind, homepage, feed_url, follow_url, qr_image, channel_id, description";

pub(crate) fn from_row(row: &SqliteRow) -> Result<Source> {
    from_prefixed_row(row, "")
}

/// Reads a source from columns named `{prefix}{column}`, as joins with other tables name them.
pub(crate) fn from_prefixed_row(row: &SqliteRow, prefix: &str) -> Result<Source> {
    let column = |name: &str| format!("{prefix}{name}");
    Ok(Source {
        id: row.try_get(column("id").as_str())?,
        slug: row.try_get(column("slug").as_str())?,
        name: row.try_get(column("name").as_str())?,
        kind: row.try_get::<String, _>(column("kind").as_str())?.parse()?,
        homepage: row.try_get(column("homepage").as_str())?,
        feed_url: row.try_get(column("feed_url").as_str())?,
        follow_url: row.try_get(column("follow_url").as_str())?,
        qr_image: row.try_get(column("qr_image").as_str())?,
        channel_id: row.try_get(column("channel_id").as_str())?,
        description: row.try_get(column("description").as_str())?,
    })
}

impl Store {
    /// Adds a source, or updates the one with the same slug; returns its id.
    ///
    /// A default channel that does not exist is an error, not a silent null.
    pub async fn upsert_source(&self, source: &NewSource) -> Result<i64> {
        let channel_id = match &source.channel_slug {
            Some(slug) => Some(self.channel_id(slug).await?),
            None => None,
        };
        let id = sqlx::query_scalar(
            "INSERT INTO sources (slug, name, kind, homepage, feed_url, follow_url, qr_image,
                                  channel_id, description, created_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
             ON CONFLICT (slug) DO UPDATE SET
                name = excluded.name, kind = excluded.kind, homepage = excluded.homepage,
                feed_url = excluded.feed_url, follow_url = excluded.follow_url,
                qr_image = excluded.qr_image, channel_id = excluded.channel_id,
                description = excluded.description
             RETURNING id",
        )
        .bind(&source.slug)
        .bind(&source.name)
        .bind(source.kind.as_str())
        .bind(&source.homepage)
        .bind(&source.feed_url)
        .bind(&source.follow_url)
        .bind(&source.qr_image)
        .bind(channel_id)
        .bind(&source.description)
        .bind(chrono::Utc::now().timestamp())
        .fetch_one(&self.pool)
        .await?;
        Ok(id)
    }

    /// Every source, by name.
    pub async fn sources(&self) -> Result<Vec<Source>> {
        let sql = format!("SELECT {COLUMNS} FROM sources ORDER BY name, id");
        let rows = sqlx::query(AssertSqlSafe(sql))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(from_row).collect()
    }

    pub async fn source_by_slug(&self, slug: &str) -> Result<Option<Source>> {
        let sql = format!("SELECT {COLUMNS} FROM sources WHERE slug = ?");
        let row = sqlx::query(AssertSqlSafe(sql))
            .bind(slug)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(from_row).transpose()
    }
}
