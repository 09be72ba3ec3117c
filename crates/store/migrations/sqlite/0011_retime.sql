-- Re-timing after a calendar change. Loading a year, editing a day or importing an ICS file
-- queues a job; the sweeper recomputes every open case's deadlines on the new calendar in
-- batches, keeping its place in `after_id`, so a restart resumes where it stopped.
CREATE TABLE retime_jobs (
    id          INTEGER PRIMARY KEY,
    reason      TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    -- The last case id done; cases are taken in id order.
    after_id    BIGINT NOT NULL DEFAULT 0,
    -- Open cases when the job was queued (for progress), those done, and those whose due date moved.
    total       BIGINT NOT NULL,
    done        BIGINT NOT NULL DEFAULT 0,
    moved       BIGINT NOT NULL DEFAULT 0,
    finished_at BIGINT
);
CREATE INDEX retime_jobs_pending ON retime_jobs (id) WHERE finished_at IS NULL;
