//! What readers and rights holders send, and what editors decide: submissions, takedown
//! requests, the tombstones that keep removed works out, and the counts the transparency page
//! publishes. Every decision is written with its audit line in one transaction.

use crate::accounts::audit_in;
use crate::{Error, Page, Result, Store, from_timestamp};
use chrono::{DateTime, Utc};
use sqlx::Row;
use sqlx::any::AnyRow;
use std::collections::HashSet;
use xinwen_model::{
    Actor, ArticleStatus, NewArticle, NewSubmission, NewTakedown, Submission, SubmissionStatus,
    Takedown, TakedownStatus,
};

/// An article as an editor weighs it: enough to recognise it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArticleRef {
    pub id: i64,
    pub title: String,
    pub source_name: String,
    pub original_url: String,
    pub status: ArticleStatus,
}

/// What an approved takedown removed: the web layer purges what it derived from them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemovedArticle {
    pub id: i64,
    /// The `src` of each image, as the body prints it (proxy paths).
    pub image_srcs: Vec<String>,
}

/// One month of the transparency report.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MonthCounts {
    /// `2026-11`, in China time.
    pub month: String,
    pub takedowns_received: u64,
    pub takedowns_approved: u64,
    pub takedowns_rejected: u64,
    pub articles_removed: u64,
    pub submissions_received: u64,
    pub submissions_published: u64,
}

/// What the two queues (submissions, takedown requests) share: rows with a receipt, a status
/// and the editor who decided, read the same way.
struct Queue<T> {
    table: &'static str,
    /// The singular, for errors.
    what: &'static str,
    /// The columns, of the table as `q` and its decider as `u`.
    columns: &'static str,
    from_row: fn(&AnyRow) -> Result<T>,
}

const SUBMISSIONS: Queue<Submission> = Queue {
    table: "submissions",
    what: "submission",
    columns: "q.id, q.receipt, q.kind, q.title, q.body, q.url, q.author, q.contact, q.status,
        q.created_at, q.decided_at, u.username AS decided_by, q.article_id",
    from_row: submission_from_row,
};

const TAKEDOWNS: Queue<Takedown> = Queue {
    table: "takedowns",
    what: "takedown",
    columns: "q.id, q.receipt, q.claimant, q.contact, q.pages, q.work, q.statement, q.status,
        q.created_at, q.decided_at, u.username AS decided_by, q.decision_note",
    from_row: takedown_from_row,
};

fn submission_from_row(row: &AnyRow) -> Result<Submission> {
    Ok(Submission {
        id: row.try_get("id")?,
        receipt: row.try_get("receipt")?,
        kind: row.try_get::<String, _>("kind")?.parse()?,
        title: row.try_get("title")?,
        body: row.try_get("body")?,
        url: row.try_get("url")?,
        author: row.try_get("author")?,
        contact: row.try_get("contact")?,
        status: row.try_get::<String, _>("status")?.parse()?,
        created_at: from_timestamp(row.try_get("created_at")?),
        decided_at: row
            .try_get::<Option<i64>, _>("decided_at")?
            .map(from_timestamp),
        decided_by: row.try_get("decided_by")?,
        article_id: row.try_get("article_id")?,
    })
}

fn takedown_from_row(row: &AnyRow) -> Result<Takedown> {
    Ok(Takedown {
        id: row.try_get("id")?,
        receipt: row.try_get("receipt")?,
        claimant: row.try_get("claimant")?,
        contact: row.try_get("contact")?,
        pages: row.try_get("pages")?,
        work: row.try_get("work")?,
        statement: row.try_get("statement")?,
        status: row.try_get::<String, _>("status")?.parse()?,
        created_at: from_timestamp(row.try_get("created_at")?),
        decided_at: row
            .try_get::<Option<i64>, _>("decided_at")?
            .map(from_timestamp),
        decided_by: row.try_get("decided_by")?,
        decision_note: row.try_get("decision_note")?,
    })
}

