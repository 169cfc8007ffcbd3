-- +goose Up
-- startswith on names (first_name, last_name of contacts and leads, an
-- account's name) is a range on lower(COALESCE(col, '')) compared byte by
-- byte, COLLATE "C" (internal/records, prefix.go, Field.PrefixIndex), as
-- for e-mails and phones in 00022. The sort indexes on the same expression
-- are in the database's collation, which serves neither the range nor
-- LIKE 'bud%'; these twins in "C" serve it.
CREATE INDEX contacts_first_name_prefix ON contacts ((lower(COALESCE(first_name, '')) COLLATE "C"));
CREATE INDEX contacts_last_name_prefix ON contacts ((lower(COALESCE(last_name, '')) COLLATE "C"));
CREATE INDEX leads_first_name_prefix ON leads ((lower(COALESCE(first_name, '')) COLLATE "C"));
CREATE INDEX leads_last_name_prefix ON leads ((lower(COALESCE(last_name, '')) COLLATE "C"));
CREATE INDEX accounts_name_prefix ON accounts ((lower(COALESCE(name, '')) COLLATE "C"));

-- +goose Down
DROP INDEX accounts_name_prefix;
DROP INDEX leads_last_name_prefix;
DROP INDEX leads_first_name_prefix;
DROP INDEX contacts_last_name_prefix;
DROP INDEX contacts_first_name_prefix;
