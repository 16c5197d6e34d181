//! Fresh databases for tests: a SQLite file in a temporary directory, or a new
//! PostgreSQL database on the server named by `MUSTER_TEST_POSTGRES_URL`.
//! A missing PostgreSQL fails the test: the suite must run on both backends.

use sqlx::Connection;

use crate::{MasterKey, MasterKeySource, Store};

/// A fresh master key for a test store.
pub fn key() -> MasterKeySource {
    MasterKeySource::Key(MasterKey::generate())
}

pub const POSTGRES_ENV: &str = "MUSTER_TEST_POSTGRES_URL";

/// A store on a new SQLite file; keep the directory alive as long as the store.
pub async fn sqlite() -> (Store, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("temporary directory");
    let store = Store::connect(&crate::backend::sqlite_url_for_dir(dir.path()), key())
        .await
        .expect("open SQLite store");
    (store, dir)
}

/// Two stores on one new SQLite file, as two servers would open it.
pub async fn sqlite_pair() -> (Store, Store, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("temporary directory");
    let url = crate::backend::sqlite_url_for_dir(dir.path());
    let key = MasterKey::generate();
    let a = Store::connect(&url, MasterKeySource::Key(key.clone()))
        .await
        .expect("open SQLite store");
    let b = Store::connect(&url, MasterKeySource::Key(key))
        .await
        .expect("open SQLite store");
    (a, b, dir)
}

/// Two stores on one new PostgreSQL database, as two servers would open it.
pub async fn postgres_pair() -> (Store, Store) {
    let url = postgres_database().await;
    let key = MasterKey::generate();
    let a = Store::connect(&url, MasterKeySource::Key(key.clone()))
        .await
        .expect("open PostgreSQL store");
    let b = Store::connect(&url, MasterKeySource::Key(key))
        .await
        .expect("open PostgreSQL store");
    (a, b)
}

/// A store on a new, empty PostgreSQL database.
pub async fn postgres() -> Store {
    Store::connect(&postgres_database().await, key())
        .await
        .expect("open PostgreSQL store")
}

/// Makes a new, empty database on the test server and gives its URL.
async fn postgres_database() -> String {
    let admin_url = std::env::var(POSTGRES_ENV).unwrap_or_else(|_| {
        panic!(
            "{POSTGRES_ENV} is not set: run the suite with scripts/test, which starts PostgreSQL"
        )
    });
    let name = format!("muster_test_{}", uuid::Uuid::new_v4().simple());
    let mut admin = sqlx::PgConnection::connect(&admin_url)
        .await
        .expect("connect to the test PostgreSQL server");
    sqlx::Executor::execute(&mut admin, format!("CREATE DATABASE {name}").as_str())
        .await
        .expect("create test database");
    admin.close().await.ok();
    match admin_url.rsplit_once('/') {
        Some((base, _)) => format!("{base}/{name}"),
        None => panic!("{POSTGRES_ENV} must end with /DATABASE"),
    }
}

/// Checks a pass's token as any verifier does: against the operation's
/// published keys (its JWKS), with the `passes` crate. For the tests of
/// crates that do not depend on `passes` themselves.
pub async fn verify_pass(
    store: &Store,
    pass: &domain::pass::Pass,
) -> Result<passes::PassClaims, passes::PassError> {
    let keys = store
        .published_keys(&pass.operation_id)
        .await
        .expect("the operation's published keys");
    let jwks = passes::Jwks {
        keys: keys.iter().map(passes::Jwk::ed25519).collect(),
    };
    passes::verify(&pass.token, |kid| jwks.key(kid))
}

/// Runs each named `async fn(Store)` of the calling test file as two tests,
/// `sqlite::NAME` and `postgres::NAME`, each on a fresh database.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                let (store, _dir) = $crate::testing::sqlite().await;
                super::$name(store).await
            })*
        }
        mod postgres {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                super::$name($crate::testing::postgres().await).await
            })*
        }
    };
}

/// As [`on_both_backends!`] for `async fn(Store, Store)`: two stores on one
/// database, as two servers would open it.
#[macro_export]
macro_rules! on_both_backends_paired {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                let (a, b, _dir) = $crate::testing::sqlite_pair().await;
                super::$name(a, b).await
            })*
        }
        mod postgres {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                let (a, b) = $crate::testing::postgres_pair().await;
                super::$name(a, b).await
            })*
        }
    };
}
