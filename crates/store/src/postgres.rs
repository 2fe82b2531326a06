//! What the store does its own way on PostgreSQL, which several processes share: connecting
//! (and saying clearly why it cannot), the advisory locks that keep its read-then-write steps
//! one writer at a time across processes, and the statements that do in one round trip what
//! SQLite, on one machine, does in two. Every other statement is shared with SQLite (see the
//! crate's documentation).

use crate::{ACQUIRE_TIMEOUT, Backend, Error, POSTGRES_POOL_CONNECTIONS, Result, migrate};
use sqlx::AnyPool;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};

/// The advisory lock every write transaction takes on PostgreSQL (see
/// [`crate::Store::write_transaction`]); the number is arbitrary, and only has to be ours alone.
const WRITE_LOCK: i64 = 0x7869_6e77_656e; // "xinwen" in ASCII
/// The advisory lock held while migrations run, so that nodes starting at once take turns.
pub(crate) const MIGRATION_LOCK: i64 = WRITE_LOCK + 1;
/// The advisory lock of a turn at placing articles in stories ([`crate::Store::story_placement_turn`]).
const PLACEMENT_LOCK: i64 = WRITE_LOCK + 2;

/// Connects to the server `url` names and brings the schema up to date.
pub(crate) async fn connect(url: &str) -> Result<AnyPool> {
    if !(url.starts_with("postgres://") || url.starts_with("postgresql://")) {
        return Err(Error::UnsupportedUrl {
            url: redact_password(url),
        });
    }
    let fail = |source| Error::Connect {
        url: redact_password(url),
        source,
    };
    let options: AnyConnectOptions = url.parse().map_err(fail)?;
    // One connection first, for the server's own words when it cannot be had ("connection
    // refused", "database does not exist"): the pool would only say that it timed out.
    {
        use sqlx::Connection as _;
        sqlx::AnyConnection::connect_with(&options)
            .await
            .map_err(fail)?
            .close()
            .await
            .map_err(fail)?;
    }
    let pool = AnyPoolOptions::new()
        .max_connections(POSTGRES_POOL_CONNECTIONS)
        .acquire_timeout(ACQUIRE_TIMEOUT)
        .connect_with(options)
        .await
        .map_err(fail)?;
    migrate::run(&pool, Backend::Postgres).await?;
    Ok(pool)
}

/// A database URL fit for a log or an error message: its password replaced by `***`.
pub fn redact_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, path) = rest.split_at(authority_end);
    match authority.rsplit_once('@') {
        Some((credentials, host)) if credentials.contains(':') => {
            let user = credentials.split(':').next().unwrap_or_default();
            format!("{scheme}://{user}:***@{host}{path}")
        }
        _ => url.to_owned(),
    }
}

/// A transaction that takes the write lock first (see [`crate::Store::write_transaction`]).
pub(crate) async fn write_transaction(
    pool: &AnyPool,
) -> Result<sqlx::Transaction<'static, sqlx::Any>> {
    let mut tx = pool.begin().await?;
    take_write_lock(&mut tx).await?;
    Ok(tx)
}

/// Takes the write lock in a transaction, until it ends.
pub(crate) async fn take_write_lock(conn: &mut sqlx::AnyConnection) -> Result<()> {
    sqlx::query("SELECT pg_advisory_xact_lock($1) IS NULL")
        .bind(WRITE_LOCK)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// A transaction holding the turn at placing articles in stories (see
/// [`crate::Store::story_placement_turn`]). A transaction-level lock: should the transaction
/// be dropped anywhere, it rolls back and the lock goes with it.
pub(crate) async fn placement_turn(
    pool: &AnyPool,
) -> Result<sqlx::Transaction<'static, sqlx::Any>> {
    let mut tx = pool.begin().await?;
    sqlx::query("SELECT pg_advisory_xact_lock($1) IS NULL")
        .bind(PLACEMENT_LOCK)
        .execute(&mut *tx)
        .await?;
    Ok(tx)
}

