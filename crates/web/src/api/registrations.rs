//! Self-registration, without an account: a household registers itself,
//! gets a case reference and an access code, and comes back with both to see
//! its status and correct its details.
//!
//! Each route takes JSON (answering JSON) or the registration pages' forms
//! (answering those pages), so the page and every other client use the same
//! API. A resend with the same `Idempotency-Key` (a form carries one) or, without
//! a key, the same body, answers with the first answer and creates nothing.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use domain::audit::Actor;
use domain::case::{Case, CaseUpdate, MemberUpdate, NewCase};
use domain::operation::Operation;
use domain::person::Relationship;
use domain::{CaseId, CaseStatus, FieldError, OperationId};
use formats::import::ValidationOptions;
use intake::HouseholdInput;
use intake::household::keep_document_details;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use store::{RegistrationAccess, RegistrationRequest, StoreError};

use crate::auth::csrf::{same_origin, tokens_match};
use crate::auth::session::client_address;
use crate::i18n::{self, Texts};
use crate::json::parse_json;
use crate::pages::household_form;
use crate::pages::register::{
    Correction, Granted, done_page, form_page, scheme_choices, status_page,
};
use crate::{ApiError, AppState, MAX_BODY};

/// The answer to a registration.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Receipt {
    case_id: CaseId,
    /// The case reference to quote (`AF-000042`).
    reference: String,
    /// The secret that lets the household come back; shown once.
    access_code: String,
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AccessRequest {
    reference: String,
    access_code: String,
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CorrectionRequest {
    reference: String,
    access_code: String,
    /// The version read; a stale one is refused.
    version: i64,
    #[schema(value_type = Object)]
    household: HouseholdInput,
}

/// What a household sees of its own registration.
#[derive(Serialize, utoipa::ToSchema)]
pub struct RegistrationView {
    case_id: CaseId,
    reference: String,
    status: CaseStatus,
    version: i64,
    /// Whether the household may still correct its details here.
    correctable: bool,
    /// The household's pass page (`/pass/...`), once called forward.
    pass_page: Option<String>,
    #[schema(value_type = Object)]
    household: HouseholdInput,
}

/// How a request came, and so how to answer it.
enum Body {
    Json(Bytes),
    Form(household_form::PostedForm),
}

/// Reads the body of a public route: JSON or a form, from our own origin.
async fn read_body(req: Request) -> Result<(HeaderMap, Option<std::net::IpAddr>, Body), ApiError> {
    let (parts, body) = req.into_parts();
    same_origin(&parts.headers)?;
    let address = client_address(&parts.extensions);
    let media = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|m| m.trim().to_ascii_lowercase())
        .unwrap_or_default();
    let bytes = axum::body::to_bytes(body, MAX_BODY)
        .await
        .map_err(|_| ApiError::PayloadTooLarge)?;
    let body = if media == "application/json" || media.ends_with("+json") {
        Body::Json(bytes)
    } else if media == "application/x-www-form-urlencoded" {
        let pairs = household_form::pairs(&bytes)?;
        Body::Form(household_form::read(pairs))
    } else {
        return Err(ApiError::UnsupportedMediaType);
    };
    Ok((parts.headers, address, body))
}

fn texts(form: &household_form::PostedForm, headers: &HeaderMap) -> Texts {
    Texts::new(i18n::negotiate(form.household.language.as_deref(), headers))
}

fn operation_id(op: &str) -> Result<OperationId, ApiError> {
    OperationId::parse(op).map_err(|_| ApiError::NotFound("operation"))
}

async fn operation(state: &AppState, op: &str) -> Result<Operation, ApiError> {
    Ok(state.store.get_operation(&operation_id(op)?).await?)
}

fn options() -> ValidationOptions {
    ValidationOptions::afghan(Utc::now().date_naive())
}

fn sha256_hex(parts: &[&[u8]]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p);
        h.update([0]);
    }
    hex::encode(h.finalize())
}

/// Letters and digits that cannot be mistaken for each other when read out.
const CODE_ALPHABET: &[u8; 32] = b"23456789ABCDEFGHJKLMNPQRSTUVWXYZ";

/// A fresh access code: 12 symbols of 5 bits (60 bits), shown in threes of four.
fn new_access_code() -> String {
    let bytes: [u8; 12] = rand::random();
    let symbols: Vec<char> = bytes
        .iter()
        .map(|b| CODE_ALPHABET[usize::from(b % 32)] as char)
        .collect();
    symbols
        .chunks(4)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join("-")
}

/// An access code as typed: case, spaces and hyphens do not matter.
fn access_code_hash(code: &str) -> String {
    let clean: String = code
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect();
    sha256_hex(&[b"access-code", clean.as_bytes()])
}

