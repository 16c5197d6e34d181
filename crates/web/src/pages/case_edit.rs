//! An officer edits a household on the same form it was registered with:
//! what an officer learns ("needs information") goes onto the case here.
//! Members keep their identity by position, as in a registrant's correction.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;
use domain::FieldError;
use domain::access::Action;
use domain::case::Case;
use formats::import::ValidationOptions;
use intake::HouseholdInput;

use super::household_form;
use super::intake::household_page;
use super::render::PageError;
use crate::access::case_for;
use crate::api::registrations::correction_update;
use crate::auth::csrf::tokens_match;
use crate::auth::{CurrentUser, PageUser};
use crate::{ApiError, AppState};

async fn scheme_code(state: &AppState, case: &Case) -> Result<Option<String>, PageError> {
    Ok(match case.scheme_id {
        Some(id) => Some(state.store.get_scheme(id).await?.code),
        None => None,
    })
}

async fn page(
    state: &AppState,
    me: &CurrentUser,
    case: &Case,
    input: &HouseholdInput,
    errors: &[FieldError],
) -> Result<Response, PageError> {
    let op = state.store.get_operation(&case.operation_id).await?;
    let target = (
        format!("/cases/{}/edit", case.id),
        format!("Case {}", case.reference),
        "Save the household",
        Some(case.version),
    );
    household_page(state, me, op, input, errors, target).await
}

/// `GET /cases/{id}/edit`
pub async fn form(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let case = case_for(&state, &me, &id, Action::EditCases).await?;
    let input = HouseholdInput::from_case(&case, scheme_code(&state, &case).await?.as_deref());
    page(&state, &me, &case, &input, &[]).await
}

/// `POST /cases/{id}/edit`: checked as every other way in; a stale form
/// (someone saved in between) is refused, not merged.
pub async fn save(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let case = case_for(&state, &me, &id, Action::EditCases).await?;
    let posted = household_form::read(household_form::pairs(&body)?);
    let csrf = posted.controls.get("csrf").map_or("", String::as_str);
    if !tokens_match(&me.csrf_token, csrf) {
        return Err(ApiError::Forbidden("the form expired; reload the page").into());
    }
    if posted.controls.contains_key("add_member") {
        return page(&state, &me, &case, &posted.household, &[]).await;
    }
    let version = (posted.controls.get("version"))
        .and_then(|v| v.parse::<i64>().ok())
        .unwrap_or(case.version);
    let schemes = state.store.scheme_codes(&case.operation_id).await?;
    let options = ValidationOptions::afghan(Utc::now().date_naive());
    match posted.household.to_case(&schemes, &options) {
        Err(errors) => page(&state, &me, &case, &posted.household, &errors.0).await,
        Ok(new) => {
            let update = correction_update(&case, version, new);
            let mut tx = state.store.write(me.actor()).await?;
            tx.update_case(case.id, &update).await?;
            tx.commit().await?;
            state.matcher.changed(&case.operation_id);
            Ok(Redirect::to(&format!("/cases/{}", case.id)).into_response())
        }
    }
}
