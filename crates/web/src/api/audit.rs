use axum::Json;
use axum::extract::State;
use domain::access::Action;
use domain::audit::AuditEvent;
use serde::{Deserialize, Serialize};
use store::Paging;

use crate::access::require;
use crate::auth::CurrentUser;
use crate::json::ApiQuery;
use crate::{ApiError, AppState};

#[derive(Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct AuditQuery {
    page: Option<u32>,
    per_page: Option<u32>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct AuditPage {
    items: Vec<AuditEvent>,
    total: i64,
    page: u32,
    per_page: u32,
}

/// The audit trail, newest first. It holds no personal data.
#[utoipa::path(get, path = "/api/audit", params(AuditQuery), responses((status = 200, body = AuditPage)))]
pub async fn list(
    State(state): State<AppState>,
    me: CurrentUser,
    ApiQuery(q): ApiQuery<AuditQuery>,
) -> Result<Json<AuditPage>, ApiError> {
    require(&me.user, Action::ViewAudit, None)?;
    let p = state
        .store
        .list_audit(Paging::new(q.page, q.per_page))
        .await?;
    Ok(Json(AuditPage {
        items: p.items,
        total: p.total,
        page: p.page,
        per_page: p.per_page,
    }))
}
