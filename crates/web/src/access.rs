//! The web side of access control: turns the domain's decision into an
//! answer. No grant is decided here; see `domain::access`.

use domain::access::{self, Action, Denied};
use domain::case::Case;
use domain::operation::Operation;
use domain::scheme::Scheme;
use domain::{CaseId, OperationId, SchemeId, User};

use crate::auth::CurrentUser;
use crate::json::path_id;
use crate::{ApiError, AppState};

/// Fails with 403 unless `user` may do `action` (in `operation`, if given).
pub fn require(
    user: &User,
    action: Action,
    operation: Option<&OperationId>,
) -> Result<(), ApiError> {
    access::authorize(user, action, operation).map_err(|d| match d {
        Denied::Role => ApiError::Forbidden("your role may not do this"),
        Denied::Operation => ApiError::Forbidden("you do not work in this operation"),
    })
}

/// Loads an operation the user may act on: 403 before 404, so that a user
/// learns nothing about operations outside their grant.
pub(crate) async fn operation_for(
    state: &AppState,
    me: &CurrentUser,
    raw: &str,
    action: Action,
) -> Result<Operation, ApiError> {
    require(&me.user, action, None)?;
    let id: OperationId = path_id(raw, "operation")?;
    require(&me.user, action, Some(&id))?;
    Ok(state.store.get_operation(&id).await?)
}

/// Loads a case the user may act on, checking the role first so that a
/// forbidden caller cannot probe which ids exist.
pub(crate) async fn case_for(
    state: &AppState,
    me: &CurrentUser,
    raw: &str,
    action: Action,
) -> Result<Case, ApiError> {
    require(&me.user, action, None)?;
    let case = state
        .store
        .get_case(path_id::<CaseId>(raw, "case")?)
        .await?;
    require(&me.user, action, Some(&case.operation_id))?;
    Ok(case)
}

/// Loads a scheme the user may act on, checking the role first.
pub(crate) async fn scheme_for(
    state: &AppState,
    me: &CurrentUser,
    raw: &str,
    action: Action,
) -> Result<Scheme, ApiError> {
    require(&me.user, action, None)?;
    let scheme = state
        .store
        .get_scheme(path_id::<SchemeId>(raw, "scheme")?)
        .await?;
    require(&me.user, action, Some(&scheme.operation_id))?;
    Ok(scheme)
}
