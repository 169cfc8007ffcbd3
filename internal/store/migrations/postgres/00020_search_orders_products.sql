-- +goose Up
-- Global search finds orders (by number) and products (by name, SKU and
-- category); the documents of what already exists, as internal/orders
-- (search_doc.go) writes them from now on. A SKU's parts are split at
-- the usual separators here, at every non-alphanumeric there.
INSERT INTO search_docs (entity, record_id, owner_id, title, body)
SELECT 'orders', id, owner_id, trim(number), replace(number, '-', ' ') FROM orders WHERE deleted_at IS NULL
ON CONFLICT (entity, record_id) DO NOTHING;
INSERT INTO search_docs (entity, record_id, owner_id, title, body)
SELECT 'products', id, NULL, trim(name), trim(COALESCE(sku || ' ' || replace(replace(replace(replace(sku, '-', ' '), '_', ' '), '.', ' '), '/', ' '), '') || ' ' || COALESCE(category, '')) FROM products WHERE deleted_at IS NULL
ON CONFLICT (entity, record_id) DO NOTHING;

-- +goose Down
DELETE FROM search_docs WHERE entity IN ('orders', 'products');
