//! Roll-call pages: the answer page people reach by their personal link
//! (no account, their language, no script, a few KB), and HQ's and the
//! officers' pages that start roll calls and count the answers.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use domain::access::{Action, role_may};
use domain::alert::DeliveryCounts;
use domain::operation::Operation;
use domain::roll_call::{Answer, AnswerCounts, RollCall, RollCallScope, Unanswered};
use serde::Deserialize;

use super::render::{Nav, PageError, html, time};
use crate::access::operation_for;
use crate::api::roll_calls::{roll_call_of, start_roll_call};
use crate::auth::PageUser;
use crate::auth::csrf::tokens_match;
use crate::i18n::{LANGUAGES, Language, Texts, by_tag, negotiate};
use crate::json::ApiQuery;
use crate::{ApiError, AppState};

#[derive(Template)]
#[template(path = "roll_call_answer.html")]
struct AnswerPage {
    t: Texts,
    known: bool,
    open: bool,
    thanks: bool,
    current: Option<String>,
    action: String,
    /// (code, link, name)
    languages: Vec<(&'static str, String, String)>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LangQuery {
    lang: Option<String>,
}

fn answer_label(t: &Texts, a: Answer) -> String {
    t.get(match a {
        Answer::Safe => "rollcall-safe",
        Answer::NeedHelp => "rollcall-need-help",
        Answer::Left => "rollcall-left",
    })
}

/// Tokens are 43 URL-safe base64 characters; anything else is not looked up.
fn plausible(token: &str) -> bool {
    token.len() == 43
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

async fn answer_page(
    state: &AppState,
    token: &str,
    explicit: Option<&str>,
    headers: &HeaderMap,
    thanks: bool,
) -> Result<Response, PageError> {
    let invitation = if plausible(token) {
        state.store.invitation(token).await?
    } else {
        None
    };
    // The link's language first (the person's), unless they chose another.
    let lang: &'static Language = explicit
        .and_then(by_tag)
        .or_else(|| {
            invitation
                .as_ref()
                .and_then(|i| i.language.as_deref())
                .and_then(by_tag)
        })
        .unwrap_or_else(|| negotiate(None, headers));
    let t = Texts::new(lang);
    let action = format!("/roll-call/{token}");
    let page = AnswerPage {
        t,
        known: invitation.is_some(),
        open: invitation.as_ref().is_some_and(|i| i.open),
        thanks,
        current: invitation
            .as_ref()
            .and_then(|i| i.answer)
            .map(|a| answer_label(&t, a)),
        languages: LANGUAGES
            .iter()
            .map(|l| {
                (
                    l.code,
                    format!("{action}?lang={}", l.code),
                    Texts::new(l).get("language-name"),
                )
            })
            .collect(),
        action,
    };
    let mut res = html(&page);
    if invitation.is_none() {
        *res.status_mut() = StatusCode::NOT_FOUND;
    }
    Ok(res)
}

/// `GET /roll-call/{token}`
pub async fn answer_form(
    State(state): State<AppState>,
    Path(token): Path<String>,
    ApiQuery(q): ApiQuery<LangQuery>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    answer_page(&state, &token, q.lang.as_deref(), &headers, false).await
}

#[derive(Deserialize)]
pub struct AnswerForm {
    answer: String,
    #[serde(default)]
    location: Option<String>,
    #[serde(default)]
    lang: Option<String>,
}

/// `POST /roll-call/{token}`: the token is the only credential, so a
/// cross-site form could do no more than its holder could.
pub async fn answer_submit(
    State(state): State<AppState>,
    Path(token): Path<String>,
    headers: HeaderMap,
    Form(f): Form<AnswerForm>,
) -> Result<Response, PageError> {
    if !plausible(&token) {
        return answer_page(&state, &token, f.lang.as_deref(), &headers, false).await;
    }
    let Some(answer) = Answer::parse(&f.answer) else {
        return Err(ApiError::Validation(vec![domain::FieldError::new(
            "answer",
            "one_of",
            "expected safe, need_help or left",
        )])
        .into());
    };
    let location = f
        .location
        .as_deref()
        .map(|l| l.chars().take(200).collect::<String>());
    let mut tx = state.store.write(domain::audit::Actor::Applicant).await?;
    match tx
        .answer_roll_call(&token, answer, location.as_deref())
        .await
    {
        Ok(_) => tx.commit().await?,
        // Unknown or closed: the page says so in the person's language.
        Err(store::StoreError::NotFound { .. } | store::StoreError::Conflict(_)) => {
            tx.rollback().await?;
            return answer_page(&state, &token, f.lang.as_deref(), &headers, false).await;
        }
        Err(e) => return Err(e.into()),
    }
    answer_page(&state, &token, f.lang.as_deref(), &headers, true).await
}

pub struct RollCallRow {
    id: String,
    started: String,
    scope: String,
    status: &'static str,
    counts: AnswerCounts,
}

async fn describe(state: &AppState, scope: &RollCallScope) -> String {
    match scope {
        RollCallScope::Post(p) => match state.store.get_post(*p).await {
            Ok(post) => format!("staff of {}", post.name),
            Err(_) => "staff of a post".into(),
        },
        RollCallScope::Scheme(s) => match state.store.get_scheme(*s).await {
            Ok(scheme) => format!("households of {}", scheme.code),
            Err(_) => "households of a scheme".into(),
        },
        RollCallScope::Nationality(n) => format!("citizens of {n}"),
    }
}

async fn row(state: &AppState, rc: &RollCall) -> RollCallRow {
    RollCallRow {
        id: rc.id.to_string(),
        started: time(rc.started_at),
        scope: describe(state, &rc.scope).await,
        status: rc.status.as_str(),
        counts: rc.counts,
    }
}

#[derive(Template)]
#[template(path = "roll_calls.html")]
struct ListPage {
    nav: Option<Nav>,
    operation: Operation,
    csrf: String,
    may_start: bool,
    posts: Vec<(String, String)>,
    schemes: Vec<(String, String)>,
    rows: Vec<RollCallRow>,
    error: Option<String>,
}

async fn list_page(
    state: &AppState,
    me: &crate::auth::CurrentUser,
    operation: Operation,
    error: Option<String>,
) -> Result<Response, PageError> {
    let mut rows = Vec::new();
    for rc in state.store.list_roll_calls(&operation.id).await? {
        rows.push(row(state, &rc).await);
    }
    let may_start = role_may(me.user.role, Action::RunRollCall);
    let (posts, schemes) = if may_start {
        (
            state
                .store
                .posture_board(&operation.id)
                .await?
                .into_iter()
                .map(|(p, _)| (p.id.to_string(), p.name))
                .collect(),
            state
                .store
                .list_schemes(&operation.id)
                .await?
                .into_iter()
                .map(|s| (s.id.to_string(), s.code))
                .collect(),
        )
    } else {
        (vec![], vec![])
    };
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let mut res = html(&ListPage {
        nav: Some(Nav::new(me, &operation.id)),
        csrf: me.csrf_token.clone(),
        operation,
        may_start,
        posts,
        schemes,
        rows,
        error,
    });
    *res.status_mut() = status;
    Ok(res)
}

/// `GET /operations/{op}/roll-calls`
pub async fn list(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    Path(op): Path<String>,
) -> Result<Response, PageError> {
    let operation = operation_for(&state, &me, &op, Action::ViewRollCall).await?;
    list_page(&state, &me, operation, None).await
}

#[derive(Deserialize)]
pub struct StartForm {
    csrf: String,
    scope: String,
    #[serde(default)]
    nationality: String,
}

/// `POST /operations/{op}/roll-calls`
pub async fn start(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    Path(op): Path<String>,
    Form(f): Form<StartForm>,
) -> Result<Response, PageError> {
    if !tokens_match(&me.csrf_token, &f.csrf) {
        return Err(ApiError::Forbidden("the form expired; reload the page").into());
    }
    let operation = operation_for(&state, &me, &op, Action::RunRollCall).await?;
    let bad = || ApiError::BadRequest("unknown scope".into());
    let scope = match f.scope.split_once(':') {
        Some(("post", id)) => RollCallScope::Post(id.parse().map_err(|_| bad())?),
        Some(("scheme", id)) => RollCallScope::Scheme(id.parse().map_err(|_| bad())?),
        None if f.scope == "nationality" => {
            RollCallScope::Nationality(f.nationality.trim().to_uppercase())
        }
        _ => return Err(bad().into()),
    };
    match start_roll_call(&state, &me, &operation, &scope).await {
        Ok(started) => Ok(Redirect::to(&format!(
            "/operations/{}/roll-calls/{}",
            operation.id, started.id
        ))
        .into_response()),
        Err(ApiError::Validation(e)) => {
            let message = e.first().map(|e| e.message.clone());
            list_page(&state, &me, operation, message).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "roll_call.html")]
struct RollCallPage {
    nav: Option<Nav>,
    operation: Operation,
    csrf: String,
    row: RollCallRow,
    delivery: DeliveryCounts,
    may_close: bool,
    unanswered: Option<Vec<Unanswered>>,
    /// Unanswered beyond those listed.
    more: usize,
}

/// Rows of people to call on the page, so that it stays light on a poor
/// link (officer pages under 100 KB); the API lists everyone.
const LISTED: usize = 200;

/// `GET /operations/{op}/roll-calls/{id}`
pub async fn page(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    Path((op, id)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let operation = operation_for(&state, &me, &op, Action::ViewRollCall).await?;
    let (rc, mut unanswered) = roll_call_of(&state, &me, &operation, &id).await?;
    let more = unanswered
        .as_mut()
        .map(|u| {
            let more = u.len().saturating_sub(LISTED);
            u.truncate(LISTED);
            more
        })
        .unwrap_or(0);
    let delivery = state
        .store
        .delivery_counts("roll_call", &rc.id.to_string())
        .await?;
    Ok(html(&RollCallPage {
        nav: Some(Nav::new(&me, &operation.id)),
        csrf: me.csrf_token.clone(),
        row: row(&state, &rc).await,
        operation,
        delivery,
        may_close: role_may(me.user.role, Action::RunRollCall),
        unanswered,
        more,
    }))
}

#[derive(Deserialize)]
pub struct CloseForm {
    csrf: String,
}

/// `POST /operations/{op}/roll-calls/{id}/close`
pub async fn close(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    Path((op, id)): Path<(String, String)>,
    Form(f): Form<CloseForm>,
) -> Result<Response, PageError> {
    if !tokens_match(&me.csrf_token, &f.csrf) {
        return Err(ApiError::Forbidden("the form expired; reload the page").into());
    }
    let operation = operation_for(&state, &me, &op, Action::RunRollCall).await?;
    let (rc, _) = roll_call_of(&state, &me, &operation, &id).await?;
    let mut tx = state.store.write(me.actor()).await?;
    tx.close_roll_call(rc.id).await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!(
        "/operations/{}/roll-calls/{}",
        operation.id, rc.id
    ))
    .into_response())
}
