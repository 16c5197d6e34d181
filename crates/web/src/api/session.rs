use axum::Json;
use axum::extract::State;
use axum::http::{Extensions, HeaderMap, header};
use axum::response::{IntoResponse, Response};
use domain::User;
use serde::{Deserialize, Serialize};

use crate::auth::{CurrentUser, session};
use crate::json::JsonBody;
use crate::{ApiError, AppState};

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Credentials {
    username: String,
    password: String,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct SessionInfo {
    user: User,
    /// For clients that post the officer forms themselves.
    csrf_token: String,
}

/// Signs in; the answer sets the session cookie.
#[utoipa::path(post, path = "/api/session", request_body = Credentials,
    responses((status = 200, body = SessionInfo), (status = 401), (status = 429)))]
pub async fn sign_in(
    State(state): State<AppState>,
    ext: Extensions,
    body: JsonBody,
) -> Result<Response, ApiError> {
    let creds: Credentials = body.parse()?;
    let address = session::client_address(&ext);
    let user = session::check_credentials(&state, &creds.username, &creds.password, address)
        .await?
        .ok_or(ApiError::Unauthorized)?;
    let (cookie, csrf_token) = session::open(&state, &user).await?;
    let mut headers = HeaderMap::new();
    headers.insert(header::SET_COOKIE, cookie);
    Ok((headers, Json(SessionInfo { user, csrf_token })).into_response())
}

/// Who is signed in.
#[utoipa::path(get, path = "/api/session", responses((status = 200, body = SessionInfo), (status = 401)))]
pub async fn current(me: CurrentUser) -> Json<SessionInfo> {
    Json(SessionInfo {
        user: me.user,
        csrf_token: me.csrf_token,
    })
}

/// Signs out and ends the session on the server.
#[utoipa::path(delete, path = "/api/session", responses((status = 204), (status = 401)))]
pub async fn sign_out(
    State(state): State<AppState>,
    me: CurrentUser,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    crate::auth::csrf::same_origin(&headers)?;
    let cookie = session::close(&state, &me).await?;
    Ok((
        [(header::SET_COOKIE, cookie)],
        axum::http::StatusCode::NO_CONTENT,
    )
        .into_response())
}
