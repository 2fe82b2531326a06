//! Articles and their images.

use crate::{Error, Result, Store, from_timestamp, sources, to_timestamp};
use sqlx::any::AnyRow;
// Dynamic SQL here is assembled only from constants of this crate; values are always bound.
use sqlx::{Any, Row, Transaction};
use std::collections::HashMap;
use xinwen_model::{Article, ArticleStatus, ArticleSummary, Channel, Image, NewArticle};

/// Which live articles a list shows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ArticleFilter {
    pub channel_id: Option<i64>,
    pub source_id: Option<i64>,
}

/// A feed entry's identity, stored with the article it made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryKey {
    pub guid: String,
    /// A hash of what the feed said of the entry.
    pub entry_hash: String,
}

/// An article and the feed entry it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct FeedArticle {
    pub article: NewArticle,
    pub entry: EntryKey,
}

/// An entry the store has seen before.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnownEntry {
    pub article_id: i64,
    pub entry_hash: String,
    pub status: ArticleStatus,
}

/// One page of a list, with what it takes to link to the others.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// 1-based.
    pub number: u32,
    pub per_page: u32,
    pub total: u64,
    /// Where the next page begins, for lists read by key.
    pub next: Option<Cursor>,
}

impl<T> Page<T> {
    /// One page of a list whose `COUNT(*)` was `total`.
    pub(crate) fn counted(items: Vec<T>, number: u32, per_page: u32, total: i64) -> Page<T> {
        Page {
            items,
            number,
            per_page,
            total: u64::try_from(total).unwrap_or(0),
            next: None,
        }
    }

    pub fn page_count(&self) -> u32 {
        let per_page = u64::from(self.per_page.max(1));
        u32::try_from(self.total.div_ceil(per_page)).unwrap_or(u32::MAX)
    }
    pub fn has_next(&self) -> bool {
        self.number < self.page_count()
    }
}

impl Store {
    /// Writes articles in one transaction: an article whose canonical URL is already stored
    /// updates that row (and replaces its images) instead of adding a second one.
    ///
    /// Either every article of the batch is written or none is. One transaction per batch,
    /// not per article, because each commit costs an fsync. Returns the ids in input order.
    pub async fn upsert_articles(&self, articles: &[NewArticle]) -> Result<Vec<i64>> {
        self.write_batch(articles.iter().map(|a| (a, None)), Numbering::All)
            .await
    }

    /// Writes articles that came from a feed, with the entries they came from, in one
    /// transaction: an entry and its article are committed together or not at all.
    ///
    /// An entry already known by its GUID updates the article it made, even when the entry's
    /// URL (and so the canonical URL) has changed since.
    pub async fn upsert_feed_articles(&self, items: &[FeedArticle]) -> Result<Vec<i64>> {
        self.write_batch(
            items.iter().map(|i| (&i.article, Some(&i.entry))),
            Numbering::All,
        )
        .await
    }

    /// [`Store::upsert_feed_articles`] for a caller that places the new articles in stories
    /// at once ([`Store::assign_stories`]), which gives them their change numbers: only the
    /// articles already in a story (updated ones) are numbered here. Readers catching up by
    /// change number meet a new article once, placed, and each article is written once less:
    /// every UPDATE of a row writes a new version of it into each index of `articles`.
    pub async fn upsert_feed_articles_to_place(&self, items: &[FeedArticle]) -> Result<Vec<i64>> {
        self.write_batch(
            items.iter().map(|i| (&i.article, Some(&i.entry))),
            Numbering::InStoriesOnly,
        )
        .await
    }

