use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use domain::access::Action;
use domain::movement::{Movement, MovementUpdate, NewMovement};
use domain::{MovementId, Validate};

use crate::access::operation_for;
use crate::access::require;
use crate::auth::CurrentUser;
use crate::json::{JsonBody, path_id};
use crate::{ApiError, AppState};

fn visible_to(me: &CurrentUser, m: &Movement) -> bool {
    domain::access::may_see_movement(&me.user, &m.shared_with)
}

pub(crate) async fn movement_for(
    state: &AppState,
    me: &CurrentUser,
    raw: &str,
    action: Action,
) -> Result<Movement, ApiError> {
    require(&me.user, action, None)?;
    let m = state
        .store
        .get_movement(path_id::<MovementId>(raw, "movement")?)
        .await?;
    require(&me.user, action, Some(&m.operation_id))?;
    if !visible_to(me, &m) {
        return Err(ApiError::NotFound("movement"));
    }
    Ok(m)
}

#[utoipa::path(get, path = "/api/operations/{op}/movements", params(("op" = String, Path)),
    responses((status = 200, body = [Movement])))]
pub async fn list(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(op): Path<String>,
) -> Result<Json<Vec<Movement>>, ApiError> {
    let op = operation_for(&state, &me, &op, Action::ViewMovements).await?;
    let all = state.store.list_movements(&op.id, None).await?;
    Ok(Json(
        all.into_iter().filter(|m| visible_to(&me, m)).collect(),
    ))
}

#[utoipa::path(post, path = "/api/operations/{op}/movements", params(("op" = String, Path)), request_body = NewMovement,
    responses((status = 201, body = Movement), (status = 422)))]
pub async fn create(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(op): Path<String>,
    body: JsonBody,
) -> Result<(StatusCode, Json<Movement>), ApiError> {
    let op = operation_for(&state, &me, &op, Action::EditMovements).await?;
    let new: NewMovement = body.parse()?;
    new.validate().map_err(ApiError::validation)?;
    let mut tx = state.store.write(me.actor()).await?;
    let m = tx.create_movement(&op.id, &new).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(m)))
}

#[utoipa::path(get, path = "/api/movements/{id}", params(("id" = String, Path)), responses((status = 200, body = Movement)))]
pub async fn get(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(id): Path<String>,
) -> Result<Json<Movement>, ApiError> {
    Ok(Json(
        movement_for(&state, &me, &id, Action::ViewMovements).await?,
    ))
}

#[utoipa::path(patch, path = "/api/movements/{id}", params(("id" = String, Path)), request_body = MovementUpdate,
    responses((status = 200, body = Movement), (status = 422)))]
pub async fn update(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(id): Path<String>,
    body: JsonBody,
) -> Result<Json<Movement>, ApiError> {
    let m = movement_for(&state, &me, &id, Action::EditMovements).await?;
    let update: MovementUpdate = body.parse()?;
    update.validate().map_err(ApiError::validation)?;
    let mut tx = state.store.write(me.actor()).await?;
    let m = tx.update_movement(m.id, &update).await?;
    tx.commit().await?;
    Ok(Json(m))
}
