//! What the offline gate page downloads and sends back. While online it takes
//! one bundle (public keys, revocation list, and the manifests of the
//! movements still to leave, keyed by pass) and keeps it encrypted on the
//! device; when the network returns it sends its scans, each stored once.

use std::collections::HashMap;

use axum::Json;
use axum::extract::{Path, State};
use chrono::{DateTime, Utc};
use domain::access::Action;
use domain::movement::MovementStatus;
use domain::pass::{GateConflict, MAX_SCANS_PER_SYNC, RevokedPass, Scan, SyncReport};
use domain::validation::{Validate, ValidationErrors};
use domain::{CaseId, CaseStatus, MovementId, OperationId, PassId};
use passes::{Jwk, Jwks, ShortCode};
use serde::{Deserialize, Serialize};

use crate::access::{operation_for, require};
use crate::auth::CurrentUser;
use crate::json::JsonBody;
use crate::{ApiError, AppState};

#[derive(Serialize, utoipa::ToSchema)]
pub struct GateBundle {
    pub operation: OperationId,
    pub generated_at: DateTime<Utc>,
    #[schema(value_type = Object)]
    pub jwks: Jwks,
    pub revoked: Vec<RevokedPass>,
    pub movements: Vec<GateMovement>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct GateMovement {
    pub id: MovementId,
    pub designator: String,
    pub destination: String,
    pub departs_at: DateTime<Utc>,
    pub households: Vec<GateHousehold>,
}

/// A household as the gate compares it with the people in front of it.
#[derive(Serialize, utoipa::ToSchema)]
pub struct GateHousehold {
    pub pass_id: PassId,
    pub case_id: CaseId,
    pub reference: String,
    pub code: String,
    pub household_size: u32,
    /// Checked in or departed already (before this device's own scans).
    pub status: CaseStatus,
    pub persons: Vec<GatePerson>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct GatePerson {
    pub name: String,
    pub name_native: Option<String>,
    /// `passport P1234567`, `tazkira 1390-...`.
    pub document: Option<String>,
}

/// Everything the gate needs offline: the public keys, the revocation list,
/// and the households of the movements still to leave, keyed by pass.
#[utoipa::path(get, path = "/api/operations/{op}/gate/bundle", params(("op" = String, Path, description = "operation id")),
    responses((status = 200, body = GateBundle), (status = 403)))]
pub async fn bundle(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(op): Path<String>,
) -> Result<Json<GateBundle>, ApiError> {
    let op = operation_for(&state, &me, &op, Action::CheckIn).await?;
    require(&me.user, Action::ViewManifest, Some(&op.id))?;
    let keys = state.store.published_keys(&op.id).await?;
    let passes: HashMap<CaseId, store::GatePass> = (state.store.gate_passes(&op.id).await?)
        .into_iter()
        .map(|p| (p.case_id, p))
        .collect();
    let mut movements = Vec::new();
    for m in state.store.list_movements(&op.id, None).await? {
        if matches!(
            m.status,
            MovementStatus::Departed | MovementStatus::Cancelled
        ) || m.departs_at <= Utc::now()
        {
            continue;
        }
        let cases = state.store.cases_on_movement(&op.id, m.id).await?;
        let households = (cases.iter())
            .filter_map(|c| {
                let p = passes.get(&c.id)?;
                Some(GateHousehold {
                    pass_id: p.id,
                    case_id: c.id,
                    reference: c.reference.clone(),
                    code: p.code.clone(),
                    household_size: p.household_size,
                    status: c.status,
                    persons: c.members.iter().map(|m| person(&m.details)).collect(),
                })
            })
            .collect();
        movements.push(GateMovement {
            id: m.id,
            designator: m.designator,
            destination: m.destination,
            departs_at: m.departs_at,
            households,
        });
    }
    Ok(Json(GateBundle {
        operation: op.id.clone(),
        generated_at: Utc::now(),
        jwks: Jwks {
            keys: keys.iter().map(Jwk::ed25519).collect(),
        },
        revoked: state.store.revoked_passes(&op.id).await?,
        movements,
    }))
}

