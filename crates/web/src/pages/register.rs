//! Self-registration pages, without an account, in the registrant's language.
//! The forms post to the JSON API's own routes (`api::registrations`), which
//! answer a form with these pages and a JSON body with JSON.

use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use domain::FieldError;
use domain::operation::Operation;
use intake::HouseholdInput;
use serde::Deserialize;

use super::household_form::{self, BLANK_MEMBERS, FormOptions, FormView};
use super::render::{PageError, html};
use crate::i18n::{self, LANGUAGES, Texts};
use crate::json::ApiQuery;
use crate::{ApiError, AppState};

/// A link to the same page in another language.
pub struct LanguageLink {
    pub(crate) code: &'static str,
    pub(crate) name: String,
    pub(crate) href: String,
    pub(crate) current: bool,
}

/// Links to the page at `path` in each language (the pass page's).
pub(crate) fn language_links_for(t: Texts, path: &str) -> Vec<LanguageLink> {
    language_links(t, path, None)
}

fn language_links(t: Texts, path: &str, operation: Option<&str>) -> Vec<LanguageLink> {
    LANGUAGES
        .iter()
        .map(|l| LanguageLink {
            code: l.code,
            name: Texts::new(l).get("language-name"),
            href: match operation {
                Some(op) => format!("{path}?op={op}&lang={}", l.code),
                None => format!("{path}?lang={}", l.code),
            },
            current: l.code == t.lang.code,
        })
        .collect()
}

#[derive(Template)]
#[template(path = "register.html")]
struct RegisterPage {
    t: Texts,
    title: String,
    languages: Vec<LanguageLink>,
    operation: String,
    operation_name: String,
    action: String,
    add_action: Option<String>,
    submit: String,
    idempotency_key: String,
    hidden: Vec<(String, String)>,
    form: FormView,
}

#[derive(Template)]
#[template(path = "register_done.html")]
struct DonePage {
    t: Texts,
    title: String,
    languages: Vec<LanguageLink>,
    operation: String,
    reference: String,
    access_code: String,
    members: String,
    replayed: bool,
}

#[derive(Template)]
#[template(path = "register_status.html")]
struct StatusPage {
    t: Texts,
    title: String,
    languages: Vec<LanguageLink>,
    operation: String,
    message: Option<String>,
    reference: String,
    access_code: String,
    version: i64,
    status: Option<String>,
    form: Option<FormView>,
    /// The household's pass page, once called forward.
    pass_page: Option<String>,
}

#[derive(Template)]
#[template(path = "register_choose.html")]
struct ChoosePage {
    t: Texts,
    title: String,
    languages: Vec<LanguageLink>,
    operations: Vec<(String, String)>,
}

fn with_status(mut res: Response, status: StatusCode) -> Response {
    *res.status_mut() = status;
    res
}

/// A random key that makes a resent form (double click, bad link) create
/// one case.
fn fresh_key() -> String {
    hex::encode(rand::random::<[u8; 16]>())
}

pub(crate) async fn scheme_choices(
    state: &AppState,
    op: &Operation,
) -> Result<Vec<(String, String)>, ApiError> {
    Ok(state
        .store
        .list_schemes(&op.id)
        .await?
        .into_iter()
        .map(|s| (s.code, s.name))
        .collect())
}

/// The registration form, blank or with what was sent and its errors.
pub(crate) async fn form_page(
    state: &AppState,
    t: Texts,
    op: &Operation,
    input: &HouseholdInput,
    errors: &[FieldError],
    idempotency_key: Option<String>,
    blank_members: usize,
) -> Result<Response, ApiError> {
    let schemes = scheme_choices(state, op).await?;
    let options = FormOptions {
        schemes: &schemes,
        with_mrz: false,
        blank_members,
    };
    let page = RegisterPage {
        title: t.get("page-title"),
        languages: language_links(t, "/register", Some(op.id.as_str())),
        operation: op.id.to_string(),
        operation_name: op.name.clone(),
        action: format!("/api/operations/{}/registrations", op.id),
        add_action: Some("/register".into()),
        submit: t.get("submit"),
        idempotency_key: idempotency_key.unwrap_or_else(fresh_key),
        hidden: Vec::new(),
        form: household_form::view(t, input, errors, &options),
        t,
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok(with_status(html(&page), status))
}

pub(crate) fn done_page(
    t: Texts,
    op: &Operation,
    reference: &str,
    access_code: &str,
    members: usize,
    replayed: bool,
) -> Response {
    let page = DonePage {
        title: t.get("done-title"),
        languages: language_links(t, "/register", Some(op.id.as_str())),
        operation: op.id.to_string(),
        reference: reference.to_owned(),
        access_code: access_code.to_owned(),
        members: t.with("done-members", "n", members as i64),
        replayed,
        t,
    };
    with_status(html(&page), StatusCode::CREATED)
}

/// What the status page shows once the access code was right.
pub(crate) struct Granted<'a> {
    pub access_code: &'a str,
    pub version: i64,
    pub status: domain::CaseStatus,
    /// The pass page's link, once called forward.
    pub pass_page: Option<String>,
    /// The correction form, when the household may still correct.
    pub correction: Option<Correction<'a>>,
}

