//! What the store does its own way on SQLite, the embedded default: opening the file (and
//! saying clearly why it cannot be), each connection's settings, the write lock
//! (`BEGIN IMMEDIATE`), planner statistics and the integrity check. Every other statement is
//! shared with PostgreSQL (see the crate's documentation).

use crate::{
    ACQUIRE_TIMEOUT, Backend, DATABASE_FILE, Error, POOL_CONNECTIONS, Result, error, migrate,
};
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{AnyPool, ConnectOptions as _};
use std::path::{Path, PathBuf};

/// Opens (creating if needed) the database file in `data_dir` and brings its schema up to date.
pub(crate) async fn open(data_dir: &Path) -> Result<AnyPool> {
    let file = data_dir.join(DATABASE_FILE);
    if is_empty_file(&file) && !has_journal(&file) {
        return Err(Error::EmptyDatabase { path: file });
    }
    // The `Any` driver takes a URL, which only says how to open the file; the rest of the
    // connection's settings are made on each new connection.
    // Absolute, so that a relative data directory's first part is not read as the URL's host.
    let absolute = std::path::absolute(&file).map_err(|source| Error::DataDir {
        path: data_dir.to_owned(),
        source,
    })?;
    let url = SqliteConnectOptions::new()
        .filename(&absolute)
        .create_if_missing(true)
        .to_url_lossy();
    let options = AnyConnectOptions::from_url(&url).map_err(|source| Error::Open {
        path: file.clone(),
        source,
    })?;
    let fail = |source: sqlx::Error| match error::sqlite_code(&source) {
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
    };
    // One connection first, for SQLite's own words when the file cannot be used: the pool
    // would retry a failing connection until it timed out, and say only that.
    {
        use sqlx::Connection as _;
        let mut first = sqlx::AnyConnection::connect_with(&options)
            .await
            .map_err(fail)?;
        sqlx::raw_sql(SQLITE_CONNECTION_SETTINGS)
            .execute(&mut first)
            .await
            .map_err(fail)?;
        first.close().await.map_err(fail)?;
    }
    let pool = AnyPoolOptions::new()
        .max_connections(POOL_CONNECTIONS)
        // A request waits this long for a connection, then fails as `Error::Busy` (a 503
        // on the site) instead of waiting without end behind a queue that only grows.
        .acquire_timeout(ACQUIRE_TIMEOUT)
        .after_connect(|connection, _| {
            Box::pin(async move {
                sqlx::raw_sql(SQLITE_CONNECTION_SETTINGS)
                    .execute(connection)
                    .await
                    .map(drop)
            })
        })
        .connect_with(options)
        .await
        .map_err(fail)?;
    migrate::run(&pool, Backend::Sqlite).await?;
    // SQLite opens a file it may not write read-only, without a word; every write would
    // then fail later, far from the cause.
    if let Err(e) = probe_write(&pool).await {
        return Err(Error::ReadOnly {
            path: file,
            detail: e.to_string(),
        });
    }
    Ok(pool)
}

/// Each SQLite connection's settings. WAL lets readers run beside the one writer. NORMAL in WAL
/// mode never corrupts the database; a power cut may lose the last transactions, which the next
/// fetch brings back. Writers take turns (WAL allows one at a time); a burst of ingest batches
/// can keep one waiting for seconds, which must not become "database is locked".
const SQLITE_CONNECTION_SETTINGS: &str = "PRAGMA journal_mode = WAL;
     PRAGMA synchronous = NORMAL;
     PRAGMA foreign_keys = ON;
     PRAGMA busy_timeout = 30000;";

/// Writes a row as it was and rolls back: fails when the database cannot be written.
async fn probe_write(pool: &AnyPool) -> std::result::Result<(), sqlx::Error> {
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

/// A transaction that holds SQLite's one write lock from its start, waiting for it (see
/// [`crate::Store::write_transaction`]).
pub(crate) async fn write_transaction(
    pool: &AnyPool,
) -> Result<sqlx::Transaction<'static, sqlx::Any>> {
    Ok(pool.begin_with("BEGIN IMMEDIATE").await?)
}

/// Gives the planner statistics where they are missing or stale (see
/// [`crate::Store::optimize`]).
pub(crate) async fn optimize(pool: &AnyPool) -> Result<()> {
    // 0x10002: analyze the tables that need it, including on a first open.
    sqlx::query("PRAGMA optimize = 0x10002")
        .execute(pool)
        .await?;
    Ok(())
}

/// SQLite's own check of the whole file (see [`crate::Store::check_integrity`]).
pub(crate) async fn check_integrity(pool: &AnyPool) -> Result<()> {
    let report: Vec<String> = sqlx::query_scalar("PRAGMA quick_check(20)")
        .fetch_all(pool)
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
