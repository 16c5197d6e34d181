//! Downloads: aggregates as HXL-tagged CSV (no personal data), persons and
//! notes as PFIF 1.4, case lists as CSV and XLSX with the fields of the
//! user's role. Every download of personal data is an audit event.

use std::collections::HashMap;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use domain::access::{Action, CaseField, case_fields};
use domain::case::Case;
use domain::scheme::Scheme;
use domain::{CaseStatus, OperationId, SchemeId};
use formats::hxl::{Column, guard_cell, write_table};
use formats::pfif::{self, NoteRecord, PersonRecord};
use store::CaseCount;

use crate::access::operation_for;
use crate::auth::CurrentUser;
use crate::filters::CaseQuery;
use crate::json::ApiQuery;
use crate::{ApiError, AppState};

/// Cells with fewer households than this lose their province: they are
/// counted in their scheme, status and tier without it.
pub const SMALL_CELL: i64 = 5;

/// The province shown for households counted without theirs.
pub const SUPPRESSED: &str = "Not shown (fewer than 5 households)";

/// A failure to write a download: logged (no content), answered 500.
fn internal(what: &'static str) -> ApiError {
    tracing::error!(what, "export failed");
    ApiError::Internal
}

fn download(content_type: &'static str, name: &str, body: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        body,
    )
        .into_response()
}

fn province_name(code: &str) -> &'static str {
    formats::province::Province::all()
        .find(|p| p.code() == code)
        .map_or("Not known", |p| p.name())
}

/// The HXL columns of the aggregates, in order.
pub const AGGREGATE_COLUMNS: [Column; 11] = [
    Column {
        header: "Country",
        hashtag: "#country+code",
    },
    Column {
        header: "Province code",
        hashtag: "#adm1+code",
    },
    Column {
        header: "Province",
        hashtag: "#adm1+name",
    },
    Column {
        header: "Scheme code",
        hashtag: "#activity+code",
    },
    Column {
        header: "Scheme",
        hashtag: "#activity+name",
    },
    Column {
        header: "Nation",
        hashtag: "#org+code",
    },
    Column {
        header: "Status",
        hashtag: "#status+code",
    },
    Column {
        header: "Priority tier",
        hashtag: "#priority",
    },
    Column {
        header: "Households",
        hashtag: "#affected+households+num",
    },
    Column {
        header: "People",
        hashtag: "#affected+ind+num",
    },
    Column {
        header: "Date",
        hashtag: "#date+reported",
    },
];

/// The aggregate rows: one per scheme, status, tier and province, small
/// cells merged into their scheme, status and tier without a province.
pub fn aggregate_rows(
    country: &str,
    counts: &[CaseCount],
    schemes: &[Scheme],
    date: &str,
) -> Vec<Vec<String>> {
    type Key = (Option<SchemeId>, CaseStatus, Option<u8>, Option<String>);
    let mut cells: HashMap<Key, (i64, i64)> = HashMap::new();
    for c in counts {
        let province = (c.households >= SMALL_CELL).then(|| c.province.clone());
        let e = cells
            .entry((c.scheme_id, c.status, c.tier, province))
            .or_default();
        e.0 += c.households;
        e.1 += c.persons;
    }
    let mut keys: Vec<&Key> = cells.keys().collect();
    keys.sort_by_key(|(scheme, status, tier, province)| {
        (
            schemes.iter().position(|s| Some(s.id) == *scheme),
            *status,
            *tier,
            province.clone(),
        )
    });
    keys.into_iter()
        .map(|key| {
            let (scheme, status, tier, province) = key;
            let (households, persons) = cells[key];
            let s = schemes.iter().find(|s| Some(s.id) == *scheme);
            let (code, name) = match province.as_deref() {
                None => (String::new(), SUPPRESSED.to_owned()),
                Some("") => (String::new(), "Not known".to_owned()),
                Some(c) => (c.to_owned(), province_name(c).to_owned()),
            };
            vec![
                country.to_owned(),
                code,
                name,
                s.map(|s| s.code.clone()).unwrap_or_default(),
                s.map(|s| s.name.clone()).unwrap_or_default(),
                s.map(|s| s.nation.clone()).unwrap_or_default(),
                status.as_str().to_owned(),
                tier.map(|t| t.to_string()).unwrap_or_default(),
                households.to_string(),
                persons.to_string(),
                date.to_owned(),
            ]
        })
        .collect()
}

