// Package search is Relasi's global search over names, e-mails, phones,
// companies, deal names, order numbers and products. Domain packages keep one document per record
// up to date inside the transaction that saves the record, so search never
// shows what was not committed. SQLite uses an FTS5 trigram index (any
// three characters of a word or number match); PostgreSQL uses full-text
// prefix search.
package search

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/phone"
	"github.com/relasi/relasi/internal/store"
)

// Doc is what search knows of one record.
type Doc struct {
	Entity  string
	ID      int64
	OwnerID int64
	Title   string
	Body    string // further words: e-mails, phones (in every typed form), company, city
	Detail  Detail // what a hit shows under the title, as the record holds it
}

// Hit is one search result: the record's name, a readable line under it
// (Fields, and Detail as one string of them) and the field the query
// matched when it was not the name.
type Hit struct {
	Entity string  `json:"entity"`
	ID     int64   `json:"id"`
	Title  string  `json:"title"`
	Detail string  `json:"detail"` // the readable line: "PT Maju · budi@maju.co.id · 0812-3456-7890"
	URL    string  `json:"url"`
	Fields []Field `json:"fields"`
	Match  *Field  `json:"match,omitempty"`

	detail string // as stored, read into Fields for the hits kept
}

// Index adds or replaces a record's document (or queues it, in a
// Deferred context).
func Index(ctx context.Context, tx *sql.Tx, engine store.Engine, d Doc) error {
	if b := deferred(ctx); b != nil {
		b.ops = append(b.ops, indexOp{doc: d})
		return nil
	}
	return index(ctx, tx, engine, d)
}

func index(ctx context.Context, tx *sql.Tx, engine store.Engine, d Doc) error {
	docs := []Doc{d}
	if err := withExternalIDs(ctx, tx, docs); err != nil {
		return err
	}
	d = clean(docs[0])
	owner, detail := ownerArg(d.OwnerID), d.Detail.Encode()
	if engine == store.Postgres {
		_, err := tx.ExecContext(ctx, `INSERT INTO search_docs (entity, record_id, owner_id, title, body, detail) VALUES ($1, $2, $3, $4, $5, $6)
			ON CONFLICT (entity, record_id) DO UPDATE SET owner_id = EXCLUDED.owner_id, title = EXCLUDED.title, body = EXCLUDED.body, detail = EXCLUDED.detail`,
			d.Entity, d.ID, owner, d.Title, d.Body, detail)
		if err != nil {
			return fmt.Errorf("index %s %d: %w", d.Entity, d.ID, err)
		}
		return nil
	}
	var rowid int64
	err := tx.QueryRowContext(ctx, "SELECT fts_rowid FROM search_docs WHERE entity = $1 AND record_id = $2", d.Entity, d.ID).Scan(&rowid)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		// Not RETURNING rowid: SQLite answers -1 for a virtual table there.
		var res sql.Result
		res, err = tx.ExecContext(ctx, "INSERT INTO search_fts (title, body, entity, record_id, owner_id) VALUES ($1, $2, $3, $4, $5)",
			d.Title, d.Body, d.Entity, d.ID, owner)
		if err == nil {
			rowid, err = res.LastInsertId()
		}
		if err != nil {
			return fmt.Errorf("index %s %d: %w", d.Entity, d.ID, err)
		}
		_, err = tx.ExecContext(ctx, "INSERT INTO search_docs (entity, record_id, fts_rowid, detail) VALUES ($1, $2, $3, $4)", d.Entity, d.ID, rowid, detail)
	case err == nil:
		_, err = tx.ExecContext(ctx, "UPDATE search_fts SET title = $1, body = $2, owner_id = $3 WHERE rowid = $4", d.Title, d.Body, owner, rowid)
		if err == nil {
			_, err = tx.ExecContext(ctx, "UPDATE search_docs SET detail = $1 WHERE entity = $2 AND record_id = $3", detail, d.Entity, d.ID)
		}
	}
	if err != nil {
		return fmt.Errorf("index %s %d: %w", d.Entity, d.ID, err)
	}
	return nil
}

// clean trims a document: bodies are joined from parts that may be
// empty, and are kept free of runs of blanks.
func clean(d Doc) Doc {
	d.Title, d.Body = strings.TrimSpace(d.Title), strings.Join(strings.Fields(d.Body), " ")
	return d
}

