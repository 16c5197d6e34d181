//! Roll calls (start, count, close) and the inbound SMS webhook that
//! carries replies to alerts and answers to roll calls.

use std::collections::BTreeMap;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use domain::access::{Action, role_may};
use domain::alert::AlertText;
use domain::operation::Operation;
use domain::roll_call::{RollCall, RollCallScope, Unanswered};
use domain::{RollCallId, ValidationErrors};
use serde::{Deserialize, Serialize};

use crate::access::operation_for;
use crate::auth::CurrentUser;
use crate::auth::csrf::tokens_match;
use crate::i18n::{LANGUAGES, Texts};
use crate::json::{JsonBody, parse_json, path_id};
use crate::{ApiError, AppState};

/// The roll-call message in every language; `{link}` stands for the link.
pub(crate) fn roll_call_texts() -> BTreeMap<String, AlertText> {
    let mut args = fluent_bundle::FluentArgs::new();
    args.set("link", "{link}");
    LANGUAGES
        .iter()
        .map(|lang| {
            let t = Texts::new(lang);
            (
                lang.code.to_owned(),
                AlertText {
                    title: t.get("rollcall-message-subject"),
                    body: t.with_args("rollcall-message-body", &args),
                },
            )
        })
        .collect()
}

/// Where the people's links point: `{public url}/roll-call/{token}`.
pub(crate) fn link_base(state: &AppState) -> String {
    format!(
        "{}/roll-call",
        state.config.public_url.trim_end_matches('/')
    )
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StartRollCall {
    /// `{"post": id}`, `{"nationality": "DK"}` or `{"scheme": id}`.
    scope: RollCallScope,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct RollCallStarted {
    id: RollCallId,
    /// Persons asked (those with an e-mail address or a phone number).
    asked: i64,
    messages: i64,
}

pub(crate) fn check_scope(scope: &RollCallScope) -> Result<(), ApiError> {
    if let RollCallScope::Nationality(n) = scope {
        let mut e = ValidationErrors::default();
        domain::validation::nation_code(&mut e, "scope.nationality", n);
        e.into_result().map_err(ApiError::validation)?;
    }
    Ok(())
}

/// Starts a roll call in the same write as its messages. HQ only.
pub(crate) async fn start_roll_call(
    state: &AppState,
    me: &CurrentUser,
    op: &Operation,
    scope: &RollCallScope,
) -> Result<store::Started, ApiError> {
    check_scope(scope)?;
    let mut tx = state.store.write(me.actor()).await?;
    let started = tx
        .start_roll_call(&op.id, scope, &roll_call_texts(), &link_base(state))
        .await?;
    tx.commit().await?;
    state.outbox.wake();
    Ok(started)
}

#[utoipa::path(post, path = "/api/operations/{op}/roll-calls", params(("op" = String, Path)),
    request_body = StartRollCall, responses((status = 201, body = RollCallStarted), (status = 404), (status = 422)))]
pub async fn start(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(op): Path<String>,
    body: JsonBody,
) -> Result<(StatusCode, Json<RollCallStarted>), ApiError> {
    let op = operation_for(&state, &me, &op, Action::RunRollCall).await?;
    let req: StartRollCall = body.parse()?;
    let s = start_roll_call(&state, &me, &op, &req.scope).await?;
    Ok((
        StatusCode::CREATED,
        Json(RollCallStarted {
            id: s.id,
            asked: s.asked,
            messages: s.messages,
        }),
    ))
}

#[utoipa::path(get, path = "/api/operations/{op}/roll-calls", params(("op" = String, Path)),
    responses((status = 200, body = [RollCall])))]
