//! Officer intake pages: a household typed in (with a passport's MRZ pasted
//! or scanned), and a staff list uploaded, previewed with its column mapping
//! and the rows it would refuse, then imported in one transaction.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Multipart, Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;
use domain::access::Action;
use domain::operation::Operation;
use domain::{FieldError, UserId};
use formats::import::{
    ColumnOverride, Field, Table, ValidationOptions, map_columns, read_table, write_rejected,
};
use intake::{HouseholdInput, ImportPlan, plan_import};

use super::household_form::{self, BLANK_MEMBERS, FormOptions, FormView};
use super::register::scheme_choices;
use super::render::{Nav, PageError, html};
use crate::access::operation_for;
use crate::auth::PageUser;
use crate::auth::csrf::tokens_match;
use crate::i18n::{Texts, english};
use crate::{ApiError, AppState};

/// The largest list an officer may upload: 100,000 rows are about 15 MB.
pub const MAX_UPLOAD: usize = 32 * 1024 * 1024;
/// How long an uploaded list waits for its import to be confirmed.
const UPLOAD_LIFETIME: Duration = Duration::from_secs(30 * 60);
/// Rows shown in the preview.
const PREVIEW_ROWS: usize = 10;

#[derive(Template)]
#[template(path = "case_new.html")]
pub(crate) struct NewCasePage {
    nav: Option<Nav>,
    t: Texts,
    operation: Operation,
    csrf: String,
    form: FormView,
    /// Where the form posts, its heading and its button: a new case, or
    /// an existing one edited (which also carries its version).
    action: String,
    heading: String,
    submit: &'static str,
    version: Option<i64>,
}

async fn new_case_page(
    state: &AppState,
    me: &crate::auth::CurrentUser,
    op: Operation,
    input: &HouseholdInput,
    errors: &[FieldError],
) -> Result<Response, PageError> {
    let action = format!("/operations/{}/cases/new", op.id);
    household_page(
        state,
        me,
        op,
        input,
        errors,
        (action, "New case".into(), "Register the case", None),
    )
    .await
}

