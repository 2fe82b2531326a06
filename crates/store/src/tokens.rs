//! API tokens: named, with a role, kept as digests, revoked rather than deleted so that the
//! audit log's entries keep their author.

use crate::accounts::audit_in;
use crate::{Error, Result, Store, from_timestamp};
use chrono::{DateTime, Utc};
use sqlx::Row;
use xinwen_model::Actor;
use xinwen_model::Role;

/// A token as the admin lists it (never the token itself).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiToken {
    pub id: i64,
    pub name: String,
    pub role: Role,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

impl ApiToken {
    /// Who acts, in the audit log, when a program writes with this token.
    pub fn actor(&self) -> Actor {
        Actor {
            user_id: None,
            name: format!("{}{}", TOKEN_ACTOR_PREFIX, self.name),
        }
    }
}

/// How the audit log names a token's actions: `token:NAME`.
pub const TOKEN_ACTOR_PREFIX: &str = "token:";

/// A token's last use is written at most this often: a busy program would otherwise write on
/// every request.
const LAST_USED_EVERY_SECS: i64 = 60;

fn from_row(row: &sqlx::any::AnyRow) -> Result<ApiToken> {
    let role: String = row.try_get("role")?;
    Ok(ApiToken {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        role: role
            .parse()
            .map_err(|_| Error::Corrupt(format!("api_tokens.role {role:?}")))?,
        created_at: from_timestamp(row.try_get("created_at")?),
        last_used_at: row
            .try_get::<Option<i64>, _>("last_used_at")?
            .map(from_timestamp),
        revoked_at: row
            .try_get::<Option<i64>, _>("revoked_at")?
            .map(from_timestamp),
    })
}

impl Store {
    /// Records a new token by its digest; the name must be new.
    pub async fn add_api_token(
        &self,
        name: &str,
        role: Role,
        digest: &str,
        actor: &Actor,
    ) -> Result<i64> {
        let mut tx = self.write_transaction().await?;
        let taken: Option<i64> = sqlx::query_scalar("SELECT id FROM api_tokens WHERE name = $1")
            .bind(name)
            .fetch_optional(&mut *tx)
            .await?;
        if taken.is_some() {
            return Err(Error::Conflict {
                what: "API token",
                key: name.to_owned(),
            });
        }
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO api_tokens (name, role, digest, created_at) VALUES ($1, $2, $3, $4)
             RETURNING id",
        )
        .bind(name)
        .bind(role.as_str())
        .bind(digest)
        .bind(Utc::now().timestamp())
        .fetch_one(&mut *tx)
        .await?;
        audit_in(
            &mut tx,
            actor,
            "token.add",
            ("token", Some(id)),
            &format!("{name}（{}）", role.label_zh()),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Every token, newest first, revoked ones included.
    pub async fn api_tokens(&self) -> Result<Vec<ApiToken>> {
        let rows = sqlx::query(
            "SELECT id, name, role, created_at, last_used_at, revoked_at FROM api_tokens
             ORDER BY id DESC",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(from_row).collect()
    }

    /// The live token with this digest, if any; notes that it was used.
    pub async fn api_token_by_digest(&self, digest: &str) -> Result<Option<ApiToken>> {
        let row = sqlx::query(
            "SELECT id, name, role, created_at, last_used_at, revoked_at FROM api_tokens
             WHERE digest = $1 AND revoked_at IS NULL",
        )
        .bind(digest)
        .fetch_optional(&self.pool)
        .await?;
        let Some(token) = row.as_ref().map(from_row).transpose()? else {
            return Ok(None);
        };
        let now = Utc::now().timestamp();
        if token
            .last_used_at
            .is_none_or(|t| now - t.timestamp() >= LAST_USED_EVERY_SECS)
        {
            sqlx::query("UPDATE api_tokens SET last_used_at = $1 WHERE id = $2")
                .bind(now)
                .bind(token.id)
                .execute(&self.pool)
                .await?;
        }
        Ok(Some(token))
    }

    /// Revokes a token by its name; it stops working at once. `false` when there is no live
    /// token by that name.
    pub async fn revoke_api_token(&self, name: &str, actor: &Actor) -> Result<bool> {
        let mut tx = self.write_transaction().await?;
        let id: Option<i64> = sqlx::query_scalar(
            "UPDATE api_tokens SET revoked_at = $1 WHERE name = $2 AND revoked_at IS NULL
             RETURNING id",
        )
        .bind(Utc::now().timestamp())
        .bind(name)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(id) = id else {
            return Ok(false);
        };
        audit_in(&mut tx, actor, "token.revoke", ("token", Some(id)), name).await?;
        tx.commit().await?;
        Ok(true)
    }
}
