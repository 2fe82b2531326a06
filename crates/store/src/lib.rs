//! The store: the source of truth for channels, sources and articles.
//!
//! It owns the database schema (numbered migrations under `migrations/`, one list for each
//! backend, applied at open), and every SQL statement the project runs, one module per entity.
//! Everything else (the search index, caches, rendered pages) is derived from what is here and
//! can be rebuilt from it.
//!
//! It must not know about HTTP, HTML or feeds, and decides no newsroom rule itself: where a
//! write must apply one in its transaction (a story's original, lead and heat), it reads the
//! rows, asks `xinwen-newsroom`, and writes the answer. Its methods take and give the domain
//! types of `xinwen-model`. Two backends stand behind that one API:
//! - SQLite, the embedded default: one file in the data directory, in WAL mode with foreign
//!   keys on;
//! - PostgreSQL, chosen by a `postgres://` URL, which several web nodes and fetch workers share.
//!
//! Both run the same statements through sqlx's `Any` driver, which picks the backend from the
//! URL at run time: one body of SQL rather than a copy per backend. The price is a subset of SQL
//! both read: `$1` placeholders, `ON CONFLICT … DO UPDATE` and `RETURNING`, 64-bit integers
//! for times (Unix seconds) and flags (0 or 1), an alias on every subquery, sums cast back to
//! BIGINT. PostgreSQL's schema adds the one SQLite function used (`instr`). What each backend
//! must do its own way (connecting, each connection's settings, how a write transaction
//! excludes the others, maintenance, the few statements PostgreSQL does in one round trip) is
//! in its own module, `sqlite` and `postgres`, and [`Backend`] picks which; the migrations are
//! one list per backend. sqlx's compile-time macros are not used: they would tie every query
//! to one backend at build time.

mod accounts;
mod articles;
mod channels;
mod coordination;
mod copy;
mod dashboard;
mod error;
pub mod fts5;
mod media;
mod migrate;
mod moderation;
#[cfg(test)]
mod plans;
mod postgres;
mod related;
mod sources;
mod sqlite;
mod stories;
mod tokens;
mod webhooks;
mod websub;

pub use accounts::{AuditEntry, SessionUser};
pub use articles::{
    AdminArticle, ArticleFilter, ArticleQuery, Cursor, EntryKey, FeedArticle, IndexRow, KnownEntry,
    MAX_LIST_PAGES, NewsSitemapEntry, Page, RemovalNotice,
};
pub use copy::{CopyProgress, TableCopy, tables_not_copied};
pub use dashboard::{DayCount, FETCH_DAYS_KEPT, FetchDay, QueueDay, china_day};
pub use error::{Error, Result};
pub use media::MediaRecord;
pub use moderation::{ArticleRef, MonthCounts, RemovedArticle};
pub use postgres::redact_password;
pub use related::{RelatedLink, RelatedReading};
pub use sources::{Bridge, BridgeOutcome, FetchSuccess, SourceWithHealth};
pub use stories::{Placement, PlacementTurn, StoredFingerprint, Unassigned};
pub use tokens::{ApiToken, TOKEN_ACTOR_PREFIX};
pub use webhooks::{Delivery, Webhook};
pub use websub::{SourcePush, Subscription};
// The domain types the store's methods take and give, defined in `xinwen-model`, named here
// too so that a caller of the store needs one import.
pub use xinwen_model::{
    Actor, HotStory, NewSubmission, NewTakedown, Story, StoryArticle, Submission, Takedown, User,
};

use sqlx::AnyPool;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The name of the database file inside the data directory.
pub const DATABASE_FILE: &str = "xinwen.db";

/// Connections to the database: SQLite reads in parallel (WAL), one writer at a time.
pub const POOL_CONNECTIONS: u32 = 8;
/// Connections each process keeps to PostgreSQL. Several web nodes and workers share one
/// server, whose default allows 100 connections in all.
pub const POSTGRES_POOL_CONNECTIONS: u32 = 16;
/// How long a query waits for a free connection before the store reports [`Error::Busy`].
pub(crate) const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(3);
/// Rows a multi-row statement writes at most: SQLite takes up to 32,766 bound values, and the
/// widest row the store writes binds 9.
pub(crate) const ROWS_PER_STATEMENT: usize = 200;

