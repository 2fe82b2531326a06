//! Moving a site from SQLite to PostgreSQL: every table's rows, as they are, ids included,
//! then each table counted and checksummed on both sides.
//!
//! The columns and their types come from the target's catalogue, so that a table added by a
//! later migration is copied without this file knowing it: what must be listed here is only
//! the order (a row's references first) and what is not copied (what only a running process
//! holds).

use crate::{Backend, Error, Result, Store};
use futures_util::TryStreamExt;
use sqlx::Row;
use sqlx::any::AnyRow;
use std::hash::{Hash, Hasher};

/// Every table of the schema, each after those it refers to.
const TABLES: &[&str] = &[
    "channels",
    "sources",
    "source_bridges",
    "source_health",
    "source_push",
    "fetch_days",
    "users",
    "sessions",
    "login_failures",
    "takedowns",
    "articles",
    "article_images",
    "feed_entries",
    "article_deletions",
    "article_fingerprints",
    "related_reading",
    "stories",
    "hot_announced",
    "media",
    "submissions",
    "tombstones",
    "audit_log",
    "site_pages",
    "api_tokens",
    "webhooks",
    "webhook_deliveries",
    "websub_subscriptions",
    "site_keys",
    "site_changes",
];

/// Tables whose rows belong to the processes running now (which worker holds which source,
/// when a host may next be asked): a moved site starts them afresh.
const NOT_COPIED: &[&str] = &[
    "source_leases",
    "host_turns",
    "host_places",
    "task_leases",
    "schema_migrations",
];

/// Rows written per statement.
const ROWS_PER_INSERT: usize = 100;

/// One table's copy: its rows on each side and a checksum of them (order-free, so that the
/// two databases may read them back in any order).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableCopy {
    pub table: &'static str,
    pub source_rows: u64,
    pub target_rows: u64,
    pub source_checksum: u64,
    pub target_checksum: u64,
}

impl TableCopy {
    pub fn matches(&self) -> bool {
        self.source_rows == self.target_rows && self.source_checksum == self.target_checksum
    }
}

/// How far a copy is: `done` of `total` rows of every table.
#[derive(Debug, Clone, Copy)]
pub struct CopyProgress {
    pub table: &'static str,
    pub done: u64,
    pub total: u64,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Integer,
    Real,
    Text,
    Bytes,
}

#[derive(Debug, PartialEq, Hash)]
enum Value {
    Null,
    Integer(i64),
    Real(u64),
    Text(String),
    Bytes(Vec<u8>),
}

impl Store {
    /// Copies everything this SQLite store holds into `target`, a new PostgreSQL store (its
    /// migrations applied, no source or article yet), then compares the two table by table.
    /// `progress` hears after every batch. Run it with the site stopped: what is written
    /// meanwhile would be missed.
    pub async fn copy_into(
        &self,
        target: &Store,
        mut progress: impl FnMut(CopyProgress),
    ) -> Result<Vec<TableCopy>> {
        if self.backend != Backend::Sqlite || target.backend != Backend::Postgres {
            return Err(Error::Copy(
                "a copy goes from a SQLite store to a PostgreSQL one".into(),
            ));
        }
        for table in ["sources", "articles"] {
            if count(target, table).await? > 0 {
                return Err(Error::Copy(format!(
                    "the target database already has {table}; copy into a new, empty database"
                )));
            }
        }
        let mut totals = Vec::with_capacity(TABLES.len());
        for table in TABLES {
            totals.push(count(self, table).await?);
        }
        let total: u64 = totals.iter().sum();
        let mut done = 0;
        let mut report = Vec::with_capacity(TABLES.len());
        for (table, source_rows) in TABLES.iter().zip(totals) {
            let columns = target.columns_of(table).await?;
            let mut tx = target.pool.begin().await?;
            // The target's own row (the site generation) makes way for the copied one.
            sqlx::query(sqlx::AssertSqlSafe(format!("DELETE FROM {table}")))
                .execute(&mut *tx)
                .await?;
            let select = select_sql(table, &columns);
            let mut rows = sqlx::query(sqlx::AssertSqlSafe(select)).fetch(&self.pool);
            let mut batch = Vec::with_capacity(ROWS_PER_INSERT);
            let mut source_checksum = 0u64;
            while let Some(row) = rows.try_next().await? {
                let values = values_of(&row, &columns)?;
                source_checksum = source_checksum.wrapping_add(hash_of(&values));
                batch.push(values);
                if batch.len() == ROWS_PER_INSERT {
                    insert(&mut tx, table, &columns, &batch).await?;
                    done += batch.len() as u64;
                    batch.clear();
                    progress(CopyProgress { table, done, total });
                }
            }
            insert(&mut tx, table, &columns, &batch).await?;
            done += batch.len() as u64;
            tx.commit().await?;
            progress(CopyProgress { table, done, total });
            let (target_rows, target_checksum) = target.checksum(table, &columns).await?;
            report.push(TableCopy {
                table,
                source_rows,
                target_rows,
                source_checksum,
                target_checksum,
            });
        }
        // New rows take ids after the copied ones.
        for table in TABLES {
            if target
                .columns_of(table)
                .await?
                .iter()
                .any(|(c, _)| c == "id")
            {
                sqlx::query(sqlx::AssertSqlSafe(format!(
                    "SELECT setval(pg_get_serial_sequence('{table}', 'id'),
                                   COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)"
                )))
                .execute(&target.pool)
                .await?;
            }
        }
        Ok(report)
    }

    /// A table's columns and their kinds, as PostgreSQL's catalogue has them.
    async fn columns_of(&self, table: &str) -> Result<Vec<(String, Kind)>> {
        let rows = sqlx::query(
            "SELECT CAST(column_name AS TEXT) AS name, CAST(data_type AS TEXT) AS type
             FROM information_schema.columns
             WHERE table_schema = current_schema() AND table_name = $1
             ORDER BY ordinal_position",
        )
        .bind(table)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                let name: String = row.try_get("name")?;
                let kind = match row.try_get::<String, _>("type")?.as_str() {
                    "bigint" | "integer" | "smallint" => Kind::Integer,
                    "double precision" | "real" => Kind::Real,
                    "text" => Kind::Text,
                    "bytea" => Kind::Bytes,
                    other => {
                        return Err(Error::Copy(format!(
                            "{table}.{name} is of type {other}, which a copy does not know"
                        )));
                    }
                };
                Ok((name, kind))
            })
            .collect()
    }

    /// A table's rows and the order-free checksum of their values.
    async fn checksum(&self, table: &str, columns: &[(String, Kind)]) -> Result<(u64, u64)> {
        let mut rows =
            sqlx::query(sqlx::AssertSqlSafe(select_sql(table, columns))).fetch(&self.pool);
        let (mut count, mut sum) = (0u64, 0u64);
        while let Some(row) = rows.try_next().await? {
            count += 1;
            sum = sum.wrapping_add(hash_of(&values_of(&row, columns)?));
        }
        Ok((count, sum))
    }
}

