//! What differs between SQLite and PostgreSQL: how to connect, how to set a
//! connection up, and each one's migrations.

use std::str::FromStr;
use std::sync::Once;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, Executor};

use crate::StoreError;
use crate::checkpoint::Checkpointer;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

impl Backend {
    pub fn from_url(url: &str) -> Result<Self, StoreError> {
        if url.starts_with("sqlite:") {
            Ok(Self::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Self::Postgres)
        } else {
            Err(StoreError::UnsupportedUrl)
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Sqlite => "sqlite",
            Self::Postgres => "postgres",
        }
    }

    pub(crate) async fn open_pool(self, url: &str) -> Result<AnyPool, StoreError> {
        let options = any_options(url)?;
        let pool = match self {
            // WAL lets readers run beside the one writer; synchronous=FULL syncs
            // the log at every commit, so an acknowledged write survives a power cut;
            // secure_delete overwrites freed content, so a burnt key leaves no bytes;
            // SQLite's default page cache of 2 MiB a connection: a reader's cache
            // is dropped whenever another connection has written, which in a
            // surge is every few milliseconds, and the rest of a large registry's
            // file is read from the system's cache, which is not counted against
            // the server (at 1,000,000 persons, 4 MiB caches peaked at 515 MiB
            // and 2 MiB ones at 498; eight of 16 MiB once took 128 MiB).
            Self::Sqlite => {
                sqlite_pool(8, "PRAGMA cache_size = -2048;".into())
                    .connect_with(options)
                    .await?
            }
            Self::Postgres => {
                AnyPoolOptions::new()
                    .max_connections(16)
                    .acquire_timeout(Duration::from_secs(10))
                    .connect_with(options)
                    .await?
            }
        };
        Ok(pool)
    }

    /// SQLite's writer: one connection of its own, through which this process's
    /// writes go in turn. A connection drops its whole page cache whenever another
    /// connection has written since it last read, so in a surge the readers' caches
    /// never stay warm; the writer's does, since the last change is its own, and it
    /// holds the pages that each insert descends through (the indexes of the
    /// registry's tables). It is kept for the life of the pool (no idle
    /// timeout, no lifetime), so the cache stays. None on PostgreSQL, whose
    /// writers share the pool.
    ///
    /// Its thread runs at the process's priority, as the registrar's does: in
    /// a surge every registration waits on them, and at background priority
    /// they spent more time waiting for a core than running (the rate rose
    /// from 2,820-2,860 to 3,280-3,470 a second when they stopped yielding,
    /// while the officers' search p99 went from 20-22 to 29 ms).
    pub(crate) async fn open_writer(self, url: &str) -> Result<Option<AnyPool>, StoreError> {
        match self {
            Self::Sqlite => {
                // Checkpoints are the checkpointer's; this one is the backstop.
                let settings = format!(
                    "PRAGMA cache_size = -16384; PRAGMA wal_autocheckpoint = {};",
                    crate::checkpoint::WRITER_CHECKPOINTS_AT
                );
                Ok(Some(kept_connection(url, settings)?.await?))
            }
            Self::Postgres => Ok(None),
        }
    }

    /// SQLite's checkpointer (see `checkpoint`): one connection of its own at
    /// background priority, with a small page cache (a checkpoint copies the
    /// log's pages without it). None on PostgreSQL.
    pub(crate) async fn open_checkpointer(
        self,
        url: &str,
    ) -> Result<Option<Checkpointer>, StoreError> {
        match self {
            Self::Sqlite => {
                let pool = background_connection(url, "PRAGMA cache_size = -256;".into()).await?;
                Ok(Some(Checkpointer::start(pool)))
            }
            Self::Postgres => Ok(None),
        }
    }

    pub(crate) async fn migrate(self, pool: &AnyPool) -> Result<(), StoreError> {
        match self {
            Self::Sqlite => SQLITE_MIGRATIONS.run(pool).await?,
            Self::Postgres => POSTGRES_MIGRATIONS.run(pool).await?,
        }
        Ok(())
    }
}

/// Options for `url`, once sqlx knows the drivers the `Any` pool dispatches to.
fn any_options(url: &str) -> Result<AnyConnectOptions, StoreError> {
    static DRIVERS: Once = Once::new();
    DRIVERS.call_once(sqlx::any::install_default_drivers);
    Ok(AnyConnectOptions::from_str(url)?)
}

/// One SQLite connection, kept for the life of the pool (no idle timeout,
/// no lifetime), opened when the future is awaited.
fn kept_connection(
    url: &str,
    settings: String,
) -> Result<impl Future<Output = Result<AnyPool, sqlx::Error>> + Send + 'static, StoreError> {
    Ok(sqlite_pool(1, settings)
        .idle_timeout(None)
        .max_lifetime(None)
        .connect_with(any_options(url)?))
}

/// A [`kept_connection`] opened from a background thread, so that its own
/// thread runs at background priority.
async fn background_connection(url: &str, settings: String) -> Result<AnyPool, StoreError> {
    crate::priority::spawn(kept_connection(url, settings)?)
        .await
        .map_err(|e| match e.try_into_panic() {
            Ok(panic) => std::panic::resume_unwind(panic),
            Err(_) => StoreError::Unavailable,
        })?
        .map_err(Into::into)
}

/// A pool of SQLite connections, each set up as described in [`Backend::open_pool`]
/// and then with `settings` (its page cache's size, its checkpoints).
fn sqlite_pool(connections: u32, settings: String) -> AnyPoolOptions {
    let settings: std::sync::Arc<str> = settings.into();
    AnyPoolOptions::new()
        .max_connections(connections)
        // A connection to a local file does not drop; testing it before each
        // use would cost every query another round trip to its thread.
        .test_before_acquire(false)
        .after_connect(move |conn, _| {
            let settings = settings.clone();
            Box::pin(async move {
                conn.execute(
                    "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; \
                     PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000; \
                     PRAGMA secure_delete = ON;",
                )
                .await?;
                conn.execute(&*settings).await?;
                Ok(())
            })
        })
}

/// The SQLite URL for a data directory: the file is created on first start.
pub fn sqlite_url_for_dir(dir: &std::path::Path) -> String {
    format!("sqlite://{}?mode=rwc", dir.join("muster.db").display())
}