/// The household form page; `target` is (action, heading, button, version).
pub(crate) async fn household_page(
    state: &AppState,
    me: &crate::auth::CurrentUser,
    op: Operation,
    input: &HouseholdInput,
    errors: &[FieldError],
    target: (String, String, &'static str, Option<i64>),
) -> Result<Response, PageError> {
    let (action, heading, submit, version) = target;
    let schemes = scheme_choices(state, &op).await?;
    let t = Texts::new(english());
    let options = FormOptions {
        schemes: &schemes,
        with_mrz: true,
        blank_members: if errors.is_empty() { BLANK_MEMBERS } else { 0 },
    };
    let page = NewCasePage {
        nav: Some(Nav::new(me, &op.id)),
        t,
        csrf: me.csrf_token.clone(),
        form: household_form::view(t, input, errors, &options),
        operation: op,
        action,
        heading,
        submit,
        version,
    };
    let mut res = html(&page);
    if !errors.is_empty() {
        *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(res)
}

/// `GET /operations/{op}/cases/new`
pub async fn new_case(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    Path(op): Path<String>,
) -> Result<Response, PageError> {
    let op = operation_for(&state, &me, &op, Action::EditCases).await?;
    let input = HouseholdInput {
        members: vec![Default::default()],
        ..Default::default()
    };
    new_case_page(&state, &me, op, &input, &[]).await
}

/// `POST /operations/{op}/cases/new`: the same checks as every other way in.
pub async fn create_case(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    Path(op): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let op = operation_for(&state, &me, &op, Action::EditCases).await?;
    let pairs = household_form::pairs(&body)?;
    let posted = household_form::read(pairs);
    let csrf = posted.controls.get("csrf").map_or("", String::as_str);
    if !tokens_match(&me.csrf_token, csrf) {
        return Err(ApiError::Forbidden("the form expired; reload the page").into());
    }
    if posted.controls.contains_key("add_member") {
        return new_case_page(&state, &me, op, &posted.household, &[]).await;
    }
    let schemes = state.store.scheme_codes(&op.id).await?;
    let options = ValidationOptions::afghan(Utc::now().date_naive());
    match posted.household.to_case(&schemes, &options) {
        Err(errors) => new_case_page(&state, &me, op, &posted.household, &errors.0).await,
        Ok(new) => {
            let mut tx = state.store.write(me.actor()).await?;
            let id = tx.create_case(&op, &new, "officer").await?;
            tx.commit().await?;
            state.matcher.changed(&op.id);
            Ok(Redirect::to(&format!("/cases/{id}")).into_response())
        }
    }
}

/// A list uploaded and waiting for its import to be confirmed, or imported
/// and keeping its refused rows for download. Held in memory for a while:
/// a restart forgets it and the officer uploads again.
#[derive(Clone)]
pub struct Upload {
    user: UserId,
    operation: domain::OperationId,
    source: String,
    file_name: String,
    bytes: Vec<u8>,
    overrides: Vec<ColumnOverride>,
    rejected_csv: Option<Vec<u8>>,
    at: Instant,
}

#[derive(Default)]
pub struct Uploads(Mutex<HashMap<String, Upload>>);

impl Uploads {
    /// Drops every list uploaded for an operation (after the burn).
    pub fn forget(&self, op: &domain::OperationId) {
        let mut map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        map.retain(|_, u| u.operation != *op);
    }

    fn put(&self, token: String, upload: Upload) {
        let mut map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        map.retain(|_, u| u.at.elapsed() < UPLOAD_LIFETIME);
        map.insert(token, upload);
    }

    /// Runs `f` on the user's own upload, if it is still there.
    fn with<T>(&self, token: &str, user: UserId, f: impl FnOnce(&mut Upload) -> T) -> Option<T> {
        let mut map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        map.get_mut(token)
            .filter(|u| u.user == user && u.at.elapsed() < UPLOAD_LIFETIME)
            .map(f)
    }
}

#[derive(Template)]
#[template(path = "import.html")]
struct ImportPage {
    nav: Option<Nav>,
    operation: Operation,
    csrf: String,
    error: Option<String>,
    preview: Option<Preview>,
    done: Option<Done>,
}

/// What the import would do, shown before anything is stored.
struct Preview {
    token: String,
    file_name: String,
    source: String,
    /// Each column: header, the field it maps to (`""` for none), the choices.
    columns: Vec<(usize, String, &'static str)>,
    fields: Vec<&'static str>,
    rows: Vec<Vec<String>>,
    read: usize,
    accepted: usize,
    cases: usize,
    rejected: Vec<(u64, String)>,
    rejected_total: usize,
    follow_up: usize,
}

struct Done {
    token: String,
    read: usize,
    accepted: usize,
    rejected: usize,
    cases: usize,
}

fn import_page(
    me: &crate::auth::CurrentUser,
    op: Operation,
    error: Option<String>,
    preview: Option<Preview>,
    done: Option<Done>,
) -> Response {
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let mut res = html(&ImportPage {
        nav: Some(Nav::new(me, &op.id)),
        csrf: me.csrf_token.clone(),
        operation: op,
        error,
        preview,
        done,
    });
    *res.status_mut() = status;
    res
}

/// `GET /operations/{op}/import`
pub async fn import_form(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    Path(op): Path<String>,
) -> Result<Response, PageError> {
    let op = operation_for(&state, &me, &op, Action::EditCases).await?;
    Ok(import_page(&me, op, None, None, None))
}

/// Reads and plans an upload: the table and what importing it would do.
fn plan_upload(
    upload: &Upload,
    schemes: &HashMap<String, domain::SchemeId>,
) -> Result<(Table, formats::import::ColumnMapping, ImportPlan), String> {
    let table =
        read_table(upload.bytes.clone()).map_err(|e| format!("the file cannot be read: {e}"))?;
    let mapping = map_columns(&table.header, &upload.overrides).map_err(|e| e.to_string())?;
    let options = ValidationOptions::afghan(Utc::now().date_naive());
    let plan = plan_import(&table, &mapping, schemes, &options);
    Ok((table, mapping, plan))
}

fn preview(
    token: String,
    upload: &Upload,
    table: &Table,
    mapping: &formats::import::ColumnMapping,
    plan: &ImportPlan,
) -> Preview {
    let accepted = plan.cases.iter().map(|c| c.members.len()).sum();
    Preview {
        token,
        file_name: upload.file_name.clone(),
        source: upload.source.clone(),
        columns: table
            .header
            .iter()
            .enumerate()
            .map(|(i, h)| (i, h.clone(), mapping.field_of(i).map_or("", Field::as_str)))
            .collect(),
        fields: Field::ALL.iter().map(|f| f.as_str()).collect(),
        rows: table
            .rows
            .iter()
            .take(PREVIEW_ROWS)
            .map(|r| r.cells.clone())
            .collect(),
        read: table.rows.len(),
        accepted,
        cases: plan.cases.len(),
        rejected: plan
            .rejected
            .iter()
            .take(20)
            .map(|r| (r.row.line, r.reason()))
            .collect(),
        rejected_total: plan.rejected.len(),
        follow_up: plan.follow_up.len(),
    }
}

/// `POST /operations/{op}/import`: the upload (multipart), previewed.
pub async fn upload(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    Path(op): Path<String>,
    mut multipart: Multipart,
) -> Result<Response, PageError> {
    let op = operation_for(&state, &me, &op, Action::EditCases).await?;
    let (mut csrf, mut source, mut file_name, mut bytes) =
        (String::new(), String::new(), String::new(), None);
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|_| ApiError::PayloadTooLarge)?
    {
        match field.name() {
            Some("csrf") => csrf = field.text().await.unwrap_or_default(),
            Some("source") => source = field.text().await.unwrap_or_default().trim().to_owned(),
            Some("file") => {
                file_name = field.file_name().unwrap_or("list").to_owned();
                bytes = Some(field.bytes().await.map_err(|_| ApiError::PayloadTooLarge)?);
            }
            _ => {}
        }
    }
    if !tokens_match(&me.csrf_token, &csrf) {
        return Err(ApiError::Forbidden("the form expired; reload the page").into());
    }
    let bytes = match bytes {
        Some(b) if !b.is_empty() => b,
        _ => {
            return Ok(import_page(
                &me,
                op,
                Some("choose a CSV or XLSX file".into()),
                None,
                None,
            ));
        }
    };
    if source.is_empty() || source.chars().count() > 100 {
        return Ok(import_page(
            &me,
            op,
            Some("name the list's source (1 to 100 characters)".into()),
            None,
            None,
        ));
    }
    let upload = Upload {
        user: me.user.id,
        operation: op.id.clone(),
        source,
        file_name,
        bytes: bytes.to_vec(),
        overrides: Vec::new(),
        rejected_csv: None,
        at: Instant::now(),
    };
    let schemes = state.store.scheme_codes(&op.id).await?;
    let planned = tokio::task::spawn_blocking(move || {
        let p = plan_upload(&upload, &schemes);
        (upload, p)
    })
    .await
    .map_err(|_| ApiError::Internal)?;
    let (upload, planned) = planned;
    match planned {
        Err(e) => Ok(import_page(&me, op, Some(e), None, None)),
        Ok((table, mapping, plan)) => {
            let token = hex::encode(rand::random::<[u8; 16]>());
            let p = preview(token.clone(), &upload, &table, &mapping, &plan);
            state.uploads.put(token, upload);
            Ok(import_page(&me, op, None, Some(p), None))
        }
    }
}

/// `POST /operations/{op}/import/{token}`: a new mapping previewed, or the
/// import confirmed.
pub async fn confirm(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    Path((op, token)): Path<(String, String)>,
    body: Bytes,
) -> Result<Response, PageError> {
    let op = operation_for(&state, &me, &op, Action::EditCases).await?;
    let pairs = household_form::pairs(&body)?;
    let get = |k: &str| {
        pairs
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.as_str())
    };
    if !tokens_match(&me.csrf_token, get("csrf").unwrap_or_default()) {
        return Err(ApiError::Forbidden("the form expired; reload the page").into());
    }
    // The mapping as chosen in the preview: `map.3=given_name` or `map.3=`.
    let header = state
        .uploads
        .with(&token, me.user.id, |u| {
            read_table(u.bytes.clone())
                .map(|t| t.header)
                .unwrap_or_default()
        })
        .ok_or(ApiError::NotFound(
            "upload (it expired; upload the list again)",
        ))?;
    let mut overrides = Vec::new();
    for (key, value) in &pairs {
        let Some(i) = key
            .strip_prefix("map.")
            .and_then(|i| i.parse::<usize>().ok())
        else {
            continue;
        };
        let Some(column) = header.get(i) else {
            continue;
        };
        let field = match value.as_str() {
            "" => None,
            v => Some(Field::from_name(v).ok_or_else(|| {
                ApiError::Validation(vec![FieldError::new(
                    key.clone(),
                    "known_field",
                    "unknown field",
                )])
            })?),
        };
        overrides.push(ColumnOverride {
            column: column.clone(),
            field,
        });
    }
    let upload = state
        .uploads
        .with(&token, me.user.id, |u| {
            u.overrides = overrides;
            u.clone()
        })
        .ok_or(ApiError::NotFound("upload"))?;
    if upload.operation != op.id {
        return Err(ApiError::NotFound("upload").into());
    }
    let schemes = state.store.scheme_codes(&op.id).await?;
    let (table, mapping, plan) = match plan_upload(&upload, &schemes) {
        Ok(p) => p,
        Err(e) => return Ok(import_page(&me, op, Some(e), None, None)),
    };
    if get("action") != Some("import") {
        let p = preview(token, &upload, &table, &mapping, &plan);
        return Ok(import_page(&me, op, None, Some(p), None));
    }
    // One transaction for the whole list: all of it is stored, or none.
    let source = format!("import:{}", upload.source);
    let mut tx = state.store.write(me.actor()).await?;
    for case in &plan.cases {
        tx.create_case(&op, case, &source).await?;
    }
    tx.commit().await?;
    state.matcher.changed(&op.id);
    let mut csv = Vec::new();
    write_rejected(&mut csv, &table.header, &plan.rejected).map_err(|_| ApiError::Internal)?;
    state
        .uploads
        .with(&token, me.user.id, |u| u.rejected_csv = Some(csv));
    let done = Done {
        token,
        read: table.rows.len(),
        accepted: plan.cases.iter().map(|c| c.members.len()).sum(),
        rejected: plan.rejected.len(),
        cases: plan.cases.len(),
    };
    Ok(import_page(&me, op, None, None, Some(done)))
}

/// `GET /operations/{op}/import/{token}/rejected.csv`: the refused rows with
/// their line and reason, for the officer who imported them.
pub async fn rejected(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    Path((op, token)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let op = operation_for(&state, &me, &op, Action::EditCases).await?;
    let (csv, name) = state
        .uploads
        .with(&token, me.user.id, |u| {
            (u.operation == op.id)
                .then(|| u.rejected_csv.clone().map(|c| (c, u.file_name.clone())))
                .flatten()
        })
        .flatten()
        .ok_or(ApiError::NotFound("rejected rows"))?;
    let stem = std::path::Path::new(&name)
        .file_stem()
        .map(|s| {
            s.to_string_lossy().replace(
                |c: char| !c.is_ascii_alphanumeric() && c != '-' && c != '_',
                "_",
            )
        })
        .unwrap_or_else(|| "import".into());
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{stem}.rejected.csv\""),
            ),
        ],
        csv,
    )
        .into_response())
}
