//! SQLite FTS5 with the trigram tokenizer: the search an operator would otherwise reach for,
//! kept here only as the peer `xinwen bench search` measures against. Nothing in the product
//! uses it.

use crate::Result;
use sqlx::SqlitePool;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use std::path::Path;

pub struct Fts5Baseline {
    pool: SqlitePool,
}

impl Fts5Baseline {
    /// A fresh FTS5 table in its own database file at `path`.
    pub async fn create(path: &Path) -> Result<Fts5Baseline> {
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Off);
        let pool = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(options)
            .await?;
        sqlx::query("CREATE VIRTUAL TABLE docs USING fts5(title, body, tokenize = 'trigram')")
            .execute(&pool)
            .await?;
        Ok(Fts5Baseline { pool })
    }

    /// Adds documents in one transaction.
    pub async fn insert(&self, docs: &[(i64, &str, &str)]) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        for (id, title, body) in docs {
            sqlx::query("INSERT INTO docs (rowid, title, body) VALUES ($1, $2, $3)")
                .bind(id)
                .bind(title)
                .bind(body)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Merges the index's b-trees into one, as FTS5's documentation advises after a bulk load.
    pub async fn optimize(&self) -> Result<()> {
        sqlx::query("INSERT INTO docs (docs) VALUES ('optimize')")
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// The best `limit` documents for an FTS5 query, by its own BM25 rank.
    pub async fn search(&self, query: &str, limit: u32) -> Result<Vec<i64>> {
        let ids =
            sqlx::query_scalar("SELECT rowid FROM docs WHERE docs MATCH $1 ORDER BY rank LIMIT $2")
                .bind(query)
                .bind(i64::from(limit))
                .fetch_all(&self.pool)
                .await?;
        Ok(ids)
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}
