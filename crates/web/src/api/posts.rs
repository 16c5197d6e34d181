use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use domain::access::Action;
use domain::post::{NewPost, Post, PostUpdate};
use domain::posture::{PostureChange, PostureEvent};
use domain::{PostId, Validate};
use serde::Serialize;

use crate::access::operation_for;
use crate::auth::CurrentUser;
use crate::json::{JsonBody, path_id};
use crate::{ApiError, AppState};

#[derive(Serialize, utoipa::ToSchema)]
pub struct PostWithHistory {
    #[serde(flatten)]
    post: Post,
    history: Vec<PostureEvent>,
}

/// Loads a post of the operation; a post of another operation is not found.
async fn post_in(state: &AppState, op: &domain::OperationId, raw: &str) -> Result<Post, ApiError> {
    let post = state
        .store
        .get_post(path_id::<PostId>(raw, "post")?)
        .await?;
    if &post.operation_id != op {
        return Err(ApiError::NotFound("post"));
    }
    Ok(post)
}

/// Every post of the operation with its current posture.
#[utoipa::path(get, path = "/api/operations/{op}/posts", params(("op" = String, Path)),
    responses((status = 200, body = [Post])))]
pub async fn list(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(op): Path<String>,
) -> Result<Json<Vec<Post>>, ApiError> {
    let op = operation_for(&state, &me, &op, Action::ViewPosts).await?;
    let board = state.store.posture_board(&op.id).await?;
    Ok(Json(board.into_iter().map(|(p, _)| p).collect()))
}

#[utoipa::path(post, path = "/api/operations/{op}/posts", params(("op" = String, Path)), request_body = NewPost,
    responses((status = 201, body = Post), (status = 422)))]
pub async fn create(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(op): Path<String>,
    body: JsonBody,
) -> Result<(StatusCode, Json<Post>), ApiError> {
    let op = operation_for(&state, &me, &op, Action::EditPosts).await?;
    let new: NewPost = body.parse()?;
    new.validate().map_err(ApiError::validation)?;
    let mut tx = state.store.write(me.actor()).await?;
    let post = tx.create_post(&op.id, &new).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(post)))
}

#[utoipa::path(get, path = "/api/operations/{op}/posts/{post}", params(("op" = String, Path), ("post" = String, Path)),
    responses((status = 200, body = PostWithHistory), (status = 404)))]
pub async fn get(
    State(state): State<AppState>,
    me: CurrentUser,
    Path((op, post)): Path<(String, String)>,
) -> Result<Json<PostWithHistory>, ApiError> {
    let op = operation_for(&state, &me, &op, Action::ViewPosts).await?;
    let post = post_in(&state, &op.id, &post).await?;
    let history = state.store.posture_history(post.id).await?;
    Ok(Json(PostWithHistory { post, history }))
}

#[utoipa::path(patch, path = "/api/operations/{op}/posts/{post}", params(("op" = String, Path), ("post" = String, Path)),
    request_body = PostUpdate, responses((status = 200, body = Post), (status = 422)))]
pub async fn update(
    State(state): State<AppState>,
    me: CurrentUser,
    Path((op, post)): Path<(String, String)>,
    body: JsonBody,
) -> Result<Json<Post>, ApiError> {
    let op = operation_for(&state, &me, &op, Action::EditPosts).await?;
    let post = post_in(&state, &op.id, &post).await?;
    let update: PostUpdate = body.parse()?;
    update.validate().map_err(ApiError::validation)?;
    let mut tx = state.store.write(me.actor()).await?;
    tx.update_post(post.id, &update).await?;
    tx.commit().await?;
    Ok(Json(state.store.get_post(post.id).await?))
}

/// Records a change of posture (appended to the history, never edited).
#[utoipa::path(post, path = "/api/operations/{op}/posts/{post}/posture", params(("op" = String, Path), ("post" = String, Path)),
    request_body = PostureChange, responses((status = 201, body = PostureEvent), (status = 422)))]
pub async fn record_posture(
    State(state): State<AppState>,
    me: CurrentUser,
    Path((op, post)): Path<(String, String)>,
    body: JsonBody,
) -> Result<(StatusCode, Json<PostureEvent>), ApiError> {
    let op = operation_for(&state, &me, &op, Action::RecordPosture).await?;
    let post = post_in(&state, &op.id, &post).await?;
    let change: PostureChange = body.parse()?;
    change.validate().map_err(ApiError::validation)?;
    let mut tx = state.store.write(me.actor()).await?;
    let event = tx.record_posture(post.id, &change).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(event)))
}
