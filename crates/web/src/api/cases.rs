use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use chrono::Utc;
use domain::access::Action;
use domain::case::{Case, CaseEvent, CaseSummary, CaseUpdate, NewCase, StatusChange};
use domain::person::name_words;
use domain::{CaseId, CaseStatus, OperationId, SchemeId};
use serde::{Deserialize, Serialize};
use store::{CaseFilter, Page, Paging};

use crate::access::{case_for, operation_for, require};
use crate::auth::CurrentUser;
use crate::json::{ApiQuery, JsonBody};
use crate::{ApiError, AppState};

#[derive(Serialize, utoipa::ToSchema)]
pub struct CaseDetail {
    #[serde(flatten)]
    case: Case,
    history: Vec<CaseEvent>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct CasePage {
    items: Vec<CaseSummary>,
    total: i64,
    /// `total` is a floor: a name search stops counting at 1,000.
    more: bool,
    page: u32,
    per_page: u32,
}

impl From<Page<CaseSummary>> for CasePage {
    fn from(p: Page<CaseSummary>) -> Self {
        Self {
            items: p.items,
            total: p.total,
            more: p.more,
            page: p.page,
            per_page: p.per_page,
        }
    }
}

/// Filters that may appear in a URL: none of them is personal data.
#[derive(Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    operation: String,
    status: Option<CaseStatus>,
    scheme: Option<SchemeId>,
    page: Option<u32>,
    per_page: Option<u32>,
}

/// A name search: in the body, because names never go in a URL.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SearchRequest {
    operation: OperationId,
    /// Words of a name, in any script; every word must match a member's name.
    name: String,
    #[serde(default)]
    status: Option<CaseStatus>,
    #[serde(default)]
    scheme: Option<SchemeId>,
    #[serde(default)]
    page: Option<u32>,
    #[serde(default)]
    per_page: Option<u32>,
}

pub(crate) async fn detail(state: &AppState, id: CaseId) -> Result<CaseDetail, ApiError> {
    let case = state.store.get_case(id).await?;
    let history = state.store.case_history(id).await?;
    Ok(CaseDetail { case, history })
}

/// Lists an operation's cases, most recently changed first (with name
/// words, most recently registered first).
#[utoipa::path(get, path = "/api/cases", params(ListQuery), responses((status = 200, body = CasePage)))]
pub async fn list(
    State(state): State<AppState>,
    me: CurrentUser,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Json<CasePage>, ApiError> {
    let op = operation_for(&state, &me, &q.operation, Action::ViewCases).await?;
    let filter = CaseFilter {
        status: q.status,
        scheme_id: q.scheme,
        ..CaseFilter::default()
    };
    let page = state
        .store
        .list_cases(&op.id, &filter, Paging::new(q.page, q.per_page))
        .await?;
    Ok(Json(page.into()))
}

/// Searches an operation's cases by name, the most recently registered
/// first.
#[utoipa::path(post, path = "/api/cases/search", request_body = SearchRequest, responses((status = 200, body = CasePage)))]
pub async fn search(
    State(state): State<AppState>,
    me: CurrentUser,
    body: JsonBody,
) -> Result<Json<CasePage>, ApiError> {
    require(&me.user, Action::ViewCases, None)?;
    let q: SearchRequest = body.parse()?;
    let op = operation_for(&state, &me, q.operation.as_str(), Action::ViewCases).await?;
    let words: Vec<String> = name_words(&q.name).collect();
    if words.is_empty() || words.len() > 10 {
        return Err(ApiError::Validation(vec![domain::FieldError::new(
            "name",
            "name_words",
            "give 1 to 10 words of a name",
        )]));
    }
    let filter = CaseFilter {
        status: q.status,
        scheme_id: q.scheme,
        name_words: words,
        ..CaseFilter::default()
    };
    let page = state
        .store
        .list_cases(&op.id, &filter, Paging::new(q.page, q.per_page))
        .await?;
    Ok(Json(page.into()))
}

/// Registers a household.
#[utoipa::path(post, path = "/api/operations/{op}/cases", params(("op" = String, Path)), request_body = NewCase,
    responses((status = 201, body = CaseDetail), (status = 422)))]