pub async fn list(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(op): Path<String>,
) -> Result<Json<Vec<RollCall>>, ApiError> {
    let op = operation_for(&state, &me, &op, Action::ViewRollCall).await?;
    Ok(Json(state.store.list_roll_calls(&op.id).await?))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct RollCallView {
    #[serde(flatten)]
    roll_call: RollCall,
    /// Who has not answered, for a call; only for roles that may see persons.
    #[serde(skip_serializing_if = "Option::is_none")]
    unanswered: Option<Vec<Unanswered>>,
}

/// A roll call of the operation, with the people who have not answered when
/// the caller may see persons.
pub(crate) async fn roll_call_of(
    state: &AppState,
    me: &CurrentUser,
    op: &Operation,
    raw: &str,
) -> Result<(RollCall, Option<Vec<Unanswered>>), ApiError> {
    let id: RollCallId = path_id(raw, "roll call")?;
    let rc = state.store.get_roll_call(id).await?;
    if rc.operation_id != op.id {
        return Err(ApiError::NotFound("roll call"));
    }
    let unanswered = if role_may(me.user.role, Action::ViewCases) {
        Some(state.store.unanswered(id).await?)
    } else {
        None
    };
    Ok((rc, unanswered))
}

#[utoipa::path(get, path = "/api/operations/{op}/roll-calls/{id}",
    params(("op" = String, Path), ("id" = String, Path)), responses((status = 200, body = RollCallView)))]
pub async fn get(
    State(state): State<AppState>,
    me: CurrentUser,
    Path((op, id)): Path<(String, String)>,
) -> Result<Json<RollCallView>, ApiError> {
    let op = operation_for(&state, &me, &op, Action::ViewRollCall).await?;
    let (roll_call, unanswered) = roll_call_of(&state, &me, &op, &id).await?;
    Ok(Json(RollCallView {
        roll_call,
        unanswered,
    }))
}

#[utoipa::path(post, path = "/api/operations/{op}/roll-calls/{id}/close",
    params(("op" = String, Path), ("id" = String, Path)), responses((status = 200, body = RollCall), (status = 409)))]
pub async fn close(
    State(state): State<AppState>,
    me: CurrentUser,
    Path((op, id)): Path<(String, String)>,
    headers: axum::http::HeaderMap,
) -> Result<Json<RollCall>, ApiError> {
    crate::auth::csrf::same_origin(&headers)?;
    let op = operation_for(&state, &me, &op, Action::RunRollCall).await?;
    let (rc, _) = roll_call_of(&state, &me, &op, &id).await?;
    let mut tx = state.store.write(me.actor()).await?;
    tx.close_roll_call(rc.id).await?;
    tx.commit().await?;
    Ok(Json(state.store.get_roll_call(rc.id).await?))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct InboundSms {
    /// The sender's number.
    from: String,
    text: String,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct InboundResult {
    /// Whether the number had been sent a message.
    matched: bool,
}

/// An SMS received by the gateway, as JSON `{from, text}` or a form with
/// the same fields, with `Authorization: Bearer <the shared secret>`.
#[utoipa::path(post, path = "/api/sms/inbound", request_body = InboundSms,
    responses((status = 200, body = InboundResult), (status = 403)))]
pub async fn inbound_sms(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<InboundResult>, ApiError> {
    let Some(secret) = state.config.outbox.sms_inbound_secret.as_deref() else {
        return Err(ApiError::Forbidden("inbound SMS are not configured"));
    };
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or("");
    if !tokens_match(secret, given) {
        return Err(ApiError::Forbidden("wrong or missing shared secret"));
    }
    let is_form = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    let sms: InboundSms = if is_form {
        serde_urlencoded::from_bytes(&body).map_err(|_| {
            ApiError::Validation(vec![domain::FieldError::new(
                "",
                "form",
                "expected the fields from and text",
            )])
        })?
    } else {
        parse_json(&body)?
    };
    let mut tx = state.store.write(domain::audit::Actor::System).await?;
    let reply = tx.record_sms_reply(&sms.from, &sms.text).await?;
    tx.commit().await?;
    Ok(Json(InboundResult {
        matched: reply.is_some(),
    }))
}
