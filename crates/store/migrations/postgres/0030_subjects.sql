-- Supervision watches subjects, not only cases: a case (办件), a 12345 hotline ticket, a
-- disclosure request (依申请公开), a rating rectification (差评整改). `subjects` registers each
-- one once, under its kind and its module's own row id, with what the board's drill-down shows;
-- the deadline index, warnings, reminders, findings and orders are keyed by (kind, id) and refer
-- to it. Existing rows are cases. (PostgreSQL alters in place; SQLite rebuilds the tables.)

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
    CASE WHEN char_length(applicant_name) <= 1 THEN repeat('*', char_length(applicant_name))
         ELSE left(applicant_name, 1) || repeat('*', char_length(applicant_name) - 1) END,
    item_id, department_id, COALESCE(intake_hall_id, 0), region, received_at
FROM cases;

-- The deadline index.
ALTER TABLE clock_watch DROP CONSTRAINT clock_watch_case_id_fkey;
ALTER TABLE clock_watch DROP CONSTRAINT clock_watch_pkey;
ALTER TABLE clock_watch RENAME COLUMN case_id TO subject_id;
ALTER TABLE clock_watch RENAME COLUMN case_number TO subject_number;
ALTER TABLE clock_watch ADD COLUMN subject_kind TEXT NOT NULL DEFAULT 'case';
ALTER TABLE clock_watch ALTER COLUMN subject_kind DROP DEFAULT;
ALTER TABLE clock_watch ADD PRIMARY KEY (subject_kind, subject_id, clock);
ALTER TABLE clock_watch ADD FOREIGN KEY (subject_kind, subject_id) REFERENCES subjects (kind, id);

-- Warnings fired.
ALTER TABLE warnings DROP CONSTRAINT warnings_case_id_fkey;
ALTER TABLE warnings DROP CONSTRAINT warnings_case_id_clock_light_crossing_at_key;
DROP INDEX warnings_case;
ALTER TABLE warnings RENAME COLUMN case_id TO subject_id;
ALTER TABLE warnings RENAME COLUMN case_number TO subject_number;
ALTER TABLE warnings ADD COLUMN subject_kind TEXT NOT NULL DEFAULT 'case';
ALTER TABLE warnings ALTER COLUMN subject_kind DROP DEFAULT;
ALTER TABLE warnings ADD UNIQUE (subject_kind, subject_id, clock, light, crossing_at);
ALTER TABLE warnings ADD FOREIGN KEY (subject_kind, subject_id) REFERENCES subjects (kind, id);
CREATE INDEX warnings_subject ON warnings (subject_kind, subject_id);

-- One reminder per deadline per local day.
ALTER TABLE warning_reminders DROP CONSTRAINT warning_reminders_pkey;
ALTER TABLE warning_reminders RENAME COLUMN case_id TO subject_id;
ALTER TABLE warning_reminders ADD COLUMN subject_kind TEXT NOT NULL DEFAULT 'case';
ALTER TABLE warning_reminders ALTER COLUMN subject_kind DROP DEFAULT;
ALTER TABLE warning_reminders ADD PRIMARY KEY (subject_kind, subject_id, clock, day);

-- Findings. A fingerprint is unique within its kind.
ALTER TABLE findings DROP CONSTRAINT findings_case_id_fkey;
ALTER TABLE findings DROP CONSTRAINT findings_fingerprint_key;
DROP INDEX findings_case;
ALTER TABLE findings RENAME COLUMN case_id TO subject_id;
ALTER TABLE findings RENAME COLUMN case_number TO subject_number;
ALTER TABLE findings ADD COLUMN subject_kind TEXT NOT NULL DEFAULT 'case';
ALTER TABLE findings ALTER COLUMN subject_kind DROP DEFAULT;
ALTER TABLE findings ADD UNIQUE (subject_kind, fingerprint);
ALTER TABLE findings ADD FOREIGN KEY (subject_kind, subject_id) REFERENCES subjects (kind, id);
CREATE INDEX findings_subject ON findings (subject_kind, subject_id);

-- Orders (督办).
ALTER TABLE supervision_orders DROP CONSTRAINT supervision_orders_case_id_fkey;
ALTER TABLE supervision_orders RENAME COLUMN case_id TO subject_id;
ALTER TABLE supervision_orders RENAME COLUMN case_number TO subject_number;
ALTER TABLE supervision_orders ADD COLUMN subject_kind TEXT NOT NULL DEFAULT 'case';
ALTER TABLE supervision_orders ALTER COLUMN subject_kind DROP DEFAULT;
ALTER TABLE supervision_orders ADD FOREIGN KEY (subject_kind, subject_id)
    REFERENCES subjects (kind, id);
CREATE INDEX orders_subject ON supervision_orders (subject_kind, subject_id);