/// Fails unless the request `id` of `queue` exists and is still undecided: a decision is
/// taken once.
async fn require_pending<T>(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    queue: &Queue<T>,
    id: i64,
) -> Result<()> {
    let sql = format!("SELECT status FROM {} WHERE id = ?", queue.table);
    let status: Option<String> = sqlx::query_scalar(crate::numbered(sql))
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?;
    match status.as_deref() {
        None => Err(Error::NotFound {
            what: queue.what,
            key: id.to_string(),
        }),
        Some("pending") => Ok(()),
        Some(_) => Err(pending_conflict(queue.what, id)),
    }
}

fn pending_conflict(what: &'static str, id: i64) -> Error {
    Error::Conflict {
        what,
        key: format!("{id} (already decided)"),
    }
}

impl Store {
    /// Stores a reader's submission under `receipt`.
    pub async fn add_submission(&self, new: &NewSubmission, receipt: &str) -> Result<i64> {
        let mut tx = self.write_transaction().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO submissions (receipt, kind, title, body, url, author, contact,
                                      address_hash, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        )
        .bind(receipt)
        .bind(new.kind.as_str())
        .bind(&new.title)
        .bind(&new.body)
        .bind(&new.url)
        .bind(&new.author)
        .bind(&new.contact)
        .bind(&new.address_hash)
        .bind(Utc::now().timestamp())
        .fetch_one(&mut *tx)
        .await?;
        audit_in(
            &mut tx,
            &Actor::public(),
            "submission.receive",
            ("submission", Some(id)),
            &format!(
                "{}，回执 {receipt}",
                match new.kind {
                    xinwen_model::SubmissionKind::Tip => "新闻线索",
                    xinwen_model::SubmissionKind::Article => "文章",
                }
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Submissions and takedown requests received since `since`, from one address or from
    /// everyone: what the public forms' rate limits count.
    pub async fn requests_since(
        &self,
        address_hash: Option<&str>,
        since: DateTime<Utc>,
    ) -> Result<u64> {
        let mut total = 0;
        for table in ["submissions", "takedowns"] {
            let sql = match address_hash {
                Some(_) => {
                    format!(
                        "SELECT COUNT(*) FROM {table} WHERE created_at >= ? AND address_hash = ?"
                    )
                }
                None => format!("SELECT COUNT(*) FROM {table} WHERE created_at >= ?"),
            };
            let mut query =
                sqlx::query_scalar::<_, i64>(crate::numbered(sql)).bind(since.timestamp());
            if let Some(hash) = address_hash {
                query = query.bind(hash);
            }
            total += u64::try_from(query.fetch_one(&self.pool).await?).unwrap_or(0);
        }
        Ok(total)
    }

    pub async fn submission(&self, id: i64) -> Result<Option<Submission>> {
        self.queue_one(&SUBMISSIONS, "q.id = CAST(? AS BIGINT)", id.to_string())
            .await
    }

    pub async fn submission_by_receipt(&self, receipt: &str) -> Result<Option<Submission>> {
        self.queue_one(&SUBMISSIONS, "q.receipt = ?", receipt.to_owned())
            .await
    }

    /// One item of a queue where `condition` holds of `value`, bound as text: a condition on
    /// the id casts it, since PostgreSQL compares no BIGINT with text (SQLite would).
    async fn queue_one<T>(
        &self,
        queue: &Queue<T>,
        condition: &str,
        value: String,
    ) -> Result<Option<T>> {
        let sql = format!(
            "SELECT {columns} FROM {table} q LEFT JOIN users u ON u.id = q.decided_by
             WHERE {condition}",
            columns = queue.columns,
            table = queue.table,
        );
        let row = sqlx::query(crate::numbered(sql))
            .bind(value)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(queue.from_row).transpose()
    }

    /// One page of a queue in one state: the pending oldest first (the order to work in),
    /// decided ones newest first.
    async fn queue_page<T>(
        &self,
        queue: &Queue<T>,
        status: &str,
        page: u32,
        per_page: u32,
    ) -> Result<Page<T>> {
        let page = page.max(1);
        let per_page = per_page.clamp(1, 200);
        let order = if status == "pending" { "ASC" } else { "DESC" };
        let sql = format!(
            "SELECT {columns} FROM {table} q LEFT JOIN users u ON u.id = q.decided_by
             WHERE q.status = ? ORDER BY q.created_at {order}, q.id {order} LIMIT ? OFFSET ?",
            columns = queue.columns,
            table = queue.table,
        );
        let rows = sqlx::query(crate::numbered(sql))
            .bind(status)
            .bind(i64::from(per_page))
            .bind(i64::from(page - 1) * i64::from(per_page))
            .fetch_all(&self.pool)
            .await?;
        let count = format!("SELECT COUNT(*) FROM {} WHERE status = ?", queue.table);
        let total: i64 = sqlx::query_scalar(crate::numbered(count))
            .bind(status)
            .fetch_one(&self.pool)
            .await?;
        let items = rows.iter().map(queue.from_row).collect::<Result<_>>()?;
        Ok(Page::counted(items, page, per_page, total))
    }

    /// Submissions in one state, oldest first for the pending queue, newest first otherwise.
    pub async fn submissions(
        &self,
        status: SubmissionStatus,
        page: u32,
        per_page: u32,
    ) -> Result<Page<Submission>> {
        self.queue_page(&SUBMISSIONS, status.as_str(), page, per_page)
            .await
    }

    /// Rejects a pending submission, or marks it as spam.
    pub async fn dismiss_submission(
        &self,
        id: i64,
        status: SubmissionStatus,
        actor: &Actor,
    ) -> Result<()> {
        debug_assert!(matches!(
            status,
            SubmissionStatus::Rejected | SubmissionStatus::Spam
        ));
        let mut tx = self.write_transaction().await?;
        let done = sqlx::query(
            "UPDATE submissions SET status = $1, decided_at = $2, decided_by = $3
             WHERE id = $4 AND status = 'pending'",
        )
        .bind(status.as_str())
        .bind(Utc::now().timestamp())
        .bind(actor.user_id)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(pending_conflict("submission", id));
        }
        let action = if status == SubmissionStatus::Spam {
            "submission.spam"
        } else {
            "submission.reject"
        };
        audit_in(&mut tx, actor, action, ("submission", Some(id)), "").await?;
        tx.commit().await?;
        Ok(())
    }

    /// Publishes a pending submission as `article`, in one transaction with the decision and
    /// its audit line. Returns the new article's id.
    pub async fn publish_submission(
        &self,
        id: i64,
        article: &NewArticle,
        actor: &Actor,
    ) -> Result<i64> {
        let mut tx = self.write_transaction().await?;
        require_pending(&mut tx, &SUBMISSIONS, id).await?;
        let ids = crate::articles::write_articles(&mut tx, std::iter::once((article, None)))
            .await?
            .ids;
        crate::articles::number_changes(&mut tx, &ids).await?;
        let article_id = ids[0];
        sqlx::query(
            "UPDATE submissions SET status = 'approved', decided_at = $1, decided_by = $2,
                article_id = $3 WHERE id = $4",
        )
        .bind(Utc::now().timestamp())
        .bind(actor.user_id)
        .bind(article_id)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        audit_in(
            &mut tx,
            actor,
            "submission.approve",
            ("submission", Some(id)),
            &format!("发布为文章 {article_id}"),
        )
        .await?;
        tx.commit().await?;
        Ok(article_id)
    }

    /// Stores a takedown request under `receipt`.
    pub async fn add_takedown(&self, new: &NewTakedown, receipt: &str) -> Result<i64> {
        let mut tx = self.write_transaction().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO takedowns (receipt, claimant, contact, pages, work, statement,
                                    address_hash, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(receipt)
        .bind(&new.claimant)
        .bind(&new.contact)
        .bind(&new.pages)
        .bind(&new.work)
        .bind(&new.statement)
        .bind(&new.address_hash)
        .bind(Utc::now().timestamp())
        .fetch_one(&mut *tx)
        .await?;
        audit_in(
            &mut tx,
            &Actor::public(),
            "takedown.receive",
            ("takedown", Some(id)),
            receipt,
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn takedown(&self, id: i64) -> Result<Option<Takedown>> {
        self.queue_one(&TAKEDOWNS, "q.id = CAST(? AS BIGINT)", id.to_string())
            .await
    }

    pub async fn takedown_by_receipt(&self, receipt: &str) -> Result<Option<Takedown>> {
        self.queue_one(&TAKEDOWNS, "q.receipt = ?", receipt.to_owned())
            .await
    }

    /// Takedown requests in one state, oldest first for the pending queue.
    pub async fn takedowns(
        &self,
        status: TakedownStatus,
        page: u32,
        per_page: u32,
    ) -> Result<Page<Takedown>> {
        self.queue_page(&TAKEDOWNS, status.as_str(), page, per_page)
            .await
    }

    /// Articles by id or by the address they were published at (original or canonical): what
    /// the pages named in a takedown request are here. Unknown ones are left out.
    pub async fn articles_by_refs(&self, ids: &[i64], urls: &[String]) -> Result<Vec<ArticleRef>> {
        let mut found = Vec::new();
        let mut seen = HashSet::new();
        let select = "SELECT a.id, a.title, a.original_url, a.status, s.name AS source_name
                      FROM articles a JOIN sources s ON s.id = a.source_id";
        for id in ids {
            let sql = format!("{select} WHERE a.id = ?");
            let rows = sqlx::query(crate::numbered(sql))
                .bind(id)
                .fetch_all(&self.pool)
                .await?;
            found.extend(rows);
        }
        for url in urls {
            let sql = format!("{select} WHERE a.canonical_url = ? OR a.original_url = ?");
            let rows = sqlx::query(crate::numbered(sql))
                .bind(url)
                .bind(url)
                .fetch_all(&self.pool)
                .await?;
            found.extend(rows);
        }
        let mut refs = Vec::new();
        for row in &found {
            let id: i64 = row.try_get("id")?;
            if seen.insert(id) {
                refs.push(ArticleRef {
                    id,
                    title: row.try_get("title")?,
                    source_name: row.try_get("source_name")?,
                    original_url: row.try_get("original_url")?,
                    status: row.try_get::<String, _>("status")?.parse()?,
                });
            }
        }
        Ok(refs)
    }

    /// Approves a pending takedown: the articles are removed, each leaves a tombstone (its
    /// address and the hash of its text), and the request, the removals and the audit lines
    /// are committed together. Returns what was removed, for the caller to purge what it
    /// derived (search, media, caches).
    ///
    /// `articles` pairs each article's id with the hash of its text (`xinwen_dedup`'s
    /// `content_hash`), which the store cannot compute itself.
    pub async fn approve_takedown(
        &self,
        id: i64,
        articles: &[(i64, u64)],
        note: &str,
        actor: &Actor,
    ) -> Result<Vec<RemovedArticle>> {
        let mut tx = self.write_transaction().await?;
        require_pending(&mut tx, &TAKEDOWNS, id).await?;
        let now = Utc::now().timestamp();
        let mut removed = Vec::new();
        let mut stories = Vec::new();
        for (article_id, content_hash) in articles {
            // Stored as the signed integer of the same bits, like the fingerprints.
            let content_hash = *content_hash as i64;
            let row: Option<(String, String, Option<i64>)> = sqlx::query_as(
                "SELECT canonical_url, original_url, story_id FROM articles WHERE id = $1",
            )
            .bind(article_id)
            .fetch_optional(&mut *tx)
            .await?;
            let Some((canonical_url, original_url, story_id)) = row else {
                return Err(Error::NotFound {
                    what: "article",
                    key: article_id.to_string(),
                });
            };
            sqlx::query(
                "UPDATE articles SET status = 'removed', removed_at = $1, updated_at = $2,
                    removal_reason = 'takedown', takedown_id = $3,
                    change_seq = (SELECT MAX(n) + 1 FROM (SELECT COALESCE(MAX(change_seq), 0) AS n FROM articles
                    UNION ALL SELECT COALESCE(MAX(change_seq), 0) FROM article_deletions) AS seqs)
                 WHERE id = $4",
            )
            .bind(now)
            .bind(now)
            .bind(id)
            .bind(article_id)
            .execute(&mut *tx)
            .await?;
            for url in [&canonical_url, &original_url] {
                sqlx::query(
                    "INSERT INTO tombstones (canonical_url, content_hash, article_id, takedown_id,
                                             created_at)
                     VALUES ($1, $2, $3, $4, $5) ON CONFLICT (canonical_url) DO NOTHING",
                )
                .bind(url)
                .bind(content_hash)
                .bind(article_id)
                .bind(id)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            }
            let image_srcs: Vec<String> = sqlx::query_scalar(
                "SELECT src FROM article_images WHERE article_id = $1 ORDER BY position",
            )
            .bind(article_id)
            .fetch_all(&mut *tx)
            .await?;
            audit_in(
                &mut tx,
                actor,
                "article.remove",
                ("article", Some(*article_id)),
                &format!("删除请求 {id}：{original_url}"),
            )
            .await?;
            stories.extend(story_id);
            removed.push(RemovedArticle {
                id: *article_id,
                image_srcs,
            });
        }
        sqlx::query(
            "UPDATE takedowns SET status = 'approved', decided_at = $1, decided_by = $2,
                decision_note = $3 WHERE id = $4",
        )
        .bind(now)
        .bind(actor.user_id)
        .bind(note)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        audit_in(
            &mut tx,
            actor,
            "takedown.approve",
            ("takedown", Some(id)),
            &format!("下架 {} 篇文章", removed.len()),
        )
        .await?;
        tx.commit().await?;
        // The stories' leads and counts change with their articles gone.
        for story in stories {
            self.refresh_story(story).await?;
        }
        Ok(removed)
    }

    /// Approved takedowns whose purge has not been recorded as done (a crash came between
    /// the commit and the purge), each with what it removed, oldest first.
    pub async fn unpurged_takedowns(&self) -> Result<Vec<(i64, Vec<RemovedArticle>)>> {
        let ids: Vec<i64> = sqlx::query_scalar(
            "SELECT id FROM takedowns WHERE status = 'approved' AND purged_at IS NULL ORDER BY id",
        )
        .fetch_all(&self.pool)
        .await?;
        let mut takedowns = Vec::with_capacity(ids.len());
        for id in ids {
            let articles: Vec<i64> =
                sqlx::query_scalar("SELECT id FROM articles WHERE takedown_id = $1 ORDER BY id")
                    .bind(id)
                    .fetch_all(&self.pool)
                    .await?;
            let mut removed = Vec::with_capacity(articles.len());
            for article in articles {
                let image_srcs: Vec<String> = sqlx::query_scalar(
                    "SELECT src FROM article_images WHERE article_id = $1 ORDER BY position",
                )
                .bind(article)
                .fetch_all(&self.pool)
                .await?;
                removed.push(RemovedArticle {
                    id: article,
                    image_srcs,
                });
            }
            takedowns.push((id, removed));
        }
        Ok(takedowns)
    }

    /// Records that what takedown `id` removed was purged from everything derived from it,
    /// after working out its articles' stories again (their leads and counts change with
    /// those articles gone; a crash may have come before the approval did it).
    pub async fn takedown_purged(&self, id: i64) -> Result<()> {
        let stories: Vec<i64> = sqlx::query_scalar(
            "SELECT DISTINCT story_id FROM articles WHERE takedown_id = $1 AND story_id IS NOT NULL",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?;
        for story in stories {
            self.refresh_story(story).await?;
        }
        sqlx::query("UPDATE takedowns SET purged_at = $1 WHERE id = $2")
            .bind(Utc::now().timestamp())
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Rejects a pending takedown, with the reason the claimant will see.
    pub async fn reject_takedown(&self, id: i64, note: &str, actor: &Actor) -> Result<()> {
        let mut tx = self.write_transaction().await?;
        let done = sqlx::query(
            "UPDATE takedowns SET status = 'rejected', decided_at = $1, decided_by = $2,
                decision_note = $3 WHERE id = $4 AND status = 'pending'",
        )
        .bind(Utc::now().timestamp())
        .bind(actor.user_id)
        .bind(note)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(pending_conflict("takedown", id));
        }
        audit_in(
            &mut tx,
            actor,
            "takedown.reject",
            ("takedown", Some(id)),
            note,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Whether any takedown has left a tombstone: when none has, ingest need not check.
    pub async fn has_tombstones(&self) -> Result<bool> {
        let any: Option<i64> = sqlx::query_scalar("SELECT 1 FROM tombstones LIMIT 1")
            .fetch_optional(&self.pool)
            .await?;
        Ok(any.is_some())
    }

    /// Which of these addresses and text hashes are tombstoned: what ingest must not write.
    pub async fn tombstoned(
        &self,
        urls: &[&str],
        content_hashes: &[u64],
    ) -> Result<(HashSet<String>, HashSet<u64>)> {
        let mut dead_urls = HashSet::new();
        let mut dead_hashes = HashSet::new();
        for chunk in urls.chunks(400) {
            let sql = format!(
                "SELECT canonical_url FROM tombstones WHERE canonical_url IN ({})",
                vec!["?"; chunk.len()].join(", ")
            );
            let mut query = sqlx::query_scalar::<_, String>(crate::numbered(sql));
            for url in chunk {
                query = query.bind(*url);
            }
            dead_urls.extend(query.fetch_all(&self.pool).await?);
        }
        for chunk in content_hashes.chunks(400) {
            let sql = format!(
                "SELECT content_hash FROM tombstones WHERE content_hash IN ({})",
                vec!["?"; chunk.len()].join(", ")
            );
            let mut query = sqlx::query_scalar::<_, i64>(crate::numbered(sql));
            for hash in chunk {
                // Stored as the signed integer of the same bits.
                query = query.bind(*hash as i64);
            }
            dead_hashes.extend(
                query
                    .fetch_all(&self.pool)
                    .await?
                    .into_iter()
                    .map(|h| h as u64),
            );
        }
        Ok((dead_urls, dead_hashes))
    }

    /// Counts by month (China time), newest first: requests received and how they ended,
    /// articles removed, submissions received and published.
    pub async fn transparency(&self) -> Result<Vec<MonthCounts>> {
        use std::collections::BTreeMap;
        let month = |t: i64| {
            from_timestamp(t)
                .with_timezone(&xinwen_model::china_offset())
                .format("%Y-%m")
                .to_string()
        };
        let mut months: BTreeMap<String, MonthCounts> = BTreeMap::new();
        // Few rows (a handful a day at most): read them and count here, which keeps the SQL
        // free of date functions that differ between SQLite and PostgreSQL.
        let takedowns: Vec<(i64, String)> =
            sqlx::query_as("SELECT created_at, status FROM takedowns")
                .fetch_all(&self.pool)
                .await?;
        let removed: Vec<i64> = sqlx::query_scalar(
            "SELECT removed_at FROM articles WHERE removal_reason = 'takedown'
             AND removed_at IS NOT NULL",
        )
        .fetch_all(&self.pool)
        .await?;
        let submissions: Vec<(i64, String)> =
            sqlx::query_as("SELECT created_at, status FROM submissions")
                .fetch_all(&self.pool)
                .await?;
        let mut bump = |at: i64, count: fn(&mut MonthCounts)| {
            let key = month(at);
            let slot = months.entry(key.clone()).or_insert_with(|| MonthCounts {
                month: key,
                ..MonthCounts::default()
            });
            count(slot);
        };
        for (at, status) in &takedowns {
            bump(*at, |m| m.takedowns_received += 1);
            match status.as_str() {
                "approved" => bump(*at, |m| m.takedowns_approved += 1),
                "rejected" => bump(*at, |m| m.takedowns_rejected += 1),
                _ => {}
            }
        }
        for at in &removed {
            bump(*at, |m| m.articles_removed += 1);
        }
        for (at, status) in &submissions {
            bump(*at, |m| m.submissions_received += 1);
            if status == "approved" {
                bump(*at, |m| m.submissions_published += 1);
            }
        }
        Ok(months.into_values().rev().collect())
    }
}
