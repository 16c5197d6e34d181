//! The audit chain. Every write appends an event whose hash covers the event
//! and the hash before it, so that editing or deleting any past event breaks
//! every hash after it. Events say who did what to which record and when; they
//! never hold personal data, so they survive the burn and can be shown to auditors.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::UserId;

/// The hash before the first event.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Who acted. Usernames are left out on purpose: an id is enough to trace and
/// a username may be a person's name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Actor {
    User(UserId),
    /// A person registering themself, without an account.
    Applicant,
    /// The command line on the server (`muster user add`, `muster demo`).
    Console,
    /// Muster itself (migrations, scheduled work).
    System,
}

impl Actor {
    pub fn as_text(&self) -> String {
        match self {
            Actor::User(id) => format!("user:{id}"),
            Actor::Applicant => "applicant".into(),
            Actor::Console => "console".into(),
            Actor::System => "system".into(),
        }
    }

    pub fn user_id(&self) -> Option<UserId> {
        match self {
            Actor::User(id) => Some(*id),
            _ => None,
        }
    }
}

/// What a write records: the verb, the record, and a detail made only of
/// codes and ids (`status registered->under_review`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    pub action: &'static str,
    pub target_kind: &'static str,
    pub target_id: String,
    pub detail: String,
}

impl AuditEntry {
    pub fn new(action: &'static str, target_kind: &'static str, target_id: impl ToString) -> Self {
        Self {
            action,
            target_kind,
            target_id: target_id.to_string(),
            detail: String::new(),
        }
    }

    pub fn detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = detail.into();
        self
    }
}

/// A stored event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditEvent {
    pub seq: i64,
    pub at: DateTime<Utc>,
    pub actor: String,
    pub action: String,
    pub target_kind: String,
    pub target_id: String,
    pub detail: String,
    pub prev_hash: String,
    pub hash: String,
}

/// The hashed fields, in a fixed order.
#[derive(Serialize)]
struct Hashed<'a> {
    seq: i64,
    at: &'a str,
    actor: &'a str,
    action: &'a str,
    target_kind: &'a str,
    target_id: &'a str,
    detail: &'a str,
    prev_hash: &'a str,
}

/// Timestamps are hashed in one canonical text form, to the microsecond, so
/// that a backend's own time type cannot change the hash.
pub fn canonical_time(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
}

impl AuditEvent {
    /// Builds the event that follows `prev_hash` at position `seq`.
    pub fn chain(
        seq: i64,
        at: DateTime<Utc>,
        actor: &Actor,
        entry: &AuditEntry,
        prev_hash: &str,
    ) -> Self {
        let mut event = AuditEvent {
            seq,
            at,
            actor: actor.as_text(),
            action: entry.action.to_owned(),
            target_kind: entry.target_kind.to_owned(),
            target_id: entry.target_id.clone(),
            detail: entry.detail.clone(),
            prev_hash: prev_hash.to_owned(),
            hash: String::new(),
        };
        event.hash = event.compute_hash();
        event
    }

    pub fn compute_hash(&self) -> String {
        let at = canonical_time(self.at);
        let hashed = Hashed {
            seq: self.seq,
            at: &at,
            actor: &self.actor,
            action: &self.action,
            target_kind: &self.target_kind,
            target_id: &self.target_id,
            detail: &self.detail,
            prev_hash: &self.prev_hash,
        };
        let bytes = serde_json::to_vec(&hashed).expect("serialising plain strings cannot fail");
        hex::encode(Sha256::digest(bytes))
    }
}

/// How the chain is broken, at the first event where it is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChainError {
    #[error(
        "audit event {seq}: expected sequence number {expected} (an event is missing or out of order)"
    )]
    Gap { seq: i64, expected: i64 },
    #[error("audit event {seq}: its previous-hash does not match the event before it")]
    Link { seq: i64 },
    #[error("audit event {seq}: its contents do not match its hash (the event was altered)")]
    Hash { seq: i64 },
    #[error(
        "audit chain head says {head_seq} events but {found} were found (events were removed at the end)"
    )]
    Head { head_seq: i64, found: i64 },
}

/// Checks events one by one, in order, without holding the whole chain.
#[derive(Debug)]
pub struct ChainVerifier {
    expected_seq: i64,
    prev_hash: String,
}

impl Default for ChainVerifier {
    fn default() -> Self {
        Self {
            expected_seq: 1,
            prev_hash: GENESIS.to_owned(),
        }
    }
}

impl ChainVerifier {
    pub fn check(&mut self, event: &AuditEvent) -> Result<(), ChainError> {
        if event.seq != self.expected_seq {
            return Err(ChainError::Gap {
                seq: event.seq,
                expected: self.expected_seq,
            });
        }
        if event.prev_hash != self.prev_hash {
            return Err(ChainError::Link { seq: event.seq });
        }
        if event.compute_hash() != event.hash {
            return Err(ChainError::Hash { seq: event.seq });
        }
        self.expected_seq += 1;
        self.prev_hash.clone_from(&event.hash);
        Ok(())
    }

    /// Compares the end of the chain with the recorded head, which catches
    /// events cut off the end.
    pub fn finish(self, head_seq: i64, head_hash: &str) -> Result<i64, ChainError> {
        let found = self.expected_seq - 1;
        if found != head_seq || self.prev_hash != head_hash {
            return Err(ChainError::Head { head_seq, found });
        }
        Ok(found)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(n: i64) -> Vec<AuditEvent> {
        let mut prev = GENESIS.to_owned();
        (1..=n)
            .map(|seq| {
                let entry = AuditEntry::new("case.create", "case", seq).detail("status registered");
                let e = AuditEvent::chain(seq, Utc::now(), &Actor::Console, &entry, &prev);
                prev.clone_from(&e.hash);
                e
            })
            .collect()
    }

    fn verify(events: &[AuditEvent]) -> Result<i64, ChainError> {
        let mut v = ChainVerifier::default();
        for e in events {
            v.check(e)?;
        }
        let last = events
            .last()
            .map(|e| (e.seq, e.hash.clone()))
            .unwrap_or((0, GENESIS.to_owned()));
        v.finish(last.0, &last.1)
    }

    #[test]
    fn an_intact_chain_verifies() {
        assert_eq!(verify(&chain(5)), Ok(5));
        assert_eq!(verify(&[]), Ok(0));
    }

    #[test]
    fn an_edited_event_is_named() {
        let mut events = chain(5);
        events[2].target_id = "999".into();
        assert_eq!(verify(&events), Err(ChainError::Hash { seq: 3 }));
    }

    #[test]
    fn a_recomputed_edit_breaks_the_next_link() {
        let mut events = chain(5);
        events[2].detail = "status departed".into();
        events[2].hash = events[2].compute_hash();
        assert_eq!(verify(&events), Err(ChainError::Link { seq: 4 }));
    }

    #[test]
    fn a_removed_event_is_a_gap() {
        let mut events = chain(5);
        events.remove(1);
        assert_eq!(
            verify(&events),
            Err(ChainError::Gap {
                seq: 3,
                expected: 2
            })
        );
    }

    #[test]
    fn a_cut_tail_is_caught_by_the_head() {
        let events = chain(5);
        let mut v = ChainVerifier::default();
        for e in &events[..4] {
            v.check(e).unwrap();
        }
        assert_eq!(
            v.finish(5, &events[4].hash),
            Err(ChainError::Head {
                head_seq: 5,
                found: 4
            })
        );
    }
}
