//! What a self-registration reads of its operation (the operation and its
//! scheme codes), held for a moment. In a surge thousands of registrations
//! a second would otherwise each read the same rows before being queued.
//!
//! A change (a new scheme, an operation burnt) is seen within [`HELD_FOR`];
//! the registrar checks schemes and the operation's key again as it writes.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use domain::operation::Operation;
use domain::{OperationId, SchemeId};
use store::{Store, StoreError};

/// How long a read is used again.
pub const HELD_FOR: Duration = Duration::from_secs(1);

/// An operation as registrations need it.
pub struct IntakeContext {
    pub operation: Operation,
    /// The operation's schemes by upper-case code.
    pub scheme_codes: HashMap<String, SchemeId>,
}

/// The recent reads, per operation.
#[derive(Default)]
pub struct IntakeContexts {
    held: Mutex<HashMap<OperationId, (Instant, Arc<IntakeContext>)>>,
}

impl IntakeContexts {
    pub async fn get(
        &self,
        store: &Store,
        op: &OperationId,
    ) -> Result<Arc<IntakeContext>, StoreError> {
        if let Some((at, context)) = self.lock().get(op)
            && at.elapsed() < HELD_FOR
        {
            return Ok(context.clone());
        }
        let context = Arc::new(IntakeContext {
            operation: store.get_operation(op).await?,
            scheme_codes: store.scheme_codes(op).await?,
        });
        self.lock()
            .insert(op.clone(), (Instant::now(), context.clone()));
        Ok(context)
    }

    fn lock(
        &self,
    ) -> std::sync::MutexGuard<'_, HashMap<OperationId, (Instant, Arc<IntakeContext>)>> {
        // The map holds only copies of stored rows; one left half-written by
        // a panic is still a valid map.
        self.held.lock().unwrap_or_else(|e| e.into_inner())
    }
}
