//! The operations' data keys: created with an operation, kept wrapped by the
//! master key in `operation_keys`, unwrapped once and cached in memory, and
//! destroyed by the burn.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use domain::OperationId;
use sqlx::{AnyConnection, Row};

use crate::StoreError;
use crate::sealing::{DataKey, MasterKey};

enum KeyState {
    Live(Arc<DataKey>, Instant),
    Burned,
}

/// How long an unwrapped key is trusted without looking at the database
/// again: a burn on another server reaches this one within this time.
const KEY_TTL: Duration = Duration::from_secs(30);

pub(crate) struct Keyring {
    master: MasterKey,
    cache: Mutex<HashMap<OperationId, KeyState>>,
}

impl Keyring {
    pub(crate) fn new(master: MasterKey) -> Self {
        Self {
            master,
            cache: Mutex::new(HashMap::new()),
        }
    }

    /// The key while it is held and fresh, or the burn that took it.
    pub(crate) fn cached(&self, op: &OperationId) -> Option<Result<Arc<DataKey>, StoreError>> {
        let cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
        match cache.get(op)? {
            KeyState::Live(k, at) if at.elapsed() < KEY_TTL => Some(Ok(k.clone())),
            KeyState::Live(..) => None,
            KeyState::Burned => Some(Err(StoreError::Burned)),
        }
    }

    /// The operation's data key; with `create`, one is made (and stored in
    /// the caller's transaction) for an operation that has none yet.
    pub(crate) async fn data_key(
        &self,
        conn: &mut AnyConnection,
        op: &OperationId,
        create: Option<&str>,
    ) -> Result<Arc<DataKey>, StoreError> {
        if let Some(k) = self.cached(op) {
            return k;
        }
        let row = sqlx::query("SELECT wrapped_key FROM operation_keys WHERE operation_id = $1")
            .bind(op.as_str())
            .fetch_optional(&mut *conn)
            .await?;
        let state = match row {
            Some(row) => match row.try_get::<Option<Vec<u8>>, _>("wrapped_key")? {
                None => KeyState::Burned,
                Some(wrapped) => KeyState::Live(
                    Arc::new(DataKey::unwrap(&self.master, op, &wrapped).ok_or(
                        StoreError::Corrupt {
                            what: "operation key",
                        },
                    )?),
                    Instant::now(),
                ),
            },
            None => {
                let Some(now) = create else {
                    return Err(StoreError::not_found("operation key"));
                };
                let (key, wrapped) = DataKey::generate(&self.master, op);
                sqlx::query(
                    "INSERT INTO operation_keys (operation_id, wrapped_key, created_at) VALUES ($1, $2, $3)",
                )
                .bind(op.as_str())
                .bind(wrapped)
                .bind(now)
                .execute(&mut *conn)
                .await?;
                // Not cached until the transaction commits: a rollback forgets it.
                return Ok(Arc::new(key));
            }
        };
        let result = match &state {
            KeyState::Live(k, _) => Ok(k.clone()),
            KeyState::Burned => Err(StoreError::Burned),
        };
        self.cache
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(op.clone(), state);
        result
    }

    /// The master key, for sealing what is sealed under it directly (the
    /// operations' pass-signing keys).
    pub(crate) fn master(&self) -> &MasterKey {
        &self.master
    }

    /// Drops the key from memory for good: the operation was burned.
    pub(crate) fn burned(&self, op: &OperationId) {
        let mut cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
        cache.insert(op.clone(), KeyState::Burned);
    }
}
