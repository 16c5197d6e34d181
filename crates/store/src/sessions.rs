//! Server-side sessions. The browser holds a random token; the database holds
//! only its SHA-256, so a copy of the database opens no session.

use chrono::{DateTime, Utc};
use domain::audit::AuditEntry;
use domain::{User, UserId};
use sqlx::Row;

use crate::{Store, StoreError, WriteTx, codec, users};

#[derive(Debug, Clone)]
pub struct SessionRecord {
    pub user: User,
    pub csrf_token: String,
    pub expires_at: DateTime<Utc>,
}

impl Store {
    /// The live session for a token hash, if any.
    pub async fn find_session(
        &self,
        token_hash: &str,
    ) -> Result<Option<SessionRecord>, StoreError> {
        let row = sqlx::query(
            "SELECT u.*, s.csrf_token, s.expires_at FROM sessions s JOIN users u ON u.id = s.user_id \
             WHERE s.token_hash = $1 AND s.expires_at > $2",
        )
        .bind(token_hash)
        .bind(codec::time(codec::now()))
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| {
            Ok(SessionRecord {
                user: users::user(&r)?,
                csrf_token: r.try_get("csrf_token")?,
                expires_at: codec::get_time(&r, "expires_at")?,
            })
        })
        .transpose()
    }
}

impl WriteTx {
    pub async fn create_session(
        &mut self,
        token_hash: &str,
        user: UserId,
        csrf_token: &str,
        expires_at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let now = self.now();
        // Expired sessions go as new ones come, so the table never grows unbounded.
        sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
            .bind(codec::time(now))
            .execute(self.conn())
            .await?;
        sqlx::query("INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(token_hash)
            .bind(user.to_string())
            .bind(csrf_token)
            .bind(codec::time(now))
            .bind(codec::time(expires_at))
            .execute(self.conn())
            .await?;
        self.audit(AuditEntry::new("session.create", "user", user))
            .await
    }

    pub async fn delete_session(
        &mut self,
        token_hash: &str,
        user: UserId,
    ) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash)
            .execute(self.conn())
            .await?;
        self.audit(AuditEntry::new("session.delete", "user", user))
            .await
    }
}
