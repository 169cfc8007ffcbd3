-- +goose Up
-- The filter's startswith on e-mails and phones ("emails startswith
-- 'budi'", "phones startswith '0812'") is a range the index of the stored
-- form serves: col >= 'budi' AND col < 'budj' (internal/filter, Prefix;
-- internal/records, prefix.go). SQLite compares text byte by byte
-- (BINARY), so plain indexes serve the ranges:
--
--   contacts' e-mails and phones  contact_emails (email), contact_phones (phone):
--                                 with contact_id now, so the range reads the
--                                 index alone (it serves = as before)
--   leads.email                   leads_email_sort, lower(COALESCE(email, '')) (00009)
--   leads.phone                   leads_phone (00005)
--   accounts.phone                accounts_phone (00014)
--
-- The range matches e-mails without regard to case because they are stored
-- lower-cased (records.Field.Accept; contacts' AfterSave lowers them into
-- contact_emails again): rows written around it are lowered here, a
-- contact's duplicate that lowering makes is dropped.
UPDATE OR IGNORE contact_emails SET email = lower(email) WHERE email <> lower(email);
DELETE FROM contact_emails WHERE email <> lower(email);

DROP INDEX contact_emails_email;
CREATE INDEX contact_emails_email ON contact_emails (email, contact_id);
DROP INDEX contact_phones_phone;
CREATE INDEX contact_phones_phone ON contact_phones (phone, contact_id);

-- +goose Down
DROP INDEX contact_phones_phone;
CREATE INDEX contact_phones_phone ON contact_phones (phone);
DROP INDEX contact_emails_email;
CREATE INDEX contact_emails_email ON contact_emails (email);
