//! A movement's manifest: CSV, printable PDF, UN/EDIFACT PAXLST for the
//! receiving border authority, and the minimised manifest for allied liaison
//! officers (names, nationality, document number, household size; nothing
//! else), only for movements shared with their nation.

use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use domain::Case;
use domain::MovementId;
use domain::access::{Action, may_see_movement};
use domain::dates::{Calendar, Precision};
use domain::movement::{Movement, MovementKind};
use domain::person::{DocumentKind, PersonDetails, Sex};
use domain::validation::FieldError;
use formats::country::Country;
use manifests::{
    Manifest, ManifestHousehold, MovementInfo, Passenger, PaxlstError, PaxlstHeader, TravelDocument,
};
use serde::Deserialize;

use crate::access::require;
use crate::auth::CurrentUser;
use crate::json::path_id;
use crate::{ApiError, AppState};

/// Loads the movement and its households for a user granted `action`; a
/// liaison officer sees only movements shared with their nation.
async fn manifest_for(
    state: &AppState,
    me: &CurrentUser,
    raw: &str,
    action: Action,
) -> Result<(Movement, Manifest), ApiError> {
    require(&me.user, action, None)?;
    let movement = state
        .store
        .get_movement(path_id::<MovementId>(raw, "movement")?)
        .await?;
    require(&me.user, action, Some(&movement.operation_id))?;
    if !may_see_movement(&me.user, &movement.shared_with) {
        return Err(ApiError::NotFound("movement"));
    }
    let op = state.store.get_operation(&movement.operation_id).await?;
    let cases = state.store.cases_on_movement(&op.id, movement.id).await?;
    let manifest = Manifest {
        operation_name: op.name.clone(),
        movement: MovementInfo {
            designator: movement.designator.clone(),
            kind: match movement.kind {
                MovementKind::Flight => manifests::MovementKind::Flight,
                MovementKind::Convoy => manifests::MovementKind::Convoy,
            },
            carrier_nation: nation(&movement.nation),
            origin: movement.origin.clone(),
            destination: movement.destination.clone(),
            origin_iata: iata(&movement.origin),
            destination_iata: iata(&movement.destination),
            departs_at: movement.departs_at,
            arrives_at: None,
        },
        seats: movement.seats,
        households: cases.iter().map(household).collect(),
    };
    Ok((movement, manifest))
}

fn household(case: &Case) -> ManifestHousehold {
    let today = Utc::now().date_naive();
    let facts = eligibility::household(case, today);
    let ages: Vec<Option<u32>> = std::iter::once(&facts.principal)
        .chain(&facts.members)
        .map(|f| f.age)
        .collect();
    ManifestHousehold {
        reference: case.reference.clone(),
        // The reference only: the code at a gate must say nothing of who.
        qr_payload: format!("MUSTER:{}", case.reference),
        persons: (case.members.iter().zip(ages))
            .map(|(m, age)| passenger(&m.details, age))
            .collect(),
    }
}

fn passenger(p: &PersonDetails, age: Option<u32>) -> Passenger {
    let document = (p.documents.iter())
        .min_by_key(|d| match d.kind {
            DocumentKind::Passport => 0,
            DocumentKind::NationalId | DocumentKind::Tazkira => 1,
            _ => 2,
        })
        .map(|d| TravelDocument {
            kind: match d.kind {
                DocumentKind::Passport => manifests::DocumentKind::Passport,
                DocumentKind::Tazkira => manifests::DocumentKind::Tazkira,
                DocumentKind::NationalId => manifests::DocumentKind::NationalId,
                DocumentKind::Visa | DocumentKind::Other => manifests::DocumentKind::Other,
            },
            number: d.number.clone(),
            issuing_country: d.issuing_country.as_deref().map(nation),
            expires_on: d.expires_on,
        });
    let date_of_birth = p.date_of_birth.as_ref().and_then(|d| {
        let (Some(m), Some(day), Precision::Day) = (d.month, d.day, d.precision) else {
            return None;
        };
        match d.calendar {
            Calendar::Gregorian => chrono::NaiveDate::from_ymd_opt(d.year, m.into(), day.into()),
            Calendar::SolarHijri => formats::solar_hijri::SolarHijriDate::new(d.year, m, day)
                .ok()
                .map(|s| s.to_gregorian()),
        }
    });
    Passenger {
        family_name: p.family_name.clone().unwrap_or_default(),
        given_names: p.given_name.clone().unwrap_or_default(),
        full_name_native: p.full_name_native.clone(),
        sex: match p.sex {
            Sex::Female => Some(manifests::Sex::Female),
            Sex::Male => Some(manifests::Sex::Male),
            Sex::Other => Some(manifests::Sex::Other),
            Sex::Unknown => None,
        },
        date_of_birth,
        nationality: p.nationalities.first().map(|n| nation(n)),
        document,
        seat_needed: age.is_none_or(|a| a >= 2),
    }
}

fn nation(code: &str) -> String {
    Country::from_code(code)
        .map(|c| c.alpha3().to_owned())
        .unwrap_or_else(|_| code.to_owned())
}

/// An IATA airport code written in a place's name: `Kabul (KBL)`.
fn iata(place: &str) -> Option<String> {
    let open = place.rfind('(')?;
    let code = place[open + 1..].strip_suffix(')')?;
    (code.len() == 3 && code.bytes().all(|b| b.is_ascii_uppercase())).then(|| code.to_owned())
}

fn download(body: Vec<u8>, media: &'static str, name: String) -> Response {
    let mut r = body.into_response();
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(media));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    // Personal data: no cache may keep a copy.
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