    /// Writes a batch in a [`Store::batch_transaction`]: the articles first, beside other
    /// writers, then, holding the write lock, their change numbers and the commit. (Taking the
    /// lock before the inserts instead, to write each row once with its number, was slower
    /// with two workers on PostgreSQL: 886–919 articles a second against 923–1,002.) Two
    /// batches that touch one row in opposite orders, or a batch and a locked writer that
    /// touch one row, can deadlock on PostgreSQL; it cancels one, which is tried again.
    async fn write_batch<'a>(
        &self,
        items: impl Iterator<Item = (&'a NewArticle, Option<&'a EntryKey>)> + Clone,
        numbering: Numbering,
    ) -> Result<Vec<i64>> {
        let mut attempt = 1;
        loop {
            let written = async {
                let mut tx = self.batch_transaction().await?;
                let written = write_articles(&mut tx, items.clone()).await?;
                self.take_write_turn(&mut tx).await?;
                let numbered = match numbering {
                    Numbering::All => &written.ids,
                    Numbering::InStoriesOnly => &written.in_stories,
                };
                number_changes(&mut tx, numbered).await?;
                tx.commit().await?;
                Ok(written.ids)
            };
            match written.await {
                Err(e) if attempt < BATCH_ATTEMPTS && is_deadlock(&e) => {
                    tracing::warn!(
                        attempt,
                        "a batch of articles met a deadlock; writing it again"
                    );
                    attempt += 1;
                }
                result => return result,
            }
        }
    }

    /// What the store knows of these entries of a source's feed, by GUID.
    pub async fn known_entries(
        &self,
        source_id: i64,
        guids: &[String],
    ) -> Result<HashMap<String, KnownEntry>> {
        let mut known = HashMap::new();
        // Chunked: SQLite caps the number of bound parameters.
        for chunk in guids.chunks(400) {
            let placeholders = vec!["?"; chunk.len()].join(", ");
            let sql = format!(
                "SELECT e.guid, e.article_id, e.entry_hash, a.status FROM feed_entries e
                 JOIN articles a ON a.id = e.article_id
                 WHERE e.source_id = ? AND e.guid IN ({placeholders})"
            );
            let mut query = sqlx::query(crate::numbered(sql)).bind(source_id);
            for guid in chunk {
                query = query.bind(guid);
            }
            for row in query.fetch_all(&self.pool).await? {
                let status: String = row.try_get("status")?;
                known.insert(
                    row.try_get("guid")?,
                    KnownEntry {
                        article_id: row.try_get("article_id")?,
                        entry_hash: row.try_get("entry_hash")?,
                        status: status.parse()?,
                    },
                );
            }
        }
        Ok(known)
    }

    /// The whole article, live or removed: the page decides what a removed one shows.
    pub async fn article(&self, id: i64) -> Result<Option<Article>> {
        let Some(row) = sqlx::query(crate::numbered(article_sql()))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
        else {
            return Ok(None);
        };
        let images = self.images(id).await?;
        Ok(Some(article_from_row(&row, images)?))
    }

    async fn images(&self, article_id: i64) -> Result<Vec<Image>> {
        let rows = sqlx::query(
            "SELECT src, alt, caption FROM article_images WHERE article_id = $1 ORDER BY position",
        )
        .bind(article_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Image {
                    src: r.try_get("src")?,
                    alt: r.try_get("alt")?,
                    caption: r.try_get("caption")?,
                })
            })
            .collect()
    }

    /// Newest live articles first, page `page` counted from the top (at most
    /// [`MAX_LIST_PAGES`] deep). `with_body` adds the HTML body, which feeds need and pages
    /// do not.
    pub async fn latest_articles(
        &self,
        filter: ArticleFilter,
        page: u32,
        per_page: u32,
        with_body: bool,
    ) -> Result<Page<ArticleSummary>> {
        self.latest_articles_after(filter, page, None, per_page, with_body)
            .await
    }

    /// Like [`Store::latest_articles`], but page `page` starts right after `after`, the last
    /// article of the page before it ([`Page::next`]): read over the index from that key, so
    /// that a deep page costs what the first one does.
    ///
    /// Every list counts its articles only up to [`MAX_LIST_PAGES`] pages: `total` is capped
    /// there, which is all a pager needs, and the count never reads the whole table.
    pub async fn latest_articles_after(
        &self,
        filter: ArticleFilter,
        page: u32,
        after: Option<Cursor>,
        per_page: u32,
        with_body: bool,
    ) -> Result<Page<ArticleSummary>> {
        let page = page.max(1);
        let per_page = per_page.clamp(1, 200);
        let cap = i64::from(MAX_LIST_PAGES) * i64::from(per_page);
        let conditions = list_conditions(filter);
        let mut count = sqlx::query_scalar::<_, i64>(crate::numbered(format!(
            "SELECT COUNT(*) FROM (SELECT 1 FROM articles a WHERE {conditions}
             ORDER BY a.published_at DESC, a.id DESC LIMIT ?) AS listed"
        )));
        for value in [filter.channel_id, filter.source_id].into_iter().flatten() {
            count = count.bind(value);
        }
        let total = count.bind(cap).fetch_one(&self.pool).await?;
        if page > MAX_LIST_PAGES {
            return Ok(Page::counted(Vec::new(), page, per_page, total));
        }
        let mut query = sqlx::query(crate::numbered(list_sql(
            filter,
            after.is_some(),
            with_body,
        )));
        for value in [filter.channel_id, filter.source_id].into_iter().flatten() {
            query = query.bind(value);
        }
        let offset = match after {
            Some(cursor) => {
                query = query.bind(cursor.published_at).bind(cursor.id);
                0
            }
            None => i64::from(page - 1) * i64::from(per_page),
        };
        let rows = query
            .bind(i64::from(per_page))
            .bind(offset)
            .fetch_all(&self.pool)
            .await?;
        let mut items = rows
            .iter()
            .map(|row| summary_from_row(row, with_body))
            .collect::<Result<Vec<_>>>()?;
        items.sort_by_key(|item| std::cmp::Reverse((item.published_at, item.id)));
        let mut list = Page::counted(items, page, per_page, total);
        if list.has_next() {
            list.next = list.items.last().map(|last| Cursor {
                published_at: last.published_at.timestamp(),
                id: last.id,
            });
        }
        Ok(list)
    }

    /// Hides an article from every list and makes its page answer 410, or brings it back.
    pub async fn set_article_status(&self, id: i64, status: ArticleStatus) -> Result<()> {
        let now = chrono::Utc::now().timestamp();
        let removed_at = (status == ArticleStatus::Removed).then_some(now);
        let done = sqlx::query(
            "UPDATE articles SET status = $1, removed_at = $2, updated_at = $3,
                change_seq = (SELECT MAX(n) + 1 FROM (SELECT COALESCE(MAX(change_seq), 0) AS n FROM articles
                    UNION ALL SELECT COALESCE(MAX(change_seq), 0) FROM article_deletions) AS seqs)
             WHERE id = $4",
        )
        .bind(status.as_str())
        .bind(removed_at)
        .bind(now)
        .bind(id)
        .execute(&self.pool)
        .await?;
        if done.rows_affected() == 0 {
            return Err(Error::NotFound {
                what: "article",
                key: id.to_string(),
            });
        }
        // The story's lead may have been this article.
        self.refresh_story_of(id).await
    }

    /// Brings the story of article `id` up to date after the article changed (its lead and
    /// counts may have been this article).
    async fn refresh_story_of(&self, id: i64) -> Result<()> {
        let story: Option<i64> = sqlx::query_scalar("SELECT story_id FROM articles WHERE id = $1")
            .bind(id)
            .fetch_one(&self.pool)
            .await?;
        match story {
            Some(story) => self.refresh_story(story).await,
            None => Ok(()),
        }
    }

    /// How many articles there are, live or not.
    pub async fn article_count(&self) -> Result<u64> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM articles")
            .fetch_one(&self.pool)
            .await?;
        Ok(u64::try_from(n).unwrap_or(0))
    }
}

/// Marks SQL built by this crate's own tests as safe to run.
#[cfg(test)]
pub(crate) fn assert_sql_safe(sql: String) -> sqlx::AssertSqlSafe<String> {
    crate::numbered(sql)
}

/// One article by id, with its channel and source.
pub(crate) fn article_sql() -> String {
    format!(
        "SELECT a.*, c.slug AS c_slug, c.name AS c_name, c.description AS c_description,
                c.position AS c_position, {source_columns}
         FROM articles a
         JOIN channels c ON c.id = a.channel_id
         JOIN (SELECT {source_select} FROM sources) s ON s.id = a.source_id
         WHERE a.id = ?",
        source_columns = prefixed_source_columns(),
        source_select = sources::COLUMNS,
    )
}

/// The deepest page any public list offers. Older articles are still one search away; what a
/// list must not do is let a crawler walk it a million rows deep.
pub const MAX_LIST_PAGES: u32 = 50;

