use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use domain::access::{Action, role_may};
use domain::case::{Case, StatusChange};
use domain::operation::Operation;
use domain::person::{DocumentKind, name_words};
use domain::pipeline::Stage;
use domain::{CaseStatus, SchemeId};
use serde::Deserialize;
use store::Paging;

use super::render::{Nav, PageError, html, time};
use crate::access::{case_for, operation_for};
use crate::api::cases::move_case;
use crate::auth::PageUser;
use crate::auth::csrf::tokens_match;
use crate::filters::CaseQuery;
use crate::json::ApiQuery;
use crate::{ApiError, AppState};

pub struct Row {
    id: String,
    reference: String,
    principal: String,
    size: u32,
    scheme: String,
    status: &'static str,
    tier: String,
    updated: String,
}

#[derive(Template)]
#[template(path = "cases.html")]
struct ListPage {
    nav: Option<Nav>,
    operation: Operation,
    csrf: String,
    name: String,
    statuses: Vec<(&'static str, &'static str, bool)>,
    stages: Vec<(&'static str, &'static str, bool)>,
    schemes: Vec<(String, String, bool)>,
    provinces: Vec<(&'static str, &'static str, bool)>,
    tiers: Vec<(&'static str, &'static str, bool)>,
    /// The nation filter, shown (it has no select of its own).
    nation: Option<String>,
    cases: Vec<Row>,
    total: i64,
    /// A name search counted only up to `total`.
    more: bool,
    /// The list's order, as the store gives it.
    newest_registered_first: bool,
    page: u32,
    pages: u32,
    prev_link: Option<String>,
    next_link: Option<String>,
    /// Whether to offer the new-case and import pages.
    may_register: bool,
    /// The downloads of this list (same filters), for roles that may have them.
    downloads: Option<(String, String)>,
}

/// Filters in the URL (no personal data); a name search comes by form post.
#[derive(Deserialize, Default)]
pub struct ListQuery {
    #[serde(flatten)]
    filters: CaseQuery,
    /// Text: numbers do not survive serde's flatten.
    #[serde(default)]
    page: Option<String>,
}

#[derive(Deserialize)]
pub struct SearchForm {
    csrf: String,
    #[serde(default)]
    name: String,
    #[serde(flatten)]
    filters: CaseQuery,
}

const TIERS: [(&str, &str); 5] = [
    ("1", "1"),
    ("2", "2"),
    ("3", "3"),
    ("4", "4"),
    (crate::filters::NONE, "None"),
];

