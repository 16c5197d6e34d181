use domain::audit::AuditEntry;
use domain::{OperationId, Role, User, UserId};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::{Store, StoreError, WriteTx, codec};

/// A user to create; the password arrives already hashed (Argon2id, by the web crate).
#[derive(Debug, Clone)]
pub struct NewUser {
    pub username: String,
    pub role: Role,
    pub operation_id: Option<OperationId>,
    pub nation: Option<String>,
    pub password_hash: String,
}

pub(crate) fn user(row: &AnyRow) -> Result<User, StoreError> {
    Ok(User {
        id: codec::get_parsed(row, "id", "user id")?,
        username: row.try_get("username")?,
        role: codec::get_parsed(row, "role", "role")?,
        operation_id: codec::get_opt_parsed(row, "operation_id", "operation id")?,
        nation: row.try_get("nation")?,
        created_at: codec::get_time(row, "created_at")?,
    })
}

impl Store {
    /// The user and their password hash, for signing in.
    pub async fn find_login(&self, username: &str) -> Result<Option<(User, String)>, StoreError> {
        let row = sqlx::query("SELECT * FROM users WHERE username = $1")
            .bind(username)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| Ok((user(&r)?, r.try_get("password_hash")?)))
            .transpose()
    }

    pub async fn get_user(&self, id: UserId) -> Result<User, StoreError> {
        let row = sqlx::query("SELECT * FROM users WHERE id = $1")
            .bind(id.to_string())
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::not_found("user"))?;
        user(&row)
    }

    pub async fn list_users(&self) -> Result<Vec<User>, StoreError> {
        let rows = sqlx::query("SELECT * FROM users ORDER BY username")
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(user).collect()
    }
}

impl WriteTx {
    pub async fn create_user(&mut self, new: &NewUser) -> Result<User, StoreError> {
        let u = User {
            id: UserId::new(),
            username: new.username.clone(),
            role: new.role,
            operation_id: new.operation_id.clone(),
            nation: new.nation.clone(),
            created_at: self.now(),
        };
        sqlx::query(
            "INSERT INTO users (id, username, role, operation_id, nation, password_hash, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(u.id.to_string())
        .bind(&u.username)
        .bind(u.role.as_str())
        .bind(u.operation_id.as_ref().map(|o| o.as_str()))
        .bind(u.nation.as_deref())
        .bind(&new.password_hash)
        .bind(codec::time(u.created_at))
        .execute(self.conn())
        .await
        .map_err(|e| StoreError::on_unique(e, "this username is taken"))?;
        self.audit(AuditEntry::new("user.create", "user", u.id).detail(format!("role {}", u.role)))
            .await?;
        Ok(u)
    }
}
