//! The OpenAPI document, generated from the handlers' annotations.

use axum::Json;
use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Muster",
        description = "Crisis evacuation: posts, registry, cases, schemes and eligibility, movements and plans, manifests, the gate, alerts, roll calls."
    ),
    paths(
        super::health,
        document,
        super::session::sign_in,
        super::session::current,
        super::session::sign_out,
        super::operations::list,
        super::operations::create,
        super::operations::get,
        super::operations::update,
        super::posts::list,
        super::posts::create,
        super::posts::get,
        super::posts::update,
        super::posts::record_posture,
        super::cases::list,
        super::cases::search,
        super::cases::create,
        super::registrations::create,
        super::registrations::access,
        super::registrations::correction,
        super::cases::get,
        super::cases::update,
        super::cases::change_status,
        super::schemes::list,
        super::schemes::create,
        super::schemes::get,
        super::schemes::update,
        super::movements::list,
        super::movements::create,
        super::movements::get,
        super::movements::update,
        super::eligibility::rules,
        super::eligibility::set_rules,
        super::eligibility::quota,
        super::eligibility::suggestion,
        super::eligibility::decide,
        super::eligibility::tier,
        super::plans::list_points,
        super::plans::create_point,
        super::plans::list,
        super::plans::propose,
        super::plans::get,
        super::plans::approve,
        super::manifests::csv,
        super::manifests::pdf,
        super::manifests::paxlst,
        super::manifests::minimised_csv,
        super::manifests::minimised_json,
        super::gate::by_code,
        super::gate::bundle,
        super::gate::conflicts,
        super::gate::sync,
        super::audit::list,
        super::burn::burn,
        super::duplicates::list,
        super::duplicates::get,
        super::duplicates::decide,
        super::alerts::list,
        super::alerts::create,
        super::alerts::preview,
        super::alerts::get,
        super::alerts::send,
        super::alerts::cap_xml,
        super::alerts::feed,
        super::roll_calls::start,
        super::roll_calls::list,
        super::roll_calls::get,
        super::roll_calls::close,
        super::roll_calls::inbound_sms,
        crate::exports::aggregates,
        crate::exports::pfif_xml,
        crate::exports::cases_csv,
        crate::exports::cases_xlsx,
    ),
    components(schemas(crate::error::Problem, domain::FieldError))
)]
struct ApiDoc;

/// This document.
#[utoipa::path(get, path = "/api/openapi.json",
    responses((status = 200, description = "the OpenAPI document", body = Object)))]
pub async fn document() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
