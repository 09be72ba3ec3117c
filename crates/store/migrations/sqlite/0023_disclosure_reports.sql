-- The annual disclosure report (国办公开办函〔2021〕30号): the figures are computed from the
-- requests each time; what is kept is what people write and do. `scope` is the agency
-- (`dept:{id}`) or the region rolled up (`region:{code}`); `sections` is the narrative text
-- as JSON (section wire name → text); `published_at` the publication; `reminded_at` when the
-- office's heads were reminded to publish (from 1 January, due 31 January).
CREATE TABLE disclosure_reports (
    scope         TEXT NOT NULL,
    year          BIGINT NOT NULL,
    sections      TEXT NOT NULL,
    published_at  BIGINT,
    reminded_at   BIGINT,
    updated_by    BIGINT,
    updated_at    BIGINT NOT NULL,
    PRIMARY KEY (scope, year)
);

-- The report reads a region's (or an agency's) requests received before a year's end.
CREATE INDEX disclosure_requests_report ON disclosure_requests (region, received_at);
CREATE INDEX disclosure_requests_dept_report ON disclosure_requests (department_id, received_at);
