//! Passes and gate scans: what call-forward issues and what the gates send
//! back. A pass names ids only; the household's names stay in the manifest.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::validation::{Validate, ValidationErrors};
use crate::{CaseId, CaseStatus, MovementId, OperationId, PassId};

/// A pass is good from this long before the processing hour: households
/// travel to the assembly point through checkpoints, and are often early.
pub const PASS_LEAD: Duration = Duration::hours(12);

/// Scans in one sync request: each request is one transaction.
pub const MAX_SCANS_PER_SYNC: usize = 1000;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Pass {
    pub id: PassId,
    pub operation_id: OperationId,
    pub case_id: CaseId,
    pub movement_id: MovementId,
    pub kid: String,
    /// The short code, `ABCD-EFGH`.
    pub code: String,
    /// The JWS compact token.
    pub token: String,
    /// The pass page's link key (`/pass/{page_key}`): as strong as the token.
    pub page_key: String,
    pub household_size: u32,
    pub processing_slot: DateTime<Utc>,
    pub not_before: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub issued_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// A revoked pass, as the gates' revocation list gives it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RevokedPass {
    pub id: PassId,
    pub revoked_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ScanKind {
    CheckIn,
    Boarding,
}

/// What the gate showed for a scan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Valid,
    Forged,
    Revoked,
    Expired,
    NotYetValid,
    WrongMovement,
    AlreadyUsed,
}

/// One scan as a gate device recorded it, offline or not.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Scan {
    /// Made by the device (a UUID): the same scan sent twice counts once.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Uuid))]
    pub id: uuid::Uuid,
    /// The pass id the token claims; absent when the token could not be read.
    pub pass_id: Option<String>,
    pub kind: ScanKind,
    pub verdict: Verdict,
    pub device_id: String,
    pub gate: String,
    pub scanned_at: DateTime<Utc>,
}

/// A device or gate name: short, and only letters, digits, spaces, `-` and
/// `_`, since it goes into the audit trail.
fn label_ok(s: &str) -> bool {
    (1..=40).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b' ' | b'.'))
}

impl Validate for Scan {
    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut e = ValidationErrors::default();
        if !label_ok(&self.device_id) {
            e.push(
                "device_id",
                "label",
                "1 to 40 letters, digits, spaces, '-', '_' or '.'",
            );
        }
        if !label_ok(&self.gate) {
            e.push(
                "gate",
                "label",
                "1 to 40 letters, digits, spaces, '-', '_' or '.'",
            );
        }
        if let Some(p) = &self.pass_id
            && (p.len() > 64 || !p.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'))
        {
            e.push("pass_id", "id", "a pass id is a UUID");
        }
        e.into_result()
    }
}

/// What a sync did.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SyncReport {
    /// Scans stored for the first time.
    pub accepted: u32,
    /// Scans the server already had (sent again): ignored.
    pub duplicates: u32,
    /// Scans that moved a case (checked in, departed).
    pub applied: u32,
}

/// A scan as stored, for the officer's view of a pass.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StoredScan {
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Uuid))]
    pub id: uuid::Uuid,
    pub pass_id: Option<String>,
    pub kind: ScanKind,
    pub verdict: Verdict,
    pub device_id: String,
    pub gate: String,
    pub scanned_at: DateTime<Utc>,
    pub received_at: DateTime<Utc>,
    pub applied: bool,
}

/// Why a pass needs an officer's eye after a sync.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ConflictKind {
    /// Admitted more than once (two gates offline, most often).
    AdmittedTwice,
    /// Admitted by a gate the revocation had not reached yet.
    AdmittedAfterRevocation,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GateConflict {
    pub pass_id: String,
    pub kind: ConflictKind,
    /// The pass's short code and movement; `None` when the scanned id names
    /// no pass of this operation (a device's bug, or a forgery it admitted).
    pub code: Option<String>,
    pub movement_id: Option<MovementId>,
    pub case_id: Option<CaseId>,
    /// The household's reference (no personal data: gates read it out).
    pub case_reference: Option<String>,
    pub case_status: Option<CaseStatus>,
    /// Every admitting scan, all kept.
    pub scans: Vec<StoredScan>,
}
