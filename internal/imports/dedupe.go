package imports

import (
	"hash/fnv"
	"strings"
)

// dedupeKey is one way a row can be the same as a record: the same e-mail
// address, the same normalised phone number, the same domain, name or SKU.
type dedupeKey struct {
	field string // the input field the key is read from
	what  string // how reasons name it: "e-mail", "phone", …
	// query finds the live record holding the key $1, oldest first.
	query string
	// batch, for keys compared exactly, finds the live records holding
	// any of the keys in $IN, as (key, record ID), oldest first.
	batch string
}

// dedupeKeys are the keys of each entity, strongest first. Orders have
// none: two orders of the same customer are two orders.
var dedupeKeys = map[string][]dedupeKey{
	"contacts": {
		{"emails", "e-mail", `SELECT ce.contact_id FROM contact_emails ce JOIN contacts c ON c.id = ce.contact_id
			WHERE ce.email = $1 AND c.deleted_at IS NULL ORDER BY ce.contact_id LIMIT 1`,
			`SELECT ce.email, ce.contact_id FROM contact_emails ce JOIN contacts c ON c.id = ce.contact_id
			WHERE ce.email IN ($IN) AND c.deleted_at IS NULL ORDER BY ce.contact_id`},
		{"phones", "phone", `SELECT cp.contact_id FROM contact_phones cp JOIN contacts c ON c.id = cp.contact_id
			WHERE cp.phone = $1 AND c.deleted_at IS NULL ORDER BY cp.contact_id LIMIT 1`,
			`SELECT cp.phone, cp.contact_id FROM contact_phones cp JOIN contacts c ON c.id = cp.contact_id
			WHERE cp.phone IN ($IN) AND c.deleted_at IS NULL ORDER BY cp.contact_id`},
	},
	"leads": {
		{"email", "e-mail", `SELECT id FROM leads WHERE email = $1 AND deleted_at IS NULL ORDER BY id LIMIT 1`,
			`SELECT email, id FROM leads WHERE email IN ($IN) AND deleted_at IS NULL ORDER BY id`},
		{"phone", "phone", `SELECT id FROM leads WHERE phone = $1 AND deleted_at IS NULL ORDER BY id LIMIT 1`,
			`SELECT phone, id FROM leads WHERE phone IN ($IN) AND deleted_at IS NULL ORDER BY id`},
	},
	"accounts": {
		{"domain", "domain", `SELECT id FROM accounts WHERE domain = $1 AND deleted_at IS NULL ORDER BY id LIMIT 1`,
			`SELECT domain, id FROM accounts WHERE domain IN ($IN) AND deleted_at IS NULL ORDER BY id`},
		{"name", "name", `SELECT id FROM accounts WHERE lower(COALESCE(name, '')) = lower($1) AND deleted_at IS NULL ORDER BY id LIMIT 1`, ""},
	},
	"products": {
		{"sku", "SKU", `SELECT id FROM products WHERE lower(COALESCE(sku, '')) = lower($1) AND deleted_at IS NULL ORDER BY id LIMIT 1`, ""},
	},
}

// key is one dedupe key of a row, with its value as stored.
type key struct {
	k     dedupeKey
	value string
}

// keysOf reads a row's dedupe keys from its accepted values, normalised
// the way the fields store them (phones in E.164, e-mail addresses in
// lower case). A value the field refused gives no key: the row fails anyway.
func keysOf(entity string, values map[string]any) []key {
	var out []key
	for _, k := range dedupeKeys[entity] {
		switch x := values[k.field].(type) {
		case string:
			if k.batch == "" {
				// Compared case-insensitively: the database lowers both
				// sides; rows of the file are told apart the same way.
				x = strings.ToLower(x)
			}
			out = append(out, key{k, x})
		case []string:
			for _, s := range x {
				out = append(out, key{k, s})
			}
		}
	}
	return out
}

// keyHash is a key as a dry run records it in import_keys: a 64-bit
// FNV-1a hash of its kind and value, stable across processes so that a
// dry run can be resumed.
func keyHash(k key) int64 {
	h := fnv.New64a()
	h.Write([]byte(k.k.what))
	h.Write([]byte{0})
	h.Write([]byte(k.value))
	return int64(h.Sum64())
}
