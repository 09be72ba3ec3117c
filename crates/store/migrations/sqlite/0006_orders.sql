-- Supervision orders (督办): issued by a supervisor to a department on a case, answered by the
-- department's head with its rectification by a deadline on the working-day clock, closed by
-- the supervisor. An order left unanswered past its deadline is escalated.

CREATE TABLE supervision_orders (
    id            INTEGER PRIMARY KEY,
    case_id       BIGINT NOT NULL REFERENCES cases(id),
    case_number   TEXT NOT NULL,
    finding_id    BIGINT REFERENCES findings(id),
    department_id BIGINT NOT NULL REFERENCES departments(id),
    region        TEXT NOT NULL,
    instruction   TEXT NOT NULL,
    reply_days    BIGINT NOT NULL,
    due_at        BIGINT NOT NULL,
    status        TEXT NOT NULL,
    issued_by     BIGINT NOT NULL,
    issued_at     BIGINT NOT NULL,
    reply         TEXT,
    replied_by    BIGINT,
    replied_at    BIGINT,
    close_note    TEXT,
    closed_by     BIGINT,
    closed_at     BIGINT,
    escalated_at  BIGINT
);
CREATE INDEX orders_region ON supervision_orders (region, status);
CREATE INDEX orders_department ON supervision_orders (department_id, status);
CREATE INDEX orders_due ON supervision_orders (due_at) WHERE status = 'issued' AND escalated_at IS NULL;
