//! HQ's alerts page: write an alert, preview whom it reaches, send it; the
//! alerts so far with their delivery counts and CAP links.

use std::collections::BTreeMap;

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::access::{Action, role_may};
use domain::alert::{
    AlertKind, AlertStatus, AlertTarget, AlertText, DeliveryCounts, NewAlert, RecipientCounts,
};
use domain::operation::Operation;
use domain::{AlertId, CaseStatus, ValidationErrors};
use serde::Deserialize;

use super::render::{Nav, PageError, html, time};
use crate::access::operation_for;
use crate::api::alerts::alert_texts;
use crate::auth::csrf::tokens_match;
use crate::auth::{CurrentUser, PageUser};
use crate::{ApiError, AppState};

pub struct AlertRow {
    id: String,
    created: String,
    kind: &'static str,
    title: String,
    status: &'static str,
    counts: DeliveryCounts,
}

#[derive(Deserialize, Default)]
pub struct AlertForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    action: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    nationalities: String,
    #[serde(default)]
    provinces: String,
    #[serde(default)]
    scheme: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    body: String,
}

#[derive(Template)]
#[template(path = "alerts.html")]
struct AlertsPage {
    nav: Option<Nav>,
    operation: Operation,
    csrf: String,
    may_send: bool,
    kinds: Vec<(&'static str, &'static str)>,
    schemes: Vec<(String, String)>,
    statuses: Vec<(&'static str, &'static str)>,
    form: AlertForm,
    preview: Option<RecipientCounts>,
    error: Option<String>,
    rows: Vec<AlertRow>,
}

fn kind_label(k: AlertKind) -> &'static str {
    match k {
        AlertKind::LeaveImmediately => "Leave immediately",
        AlertKind::GoToAssemblyPoint => "Go to the assembly point",
        AlertKind::StayWhereYouAre => "Stay where you are",
        AlertKind::Custom => "Custom text",
    }
}

async fn render(
    state: &AppState,
    me: &CurrentUser,
    operation: Operation,
    form: AlertForm,
    preview: Option<RecipientCounts>,
    error: Option<String>,
) -> Result<Response, PageError> {
    let rows = state
        .store
        .list_alerts(&operation.id)
        .await?
        .into_iter()
        .map(|a| AlertRow {
            id: a.id.to_string(),
            created: time(a.created_at),
            kind: kind_label(a.kind),
            title: alert_texts(a.kind, &a.texts)
                .remove("en")
                .map(|t| t.title)
                .unwrap_or_default(),
            status: match a.status {
                AlertStatus::Draft => "draft",
                AlertStatus::Sent => "sent",
            },
            counts: a.counts,
        })
        .collect();
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let mut res = html(&AlertsPage {
        nav: Some(Nav::new(me, &operation.id)),
        csrf: me.csrf_token.clone(),
        may_send: role_may(me.user.role, Action::SendAlerts),
        kinds: AlertKind::ALL.map(|k| (k.as_str(), kind_label(k))).to_vec(),
        schemes: state
            .store
            .list_schemes(&operation.id)
            .await?
            .into_iter()
            .map(|s| (s.id.to_string(), s.code))
            .collect(),
        statuses: CaseStatus::ALL.map(|s| (s.as_str(), s.label())).to_vec(),
        operation,
        form,
        preview,
        error,
        rows,
    });
    *res.status_mut() = status;
    Ok(res)
}

/// `GET /operations/{op}/alerts`
pub async fn list(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    Path(op): Path<String>,
) -> Result<Response, PageError> {
    let operation = operation_for(&state, &me, &op, Action::ViewAlerts).await?;
    let form = AlertForm {
        kind: AlertKind::LeaveImmediately.as_str().into(),
        ..Default::default()
    };
    render(&state, &me, operation, form, None, None).await
}

fn words(list: &str, upper: bool) -> Vec<String> {
    list.split(',')
        .map(str::trim)
        .filter(|w| !w.is_empty())
        .map(|w| {
            if upper {
                w.to_uppercase()
            } else {
                w.to_owned()
            }
        })
        .collect()
}

/// The alert the form describes, or the first rule it breaks.
fn alert_from(f: &AlertForm) -> Result<NewAlert, String> {
    let kind = AlertKind::parse(&f.kind).ok_or("choose a kind of alert")?;
    let bad = || "unknown scheme or status".to_owned();
    let target = AlertTarget {
        nationalities: words(&f.nationalities, true),
        provinces: words(&f.provinces, false),
        scheme_ids: (!f.scheme.is_empty())
            .then(|| f.scheme.parse::<domain::SchemeId>())
            .transpose()
            .map_err(|_| bad())?
            .into_iter()
            .collect(),
        statuses: (!f.status.is_empty())
            .then(|| f.status.parse::<CaseStatus>())
            .transpose()
            .map_err(|_| bad())?
            .into_iter()
            .collect(),
    };
    let mut texts = BTreeMap::new();
    if !f.title.trim().is_empty() || !f.body.trim().is_empty() {
        texts.insert(
            "en".to_owned(),
            AlertText {
                title: f.title.trim().to_owned(),
                body: f.body.trim().to_owned(),
            },
        );
    }
    let alert = NewAlert {
        kind,
        texts,
        target,
    };
    alert.check().map_err(|e: ValidationErrors| {
        e.0.first()
            .map(|e| format!("{}: {}", e.field, e.message))
            .unwrap_or_default()
    })?;
    Ok(alert)
}

/// `POST /operations/{op}/alerts`: preview, or save as a draft.
pub async fn submit(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    Path(op): Path<String>,
    Form(f): Form<AlertForm>,
) -> Result<Response, PageError> {
    if !tokens_match(&me.csrf_token, &f.csrf) {
        return Err(ApiError::Forbidden("the form expired; reload the page").into());
    }
    let operation = operation_for(&state, &me, &op, Action::SendAlerts).await?;
    let alert = match alert_from(&f) {
        Ok(a) => a,
        Err(e) => return render(&state, &me, operation, f, None, Some(e)).await,
    };
    if f.action == "preview" {
        let counts = state
            .store
            .preview_recipients(&operation.id, &alert.target)
            .await?;
        return render(&state, &me, operation, f, Some(counts), None).await;
    }
    let mut tx = state.store.write(me.actor()).await?;
    tx.create_alert(&operation.id, &alert).await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/operations/{}/alerts", operation.id)).into_response())
}

#[derive(Deserialize)]
pub struct SendForm {
    csrf: String,
}

/// `POST /operations/{op}/alerts/{id}/send`
pub async fn send(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    Path((op, id)): Path<(String, String)>,
    Form(f): Form<SendForm>,
) -> Result<Response, PageError> {
    if !tokens_match(&me.csrf_token, &f.csrf) {
        return Err(ApiError::Forbidden("the form expired; reload the page").into());
    }
    let operation = operation_for(&state, &me, &op, Action::SendAlerts).await?;
    let id: AlertId = crate::json::path_id(&id, "alert")?;
    let alert = state.store.get_alert(id).await?;
    if alert.operation_id != operation.id {
        return Err(ApiError::NotFound("alert").into());
    }
    let mut tx = state.store.write(me.actor()).await?;
    tx.send_alert(id, &alert_texts(alert.kind, &alert.texts))
        .await?;
    tx.commit().await?;
    state.outbox.wake();
    Ok(Redirect::to(&format!("/operations/{}/alerts", operation.id)).into_response())
}