fn too_many(t: Option<Texts>, retry_after: u64) -> Response {
    let mut res = match t {
        Some(t) => {
            let minutes = retry_after.div_ceil(60) as i64;
            let mut r =
                crate::pages::register::message_page(t, &t.with("too-many", "minutes", minutes));
            *r.status_mut() = StatusCode::TOO_MANY_REQUESTS;
            r
        }
        None => ApiError::TooManyRequests { retry_after }.into_response(),
    };
    if let Ok(v) = HeaderValue::from_str(&retry_after.to_string()) {
        res.headers_mut().insert(header::RETRY_AFTER, v);
    }
    res
}

/// Registers a household without an account.
#[utoipa::path(post, path = "/api/operations/{op}/registrations", params(("op" = String, Path),
        ("Idempotency-Key" = Option<String>, Header, description = "makes a resend safe")),
    request_body(content = Object, description = "a household: members (principal first) with names, dates as given, documents; phone, e-mail, province, scheme code, special needs"),
    responses((status = 201, body = Receipt), (status = 409), (status = 422), (status = 429)))]
pub async fn create(
    State(state): State<AppState>,
    Path(op): Path<String>,
    req: Request,
) -> Result<Response, ApiError> {
    let (headers, address, body) = read_body(req).await?;
    let context = state
        .intake_contexts
        .get(&state.store, &operation_id(&op)?)
        .await?;
    let op = &context.operation;
    let (input, key, t) = match body {
        Body::Json(bytes) => {
            let key = headers
                .get("idempotency-key")
                .map(|v| v.to_str().map(str::to_owned))
                .transpose()
                .map_err(|_| key_error())?;
            (parse_json::<HouseholdInput>(&bytes)?, key, None)
        }
        Body::Form(mut form) => {
            let t = texts(&form, &headers);
            if form.household.language.is_none() {
                form.household.language = Some(t.lang.code.to_owned());
            }
            let key = form.controls.remove("idempotency_key");
            (form.household, key, Some(t))
        }
    };
    if let Err(retry_after) = state.registration_limiter.hit(address) {
        return Ok(too_many(t, retry_after));
    }
    if key.as_ref().is_some_and(|k| k.is_empty() || k.len() > 200) {
        return Err(key_error());
    }
    let new = match input.to_case(&context.scheme_codes, &options()) {
        Ok(new) => new,
        Err(errors) => {
            return match t {
                Some(t) => Ok(form_page(&state, t, op, &input, &errors.0, key, 0).await?),
                None => Err(ApiError::validation(errors)),
            };
        }
    };
    let body_hash = sha256_hex(&[&serde_json::to_vec(&input).map_err(|_| ApiError::Internal)?]);
    let key_hash = match &key {
        Some(k) => sha256_hex(&[b"key", k.as_bytes()]),
        None => sha256_hex(&[b"body", body_hash.as_bytes()]),
    };
    let code = new_access_code();
    let request = RegistrationRequest {
        key_hash,
        body_hash,
        access_code_hash: access_code_hash(&code),
        access_code: code,
    };
    let members = new.members.len();
    let registered = state.registrar.register(op.clone(), new, request).await?;
    if !registered.replayed {
        state.matcher.changed(&op.id);
    }
    let mut res = match t {
        Some(t) => done_page(
            t,
            op,
            &registered.reference,
            &registered.access_code,
            members,
            registered.replayed,
        ),
        None => (
            StatusCode::CREATED,
            Json(Receipt {
                case_id: registered.case_id,
                reference: registered.reference,
                access_code: registered.access_code,
            }),
        )
            .into_response(),
    };
    if registered.replayed {
        res.headers_mut()
            .insert("idempotent-replayed", HeaderValue::from_static("true"));
    }
    Ok(res)
}

fn key_error() -> ApiError {
    ApiError::Validation(vec![FieldError::new(
        "Idempotency-Key",
        "idempotency_key",
        "must be 1 to 200 visible characters",
    )])
}

/// The statuses in which a household may still correct itself: later, a
/// decision or a seat rests on the details, and an officer must make changes.
fn correctable(status: CaseStatus) -> bool {
    matches!(
        status,
        CaseStatus::Registered | CaseStatus::UnderReview | CaseStatus::NeedsInformation
    )
}

