//! One store test suite for every backend: each test is a function of the [`Backend`] it runs
//! on, and [`on_each_backend!`] makes a `#[tokio::test]` of it for SQLite (a file in a temporary
//! directory) and for PostgreSQL (a new database on the test server, or a line saying it skips
//! when there is none; see `xinwen_test_support::postgres_available`).

// Each test file uses a part of what is here.
#![allow(dead_code)]

use std::ops::Deref;
use xinwen_store::{Backend, Store};

/// A store for one test, with what it needs to be opened again.
pub struct TestStore {
    pub dir: tempfile::TempDir,
    pub database_url: Option<String>,
    store: Store,
}

impl TestStore {
    pub async fn new(backend: Backend) -> TestStore {
        let dir = tempfile::tempdir().unwrap();
        let database_url = match backend {
            Backend::Sqlite => None,
            Backend::Postgres => Some(xinwen_test_support::postgres_database().await),
        };
        let store = Store::connect(dir.path(), database_url.as_deref())
            .await
            .unwrap();
        TestStore {
            dir,
            database_url,
            store,
        }
    }

    /// The same database, opened again as a new process would.
    pub async fn reopen(&self) -> Store {
        Store::connect(self.dir.path(), self.database_url.as_deref())
            .await
            .unwrap()
    }
}

impl Deref for TestStore {
    type Target = Store;

    fn deref(&self) -> &Store {
        &self.store
    }
}

/// Makes `sqlite::NAME` and `postgres::NAME` tests of each `async fn NAME(backend: Backend)`.
#[macro_export]
macro_rules! on_each_backend {
    ($($test:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test]
                async fn $test() {
                    super::$test(xinwen_store::Backend::Sqlite).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test]
                async fn $test() {
                    if xinwen_test_support::postgres_available() {
                        super::$test(xinwen_store::Backend::Postgres).await;
                    }
                }
            )*
        }
    };
}
