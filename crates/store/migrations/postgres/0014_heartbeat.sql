-- Readiness: each server node upserts its row here from `/readyz`, which proves the store
-- still takes writes (disk not full, file or server not read-only) without touching the
-- audit chain.

CREATE TABLE heartbeat (
    node TEXT PRIMARY KEY,
    at   BIGINT NOT NULL
);
