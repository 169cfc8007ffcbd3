-- +goose Up
-- Two-factor sign-in (TOTP, RFC 6238). totp_secret is the base32 secret,
-- set when enrolment starts; totp_enabled_at is set once the user has
-- confirmed it with a code. totp_last_step is the time step of the last
-- code accepted, so a code cannot be used twice.
ALTER TABLE users ADD COLUMN totp_secret TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN totp_enabled_at TIMESTAMP;
ALTER TABLE users ADD COLUMN totp_last_step INTEGER NOT NULL DEFAULT 0;

-- One-time recovery codes, stored as SHA-256 digests (they are random
-- and long, like tokens).
CREATE TABLE recovery_codes (
    id          INTEGER PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    code_hash   TEXT NOT NULL,
    created_at  TIMESTAMP NOT NULL,
    used_at     TIMESTAMP
);
CREATE INDEX recovery_codes_user_id_idx ON recovery_codes (user_id);

-- A sign-in whose password was right and that waits for the second
-- factor. The browser holds the secret; housekeeping purges expired rows.
CREATE TABLE signin_challenges (
    id          INTEGER PRIMARY KEY,
    token_hash  TEXT NOT NULL,
    user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    ip          TEXT NOT NULL,
    created_at  TIMESTAMP NOT NULL,
    expires_at  TIMESTAMP NOT NULL,
    attempts    INTEGER NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX signin_challenges_token_hash_key ON signin_challenges (token_hash);
CREATE INDEX signin_challenges_expires_at_idx ON signin_challenges (expires_at);

-- Sign-in throttling counts failures per (e-mail, IP address) pair.
CREATE INDEX login_failures_pair_idx ON login_failures (email, ip, failed_at);

-- +goose Down
DROP INDEX login_failures_pair_idx;
DROP TABLE signin_challenges;
DROP TABLE recovery_codes;
ALTER TABLE users DROP COLUMN totp_last_step;
ALTER TABLE users DROP COLUMN totp_enabled_at;
ALTER TABLE users DROP COLUMN totp_secret;