async fn render_list(
    state: &AppState,
    me: &crate::auth::CurrentUser,
    op: &str,
    q: ListQuery,
    name: String,
) -> Result<Response, PageError> {
    let operation = operation_for(state, me, op, Action::ViewCases).await?;
    let mut filter = q.filters.filter()?;
    filter.name_words = name_words(&name).take(10).collect();
    let page_no = match q.page.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
        Some(p) => Some(p.parse::<u32>().map_err(|_| {
            ApiError::Validation(vec![domain::FieldError::new(
                "page",
                "number",
                "a page number",
            )])
        })?),
        None => None,
    };
    let paging = Paging::new(page_no, Some(50));
    let list = state
        .store
        .list_cases(&operation.id, &filter, paging)
        .await?;
    let all_schemes = state.store.list_schemes(&operation.id).await?;
    let code_of = |id: Option<SchemeId>| {
        all_schemes
            .iter()
            .find(|s| Some(s.id) == id)
            .map(|s| s.code.clone())
    };
    let pages = list.pages();
    let query = q.filters.to_query();
    // Paging links carry only the non-personal filters; a name search shows its first page.
    let link = |p: u32| {
        let mut l = format!("/operations/{}/cases?page={p}", operation.id);
        if !query.is_empty() {
            l.push('&');
            l.push_str(&query);
        }
        l
    };
    let searching = !filter.name_words.is_empty();
    let chosen = |v: &Option<String>, x: &str| v.as_deref().map(str::trim) == Some(x);
    let f = &q.filters;
    let page = ListPage {
        may_register: role_may(me.user.role, Action::EditCases),
        downloads: (role_may(me.user.role, Action::ExportCases) && !searching).then(|| {
            let url = |ext: &str| {
                let mut u = format!("/api/operations/{}/exports/cases.{ext}", operation.id);
                if !query.is_empty() {
                    u.push('?');
                    u.push_str(&query);
                }
                u
            };
            (url("csv"), url("xlsx"))
        }),
        nav: Some(Nav::new(me, &operation.id)),
        csrf: me.csrf_token.clone(),
        name,
        statuses: CaseStatus::ALL
            .iter()
            .map(|s| (s.as_str(), s.label(), chosen(&f.status, s.as_str())))
            .collect(),
        stages: Stage::ALL
            .iter()
            .map(|s| (s.as_str(), s.label(), chosen(&f.stage, s.as_str())))
            .collect(),
        schemes: all_schemes
            .iter()
            .map(|s| {
                (
                    s.id.to_string(),
                    s.code.clone(),
                    Some(s.id) == filter.scheme_id,
                )
            })
            .chain(std::iter::once((
                crate::filters::NONE.to_owned(),
                "None".to_owned(),
                filter.no_scheme && f.nation.is_none(),
            )))
            .collect(),
        provinces: formats::province::Province::all()
            .map(|p| (p.code(), p.name(), chosen(&f.province, p.code())))
            .chain(std::iter::once((
                crate::filters::NONE,
                "Not known",
                chosen(&f.province, crate::filters::NONE),
            )))
            .collect(),
        tiers: TIERS
            .iter()
            .map(|(v, l)| (*v, *l, chosen(&f.tier, v)))
            .collect(),
        nation: f.nation.clone().filter(|n| !n.trim().is_empty()),
        cases: list
            .items
            .iter()
            .map(|c| Row {
                id: c.id.to_string(),
                reference: c.reference.clone(),
                principal: c.principal_name.clone(),
                size: c.household_size,
                scheme: code_of(c.scheme_id).unwrap_or_else(|| "–".to_owned()),
                status: c.status.label(),
                tier: c.tier.map_or_else(|| "–".to_owned(), |t| t.to_string()),
                updated: time(c.updated_at),
            })
            .collect(),
        total: list.total,
        more: list.more,
        newest_registered_first: filter.newest_registered_first(),
        page: list.page,
        pages,
        prev_link: (!searching && list.page > 1).then(|| link(list.page - 1)),
        next_link: (!searching && list.page < pages).then(|| link(list.page + 1)),
        operation,
    };
    Ok(html(&page))
}

