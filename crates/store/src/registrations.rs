//! Self-registration: a household that registered itself, the access code it
//! comes back with, and the record that makes a resend answer with the first
//! answer rather than create a second case.
//!
//! The store holds hashes it is given; choosing and hashing codes and keys is
//! the web layer's.

use std::collections::{HashMap, HashSet};

use domain::case::NewCase;
use domain::operation::Operation;
use domain::{CaseId, CaseStatus, OperationId};
use sqlx::Row;

use crate::cases::{NewCaseRow, unknown_scheme};
use crate::tx::{parameter_list, shaped_chunks};
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

/// A registration accepted earlier under the same request key.
struct Earlier {
    body_hash: String,
    case_id: CaseId,
    reference: String,
    sealed_code: String,
}

fn reused_key() -> StoreError {
    StoreError::Conflict(
        "this Idempotency-Key was already used for a different registration".into(),
    )
}

impl WriteTx {
    /// Registers a household from self-registration, once per request key.
    pub async fn register(
        &mut self,
        op: &Operation,
        new: &NewCase,
        request: &RegistrationRequest,
    ) -> Result<Registered, StoreError> {
        let mut answers = self.register_batch(op, &[(new, request)]).await?;
        answers.remove(0)
    }

    /// Registers households of one operation together, each once per request
    /// key, in a fixed number of statements. A refused registration (its key
    /// reused for another body, an unknown scheme) gets its own error and
    /// writes nothing; the others go ahead. A resend answers with the first
    /// answer, also within the batch.
    pub async fn register_batch(
        &mut self,
        op: &Operation,
        items: &[(&NewCase, &RegistrationRequest)],
    ) -> Result<Vec<Result<Registered, StoreError>>, StoreError> {
        let earlier = self.earlier_requests(op, items).await?;
        let schemes: HashSet<String> =
            sqlx::query("SELECT id FROM schemes WHERE operation_id = $1")
                .bind(op.id.as_str())
                .fetch_all(self.conn())
                .await?
                .iter()
                .map(|r| r.try_get("id"))
                .collect::<Result<_, _>>()?;
        let key = self.data_key(&op.id).await?;
        // What each item becomes: an answer now, a new case, or the answer of
        // an earlier item of this batch with the same key.
        enum Fate {
            Answered(Result<Registered, StoreError>),
            New,
            SameAs(usize),
        }
        let mut first_with_key: HashMap<&str, usize> = HashMap::new();
        let mut fates = Vec::with_capacity(items.len());
        for (i, (new, request)) in items.iter().enumerate() {
            let fate = if let Some(e) = earlier.get(&request.key_hash) {
                Fate::Answered(if e.body_hash == request.body_hash {
                    key.open_text(&op.id, &e.sealed_code)
                        .ok_or(StoreError::Corrupt {
                            what: "access code",
                        })
                        .map(|access_code| Registered {
                            case_id: e.case_id,
                            reference: e.reference.clone(),
                            access_code,
                            replayed: true,
                        })
                } else {
                    Err(reused_key())
                })
            } else if let Some(&first) = first_with_key.get(request.key_hash.as_str()) {
                if items[first].1.body_hash == request.body_hash {
                    Fate::SameAs(first)
                } else {
                    Fate::Answered(Err(reused_key()))
                }
            } else if new
                .scheme_id
                .is_some_and(|s| !schemes.contains(&s.to_string()))
            {
                Fate::Answered(Err(unknown_scheme()))
            } else {
                first_with_key.insert(&request.key_hash, i);
                Fate::New
            };
            fates.push(fate);
        }
        let fresh: Vec<usize> = (fates.iter().enumerate())
            .filter(|(_, f)| matches!(f, Fate::New))
            .map(|(i, _)| i)
            .collect();
        let rows: Vec<NewCaseRow> = fresh
            .iter()
            .map(|&i| NewCaseRow {
                new: items[i].0,
                source: "self_registration",
                access_code_hash: Some(&items[i].1.access_code_hash),
            })
            .collect();
        let written = self.insert_cases(op, &rows).await?;
        let now = codec::time(self.now());
        let mut registered: HashMap<usize, Registered> = HashMap::new();
        self.insert_rows(
            "registration_requests",
            &[
                "operation_id",
                "request_key",
                "body_hash",
                "case_id",
                "access_code",
                "created_at",
            ],
            &fresh,
            |r, n, &i| {
                let request = items[i].1;
                r.bind(op.id.as_str())
                    .bind(request.key_hash.as_str())
                    .bind(request.body_hash.as_str())
                    .bind(written[n].0.to_string())
                    .bind(key.seal_text(&op.id, &request.access_code))
                    .bind(now.clone());
            },
        )
        .await?;
        for (&i, (case_id, reference)) in fresh.iter().zip(written) {
            registered.insert(
                i,
                Registered {
                    case_id,
                    reference,
                    access_code: items[i].1.access_code.clone(),
                    replayed: false,
                },
            );
        }
        Ok(fates
            .into_iter()
            .enumerate()
            .map(|(i, fate)| match fate {
                Fate::Answered(answer) => answer,
                Fate::New => Ok(registered[&i].clone()),
                Fate::SameAs(first) => Ok(Registered {
                    replayed: true,
                    ..registered[&first].clone()
                }),
            })
            .collect())
    }

    /// Registrations already accepted under the items' request keys.
    async fn earlier_requests(
        &mut self,
        op: &Operation,
        items: &[(&NewCase, &RegistrationRequest)],
    ) -> Result<HashMap<String, Earlier>, StoreError> {
        let mut found = HashMap::new();
        for chunk in shaped_chunks(items, 256) {
            let sql = format!(
                "SELECT r.request_key, r.body_hash, r.case_id, r.access_code, c.reference FROM registration_requests r \
                 JOIN cases c ON c.id = r.case_id WHERE r.operation_id = $1 AND r.request_key IN ({})",
                parameter_list(2, chunk.len())
            );
            let mut q = sqlx::query(&sql).bind(op.id.as_str());
            for (_, request) in chunk {
                q = q.bind(request.key_hash.clone());
            }
            for row in q.fetch_all(self.conn()).await? {
                found.insert(
                    row.try_get("request_key")?,
                    Earlier {
                        body_hash: row.try_get("body_hash")?,
                        case_id: codec::get_parsed(&row, "case_id", "case id")?,
                        reference: row.try_get("reference")?,
                        sealed_code: row.try_get("access_code")?,
                    },
                );
            }
        }
        Ok(found)
    }
}
