-- +goose Up
-- startswith on names is a range on lower(COALESCE(col, '')) (internal/
-- records, prefix.go, Field.PrefixIndex). On SQLite the sort indexes on
-- that expression (contacts_first_name, contacts_last_name,
-- leads_first_name, leads_last_name, accounts_name) compare in byte order
-- already and serve it; PostgreSQL gets twins in "C" in this migration.
SELECT 1;

-- +goose Down
SELECT 1;