/// Checks a reference and access code, with the guessing limit.
async fn grant(
    state: &AppState,
    op: &Operation,
    reference: &str,
    code: &str,
    address: Option<std::net::IpAddr>,
) -> Result<Result<RegistrationAccess, Refusal>, ApiError> {
    let reference = reference.trim().to_uppercase();
    if let Err(retry_after) = state.access_limiter.check(&reference, address) {
        return Ok(Err(Refusal::TooMany(retry_after)));
    }
    let found = state.store.registration_access(&op.id, &reference).await?;
    let given = access_code_hash(code);
    match found {
        Some(a) if tokens_match(&a.access_code_hash, &given) => {
            state.access_limiter.succeeded(&reference);
            Ok(Ok(a))
        }
        _ => {
            state.access_limiter.failed(&reference, address);
            Ok(Err(Refusal::WrongCode))
        }
    }
}

enum Refusal {
    TooMany(u64),
    WrongCode,
}

impl Refusal {
    fn answer(self, t: Option<Texts>, op: &Operation, reference: &str) -> Response {
        match (self, t) {
            (Refusal::TooMany(s), t) => too_many(t, s),
            (Refusal::WrongCode, Some(t)) => status_page(
                t,
                op,
                reference,
                Some(t.get("wrong-code")),
                None,
                StatusCode::FORBIDDEN,
            ),
            (Refusal::WrongCode, None) => {
                ApiError::Forbidden("the case reference or the access code is not right")
                    .into_response()
            }
        }
    }
}

async fn view(state: &AppState, case: &Case) -> Result<RegistrationView, ApiError> {
    let scheme = match case.scheme_id {
        Some(id) => Some(state.store.get_scheme(id).await?.code),
        None => None,
    };
    Ok(RegistrationView {
        case_id: case.id,
        reference: case.reference.clone(),
        status: case.status,
        version: case.version,
        correctable: correctable(case.status),
        pass_page: match case.status {
            CaseStatus::CalledForward => (state.store.current_pass(case.id).await?)
                .map(|p| super::passes::pass_page_path(&p)),
            _ => None,
        },
        household: HouseholdInput::from_case(case, scheme.as_deref()),
    })
}

/// How a form-bearing answer is put: the reader's language, the operation
/// and the code they came with (the correction form carries it on).
struct PageAnswer<'a> {
    state: &'a AppState,
    t: Texts,
    op: &'a Operation,
    access_code: &'a str,
}

impl PageAnswer<'_> {
    /// The status page for a granted household, with its correction form when
    /// it may still correct (showing `sent` and its errors after a refusal).
    async fn page(
        &self,
        v: &RegistrationView,
        message: Option<String>,
        sent: Option<(&HouseholdInput, &[FieldError])>,
        status: StatusCode,
    ) -> Result<Response, ApiError> {
        let schemes = scheme_choices(self.state, self.op).await?;
        let (input, errors) = sent.unwrap_or((&v.household, &[]));
        let t = self.t;
        Ok(status_page(
            t,
            self.op,
            &v.reference,
            message.or_else(|| (!v.correctable).then(|| t.get("locked"))),
            Some(Granted {
                access_code: self.access_code,
                version: v.version,
                status: v.status,
                pass_page: v.pass_page.clone(),
                correction: v.correctable.then_some(Correction {
                    input,
                    errors,
                    schemes,
                }),
            }),
            status,
        ))
    }
}

/// A household's own view of its registration, given its access code.
#[utoipa::path(post, path = "/api/operations/{op}/registrations/access", params(("op" = String, Path)),
    request_body = AccessRequest,
    responses((status = 200, body = RegistrationView), (status = 403), (status = 429)))]
pub async fn access(
    State(state): State<AppState>,
    Path(op): Path<String>,
    req: Request,
) -> Result<Response, ApiError> {
    let (headers, address, body) = read_body(req).await?;
    let op = operation(&state, &op).await?;
    let (ask, t) = match body {
        Body::Json(bytes) => (parse_json::<AccessRequest>(&bytes)?, None),
        Body::Form(form) => {
            let t = texts(&form, &headers);
            let field = |k: &str| form.controls.get(k).cloned().unwrap_or_default();
            (
                AccessRequest {
                    reference: field("reference"),
                    access_code: field("access_code"),
                },
                Some(t),
            )
        }
    };
    let granted = match grant(&state, &op, &ask.reference, &ask.access_code, address).await? {
        Ok(g) => g,
        Err(refusal) => return Ok(refusal.answer(t, &op, &ask.reference)),
    };
    let case = state.store.get_case(granted.case_id).await?;
    let v = view(&state, &case).await?;
    match t {
        Some(t) => {
            PageAnswer {
                state: &state,
                t,
                op: &op,
                access_code: &ask.access_code,
            }
            .page(&v, None, None, StatusCode::OK)
            .await
        }
        None => Ok(Json(v).into_response()),
    }
}

