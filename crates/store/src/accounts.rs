//! Editors' accounts, their sessions, failed logins, and the audit log of what they do.
//!
//! Passwords arrive here already hashed and session tokens already digested
//! (`xinwen-accounts`); nothing in the database lets anyone log in.

use crate::{Error, Result, Store, from_timestamp};
use chrono::{DateTime, Utc};
use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};
use xinwen_model::{Actor, Role, User};

/// The user behind a session, and the token the session's forms must carry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionUser {
    pub user: User,
    pub csrf_token: String,
    pub expires_at: DateTime<Utc>,
}

/// One line of the audit log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub actor: String,
    /// What was done, as `thing.verb` (`takedown.approve`, `article.hide`).
    pub action: String,
    pub target_kind: String,
    pub target_id: Option<i64>,
    pub detail: String,
}

fn user_from_row(row: &AnyRow) -> Result<User> {
    Ok(User {
        id: row.try_get("id")?,
        username: row.try_get("username")?,
        role: row.try_get::<String, _>("role")?.parse()?,
        created_at: from_timestamp(row.try_get("created_at")?),
    })
}

/// Writes one line of the audit log inside the caller's transaction, so that an action and
/// its record are committed together.
pub(crate) async fn audit_in(
    tx: &mut Transaction<'_, Any>,
    actor: &Actor,
    action: &str,
    target: (&str, Option<i64>),
    detail: &str,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO audit_log (at, user_id, actor, action, target_kind, target_id, detail)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(Utc::now().timestamp())
    .bind(actor.user_id)
    .bind(&actor.name)
    .bind(action)
    .bind(target.0)
    .bind(target.1)
    .bind(detail)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

impl Store {
    /// Adds an account; a name already taken is a conflict.
    pub async fn add_user(&self, username: &str, password_hash: &str, role: Role) -> Result<i64> {
        let mut tx = self.write_transaction().await?;
        let taken: Option<i64> = sqlx::query_scalar("SELECT id FROM users WHERE username = $1")
            .bind(username)
            .fetch_optional(&mut *tx)
            .await?;
        if taken.is_some() {
            return Err(Error::Conflict {
                what: "user",
                key: username.to_owned(),
            });
        }
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO users (username, password_hash, role, created_at) VALUES ($1, $2, $3, $4)
             RETURNING id",
        )
        .bind(username)
        .bind(password_hash)
        .bind(role.as_str())
        .bind(Utc::now().timestamp())
        .fetch_one(&mut *tx)
        .await?;
        audit_in(
            &mut tx,
            &Actor::operator(),
            "user.add",
            ("user", Some(id)),
            &format!("{username}（{}）", role.label_zh()),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Changes a password and ends every session of the account, so that a stolen session
    /// does not outlive the password it was opened with.
    pub async fn set_password(&self, username: &str, password_hash: &str) -> Result<()> {
        let mut tx = self.write_transaction().await?;
        let id: Option<i64> = sqlx::query_scalar(
            "UPDATE users SET password_hash = $1 WHERE username = $2 RETURNING id",
        )
        .bind(password_hash)
        .bind(username)
        .fetch_optional(&mut *tx)
        .await?;
        let id = id.ok_or_else(|| Error::NotFound {
            what: "user",
            key: username.to_owned(),
        })?;
        sqlx::query("DELETE FROM sessions WHERE user_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        audit_in(
            &mut tx,
            &Actor::operator(),
            "user.passwd",
            ("user", Some(id)),
            username,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Every account, by name.
    pub async fn users(&self) -> Result<Vec<User>> {
        let rows =
            sqlx::query("SELECT id, username, role, created_at FROM users ORDER BY username")
                .fetch_all(&self.pool)
                .await?;
        rows.iter().map(user_from_row).collect()
    }

    /// An account and its password hash, for checking a login.
    pub async fn user_for_login(&self, username: &str) -> Result<Option<(User, String)>> {
        let row = sqlx::query(
            "SELECT id, username, role, created_at, password_hash FROM users WHERE username = $1",
        )
        .bind(username)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|row| Ok((user_from_row(&row)?, row.try_get("password_hash")?)))
            .transpose()
    }

    /// Opens a session for `user_id` until `expires_at`.
    pub async fn create_session(
        &self,
        token_hash: &str,
        user_id: i64,
        csrf_token: &str,
        expires_at: DateTime<Utc>,
    ) -> Result<()> {
        let now = Utc::now().timestamp();
        let mut tx = self.write_transaction().await?;
        // Expired sessions are dropped as new ones open: the table stays the size of its use.
        sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
            .bind(now)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, expires_at)
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(token_hash)
        .bind(user_id)
        .bind(csrf_token)
        .bind(now)
        .bind(expires_at.timestamp())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The user of a session that has not expired.
    pub async fn session(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<SessionUser>> {
        let row = sqlx::query(
            "SELECT u.id, u.username, u.role, u.created_at, s.csrf_token, s.expires_at
             FROM sessions s JOIN users u ON u.id = s.user_id
             WHERE s.token_hash = $1 AND s.expires_at > $2",
        )
        .bind(token_hash)
        .bind(now.timestamp())
        .fetch_optional(&self.pool)
        .await?;
        row.map(|row| {
            Ok(SessionUser {
                user: user_from_row(&row)?,
                csrf_token: row.try_get("csrf_token")?,
                expires_at: from_timestamp(row.try_get("expires_at")?),
            })
        })
        .transpose()
    }

    pub async fn delete_session(&self, token_hash: &str) -> Result<()> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Remembers a failed login; failures older than a day are forgotten on the way.
    pub async fn record_login_failure(
        &self,
        username: &str,
        address_hash: &str,
        at: DateTime<Utc>,
    ) -> Result<()> {
        let mut tx = self.write_transaction().await?;
        sqlx::query("DELETE FROM login_failures WHERE at < $1")
            .bind(at.timestamp() - 86_400)
            .execute(&mut *tx)
            .await?;
        sqlx::query("INSERT INTO login_failures (username, address_hash, at) VALUES ($1, $2, $3)")
            .bind(username)
            .bind(address_hash)
            .bind(at.timestamp())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Decides a login attempt and, when `refusal` lets it go on, records it as a failure in
    /// the same write transaction, before the password is even checked. Attempts for one name
    /// or from one address are thus decided one at a time, in every process sharing the
    /// store: forty guesses sent at once meet the limit as forty guesses sent one after the
    /// other would. `refusal` sees the times of the recent failures (name, address) and says
    /// why not, if not. Returns the attempt's id, for [`Store::login_succeeded`].
    pub async fn begin_login_attempt<T>(
        &self,
        username: &str,
        address_hash: &str,
        now: DateTime<Utc>,
        since: DateTime<Utc>,
        refusal: impl FnOnce(&[i64], &[i64]) -> Option<T>,
    ) -> Result<std::result::Result<i64, T>> {
        let mut tx = self.write_transaction().await?;
        let (by_user, by_address) = failures_since(&mut tx, username, address_hash, since).await?;
        if let Some(why) = refusal(&by_user, &by_address) {
            tx.rollback().await?;
            return Ok(Err(why));
        }
        sqlx::query("DELETE FROM login_failures WHERE at < $1")
            .bind(now.timestamp() - 86_400)
            .execute(&mut *tx)
            .await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO login_failures (username, address_hash, at) VALUES ($1, $2, $3) RETURNING id",
        )
        .bind(username)
        .bind(address_hash)
        .bind(now.timestamp())
        .fetch_one(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(Ok(id))
    }

    /// The attempt begun by [`Store::begin_login_attempt`] had the right password: it was no
    /// failure, and the name's earlier failures are forgiven.
    pub async fn login_succeeded(&self, attempt: i64, username: &str) -> Result<()> {
        sqlx::query("DELETE FROM login_failures WHERE id = $1 OR username = $2")
            .bind(attempt)
            .bind(username)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// The times of failed logins since `since`: for the name, and from the address.
    pub async fn login_failures(
        &self,
        username: &str,
        address_hash: &str,
        since: DateTime<Utc>,
    ) -> Result<(Vec<i64>, Vec<i64>)> {
        let mut connection = self.pool.acquire().await?;
        failures_since(&mut connection, username, address_hash, since).await
    }

    /// Forgets a name's failures after it logged in.
    pub async fn clear_login_failures(&self, username: &str) -> Result<()> {
        sqlx::query("DELETE FROM login_failures WHERE username = $1")
            .bind(username)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Records an action that is not part of a larger transaction.
    pub async fn record_audit(
        &self,
        actor: &Actor,
        action: &str,
        target: (&str, Option<i64>),
        detail: &str,
    ) -> Result<()> {
        let mut tx = self.write_transaction().await?;
        audit_in(&mut tx, actor, action, target, detail).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The audit log, newest first.
    pub async fn audit_log(&self, page: u32, per_page: u32) -> Result<crate::Page<AuditEntry>> {
        let page = page.max(1);
        let per_page = per_page.clamp(1, 500);
        let rows = sqlx::query(
            "SELECT id, at, actor, action, target_kind, target_id, detail FROM audit_log
             ORDER BY at DESC, id DESC LIMIT $1 OFFSET $2",
        )
        .bind(i64::from(per_page))
        .bind(i64::from(page - 1) * i64::from(per_page))
        .fetch_all(&self.pool)
        .await?;
        let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_log")
            .fetch_one(&self.pool)
            .await?;
        let items = rows
            .iter()
            .map(|row| {
                Ok(AuditEntry {
                    id: row.try_get("id")?,
                    at: from_timestamp(row.try_get("at")?),
                    actor: row.try_get("actor")?,
                    action: row.try_get("action")?,
                    target_kind: row.try_get("target_kind")?,
                    target_id: row.try_get("target_id")?,
                    detail: row.try_get("detail")?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(crate::Page::counted(items, page, per_page, total))
    }

    /// The operator's page as last edited in the admin, if it was.
    pub async fn site_page(&self, slug: &str) -> Result<Option<String>> {
        Ok(
            sqlx::query_scalar("SELECT markdown FROM site_pages WHERE slug = $1")
                .bind(slug)
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    /// Saves the operator's page; the edit is in the audit log.
    pub async fn set_site_page(&self, slug: &str, markdown: &str, actor: &Actor) -> Result<()> {
        let mut tx = self.write_transaction().await?;
        sqlx::query(
            "INSERT INTO site_pages (slug, markdown, updated_at, updated_by) VALUES ($1, $2, $3, $4)
             ON CONFLICT (slug) DO UPDATE SET markdown = excluded.markdown,
                updated_at = excluded.updated_at, updated_by = excluded.updated_by",
        )
        .bind(slug)
        .bind(markdown)
        .bind(Utc::now().timestamp())
        .bind(actor.user_id)
        .execute(&mut *tx)
        .await?;
        audit_in(
            &mut tx,
            actor,
            "page.edit",
            ("page", None),
            &format!("{slug}（{} 字）", markdown.chars().count()),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

/// The times of failed logins since `since`, for the name and from the address.
async fn failures_since(
    connection: &mut sqlx::AnyConnection,
    username: &str,
    address_hash: &str,
    since: DateTime<Utc>,
) -> Result<(Vec<i64>, Vec<i64>)> {
    let by_user: Vec<i64> =
        sqlx::query_scalar("SELECT at FROM login_failures WHERE username = $1 AND at >= $2")
            .bind(username)
            .bind(since.timestamp())
            .fetch_all(&mut *connection)
            .await?;
    let by_address: Vec<i64> =
        sqlx::query_scalar("SELECT at FROM login_failures WHERE address_hash = $1 AND at >= $2")
            .bind(address_hash)
            .bind(since.timestamp())
            .fetch_all(&mut *connection)
            .await?;
    Ok((by_user, by_address))
}