/// Where a list page begins: right after the article with this key, in newest-first order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor {
    pub published_at: i64,
    pub id: i64,
}

impl Cursor {
    /// `TIME-ID`, as page links carry it.
    pub fn to_param(self) -> String {
        format!("{}-{}", self.published_at, self.id)
    }

    /// Reads [`Cursor::to_param`]'s form; `None` for anything else.
    pub fn parse(param: &str) -> Option<Cursor> {
        let (time, id) = param.rsplit_once('-')?;
        Some(Cursor {
            published_at: time.parse().ok()?,
            id: id.parse().ok()?,
        })
    }
}

/// Which live articles a list shows, as SQL over `articles a`; values are bound in the order
/// channel, source.
pub(crate) fn list_conditions(filter: ArticleFilter) -> String {
    // Each story once: a source's list by its first live article of the story, other lists by
    // the story's lead. The flags are kept by the story's refresh and lead the list indexes,
    // so that SQLite reads a list from its index alone.
    let mut conditions = String::from(if filter.source_id.is_some() {
        "a.status = 'live' AND a.in_source_list = 1"
    } else {
        "a.status = 'live' AND a.in_lists = 1"
    });
    if filter.channel_id.is_some() {
        conditions.push_str(" AND a.channel_id = ?");
    }
    if filter.source_id.is_some() {
        conditions.push_str(" AND a.source_id = ?");
    }
    conditions
}

/// One page of a list: the filter's values, then with `after` the cursor's time and id, then
/// the limit and offset.
pub(crate) fn list_sql(filter: ArticleFilter, after: bool, with_body: bool) -> String {
    let mut conditions = list_conditions(filter);
    if after {
        conditions.push_str(" AND (a.published_at, a.id) < (?, ?)");
    }
    // The page's ids first, from the list's index alone, then their rows: skipping to a deep
    // page walks index entries, not the article rows (bodies and all) it passes over. The
    // caller puts the page back in order.
    summaries_of_page(
        &format!(
            "SELECT a.id AS id FROM articles a WHERE {conditions}
             ORDER BY a.published_at DESC, a.id DESC LIMIT ? OFFSET ?"
        ),
        with_body,
    )
}

/// What a list shows of each article whose id `page_ids` selects (as `id`).
fn summaries_of_page(page_ids: &str, with_body: bool) -> String {
    let body = if with_body { ", a.body_html" } else { "" };
    format!(
        "SELECT a.id, a.title, a.summary, a.author, a.published_at, a.original_url, a.story_id,
                a.credited_source,
                s.slug AS source_slug, s.name AS source_name,
                c.slug AS channel_slug, c.name AS channel_name,
                i.src AS thumb_src, i.alt AS thumb_alt, i.caption AS thumb_caption{body}
         FROM ({page_ids}) page
         JOIN articles a ON a.id = page.id
         JOIN sources s ON s.id = a.source_id
         JOIN channels c ON c.id = a.channel_id
         LEFT JOIN article_images i ON i.article_id = a.id AND i.position = 0"
    )
}

/// Which live articles the API lists: every one, reposts included, newest first, by key.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ArticleQuery {
    pub channel_id: Option<i64>,
    pub source_id: Option<i64>,
    pub story_id: Option<i64>,
    /// Published at or after (Unix seconds).
    pub since: Option<i64>,
    /// Published before (Unix seconds).
    pub until: Option<i64>,
    /// The last article of the page before.
    pub after: Option<Cursor>,
}

/// One page of [`ArticleQuery`]: the filter's values in the order of its fields, then the
/// cursor's time and id, then the limit.
pub(crate) fn query_sql(query: &ArticleQuery, with_body: bool) -> String {
    let mut conditions = String::from("a.status = 'live'");
    for (present, condition) in [
        (query.channel_id.is_some(), " AND a.channel_id = ?"),
        (query.source_id.is_some(), " AND a.source_id = ?"),
        (query.story_id.is_some(), " AND a.story_id = ?"),
        (query.since.is_some(), " AND a.published_at >= ?"),
        (query.until.is_some(), " AND a.published_at < ?"),
        (
            query.after.is_some(),
            " AND (a.published_at, a.id) < (?, ?)",
        ),
    ] {
        if present {
            conditions.push_str(condition);
        }
    }
    summaries_of_page(
        &format!(
            "SELECT a.id AS id FROM articles a WHERE {conditions}
             ORDER BY a.published_at DESC, a.id DESC LIMIT ?"
        ),
        with_body,
    )
}

/// Articles by id, with what a list shows of them. `a.status || ''` keeps SQLite from reading
/// the articles by status (every live one) and checking each id, instead of looking the ids up
/// (SQLite's own `+a.status` does the same, but PostgreSQL has no `+` for text).
pub(crate) fn summaries_by_ids_sql(count: usize) -> String {
    let placeholders = vec!["?"; count].join(", ");
    format!(
        "SELECT a.id, a.title, a.summary, a.author, a.published_at, a.original_url, a.story_id,
                a.credited_source,
                s.slug AS source_slug, s.name AS source_name,
                c.slug AS channel_slug, c.name AS channel_name,
                i.src AS thumb_src, i.alt AS thumb_alt, i.caption AS thumb_caption, a.body_html
         FROM articles a
         JOIN sources s ON s.id = a.source_id
         JOIN channels c ON c.id = a.channel_id
         LEFT JOIN article_images i ON i.article_id = a.id AND i.position = 0
         WHERE a.status || '' = 'live' AND a.id IN ({placeholders})"
    )
}

/// An article of a batch with the ids its source and channel have in the store.
struct Placed<'a> {
    article: &'a NewArticle,
    entry: Option<&'a EntryKey>,
    source_id: i64,
    channel_id: i64,
}

/// Which articles of a batch get change numbers as it is written.
#[derive(Clone, Copy)]
enum Numbering {
    All,
    /// Only those already in a story: the caller places the others at once, which numbers
    /// them.
    InStoriesOnly,
}

/// The ids of a written batch, in order, and those of its articles already in a story.
pub(crate) struct Written {
    pub ids: Vec<i64>,
    pub in_stories: Vec<i64>,
}

