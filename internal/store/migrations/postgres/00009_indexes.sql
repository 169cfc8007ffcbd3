-- +goose Up
-- Indexes for the list pages at 100,000 contacts (docs/performance.md,
-- "Issue 3: pages at 100,000 contacts"). Two kinds:
--
-- 1. Quick filters (the first select fields of a list) with the default
--    order: (field, created_at) finds "lifecycle_stage = customer" already
--    newest first, instead of reading every customer and sorting them. They
--    replace the single-column indexes of the same fields.
--
-- 2. The sort expression of every default list column that had none, as
--    records/sqlexpr.go writes it, with the id that ends every list order:
--    without one, sorting 300,000 activities by kind took 300 ms.
--    contacts_city and accounts_city gain the id for the same reason.
--
-- SQLite's version of this migration also replaces the (created_at, id)
-- indexes; PostgreSQL plans the sales users' owner scope from statistics
-- and needs no such help.

DROP INDEX contacts_lifecycle;
CREATE INDEX contacts_lifecycle_created ON contacts (lifecycle_stage, created_at);
DROP INDEX contacts_source;
CREATE INDEX contacts_source_created ON contacts (source, created_at);
CREATE INDEX contacts_role_created ON contacts (contact_role, created_at);
CREATE INDEX contacts_lifecycle_sort ON contacts (lower(COALESCE(lifecycle_stage, '')), id);
CREATE INDEX contacts_account_sort ON contacts (COALESCE(account_id, -9223372036854775807), id);
CREATE INDEX contacts_last_activity_sort ON contacts (COALESCE(last_activity_at, TIMESTAMPTZ '0001-01-01 00:00:00+00'), id);
DROP INDEX contacts_city;
CREATE INDEX contacts_city ON contacts (lower(COALESCE(city, '')), id);

CREATE INDEX accounts_industry_sort ON accounts (lower(COALESCE(industry, '')), id);
CREATE INDEX accounts_employees_sort ON accounts (COALESCE(employees, -9223372036854775807), id);
DROP INDEX accounts_city;
CREATE INDEX accounts_city ON accounts (lower(COALESCE(city, '')), id);

DROP INDEX leads_status;
CREATE INDEX leads_status_created ON leads (status, created_at);
DROP INDEX leads_rating;
CREATE INDEX leads_rating_created ON leads (rating, created_at);
DROP INDEX leads_source;
CREATE INDEX leads_source_created ON leads (source, created_at);
DROP INDEX leads_overdue;
CREATE INDEX leads_overdue_created ON leads (overdue, created_at);
CREATE INDEX leads_email_sort ON leads (lower(COALESCE(email, '')), id);
CREATE INDEX leads_phone_sort ON leads (lower(COALESCE(phone, '')), id);
CREATE INDEX leads_rating_sort ON leads (lower(COALESCE(rating, '')), id);
CREATE INDEX leads_status_sort ON leads (lower(COALESCE(status, '')), id);

CREATE INDEX deals_currency_created ON deals (currency, created_at);
CREATE INDEX deals_account_sort ON deals (COALESCE(account_id, -9223372036854775807), id);
CREATE INDEX deals_stage_sort ON deals (COALESCE(stage_id, -9223372036854775807), id);

DROP INDEX activities_kind;
CREATE INDEX activities_kind_created ON activities (kind, created_at);
CREATE INDEX activities_related_created ON activities (related_type, created_at);
CREATE INDEX activities_kind_sort ON activities (lower(COALESCE(kind, '')), id);
CREATE INDEX activities_done_sort ON activities ((CASE WHEN done THEN 1 ELSE 0 END), id);
CREATE INDEX activities_contact_sort ON activities (COALESCE(contact_id, -9223372036854775807), id);

DROP INDEX orders_status;
CREATE INDEX orders_status_created ON orders (status, created_at);
CREATE INDEX orders_currency_created ON orders (currency, created_at);
CREATE INDEX orders_status_sort ON orders (lower(COALESCE(status, '')), id);
CREATE INDEX orders_contact_sort ON orders (COALESCE(contact_id, -9223372036854775807), id);
CREATE INDEX orders_account_sort ON orders (COALESCE(account_id, -9223372036854775807), id);

-- Statistics for the new expressions, so that a database upgraded with
-- data in it plans with them at once rather than after autovacuum.
ANALYZE contacts, accounts, leads, deals, activities, orders;

-- +goose Down
DROP INDEX orders_account_sort;
DROP INDEX orders_contact_sort;
DROP INDEX orders_status_sort;
DROP INDEX orders_currency_created;
DROP INDEX orders_status_created;
CREATE INDEX orders_status ON orders (status);

DROP INDEX activities_contact_sort;
DROP INDEX activities_done_sort;
DROP INDEX activities_kind_sort;
DROP INDEX activities_related_created;
DROP INDEX activities_kind_created;
CREATE INDEX activities_kind ON activities (kind);

DROP INDEX deals_stage_sort;
DROP INDEX deals_account_sort;
DROP INDEX deals_currency_created;

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

DROP INDEX accounts_city;
CREATE INDEX accounts_city ON accounts (lower(COALESCE(city, '')));
DROP INDEX accounts_employees_sort;
DROP INDEX accounts_industry_sort;

DROP INDEX contacts_city;
CREATE INDEX contacts_city ON contacts (lower(COALESCE(city, '')));
DROP INDEX contacts_last_activity_sort;
DROP INDEX contacts_account_sort;
DROP INDEX contacts_lifecycle_sort;
DROP INDEX contacts_role_created;
DROP INDEX contacts_source_created;
CREATE INDEX contacts_source ON contacts (source);
DROP INDEX contacts_lifecycle_created;
CREATE INDEX contacts_lifecycle ON contacts (lifecycle_stage);
