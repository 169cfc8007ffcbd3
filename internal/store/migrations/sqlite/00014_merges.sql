-- +goose Up
-- Duplicates and merges: what likely duplicates are found by, the pairs
-- users said are not duplicates, and the log of every merge with what it
-- moved, so that a merge can be undone.

-- What likely duplicates are found by, kept up to date by the duplicates
-- module before each search for the records whose stamp (version and
-- creation time) changed since: each record's keys — its e-mails, phones,
-- web domain (kind 'email', 'phone', 'domain'), its normalised name (kind
-- 'name', computed in Go: diacritics, punctuation and legal forms such as
-- PT or Tbk removed) and the first letters of each word of it (kind
-- 'block', under which similar names are compared) — and the pairs of
-- records that share a key or have similar names. Name and block values
-- start with what similar names must share and a "|": the account of a
-- contact, the company of a lead, nothing for accounts.
CREATE TABLE duplicate_state (
    entity     TEXT NOT NULL,
    record_id  INTEGER NOT NULL,
    stamp      TEXT NOT NULL,
    PRIMARY KEY (entity, record_id)
);
CREATE TABLE duplicate_keys (
    entity     TEXT NOT NULL,
    record_id  INTEGER NOT NULL,
    kind       TEXT NOT NULL,
    value      TEXT NOT NULL,
    PRIMARY KEY (entity, record_id, kind, value)
);
CREATE INDEX duplicate_keys_lookup ON duplicate_keys (entity, kind, value, record_id);
CREATE TABLE duplicate_pairs (
    entity   TEXT NOT NULL,
    low_id   INTEGER NOT NULL,
    high_id  INTEGER NOT NULL,
    reason   TEXT NOT NULL,
    value    TEXT NOT NULL,
    PRIMARY KEY (entity, low_id, high_id, reason, value),
    CHECK (low_id < high_id)
);
CREATE INDEX duplicate_pairs_high ON duplicate_pairs (entity, high_id);

-- Pairs a user said are not duplicates (low_id < high_id); they are no
-- longer offered.
CREATE TABLE duplicate_dismissals (
    entity        TEXT NOT NULL,
    low_id        INTEGER NOT NULL,
    high_id       INTEGER NOT NULL,
    dismissed_by  INTEGER REFERENCES users(id) ON DELETE SET NULL,
    dismissed_at  TIMESTAMP NOT NULL,
    PRIMARY KEY (entity, low_id, high_id),
    CHECK (low_id < high_id)
);

-- One row per merge. survivor_before and survivor_after are the survivor
-- as the API showed it before and right after the merge: an undo restores
-- the first, and only while the survivor's values are still the second.
-- titles holds every involved record's name then.
CREATE TABLE merges (
    id                INTEGER PRIMARY KEY,
    entity            TEXT NOT NULL,
    survivor_id       INTEGER NOT NULL,
    merged_ids        TEXT NOT NULL,
    titles            TEXT NOT NULL DEFAULT '{}',
    survivor_before   TEXT NOT NULL,
    survivor_after    TEXT NOT NULL,
    actor_id          INTEGER REFERENCES users(id) ON DELETE SET NULL,
    merged_at         TIMESTAMP NOT NULL,
    undone_at         TIMESTAMP,
    undone_by         INTEGER REFERENCES users(id) ON DELETE SET NULL
);
CREATE INDEX merges_survivor ON merges (entity, survivor_id, id);
CREATE INDEX merges_entity ON merges (entity, id);

-- Every reference a merge moved from a merged record to the survivor: the
-- row (ref_table.id = row_id) whose ref_column held old_value.
CREATE TABLE merge_references (
    merge_id    INTEGER NOT NULL REFERENCES merges(id) ON DELETE CASCADE,
    ref_table   TEXT NOT NULL,
    ref_column  TEXT NOT NULL,
    row_id      INTEGER NOT NULL,
    old_value   INTEGER NOT NULL,
    PRIMARY KEY (merge_id, ref_table, ref_column, row_id)
);

-- Lookups a merge and the duplicate search make that had no index.
CREATE INDEX accounts_phone ON accounts (phone);
CREATE INDEX leads_converted_account ON leads (converted_account_id);

-- +goose Down
DROP INDEX leads_converted_account;
DROP INDEX accounts_phone;
DROP TABLE merge_references;
DROP TABLE merges;
DROP TABLE duplicate_dismissals;
DROP TABLE duplicate_pairs;
DROP TABLE duplicate_keys;
DROP TABLE duplicate_state;
