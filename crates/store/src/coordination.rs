//! What several processes sharing one store agree on besides the articles: when a host may
//! next be asked, which editorial change every web node must catch up with, and the keys all of
//! them sign and hash with. (Which worker fetches which source is in `sources`, beside the
//! schedule it leases from.)

use crate::{Result, Store};

impl Store {
    /// Reserves the next turn at `host` for a request that must come at least `spacing` after
    /// the one before, whichever process made it: returns the Unix millisecond at which this
    /// request may start (`now_ms` or later). One statement, so two workers asking at once get
    /// two turns.
    pub async fn reserve_host_turn(&self, host: &str, now_ms: i64, spacing_ms: i64) -> Result<i64> {
        let next_at: i64 = sqlx::query_scalar(
            "INSERT INTO host_turns (host, next_at) VALUES ($1, $2 + $3)
             ON CONFLICT (host) DO UPDATE SET next_at = CASE
                 WHEN host_turns.next_at > $2 THEN host_turns.next_at + $3
                 ELSE $2 + $3
             END
             RETURNING next_at",
        )
        .bind(host)
        .bind(now_ms)
        .bind(spacing_ms)
        .fetch_one(&self.pool)
        .await?;
        Ok(next_at - spacing_ms)
    }

    /// Takes one of `limit` places for a request in flight at `host`, held by `holder` until
    /// `hold_ms` after `now_ms` unless given back: returns the place, or `None` when every
    /// place is held. Each try is one statement on one row, so two processes never take the
    /// same place.
    pub async fn take_host_place(
        &self,
        host: &str,
        holder: &str,
        limit: u32,
        now_ms: i64,
        hold_ms: i64,
    ) -> Result<Option<u32>> {
        for place in 0..limit.max(1) {
            let taken: Option<i64> = sqlx::query_scalar(
                "INSERT INTO host_places (host, place, holder, expires_at) VALUES ($1, $2, $3, $4 + $5)
                 ON CONFLICT (host, place) DO UPDATE SET holder = excluded.holder,
                     expires_at = excluded.expires_at
                 WHERE host_places.expires_at <= $4
                 RETURNING place",
            )
            .bind(host)
            .bind(i64::from(place))
            .bind(holder)
            .bind(now_ms)
            .bind(hold_ms)
            .fetch_optional(&self.pool)
            .await?;
            if taken.is_some() {
                return Ok(Some(place));
            }
        }
        Ok(None)
    }

    /// [`Store::take_host_place`] and, with the place taken, [`Store::reserve_host_turn`]: a
    /// request's way in at a host, in one round trip on PostgreSQL, where every fetch makes it.
    /// Returns the place and the Unix millisecond the request may start at; `None` when every
    /// place is held (no turn is reserved then).
    pub async fn enter_host(
        &self,
        host: &str,
        holder: &str,
        limit: u32,
        now_ms: i64,
        hold_ms: i64,
        spacing_ms: i64,
    ) -> Result<Option<(u32, i64)>> {
        if self.backend == crate::Backend::Postgres {
            return crate::postgres::enter_host(
                &self.pool, host, holder, limit, now_ms, hold_ms, spacing_ms,
            )
            .await;
        }
        let Some(place) = self
            .take_host_place(host, holder, limit, now_ms, hold_ms)
            .await?
        else {
            return Ok(None);
        };
        let start = self.reserve_host_turn(host, now_ms, spacing_ms).await?;
        Ok(Some((place, start)))
    }

    /// Holds a place `holder` still holds at `host` until `hold_ms` after `now_ms`, and with it
    /// reserves the next turn as [`Store::enter_host`] does, for the holder's next request
    /// there: the start in Unix milliseconds, or `None` when the place is no longer the
    /// holder's. One round trip on PostgreSQL.
    pub async fn reenter_host(
        &self,
        host: &str,
        place: u32,
        holder: &str,
        now_ms: i64,
        hold_ms: i64,
        spacing_ms: i64,
    ) -> Result<Option<i64>> {
        if self.backend == crate::Backend::Postgres {
            return crate::postgres::reenter_host(
                &self.pool, host, place, holder, now_ms, hold_ms, spacing_ms,
            )
            .await;
        }
        let kept = sqlx::query(
            "UPDATE host_places SET expires_at = $4 + $5
             WHERE host = $1 AND place = $2 AND holder = $3 AND expires_at > $4",
        )
        .bind(host)
        .bind(i64::from(place))
        .bind(holder)
        .bind(now_ms)
        .bind(hold_ms)
        .execute(&self.pool)
        .await?;
        if kept.rows_affected() == 0 {
            return Ok(None);
        }
        Ok(Some(
            self.reserve_host_turn(host, now_ms, spacing_ms).await?,
        ))
    }

