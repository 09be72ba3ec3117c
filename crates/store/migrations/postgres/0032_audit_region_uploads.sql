-- Audit records carry the region of the object acted on, so a reader scoped to a region reads
-- only its subtree's records. NULL: a deployment-level record (and every record written before
-- this column), read by the administrator and whole-city readers only.
ALTER TABLE audit_log ADD COLUMN region TEXT;
CREATE INDEX audit_log_region ON audit_log (region, seq);

-- Issue 16: uploads that no case takes up are removed after `upload.orphan_days`. An upload is
-- marked kept when a filing or a supplement names it (before the case is written, so a file
-- on a case is never taken for an orphan). Every upload stored before this migration is kept:
-- whether a case refers to it is not worth a scan of every event.
ALTER TABLE case_file_uploads ADD COLUMN kept BIGINT NOT NULL DEFAULT 0;
UPDATE case_file_uploads SET kept = 1;
CREATE INDEX case_file_uploads_orphans ON case_file_uploads (kept, uploaded_at);
