-- The document service (issue 21). `documents` is the one register of issued documents, every
-- module's: the frozen text, its hash, and the subject it belongs to (a case, a hotline ticket,
-- a disclosure request…). It takes over `case_documents`. `document_files` keeps each rendered,
-- sealed file byte for byte; a later mark (delivery, revocation) is a new revision appended to
-- the same file, never a rewrite.

CREATE TABLE documents (
    id             INTEGER PRIMARY KEY,
    number         TEXT NOT NULL UNIQUE,
    kind           TEXT NOT NULL,
    subject_kind   TEXT NOT NULL,
    subject_id     BIGINT NOT NULL,
    subject_ref    TEXT NOT NULL,
    title          TEXT NOT NULL,
    body           TEXT NOT NULL,
    fields         TEXT NOT NULL DEFAULT '[]',
    department_id  BIGINT NOT NULL,
    -- The agency's name as printed; NULL: the department's name when first rendered.
    agency         TEXT,
    hash           TEXT NOT NULL,
    issued_at      BIGINT NOT NULL,
    -- A random code printed beside the QR code: the public check asks for it with the number.
    verify_code    TEXT NOT NULL,
    revoked_at     BIGINT,
    revoked_reason TEXT
);
CREATE INDEX documents_subject ON documents (subject_kind, subject_id);

INSERT INTO documents (number, kind, subject_kind, subject_id, subject_ref, title, body,
    department_id, hash, issued_at, verify_code)
SELECT d.number, 'case.' || d.kind, 'case', d.case_id, c.number, d.title, d.body,
    d.department_id, d.hash, d.issued_at, upper(substr(hex(randomblob(8)), 1, 10))
FROM case_documents d JOIN cases c ON c.id = d.case_id;
DROP TABLE case_documents;

-- One sealed file per document and format. `content` grows only by appended revisions.
CREATE TABLE document_files (
    document_id BIGINT NOT NULL REFERENCES documents(id),
    format      TEXT NOT NULL,
    content     BLOB NOT NULL,
    sm3         TEXT NOT NULL,
    -- The first signature: when, by which key, over which SM3 digest.
    signed_at   BIGINT NOT NULL,
    key_id      BIGINT NOT NULL,
    signed_sm3  TEXT NOT NULL,
    revisions   BIGINT NOT NULL DEFAULT 1,
    updated_at  BIGINT NOT NULL,
    PRIMARY KEY (document_id, format)
);
CREATE INDEX document_files_signed ON document_files (signed_sm3);

-- The deployment's certificate authority: one root, its key sealed under the master key.
CREATE TABLE seal_authority (
    id         INTEGER PRIMARY KEY,
    cert       BLOB NOT NULL,
    secret     BLOB NOT NULL,
    created_at BIGINT NOT NULL
);

-- Each agency's seal keys. One is active; a rotated key is retired and still verifies what it
-- signed; a revoked key makes what it signed show as revoked.
CREATE TABLE seal_keys (
    id             INTEGER PRIMARY KEY,
    department_id  BIGINT NOT NULL REFERENCES departments(id),
    status         TEXT NOT NULL,
    public_key     TEXT NOT NULL,
    secret         BLOB NOT NULL,
    cert           BLOB NOT NULL,
    serial         TEXT NOT NULL,
    created_at     BIGINT NOT NULL,
    retired_at     BIGINT,
    revoked_at     BIGINT,
    revoked_reason TEXT
);
CREATE UNIQUE INDEX seal_keys_active ON seal_keys (department_id) WHERE status = 'active';

-- Every verification, public or not: what was asked, from where, and the answer.
CREATE TABLE document_verifications (
    id          INTEGER PRIMARY KEY,
    at          BIGINT NOT NULL,
    channel     TEXT NOT NULL,
    client      TEXT NOT NULL,
    file_sm3    TEXT,
    document_id BIGINT,
    verdict     TEXT NOT NULL
);
CREATE INDEX document_verifications_at ON document_verifications (at);
