-- +goose Up
-- Imports of CSV and XLSX files: one row per run (a dry run included), one
-- item per data row it read, and each user's last column mapping per entity.
CREATE TABLE imports (
    id             INTEGER PRIMARY KEY,
    entity         TEXT NOT NULL,
    file_name      TEXT NOT NULL,
    format         TEXT NOT NULL CHECK (format IN ('csv','xlsx')),
    headers        TEXT NOT NULL DEFAULT '[]',
    mapping        TEXT NOT NULL DEFAULT '[]',
    options        TEXT NOT NULL DEFAULT '{}',
    dry_run        INTEGER NOT NULL DEFAULT 0,
    status         TEXT NOT NULL CHECK (status IN ('pending','queued','running','done','failed','undoing','undone')),
    total_rows     INTEGER,
    -- Data rows read and committed so far; a resumed run starts after them.
    checkpoint     INTEGER NOT NULL DEFAULT 0,
    created_count  INTEGER NOT NULL DEFAULT 0,
    updated_count  INTEGER NOT NULL DEFAULT 0,
    skipped_count  INTEGER NOT NULL DEFAULT 0,
    failed_count   INTEGER NOT NULL DEFAULT 0,
    -- Records made along the way, such as a contact's new account.
    related_count  INTEGER NOT NULL DEFAULT 0,
    undone_count   INTEGER NOT NULL DEFAULT 0,
    kept_count     INTEGER NOT NULL DEFAULT 0,
    error          TEXT NOT NULL DEFAULT '',
    created_by     INTEGER REFERENCES users(id) ON DELETE SET NULL,
    undone_by      INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_at     TIMESTAMP NOT NULL,
    updated_at     TIMESTAMP NOT NULL,
    started_at     TIMESTAMP,
    finished_at    TIMESTAMP,
    undone_at      TIMESTAMP
);
CREATE INDEX imports_created_by ON imports (created_by, id);
CREATE INDEX imports_status ON imports (status);

CREATE TABLE import_items (
    id            INTEGER PRIMARY KEY,
    import_id     INTEGER NOT NULL REFERENCES imports(id) ON DELETE CASCADE,
    row_number    INTEGER NOT NULL,
    entity        TEXT NOT NULL,
    action        TEXT NOT NULL CHECK (action IN ('created','updated','skipped','failed')),
    record_id     INTEGER,
    -- The record's version right after this row wrote it.
    version       INTEGER,
    -- For updates: {"old": {field: value}, "new": {field: value}}.
    previous      TEXT,
    error         TEXT NOT NULL DEFAULT '',
    -- What undo did: trashed, restored, kept (changed since) or gone.
    undo          TEXT NOT NULL DEFAULT '',
    undo_version  INTEGER
);
CREATE INDEX import_items_import ON import_items (import_id, id);
CREATE INDEX import_items_action ON import_items (import_id, action, row_number);
CREATE INDEX import_items_record ON import_items (import_id, entity, record_id);

-- The dedupe keys (hashed e-mails, phones, …) of the rows a dry run has
-- passed: its records are rolled back batch by batch, and this is how a
-- later row still finds that it repeats an earlier one, without holding
-- every key of a large file in memory. Emptied when the dry run ends.
CREATE TABLE import_keys (
    import_id   INTEGER NOT NULL REFERENCES imports(id) ON DELETE CASCADE,
    key_hash    INTEGER NOT NULL,
    row_number  INTEGER NOT NULL,
    PRIMARY KEY (import_id, key_hash)
) WITHOUT ROWID;

CREATE TABLE import_mappings (
    user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    entity      TEXT NOT NULL,
    mapping     TEXT NOT NULL DEFAULT '{}',
    updated_at  TIMESTAMP NOT NULL,
    PRIMARY KEY (user_id, entity)
);

-- +goose Down
DROP TABLE import_mappings;
DROP TABLE import_keys;
DROP TABLE import_items;
DROP TABLE imports;
