//! The web side of access control: turns the domain's decision into an
//! answer. No grant is decided here; see `domain::access`.

use domain::access::{self, Action, Denied};
use domain::{OperationId, User};

use crate::ApiError;

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