/// Households and people by scheme, nation, province, status and tier, as
/// HXL-tagged CSV without personal data.
#[utoipa::path(get, path = "/api/operations/{op}/exports/aggregates.csv",
    params(("op" = String, Path, description = "operation id")),
    responses((status = 200, description = "HXL-tagged CSV", content_type = "text/csv"), (status = 403)))]
pub async fn aggregates(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(op): Path<String>,
) -> Result<Response, ApiError> {
    let operation = operation_for(&state, &me, &op, Action::ViewAggregates).await?;
    let counts = state.store.case_counts(&operation.id).await?;
    let schemes = state.store.list_schemes(&operation.id).await?;
    let date = chrono::Utc::now().format("%Y-%m-%d").to_string();
    let rows = aggregate_rows(&operation.country, &counts, &schemes, &date);
    let body = write_table(&AGGREGATE_COLUMNS, &rows).map_err(|_| internal("writing CSV"))?;
    Ok(download(
        "text/csv; charset=utf-8",
        &format!("{}-aggregates.csv", operation.id),
        body,
    ))
}

/// The domain of Muster's own PFIF record ids: configured, or the host the
/// request came to (without its port).
fn pfif_domain(state: &AppState, headers: &HeaderMap) -> String {
    if let Some(d) = &state.config.pfif_domain {
        return d.clone();
    }
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost");
    let host = match host.rsplit_once(':') {
        Some((h, port)) if port.bytes().all(|b| b.is_ascii_digit()) => h,
        _ => host,
    };
    let clean: String = host
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-'))
        .collect();
    if clean.is_empty() {
        "localhost".to_owned()
    } else {
        clean
    }
}

/// The PFIF records of an operation's persons: an imported person as its
/// record came (same ids and source, with its notes), a person registered in
/// Muster under `DOMAIN/person.ID`.
pub async fn pfif_records(
    state: &AppState,
    op: &OperationId,
    domain_name: &str,
    source_name: &str,
    country: &str,
) -> Result<Vec<PersonRecord>, ApiError> {
    let cases = state
        .store
        .cases_for_export(op, &store::CaseFilter::default())
        .await?;
    let imported: HashMap<_, _> = state
        .store
        .pfif_persons(op)
        .await?
        .into_iter()
        .map(|p| (p.person_id, p))
        .collect();
    let mut notes: HashMap<String, Vec<NoteRecord>> = HashMap::new();
    for n in state.store.pfif_notes(op).await? {
        let mut note: NoteRecord = serde_json::from_value(n.record)
            .map_err(|_| internal("a stored PFIF note could not be read"))?;
        // The entry date is when this repository received the note.
        note.set("entry_date", pfif::utc(n.entry_date));
        notes.entry(n.person_record_id).or_default().push(note);
    }
    let mut out = Vec::new();
    for case in &cases {
        for m in &case.members {
            let record = match imported.get(&m.id) {
                Some(stored) => {
                    let mut r: PersonRecord = serde_json::from_value(stored.record.clone())
                        .map_err(|_| internal("a stored PFIF record could not be read"))?;
                    r.set("entry_date", pfif::utc(stored.entry_date));
                    r.notes = notes.remove(&stored.person_record_id).unwrap_or_default();
                    r
                }
                None => pfif::person_record(
                    &m.details,
                    &format!("{domain_name}/person.{}", m.id),
                    source_name,
                    country,
                    case.created_at,
                    case.updated_at,
                ),
            };
            out.push(record);
        }
    }
    Ok(out)
}

/// The operation's persons and notes as PFIF 1.4 XML.
#[utoipa::path(get, path = "/api/operations/{op}/exports/pfif.xml",
    params(("op" = String, Path, description = "operation id")),
    responses((status = 200, description = "PFIF 1.4", content_type = "application/xml"), (status = 403)))]
