-- Name words of cases written in the last moment, not yet merged into
-- name_tokens. Every new word of name_tokens lands at a random place in its
-- index, and in a surge each group commit would rewrite a page per word;
-- appended here instead, they are merged about once a second in one sorted
-- pass (`Store::merge_recent_name_words`). The case search reads both.
CREATE TABLE name_tokens_recent (
    seq          BIGSERIAL PRIMARY KEY,
    operation_id TEXT NOT NULL,
    token        TEXT NOT NULL,
    case_id      TEXT NOT NULL
);

-- A case's recent words, for corrections and for the search asking a case
-- whether it has a word (case ids grow with time: appended, not scattered).
CREATE INDEX name_tokens_recent_case ON name_tokens_recent(case_id);
