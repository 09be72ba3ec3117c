-- The e-licence register (电子证照库, GB/T 36901-2018): a licence for every permit decided,
-- with its holder, fields and period, changed only by a recorded act (`licence_events`).

CREATE TABLE licences (
    id             INTEGER PRIMARY KEY,
    number         TEXT NOT NULL UNIQUE,
    type_name      TEXT NOT NULL,
    holder_kind    TEXT NOT NULL,
    holder_code    TEXT NOT NULL,
    holder_name    TEXT NOT NULL,
    holder_user_id BIGINT,
    holder_phone   TEXT NOT NULL DEFAULT '',
    holder_email   TEXT,
    fields         TEXT NOT NULL,
    valid_from     TEXT NOT NULL,
    valid_to       TEXT NOT NULL,
    department_id  BIGINT NOT NULL REFERENCES departments(id),
    region         TEXT NOT NULL,
    status         TEXT NOT NULL,
    case_id        BIGINT UNIQUE,
    document_number TEXT,
    issued_at      BIGINT NOT NULL,
    reminded_at    BIGINT
);
CREATE INDEX licences_holder ON licences (holder_code, type_name);
CREATE INDEX licences_user ON licences (holder_user_id);
CREATE INDEX licences_expiry ON licences (valid_to) WHERE status = 'valid';

CREATE TABLE licence_events (
    id         INTEGER PRIMARY KEY,
    licence_id BIGINT NOT NULL REFERENCES licences(id),
    act        TEXT NOT NULL,
    reason     TEXT NOT NULL,
    actor_id   BIGINT,
    actor_name TEXT NOT NULL,
    at         BIGINT NOT NULL
);
CREATE INDEX licence_events_licence ON licence_events (licence_id);