pub async fn create(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(op): Path<String>,
    body: JsonBody,
) -> Result<(StatusCode, HeaderMap, Json<CaseDetail>), ApiError> {
    let op = operation_for(&state, &me, &op, Action::EditCases).await?;
    let new: NewCase = body.parse()?;
    new.check(Utc::now().date_naive())
        .map_err(ApiError::validation)?;
    let mut tx = state.store.write(me.actor()).await?;
    let id = tx.create_case(&op, &new, "officer").await?;
    tx.commit().await?;
    state.matcher.changed(&op.id);
    let mut headers = HeaderMap::new();
    if let Ok(v) = HeaderValue::from_str(&format!("/api/cases/{id}")) {
        headers.insert(header::LOCATION, v);
    }
    Ok((
        StatusCode::CREATED,
        headers,
        Json(detail(&state, id).await?),
    ))
}

#[utoipa::path(get, path = "/api/cases/{id}", params(("id" = String, Path)),
    responses((status = 200, body = CaseDetail), (status = 404)))]
pub async fn get(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(id): Path<String>,
) -> Result<Json<CaseDetail>, ApiError> {
    let case = case_for(&state, &me, &id, Action::ViewCases).await?;
    let history = state.store.case_history(case.id).await?;
    Ok(Json(CaseDetail { case, history }))
}

/// Updates a case written against the version the client read.
#[utoipa::path(patch, path = "/api/cases/{id}", params(("id" = String, Path)), request_body = CaseUpdate,
    responses((status = 200, body = CaseDetail), (status = 409), (status = 422)))]
pub async fn update(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(id): Path<String>,
    body: JsonBody,
) -> Result<Json<CaseDetail>, ApiError> {
    let case = case_for(&state, &me, &id, Action::EditCases).await?;
    let update: CaseUpdate = body.parse()?;
    update
        .check(Utc::now().date_naive())
        .map_err(ApiError::validation)?;
    let mut tx = state.store.write(me.actor()).await?;
    tx.update_case(case.id, &update).await?;
    tx.commit().await?;
    if update.members.is_some() {
        state.matcher.changed(&case.operation_id);
    }
    Ok(Json(detail(&state, case.id).await?))
}

/// Moves a case along the pipeline; the step decides which grant is needed.
#[utoipa::path(post, path = "/api/cases/{id}/status", params(("id" = String, Path)), request_body = StatusChange,
    responses((status = 200, body = CaseDetail), (status = 422)))]
pub async fn change_status(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(id): Path<String>,
    body: JsonBody,
) -> Result<Json<CaseDetail>, ApiError> {
    // The step decides the grant, so the (small) body is read first.
    let change: StatusChange = body.parse()?;
    let id = move_case(&state, &me, &id, &change).await?;
    Ok(Json(detail(&state, id).await?))
}

/// Takes one step of the pipeline for the API and the case page alike.
pub(crate) async fn move_case(
    state: &AppState,
    me: &CurrentUser,
    raw_id: &str,
    change: &StatusChange,
) -> Result<CaseId, ApiError> {
    let case = case_for(state, me, raw_id, Action::for_transition(change.to)).await?;
    let mut errors = domain::ValidationErrors::default();
    domain::validation::text(&mut errors, "reason", &change.reason, 500);
    errors.into_result().map_err(ApiError::validation)?;
    let mut tx = state.store.write(me.actor()).await?;
    if change.to == domain::CaseStatus::CalledForward {
        // Never called forward without a pass (and its message).
        let issued = tx.call_forward(case.id).await?;
        super::passes::enqueue_call_forward_message(state, &mut tx, &issued).await?;
    } else {
        tx.change_status(case.id, change).await?;
    }
    tx.commit().await?;
    Ok(case.id)
}
