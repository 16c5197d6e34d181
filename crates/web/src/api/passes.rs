//! Call-forward and passes: calling a household forward issues its signed
//! pass; the operation's public keys are published as a JWKS for anyone
//! (gates, allies, any JOSE library) to verify passes with; passes can be
//! revoked, and the gates get the revocation list.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use domain::access::Action;
use domain::pass::{Pass, RevokedPass, StoredScan};
use domain::validation::ValidationErrors;
use domain::{CaseId, CaseStatus, MovementId, OperationId, PassId};
use passes::{Jwk, Jwks};
use serde::{Deserialize, Serialize};
use store::{HouseholdMessage, IssuedPass, WriteTx};

use crate::access::{case_for, operation_for, require};
use crate::auth::CurrentUser;
use crate::json::{JsonBody, path_id};
use crate::{ApiError, AppState};

/// What a household's call-forward message carries besides its text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CallForwardMessage {
    pub case_id: CaseId,
    /// The household's language (BCP 47), English when it gave none.
    pub language: String,
    /// The pass page, relative to the server's public address.
    pub pass_page: String,
    /// Messages queued: one per channel the household can be reached on.
    pub queued: usize,
}

/// Queues a household's call-forward message in the call-forward's own
/// write, so that a household is never called forward without its message
/// nor messaged without its pass. The text, in the household's language,
/// gives the processing hour, the short code and the pass page; like the
/// pass, it names nobody.
pub(crate) async fn enqueue_call_forward_message(
    state: &AppState,
    tx: &mut WriteTx,
    issued: &IssuedPass,
) -> Result<CallForwardMessage, ApiError> {
    let language = (issued.language.as_deref())
        .and_then(crate::i18n::by_tag)
        .unwrap_or_else(crate::i18n::english);
    let pass = &issued.pass;
    let pass_page = pass_page_path(pass);
    let t = crate::i18n::Texts::new(language);
    let mut args = fluent_bundle::FluentArgs::new();
    args.set(
        "hour",
        pass.processing_slot.format("%Y-%m-%d %H:%M").to_string(),
    );
    args.set("code", pass.code.clone());
    args.set(
        "link",
        format!(
            "{}{pass_page}",
            state.config.public_url.trim_end_matches('/')
        ),
    );
    let message = HouseholdMessage {
        subject: t.get("callforward-message-subject"),
        text: t.with_args("callforward-message-body", &args),
        language: language.code.to_owned(),
    };
    let queued = tx
        .message_household(
            pass.case_id,
            ("call_forward", &pass.id.to_string()),
            &message,
        )
        .await?;
    Ok(CallForwardMessage {
        case_id: pass.case_id,
        language: language.code.to_owned(),
        pass_page,
        queued,
    })
}

pub(crate) fn pass_page_path(pass: &Pass) -> String {
    format!("/pass/{}", pass.page_key)
}

/// A pass as its holder gets it.
#[derive(Serialize, utoipa::ToSchema)]
pub struct PassToken {
    pub pass_id: PassId,
    /// The JWS compact token (what the QR code holds).
    pub token: String,
    /// The short code to read out, `ABCD-EFGH`.
    pub code: String,
    /// The pass page: no personal data in the link.
    pub page: String,
    pub expires_at: DateTime<Utc>,
}

impl From<&Pass> for PassToken {
    fn from(p: &Pass) -> Self {
        Self {
            pass_id: p.id,
            token: p.token.clone(),
            code: p.code.clone(),
            page: pass_page_path(p),
            expires_at: p.expires_at,
        }
    }
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct CalledForward {
    #[serde(flatten)]
    pub pass: PassToken,
    /// The message the outbox sends the household.
    #[schema(value_type = Object)]
    pub message: CallForwardMessage,
}

/// `POST /api/cases/{id}/call-forward` (body `{}`): a scheduled household
/// with a movement and a processing hour moves to called-forward and gets
/// its pass.
#[utoipa::path(post, path = "/api/cases/{id}/call-forward", params(("id" = String, Path, description = "case id")),
    request_body(content = Object, description = "`{}`"),
    responses((status = 201, body = CalledForward), (status = 404), (status = 409)))]
pub async fn call_forward(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(id): Path<String>,
    _body: JsonBody,
) -> Result<Response, ApiError> {
    let case = case_for(&state, &me, &id, Action::CallForward).await?;
    let mut tx = state.store.write(me.actor()).await?;
    let issued = tx.call_forward(case.id).await?;
    let message = enqueue_call_forward_message(&state, &mut tx, &issued).await?;
    tx.commit().await?;
    let body = CalledForward {
        pass: PassToken::from(&issued.pass),
        message,
    };
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

/// `GET /api/cases/{id}/pass`: the live pass of a called-forward household.
#[utoipa::path(get, path = "/api/cases/{id}/pass", params(("id" = String, Path, description = "case id")),
    responses((status = 200, body = PassToken), (status = 404)))]
pub async fn case_pass(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(id): Path<String>,
) -> Result<Json<PassToken>, ApiError> {
    let case = case_for(&state, &me, &id, Action::CallForward).await?;
    if case.status != CaseStatus::CalledForward {
        return Err(ApiError::NotFound("pass"));
    }
    let pass = (state.store.current_pass(case.id).await?).ok_or(ApiError::NotFound("pass"))?;
    Ok(Json(PassToken::from(&pass)))
}

