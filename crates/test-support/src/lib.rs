//! Helpers for tests only; nothing in the product depends on this crate.
//!
//! [`browser`] drives Debian's headless Chromium over the DevTools protocol, so that page tests
//! run in a real browser: a small client of our own over a WebSocket, because the protocol
//! messages we need are few and the crates that wrap all of it break with new Chromium
//! releases when they meet events they do not know. [`hostile`] makes the text outsiders send,
//! for the property tests that every function reading it must pass without a panic.

pub mod browser;
pub mod hostile;

use std::path::PathBuf;

/// A directory of the public evaluation data in ../shared/data, which never enters the
/// repository; `None` (and a line saying the test skips) when it is absent.
/// `XINWEN_SHARED_DATA` overrides where it is looked for. With `XINWEN_REQUIRE_SHARED_DATA=1`
/// (the README's test command sets it wherever the data is laid out, CI included) an absent
/// set fails the test instead: a test that silently checks nothing is worse than none.
pub fn shared_data(what: &str) -> Option<PathBuf> {
    let dir = std::env::var_os("XINWEN_SHARED_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data"));
    let path = dir.join(what);
    if path.exists() {
        Some(path)
    } else if required("XINWEN_REQUIRE_SHARED_DATA") {
        panic!(
            "XINWEN_REQUIRE_SHARED_DATA=1 but {} is not there (the shared evaluation data)",
            path.display()
        );
    } else {
        eprintln!(
            "SKIPPED: {} is not there (the shared evaluation data)",
            path.display()
        );
        None
    }
}

/// Whether a test that needs something outside the repository (the shared data, a browser,
/// Python) must fail rather than skip without it: `VARIABLE=1`.
pub fn required(variable: &str) -> bool {
    std::env::var(variable).is_ok_and(|v| v == "1")
}

/// Says how many cases a data-driven test compared, on standard output (`cargo test --
/// --nocapture` shows it), and fails it when that is none: a test over a data set that found
/// nothing to compare has checked nothing.
pub fn compared(what: &str, count: usize) {
    println!("COMPARED: {count} {what}");
    assert!(count > 0, "no {what} were compared");
}

/// The variable naming the PostgreSQL server tests may create databases on, as a URL whose user
/// may `CREATE DATABASE` (`scripts/test.sh` starts a throwaway server and sets it).
pub const TEST_DATABASE_URL: &str = "XINWEN_TEST_DATABASE_URL";

/// Whether tests have a PostgreSQL server: `false` (and a line saying the test skips) without
/// one, a failed test with `XINWEN_REQUIRE_POSTGRES=1`, as the README's test command sets.
pub fn postgres_available() -> bool {
    if std::env::var_os(TEST_DATABASE_URL).is_some() {
        return true;
    }
    if required("XINWEN_REQUIRE_POSTGRES") {
        panic!("XINWEN_REQUIRE_POSTGRES=1 but {TEST_DATABASE_URL} is not set");
    }
    eprintln!(
        "SKIPPED: no PostgreSQL server ({TEST_DATABASE_URL} is not set; scripts/test.sh starts one)"
    );
    false
}

/// A new, empty database on the test server, for one test: its URL. Each call makes another,
/// so that tests running at once never see each other's rows; the server is thrown away with
/// them. Panics (failing the test) when the server named by [`TEST_DATABASE_URL`] cannot make
/// one; call [`postgres_available`] first.
pub async fn postgres_database() -> String {
    use sqlx::{Connection, Executor};
    static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let server = std::env::var(TEST_DATABASE_URL)
        .unwrap_or_else(|_| panic!("{TEST_DATABASE_URL} is not set"));
    let name = format!(
        "xinwen_test_{}_{}",
        std::process::id(),
        NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    );
    let mut connection = sqlx::PgConnection::connect(&server)
        .await
        .unwrap_or_else(|e| panic!("cannot connect to the test server {server}: {e}"));
    connection
        .execute(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .await
        .unwrap_or_else(|e| panic!("cannot create database {name}: {e}"));
    connection.close().await.ok();
    let mut url = url::Url::parse(&server).expect("the test server's URL parses");
    url.set_path(&name);
    url.to_string()
}

/// The backend tests that build a whole site run on: SQLite, or PostgreSQL when
/// `XINWEN_TEST_BACKEND=postgres` (`scripts/test.sh` runs those suites a second time so): the
/// database URL to give `Store::connect`, a new database each call, or `None` for SQLite.
pub async fn site_database() -> Option<String> {
    match std::env::var("XINWEN_TEST_BACKEND").as_deref() {
        Ok("postgres") => Some(postgres_database().await),
        Ok("sqlite") | Err(_) => None,
        Ok(other) => panic!("XINWEN_TEST_BACKEND={other:?}: give sqlite or postgres"),
    }
}
