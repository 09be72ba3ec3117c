-- 绩效考评 by an item's type and by what is still open: each item version carries its
-- handling kind (即办件 or 承诺件) beside its document, so 即办件占比 counts cases by the
-- version they were filed under; and open cases are found by their due time, so 超时件数
-- counts the cases still open past their deadline at a period's end.
ALTER TABLE item_versions ADD COLUMN handling TEXT NOT NULL DEFAULT 'committed';
UPDATE item_versions SET handling = COALESCE(json_extract(document, '$.handling'), 'committed');
CREATE INDEX cases_due ON cases (due_at) WHERE due_at IS NOT NULL;
CREATE INDEX disclosure_replied ON disclosure_requests (replied_at) WHERE replied_at IS NOT NULL;

-- 社会评议: a round of key posts (posts as JSON: department and post name), its one-time
-- invitation links (stored by the hash of their token, used once), and the answers, one row
-- per post and topic of each invitation.
CREATE TABLE survey_rounds (
    id           INTEGER PRIMARY KEY,
    name         TEXT NOT NULL,
    year         BIGINT NOT NULL,
    region       TEXT NOT NULL,
    status       TEXT NOT NULL,
    posts        TEXT NOT NULL,
    created_by   BIGINT NOT NULL,
    created_at   BIGINT NOT NULL,
    published_at BIGINT
);
CREATE TABLE survey_invitations (
    id             INTEGER PRIMARY KEY,
    round_id       BIGINT NOT NULL REFERENCES survey_rounds(id),
    token_hash     TEXT NOT NULL UNIQUE,
    representative TEXT NOT NULL,
    rep_kind       TEXT NOT NULL,
    used_at        BIGINT
);
CREATE TABLE survey_answers (
    invitation_id BIGINT NOT NULL REFERENCES survey_invitations(id),
    round_id      BIGINT NOT NULL REFERENCES survey_rounds(id),
    post          BIGINT NOT NULL,
    department_id BIGINT NOT NULL,
    topic         TEXT NOT NULL,
    choice        TEXT NOT NULL,
    points        BIGINT NOT NULL,
    PRIMARY KEY (invitation_id, post, topic)
);
CREATE INDEX survey_answers_round ON survey_answers (round_id, department_id);
