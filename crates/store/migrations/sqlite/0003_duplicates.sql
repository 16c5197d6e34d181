-- Suspected duplicates found by the matcher, and the officers' decisions on
-- them. A pair is stored once (person_a < person_b); a pair marked distinct
-- stays, so that it is never proposed again.
CREATE TABLE duplicate_pairs (
    id           TEXT PRIMARY KEY,
    operation_id TEXT NOT NULL REFERENCES operations(id),
    person_a     TEXT NOT NULL,
    person_b     TEXT NOT NULL,
    probability  REAL NOT NULL,
    -- Per-field contributions as JSON: field names, levels and weights, no values.
    reasons      TEXT NOT NULL,
    -- open, merged or distinct
    status       TEXT NOT NULL,
    found_at     TEXT NOT NULL,
    decided_at   TEXT,
    decided_by   TEXT,
    UNIQUE (operation_id, person_a, person_b)
);
CREATE INDEX duplicate_pairs_queue ON duplicate_pairs (operation_id, status, probability);
