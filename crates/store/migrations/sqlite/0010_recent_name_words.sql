-- Name words of cases written in the last moment, not yet merged into
-- name_tokens. Every new word of name_tokens lands at a random place in its
-- index, and in a surge each group commit would rewrite a page per word;
-- appended here instead, they are merged about once a second in one sorted
-- pass (`Store::merge_recent_name_words`). The case search reads both.
CREATE TABLE name_tokens_recent (
    seq          INTEGER PRIMARY KEY AUTOINCREMENT,
    operation_id TEXT NOT NULL,
    token        TEXT NOT NULL,
    case_id      TEXT NOT NULL
);

-- The index itself as one B-tree keyed by its words (WITHOUT ROWID), and
-- without a foreign key: every word written cost a rowid table, the key's
-- index and a look-up of its case. Its rows are written only with their
-- case and deleted with it (a correction, the burn).
CREATE TABLE name_tokens_by_word (
    operation_id TEXT NOT NULL,
    token        TEXT NOT NULL,
    case_id      TEXT NOT NULL,
    PRIMARY KEY (operation_id, token, case_id)
) WITHOUT ROWID;
INSERT INTO name_tokens_by_word (operation_id, token, case_id)
    SELECT operation_id, token, case_id FROM name_tokens;
DROP TABLE name_tokens;
ALTER TABLE name_tokens_by_word RENAME TO name_tokens;
CREATE INDEX name_tokens_case ON name_tokens(case_id);

-- A case's recent words, for corrections and for the search asking a case
-- whether it has a word (case ids grow with time: appended, not scattered).
CREATE INDEX name_tokens_recent_case ON name_tokens_recent(case_id);
