//! The pass page: what a household prints or keeps on its phone. The link
//! holds a random key, never a name or an id that appears elsewhere; the page
//! shows the QR code (made here, as SVG), the short code, the movement, the
//! assembly point and the processing hour, in the household's language, and
//! no personal data.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use serde::Deserialize;

use super::register::{LanguageLink, language_links_for};
use super::render::{PageError, html, time};
use crate::i18n::{self, Texts};
use crate::json::ApiQuery;
use crate::{ApiError, AppState};

#[derive(Template)]
#[template(path = "pass.html")]
struct PassPage {
    t: Texts,
    title: String,
    languages: Vec<LanguageLink>,
    revoked: bool,
    qr_svg: String,
    code: String,
    movement: String,
    departs: String,
    assembly_point: Option<String>,
    hour: String,
    household_size: u32,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PassQuery {
    lang: Option<String>,
}

/// The QR code of a token, as an SVG element (no script, no style).
pub(crate) fn qr_svg(token: &str) -> Result<String, ApiError> {
    let code = qrcode::QrCode::with_error_correction_level(token.as_bytes(), qrcode::EcLevel::L)
        .map_err(|_| ApiError::Internal)?;
    let svg = code
        .render::<qrcode::render::svg::Color<'_>>()
        .min_dimensions(280, 280)
        .quiet_zone(true)
        .build();
    // Inline in HTML: the XML declaration goes.
    Ok(svg
        .find("<svg")
        .map_or(svg.clone(), |i| svg[i..].to_owned()))
}

/// `GET /pass/{key}`
pub async fn page(
    State(state): State<AppState>,
    Path(key): Path<String>,
    ApiQuery(q): ApiQuery<PassQuery>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    // Keys are 32 base64url characters; anything else is not a pass.
    if key.len() != 32
        || !key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        return Err(ApiError::NotFound("pass").into());
    }
    let pass = (state.store.pass_by_page_key(&key).await?).ok_or(ApiError::NotFound("pass"))?;
    let case = state.store.get_case(pass.case_id).await?;
    let lang = match q.lang.as_deref() {
        Some(l) => i18n::negotiate(Some(l), &headers),
        None => case
            .language
            .as_deref()
            .and_then(i18n::by_tag)
            .unwrap_or_else(|| i18n::negotiate(None, &headers)),
    };
    let t = Texts::new(lang);
    let movement = state.store.get_movement(pass.movement_id).await?;
    let points = state.store.list_assembly_points(&pass.operation_id).await?;
    let point = crate::planner::assembly_point_for(&points, &case).map(|p| p.name.clone());
    let revoked = pass.revoked_at.is_some();
    let page = PassPage {
        title: t.get("pass-title"),
        languages: language_links_for(t, &format!("/pass/{key}")),
        revoked,
        qr_svg: if revoked {
            String::new()
        } else {
            qr_svg(&pass.token)?
        },
        code: pass.code.clone(),
        movement: format!("{} → {}", movement.designator, movement.destination),
        departs: time(movement.departs_at),
        assembly_point: point,
        hour: time(pass.processing_slot),
        household_size: pass.household_size,
        t,
    };
    Ok(html(&page))
}
