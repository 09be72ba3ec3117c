-- The catalog: an item (one implementation, keyed by its implementation code), its versions
-- (each the whole Item as a JSON document), and the history of what was done to them.

CREATE TABLE items (
    id                  INTEGER PRIMARY KEY,
    implementation_code TEXT NOT NULL UNIQUE,
    basic_code          TEXT NOT NULL,
    name                TEXT NOT NULL,
    item_type           TEXT NOT NULL,
    department_id       BIGINT NOT NULL REFERENCES departments(id),
    region_code         TEXT NOT NULL,
    level               TEXT NOT NULL,
    service_object      TEXT NOT NULL,
    online_depth        BIGINT NOT NULL,
    themes              TEXT NOT NULL,
    status              TEXT NOT NULL,
    published_version   BIGINT,
    latest_version      BIGINT NOT NULL,
    updated_at          BIGINT NOT NULL
);
CREATE INDEX items_basic ON items (basic_code);
CREATE INDEX items_department ON items (department_id);
CREATE INDEX items_status ON items (status);

CREATE TABLE item_versions (
    item_id      BIGINT NOT NULL REFERENCES items(id),
    version      BIGINT NOT NULL,
    status       TEXT NOT NULL,
    document     TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    created_by   TEXT NOT NULL,
    published_at BIGINT,
    PRIMARY KEY (item_id, version)
);

CREATE TABLE item_events (
    id             INTEGER PRIMARY KEY,
    item_id        BIGINT NOT NULL REFERENCES items(id),
    version        BIGINT NOT NULL,
    action         TEXT NOT NULL,
    from_status    TEXT,
    to_status      TEXT NOT NULL,
    actor_id       BIGINT,
    actor          TEXT NOT NULL,
    role           TEXT NOT NULL,
    comment        TEXT NOT NULL,
    effective_date TEXT,
    at             BIGINT NOT NULL
);
CREATE INDEX item_events_item ON item_events (item_id, id);

-- Files (templates, samples) stored by the SHA-256 of their content.
CREATE TABLE files (
    hash         TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size         BIGINT NOT NULL,
    content      BLOB NOT NULL,
    created_at   BIGINT NOT NULL
);
