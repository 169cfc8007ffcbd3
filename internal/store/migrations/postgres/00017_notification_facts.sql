-- +goose Up
-- Notifications store what happened (a catalog key and its arguments) and
-- are worded when shown, in the reader's language at that time; message
-- keeps the text of notifications written before, shown as stored.
ALTER TABLE notifications ADD COLUMN message_key TEXT NOT NULL DEFAULT '';
ALTER TABLE notifications ADD COLUMN message_args TEXT NOT NULL DEFAULT '[]';

-- +goose Down
ALTER TABLE notifications DROP COLUMN message_args;
ALTER TABLE notifications DROP COLUMN message_key;
