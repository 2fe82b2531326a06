//! Sources: the publishers (WeChat accounts, news sites) whose articles we show.

use crate::dashboard::{FETCH_DAYS_KEPT, china_day};
use crate::{Error, Result, Store, from_timestamp, to_timestamp};
use chrono::{DateTime, Utc};
use sqlx::Row;
use sqlx::any::AnyRow;
use xinwen_model::{NewSource, Source, SourceHealth, SourceKind};

pub(crate) const COLUMNS: &str = "id, slug, name, kind, publisher, homepage, feed_url, link_selector, link_pattern, follow_url, qr_image, channel_id, description, paused";

pub(crate) fn from_row(row: &AnyRow) -> Result<Source> {
    from_prefixed_row(row, "")
}

/// Reads a source from columns named `{prefix}{column}`, as joins with other tables name them.
pub(crate) fn from_prefixed_row(row: &AnyRow, prefix: &str) -> Result<Source> {
    let column = |name: &str| format!("{prefix}{name}");
    Ok(Source {
        id: row.try_get(column("id").as_str())?,
        slug: row.try_get(column("slug").as_str())?,
        name: row.try_get(column("name").as_str())?,
        kind: row.try_get::<String, _>(column("kind").as_str())?.parse()?,
        publisher: row
            .try_get::<String, _>(column("publisher").as_str())?
            .parse()?,
        homepage: row.try_get(column("homepage").as_str())?,
        feed_url: row.try_get(column("feed_url").as_str())?,
        link_selector: row.try_get(column("link_selector").as_str())?,
        link_pattern: row.try_get(column("link_pattern").as_str())?,
        follow_url: row.try_get(column("follow_url").as_str())?,
        qr_image: row.try_get(column("qr_image").as_str())?,
        channel_id: row.try_get(column("channel_id").as_str())?,
        description: row.try_get(column("description").as_str())?,
        paused: row.try_get::<i64, _>(column("paused").as_str())? != 0,
    })
}

impl Store {
    /// Adds a source, or updates the one with the same slug; returns its id. A WeChat
    /// account's bridges are replaced by those given (when any are).
    ///
    /// A default channel that does not exist is an error, not a silent null.
    pub async fn upsert_source(&self, source: &NewSource) -> Result<i64> {
        let channel_id = match &source.channel_slug {
            Some(slug) => Some(self.channel_id(slug).await?),
            None => None,
        };
        // A WeChat account is read through bridges; an address given as its feed is its one
        // bridge.
        let mut bridges = source.bridges.clone();
        let mut feed_url = source.feed_url.clone();
        if source.kind == SourceKind::Wechat
            && let Some(url) = feed_url.take()
            && bridges.is_empty()
        {
            bridges.push(url);
        }
        let mut tx = self.write_transaction().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO sources (slug, name, kind, publisher, homepage, feed_url, link_selector,
                                  link_pattern, follow_url, qr_image, channel_id, description,
                                  created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
             ON CONFLICT (slug) DO UPDATE SET
                name = excluded.name, kind = excluded.kind, publisher = excluded.publisher,
                homepage = excluded.homepage, feed_url = excluded.feed_url,
                link_selector = excluded.link_selector, link_pattern = excluded.link_pattern,
                follow_url = excluded.follow_url, qr_image = excluded.qr_image,
                channel_id = excluded.channel_id, description = excluded.description
             RETURNING id",
        )
        .bind(&source.slug)
        .bind(&source.name)
        .bind(source.kind.as_str())
        .bind(source.publisher.as_str())
        .bind(&source.homepage)
        .bind(&feed_url)
        .bind(&source.link_selector)
        .bind(&source.link_pattern)
        .bind(&source.follow_url)
        .bind(&source.qr_image)
        .bind(channel_id)
        .bind(&source.description)
        .bind(chrono::Utc::now().timestamp())
        .fetch_one(&mut *tx)
        .await?;
        if !bridges.is_empty() {
            replace_bridges(&mut tx, id, &bridges).await?;
        }
        tx.commit().await?;
        Ok(id)
    }

