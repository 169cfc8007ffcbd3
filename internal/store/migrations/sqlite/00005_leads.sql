-- +goose Up
-- Leads, with their score, response clock and conversion links, and the
-- speed-to-lead settings: response target, assignment mode, rules and the
-- round-robin cursor of each team.
CREATE TABLE leads (
    id                        INTEGER PRIMARY KEY,
    first_name                TEXT NOT NULL,
    last_name                 TEXT,
    company                   TEXT,
    job_title                 TEXT,
    email                     TEXT,
    phone                     TEXT,
    rating                    TEXT,
    status                    TEXT NOT NULL DEFAULT 'new',
    source                    TEXT,
    city                      TEXT,
    score                     INTEGER NOT NULL DEFAULT 0,
    score_reasons             TEXT,
    assigned_at               TIMESTAMP,
    response_due_at           TIMESTAMP,
    first_response_at         TIMESTAMP,
    response_seconds          INTEGER,
    overdue                   INTEGER NOT NULL DEFAULT 0,
    converted_at              TIMESTAMP,
    converted_contact_id      INTEGER REFERENCES contacts(id) ON DELETE SET NULL,
    converted_account_id      INTEGER REFERENCES accounts(id) ON DELETE SET NULL,
    -- No foreign key: deals live in a table of their own module.
    converted_opportunity_id  INTEGER,
    owner_id                  INTEGER REFERENCES users(id) ON DELETE SET NULL,
    custom                    TEXT NOT NULL DEFAULT '{}',
    created_at                TIMESTAMP NOT NULL,
    updated_at                TIMESTAMP NOT NULL,
    created_by                INTEGER REFERENCES users(id) ON DELETE SET NULL,
    updated_by                INTEGER REFERENCES users(id) ON DELETE SET NULL,
    deleted_at                TIMESTAMP,
    version                   INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX leads_created ON leads (created_at, id);
CREATE INDEX leads_first_name ON leads (lower(COALESCE(first_name, '')), id);
CREATE INDEX leads_last_name ON leads (lower(COALESCE(last_name, '')), id);
CREATE INDEX leads_company ON leads (lower(COALESCE(company, '')), id);
CREATE INDEX leads_city ON leads (lower(COALESCE(city, '')));
CREATE INDEX leads_email ON leads (email);
CREATE INDEX leads_phone ON leads (phone);
CREATE INDEX leads_owner ON leads (owner_id);
CREATE INDEX leads_status ON leads (status);
CREATE INDEX leads_rating ON leads (rating);
CREATE INDEX leads_source ON leads (source);
CREATE INDEX leads_score ON leads (COALESCE(score, -9223372036854775807), id);
CREATE INDEX leads_overdue ON leads (overdue);
CREATE INDEX leads_assigned ON leads (assigned_at);
CREATE INDEX leads_converted_contact ON leads (converted_contact_id);
-- The overdue job's scan: unanswered leads by due time.
CREATE INDEX leads_waiting ON leads (response_due_at) WHERE first_response_at IS NULL;

-- One row: how fast leads must be answered and how they are assigned.
CREATE TABLE lead_settings (
    id                INTEGER PRIMARY KEY CHECK (id = 1),
    response_minutes  INTEGER NOT NULL DEFAULT 5,
    assignment_mode   TEXT NOT NULL DEFAULT 'round_robin' CHECK (assignment_mode IN ('round_robin', 'rules', 'none')),
    default_team_id   INTEGER REFERENCES teams(id) ON DELETE SET NULL,
    updated_at        TIMESTAMP NOT NULL,
    version           INTEGER NOT NULL DEFAULT 1
);
INSERT INTO lead_settings (id, updated_at) VALUES (1, CURRENT_TIMESTAMP);

-- Rules tried in position order; the first whose filter matches a new lead
-- gives it to a user, or round-robin within a team.
CREATE TABLE lead_assignment_rules (
    id          INTEGER PRIMARY KEY,
    position    INTEGER NOT NULL,
    filter      TEXT NOT NULL DEFAULT '',
    team_id     INTEGER REFERENCES teams(id) ON DELETE CASCADE,
    user_id     INTEGER REFERENCES users(id) ON DELETE CASCADE,
    created_at  TIMESTAMP NOT NULL,
    CHECK ((team_id IS NULL) != (user_id IS NULL))
);
CREATE INDEX lead_assignment_rules_position ON lead_assignment_rules (position, id);

-- The member of each team who got the last round-robin lead.
CREATE TABLE lead_round_robin (
    team_id       INTEGER PRIMARY KEY REFERENCES teams(id) ON DELETE CASCADE,
    last_user_id  INTEGER
);

-- +goose Down
DROP TABLE lead_round_robin;
DROP TABLE lead_assignment_rules;
DROP TABLE lead_settings;
DROP TABLE leads;
