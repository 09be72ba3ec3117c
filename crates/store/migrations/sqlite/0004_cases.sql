-- Cases (办件). `case_events` is the log: every change to a case, in order, each chained into
-- the audit log through `audit_seq`. `cases` (with its state document), `case_steps`,
-- `case_documents` and `negative_filings` are projections written in the same transaction.

CREATE TABLE cases (
    id                 INTEGER PRIMARY KEY,
    number             TEXT NOT NULL UNIQUE,
    item_id            BIGINT NOT NULL REFERENCES items(id),
    item_version       BIGINT NOT NULL,
    basic_code         TEXT NOT NULL,
    item_name          TEXT NOT NULL,
    department_id      BIGINT NOT NULL REFERENCES departments(id),
    region             TEXT NOT NULL,
    applicant_user_id  BIGINT,
    applicant_name     TEXT NOT NULL,
    applicant_id_code  TEXT NOT NULL,
    phone_tail         TEXT NOT NULL,
    id_tail            TEXT NOT NULL,
    agent_id           BIGINT,
    intake_hall_id     BIGINT,
    pickup_hall_id     BIGINT,
    channel            TEXT NOT NULL,
    status             TEXT NOT NULL,
    first_responder_id BIGINT,
    awaiting_head      BIGINT NOT NULL DEFAULT 0,
    received_at        BIGINT NOT NULL,
    accepted_at        BIGINT,
    decided_at         BIGINT,
    closed_at          BIGINT,
    due_at             BIGINT,
    next_timer_at      BIGINT,
    state              TEXT NOT NULL,
    version            BIGINT NOT NULL,
    updated_at         BIGINT NOT NULL
);
CREATE INDEX cases_timer ON cases (next_timer_at) WHERE next_timer_at IS NOT NULL;
CREATE INDEX cases_applicant ON cases (applicant_user_id, received_at);
CREATE INDEX cases_agent ON cases (agent_id, received_at) WHERE agent_id IS NOT NULL;
CREATE INDEX cases_department ON cases (department_id, status, received_at);
CREATE INDEX cases_head ON cases (department_id) WHERE awaiting_head = 1;
CREATE INDEX cases_same_matter ON cases (applicant_id_code, basic_code);

CREATE TABLE case_events (
    case_id     BIGINT NOT NULL REFERENCES cases(id),
    seq         BIGINT NOT NULL,
    kind        TEXT NOT NULL,
    payload     TEXT NOT NULL,
    actor_id    BIGINT,
    actor_name  TEXT NOT NULL,
    role        TEXT NOT NULL,
    post        TEXT,
    hall_id     BIGINT,
    at          BIGINT NOT NULL,
    recorded_at BIGINT NOT NULL,
    audit_seq   BIGINT NOT NULL,
    PRIMARY KEY (case_id, seq)
);

-- The open steps: "my steps" and "due soon" read only these rows.
CREATE TABLE case_steps (
    case_id       BIGINT NOT NULL REFERENCES cases(id),
    step          TEXT NOT NULL,
    name          TEXT NOT NULL,
    department_id BIGINT NOT NULL,
    post          TEXT NOT NULL,
    assignee_id   BIGINT,
    opened_at     BIGINT NOT NULL,
    due_at        BIGINT,
    PRIMARY KEY (case_id, step)
);
CREATE INDEX case_steps_assignee ON case_steps (assignee_id, due_at);
CREATE INDEX case_steps_department ON case_steps (department_id, due_at);

CREATE TABLE case_documents (
    number        TEXT PRIMARY KEY,
    case_id       BIGINT NOT NULL REFERENCES cases(id),
    kind          TEXT NOT NULL,
    title         TEXT NOT NULL,
    body          TEXT NOT NULL,
    department_id BIGINT NOT NULL,
    hash          TEXT NOT NULL,
    issued_at     BIGINT NOT NULL
);
CREATE INDEX case_documents_case ON case_documents (case_id);

-- Uploaded materials, by content hash. Never served publicly: only to those who see the case.
CREATE TABLE case_files (
    hash         TEXT PRIMARY KEY,
    content_type TEXT NOT NULL,
    size         BIGINT NOT NULL,
    content      BLOB NOT NULL,
    created_at   BIGINT NOT NULL
);

-- Per region and day, the last case number given out.
CREATE TABLE case_numbers (
    region TEXT NOT NULL,
    day    TEXT NOT NULL,
    last   BIGINT NOT NULL,
    PRIMARY KEY (region, day)
);

-- A retried submission finds its first case here.
CREATE TABLE idempotency_keys (
    actor_id    BIGINT NOT NULL,
    key         TEXT NOT NULL,
    case_number TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    PRIMARY KEY (actor_id, key)
);

-- 否定报备: every refusal and negative decision, with its reason, for supervision.
CREATE TABLE negative_filings (
    id            INTEGER PRIMARY KEY,
    case_id       BIGINT NOT NULL REFERENCES cases(id),
    case_number   TEXT NOT NULL,
    department_id BIGINT NOT NULL,
    region        TEXT NOT NULL,
    what          TEXT NOT NULL,
    reason        TEXT NOT NULL,
    actor_id      BIGINT,
    actor_name    TEXT NOT NULL,
    at            BIGINT NOT NULL
);
CREATE INDEX negative_filings_region ON negative_filings (region, at);

-- Notifications waiting to go out (SMS gateway, e-mail), written with the change they report.
CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    channel         TEXT NOT NULL,
    recipient       TEXT NOT NULL,
    subject         TEXT NOT NULL,
    body            TEXT NOT NULL,
    case_number     TEXT,
    created_at      BIGINT NOT NULL,
    attempts        BIGINT NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    claimed_until   BIGINT,
    sent_at         BIGINT,
    last_error      TEXT
);
CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE sent_at IS NULL;
CREATE INDEX outbox_case ON outbox (case_number);
