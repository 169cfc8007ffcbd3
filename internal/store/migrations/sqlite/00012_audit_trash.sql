-- +goose Up
-- The audit page and the trash.
--
-- The audit lists record_changes newest first (by id) under any one of its
-- filters: these indexes serve the actor, action and entity filters;
-- record_changes_record (entity, record_id, id) already serves one record
-- and record_changes_at a date range.
CREATE INDEX record_changes_actor ON record_changes (actor_id, id);
CREATE INDEX record_changes_action ON record_changes (action, id);
CREATE INDEX record_changes_entity ON record_changes (entity, id);

-- What is in each entity's trash, by when it was deleted: the trash page
-- lists it newest first, the purge job takes what is older than the
-- retention period. Partial, so an index holds only the trash.
CREATE INDEX accounts_trash ON accounts (deleted_at, id) WHERE deleted_at IS NOT NULL;
CREATE INDEX contacts_trash ON contacts (deleted_at, id) WHERE deleted_at IS NOT NULL;
CREATE INDEX leads_trash ON leads (deleted_at, id) WHERE deleted_at IS NOT NULL;
CREATE INDEX deals_trash ON deals (deleted_at, id) WHERE deleted_at IS NOT NULL;
CREATE INDEX activities_trash ON activities (deleted_at, id) WHERE deleted_at IS NOT NULL;
CREATE INDEX products_trash ON products (deleted_at, id) WHERE deleted_at IS NOT NULL;
CREATE INDEX orders_trash ON orders (deleted_at, id) WHERE deleted_at IS NOT NULL;

-- Purging a record clears the links to it; this one had no index (the
-- other links' columns have theirs): the lead a purged deal came from.
CREATE INDEX leads_converted_opportunity ON leads (converted_opportunity_id);

-- Company-wide settings, one text value per key (trash_retention_days, …).
-- A key without a row has its default, which the code that reads it knows.
CREATE TABLE settings (
    key         TEXT PRIMARY KEY,
    value       TEXT NOT NULL,
    updated_at  TIMESTAMP NOT NULL
);

-- +goose Down
DROP TABLE settings;
DROP INDEX leads_converted_opportunity;
DROP INDEX orders_trash;
DROP INDEX products_trash;
DROP INDEX activities_trash;
DROP INDEX deals_trash;
DROP INDEX leads_trash;
DROP INDEX contacts_trash;
DROP INDEX accounts_trash;
DROP INDEX record_changes_entity;
DROP INDEX record_changes_action;
DROP INDEX record_changes_actor;
