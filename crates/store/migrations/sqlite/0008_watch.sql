-- Electronic supervision's live state, maintained with every change to a case.
--
-- `clock_watch` is the crossing index: each open deadline of a case with the instants its light
-- turns yellow and red, the light last noticed, and the next crossing still to notice. The
-- sweeper reads only rows whose next crossing has passed, so its work follows the crossings that
-- are due, not the number of open cases. Rows are claimed with a lease, so several server
-- processes share the work.

CREATE TABLE clock_watch (
    case_id       BIGINT NOT NULL REFERENCES cases(id),
    case_number   TEXT NOT NULL,
    -- `intake`, `committed`, `statutory`, `step:{key}`, or `order:{id}` for an overdue 督办.
    clock         TEXT NOT NULL,
    label         TEXT NOT NULL,
    department_id BIGINT NOT NULL,
    -- 0 when the case came in online, with no hall.
    hall_id       BIGINT NOT NULL,
    region        TEXT NOT NULL,
    assignee_id   BIGINT,
    yellow_at     BIGINT,
    red_at        BIGINT NOT NULL,
    -- 0 green, 1 yellow, 2 red: the light as last noticed.
    light         BIGINT NOT NULL,
    next_at       BIGINT,
    claimed_until BIGINT,
    PRIMARY KEY (case_id, clock)
);
CREATE INDEX clock_watch_next ON clock_watch (next_at) WHERE next_at IS NOT NULL;
CREATE INDEX clock_watch_lit ON clock_watch (region, light) WHERE light > 0;

-- Every warning fired. A crossing is its clock's light at its instant, so a restart or a second
-- process cannot fire it twice, while a deadline moved by an extension makes a new one.
CREATE TABLE warnings (
    id            INTEGER PRIMARY KEY,
    case_id       BIGINT NOT NULL REFERENCES cases(id),
    case_number   TEXT NOT NULL,
    clock         TEXT NOT NULL,
    label         TEXT NOT NULL,
    light         BIGINT NOT NULL,
    crossing_at   BIGINT NOT NULL,
    department_id BIGINT NOT NULL,
    hall_id       BIGINT NOT NULL,
    region        TEXT NOT NULL,
    assignee_id   BIGINT,
    fired_at      BIGINT NOT NULL,
    -- Whether this warning sent a reminder (at most one per deadline per day).
    notified      BIGINT NOT NULL DEFAULT 0,
    UNIQUE (case_id, clock, light, crossing_at)
);
CREATE INDEX warnings_region ON warnings (region, id);
CREATE INDEX warnings_case ON warnings (case_id);

-- One reminder per deadline per local day.
CREATE TABLE warning_reminders (
    case_id BIGINT NOT NULL,
    clock   TEXT NOT NULL,
    day     TEXT NOT NULL,
    PRIMARY KEY (case_id, clock, day)
);

-- The board's figures as counters, moved by the same transactions that move the cases: gauges
-- (`open`, `yellow`, `red`; day '') and daily tallies (`received`, `accepted`, `decided`,
-- `decided_at_hall`, `on_the_spot`; day YYYYMMDD, Shanghai).
CREATE TABLE board_counts (
    region        TEXT NOT NULL,
    department_id BIGINT NOT NULL,
    hall_id       BIGINT NOT NULL,
    metric        TEXT NOT NULL,
    day           TEXT NOT NULL,
    n             BIGINT NOT NULL,
    PRIMARY KEY (region, department_id, hall_id, metric, day)
);

-- Cases already open when this migration runs count as open; their deadlines enter the index
-- when they next change or when the index is rebuilt.
INSERT INTO board_counts (region, department_id, hall_id, metric, day, n)
SELECT region, department_id, COALESCE(intake_hall_id, 0), 'open', '', COUNT(*)
FROM cases WHERE status NOT IN ('closed', 'not_accepted', 'withdrawn')
GROUP BY region, department_id, COALESCE(intake_hall_id, 0);

-- Set when cases were already open as this migration ran: the server indexes their deadlines
-- at its next start, then clears it.
CREATE TABLE watch_rebuild (id BIGINT PRIMARY KEY);
INSERT INTO watch_rebuild (id)
SELECT 1 WHERE EXISTS (SELECT 1 FROM cases WHERE status NOT IN ('closed', 'not_accepted', 'withdrawn'));
