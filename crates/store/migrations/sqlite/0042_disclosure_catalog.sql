-- The proactive-disclosure catalog (主动公开目录, 条例 第十九条至第二十六条), the 政府公报 issues
-- that list its documents, and each agency's 政府信息公开指南. Dates are Shanghai days as
-- YYYY-MM-DD text (they compare as dates). An entry registered and not yet published is a
-- `catalog_entry` subject with its 第二十六条 deadline in the one deadline index.

CREATE TABLE disclosure_catalog (
    id             INTEGER PRIMARY KEY,
    index_no       TEXT NOT NULL UNIQUE,
    department_id  BIGINT NOT NULL REFERENCES departments(id),
    region         TEXT NOT NULL,
    heading        TEXT NOT NULL,
    title          TEXT NOT NULL,
    doc_number     TEXT,
    body           TEXT NOT NULL,
    amount_fen     BIGINT,
    formed_on      TEXT NOT NULL,
    due_on         TEXT NOT NULL,
    published_on   TEXT,
    abolished_on   TEXT,
    status         TEXT NOT NULL,
    created_by     BIGINT,
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL
);
CREATE INDEX disclosure_catalog_unit ON disclosure_catalog (department_id, heading, formed_on);
CREATE INDEX disclosure_catalog_region ON disclosure_catalog (region, heading, formed_on);
CREATE INDEX disclosure_catalog_published ON disclosure_catalog (status, published_on);

CREATE TABLE disclosure_catalog_numbers (
    department_id  BIGINT NOT NULL,
    year           BIGINT NOT NULL,
    last           BIGINT NOT NULL,
    PRIMARY KEY (department_id, year)
);

CREATE TABLE disclosure_gazettes (
    id             INTEGER PRIMARY KEY,
    department_id  BIGINT NOT NULL REFERENCES departments(id),
    region         TEXT NOT NULL,
    year           BIGINT NOT NULL,
    issue          BIGINT NOT NULL,
    title          TEXT NOT NULL,
    published_on   TEXT NOT NULL,
    created_at     BIGINT NOT NULL,
    UNIQUE (department_id, year, issue)
);

CREATE TABLE disclosure_gazette_entries (
    gazette_id  BIGINT NOT NULL REFERENCES disclosure_gazettes(id),
    entry_id    BIGINT NOT NULL REFERENCES disclosure_catalog(id),
    seq         BIGINT NOT NULL,
    PRIMARY KEY (gazette_id, entry_id)
);

CREATE TABLE disclosure_guides (
    department_id  BIGINT PRIMARY KEY REFERENCES departments(id),
    text           TEXT NOT NULL,
    updated_by     BIGINT,
    updated_at     BIGINT NOT NULL
);
