//! Schemes' rules, the suggestion they give for a case, officers' decisions,
//! tiers set by hand and quota usage. The rules suggest; officers decide.

use axum::Json;
use axum::extract::{Path, State};
use chrono::Utc;
use domain::Validate;
use domain::access::Action;
use domain::case::Case;
use domain::decision::{Decision, TierOverride, Verdict};
use domain::scheme::Scheme;
use domain::validation::FieldError;
use eligibility::{FactInfo, Outcome, SchemeRules, Suggestion};
use serde::Serialize;
use store::QuotaUsage;

use crate::access::{case_for, scheme_for};
use crate::api::cases::{CaseDetail, detail};
use crate::auth::CurrentUser;
use crate::json::JsonBody;
use crate::{ApiError, AppState};

// The `eligibility` and `store` crates do not depend on utoipa, so their
// types appear in the OpenAPI document as plain objects, described here.
#[derive(Serialize, utoipa::ToSchema)]
pub struct RulesView {
    /// `null` until HQ writes the scheme's rules: `eligibility`, `family`
    /// and `priority` rules, and the `default_tier`.
    #[schema(value_type = Option<Object>)]
    pub rules: Option<SchemeRules>,
    /// The facts a rule may name, with examples.
    #[schema(value_type = Vec<Object>)]
    pub facts: Vec<FactInfo>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct SuggestionView {
    pub scheme: String,
    /// `null` when the scheme has no rules yet; else the `outcome`, the
    /// rules that `fired`, each member's inclusion, the `tier` and the
    /// facts it `needs`.
    #[schema(value_type = Option<Object>)]
    pub suggestion: Option<Suggestion>,
    /// Places taken (`principals`, `persons`) against the quota
    /// (`max_principals`, `max_persons`, `null` for no limit).
    #[schema(value_type = Object)]
    pub quota: QuotaUsage,
}

/// The scheme's rules as written, and the facts a rule may name.
#[utoipa::path(get, path = "/api/schemes/{id}/rules", params(("id" = String, Path, description = "scheme id")),
    responses((status = 200, body = RulesView), (status = 404)))]
pub async fn rules(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(id): Path<String>,
) -> Result<Json<RulesView>, ApiError> {
    let scheme = scheme_for(&state, &me, &id, Action::ViewSchemes).await?;
    let rules = state.store.scheme_rules(scheme.id).await?;
    Ok(Json(RulesView {
        rules: rules.map(|r| r.rules().clone()),
        facts: eligibility::catalogue(),
    }))
}

/// Replaces the scheme's rules. HQ only. A rule that does not parse, or
/// names an unknown fact, is refused with its field, column and reason.
#[utoipa::path(put, path = "/api/schemes/{id}/rules", params(("id" = String, Path, description = "scheme id")),
    request_body(content = Object, description = "`eligibility`, `family` and `priority` rules, `default_tier`"),
    responses((status = 200, body = RulesView), (status = 422, body = crate::error::Problem)))]
pub async fn set_rules(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(id): Path<String>,
    body: JsonBody,
) -> Result<Json<RulesView>, ApiError> {
    let scheme = scheme_for(&state, &me, &id, Action::EditSchemes).await?;
    let rules: SchemeRules = body.parse()?;
    let compiled = compile(&rules)?;
    let mut tx = state.store.write(me.actor()).await?;
    tx.set_scheme_rules(scheme.id, &compiled).await?;
    tx.commit().await?;
    Ok(Json(RulesView {
        rules: Some(rules),
        facts: eligibility::catalogue(),
    }))
}

/// Compiles rules, or answers every problem as a field error.
pub(crate) fn compile(rules: &SchemeRules) -> Result<eligibility::CompiledScheme, ApiError> {
    rules.compile().map_err(|e| {
        ApiError::Validation(
            (e.errors.into_iter())
                .map(|f| FieldError {
                    message: match &f.position {
                        Some(p) => format!("{p}: {}", f.reason),
                        None => f.reason.clone(),
                    },
                    field: f.field,
                    rule: "scheme_rule".into(),
                })
                .collect(),
        )
    })
}

/// What the case's scheme rules suggest, if the case has a scheme with rules.
pub(crate) async fn suggest(
    state: &AppState,
    case: &Case,
) -> Result<Option<(Scheme, Option<Suggestion>)>, ApiError> {
    let Some(scheme_id) = case.scheme_id else {
        return Ok(None);
    };
    let scheme = state.store.get_scheme(scheme_id).await?;
    let suggestion = state
        .store
        .scheme_rules(scheme_id)
        .await?
        .map(|rules| rules.evaluate(&eligibility::household(case, Utc::now().date_naive())));
    Ok(Some((scheme, suggestion)))
}

