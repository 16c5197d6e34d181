//! `POST /api/operations/{op}/burn`.

use axum::Json;
use axum::extract::{Path, State};
use domain::access::Action;
use serde::{Deserialize, Serialize};

use crate::access::{operation_for, require};
use crate::auth::CurrentUser;
use crate::json::JsonBody;
use crate::{ApiError, AppState};

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BurnRequest {
    /// The operation's identifier, typed again.
    confirm: String,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Burned {
    operation: String,
    burned: bool,
}

/// Destroys the operation's data key: its personal data becomes unreadable
/// for good; aggregates and the audit chain stay. HQ only.
#[utoipa::path(post, path = "/api/operations/{op}/burn", params(("op" = String, Path)),
    request_body = BurnRequest, responses((status = 200, body = Burned), (status = 403), (status = 422)))]
pub async fn burn(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(op): Path<String>,
    body: JsonBody,
) -> Result<Json<Burned>, ApiError> {
    require(&me.user, Action::Burn, None)?;
    let op = operation_for(&state, &me, &op, Action::Burn).await?;
    let req: BurnRequest = body.parse()?;
    crate::burn::burn(&state, &me, &op.id, &req.confirm).await?;
    Ok(Json(Burned {
        operation: op.id.to_string(),
        burned: true,
    }))
}
