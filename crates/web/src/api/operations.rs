use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use domain::Validate;
use domain::access::Action;
use domain::operation::{NewOperation, Operation, OperationUpdate};

use crate::access::{operation_for, require};
use crate::auth::CurrentUser;
use crate::json::JsonBody;
use crate::{ApiError, AppState};

/// The operations the user works in.
#[utoipa::path(get, path = "/api/operations", responses((status = 200, body = [Operation])))]
pub async fn list(
    State(state): State<AppState>,
    me: CurrentUser,
) -> Result<Json<Vec<Operation>>, ApiError> {
    require(&me.user, Action::ViewOperation, None)?;
    let all = state.store.list_operations().await?;
    Ok(Json(match &me.user.operation_id {
        Some(mine) => all.into_iter().filter(|o| &o.id == mine).collect(),
        None => all,
    }))
}

#[utoipa::path(post, path = "/api/operations", request_body = NewOperation,
    responses((status = 201, body = Operation), (status = 409), (status = 422)))]
pub async fn create(
    State(state): State<AppState>,
    me: CurrentUser,
    body: JsonBody,
) -> Result<(StatusCode, Json<Operation>), ApiError> {
    require(&me.user, Action::Administer, None)?;
    let new: NewOperation = body.parse()?;
    new.validate().map_err(ApiError::validation)?;
    let mut tx = state.store.write(me.actor()).await?;
    let op = tx.create_operation(&new).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(op)))
}

#[utoipa::path(get, path = "/api/operations/{op}", params(("op" = String, Path)),
    responses((status = 200, body = Operation), (status = 404)))]
pub async fn get(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(op): Path<String>,
) -> Result<Json<Operation>, ApiError> {
    Ok(Json(
        operation_for(&state, &me, &op, Action::ViewOperation).await?,
    ))
}

#[utoipa::path(patch, path = "/api/operations/{op}", params(("op" = String, Path)), request_body = OperationUpdate,
    responses((status = 200, body = Operation), (status = 422)))]
pub async fn update(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(op): Path<String>,
    body: JsonBody,
) -> Result<Json<Operation>, ApiError> {
    let op = operation_for(&state, &me, &op, Action::EditOperation).await?;
    let update: OperationUpdate = body.parse()?;
    update.validate().map_err(ApiError::validation)?;
    let mut tx = state.store.write(me.actor()).await?;
    let op = tx.update_operation(&op.id, &update).await?;
    tx.commit().await?;
    Ok(Json(op))
}
