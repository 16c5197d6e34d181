//! The review queue of suspected duplicates: list, look at a pair, decide.

use axum::Json;
use axum::extract::{Path, State};
use domain::access::Action;
use domain::duplicate::{DuplicatePair, DuplicateStatus};
use domain::person::Person;
use domain::{CaseId, DuplicateId};
use serde::{Deserialize, Serialize};
use store::Paging;

use crate::access::{operation_for, require};
use crate::auth::CurrentUser;
use crate::json::{ApiQuery, JsonBody, path_id};
use crate::{ApiError, AppState};

#[derive(Serialize, utoipa::ToSchema)]
pub struct DuplicatePage {
    items: Vec<DuplicatePair>,
    total: i64,
    page: u32,
    per_page: u32,
}

#[derive(Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct QueueQuery {
    /// `open` (the default), `merged` or `distinct`.
    status: Option<DuplicateStatus>,
    page: Option<u32>,
    per_page: Option<u32>,
}

/// One side of a pair: the person and the case they are in.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Side {
    pub case_id: CaseId,
    pub case_reference: String,
    pub person: Person,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct DuplicateDetail {
    #[serde(flatten)]
    pair: DuplicatePair,
    /// The earlier record; `null` once its person was removed from the case.
    a: Option<Side>,
    b: Option<Side>,
}

impl DuplicateDetail {
    pub fn operation(&self) -> &domain::OperationId {
        &self.pair.operation_id
    }

    pub fn into_parts(self) -> (DuplicatePair, Option<Side>, Option<Side>) {
        (self.pair, self.a, self.b)
    }
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields, rename_all = "snake_case")]
pub enum Decision {
    /// The same person (reversible).
    Merge,
    /// Two people: never proposed again.
    Distinct,
    /// Undo a merge: the pair is open again.
    Unmerge,
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionRequest {
    decision: Decision,
}

impl Decision {
    pub fn status(&self) -> DuplicateStatus {
        match self {
            Decision::Merge => DuplicateStatus::Merged,
            Decision::Distinct => DuplicateStatus::Distinct,
            Decision::Unmerge => DuplicateStatus::Open,
        }
    }
}

/// The operation's suspected duplicates, most likely first.
#[utoipa::path(get, path = "/api/operations/{op}/duplicates", params(("op" = String, Path), QueueQuery),
    responses((status = 200, body = DuplicatePage)))]
pub async fn list(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(op): Path<String>,
    ApiQuery(q): ApiQuery<QueueQuery>,
) -> Result<Json<DuplicatePage>, ApiError> {
    let op = operation_for(&state, &me, &op, Action::ViewCases).await?;
    let page = state
        .store
        .list_duplicates(
            &op.id,
            q.status.unwrap_or(DuplicateStatus::Open),
            Paging::new(q.page, q.per_page),
        )
        .await?;
    Ok(Json(DuplicatePage {
        items: page.items,
        total: page.total,
        page: page.page,
        per_page: page.per_page,
    }))
}

async fn side(state: &AppState, person: domain::PersonId) -> Result<Option<Side>, ApiError> {
    let Some(case_id) = state.store.case_of_person(person).await? else {
        return Ok(None);
    };
    let case = state.store.get_case(case_id).await?;
    Ok(case
        .members
        .into_iter()
        .find(|m| m.id == person)
        .map(|person| Side {
            case_id,
            case_reference: case.reference,
            person,
        }))
}

/// A pair with its access checked: the operation's, for a role that may.
pub async fn pair_for(
    state: &AppState,
    me: &CurrentUser,
    id: &str,
    action: Action,
) -> Result<DuplicateDetail, ApiError> {
    require(&me.user, action, None)?;
    let id: DuplicateId = path_id(id, "duplicate pair")?;
    let pair = state.store.get_duplicate(id).await?;
    operation_for(state, me, pair.operation_id.as_str(), action).await?;
    Ok(DuplicateDetail {
        a: side(state, pair.person_a).await?,
        b: side(state, pair.person_b).await?,
        pair,
    })
}

/// Both records of a pair, side by side, with the reasons.
#[utoipa::path(get, path = "/api/duplicates/{id}", params(("id" = String, Path)),
    responses((status = 200, body = DuplicateDetail), (status = 404)))]
pub async fn get(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(id): Path<String>,
) -> Result<Json<DuplicateDetail>, ApiError> {
    Ok(Json(pair_for(&state, &me, &id, Action::ViewCases).await?))
}

/// Applies a decision, audited.
pub async fn apply(
    state: &AppState,
    me: &CurrentUser,
    id: &str,
    decision: &Decision,
) -> Result<DuplicateDetail, ApiError> {
    let pair = pair_for(state, me, id, Action::EditCases).await?;
    let mut tx = state.store.write(me.actor()).await?;
    tx.decide_duplicate(pair.pair.id, decision.status()).await?;
    tx.commit().await?;
    pair_for(state, me, id, Action::ViewCases).await
}

/// Merges a pair, marks it distinct, or undoes a merge.
#[utoipa::path(post, path = "/api/duplicates/{id}/decision", params(("id" = String, Path)),
    request_body = DecisionRequest,
    responses((status = 200, body = DuplicateDetail), (status = 409)))]
pub async fn decide(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(id): Path<String>,
    body: JsonBody,
) -> Result<Json<DuplicateDetail>, ApiError> {
    require(&me.user, Action::EditCases, None)?;
    let d: DecisionRequest = body.parse()?;
    Ok(Json(apply(&state, &me, &id, &d.decision).await?))
}
