-- Issue 18: duplicate tickets and merging, photos of a ticket.

-- The address reduced to letters and digits (`hotline::duplicate::place_key`): a new ticket of
-- the same subject at the same place as an open one is flagged as a likely duplicate.
ALTER TABLE tickets ADD COLUMN place_key TEXT;
-- The open ticket a duplicate was merged into; its callers are told that one's reply.
ALTER TABLE tickets ADD COLUMN merged_into TEXT;
CREATE INDEX tickets_place ON tickets (subject, place_key, received_at);
CREATE INDEX tickets_merged ON tickets (merged_into);

-- Photos of a ticket: the bytes live once in the upload store (`case_files`, by hash) with
-- their metadata (EXIF, GPS) stripped; this says which ticket shows which, in order.
CREATE TABLE ticket_photos (
    ticket_id    BIGINT NOT NULL REFERENCES tickets(id),
    seq          BIGINT NOT NULL,
    hash         TEXT NOT NULL,
    name         TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size         BIGINT NOT NULL,
    PRIMARY KEY (ticket_id, seq)
);

-- Open311 GeoReport v2: the keys an administrator issues to outside systems that post
-- requests (only the SHA-256 of a key is kept).
CREATE TABLE open311_keys (
    id         INTEGER PRIMARY KEY,
    key_hash   TEXT NOT NULL UNIQUE,
    name       TEXT NOT NULL,
    created_by BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    revoked_at BIGINT
);