/// A batch of articles to write, with what the store knew of it when read.
struct Batch<'a> {
    placed: Vec<Placed<'a>>,
    /// The article each of the batch's feed entries made before, and its URL.
    known: HashMap<(i64, String), (i64, String)>,
}

/// The batch writer behind both upserts; the caller owns the transaction and numbers the
/// changes ([`number_changes`]).
pub(crate) async fn write_articles<'a>(
    tx: &mut Transaction<'_, Any>,
    items: impl Iterator<Item = (&'a NewArticle, Option<&'a EntryKey>)>,
) -> Result<Written> {
    Batch::read(tx, items).await?.write(tx).await
}

impl<'a> Batch<'a> {
    /// Reads what writing the batch needs.
    async fn read(
        tx: &mut Transaction<'_, Any>,
        items: impl Iterator<Item = (&'a NewArticle, Option<&'a EntryKey>)>,
    ) -> Result<Batch<'a>> {
        let placed = with_store_ids(tx, items).await?;
        let known = articles_of_entries(tx, &placed).await?;
        Ok(Batch { placed, known })
    }

    /// Writes the batch in multi-row statements. A statement ends early where an article
    /// repeats a URL or a feed entry already in it, or where an entry's article has moved to a
    /// new URL, so that the batch reads as if its articles were written in turn.
    async fn write(self, tx: &mut Transaction<'_, Any>) -> Result<Written> {
        let Batch { placed, mut known } = self;
        let mut written = Written {
            ids: Vec::with_capacity(placed.len()),
            in_stories: Vec::new(),
        };
        let mut pending = BesideArticles::default();
        let mut statement: Vec<&Placed<'_>> = Vec::new();
        for item in &placed {
            let url = &item.article.canonical_url;
            let repeats = statement.iter().any(|other| {
                other.article.canonical_url == *url
                    || (other.source_id == item.source_id
                        && other
                            .entry
                            .is_some_and(|e| Some(&e.guid) == item.entry.map(|e| &e.guid)))
            });
            if repeats || statement.len() == crate::ROWS_PER_STATEMENT {
                insert_articles(tx, &statement, &mut written, &mut pending, &mut known).await?;
                statement.clear();
            }
            if let Some(entry) = item.entry {
                // Feed entries are upserted together: one met twice goes in a statement of
                // its own.
                if pending.has_entry(item.source_id, &entry.guid) {
                    pending.write(tx).await?;
                }
                if let Some((article_id, old_url)) =
                    known.get(&(item.source_id, entry.guid.clone()))
                    && old_url != url
                {
                    let article_id = *article_id;
                    insert_articles(tx, &statement, &mut written, &mut pending, &mut known).await?;
                    statement.clear();
                    follow_moved_entry(tx, article_id, url).await?;
                }
            }
            statement.push(item);
        }
        insert_articles(tx, &statement, &mut written, &mut pending, &mut known).await?;
        pending.write(tx).await?;
        Ok(written)
    }
}

/// The batch's articles with their sources' and channels' ids, each looked up once.
async fn with_store_ids<'a>(
    tx: &mut Transaction<'_, Any>,
    items: impl Iterator<Item = (&'a NewArticle, Option<&'a EntryKey>)>,
) -> Result<Vec<Placed<'a>>> {
    let mut sources: HashMap<String, (i64, Option<i64>)> = HashMap::new();
    let mut channels: HashMap<String, i64> = HashMap::new();
    let mut placed = Vec::new();
    for (article, entry) in items {
        let (source_id, default_channel) = match sources.get(&article.source_slug) {
            Some(found) => *found,
            None => {
                let found: (i64, Option<i64>) =
                    sqlx::query_as("SELECT id, channel_id FROM sources WHERE slug = $1")
                        .bind(&article.source_slug)
                        .fetch_optional(&mut **tx)
                        .await?
                        .ok_or_else(|| Error::NotFound {
                            what: "source",
                            key: article.source_slug.clone(),
                        })?;
                sources.insert(article.source_slug.clone(), found);
                found
            }
        };
        let channel_id = match &article.channel_slug {
            Some(slug) => match channels.get(slug) {
                Some(id) => *id,
                None => {
                    let id = channel_id_in(tx, slug).await?;
                    channels.insert(slug.clone(), id);
                    id
                }
            },
            None => default_channel.ok_or_else(|| Error::NotFound {
                what: "channel for source",
                key: article.source_slug.clone(),
            })?,
        };
        placed.push(Placed {
            article,
            entry,
            source_id,
            channel_id,
        });
    }
    Ok(placed)
}