pub async fn pfif_xml(
    State(state): State<AppState>,
    me: CurrentUser,
    headers: HeaderMap,
    Path(op): Path<String>,
) -> Result<Response, ApiError> {
    let operation = operation_for(&state, &me, &op, Action::ExportPersons).await?;
    let domain_name = pfif_domain(&state, &headers);
    let records = pfif_records(
        &state,
        &operation.id,
        &domain_name,
        &format!("Muster {}", operation.name),
        &operation.country,
    )
    .await?;
    state
        .store
        .record_export(me.actor(), &operation.id, "pfif.xml", records.len())
        .await?;
    Ok(download(
        "application/xml; charset=utf-8",
        &format!("{}-pfif.xml", operation.id),
        pfif::write_document(&records).into_bytes(),
    ))
}

fn field_header(f: CaseField) -> &'static str {
    match f {
        CaseField::Reference => "Reference",
        CaseField::Status => "Status",
        CaseField::Scheme => "Scheme",
        CaseField::Nation => "Nation",
        CaseField::Tier => "Tier",
        CaseField::Province => "Province",
        CaseField::HouseholdSize => "People",
        CaseField::PrincipalName => "Principal",
        CaseField::PrincipalNativeName => "Principal (own script)",
        CaseField::Phone => "Phone",
        CaseField::Email => "E-mail",
        CaseField::Language => "Language",
        CaseField::SpecialNeeds => "Special needs",
        CaseField::FollowUp => "Follow-up",
        CaseField::Source => "Source",
        CaseField::CreatedAt => "Registered",
        CaseField::UpdatedAt => "Updated",
    }
}

/// A case's value for a field, as text.
fn field_value(f: CaseField, c: &Case, schemes: &[Scheme]) -> String {
    use domain::person::ContactKind;
    let scheme = schemes.iter().find(|s| Some(s.id) == c.scheme_id);
    let principal = c.principal().map(|p| &p.details);
    let contact = |kind: ContactKind| {
        principal
            .and_then(|p| p.contacts.iter().find(|x| x.kind == kind))
            .map(|x| x.value.clone())
            .unwrap_or_default()
    };
    match f {
        CaseField::Reference => c.reference.clone(),
        CaseField::Status => c.status.label().to_owned(),
        CaseField::Scheme => scheme.map(|s| s.code.clone()).unwrap_or_default(),
        CaseField::Nation => scheme.map(|s| s.nation.clone()).unwrap_or_default(),
        CaseField::Tier => c.tier.map(|t| t.to_string()).unwrap_or_default(),
        CaseField::Province => principal
            .and_then(|p| p.province.clone())
            .unwrap_or_default(),
        CaseField::HouseholdSize => c.members.len().to_string(),
        CaseField::PrincipalName => principal.map(|p| p.display_name()).unwrap_or_default(),
        CaseField::PrincipalNativeName => principal
            .and_then(|p| p.full_name_native.clone())
            .unwrap_or_default(),
        CaseField::Phone => contact(ContactKind::Phone),
        CaseField::Email => contact(ContactKind::Email),
        CaseField::Language => c.language.clone().unwrap_or_default(),
        CaseField::SpecialNeeds => c.special_needs.clone().unwrap_or_default(),
        CaseField::FollowUp => c.follow_up.clone().unwrap_or_default(),
        CaseField::Source => c.source.clone(),
        CaseField::CreatedAt => c.created_at.format("%Y-%m-%d %H:%M").to_string(),
        CaseField::UpdatedAt => c.updated_at.format("%Y-%m-%d %H:%M").to_string(),
    }
}

async fn case_table(
    state: &AppState,
    me: &CurrentUser,
    op: &str,
    q: &CaseQuery,
) -> Result<(OperationId, Vec<CaseField>, Vec<Vec<String>>), ApiError> {
    let operation = operation_for(state, me, op, Action::ExportCases).await?;
    let filter = q.filter()?;
    let fields = case_fields(me.user.role).to_vec();
    let cases = state.store.cases_for_export(&operation.id, &filter).await?;
    let schemes = state.store.list_schemes(&operation.id).await?;
    let rows = cases
        .iter()
        .map(|c| {
            fields
                .iter()
                .map(|f| field_value(*f, c, &schemes))
                .collect()
        })
        .collect();
    Ok((operation.id, fields, rows))
}

