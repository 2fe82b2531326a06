//! `xinwen user ...`: the editors' accounts. Passwords are asked for on the terminal (twice,
//! without echo) or read from standard input with `--password-stdin`, never taken as an
//! argument, where `ps` and shell history would show them.

use crate::output::outln;
use anyhow::{Context, bail};
use clap::Subcommand;
use std::io::{BufRead, IsTerminal};
use std::path::Path;
use xinwen_model::Role;
use xinwen_store::Store;

#[derive(Subcommand)]
pub enum UserCommand {
    /// Add an account.
    Add {
        username: String,
        /// editor (moderates) or admin (also manages sources, pages and sees accounts).
        #[arg(long, default_value = "editor")]
        role: Role,
        /// Read the password from the first line of standard input.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Set a new password; the account's sessions end.
    Passwd {
        username: String,
        #[arg(long)]
        password_stdin: bool,
    },
    /// List the accounts.
    List {
        #[arg(long)]
        json: bool,
    },
}

/// Runs a user command on the store in `data_dir`. `add` creates the store when there is none
/// (the first account is how a new site starts); the others need one.
pub async fn run(command: UserCommand, data_dir: &Path) -> anyhow::Result<()> {
    let store = match &command {
        UserCommand::Add { username, .. } => {
            // A name that would be refused leaves no new store behind.
            xinwen_accounts::check_username(username)?;
            crate::open_store_creating(data_dir).await?
        }
        _ => crate::open_existing_store(data_dir).await?,
    };
    let result = run_on(command, &store).await;
    store.close().await;
    result
}

async fn run_on(command: UserCommand, store: &Store) -> anyhow::Result<()> {
    match command {
        UserCommand::Add {
            username,
            role,
            password_stdin,
        } => {
            xinwen_accounts::check_username(&username)?;
            let password = read_password(password_stdin)?;
            xinwen_accounts::check_password(&username, &password)?;
            let hash = hash(password).await?;
            store
                .add_user(&username, &hash, role)
                .await
                .with_context(|| format!("cannot add {username}"))?;
            outln!("Added {username} ({role}). Log in at /admin/login.");
        }
        UserCommand::Passwd {
            username,
            password_stdin,
        } => {
            let password = read_password(password_stdin)?;
            xinwen_accounts::check_password(&username, &password)?;
            let hash = hash(password).await?;
            store
                .set_password(&username, &hash)
                .await
                .with_context(|| format!("cannot change the password of {username}"))?;
            outln!("Changed the password of {username}; its sessions have ended.");
        }
        UserCommand::List { json } => {
            let users = store.users().await?;
            if json {
                let list: Vec<_> = users
                    .iter()
                    .map(|u| {
                        serde_json::json!({
                            "username": u.username,
                            "role": u.role,
                            "created_at": u.created_at,
                        })
                    })
                    .collect();
                outln!("{}", serde_json::to_string_pretty(&list)?);
            } else if users.is_empty() {
                outln!("No accounts yet; add one with `xinwen user add NAME --role admin`.");
            } else {
                for u in users {
                    outln!(
                        "{:<24} {:<7} since {}",
                        u.username,
                        u.role,
                        u.created_at.format("%Y-%m-%d")
                    );
                }
            }
        }
    }
    Ok(())
}

async fn hash(password: String) -> anyhow::Result<String> {
    Ok(tokio::task::spawn_blocking(move || xinwen_accounts::hash_password(&password)).await??)
}

fn read_password(from_stdin: bool) -> anyhow::Result<String> {
    if from_stdin {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .context("cannot read the password from standard input")?;
        return Ok(line.trim_end_matches(['\n', '\r']).to_owned());
    }
    if !std::io::stdin().is_terminal() {
        bail!("no terminal to ask for the password on; pass --password-stdin and pipe it in");
    }
    let first = rpassword::prompt_password("Password: ").context("cannot read the password")?;
    let again = rpassword::prompt_password("Again: ").context("cannot read the password")?;
    if first != again {
        bail!("the two passwords differ; nothing was changed");
    }
    Ok(first)
}

/// The key that hashes visitors' addresses, kept in the data directory so that rate limits
/// and login throttling count the same address the same way across restarts.
pub fn address_key(data_dir: &Path) -> anyhow::Result<String> {
    let path = data_dir.join("site.key");
    match std::fs::read_to_string(&path) {
        Ok(key) if key.trim().len() >= 32 => return Ok(key.trim().to_owned()),
        Ok(_) => bail!(
            "{} is too short to be a key; delete it to make a new one",
            path.display()
        ),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
    }
    let key = xinwen_accounts::new_token()?;
    std::fs::write(&path, &key).with_context(|| format!("cannot write {}", path.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600));
    }
    Ok(key)
}