/// The article each of the batch's feed entries made before, and its URL, by (source, GUID).
async fn articles_of_entries(
    tx: &mut Transaction<'_, Any>,
    placed: &[Placed<'_>],
) -> Result<HashMap<(i64, String), (i64, String)>> {
    let mut guids: HashMap<i64, Vec<&str>> = HashMap::new();
    for item in placed {
        if let Some(entry) = item.entry {
            guids.entry(item.source_id).or_default().push(&entry.guid);
        }
    }
    let mut known = HashMap::new();
    for (source_id, guids) in guids {
        // Chunked: SQLite caps the number of bound parameters.
        for chunk in guids.chunks(400) {
            let placeholders = vec!["?"; chunk.len()].join(", ");
            let mut query = sqlx::query_as::<_, (String, i64, String)>(crate::numbered(format!(
                "SELECT e.guid, a.id, a.canonical_url FROM feed_entries e
                 JOIN articles a ON a.id = e.article_id
                 WHERE e.source_id = ? AND e.guid IN ({placeholders})"
            )))
            .bind(source_id);
            for guid in chunk {
                query = query.bind(*guid);
            }
            for (guid, id, url) in query.fetch_all(&mut **tx).await? {
                known.insert((source_id, guid), (id, url));
            }
        }
    }
    Ok(known)
}

/// Upserts these articles, whose URLs are distinct, in one statement; their ids are added to
/// `written` in order, and what they write beside themselves to `pending`.
async fn insert_articles<'a>(
    tx: &mut Transaction<'_, Any>,
    statement: &[&Placed<'a>],
    written: &mut Written,
    pending: &mut BesideArticles<'a>,
    known: &mut HashMap<(i64, String), (i64, String)>,
) -> Result<()> {
    if statement.is_empty() {
        return Ok(());
    }
    let now = chrono::Utc::now().timestamp();
    let values =
        vec!["(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'live', ?, 0, ?)"; statement.len()].join(", ");
    // A removed article keeps its status when it is fetched again: removal is an editor's
    // decision, and the publisher re-sending the article must not undo it. An updated article
    // keeps its change number until it is given a new one: were the newest number set back
    // to 0, the next number taken would be that same one again, which readers already passed.
    let mut query = sqlx::query_as::<_, (i64, String, Option<i64>)>(crate::numbered(format!(
        "INSERT INTO articles (source_id, channel_id, title, author, original_url, canonical_url,
                               published_at, fetched_at, body_html, body_text, summary, script,
                               status, updated_at, change_seq, credited_source)
         VALUES {values}
         ON CONFLICT (canonical_url) DO UPDATE SET credited_source = excluded.credited_source,
            source_id = excluded.source_id, channel_id = excluded.channel_id,
            title = excluded.title, author = excluded.author,
            original_url = excluded.original_url, published_at = excluded.published_at,
            fetched_at = excluded.fetched_at, body_html = excluded.body_html,
            body_text = excluded.body_text, summary = excluded.summary,
            script = excluded.script, updated_at = excluded.updated_at
         RETURNING id, canonical_url, story_id"
    )));
    for item in statement {
        let article = item.article;
        query = query
            .bind(item.source_id)
            .bind(item.channel_id)
            .bind(&article.title)
            .bind(&article.author)
            .bind(&article.original_url)
            .bind(&article.canonical_url)
            .bind(to_timestamp(article.published_at))
            .bind(to_timestamp(article.fetched_at))
            .bind(&article.body_html)
            .bind(&article.body_text)
            .bind(&article.summary)
            .bind(article.script.as_str())
            .bind(now)
            .bind(&article.credited_source);
    }
    // Neither database promises RETURNING's order: rows are matched by their URLs.
    let by_url: HashMap<String, (i64, bool)> = query
        .fetch_all(&mut **tx)
        .await?
        .into_iter()
        .map(|(id, url, story)| (url, (id, story.is_some())))
        .collect();
    for item in statement {
        let url = &item.article.canonical_url;
        let (id, in_story) = *by_url.get(url).ok_or_else(|| Error::NotFound {
            what: "written article",
            key: url.clone(),
        })?;
        written.ids.push(id);
        if in_story {
            written.in_stories.push(id);
        }
        pending.images.push((id, &item.article.images));
        if let Some(entry) = item.entry {
            pending.entries.push((item.source_id, entry, id));
            known.insert((item.source_id, entry.guid.clone()), (id, url.clone()));
        }
    }
    Ok(())
}

/// How many times a batch of articles is tried when PostgreSQL cancels it to end a deadlock.
const BATCH_ATTEMPTS: u32 = 3;

fn is_deadlock(e: &Error) -> bool {
    matches!(e, Error::Database(sqlx::Error::Database(db))
        if db.code().as_deref() == Some("40P01"))
}

/// Gives each of these articles a new change number, in the order given (an article listed
/// twice keeps its first place): the search index and every other reader catching up learn of
/// them. The caller holds the write lock, so numbers are taken in commit order.
pub(crate) async fn number_changes(conn: &mut sqlx::AnyConnection, ids: &[i64]) -> Result<()> {
    let ids = first_places(ids.iter().copied());
    if ids.is_empty() {
        return Ok(());
    }
    let mut next = newest_change(conn).await?;
    for chunk in ids.chunks(crate::ROWS_PER_STATEMENT) {
        let cases = " WHEN ? THEN ?".repeat(chunk.len());
        let placeholders = vec!["?"; chunk.len()].join(", ");
        let mut query = sqlx::query(crate::numbered(format!(
            "UPDATE articles SET change_seq = CASE id{cases} END WHERE id IN ({placeholders})"
        )));
        for id in chunk {
            next += 1;
            query = query.bind(*id).bind(next);
        }
        for id in chunk {
            query = query.bind(*id);
        }
        query.execute(&mut *conn).await?;
    }
    Ok(())
}

/// Each id once, where it first appears.
pub(crate) fn first_places(ids: impl Iterator<Item = i64>) -> Vec<i64> {
    let mut seen = std::collections::HashSet::new();
    ids.filter(|id| seen.insert(*id)).collect()
}

/// The newest change number given out, to articles or to deletions; the caller holds the
/// write lock.
pub(crate) async fn newest_change(conn: &mut sqlx::AnyConnection) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "SELECT MAX(n) FROM (SELECT COALESCE(MAX(change_seq), 0) AS n FROM articles
         UNION ALL SELECT COALESCE(MAX(change_seq), 0) FROM article_deletions) AS seqs",
    )
    .fetch_one(&mut *conn)
    .await?)
}

