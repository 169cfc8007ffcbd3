-- +goose Up
-- What every CRM record type shares: custom field definitions, the history
-- of changes, saved list views and in-app notifications.
CREATE TABLE custom_fields (
    id          INTEGER PRIMARY KEY,
    entity      TEXT NOT NULL,
    key         TEXT NOT NULL,
    label       TEXT NOT NULL,
    kind        TEXT NOT NULL,
    choices     TEXT NOT NULL DEFAULT '[]',
    required    INTEGER NOT NULL DEFAULT 0,
    currency    TEXT NOT NULL DEFAULT '',
    position    INTEGER NOT NULL DEFAULT 0,
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL,
    version     INTEGER NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX custom_fields_entity_key ON custom_fields (entity, key);

-- One row per change to a record: who, when, what (field → [old, new]).
CREATE TABLE record_changes (
    id          INTEGER PRIMARY KEY,
    entity      TEXT NOT NULL,
    record_id   INTEGER NOT NULL,
    action      TEXT NOT NULL,
    actor_id    INTEGER REFERENCES users(id) ON DELETE SET NULL,
    at          TIMESTAMP NOT NULL,
    changes     TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX record_changes_record ON record_changes (entity, record_id, id);
CREATE INDEX record_changes_at ON record_changes (at);

CREATE TABLE saved_views (
    id          INTEGER PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    entity      TEXT NOT NULL,
    name        TEXT NOT NULL,
    filter      TEXT NOT NULL DEFAULT '',
    sort        TEXT NOT NULL DEFAULT '',
    columns     TEXT NOT NULL DEFAULT '[]',
    shared      INTEGER NOT NULL DEFAULT 0,
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL
);
CREATE INDEX saved_views_user ON saved_views (user_id, entity);

CREATE TABLE notifications (
    id          INTEGER PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    kind        TEXT NOT NULL,
    message     TEXT NOT NULL,
    link        TEXT NOT NULL DEFAULT '',
    created_at  TIMESTAMP NOT NULL,
    read_at     TIMESTAMP
);
CREATE INDEX notifications_user ON notifications (user_id, read_at, id);

-- +goose Down
DROP TABLE notifications;
DROP TABLE saved_views;
DROP TABLE record_changes;
DROP TABLE custom_fields;
