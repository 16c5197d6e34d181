//! The review queue: suspected duplicates, most likely first; a pair side by
//! side with the reasons; merge, mark distinct, or undo a merge.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use domain::access::{Action, role_may};
use domain::duplicate::DuplicateStatus;
use domain::operation::Operation;
use serde::Deserialize;
use store::Paging;

use super::cases::MemberRow;
use super::render::{Nav, PageError, html, time};
use crate::access::operation_for;
use crate::api::duplicates::{Decision, DuplicateDetail, apply, pair_for};
use crate::auth::PageUser;
use crate::auth::csrf::tokens_match;
use crate::json::ApiQuery;
use crate::{ApiError, AppState};

pub struct QueueRow {
    id: String,
    probability: String,
    reasons: String,
    found: String,
}

#[derive(Template)]
#[template(path = "duplicates.html")]
struct QueuePage {
    nav: Option<Nav>,
    operation: Operation,
    status: &'static str,
    rows: Vec<QueueRow>,
    total: i64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QueueQuery {
    status: Option<DuplicateStatus>,
    page: Option<u32>,
}

fn percent(p: f64) -> String {
    format!("{:.1} %", p * 100.0)
}

/// `GET /operations/{op}/duplicates`
pub async fn queue(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    Path(op): Path<String>,
    ApiQuery(q): ApiQuery<QueueQuery>,
) -> Result<Response, PageError> {
    let operation = operation_for(&state, &me, &op, Action::ViewCases).await?;
    let status = q.status.unwrap_or(DuplicateStatus::Open);
    let page = state
        .store
        .list_duplicates(&operation.id, status, Paging::new(q.page, Some(100)))
        .await?;
    let rows = page
        .items
        .iter()
        .map(|p| QueueRow {
            id: p.id.to_string(),
            probability: percent(p.probability),
            reasons: p
                .reasons
                .iter()
                .filter(|r| r.weight > 0.0)
                .map(|r| r.field.replace('_', " "))
                .collect::<Vec<_>>()
                .join(", "),
            found: time(p.found_at),
        })
        .collect();
    Ok(html(&QueuePage {
        nav: Some(Nav::new(&me, &operation.id)),
        status: status.as_str(),
        total: page.total,
        rows,
        operation,
    }))
}

pub struct SideView {
    case_id: String,
    reference: String,
    row: MemberRow,
}

#[derive(Template)]
#[template(path = "duplicate.html")]
struct PairPage {
    nav: Option<Nav>,
    csrf: String,
    id: String,
    operation: String,
    status: &'static str,
    probability: String,
    /// Field, how it compared, weight in bits (signed).
    reasons: Vec<(String, String, String)>,
    a: Option<SideView>,
    b: Option<SideView>,
    may_decide: bool,
}

fn side(s: Option<crate::api::duplicates::Side>) -> Option<SideView> {
    s.map(|s| SideView {
        case_id: s.case_id.to_string(),
        reference: s.case_reference,
        row: MemberRow::of(&s.person.details),
    })
}

fn pair_page(me: &crate::auth::CurrentUser, d: DuplicateDetail) -> Response {
    let (pair, a, b) = d.into_parts();
    html(&PairPage {
        nav: Some(Nav::new(me, &pair.operation_id)),
        csrf: me.csrf_token.clone(),
        id: pair.id.to_string(),
        operation: pair.operation_id.to_string(),
        status: pair.status.as_str(),
        probability: percent(pair.probability),
        reasons: pair
            .reasons
            .iter()
            .map(|r| {
                let tf = if r.term_frequency {
                    ", by its rarity"
                } else {
                    ""
                };
                (
                    r.field.replace('_', " "),
                    format!("{}{tf}", r.level.replace('_', " ")),
                    format!("{:+.1}", r.weight),
                )
            })
            .collect(),
        a: side(a),
        b: side(b),
        may_decide: role_may(me.user.role, Action::EditCases),
    })
}

/// `GET /duplicates/{id}`
pub async fn pair(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let d = pair_for(&state, &me, &id, Action::ViewCases).await?;
    Ok(pair_page(&me, d))
}

#[derive(Deserialize)]
pub struct DecisionForm {
    csrf: String,
    decision: Decision,
}

/// `POST /duplicates/{id}/decision`
pub async fn decide(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    Path(id): Path<String>,
    Form(f): Form<DecisionForm>,
) -> Result<Response, PageError> {
    if !tokens_match(&me.csrf_token, &f.csrf) {
        return Err(ApiError::Forbidden("the form expired; reload the page").into());
    }
    let d = apply(&state, &me, &id, &f.decision).await?;
    let op = d.operation().to_string();
    // Back to the queue after a decision; to the pair after undoing a merge.
    Ok(match f.decision {
        Decision::Unmerge => Redirect::to(&format!("/duplicates/{id}")).into_response(),
        _ => Redirect::to(&format!("/operations/{op}/duplicates")).into_response(),
    })
}
