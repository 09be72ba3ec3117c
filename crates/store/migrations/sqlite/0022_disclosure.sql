-- Government-information disclosure requests (依申请公开). `disclosure_events` is the log:
-- every change to a request, in order, each chained into the audit log through `audit_seq`.
-- `disclosure_requests` (with its state document) is the projection written in the same
-- transaction; `due_date` is the reply due date as of the last write (the workbench's order).

CREATE TABLE disclosure_requests (
    id                 INTEGER PRIMARY KEY,
    number             TEXT NOT NULL UNIQUE,
    department_id      BIGINT NOT NULL REFERENCES departments(id),
    region             TEXT NOT NULL,
    applicant_kind     TEXT NOT NULL,
    applicant_name     TEXT NOT NULL,
    applicant_id_code  TEXT NOT NULL,
    applicant_user_id  BIGINT,
    channel            TEXT NOT NULL,
    status             TEXT NOT NULL,
    filed_at           BIGINT NOT NULL,
    received_at        BIGINT,
    due_date           TEXT,
    reply_kind         TEXT,
    replied_at         BIGINT,
    closed_at          BIGINT,
    state              TEXT NOT NULL,
    version            BIGINT NOT NULL,
    updated_at         BIGINT NOT NULL
);
CREATE INDEX disclosure_requests_queue ON disclosure_requests (department_id, status, due_date);
CREATE INDEX disclosure_requests_applicant ON disclosure_requests (applicant_id_code, received_at);
CREATE INDEX disclosure_requests_user ON disclosure_requests (applicant_user_id, filed_at);

CREATE TABLE disclosure_events (
    request_id  BIGINT NOT NULL REFERENCES disclosure_requests(id),
    seq         BIGINT NOT NULL,
    kind        TEXT NOT NULL,
    payload     TEXT NOT NULL,
    actor_id    BIGINT,
    actor_name  TEXT NOT NULL,
    at          BIGINT NOT NULL,
    audit_seq   BIGINT NOT NULL,
    PRIMARY KEY (request_id, seq)
);

CREATE TABLE disclosure_numbers (
    region TEXT NOT NULL,
    day    TEXT NOT NULL,
    last   BIGINT NOT NULL,
    PRIMARY KEY (region, day)
);
