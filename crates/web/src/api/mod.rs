//! The JSON API. Every route but health, the OpenAPI document, signing in,
//! self-registration and the operations' public keys (JWKS) needs a session (401 without), and every handler asks `access::require`
//! before it reads or writes (403 when the role may not).

pub(crate) mod alerts;
mod audit;
mod burn;
pub(crate) mod cases;
pub(crate) mod duplicates;
pub(crate) mod eligibility;
pub(crate) mod gate;
pub(crate) mod manifests;
mod movements;
mod openapi;
pub(crate) mod operations;
pub(crate) mod passes;
pub(crate) mod plans;
mod posts;
pub(crate) mod registrations;
pub(crate) mod roll_calls;
mod schemes;
mod session;

use axum::Router;
use axum::routing::{get, post};

use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/health", get(health))
        .route("/api/openapi.json", get(openapi::document))
        .route(
            "/api/session",
            post(session::sign_in)
                .get(session::current)
                .delete(session::sign_out),
        )
        .route(
            "/api/operations",
            get(operations::list).post(operations::create),
        )
        .route(
            "/api/operations/{op}",
            get(operations::get).patch(operations::update),
        )
        .route(
            "/api/operations/{op}/posts",
            get(posts::list).post(posts::create),
        )
        .route(
            "/api/operations/{op}/posts/{post}",
            get(posts::get).patch(posts::update),
        )
        .route(
            "/api/operations/{op}/posts/{post}/posture",
            post(posts::record_posture),
        )
        .route("/api/operations/{op}/burn", post(burn::burn))
        .route("/api/operations/{op}/cases", post(cases::create))
        .route(
            "/api/operations/{op}/registrations",
            post(registrations::create),
        )
        .route(
            "/api/operations/{op}/registrations/access",
            post(registrations::access),
        )
        .route(
            "/api/operations/{op}/registrations/correction",
            post(registrations::correction),
        )
        .route(
            "/api/operations/{op}/schemes",
            get(schemes::list).post(schemes::create),
        )
        .route(
            "/api/operations/{op}/movements",
            get(movements::list).post(movements::create),
        )
        .route("/api/operations/{op}/duplicates", get(duplicates::list))
        .route(
            "/api/operations/{op}/exports/aggregates.csv",
            get(crate::exports::aggregates),
        )
        .route(
            "/api/operations/{op}/exports/pfif.xml",
            get(crate::exports::pfif_xml),
        )
        .route(
            "/api/operations/{op}/exports/cases.csv",
            get(crate::exports::cases_csv),
        )
        .route(
            "/api/operations/{op}/exports/cases.xlsx",
            get(crate::exports::cases_xlsx),
        )
        .route("/api/duplicates/{id}", get(duplicates::get))
        .route("/api/duplicates/{id}/decision", post(duplicates::decide))
        .route("/api/cases", get(cases::list))
        .route("/api/cases/search", post(cases::search))
        .route("/api/cases/{id}", get(cases::get).patch(cases::update))
        .route("/api/cases/{id}/status", post(cases::change_status))
        .route(
            "/api/schemes/{id}",
            get(schemes::get).patch(schemes::update),
        )
        .route(
            "/api/movements/{id}",
            get(movements::get).patch(movements::update),
        )
        .route(
            "/api/schemes/{id}/rules",
            get(eligibility::rules).put(eligibility::set_rules),
        )
        .route("/api/schemes/{id}/quota", get(eligibility::quota))
        .route("/api/cases/{id}/suggestion", get(eligibility::suggestion))
        .route("/api/cases/{id}/decision", post(eligibility::decide))
        .route("/api/cases/{id}/tier", post(eligibility::tier))
        .route(
            "/api/operations/{op}/assembly-points",
            get(plans::list_points).post(plans::create_point),
        )
        .route(
            "/api/operations/{op}/plans",
            get(plans::list).post(plans::propose),
        )
        .route("/api/plans/{id}", get(plans::get))
        .route("/api/plans/{id}/approve", post(plans::approve))
        .route("/api/movements/{id}/manifest.csv", get(manifests::csv))
        .route("/api/movements/{id}/manifest.pdf", get(manifests::pdf))
        .route("/api/movements/{id}/manifest.edi", get(manifests::paxlst))
        .route(
            "/api/movements/{id}/manifest/minimised.csv",
            get(manifests::minimised_csv),
        )
        .route(
            "/api/movements/{id}/manifest/minimised.json",
            get(manifests::minimised_json),
        )
        .route("/api/cases/{id}/call-forward", post(passes::call_forward))
        .route("/api/cases/{id}/pass", get(passes::case_pass))
        .route("/api/operations/{op}/jwks.json", get(passes::jwks))
        .route(
            "/api/operations/{op}/signing-keys/rotate",
            post(passes::rotate),
        )
        .route("/api/operations/{op}/passes/revoked", get(passes::revoked))
        .route(
            "/api/operations/{op}/passes/by-code/{code}",
            get(gate::by_code),
        )
        .route("/api/passes/{id}", get(passes::get))
        .route("/api/passes/{id}/revoke", post(passes::revoke))
        .route("/api/operations/{op}/gate/bundle", get(gate::bundle))
        .route("/api/operations/{op}/gate/conflicts", get(gate::conflicts))
        .route("/api/gate/scans", post(gate::sync))
        .route("/api/audit", get(audit::list))
        .route(
            "/api/operations/{op}/alerts",
            get(alerts::list).post(alerts::create),
        )
        .route("/api/operations/{op}/alerts/preview", post(alerts::preview))
        .route("/api/operations/{op}/alerts/feed.xml", get(alerts::feed))
        .route("/api/operations/{op}/alerts/{id}", get(alerts::get))
        .route("/api/operations/{op}/alerts/{id}/send", post(alerts::send))
        .route(
            "/api/operations/{op}/alerts/{id}/cap.xml",
            get(alerts::cap_xml),
        )
        .route(
            "/api/operations/{op}/roll-calls",
            get(roll_calls::list).post(roll_calls::start),
        )
        .route("/api/operations/{op}/roll-calls/{id}", get(roll_calls::get))
        .route(
            "/api/operations/{op}/roll-calls/{id}/close",
            post(roll_calls::close),
        )
        .route("/api/sms/inbound", post(roll_calls::inbound_sms))
        .route("/api/{*rest}", axum::routing::any(unknown))
}

/// No such route: still 401 without a session, so that nothing about the
/// API's shape is told to strangers.
async fn unknown(_: crate::auth::CurrentUser) -> crate::ApiError {
    crate::ApiError::NotFound("route")
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct Health {
    status: &'static str,
    version: &'static str,
}

/// Liveness, without a session.
#[utoipa::path(get, path = "/api/health", responses((status = 200, body = Health)))]
async fn health() -> axum::Json<Health> {
    axum::Json(Health {
        status: "ok",
        version: env!("CARGO_PKG_VERSION"),
    })
}
