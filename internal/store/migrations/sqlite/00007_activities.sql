-- +goose Up
-- Activities: calls, e-mails, meetings, tasks and notes, each linked to one
-- record (related_type/related_id). contact_id and account_id are derived
-- from that record when the activity is saved, so a contact's or an
-- account's timeline is a plain indexed lookup.
CREATE TABLE activities (
    id            INTEGER PRIMARY KEY,
    kind          TEXT NOT NULL,
    subject       TEXT NOT NULL,
    body          TEXT,
    due_at        TIMESTAMP,
    done          INTEGER NOT NULL DEFAULT 0,
    done_at       TIMESTAMP,
    related_type  TEXT,
    related_id    INTEGER,
    contact_id    INTEGER REFERENCES contacts(id) ON DELETE SET NULL,
    account_id    INTEGER REFERENCES accounts(id) ON DELETE SET NULL,
    -- When the owner was reminded of the due time; cleared when it moves.
    reminded_at   TIMESTAMP,
    owner_id      INTEGER REFERENCES users(id) ON DELETE SET NULL,
    custom        TEXT NOT NULL DEFAULT '{}',
    created_at    TIMESTAMP NOT NULL,
    updated_at    TIMESTAMP NOT NULL,
    created_by    INTEGER REFERENCES users(id) ON DELETE SET NULL,
    updated_by    INTEGER REFERENCES users(id) ON DELETE SET NULL,
    deleted_at    TIMESTAMP,
    version       INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX activities_created ON activities (created_at, id);
-- "My open tasks" and the reminders job.
CREATE INDEX activities_owner_open ON activities (owner_id, done, due_at);
CREATE INDEX activities_related ON activities (related_type, related_id);
-- Timelines: newest first by the activity's time.
CREATE INDEX activities_contact ON activities (contact_id, COALESCE(done_at, due_at, created_at));
CREATE INDEX activities_account ON activities (account_id, COALESCE(done_at, due_at, created_at));
CREATE INDEX activities_due ON activities (COALESCE(due_at, ''), id);
CREATE INDEX activities_kind ON activities (kind);
-- The reminders job looks for what falls due in the next minutes.
CREATE INDEX activities_due_at ON activities (due_at);
CREATE INDEX activities_subject ON activities (lower(COALESCE(subject, '')), id);

-- +goose Down
DROP TABLE activities;
