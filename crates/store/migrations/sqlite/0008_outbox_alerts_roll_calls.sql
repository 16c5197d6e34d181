-- The outbox, alerts to registrants and roll calls. Keep in step with
-- ../postgres/0008_outbox_alerts_roll_calls.sql.

-- Messages waiting to go out, written in the same transaction as what caused
-- them. `sealed` holds the addressee, subject and text under the operation's
-- data key; `addressee_index` is the addressee's blind index (for matching an
-- SMS reply to what was sent), cleared by the burn. A worker claims a row with
-- a lease (`status = 'sending'`, `lease_until`) before it sends.
CREATE TABLE outbox (
    id              TEXT PRIMARY KEY,
    operation_id    TEXT NOT NULL REFERENCES operations(id),
    channel         TEXT NOT NULL,
    -- The person written to (an id), for replies and roll-call answers by SMS.
    person_id       TEXT,
    sealed          BLOB NOT NULL,
    addressee_index TEXT,
    language        TEXT NOT NULL,
    source_kind     TEXT NOT NULL,
    source_id       TEXT NOT NULL,
    status          TEXT NOT NULL,
    attempts        INTEGER NOT NULL,
    next_attempt_at TEXT NOT NULL,
    lease_owner     TEXT,
    lease_until     TEXT,
    last_error      TEXT,
    created_at      TEXT NOT NULL,
    finished_at     TEXT
);
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);
CREATE INDEX outbox_source ON outbox (source_kind, source_id, status);
CREATE INDEX outbox_addressee ON outbox (operation_id, addressee_index, created_at);

-- Every attempt at a message: when, by which worker, and how it ended (an
-- error class, never an address or a server's answer text).
CREATE TABLE outbox_attempts (
    message_id  TEXT NOT NULL REFERENCES outbox(id),
    attempt     INTEGER NOT NULL,
    worker      TEXT NOT NULL,
    started_at  TEXT NOT NULL,
    finished_at TEXT,
    outcome     TEXT NOT NULL,
    error_class TEXT,
    PRIMARY KEY (message_id, attempt)
);

CREATE TABLE alerts (
    id           TEXT PRIMARY KEY,
    operation_id TEXT NOT NULL REFERENCES operations(id),
    kind         TEXT NOT NULL,
    -- HQ's texts by language and the target, as JSON; written for the public.
    texts        TEXT NOT NULL,
    target       TEXT NOT NULL,
    status       TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    created_by   TEXT,
    sent_at      TEXT
);
CREATE INDEX alerts_operation ON alerts (operation_id, created_at);

-- Replies to messages (inbound SMS), counted per alert or roll call; the text
-- is sealed.
CREATE TABLE message_replies (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    operation_id TEXT NOT NULL REFERENCES operations(id),
    message_id   TEXT NOT NULL REFERENCES outbox(id),
    source_kind  TEXT NOT NULL,
    source_id    TEXT NOT NULL,
    at           TEXT NOT NULL,
    sealed_text  BLOB NOT NULL
);
CREATE INDEX message_replies_source ON message_replies (source_kind, source_id);

CREATE TABLE roll_calls (
    id           TEXT PRIMARY KEY,
    operation_id TEXT NOT NULL REFERENCES operations(id),
    scope_kind   TEXT NOT NULL,
    scope_ref    TEXT NOT NULL,
    status       TEXT NOT NULL,
    started_at   TEXT NOT NULL,
    started_by   TEXT,
    closed_at    TEXT
);
CREATE INDEX roll_calls_operation ON roll_calls (operation_id, started_at);

-- The people asked, each with the SHA-256 of their link's token (the token
-- itself is only in the sealed message) and their latest answer.
CREATE TABLE roll_call_people (
    roll_call_id TEXT NOT NULL REFERENCES roll_calls(id),
    person_id    TEXT NOT NULL,
    case_id      TEXT NOT NULL REFERENCES cases(id),
    token_hash   TEXT NOT NULL UNIQUE,
    language     TEXT,
    answer       TEXT,
    answered_at  TEXT,
    PRIMARY KEY (roll_call_id, person_id)
);

-- Every answer ever given; the location text is sealed.
CREATE TABLE roll_call_answers (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    roll_call_id TEXT NOT NULL REFERENCES roll_calls(id),
    person_id    TEXT NOT NULL,
    answer       TEXT NOT NULL,
    location     BLOB,
    via          TEXT NOT NULL,
    at           TEXT NOT NULL
);
CREATE INDEX roll_call_answers_person ON roll_call_answers (roll_call_id, person_id, id);
