//! The people the site records: editors with accounts, and whoever an action is credited to.

use crate::Role;
use chrono::{DateTime, Utc};

/// An editor's or administrator's account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub role: Role,
    pub created_at: DateTime<Utc>,
}

/// Who did something, for the audit log: an editor, or the public / the command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub user_id: Option<i64>,
    pub name: String,
}

impl Actor {
    pub fn user(user: &User) -> Actor {
        Actor {
            user_id: Some(user.id),
            name: user.username.clone(),
        }
    }

    /// A reader or rights holder using a public form.
    pub fn public() -> Actor {
        Actor {
            user_id: None,
            name: "public".into(),
        }
    }

    /// The operator at the command line.
    pub fn operator() -> Actor {
        Actor {
            user_id: None,
            name: "command line".into(),
        }
    }
}
