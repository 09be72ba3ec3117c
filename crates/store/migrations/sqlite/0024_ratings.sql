-- Ratings (好差评). One row per rated service: UNIQUE (service_kind, service_id) is the
-- 一事一评 / 一次一评 rule itself, so a second rating of one service cannot be written. A 差评's
-- rectification (差评整改) is an event log (rating_events) projected onto its rating's row
-- (rect_stage, rect_version); its deadlines live in the shared index (clock_watch) under the
-- subject kind `rating`. The rater's account is kept for the call-back and never shown to staff.

-- Who is on duty at a window (the hall device shows them) and the visits they end there, each
-- rated once on the device.
CREATE TABLE window_duty (
    window_id BIGINT PRIMARY KEY REFERENCES windows(id),
    user_id   BIGINT NOT NULL REFERENCES users(id),
    since     BIGINT NOT NULL
);

CREATE TABLE window_visits (
    id        INTEGER PRIMARY KEY,
    window_id BIGINT NOT NULL REFERENCES windows(id),
    staff_id  BIGINT NOT NULL REFERENCES users(id),
    case_id   BIGINT REFERENCES cases(id),
    ended_at  BIGINT NOT NULL
);
CREATE INDEX window_visits_window ON window_visits (window_id, ended_at);

CREATE TABLE ratings (
    id             INTEGER PRIMARY KEY,
    service_kind   TEXT NOT NULL,
    service_id     BIGINT NOT NULL,
    service_number TEXT NOT NULL,
    channel        TEXT NOT NULL,
    level          TEXT NOT NULL,
    bad            BIGINT NOT NULL,
    body           TEXT NOT NULL,
    is_default     BIGINT NOT NULL,
    rater_id       BIGINT REFERENCES users(id),
    department_id  BIGINT NOT NULL REFERENCES departments(id),
    hall_id        BIGINT,
    window_id      BIGINT REFERENCES windows(id),
    staff_id       BIGINT REFERENCES users(id),
    region         TEXT NOT NULL,
    month          TEXT NOT NULL,
    rated_at       BIGINT NOT NULL,
    removed        BIGINT NOT NULL DEFAULT 0,
    rerated_level  TEXT,
    rect_stage     TEXT,
    rect_version   BIGINT NOT NULL DEFAULT 0,
    rect_closed_at BIGINT,
    UNIQUE (service_kind, service_id)
);
CREATE INDEX ratings_month ON ratings (department_id, month);
CREATE INDEX ratings_rect ON ratings (rect_stage, region) WHERE rect_stage IS NOT NULL;

CREATE TABLE rating_events (
    rating_id BIGINT NOT NULL REFERENCES ratings(id),
    seq       BIGINT NOT NULL,
    kind      TEXT NOT NULL,
    at        BIGINT NOT NULL,
    actor_id  BIGINT,
    body      TEXT NOT NULL,
    PRIMARY KEY (rating_id, seq)
);
