//! `xinwen user ...` against a real data directory.

mod common;

use std::io::Write as _;
use std::process::{Command, Output, Stdio};

fn user(args: &[&str], data: &std::path::Path, stdin: Option<&str>) -> Output {
    let mut child = Command::new(common::BINARY)
        .arg("user")
        .args(args)
        .arg("--data")
        .arg(data)
        .env("XINWEN_LOG", "error")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    if let Some(text) = stdin {
        writeln!(input, "{text}").unwrap();
    }
    drop(input);
    child.wait_with_output().unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn accounts_are_added_listed_and_their_passwords_changed() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    let added = user(
        &["add", "zhang.san", "--role", "admin", "--password-stdin"],
        data,
        Some("a long enough password"),
    );
    assert!(added.status.success(), "{}", stderr(&added));

    let again = user(
        &["add", "zhang.san", "--password-stdin"],
        data,
        Some("another long password"),
    );
    assert!(!again.status.success());
    assert!(
        stderr(&again).contains("already exists"),
        "{}",
        stderr(&again)
    );

    let weak = user(&["add", "li", "--password-stdin"], data, Some("short"));
    assert!(!weak.status.success());
    assert!(
        stderr(&weak).contains("at least 10 characters"),
        "{}",
        stderr(&weak)
    );

    let odd = user(
        &["add", "<b>", "--password-stdin"],
        data,
        Some("a long enough password"),
    );
    assert!(stderr(&odd).contains("user name"), "{}", stderr(&odd));

    let role = user(
        &["add", "wang", "--role", "boss", "--password-stdin"],
        data,
        Some("a long enough password"),
    );
    assert!(stderr(&role).contains("admin, editor"), "{}", stderr(&role));

    // Without a terminal and without the flag, it says what to do instead of hanging.
    let no_tty = user(&["add", "zhao"], data, None);
    assert!(!no_tty.status.success());
    assert!(
        stderr(&no_tty).contains("--password-stdin"),
        "{}",
        stderr(&no_tty)
    );

    let changed = user(
        &["passwd", "zhang.san", "--password-stdin"],
        data,
        Some("a brand new password"),
    );
    assert!(changed.status.success(), "{}", stderr(&changed));
    // The new password opens the account and the old one no longer does.
    let (_, hash) = tokio::runtime::Runtime::new().unwrap().block_on(async {
        let store = xinwen_store::Store::open(data).await.unwrap();
        let account = store.user_for_login("zhang.san").await.unwrap().unwrap();
        store.close().await;
        account
    });
    assert!(xinwen_accounts::verify_password(
        "a brand new password",
        &hash
    ));
    assert!(!xinwen_accounts::verify_password(
        "a long enough password",
        &hash
    ));
    let missing = user(
        &["passwd", "nobody", "--password-stdin"],
        data,
        Some("a brand new password"),
    );
    assert!(
        stderr(&missing).contains("unknown user"),
        "{}",
        stderr(&missing)
    );

    let list = common::run_with_data(&["user", "list", "--json"], data);
    let users: serde_json::Value = serde_json::from_str(&list).unwrap();
    assert_eq!(users.as_array().unwrap().len(), 1);
    assert_eq!(users[0]["username"], "zhang.san");
    assert_eq!(users[0]["role"], "admin");
    let db = std::fs::read(data.join("xinwen.db")).unwrap();
    let text = String::from_utf8_lossy(&db);
    assert!(
        !text.contains("a brand new password"),
        "no password in the database"
    );
}
