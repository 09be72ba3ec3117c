-- Performance scores (绩效考评). A scheme (指标体系) is kept by versions like a catalog item:
-- each version's indicators are a JSON document, drafted, reviewed and published. A period's
-- scores are frozen when published: perf_scores holds one row per unit and version, and a
-- correction adds a version (with its reason in perf_versions) beside the first, never over it.
-- perf_flags records the consequences of ranking last (诫勉谈话, 组织措施) and who acted on them.

CREATE TABLE perf_schemes (
    id           INTEGER PRIMARY KEY,
    name         TEXT NOT NULL,
    version      BIGINT NOT NULL,
    status       TEXT NOT NULL,
    body         TEXT NOT NULL,
    region       TEXT NOT NULL,
    drafted_by   BIGINT NOT NULL,
    drafted_at   BIGINT NOT NULL,
    reviewed_by  BIGINT,
    reviewed_at  BIGINT,
    published_by BIGINT,
    published_at BIGINT,
    UNIQUE (region, version)
);

CREATE TABLE perf_periods (
    id           INTEGER PRIMARY KEY,
    period       TEXT NOT NULL,
    kind         TEXT NOT NULL,
    region       TEXT NOT NULL,
    scheme_id    BIGINT NOT NULL REFERENCES perf_schemes(id),
    version      BIGINT NOT NULL,
    published_by BIGINT NOT NULL,
    published_at BIGINT NOT NULL,
    UNIQUE (region, period)
);

CREATE TABLE perf_versions (
    period_id BIGINT NOT NULL REFERENCES perf_periods(id),
    version   BIGINT NOT NULL,
    reason    TEXT NOT NULL,
    actor_id  BIGINT NOT NULL,
    actor     TEXT NOT NULL,
    at        BIGINT NOT NULL,
    PRIMARY KEY (period_id, version)
);

CREATE TABLE perf_scores (
    period_id BIGINT NOT NULL REFERENCES perf_periods(id),
    version   BIGINT NOT NULL,
    unit_kind TEXT NOT NULL,
    unit_id   TEXT NOT NULL,
    unit_name TEXT NOT NULL,
    level     TEXT NOT NULL,
    total     BIGINT NOT NULL,
    rank      BIGINT NOT NULL,
    of_units  BIGINT NOT NULL,
    last      BIGINT NOT NULL,
    lines     TEXT NOT NULL,
    PRIMARY KEY (period_id, version, unit_kind, unit_id)
);

CREATE TABLE perf_flags (
    id          INTEGER PRIMARY KEY,
    period_id   BIGINT NOT NULL REFERENCES perf_periods(id),
    unit_kind   TEXT NOT NULL,
    unit_id     TEXT NOT NULL,
    unit_name   TEXT NOT NULL,
    level       TEXT NOT NULL,
    consequence TEXT NOT NULL,
    raised_at   BIGINT NOT NULL,
    acted_by    BIGINT,
    actor       TEXT,
    acted_at    BIGINT,
    note        TEXT,
    UNIQUE (period_id, unit_kind, unit_id)
);
