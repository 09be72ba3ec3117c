-- Supervision watches subjects, not only cases: a case (办件), a 12345 hotline ticket, a
-- disclosure request (依申请公开), a rating rectification (差评整改). `subjects` registers each
-- one once, under its kind and its module's own row id, with what the board's drill-down shows;
-- the deadline index, warnings, reminders, findings and orders are keyed by (kind, id) and refer
-- to it. Existing rows are cases.
--
-- SQLite cannot drop a foreign key, so each table is rebuilt: created anew, copied, the old one
-- dropped, the new one renamed, its indexes made again. Children are dropped before parents
-- (orders before findings) so no foreign key is ever left dangling inside the transaction.

CREATE TABLE subjects (
    kind          TEXT NOT NULL,
    -- The module's own row id: cases.id for a case, the ticket's id for a ticket.
    id            BIGINT NOT NULL,
    -- The public reference boards show (case number, ticket number).
    number        TEXT NOT NULL,
    -- What it is about: the item's name, the ticket's subject.
    title         TEXT NOT NULL,
    -- The applicant's or caller's name, masked (family name kept).
    party         TEXT NOT NULL,
    -- The catalog item, for a case (the board filters by it).
    item_id       BIGINT,
    department_id BIGINT NOT NULL,
    -- 0 when there is no hall (online, by phone).
    hall_id       BIGINT NOT NULL,
    region        TEXT NOT NULL,
    -- Received / filed: the board's date filter.
    opened_at     BIGINT NOT NULL,
    PRIMARY KEY (kind, id),
    UNIQUE (kind, number)
);
CREATE INDEX subjects_region ON subjects (region, opened_at);

INSERT INTO subjects (kind, id, number, title, party, item_id, department_id, hall_id, region,
    opened_at)
SELECT 'case', id, number, item_name,
    CASE WHEN length(applicant_name) <= 1 THEN substr('*', 1, length(applicant_name))
         ELSE substr(applicant_name, 1, 1)
              || replace(hex(zeroblob(length(applicant_name) - 1)), '00', '*') END,
    item_id, department_id, COALESCE(intake_hall_id, 0), region, received_at
FROM cases;

-- The deadline index.
CREATE TABLE clock_watch_new (
    subject_kind   TEXT NOT NULL,
    subject_id     BIGINT NOT NULL,
    subject_number TEXT NOT NULL,
    -- `intake`, `committed`, `statutory`, `step:{key}`, a module's own, or `order:{id}` for a 督办.
    clock          TEXT NOT NULL,
    label          TEXT NOT NULL,
    department_id  BIGINT NOT NULL,
    hall_id        BIGINT NOT NULL,
    region         TEXT NOT NULL,
    assignee_id    BIGINT,
    yellow_at      BIGINT,
    red_at         BIGINT NOT NULL,
    light          BIGINT NOT NULL,
    next_at        BIGINT,
    claimed_until  BIGINT,
    PRIMARY KEY (subject_kind, subject_id, clock),
    FOREIGN KEY (subject_kind, subject_id) REFERENCES subjects (kind, id)
);
INSERT INTO clock_watch_new (subject_kind, subject_id, subject_number, clock, label,
    department_id, hall_id, region, assignee_id, yellow_at, red_at, light, next_at, claimed_until)
SELECT 'case', case_id, case_number, clock, label, department_id, hall_id, region, assignee_id,
    yellow_at, red_at, light, next_at, claimed_until
FROM clock_watch;
DROP TABLE clock_watch;
ALTER TABLE clock_watch_new RENAME TO clock_watch;
CREATE INDEX clock_watch_next ON clock_watch (next_at) WHERE next_at IS NOT NULL;
CREATE INDEX clock_watch_lit ON clock_watch (region, light) WHERE light > 0;

-- Warnings fired.
CREATE TABLE warnings_new (
    id             INTEGER PRIMARY KEY,
    subject_kind   TEXT NOT NULL,
    subject_id     BIGINT NOT NULL,
    subject_number TEXT NOT NULL,
    clock          TEXT NOT NULL,
    label          TEXT NOT NULL,
    light          BIGINT NOT NULL,
    crossing_at    BIGINT NOT NULL,
    department_id  BIGINT NOT NULL,
    hall_id        BIGINT NOT NULL,
    region         TEXT NOT NULL,
    assignee_id    BIGINT,
    fired_at       BIGINT NOT NULL,
    notified       BIGINT NOT NULL DEFAULT 0,
    UNIQUE (subject_kind, subject_id, clock, light, crossing_at),
    FOREIGN KEY (subject_kind, subject_id) REFERENCES subjects (kind, id)
);
INSERT INTO warnings_new (id, subject_kind, subject_id, subject_number, clock, label, light,
    crossing_at, department_id, hall_id, region, assignee_id, fired_at, notified)