/// [`crate::Store::enter_host`] in one statement: a free place, and with it the next turn.
pub(crate) async fn enter_host(
    pool: &AnyPool,
    host: &str,
    holder: &str,
    limit: u32,
    now_ms: i64,
    hold_ms: i64,
    spacing_ms: i64,
) -> Result<Option<(u32, i64)>> {
    // The first free place is tried; should another process take it first, none is
    // returned and the caller asks again, as when all are held.
    let entered: Option<(i64, Option<i64>)> = sqlx::query_as(
        "WITH candidate AS (
                 SELECT p FROM generate_series(0, $4 - 1) AS p
                 WHERE NOT EXISTS (SELECT 1 FROM host_places
                                   WHERE host = $1 AND place = p AND expires_at > $3)
                 ORDER BY p LIMIT 1),
             place AS (
                 INSERT INTO host_places (host, place, holder, expires_at)
                 SELECT $1, p, $2, $3 + $5 FROM candidate
                 ON CONFLICT (host, place) DO UPDATE SET holder = excluded.holder,
                     expires_at = excluded.expires_at
                 WHERE host_places.expires_at <= $3
                 RETURNING place),
             turn AS (
                 INSERT INTO host_turns (host, next_at) SELECT $1, $3 + $6 FROM place
                 ON CONFLICT (host) DO UPDATE SET next_at = CASE
                     WHEN host_turns.next_at > $3 THEN host_turns.next_at + $6
                     ELSE $3 + $6
                 END
                 RETURNING next_at)
             SELECT place.place::BIGINT, (SELECT next_at FROM turn) FROM place",
    )
    .bind(host)
    .bind(holder)
    .bind(now_ms)
    .bind(i64::from(limit.max(1)))
    .bind(hold_ms)
    .bind(spacing_ms)
    .fetch_optional(pool)
    .await?;
    Ok(entered.map(|(place, next_at)| {
        (
            u32::try_from(place).unwrap_or(0),
            next_at.map_or(now_ms, |next| next - spacing_ms),
        )
    }))
}

/// [`crate::Store::reenter_host`] in one statement: the place held longer, and the next turn.
pub(crate) async fn reenter_host(
    pool: &AnyPool,
    host: &str,
    place: u32,
    holder: &str,
    now_ms: i64,
    hold_ms: i64,
    spacing_ms: i64,
) -> Result<Option<i64>> {
    let entered: Option<(Option<i64>,)> = sqlx::query_as(
        "WITH place AS (
                 UPDATE host_places SET expires_at = $4 + $5
                 WHERE host = $1 AND place = $2 AND holder = $3 AND expires_at > $4
                 RETURNING place),
             turn AS (
                 INSERT INTO host_turns (host, next_at) SELECT $1, $4 + $6 FROM place
                 ON CONFLICT (host) DO UPDATE SET next_at = CASE
                     WHEN host_turns.next_at > $4 THEN host_turns.next_at + $6
                     ELSE $4 + $6
                 END
                 RETURNING next_at)
             SELECT (SELECT next_at FROM turn) FROM place",
    )
    .bind(host)
    .bind(i64::from(place))
    .bind(holder)
    .bind(now_ms)
    .bind(hold_ms)
    .bind(spacing_ms)
    .fetch_optional(pool)
    .await?;
    Ok(entered.map(|(next_at,)| next_at.map_or(now_ms, |next| next - spacing_ms)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_never_reaches_a_message() {
        assert_eq!(
            redact_password("postgres://xinwen:s3cret@db.example:5432/news?sslmode=disable"),
            "postgres://xinwen:***@db.example:5432/news?sslmode=disable"
        );
        assert_eq!(
            redact_password("postgres://xinwen@127.0.0.1/news"),
            "postgres://xinwen@127.0.0.1/news"
        );
        assert_eq!(redact_password("sqlite:x.db"), "sqlite:x.db");
    }
}