/// The tables a copy leaves out, for the record.
pub fn tables_not_copied() -> &'static [&'static str] {
    NOT_COPIED
}

async fn count(store: &Store, table: &str) -> Result<u64> {
    let n: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM {table}")))
        .fetch_one(&store.pool)
        .await?;
    Ok(u64::try_from(n).unwrap_or(0))
}

fn select_sql(table: &str, columns: &[(String, Kind)]) -> String {
    let names: Vec<&str> = columns.iter().map(|(name, _)| name.as_str()).collect();
    format!("SELECT {} FROM {table}", names.join(", "))
}

fn values_of(row: &AnyRow, columns: &[(String, Kind)]) -> Result<Vec<Value>> {
    columns
        .iter()
        .enumerate()
        .map(|(i, (_, kind))| {
            Ok(match kind {
                Kind::Integer => row.try_get::<Option<i64>, _>(i)?.map(Value::Integer),
                Kind::Real => row
                    .try_get::<Option<f64>, _>(i)?
                    .map(|x| Value::Real(x.to_bits())),
                Kind::Text => row.try_get::<Option<String>, _>(i)?.map(Value::Text),
                Kind::Bytes => row.try_get::<Option<Vec<u8>>, _>(i)?.map(Value::Bytes),
            }
            .unwrap_or(Value::Null))
        })
        .collect()
}

fn hash_of(values: &[Value]) -> u64 {
    // Fixed keys: the same values hash alike on both sides (both are read in this process).
    let mut hasher = std::hash::DefaultHasher::new();
    values.hash(&mut hasher);
    hasher.finish()
}

async fn insert(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    table: &str,
    columns: &[(String, Kind)],
    rows: &[Vec<Value>],
) -> Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let names: Vec<&str> = columns.iter().map(|(name, _)| name.as_str()).collect();
    let one_row = format!("({})", vec!["?"; columns.len()].join(", "));
    let sql = format!(
        "INSERT INTO {table} ({}) VALUES {}",
        names.join(", "),
        vec![one_row.as_str(); rows.len()].join(", ")
    );
    let mut query = sqlx::query(crate::numbered(sql));
    for row in rows {
        for (value, (_, kind)) in row.iter().zip(columns) {
            query = match (value, kind) {
                (Value::Null, Kind::Integer) => query.bind(None::<i64>),
                (Value::Null, Kind::Real) => query.bind(None::<f64>),
                (Value::Null, Kind::Text) => query.bind(None::<String>),
                (Value::Null, Kind::Bytes) => query.bind(None::<Vec<u8>>),
                (Value::Integer(n), _) => query.bind(*n),
                (Value::Real(bits), _) => query.bind(f64::from_bits(*bits)),
                (Value::Text(text), _) => query.bind(text.clone()),
                (Value::Bytes(bytes), _) => query.bind(bytes.clone()),
            };
        }
    }
    query.execute(&mut **tx).await?;
    Ok(())
}
