-- Codes sent by SMS to sign in or to set a new password (issue 17 item 10). A code is kept only
-- as a hash; the ticket (a random id shown to the browser instead of the phone number) finds
-- it. Each is single-use (`used_at`), expires (`expires_at`) and allows a few wrong tries.
-- `user_id` is NULL when no single account has the phone: the answer looks the same, and
-- nothing is sent.
CREATE TABLE sign_in_codes (
    ticket     TEXT PRIMARY KEY,
    user_id    BIGINT REFERENCES users(id),
    phone      TEXT NOT NULL,
    purpose    TEXT NOT NULL,
    code_hash  TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at    BIGINT,
    attempts   BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX sign_in_codes_phone ON sign_in_codes (phone, created_at);

-- What people search for on the public site, counted per query per ISO week (e.g. 2026-W49),
-- for the home page's hot searches. Only queries that found an item are counted.
CREATE TABLE search_counts (
    week  TEXT NOT NULL,
    query TEXT NOT NULL,
    n     BIGINT NOT NULL,
    PRIMARY KEY (week, query)
);
