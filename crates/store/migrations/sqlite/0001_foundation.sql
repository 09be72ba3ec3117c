-- Foundation: the organisation, accounts, sessions, settings and the audit chain.
-- Instants are BIGINT milliseconds since the Unix epoch (UTC); dates are TEXT 'YYYY-MM-DD'.

CREATE TABLE regions (
    code        TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    level       TEXT NOT NULL,
    parent_code TEXT REFERENCES regions(code)
);

CREATE TABLE departments (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    region_code TEXT NOT NULL REFERENCES regions(code),
    UNIQUE (region_code, name)
);

CREATE TABLE halls (
    id             INTEGER PRIMARY KEY,
    name           TEXT NOT NULL UNIQUE,
    kind           TEXT NOT NULL,
    region_code    TEXT NOT NULL REFERENCES regions(code),
    parent_hall_id BIGINT REFERENCES halls(id),
    address        TEXT NOT NULL DEFAULT '',
    hours          TEXT NOT NULL DEFAULT ''
);

CREATE TABLE windows (
    id            INTEGER PRIMARY KEY,
    hall_id       BIGINT NOT NULL REFERENCES halls(id),
    department_id BIGINT NOT NULL REFERENCES departments(id),
    number        TEXT NOT NULL,
    name          TEXT NOT NULL,
    UNIQUE (hall_id, number)
);

CREATE TABLE users (
    id             INTEGER PRIMARY KEY,
    login          TEXT NOT NULL UNIQUE,
    password_hash  TEXT NOT NULL,
    name           TEXT NOT NULL,
    role           TEXT NOT NULL,
    department_id  BIGINT REFERENCES departments(id),
    region_code    TEXT REFERENCES regions(code),
    hall_id        BIGINT REFERENCES halls(id),
    applicant_kind TEXT,
    id_number      TEXT,
    uscc           TEXT,
    phone          TEXT,
    email          TEXT,
    away           BOOLEAN NOT NULL DEFAULT FALSE,
    failed_logins  BIGINT NOT NULL DEFAULT 0,
    locked_until   BIGINT,
    created_at     BIGINT NOT NULL
);
CREATE UNIQUE INDEX users_id_number ON users (id_number) WHERE id_number IS NOT NULL;
CREATE UNIQUE INDEX users_uscc ON users (uscc) WHERE uscc IS NOT NULL;
CREATE INDEX users_department ON users (department_id);

CREATE TABLE posts (
    id            INTEGER PRIMARY KEY,
    department_id BIGINT NOT NULL REFERENCES departments(id),
    name          TEXT NOT NULL,
    holder_id     BIGINT NOT NULL REFERENCES users(id),
    substitute_id BIGINT REFERENCES users(id),
    UNIQUE (department_id, name)
);

CREATE TABLE sessions (
    token_hash   TEXT PRIMARY KEY,
    user_id      BIGINT NOT NULL REFERENCES users(id),
    csrf         TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE audit_log (
    seq       BIGINT PRIMARY KEY,
    at        BIGINT NOT NULL,
    actor     TEXT NOT NULL,
    role      TEXT NOT NULL,
    action    TEXT NOT NULL,
    target    TEXT NOT NULL,
    summary   TEXT NOT NULL,
    algo      TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash      TEXT NOT NULL
);

-- The head of the chain: its single row serialises appends and catches a truncated tail.
CREATE TABLE audit_head (
    id   BIGINT PRIMARY KEY CHECK (id = 1),
    seq  BIGINT NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
