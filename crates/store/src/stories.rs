//! Stories: the articles that tell one story, their fingerprints, the credited original, and
//! what is hot.

use crate::{Result, Store, from_timestamp, to_timestamp};
use chrono::{DateTime, Utc};
use sqlx::Row;
use std::collections::HashMap;
use xinwen_model::{ArticleStatus, HotStory, Story, StoryArticle};
use xinwen_newsroom::story;

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

/// Fingerprints of recent articles, read at start. SQLite answers it from `articles_by_story`
/// alone (story and time are both in it), without reading article rows; sorted by the caller,
/// so that the plan needs no sort.
pub(crate) const FINGERPRINTS_SINCE_SQL: &str =
    "SELECT f.article_id, a.story_id, a.published_at, f.signature, f.shingles, f.content_hash, f.numbers
     FROM article_fingerprints f JOIN articles a ON a.id = f.article_id
     WHERE a.published_at >= $1 AND a.story_id IS NOT NULL";

/// A story's timeline, oldest first.
pub(crate) const STORY_ARTICLES_SQL: &str =
    "SELECT a.id, a.title, a.published_at, a.status, a.credited_source,
            s.slug AS source_slug, s.name AS source_name, s.publisher AS source_publisher
     FROM articles a JOIN sources s ON s.id = a.source_id
     WHERE a.story_id = $1 ORDER BY a.published_at, a.id";

/// 热点 in heat order; the WHERE repeats the partial index's condition so that SQLite uses it,
/// and stops the index's walk at a floor of heat (see [`Store::hot_stories`]).
pub(crate) const HOT_SQL: &str = "SELECT id, lead_article_id, source_count, heat FROM stories
     WHERE source_count >= 2 AND lead_article_id IS NOT NULL AND heat IS NOT NULL
       AND last_published_at >= $1 AND heat >= $2
     ORDER BY heat DESC LIMIT $3";

impl Store {
    /// Fingerprints of articles published since `since`, for the deduper to start from.
    pub async fn fingerprints_since(&self, since: DateTime<Utc>) -> Result<Vec<StoredFingerprint>> {
        let rows = sqlx::query(FINGERPRINTS_SINCE_SQL)
            .bind(to_timestamp(since))
            .fetch_all(&self.pool)
            .await?;
        fingerprints_from_rows(&rows)
    }

    /// Fingerprints of articles with an id above `article_id` that have a story: what other
    /// processes placed since a deduper last looked, oldest first.
    pub async fn fingerprints_after(&self, article_id: i64) -> Result<Vec<StoredFingerprint>> {
        let rows = sqlx::query(
            "SELECT f.article_id, a.story_id, a.published_at, f.signature, f.shingles,
                    f.content_hash, f.numbers
             FROM article_fingerprints f JOIN articles a ON a.id = f.article_id
             WHERE f.article_id > $1 AND a.story_id IS NOT NULL",
        )
        .bind(article_id)
        .fetch_all(&self.pool)
        .await?;
        fingerprints_from_rows(&rows)
    }

    /// A turn at placing articles in stories that no other process has at the same time, held
    /// until the returned guard is dropped. Placing reads the articles without a story and
    /// compares them with what is placed: two processes doing it at once would place the same
    /// article twice, or two reposts of one story in two stories. On SQLite, where one process
    /// fetches, the in-process lock of the story keeper is enough and this holds nothing.
    pub async fn story_placement_turn(&self) -> Result<PlacementTurn> {
        match self.backend {
            crate::Backend::Sqlite => Ok(PlacementTurn { _held: None }),
            crate::Backend::Postgres => Ok(PlacementTurn {
                _held: Some(crate::postgres::placement_turn(&self.pool).await?),
            }),
        }
    }
}

/// A process's turn at placing articles in stories ([`Store::story_placement_turn`]).
pub struct PlacementTurn {
    _held: Option<sqlx::Transaction<'static, sqlx::Any>>,
}

