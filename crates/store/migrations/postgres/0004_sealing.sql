-- Encryption at rest: each operation's data key, wrapped by the master key
-- (NULL once burned), and what tells a wrong master key at start.
CREATE TABLE operation_keys (
    operation_id TEXT PRIMARY KEY REFERENCES operations(id),
    wrapped_key  BYTEA,
    created_at   TEXT NOT NULL,
    burned_at    TEXT
);

CREATE TABLE keyring (
    id               INTEGER PRIMARY KEY,
    -- HMAC of a fixed text under the master key: equal only for the same key.
    check_value      TEXT,
    -- Salt for a master key derived from a passphrase (not secret).
    passphrase_salt  TEXT NOT NULL
);
