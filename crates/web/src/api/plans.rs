//! Assembly points, and plans of households onto movements: propose (the
//! planner runs off the request's thread), see what changes, approve.

use std::collections::HashMap;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::Utc;
use domain::access::Action;
use domain::plan::{AssemblyPoint, NewAssemblyPoint, Plan, PlanChange, PlanSettings, changes};
use domain::{PlanId, Validate};
use serde::Serialize;
use store::Approval;

use crate::access::{operation_for, require};
use crate::auth::CurrentUser;
use crate::json::{JsonBody, path_id};
use crate::planner::{self, PlanError};
use crate::{ApiError, AppState};

/// A plan with what approving it would change against the approved places.
#[derive(Serialize, utoipa::ToSchema)]
pub struct PlanView {
    pub plan: Plan,
    pub changes: Vec<PlanChange>,
}

/// The operation's assembly points, with the provinces each serves.
#[utoipa::path(get, path = "/api/operations/{op}/assembly-points", params(("op" = String, Path, description = "operation id")),
    responses((status = 200, body = [AssemblyPoint])))]
pub async fn list_points(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(op): Path<String>,
) -> Result<Json<Vec<AssemblyPoint>>, ApiError> {
    let op = operation_for(&state, &me, &op, Action::ViewMovements).await?;
    Ok(Json(state.store.list_assembly_points(&op.id).await?))
}

/// Adds an assembly point.
#[utoipa::path(post, path = "/api/operations/{op}/assembly-points", params(("op" = String, Path, description = "operation id")),
    request_body = NewAssemblyPoint,
    responses((status = 201, body = AssemblyPoint), (status = 422)))]
pub async fn create_point(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(op): Path<String>,
    body: JsonBody,
) -> Result<(StatusCode, Json<AssemblyPoint>), ApiError> {
    let op = operation_for(&state, &me, &op, Action::EditMovements).await?;
    let new: NewAssemblyPoint = body.parse()?;
    new.validate().map_err(ApiError::validation)?;
    let mut tx = state.store.write(me.actor()).await?;
    let point = tx.create_assembly_point(&op.id, &new).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(point)))
}

/// The operation's last 20 plans, the newest first, without assignments.
#[utoipa::path(get, path = "/api/operations/{op}/plans", params(("op" = String, Path, description = "operation id")),
    responses((status = 200, body = [Plan])))]
pub async fn list(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(op): Path<String>,
) -> Result<Json<Vec<Plan>>, ApiError> {
    let op = operation_for(&state, &me, &op, Action::PlanMovements).await?;
    Ok(Json(state.store.list_plans(&op.id, 20).await?))
}

/// Proposes a plan for the API and the plan page alike.
pub(crate) async fn propose_plan(
    state: &AppState,
    me: &CurrentUser,
    op: &domain::OperationId,
    settings: PlanSettings,
) -> Result<PlanId, ApiError> {
    settings.validate().map_err(ApiError::validation)?;
    let input = state.store.planning_input(op).await?;
    let now = Utc::now();
    let for_planner = settings.clone();
    let proposal = tokio::task::spawn_blocking(move || planner::propose(&input, &for_planner, now))
        .await
        .map_err(|_| ApiError::Internal)?
        .map_err(|e| match e {
            PlanError::Invalid(v) => ApiError::validation(v),
            PlanError::Planner(m) => {
                tracing::error!(error = %m, "planner failure");
                ApiError::Internal
            }
        })?;
    let mut tx = state.store.write(me.actor()).await?;
    let id = tx
        .save_plan(
            op,
            &settings,
            proposal.objective,
            proposal.greedy_objective,
            &proposal.assignments,
        )
        .await?;
    tx.commit().await?;
    Ok(id)
}

/// Proposes a plan with the settings (`{}` for the defaults): the plan and
/// what approving it would change.
#[utoipa::path(post, path = "/api/operations/{op}/plans", params(("op" = String, Path, description = "operation id")),
    request_body = PlanSettings,
    responses((status = 201, body = PlanView), (status = 422)))]
pub async fn propose(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(op): Path<String>,
    body: JsonBody,
) -> Result<(StatusCode, Json<PlanView>), ApiError> {
    let op = operation_for(&state, &me, &op, Action::PlanMovements).await?;
    let settings: PlanSettings = body.parse()?;
    let id = propose_plan(&state, &me, &op.id, settings).await?;
    Ok((StatusCode::CREATED, Json(view(&state, id).await?)))
}

async fn plan_for(state: &AppState, me: &CurrentUser, raw: &str) -> Result<Plan, ApiError> {
    require(&me.user, Action::PlanMovements, None)?;
    let plan = state
        .store
        .get_plan(path_id::<PlanId>(raw, "plan")?)
        .await?;
    require(&me.user, Action::PlanMovements, Some(&plan.operation_id))?;
    Ok(plan)
}

/// A plan and its changes against the seats held now.
pub(crate) async fn view(state: &AppState, id: PlanId) -> Result<PlanView, ApiError> {
    let plan = state.store.get_plan(id).await?;
    let holders = state.store.seat_holders(&plan.operation_id).await?;
    let refs = state.store.case_references(&plan.operation_id).await?;
    let current: Vec<_> = holders
        .iter()
        .map(|h| (h.case_id, h.movement_id, h.slot))
        .collect();
    let now_at: HashMap<_, _> = holders
        .iter()
        .map(|h| (h.case_id, (h.movement_id, h.slot)))
        .collect();
    let to: HashMap<_, _> = (plan.assignments.iter())
        .map(|a| (a.case_id, (a.movement_id, a.slot)))
        .collect();
    let changes = changes(&current, &plan.assignments)
        .into_iter()
        .map(|(case_id, kind)| {
            let (reference, household_size) = refs.get(&case_id).cloned().unwrap_or_default();
            PlanChange {
                case_id,
                reference,
                kind,
                household_size,
                from: now_at.get(&case_id).copied(),
                to: to.get(&case_id).copied(),
            }
        })
        .collect();
    Ok(PlanView { plan, changes })
}

/// A plan, its assignments and what approving it would change.
#[utoipa::path(get, path = "/api/plans/{id}", params(("id" = String, Path, description = "plan id")),
    responses((status = 200, body = PlanView), (status = 404)))]
pub async fn get(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(id): Path<String>,
) -> Result<Json<PlanView>, ApiError> {
    let plan = plan_for(&state, &me, &id).await?;
    Ok(Json(view(&state, plan.id).await?))
}

/// Approves a plan: households are seated, moved or dropped. The body is
/// `{}`, which carries the same-origin check every write has.
#[utoipa::path(post, path = "/api/plans/{id}/approve", params(("id" = String, Path, description = "plan id")),
    request_body(content = Object, description = "`{}`"),
    responses((status = 200, description = "households `added`, `moved` and `dropped`, and the case ids `skipped` because they changed since the proposal", body = Object),
        (status = 404), (status = 409)))]
pub async fn approve(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(id): Path<String>,
    _body: JsonBody,
) -> Result<Json<Approval>, ApiError> {
    let plan = plan_for(&state, &me, &id).await?;
    let mut tx = state.store.write(me.actor()).await?;
    let done = tx.approve_plan(plan.id).await?;
    tx.commit().await?;
    Ok(Json(done))
}
