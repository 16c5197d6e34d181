//! The plan page: assembly points and their throughput, movements and their
//! load with links to the manifests, and the planner's proposal with what it
//! changes, to approve.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use domain::access::{Action, may_see_movement, role_may};
use domain::movement::Movement;
use domain::plan::{AssemblyPoint, ChangeKind, NewAssemblyPoint, PlanSettings, PlanStatus};
use domain::{FieldError, PlanId, Validate};
use serde::Deserialize;

use super::render::{Nav, PageError, html, time};
use crate::access::{operation_for, require};
use crate::api::plans::{propose_plan, view};
use crate::auth::PageUser;
use crate::auth::csrf::tokens_match;
use crate::json::path_id;
use crate::{ApiError, AppState};

pub struct MovementRow {
    pub movement: Movement,
    pub departs: String,
    pub households: u32,
    pub persons: u32,
}

pub struct ChangeRow {
    pub case_id: String,
    pub reference: String,
    pub kind: &'static str,
    pub size: u32,
    pub from: String,
    pub to: String,
}

pub struct ProposalView {
    pub id: PlanId,
    pub created: String,
    pub objective: i64,
    pub greedy: i64,
    pub households: usize,
    pub changes: Vec<ChangeRow>,
}

#[derive(Template)]
#[template(path = "plan.html")]
struct PlanPage {
    nav: Option<Nav>,
    operation: String,
    csrf: String,
    points: Vec<AssemblyPoint>,
    movements: Vec<MovementRow>,
    may_plan: bool,
    may_edit: bool,
    full_manifest: bool,
    minimised_manifest: bool,
    proposal: Option<ProposalView>,
    approved: Option<String>,
    settings: PlanSettings,
}

/// `GET /operations/{op}/plan`
pub async fn page(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    Path(op): Path<String>,
) -> Result<Response, PageError> {
    let op = operation_for(&state, &me, &op, Action::ViewMovements).await?;
    let role = me.user.role;
    let loads = state.store.movement_loads(&op.id).await?;
    let movements = (state.store.list_movements(&op.id, None).await?.into_iter())
        .filter(|m| may_see_movement(&me.user, &m.shared_with))
        .map(|m| {
            let (households, persons) = loads.get(&m.id).copied().unwrap_or_default();
            MovementRow {
                departs: time(m.departs_at),
                movement: m,
                households,
                persons,
            }
        })
        .collect();
    let may_plan = role_may(role, Action::PlanMovements);
    let (mut proposal, mut approved) = (None, None);
    if may_plan {
        let plans = state.store.list_plans(&op.id, 10).await?;
        if let Some(p) = plans.iter().find(|p| p.status == PlanStatus::Approved) {
            approved = Some(time(p.decided_at.unwrap_or(p.created_at)));
        }
        if let Some(p) = plans.iter().find(|p| p.status == PlanStatus::Proposed) {
            let v = view(&state, p.id).await?;
            let designators: std::collections::HashMap<_, _> =
                (state.store.list_movements(&op.id, None).await?.into_iter())
                    .map(|m| (m.id, m.designator))
                    .collect();
            let place = |x: Option<(domain::MovementId, chrono::DateTime<chrono::Utc>)>| {
                x.map_or_else(
                    || "–".to_owned(),
                    |(m, t)| {
                        format!(
                            "{} at {}",
                            designators.get(&m).cloned().unwrap_or_default(),
                            time(t)
                        )
                    },
                )
            };
            proposal = Some(ProposalView {
                id: p.id,
                created: time(p.created_at),
                objective: v.plan.objective,
                greedy: v.plan.greedy_objective,
                households: v.plan.assignments.len(),
                changes: (v.changes.iter())
                    .map(|c| ChangeRow {
                        case_id: c.case_id.to_string(),
                        reference: c.reference.clone(),
                        kind: match c.kind {
                            ChangeKind::Added => "added",
                            ChangeKind::Moved => "moved",
                            ChangeKind::Dropped => "dropped",
                        },
                        size: c.household_size,
                        from: place(c.from),
                        to: place(c.to),
                    })
                    .collect(),
            });
        }
    }
    Ok(html(&PlanPage {
        nav: Some(Nav::new(&me, &op.id)),
        operation: op.id.to_string(),
        csrf: me.csrf_token.clone(),
        points: state.store.list_assembly_points(&op.id).await?,
        movements,
        may_plan,
        may_edit: role_may(role, Action::EditMovements),
        full_manifest: role_may(role, Action::ViewManifest),
        minimised_manifest: role_may(role, Action::ViewMinimisedManifest),
        proposal,
        approved,
        settings: PlanSettings::default(),
    }))
}