/// `GET /api/operations/{op}/jwks.json`: the public keys, without a session
/// (they hold no secret, and any verifier needs them).
#[utoipa::path(get, path = "/api/operations/{op}/jwks.json", params(("op" = String, Path, description = "operation id")),
    responses((status = 200, description = "the operation's public keys, an RFC 7517 JWK set", content_type = "application/jwk-set+json", body = Object),
        (status = 404)))]
pub async fn jwks(
    State(state): State<AppState>,
    Path(op): Path<String>,
) -> Result<Response, ApiError> {
    let id: OperationId = path_id(&op, "operation")?;
    state.store.get_operation(&id).await?;
    let keys = state.store.published_keys(&id).await?;
    let body = Jwks {
        keys: keys.iter().map(Jwk::ed25519).collect(),
    };
    let mut res = Json(body).into_response();
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/jwk-set+json"),
    );
    Ok(res)
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Revocation {
    /// Why (kept sealed: it may name people).
    pub reason: String,
}

/// `POST /api/passes/{id}/revoke` with `{"reason": ...}`.
#[utoipa::path(post, path = "/api/passes/{id}/revoke", params(("id" = String, Path, description = "pass id")),
    request_body = Revocation,
    responses((status = 200, body = PassView), (status = 404), (status = 409), (status = 422)))]
pub async fn revoke(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(id): Path<String>,
    body: JsonBody,
) -> Result<Json<PassView>, ApiError> {
    require(&me.user, Action::CallForward, None)?;
    let pass = state.store.get_pass(path_id(&id, "pass")?).await?;
    require(&me.user, Action::CallForward, Some(&pass.operation_id))?;
    let ask: Revocation = body.parse()?;
    let reason = ask.reason.trim();
    if reason.is_empty() || reason.chars().count() > 500 {
        let mut e = ValidationErrors::default();
        e.push("reason", "required", "a reason of 1 to 500 characters");
        return Err(ApiError::validation(e));
    }
    let mut tx = state.store.write(me.actor()).await?;
    let revoked = tx.revoke_pass(pass.id, reason).await?;
    tx.commit().await?;
    Ok(Json(PassView::new(&revoked, Vec::new())))
}

/// `GET /api/operations/{op}/passes/revoked`: the gates' revocation list.
#[utoipa::path(get, path = "/api/operations/{op}/passes/revoked", params(("op" = String, Path, description = "operation id")),
    responses((status = 200, body = [RevokedPass])))]
pub async fn revoked(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(op): Path<String>,
) -> Result<Json<Vec<RevokedPass>>, ApiError> {
    let op = operation_for(&state, &me, &op, Action::CheckIn).await?;
    Ok(Json(state.store.revoked_passes(&op.id).await?))
}

/// A pass for officers: ids, times and its scans; no token.
#[derive(Serialize, utoipa::ToSchema)]
pub struct PassView {
    pub id: PassId,
    pub case_id: CaseId,
    pub movement_id: MovementId,
    pub code: String,
    pub kid: String,
    pub household_size: u32,
    pub processing_slot: DateTime<Utc>,
    pub not_before: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
    /// Check-ins this pass made (0 or 1: never more).
    pub check_ins: usize,
    pub scans: Vec<StoredScan>,
}

impl PassView {
    fn new(p: &Pass, scans: Vec<StoredScan>) -> Self {
        Self {
            id: p.id,
            case_id: p.case_id,
            movement_id: p.movement_id,
            code: p.code.clone(),
            kid: p.kid.clone(),
            household_size: p.household_size,
            processing_slot: p.processing_slot,
            not_before: p.not_before,
            expires_at: p.expires_at,
            revoked_at: p.revoked_at,
            check_ins: (scans.iter())
                .filter(|s| s.applied && s.kind == domain::pass::ScanKind::CheckIn)
                .count(),
            scans,
        }
    }
}

/// `GET /api/passes/{id}`: a pass and every scan of it.
#[utoipa::path(get, path = "/api/passes/{id}", params(("id" = String, Path, description = "pass id")),
    responses((status = 200, body = PassView), (status = 404)))]
pub async fn get(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(id): Path<String>,
) -> Result<Json<PassView>, ApiError> {
    require(&me.user, Action::ViewManifest, None)?;
    let pass = state.store.get_pass(path_id(&id, "pass")?).await?;
    require(&me.user, Action::ViewManifest, Some(&pass.operation_id))?;
    let scans = state.store.scans_of_pass(&pass.id.to_string()).await?;
    Ok(Json(PassView::new(&pass, scans)))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Rotated {
    /// The new signing key's id; the old key stays published while its
    /// passes live.
    pub kid: String,
}

/// `POST /api/operations/{op}/signing-keys/rotate` (body `{}`).
#[utoipa::path(post, path = "/api/operations/{op}/signing-keys/rotate", params(("op" = String, Path, description = "operation id")),
    request_body(content = Object, description = "`{}`"),
    responses((status = 200, body = Rotated), (status = 403)))]
pub async fn rotate(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(op): Path<String>,
    _body: JsonBody,
) -> Result<Json<Rotated>, ApiError> {
    let op = operation_for(&state, &me, &op, Action::Administer).await?;
    let mut tx = state.store.write(me.actor()).await?;
    let kid = tx.rotate_signing_key(&op.id).await?;
    tx.commit().await?;
    Ok(Json(Rotated { kid }))
}
