//! Signing keys, passes and gate scans. Each operation signs its passes with
//! its own Ed25519 key, whose secret is sealed under the master key
//! (`sealing.rs`) and destroyed by the burn; rotation retires a key from
//! signing, and its public half stays published until the last pass it
//! signed has expired. Calling a household forward issues its pass in the
//! same write as the status change; any step that takes a household off
//! called-forward other than checking in (re-planning, withdrawal, a revoke)
//! revokes its pass in that write too.

use chrono::{DateTime, Utc};
use domain::audit::AuditEntry;
use domain::case::StatusChange;
use domain::pass::{
    ConflictKind, GateConflict, PASS_LEAD, Pass, RevokedPass, Scan, ScanKind, StoredScan,
    SyncReport, Verdict,
};
use domain::{CaseId, CaseStatus, MovementId, OperationId, PassId};
use passes::{PassClaims, PassSigner, ShortCode};
use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::sealing::{open_signing_key, seal_signing_key};
use crate::tx::parameter_list;
use crate::{Store, StoreError, WriteTx, codec};

/// A pass just issued, with what a call-forward message needs.
#[derive(Debug, Clone, PartialEq)]
pub struct IssuedPass {
    pub pass: Pass,
    /// The household's language for its message and pass page.
    pub language: Option<String>,
}

/// A pass with what the gate needs to tell whether it was used.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GatePass {
    pub id: PassId,
    pub case_id: CaseId,
    pub movement_id: MovementId,
    pub code: String,
    pub household_size: u32,
    pub case_status: CaseStatus,
}

fn pass(row: &AnyRow) -> Result<Pass, StoreError> {
    Ok(Pass {
        id: codec::get_parsed(row, "id", "pass id")?,
        operation_id: codec::get_parsed(row, "operation_id", "operation id")?,
        case_id: codec::get_parsed(row, "case_id", "case id")?,
        movement_id: codec::get_parsed(row, "movement_id", "movement id")?,
        kid: row.try_get("kid")?,
        code: row.try_get("code")?,
        token: row.try_get("token")?,
        page_key: row.try_get("page_key")?,
        household_size: codec::get_u32(row, "household_size")?,
        processing_slot: codec::get_time(row, "processing_slot")?,
        not_before: codec::get_time(row, "not_before")?,
        expires_at: codec::get_time(row, "expires_at")?,
        issued_at: codec::get_time(row, "issued_at")?,
        revoked_at: codec::get_opt_time(row, "revoked_at")?,
    })
}

fn stored_scan(row: &AnyRow) -> Result<StoredScan, StoreError> {
    Ok(StoredScan {
        id: codec::get_parsed(row, "id", "scan id")?,
        pass_id: row.try_get("pass_id")?,
        kind: codec::get_enum(row, "kind", "scan kind")?,
        verdict: codec::get_enum(row, "verdict", "verdict")?,
        device_id: row.try_get("device_id")?,
        gate: row.try_get("gate")?,
        scanned_at: codec::get_time(row, "scanned_at")?,
        received_at: codec::get_time(row, "received_at")?,
        applied: row.try_get::<i64, _>("applied")? != 0,
    })
}

