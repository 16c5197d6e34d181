//! Alerts to registrants: write, preview, send through the outbox, and the
//! CAP 1.2 form (one alert, and a feed of the current ones).

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use domain::access::Action;
use domain::alert::{
    Alert, AlertKind, AlertStatus, AlertTarget, AlertText, NewAlert, RecipientCounts,
};
use domain::operation::Operation;
use domain::{AlertId, ValidationErrors};
use formats::cap;
use serde::Serialize;

use crate::access::operation_for;
use crate::auth::CurrentUser;
use crate::i18n::{LANGUAGES, Texts};
use crate::json::{JsonBody, path_id};
use crate::{ApiError, AppState};

/// An alert's text in every language it can be read in: HQ's own texts,
/// and for the fixed kinds the standard texts of every catalogue where HQ
/// gave none. English is always there (the fallback).
pub(crate) fn alert_texts(
    kind: AlertKind,
    given: &BTreeMap<String, AlertText>,
) -> BTreeMap<String, AlertText> {
    let mut texts = given.clone();
    if kind.has_standard_text() {
        for lang in &LANGUAGES {
            let t = Texts::new(lang);
            texts
                .entry(lang.code.to_owned())
                .or_insert_with(|| AlertText {
                    title: t.get(&format!("alert-{}-title", kind.as_str())),
                    body: t.get(&format!("alert-{}-body", kind.as_str())),
                });
        }
    }
    texts
}

/// Loads an alert of the operation (404 for another operation's).
async fn alert_of(state: &AppState, op: &Operation, raw: &str) -> Result<Alert, ApiError> {
    let alert = state
        .store
        .get_alert(path_id::<AlertId>(raw, "alert")?)
        .await?;
    if alert.operation_id != op.id {
        return Err(ApiError::NotFound("alert"));
    }
    Ok(alert)
}

#[utoipa::path(get, path = "/api/operations/{op}/alerts", params(("op" = String, Path)),
    responses((status = 200, body = [Alert])))]
pub async fn list(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(op): Path<String>,
) -> Result<Json<Vec<Alert>>, ApiError> {
    let op = operation_for(&state, &me, &op, Action::ViewAlerts).await?;
    Ok(Json(state.store.list_alerts(&op.id).await?))
}

/// Writes an alert as a draft. HQ only.
#[utoipa::path(post, path = "/api/operations/{op}/alerts", params(("op" = String, Path)), request_body = NewAlert,
    responses((status = 201, body = Alert), (status = 422)))]
pub async fn create(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(op): Path<String>,
    body: JsonBody,
) -> Result<(StatusCode, Json<Alert>), ApiError> {
    let op = operation_for(&state, &me, &op, Action::SendAlerts).await?;
    let new: NewAlert = body.parse()?;
    new.check().map_err(ApiError::validation)?;
    let mut tx = state.store.write(me.actor()).await?;
    let id = tx.create_alert(&op.id, &new).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(state.store.get_alert(id).await?)))
}

/// How many a target reaches: cases, persons, and persons reachable by
/// e-mail and by SMS.
#[utoipa::path(post, path = "/api/operations/{op}/alerts/preview", params(("op" = String, Path)),
    request_body = AlertTarget, responses((status = 200, body = RecipientCounts)))]
pub async fn preview(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(op): Path<String>,
    body: JsonBody,
) -> Result<Json<RecipientCounts>, ApiError> {
    let op = operation_for(&state, &me, &op, Action::SendAlerts).await?;
    let target: AlertTarget = body.parse()?;
    let mut e = ValidationErrors::default();
    target.check(&mut e);
    e.into_result().map_err(ApiError::validation)?;
    Ok(Json(state.store.preview_recipients(&op.id, &target).await?))
}

#[utoipa::path(get, path = "/api/operations/{op}/alerts/{id}",
    params(("op" = String, Path), ("id" = String, Path)), responses((status = 200, body = Alert)))]
pub async fn get(
    State(state): State<AppState>,
    me: CurrentUser,
    Path((op, id)): Path<(String, String)>,
) -> Result<Json<Alert>, ApiError> {
    let op = operation_for(&state, &me, &op, Action::ViewAlerts).await?;
    Ok(Json(alert_of(&state, &op, &id).await?))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Sent {
    alert: Alert,
    recipients: RecipientCounts,
}

/// Sends a draft alert through the outbox, each recipient in their language.
#[utoipa::path(post, path = "/api/operations/{op}/alerts/{id}/send",
    params(("op" = String, Path), ("id" = String, Path)),
    responses((status = 200, body = Sent), (status = 409)))]
pub async fn send(
    State(state): State<AppState>,
    me: CurrentUser,
    Path((op, id)): Path<(String, String)>,
    headers: axum::http::HeaderMap,
) -> Result<Json<Sent>, ApiError> {
    // No body to read, but still a state change: refuse cross-site callers.
    crate::auth::csrf::same_origin(&headers)?;
    let op = operation_for(&state, &me, &op, Action::SendAlerts).await?;
    let alert = alert_of(&state, &op, &id).await?;
    let texts = alert_texts(alert.kind, &alert.texts);
    let mut tx = state.store.write(me.actor()).await?;
    let recipients = tx.send_alert(alert.id, &texts).await?;
    tx.commit().await?;
    state.outbox.wake();
    Ok(Json(Sent {
        alert: state.store.get_alert(alert.id).await?,
        recipients,
    }))
}