/// What a batch of articles writes beside the articles themselves, written together in a few
/// statements: on PostgreSQL every statement is a round trip made under the write lock.
#[derive(Default)]
struct BesideArticles<'a> {
    /// Each article's images, which replace what it had.
    images: Vec<(i64, &'a [Image])>,
    /// The feed entries that made them: (source, entry, article).
    entries: Vec<(i64, &'a EntryKey, i64)>,
}

impl BesideArticles<'_> {
    fn has_entry(&self, source_id: i64, guid: &str) -> bool {
        self.entries
            .iter()
            .any(|(source, entry, _)| *source == source_id && entry.guid == guid)
    }

    async fn write(&mut self, tx: &mut Transaction<'_, Any>) -> Result<()> {
        // An article written twice keeps the images of its last writing.
        let mut last: HashMap<i64, &[Image]> = HashMap::new();
        for (id, images) in self.images.drain(..) {
            last.insert(id, images);
        }
        let ids: Vec<i64> = last.keys().copied().collect();
        for chunk in ids.chunks(crate::ROWS_PER_STATEMENT) {
            let placeholders = vec!["?"; chunk.len()].join(", ");
            let mut query = sqlx::query(crate::numbered(format!(
                "DELETE FROM article_images WHERE article_id IN ({placeholders})"
            )));
            for id in chunk {
                query = query.bind(*id);
            }
            query.execute(&mut **tx).await?;
        }
        let rows: Vec<(i64, i64, &Image)> = last
            .iter()
            .flat_map(|(id, images)| {
                images.iter().enumerate().map(|(position, image)| {
                    (*id, i64::try_from(position).unwrap_or(i64::MAX), image)
                })
            })
            .collect();
        for chunk in rows.chunks(crate::ROWS_PER_STATEMENT) {
            let values = vec!["(?, ?, ?, ?, ?)"; chunk.len()].join(", ");
            let mut query = sqlx::query(crate::numbered(format!(
                "INSERT INTO article_images (article_id, position, src, alt, caption) VALUES {values}"
            )));
            for (id, position, image) in chunk {
                query = query
                    .bind(*id)
                    .bind(*position)
                    .bind(&image.src)
                    .bind(&image.alt)
                    .bind(&image.caption);
            }
            query.execute(&mut **tx).await?;
        }
        let now = chrono::Utc::now().timestamp();
        let entries = std::mem::take(&mut self.entries);
        for chunk in entries.chunks(crate::ROWS_PER_STATEMENT) {
            let values = vec!["(?, ?, ?, ?, ?)"; chunk.len()].join(", ");
            let mut query = sqlx::query(crate::numbered(format!(
                "INSERT INTO feed_entries (source_id, guid, article_id, entry_hash, seen_at)
                 VALUES {values}
                 ON CONFLICT (source_id, guid) DO UPDATE SET
                    article_id = excluded.article_id, entry_hash = excluded.entry_hash,
                    seen_at = excluded.seen_at"
            )));
            for (source_id, entry, article_id) in chunk {
                query = query
                    .bind(*source_id)
                    .bind(&entry.guid)
                    .bind(*article_id)
                    .bind(&entry.entry_hash)
                    .bind(now);
            }
            query.execute(&mut **tx).await?;
        }
        Ok(())
    }
}

