//! What can go wrong in the store, in words an operator can act on.

use std::path::PathBuf;

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The data directory could not be created or is not writable.
    #[error("cannot use data directory {path}: {source}")]
    DataDir {
        path: PathBuf,
        source: std::io::Error,
    },
    /// `--data` names a file where a directory belongs.
    #[error(
        "{path} is a file, not a directory: point --data (or storage.data_dir) at a directory; it is made if missing"
    )]
    NotADirectory { path: PathBuf },
    /// A database file of 0 bytes: not a xinwen database (a failed copy, a truncated disk).
    /// Started on, it would silently become a new, empty site.
    #[error(
        "{path} is empty (0 bytes), so it is not a xinwen database: restore it from a backup, or delete it to start a new, empty site"
    )]
    EmptyDatabase { path: PathBuf },
    /// The database, or the directory where SQLite writes its journal beside it, cannot be
    /// written by this user.
    #[error(
        "cannot write to the database {path}: it or its directory is read-only for this user ({detail}); fix the permissions (SQLite also writes {path}-wal and {path}-shm beside it)"
    )]
    ReadOnly { path: PathBuf, detail: String },
    /// SQLite found the file damaged: its own check, or a page it could not read.
    #[error(
        "the database is damaged ({report}); stop xinwen and restore xinwen.db from a backup (`sqlite3 xinwen.db .recover` may save what is still readable)"
    )]
    Damaged { report: String },
    /// The database file could not be opened.
    #[error("cannot open database {path}: {source}")]
    Open { path: PathBuf, source: sqlx::Error },
    /// `--database-url` names a database this xinwen cannot keep its store in.
    #[error(
        "cannot use {url} as the database: give a postgres://user:password@host:port/database URL, or none for SQLite in the data directory"
    )]
    UnsupportedUrl { url: String },
    /// The PostgreSQL server could not be reached or refused the connection.
    #[error(
        "cannot connect to PostgreSQL at {url} (is the server running, and do the user, password and database exist?)"
    )]
    Connect { url: String, source: sqlx::Error },
    /// A migration failed; the database is left at the previous version.
    #[error("migration {version} ({name}) failed: {source}")]
    Migration {
        version: i64,
        name: &'static str,
        source: sqlx::Error,
    },
    /// The database holds migrations this binary does not know: it was written by a newer xinwen.
    #[error(
        "the database is at schema version {found}, newer than this xinwen knows ({known}); run a newer xinwen"
    )]
    SchemaTooNew { found: i64, known: i64 },
    /// An article or source names something that does not exist.
    #[error("unknown {what} {key:?}")]
    NotFound { what: &'static str, key: String },
    /// Something with this key already exists.
    #[error("{what} {key:?} already exists")]
    Conflict { what: &'static str, key: String },
    /// A source cannot be removed while articles still credit it.
    #[error(
        "source {key:?} still has {count} articles; pause it instead, or remove it with its articles"
    )]
    SourceHasArticles { key: String, count: u64 },
    /// A row holds a value the code does not understand (a hand-edited database, say).
    #[error("corrupt row: {0}")]
    Corrupt(String),
    /// Every connection to the database stayed in use while this request waited for one: the
    /// site is under more load than it can serve.
    #[error("the database is busy: no connection came free in time; try again in a moment")]
    Busy,
    /// A store cannot be copied as asked (see `Store::copy_into`).
    #[error("cannot copy the store: {0}")]
    Copy(String),
    #[error("database error: {0}")]
    Database(sqlx::Error),
}

/// SQLite's primary result code of an error from the database, if it is one.
pub(crate) fn sqlite_code(e: &sqlx::Error) -> Option<i32> {
    let database_error = e.as_database_error()?;
    database_error.try_downcast_ref::<sqlx::sqlite::SqliteError>()?;
    let code = database_error.code()?;
    code.parse::<i32>().ok().map(|c| c & 0xff)
}

impl From<sqlx::Error> for Error {
    fn from(e: sqlx::Error) -> Self {
        if let sqlx::Error::PoolTimedOut = e {
            return Error::Busy;
        }
        match sqlite_code(&e) {
            // SQLITE_CORRUPT, SQLITE_NOTADB: what to do about them is not "retry".
            Some(11 | 26) => Error::Damaged {
                report: e.to_string(),
            },
            _ => Error::Database(e),
        }
    }
}

impl From<xinwen_model::UnknownValue> for Error {
    fn from(e: xinwen_model::UnknownValue) -> Self {
        Error::Corrupt(e.to_string())
    }
}
