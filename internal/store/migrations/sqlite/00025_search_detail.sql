-- +goose Up
-- A search hit shows a readable line under the record's name (company,
-- e-mail, phone as the page shows it, an order's status, a product's
-- SKU) and the field the query matched: the values as the record holds
-- them, JSON of search.Detail, which the domain packages write with each
-- document from now on. Existing documents get theirs from their records
-- here, as internal/contacts, accounts, leads, deals and orders build it.
ALTER TABLE search_docs ADD COLUMN detail TEXT NOT NULL DEFAULT '{}';

UPDATE search_docs SET detail = COALESCE((
    SELECT json_object('company', a.name, 'emails', json(c.emails), 'phones', json(c.phones), 'job_title', c.job_title, 'city', c.city)
    FROM contacts c LEFT JOIN accounts a ON a.id = c.account_id WHERE c.id = search_docs.record_id), '{}')
WHERE entity = 'contacts';

UPDATE search_docs SET detail = COALESCE((
    SELECT json_object('domain', a.domain, 'city', a.city, 'website', a.website,
        'phones', CASE WHEN COALESCE(a.phone, '') = '' THEN NULL ELSE json_array(a.phone) END)
    FROM accounts a WHERE a.id = search_docs.record_id), '{}')
WHERE entity = 'accounts';

UPDATE search_docs SET detail = COALESCE((
    SELECT json_object('company', l.company, 'status', l.status, 'job_title', l.job_title, 'city', l.city,
        'emails', CASE WHEN COALESCE(l.email, '') = '' THEN NULL ELSE json_array(l.email) END,
        'phones', CASE WHEN COALESCE(l.phone, '') = '' THEN NULL ELSE json_array(l.phone) END)
    FROM leads l WHERE l.id = search_docs.record_id), '{}')
WHERE entity = 'leads';

UPDATE search_docs SET detail = COALESCE((
    SELECT json_object('company', a.name) FROM deals d LEFT JOIN accounts a ON a.id = d.account_id WHERE d.id = search_docs.record_id), '{}')
WHERE entity = 'deals';

UPDATE search_docs SET detail = COALESCE((SELECT json_object('status', o.status) FROM orders o WHERE o.id = search_docs.record_id), '{}')
WHERE entity = 'orders';

UPDATE search_docs SET detail = COALESCE((
    SELECT json_object('sku', p.sku, 'category', p.category) FROM products p WHERE p.id = search_docs.record_id), '{}')
WHERE entity = 'products';

-- The IDs a record had where it was imported from (search.withExternalIDs).
UPDATE search_docs SET detail = json_set(detail, '$.external_ids', json((
    SELECT json_group_array(x.system || ':' || x.external_id) FROM external_ids x
    WHERE x.entity = search_docs.entity AND x.record_id = search_docs.record_id)))
WHERE EXISTS (SELECT 1 FROM external_ids x WHERE x.entity = search_docs.entity AND x.record_id = search_docs.record_id);

-- +goose Down
ALTER TABLE search_docs DROP COLUMN detail;
