-- Supervision findings: each firing of a detector on a case, and what a supervisor made of it.
-- A confirmed finding is an accountability record (问责) on a person and a department.

CREATE TABLE findings (
    id            INTEGER PRIMARY KEY,
    rule          TEXT NOT NULL,
    case_id       BIGINT NOT NULL REFERENCES cases(id),
    case_number   TEXT NOT NULL,
    step          TEXT,
    person_id     BIGINT,
    department_id BIGINT NOT NULL,
    hall_id       BIGINT,
    region        TEXT NOT NULL,
    detail        TEXT NOT NULL,
    evidence      TEXT NOT NULL,
    -- What makes a firing the same firing: the rule, the step and the first evidence event.
    fingerprint   TEXT NOT NULL UNIQUE,
    status        TEXT NOT NULL,
    decided_by    BIGINT,
    decision_note TEXT,
    created_at    BIGINT NOT NULL,
    decided_at    BIGINT
);
CREATE INDEX findings_region ON findings (region, status, created_at);
CREATE INDEX findings_case ON findings (case_id);
