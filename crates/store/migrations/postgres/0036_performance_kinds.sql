-- 绩效考评 by an item's type and by what is still open: each item version carries its
-- handling kind (即办件 or 承诺件) beside its document, so 即办件占比 counts cases by the
-- version they were filed under; and open cases are found by their due time, so 超时件数
-- counts the cases still open past their deadline at a period's end.
ALTER TABLE item_versions ADD COLUMN handling TEXT NOT NULL DEFAULT 'committed';
UPDATE item_versions SET handling = COALESCE(document::jsonb ->> 'handling', 'committed');
CREATE INDEX cases_due ON cases (due_at) WHERE due_at IS NOT NULL;
CREATE INDEX disclosure_replied ON disclosure_requests (replied_at) WHERE replied_at IS NOT NULL;
