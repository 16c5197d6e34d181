-- Exports and the dashboard.
--
-- The province a case is counted under: its principal's, as an ISO 3166-2
-- code ('' when none is recognised, NULL until worked out for cases made
-- before this column). Figures by province and the case list filtered by
-- province then need no sealed record opened. A province alone names nobody.
ALTER TABLE cases ADD COLUMN province TEXT;
CREATE INDEX cases_province ON cases(operation_id, province);

-- PFIF person records imported into a case: the record's own id (kept, and
-- exported again) and its source's name in clear; the whole record as it
-- came (author, source URL, dates, home address...) sealed like persons.details.
CREATE TABLE pfif_persons (
    operation_id     TEXT NOT NULL REFERENCES operations(id),
    person_record_id TEXT NOT NULL,
    person_id        TEXT NOT NULL,
    case_id          TEXT NOT NULL REFERENCES cases(id),
    source_name      TEXT,
    record           BYTEA NOT NULL,
    entry_date       TEXT NOT NULL,
    PRIMARY KEY (operation_id, person_record_id)
);
CREATE INDEX pfif_persons_case ON pfif_persons(case_id);

-- PFIF notes about those persons: ids in clear, the note sealed (its text,
-- author and status are personal).
CREATE TABLE pfif_notes (
    operation_id     TEXT NOT NULL REFERENCES operations(id),
    note_record_id   TEXT NOT NULL,
    person_record_id TEXT NOT NULL,
    case_id          TEXT NOT NULL REFERENCES cases(id),
    record           BYTEA NOT NULL,
    entry_date       TEXT NOT NULL,
    PRIMARY KEY (operation_id, note_record_id)
);
CREATE INDEX pfif_notes_person ON pfif_notes(operation_id, person_record_id);