fn host_of(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let host = rest.split(['/', '?', '#']).next().unwrap_or(rest);
    host.rsplit_once(':')
        .filter(|(_, port)| port.bytes().all(|b| b.is_ascii_digit()))
        .map_or(host, |(h, _)| h)
}

/// The alert as CAP 1.2: one `info` per language, the targeted provinces as
/// areas (the operation's country when none).
pub(crate) fn to_cap(state: &AppState, op: &Operation, alert: &Alert) -> cap::Alert {
    use cap::{Certainty, ResponseType, Severity, Urgency};
    let (event, response, urgency, severity, certainty) = match alert.kind {
        AlertKind::LeaveImmediately => (
            "Evacuation",
            Some(ResponseType::Evacuate),
            Urgency::Immediate,
            Severity::Extreme,
            Certainty::Likely,
        ),
        AlertKind::GoToAssemblyPoint => (
            "Evacuation assembly",
            Some(ResponseType::Evacuate),
            Urgency::Immediate,
            Severity::Severe,
            Certainty::Likely,
        ),
        AlertKind::StayWhereYouAre => (
            "Shelter in place",
            Some(ResponseType::Shelter),
            Urgency::Immediate,
            Severity::Severe,
            Certainty::Likely,
        ),
        AlertKind::Custom => (
            "Safety notice",
            None,
            Urgency::Unknown,
            Severity::Unknown,
            Certainty::Unknown,
        ),
    };
    let areas = if alert.target.provinces.is_empty() {
        vec![
            formats::country::Country::from_code(&op.country)
                .map(|c| c.name().to_owned())
                .unwrap_or_else(|_| op.country.clone()),
        ]
    } else {
        alert.target.provinces.clone()
    };
    let infos = alert_texts(alert.kind, &alert.texts)
        .into_iter()
        .map(|(language, text)| cap::Info {
            language,
            event: event.to_owned(),
            response_type: response,
            urgency,
            severity,
            certainty,
            sender_name: Some(op.name.clone()),
            instruction: alert.kind.has_standard_text().then(|| text.title.clone()),
            headline: text.title,
            description: text.body,
            areas: areas.clone(),
        })
        .collect();
    cap::Alert {
        identifier: format!("muster-{}-{}", op.id, alert.id),
        sender: format!("muster-{}@{}", op.id, host_of(&state.config.public_url)),
        sent: alert.sent_at.unwrap_or(alert.created_at),
        status: match alert.status {
            AlertStatus::Sent => cap::Status::Actual,
            AlertStatus::Draft => cap::Status::Draft,
        },
        msg_type: cap::MsgType::Alert,
        infos,
    }
}

fn xml(content_type: &'static str, body: String) -> Response {
    ([(header::CONTENT_TYPE, content_type)], body).into_response()
}

/// The alert as a CAP 1.2 document.
#[utoipa::path(get, path = "/api/operations/{op}/alerts/{id}/cap.xml",
    params(("op" = String, Path), ("id" = String, Path)),
    responses((status = 200, content_type = "application/cap+xml", body = String)))]
pub async fn cap_xml(
    State(state): State<AppState>,
    me: CurrentUser,
    Path((op, id)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let op = operation_for(&state, &me, &op, Action::ViewAlerts).await?;
    let alert = alert_of(&state, &op, &id).await?;
    Ok(xml(
        "application/cap+xml; charset=utf-8",
        to_cap(&state, &op, &alert).to_xml(),
    ))
}

/// Alerts sent in the last week, newest first, as an Atom feed whose
/// entries link to each alert's CAP document (the usual way CAP is offered).
#[utoipa::path(get, path = "/api/operations/{op}/alerts/feed.xml", params(("op" = String, Path)),
    responses((status = 200, content_type = "application/atom+xml", body = String)))]
pub async fn feed(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(op): Path<String>,
) -> Result<Response, ApiError> {
    let op = operation_for(&state, &me, &op, Action::ViewAlerts).await?;
    let since = Utc::now() - chrono::Duration::days(7);
    let base = state.config.public_url.trim_end_matches('/');
    let entries: Vec<cap::FeedEntry> = state
        .store
        .list_alerts(&op.id)
        .await?
        .into_iter()
        .filter(|a| a.sent_at.is_some_and(|t| t >= since))
        .map(|a| {
            let texts = alert_texts(a.kind, &a.texts);
            cap::FeedEntry {
                id: format!("urn:uuid:{}", a.id),
                title: texts.get("en").map(|t| t.title.clone()).unwrap_or_default(),
                updated: a.sent_at.unwrap_or(a.created_at),
                cap_url: format!("{base}/api/operations/{}/alerts/{}/cap.xml", op.id, a.id),
            }
        })
        .collect();
    let feed = cap::atom_feed(
        &format!("urn:muster:{}:alerts", op.id),
        &format!("{}: alerts", op.name),
        Utc::now(),
        &entries,
    );
    Ok(xml("application/atom+xml; charset=utf-8", feed))
}
