//! Sessions: a random token in an HttpOnly, SameSite=Strict cookie; the
//! database keeps its SHA-256 and the session's CSRF token.

use axum::extract::{FromRequestParts, OptionalFromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{Duration, Utc};
use domain::User;
use domain::audit::Actor;
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::{ApiError, AppState};

pub const COOKIE: &str = "muster_session";
/// A working shift; then sign in again.
pub const LIFETIME_HOURS: i64 = 12;

pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// A cookie header value with the attributes every Muster cookie gets.
pub fn cookie(name: &str, value: &str, max_age_secs: i64, secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    let v = format!(
        "{name}={value}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age_secs}{secure}"
    );
    HeaderValue::from_str(&v).expect("cookie values are hex")
}

pub fn read_cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// The signed-in user of a request.
#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub user: User,
    pub csrf_token: String,
    pub token_hash: String,
}

impl CurrentUser {
    pub fn actor(&self) -> Actor {
        Actor::User(self.user.id)
    }
}

async fn load(parts: &Parts, state: &AppState) -> Result<Option<CurrentUser>, ApiError> {
    let Some(token) = read_cookie(&parts.headers, COOKIE) else {
        return Ok(None);
    };
    let hash = token_hash(token);
    Ok(state.store.find_session(&hash).await?.map(|s| CurrentUser {
        user: s.user,
        csrf_token: s.csrf_token,
        token_hash: hash,
    }))
}

/// API routes: no session is 401.
impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        load(parts, state).await?.ok_or(ApiError::Unauthorized)
    }
}

impl OptionalFromRequestParts<AppState> for CurrentUser {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Option<Self>, Self::Rejection> {
        load(parts, state).await
    }
}

/// Pages: no session sends the browser to the sign-in page.
#[derive(Debug, Clone)]
pub struct PageUser(pub CurrentUser);

impl FromRequestParts<AppState> for PageUser {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        match load(parts, state).await {
            Ok(Some(u)) => Ok(PageUser(u)),
            Ok(None) => Err(Redirect::to("/login").into_response()),
            Err(e) => Err(e.into_response()),
        }
    }
}

/// Opens a session for `user` and returns its cookie. A new token every time,
/// so a token planted before sign-in (session fixation) is worth nothing.
pub async fn open(state: &AppState, user: &User) -> Result<(HeaderValue, String), ApiError> {
    let token = random_token();
    let csrf = random_token();
    let expires = Utc::now() + Duration::hours(LIFETIME_HOURS);
    let mut tx = state.store.write(Actor::User(user.id)).await?;
    tx.create_session(&token_hash(&token), user.id, &csrf, expires)
        .await?;
    tx.commit().await?;
    Ok((
        cookie(
            COOKIE,
            &token,
            LIFETIME_HOURS * 3600,
            state.config.behind_tls,
        ),
        csrf,
    ))
}

pub async fn close(state: &AppState, current: &CurrentUser) -> Result<HeaderValue, ApiError> {
    let mut tx = state.store.write(current.actor()).await?;
    tx.delete_session(&current.token_hash, current.user.id)
        .await?;
    tx.commit().await?;
    Ok(cookie(COOKIE, "", 0, state.config.behind_tls))
}

/// Checks a username and password, with the rate limit and the same timing
/// for unknown users. `None` for wrong credentials.
pub async fn check_credentials(
    state: &AppState,
    username: &str,
    password: &str,
    address: Option<std::net::IpAddr>,
) -> Result<Option<User>, ApiError> {
    state
        .login_limiter
        .check(username, address)
        .map_err(|retry_after| ApiError::TooManyRequests { retry_after })?;
    let found = state.store.find_login(username).await?;
    let hash = found
        .as_ref()
        .map_or_else(|| super::password::decoy().to_owned(), |(_, h)| h.clone());
    let password = password.to_owned();
    let ok = tokio::task::spawn_blocking(move || super::password::verify(&password, &hash))
        .await
        .map_err(|_| ApiError::Internal)?;
    match found {
        Some((user, _)) if ok => {
            state.login_limiter.succeeded(username);
            Ok(Some(user))
        }
        _ => {
            state.login_limiter.failed(username, address);
            Ok(None)
        }
    }
}

/// The client's address, when the server knows it.
pub fn client_address(parts_extensions: &axum::http::Extensions) -> Option<std::net::IpAddr> {
    parts_extensions
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0.ip())
}
