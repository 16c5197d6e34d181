-- Intake: the household's language for messages, the follow-up flag set by an
-- import that refused some of a household's rows, and self-registration.
ALTER TABLE cases ADD COLUMN language TEXT;
ALTER TABLE cases ADD COLUMN follow_up TEXT;
-- SHA-256 of the access code a registrant uses to come back.
ALTER TABLE cases ADD COLUMN access_code_hash TEXT;

-- One row per accepted self-registration, keyed by the client's
-- Idempotency-Key (or the request body when none was sent), so that a resend
-- answers with the first answer instead of creating a second case.
CREATE TABLE registration_requests (
    operation_id TEXT NOT NULL REFERENCES operations(id),
    request_key  TEXT NOT NULL,
    body_hash    TEXT NOT NULL,
    case_id      TEXT NOT NULL REFERENCES cases(id),
    -- Returned again on a resend; sealed with the personal fields once
    -- encryption at rest lands.
    access_code  TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    PRIMARY KEY (operation_id, request_key)
);
