-- +goose Up
-- last_activity_at counts only activities that happened: done ones, at
-- their done_at, never in the future (internal/activities,
-- refreshLastActivity). Before, an open task or a meeting still to come
-- counted at its due time, so a contact with a task due tomorrow had its
-- "last activity" tomorrow. Recompute every contact and account; the
-- version moves only where the value changes.
UPDATE contacts SET last_activity_at = latest.at, version = contacts.version + 1
FROM (SELECT c.id, (SELECT max(a.done_at) FROM activities a
        WHERE a.contact_id = c.id AND a.deleted_at IS NULL AND a.done_at IS NOT NULL
          AND a.done_at <= strftime('%Y-%m-%d %H:%M:%f+00:00', 'now')) AS at
      FROM contacts c) latest
WHERE contacts.id = latest.id AND contacts.last_activity_at IS NOT latest.at;

UPDATE accounts SET last_activity_at = latest.at, version = accounts.version + 1
FROM (SELECT c.id, (SELECT max(a.done_at) FROM activities a
        WHERE a.account_id = c.id AND a.deleted_at IS NULL AND a.done_at IS NOT NULL
          AND a.done_at <= strftime('%Y-%m-%d %H:%M:%f+00:00', 'now')) AS at
      FROM accounts c) latest
WHERE accounts.id = latest.id AND accounts.last_activity_at IS NOT latest.at;

-- +goose Down
-- The old values are not kept; the new rule stays valid with the old code.
SELECT 1;