/// Which database stands behind a [`Store`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    /// The embedded default: one file in the data directory.
    Sqlite,
    /// A PostgreSQL server that several processes share.
    Postgres,
}

/// A handle on the database; cheap to clone, safe to share between tasks.
///
/// Both backends run the same statements, through sqlx's `Any` driver: placeholders are
/// numbered (`$1`, which SQLite reads as well), integers are 64-bit and times are Unix seconds.
/// What differs (connecting, migrations, the write lock, maintenance) is in the `sqlite` and
/// `postgres` modules and `migrate`, chosen by [`Backend`].
#[derive(Clone, Debug)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    data_dir: PathBuf,
}

impl Store {
    /// Opens (creating if needed) the SQLite store in `data_dir` and brings its schema up to
    /// date.
    pub async fn open(data_dir: &Path) -> Result<Store> {
        Store::connect(data_dir, None).await
    }

    /// Opens the store that `database_url` names (`postgres://…`), or without one the SQLite
    /// store in `data_dir`, and brings its schema up to date. `data_dir` holds what is kept
    /// beside the database either way: keys, the search index, media.
    pub async fn connect(data_dir: &Path, database_url: Option<&str>) -> Result<Store> {
        sqlx::any::install_default_drivers();
        if data_dir.exists() && !data_dir.is_dir() {
            return Err(Error::NotADirectory {
                path: data_dir.to_owned(),
            });
        }
        std::fs::create_dir_all(data_dir).map_err(|source| Error::DataDir {
            path: data_dir.to_owned(),
            source,
        })?;
        let (pool, backend) = match database_url {
            Some(url) => (postgres::connect(url).await?, Backend::Postgres),
            None => (sqlite::open(data_dir).await?, Backend::Sqlite),
        };
        let store = Store {
            pool,
            backend,
            data_dir: data_dir.to_owned(),
        };
        store.fill_missing_heat().await?;
        store.optimize().await?;
        Ok(store)
    }

    /// Which database this store is kept in.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Gives SQLite's planner statistics where they are missing or stale (a table never
    /// analyzed, or grown tenfold since): about a quarter of a second per 100,000 articles.
    /// Without them the planner guesses, and can read every live article to find thirty by id.
    /// Not sampled (`analysis_limit`): a sample from the start of an index misjudges columns of
    /// few values (status, the list flags), and the planner then walks the home list's index to
    /// find one channel's articles. Called at open and by long-running processes daily.
    /// PostgreSQL keeps its statistics itself (autovacuum), so there it does nothing.
    pub async fn optimize(&self) -> Result<()> {
        match self.backend {
            Backend::Sqlite => sqlite::optimize(&self.pool).await,
            Backend::Postgres => Ok(()),
        }
    }

    /// Stories from before heat was kept get theirs now, in batches (each its own
    /// transaction), so that 热点 is whole from the first request after an upgrade.
    async fn fill_missing_heat(&self) -> Result<()> {
        let missing = self.stories_without_heat().await?;
        if missing == 0 {
            return Ok(());
        }
        tracing::info!(
            stories = missing,
            "working out the heat of existing stories"
        );
        let mut done = 0;
        loop {
            let filled = self.fill_story_heat().await?;
            if filled == 0 {
                break;
            }
            done += filled;
            tracing::info!(done, of = missing, "story heat");
        }
        Ok(())
    }

    /// SQLite's own check of the whole file (`PRAGMA quick_check`): `Ok` when it is sound,
    /// [`Error::Damaged`] with SQLite's report when a page was overwritten or cut. It reads
    /// every page, so it runs in the background of a serving process, not before it.
    /// PostgreSQL checks its pages as it reads them (and its operator runs `amcheck` if
    /// wanted): there this is `Ok`.
    pub async fn check_integrity(&self) -> Result<()> {
        match self.backend {
            Backend::Sqlite => sqlite::check_integrity(&self.pool).await,
            Backend::Postgres => Ok(()),
        }
    }

