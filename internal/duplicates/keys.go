package duplicates

import (
	"context"
	"database/sql"
	"fmt"
	"hash/fnv"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"github.com/relasi/relasi/internal/records"
	"github.com/relasi/relasi/internal/store"
)

// legalForms are the words of a company's name that say what kind of
// company it is, not which: "PT Sinar Jaya Tbk" is "Sinar Jaya".
var legalForms = map[string]bool{"pt": true, "cv": true, "tbk": true, "ud": true}

// PersonKey is the comparable form of a name: lower case, without
// diacritics or punctuation, single spaces ("José  O'Neil" → "jose o neil").
func PersonKey(s string) string {
	return strings.Join(words(s), " ")
}

// CompanyKey is PersonKey without legal forms (PT, CV, Tbk, UD), so
// "PT. Sinar Jaya" and "Sinar Jaya Tbk" are one company.
func CompanyKey(s string) string {
	ws := words(s)
	out := ws[:0]
	for _, w := range ws {
		if !legalForms[w] {
			out = append(out, w)
		}
	}
	return strings.Join(out, " ")
}

// words splits a name into lower-case words of letters and digits, with
// diacritics removed: NFD separates "é" into "e" and a combining accent,
// which is dropped.
func words(s string) []string {
	var b strings.Builder
	for _, r := range norm.NFD.String(s) {
		switch {
		case unicode.Is(unicode.Mn, r):
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(unicode.ToLower(r))
		default:
			b.WriteByte(' ')
		}
	}
	return strings.Fields(b.String())
}

// blockPrefix is how many leading letters of each word make a blocking
// key: names are compared only with names sharing a word's beginning, so
// a typo or two elsewhere is still found without comparing every pair.
const blockPrefix = 3

// blocks returns the blocking keys of a normalised name.
func blocks(key string) []string {
	var out []string
	for _, w := range strings.Fields(key) {
		r := []rune(w)
		if len(r) < 2 {
			continue
		}
		b := string(r[:min(len(r), blockPrefix)])
		if !slices.Contains(out, b) {
			out = append(out, b)
		}
	}
	return out
}

// Search limits.
const (
	// maxShared: a value shared by more records than this — a company's
	// switchboard, info@ — says nothing about duplicates and is ignored.
	maxShared = 20
	// maxBlock: names are compared within a blocking key only when it has
	// at most this many records; a larger block is a common word.
	maxBlock = 200
	// rekeyBatch is how many records one transaction of refresh handles.
	rekeyBatch = 500
)

// Refresh brings what duplicates of entity are found by up to date. A
// search does it first anyway; a job may call it after a bulk import, so
// that the first search after it need not work through every new record.
func (m *Module) Refresh(ctx context.Context, entity string) error {
	e, rule, err := m.entity(entity, "entity")
	if err != nil {
		return err
	}
	return m.refresh(ctx, e, rule)
}

// refresh brings the keys and pairs of an entity's records up to date.
// A record's stamp (version and creation time) says whether it changed
// since they were computed: every save moves the version, and a record
// inserted in bulk has no stamp yet. Only changed records are worked on,
// so a search costs one pass over the stamps, not over every pair.
func (m *Module) refresh(ctx context.Context, e *records.Entity, rule Rule) error {
	dirty, gone, err := m.changed(ctx, e)
	if err != nil {
		return fmt.Errorf("%s duplicate keys: %w", e.Name, err)
	}
	for batch := 1; len(dirty) > 0; batch++ {
		n := min(len(dirty), rekeyBatch)
		if err := m.db.WriteTx(ctx, func(tx *sql.Tx) error {
			if err := m.db.Serialize(ctx, tx, refreshLock(e.Name)); err != nil {
				return err
			}
			return m.rekey(ctx, tx, e, rule, dirty[:n])
		}); err != nil {
			return fmt.Errorf("%s duplicate keys: %w", e.Name, err)
		}
		dirty = dirty[n:]
		if m.db.Engine == store.Postgres && len(dirty) > 0 && batch&(batch-1) == 0 {
			// While the tables grow from nothing, PostgreSQL's statistics
			// still say they are empty, and it would scan them whole for
			// each lookup: refresh them as they double.
			if _, err := m.db.Writer().ExecContext(ctx, "ANALYZE duplicate_keys, duplicate_pairs, duplicate_state"); err != nil {
				return fmt.Errorf("%s duplicate keys: %w", e.Name, err)
			}
		}
	}
	for len(gone) > 0 {
		n := min(len(gone), rekeyBatch)
		if err := m.db.WriteTx(ctx, func(tx *sql.Tx) error {
			if err := m.db.Serialize(ctx, tx, refreshLock(e.Name)); err != nil {
				return err
			}
			return m.forget(ctx, tx, e.Name, gone[:n])
		}); err != nil {
			return fmt.Errorf("%s duplicate keys: %w", e.Name, err)
		}
		gone = gone[n:]
	}
	return nil
}

