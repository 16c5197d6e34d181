-- The pairs' unique key with the newer person first. Person ids grow with
-- time and a pair's person_b is its newer one, so in a surge each new pair
-- lands at the end of this index instead of at a random page of it (person_a
-- is anyone already in the registry): at 1,000,000 persons the matcher
-- writes over 2,000 pairs a second. SQLite cannot change a table's
-- constraint in place, so the table is written again.
CREATE TABLE duplicate_pairs_newest_first (
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
    UNIQUE (operation_id, person_b, person_a)
);
INSERT INTO duplicate_pairs_newest_first
    (id, operation_id, person_a, person_b, probability, reasons, status, found_at, decided_at, decided_by)
    SELECT id, operation_id, person_a, person_b, probability, reasons, status, found_at, decided_at, decided_by
    FROM duplicate_pairs ORDER BY rowid;
DROP TABLE duplicate_pairs;
ALTER TABLE duplicate_pairs_newest_first RENAME TO duplicate_pairs;
CREATE INDEX duplicate_pairs_queue ON duplicate_pairs (operation_id, status, probability);
