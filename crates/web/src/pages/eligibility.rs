//! Eligibility on the pages: the suggestion panel and the decision and tier
//! forms of the case page, and the scheme page where HQ writes the rules.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use domain::FieldError;
use domain::access::{Action, role_may};
use domain::case::Case;
use domain::decision::{Decision, TierOverride, Verdict};
use domain::scheme::Scheme;
use eligibility::{Inclusion, PriorityRule, SchemeRules, Who};
use serde::Deserialize;

use super::render::{Nav, PageError, html};
use crate::access::scheme_for;
use crate::api::eligibility::{compile, decide_case, set_case_tier, suggest, verdict};
use crate::auth::csrf::tokens_match;
use crate::auth::{CurrentUser, PageUser};
use crate::{ApiError, AppState};

/// What the case page shows of the rules' suggestion.
pub struct SuggestionPanel {
    pub scheme: String,
    pub outcome: Option<&'static str>,
    pub tier: u8,
    /// (field, rule, who)
    pub fired: Vec<(String, String, String)>,
    pub needs: Vec<String>,
    pub left_out: String,
    pub quota: String,
}

fn who(w: Who, case: &Case) -> String {
    match w {
        Who::Principal => "principal".into(),
        Who::Member(i) => case
            .members
            .get(i + 1)
            .map_or_else(|| format!("member {}", i + 2), |m| m.details.display_name()),
    }
}

pub(crate) async fn panel(
    state: &AppState,
    case: &Case,
) -> Result<Option<SuggestionPanel>, ApiError> {
    let Some((scheme, suggestion)) = suggest(state, case).await? else {
        return Ok(None);
    };
    let q = state.store.quota_usage(scheme.id).await?;
    let limit = |n: u32, max: Option<u32>, what: &str| match max {
        Some(m) => format!("{n} of {m} {what}"),
        None => format!("{n} {what}, no limit"),
    };
    let quota = format!(
        "{}; {}",
        limit(q.principals, q.max_principals, "principals"),
        limit(q.persons, q.max_persons, "persons")
    );
    let mut panel = SuggestionPanel {
        scheme: scheme.code,
        outcome: None,
        tier: 4,
        fired: Vec::new(),
        needs: Vec::new(),
        left_out: String::new(),
        quota,
    };
    if let Some(s) = suggestion {
        panel.outcome = Some(verdict(s.outcome).status().label());
        panel.tier = s.tier;
        panel.fired = (s.fired.iter().chain(&s.tier_rules_fired))
            .map(|f| (f.field.clone(), f.rule.clone(), who(f.who, case)))
            .collect();
        panel.needs = (s.needs.iter())
            .map(|n| format!("{} of {} ({})", n.fact, who(n.who, case), n.field))
            .collect();
        panel.left_out = (s.members.iter())
            .filter(|m| m.inclusion == Inclusion::Excluded)
            .map(|m| who(Who::Member(m.index), case))
            .collect::<Vec<_>>()
            .join(", ");
    }
    Ok(Some(panel))
}

/// The decisions the user may take on the case now.
pub(crate) fn verdicts(me: &CurrentUser, case: &Case) -> Vec<(&'static str, &'static str)> {
    [
        Verdict::Eligible,
        Verdict::Ineligible,
        Verdict::NeedsInformation,
    ]
    .into_iter()
    .filter(|v| role_may(me.user.role, Action::for_transition(v.status())))
    .filter(|v| {
        // A registered case is taken under review by the decision.
        let from = match case.status {
            domain::CaseStatus::Registered => domain::CaseStatus::UnderReview,
            s => s,
        };
        from.can_move_to(v.status())
    })
    .filter(|_| case.scheme_id.is_some())
    .map(|v| (v.as_str(), v.status().label()))
    .collect()
}

#[derive(Deserialize)]
pub struct DecisionForm {
    csrf: String,
    verdict: String,
    reason: String,
}

fn form_expired() -> PageError {
    ApiError::Forbidden("the form expired; reload the page").into()
}

