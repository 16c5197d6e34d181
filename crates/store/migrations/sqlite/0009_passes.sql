-- Passes: each operation's Ed25519 signing keys (the private key sealed under
-- the master key, NULL once burned; public keys stay published until the
-- passes they signed expire), the passes issued at call-forward, and the
-- scans that gates send back when they sync.

CREATE TABLE signing_keys (
    kid          TEXT PRIMARY KEY,
    operation_id TEXT NOT NULL REFERENCES operations(id),
    -- base64url of the 32-byte public key, as in the JWK's `x`.
    public_key   TEXT NOT NULL,
    -- The 32-byte secret sealed by the master key; NULL after the burn.
    sealed_key   BLOB,
    created_at   TEXT NOT NULL,
    -- Set when a newer key took over signing.
    retired_at   TEXT
);
CREATE INDEX signing_keys_operation ON signing_keys (operation_id, created_at);

CREATE TABLE passes (
    id              TEXT PRIMARY KEY,
    operation_id    TEXT NOT NULL REFERENCES operations(id),
    case_id         TEXT NOT NULL REFERENCES cases(id),
    movement_id     TEXT NOT NULL REFERENCES movements(id),
    kid             TEXT NOT NULL REFERENCES signing_keys(kid),
    -- The short code, ABCD-EFGH.
    code            TEXT NOT NULL,
    -- The pass page's link (`/pass/KEY`): random, so that ids seen in the
    -- audit trail or on a revocation list do not open anyone's pass.
    page_key        TEXT NOT NULL UNIQUE,
    -- The signed token: ids and times only, no personal data.
    token           TEXT NOT NULL,
    household_size  INTEGER NOT NULL,
    processing_slot TEXT NOT NULL,
    not_before      TEXT NOT NULL,
    expires_at      TEXT NOT NULL,
    issued_at       TEXT NOT NULL,
    revoked_at      TEXT,
    revoked_reason  TEXT,
    UNIQUE (operation_id, code)
);
CREATE INDEX passes_case ON passes (case_id);
CREATE INDEX passes_revoked ON passes (operation_id, revoked_at);

CREATE TABLE gate_scans (
    -- Made by the device: the same scan sent twice is stored once.
    id           TEXT PRIMARY KEY,
    operation_id TEXT NOT NULL REFERENCES operations(id),
    -- As the device read it; not a foreign key, since a forged pass names
    -- a pass that does not exist.
    pass_id      TEXT,
    -- check_in or boarding
    kind         TEXT NOT NULL,
    -- What the device showed: valid, forged, revoked, expired, wrong_movement, already_used.
    verdict      TEXT NOT NULL,
    device_id    TEXT NOT NULL,
    gate         TEXT NOT NULL,
    scanned_at   TEXT NOT NULL,
    received_at  TEXT NOT NULL,
    received_by  TEXT,
    -- 1 when this scan moved the case (checked in, departed).
    applied      INTEGER NOT NULL
);
CREATE INDEX gate_scans_pass ON gate_scans (pass_id, kind);
