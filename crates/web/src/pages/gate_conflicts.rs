//! Gate conflicts for officers: passes two gates admitted while offline, or
//! a gate admitted after their revocation. Every admitting scan is kept;
//! the page shows them side by side so an officer can find out who really
//! went through.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use domain::access::{Action, role_may};
use domain::operation::Operation;
use domain::pass::{ConflictKind, GateConflict, ScanKind, StoredScan, Verdict};

use super::render::{Nav, PageError, html, time};
use crate::AppState;
use crate::access::operation_for;
use crate::auth::PageUser;

pub struct ConflictView {
    kind: &'static str,
    /// The short code, or the id the gate sent when no pass of the
    /// operation has it.
    pass: String,
    known_pass: bool,
    movement: Option<String>,
    /// The household's reference, which the gate reads too.
    reference: Option<String>,
    /// The case page, for roles that may open it.
    case_link: Option<String>,
    case_status: Option<&'static str>,
    scans: Vec<ScanRow>,
}

pub struct ScanRow {
    scanned: String,
    gate: String,
    device: String,
    kind: &'static str,
    verdict: &'static str,
    received: String,
    /// Whether this scan is the one that moved the case.
    applied: bool,
}

#[derive(Template)]
#[template(path = "gate_conflicts.html")]
struct ConflictsPage {
    nav: Option<Nav>,
    operation: Operation,
    conflicts: Vec<ConflictView>,
}

fn kind_label(kind: ConflictKind) -> &'static str {
    match kind {
        ConflictKind::AdmittedTwice => "Admitted twice",
        ConflictKind::AdmittedAfterRevocation => "Admitted after its revocation",
    }
}

fn scan_kind_label(kind: ScanKind) -> &'static str {
    match kind {
        ScanKind::CheckIn => "Check-in",
        ScanKind::Boarding => "Boarding",
    }
}

fn verdict_label(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Valid => "Valid",
        Verdict::Forged => "Forged",
        Verdict::Revoked => "Revoked",
        Verdict::Expired => "Expired",
        Verdict::NotYetValid => "Not yet valid",
        Verdict::WrongMovement => "Wrong movement",
        Verdict::AlreadyUsed => "Already used",
    }
}

fn scan_row(s: &StoredScan) -> ScanRow {
    ScanRow {
        scanned: time(s.scanned_at),
        gate: s.gate.clone(),
        device: s.device_id.clone(),
        kind: scan_kind_label(s.kind),
        verdict: verdict_label(s.verdict),
        received: time(s.received_at),
        applied: s.applied,
    }
}

/// `GET /operations/{op}/gate/conflicts`: who may read the API's list
/// (`ViewManifest`) may read this page; the case is linked only for roles
/// that may open it.
pub async fn page(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    Path(op): Path<String>,
) -> Result<Response, PageError> {
    let operation = operation_for(&state, &me, &op, Action::ViewManifest).await?;
    let conflicts = state.store.gate_conflicts(&operation.id).await?;
    let movements: HashMap<_, _> = (state.store.list_movements(&operation.id, None).await?)
        .into_iter()
        .map(|m| {
            (
                m.id,
                format!("{} ({} UTC)", m.designator, time(m.departs_at)),
            )
        })
        .collect();
    let may_see_cases = role_may(me.user.role, Action::ViewCases);
    let conflicts = conflicts
        .into_iter()
        .map(|c: GateConflict| ConflictView {
            kind: kind_label(c.kind),
            known_pass: c.code.is_some(),
            pass: c.code.unwrap_or(c.pass_id),
            movement: c.movement_id.and_then(|m| movements.get(&m).cloned()),
            reference: c.case_reference,
            case_link: (c.case_id)
                .filter(|_| may_see_cases)
                .map(|id| format!("/cases/{id}")),
            case_status: c.case_status.map(|s| s.label()),
            scans: c.scans.iter().map(scan_row).collect(),
        })
        .collect();
    Ok(html(&ConflictsPage {
        nav: Some(Nav::new(&me, &operation.id)),
        operation,
        conflicts,
    }))
}
