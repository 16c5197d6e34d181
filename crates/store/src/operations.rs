use domain::OperationId;
use domain::audit::AuditEntry;
use domain::operation::{NewOperation, Operation, OperationUpdate};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::{Store, StoreError, WriteTx, codec};

fn operation(row: &AnyRow) -> Result<Operation, StoreError> {
    Ok(Operation {
        id: codec::get_parsed(row, "id", "operation id")?,
        name: row.try_get("name")?,
        country: row.try_get("country")?,
        time_zone: row.try_get("time_zone")?,
        created_at: codec::get_time(row, "created_at")?,
    })
}

impl Store {
    pub async fn get_operation(&self, id: &OperationId) -> Result<Operation, StoreError> {
        let row = sqlx::query("SELECT * FROM operations WHERE id = $1")
            .bind(id.as_str())
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::not_found("operation"))?;
        operation(&row)
    }

    pub async fn list_operations(&self) -> Result<Vec<Operation>, StoreError> {
        let rows = sqlx::query("SELECT * FROM operations ORDER BY created_at, id")
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(operation).collect()
    }
}

impl WriteTx {
    pub async fn create_operation(&mut self, new: &NewOperation) -> Result<Operation, StoreError> {
        let op = Operation {
            id: new.id.clone(),
            name: new.name.trim().to_owned(),
            country: new.country.clone(),
            time_zone: new.time_zone.clone(),
            created_at: self.now(),
        };
        sqlx::query("INSERT INTO operations (id, name, country, time_zone, created_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(op.id.as_str())
            .bind(&op.name)
            .bind(&op.country)
            .bind(&op.time_zone)
            .bind(codec::time(op.created_at))
            .execute(self.conn())
            .await
            .map_err(|e| StoreError::on_unique(e, "an operation with this id exists"))?;
        // Its data key, so that its personal data is sealed from the first person.
        self.data_key(&op.id).await?;
        self.audit(AuditEntry::new("operation.create", "operation", &op.id))
            .await?;
        Ok(op)
    }

    pub async fn update_operation(
        &mut self,
        id: &OperationId,
        update: &OperationUpdate,
    ) -> Result<Operation, StoreError> {
        let row = sqlx::query(
            "UPDATE operations SET name = COALESCE($2, name), time_zone = COALESCE($3, time_zone) WHERE id = $1 RETURNING *",
        )
        .bind(id.as_str())
        .bind(update.name.as_deref().map(str::trim))
        .bind(update.time_zone.as_deref())
        .fetch_optional(self.conn())
        .await?
        .ok_or(StoreError::not_found("operation"))?;
        self.audit(AuditEntry::new("operation.update", "operation", id))
            .await?;
        operation(&row)
    }
}