    /// The directory holding the database and the files served beside it.
    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// The versions of the migrations applied so far, oldest first.
    pub async fn schema_versions(&self) -> Result<Vec<i64>> {
        migrate::applied(&self.pool).await
    }

    /// Checks that the database answers; used by `/healthz`.
    pub async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    /// A transaction that takes the write lock when it begins. A plain (deferred) transaction
    /// that reads first and writes later cannot wait for another writer to finish: SQLite fails
    /// it at once with "database is locked". Taken up front, the lock is waited for.
    ///
    /// On PostgreSQL the same rule holds through an advisory lock that every write transaction
    /// takes first, in every process: the store's read-then-write steps (the next change number,
    /// placing an article in a story, a takedown's purge) were written for one writer at a time,
    /// and stay correct that way when several nodes and workers write at once.
    pub(crate) async fn write_transaction(&self) -> Result<sqlx::Transaction<'static, sqlx::Any>> {
        match self.backend {
            Backend::Sqlite => sqlite::write_transaction(&self.pool).await,
            Backend::Postgres => postgres::write_transaction(&self.pool).await,
        }
    }

    /// A transaction for a batch of articles, which takes the write lock only at its end
    /// ([`Store::take_write_turn`]), to number the batch's changes and commit: the batch's
    /// inserts, the bulk of its work, then run beside other writers' on PostgreSQL instead of
    /// after them. On SQLite, which has one writer at a time anyway, it is
    /// [`Store::write_transaction`].
    pub(crate) async fn batch_transaction(&self) -> Result<sqlx::Transaction<'static, sqlx::Any>> {
        match self.backend {
            Backend::Sqlite => self.write_transaction().await,
            Backend::Postgres => Ok(self.pool.begin().await?),
        }
    }

    /// Takes the write lock inside a [`Store::batch_transaction`] (a no-op in a transaction
    /// that holds it already): from here to the commit, no other writer takes change numbers.
    pub(crate) async fn take_write_turn(&self, conn: &mut sqlx::AnyConnection) -> Result<()> {
        match self.backend {
            Backend::Sqlite => Ok(()),
            Backend::Postgres => postgres::take_write_lock(conn).await,
        }
    }

    /// Waits for every connection to finish and closes the database cleanly.
    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// Whether [`Store::close`] was called: background work stops then.
    pub fn is_closed(&self) -> bool {
        self.pool.is_closed()
    }
}

fn to_timestamp(t: chrono::DateTime<chrono::Utc>) -> i64 {
    t.timestamp()
}

fn from_timestamp(secs: i64) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp(secs, 0).unwrap_or_default()
}

/// SQL this crate puts together at run time (a list's filters, `IN (…)` of a given length),
/// whose pieces mark each value with `?` in the order the values are bound: numbered here as
/// `$1`, `$2`…, the form both backends read. A `?` already numbered (`?3`) keeps its number.
/// Quoted text is left alone.
pub(crate) fn numbered(sql: String) -> sqlx::AssertSqlSafe<String> {
    let mut out = String::with_capacity(sql.len() + 16);
    let mut next = 0;
    let mut quoted = false;
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                quoted = !quoted;
                out.push(c);
            }
            '?' if !quoted => {
                out.push('$');
                if !chars.peek().is_some_and(char::is_ascii_digit) {
                    next += 1;
                    out.push_str(&next.to_string());
                }
            }
            _ => out.push(c),
        }
    }
    sqlx::AssertSqlSafe(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_numbered_in_order_outside_quotes() {
        let sql = numbered("SELECT 1 WHERE a = ? AND b IN (?, ?) AND c = '?' AND d < ?5".into());
        assert_eq!(
            sql.0,
            "SELECT 1 WHERE a = $1 AND b IN ($2, $3) AND c = '?' AND d < $5"
        );
    }
}
