use domain::audit::AuditEntry;
use domain::scheme::{NewScheme, Scheme, SchemeUpdate};
use domain::{OperationId, SchemeId};
use eligibility::CompiledScheme;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::{Store, StoreError, WriteTx, codec};

pub(crate) fn scheme(row: &AnyRow) -> Result<Scheme, StoreError> {
    Ok(Scheme {
        id: codec::get_parsed(row, "id", "scheme id")?,
        operation_id: codec::get_parsed(row, "operation_id", "operation id")?,
        code: row.try_get("code")?,
        name: row.try_get("name")?,
        nation: row.try_get("nation")?,
        description: row.try_get("description")?,
        quota_principals: codec::get_opt_u32(row, "quota_principals")?,
        quota_persons: codec::get_opt_u32(row, "quota_persons")?,
        movement_nations: codec::get_json(row, "movement_nations", "nation list")?,
    })
}

impl Store {
    pub async fn get_scheme(&self, id: SchemeId) -> Result<Scheme, StoreError> {
        let row = sqlx::query("SELECT * FROM schemes WHERE id = $1")
            .bind(id.to_string())
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::not_found("scheme"))?;
        scheme(&row)
    }

    pub async fn list_schemes(&self, op: &OperationId) -> Result<Vec<Scheme>, StoreError> {
        let rows = sqlx::query("SELECT * FROM schemes WHERE operation_id = $1 ORDER BY code")
            .bind(op.as_str())
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(scheme).collect()
    }

    /// The operation's schemes by code (upper case), as lists and forms name them.
    pub async fn scheme_codes(
        &self,
        op: &OperationId,
    ) -> Result<std::collections::HashMap<String, domain::SchemeId>, StoreError> {
        Ok(self
            .list_schemes(op)
            .await?
            .into_iter()
            .map(|s| (s.code.to_uppercase(), s.id))
            .collect())
    }
}

impl Store {
    /// The scheme's rules, or `None` while HQ has written none.
    pub async fn scheme_rules(&self, id: SchemeId) -> Result<Option<CompiledScheme>, StoreError> {
        let row = sqlx::query("SELECT rules FROM schemes WHERE id = $1")
            .bind(id.to_string())
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::not_found("scheme"))?;
        let text: Option<String> = row.try_get("rules")?;
        // Compiling on read: rules that no longer parse are corrupt, not ignored.
        text.map(|t| {
            serde_json::from_str(&t).map_err(|_| StoreError::Corrupt {
                what: "scheme rules",
            })
        })
        .transpose()
    }
}

impl WriteTx {
    /// Replaces the scheme's rules. Only rules that compiled can be stored.
    pub async fn set_scheme_rules(
        &mut self,
        id: SchemeId,
        rules: &CompiledScheme,
    ) -> Result<(), StoreError> {
        let done = sqlx::query("UPDATE schemes SET rules = $2 WHERE id = $1")
            .bind(id.to_string())
            .bind(codec::json(rules))
            .execute(self.conn())
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::not_found("scheme"));
        }
        let r = rules.rules();
        let detail = format!(
            "eligibility {} family {} priority {}",
            r.eligibility.len(),
            r.family.len(),
            r.priority.len()
        );
        self.audit(AuditEntry::new("scheme.rules", "scheme", id).detail(detail))
            .await
    }

    pub async fn create_scheme(
        &mut self,
        op: &OperationId,
        new: &NewScheme,
    ) -> Result<Scheme, StoreError> {
        let s = Scheme {
            id: SchemeId::new(),
            operation_id: op.clone(),
            code: new.code.clone(),
            name: new.name.trim().to_owned(),
            nation: new.nation.clone(),
            description: new.description.trim().to_owned(),
            quota_principals: new.quota_principals,
            quota_persons: new.quota_persons,
            movement_nations: new.movement_nations.clone(),
        };
        sqlx::query(
            "INSERT INTO schemes (id, operation_id, code, name, nation, description, quota_principals, quota_persons, \
             movement_nations) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(s.id.to_string())
        .bind(op.as_str())
        .bind(&s.code)
        .bind(&s.name)
        .bind(&s.nation)
        .bind(&s.description)
        .bind(s.quota_principals.map(i64::from))
        .bind(s.quota_persons.map(i64::from))
        .bind(codec::json(&s.movement_nations))
        .execute(self.conn())
        .await
        .map_err(|e| StoreError::on_unique(e, "a scheme with this code exists in the operation"))?;
        self.audit(
            AuditEntry::new("scheme.create", "scheme", s.id).detail(format!("operation {op}")),
        )
        .await?;
        Ok(s)
    }

    pub async fn update_scheme(
        &mut self,
        id: SchemeId,
        update: &SchemeUpdate,
    ) -> Result<Scheme, StoreError> {
        let row = sqlx::query(
            "UPDATE schemes SET name = COALESCE($2, name), description = COALESCE($3, description), \
             quota_principals = COALESCE($4, quota_principals), quota_persons = COALESCE($5, quota_persons), \
             movement_nations = COALESCE($6, movement_nations) WHERE id = $1 RETURNING *",
        )
        .bind(id.to_string())
        .bind(update.name.as_deref().map(str::trim))
        .bind(update.description.as_deref().map(str::trim))
        .bind(update.quota_principals.map(i64::from))
        .bind(update.quota_persons.map(i64::from))
        .bind(update.movement_nations.as_ref().map(codec::json))
        .fetch_optional(self.conn())
        .await?
        .ok_or(StoreError::not_found("scheme"))?;
        self.audit(AuditEntry::new("scheme.update", "scheme", id))
            .await?;
        scheme(&row)
    }
}
