-- Muster foundation schema (SQLite). Keep in step with ../postgres/0001_foundation.sql:
-- the same tables and columns, each backend's own types.
-- Times are RFC 3339 text in UTC to the microsecond (sortable as text).

CREATE TABLE operations (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    country    TEXT NOT NULL,
    time_zone  TEXT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE posts (
    id           TEXT PRIMARY KEY,
    operation_id TEXT NOT NULL REFERENCES operations(id),
    nation       TEXT NOT NULL,
    name         TEXT NOT NULL,
    kind         TEXT NOT NULL,
    city         TEXT NOT NULL,
    created_at   TEXT NOT NULL
);
CREATE INDEX posts_operation ON posts(operation_id, nation);

CREATE TABLE posture_events (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    post_id      TEXT NOT NULL REFERENCES posts(id),
    posture      TEXT NOT NULL,
    effective_at TEXT NOT NULL,
    reason       TEXT NOT NULL,
    source       TEXT NOT NULL,
    recorded_at  TEXT NOT NULL,
    recorded_by  TEXT
);
CREATE INDEX posture_events_post ON posture_events(post_id, effective_at);

CREATE TABLE schemes (
    id               TEXT PRIMARY KEY,
    operation_id     TEXT NOT NULL REFERENCES operations(id),
    code             TEXT NOT NULL,
    name             TEXT NOT NULL,
    nation           TEXT NOT NULL,
    description      TEXT NOT NULL,
    quota_principals INTEGER,
    quota_persons    INTEGER,
    UNIQUE (operation_id, code)
);

CREATE TABLE movements (
    id              TEXT PRIMARY KEY,
    operation_id    TEXT NOT NULL REFERENCES operations(id),
    kind            TEXT NOT NULL,
    designator      TEXT NOT NULL,
    nation          TEXT NOT NULL,
    origin          TEXT NOT NULL,
    destination     TEXT NOT NULL,
    departs_at      TEXT NOT NULL,
    seats           INTEGER NOT NULL,
    status          TEXT NOT NULL,
    accepts_schemes TEXT NOT NULL,
    shared_with     TEXT NOT NULL
);
CREATE INDEX movements_operation ON movements(operation_id, departs_at);

CREATE TABLE cases (
    id             TEXT PRIMARY KEY,
    operation_id   TEXT NOT NULL REFERENCES operations(id),
    number         INTEGER NOT NULL,
    reference      TEXT NOT NULL UNIQUE,
    status         TEXT NOT NULL,
    scheme_id      TEXT REFERENCES schemes(id),
    tier           INTEGER,
    special_needs  TEXT,
    source         TEXT NOT NULL,
    household_size INTEGER NOT NULL,
    version        INTEGER NOT NULL,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL
);
CREATE UNIQUE INDEX cases_number ON cases(operation_id, number);
CREATE INDEX cases_list ON cases(operation_id, updated_at);
CREATE INDEX cases_status ON cases(operation_id, status, updated_at);
CREATE INDEX cases_scheme ON cases(operation_id, scheme_id, updated_at);

-- `details` holds every personal field of one person as one record, so that
-- encryption at rest seals it whole.
CREATE TABLE persons (
    id           TEXT PRIMARY KEY,
    case_id      TEXT NOT NULL REFERENCES cases(id),
    operation_id TEXT NOT NULL REFERENCES operations(id),
    position     INTEGER NOT NULL,
    relationship TEXT NOT NULL,
    details      BLOB NOT NULL
);
CREATE INDEX persons_case ON persons(case_id, position);

-- Name words for the case list search; replaced by keyed blind indexes with
-- encryption at rest.
CREATE TABLE name_tokens (
    operation_id TEXT NOT NULL,
    token        TEXT NOT NULL,
    case_id      TEXT NOT NULL REFERENCES cases(id),
    PRIMARY KEY (operation_id, token, case_id)
);
CREATE INDEX name_tokens_case ON name_tokens(case_id);

CREATE TABLE case_events (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id     TEXT NOT NULL REFERENCES cases(id),
    at          TEXT NOT NULL,
    actor       TEXT,
    from_status TEXT,
    to_status   TEXT NOT NULL,
    reason      TEXT NOT NULL
);
CREATE INDEX case_events_case ON case_events(case_id, id);

CREATE TABLE users (
    id            TEXT PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE,
    role          TEXT NOT NULL,
    operation_id  TEXT REFERENCES operations(id),
    nation        TEXT,
    password_hash TEXT NOT NULL,
    created_at    TEXT NOT NULL
);

CREATE TABLE sessions (
    token_hash   TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users(id),
    csrf_token   TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    expires_at   TEXT NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE audit_events (
    seq         INTEGER PRIMARY KEY,
    at          TEXT NOT NULL,
    actor       TEXT NOT NULL,
    action      TEXT NOT NULL,
    target_kind TEXT NOT NULL,
    target_id   TEXT NOT NULL,
    detail      TEXT NOT NULL,
    prev_hash   TEXT NOT NULL,
    hash        TEXT NOT NULL
);

-- One row: the chain's last sequence number and hash. Every write transaction
-- updates it first, which serialises writers on both backends.
CREATE TABLE audit_head (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    seq  INTEGER NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
