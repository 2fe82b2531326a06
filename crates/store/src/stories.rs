//! Stories: the articles that tell one story, their fingerprints, the credited original, and
//! what is hot.

use crate::{Result, Store, from_timestamp, to_timestamp};
use chrono::{DateTime, Utc};
use sqlx::Row;
use xinwen_model::ArticleStatus;

/// A stored fingerprint, with its article's story and time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredFingerprint {
    pub article_id: i64,
    pub story_id: i64,
    pub published_at: DateTime<Utc>,
    pub signature: Vec<u8>,
    pub shingles: u32,
    pub content_hash: u64,
    pub numbers: Vec<u8>,
}

/// Where an article went, with its fingerprint's parts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placement {
    pub article_id: i64,
    pub story_id: i64,
    /// A story this article showed to be the same one, folded into `story_id`.
    pub merged: Option<i64>,
    pub signature: Vec<u8>,
    pub shingles: u32,
    pub content_hash: u64,
    pub numbers: Vec<u8>,
}

/// An article not yet compared with the others.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unassigned {
    pub id: i64,
    pub title: String,
    pub body_text: String,
    pub published_at: DateTime<Utc>,
}

/// One article of a story, for its timeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoryArticle {
    pub id: i64,
    pub title: String,
    pub source_slug: String,
    pub source_name: String,
    pub published_at: DateTime<Utc>,
    pub live: bool,
    pub credited_source: Option<String>,
}

/// A story with its coverage, oldest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Story {
    pub id: i64,
    pub original_article_id: Option<i64>,
    pub lead_article_id: Option<i64>,
    pub articles: Vec<StoryArticle>,
}

impl Story {
    /// Distinct sources with a live article in the story.
    pub fn source_count(&self) -> usize {
        let mut sources: Vec<&str> = self
            .articles
            .iter()
            .filter(|a| a.live)
            .map(|a| a.source_slug.as_str())
            .collect();
        sources.sort_unstable();
        sources.dedup();
        sources.len()
    }
}

/// A story on the 热点 list.
#[derive(Debug, Clone, PartialEq)]
pub struct HotStory {
    pub story_id: i64,
    pub lead_article_id: i64,
    pub source_count: u32,
    pub score: f64,
}

/// Whether two URLs name one page: equal once scheme, trailing slash, fragment and query are
/// set aside (the store keeps canonical URLs; credited links come as written).
fn same_page(a: &str, b: &str) -> bool {
    let core = |url: &str| {
        let url = url.split(['#', '?']).next().unwrap_or_default();
        let url = url.split_once("://").map_or(url, |(_, rest)| rest);
        url.trim_end_matches('/').to_ascii_lowercase()
    };
    core(a) == core(b)
}

/// Half-life of a source's contribution to a story's heat.
pub const HOT_HALF_LIFE_HOURS: f64 = 12.0;
/// How far back 热点 looks.
pub const HOT_WINDOW_HOURS: i64 = 72;

