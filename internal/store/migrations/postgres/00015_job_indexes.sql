-- +goose Up
-- The minute jobs at a million records (docs/performance.md): the overdue
-- check walks only the leads still waiting and not yet flagged, rather
-- than every waiting lead (flagged ones stay waiting until answered).
CREATE INDEX leads_waiting_open ON leads (response_due_at) WHERE first_response_at IS NULL AND NOT overdue;

-- +goose Down
DROP INDEX leads_waiting_open;