/// The case list (the case list's filters) as CSV, with the fields of the caller's role.
#[utoipa::path(get, path = "/api/operations/{op}/exports/cases.csv",
    params(
        ("op" = String, Path, description = "operation id"),
        ("status" = Option<String>, Query, description = "a case status"),
        ("stage" = Option<String>, Query, description = "a pipeline stage: registered, eligible, scheduled, called_forward, checked_in, departed, in_country"),
        ("scheme" = Option<String>, Query, description = "a scheme id, or none"),
        ("nation" = Option<String>, Query, description = "the nation running the scheme, or none"),
        ("province" = Option<String>, Query, description = "an ISO 3166-2 code, or none"),
        ("tier" = Option<String>, Query, description = "1 to 4, or none"),
    ),
    responses((status = 200, description = "CSV", content_type = "text/csv"), (status = 403), (status = 422)))]
pub async fn cases_csv(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(op): Path<String>,
    ApiQuery(q): ApiQuery<CaseQuery>,
) -> Result<Response, ApiError> {
    let (op, fields, rows) = case_table(&state, &me, &op, &q).await?;
    let mut w = csv::Writer::from_writer(Vec::new());
    let write = |w: &mut csv::Writer<Vec<u8>>, row: Vec<String>| {
        w.write_record(row.iter().map(|v| guard_cell(v)))
            .map_err(|_| internal("writing CSV"))
    };
    write(
        &mut w,
        fields.iter().map(|f| field_header(*f).to_owned()).collect(),
    )?;
    let n = rows.len();
    for row in rows {
        write(&mut w, row)?;
    }
    let body = w.into_inner().map_err(|_| internal("writing CSV"))?;
    state
        .store
        .record_export(me.actor(), &op, "cases.csv", n)
        .await?;
    Ok(download(
        "text/csv; charset=utf-8",
        &format!("{op}-cases.csv"),
        body,
    ))
}

/// The case list (the case list's filters) as XLSX, with the fields of the caller's role.
#[utoipa::path(get, path = "/api/operations/{op}/exports/cases.xlsx",
    params(
        ("op" = String, Path, description = "operation id"),
        ("status" = Option<String>, Query, description = "a case status"),
        ("stage" = Option<String>, Query, description = "a pipeline stage: registered, eligible, scheduled, called_forward, checked_in, departed, in_country"),
        ("scheme" = Option<String>, Query, description = "a scheme id, or none"),
        ("nation" = Option<String>, Query, description = "the nation running the scheme, or none"),
        ("province" = Option<String>, Query, description = "an ISO 3166-2 code, or none"),
        ("tier" = Option<String>, Query, description = "1 to 4, or none"),
    ),
    responses((status = 200, description = "XLSX", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (status = 403), (status = 422)))]
pub async fn cases_xlsx(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(op): Path<String>,
    ApiQuery(q): ApiQuery<CaseQuery>,
) -> Result<Response, ApiError> {
    let (op, fields, rows) = case_table(&state, &me, &op, &q).await?;
    let n = rows.len();
    let body = tokio::task::spawn_blocking(move || xlsx(&fields, &rows))
        .await
        .map_err(|_| internal("writing XLSX"))?
        .map_err(|_| internal("writing XLSX"))?;
    state
        .store
        .record_export(me.actor(), &op, "cases.xlsx", n)
        .await?;
    Ok(download(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        &format!("{op}-cases.xlsx"),
        body,
    ))
}

/// Every cell a string cell (never a formula, whatever it starts with),
/// numbers as numbers.
fn xlsx(fields: &[CaseField], rows: &[Vec<String>]) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("Cases")?;
    let bold = rust_xlsxwriter::Format::new().set_bold();
    for (c, f) in fields.iter().enumerate() {
        sheet.write_string_with_format(0, c as u16, field_header(*f), &bold)?;
    }
    for (r, row) in rows.iter().enumerate() {
        let r = r as u32 + 1;
        for (c, (f, v)) in fields.iter().zip(row).enumerate() {
            let numeric = matches!(f, CaseField::Tier | CaseField::HouseholdSize);
            match v.parse::<f64>() {
                Ok(x) if numeric => sheet.write_number(r, c as u16, x)?,
                _ => sheet.write_string(r, c as u16, v)?,
            };
        }
    }
    book.save_to_buffer()
}
