//! Numbered migrations, applied in order at open, each in its own transaction.
//!
//! A small runner of our own rather than sqlx's `migrate!`, which needs the proc-macro stack
//! (and compiles SQLite a second time); the list below is the whole mechanism.

use crate::postgres::MIGRATION_LOCK;
use crate::{Backend, Error, Result};
use sqlx::{AnyPool, Row};

struct Migration {
    version: i64,
    name: &'static str,
    sql: &'static str,
    /// The migration rebuilds a table others refer to (SQLite changes a constraint no other
    /// way): foreign keys are off while it runs, as SQLite's documented procedure asks, and
    /// checked before it commits.
    rebuilds_tables: bool,
}

const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "init",
        sql: include_str!("../migrations/sqlite/0001_init.sql"),
        rebuilds_tables: false,
    },
    Migration {
        version: 2,
        name: "ingest",
        sql: include_str!("../migrations/sqlite/0002_ingest.sql"),
        rebuilds_tables: false,
    },
    Migration {
        version: 3,
        name: "change_seq",
        sql: include_str!("../migrations/sqlite/0003_change_seq.sql"),
        rebuilds_tables: false,
    },
    Migration {
        version: 4,
        name: "stories",
        sql: include_str!("../migrations/sqlite/0004_stories.sql"),
        rebuilds_tables: false,
    },
    Migration {
        version: 5,
        name: "moderation",
        sql: include_str!("../migrations/sqlite/0005_moderation.sql"),
        rebuilds_tables: false,
    },
    Migration {
        version: 6,
        name: "deletions",
        sql: include_str!("../migrations/sqlite/0006_deletions.sql"),
        rebuilds_tables: false,
    },
    Migration {
        version: 7,
        name: "takedown_purge",
        sql: include_str!("../migrations/sqlite/0007_takedown_purge.sql"),
        rebuilds_tables: false,
    },
    Migration {
        version: 8,
        name: "heat",
        sql: include_str!("../migrations/sqlite/0008_heat.sql"),
        rebuilds_tables: false,
    },
    Migration {
        version: 9,
        name: "list_flags",
        sql: include_str!("../migrations/sqlite/0009_list_flags.sql"),
        rebuilds_tables: false,
    },
    Migration {
        version: 10,
        name: "related_reading",
        sql: include_str!("../migrations/sqlite/0010_related_reading.sql"),
        rebuilds_tables: false,
    },
    Migration {
        version: 11,
        name: "fetch_days",
        sql: include_str!("../migrations/sqlite/0011_fetch_days.sql"),
        rebuilds_tables: false,
    },
    Migration {
        version: 12,
        name: "media_dimensions",
        sql: include_str!("../migrations/sqlite/0012_media_dimensions.sql"),
        rebuilds_tables: false,
    },
    Migration {
        version: 13,
        name: "api_tokens",
        sql: include_str!("../migrations/sqlite/0013_api_tokens.sql"),
        rebuilds_tables: false,
    },
    Migration {
        version: 14,
        name: "webhooks",
        sql: include_str!("../migrations/sqlite/0014_webhooks.sql"),
        rebuilds_tables: false,
    },
    Migration {
        version: 15,
        name: "websub",
        sql: include_str!("../migrations/sqlite/0015_websub.sql"),
        rebuilds_tables: false,
    },
    Migration {
        version: 16,
        name: "source_push",
        sql: include_str!("../migrations/sqlite/0016_source_push.sql"),
        rebuilds_tables: false,
    },
    Migration {
        version: 17,
        name: "source_kinds",
        sql: include_str!("../migrations/sqlite/0017_source_kinds.sql"),
        rebuilds_tables: true,
    },
    Migration {
        version: 18,
        name: "several_processes",
        sql: include_str!("../migrations/sqlite/0018_several_processes.sql"),
        rebuilds_tables: false,
    },
    Migration {
        version: 19,
        name: "storage",
        sql: include_str!("../migrations/sqlite/0019_storage.sql"),
        rebuilds_tables: false,
    },
    Migration {
        version: 20,
        name: "blocked_media",
        sql: include_str!("../migrations/sqlite/0020_blocked_media.sql"),
        rebuilds_tables: false,
    },
];