pub async fn decide(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    Path(id): Path<String>,
    Form(f): Form<DecisionForm>,
) -> Result<Response, PageError> {
    if !tokens_match(&me.csrf_token, &f.csrf) {
        return Err(form_expired());
    }
    let verdict = match f.verdict.as_str() {
        "eligible" => Verdict::Eligible,
        "ineligible" => Verdict::Ineligible,
        "needs_information" => Verdict::NeedsInformation,
        _ => {
            return Err(ApiError::Validation(vec![FieldError::new(
                "verdict",
                "known_verdict",
                "choose eligible, ineligible or needs information",
            )])
            .into());
        }
    };
    let decision = Decision {
        verdict,
        reason: f.reason,
    };
    let case = decide_case(&state, &me, &id, &decision).await?;
    Ok(Redirect::to(&format!("/cases/{case}")).into_response())
}

#[derive(Deserialize)]
pub struct TierForm {
    csrf: String,
    tier: String,
    reason: String,
}

pub async fn tier(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    Path(id): Path<String>,
    Form(f): Form<TierForm>,
) -> Result<Response, PageError> {
    if !tokens_match(&me.csrf_token, &f.csrf) {
        return Err(form_expired());
    }
    let tier = match f.tier.trim() {
        "" => None,
        t => Some(t.parse::<u8>().map_err(|_| {
            ApiError::Validation(vec![FieldError::new(
                "tier",
                "tier_range",
                "must be 1 (most urgent) to 4",
            )])
        })?),
    };
    let change = TierOverride {
        tier,
        reason: f.reason,
    };
    let case = set_case_tier(&state, &me, &id, &change).await?;
    Ok(Redirect::to(&format!("/cases/{case}")).into_response())
}

#[derive(Template)]
#[template(path = "scheme.html")]
struct SchemePage {
    nav: Option<Nav>,
    scheme: Scheme,
    csrf: String,
    may_edit: bool,
    eligibility: String,
    family: String,
    priority: String,
    default_tier: u8,
    errors: Vec<FieldError>,
    saved: bool,
    facts: Vec<eligibility::FactInfo>,
}

impl SchemePage {
    fn new(me: &CurrentUser, scheme: Scheme, rules: Option<&SchemeRules>) -> Self {
        let lines = |v: &[String]| v.join("\n");
        Self {
            nav: Some(Nav::new(me, &scheme.operation_id)),
            csrf: me.csrf_token.clone(),
            may_edit: role_may(me.user.role, Action::EditSchemes),
            eligibility: rules.map(|r| lines(&r.eligibility)).unwrap_or_default(),
            family: rules.map(|r| lines(&r.family)).unwrap_or_default(),
            priority: rules
                .map(|r| {
                    (r.priority.iter())
                        .map(|p| format!("{}: {}", p.tier, p.rule))
                        .collect::<Vec<_>>()
                        .join("\n")
                })
                .unwrap_or_default(),
            default_tier: rules.map_or(4, |r| r.default_tier),
            errors: Vec::new(),
            saved: false,
            facts: eligibility::catalogue(),
            scheme,
        }
    }
}

/// `GET /schemes/{id}`: the scheme, its rules, and for HQ the form to edit them.
pub async fn page(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let scheme = scheme_for(&state, &me, &id, Action::ViewSchemes).await?;
    let rules = state.store.scheme_rules(scheme.id).await?;
    Ok(html(&SchemePage::new(
        &me,
        scheme,
        rules.as_ref().map(|r| r.rules()),
    )))
}

#[derive(Deserialize)]
pub struct RulesForm {
    csrf: String,
    eligibility: String,
    family: String,
    priority: String,
    default_tier: String,
}

/// One rule a line; priority lines are `TIER: RULE`.
fn parse_form(f: &RulesForm) -> Result<SchemeRules, Vec<FieldError>> {
    let lines = |s: &str| -> Vec<String> {
        s.lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_owned)
            .collect()
    };
    let mut errors = Vec::new();
    let mut priority = Vec::new();
    for (i, line) in lines(&f.priority).into_iter().enumerate() {
        match line
            .split_once(':')
            .map(|(t, r)| (t.trim().parse::<u8>(), r.trim()))
        {
            Some((Ok(tier), rule)) => priority.push(PriorityRule {
                tier,
                rule: rule.to_owned(),
            }),
            _ => errors.push(FieldError::new(
                format!("priority[{i}]"),
                "priority_line",
                "write a tier, a colon and a rule: `1: medical_need`",
            )),
        }
    }
    let default_tier = f.default_tier.trim().parse::<u8>().unwrap_or(0);
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(SchemeRules {
        eligibility: lines(&f.eligibility),
        family: lines(&f.family),
        priority,
        default_tier,
    })
}

