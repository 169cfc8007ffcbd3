-- +goose Up
-- The price list, orders (purchases) and their lines: each customer's
-- purchase history.
CREATE TABLE products (
    id           INTEGER PRIMARY KEY,
    sku          TEXT,
    name         TEXT NOT NULL,
    description  TEXT,
    unit_price   INTEGER,
    currency     TEXT NOT NULL DEFAULT 'IDR',
    active       INTEGER NOT NULL DEFAULT 1,
    category     TEXT,
    custom       TEXT NOT NULL DEFAULT '{}',
    created_at   TIMESTAMP NOT NULL,
    updated_at   TIMESTAMP NOT NULL,
    created_by   INTEGER REFERENCES users(id) ON DELETE SET NULL,
    updated_by   INTEGER REFERENCES users(id) ON DELETE SET NULL,
    deleted_at   TIMESTAMP,
    version      INTEGER NOT NULL DEFAULT 1
);
-- A SKU names one live product; a product in the trash frees its SKU.
CREATE UNIQUE INDEX products_sku_key ON products (lower(sku)) WHERE deleted_at IS NULL AND sku IS NOT NULL;
CREATE INDEX products_created ON products (created_at, id);
CREATE INDEX products_name ON products (lower(COALESCE(name, '')), id);
CREATE INDEX products_sku ON products (lower(COALESCE(sku, '')), id);
CREATE INDEX products_category ON products (lower(COALESCE(category, '')));

CREATE TABLE orders (
    id          INTEGER PRIMARY KEY,
    number      TEXT NOT NULL,
    contact_id  INTEGER REFERENCES contacts(id) ON DELETE SET NULL,
    account_id  INTEGER REFERENCES accounts(id) ON DELETE SET NULL,
    ordered_at  TEXT NOT NULL,
    status      TEXT NOT NULL DEFAULT 'draft',
    currency    TEXT NOT NULL DEFAULT 'IDR',
    -- The sum of the lines' totals, in minor units of currency.
    total       INTEGER NOT NULL DEFAULT 0,
    notes       TEXT,
    owner_id    INTEGER REFERENCES users(id) ON DELETE SET NULL,
    custom      TEXT NOT NULL DEFAULT '{}',
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL,
    created_by  INTEGER REFERENCES users(id) ON DELETE SET NULL,
    updated_by  INTEGER REFERENCES users(id) ON DELETE SET NULL,
    deleted_at  TIMESTAMP,
    version     INTEGER NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX orders_number_key ON orders (number);
CREATE INDEX orders_created ON orders (created_at, id);
CREATE INDEX orders_owner ON orders (owner_id);
CREATE INDEX orders_contact ON orders (contact_id, created_at);
CREATE INDEX orders_account ON orders (account_id, created_at);
CREATE INDEX orders_ordered_at ON orders (COALESCE(ordered_at, ''), id);
CREATE INDEX orders_status ON orders (status);
CREATE INDEX orders_total ON orders (COALESCE(total, -9223372036854775807), id);
CREATE INDEX orders_number ON orders (lower(COALESCE(number, '')), id);

-- The last number given to an order per month ("202605" → 17), so numbers
-- run SO-202605-00001, SO-202605-00002, … without gaps from races.
CREATE TABLE order_numbers (
    period       TEXT PRIMARY KEY,
    last_number  INTEGER NOT NULL
);

CREATE TABLE order_lines (
    id           INTEGER PRIMARY KEY,
    order_id     INTEGER NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
    product_id   INTEGER REFERENCES products(id) ON DELETE SET NULL,
    description  TEXT NOT NULL,
    quantity     INTEGER NOT NULL CHECK (quantity > 0),
    -- Minor units of the order's currency.
    unit_price   INTEGER NOT NULL CHECK (unit_price >= 0),
    -- The discount in basis points: 1250 is 12.5 %.
    discount_bp  INTEGER NOT NULL DEFAULT 0 CHECK (discount_bp BETWEEN 0 AND 10000),
    line_total   INTEGER NOT NULL,
    created_at   TIMESTAMP NOT NULL,
    updated_at   TIMESTAMP NOT NULL
);
CREATE INDEX order_lines_order ON order_lines (order_id, id);
CREATE INDEX order_lines_product ON order_lines (product_id);

-- +goose Down
DROP TABLE order_lines;
DROP TABLE order_numbers;
DROP TABLE orders;
DROP TABLE products;
