-- 一件事一次办 (国发〔2024〕3号): a bundle of catalog items applied for once. A bundle is a catalog
-- entry like an item: its versions (each the whole Bundle as a JSON document) go through the
-- same three reviews, and what was done to them is its history. Filing a bundle files one case
-- per member in one transaction; bundle_cases is that filing and bundle_case_members links it
-- to its member cases, each under its own item, workflow and clock.

CREATE TABLE bundles (
    id                INTEGER PRIMARY KEY,
    code              TEXT NOT NULL UNIQUE,
    name              TEXT NOT NULL,
    region_code       TEXT NOT NULL,
    themes            TEXT NOT NULL,
    status            TEXT NOT NULL,
    published_version BIGINT,
    latest_version    BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL
);
CREATE INDEX bundles_status ON bundles (status);

CREATE TABLE bundle_versions (
    bundle_id    BIGINT NOT NULL REFERENCES bundles(id),
    version      BIGINT NOT NULL,
    status       TEXT NOT NULL,
    document     TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    created_by   TEXT NOT NULL,
    published_at BIGINT,
    PRIMARY KEY (bundle_id, version)
);

CREATE TABLE bundle_events (
    id          INTEGER PRIMARY KEY,
    bundle_id   BIGINT NOT NULL REFERENCES bundles(id),
    version     BIGINT NOT NULL,
    action      TEXT NOT NULL,
    from_status TEXT,
    to_status   TEXT NOT NULL,
    actor_id    BIGINT,
    actor       TEXT NOT NULL,
    role        TEXT NOT NULL,
    comment     TEXT NOT NULL,
    at          BIGINT NOT NULL
);
CREATE INDEX bundle_events_bundle ON bundle_events (bundle_id, id);

-- One filing of a bundle. The idempotency key (with the filer) answers a retry with this filing;
-- request_hash tells a retry from another request under the same key.
CREATE TABLE bundle_cases (
    id                INTEGER PRIMARY KEY,
    number            TEXT NOT NULL UNIQUE,
    bundle_id         BIGINT NOT NULL REFERENCES bundles(id),
    bundle_version    BIGINT NOT NULL,
    bundle_name       TEXT NOT NULL,
    region            TEXT NOT NULL,
    applicant_user_id BIGINT,
    agent_id          BIGINT,
    filed_by          BIGINT NOT NULL,
    received_at       BIGINT NOT NULL,
    idem_key          TEXT,
    request_hash      TEXT,
    UNIQUE (filed_by, idem_key)
);
CREATE INDEX bundle_cases_applicant ON bundle_cases (applicant_user_id);

CREATE TABLE bundle_case_members (
    bundle_case_id BIGINT NOT NULL REFERENCES bundle_cases(id),
    position       BIGINT NOT NULL,
    case_id        BIGINT NOT NULL UNIQUE REFERENCES cases(id),
    case_number    TEXT NOT NULL,
    PRIMARY KEY (bundle_case_id, position)
);