/// PostgreSQL's migrations. A PostgreSQL store begins with the schema SQLite's first seventeen
/// leave; from then on a migration is written for each backend under the same number.
const POSTGRES_MIGRATIONS: &[Migration] = &[
    Migration {
        version: 17,
        name: "init",
        sql: include_str!("../migrations/postgres/0017_init.sql"),
        rebuilds_tables: false,
    },
    Migration {
        version: 18,
        name: "several_processes",
        sql: include_str!("../migrations/postgres/0018_several_processes.sql"),
        rebuilds_tables: false,
    },
    Migration {
        version: 19,
        name: "storage",
        sql: include_str!("../migrations/postgres/0019_storage.sql"),
        rebuilds_tables: false,
    },
    Migration {
        version: 20,
        name: "blocked_media",
        sql: include_str!("../migrations/postgres/0020_blocked_media.sql"),
        rebuilds_tables: false,
    },
];

/// Articles from which a store's upgrade is announced before it runs.
const LARGE_STORE: i64 = 100_000;

pub(crate) async fn run(pool: &AnyPool, backend: Backend) -> Result<()> {
    match backend {
        Backend::Sqlite => run_list(pool, MIGRATIONS).await,
        Backend::Postgres => {
            // Nodes started together take turns: the second finds the work done.
            let mut lock = pool.acquire().await?;
            sqlx::query("SELECT pg_advisory_lock($1) IS NULL")
                .bind(MIGRATION_LOCK)
                .execute(&mut *lock)
                .await?;
            let outcome = run_list(pool, POSTGRES_MIGRATIONS).await;
            sqlx::query("SELECT pg_advisory_unlock($1) IS NULL")
                .bind(MIGRATION_LOCK)
                .execute(&mut *lock)
                .await?;
            outcome
        }
    }
}

async fn run_list(pool: &AnyPool, migrations: &[Migration]) -> Result<()> {
    sqlx::query(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
            version    BIGINT  PRIMARY KEY,
            name       TEXT    NOT NULL,
            applied_at BIGINT  NOT NULL
        )",
    )
    .execute(pool)
    .await?;
    let applied = applied(pool).await?;
    let known = migrations.last().map_or(0, |m| m.version);
    if let Some(&found) = applied.last()
        && found > known
    {
        return Err(Error::SchemaTooNew { found, known });
    }
    for migration in migrations {
        if applied.contains(&migration.version) {
            continue;
        }
        let fail = |source| Error::Migration {
            version: migration.version,
            name: migration.name,
            source,
        };
        // A migration that rewrites every article takes a while on a large store (about 30 s
        // a million articles for 0009): said before, so that a quiet start is not taken for a
        // hang. A first migration of an empty store says nothing.
        if applied.last().is_some() {
            let articles: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM articles")
                .fetch_one(pool)
                .await
                .unwrap_or(0);
            if articles >= LARGE_STORE {
                tracing::warn!(
                    version = migration.version,
                    name = migration.name,
                    articles,
                    "upgrading a large store; this can take a minute, do not interrupt it"
                );
            }
        }
        // One connection throughout: the foreign-key setting belongs to it, and can only
        // change outside a transaction.
        let mut conn = pool.acquire().await.map_err(fail)?;
        if migration.rebuilds_tables {
            sqlx::query("PRAGMA foreign_keys = OFF")
                .execute(&mut *conn)
                .await
                .map_err(fail)?;
        }
        let applied = apply(&mut conn, migration).await;
        if migration.rebuilds_tables {
            sqlx::query("PRAGMA foreign_keys = ON")
                .execute(&mut *conn)
                .await
                .map_err(fail)?;
        }
        applied.map_err(fail)?;
        tracing::info!(
            version = migration.version,
            name = migration.name,
            "applied migration"
        );
    }
    Ok(())
}

async fn apply(
    conn: &mut sqlx::AnyConnection,
    migration: &Migration,
) -> std::result::Result<(), sqlx::Error> {
    use sqlx::Connection;
    let mut tx = conn.begin().await?;
    sqlx::raw_sql(migration.sql).execute(&mut *tx).await?;
    if migration.rebuilds_tables {
        let broken = sqlx::query("PRAGMA foreign_key_check")
            .fetch_all(&mut *tx)
            .await?;
        if let Some(row) = broken.first() {
            let table: String = row.try_get(0)?;
            return Err(sqlx::Error::Protocol(format!(
                "the rebuilt tables leave {} broken references (the first in {table}); nothing was changed",
                broken.len()
            )));
        }
    }
    sqlx::query("INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)")
        .bind(migration.version)
        .bind(migration.name)
        .bind(chrono::Utc::now().timestamp())
        .execute(&mut *tx)
        .await?;
    tx.commit().await
}

pub(crate) async fn applied(pool: &AnyPool) -> Result<Vec<i64>> {
    let rows = sqlx::query("SELECT version FROM schema_migrations ORDER BY version")
        .fetch_all(pool)
        .await?;
    Ok(rows.iter().map(|r| r.get::<i64, _>(0)).collect())
}
