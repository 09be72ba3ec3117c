-- Efficiency warnings (效能告诫): given by a supervisor to a named member of a department's
-- staff, with a reason and evidence (findings, cases). Every two warnings to the staff of one
-- department in one Asia/Shanghai calendar year give the department's head one warning, whose
-- evidence is the two staff warnings (seed 003).

CREATE TABLE admonitions (
    id            INTEGER PRIMARY KEY,
    -- staff (counts toward the tally), head (given directly), head_by_rule (given by the pair)
    kind          TEXT NOT NULL,
    -- NULL only for a warning by the rule to a department whose head post is vacant.
    person_id     BIGINT REFERENCES users(id),
    person_name   TEXT NOT NULL,
    department_id BIGINT NOT NULL REFERENCES departments(id),
    region        TEXT NOT NULL,
    year          BIGINT NOT NULL,
    reason        TEXT NOT NULL,
    -- JSON: {"findings": [ids], "cases": [numbers], "admonitions": [ids]}
    evidence      TEXT NOT NULL,
    -- The staff warning that completed the pair a head_by_rule warning answers: one pair,
    -- one warning, whatever runs at once.
    completes     BIGINT UNIQUE REFERENCES admonitions(id),
    -- NULL for a warning given by the rule.
    issued_by     BIGINT REFERENCES users(id),
    issued_at     BIGINT NOT NULL
);
CREATE INDEX admonitions_region ON admonitions (region, year);
CREATE INDEX admonitions_department ON admonitions (department_id, year);
CREATE INDEX admonitions_person ON admonitions (person_id, year);

-- One row per department and year: its staff warnings so far and the one waiting for its pair.
-- A staff warning locks this row (an upsert) before it counts, so concurrent warnings to one
-- department are counted one after the other.
CREATE TABLE admonition_tallies (
    department_id  BIGINT NOT NULL REFERENCES departments(id),
    year           BIGINT NOT NULL,
    staff_warnings BIGINT NOT NULL,
    unpaired_id    BIGINT REFERENCES admonitions(id),
    PRIMARY KEY (department_id, year)
);
