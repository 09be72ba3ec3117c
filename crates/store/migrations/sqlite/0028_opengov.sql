-- Open government (政务公开): consultations on drafts (公开征求意见) and proposal handling
-- (建议提案办理). `opengov_matters` holds each matter's state document and the columns lists
-- read; `opengov_events` is its log, each event chained into the audit log through `audit_seq`;
-- `opengov_numbers` gives each kind its yearly sequence (ZQ2026…, TA2026…).

CREATE TABLE opengov_matters (
    id             INTEGER PRIMARY KEY,
    kind           TEXT NOT NULL,
    number         TEXT NOT NULL UNIQUE,
    department_id  BIGINT NOT NULL REFERENCES departments(id),
    region         TEXT NOT NULL,
    title          TEXT NOT NULL,
    status         TEXT NOT NULL,
    -- The last day of a consultation's comments; a proposal's reply due date.
    ends_on        TEXT,
    -- The next deadline the unit answers for (report, reply), while one runs.
    due_date       TEXT,
    public         BIGINT NOT NULL,
    opened_at      BIGINT NOT NULL,
    state          TEXT NOT NULL,
    version        BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL
);
CREATE INDEX opengov_matters_list ON opengov_matters (kind, opened_at);
CREATE INDEX opengov_matters_unit ON opengov_matters (kind, department_id, opened_at);

-- The units a proposal was given to (its 主办, 会办 and 分办), for their queues.
CREATE TABLE opengov_units (
    matter_id      BIGINT NOT NULL REFERENCES opengov_matters(id),
    department_id  BIGINT NOT NULL REFERENCES departments(id),
    PRIMARY KEY (matter_id, department_id)
);
CREATE INDEX opengov_units_department ON opengov_units (department_id);

CREATE TABLE opengov_events (
    matter_id   BIGINT NOT NULL REFERENCES opengov_matters(id),
    seq         BIGINT NOT NULL,
    kind        TEXT NOT NULL,
    payload     TEXT NOT NULL,
    actor_id    BIGINT,
    actor_name  TEXT NOT NULL,
    at          BIGINT NOT NULL,
    audit_seq   BIGINT NOT NULL,
    PRIMARY KEY (matter_id, seq)
);

CREATE TABLE opengov_numbers (
    kind  TEXT NOT NULL,
    year  BIGINT NOT NULL,
    last  BIGINT NOT NULL,
    PRIMARY KEY (kind, year)
);
