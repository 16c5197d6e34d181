use domain::audit::AuditEntry;
use domain::movement::{Movement, MovementStatus, MovementUpdate, NewMovement};
use domain::validation::ValidationErrors;
use domain::{MovementId, OperationId, SchemeId};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::{Store, StoreError, WriteTx, codec};

pub(crate) fn movement(row: &AnyRow) -> Result<Movement, StoreError> {
    Ok(Movement {
        id: codec::get_parsed(row, "id", "movement id")?,
        operation_id: codec::get_parsed(row, "operation_id", "operation id")?,
        kind: codec::get_enum(row, "kind", "movement kind")?,
        designator: row.try_get("designator")?,
        nation: row.try_get("nation")?,
        origin: row.try_get("origin")?,
        destination: row.try_get("destination")?,
        departs_at: codec::get_time(row, "departs_at")?,
        seats: codec::get_u32(row, "seats")?,
        status: codec::get_enum(row, "status", "movement status")?,
        accepts_schemes: codec::get_json(row, "accepts_schemes", "scheme list")?,
        shared_with: codec::get_json(row, "shared_with", "nation list")?,
    })
}

impl Store {
    pub async fn get_movement(&self, id: MovementId) -> Result<Movement, StoreError> {
        let row = sqlx::query("SELECT * FROM movements WHERE id = $1")
            .bind(id.to_string())
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::not_found("movement"))?;
        movement(&row)
    }

    /// The operation's movements by departure; with `shared_with`, only those
    /// shared with that nation (what a liaison officer may see).
    pub async fn list_movements(
        &self,
        op: &OperationId,
        shared_with: Option<&str>,
    ) -> Result<Vec<Movement>, StoreError> {
        let rows = sqlx::query(
            "SELECT * FROM movements WHERE operation_id = $1 ORDER BY departs_at, designator",
        )
        .bind(op.as_str())
        .fetch_all(&self.pool)
        .await?;
        let all = rows.iter().map(movement).collect::<Result<Vec<_>, _>>()?;
        Ok(match shared_with {
            None => all,
            Some(nation) => all
                .into_iter()
                .filter(|m| m.shared_with.iter().any(|n| n == nation))
                .collect(),
        })
    }
}

impl WriteTx {
    /// Every scheme named must belong to the operation.
    async fn check_schemes(
        &mut self,
        op: &OperationId,
        schemes: &[SchemeId],
    ) -> Result<(), StoreError> {
        let mut errors = ValidationErrors::default();
        for (i, id) in schemes.iter().enumerate() {
            let found = sqlx::query("SELECT id FROM schemes WHERE id = $1 AND operation_id = $2")
                .bind(id.to_string())
                .bind(op.as_str())
                .fetch_optional(self.conn())
                .await?;
            if found.is_none() {
                errors.push(
                    format!("accepts_schemes[{i}]"),
                    "known_scheme",
                    "no such scheme in this operation",
                );
            }
        }
        errors.into_result().map_err(StoreError::Invalid)
    }

    pub async fn create_movement(
        &mut self,
        op: &OperationId,
        new: &NewMovement,
    ) -> Result<Movement, StoreError> {
        self.check_schemes(op, &new.accepts_schemes).await?;
        let m = Movement {
            id: MovementId::new(),
            operation_id: op.clone(),
            kind: new.kind,
            designator: new.designator.trim().to_owned(),
            nation: new.nation.clone(),
            origin: new.origin.trim().to_owned(),
            destination: new.destination.trim().to_owned(),
            departs_at: new.departs_at,
            seats: new.seats,
            status: MovementStatus::Planned,
            accepts_schemes: new.accepts_schemes.clone(),
            shared_with: new.shared_with.clone(),
        };
        sqlx::query(
            "INSERT INTO movements (id, operation_id, kind, designator, nation, origin, destination, departs_at, seats, \
             status, accepts_schemes, shared_with) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        )
        .bind(m.id.to_string())
        .bind(op.as_str())
        .bind(codec::enum_text(&m.kind))
        .bind(&m.designator)
        .bind(&m.nation)
        .bind(&m.origin)
        .bind(&m.destination)
        .bind(codec::time(m.departs_at))
        .bind(i64::from(m.seats))
        .bind(codec::enum_text(&m.status))
        .bind(codec::json(&m.accepts_schemes))
        .bind(codec::json(&m.shared_with))
        .execute(self.conn())
        .await?;
        self.audit(
            AuditEntry::new("movement.create", "movement", m.id).detail(format!("operation {op}")),
        )
        .await?;
        Ok(m)
    }

    pub async fn update_movement(
        &mut self,
        id: MovementId,
        update: &MovementUpdate,
    ) -> Result<Movement, StoreError> {
        let row = sqlx::query("SELECT operation_id FROM movements WHERE id = $1")
            .bind(id.to_string())
            .fetch_optional(self.conn())
            .await?
            .ok_or(StoreError::not_found("movement"))?;
        let op: OperationId = codec::get_parsed(&row, "operation_id", "operation id")?;
        if let Some(schemes) = &update.accepts_schemes {
            self.check_schemes(&op, schemes).await?;
        }
        let row = sqlx::query(
            "UPDATE movements SET departs_at = COALESCE($2, departs_at), seats = COALESCE($3, seats), \
             status = COALESCE($4, status), accepts_schemes = COALESCE($5, accepts_schemes), \
             shared_with = COALESCE($6, shared_with) WHERE id = $1 RETURNING *",
        )
        .bind(id.to_string())
        .bind(update.departs_at.map(codec::time))
        .bind(update.seats.map(i64::from))
        .bind(update.status.as_ref().map(codec::enum_text))
        .bind(update.accepts_schemes.as_ref().map(codec::json))
        .bind(update.shared_with.as_ref().map(codec::json))
        .fetch_one(self.conn())
        .await?;
        let detail = update
            .status
            .as_ref()
            .map(|s| format!("status {}", codec::enum_text(s)))
            .unwrap_or_default();
        self.audit(AuditEntry::new("movement.update", "movement", id).detail(detail))
            .await?;
        movement(&row)
    }
}
