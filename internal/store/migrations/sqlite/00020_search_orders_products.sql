-- +goose Up
-- Global search finds orders (by number) and products (by name, SKU and
-- category); the documents of what already exists, as internal/orders
-- (search_doc.go) writes them from now on. A SKU's parts are split at
-- the usual separators here, at every non-alphanumeric there.
INSERT INTO search_fts (title, body, entity, record_id, owner_id)
SELECT trim(number), replace(number, '-', ' '), 'orders', id, owner_id FROM orders o
WHERE deleted_at IS NULL AND NOT EXISTS (SELECT 1 FROM search_docs d WHERE d.entity = 'orders' AND d.record_id = o.id);
INSERT INTO search_fts (title, body, entity, record_id, owner_id)
SELECT trim(name), trim(COALESCE(sku || ' ' || replace(replace(replace(replace(sku, '-', ' '), '_', ' '), '.', ' '), '/', ' '), '') || ' ' || COALESCE(category, '')), 'products', id, NULL FROM products p
WHERE deleted_at IS NULL AND NOT EXISTS (SELECT 1 FROM search_docs d WHERE d.entity = 'products' AND d.record_id = p.id);
INSERT INTO search_docs (entity, record_id, fts_rowid)
SELECT entity, record_id, rowid FROM search_fts f
WHERE entity IN ('orders', 'products') AND NOT EXISTS (SELECT 1 FROM search_docs d WHERE d.entity = f.entity AND d.record_id = f.record_id);

-- +goose Down
DELETE FROM search_fts WHERE rowid IN (SELECT fts_rowid FROM search_docs WHERE entity IN ('orders', 'products'));
DELETE FROM search_docs WHERE entity IN ('orders', 'products');
