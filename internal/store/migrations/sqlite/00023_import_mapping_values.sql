-- +goose Up
-- What each value of a choice column became in a user's last import into
-- an entity (field → value in the file → decision), offered for the next
-- file beside the remembered column mapping.
ALTER TABLE import_mappings ADD COLUMN choice_values TEXT NOT NULL DEFAULT '{}';

-- +goose Down
ALTER TABLE import_mappings DROP COLUMN choice_values;
