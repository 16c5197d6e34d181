//! Assembly points and plans. A proposal is stored whole; approving it puts
//! each household on its movement and hour (`cases.movement_id`,
//! `processing_slot`), takes dropped households back to eligible, and moves a
//! called-forward household whose place changed back to scheduled, since its
//! pass no longer holds.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use domain::audit::AuditEntry;
use domain::case::StatusChange;
use domain::movement::{Movement, MovementStatus};
use domain::plan::{
    AssemblyPoint, NewAssemblyPoint, Plan, PlanAssignment, PlanSettings, PlanStatus,
};
use domain::scheme::Scheme;
use domain::{
    AssemblyPointId, Case, CaseId, CaseStatus, MovementId, OperationId, PlanId, SchemeId,
};
use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::{Store, StoreError, WriteTx, codec};

/// Everything the planner needs from an operation.
#[derive(Debug, Clone)]
pub struct PlanningInput {
    /// Eligible, scheduled, called-forward and checked-in households.
    pub cases: Vec<Case>,
    pub movements: Vec<Movement>,
    pub schemes: Vec<Scheme>,
    pub assembly_points: Vec<AssemblyPoint>,
}

/// A household holding a seat now, for the comparison with a proposal.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SeatHolder {
    pub case_id: CaseId,
    pub reference: String,
    pub status: CaseStatus,
    pub household_size: u32,
    pub movement_id: MovementId,
    pub slot: DateTime<Utc>,
}

/// What approving a plan did.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Approval {
    pub added: u32,
    pub moved: u32,
    pub dropped: u32,
    /// Households whose case changed since the proposal (withdrawn, decided
    /// again): left as they are.
    pub skipped: Vec<CaseId>,
}

fn assembly_point(row: &AnyRow) -> Result<AssemblyPoint, StoreError> {
    Ok(AssemblyPoint {
        id: codec::get_parsed(row, "id", "assembly point id")?,
        operation_id: codec::get_parsed(row, "operation_id", "operation id")?,
        name: row.try_get("name")?,
        persons_per_hour: codec::get_u32(row, "persons_per_hour")?,
        provinces: codec::get_json(row, "provinces", "province list")?,
    })
}

fn plan(row: &AnyRow, assignments: Vec<PlanAssignment>) -> Result<Plan, StoreError> {
    Ok(Plan {
        id: codec::get_parsed(row, "id", "plan id")?,
        operation_id: codec::get_parsed(row, "operation_id", "operation id")?,
        status: codec::get_enum(row, "status", "plan status")?,
        settings: codec::get_json(row, "settings", "plan settings")?,
        objective: row.try_get("objective")?,
        greedy_objective: row.try_get("greedy_objective")?,
        created_at: codec::get_time(row, "created_at")?,
        created_by: codec::get_opt_parsed(row, "created_by", "user id")?,
        decided_at: codec::get_opt_time(row, "decided_at")?,
        assignments,
    })
}

fn assignment(row: &AnyRow) -> Result<PlanAssignment, StoreError> {
    Ok(PlanAssignment {
        case_id: codec::get_parsed(row, "case_id", "case id")?,
        movement_id: codec::get_parsed(row, "movement_id", "movement id")?,
        slot: codec::get_time(row, "slot")?,
        pinned: row.try_get::<i64, _>("pinned")? != 0,
        persons: codec::get_u32(row, "persons")?,
        seats: codec::get_u32(row, "seats")?,
    })
}

impl Store {
    /// By name; the first takes households from provinces no point names.
    pub async fn list_assembly_points(
        &self,
        op: &OperationId,
    ) -> Result<Vec<AssemblyPoint>, StoreError> {
        let rows =
            sqlx::query("SELECT * FROM assembly_points WHERE operation_id = $1 ORDER BY name")
                .bind(op.as_str())
                .fetch_all(&self.pool)
                .await?;
        rows.iter().map(assembly_point).collect()
    }

    pub async fn planning_input(&self, op: &OperationId) -> Result<PlanningInput, StoreError> {
        use CaseStatus::*;
        Ok(PlanningInput {
            cases: self
                .cases_at(op, &[Eligible, Scheduled, CalledForward, CheckedIn])
                .await?,
            movements: self.list_movements(op, None).await?,
            schemes: self.list_schemes(op).await?,
            assembly_points: self.list_assembly_points(op).await?,
        })
    }

