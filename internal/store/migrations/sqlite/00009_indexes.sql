-- +goose Up
-- Indexes for the list pages at 100,000 contacts (docs/performance.md,
-- "Issue 3: pages at 100,000 contacts"). Three kinds:
--
-- 1. The default order (newest first) with owner_id and deleted_at. List
--    queries on SQLite test both as +x.owner_id and +x.deleted_at (see
--    records.Store.listColumn), which keeps the planner from answering a
--    sales user's "owner_id = ? OR owner_id IS NULL" by reading and sorting
--    every record the user owns; it walks this index newest first instead
--    and stops after a page, skipping other users' and deleted records
--    without reading their rows. They replace the (created_at, id) indexes.
--    Not partial (WHERE deleted_at IS NULL): without statistics SQLite
--    takes a partial index for small and preferred reading one whole and
--    sorting to walking the index of the order (1.4 s for activities by due
--    date).
--
-- 2. Quick filters (the first select fields of a list) with the default
--    order: (field, created_at) finds "lifecycle_stage = customer" already
--    newest first, instead of reading every customer and sorting them. They
--    replace the single-column indexes of the same fields.
--
-- 3. The sort expression of every default list column that had none, as
--    records/sqlexpr.go writes it: lower(COALESCE(text, '')),
--    COALESCE(ref, -9223372036854775807), COALESCE(datetime, ''), and CASE
--    for booleans. The rowid is the last key of every SQLite index, so
--    "ORDER BY expr, id" is read straight from it.
--
-- contacts.last_activity_at loses its plain index for the sort one: without
-- statistics (SQLite has none until ANALYZE runs) the planner takes a range
-- on an index for selective, and answered "last_activity_at < -90d" — most
-- contacts — by reading them all and sorting (170 ms); walking the newest
-- contacts and testing the date stops after a page.

DROP INDEX contacts_created;
CREATE INDEX contacts_created_owner ON contacts (created_at, owner_id, deleted_at);
DROP INDEX contacts_lifecycle;
CREATE INDEX contacts_lifecycle_created ON contacts (lifecycle_stage, created_at);
DROP INDEX contacts_source;
CREATE INDEX contacts_source_created ON contacts (source, created_at);
CREATE INDEX contacts_role_created ON contacts (contact_role, created_at);
CREATE INDEX contacts_lifecycle_sort ON contacts (lower(COALESCE(lifecycle_stage, '')));
CREATE INDEX contacts_account_sort ON contacts (COALESCE(account_id, -9223372036854775807));
DROP INDEX contacts_last_activity;
CREATE INDEX contacts_last_activity_sort ON contacts (COALESCE(last_activity_at, ''));

CREATE INDEX accounts_industry_sort ON accounts (lower(COALESCE(industry, '')));
CREATE INDEX accounts_employees_sort ON accounts (COALESCE(employees, -9223372036854775807));

DROP INDEX leads_created;
CREATE INDEX leads_created_owner ON leads (created_at, owner_id, deleted_at);
DROP INDEX leads_status;
CREATE INDEX leads_status_created ON leads (status, created_at);
DROP INDEX leads_rating;
CREATE INDEX leads_rating_created ON leads (rating, created_at);
DROP INDEX leads_source;
CREATE INDEX leads_source_created ON leads (source, created_at);
DROP INDEX leads_overdue;
CREATE INDEX leads_overdue_created ON leads (overdue, created_at);
CREATE INDEX leads_email_sort ON leads (lower(COALESCE(email, '')));
CREATE INDEX leads_phone_sort ON leads (lower(COALESCE(phone, '')));
CREATE INDEX leads_rating_sort ON leads (lower(COALESCE(rating, '')));
CREATE INDEX leads_status_sort ON leads (lower(COALESCE(status, '')));

DROP INDEX deals_created;
CREATE INDEX deals_created_owner ON deals (created_at, owner_id, deleted_at);
CREATE INDEX deals_currency_created ON deals (currency, created_at);
CREATE INDEX deals_account_sort ON deals (COALESCE(account_id, -9223372036854775807));
CREATE INDEX deals_stage_sort ON deals (COALESCE(stage_id, -9223372036854775807));

DROP INDEX activities_created;
CREATE INDEX activities_created_owner ON activities (created_at, owner_id, deleted_at);
DROP INDEX activities_kind;
CREATE INDEX activities_kind_created ON activities (kind, created_at);
CREATE INDEX activities_related_created ON activities (related_type, created_at);
CREATE INDEX activities_kind_sort ON activities (lower(COALESCE(kind, '')));
CREATE INDEX activities_done_sort ON activities ((CASE WHEN done THEN 1 ELSE 0 END));
CREATE INDEX activities_contact_sort ON activities (COALESCE(contact_id, -9223372036854775807));

DROP INDEX orders_created;
CREATE INDEX orders_created_owner ON orders (created_at, owner_id, deleted_at);
DROP INDEX orders_status;
CREATE INDEX orders_status_created ON orders (status, created_at);
CREATE INDEX orders_currency_created ON orders (currency, created_at);
CREATE INDEX orders_status_sort ON orders (lower(COALESCE(status, '')));
CREATE INDEX orders_contact_sort ON orders (COALESCE(contact_id, -9223372036854775807));
CREATE INDEX orders_account_sort ON orders (COALESCE(account_id, -9223372036854775807));

-- +goose Down
DROP INDEX orders_account_sort;
DROP INDEX orders_contact_sort;
DROP INDEX orders_status_sort;
DROP INDEX orders_currency_created;
DROP INDEX orders_status_created;
CREATE INDEX orders_status ON orders (status);
DROP INDEX orders_created_owner;
CREATE INDEX orders_created ON orders (created_at, id);

DROP INDEX activities_contact_sort;
DROP INDEX activities_done_sort;
DROP INDEX activities_kind_sort;
DROP INDEX activities_related_created;
DROP INDEX activities_kind_created;
CREATE INDEX activities_kind ON activities (kind);
DROP INDEX activities_created_owner;
CREATE INDEX activities_created ON activities (created_at, id);

DROP INDEX deals_stage_sort;
DROP INDEX deals_account_sort;
DROP INDEX deals_currency_created;
DROP INDEX deals_created_owner;
CREATE INDEX deals_created ON deals (created_at, id);

DROP INDEX leads_status_sort;
DROP INDEX leads_rating_sort;
DROP INDEX leads_phone_sort;
DROP INDEX leads_email_sort;
DROP INDEX leads_overdue_created;
CREATE INDEX leads_overdue ON leads (overdue);
DROP INDEX leads_source_created;
CREATE INDEX leads_source ON leads (source);
DROP INDEX leads_rating_created;
CREATE INDEX leads_rating ON leads (rating);
DROP INDEX leads_status_created;
CREATE INDEX leads_status ON leads (status);
DROP INDEX leads_created_owner;
CREATE INDEX leads_created ON leads (created_at, id);

DROP INDEX accounts_employees_sort;
DROP INDEX accounts_industry_sort;

DROP INDEX contacts_last_activity_sort;
CREATE INDEX contacts_last_activity ON contacts (last_activity_at);
DROP INDEX contacts_account_sort;
DROP INDEX contacts_lifecycle_sort;
DROP INDEX contacts_role_created;
DROP INDEX contacts_source_created;
CREATE INDEX contacts_source ON contacts (source);
DROP INDEX contacts_lifecycle_created;
CREATE INDEX contacts_lifecycle ON contacts (lifecycle_stage);
DROP INDEX contacts_created_owner;
CREATE INDEX contacts_created ON contacts (created_at, id);
