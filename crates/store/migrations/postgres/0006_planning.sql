-- Eligibility and planning: schemes' rules as data, officers' tier overrides,
-- assembly points with their hourly throughput, proposed and approved plans,
-- and each case's place in the approved plan.

-- JSON of the scheme's rules (eligibility, family, priority); NULL until HQ
-- writes them.
ALTER TABLE schemes ADD COLUMN rules TEXT;
-- Nations whose movements take the scheme's households, beside the movements
-- that name the scheme.
ALTER TABLE schemes ADD COLUMN movement_nations TEXT NOT NULL DEFAULT '[]';

-- 1 when an officer set the tier by hand; the rules then leave it alone.
ALTER TABLE cases ADD COLUMN tier_overridden BIGINT NOT NULL DEFAULT 0;
-- The approved plan's movement and processing hour (the call-forward time).
ALTER TABLE cases ADD COLUMN movement_id TEXT REFERENCES movements(id);
ALTER TABLE cases ADD COLUMN processing_slot TEXT;
CREATE INDEX cases_movement ON cases (movement_id);
CREATE INDEX cases_scheme_status ON cases (scheme_id, status);

CREATE TABLE assembly_points (
    id               TEXT PRIMARY KEY,
    operation_id     TEXT NOT NULL REFERENCES operations(id),
    name             TEXT NOT NULL,
    persons_per_hour BIGINT NOT NULL,
    -- JSON list of the provinces whose households it processes; the first
    -- point by name takes everyone else.
    provinces        TEXT NOT NULL,
    UNIQUE (operation_id, name)
);

CREATE TABLE plans (
    id               TEXT PRIMARY KEY,
    operation_id     TEXT NOT NULL REFERENCES operations(id),
    -- proposed, approved, superseded
    status           TEXT NOT NULL,
    -- JSON of the settings it was made with (lead window, released cases).
    settings         TEXT NOT NULL,
    objective        BIGINT NOT NULL,
    greedy_objective BIGINT NOT NULL,
    created_at       TEXT NOT NULL,
    created_by       TEXT,
    decided_at       TEXT,
    decided_by       TEXT
);
CREATE INDEX plans_operation ON plans (operation_id, created_at);

CREATE TABLE plan_assignments (
    plan_id     TEXT NOT NULL REFERENCES plans(id),
    case_id     TEXT NOT NULL REFERENCES cases(id),
    movement_id TEXT NOT NULL REFERENCES movements(id),
    slot        TEXT NOT NULL,
    persons     BIGINT NOT NULL,
    seats       BIGINT NOT NULL,
    -- 1 for a household already called forward and kept where it was.
    pinned      BIGINT NOT NULL,
    PRIMARY KEY (plan_id, case_id)
);