    /// A WeChat account's bridges, the preferred first, with how each has been doing.
    pub async fn source_bridges(&self, source_id: i64) -> Result<Vec<Bridge>> {
        let rows = sqlx::query(
            "SELECT position, url, etag, last_modified, last_attempt_at, last_success_at,
                    last_error, failures, newest_entry_at
             FROM source_bridges WHERE source_id = $1 ORDER BY position",
        )
        .bind(source_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                let time = |name: &str| -> Result<Option<DateTime<Utc>>> {
                    Ok(row.try_get::<Option<i64>, _>(name)?.map(from_timestamp))
                };
                Ok(Bridge {
                    position: row.try_get("position")?,
                    url: row.try_get("url")?,
                    etag: row.try_get("etag")?,
                    last_modified: row.try_get("last_modified")?,
                    last_attempt_at: time("last_attempt_at")?,
                    last_success_at: time("last_success_at")?,
                    last_error: row.try_get("last_error")?,
                    failures: u32::try_from(row.try_get::<i64, _>("failures")?).unwrap_or(0),
                    newest_entry_at: time("newest_entry_at")?,
                })
            })
            .collect()
    }

    /// Replaces a WeChat account's bridges; a bridge kept at its place keeps its history.
    pub async fn set_source_bridges(&self, source_id: i64, urls: &[String]) -> Result<()> {
        let mut tx = self.write_transaction().await?;
        replace_bridges(&mut tx, source_id, urls).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Records how asking one bridge went. `newest_entry_at` is the newest entry it gave (left
    /// as it was when `None`); an error counts a failure, its absence ends a run of them.
    pub async fn record_bridge(
        &self,
        source_id: i64,
        position: i64,
        at: DateTime<Utc>,
        outcome: &BridgeOutcome,
    ) -> Result<()> {
        let ok = outcome.error.is_none();
        sqlx::query(
            "UPDATE source_bridges SET
                last_attempt_at = $1,
                last_success_at = CASE WHEN $2 THEN $3 ELSE last_success_at END,
                last_error = $4,
                failures = CASE WHEN $5 THEN 0 ELSE failures + 1 END,
                etag = CASE WHEN $6 THEN $7 ELSE etag END,
                last_modified = CASE WHEN $8 THEN $9 ELSE last_modified END,
                newest_entry_at = COALESCE($10, newest_entry_at)
             WHERE source_id = $11 AND position = $12",
        )
        .bind(to_timestamp(at))
        .bind(ok)
        .bind(to_timestamp(at))
        .bind(&outcome.error)
        .bind(ok)
        .bind(ok)
        .bind(&outcome.etag)
        .bind(ok)
        .bind(&outcome.last_modified)
        .bind(outcome.newest_entry_at.map(to_timestamp))
        .bind(source_id)
        .bind(position)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Every source, by name.
    pub async fn sources(&self) -> Result<Vec<Source>> {
        let sql = format!("SELECT {COLUMNS} FROM sources ORDER BY name, id");
        let rows = sqlx::query(crate::numbered(sql))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(from_row).collect()
    }

    pub async fn source_by_slug(&self, slug: &str) -> Result<Option<Source>> {
        let sql = format!("SELECT {COLUMNS} FROM sources WHERE slug = ?");
        let row = sqlx::query(crate::numbered(sql))
            .bind(slug)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(from_row).transpose()
    }
}

async fn replace_bridges(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    source_id: i64,
    urls: &[String],
) -> Result<()> {
    let position_count = i64::try_from(urls.len()).unwrap_or(i64::MAX);
    sqlx::query("DELETE FROM source_bridges WHERE source_id = $1 AND position >= $2")
        .bind(source_id)
        .bind(position_count)
        .execute(&mut **tx)
        .await?;
    for (position, url) in urls.iter().enumerate() {
        let position = i64::try_from(position).unwrap_or(i64::MAX);
        // A new address at a place starts a new history.
        sqlx::query(
            "INSERT INTO source_bridges (source_id, position, url) VALUES ($1, $2, $3)
             ON CONFLICT (source_id, position) DO UPDATE SET
                url = excluded.url,
                etag = CASE WHEN source_bridges.url = excluded.url THEN source_bridges.etag END,
                last_modified = CASE WHEN source_bridges.url = excluded.url
                                     THEN source_bridges.last_modified END,
                last_attempt_at = CASE WHEN source_bridges.url = excluded.url
                                       THEN source_bridges.last_attempt_at END,
                last_success_at = CASE WHEN source_bridges.url = excluded.url
                                       THEN source_bridges.last_success_at END,
                last_error = CASE WHEN source_bridges.url = excluded.url
                                  THEN source_bridges.last_error END,
                failures = CASE WHEN source_bridges.url = excluded.url
                                THEN source_bridges.failures ELSE 0 END,
                newest_entry_at = CASE WHEN source_bridges.url = excluded.url
                                       THEN source_bridges.newest_entry_at END",
        )
        .bind(source_id)
        .bind(position)
        .bind(url)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// One of a WeChat account's bridge feeds, and how asking it has gone.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Bridge {
    /// 0 is the preferred bridge.
    pub position: i64,
    pub url: String,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    pub last_attempt_at: Option<DateTime<Utc>>,
    pub last_success_at: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    pub failures: u32,
    pub newest_entry_at: Option<DateTime<Utc>>,
}

/// What asking a bridge gave.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BridgeOutcome {
    pub error: Option<String>,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    pub newest_entry_at: Option<DateTime<Utc>>,
}

/// A source with how fetching it has been going.
#[derive(Debug, Clone, PartialEq)]
pub struct SourceWithHealth {
    pub source: Source,
    pub health: SourceHealth,
}

/// What a successful fetch of a source's feed leaves behind.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FetchSuccess {
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    pub articles_added: u64,
    /// `None` keeps the interval observed before (a 304 tells nothing new).
    pub publish_interval_secs: Option<u64>,
    pub next_check_at: DateTime<Utc>,
    /// How the source was read, in words (the bridge in use and why, pages followed).
    pub read_note: Option<String>,
}

const HEALTH_COLUMNS: &str = "h.etag, h.last_modified, h.last_attempt_at, h.last_success_at,
    h.last_error, h.consecutive_failures, h.failing_since, h.next_check_at, h.articles_added,
    h.publish_interval_secs, h.read_note";

fn with_health_from_row(row: &AnyRow) -> Result<SourceWithHealth> {
    Ok(SourceWithHealth {
        source: from_row(row)?,
        health: health_from_row(row)?,
    })
}

fn health_from_row(row: &AnyRow) -> Result<SourceHealth> {
    let time = |name: &str| -> Result<Option<DateTime<Utc>>> {
        Ok(row.try_get::<Option<i64>, _>(name)?.map(from_timestamp))
    };
    let failures: Option<i64> = row.try_get("consecutive_failures")?;
    let next: Option<i64> = row.try_get("next_check_at")?;
    let added: Option<i64> = row.try_get("articles_added")?;
    let interval: Option<i64> = row.try_get("publish_interval_secs")?;
    Ok(SourceHealth {
        etag: row.try_get("etag")?,
        last_modified: row.try_get("last_modified")?,
        last_attempt_at: time("last_attempt_at")?,
        last_success_at: time("last_success_at")?,
        last_error: row.try_get("last_error")?,
        consecutive_failures: u32::try_from(failures.unwrap_or(0)).unwrap_or(u32::MAX),
        failing_since: time("failing_since")?,
        next_check_at: next.filter(|t| *t > 0).map(from_timestamp),
        articles_added: u64::try_from(added.unwrap_or(0)).unwrap_or(0),
        publish_interval_secs: interval.and_then(|i| u64::try_from(i).ok()),
        read_note: row.try_get("read_note")?,
    })
}

impl Store {
    /// Adds a new source; a slug already taken is an error, not an update.
    pub async fn insert_source(&self, source: &NewSource) -> Result<i64> {
        if self.source_by_slug(&source.slug).await?.is_some() {
            return Err(Error::Conflict {
                what: "source",
                key: source.slug.clone(),
            });
        }
        self.upsert_source(source).await
    }

    pub async fn source_by_id(&self, id: i64) -> Result<Option<Source>> {
        let sql = format!("SELECT {COLUMNS} FROM sources WHERE id = ?");
        let row = sqlx::query(crate::numbered(sql))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(from_row).transpose()
    }

    /// A source by its id or, failing that, its slug: what the command line accepts.
    pub async fn find_source(&self, key: &str) -> Result<Source> {
        let found = match key.parse::<i64>() {
            Ok(id) => self.source_by_id(id).await?,
            Err(_) => None,
        };
        let found = match found {
            Some(source) => Some(source),
            None => self.source_by_slug(key).await?,
        };
        found.ok_or_else(|| Error::NotFound {
            what: "source",
            key: key.to_owned(),
        })
    }

    /// Stops or resumes fetching a source. Resuming makes it due at once.
    pub async fn set_source_paused(&self, id: i64, paused: bool) -> Result<()> {
        let mut tx = self.write_transaction().await?;
        let done = sqlx::query("UPDATE sources SET paused = $1 WHERE id = $2")
            .bind(i64::from(paused))
            .bind(id)
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() == 0 {
            return Err(Error::NotFound {
                what: "source",
                key: id.to_string(),
            });
        }
        if !paused {
            sqlx::query("UPDATE source_health SET next_check_at = 0 WHERE source_id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Removes a source. Its articles go with it only when `with_articles` says so; otherwise a
    /// source that still has articles is refused, because removing them is rarely meant.
    pub async fn remove_source(&self, id: i64, with_articles: bool) -> Result<u64> {
        let mut tx = self.write_transaction().await?;
        let slug: Option<String> = sqlx::query_scalar("SELECT slug FROM sources WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?;
        let slug = slug.ok_or_else(|| Error::NotFound {
            what: "source",
            key: id.to_string(),
        })?;
        let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM articles WHERE source_id = $1")
            .bind(id)
            .fetch_one(&mut *tx)
            .await?;
        let count = u64::try_from(count).unwrap_or(0);
        if count > 0 && !with_articles {
            return Err(Error::SourceHasArticles { key: slug, count });
        }
        // Each deleted article leaves a change, so that every index drops it.
        let ids: Vec<i64> =
            sqlx::query_scalar("SELECT id FROM articles WHERE source_id = $1 ORDER BY id")
                .bind(id)
                .fetch_all(&mut *tx)
                .await?;
        for article in ids {
            sqlx::query(
                "INSERT INTO article_deletions (article_id, change_seq) VALUES ($1,
                    (SELECT MAX(n) + 1 FROM (SELECT COALESCE(MAX(change_seq), 0) AS n FROM articles
                    UNION ALL SELECT COALESCE(MAX(change_seq), 0) FROM article_deletions) AS seqs))",
            )
            .bind(article)
            .execute(&mut *tx)
            .await?;
        }
        sqlx::query("DELETE FROM articles WHERE source_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM sources WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(count)
    }

    /// Every source with its health, by name.
    pub async fn sources_with_health(&self) -> Result<Vec<SourceWithHealth>> {
        let sql = format!(
            "SELECT {COLUMNS}, {HEALTH_COLUMNS} FROM sources
             LEFT JOIN source_health h ON h.source_id = sources.id
             ORDER BY name, id"
        );
        let rows = sqlx::query(crate::numbered(sql))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(with_health_from_row).collect()
    }

    pub async fn source_health(&self, id: i64) -> Result<SourceHealth> {
        let sql = format!(
            "SELECT {HEALTH_COLUMNS} FROM sources
             LEFT JOIN source_health h ON h.source_id = sources.id WHERE sources.id = ?"
        );
        let row = sqlx::query(crate::numbered(sql))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or_else(|| Error::NotFound {
                what: "source",
                key: id.to_string(),
            })?;
        health_from_row(&row)
    }

    /// Sources with something to read (an address, or a WeChat account's bridges), not
    /// paused, due by `now`: the most overdue first, at most `limit`. Several fetching
    /// processes use [`Store::claim_due_sources`] instead.
    pub async fn due_sources(
        &self,
        now: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<SourceWithHealth>> {
        let rows = sqlx::query(crate::numbered(due_sql("")))
            .bind(to_timestamp(now))
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(with_health_from_row).collect()
    }

    /// Due sources, as [`Store::due_sources`], that no other worker holds, each now held by
    /// `worker` until `lease` from now: taken in one write transaction, so that two workers
    /// asking at once never get the same source. A worker renews what it holds while it works
    /// ([`Store::renew_leases`]) and lets go when done ([`Store::release_leases`]); a worker
    /// that dies lets go when its leases run out, and another takes its sources then.
    pub async fn claim_due_sources(
        &self,
        worker: &str,
        now: DateTime<Utc>,
        lease: std::time::Duration,
        limit: u32,
    ) -> Result<Vec<SourceWithHealth>> {
        let now_ms = now.timestamp_millis();
        let mut tx = self.write_transaction().await?;
        let rows = sqlx::query(crate::numbered(due_sql(
            "AND (l.source_id IS NULL OR l.expires_at <= ? OR l.holder = ?)",
        )))
        .bind(to_timestamp(now))
        .bind(now_ms)
        .bind(worker)
        .bind(i64::from(limit))
        .fetch_all(&mut *tx)
        .await?;
        let due = rows
            .iter()
            .map(with_health_from_row)
            .collect::<Result<Vec<_>>>()?;
        let expires_at = now_ms.saturating_add(lease_millis(lease));
        for source in &due {
            sqlx::query(
                "INSERT INTO source_leases (source_id, holder, expires_at) VALUES ($1, $2, $3)
                 ON CONFLICT (source_id) DO UPDATE
                 SET holder = excluded.holder, expires_at = excluded.expires_at",
            )
            .bind(source.source.id)
            .bind(worker)
            .bind(expires_at)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(due)
    }

    /// Extends every lease `worker` holds to `lease` from `now`; how many it holds.
    pub async fn renew_leases(
        &self,
        worker: &str,
        now: DateTime<Utc>,
        lease: std::time::Duration,
    ) -> Result<u64> {
        let done = sqlx::query("UPDATE source_leases SET expires_at = $1 WHERE holder = $2")
            .bind(now.timestamp_millis().saturating_add(lease_millis(lease)))
            .bind(worker)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected())
    }

    /// Lets go of every source `worker` holds.
    pub async fn release_leases(&self, worker: &str) -> Result<u64> {
        let done = sqlx::query("DELETE FROM source_leases WHERE holder = $1")
            .bind(worker)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected())
    }

    /// The earliest moment any active source is due, if any is scheduled.
    pub async fn next_due_at(&self) -> Result<Option<DateTime<Utc>>> {
        self.next_due_at_for(None).await
    }

    /// The earliest moment a source is due that `worker` could take: a source another worker
    /// holds counts from when its lease runs out. `None` for the worker is [`Store::next_due_at`].
    pub async fn next_due_at_for(&self, worker: Option<&str>) -> Result<Option<DateTime<Utc>>> {
        let next: Option<i64> = sqlx::query_scalar(
            "SELECT MIN(CASE
                        WHEN l.holder <> $1 AND l.expires_at / 1000 + 1 > COALESCE(h.next_check_at, 0)
                        THEN l.expires_at / 1000 + 1
                        ELSE COALESCE(h.next_check_at, 0)
                    END)
             FROM sources
             LEFT JOIN source_health h ON h.source_id = sources.id
             LEFT JOIN source_leases l ON l.source_id = sources.id
             WHERE sources.paused = 0
               AND (sources.feed_url IS NOT NULL OR sources.kind = 'wechat')",
        )
        .bind(worker.unwrap_or(""))
        .fetch_one(&self.pool)
        .await?;
        Ok(next.map(from_timestamp))
    }

    /// Records that a fetch of the source is starting.
    pub async fn record_fetch_attempt(&self, id: i64, at: DateTime<Utc>) -> Result<()> {
        sqlx::query(
            "INSERT INTO source_health (source_id, last_attempt_at) VALUES ($1, $2)
             ON CONFLICT (source_id) DO UPDATE SET last_attempt_at = excluded.last_attempt_at",
        )
        .bind(id)
        .bind(to_timestamp(at))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn record_fetch_success(
        &self,
        id: i64,
        at: DateTime<Utc>,
        outcome: &FetchSuccess,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO source_health (source_id, etag, last_modified, last_attempt_at,
                 last_success_at, last_error, consecutive_failures, failing_since, next_check_at,
                 articles_added, publish_interval_secs, read_note)
             VALUES ($1, $2, $3, $4, $5, NULL, 0, NULL, $6, $7, $8, $9)
             ON CONFLICT (source_id) DO UPDATE SET
                etag = excluded.etag, last_modified = excluded.last_modified,
                last_attempt_at = excluded.last_attempt_at,
                last_success_at = excluded.last_success_at, last_error = NULL,
                consecutive_failures = 0, failing_since = NULL,
                next_check_at = excluded.next_check_at,
                articles_added = source_health.articles_added + excluded.articles_added,
                publish_interval_secs =
                    COALESCE(excluded.publish_interval_secs, source_health.publish_interval_secs),
                read_note = excluded.read_note",
        )
        .bind(id)
        .bind(&outcome.etag)
        .bind(&outcome.last_modified)
        .bind(to_timestamp(at))
        .bind(to_timestamp(at))
        .bind(to_timestamp(outcome.next_check_at))
        .bind(i64::try_from(outcome.articles_added).unwrap_or(i64::MAX))
        .bind(
            outcome
                .publish_interval_secs
                .and_then(|s| i64::try_from(s).ok()),
        )
        .bind(&outcome.read_note)
        .execute(&self.pool)
        .await?;
        self.count_fetch_day(id, at, true, outcome.articles_added)
            .await?;
        Ok(())
    }

    /// Adds a fetch to its source's day in `fetch_days`, and drops the source's days older
    /// than [`FETCH_DAYS_KEPT`].
    async fn count_fetch_day(
        &self,
        id: i64,
        at: DateTime<Utc>,
        success: bool,
        articles: u64,
    ) -> Result<()> {
        let day = china_day(at);
        sqlx::query(
            "INSERT INTO fetch_days (source_id, day, successes, failures, articles)
             VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (source_id, day) DO UPDATE SET
                successes = fetch_days.successes + excluded.successes,
                failures = fetch_days.failures + excluded.failures,
                articles = fetch_days.articles + excluded.articles",
        )
        .bind(id)
        .bind(day)
        .bind(i64::from(success))
        .bind(i64::from(!success))
        .bind(i64::try_from(articles).unwrap_or(i64::MAX))
        .execute(&self.pool)
        .await?;
        sqlx::query("DELETE FROM fetch_days WHERE source_id = $1 AND day < $2")
            .bind(id)
            .bind(day - FETCH_DAYS_KEPT)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Records a failed fetch; returns how many failures in a row the source now has.
    pub async fn record_fetch_failure(
        &self,
        id: i64,
        at: DateTime<Utc>,
        error: &str,
        next_check_at: DateTime<Utc>,
    ) -> Result<u32> {
        let failures: i64 = sqlx::query_scalar(
            "INSERT INTO source_health (source_id, last_attempt_at, last_error,
                 consecutive_failures, failing_since, next_check_at)
             VALUES ($1, $2, $3, 1, $4, $5)
             ON CONFLICT (source_id) DO UPDATE SET
                last_attempt_at = excluded.last_attempt_at, last_error = excluded.last_error,
                consecutive_failures = source_health.consecutive_failures + 1,
                failing_since = COALESCE(source_health.failing_since, excluded.failing_since),
                next_check_at = excluded.next_check_at
             RETURNING consecutive_failures",
        )
        .bind(id)
        .bind(to_timestamp(at))
        .bind(error)
        .bind(to_timestamp(at))
        .bind(to_timestamp(next_check_at))
        .fetch_one(&self.pool)
        .await?;
        self.count_fetch_day(id, at, false, 0).await?;
        Ok(u32::try_from(failures).unwrap_or(u32::MAX))
    }

    /// Makes a source due at once (an operator asked for a fetch now).
    pub async fn make_source_due(&self, id: i64) -> Result<()> {
        sqlx::query(
            "INSERT INTO source_health (source_id, next_check_at) VALUES ($1, 0)
             ON CONFLICT (source_id) DO UPDATE SET next_check_at = 0",
        )
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }
}

/// Due sources, the most overdue first; `also` narrows them further (with its own `?`s, bound
/// after the time and before the limit).
fn due_sql(also: &str) -> String {
    format!(
        "SELECT {COLUMNS}, {HEALTH_COLUMNS} FROM sources
         LEFT JOIN source_health h ON h.source_id = sources.id
         LEFT JOIN source_leases l ON l.source_id = sources.id
         WHERE sources.paused = 0
           AND (sources.feed_url IS NOT NULL OR sources.kind = 'wechat')
           AND COALESCE(h.next_check_at, 0) <= ?
           {also}
         ORDER BY COALESCE(h.next_check_at, 0), sources.id
         LIMIT ?"
    )
}

fn lease_millis(lease: std::time::Duration) -> i64 {
    i64::try_from(lease.as_millis()).unwrap_or(i64::MAX)
}
