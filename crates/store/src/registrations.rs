//! Self-registration: a household that registered itself, the access code it
//! comes back with, and the record that makes a resend answer with the first
//! answer rather than create a second case.
//!
//! The store holds hashes it is given; choosing and hashing codes and keys is
//! the web layer's.

use domain::case::NewCase;
use domain::operation::Operation;
use domain::{CaseId, CaseStatus, OperationId};
use sqlx::Row;

use crate::{Store, StoreError, WriteTx, codec};

/// What identifies one registration request.
#[derive(Debug, Clone)]
pub struct RegistrationRequest {
    /// Hash of the client's Idempotency-Key, or of the body when none was sent.
    pub key_hash: String,
    /// Hash of the request body: a key reused for another body is refused.
    pub body_hash: String,
    /// A fresh access code, used if the request is new.
    pub access_code: String,
    pub access_code_hash: String,
}

/// The answer to a registration, the same for the first request and a resend.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Registered {
    pub case_id: CaseId,
    pub reference: String,
    pub access_code: String,
    /// True when this request was a resend of one already accepted.
    pub replayed: bool,
}

/// What the access-code check needs about a case.
#[derive(Debug, Clone)]
pub struct RegistrationAccess {
    pub case_id: CaseId,
    pub status: CaseStatus,
    pub access_code_hash: String,
}

impl Store {
    /// The case a reference names in an operation, with its access-code hash;
    /// `None` when there is no such case or it has no access code.
    pub async fn registration_access(
        &self,
        op: &OperationId,
        reference: &str,
    ) -> Result<Option<RegistrationAccess>, StoreError> {
        let row = sqlx::query(
            "SELECT id, status, access_code_hash FROM cases \
             WHERE operation_id = $1 AND reference = $2 AND access_code_hash IS NOT NULL",
        )
        .bind(op.as_str())
        .bind(reference)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| {
            Ok(RegistrationAccess {
                case_id: codec::get_parsed(&r, "id", "case id")?,
                status: codec::get_parsed(&r, "status", "case status")?,
                access_code_hash: r.try_get("access_code_hash")?,
            })
        })
        .transpose()
    }
}

impl WriteTx {
    /// Registers a household from self-registration, once per request key.
    /// A refusal (the key reused for another body, an unknown scheme) comes
    /// before anything is written, which the [`crate::Registrar`]'s group
    /// commit relies on to refuse one registration and keep the others.
    pub async fn register(
        &mut self,
        op: &Operation,
        new: &NewCase,
        request: &RegistrationRequest,
    ) -> Result<Registered, StoreError> {
        let earlier = sqlx::query(
            "SELECT r.body_hash, r.case_id, r.access_code, c.reference FROM registration_requests r \
             JOIN cases c ON c.id = r.case_id WHERE r.operation_id = $1 AND r.request_key = $2",
        )
        .bind(op.id.as_str())
        .bind(&request.key_hash)
        .fetch_optional(self.conn())
        .await?;
        if let Some(row) = earlier {
            let body_hash: String = row.try_get("body_hash")?;
            if body_hash != request.body_hash {
                return Err(StoreError::Conflict(
                    "this Idempotency-Key was already used for a different registration".into(),
                ));
            }
            let sealed: String = row.try_get("access_code")?;
            let access_code = self
                .data_key(&op.id)
                .await?
                .open_text(&op.id, &sealed)
                .ok_or(StoreError::Corrupt {
                    what: "access code",
                })?;
            return Ok(Registered {
                case_id: codec::get_parsed(&row, "case_id", "case id")?,
                reference: row.try_get("reference")?,
                access_code,
                replayed: true,
            });
        }
        let (case_id, reference) = self
            .insert_case(
                op,
                new,
                "self_registration",
                Some(&request.access_code_hash),
            )
            .await?;
        sqlx::query(
            "INSERT INTO registration_requests (operation_id, request_key, body_hash, case_id, access_code, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(op.id.as_str())
        .bind(&request.key_hash)
        .bind(&request.body_hash)
        .bind(case_id.to_string())
        .bind(self.data_key(&op.id).await?.seal_text(&op.id, &request.access_code))
        .bind(codec::time(self.now()))
        .execute(self.conn())
        .await?;
        Ok(Registered {
            case_id,
            reference,
            access_code: request.access_code.clone(),
            replayed: false,
        })
    }
}
