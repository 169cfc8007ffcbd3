-- +goose Up
-- Sales pipelines, their stages, and opportunities (deals) moving through
-- them. The default pipeline "Sales" carries the nine stages of the seeds;
-- `key` names a stage the catalog translates, until an admin renames it.
CREATE TABLE pipelines (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    key         TEXT,
    is_default  INTEGER NOT NULL DEFAULT 0,
    position    INTEGER NOT NULL DEFAULT 0,
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL,
    version     INTEGER NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX pipelines_name ON pipelines (lower(name));
-- At most one default; the service keeps it at exactly one.
CREATE UNIQUE INDEX pipelines_default ON pipelines (is_default) WHERE is_default;

CREATE TABLE stages (
    id           INTEGER PRIMARY KEY,
    pipeline_id  INTEGER NOT NULL REFERENCES pipelines(id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    key          TEXT,
    probability  INTEGER NOT NULL DEFAULT 0 CHECK (probability BETWEEN 0 AND 100),
    position     INTEGER NOT NULL DEFAULT 0,
    kind         TEXT NOT NULL DEFAULT 'open' CHECK (kind IN ('open', 'won', 'lost')),
    created_at   TIMESTAMP NOT NULL,
    updated_at   TIMESTAMP NOT NULL,
    version      INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX stages_pipeline ON stages (pipeline_id, position, id);
CREATE UNIQUE INDEX stages_name ON stages (pipeline_id, lower(name));

INSERT INTO pipelines (name, key, is_default, position, created_at, updated_at)
VALUES ('Sales', 'sales', 1, 0, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP);
INSERT INTO stages (pipeline_id, name, key, probability, position, kind, created_at, updated_at)
SELECT p.id, s.name, s.key, s.probability, s.position, s.kind, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP
FROM pipelines p, (
              SELECT 'Prospecting' AS name, 'prospecting' AS key, 10 AS probability, 0 AS position, 'open' AS kind
    UNION ALL SELECT 'Qualification', 'qualification', 20, 1, 'open'
    UNION ALL SELECT 'Needs Analysis', 'needs_analysis', 30, 2, 'open'
    UNION ALL SELECT 'Value Proposition', 'value_proposition', 40, 3, 'open'
    UNION ALL SELECT 'Identify Decision Makers', 'identify_decision_makers', 50, 4, 'open'
    UNION ALL SELECT 'Quotation/Proposal', 'quotation_proposal', 65, 5, 'open'
    UNION ALL SELECT 'Negotiation/Review', 'negotiation_review', 80, 6, 'open'
    UNION ALL SELECT 'Closed Won', 'closed_won', 100, 7, 'won'
    UNION ALL SELECT 'Closed Lost', 'closed_lost', 0, 8, 'lost'
) s
WHERE p.key = 'sales';

CREATE TABLE deals (
    id                INTEGER PRIMARY KEY,
    name              TEXT NOT NULL,
    account_id        INTEGER REFERENCES accounts(id) ON DELETE SET NULL,
    contact_id        INTEGER REFERENCES contacts(id) ON DELETE SET NULL,
    amount            INTEGER,
    currency          TEXT NOT NULL DEFAULT 'IDR',
    close_date        TEXT,
    pipeline_id       INTEGER NOT NULL REFERENCES pipelines(id),
    stage_id          INTEGER NOT NULL REFERENCES stages(id),
    probability       INTEGER,
    lost_reason       TEXT,
    won_reason        TEXT,
    stage_changed_at  TIMESTAMP,
    closed_at         TIMESTAMP,
    won               INTEGER,
    owner_id          INTEGER REFERENCES users(id) ON DELETE SET NULL,
    custom            TEXT NOT NULL DEFAULT '{}',
    created_at        TIMESTAMP NOT NULL,
    updated_at        TIMESTAMP NOT NULL,
    created_by        INTEGER REFERENCES users(id) ON DELETE SET NULL,
    updated_by        INTEGER REFERENCES users(id) ON DELETE SET NULL,
    deleted_at        TIMESTAMP,
    version           INTEGER NOT NULL DEFAULT 1
);
-- The board: cards of a stage in close-date order (undated last), live
-- deals only; and the per-stage sums, read from the index alone.
CREATE INDEX deals_board ON deals (pipeline_id, stage_id, COALESCE(close_date, '9999-12-31'), id) WHERE deleted_at IS NULL;
CREATE INDEX deals_board_sums ON deals (pipeline_id, stage_id, currency, amount, owner_id) WHERE deleted_at IS NULL;
CREATE INDEX deals_deleted ON deals (deleted_at);
-- List sorts and filters (sort expressions as records/sqlexpr.go writes them).
CREATE INDEX deals_created ON deals (created_at, id);
CREATE INDEX deals_name ON deals (lower(COALESCE(name, '')), id);
CREATE INDEX deals_close_date ON deals (COALESCE(close_date, ''), id);
CREATE INDEX deals_amount ON deals (COALESCE(amount, -9223372036854775807), id);
CREATE INDEX deals_owner ON deals (owner_id);
CREATE INDEX deals_account ON deals (account_id);
CREATE INDEX deals_contact ON deals (contact_id);
CREATE INDEX deals_stage ON deals (stage_id);

-- +goose Down
DROP TABLE deals;
DROP TABLE stages;
DROP TABLE pipelines;
