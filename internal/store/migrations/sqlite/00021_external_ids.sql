-- +goose Up
-- The IDs records had in the system they were imported from (HubSpot,
-- Salesforce, Zoho, Pipedrive, …): one system:id belongs to one record of
-- an entity. A record keeps its IDs in the trash (restored, it is found by
-- them again); an import that makes a new record for the ID of a trashed
-- one takes the ID over; purging or erasing the record drops them.
-- import_id is the import that attached the ID: its undo takes it back.
CREATE TABLE external_ids (
    entity       TEXT NOT NULL,
    record_id    INTEGER NOT NULL,
    system       TEXT NOT NULL,
    external_id  TEXT NOT NULL,
    import_id    INTEGER REFERENCES imports(id) ON DELETE SET NULL,
    created_at   TIMESTAMP NOT NULL,
    PRIMARY KEY (entity, system, external_id)
);
CREATE INDEX external_ids_record ON external_ids (entity, record_id);
CREATE INDEX external_ids_import ON external_ids (import_id) WHERE import_id IS NOT NULL;

-- +goose Down
DROP TABLE external_ids;
