//! Related reading as the background worker left it for each article, and which articles it
//! still has to do. The store keeps the lists; finding them is the search index's work.

use crate::{Cursor, Result, Store, from_timestamp};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// One article of an article's related reading, with the keywords the two share.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RelatedLink {
    pub id: i64,
    pub shared: Vec<String>,
    /// A close match, or a suggestion that fills the list (`xinwen_search::Related::close`).
    /// `None` in lists kept before suggestions existed, which are worked out again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub close: Option<bool>,
}

/// An article's related reading, best first, and when it was worked out.
#[derive(Debug, Clone, PartialEq)]
pub struct RelatedReading {
    pub computed_at: DateTime<Utc>,
    pub items: Vec<RelatedLink>,
}

/// A list worked out in an article's first day is worked out again once it is a day old,
/// when the other sources' coverage of the same subject has arrived.
const SETTLED_AFTER_SECS: i64 = 86_400;

impl Store {
    /// The stored related reading of article `id`, if it has been worked out.
    pub async fn related_reading(&self, id: i64) -> Result<Option<RelatedReading>> {
        let row: Option<(i64, String)> =
            sqlx::query_as("SELECT computed_at, items FROM related_reading WHERE article_id = $1")
                .bind(id)
                .fetch_optional(&self.pool)
                .await?;
        let Some((computed_at, items)) = row else {
            return Ok(None);
        };
        let items: Vec<RelatedLink> = serde_json::from_str(&items)
            .map_err(|e| crate::Error::Corrupt(format!("related reading of article {id}: {e}")))?;
        Ok(Some(RelatedReading {
            computed_at: from_timestamp(computed_at),
            items,
        }))
    }

    /// Keeps `items` as the related reading of article `id`, worked out at `at`. An article
    /// deleted meanwhile keeps nothing.
    pub async fn set_related_reading(
        &self,
        id: i64,
        items: &[RelatedLink],
        at: DateTime<Utc>,
    ) -> Result<()> {
        let items = serde_json::to_string(items)
            .map_err(|e| crate::Error::Corrupt(format!("related reading of article {id}: {e}")))?;
        sqlx::query(
            "INSERT INTO related_reading (article_id, computed_at, items)
             SELECT id, $1, $2 FROM articles WHERE id = $3
             ON CONFLICT (article_id) DO UPDATE SET computed_at = excluded.computed_at,
                items = excluded.items",
        )
        .bind(at.timestamp())
        .bind(items)
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Live articles whose related reading is to be worked out, newest first, starting after
    /// `after` and going no further back than `since`: those without any, and those worked out
    /// in their first day that are now a day old. With the cursor of each, to go on from.
    pub async fn articles_needing_related(
        &self,
        after: Option<Cursor>,
        since: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<(i64, Cursor)>> {
        let mut sql = String::from(
            "SELECT a.id, a.published_at FROM articles a
             LEFT JOIN related_reading r ON r.article_id = a.id
             WHERE a.status = 'live'
               AND (r.article_id IS NULL
                    OR (r.computed_at < a.published_at + ?1 AND a.published_at + ?1 <= ?2))",
        );
        if after.is_some() {
            sql.push_str(" AND (a.published_at, a.id) < (?3, ?4)");
        }
        if since.is_some() {
            sql.push_str(" AND a.published_at >= ?5");
        }
        sql.push_str(" ORDER BY a.published_at DESC, a.id DESC LIMIT ?6");
        let rows: Vec<(i64, i64)> = sqlx::query_as(crate::numbered(sql))
            .bind(SETTLED_AFTER_SECS)
            .bind(now.timestamp())
            .bind(after.map(|c| c.published_at))
            .bind(after.map(|c| c.id))
            .bind(since.map(|s| s.timestamp()))
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await?;
        Ok(rows
            .into_iter()
            .map(|(id, published_at)| (id, Cursor { published_at, id }))
            .collect())
    }
}
