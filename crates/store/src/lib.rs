//! Muster's store: one interface over SQLite (the default, a file in the data
//! directory) and PostgreSQL (for large or multi-server deployments).
//!
//! Reads go straight to the pool through [`Store`]. Every write goes through a
//! [`WriteTx`], which appends an audit event for each change and commits the
//! change and its events together, or neither.
//!
//! Both backends run the same portable SQL through sqlx's `Any` driver, with
//! `$n` parameters (which SQLite also understands); what differs between them
//! (connection set-up, migrations) lives in [`backend`].

mod alerts;
mod audit;
pub mod backend;
mod burn;
mod cases;
mod checkpoint;
mod codec;
mod decisions;
mod duplicates;
mod error;
mod exports;
mod keyring;
mod movements;
mod name_index;
mod operations;
pub mod outbox;
mod passes;
mod plans;
mod posts;
pub mod priority;
mod quotas;
mod registrar;
mod registrations;
mod roll_calls;
mod schemes;
pub mod sealing;
mod sessions;
#[cfg(any(test, feature = "testing"))]
pub mod testing;
mod tx;
mod users;

pub use audit::ChainReport;
pub use backend::Backend;
pub use cases::CaseFilter;
pub use duplicates::{RegistryChanges, RegistryPerson};
pub use error::StoreError;
pub use exports::{
    CaseCount, Imported, PfifPersonImport, StatusEvent, StoredPfifNote, StoredPfifPerson,
};
pub use outbox::{
    AttemptRecord, Channel, ClaimedMessage, HouseholdMessage, MessageState, NewMessage, Outcome,
};
pub use passes::{GatePass, IssuedPass};
pub use plans::{Approval, PlanningInput, SeatHolder};
pub use quotas::QuotaUsage;
pub use registrar::Registrar;
pub use registrations::{Registered, RegistrationAccess, RegistrationRequest};
pub use roll_calls::{Reply, Started, token_hash};
pub use sealing::{KeyError, MasterKey};
pub use sessions::SessionRecord;
pub use tx::WriteTx;
pub use users::NewUser;

use serde::Serialize;
use sqlx::Row;

/// A handle on the database; cheap to clone.
#[derive(Clone, Debug)]
pub struct Store {
    pool: sqlx::AnyPool,
    backend: Backend,
    keys: std::sync::Arc<keyring::Keyring>,
    /// SQLite's writers of this process queue here, in turn (see [`tx`]).
    write_gate: Option<std::sync::Arc<tokio::sync::Mutex<()>>>,
    /// SQLite's writer connection (see [`Backend::open_writer`]).
    writer: Option<sqlx::AnyPool>,
    /// SQLite's checkpoints, while any handle lives (see [`checkpoint`]).
    checkpointer: Option<std::sync::Arc<checkpoint::Checkpointer>>,
}

impl std::fmt::Debug for keyring::Keyring {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Keyring(..)")
    }
}

/// Where the master key comes from.
#[derive(Debug, Clone)]
pub enum MasterKeySource {
    /// A key (from a key file or the environment).
    Key(MasterKey),
    /// A passphrase, turned into a key with Argon2id and the database's salt.
    Passphrase(String),
}

/// One page of a list, with the total for paging links.
#[derive(Debug, Clone, Serialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: i64,
    /// The total is a floor: a name search stops counting at
    /// [`Page::COUNTED_UP_TO`] (more would not help anyone read the list).
    pub more: bool,
    pub page: u32,
    pub per_page: u32,
}

impl<T> Page<T> {
    pub const COUNTED_UP_TO: i64 = 1_000;

    pub fn pages(&self) -> u32 {
        u32::try_from((self.total.max(0) as u64).div_ceil(u64::from(self.per_page.max(1))))
            .unwrap_or(u32::MAX)
    }
}

/// Paging as asked for: pages count from 1, and a page holds at most 200 rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Paging {
    pub page: u32,
    pub per_page: u32,
}

