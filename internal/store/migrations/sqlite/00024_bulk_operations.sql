-- +goose Up
-- A change made to many records at once from a list — a new owner, a
-- status, a tag, the trash — kept so that it can be undone as one
-- operation. Each record it touched has an item with the values it had.
CREATE TABLE bulk_operations (
    id           INTEGER PRIMARY KEY,
    entity       TEXT NOT NULL,
    action       TEXT NOT NULL CHECK (action IN ('assign','set','tag_add','tag_remove','delete')),
    field        TEXT NOT NULL DEFAULT '',
    value        TEXT NOT NULL DEFAULT '',
    -- The records chosen: every one matching filter (all_matching), or
    -- the IDs of its items.
    all_matching BOOLEAN NOT NULL DEFAULT 0,
    filter       TEXT NOT NULL DEFAULT '',
    status       TEXT NOT NULL CHECK (status IN ('queued','running','done','failed','undoing','undone')),
    total        INTEGER NOT NULL DEFAULT 0,
    done_count   INTEGER NOT NULL DEFAULT 0,
    changed_count INTEGER NOT NULL DEFAULT 0,
    failed_count INTEGER NOT NULL DEFAULT 0,
    undone_count INTEGER NOT NULL DEFAULT 0,
    kept_count   INTEGER NOT NULL DEFAULT 0,
    error        TEXT NOT NULL DEFAULT '',
    created_by   INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_at   TIMESTAMP NOT NULL,
    updated_at   TIMESTAMP NOT NULL
);
CREATE INDEX bulk_operations_creator ON bulk_operations (created_by, id);

CREATE TABLE bulk_items (
    operation_id INTEGER NOT NULL REFERENCES bulk_operations(id) ON DELETE CASCADE,
    record_id    INTEGER NOT NULL,
    -- pending, changed (previous holds what it had), unchanged, failed
    -- (error says why), then undone or kept (changed again since).
    state        TEXT NOT NULL DEFAULT 'pending',
    previous     TEXT,
    version      INTEGER,
    error        TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (operation_id, record_id)
);
CREATE INDEX bulk_items_state ON bulk_items (operation_id, state, record_id);

-- +goose Down
DROP TABLE bulk_items;
DROP TABLE bulk_operations;
