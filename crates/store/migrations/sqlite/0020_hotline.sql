-- The 12345 hotline (诉求工单). A ticket's truth is its event log (ticket_events); `tickets`
-- is the projection people query, rewritten in the same transaction as every event, with
-- `version` (the number of events) guarding against two writers acting on one state.

-- The subject classification tree (诉求事项分类); routes and answers hang off it.
CREATE TABLE hotline_subjects (
    code   TEXT PRIMARY KEY,
    name   TEXT NOT NULL,
    parent TEXT REFERENCES hotline_subjects(code)
);

-- The routing table: subject × region (a region prefix) → 主办 (lead) and 协办 (co) units.
CREATE TABLE hotline_routes (
    id            INTEGER PRIMARY KEY,
    subject       TEXT NOT NULL REFERENCES hotline_subjects(code),
    region        TEXT NOT NULL,
    department_id BIGINT NOT NULL REFERENCES departments(id),
    lead          BIGINT NOT NULL,
    UNIQUE (subject, region, department_id)
);

-- Approved answers an operator reads out to close a 咨询 on the spot.
CREATE TABLE hotline_answers (
    id          INTEGER PRIMARY KEY,
    subject     TEXT REFERENCES hotline_subjects(code),
    region      TEXT NOT NULL,
    question    TEXT NOT NULL,
    answer      TEXT NOT NULL,
    approved_by BIGINT NOT NULL,
    approved_at BIGINT NOT NULL
);

-- Ticket numbers: one sequence per Shanghai day.
CREATE TABLE ticket_day_seq (
    day TEXT PRIMARY KEY,
    n   BIGINT NOT NULL
);

CREATE TABLE tickets (
    id                   INTEGER PRIMARY KEY,
    number               TEXT NOT NULL UNIQUE,
    category             TEXT NOT NULL,
    channel              TEXT NOT NULL,
    subject              TEXT NOT NULL REFERENCES hotline_subjects(code),
    subject_name         TEXT NOT NULL,
    region               TEXT NOT NULL,
    status               TEXT NOT NULL,
    holder_department_id BIGINT REFERENCES departments(id),
    -- The caller's number, for the history pop-up on an incoming call; pages show it masked.
    caller_phone         TEXT,
    caller_tail          TEXT,
    confidential         BIGINT NOT NULL,
    urgent               BIGINT NOT NULL,
    efficiency_department_id BIGINT REFERENCES departments(id),
    summary              TEXT NOT NULL,
    received_at          BIGINT NOT NULL,
    due_at               BIGINT,
    replied_at           BIGINT,
    closed_at            BIGINT,
    returns              BIGINT NOT NULL,
    reworks              BIGINT NOT NULL,
    callback             TEXT,
    version              BIGINT NOT NULL
);
CREATE INDEX tickets_region ON tickets (region, status);
CREATE INDEX tickets_holder ON tickets (holder_department_id, status);
CREATE INDEX tickets_caller ON tickets (caller_phone, received_at);

CREATE TABLE ticket_events (
    ticket_id     BIGINT NOT NULL REFERENCES tickets(id),
    seq           BIGINT NOT NULL,
    kind          TEXT NOT NULL,
    at            BIGINT NOT NULL,
    actor_id      BIGINT,
    actor         TEXT,
    department_id BIGINT,
    body          TEXT NOT NULL,
    PRIMARY KEY (ticket_id, seq)
);