impl Default for Paging {
    fn default() -> Self {
        Self {
            page: 1,
            per_page: 50,
        }
    }
}

impl Paging {
    pub const MAX_PER_PAGE: u32 = 200;

    pub fn new(page: Option<u32>, per_page: Option<u32>) -> Self {
        Self {
            page: page.unwrap_or(1).max(1),
            per_page: per_page.unwrap_or(50).clamp(1, Self::MAX_PER_PAGE),
        }
    }

    fn offset(self) -> i64 {
        i64::from(self.page - 1) * i64::from(self.per_page)
    }
}

impl Store {
    /// Opens (creating if needed) the database at `url` and brings its schema
    /// up to date. `sqlite://PATH` or `postgres://...`. A database remembers
    /// which master key it was made with and refuses any other.
    pub async fn connect(url: &str, master: MasterKeySource) -> Result<Self, StoreError> {
        let backend = Backend::from_url(url)?;
        let pool = backend.open_pool(url).await?;
        backend.migrate(&pool).await?;
        let salt = hex::encode(rand::random::<[u8; 16]>());
        // The first start of a database records the salt and the key's check value.
        sqlx::query(
            "INSERT INTO keyring (id, check_value, passphrase_salt) VALUES (1, NULL, $1) \
             ON CONFLICT (id) DO NOTHING",
        )
        .bind(&salt)
        .execute(&pool)
        .await?;
        let row = sqlx::query("SELECT check_value, passphrase_salt FROM keyring WHERE id = 1")
            .fetch_one(&pool)
            .await?;
        let master = match master {
            MasterKeySource::Key(k) => k,
            MasterKeySource::Passphrase(p) => {
                let salt: String = row.try_get("passphrase_salt")?;
                MasterKey::from_passphrase(&p, salt.as_bytes())?
            }
        };
        let check = master.check_value();
        match row.try_get::<Option<String>, _>("check_value")? {
            Some(known) if known != check => return Err(StoreError::WrongMasterKey),
            Some(_) => {}
            None => {
                sqlx::query(
                    "UPDATE keyring SET check_value = $1 WHERE id = 1 AND check_value IS NULL",
                )
                .bind(&check)
                .execute(&pool)
                .await?;
            }
        }
        let store = Self {
            pool,
            backend,
            keys: std::sync::Arc::new(keyring::Keyring::new(master)),
            write_gate: (backend == Backend::Sqlite).then(std::sync::Arc::default),
            writer: backend.open_writer(url).await?,
            checkpointer: backend.open_checkpointer(url).await?.map(Into::into),
        };
        store.backfill_provinces().await?;
        Ok(store)
    }

    /// An operation's data key, for reading its sealed fields.
    pub(crate) async fn data_key(
        &self,
        op: &domain::OperationId,
    ) -> Result<std::sync::Arc<sealing::DataKey>, StoreError> {
        // A key held needs no connection.
        if let Some(key) = self.keys.cached(op) {
            return key;
        }
        let mut conn = self.pool.acquire().await?;
        self.keys.data_key(&mut conn, op, None).await
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Starts a write on behalf of `actor`. Writers queue here, one at a time.
    pub async fn write(&self, actor: domain::audit::Actor) -> Result<WriteTx, StoreError> {
        WriteTx::begin(
            self.writer.as_ref().unwrap_or(&self.pool),
            self.write_gate.as_ref(),
            self.keys.clone(),
            self.backend,
            actor,
        )
        .await
    }

    /// For tests that must tamper with rows behind the application's back.
    #[cfg(any(test, feature = "testing"))]
    pub fn pool(&self) -> &sqlx::AnyPool {
        &self.pool
    }

    pub async fn close(&self) {
        if let Some(checkpointer) = &self.checkpointer {
            checkpointer.stop();
        }
        if let Some(writer) = &self.writer {
            writer.close().await;
        }
        self.pool.close().await;
    }
}
