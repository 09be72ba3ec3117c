-- The period's facts for performance scores are read by time range, one grouped query per
-- indicator: decided and received cases, findings raised, orders issued, ratings by month.
-- (After 0030, which rebuilds findings and supervision_orders on SQLite.)
CREATE INDEX cases_decided ON cases (decided_at) WHERE decided_at IS NOT NULL;
CREATE INDEX cases_received ON cases (received_at);
CREATE INDEX findings_created ON findings (created_at);
CREATE INDEX orders_issued ON supervision_orders (issued_at);
CREATE INDEX ratings_by_month ON ratings (month);