// refreshLock serialises the refreshes of one entity. Two requests that
// find the same records changed would otherwise both delete and insert
// their keys, and on PostgreSQL the second insert fails on the first's
// rows (a 500 on the duplicates page when two people open it at once);
// one after the other, the second redoes the first's work harmlessly.
func refreshLock(entity string) int64 {
	h := fnv.New32a()
	h.Write([]byte(entity))
	return 0x6475_7073<<32 | int64(h.Sum32()) // "dups"
}

// stampSQL is a record's stamp over alias x.
const stampSQL = "CAST(x.version AS TEXT) || '/' || CAST(x.created_at AS TEXT)"

// changed compares the records' stamps with those their keys were
// computed from: dirty are records new or changed since, gone those that
// no longer exist (deleted for good).
func (m *Module) changed(ctx context.Context, e *records.Entity) (dirty, gone []int64, err error) {
	known := map[int64]string{}
	rows, err := m.db.Read().QueryContext(ctx, "SELECT record_id, stamp FROM duplicate_state WHERE entity = $1", e.Name)
	if err != nil {
		return nil, nil, err
	}
	for rows.Next() {
		var id int64
		var stamp string
		if err := rows.Scan(&id, &stamp); err != nil {
			rows.Close()
			return nil, nil, err
		}
		known[id] = stamp
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	rows, err = m.db.Read().QueryContext(ctx, "SELECT x.id, "+stampSQL+" FROM "+e.Table+" x")
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var stamp string
		if err := rows.Scan(&id, &stamp); err != nil {
			return nil, nil, err
		}
		if s, ok := known[id]; !ok || s != stamp {
			dirty = append(dirty, id)
		}
		delete(known, id)
	}
	for id := range known {
		gone = append(gone, id)
	}
	slices.Sort(gone)
	return dirty, gone, rows.Err()
}

// forget removes what is kept about records deleted for good.
func (m *Module) forget(ctx context.Context, tx *sql.Tx, entity string, ids []int64) error {
	for _, q := range []string{
		"DELETE FROM duplicate_keys WHERE entity = %s AND record_id IN (%s)",
		"DELETE FROM duplicate_pairs WHERE entity = %s AND low_id IN (%s)",
		"DELETE FROM duplicate_pairs WHERE entity = %s AND high_id IN (%s)",
		"DELETE FROM duplicate_state WHERE entity = %s AND record_id IN (%s)",
	} {
		b := m.binder()
		if _, err := tx.ExecContext(ctx, fmt.Sprintf(q, b.arg(entity), b.list(anys(ids))), b.args...); err != nil {
			return err
		}
	}
	return nil
}

// key is one key of a record. Name and block values are scoped:
// "<scope>|<name>", so that a lookup by value finds only the records of
// the same scope.
type key struct {
	id          int64
	kind, value string
}

// unscoped is a name key's name, without its scope.
func unscoped(value string) string {
	_, name, _ := strings.Cut(value, "|")
	return name
}

// rekey recomputes the keys of the records ids and their pairs with every
// record of the entity.
func (m *Module) rekey(ctx context.Context, tx *sql.Tx, e *records.Entity, rule Rule, ids []int64) error {
	keys, stamps, err := m.keysOf(ctx, tx, e, rule, ids)
	if err != nil {
		return err
	}
	if err := m.forget(ctx, tx, e.Name, ids); err != nil {
		return err
	}
	if err := m.insert(ctx, tx, "duplicate_keys (entity, record_id, kind, value)", len(keys), func(i int) []any {
		k := keys[i]
		return []any{e.Name, k.id, k.kind, k.value}
	}); err != nil {
		return err
	}
	pairs, err := m.pairsOf(ctx, tx, e.Name, rule, keys)
	if err != nil {
		return err
	}
	if err := m.insert(ctx, tx, "duplicate_pairs (entity, low_id, high_id, reason, value)", len(pairs), func(i int) []any {
		p := pairs[i]
		return []any{e.Name, p.lo, p.hi, p.reason.Kind, p.reason.Value}
	}); err != nil {
		return err
	}
	return m.insert(ctx, tx, "duplicate_state (entity, record_id, stamp)", len(stamps), func(i int) []any {
		return []any{e.Name, stamps[i].id, stamps[i].stamp}
	})
}