/// A file name from the designator: letters and digits only.
fn file_name(m: &Movement, suffix: &str) -> String {
    let stem: String = (m.designator.chars())
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    format!("{stem}{suffix}")
}

/// The movement's manifest as CSV, household by household.
#[utoipa::path(get, path = "/api/movements/{id}/manifest.csv", params(("id" = String, Path, description = "movement id")),
    responses((status = 200, description = "the manifest", content_type = "text/csv", body = String), (status = 403), (status = 404)))]
pub async fn csv(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let (m, manifest) = manifest_for(&state, &me, &id, Action::ViewManifest).await?;
    Ok(download(
        manifests::csv(&manifest),
        "text/csv; charset=utf-8",
        file_name(&m, "-manifest.csv"),
    ))
}

/// The movement's manifest to print, with a QR code per household.
#[utoipa::path(get, path = "/api/movements/{id}/manifest.pdf", params(("id" = String, Path, description = "movement id")),
    responses((status = 200, description = "the manifest", content_type = "application/pdf"), (status = 403), (status = 404)))]
pub async fn pdf(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let (m, manifest) = manifest_for(&state, &me, &id, Action::ViewManifest).await?;
    let bytes = tokio::task::spawn_blocking(move || manifests::pdf(&manifest))
        .await
        .map_err(|_| ApiError::Internal)?;
    Ok(download(
        bytes,
        "application/pdf",
        file_name(&m, "-manifest.pdf"),
    ))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct PaxlstQuery {
    /// Arrival time; the guide requires it and the movement does not hold it.
    arrives_at: Option<DateTime<Utc>>,
    /// The receiving authority's interchange id (default: the movement's nation).
    recipient: Option<String>,
    /// The origin airport, when the movement's origin names none.
    origin_iata: Option<String>,
    /// The destination airport, when the movement's destination names none.
    destination_iata: Option<String>,
}

/// The movement's manifest as UN/EDIFACT PAXLST for the receiving border
/// authority (flights only); 422 names what the message still needs.
#[utoipa::path(get, path = "/api/movements/{id}/manifest.edi",
    params(("id" = String, Path, description = "movement id"), PaxlstQuery),
    responses((status = 200, description = "PAXLST", content_type = "application/edifact", body = String),
        (status = 403), (status = 404), (status = 422, body = crate::error::Problem)))]
pub async fn paxlst(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(id): Path<String>,
    Query(q): Query<PaxlstQuery>,
) -> Result<Response, ApiError> {
    let (m, mut manifest) = manifest_for(&state, &me, &id, Action::ViewManifest).await?;
    manifest.movement.arrives_at = q.arrives_at;
    if q.origin_iata.is_some() {
        manifest.movement.origin_iata = q.origin_iata;
    }
    if q.destination_iata.is_some() {
        manifest.movement.destination_iata = q.destination_iata;
    }
    let header = PaxlstHeader {
        sender_id: "MUSTER".into(),
        recipient_id: q.recipient.unwrap_or_else(|| nation(&m.nation)),
        interchange_control_ref: m.id.to_string().replace('-', "")[..14].to_uppercase(),
        prepared_at: Utc::now(),
        flight_number_override: None,
    };
    let text = manifests::paxlst(&manifest, &header).map_err(|e| {
        // The value is left out of the answer: it may be a name.
        let (field, rule) = match e {
            PaxlstError::NotAFlight => ("movement.kind".to_owned(), "flight_only"),
            PaxlstError::Missing { field, rule } | PaxlstError::Invalid { field, rule, .. } => {
                (field, rule)
            }
        };
        let field = match field.as_str() {
            "movement.arrives_at" => "arrives_at".to_owned(),
            "movement.origin_iata" => "origin_iata".to_owned(),
            "movement.destination_iata" => "destination_iata".to_owned(),
            _ => field,
        };
        ApiError::Validation(vec![FieldError {
            message: format!("PAXLST needs it: {rule}"),
            field,
            rule: "paxlst".into(),
        }])
    })?;
    Ok(download(
        text.into_bytes(),
        "application/edifact",
        file_name(&m, "-paxlst.edi"),
    ))
}

/// The minimised manifest as CSV, for liaison officers of a nation the
/// movement is shared with: names, nationality, document number, household size.
#[utoipa::path(get, path = "/api/movements/{id}/manifest/minimised.csv", params(("id" = String, Path, description = "movement id")),
    responses((status = 200, description = "the minimised manifest", content_type = "text/csv", body = String), (status = 403), (status = 404)))]
pub async fn minimised_csv(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let (m, manifest) = manifest_for(&state, &me, &id, Action::ViewMinimisedManifest).await?;
    let minimised = manifests::minimise(&manifest);
    Ok(download(
        manifests::minimised_csv(&minimised),
        "text/csv; charset=utf-8",
        file_name(&m, "-minimised.csv"),
    ))
}

/// The minimised manifest as JSON (see the CSV form).
#[utoipa::path(get, path = "/api/movements/{id}/manifest/minimised.json", params(("id" = String, Path, description = "movement id")),
    responses((status = 200, description = "the movement and its households, each with its persons' names, nationality and document number", body = Object),
        (status = 403), (status = 404)))]
pub async fn minimised_json(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(id): Path<String>,
) -> Result<axum::Json<manifests::Minimised>, ApiError> {
    let (_, manifest) = manifest_for(&state, &me, &id, Action::ViewMinimisedManifest).await?;
    Ok(axum::Json(manifests::minimise(&manifest)))
}