impl Store {
    /// Fingerprints of articles published since `since`, for the deduper to start from.
    pub async fn fingerprints_since(&self, since: DateTime<Utc>) -> Result<Vec<StoredFingerprint>> {
        let rows = sqlx::query(
            "SELECT f.article_id, a.story_id, a.published_at, f.signature, f.shingles, f.content_hash, f.numbers
             FROM article_fingerprints f JOIN articles a ON a.id = f.article_id
             WHERE a.published_at >= ? AND a.story_id IS NOT NULL
             ORDER BY a.published_at, a.id",
        )
        .bind(to_timestamp(since))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(StoredFingerprint {
                    article_id: row.try_get("article_id")?,
                    story_id: row.try_get("story_id")?,
                    published_at: from_timestamp(row.try_get("published_at")?),
                    signature: row.try_get("signature")?,
                    shingles: u32::try_from(row.try_get::<i64, _>("shingles")?).unwrap_or(0),
                    content_hash: row.try_get::<i64, _>("content_hash")? as u64,
                    numbers: row.try_get("numbers")?,
                })
            })
            .collect()
    }

    /// When the newest live article was published, if there is one.
    pub async fn newest_published_at(&self) -> Result<Option<DateTime<Utc>>> {
        let newest: Option<i64> =
            sqlx::query_scalar("SELECT MAX(published_at) FROM articles WHERE status = 'live'")
                .fetch_one(&self.pool)
                .await?;
        Ok(newest.map(from_timestamp))
    }

    /// Articles without a story yet, oldest first: what the deduper must still see.
    pub async fn articles_without_story(&self, limit: u32) -> Result<Vec<Unassigned>> {
        let rows = sqlx::query(
            "SELECT id, title, body_text, published_at FROM articles
             WHERE story_id IS NULL ORDER BY published_at, id LIMIT ?",
        )
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(Unassigned {
                    id: row.try_get("id")?,
                    title: row.try_get("title")?,
                    body_text: row.try_get("body_text")?,
                    published_at: from_timestamp(row.try_get("published_at")?),
                })
            })
            .collect()
    }

    /// Records an article's story and fingerprint, and refreshes the story.
    pub async fn assign_story(
        &self,
        article_id: i64,
        story_id: i64,
        merged: Option<i64>,
        fingerprint: (&[u8], u32, u64, &[u8]),
    ) -> Result<()> {
        let (signature, shingles, content_hash, numbers) = fingerprint;
        self.assign_stories(&[Placement {
            article_id,
            story_id,
            merged,
            signature: signature.to_vec(),
            shingles,
            content_hash,
            numbers: numbers.to_vec(),
        }])
        .await
    }

    /// Records where articles went, with their fingerprints, and refreshes every story they
    /// touched, all in one transaction: a batch costs one commit, and a crash leaves either
    /// all of it or none.
    pub async fn assign_stories(&self, placements: &[Placement]) -> Result<()> {
        if placements.is_empty() {
            return Ok(());
        }
        let mut tx = self.write_transaction().await?;
        let mut touched: Vec<i64> = Vec::new();
        for p in placements {
            sqlx::query(
                "INSERT INTO article_fingerprints (article_id, signature, shingles, content_hash, numbers)
                 VALUES (?, ?, ?, ?, ?)
                 ON CONFLICT (article_id) DO UPDATE SET signature = excluded.signature,
                    shingles = excluded.shingles, content_hash = excluded.content_hash,
                    numbers = excluded.numbers",
            )
            .bind(p.article_id)
            .bind(&p.signature)
            .bind(i64::from(p.shingles))
            .bind(p.content_hash as i64)
            .bind(&p.numbers)
            .execute(&mut *tx)
            .await?;
            // A new change number: the search index learns the story (related reading skips it).
            sqlx::query(
                "UPDATE articles SET story_id = ?,
                    change_seq = (SELECT MAX(n) + 1 FROM (SELECT COALESCE(MAX(change_seq), 0) AS n FROM articles
                    UNION ALL SELECT COALESCE(MAX(change_seq), 0) FROM article_deletions))
                 WHERE id = ?",
            )
            .bind(p.story_id)
            .bind(p.article_id)
            .execute(&mut *tx)
            .await?;
            if let Some(merged) = p.merged {
                sqlx::query(
                    "UPDATE articles SET story_id = ?,
                        change_seq = (SELECT MAX(n) + 1 FROM (SELECT COALESCE(MAX(change_seq), 0) AS n FROM articles
                    UNION ALL SELECT COALESCE(MAX(change_seq), 0) FROM article_deletions))
                     WHERE story_id = ?",
                )
                .bind(p.story_id)
                .bind(merged)
                .execute(&mut *tx)
                .await?;
                sqlx::query("DELETE FROM stories WHERE id = ?")
                    .bind(merged)
                    .execute(&mut *tx)
                    .await?;
                touched.retain(|t| *t != merged);
            }
            if !touched.contains(&p.story_id) {
                touched.push(p.story_id);
            }
        }
        for story in touched {
            refresh_in(&mut tx, story).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// A story with its articles, oldest first.
    pub async fn story(&self, id: i64) -> Result<Option<Story>> {
        let head: Option<(Option<i64>, Option<i64>)> =
            sqlx::query_as("SELECT original_article_id, lead_article_id FROM stories WHERE id = ?")
                .bind(id)
                .fetch_optional(&self.pool)
                .await?;
        let Some((original_article_id, lead_article_id)) = head else {
            return Ok(None);
        };
        let rows = sqlx::query(
            "SELECT a.id, a.title, a.published_at, a.status, a.credited_source,
                    s.slug AS source_slug, s.name AS source_name
             FROM articles a JOIN sources s ON s.id = a.source_id
             WHERE a.story_id = ? ORDER BY a.published_at, a.id",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?;
        let articles = rows
            .iter()
            .map(|row| {
                Ok(StoryArticle {
                    id: row.try_get("id")?,
                    title: row.try_get("title")?,
                    source_slug: row.try_get("source_slug")?,
                    source_name: row.try_get("source_name")?,
                    published_at: from_timestamp(row.try_get("published_at")?),
                    live: row
                        .try_get::<String, _>("status")?
                        .parse::<ArticleStatus>()?
                        == ArticleStatus::Live,
                    credited_source: row.try_get("credited_source")?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Some(Story {
            id,
            original_article_id,
            lead_article_id,
            articles,
        }))
    }

    /// Works out a story's original, lead and counts again from its articles.
    pub async fn refresh_story(&self, id: i64) -> Result<()> {
        let mut tx = self.write_transaction().await?;
        refresh_in(&mut tx, id).await?;
        tx.commit().await?;
        Ok(())
    }
}

/// Works out a story's original, lead and counts again from its articles, inside the
/// caller's transaction.
///
/// The original is the article the others credit (their 来源 lines name its source, or their
/// 阅读原文 links its page), or else the earliest. The lead, which lists show, is the original
/// while it is live, or else the earliest live article.
async fn refresh_in(conn: &mut sqlx::SqliteConnection, id: i64) -> Result<()> {
    let rows = sqlx::query(
            "SELECT a.id, a.published_at, a.status, a.credited_source, s.name AS source_name, a.source_id,
                    a.canonical_url
             FROM articles a JOIN sources s ON s.id = a.source_id
             WHERE a.story_id = ? ORDER BY a.published_at, a.id",
        )
        .bind(id)
        .fetch_all(&mut *conn)
        .await?;
    if rows.is_empty() {
        sqlx::query("DELETE FROM stories WHERE id = ?")
            .bind(id)
            .execute(&mut *conn)
            .await?;
        return Ok(());
    }
    struct Row {
        id: i64,
        published: i64,
        live: bool,
        credits: Option<String>,
        source_name: String,
        source_id: i64,
        canonical_url: String,
    }
    let rows: Vec<Row> = rows
        .iter()
        .map(|r| {
            Ok(Row {
                id: r.try_get("id")?,
                published: r.try_get("published_at")?,
                live: r.try_get::<String, _>("status")? == "live",
                credits: r.try_get("credited_source")?,
                source_name: r.try_get("source_name")?,
                source_id: r.try_get("source_id")?,
                canonical_url: r.try_get("canonical_url")?,
            })
        })
        .collect::<Result<_>>()?;
    let credited = |row: &Row| {
        rows.iter()
            .filter(|other| other.id != row.id)
            .filter(|other| {
                other.credits.as_deref().is_some_and(|c| {
                    let c = c.trim();
                    // A 阅读原文 link names the page itself; a 来源 line, the publication.
                    if c.starts_with("http://") || c.starts_with("https://") {
                        return same_page(c, &row.canonical_url);
                    }
                    !c.is_empty()
                        && (row.source_name.contains(c) || c.contains(row.source_name.as_str()))
                })
            })
            .count()
    };
    // Rows are oldest first, so among equals the earliest wins.
    let original = rows
        .iter()
        .map(|row| (credited(row), row))
        .filter(|(count, _)| *count > 0)
        .max_by(|a, b| a.0.cmp(&b.0).then(b.1.published.cmp(&a.1.published)))
        .map(|(_, row)| row)
        .unwrap_or(&rows[0]);
    let lead = if original.live {
        Some(original.id)
    } else {
        rows.iter().find(|r| r.live).map(|r| r.id)
    };
    let live: Vec<&Row> = rows.iter().filter(|r| r.live).collect();
    let mut sources: Vec<i64> = live.iter().map(|r| r.source_id).collect();
    sources.sort_unstable();
    sources.dedup();
    sqlx::query(
        "INSERT INTO stories (id, original_article_id, lead_article_id, first_published_at,
                 last_published_at, article_count, source_count, updated_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?)
             ON CONFLICT (id) DO UPDATE SET original_article_id = excluded.original_article_id,
                lead_article_id = excluded.lead_article_id,
                first_published_at = excluded.first_published_at,
                last_published_at = excluded.last_published_at,
                article_count = excluded.article_count, source_count = excluded.source_count,
                updated_at = excluded.updated_at",
    )
    .bind(id)
    .bind(original.id)
    .bind(lead)
    .bind(rows.first().map_or(0, |r| r.published))
    .bind(rows.iter().map(|r| r.published).max().unwrap_or(0))
    .bind(live.len() as i64)
    .bind(sources.len() as i64)
    .bind(Utc::now().timestamp())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

impl Store {
    /// 热点: stories told by at least two sources in the last [`HOT_WINDOW_HOURS`], hottest
    /// first. A story's heat is the sum, over its sources, of one half per
    /// [`HOT_HALF_LIFE_HOURS`] since that source first published it: many sources, recently,
    /// and quickly one after another, all raise it.
    ///
    /// "Now" is the newest article's time (an hour after it), never later than the clock, so
    /// that a site whose sources have gone quiet still shows what was hot when they last spoke.
    pub async fn hot_stories(&self, now: DateTime<Utc>, limit: u32) -> Result<Vec<HotStory>> {
        let newest = self.newest_published_at().await?.map(|t| t.timestamp());
        let now = newest.map_or(now.timestamp(), |n| n.min(now.timestamp()) + 3600);
        let since = now - HOT_WINDOW_HOURS * 3600;
        let rows = sqlx::query(
            "SELECT st.id, st.lead_article_id, a.source_id, MIN(a.published_at) AS first
             FROM stories st JOIN articles a ON a.story_id = st.id AND a.status = 'live'
             WHERE st.last_published_at >= ? AND st.source_count >= 2 AND st.lead_article_id IS NOT NULL
             GROUP BY st.id, st.lead_article_id, a.source_id",
        )
        .bind(since)
        .fetch_all(&self.pool)
        .await?;
        let mut hot: Vec<HotStory> = Vec::new();
        for row in &rows {
            let story_id: i64 = row.try_get("id")?;
            let lead: i64 = row.try_get("lead_article_id")?;
            let first: i64 = row.try_get("first")?;
            let age_hours = ((now - first).max(0)) as f64 / 3600.0;
            let heat = 0.5f64.powf(age_hours / HOT_HALF_LIFE_HOURS);
            match hot.iter_mut().find(|h| h.story_id == story_id) {
                Some(story) => {
                    story.score += heat;
                    story.source_count += 1;
                }
                None => hot.push(HotStory {
                    story_id,
                    lead_article_id: lead,
                    source_count: 1,
                    score: heat,
                }),
            }
        }
        hot.sort_by(|a, b| {
            b.score
                .total_cmp(&a.score)
                .then(a.story_id.cmp(&b.story_id))
        });
        hot.truncate(limit as usize);
        Ok(hot)
    }
}
