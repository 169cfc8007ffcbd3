-- +goose Up
-- The filter's startswith on e-mails and phones ("emails startswith
-- 'budi'", "phones startswith '0812'") is a range compared byte by byte,
-- col COLLATE "C" >= 'budi' AND col COLLATE "C" < 'budj' (internal/filter,
-- Prefix; internal/records, prefix.go). An index serves it only when it
-- has the same collation, whatever the database's own is (en_US.UTF-8 and
-- C.UTF-8 order otherwise, and their indexes serve neither this range nor
-- LIKE 'budi%'), so each gets an index in "C". The indexes in the
-- database's collation stay: they serve = (duplicates, imports, the
-- e-mail of a contact) and the sorts.
--
-- The range matches e-mails without regard to case because they are stored
-- lower-cased (records.Field.Accept; contacts' AfterSave lowers them into
-- contact_emails again): rows written around it are lowered here, and of
-- a contact's rows that lowering would make one, one is kept.
DELETE FROM contact_emails a USING contact_emails b
WHERE a.contact_id = b.contact_id AND a.email <> lower(a.email) AND lower(b.email) = lower(a.email) AND b.email <> a.email
  AND (b.email = lower(b.email) OR b.email COLLATE "C" < a.email COLLATE "C");
UPDATE contact_emails SET email = lower(email) WHERE email <> lower(email);

CREATE INDEX contact_emails_prefix ON contact_emails (email COLLATE "C", contact_id);
CREATE INDEX contact_phones_prefix ON contact_phones (phone COLLATE "C", contact_id);
CREATE INDEX leads_email_prefix ON leads (lower(COALESCE(email, '')) COLLATE "C");
CREATE INDEX leads_phone_prefix ON leads (phone COLLATE "C");
CREATE INDEX accounts_phone_prefix ON accounts (phone COLLATE "C");

-- +goose Down
DROP INDEX accounts_phone_prefix;
DROP INDEX leads_phone_prefix;
DROP INDEX leads_email_prefix;
DROP INDEX contact_phones_prefix;
DROP INDEX contact_emails_prefix;
