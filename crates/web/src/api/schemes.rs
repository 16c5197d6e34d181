use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use domain::Validate;
use domain::access::Action;
use domain::scheme::{NewScheme, Scheme, SchemeUpdate};

use crate::access::{operation_for, scheme_for};
use crate::auth::CurrentUser;
use crate::json::JsonBody;
use crate::{ApiError, AppState};

#[utoipa::path(get, path = "/api/operations/{op}/schemes", params(("op" = String, Path)),
    responses((status = 200, body = [Scheme])))]
pub async fn list(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(op): Path<String>,
) -> Result<Json<Vec<Scheme>>, ApiError> {
    let op = operation_for(&state, &me, &op, Action::ViewSchemes).await?;
    Ok(Json(state.store.list_schemes(&op.id).await?))
}

#[utoipa::path(post, path = "/api/operations/{op}/schemes", params(("op" = String, Path)), request_body = NewScheme,
    responses((status = 201, body = Scheme), (status = 409), (status = 422)))]
pub async fn create(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(op): Path<String>,
    body: JsonBody,
) -> Result<(StatusCode, Json<Scheme>), ApiError> {
    let op = operation_for(&state, &me, &op, Action::EditSchemes).await?;
    let new: NewScheme = body.parse()?;
    new.validate().map_err(ApiError::validation)?;
    let mut tx = state.store.write(me.actor()).await?;
    let scheme = tx.create_scheme(&op.id, &new).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(scheme)))
}

#[utoipa::path(get, path = "/api/schemes/{id}", params(("id" = String, Path)), responses((status = 200, body = Scheme)))]
pub async fn get(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(id): Path<String>,
) -> Result<Json<Scheme>, ApiError> {
    Ok(Json(
        scheme_for(&state, &me, &id, Action::ViewSchemes).await?,
    ))
}

#[utoipa::path(patch, path = "/api/schemes/{id}", params(("id" = String, Path)), request_body = SchemeUpdate,
    responses((status = 200, body = Scheme), (status = 422)))]
pub async fn update(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(id): Path<String>,
    body: JsonBody,
) -> Result<Json<Scheme>, ApiError> {
    let scheme = scheme_for(&state, &me, &id, Action::EditSchemes).await?;
    let update: SchemeUpdate = body.parse()?;
    update.validate().map_err(ApiError::validation)?;
    let mut tx = state.store.write(me.actor()).await?;
    let scheme = tx.update_scheme(scheme.id, &update).await?;
    tx.commit().await?;
    Ok(Json(scheme))
}
