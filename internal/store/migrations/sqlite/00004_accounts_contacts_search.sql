-- +goose Up
-- Accounts (companies), contacts (people) and the global search index.
CREATE TABLE accounts (
    id                INTEGER PRIMARY KEY,
    name              TEXT NOT NULL,
    domain            TEXT,
    industry          TEXT,
    employees         INTEGER,
    annual_revenue    INTEGER,
    phone             TEXT,
    website           TEXT,
    street            TEXT,
    city              TEXT,
    province          TEXT,
    postal_code       TEXT,
    country           TEXT,
    tags              TEXT,
    last_activity_at  TIMESTAMP,
    owner_id          INTEGER REFERENCES users(id) ON DELETE SET NULL,
    custom            TEXT NOT NULL DEFAULT '{}',
    created_at        TIMESTAMP NOT NULL,
    updated_at        TIMESTAMP NOT NULL,
    created_by        INTEGER REFERENCES users(id) ON DELETE SET NULL,
    updated_by        INTEGER REFERENCES users(id) ON DELETE SET NULL,
    deleted_at        TIMESTAMP,
    version           INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX accounts_created ON accounts (created_at, id);
CREATE INDEX accounts_name ON accounts (lower(COALESCE(name, '')), id);
CREATE INDEX accounts_owner ON accounts (owner_id);
CREATE INDEX accounts_city ON accounts (lower(COALESCE(city, '')));
CREATE INDEX accounts_industry ON accounts (industry);
CREATE INDEX accounts_domain ON accounts (domain);

CREATE TABLE contacts (
    id                INTEGER PRIMARY KEY,
    first_name        TEXT NOT NULL,
    last_name         TEXT,
    emails            TEXT,
    phones            TEXT,
    job_title         TEXT,
    contact_role      TEXT,
    account_id        INTEGER REFERENCES accounts(id) ON DELETE SET NULL,
    street            TEXT,
    city              TEXT,
    province          TEXT,
    postal_code       TEXT,
    country           TEXT,
    source            TEXT,
    lifecycle_stage   TEXT,
    birth_date        TEXT,
    tags              TEXT,
    last_activity_at  TIMESTAMP,
    owner_id          INTEGER REFERENCES users(id) ON DELETE SET NULL,
    custom            TEXT NOT NULL DEFAULT '{}',
    created_at        TIMESTAMP NOT NULL,
    updated_at        TIMESTAMP NOT NULL,
    created_by        INTEGER REFERENCES users(id) ON DELETE SET NULL,
    updated_by        INTEGER REFERENCES users(id) ON DELETE SET NULL,
    deleted_at        TIMESTAMP,
    version           INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX contacts_created ON contacts (created_at, id);
CREATE INDEX contacts_first_name ON contacts (lower(COALESCE(first_name, '')), id);
CREATE INDEX contacts_last_name ON contacts (lower(COALESCE(last_name, '')), id);
CREATE INDEX contacts_owner ON contacts (owner_id);
CREATE INDEX contacts_account ON contacts (account_id);
CREATE INDEX contacts_city ON contacts (lower(COALESCE(city, '')));
CREATE INDEX contacts_lifecycle ON contacts (lifecycle_stage);
CREATE INDEX contacts_source ON contacts (source);
CREATE INDEX contacts_last_activity ON contacts (last_activity_at);

-- Every e-mail and phone of a contact, one per row, for lookups
-- (duplicates, e-mail to contact, search by number).
CREATE TABLE contact_emails (
    contact_id  INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
    email       TEXT NOT NULL,
    PRIMARY KEY (contact_id, email)
);
CREATE INDEX contact_emails_email ON contact_emails (email);
CREATE TABLE contact_phones (
    contact_id  INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
    phone       TEXT NOT NULL,
    PRIMARY KEY (contact_id, phone)
);
CREATE INDEX contact_phones_phone ON contact_phones (phone);

-- Global search: one document per record. The trigram tokenizer matches
-- any part of a word or number of three characters or more.
CREATE VIRTUAL TABLE search_fts USING fts5(
    title, body, entity UNINDEXED, record_id UNINDEXED, owner_id UNINDEXED,
    tokenize = 'trigram'
);
-- Maps a record to its row in search_fts, for updates and deletes.
CREATE TABLE search_docs (
    entity     TEXT NOT NULL,
    record_id  INTEGER NOT NULL,
    fts_rowid  INTEGER NOT NULL,
    PRIMARY KEY (entity, record_id)
);

-- +goose Down
DROP TABLE search_docs;
DROP TABLE search_fts;
DROP TABLE contact_phones;
DROP TABLE contact_emails;
DROP TABLE contacts;
DROP TABLE accounts;
