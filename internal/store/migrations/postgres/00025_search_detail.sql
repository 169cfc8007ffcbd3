-- +goose Up
-- A search hit shows a readable line under the record's name (company,
-- e-mail, phone as the page shows it, an order's status, a product's
-- SKU) and the field the query matched: the values as the record holds
-- them, JSON of search.Detail, which the domain packages write with each
-- document from now on. Existing documents get theirs from their records
-- here, as internal/contacts, accounts, leads, deals and orders build it.
ALTER TABLE search_docs ADD COLUMN detail TEXT NOT NULL DEFAULT '{}';

UPDATE search_docs d SET detail = jsonb_strip_nulls(jsonb_build_object(
        'company', a.name, 'emails', c.emails, 'phones', c.phones, 'job_title', c.job_title, 'city', c.city))::text
FROM contacts c LEFT JOIN accounts a ON a.id = c.account_id
WHERE d.entity = 'contacts' AND c.id = d.record_id;

UPDATE search_docs d SET detail = jsonb_strip_nulls(jsonb_build_object(
        'domain', a.domain, 'city', a.city, 'website', a.website,
        'phones', CASE WHEN COALESCE(a.phone, '') = '' THEN NULL ELSE jsonb_build_array(a.phone) END))::text
FROM accounts a
WHERE d.entity = 'accounts' AND a.id = d.record_id;

UPDATE search_docs d SET detail = jsonb_strip_nulls(jsonb_build_object(
        'company', l.company, 'status', l.status, 'job_title', l.job_title, 'city', l.city,
        'emails', CASE WHEN COALESCE(l.email, '') = '' THEN NULL ELSE jsonb_build_array(l.email) END,
        'phones', CASE WHEN COALESCE(l.phone, '') = '' THEN NULL ELSE jsonb_build_array(l.phone) END))::text
FROM leads l
WHERE d.entity = 'leads' AND l.id = d.record_id;

UPDATE search_docs d SET detail = jsonb_strip_nulls(jsonb_build_object('company', a.name))::text
FROM deals r LEFT JOIN accounts a ON a.id = r.account_id
WHERE d.entity = 'deals' AND r.id = d.record_id;

UPDATE search_docs d SET detail = jsonb_build_object('status', o.status)::text
FROM orders o
WHERE d.entity = 'orders' AND o.id = d.record_id;

UPDATE search_docs d SET detail = jsonb_strip_nulls(jsonb_build_object('sku', p.sku, 'category', p.category))::text
FROM products p
WHERE d.entity = 'products' AND p.id = d.record_id;

-- The IDs a record had where it was imported from (search.withExternalIDs).
UPDATE search_docs d SET detail = (d.detail::jsonb || jsonb_build_object('external_ids', x.ids))::text
FROM (SELECT entity, record_id, jsonb_agg(system || ':' || external_id ORDER BY system, external_id) AS ids
      FROM external_ids GROUP BY entity, record_id) x
WHERE x.entity = d.entity AND x.record_id = d.record_id;

-- +goose Down
ALTER TABLE search_docs DROP COLUMN detail;