fn person(p: &domain::person::PersonDetails) -> GatePerson {
    let name = [p.given_name.as_deref(), p.family_name.as_deref()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    GatePerson {
        name,
        name_native: p.full_name_native.clone(),
        document: p.documents.first().map(|d| {
            let kind = serde_json::to_value(d.kind)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default();
            format!("{kind} {}", d.number)
        }),
    }
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScanBatch {
    #[schema(value_type = String)]
    pub operation: OperationId,
    /// At most 1,000 per request; each request is one transaction.
    pub scans: Vec<Scan>,
}

/// A gate's scans, stored once each (by scan id); only the first admitting
/// scan of a pass moves its case.
#[utoipa::path(post, path = "/api/gate/scans", request_body = ScanBatch,
    responses((status = 200, body = SyncReport), (status = 403), (status = 422, body = crate::error::Problem)))]
pub async fn sync(
    State(state): State<AppState>,
    me: CurrentUser,
    body: JsonBody,
) -> Result<Json<SyncReport>, ApiError> {
    require(&me.user, Action::CheckIn, None)?;
    let batch: ScanBatch = body.parse()?;
    require(&me.user, Action::CheckIn, Some(&batch.operation))?;
    let mut errors = ValidationErrors::default();
    if batch.scans.len() > MAX_SCANS_PER_SYNC {
        errors.push(
            "scans",
            "max_items",
            format!("at most {MAX_SCANS_PER_SYNC} scans per request"),
        );
    }
    for (i, s) in batch.scans.iter().enumerate() {
        if let Err(e) = s.validate() {
            for f in e.0 {
                errors.push(format!("scans[{i}].{}", f.field), &f.rule, f.message);
            }
        }
    }
    errors.into_result().map_err(ApiError::validation)?;
    state.store.get_operation(&batch.operation).await?;
    let mut tx = state.store.write(me.actor()).await?;
    let report = tx.record_scans(&batch.operation, &batch.scans).await?;
    tx.commit().await?;
    Ok(Json(report))
}

/// Passes admitted twice or after their revocation, for an officer to
/// look into.
#[utoipa::path(get, path = "/api/operations/{op}/gate/conflicts", params(("op" = String, Path, description = "operation id")),
    responses((status = 200, body = [GateConflict]), (status = 403)))]
pub async fn conflicts(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(op): Path<String>,
) -> Result<Json<Vec<GateConflict>>, ApiError> {
    let op = operation_for(&state, &me, &op, Action::ViewManifest).await?;
    Ok(Json(state.store.gate_conflicts(&op.id).await?))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct CodeLookup {
    pub pass_id: PassId,
    /// The token, which the gate verifies like a scanned one.
    pub token: String,
}

/// The typed short code (online only) gives the pass's token.
#[utoipa::path(get, path = "/api/operations/{op}/passes/by-code/{code}",
    params(("op" = String, Path, description = "operation id"), ("code" = String, Path, description = "the short code, `ABCD-EFGH`")),
    responses((status = 200, body = CodeLookup), (status = 404), (status = 422)))]
pub async fn by_code(
    State(state): State<AppState>,
    me: CurrentUser,
    Path((op, code)): Path<(String, String)>,
) -> Result<Json<CodeLookup>, ApiError> {
    let op = operation_for(&state, &me, &op, Action::CheckIn).await?;
    let code = ShortCode::parse(&code).map_err(|e| {
        let mut errors = ValidationErrors::default();
        errors.push("code", "pass_code", e.to_string());
        ApiError::validation(errors)
    })?;
    let pass =
        (state.store.pass_by_code(&op.id, &code).await?).ok_or(ApiError::NotFound("pass"))?;
    Ok(Json(CodeLookup {
        pass_id: pass.id,
        token: pass.token,
    }))
}
