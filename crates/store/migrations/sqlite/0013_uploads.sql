-- Issue 16: an uploaded material belongs to its uploader. Files are stored once by content hash;
-- this table says who uploaded each (one row per uploader), so a filing may only name files its
-- filer uploaded, and uploads count against the uploader's quota.
CREATE TABLE case_file_uploads (
    hash        TEXT NOT NULL,
    user_id     BIGINT NOT NULL,
    size        BIGINT NOT NULL,
    uploaded_at BIGINT NOT NULL,
    PRIMARY KEY (hash, user_id)
);
CREATE INDEX case_file_uploads_user ON case_file_uploads (user_id);

-- Issue 16: the SHA-256 of the request an idempotency key was first used with, so that the same
-- key with a different request is refused instead of answered with the first case.
ALTER TABLE idempotency_keys ADD COLUMN request_hash TEXT;