impl Store {
    /// The public keys a gate needs: the signing key and every retired key
    /// whose passes have not all expired.
    pub async fn published_keys(&self, op: &OperationId) -> Result<Vec<[u8; 32]>, StoreError> {
        let rows = sqlx::query(
            "SELECT k.public_key FROM signing_keys k WHERE k.operation_id = $1 AND \
             (k.retired_at IS NULL OR EXISTS (SELECT 1 FROM passes p WHERE p.kid = k.kid AND p.expires_at > $2)) \
             ORDER BY k.created_at",
        )
        .bind(op.as_str())
        .bind(codec::time(codec::now()))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let text: String = r.try_get("public_key")?;
                passes::Jwk {
                    kty: "OKP".into(),
                    crv: "Ed25519".into(),
                    x: text,
                    kid: String::new(),
                    use_: String::new(),
                    alg: String::new(),
                }
                .public_key()
                .ok_or(StoreError::Corrupt { what: "public key" })
            })
            .collect()
    }

    pub async fn get_pass(&self, id: PassId) -> Result<Pass, StoreError> {
        let row = sqlx::query("SELECT * FROM passes WHERE id = $1")
            .bind(id.to_string())
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::not_found("pass"))?;
        pass(&row)
    }

    /// The case's pass that is not revoked, if any.
    pub async fn current_pass(&self, case: CaseId) -> Result<Option<Pass>, StoreError> {
        let row = sqlx::query(
            "SELECT * FROM passes WHERE case_id = $1 AND revoked_at IS NULL ORDER BY issued_at DESC LIMIT 1",
        )
        .bind(case.to_string())
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(pass).transpose()
    }

    /// A pass by its page's link key.
    pub async fn pass_by_page_key(&self, key: &str) -> Result<Option<Pass>, StoreError> {
        let row = sqlx::query("SELECT * FROM passes WHERE page_key = $1")
            .bind(key)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(pass).transpose()
    }

    /// A pass by its short code, as a gate types it when online.
    pub async fn pass_by_code(
        &self,
        op: &OperationId,
        code: &ShortCode,
    ) -> Result<Option<Pass>, StoreError> {
        let row = sqlx::query("SELECT * FROM passes WHERE operation_id = $1 AND code = $2")
            .bind(op.as_str())
            .bind(code.to_string())
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(pass).transpose()
    }

    /// Revoked passes that have not expired: the gates' revocation list.
    pub async fn revoked_passes(&self, op: &OperationId) -> Result<Vec<RevokedPass>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, revoked_at FROM passes WHERE operation_id = $1 AND revoked_at IS NOT NULL \
             AND expires_at > $2 ORDER BY revoked_at",
        )
        .bind(op.as_str())
        .bind(codec::time(codec::now()))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(RevokedPass {
                    id: codec::get_parsed(r, "id", "pass id")?,
                    revoked_at: codec::get_time(r, "revoked_at")?,
                })
            })
            .collect()
    }

    /// Live passes of the operation with their cases' status, for the gate.
    pub async fn gate_passes(&self, op: &OperationId) -> Result<Vec<GatePass>, StoreError> {
        let rows = sqlx::query(
            "SELECT p.id, p.case_id, p.movement_id, p.code, p.household_size, c.status \
             FROM passes p JOIN cases c ON c.id = p.case_id \
             WHERE p.operation_id = $1 AND p.revoked_at IS NULL AND p.expires_at > $2",
        )
        .bind(op.as_str())
        .bind(codec::time(codec::now()))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(GatePass {
                    id: codec::get_parsed(r, "id", "pass id")?,
                    case_id: codec::get_parsed(r, "case_id", "case id")?,
                    movement_id: codec::get_parsed(r, "movement_id", "movement id")?,
                    code: r.try_get("code")?,
                    household_size: codec::get_u32(r, "household_size")?,
                    case_status: codec::get_parsed(r, "status", "case status")?,
                })
            })
            .collect()
    }

    /// Every scan of a pass, oldest first.
    pub async fn scans_of_pass(&self, pass_id: &str) -> Result<Vec<StoredScan>, StoreError> {
        let rows =
            sqlx::query("SELECT * FROM gate_scans WHERE pass_id = $1 ORDER BY scanned_at, id")
                .bind(pass_id)
                .fetch_all(&self.pool)
                .await?;
        rows.iter().map(stored_scan).collect()
    }

    /// Passes admitted more than once, or admitted after their revocation:
    /// all their admitting scans are kept, and an officer looks at them.
    pub async fn gate_conflicts(&self, op: &OperationId) -> Result<Vec<GateConflict>, StoreError> {
        let twice = sqlx::query(
            "SELECT pass_id FROM gate_scans WHERE operation_id = $1 AND kind = 'check_in' \
             AND verdict = 'valid' AND pass_id IS NOT NULL GROUP BY pass_id HAVING COUNT(*) > 1",
        )
        .bind(op.as_str())
        .fetch_all(&self.pool)
        .await?;
        let late = sqlx::query(
            "SELECT DISTINCT s.pass_id FROM gate_scans s JOIN passes p ON p.id = s.pass_id \
             WHERE s.operation_id = $1 AND s.verdict = 'valid' AND p.revoked_at IS NOT NULL \
             AND p.revoked_at <= s.scanned_at",
        )
        .bind(op.as_str())
        .fetch_all(&self.pool)
        .await?;
        let mut out = Vec::new();
        for (rows, kind) in [
            (twice, ConflictKind::AdmittedTwice),
            (late, ConflictKind::AdmittedAfterRevocation),
        ] {
            for r in rows {
                let pass_id: String = r.try_get("pass_id")?;
                // Only this operation's passes: a device may send any id, and
                // another operation's case must not show through it.
                let pass = sqlx::query(
                    "SELECT p.code, p.movement_id, c.id, c.reference, c.status FROM passes p \
                     JOIN cases c ON c.id = p.case_id WHERE p.id = $1 AND p.operation_id = $2",
                )
                .bind(&pass_id)
                .bind(op.as_str())
                .fetch_optional(&self.pool)
                .await?;
                let scans = sqlx::query(
                    "SELECT * FROM gate_scans WHERE pass_id = $1 AND operation_id = $2 \
                     AND verdict = 'valid' ORDER BY scanned_at, id",
                )
                .bind(&pass_id)
                .bind(op.as_str())
                .fetch_all(&self.pool)
                .await?
                .iter()
                .map(stored_scan)
                .collect::<Result<_, _>>()?;
                out.push(GateConflict {
                    kind,
                    code: pass
                        .as_ref()
                        .map(|p| p.try_get::<String, _>("code"))
                        .transpose()?,
                    movement_id: pass
                        .as_ref()
                        .map(|p| codec::get_parsed(p, "movement_id", "movement id"))
                        .transpose()?,
                    case_id: pass
                        .as_ref()
                        .map(|p| codec::get_parsed(p, "id", "case id"))
                        .transpose()?,
                    case_reference: pass
                        .as_ref()
                        .map(|p| p.try_get::<String, _>("reference"))
                        .transpose()?,
                    case_status: pass
                        .as_ref()
                        .map(|p| codec::get_parsed(p, "status", "case status"))
                        .transpose()?,
                    pass_id,
                    scans,
                });
            }
        }
        Ok(out)
    }

    /// The sealed reason a pass was revoked, opened.
    pub async fn revocation_reason(&self, id: PassId) -> Result<Option<String>, StoreError> {
        let row = sqlx::query("SELECT operation_id, revoked_reason FROM passes WHERE id = $1")
            .bind(id.to_string())
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::not_found("pass"))?;
        let op: OperationId = codec::get_parsed(&row, "operation_id", "operation id")?;
        let Some(sealed) = row.try_get::<Option<String>, _>("revoked_reason")? else {
            return Ok(None);
        };
        let key = self.data_key(&op).await?;
        key.open_text(&op, &sealed)
            .map(Some)
            .ok_or(StoreError::Corrupt {
                what: "revocation reason",
            })
    }
}

