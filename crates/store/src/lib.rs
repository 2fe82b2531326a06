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
mod error;
pub mod fts5;
mod media;
mod migrate;
mod moderation;
mod sources;
mod stories;

pub use accounts::{Actor, AuditEntry, SessionUser, User};
pub use articles::{
    AdminArticle, ArticleFilter, EntryKey, FeedArticle, IndexRow, KnownEntry, Page, RemovalNotice,
};
pub use error::{Error, Result};
pub use media::MediaRecord;
pub use moderation::{
    ArticleRef, MonthCounts, NewSubmission, NewTakedown, RemovedArticle, Submission, Takedown,
};
pub use sources::{FetchSuccess, SourceWithHealth};
pub use stories::{
    HOT_HALF_LIFE_HOURS, HOT_WINDOW_HOURS, HotStory, Placement, StoredFingerprint, Story,
    StoryArticle, Unassigned,
};

use sqlx::SqlitePool;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The name of the database file inside the data directory.
pub const DATABASE_FILE: &str = "xinwen.db";

/// A handle on the database; cheap to clone, safe to share between tasks.
#[derive(Clone, Debug)]
pub struct Store {
    pool: SqlitePool,
    data_dir: PathBuf,
}

impl Store {
    /// Opens (creating if needed) the store in `data_dir` and brings its schema up to date.
    pub async fn open(data_dir: &Path) -> Result<Store> {
        std::fs::create_dir_all(data_dir).map_err(|source| Error::DataDir {
            path: data_dir.to_owned(),
            source,
        })?;
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
            .max_connections(8)
            .connect_with(options)
            .await
            .map_err(|source| Error::Open {
                path: data_dir.join(DATABASE_FILE),
                source,
            })?;
        migrate::run(&pool).await?;
        Ok(Store {
            pool,
            data_dir: data_dir.to_owned(),
        })
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
}

fn to_timestamp(t: chrono::DateTime<chrono::Utc>) -> i64 {
    t.timestamp()
}

fn from_timestamp(secs: i64) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp(secs, 0).unwrap_or_default()
}