#[derive(Deserialize)]
pub struct ProposeForm {
    csrf: String,
    min_hours_before_departure: String,
    max_hours_before_departure: String,
    #[serde(default)]
    release_called_forward: Option<String>,
}

fn number(field: &str, value: &str) -> Result<u32, PageError> {
    value.trim().parse().map_err(|_| {
        ApiError::Validation(vec![FieldError::new(
            field,
            "whole_number",
            "must be a whole number of hours",
        )])
        .into()
    })
}

/// `POST /operations/{op}/plan`: proposes a plan, then shows it.
pub async fn propose(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    Path(op): Path<String>,
    Form(f): Form<ProposeForm>,
) -> Result<Response, PageError> {
    if !tokens_match(&me.csrf_token, &f.csrf) {
        return Err(ApiError::Forbidden("the form expired; reload the page").into());
    }
    let op = operation_for(&state, &me, &op, Action::PlanMovements).await?;
    let settings = PlanSettings {
        min_hours_before_departure: number(
            "min_hours_before_departure",
            &f.min_hours_before_departure,
        )?,
        max_hours_before_departure: number(
            "max_hours_before_departure",
            &f.max_hours_before_departure,
        )?,
        release_called_forward: f.release_called_forward.is_some(),
        ..PlanSettings::default()
    };
    propose_plan(&state, &me, &op.id, settings).await?;
    Ok(Redirect::to(&format!("/operations/{}/plan#proposal", op.id)).into_response())
}

#[derive(Deserialize)]
pub struct CsrfForm {
    csrf: String,
}

/// `POST /plans/{id}/approve`
pub async fn approve(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    Path(id): Path<String>,
    Form(f): Form<CsrfForm>,
) -> Result<Response, PageError> {
    if !tokens_match(&me.csrf_token, &f.csrf) {
        return Err(ApiError::Forbidden("the form expired; reload the page").into());
    }
    require(&me.user, Action::PlanMovements, None)?;
    let plan = state
        .store
        .get_plan(path_id::<PlanId>(&id, "plan")?)
        .await?;
    require(&me.user, Action::PlanMovements, Some(&plan.operation_id))?;
    let mut tx = state.store.write(me.actor()).await?;
    tx.approve_plan(plan.id).await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/operations/{}/plan", plan.operation_id)).into_response())
}

#[derive(Deserialize)]
pub struct PointForm {
    csrf: String,
    name: String,
    persons_per_hour: String,
    provinces: String,
}

/// `POST /operations/{op}/assembly-points`
pub async fn add_point(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    Path(op): Path<String>,
    Form(f): Form<PointForm>,
) -> Result<Response, PageError> {
    if !tokens_match(&me.csrf_token, &f.csrf) {
        return Err(ApiError::Forbidden("the form expired; reload the page").into());
    }
    let op = operation_for(&state, &me, &op, Action::EditMovements).await?;
    let new = NewAssemblyPoint {
        name: f.name,
        persons_per_hour: number("persons_per_hour", &f.persons_per_hour)?,
        provinces: (f.provinces.split(','))
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(str::to_owned)
            .collect(),
    };
    new.validate().map_err(ApiError::validation)?;
    let mut tx = state.store.write(me.actor()).await?;
    tx.create_assembly_point(&op.id, &new).await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/operations/{}/plan", op.id)).into_response())
}