func ownerArg(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// Remove deletes a record's document (the record went to the trash), or
// queues the removal in a Deferred context.
func Remove(ctx context.Context, tx *sql.Tx, engine store.Engine, entity string, id int64) error {
	if b := deferred(ctx); b != nil {
		b.ops = append(b.ops, indexOp{doc: Doc{Entity: entity, ID: id}, remove: true})
		return nil
	}
	return remove(ctx, tx, engine, entity, id)
}

func remove(ctx context.Context, tx *sql.Tx, engine store.Engine, entity string, id int64) error {
	if engine != store.Postgres {
		if _, err := tx.ExecContext(ctx, "DELETE FROM search_fts WHERE rowid = (SELECT fts_rowid FROM search_docs WHERE entity = $1 AND record_id = $2)", entity, id); err != nil {
			return fmt.Errorf("unindex %s %d: %w", entity, id, err)
		}
	}
	if _, err := tx.ExecContext(ctx, "DELETE FROM search_docs WHERE entity = $1 AND record_id = $2", entity, id); err != nil {
		return fmt.Errorf("unindex %s %d: %w", entity, id, err)
	}
	return nil
}

// WordsAndParts returns values with their parts as words, so that "budi"
// and "maju" find budi@maju.co.id, and "00042" finds SO-202605-00042, on
// either engine (PostgreSQL reads "-00042" as a signed number).
func WordsAndParts(values []string) string {
	var words []string
	for _, e := range values {
		words = append(words, e)
		words = append(words, Parts(e)...)
	}
	return strings.Join(words, " ")
}

// Parts returns the runs of letters and digits of s: the words search
// matches a query's words against.
func Parts(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
}

// PhoneWords returns the searchable forms of phone numbers.
func PhoneWords(phones []string) string {
	var words []string
	for _, p := range phones {
		words = append(words, phone.SearchForms(p)...)
	}
	return strings.Join(words, " ")
}

// MinQueryLen is the shortest word search looks for.
const MinQueryLen = 3

// terms splits a query into words search can match: phone-like input
// becomes its digits, so "0812-3456" finds 081234567890.
func terms(q string) []string {
	q = strings.TrimSpace(q)
	if number := phone.WithoutExtension(q); number != q && looksLikePhone(number) {
		// "021 555 1234 ext. 12": the extension is not among a number's
		// searchable forms; the number finds the people behind it.
		q = number
	}
	if looksLikePhone(q) {
		if d := phone.Digits(q); len(d) >= MinQueryLen {
			return []string{d}
		}
		return nil
	}
	var out []string
	// Words are runs of letters and digits: "budi@maju.co.id" searches for
	// "budi" and "maju", which documents hold as words of their own.
	for _, w := range strings.FieldsFunc(strings.ToLower(q), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	}) {
		if len([]rune(w)) >= MinQueryLen {
			out = append(out, w)
		}
	}
	return out
}

func looksLikePhone(q string) bool {
	digits := 0
	for _, r := range q {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case r == '+' || r == '-' || r == ' ' || r == '(' || r == ')' || r == '.':
		default:
			return false
		}
	}
	return digits >= MinQueryLen
}

// candidates is how many matches Search ranks. Ranking every match of a
// short, common word ("jaya", "logistik", "0812") costs time in proportion
// to how many records hold it: bm25 and ts_rank read every match (30-40 ms
// for 10,000 matches at 100,000 contacts, ten times that at a million). So
// Search ranks a bounded set: on SQLite the newest matches (FTS5 reads its
// index newest first and stops), on PostgreSQL the first the index yields.
// Every hit holds every word; one more letter typed narrows the set.
const candidates = 200

// Search returns up to limit records matching every word of q that the
// caller may read, best matches first: those with every word at the start
// of a word of their title ("Budi Santoso" for "budi san"), then those with
// every word in their title, then the rest (e-mails, phones, company);
// newest first within each.
func Search(ctx context.Context, db *store.DB, p auth.Principal, q string, limit int) ([]Hit, error) {
	return SearchEntity(ctx, db, p, "", q, limit)
}

// SearchEntity is Search over the records of one entity ("contacts"), or
// of every entity for "".
func SearchEntity(ctx context.Context, db *store.DB, p auth.Principal, entity, q string, limit int) ([]Hit, error) {
	hits, words, err := find(ctx, db, p, entity, q, limit)
	if err != nil {
		return nil, err
	}
	fill(hits, q, words)
	return hits, nil
}

// fill reads the hits' details into their readable lines and matched
// fields. Phones cost a parse each, so it runs only for the hits shown.
func fill(hits []Hit, q string, words []string) {
	for i := range hits {
		h := &hits[i]
		h.Fields, h.Match = readable(h.Title, decodeDetail(h.detail), q, words)
		if h.Fields == nil {
			h.Fields = []Field{}
		}
		h.Detail = lineText(h.Fields)
	}
}

