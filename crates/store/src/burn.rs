//! The burn: when a post falls, an operation's personal data is made
//! unreadable by destroying every stored copy of its data key. Aggregates
//! (counts by status, scheme, movement) and the audit chain stay.

use domain::OperationId;
use domain::audit::AuditEntry;

use crate::{Backend, Store, StoreError, WriteTx, codec};

impl WriteTx {
    /// Destroys the operation's wrapped data key and the blind indexes and
    /// request records that only served its personal data. Call
    /// [`Store::after_burn`] once committed.
    pub async fn burn(&mut self, op: &OperationId) -> Result<(), StoreError> {
        let now = codec::time(self.now());
        let exists = sqlx::query("SELECT id FROM operations WHERE id = $1")
            .bind(op.as_str())
            .fetch_optional(self.conn())
            .await?;
        if exists.is_none() {
            return Err(StoreError::not_found("operation"));
        }
        // An operation without a key yet gets a burned entry, so none is made later.
        sqlx::query(
            "INSERT INTO operation_keys (operation_id, wrapped_key, created_at, burned_at) \
             VALUES ($1, NULL, $2, $2) ON CONFLICT (operation_id) DO UPDATE \
             SET wrapped_key = NULL, burned_at = COALESCE(operation_keys.burned_at, $2)",
        )
        .bind(op.as_str())
        .bind(&now)
        .execute(self.conn())
        .await?;
        // Passes already issued stay verifiable (public keys stay), but no
        // new one can be signed.
        sqlx::query("UPDATE signing_keys SET sealed_key = NULL WHERE operation_id = $1")
            .bind(op.as_str())
            .execute(self.conn())
            .await?;
        for table in ["name_tokens", "name_tokens_recent", "registration_requests"] {
            sqlx::query(&format!("DELETE FROM {table} WHERE operation_id = $1"))
                .bind(op.as_str())
                .execute(self.conn())
                .await?;
        }
        // Messages are sealed under the destroyed key; those not yet sent are
        // cancelled (never attempted again), and the addressees' blind indexes
        // go, so that not even "the same number" can be told any more.
        sqlx::query(
            "UPDATE outbox SET status = 'cancelled', last_error = 'burned', finished_at = $2, \
             lease_owner = NULL, lease_until = NULL WHERE operation_id = $1 AND status IN ('pending', 'sending')",
        )
        .bind(op.as_str())
        .bind(&now)
        .execute(self.conn())
        .await?;
        sqlx::query("UPDATE outbox SET addressee_index = NULL WHERE operation_id = $1")
            .bind(op.as_str())
            .execute(self.conn())
            .await?;
        // Links stop working: nobody can answer for a person any more.
        sqlx::query(
            "UPDATE roll_calls SET status = 'closed', closed_at = COALESCE(closed_at, $2) WHERE operation_id = $1",
        )
        .bind(op.as_str())
        .bind(&now)
        .execute(self.conn())
        .await?;
        self.audit(AuditEntry::new("operation.burn", "operation", op.as_str()))
            .await
    }
}

impl Store {
    /// After a burn has committed: forgets the key in memory and makes the
    /// database drop the old key's bytes (SQLite overwrites freed pages and
    /// empties its write-ahead log; PostgreSQL rewrites the key table).
    pub async fn after_burn(&self, op: &OperationId) -> Result<(), StoreError> {
        self.keys.burned(op);
        match self.backend {
            Backend::Sqlite => crate::checkpoint::truncate(&self.pool).await?,
            Backend::Postgres => {
                for table in ["operation_keys", "signing_keys"] {
                    sqlx::query(&format!("VACUUM FULL {table}"))
                        .execute(&self.pool)
                        .await?;
                }
            }
        }
        Ok(())
    }

    /// Writes a consistent copy of a SQLite database to `path` while it is in
    /// use (sealed fields stay sealed). PostgreSQL is copied with `pg_dump`.
    pub async fn backup_sqlite(&self, path: &std::path::Path) -> Result<(), StoreError> {
        if self.backend != Backend::Sqlite {
            return Err(StoreError::UnsupportedUrl);
        }
        sqlx::query("VACUUM INTO $1")
            .bind(path.to_string_lossy().into_owned())
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Whether the operation was burned.
    pub async fn is_burned(&self, op: &OperationId) -> Result<bool, StoreError> {
        Ok(matches!(self.data_key(op).await, Err(StoreError::Burned)))
    }
}