/// A household corrects its own details while its case is still open to it.
#[utoipa::path(post, path = "/api/operations/{op}/registrations/correction", params(("op" = String, Path)),
    request_body = CorrectionRequest,
    responses((status = 200, body = RegistrationView), (status = 403), (status = 409), (status = 422), (status = 429)))]
pub async fn correction(
    State(state): State<AppState>,
    Path(op): Path<String>,
    req: Request,
) -> Result<Response, ApiError> {
    let (headers, address, body) = read_body(req).await?;
    let op = operation(&state, &op).await?;
    let (ask, t) = match body {
        Body::Json(bytes) => (parse_json::<CorrectionRequest>(&bytes)?, None),
        Body::Form(mut form) => {
            let t = texts(&form, &headers);
            let mut field = |k: &str| form.controls.remove(k).unwrap_or_default();
            let (reference, access_code) = (field("reference"), field("access_code"));
            let version = field("version").parse().unwrap_or(-1);
            (
                CorrectionRequest {
                    reference,
                    access_code,
                    version,
                    household: form.household,
                },
                Some(t),
            )
        }
    };
    let granted = match grant(&state, &op, &ask.reference, &ask.access_code, address).await? {
        Ok(g) => g,
        Err(refusal) => return Ok(refusal.answer(t, &op, &ask.reference)),
    };
    let case = state.store.get_case(granted.case_id).await?;
    let before = view(&state, &case).await?;
    // A form is answered with the status page, in the household's language.
    let page = t.map(|t| PageAnswer {
        state: &state,
        t,
        op: &op,
        access_code: &ask.access_code,
    });
    if !before.correctable {
        return match &page {
            Some(p) => p.page(&before, None, None, StatusCode::CONFLICT).await,
            None => Err(ApiError::Conflict(
                "the case can no longer be corrected here; contact the embassy".into(),
            )),
        };
    }
    let schemes = state.store.scheme_codes(&op.id).await?;
    let new = match ask.household.to_case(&schemes, &options()) {
        Ok(new) => new,
        Err(errors) => {
            return match &page {
                Some(p) => {
                    let sent = Some((&ask.household, errors.0.as_slice()));
                    p.page(&before, None, sent, StatusCode::UNPROCESSABLE_ENTITY)
                        .await
                }
                None => Err(ApiError::validation(errors)),
            };
        }
    };
    let update = correction_update(&case, ask.version, new);
    let mut tx = state.store.write(Actor::Applicant).await?;
    match (tx.update_case(case.id, &update).await, &page) {
        (Ok(()), _) => {
            tx.commit().await?;
            state.matcher.changed(&op.id);
        }
        (Err(StoreError::Conflict(_)), Some(p)) => {
            tx.rollback().await?;
            let stale = Some(p.t.get("stale"));
            return p.page(&before, stale, None, StatusCode::CONFLICT).await;
        }
        (Err(e), _) => return Err(e.into()),
    }
    let after = view(&state, &state.store.get_case(case.id).await?).await?;
    match &page {
        Some(p) => {
            let saved = Some(p.t.get("saved"));
            p.page(&after, saved, None, StatusCode::OK).await
        }
        None => Ok(Json(after).into_response()),
    }
}

/// A correction as a case update: members keep their identity by position
/// (the principal first, as the form lists them), and what the form cannot
/// show (a passport's expiry from its MRZ) is kept.
pub(crate) fn correction_update(case: &Case, version: i64, new: NewCase) -> CaseUpdate {
    let mut before: Vec<_> = case.members.iter().collect();
    before.sort_by_key(|m| m.details.relationship != Relationship::Principal);
    let members = new
        .members
        .into_iter()
        .enumerate()
        .map(|(i, mut details)| {
            let id = before.get(i).map(|old| {
                keep_document_details(&old.details, &mut details);
                old.id
            });
            MemberUpdate { id, details }
        })
        .collect();
    CaseUpdate {
        version,
        scheme_id: Some(new.scheme_id),
        special_needs: Some(new.special_needs),
        language: Some(new.language),
        members: Some(members),
        ..Default::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn access_codes_are_readable_and_forgiving() {
        let code = new_access_code();
        assert_eq!(code.len(), 14);
        assert!(
            code.chars()
                .all(|c| c == '-' || CODE_ALPHABET.contains(&(c as u8)))
        );
        let typed = code.to_lowercase().replace('-', " ");
        assert_eq!(access_code_hash(&typed), access_code_hash(&code));
        assert_ne!(
            access_code_hash(&new_access_code()),
            access_code_hash(&code)
        );
    }
}