pub async fn list(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    Path(op): Path<String>,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Response, PageError> {
    render_list(&state, &me, &op, q, String::new()).await
}

pub async fn search(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    Path(op): Path<String>,
    Form(f): Form<SearchForm>,
) -> Result<Response, PageError> {
    if !tokens_match(&me.csrf_token, &f.csrf) {
        return Err(ApiError::Forbidden("the form expired; reload the page").into());
    }
    let q = ListQuery {
        filters: f.filters,
        page: None,
    };
    render_list(&state, &me, &op, q, f.name).await
}

/// A person as the officer pages show one: every field as text.
pub struct MemberRow {
    pub relationship: &'static str,
    pub name: String,
    pub native: String,
    pub born: String,
    pub sex: &'static str,
    pub nationalities: String,
    pub documents: String,
    pub province: String,
}

impl MemberRow {
    pub fn of(d: &domain::person::PersonDetails) -> Self {
        MemberRow {
            relationship: d.relationship.label(),
            name: [&d.given_name, &d.family_name]
                .into_iter()
                .flatten()
                .cloned()
                .collect::<Vec<_>>()
                .join(" "),
            native: d.full_name_native.clone().unwrap_or_default(),
            born: d.date_of_birth.as_ref().map(born).unwrap_or_default(),
            sex: match d.sex {
                domain::person::Sex::Female => "F",
                domain::person::Sex::Male => "M",
                domain::person::Sex::Other => "X",
                domain::person::Sex::Unknown => "–",
            },
            nationalities: d.nationalities.join(", "),
            documents: d
                .documents
                .iter()
                .map(|doc| {
                    let kind = match doc.kind {
                        DocumentKind::Passport => "Passport",
                        DocumentKind::Tazkira => "Tazkira",
                        DocumentKind::NationalId => "ID",
                        DocumentKind::Visa => "Visa",
                        DocumentKind::Other => "Document",
                    };
                    format!("{kind} {}", doc.number)
                })
                .collect::<Vec<_>>()
                .join(", "),
            province: d.province.clone().unwrap_or_default(),
        }
    }
}

#[derive(Template)]
#[template(path = "case.html")]
struct CasePage {
    nav: Option<Nav>,
    case: Case,
    csrf: String,
    status: &'static str,
    scheme: String,
    tier: String,
    special_needs: String,
    members: Vec<MemberRow>,
    moves: Vec<(&'static str, &'static str)>,
    history: Vec<(String, String, String)>,
    rules: Option<super::eligibility::SuggestionPanel>,
    verdicts: Vec<(&'static str, &'static str)>,
    may_set_tier: bool,
    may_edit: bool,
    seat: Option<(String, String)>,
}

fn born(d: &domain::dates::DateOfBirth) -> String {
    use domain::dates::Calendar;
    let cal = match d.calendar {
        Calendar::Gregorian => "",
        Calendar::SolarHijri => " SH",
    };
    match (d.month, d.day) {
        (Some(m), Some(day)) => format!("{:04}-{m:02}-{day:02}{cal}", d.year),
        (Some(m), None) => format!("{:04}-{m:02}{cal}", d.year),
        _ => format!("{}{cal}", d.year),
    }
}

pub async fn page(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let case = case_for(&state, &me, &id, Action::ViewCases).await?;
    let scheme = match case.scheme_id {
        Some(s) => state
            .store
            .get_scheme(s)
            .await
            .map(|s| format!("{} ({})", s.name, s.code))
            .unwrap_or_default(),
        None => "–".to_owned(),
    };
    let history = state
        .store
        .case_history(case.id)
        .await?
        .into_iter()
        .map(|e| (time(e.at), e.to.label().to_owned(), e.reason))
        .collect();
    let members = case
        .members
        .iter()
        .map(|m| MemberRow::of(&m.details))
        .collect();
    let moves = case
        .status
        .successors()
        .iter()
        .filter(|to| role_may(me.user.role, Action::for_transition(**to)))
        .map(|to| (to.as_str(), to.label()))
        .collect();
    let rules = super::eligibility::panel(&state, &case).await?;
    let verdicts = super::eligibility::verdicts(&me, &case);
    let may_set_tier = role_may(me.user.role, Action::DecideEligibility) && case.status.is_open();
    let seat = match (case.movement_id, case.processing_slot) {
        (Some(m), Some(slot)) => {
            let m = state.store.get_movement(m).await?;
            Some((
                format!(
                    "{} to {}, departs {}",
                    m.designator,
                    m.destination,
                    time(m.departs_at)
                ),
                time(slot),
            ))
        }
        _ => None,
    };
    let page = CasePage {
        rules,
        verdicts,
        may_set_tier,
        may_edit: role_may(me.user.role, Action::EditCases),
        seat,
        nav: Some(Nav::new(&me, &case.operation_id)),
        csrf: me.csrf_token.clone(),
        status: case.status.label(),
        scheme,
        tier: match (case.tier, case.tier_overridden) {
            (Some(t), true) => format!("{t} (set by an officer)"),
            (Some(t), false) => t.to_string(),
            (None, _) => "–".to_owned(),
        },
        special_needs: case.special_needs.clone().unwrap_or_else(|| "–".to_owned()),
        members,
        moves,
        history,
        case,
    };
    Ok(html(&page))
}

#[derive(Deserialize)]
pub struct MoveForm {
    csrf: String,
    to: String,
    reason: String,
}

pub async fn change_status(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    Path(id): Path<String>,
    Form(f): Form<MoveForm>,
) -> Result<Response, PageError> {
    if !tokens_match(&me.csrf_token, &f.csrf) {
        return Err(ApiError::Forbidden("the form expired; reload the page").into());
    }
    let to: CaseStatus = f.to.parse().map_err(|_| {
        ApiError::Validation(vec![domain::FieldError::new(
            "to",
            "known_status",
            "unknown status",
        )])
    })?;
    let case = move_case(
        &state,
        &me,
        &id,
        &StatusChange {
            to,
            reason: f.reason,
        },
    )
    .await?;
    Ok(Redirect::to(&format!("/cases/{case}")).into_response())
}
