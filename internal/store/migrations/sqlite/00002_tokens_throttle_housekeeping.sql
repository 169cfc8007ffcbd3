-- +goose Up
-- API tokens, login throttling and the record of housekeeping runs.
CREATE TABLE api_tokens (
    id            INTEGER PRIMARY KEY,
    user_id       INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name          TEXT NOT NULL,
    token_hash    TEXT NOT NULL,
    token_prefix  TEXT NOT NULL,
    created_at    TIMESTAMP NOT NULL,
    last_used_at  TIMESTAMP,
    expires_at    TIMESTAMP,
    revoked_at    TIMESTAMP
);
CREATE UNIQUE INDEX api_tokens_token_hash_key ON api_tokens (token_hash);
CREATE INDEX api_tokens_user_id_idx ON api_tokens (user_id, id);

-- One row per failed login; rows older than the throttle window are purged
-- by housekeeping. Kept in the database so that every relasi process behind
-- a load balancer sees the same count.
CREATE TABLE login_failures (
    id          INTEGER PRIMARY KEY,
    email       TEXT NOT NULL,
    ip          TEXT NOT NULL,
    failed_at   TIMESTAMP NOT NULL
);
CREATE INDEX login_failures_email_idx ON login_failures (email, failed_at);
CREATE INDEX login_failures_ip_idx ON login_failures (ip, failed_at);

CREATE TABLE housekeeping_runs (
    id                      INTEGER PRIMARY KEY,
    job_id                  INTEGER NOT NULL,
    instance                TEXT NOT NULL,
    ran_at                  TIMESTAMP NOT NULL,
    sessions_deleted        INTEGER NOT NULL,
    login_failures_deleted  INTEGER NOT NULL
);
CREATE INDEX housekeeping_runs_ran_at_idx ON housekeeping_runs (ran_at);

-- +goose Down
DROP TABLE housekeeping_runs;
DROP TABLE login_failures;
DROP TABLE api_tokens;