    /// Households holding a seat that a plan may still move.
    pub async fn seat_holders(&self, op: &OperationId) -> Result<Vec<SeatHolder>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, reference, status, household_size, movement_id, processing_slot FROM cases \
             WHERE operation_id = $1 AND status IN ('scheduled', 'called_forward') \
             AND movement_id IS NOT NULL ORDER BY number",
        )
        .bind(op.as_str())
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(SeatHolder {
                    case_id: codec::get_parsed(r, "id", "case id")?,
                    reference: r.try_get("reference")?,
                    status: codec::get_parsed(r, "status", "case status")?,
                    household_size: codec::get_u32(r, "household_size")?,
                    movement_id: codec::get_parsed(r, "movement_id", "movement id")?,
                    slot: codec::get_time(r, "processing_slot")?,
                })
            })
            .collect()
    }

    /// The references of cases, for showing a plan's changes.
    pub async fn case_references(
        &self,
        op: &OperationId,
    ) -> Result<HashMap<CaseId, (String, u32)>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, reference, household_size FROM cases WHERE operation_id = $1 \
             AND status IN ('eligible', 'scheduled', 'called_forward', 'checked_in')",
        )
        .bind(op.as_str())
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok((
                    codec::get_parsed(r, "id", "case id")?,
                    (
                        r.try_get("reference")?,
                        codec::get_u32(r, "household_size")?,
                    ),
                ))
            })
            .collect()
    }

    /// Households and persons holding a seat on each movement.
    pub async fn movement_loads(
        &self,
        op: &OperationId,
    ) -> Result<HashMap<MovementId, (u32, u32)>, StoreError> {
        let rows = sqlx::query(
            "SELECT movement_id, COUNT(*) AS households, CAST(SUM(household_size) AS BIGINT) AS persons \
             FROM cases WHERE operation_id = $1 AND movement_id IS NOT NULL GROUP BY movement_id",
        )
        .bind(op.as_str())
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok((
                    codec::get_parsed(r, "movement_id", "movement id")?,
                    (
                        codec::get_u32(r, "households")?,
                        codec::get_u32(r, "persons")?,
                    ),
                ))
            })
            .collect()
    }

    pub async fn get_plan(&self, id: PlanId) -> Result<Plan, StoreError> {
        let row = sqlx::query("SELECT * FROM plans WHERE id = $1")
            .bind(id.to_string())
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::not_found("plan"))?;
        let assignments =
            sqlx::query("SELECT * FROM plan_assignments WHERE plan_id = $1 ORDER BY slot, case_id")
                .bind(id.to_string())
                .fetch_all(&self.pool)
                .await?
                .iter()
                .map(assignment)
                .collect::<Result<_, _>>()?;
        plan(&row, assignments)
    }

    /// The newest plans first, without their assignments.
    pub async fn list_plans(&self, op: &OperationId, limit: u32) -> Result<Vec<Plan>, StoreError> {
        let rows = sqlx::query(
            "SELECT * FROM plans WHERE operation_id = $1 ORDER BY created_at DESC, id LIMIT $2",
        )
        .bind(op.as_str())
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(|r| plan(r, Vec::new())).collect()
    }
}

