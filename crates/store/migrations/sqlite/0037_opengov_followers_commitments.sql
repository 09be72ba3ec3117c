-- Open government, second part. Followers of a matter (a consultation, a proposal, a notice, a
-- meeting), told through the outbox when it moves; each unit's public commitments (公开承诺)
-- with the log of how they are kept; the leaders' visiting schedule (领导接访). Publicity
-- notices (公示) and open meetings are matters in opengov_matters.

CREATE TABLE opengov_followers (
    matter_id   BIGINT NOT NULL REFERENCES opengov_matters(id),
    user_id     BIGINT NOT NULL REFERENCES users(id),
    created_at  BIGINT NOT NULL,
    PRIMARY KEY (matter_id, user_id)
);
CREATE INDEX opengov_followers_user ON opengov_followers (user_id);

CREATE TABLE opengov_commitments (
    id             INTEGER PRIMARY KEY,
    department_id  BIGINT NOT NULL REFERENCES departments(id),
    region         TEXT NOT NULL,
    title          TEXT NOT NULL,
    -- 承诺时限 and 服务标准, as published.
    time_limit     TEXT NOT NULL,
    standard       TEXT NOT NULL,
    status         TEXT NOT NULL,
    note           TEXT NOT NULL,
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL
);
CREATE INDEX opengov_commitments_unit ON opengov_commitments (department_id);

CREATE TABLE opengov_commitment_log (
    commitment_id  BIGINT NOT NULL REFERENCES opengov_commitments(id),
    seq            BIGINT NOT NULL,
    status         TEXT NOT NULL,
    note           TEXT NOT NULL,
    actor_name     TEXT NOT NULL,
    at             BIGINT NOT NULL,
    PRIMARY KEY (commitment_id, seq)
);

CREATE TABLE opengov_visits (
    id             INTEGER PRIMARY KEY,
    department_id  BIGINT NOT NULL REFERENCES departments(id),
    region         TEXT NOT NULL,
    leader         TEXT NOT NULL,
    post           TEXT NOT NULL,
    -- The day (YYYY-MM-DD) and the hours (HH:MM-HH:MM, Beijing time).
    day            TEXT NOT NULL,
    hours          TEXT NOT NULL,
    place          TEXT NOT NULL,
    topics         TEXT NOT NULL,
    created_at     BIGINT NOT NULL
);
CREATE INDEX opengov_visits_day ON opengov_visits (day);