/// Moves the article a known entry made to the entry's new canonical URL, so that the upsert
/// that follows updates it rather than adding a second one. Left alone when another article
/// already has the new URL: that one is updated instead.
async fn follow_moved_entry(
    tx: &mut Transaction<'_, Any>,
    article_id: i64,
    canonical_url: &str,
) -> Result<()> {
    let taken: Option<i64> = sqlx::query_scalar("SELECT id FROM articles WHERE canonical_url = $1")
        .bind(canonical_url)
        .fetch_optional(&mut **tx)
        .await?;
    if taken.is_none() {
        sqlx::query("UPDATE articles SET canonical_url = $1 WHERE id = $2")
            .bind(canonical_url)
            .bind(article_id)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

async fn channel_id_in(tx: &mut Transaction<'_, Any>, slug: &str) -> Result<i64> {
    sqlx::query_scalar("SELECT id FROM channels WHERE slug = $1")
        .bind(slug)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or_else(|| Error::NotFound {
            what: "channel",
            key: slug.to_owned(),
        })
}

fn prefixed_source_columns() -> String {
    sources::COLUMNS
        .split(", ")
        .map(|c| format!("s.{c} AS s_{c}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn article_from_row(row: &AnyRow, images: Vec<Image>) -> Result<Article> {
    let source = sources::from_prefixed_row(row, "s_")?;
    Ok(Article {
        id: row.try_get("id")?,
        channel: Channel {
            id: row.try_get("channel_id")?,
            slug: row.try_get("c_slug")?,
            name: row.try_get("c_name")?,
            description: row.try_get("c_description")?,
            position: row.try_get("c_position")?,
        },
        source,
        title: row.try_get("title")?,
        author: row.try_get("author")?,
        original_url: row.try_get("original_url")?,
        canonical_url: row.try_get("canonical_url")?,
        published_at: from_timestamp(row.try_get("published_at")?),
        fetched_at: from_timestamp(row.try_get("fetched_at")?),
        body_html: row.try_get("body_html")?,
        body_text: row.try_get("body_text")?,
        summary: row.try_get("summary")?,
        images,
        script: row.try_get::<String, _>("script")?.parse()?,
        status: row.try_get::<String, _>("status")?.parse()?,
        story_id: row.try_get("story_id")?,
        credited_source: row.try_get("credited_source")?,
    })
}

fn summary_from_row(row: &AnyRow, with_body: bool) -> Result<ArticleSummary> {
    let thumbnail = match row.try_get::<Option<String>, _>("thumb_src")? {
        Some(src) => Some(Image {
            src,
            alt: row.try_get("thumb_alt")?,
            caption: row.try_get("thumb_caption")?,
        }),
        None => None,
    };
    Ok(ArticleSummary {
        id: row.try_get("id")?,
        title: row.try_get("title")?,
        summary: row.try_get("summary")?,
        author: row.try_get("author")?,
        published_at: from_timestamp(row.try_get("published_at")?),
        source_slug: row.try_get("source_slug")?,
        source_name: row.try_get("source_name")?,
        channel_slug: row.try_get("channel_slug")?,
        channel_name: row.try_get("channel_name")?,
        thumbnail,
        original_url: row.try_get("original_url")?,
        body_html: if with_body {
            Some(row.try_get("body_html")?)
        } else {
            None
        },
        story_id: row.try_get("story_id")?,
        credited_source: row.try_get("credited_source")?,
    })
}

/// What the search index needs of an article.
#[derive(Debug, Clone, PartialEq)]
pub struct IndexRow {
    pub id: i64,
    pub title: String,
    pub body_text: String,
    pub source_slug: String,
    pub channel_slug: String,
    pub published_at: chrono::DateTime<chrono::Utc>,
    pub status: ArticleStatus,
    /// The row's place in the order of changes: the index's catch-up mark.
    pub change_seq: i64,
    pub story_id: Option<i64>,
}

impl Store {
    /// Articles changed after change number `since`, live, removed or deleted, in the order
    /// they changed: what an index must catch up on.
    pub async fn articles_changed_since(&self, since: i64, limit: u32) -> Result<Vec<IndexRow>> {
        let rows = sqlx::query(
            "SELECT a.id, a.title, a.body_text, a.published_at, a.status, a.change_seq, a.story_id,
                    s.slug AS source_slug, c.slug AS channel_slug
             FROM articles a
             JOIN sources s ON s.id = a.source_id
             JOIN channels c ON c.id = a.channel_id
             WHERE a.change_seq > $1
             ORDER BY a.change_seq
             LIMIT $2",
        )
        .bind(since)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        let deleted: Vec<(i64, i64)> = sqlx::query_as(
            "SELECT article_id, change_seq FROM article_deletions WHERE change_seq > $1
             ORDER BY change_seq LIMIT $2",
        )
        .bind(since)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        let mut changed = rows
            .iter()
            .map(|row| {
                Ok(IndexRow {
                    id: row.try_get("id")?,
                    title: row.try_get("title")?,
                    body_text: row.try_get("body_text")?,
                    source_slug: row.try_get("source_slug")?,
                    channel_slug: row.try_get("channel_slug")?,
                    published_at: from_timestamp(row.try_get("published_at")?),
                    status: row.try_get::<String, _>("status")?.parse()?,
                    change_seq: row.try_get("change_seq")?,
                    story_id: row.try_get("story_id")?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        // A deleted article is, to an index, a removed one with nothing left to show.
        changed.extend(deleted.into_iter().map(|(id, change_seq)| IndexRow {
            id,
            title: String::new(),
            body_text: String::new(),
            source_slug: String::new(),
            channel_slug: String::new(),
            published_at: chrono::DateTime::default(),
            status: ArticleStatus::Removed,
            change_seq,
            story_id: None,
        }));
        changed.sort_by_key(|row| row.change_seq);
        changed.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
        Ok(changed)
    }

    /// Live articles by id, as lists show them, in the order asked (unknown and removed ids
    /// left out): how search and related reading turn index hits into items.
    pub async fn summaries_by_ids(&self, ids: &[i64]) -> Result<Vec<ArticleSummary>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let sql = summaries_by_ids_sql(ids.len());
        let mut query = sqlx::query(crate::numbered(sql));
        for id in ids {
            query = query.bind(id);
        }
        let rows = query.fetch_all(&self.pool).await?;
        let mut found: HashMap<i64, ArticleSummary> = HashMap::new();
        for row in &rows {
            let summary = summary_from_row(row, true)?;
            found.insert(summary.id, summary);
        }
        Ok(ids.iter().filter_map(|id| found.remove(id)).collect())
    }
}

/// An article as the admin lists it, live or removed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdminArticle {
    pub id: i64,
    pub title: String,
    pub source_name: String,
    pub channel_slug: String,
    pub channel_name: String,
    pub published_at: chrono::DateTime<chrono::Utc>,
    pub status: ArticleStatus,
    /// `hidden` (an editor's decision) or `takedown`, when removed.
    pub removal_reason: Option<String>,
}

/// Why an article's page answers 410.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemovalNotice {
    pub reason: Option<String>,
    pub removed_at: Option<chrono::DateTime<chrono::Utc>>,
    /// The receipt of the takedown request that removed it.
    pub takedown_receipt: Option<String>,
}

impl Store {
    /// Articles for the admin, newest first: all, or only live or only removed ones, and
    /// only those whose title contains `title` when given.
    pub async fn admin_articles(
        &self,
        status: Option<ArticleStatus>,
        title: Option<&str>,
        page: u32,
        per_page: u32,
    ) -> Result<Page<AdminArticle>> {
        let page = page.max(1);
        let per_page = per_page.clamp(1, 200);
        let mut conditions = vec!["1 = 1"];
        if status.is_some() {
            conditions.push("a.status = ?");
        }
        if title.is_some() {
            conditions.push("instr(a.title, ?) > 0");
        }
        let conditions = conditions.join(" AND ");
        let sql = format!(
            "SELECT a.id, a.title, a.published_at, a.status, a.removal_reason,
                    s.name AS source_name, c.slug AS channel_slug, c.name AS channel_name
             FROM articles a
             JOIN sources s ON s.id = a.source_id
             JOIN channels c ON c.id = a.channel_id
             WHERE {conditions}
             ORDER BY a.published_at DESC, a.id DESC LIMIT ? OFFSET ?"
        );
        let mut query = sqlx::query(crate::numbered(sql));
        let mut count = sqlx::query_scalar::<_, i64>(crate::numbered(format!(
            "SELECT COUNT(*) FROM articles a WHERE {conditions}"
        )));
        if let Some(status) = status {
            query = query.bind(status.as_str());
            count = count.bind(status.as_str());
        }
        if let Some(title) = title {
            query = query.bind(title);
            count = count.bind(title);
        }
        let rows = query
            .bind(i64::from(per_page))
            .bind(i64::from(page - 1) * i64::from(per_page))
            .fetch_all(&self.pool)
            .await?;
        let total = count.fetch_one(&self.pool).await?;
        let items = rows
            .iter()
            .map(|row| {
                Ok(AdminArticle {
                    id: row.try_get("id")?,
                    title: row.try_get("title")?,
                    source_name: row.try_get("source_name")?,
                    channel_slug: row.try_get("channel_slug")?,
                    channel_name: row.try_get("channel_name")?,
                    published_at: from_timestamp(row.try_get("published_at")?),
                    status: row.try_get::<String, _>("status")?.parse()?,
                    removal_reason: row.try_get("removal_reason")?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Page::counted(items, page, per_page, total))
    }

    /// Hides an article (an editor's decision) or brings a hidden one back, with the audit
    /// line in the same transaction. An article removed by a takedown is not restored here:
    /// that removal answers a legal request, and its tombstone stays.
    pub async fn set_article_hidden(
        &self,
        id: i64,
        hidden: bool,
        actor: &crate::Actor,
    ) -> Result<()> {
        let mut tx = self.write_transaction().await?;
        let reason: Option<(String, Option<String>)> =
            sqlx::query_as("SELECT status, removal_reason FROM articles WHERE id = $1")
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?;
        let Some((_, reason)) = reason else {
            return Err(Error::NotFound {
                what: "article",
                key: id.to_string(),
            });
        };
        if reason.as_deref() == Some("takedown") {
            return Err(Error::Conflict {
                what: "article",
                key: format!("{id} (removed by a takedown request)"),
            });
        }
        let now = chrono::Utc::now().timestamp();
        let (status, removed_at, removal_reason, action) = if hidden {
            ("removed", Some(now), Some("hidden"), "article.hide")
        } else {
            ("live", None, None, "article.restore")
        };
        sqlx::query(
            "UPDATE articles SET status = $1, removed_at = $2, removal_reason = $3, updated_at = $4,
                change_seq = (SELECT MAX(n) + 1 FROM (SELECT COALESCE(MAX(change_seq), 0) AS n FROM articles
                    UNION ALL SELECT COALESCE(MAX(change_seq), 0) FROM article_deletions) AS seqs)
             WHERE id = $5",
        )
        .bind(status)
        .bind(removed_at)
        .bind(removal_reason)
        .bind(now)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        crate::accounts::audit_in(&mut tx, actor, action, ("article", Some(id)), "").await?;
        tx.commit().await?;
        self.refresh_story_of(id).await
    }

    /// Moves an article to another channel.
    pub async fn set_article_channel(
        &self,
        id: i64,
        channel_slug: &str,
        actor: &crate::Actor,
    ) -> Result<()> {
        let mut tx = self.write_transaction().await?;
        let channel_id = channel_id_in(&mut tx, channel_slug).await?;
        let done = sqlx::query(
            "UPDATE articles SET channel_id = $1, updated_at = $2,
                change_seq = (SELECT MAX(n) + 1 FROM (SELECT COALESCE(MAX(change_seq), 0) AS n FROM articles
                    UNION ALL SELECT COALESCE(MAX(change_seq), 0) FROM article_deletions) AS seqs)
             WHERE id = $3",
        )
        .bind(channel_id)
        .bind(chrono::Utc::now().timestamp())
        .bind(id)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(Error::NotFound {
                what: "article",
                key: id.to_string(),
            });
        }
        crate::accounts::audit_in(
            &mut tx,
            actor,
            "article.channel",
            ("article", Some(id)),
            channel_slug,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Why an article is removed, for its 410 page.
    pub async fn removal_notice(&self, id: i64) -> Result<Option<RemovalNotice>> {
        let row = sqlx::query(
            "SELECT a.removal_reason, a.removed_at, t.receipt FROM articles a
             LEFT JOIN takedowns t ON t.id = a.takedown_id
             WHERE a.id = $1 AND a.status = 'removed'",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|row| {
            Ok(RemovalNotice {
                reason: row.try_get("removal_reason")?,
                removed_at: row
                    .try_get::<Option<i64>, _>("removed_at")?
                    .map(from_timestamp),
                takedown_receipt: row.try_get("receipt")?,
            })
        })
        .transpose()
    }

    /// Every live article's id, oldest first: for tools that walk the whole store (the site
    /// benchmark picks pages from it). Read over `articles_by_time`, never for a page.
    pub async fn live_article_ids(&self) -> Result<Vec<i64>> {
        Ok(sqlx::query_scalar(
            "SELECT id FROM articles WHERE status = 'live' ORDER BY published_at, id",
        )
        .fetch_all(&self.pool)
        .await?)
    }

    /// The newest live articles' ids and publication times, for the sitemap. (Not the time
    /// the row last changed: a search engine takes `lastmod` for when the page's content did,
    /// and a story regrouping or a new picture size does not change what the article says.)
    pub async fn sitemap_articles(
        &self,
        limit: u32,
    ) -> Result<Vec<(i64, chrono::DateTime<chrono::Utc>)>> {
        let rows: Vec<(i64, i64)> = sqlx::query_as(
            "SELECT id, published_at FROM articles WHERE status = 'live'
             ORDER BY published_at DESC, id DESC LIMIT $1",
        )
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(id, at)| (id, from_timestamp(at)))
            .collect())
    }

    /// Up to `limit` (at most 200) live articles that `query` selects, newest first, with the
    /// cursor of the next page when there may be one. Read by key over the index of the
    /// narrowest filter, so a deep page costs what the first does.
    pub async fn query_articles(
        &self,
        query: &ArticleQuery,
        limit: u32,
        with_body: bool,
    ) -> Result<(Vec<ArticleSummary>, Option<Cursor>)> {
        let limit = limit.clamp(1, 200);
        let sql = query_sql(query, with_body);
        let mut q = sqlx::query(crate::numbered(sql));
        for value in [
            query.channel_id,
            query.source_id,
            query.story_id,
            query.since,
            query.until,
        ]
        .into_iter()
        .flatten()
        {
            q = q.bind(value);
        }
        if let Some(after) = query.after {
            q = q.bind(after.published_at).bind(after.id);
        }
        let rows = q.bind(i64::from(limit)).fetch_all(&self.pool).await?;
        let mut items = rows
            .iter()
            .map(|row| summary_from_row(row, with_body))
            .collect::<Result<Vec<_>>>()?;
        items.sort_by_key(|item| std::cmp::Reverse((item.published_at, item.id)));
        let next = (items.len() == limit as usize)
            .then(|| {
                items.last().map(|last| Cursor {
                    published_at: last.published_at.timestamp(),
                    id: last.id,
                })
            })
            .flatten();
        Ok((items, next))
    }

    /// The live articles published since `since`, newest first, at most `limit`: a news
    /// sitemap's entries. Read over `articles_by_time` from the newest down to `since`.
    pub async fn news_sitemap_articles(
        &self,
        since: chrono::DateTime<chrono::Utc>,
        limit: u32,
    ) -> Result<Vec<NewsSitemapEntry>> {
        let rows: Vec<(i64, i64, String, String)> = sqlx::query_as(NEWS_SITEMAP_SQL)
            .bind(to_timestamp(since))
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await?;
        Ok(rows
            .into_iter()
            .map(|(id, at, title, script)| NewsSitemapEntry {
                id,
                published_at: from_timestamp(at),
                title,
                traditional: script == "zh-Hant",
            })
            .collect())
    }
}

pub(crate) const NEWS_SITEMAP_SQL: &str = "SELECT id, published_at, title, script FROM articles
     WHERE status = 'live' AND published_at >= $1
     ORDER BY published_at DESC, id DESC LIMIT $2";

/// An article as a news sitemap lists it.
#[derive(Debug, Clone, PartialEq)]
pub struct NewsSitemapEntry {
    pub id: i64,
    pub published_at: chrono::DateTime<chrono::Utc>,
    pub title: String,
    /// Written in traditional characters (the sitemap names its language `zh-tw`).
    pub traditional: bool,
}
