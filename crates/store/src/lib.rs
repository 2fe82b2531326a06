//! The store: the source of truth for channels, sources and articles.
//!
//! It owns the database schema (numbered migrations under `migrations/`, applied at open), and
//! every SQL statement the project runs, one module per entity. Everything else (the search
//! index, caches, rendered pages) is derived from what is here and can be rebuilt from it.
//!
//! It must not know about HTTP, HTML or feeds. The embedded backend is SQLite in one data
//! directory, in WAL mode with foreign keys on. SQL is kept portable (no SQLite-only functions,
//! `ON CONFLICT ... DO UPDATE` and `RETURNING`, which PostgreSQL shares) so that a PostgreSQL
//! backend can stand behind the same API. sqlx is used without its compile-time macros, which
//! would tie every query to one backend at build time.

mod accounts;
mod articles;
mod channels;
mod dashboard;
mod error;
pub mod fts5;
mod media;
mod migrate;
mod moderation;
#[cfg(test)]
mod plans;
mod related;
mod sources;
mod stories;
mod tokens;
mod webhooks;
mod websub;

pub use accounts::{Actor, AuditEntry, SessionUser, User};
pub use articles::{
    AdminArticle, ArticleFilter, ArticleQuery, Cursor, EntryKey, FeedArticle, IndexRow, KnownEntry,
    MAX_LIST_PAGES, NewsSitemapEntry, Page, RemovalNotice,
};
pub use dashboard::{DayCount, FETCH_DAYS_KEPT, FetchDay, QueueDay, china_day};
pub use error::{Error, Result};
pub use media::MediaRecord;
pub use moderation::{
    ArticleRef, MonthCounts, NewSubmission, NewTakedown, RemovedArticle, Submission, Takedown,
};
pub use related::{RelatedLink, RelatedReading};
pub use sources::{Bridge, BridgeOutcome, FetchSuccess, SourceWithHealth};
pub use stories::{
    HOT_HALF_LIFE_HOURS, HOT_WINDOW_HOURS, HotStory, Placement, StoredFingerprint, Story,
    StoryArticle, Unassigned,
};
pub use tokens::{ApiToken, TOKEN_ACTOR_PREFIX};
pub use webhooks::{Delivery, Webhook};
pub use websub::{SourcePush, Subscription};

use sqlx::SqlitePool;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The name of the database file inside the data directory.
pub const DATABASE_FILE: &str = "xinwen.db";

/// Connections to the database: SQLite reads in parallel (WAL), one writer at a time.
pub const POOL_CONNECTIONS: u32 = 8;
/// How long a query waits for a free connection before the store reports [`Error::Busy`].
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(3);

/// A handle on the database; cheap to clone, safe to share between tasks.
#[derive(Clone, Debug)]
pub struct Store {
    pool: SqlitePool,
    data_dir: PathBuf,
}

impl Store {
    /// Opens (creating if needed) the store in `data_dir` and brings its schema up to date.
    pub async fn open(data_dir: &Path) -> Result<Store> {
        if data_dir.exists() && !data_dir.is_dir() {
            return Err(Error::NotADirectory {
                path: data_dir.to_owned(),
            });
        }
        std::fs::create_dir_all(data_dir).map_err(|source| Error::DataDir {
            path: data_dir.to_owned(),
            source,
        })?;
        let file = data_dir.join(DATABASE_FILE);
        if is_empty_file(&file) && !has_journal(&file) {
            return Err(Error::EmptyDatabase { path: file });
        }
        let options = SqliteConnectOptions::new()
            .filename(data_dir.join(DATABASE_FILE))
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // NORMAL in WAL mode never corrupts the database; a power cut may lose the last
            // transactions, which the next fetch brings back.
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            // Writers take turns (WAL allows one at a time); a burst of ingest batches can
            // keep one waiting for seconds, which must not become "database is locked".
            .busy_timeout(Duration::from_secs(30));
        let pool = SqlitePoolOptions::new()
            .max_connections(POOL_CONNECTIONS)
            // A request waits this long for a connection, then fails as `Error::Busy` (a 503
            // on the site) instead of waiting without end behind a queue that only grows.
            .acquire_timeout(ACQUIRE_TIMEOUT)
            .connect_with(options)
            .await
            .map_err(|source| match error::sqlite_code(&source) {
                // SQLITE_READONLY: switching to WAL writes, so a read-only file fails here.
                Some(8) => Error::ReadOnly {
                    path: file.clone(),
                    detail: source.to_string(),
                },
                Some(11 | 26) => Error::Damaged {
                    report: source.to_string(),
                },
                _ => Error::Open {
                    path: file.clone(),
                    source,
                },
            })?;
        migrate::run(&pool).await?;
        // SQLite opens a file it may not write read-only, without a word; every write would
        // then fail later, far from the cause.
        if let Err(e) = probe_write(&pool).await {
            return Err(Error::ReadOnly {
                path: file,
                detail: e.to_string(),
            });
        }
        let store = Store {
            pool,
            data_dir: data_dir.to_owned(),
        };
        store.fill_missing_heat().await?;
        store.optimize().await?;
        Ok(store)
    }

    /// Gives SQLite's planner statistics where they are missing or stale (a table never
    /// analyzed, or grown tenfold since): about a quarter of a second per 100,000 articles.
    /// Without them the planner guesses, and can read every live article to find thirty by id.
    /// Not sampled (`analysis_limit`): a sample from the start of an index misjudges columns of
    /// few values (status, the list flags), and the planner then walks the home list's index to
    /// find one channel's articles. Called at open and by long-running processes daily.
    pub async fn optimize(&self) -> Result<()> {
        // 0x10002: analyze the tables that need it, including on a first open.
        sqlx::query("PRAGMA optimize = 0x10002")
            .execute(&self.pool)
            .await?;
        Ok(())
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
    pub async fn check_integrity(&self) -> Result<()> {
        let report: Vec<String> = sqlx::query_scalar("PRAGMA quick_check(20)")
            .fetch_all(&self.pool)
            .await
            .map_err(|e| Error::Damaged {
                report: e.to_string(),
            })?;
        if report.len() == 1 && report[0] == "ok" {
            Ok(())
        } else {
            Err(Error::Damaged {
                report: report.join("; "),
            })
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
    pub(crate) async fn write_transaction(
        &self,
    ) -> Result<sqlx::Transaction<'static, sqlx::Sqlite>> {
        Ok(self.pool.begin_with("BEGIN IMMEDIATE").await?)
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

/// Writes a row as it was and rolls back: fails when the database cannot be written.
async fn probe_write(pool: &SqlitePool) -> std::result::Result<(), sqlx::Error> {
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
    sqlx::query(
        "UPDATE schema_migrations SET applied_at = applied_at
         WHERE version = (SELECT MAX(version) FROM schema_migrations)",
    )
    .execute(&mut *tx)
    .await?;
    tx.rollback().await
}

fn is_empty_file(path: &Path) -> bool {
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.len() == 0)
}

/// Whether a write-ahead log with content lies beside the database: then a main file of 0
/// bytes is a database whose pages are all still in the log.
fn has_journal(database: &Path) -> bool {
    let mut wal = database.as_os_str().to_owned();
    wal.push("-wal");
    std::fs::metadata(PathBuf::from(wal)).is_ok_and(|m| m.len() > 0)
}

fn to_timestamp(t: chrono::DateTime<chrono::Utc>) -> i64 {
    t.timestamp()
}

fn from_timestamp(secs: i64) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp(secs, 0).unwrap_or_default()
}