/// `POST /schemes/{id}/rules`: saved, or the form again with each error by
/// its rule.
pub async fn save(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    Path(id): Path<String>,
    Form(f): Form<RulesForm>,
) -> Result<Response, PageError> {
    if !tokens_match(&me.csrf_token, &f.csrf) {
        return Err(form_expired());
    }
    let scheme = scheme_for(&state, &me, &id, Action::EditSchemes).await?;
    let parsed = parse_form(&f).and_then(|rules| match compile(&rules) {
        Ok(c) => Ok(c),
        Err(ApiError::Validation(e)) => Err(e),
        Err(_) => Err(Vec::new()),
    });
    match parsed {
        Ok(compiled) => {
            let mut tx = state.store.write(me.actor()).await?;
            tx.set_scheme_rules(scheme.id, &compiled).await?;
            tx.commit().await?;
            let mut page = SchemePage::new(&me, scheme, Some(compiled.rules()));
            page.saved = true;
            Ok(html(&page))
        }
        Err(errors) => {
            // The form comes back as typed, with the reasons beside it.
            let mut page = SchemePage::new(&me, scheme, None);
            page.eligibility = f.eligibility;
            page.family = f.family;
            page.priority = f.priority;
            page.default_tier = f.default_tier.trim().parse().unwrap_or(4);
            page.errors = errors;
            let mut res = html(&page);
            *res.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
            Ok(res)
        }
    }
}

#[derive(Deserialize)]
pub struct SchemeForm {
    csrf: String,
    name: String,
    description: String,
    quota_principals: String,
    quota_persons: String,
    movement_nations: String,
}

/// `POST /schemes/{id}`: name, description, quota and the nations whose
/// movements take the scheme.
pub async fn update(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    Path(id): Path<String>,
    Form(f): Form<SchemeForm>,
) -> Result<Response, PageError> {
    if !tokens_match(&me.csrf_token, &f.csrf) {
        return Err(form_expired());
    }
    let scheme = scheme_for(&state, &me, &id, Action::EditSchemes).await?;
    let mut errors = Vec::new();
    let mut count = |field: &str, v: &str| -> Option<u32> {
        let v = v.trim();
        if v.is_empty() {
            return None;
        }
        v.parse()
            .map_err(|_| {
                errors.push(FieldError::new(
                    field,
                    "whole_number",
                    "must be a whole number, or empty for no limit",
                ));
            })
            .ok()
    };
    let update = domain::scheme::SchemeUpdate {
        name: Some(f.name),
        description: Some(f.description),
        quota_principals: count("quota_principals", &f.quota_principals),
        quota_persons: count("quota_persons", &f.quota_persons),
        movement_nations: Some(
            (f.movement_nations.split(','))
                .map(|n| n.trim().to_uppercase())
                .filter(|n| !n.is_empty())
                .collect(),
        ),
    };
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors).into());
    }
    domain::Validate::validate(&update).map_err(ApiError::validation)?;
    let mut tx = state.store.write(me.actor()).await?;
    tx.update_scheme(scheme.id, &update).await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/schemes/{}", scheme.id)).into_response())
}

#[derive(Template)]
#[template(path = "schemes.html")]
struct SchemesPage {
    nav: Option<Nav>,
    schemes: Vec<(Scheme, store::QuotaUsage)>,
}

/// `GET /operations/{op}/schemes`: every scheme with its places taken.
pub async fn list(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    Path(op): Path<String>,
) -> Result<Response, PageError> {
    let op = crate::access::operation_for(&state, &me, &op, Action::ViewSchemes).await?;
    let mut schemes = Vec::new();
    for s in state.store.list_schemes(&op.id).await? {
        let usage = state.store.quota_usage(s.id).await?;
        schemes.push((s, usage));
    }
    Ok(html(&SchemesPage {
        nav: Some(Nav::new(&me, &op.id)),
        schemes,
    }))
}