// find returns the best hits, their details still unread, and the words
// it searched for.
func find(ctx context.Context, db *store.DB, p auth.Principal, entity, q string, limit int) ([]Hit, []string, error) {
	words := terms(q)
	if len(words) == 0 {
		return []Hit{}, words, nil
	}
	var query string
	var args []any
	if db.Engine == store.Postgres {
		parts := make([]string, len(words))
		for i, w := range words {
			parts[i] = tsWord(w) + ":*"
		}
		args = []any{strings.Join(parts, " & ")}
		scope, sargs := p.Scope(auth.Read, "d.owner_id", 2)
		args = append(args, sargs...)
		scope += entityCond("d.entity", entity, &args)
		args = append(args, max(candidates, limit))
		// No ORDER BY inside: with one, PostgreSQL reads every match to sort them.
		query = fmt.Sprintf(`SELECT entity, record_id, title, detail FROM (
				SELECT d.entity, d.record_id, d.title, d.detail FROM search_docs d
				WHERE d.tsv @@ to_tsquery('simple', $1) AND %s LIMIT $%d) c
			ORDER BY record_id DESC, entity`, scope, len(args))
	} else {
		parts := make([]string, len(words))
		for i, w := range words {
			parts[i] = `"` + strings.ReplaceAll(w, `"`, `""`) + `"`
		}
		args = []any{strings.Join(parts, " ")}
		scope, sargs := p.Scope(auth.Read, "f.owner_id", 2)
		args = append(args, sargs...)
		scope += entityCond("f.entity", entity, &args)
		args = append(args, max(candidates, limit))
		// The detail by a subquery on search_docs' key, not a join: the
		// plan stays the FTS5 index read newest first.
		query = fmt.Sprintf(`SELECT f.entity, f.record_id, f.title,
				COALESCE((SELECT d.detail FROM search_docs d WHERE d.entity = f.entity AND d.record_id = f.record_id), '{}')
			FROM search_fts f
			WHERE search_fts MATCH $1 AND %s ORDER BY f.rowid DESC LIMIT $%d`, scope, len(args))
	}
	hits, err := store.Collect(ctx, db.Read(), func(row store.Scanner) (Hit, error) {
		var h Hit
		err := row.Scan(&h.Entity, &h.ID, &h.Title, &h.detail)
		h.URL = fmt.Sprintf("/%s/%d", h.Entity, h.ID)
		return h, err
	}, query, args...)
	if err != nil {
		return nil, nil, fmt.Errorf("search %q: %w", q, err)
	}
	// The candidates come newest first; a stable sort keeps that order
	// within each rank.
	slices.SortStableFunc(hits, func(a, b Hit) int { return titleRank(a.Title, words) - titleRank(b.Title, words) })
	if len(hits) > limit {
		hits = hits[:limit]
	}
	if hits == nil {
		hits = []Hit{}
	}
	return hits, words, nil
}

// entityCond narrows a search to one entity's documents.
func entityCond(column, entity string, args *[]any) string {
	if entity == "" {
		return ""
	}
	*args = append(*args, entity)
	return fmt.Sprintf(" AND %s = $%d", column, len(*args))
}

// titleRank is 0 when every word begins a word of title, 1 when title
// holds every word, 2 otherwise. words are lower case, as terms makes them.
func titleRank(title string, words []string) int {
	t := strings.ToLower(title)
	rank := 0
	for _, w := range words {
		switch {
		case !strings.Contains(t, w):
			return 2
		case !startsWord(t, w):
			rank = 1
		}
	}
	return rank
}

// startsWord reports whether w occurs in t at the start of a word.
func startsWord(t, w string) bool {
	for i := 0; i+len(w) <= len(t); {
		j := strings.Index(t[i:], w)
		if j < 0 {
			return false
		}
		at := i + j
		if at == 0 {
			return true
		}
		r, _ := utf8.DecodeLastRuneInString(t[:at])
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			return true
		}
		_, size := utf8.DecodeRuneInString(t[at:])
		i = at + size
	}
	return false
}

// tsWord is a word for to_tsquery; terms already holds only letters and digits.
func tsWord(w string) string { return w }

// Lookup is Search over the records of one entity ("contacts"), for the
// pickers of forms that link to a record: the same index, scope and
// ranking, the matches of other entities left out inside the query, so
// that they do not take the places of the candidates. The hits' readable
// lines are left unread: a picker shows the records as its list reads them.
func Lookup(ctx context.Context, db *store.DB, p auth.Principal, entity, q string, limit int) ([]Hit, error) {
	hits, _, err := find(ctx, db, p, entity, q, limit)
	return hits, err
}