type stamp struct {
	id    int64
	stamp string
}

// keysOf computes the keys of records: their shared-value sources, and
// their normalised name with its blocks.
func (m *Module) keysOf(ctx context.Context, tx *sql.Tx, e *records.Entity, rule Rule, ids []int64) ([]key, []stamp, error) {
	var keys []key
	nameSQL, scopeSQL := rule.nameSQL("x")
	b := m.binder()
	rows, err := tx.QueryContext(ctx, "SELECT x.id, "+stampSQL+", "+nameSQL+", "+scopeSQL+" FROM "+e.Table+" x WHERE x.id IN ("+b.list(anys(ids))+")", b.args...)
	if err != nil {
		return nil, nil, err
	}
	var stamps []stamp
	for rows.Next() {
		var s stamp
		var raw side
		if err := rows.Scan(&s.id, &s.stamp, &raw.name, &raw.scope); err != nil {
			rows.Close()
			return nil, nil, err
		}
		stamps = append(stamps, s)
		if rule.Name == nil {
			continue
		}
		n := rule.side(raw)
		if rule.Name.Scope != "" && n.scope == "" {
			continue // a name is compared only within its scope
		}
		if n.name == "" {
			continue
		}
		keys = append(keys, key{s.id, "name", n.scope + "|" + n.name})
		for _, bl := range blocks(n.name) {
			keys = append(keys, key{s.id, "block", n.scope + "|" + bl})
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	seen := map[key]bool{}
	for _, src := range rule.Sources {
		b := m.binder()
		rows, err := tx.QueryContext(ctx, "SELECT s.id, s.value FROM ("+src.SQL+") s WHERE s.id IN ("+b.list(anys(ids))+")", b.args...)
		if err != nil {
			return nil, nil, err
		}
		for rows.Next() {
			k := key{kind: src.Reason}
			if err := rows.Scan(&k.id, &k.value); err != nil {
				rows.Close()
				return nil, nil, err
			}
			if k.value != "" && !seen[k] {
				seen[k] = true
				keys = append(keys, k)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, nil, err
		}
	}
	return keys, stamps, nil
}

// found is a pair of records and why they are likely one.
type found struct {
	lo, hi int64
	reason Reason
}

// pairsOf finds the pairs of the records whose keys are given with every
// record holding the same key (or, for blocks, a similar name), from the
// keys table, where those keys are already written.
func (m *Module) pairsOf(ctx context.Context, tx *sql.Tx, entity string, rule Rule, keys []key) ([]found, error) {
	nameReason := "name"
	if rule.Name != nil {
		nameReason = rule.Name.Reason
	}
	byKind := map[string][]string{}
	for _, k := range keys {
		if !slices.Contains(byKind[k.kind], k.value) {
			byKind[k.kind] = append(byKind[k.kind], k.value)
		}
	}
	// Everyone holding the same values, by kind and value.
	type slot struct{ kind, value string }
	holders := map[slot][]int64{}
	for kind, values := range byKind {
		for start := 0; start < len(values); start += rekeyBatch {
			chunk := values[start:min(start+rekeyBatch, len(values))]
			b := m.binder()
			q := "SELECT record_id, value FROM duplicate_keys WHERE entity = " + b.arg(entity) + " AND kind = " + b.arg(kind) + " AND value IN (" + b.list(anys(chunk)) + ")"
			rows, err := tx.QueryContext(ctx, q, b.args...)
			if err != nil {
				return nil, err
			}
			for rows.Next() {
				var id int64
				s := slot{kind: kind}
				if err := rows.Scan(&id, &s.value); err != nil {
					rows.Close()
					return nil, err
				}
				holders[s] = append(holders[s], id)
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return nil, err
			}
		}
	}
	seen := map[found]bool{}
	var out []found
	add := func(a, b int64, r Reason) {
		f := found{min(a, b), max(a, b), r}
		if !seen[f] {
			seen[f] = true
			out = append(out, f)
		}
	}
	// Candidates for similar names: records sharing a block.
	type candidate struct{ a, b int64 }
	var candidates []candidate
	var named []int64
	for _, k := range keys {
		list := holders[slot{k.kind, k.value}]
		limit := maxShared
		if k.kind == "block" {
			limit = maxBlock
		}
		if len(list) > limit {
			continue
		}
		for _, other := range list {
			switch {
			case other == k.id:
			case k.kind == "block":
				candidates = append(candidates, candidate{k.id, other})
				named = append(named, k.id, other)
			case k.kind == "name":
				add(k.id, other, Reason{Kind: nameReason, Value: unscoped(k.value)})
			default:
				add(k.id, other, Reason{Kind: k.kind, Value: k.value})
			}
		}
	}
	if len(candidates) == 0 {
		return out, nil
	}
	names, err := m.nameKeys(ctx, tx, entity, named)
	if err != nil {
		return nil, err
	}
	for _, c := range candidates {
		a, b := min(c.a, c.b), max(c.a, c.b)
		na, nb := unscoped(names[a]), unscoped(names[b])
		if na != "" && nb != "" && na != nb && Similar(na, nb) {
			add(a, b, Reason{Kind: nameReason, Value: na + " ≈ " + nb})
		}
	}
	return out, nil
}

// nameKeys returns the normalised names of records.
func (m *Module) nameKeys(ctx context.Context, tx *sql.Tx, entity string, ids []int64) (map[int64]string, error) {
	slices.Sort(ids)
	ids = slices.Compact(ids)
	out := make(map[int64]string, len(ids))
	for start := 0; start < len(ids); start += rekeyBatch {
		chunk := ids[start:min(start+rekeyBatch, len(ids))]
		b := m.binder()
		rows, err := tx.QueryContext(ctx, "SELECT record_id, value FROM duplicate_keys WHERE entity = "+b.arg(entity)+" AND kind = 'name' AND record_id IN ("+b.list(anys(chunk))+")", b.args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var id int64
			var name string
			if err := rows.Scan(&id, &name); err != nil {
				rows.Close()
				return nil, err
			}
			out[id] = name
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// insert writes rows into table ("name (col, …)") in multi-row statements.
// Two searches may refresh at once: a row the other wrote is kept.
func (m *Module) insert(ctx context.Context, tx *sql.Tx, table string, n int, row func(i int) []any) error {
	const perStatement = 200
	for start := 0; start < n; start += perStatement {
		b := m.binder()
		var sb strings.Builder
		sb.WriteString("INSERT INTO " + table + " VALUES ")
		for i := start; i < min(start+perStatement, n); i++ {
			if i > start {
				sb.WriteString(", ")
			}
			sb.WriteString("(" + b.list(row(i)) + ")")
		}
		sb.WriteString(" ON CONFLICT DO NOTHING")
		if _, err := tx.ExecContext(ctx, sb.String(), b.args...); err != nil {
			return err
		}
	}
	return nil
}

// binder numbers a statement's arguments: "?" on SQLite, whose parser
// looks every "$n" up in a list (so that a statement with hundreds of
// them parses in quadratic time), "$1", "$2", … on PostgreSQL.
type binder struct {
	engine store.Engine
	args   []any
}

func (m *Module) binder() *binder { return &binder{engine: m.db.Engine} }

// arg adds an argument and returns its placeholder.
func (b *binder) arg(v any) string {
	b.args = append(b.args, v)
	if b.engine == store.SQLite {
		return "?"
	}
	return "$" + strconv.Itoa(len(b.args))
}

// list adds arguments and returns their placeholders, comma-separated.
func (b *binder) list(vs []any) string {
	var sb strings.Builder
	for i, v := range vs {
		if i > 0 {
			sb.WriteString(", ")
		}
		sb.WriteString(b.arg(v))
	}
	return sb.String()
}

// anys converts a slice for binder.list.
func anys[T any](vs []T) []any {
	out := make([]any, len(vs))
	for i, v := range vs {
		out[i] = v
	}
	return out
}

// placeholders returns "$first, $first+1, …" for n arguments.
func placeholders(first, n int) string {
	var b strings.Builder
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "$%d", first+i)
	}
	return b.String()
}
