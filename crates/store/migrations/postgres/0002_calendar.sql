-- The working-day calendar in force: one row per loaded year (its State Council notice and where
-- the data came from) and one row per date that differs from "Monday to Friday work".
-- Dates are TEXT 'YYYY-MM-DD'; instants BIGINT milliseconds since the Unix epoch (UTC).

CREATE TABLE calendar_years (
    year       BIGINT PRIMARY KEY,
    notice     TEXT NOT NULL,
    -- 'shipped:<data version>' | 'admin' | 'ics'
    source     TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE calendar_days (
    date TEXT PRIMARY KEY,
    year BIGINT NOT NULL REFERENCES calendar_years(year),
    -- holiday | makeup_workday | local_closure | extra_workday
    kind TEXT NOT NULL,
    name TEXT NOT NULL
);

CREATE INDEX calendar_days_year ON calendar_days (year);
