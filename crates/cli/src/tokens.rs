//! `xinwen token ...`: tokens that let programs write through the API (`/api/v1/`) as an
//! editor or an admin would. A token is printed once, when it is made; the store keeps only
//! its digest, so a lost token is revoked and replaced, never shown again.

use crate::output::outln;
use anyhow::{Context, bail};
use clap::Subcommand;
use std::path::Path;
use xinwen_model::Role;
use xinwen_store::{Actor, Store};

#[derive(Subcommand)]
pub enum TokenCommand {
    /// Make a token and print it (once).
    Add {
        /// A name that says who uses it: letters, digits, `-`, `_` and `.`, up to 40.
        name: String,
        /// editor (moderates) or admin (also manages sources).
        #[arg(long, default_value = "editor")]
        role: Role,
    },
    /// List the tokens (never the tokens themselves).
    List {
        #[arg(long)]
        json: bool,
    },
    /// Revoke a token; programs using it are refused at once.
    Revoke { name: String },
}

/// The prefix of every token, so that one found in a log or a repository is recognisable.
pub const TOKEN_PREFIX: &str = "xw_";

fn check_name(name: &str) -> anyhow::Result<()> {
    let fine = (1..=40).contains(&name.chars().count())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if !fine {
        bail!("a token's name is 1 to 40 letters, digits, '-', '_' or '.', not {name:?}");
    }
    Ok(())
}

pub async fn run(command: TokenCommand, data_dir: &Path) -> anyhow::Result<()> {
    let store = crate::open_existing_store(data_dir).await?;
    let result = run_on(command, &store).await;
    store.close().await;
    result
}

async fn run_on(command: TokenCommand, store: &Store) -> anyhow::Result<()> {
    match command {
        TokenCommand::Add { name, role } => {
            check_name(&name)?;
            let token = format!("{TOKEN_PREFIX}{}", xinwen_accounts::new_token()?);
            store
                .add_api_token(
                    &name,
                    role,
                    &xinwen_accounts::token_digest(&token),
                    &Actor::operator(),
                )
                .await
                .with_context(|| format!("cannot add the token {name}"))?;
            outln!("{token}");
            eprintln!(
                "Token {name} ({role}) made. It is shown this once: keep it where the program \
                 that uses it can read it, and send it as `Authorization: Bearer TOKEN`."
            );
        }
        TokenCommand::List { json } => {
            let tokens = store.api_tokens().await?;
            if json {
                let list: Vec<_> = tokens
                    .iter()
                    .map(|t| {
                        serde_json::json!({
                            "name": t.name,
                            "role": t.role,
                            "created_at": t.created_at,
                            "last_used_at": t.last_used_at,
                            "revoked_at": t.revoked_at,
                        })
                    })
                    .collect();
                outln!("{}", serde_json::to_string_pretty(&list)?);
            } else if tokens.is_empty() {
                outln!("No tokens yet; make one with `xinwen token add NAME --role editor`.");
            } else {
                for t in tokens {
                    let used = t.last_used_at.map_or("never used".to_owned(), |u| {
                        format!("last used {}", u.format("%Y-%m-%d %H:%M"))
                    });
                    let state = t.revoked_at.map_or(String::new(), |r| {
                        format!(", revoked {}", r.format("%Y-%m-%d"))
                    });
                    outln!(
                        "{:<24} {:<7} made {}, {used}{state}",
                        t.name,
                        t.role,
                        t.created_at.format("%Y-%m-%d")
                    );
                }
            }
        }
        TokenCommand::Revoke { name } => {
            if !store.revoke_api_token(&name, &Actor::operator()).await? {
                bail!("no token named {name} is in use; `xinwen token list` shows them");
            }
            outln!("Revoked {name}; programs using it are refused from now on.");
        }
    }
    Ok(())
}