impl WriteTx {
    /// The operation's signing key, made now if it has none yet.
    async fn signer(&mut self, op: &OperationId) -> Result<PassSigner, StoreError> {
        let row = sqlx::query(
            "SELECT kid, sealed_key FROM signing_keys WHERE operation_id = $1 AND retired_at IS NULL \
             ORDER BY created_at DESC LIMIT 1",
        )
        .bind(op.as_str())
        .fetch_optional(self.conn())
        .await?;
        match row {
            Some(row) => {
                let kid: String = row.try_get("kid")?;
                let sealed: Option<Vec<u8>> = row.try_get("sealed_key")?;
                let sealed = sealed.ok_or(StoreError::Burned)?;
                let secret = open_signing_key(self.keys().master(), op, &kid, &sealed).ok_or(
                    StoreError::Corrupt {
                        what: "signing key",
                    },
                )?;
                Ok(PassSigner::from_secret(&secret))
            }
            None => self.new_signing_key(op).await,
        }
    }

    async fn new_signing_key(&mut self, op: &OperationId) -> Result<PassSigner, StoreError> {
        // A burned operation gets no new key: its passes must stay unsignable.
        let burned = sqlx::query(
            "SELECT 1 FROM operation_keys WHERE operation_id = $1 AND wrapped_key IS NULL",
        )
        .bind(op.as_str())
        .fetch_optional(self.conn())
        .await?;
        if burned.is_some() {
            return Err(StoreError::Burned);
        }
        let secret = zeroize::Zeroizing::new(rand::random::<[u8; 32]>());
        let signer = PassSigner::from_secret(&secret);
        let sealed = seal_signing_key(self.keys().master(), op, signer.kid(), &secret);
        sqlx::query(
            "INSERT INTO signing_keys (kid, operation_id, public_key, sealed_key, created_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(signer.kid())
        .bind(op.as_str())
        .bind(passes::Jwk::ed25519(&signer.public_key()).x)
        .bind(sealed)
        .bind(codec::time(self.now()))
        .execute(self.conn())
        .await?;
        self.audit(
            AuditEntry::new("signing_key.create", "operation", op.as_str())
                .detail(format!("kid {}", signer.kid())),
        )
        .await?;
        Ok(signer)
    }

    /// Retires the operation's signing key and makes a new one; passes
    /// already issued stay valid (their key stays published). Gives the new
    /// key id.
    pub async fn rotate_signing_key(&mut self, op: &OperationId) -> Result<String, StoreError> {
        sqlx::query(
            "UPDATE signing_keys SET retired_at = $2 WHERE operation_id = $1 AND retired_at IS NULL",
        )
        .bind(op.as_str())
        .bind(codec::time(self.now()))
        .execute(self.conn())
        .await?;
        Ok(self.new_signing_key(op).await?.kid().to_owned())
    }

    /// Calls a scheduled household forward: the case moves to
    /// called-forward and gets its pass, in this write.
    pub async fn call_forward(&mut self, case: CaseId) -> Result<IssuedPass, StoreError> {
        let row = sqlx::query(
            "SELECT c.operation_id, c.status, c.household_size, c.movement_id, c.processing_slot, \
             c.language, m.departs_at FROM cases c LEFT JOIN movements m ON m.id = c.movement_id \
             WHERE c.id = $1",
        )
        .bind(case.to_string())
        .fetch_optional(self.conn())
        .await?
        .ok_or(StoreError::not_found("case"))?;
        let op: OperationId = codec::get_parsed(&row, "operation_id", "operation id")?;
        let status: CaseStatus = codec::get_parsed(&row, "status", "case status")?;
        let movement: Option<MovementId> =
            codec::get_opt_parsed(&row, "movement_id", "movement id")?;
        let slot = codec::get_opt_time(&row, "processing_slot")?;
        let departs = codec::get_opt_time(&row, "departs_at")?;
        let (CaseStatus::Scheduled, Some(movement), Some(slot), Some(departs)) =
            (status, movement, slot, departs)
        else {
            return Err(StoreError::Conflict(
                "only a scheduled household with a movement and a processing hour can be called forward".into(),
            ));
        };
        let size = codec::get_u32(&row, "household_size")?;
        let language: Option<String> = row.try_get("language")?;
        self.step(
            case,
            &StatusChange {
                to: CaseStatus::CalledForward,
                reason: "called forward with a pass".into(),
            },
            "case.status",
            "",
        )
        .await?;
        let signer = self.signer(&op).await?;
        let code = self.free_code(&op).await?;
        let id = PassId::new();
        let now = self.now();
        let not_before = slot - PASS_LEAD;
        let claims = PassClaims {
            jti: id.to_string(),
            op: op.to_string(),
            mov: movement.to_string(),
            hh: size,
            hour: slot.timestamp(),
            nbf: not_before.timestamp(),
            exp: departs.timestamp(),
            iat: now.timestamp(),
            code: code.to_string(),
        };
        let token = signer.sign(&claims);
        let issued = Pass {
            id,
            operation_id: op.clone(),
            case_id: case,
            movement_id: movement,
            kid: signer.kid().to_owned(),
            code: code.to_string(),
            token,
            page_key: {
                use base64::Engine;
                base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(rand::random::<[u8; 24]>())
            },
            household_size: size,
            processing_slot: slot,
            not_before: secs(claims.nbf),
            expires_at: secs(claims.exp),
            issued_at: secs(claims.iat),
            revoked_at: None,
        };
        sqlx::query(
            "INSERT INTO passes (id, operation_id, case_id, movement_id, kid, code, token, household_size, \
             processing_slot, not_before, expires_at, issued_at, page_key) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
        )
        .bind(id.to_string())
        .bind(op.as_str())
        .bind(case.to_string())
        .bind(movement.to_string())
        .bind(&issued.kid)
        .bind(&issued.code)
        .bind(&issued.token)
        .bind(i64::from(size))
        .bind(codec::time(slot))
        .bind(codec::time(issued.not_before))
        .bind(codec::time(issued.expires_at))
        .bind(codec::time(issued.issued_at))
        .bind(&issued.page_key)
        .execute(self.conn())
        .await?;
        self.audit(AuditEntry::new("pass.issue", "pass", id).detail(format!(
            "case {case} movement {movement} kid {}",
            issued.kid
        )))
        .await?;
        Ok(IssuedPass {
            pass: issued,
            language,
        })
    }

    /// A code no other pass of the operation has.
    async fn free_code(&mut self, op: &OperationId) -> Result<ShortCode, StoreError> {
        for _ in 0..8 {
            let code = ShortCode::from_random(rand::random());
            let taken = sqlx::query("SELECT 1 FROM passes WHERE operation_id = $1 AND code = $2")
                .bind(op.as_str())
                .bind(code.to_string())
                .fetch_optional(self.conn())
                .await?;
            if taken.is_none() {
                return Ok(code);
            }
        }
        Err(StoreError::Conflict(
            "no free pass code was found; try again".into(),
        ))
    }

    /// Revokes a pass with the officer's reason (sealed: it may name
    /// people); a household still called forward goes back to scheduled.
    pub async fn revoke_pass(&mut self, id: PassId, reason: &str) -> Result<Pass, StoreError> {
        let row = sqlx::query("SELECT * FROM passes WHERE id = $1")
            .bind(id.to_string())
            .fetch_optional(self.conn())
            .await?
            .ok_or(StoreError::not_found("pass"))?;
        let found = pass(&row)?;
        if found.revoked_at.is_some() {
            return Err(StoreError::Conflict("the pass was revoked already".into()));
        }
        self.mark_revoked(&found.operation_id, id, reason).await?;
        let status = sqlx::query("SELECT status FROM cases WHERE id = $1")
            .bind(found.case_id.to_string())
            .fetch_one(self.conn())
            .await?;
        let status: CaseStatus = codec::get_parsed(&status, "status", "case status")?;
        if status == CaseStatus::CalledForward {
            self.step(
                found.case_id,
                &StatusChange {
                    to: CaseStatus::Scheduled,
                    reason: "pass revoked".into(),
                },
                "case.status",
                "",
            )
            .await?;
        }
        Ok(Pass {
            revoked_at: Some(self.now()),
            ..found
        })
    }

    async fn mark_revoked(
        &mut self,
        op: &OperationId,
        id: PassId,
        reason: &str,
    ) -> Result<(), StoreError> {
        let key = self.data_key(op).await?;
        sqlx::query("UPDATE passes SET revoked_at = $2, revoked_reason = $3 WHERE id = $1")
            .bind(id.to_string())
            .bind(codec::time(self.now()))
            .bind(key.seal_text(op, reason))
            .execute(self.conn())
            .await?;
        self.audit(AuditEntry::new("pass.revoke", "pass", id).detail(format!("operation {op}")))
            .await
    }

    /// Revokes the case's live passes: called by every status step that
    /// takes a household off called-forward other than to the gate.
    pub(crate) async fn revoke_case_passes(
        &mut self,
        op: &OperationId,
        case: CaseId,
        why: &str,
    ) -> Result<(), StoreError> {
        let rows = sqlx::query("SELECT id FROM passes WHERE case_id = $1 AND revoked_at IS NULL")
            .bind(case.to_string())
            .fetch_all(self.conn())
            .await?;
        for r in rows {
            let id: PassId = codec::get_parsed(&r, "id", "pass id")?;
            self.mark_revoked(op, id, why).await?;
        }
        Ok(())
    }

    /// Stores scans from a gate, each once (by its id), and applies the new
    /// admitting ones in the order they were made: a check-in moves a
    /// called-forward case to checked-in, a boarding a checked-in case to
    /// departed. A pass admitted twice keeps both scans; only the first
    /// moves the case, and [`Store::gate_conflicts`] shows both.
    pub async fn record_scans(
        &mut self,
        op: &OperationId,
        scans: &[Scan],
    ) -> Result<SyncReport, StoreError> {
        let mut report = SyncReport::default();
        let received = codec::time(self.now());
        let by = self.actor().user_id().map(|u| u.to_string());
        let mut fresh = std::collections::HashSet::new();
        // Small statements: sqlx's cost per statement grows faster than its
        // parameters (1,000 scans take 20 ms in rows of 50, 140 ms in 500).
        for chunk in scans.chunks(50) {
            let sql = format!(
                "INSERT INTO gate_scans (id, operation_id, pass_id, kind, verdict, device_id, gate, \
                 scanned_at, received_at, received_by, applied) VALUES {} ON CONFLICT (id) DO NOTHING RETURNING id",
                self.values_list(chunk.len(), 11)
            );
            let mut q = sqlx::query(&sql);
            for s in chunk {
                q = q
                    .bind(s.id.to_string())
                    .bind(op.as_str())
                    .bind(s.pass_id.clone())
                    .bind(codec::enum_text(&s.kind))
                    .bind(codec::enum_text(&s.verdict))
                    .bind(s.device_id.clone())
                    .bind(s.gate.clone())
                    .bind(codec::time(s.scanned_at))
                    .bind(received.clone())
                    .bind(by.clone())
                    .bind(0i64);
            }
            for r in q.fetch_all(self.conn()).await? {
                fresh.insert(r.try_get::<String, _>("id")?);
            }
        }
        report.accepted = fresh.len() as u32;
        report.duplicates = (scans.len() - fresh.len()) as u32;
        let mut admitted: Vec<&Scan> = (scans.iter())
            .filter(|s| s.verdict == Verdict::Valid && fresh.contains(&s.id.to_string()))
            .collect();
        admitted.sort_by_key(|s| (s.scanned_at, s.kind == ScanKind::Boarding));
        let mut applied = Vec::new();
        for s in admitted {
            let Some(pass_id) = &s.pass_id else { continue };
            let row = sqlx::query(
                "SELECT p.case_id, c.status FROM passes p JOIN cases c ON c.id = p.case_id \
                 WHERE p.id = $1 AND p.operation_id = $2",
            )
            .bind(pass_id)
            .bind(op.as_str())
            .fetch_optional(self.conn())
            .await?;
            let Some(row) = row else { continue };
            let case: CaseId = codec::get_parsed(&row, "case_id", "case id")?;
            let mut status: CaseStatus = codec::get_parsed(&row, "status", "case status")?;
            let detail = format!(" scan {} device {} gate {}", s.id, s.device_id, s.gate);
            let mut moved = false;
            if status == CaseStatus::CalledForward {
                status = self
                    .step(
                        case,
                        &gate_step(CaseStatus::CheckedIn),
                        "gate.check_in",
                        &detail,
                    )
                    .await?;
                moved = s.kind == ScanKind::CheckIn;
            }
            if s.kind == ScanKind::Boarding && status == CaseStatus::CheckedIn {
                self.step(
                    case,
                    &gate_step(CaseStatus::Departed),
                    "gate.boarding",
                    &detail,
                )
                .await?;
                moved = true;
            }
            if moved {
                applied.push(s.id.to_string());
            }
        }
        for chunk in applied.chunks(50) {
            let list = parameter_list(1, chunk.len());
            let sql = format!("UPDATE gate_scans SET applied = 1 WHERE id IN ({list})");
            let mut q = sqlx::query(&sql);
            for id in chunk {
                q = q.bind(id.clone());
            }
            q.execute(self.conn()).await?;
        }
        report.applied = applied.len() as u32;
        if report.accepted > 0 {
            self.audit(
                AuditEntry::new("gate.sync", "operation", op.as_str()).detail(format!(
                    "accepted {} duplicates {} applied {}",
                    report.accepted, report.duplicates, report.applied
                )),
            )
            .await?;
        }
        Ok(report)
    }
}

fn gate_step(to: CaseStatus) -> StatusChange {
    StatusChange {
        to,
        reason: match to {
            CaseStatus::CheckedIn => "checked in at the gate".into(),
            _ => "boarded at the gate".into(),
        },
    }
}

fn secs(t: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(t, 0).unwrap_or_default()
}
