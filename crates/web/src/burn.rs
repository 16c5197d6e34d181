//! The burn, as HQ asks for it: the operation's identifier typed again to
//! confirm, the store destroys the data key, and the server drops what it
//! holds of the operation's personal data in memory.

use domain::OperationId;

use crate::auth::CurrentUser;
use crate::{ApiError, AppState};

/// Burns after checking that `typed` names the operation; HQ only (the
/// caller has checked the role).
pub async fn burn(
    state: &AppState,
    me: &CurrentUser,
    op: &OperationId,
    typed: &str,
) -> Result<(), ApiError> {
    if typed.trim() != op.as_str() {
        return Err(ApiError::Validation(vec![domain::FieldError::new(
            "confirm",
            "confirm_operation",
            "type the operation's identifier exactly to confirm the burn",
        )]));
    }
    let mut tx = state.store.write(me.actor()).await?;
    tx.burn(op).await?;
    tx.commit().await?;
    state.matcher.forget(op);
    state.uploads.forget(op);
    state.store.after_burn(op).await?;
    tracing::warn!(operation = %op, "operation burned");
    Ok(())
}