fn fingerprints_from_rows(rows: &[sqlx::any::AnyRow]) -> Result<Vec<StoredFingerprint>> {
    let mut prints = rows
        .iter()
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
        .collect::<Result<Vec<_>>>()?;
    prints.sort_by_key(|p| (p.published_at, p.article_id));
    Ok(prints)
}

impl Store {
    /// When the newest live article was published, if there is one.
    pub async fn newest_published_at(&self) -> Result<Option<DateTime<Utc>>> {
        let newest: Option<i64> =
            // Not MAX(): over an index whose time descends after `status`, SQLite reads every
            // live row for MAX, and only the first for this.
            sqlx::query_scalar(
                "SELECT published_at FROM articles WHERE status = 'live'
                 ORDER BY published_at DESC LIMIT 1",
            )
            .fetch_optional(&self.pool)
            .await?;
        Ok(newest.map(from_timestamp))
    }

    /// Articles without a story yet, oldest first: what the deduper must still see.
    pub async fn articles_without_story(&self, limit: u32) -> Result<Vec<Unassigned>> {
        let rows = sqlx::query(
            "SELECT id, title, body_text, published_at FROM articles
             WHERE story_id IS NULL ORDER BY published_at, id LIMIT $1",
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
    ///
    /// A batch is written in a handful of statements rather than a few per article: on
    /// PostgreSQL each statement is a round trip made while holding the write lock that every
    /// other writer waits for.
    pub async fn assign_stories(&self, placements: &[Placement]) -> Result<()> {
        if placements.is_empty() {
            return Ok(());
        }
        let mut tx = self.write_transaction().await?;
        // An article placed twice in one batch keeps its last placement, as if written in turn.
        let mut last_of: HashMap<i64, usize> = HashMap::new();
        for (i, p) in placements.iter().enumerate() {
            last_of.insert(p.article_id, i);
        }
        let placements: Vec<&Placement> = placements
            .iter()
            .enumerate()
            .filter(|(i, p)| last_of[&p.article_id] == *i)
            .map(|(_, p)| p)
            .collect();
        for chunk in placements.chunks(crate::ROWS_PER_STATEMENT) {
            let values = vec!["(?, ?, ?, ?, ?)"; chunk.len()].join(", ");
            let sql = format!(
                "INSERT INTO article_fingerprints (article_id, signature, shingles, content_hash, numbers)
                 VALUES {values}
                 ON CONFLICT (article_id) DO UPDATE SET signature = excluded.signature,
                    shingles = excluded.shingles, content_hash = excluded.content_hash,
                    numbers = excluded.numbers"
            );
            let mut query = sqlx::query(crate::numbered(sql));
            for p in chunk {
                query = query
                    .bind(p.article_id)
                    .bind(&p.signature)
                    .bind(i64::from(p.shingles))
                    .bind(p.content_hash as i64)
                    .bind(&p.numbers);
            }
            query.execute(&mut *tx).await?;
        }
        // Placements are written in order, each article with a new change number (the search
        // index learns the story; related reading skips it). A merge moves every article of
        // the story it folds in, so the placements before it are written first.
        let mut touched: Vec<i64> = Vec::new();
        let mut pending: Vec<(i64, i64)> = Vec::new();
        for p in &placements {
            if let Some(merged) = p.merged {
                place_articles(&mut tx, &pending).await?;
                pending.clear();
                // The folded story's articles move each with a number of its own: a reader
                // catching up by number a page at a time would skip some of a shared one.
                let folded: Vec<i64> =
                    sqlx::query_scalar("SELECT id FROM articles WHERE story_id = $1 ORDER BY id")
                        .bind(merged)
                        .fetch_all(&mut *tx)
                        .await?;
                let mut moved = vec![(p.article_id, p.story_id)];
                moved.extend(
                    folded
                        .into_iter()
                        .filter(|id| *id != p.article_id)
                        .map(|id| (id, p.story_id)),
                );
                place_articles(&mut tx, &moved).await?;
                sqlx::query("DELETE FROM stories WHERE id = $1")
                    .bind(merged)
                    .execute(&mut *tx)
                    .await?;
                touched.retain(|t| *t != merged);
            } else {
                pending.push((p.article_id, p.story_id));
            }
            if !touched.contains(&p.story_id) {
                touched.push(p.story_id);
            }
        }
        place_articles(&mut tx, &pending).await?;
        refresh_in(&mut tx, &touched).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The article that stands for each of these stories in lists (its original while that is
    /// live), by story id; stories without one are left out.
    pub async fn story_leads(
        &self,
        story_ids: &[i64],
    ) -> Result<std::collections::HashMap<i64, i64>> {
        if story_ids.is_empty() {
            return Ok(Default::default());
        }
        let placeholders = vec!["?"; story_ids.len()].join(", ");
        let sql = format!(
            "SELECT id, lead_article_id FROM stories
             WHERE id IN ({placeholders}) AND lead_article_id IS NOT NULL"
        );
        let mut query = sqlx::query_as::<_, (i64, i64)>(crate::numbered(sql));
        for id in story_ids {
            query = query.bind(id);
        }
        Ok(query.fetch_all(&self.pool).await?.into_iter().collect())
    }

    /// A story with its articles, oldest first.
    pub async fn story(&self, id: i64) -> Result<Option<Story>> {
        let head: Option<(Option<i64>, Option<i64>)> = sqlx::query_as(
            "SELECT original_article_id, lead_article_id FROM stories WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        let Some((original_article_id, lead_article_id)) = head else {
            return Ok(None);
        };
        let rows = sqlx::query(STORY_ARTICLES_SQL)
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
                    source_publisher: row.try_get::<String, _>("source_publisher")?.parse()?,
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
        refresh_in(&mut tx, &[id]).await?;
        tx.commit().await?;
        Ok(())
    }
}

/// Puts each article in its story, with a change number of its own, in the order given. The
/// caller's transaction holds the write lock.
async fn place_articles(conn: &mut sqlx::AnyConnection, placed: &[(i64, i64)]) -> Result<()> {
    // An article placed twice goes to its first story, as a CASE takes its first match; the
    // story and the change number are written in one statement, since each UPDATE of an
    // article writes a new version of the row into every one of its indexes.
    let mut story_of = HashMap::new();
    for (article, story) in placed {
        story_of.entry(*article).or_insert(*story);
    }
    let articles = crate::articles::first_places(placed.iter().map(|(article, _)| *article));
    if articles.is_empty() {
        return Ok(());
    }
    let mut next = crate::articles::newest_change(conn).await?;
    for chunk in articles.chunks(crate::ROWS_PER_STATEMENT) {
        let cases = " WHEN ? THEN ?".repeat(chunk.len());
        let ids = vec!["?"; chunk.len()].join(", ");
        let mut query = sqlx::query(crate::numbered(format!(
            "UPDATE articles SET story_id = CASE id{cases} END, change_seq = CASE id{cases} END
             WHERE id IN ({ids})"
        )));
        for article in chunk {
            query = query.bind(*article).bind(story_of[article]);
        }
        for article in chunk {
            next += 1;
            query = query.bind(*article).bind(next);
        }
        for article in chunk {
            query = query.bind(*article);
        }
        query.execute(&mut *conn).await?;
    }
    Ok(())
}

/// Works out the original, lead, counts and heat of these stories again from their articles,
/// inside the caller's transaction, by the newsroom's rules ([`story::roles`]); a story left
/// without articles is deleted.
async fn refresh_in(conn: &mut sqlx::AnyConnection, ids: &[i64]) -> Result<()> {
    for chunk in ids.chunks(crate::ROWS_PER_STATEMENT) {
        refresh_chunk(conn, chunk).await?;
    }
    Ok(())
}

/// Whether a row is in the site's lists and in its source's, as stored.
type Listed = (bool, bool);

async fn refresh_chunk(conn: &mut sqlx::AnyConnection, ids: &[i64]) -> Result<()> {
    let placeholders = vec!["?"; ids.len()].join(", ");
    let sql = format!(
        "SELECT a.story_id, a.id, a.published_at, a.status, a.credited_source,
                s.name AS source_name, a.source_id, a.canonical_url, a.in_lists, a.in_source_list
         FROM articles a JOIN sources s ON s.id = a.source_id
         WHERE a.story_id IN ({placeholders}) ORDER BY a.story_id, a.published_at, a.id"
    );
    let mut query = sqlx::query(crate::numbered(sql));
    for id in ids {
        query = query.bind(*id);
    }
    let rows = query.fetch_all(&mut *conn).await?;
    let mut by_story: HashMap<i64, Vec<(story::Member, Listed)>> = HashMap::new();
    for r in &rows {
        let member = story::Member {
            id: r.try_get("id")?,
            published_at: r.try_get("published_at")?,
            live: r.try_get::<String, _>("status")? == "live",
            credited_source: r.try_get("credited_source")?,
            source_id: r.try_get("source_id")?,
            source_name: r.try_get("source_name")?,
            canonical_url: r.try_get("canonical_url")?,
        };
        let listed = (
            r.try_get::<i64, _>("in_lists")? != 0,
            r.try_get::<i64, _>("in_source_list")? != 0,
        );
        by_story
            .entry(r.try_get("story_id")?)
            .or_default()
            .push((member, listed));
    }
    let now = Utc::now().timestamp();
    let mut empty: Vec<i64> = Vec::new();
    let mut worked_out: Vec<(i64, story::Roles)> = Vec::new();
    for id in ids {
        let Some(articles) = by_story.get(id) else {
            empty.push(*id);
            continue;
        };
        let members: Vec<story::Member> = articles.iter().map(|(m, _)| m.clone()).collect();
        let Some(roles) = story::roles(&members) else {
            continue;
        };
        // Only rows whose flags change are written; a new article's flags are usually right.
        for (listing, (_, was)) in roles.listings.iter().zip(articles) {
            if (listing.in_lists, listing.in_source_list) != *was {
                sqlx::query("UPDATE articles SET in_lists = $1, in_source_list = $2 WHERE id = $3")
                    .bind(i64::from(listing.in_lists))
                    .bind(i64::from(listing.in_source_list))
                    .bind(listing.article_id)
                    .execute(&mut *conn)
                    .await?;
            }
        }
        worked_out.push((*id, roles));
    }
    if !empty.is_empty() {
        let placeholders = vec!["?"; empty.len()].join(", ");
        let mut query = sqlx::query(crate::numbered(format!(
            "DELETE FROM stories WHERE id IN ({placeholders})"
        )));
        for id in &empty {
            query = query.bind(*id);
        }
        query.execute(&mut *conn).await?;
    }
    if worked_out.is_empty() {
        return Ok(());
    }
    let values = vec!["(?, ?, ?, ?, ?, ?, ?, ?, ?)"; worked_out.len()].join(", ");
    let sql = format!(
        "INSERT INTO stories (id, original_article_id, lead_article_id, first_published_at,
                 last_published_at, article_count, source_count, updated_at, heat)
             VALUES {values}
             ON CONFLICT (id) DO UPDATE SET original_article_id = excluded.original_article_id,
                lead_article_id = excluded.lead_article_id,
                first_published_at = excluded.first_published_at,
                last_published_at = excluded.last_published_at,
                article_count = excluded.article_count, source_count = excluded.source_count,
                updated_at = excluded.updated_at, heat = excluded.heat"
    );
    let mut query = sqlx::query(crate::numbered(sql));
    for (id, roles) in &worked_out {
        query = query
            .bind(*id)
            .bind(roles.original)
            .bind(roles.lead)
            .bind(roles.first_published_at)
            .bind(roles.last_published_at)
            .bind(roles.live_articles as i64)
            .bind(roles.sources as i64)
            .bind(now)
            .bind(roles.heat_key);
    }
    query.execute(&mut *conn).await?;
    Ok(())
}

/// How many stories [`Store::fill_story_heat`] handles per transaction.
const HEAT_BATCH: i64 = 2_000;

impl Store {
    /// 热点: stories told by at least two sources in the last
    /// [`story::HOT_WINDOW_HOURS`] (the last [`story::HOT_QUIET_WINDOW_HOURS`] when that holds
    /// fewer than [`story::HOT_AT_LEAST`]), hottest first, by the newsroom's heat
    /// ([`story::heat_at`]) at the moment [`story::hot_moment`] gives.
    pub async fn hot_stories(&self, now: DateTime<Utc>, limit: u32) -> Result<Vec<HotStory>> {
        let newest = self.newest_published_at().await?.map(|t| t.timestamp());
        let now = story::hot_moment(newest, now.timestamp());
        let mut rows = self.hot_rows(now, story::HOT_WINDOW_HOURS, limit).await?;
        if rows.len() < story::HOT_AT_LEAST.min(limit) as usize {
            rows = self
                .hot_rows(now, story::HOT_QUIET_WINDOW_HOURS, limit)
                .await?;
        }
        Ok(rows
            .into_iter()
            .map(|(story_id, lead, sources, key)| HotStory {
                story_id,
                lead_article_id: lead,
                source_count: u32::try_from(sources).unwrap_or(0),
                score: story::heat_at(key, now),
            })
            .collect())
    }

    /// The hottest stories last told within `window_hours` of `now`.
    async fn hot_rows(
        &self,
        now: i64,
        window_hours: i64,
        limit: u32,
    ) -> Result<Vec<(i64, i64, i64, f64)>> {
        let since = now - window_hours * 3600;
        // Heat order is the same at every moment, so the index gives the hottest first; a
        // story past the window is skipped, and those come late in that order. The walk stops
        // at half the heat one source gives at the window's edge: a story colder than that was
        // last told anew before the window, and without the floor a quiet site would read
        // every story it ever had to fill the list.
        let floor = story::heat_key_floor(since, 0.5);
        Ok(sqlx::query_as(HOT_SQL)
            .bind(since)
            .bind(floor)
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await?)
    }

    /// Stories told by two articles or more, the most recently told first, at most `limit`:
    /// for tools that sample the site (the site benchmark), never for a page.
    pub async fn stories_told_twice(&self, limit: u32) -> Result<Vec<i64>> {
        Ok(sqlx::query_scalar(
            "SELECT id FROM stories WHERE article_count >= 2 AND lead_article_id IS NOT NULL
             ORDER BY last_published_at DESC LIMIT $1",
        )
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?)
    }

    /// Stories written before heat was kept (an older data directory), still to be filled in
    /// by [`Store::fill_story_heat`].
    pub async fn stories_without_heat(&self) -> Result<u64> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM stories WHERE heat IS NULL")
            .fetch_one(&self.pool)
            .await?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    /// Works out the heat of the next batch of stories that have none; returns how many it
    /// did, 0 when none is left. Each batch is one transaction, so a stop loses nothing.
    pub async fn fill_story_heat(&self) -> Result<u64> {
        let mut tx = self.write_transaction().await?;
        let ids: Vec<i64> =
            sqlx::query_scalar("SELECT id FROM stories WHERE heat IS NULL ORDER BY id LIMIT $1")
                .bind(HEAT_BATCH)
                .fetch_all(&mut *tx)
                .await?;
        for id in &ids {
            let firsts: Vec<i64> = sqlx::query_scalar(
                "SELECT MIN(published_at) FROM articles
                 WHERE story_id = $1 AND status = 'live' GROUP BY source_id",
            )
            .bind(id)
            .fetch_all(&mut *tx)
            .await?;
            let key = story::heat_key(firsts.into_iter()).unwrap_or(f64::MIN);
            sqlx::query("UPDATE stories SET heat = $1 WHERE id = $2")
                .bind(key)
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(ids.len() as u64)
    }
}