SELECT id, 'case', case_id, case_number, clock, label, light, crossing_at, department_id,
    hall_id, region, assignee_id, fired_at, notified
FROM warnings;
DROP TABLE warnings;
ALTER TABLE warnings_new RENAME TO warnings;
CREATE INDEX warnings_region ON warnings (region, id);
CREATE INDEX warnings_subject ON warnings (subject_kind, subject_id);

-- One reminder per deadline per local day.
CREATE TABLE warning_reminders_new (
    subject_kind TEXT NOT NULL,
    subject_id   BIGINT NOT NULL,
    clock        TEXT NOT NULL,
    day          TEXT NOT NULL,
    PRIMARY KEY (subject_kind, subject_id, clock, day)
);
INSERT INTO warning_reminders_new (subject_kind, subject_id, clock, day)
SELECT 'case', case_id, clock, day FROM warning_reminders;
DROP TABLE warning_reminders;
ALTER TABLE warning_reminders_new RENAME TO warning_reminders;

-- Findings. A fingerprint is unique within its kind.
CREATE TABLE findings_new (
    id             INTEGER PRIMARY KEY,
    rule           TEXT NOT NULL,
    subject_kind   TEXT NOT NULL,
    subject_id     BIGINT NOT NULL,
    subject_number TEXT NOT NULL,
    step           TEXT,
    person_id      BIGINT,
    department_id  BIGINT NOT NULL,
    hall_id        BIGINT,
    region         TEXT NOT NULL,
    detail         TEXT NOT NULL,
    evidence       TEXT NOT NULL,
    fingerprint    TEXT NOT NULL,
    status         TEXT NOT NULL,
    decided_by     BIGINT,
    decision_note  TEXT,
    created_at     BIGINT NOT NULL,
    decided_at     BIGINT,
    UNIQUE (subject_kind, fingerprint),
    FOREIGN KEY (subject_kind, subject_id) REFERENCES subjects (kind, id)
);
INSERT INTO findings_new (id, rule, subject_kind, subject_id, subject_number, step, person_id,
    department_id, hall_id, region, detail, evidence, fingerprint, status, decided_by,
    decision_note, created_at, decided_at)
SELECT id, rule, 'case', case_id, case_number, step, person_id, department_id, hall_id, region,
    detail, evidence, fingerprint, status, decided_by, decision_note, created_at, decided_at
FROM findings;

-- Orders (督办); the finding reference points at the new findings table and follows its rename.
CREATE TABLE supervision_orders_new (
    id             INTEGER PRIMARY KEY,
    subject_kind   TEXT NOT NULL,
    subject_id     BIGINT NOT NULL,
    subject_number TEXT NOT NULL,
    finding_id     BIGINT REFERENCES findings_new(id),
    department_id  BIGINT NOT NULL REFERENCES departments(id),
    region         TEXT NOT NULL,
    instruction    TEXT NOT NULL,
    reply_days     BIGINT NOT NULL,
    due_at         BIGINT NOT NULL,
    status         TEXT NOT NULL,
    issued_by      BIGINT NOT NULL,
    issued_at      BIGINT NOT NULL,
    reply          TEXT,
    replied_by     BIGINT,
    replied_at     BIGINT,
    close_note     TEXT,
    closed_by      BIGINT,
    closed_at      BIGINT,
    escalated_at   BIGINT,
    FOREIGN KEY (subject_kind, subject_id) REFERENCES subjects (kind, id)
);
INSERT INTO supervision_orders_new (id, subject_kind, subject_id, subject_number, finding_id,
    department_id, region, instruction, reply_days, due_at, status, issued_by, issued_at, reply,
    replied_by, replied_at, close_note, closed_by, closed_at, escalated_at)
SELECT id, 'case', case_id, case_number, finding_id, department_id, region, instruction,
    reply_days, due_at, status, issued_by, issued_at, reply, replied_by, replied_at, close_note,
    closed_by, closed_at, escalated_at
FROM supervision_orders;
DROP TABLE supervision_orders;
DROP TABLE findings;
ALTER TABLE findings_new RENAME TO findings;
ALTER TABLE supervision_orders_new RENAME TO supervision_orders;
CREATE INDEX findings_region ON findings (region, status, created_at);
CREATE INDEX findings_subject ON findings (subject_kind, subject_id);
CREATE INDEX orders_region ON supervision_orders (region, status);
CREATE INDEX orders_department ON supervision_orders (department_id, status);
CREATE INDEX orders_due ON supervision_orders (due_at) WHERE status = 'issued' AND escalated_at IS NULL;
CREATE INDEX orders_subject ON supervision_orders (subject_kind, subject_id);