impl WriteTx {
    pub async fn create_assembly_point(
        &mut self,
        op: &OperationId,
        new: &NewAssemblyPoint,
    ) -> Result<AssemblyPoint, StoreError> {
        let point = AssemblyPoint {
            id: AssemblyPointId::new(),
            operation_id: op.clone(),
            name: new.name.trim().to_owned(),
            persons_per_hour: new.persons_per_hour,
            provinces: new.provinces.iter().map(|p| p.trim().to_owned()).collect(),
        };
        sqlx::query(
            "INSERT INTO assembly_points (id, operation_id, name, persons_per_hour, provinces) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(point.id.to_string())
        .bind(op.as_str())
        .bind(&point.name)
        .bind(i64::from(point.persons_per_hour))
        .bind(codec::json(&point.provinces))
        .execute(self.conn())
        .await
        .map_err(|e| StoreError::on_unique(e, "an assembly point with this name exists"))?;
        self.audit(
            AuditEntry::new("assembly_point.create", "assembly_point", point.id)
                .detail(format!("operation {op}")),
        )
        .await?;
        Ok(point)
    }

    /// Stores a proposal; earlier proposals of the operation are superseded.
    pub async fn save_plan(
        &mut self,
        op: &OperationId,
        settings: &PlanSettings,
        objective: i64,
        greedy_objective: i64,
        assignments: &[PlanAssignment],
    ) -> Result<PlanId, StoreError> {
        let id = PlanId::new();
        sqlx::query("UPDATE plans SET status = 'superseded' WHERE operation_id = $1 AND status = 'proposed'")
            .bind(op.as_str())
            .execute(self.conn())
            .await?;
        let actor = self.actor().user_id().map(|u| u.to_string());
        sqlx::query(
            "INSERT INTO plans (id, operation_id, status, settings, objective, greedy_objective, created_at, created_by) \
             VALUES ($1, $2, 'proposed', $3, $4, $5, $6, $7)",
        )
        .bind(id.to_string())
        .bind(op.as_str())
        .bind(codec::json(settings))
        .bind(objective)
        .bind(greedy_objective)
        .bind(codec::time(self.now()))
        .bind(actor)
        .execute(self.conn())
        .await?;
        let plan = id.to_string();
        self.insert_rows(
            "plan_assignments",
            &[
                "plan_id",
                "case_id",
                "movement_id",
                "slot",
                "pinned",
                "persons",
                "seats",
            ],
            assignments,
            |r, _, a| {
                r.bind(plan.as_str())
                    .bind(a.case_id.to_string())
                    .bind(a.movement_id.to_string())
                    .bind(codec::time(a.slot))
                    .bind(i64::from(a.pinned))
                    .bind(i64::from(a.persons))
                    .bind(i64::from(a.seats));
            },
        )
        .await?;
        let detail = format!(
            "operation {op} households {} objective {objective}",
            assignments.len()
        );
        self.audit(AuditEntry::new("plan.propose", "plan", id).detail(detail))
            .await?;
        Ok(id)
    }

    /// Approves a proposal: see the module's documentation. Refused when the
    /// plan is not the current proposal or a movement it uses was cancelled,
    /// has departed or lost seats since.
    pub async fn approve_plan(&mut self, id: PlanId) -> Result<Approval, StoreError> {
        let row = sqlx::query("SELECT operation_id, status, settings FROM plans WHERE id = $1")
            .bind(id.to_string())
            .fetch_optional(self.conn())
            .await?
            .ok_or(StoreError::not_found("plan"))?;
        let op: OperationId = codec::get_parsed(&row, "operation_id", "operation id")?;
        let settings: PlanSettings = codec::get_json(&row, "settings", "plan settings")?;
        let status: PlanStatus = codec::get_enum(&row, "status", "plan status")?;
        if status != PlanStatus::Proposed {
            return Err(StoreError::Conflict(
                "this plan is no longer the current proposal; propose a new one".into(),
            ));
        }
        let assignments: Vec<PlanAssignment> =
            sqlx::query("SELECT * FROM plan_assignments WHERE plan_id = $1")
                .bind(id.to_string())
                .fetch_all(self.conn())
                .await?
                .iter()
                .map(assignment)
                .collect::<Result<_, _>>()?;
        self.check_movements(&op, &assignments).await?;

        let mut done = Approval::default();
        let mut planned = std::collections::HashSet::new();
        for a in &assignments {
            planned.insert(a.case_id);
            let row = sqlx::query("SELECT status, movement_id, processing_slot FROM cases WHERE id = $1 AND operation_id = $2")
                .bind(a.case_id.to_string())
                .bind(op.as_str())
                .fetch_optional(self.conn())
                .await?;
            let Some(row) = row else {
                done.skipped.push(a.case_id);
                continue;
            };
            let status: CaseStatus = codec::get_parsed(&row, "status", "case status")?;
            let at: Option<MovementId> = codec::get_opt_parsed(&row, "movement_id", "movement id")?;
            let slot = codec::get_opt_time(&row, "processing_slot")?;
            let same = at == Some(a.movement_id) && slot == Some(a.slot);
            match status {
                CaseStatus::Eligible => {
                    self.step(
                        a.case_id,
                        &reason(
                            CaseStatus::Scheduled,
                            "put on a movement by the approved plan",
                        ),
                        "case.status",
                        " plan",
                    )
                    .await?;
                    done.added += 1;
                }
                CaseStatus::Scheduled if at.is_none() => done.added += 1,
                CaseStatus::Scheduled if !same => done.moved += 1,
                CaseStatus::CalledForward if !same => {
                    self.step(
                        a.case_id,
                        &reason(
                            CaseStatus::Scheduled,
                            "moved by a new plan: call forward again",
                        ),
                        "case.status",
                        " plan",
                    )
                    .await?;
                    done.moved += 1;
                }
                CaseStatus::Scheduled | CaseStatus::CalledForward | CaseStatus::CheckedIn => {}
                _ => {
                    done.skipped.push(a.case_id);
                    continue;
                }
            }
            if !same {
                sqlx::query("UPDATE cases SET movement_id = $2, processing_slot = $3, updated_at = $4 WHERE id = $1")
                    .bind(a.case_id.to_string())
                    .bind(a.movement_id.to_string())
                    .bind(codec::time(a.slot))
                    .bind(codec::time(self.now()))
                    .execute(self.conn())
                    .await?;
            }
        }
        // Seat holders the plan leaves out go back to waiting.
        let holders = sqlx::query(
            "SELECT id FROM cases WHERE operation_id = $1 AND status IN ('scheduled', 'called_forward')",
        )
        .bind(op.as_str())
        .fetch_all(self.conn())
        .await?;
        for r in holders {
            let case: CaseId = codec::get_parsed(&r, "id", "case id")?;
            if !planned.contains(&case) {
                let back = reason(CaseStatus::Eligible, "left out of the approved plan");
                let status: CaseStatus = {
                    let s = sqlx::query("SELECT status FROM cases WHERE id = $1")
                        .bind(case.to_string())
                        .fetch_one(self.conn())
                        .await?;
                    codec::get_parsed(&s, "status", "case status")?
                };
                // Households called forward stay unless the plan released them.
                if status == CaseStatus::CalledForward && !settings.release_called_forward {
                    continue;
                }
                // Called forward: back to scheduled first, then to waiting.
                if status == CaseStatus::CalledForward {
                    self.step(
                        case,
                        &reason(CaseStatus::Scheduled, "left out of the approved plan"),
                        "case.status",
                        " plan",
                    )
                    .await?;
                }
                self.step(case, &back, "case.status", " plan").await?;
                done.dropped += 1;
            }
        }
        sqlx::query("UPDATE plans SET status = 'superseded' WHERE operation_id = $1 AND status = 'approved'")
            .bind(op.as_str())
            .execute(self.conn())
            .await?;
        let actor = self.actor().user_id().map(|u| u.to_string());
        sqlx::query(
            "UPDATE plans SET status = 'approved', decided_at = $2, decided_by = $3 WHERE id = $1",
        )
        .bind(id.to_string())
        .bind(codec::time(self.now()))
        .bind(actor)
        .execute(self.conn())
        .await?;
        let detail = format!(
            "operation {op} added {} moved {} dropped {} skipped {}",
            done.added,
            done.moved,
            done.dropped,
            done.skipped.len()
        );
        self.audit(AuditEntry::new("plan.approve", "plan", id).detail(detail))
            .await?;
        Ok(done)
    }

    /// Seats one household on a movement at a processing hour, as approving
    /// a plan does for many: an eligible household becomes scheduled, a
    /// scheduled one is put on (or moved to) the movement. For loading data
    /// that was planned elsewhere (the demo); officers plan through plans.
    ///
    /// Refused (409) for a household at any other stage (a called-forward
    /// household's pass names its movement: re-plan it instead), a movement
    /// of another operation, cancelled, gone or not taking the household's
    /// scheme, an hour not before departure, and a movement without the
    /// seats left. Seats are counted one a person here: the store does not
    /// open dates of birth to find lap infants, so this errs towards room.
    pub async fn seat_case(
        &mut self,
        case: CaseId,
        movement: MovementId,
        slot: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let row = sqlx::query(
            "SELECT operation_id, status, scheme_id, household_size FROM cases WHERE id = $1",
        )
        .bind(case.to_string())
        .fetch_optional(self.conn())
        .await?
        .ok_or(StoreError::not_found("case"))?;
        let op: OperationId = codec::get_parsed(&row, "operation_id", "operation id")?;
        let status: CaseStatus = codec::get_parsed(&row, "status", "case status")?;
        let scheme: Option<SchemeId> = codec::get_opt_parsed(&row, "scheme_id", "scheme id")?;
        let size = codec::get_u32(&row, "household_size")?;
        if !matches!(status, CaseStatus::Eligible | CaseStatus::Scheduled) {
            return Err(StoreError::Conflict(format!(
                "only an eligible or scheduled household can be seated; this one is {status}"
            )));
        }
        // Read in this transaction: the movement may have been made in it.
        let m = sqlx::query("SELECT * FROM movements WHERE id = $1 AND operation_id = $2")
            .bind(movement.to_string())
            .bind(op.as_str())
            .fetch_optional(self.conn())
            .await?
            .ok_or(StoreError::not_found("movement"))?;
        let m = crate::movements::movement(&m)?;
        if matches!(
            m.status,
            MovementStatus::Cancelled | MovementStatus::Departed
        ) || m.departs_at <= self.now()
        {
            return Err(StoreError::Conflict(format!(
                "movement {} was cancelled or has left",
                m.designator
            )));
        }
        if slot >= m.departs_at {
            return Err(StoreError::Conflict(format!(
                "the processing hour must be before movement {} departs",
                m.designator
            )));
        }
        let scheme = match scheme {
            Some(id) => sqlx::query("SELECT * FROM schemes WHERE id = $1")
                .bind(id.to_string())
                .fetch_optional(self.conn())
                .await?
                .map(|r| crate::schemes::scheme(&r))
                .transpose()?,
            None => None,
        };
        if !scheme.as_ref().is_some_and(|s| m.accepts(s)) {
            return Err(StoreError::Conflict(format!(
                "movement {} does not take this household's scheme",
                m.designator
            )));
        }
        let taken = sqlx::query(
            "SELECT CAST(COALESCE(SUM(household_size), 0) AS BIGINT) AS persons FROM cases \
             WHERE movement_id = $1 AND id <> $2",
        )
        .bind(movement.to_string())
        .bind(case.to_string())
        .fetch_one(self.conn())
        .await?;
        let taken = codec::get_u32(&taken, "persons")?;
        if taken + size > m.seats {
            return Err(StoreError::Conflict(format!(
                "movement {} has {} seats left and the household needs {size}",
                m.designator,
                m.seats.saturating_sub(taken)
            )));
        }
        if status == CaseStatus::Eligible {
            self.step(
                case,
                &reason(CaseStatus::Scheduled, "put on a movement"),
                "case.status",
                " seat",
            )
            .await?;
        }
        sqlx::query(
            "UPDATE cases SET movement_id = $2, processing_slot = $3, updated_at = $4 WHERE id = $1",
        )
        .bind(case.to_string())
        .bind(movement.to_string())
        .bind(codec::time(slot))
        .bind(codec::time(self.now()))
        .execute(self.conn())
        .await?;
        // Ids and the hour only, as in every audit event: no personal data.
        let detail = format!("movement {movement} slot {}", codec::time(slot));
        self.audit(AuditEntry::new("case.seat", "case", case).detail(detail))
            .await?;
        Ok(())
    }

    /// Every movement the plan uses still takes what the plan puts on it.
    async fn check_movements(
        &mut self,
        op: &OperationId,
        assignments: &[PlanAssignment],
    ) -> Result<(), StoreError> {
        let mut seats: HashMap<MovementId, u32> = HashMap::new();
        for a in assignments {
            *seats.entry(a.movement_id).or_default() += a.seats;
        }
        let now = self.now();
        for (movement, needed) in seats {
            let row = sqlx::query("SELECT designator, seats, status, departs_at FROM movements WHERE id = $1 AND operation_id = $2")
                .bind(movement.to_string())
                .bind(op.as_str())
                .fetch_optional(self.conn())
                .await?
                .ok_or(StoreError::not_found("movement"))?;
            let designator: String = row.try_get("designator")?;
            let status: MovementStatus = codec::get_enum(&row, "status", "movement status")?;
            let capacity = codec::get_u32(&row, "seats")?;
            let departs = codec::get_time(&row, "departs_at")?;
            if matches!(status, MovementStatus::Cancelled | MovementStatus::Departed)
                || departs <= now
            {
                return Err(StoreError::Conflict(format!(
                    "movement {designator} was cancelled or has left since the plan was proposed; propose a new plan"
                )));
            }
            if needed > capacity {
                return Err(StoreError::Conflict(format!(
                    "movement {designator} has {capacity} seats now and the plan needs {needed}; propose a new plan"
                )));
            }
        }
        Ok(())
    }
}

fn reason(to: CaseStatus, why: &str) -> StatusChange {
    StatusChange {
        to,
        reason: why.to_owned(),
    }
}