pub(crate) fn verdict(outcome: Outcome) -> Verdict {
    match outcome {
        Outcome::Eligible => Verdict::Eligible,
        Outcome::Ineligible => Verdict::Ineligible,
        Outcome::NeedsInformation => Verdict::NeedsInformation,
    }
}

fn no_scheme() -> ApiError {
    ApiError::Validation(vec![FieldError {
        field: "scheme_id".into(),
        rule: "scheme_required".into(),
        message: "the case has no scheme; choose one before deciding".into(),
    }])
}

/// What the case's scheme rules suggest, with the scheme's quota usage;
/// 422 when the case has no scheme.
#[utoipa::path(get, path = "/api/cases/{id}/suggestion", params(("id" = String, Path, description = "case id")),
    responses((status = 200, body = SuggestionView), (status = 404), (status = 422)))]
pub async fn suggestion(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(id): Path<String>,
) -> Result<Json<SuggestionView>, ApiError> {
    let case = case_for(&state, &me, &id, Action::ViewCases).await?;
    let (scheme, suggestion) = suggest(&state, &case).await?.ok_or_else(no_scheme)?;
    Ok(Json(SuggestionView {
        quota: state.store.quota_usage(scheme.id).await?,
        scheme: scheme.code,
        suggestion,
    }))
}

/// Decides a case for the API and the case page alike.
pub(crate) async fn decide_case(
    state: &AppState,
    me: &CurrentUser,
    raw_id: &str,
    decision: &Decision,
) -> Result<domain::CaseId, ApiError> {
    let action = Action::for_transition(decision.verdict.status());
    let case = case_for(state, me, raw_id, action).await?;
    decision.validate().map_err(ApiError::validation)?;
    let (_, suggestion) = suggest(state, &case).await?.ok_or_else(no_scheme)?;
    let suggested = suggestion.as_ref().map(|s| verdict(s.outcome));
    let tier = suggestion
        .as_ref()
        .filter(|_| decision.verdict == Verdict::Eligible)
        .map(|s| s.tier);
    let mut tx = state.store.write(me.actor()).await?;
    tx.decide(case.id, decision, suggested, tier).await?;
    tx.commit().await?;
    Ok(case.id)
}

/// An officer's decision, with a reason. An eligible decision takes a place
/// in the scheme's quota or is refused (409) when none is left.
#[utoipa::path(post, path = "/api/cases/{id}/decision", params(("id" = String, Path, description = "case id")),
    request_body = Decision,
    responses((status = 200, body = CaseDetail), (status = 409), (status = 422)))]
pub async fn decide(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(id): Path<String>,
    body: JsonBody,
) -> Result<Json<CaseDetail>, ApiError> {
    let decision: Decision = body.parse()?;
    let id = decide_case(&state, &me, &id, &decision).await?;
    Ok(Json(detail(&state, id).await?))
}

/// Sets or gives back the tier for the API and the case page alike.
pub(crate) async fn set_case_tier(
    state: &AppState,
    me: &CurrentUser,
    raw_id: &str,
    change: &TierOverride,
) -> Result<domain::CaseId, ApiError> {
    let case = case_for(state, me, raw_id, Action::DecideEligibility).await?;
    change.validate().map_err(ApiError::validation)?;
    let rules_tier = suggest(state, &case)
        .await?
        .and_then(|(_, s)| s)
        .map(|s| s.tier);
    let mut tx = state.store.write(me.actor()).await?;
    tx.override_tier(case.id, change, rules_tier).await?;
    tx.commit().await?;
    Ok(case.id)
}

/// Sets the case's priority tier by hand, with a reason; `"tier": null`
/// gives the tier back to the scheme's rules.
#[utoipa::path(post, path = "/api/cases/{id}/tier", params(("id" = String, Path, description = "case id")),
    request_body = TierOverride,
    responses((status = 200, body = CaseDetail), (status = 422)))]
pub async fn tier(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(id): Path<String>,
    body: JsonBody,
) -> Result<Json<CaseDetail>, ApiError> {
    let change: TierOverride = body.parse()?;
    let id = set_case_tier(&state, &me, &id, &change).await?;
    Ok(Json(detail(&state, id).await?))
}

/// Places taken in the scheme against its quota.
#[utoipa::path(get, path = "/api/schemes/{id}/quota", params(("id" = String, Path, description = "scheme id")),
    responses((status = 200, description = "`principals` and `persons` taken, `max_principals` and `max_persons` (`null`: no limit)", body = Object),
        (status = 404)))]
pub async fn quota(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(id): Path<String>,
) -> Result<Json<QuotaUsage>, ApiError> {
    let scheme = scheme_for(&state, &me, &id, Action::ViewSchemes).await?;
    Ok(Json(state.store.quota_usage(scheme.id).await?))
}