    /// Gives back a place [`Store::take_host_place`] gave `holder`.
    pub async fn leave_host_place(&self, host: &str, place: u32, holder: &str) -> Result<()> {
        sqlx::query(
            "UPDATE host_places SET expires_at = 0 WHERE host = $1 AND place = $2 AND holder = $3",
        )
        .bind(host)
        .bind(i64::from(place))
        .bind(holder)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Holds every process's requests to `host` back until `until_ms` (a Retry-After).
    pub async fn pause_host(&self, host: &str, until_ms: i64) -> Result<()> {
        sqlx::query(
            "INSERT INTO host_turns (host, next_at) VALUES ($1, $2)
             ON CONFLICT (host) DO UPDATE SET next_at = CASE
                 WHEN host_turns.next_at < $2 THEN $2 ELSE host_turns.next_at
             END",
        )
        .bind(host)
        .bind(until_ms)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Takes or keeps the lease on `task` for `holder` until `ttl_ms` after `now_ms`, unless
    /// another holder's lease still runs: returns the task's mark when `holder` holds it now,
    /// `None` when another does. One statement, so two processes asking at once never both
    /// hold it.
    pub async fn hold_task(
        &self,
        task: &str,
        holder: &str,
        now_ms: i64,
        ttl_ms: i64,
    ) -> Result<Option<i64>> {
        Ok(sqlx::query_scalar(
            "INSERT INTO task_leases (task, holder, expires_at) VALUES ($1, $2, $3 + $4)
             ON CONFLICT (task) DO UPDATE SET holder = excluded.holder,
                 expires_at = excluded.expires_at
             WHERE task_leases.holder = excluded.holder OR task_leases.expires_at <= $3
             RETURNING mark",
        )
        .bind(task)
        .bind(holder)
        .bind(now_ms)
        .bind(ttl_ms)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// Records how far the holder of `task` got; nothing when it no longer holds it.
    pub async fn set_task_mark(&self, task: &str, holder: &str, mark: i64) -> Result<bool> {
        let done = sqlx::query("UPDATE task_leases SET mark = $1 WHERE task = $2 AND holder = $3")
            .bind(mark)
            .bind(task)
            .bind(holder)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() > 0)
    }

    /// Gives up `holder`'s lease on `task` (a process stopping), keeping its mark: another
    /// process takes the task at once instead of when the lease would have run out.
    pub async fn release_task(&self, task: &str, holder: &str) -> Result<()> {
        sqlx::query("UPDATE task_leases SET expires_at = 0 WHERE task = $1 AND holder = $2")
            .bind(task)
            .bind(holder)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// The number every editorial change raises ([`Store::announce_site_change`]).
    pub async fn site_generation(&self) -> Result<i64> {
        Ok(
            sqlx::query_scalar("SELECT generation FROM site_changes WHERE id = 1")
                .fetch_optional(&self.pool)
                .await?
                .unwrap_or(0),
        )
    }

    /// Says that readers must see a change at once (a takedown, an article hidden, edited or
    /// moved, a source removed): every web node watching [`Store::site_generation`] forgets
    /// its rendered pages. Returns the new number.
    pub async fn announce_site_change(&self) -> Result<i64> {
        Ok(sqlx::query_scalar(
            "UPDATE site_changes SET generation = generation + 1 WHERE id = 1 RETURNING generation",
        )
        .fetch_optional(&self.pool)
        .await?
        .unwrap_or(0))
    }

    /// The shared key `name`: the one already kept, else `offered`, which is kept from now on.
    /// The first process to offer one decides for all.
    pub async fn shared_key(&self, name: &str, offered: &str) -> Result<String> {
        sqlx::query(
            "INSERT INTO site_keys (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING",
        )
        .bind(name)
        .bind(offered)
        .execute(&self.pool)
        .await?;
        Ok(
            sqlx::query_scalar("SELECT value FROM site_keys WHERE name = $1")
                .bind(name)
                .fetch_one(&self.pool)
                .await?,
        )
    }
}
