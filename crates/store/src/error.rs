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
    /// The database file could not be opened.
    #[error("cannot open database {path}: {source}")]
    Open { path: PathBuf, source: sqlx::Error },
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
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
}

impl From<xinwen_model::UnknownValue> for Error {
    fn from(e: xinwen_model::UnknownValue) -> Self {
        Error::Corrupt(e.to_string())
    }
}
