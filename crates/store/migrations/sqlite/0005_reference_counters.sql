-- Case references (AF-000042) are unique across the database, and several
-- operations may leave one country: the number after the country code comes
-- from one counter per code, shared by those operations.
CREATE TABLE reference_counters (
    prefix TEXT PRIMARY KEY,
    last   INTEGER NOT NULL
);
INSERT INTO reference_counters (prefix, last)
SELECT substr(reference, 1, 2), MAX(CAST(substr(reference, 4) AS INTEGER))
FROM cases GROUP BY substr(reference, 1, 2);
