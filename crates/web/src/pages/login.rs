use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::{Extensions, HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use domain::access::{Action, role_may};
use serde::Deserialize;

use super::render::{Nav, PageError, html};
use crate::auth::csrf::tokens_match;
use crate::auth::session::{self, read_cookie};
use crate::auth::{CurrentUser, PageUser};
use crate::{ApiError, AppState};

/// The sign-in form has no session yet, so its CSRF token is a
/// double-submit cookie: a cross-site page can neither read nor set it.
const LOGIN_CSRF: &str = "muster_login_csrf";

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    nav: Option<Nav>,
    csrf: String,
    error: Option<&'static str>,
}

fn login_page(state: &AppState, error: Option<&'static str>, status: StatusCode) -> Response {
    let csrf = session::random_token();
    let mut res = html(&LoginPage {
        nav: None,
        csrf: csrf.clone(),
        error,
    });
    *res.status_mut() = status;
    res.headers_mut().insert(
        header::SET_COOKIE,
        session::cookie(LOGIN_CSRF, &csrf, 3600, state.config.behind_tls),
    );
    res
}

pub async fn form(State(state): State<AppState>) -> Response {
    login_page(&state, None, StatusCode::OK)
}

#[derive(Deserialize)]
pub struct LoginForm {
    username: String,
    password: String,
    csrf: String,
}

pub async fn submit(
    State(state): State<AppState>,
    ext: Extensions,
    headers: HeaderMap,
    Form(f): Form<LoginForm>,
) -> Response {
    let cookie_token = read_cookie(&headers, LOGIN_CSRF).unwrap_or("");
    if !tokens_match(cookie_token, &f.csrf) {
        return login_page(
            &state,
            Some("The form expired. Please sign in again."),
            StatusCode::FORBIDDEN,
        );
    }
    let address = session::client_address(&ext);
    match session::check_credentials(&state, f.username.trim(), &f.password, address).await {
        Ok(Some(user)) => match session::open(&state, &user).await {
            Ok((cookie, _)) => {
                let mut res = Redirect::to("/").into_response();
                res.headers_mut().append(header::SET_COOKIE, cookie);
                res.headers_mut().append(
                    header::SET_COOKIE,
                    session::cookie(LOGIN_CSRF, "", 0, state.config.behind_tls),
                );
                res
            }
            Err(e) => PageError(e).into_response(),
        },
        Ok(None) => login_page(
            &state,
            Some("Wrong username or password."),
            StatusCode::UNAUTHORIZED,
        ),
        Err(ApiError::TooManyRequests { .. }) => login_page(
            &state,
            Some("Too many attempts. Wait a few minutes, then try again."),
            StatusCode::TOO_MANY_REQUESTS,
        ),
        Err(e) => PageError(e).into_response(),
    }
}

#[derive(Deserialize)]
pub struct CsrfForm {
    csrf: String,
}

pub async fn sign_out(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    Form(f): Form<CsrfForm>,
) -> Response {
    if !tokens_match(&me.csrf_token, &f.csrf) {
        return PageError(ApiError::Forbidden("the form expired; reload the page")).into_response();
    }
    match session::close(&state, &me).await {
        Ok(cookie) => ([(header::SET_COOKIE, cookie)], Redirect::to("/login")).into_response(),
        Err(e) => PageError(e).into_response(),
    }
}

/// The start page: the user's operation's board, or its case list for roles
/// that do not see the board.
pub async fn home(
    State(state): State<AppState>,
    me: Option<CurrentUser>,
) -> Result<Response, PageError> {
    let Some(me) = me else {
        return Ok(Redirect::to("/login").into_response());
    };
    let op = match &me.user.operation_id {
        Some(op) => Some(op.clone()),
        None => state
            .store
            .list_operations()
            .await?
            .into_iter()
            .next()
            .map(|o| o.id),
    };
    let Some(op) = op else {
        return Err(PageError(ApiError::NotFound("operation")));
    };
    let to = if role_may(me.user.role, Action::ViewPosts) {
        format!("/operations/{op}/posts")
    } else if role_may(me.user.role, Action::ViewCases) {
        format!("/operations/{op}/cases")
    } else {
        return Err(PageError(ApiError::Forbidden(
            "your role has no officer pages yet; use the API",
        )));
    };
    Ok(Redirect::to(&to).into_response())
}
