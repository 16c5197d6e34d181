-- The recent name words in parts by their first hex digit (`name_index::part_of`).
-- A part covers one stretch of name_tokens' keys, so merging one part rewrites
-- only that stretch of its pages: the writer is held for an eighth of the
-- merge, eight times a second, where a merge of all the words held it for the
-- whole of it once a second (the registrations waiting behind it made their p99).
--
-- Keyed by part and case: a part's words lie together (the merge reads and
-- deletes one range), a case's words lie together within each part (the search
-- asks a case whether it has a word), and case ids grow with time, so new words
-- are appended at the end of each part rather than scattered.
INSERT INTO name_tokens (operation_id, token, case_id)
    SELECT operation_id, token, case_id FROM name_tokens_recent WHERE true
    ON CONFLICT DO NOTHING; -- (the WHERE lets SQLite read ON CONFLICT as the insert's)
DROP TABLE name_tokens_recent;
CREATE TABLE name_tokens_recent (
    part         INTEGER NOT NULL,
    case_id      TEXT NOT NULL,
    token        TEXT NOT NULL,
    operation_id TEXT NOT NULL,
    PRIMARY KEY (part, case_id, token)
) WITHOUT ROWID;
