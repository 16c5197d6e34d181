//! The HQ page that burns an operation.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use domain::access::Action;
use domain::operation::Operation;
use serde::Deserialize;

use super::render::{Nav, PageError, html};
use crate::access::operation_for;
use crate::auth::PageUser;
use crate::auth::csrf::tokens_match;
use crate::{ApiError, AppState};

#[derive(Template)]
#[template(path = "burn.html")]
struct BurnPage {
    nav: Option<Nav>,
    operation: Operation,
    csrf: String,
    burned: bool,
    error: Option<String>,
}

fn page(
    me: &crate::auth::CurrentUser,
    operation: Operation,
    burned: bool,
    error: Option<String>,
) -> Response {
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let mut res = html(&BurnPage {
        nav: Some(Nav::new(me, &operation.id)),
        csrf: me.csrf_token.clone(),
        operation,
        burned,
        error,
    });
    *res.status_mut() = status;
    res
}

/// `GET /operations/{op}/burn`
pub async fn form(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    Path(op): Path<String>,
) -> Result<Response, PageError> {
    let op = operation_for(&state, &me, &op, Action::Burn).await?;
    let burned = state.store.is_burned(&op.id).await?;
    Ok(page(&me, op, burned, None))
}

#[derive(Deserialize)]
pub struct BurnForm {
    csrf: String,
    confirm: String,
}

/// `POST /operations/{op}/burn`
pub async fn submit(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    Path(op): Path<String>,
    Form(f): Form<BurnForm>,
) -> Result<Response, PageError> {
    if !tokens_match(&me.csrf_token, &f.csrf) {
        return Err(ApiError::Forbidden("the form expired; reload the page").into());
    }
    let op = operation_for(&state, &me, &op, Action::Burn).await?;
    match crate::burn::burn(&state, &me, &op.id, &f.confirm).await {
        Ok(()) => Ok(page(&me, op, true, None)),
        Err(ApiError::Validation(e)) => {
            let message = e.first().map(|e| e.message.clone());
            Ok(page(&me, op, false, message))
        }
        Err(e) => Err(e.into()),
    }
}