/// The correction form's content: the household as shown or as sent, the
/// errors of what was sent, and the operation's schemes to choose from.
pub(crate) struct Correction<'a> {
    pub input: &'a HouseholdInput,
    pub errors: &'a [FieldError],
    pub schemes: Vec<(String, String)>,
}

pub(crate) fn status_page(
    t: Texts,
    op: &Operation,
    reference: &str,
    message: Option<String>,
    granted: Option<Granted<'_>>,
    status: StatusCode,
) -> Response {
    let mut page = StatusPage {
        title: t.get("status-title"),
        languages: language_links(t, "/register/status", Some(op.id.as_str())),
        operation: op.id.to_string(),
        message,
        reference: reference.to_owned(),
        access_code: String::new(),
        version: 0,
        status: None,
        form: None,
        pass_page: None,
        t,
    };
    if let Some(g) = granted {
        page.access_code = g.access_code.to_owned();
        page.version = g.version;
        page.pass_page = g.pass_page;
        page.status = Some(t.get(&format!("status-{}", g.status.as_str())));
        page.form = g.correction.map(|c| {
            let options = FormOptions {
                schemes: &c.schemes,
                with_mrz: false,
                blank_members: 1,
            };
            household_form::view(t, c.input, c.errors, &options)
        });
    }
    with_status(html(&page), status)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PageQuery {
    op: Option<String>,
    lang: Option<String>,
}

/// The operation a public page is for: the one named, or the only one.
/// `Err` carries the page that lets the reader choose.
async fn operation_of(
    state: &AppState,
    t: Texts,
    named: Option<&str>,
) -> Result<Result<Operation, Response>, ApiError> {
    if let Some(id) = named {
        let id = domain::OperationId::parse(id).map_err(|_| ApiError::NotFound("operation"))?;
        return Ok(Ok(state.store.get_operation(&id).await?));
    }
    let mut all = state.store.list_operations().await?;
    if all.len() == 1 {
        return Ok(Ok(all.remove(0)));
    }
    let page = ChoosePage {
        title: t.get("page-title"),
        languages: language_links(t, "/register", None),
        operations: all
            .into_iter()
            .map(|o| (o.id.to_string(), o.name))
            .collect(),
        t,
    };
    Ok(Err(html(&page)))
}

/// `GET /register`: a blank household form.
pub async fn form(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> Result<Response, PageError> {
    let t = Texts::new(i18n::negotiate(q.lang.as_deref(), &headers));
    let op = match operation_of(&state, t, q.op.as_deref()).await? {
        Ok(op) => op,
        Err(choose) => return Ok(choose),
    };
    let input = HouseholdInput {
        members: vec![Default::default()],
        ..Default::default()
    };
    Ok(form_page(&state, t, &op, &input, &[], None, BLANK_MEMBERS).await?)
}

/// `POST /register`: the same form with one more member slot, keeping
/// everything typed so far (this is how a form without script grows).
pub async fn add_member(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Result<Response, PageError> {
    crate::auth::csrf::same_origin(&headers)?;
    let pairs = household_form::pairs(&body)?;
    let mut posted = household_form::read(pairs);
    let t = Texts::new(i18n::negotiate(
        posted.household.language.as_deref(),
        &headers,
    ));
    let op = match operation_of(
        &state,
        t,
        posted.controls.get("operation").map(String::as_str),
    )
    .await?
    {
        Ok(op) => op,
        Err(choose) => return Ok(choose),
    };
    let key = posted.controls.remove("idempotency_key");
    Ok(form_page(&state, t, &op, &posted.household, &[], key, 1).await?)
}

/// `GET /register/status`: where a registrant comes back with the access code.
pub async fn status_form(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> Result<Response, PageError> {
    let t = Texts::new(i18n::negotiate(q.lang.as_deref(), &headers));
    let op = match operation_of(&state, t, q.op.as_deref()).await? {
        Ok(op) => op,
        Err(choose) => return Ok(choose),
    };
    Ok(status_page(t, &op, "", None, None, StatusCode::OK))
}

#[derive(Template)]
#[template(path = "register_message.html")]
struct MessagePage {
    t: Texts,
    title: String,
    languages: Vec<LanguageLink>,
    message: String,
}

/// A short message in the registrant's language (too many attempts).
pub(crate) fn message_page(t: Texts, message: &str) -> Response {
    html(&MessagePage {
        title: t.get("page-title"),
        languages: language_links(t, "/register", None),
        message: message.to_owned(),
        t,
    })
}
