//! Rendering pages and page errors.

use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use domain::access::{Action, role_may};
use domain::{FieldError, OperationId};

use crate::ApiError;
use crate::auth::CurrentUser;

/// The header's navigation, from what the user may see.
pub struct Nav {
    pub operation: String,
    pub board: bool,
    pub cases: bool,
    pub dashboard: bool,
    pub movements: bool,
    pub schemes: bool,
    pub roll_calls: bool,
    /// The gate's conflicts, for whoever reads manifests (HQ, officers, gates).
    pub gate_conflicts: bool,
    pub username: String,
    pub role: &'static str,
    pub csrf: String,
}

impl Nav {
    pub fn new(me: &CurrentUser, operation: &OperationId) -> Self {
        Self {
            operation: operation.to_string(),
            board: role_may(me.user.role, Action::ViewPosts),
            cases: role_may(me.user.role, Action::ViewCases),
            dashboard: role_may(me.user.role, Action::ViewAggregates),
            movements: role_may(me.user.role, Action::ViewMovements),
            schemes: role_may(me.user.role, Action::ViewSchemes),
            roll_calls: role_may(me.user.role, Action::ViewRollCall),
            gate_conflicts: role_may(me.user.role, Action::ViewManifest),
            username: me.user.username.clone(),
            role: me.user.role.label(),
            csrf: me.csrf_token.clone(),
        }
    }
}

pub fn html(t: &impl Template) -> Response {
    match t.render() {
        Ok(body) => Html(body).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template failed");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    nav: Option<Nav>,
    title: String,
    detail: String,
    errors: Vec<FieldError>,
}

/// An [`ApiError`] shown as a page.
pub struct PageError(pub ApiError);

impl From<ApiError> for PageError {
    fn from(e: ApiError) -> Self {
        Self(e)
    }
}

impl From<store::StoreError> for PageError {
    fn from(e: store::StoreError) -> Self {
        Self(e.into())
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let status = self.0.status();
        let p = self.0.problem();
        let mut res = html(&ErrorPage {
            nav: None,
            title: p.title,
            detail: p.detail,
            errors: p.errors,
        });
        *res.status_mut() = status;
        res
    }
}

pub fn time(t: chrono::DateTime<chrono::Utc>) -> String {
    t.format("%Y-%m-%d %H:%M").to_string()
}
