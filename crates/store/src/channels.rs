//! Channels: the sections of the site.

use crate::{Error, Result, Store};
use sqlx::Row;
use sqlx::any::AnyRow;
use xinwen_model::{Channel, NewChannel};

const COLUMNS: &str = "id, slug, name, description, position";

fn from_row(row: &AnyRow) -> Result<Channel> {
    Ok(Channel {
        id: row.try_get("id")?,
        slug: row.try_get("slug")?,
        name: row.try_get("name")?,
        description: row.try_get("description")?,
        position: row.try_get("position")?,
    })
}

impl Store {
    /// Adds a channel, or updates the one with the same slug; returns its id.
    pub async fn upsert_channel(&self, channel: &NewChannel) -> Result<i64> {
        let id = sqlx::query_scalar(
            "INSERT INTO channels (slug, name, description, position) VALUES ($1, $2, $3, $4)
             ON CONFLICT (slug) DO UPDATE SET
                name = excluded.name, description = excluded.description, position = excluded.position
             RETURNING id",
        )
        .bind(&channel.slug)
        .bind(&channel.name)
        .bind(&channel.description)
        .bind(channel.position)
        .fetch_one(&self.pool)
        .await?;
        Ok(id)
    }

    /// Every channel, in home-page order.
    pub async fn channels(&self) -> Result<Vec<Channel>> {
        let sql = format!("SELECT {COLUMNS} FROM channels ORDER BY position, id");
        let rows = sqlx::query(crate::numbered(sql))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(from_row).collect()
    }

    pub async fn channel_by_slug(&self, slug: &str) -> Result<Option<Channel>> {
        let sql = format!("SELECT {COLUMNS} FROM channels WHERE slug = ?");
        let row = sqlx::query(crate::numbered(sql))
            .bind(slug)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(from_row).transpose()
    }

    pub(crate) async fn channel_id(&self, slug: &str) -> Result<i64> {
        sqlx::query_scalar("SELECT id FROM channels WHERE slug = $1")
            .bind(slug)
            .fetch_optional(&self.pool)
            .await?
            .ok_or_else(|| Error::NotFound {
                what: "channel",
                key: slug.to_owned(),
            })
    }
}
