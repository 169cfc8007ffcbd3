package privacy

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"slices"
	"strconv"
	"time"

	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/errs"
	"github.com/relasi/relasi/internal/imports"
	"github.com/relasi/relasi/internal/records"
	"github.com/relasi/relasi/internal/store"
)

// FormatName names the export's structure; it changes when the structure
// does in a way readers must know.
const FormatName = "relasi.personal-data.v1"

// Export is everything Relasi holds about one person, as one JSON
// document.
type Export struct {
	Format     string    `json:"format"`
	ExportedAt time.Time `json:"exported_at"`
	ExportedBy string    `json:"exported_by"`
	// Subject is the record the request named; Records every record of
	// the same person (see the package comment).
	Subject Ref         `json:"subject"`
	Records []Person    `json:"records"`
	Related Related     `json:"related"`
	Merges  []mergeRow  `json:"merges"`
	Imports []ImportRow `json:"imports"`
	// Notifications are the in-app messages users got about the person.
	Notifications []Notification `json:"notifications"`
	// Attachments is always empty: Relasi stores no files with records.
	// The only files it keeps are imported spreadsheets, whose rows about
	// the person are in Imports.
	Attachments []string `json:"attachments"`
}

// Person is one record of the person with what hangs on it.
type Person struct {
	Entity string         `json:"entity"`
	ID     int64          `json:"id"`
	State  string         `json:"state"` // active or trash
	Record records.Record `json:"record"`
	// History is every recorded change of the record, newest first.
	History []records.HistoryEntry `json:"history"`
	// DuplicateKeys are what the duplicate search compares.
	DuplicateKeys []DuplicateKey `json:"duplicate_keys"`
	// SearchDocument is what global search knows of the record.
	SearchDocument *SearchDocument `json:"search_document"`
	// ExternalIDs are the record's IDs in the systems it was imported from.
	ExternalIDs []records.ExternalID `json:"external_ids"`
}

// Related are the records about the person.
type Related struct {
	Activities    []records.Record `json:"activities"`
	Opportunities []records.Record `json:"opportunities"`
	Orders        []Order          `json:"orders"`
}

// Order is an order of the person with its lines.
type Order struct {
	Order records.Record `json:"order"`
	Lines []OrderLine    `json:"lines"`
}

// OrderLine is one line of an order, amounts in minor units.
type OrderLine struct {
	ID          int64  `json:"id"`
	ProductID   *int64 `json:"product_id"`
	Description string `json:"description"`
	Quantity    int64  `json:"quantity"`
	UnitPrice   int64  `json:"unit_price_minor"`
	DiscountBP  int64  `json:"discount_bp"`
	LineTotal   int64  `json:"line_total_minor"`
}

// DuplicateKey is one key of the duplicate search.
type DuplicateKey struct {
	Kind  string `json:"kind"`
	Value string `json:"value"`
}

// SearchDocument is a record's document in global search.
type SearchDocument struct {
	Title string `json:"title"`
	Body  string `json:"body"`
}

// ImportRow is one row of an imported file that created, updated,
// skipped or failed on one of the person's records.
type ImportRow struct {
	ImportID   int64     `json:"import_id"`
	FileName   string    `json:"file_name"`
	ImportedAt time.Time `json:"imported_at"`
	Entity     string    `json:"entity"`
	RecordID   int64     `json:"record_id"`
	RowNumber  int64     `json:"row_number"`
	Action     string    `json:"action"`
	// Previous are the values an update replaced, as the import recorded them.
	Previous json.RawMessage `json:"previous"`
	// Source is the row as the file has it, by column header; null when
	// the file is no longer kept.
	Source map[string]string `json:"source"`
}

// Notification is one in-app message about the person.
type Notification struct {
	ID      int64  `json:"id"`
	UserID  int64  `json:"user_id"`
	Kind    string `json:"kind"`
	Message string `json:"message,omitempty"` // as stored before notifications kept facts
	// MessageKey and MessageArgs are what the notification says: a catalog
	// key and its arguments (JSON), worded when read.
	MessageKey  string          `json:"message_key,omitempty"`
	MessageArgs json.RawMessage `json:"message_args,omitempty"`
	Link        string          `json:"link"`
	CreatedAt   time.Time       `json:"created_at"`
}

// Export gathers everything about the person of a contact or lead.
func (m *Module) Export(ctx context.Context, p auth.Principal, entity string, id int64) (Export, error) {
	if err := allowed(p); err != nil {
		return Export{}, err
	}
	e, err := m.subject(entity)
	if err != nil {
		return Export{}, err
	}
	out := Export{Format: FormatName, ExportedAt: m.records.Now().UTC(), ExportedBy: p.Email, Subject: Ref{entity, id},
		Records: []Person{}, Merges: []mergeRow{}, Imports: []ImportRow{}, Notifications: []Notification{}, Attachments: []string{}}
	if out.ExportedBy == "" {
		out.ExportedBy = p.Name
	}
	q := m.db.Read()
	if err := exists(ctx, q, e, id); err != nil {
		return Export{}, err
	}
	group, err := m.group(ctx, q, Ref{entity, id})
	if err != nil {
		return Export{}, err
	}
	seenMerge := map[int64]bool{}
	for _, r := range group {
		person, err := m.person(ctx, p, r)
		if err != nil {
			return Export{}, err
		}
		out.Records = append(out.Records, person)
		merges, err := m.merges(ctx, q, r)
		if err != nil {
			return Export{}, err
		}
		for _, mg := range merges {
			if !seenMerge[mg.ID] {
				seenMerge[mg.ID] = true
				out.Merges = append(out.Merges, mg)
			}
		}
		rows, err := m.importRows(ctx, r)
		if err != nil {
			return Export{}, err
		}
		out.Imports = append(out.Imports, rows...)
		notes, err := m.notifications(ctx, r)
		if err != nil {
			return Export{}, err
		}
		out.Notifications = append(out.Notifications, notes...)
	}
	if out.Related, err = m.related(ctx, p, group); err != nil {
		return Export{}, err
	}
	return out, nil
}

// WriteJSON writes the export, indented for a person to read.
func (x Export) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(x)
}

// FileName is the name a download of the export gets.
func (x Export) FileName() string {
	return fmt.Sprintf("personal-data-%s-%d.json", x.Subject.Entity, x.Subject.ID)
}

// getAny returns a record live or from the trash.
func (m *Module) getAny(ctx context.Context, p auth.Principal, e *records.Entity, id int64) (records.Record, string, error) {
	rec, err := m.records.Get(ctx, p, e, id)
	if err == nil {
		return rec, "active", nil
	}
	if !errs.Is(err, errs.NotFound) {
		return rec, "", err
	}
	pg, err := m.records.List(ctx, p, e, records.Query{Trash: true, Where: e.Alias + ".id = $1", Args: []any{id}, Page: url.Values{}})
	if err != nil {
		return records.Record{}, "", err
	}
	if len(pg.Items) == 0 {
		return records.Record{}, "", errNotFound
	}
	return pg.Items[0], "trash", nil
}

func (m *Module) person(ctx context.Context, p auth.Principal, r Ref) (Person, error) {
	e, ok := m.entities.Get(r.Entity)
	if !ok {
		return Person{}, fmt.Errorf("no entity %s", r.Entity)
	}
	rec, state, err := m.getAny(ctx, p, e, r.ID)
	if err != nil {
		return Person{}, err
	}
	out := Person{Entity: r.Entity, ID: r.ID, State: state, Record: rec, DuplicateKeys: []DuplicateKey{}}
	if out.History, err = m.records.History(ctx, r.Entity, r.ID, 100000); err != nil {
		return Person{}, err
	}
	if out.History == nil {
		out.History = []records.HistoryEntry{}
	}
	q := m.db.Read()
	keys, err := store.Collect(ctx, q, func(s store.Scanner) (DuplicateKey, error) {
		var k DuplicateKey
		return k, s.Scan(&k.Kind, &k.Value)
	}, "SELECT kind, value FROM duplicate_keys WHERE entity = $1 AND record_id = $2 ORDER BY kind, value", r.Entity, r.ID)
	if err != nil {
		return Person{}, fmt.Errorf("duplicate keys of %s: %w", r, err)
	}
	out.DuplicateKeys = append(out.DuplicateKeys, keys...)
	if out.ExternalIDs, err = records.ExternalIDsOf(ctx, q, r.Entity, r.ID); err != nil {
		return Person{}, err
	}
	if out.ExternalIDs == nil {
		out.ExternalIDs = []records.ExternalID{}
	}
	table := "search_docs"
	if m.db.Engine == store.SQLite {
		table = "search_fts"
	}
	var doc SearchDocument
	err = q.QueryRowContext(ctx, "SELECT title, body FROM "+table+" WHERE entity = $1 AND record_id = $2", r.Entity, r.ID).Scan(&doc.Title, &doc.Body)
	switch {
	case err == nil:
		out.SearchDocument = &doc
	case !errors.Is(err, sql.ErrNoRows):
		return Person{}, fmt.Errorf("search document of %s: %w", r, err)
	}
	return out, nil
}

// relatedIDs finds the activities, deals and orders about the person.
func relatedIDs(ctx context.Context, q store.Querier, group []Ref) (acts, deals, orders []int64, err error) {
	collect := func(dst *[]int64, query string, args ...any) {
		if err != nil {
			return
		}
		var got []int64
		got, err = store.Collect(ctx, q, func(row store.Scanner) (int64, error) {
			var id sql.NullInt64
			e := row.Scan(&id)
			return id.Int64, e
		}, query, args...)
		for _, id := range got {
			if id != 0 && !slices.Contains(*dst, id) {
				*dst = append(*dst, id)
			}
		}
	}
	for _, r := range group {
		switch r.Entity {
		case "contacts":
			collect(&acts, "SELECT id FROM activities WHERE contact_id = $1 OR (related_type = 'contacts' AND related_id = $1) ORDER BY id", r.ID)
			collect(&deals, "SELECT id FROM deals WHERE contact_id = $1 ORDER BY id", r.ID)
			collect(&orders, "SELECT id FROM orders WHERE contact_id = $1 ORDER BY id", r.ID)
		case "leads":
			collect(&acts, "SELECT id FROM activities WHERE related_type = 'leads' AND related_id = $1 ORDER BY id", r.ID)
			collect(&deals, "SELECT d.id FROM deals d JOIN leads l ON l.converted_opportunity_id = d.id WHERE l.id = $1", r.ID)
		}
	}
	// Activities logged on the person's deals are about the person too.
	for _, id := range deals {
		collect(&acts, "SELECT id FROM activities WHERE related_type = 'opportunities' AND related_id = $1 ORDER BY id", id)
	}
	if err != nil {
		err = fmt.Errorf("records about the person: %w", err)
	}
	return acts, deals, orders, err
}

func (m *Module) related(ctx context.Context, p auth.Principal, group []Ref) (Related, error) {
	out := Related{Activities: []records.Record{}, Opportunities: []records.Record{}, Orders: []Order{}}
	acts, deals, orders, err := relatedIDs(ctx, m.db.Read(), group)
	if err != nil {
		return out, err
	}
	get := func(name string, id int64) (records.Record, error) {
		e, ok := m.entities.Get(name)
		if !ok {
			return records.Record{}, fmt.Errorf("no entity %s", name)
		}
		rec, _, err := m.getAny(ctx, p, e, id)
		return rec, err
	}
	for _, id := range acts {
		rec, err := get("activities", id)
		if err != nil {
			return out, err
		}
		out.Activities = append(out.Activities, rec)
	}
	for _, id := range deals {
		rec, err := get("opportunities", id)
		if err != nil {
			return out, err
		}
		out.Opportunities = append(out.Opportunities, rec)
	}
	for _, id := range orders {
		rec, err := get("orders", id)
		if err != nil {
			return out, err
		}
		lines, err := store.Collect(ctx, m.db.Read(), func(s store.Scanner) (OrderLine, error) {
			var l OrderLine
			var product sql.NullInt64
			err := s.Scan(&l.ID, &product, &l.Description, &l.Quantity, &l.UnitPrice, &l.DiscountBP, &l.LineTotal)
			if product.Valid {
				l.ProductID = &product.Int64
			}
			return l, err
		}, "SELECT id, product_id, description, quantity, unit_price, discount_bp, line_total FROM order_lines WHERE order_id = $1 ORDER BY id", id)
		if err != nil {
			return out, fmt.Errorf("lines of order %d: %w", id, err)
		}
		if lines == nil {
			lines = []OrderLine{}
		}
		out.Orders = append(out.Orders, Order{Order: rec, Lines: lines})
	}
	return out, nil
}

// importRows returns what imports recorded about a record, with the row
// read back from the stored file while it is kept.
func (m *Module) importRows(ctx context.Context, r Ref) ([]ImportRow, error) {
	type item struct {
		ImportRow
		format, options string
	}
	items, err := store.Collect(ctx, m.db.Read(), func(s store.Scanner) (item, error) {
		var it item
		var previous sql.NullString
		err := s.Scan(&it.ImportID, &it.FileName, &it.ImportedAt, &it.format, &it.options, &it.Entity, &it.RecordID, &it.RowNumber, &it.Action, &previous)
		if previous.Valid {
			it.Previous = json.RawMessage(previous.String)
		}
		it.ImportedAt = it.ImportedAt.UTC()
		return it, err
	}, `SELECT i.id, i.file_name, i.created_at, i.format, `+m.jsonText("i.options")+`, it.entity, it.record_id, it.row_number, it.action, `+m.jsonText("it.previous")+`
		FROM import_items it JOIN imports i ON i.id = it.import_id
		WHERE it.entity = $1 AND it.record_id = $2 AND `+notDryRunCreation+` ORDER BY i.id, it.row_number`, r.Entity, r.ID)
	if err != nil {
		return nil, fmt.Errorf("imports of %s: %w", r, err)
	}
	out := make([]ImportRow, 0, len(items))
	for _, it := range items {
		var opts struct {
			Sheet string `json:"sheet"`
		}
		json.Unmarshal([]byte(it.options), &opts)
		row := it.ImportRow
		if row.Source, err = m.sourceRow(it.ImportID, imports.Format(it.format), opts.Sheet, it.RowNumber); err != nil {
			return nil, err
		}
		out = append(out, row)
	}
	return out, nil
}

// notDryRunCreation leaves out what a dry run "created": its records were
// rolled back, so the ID it noted may since belong to someone else.
const notDryRunCreation = "NOT (i.dry_run AND it.action = 'created')"

// sourceRow reads one row of an import's file by its number, or nil when
// the file is gone.
func (m *Module) sourceRow(importID int64, format imports.Format, sheet string, number int64) (map[string]string, error) {
	path := m.importFile(importID)
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	rd, err := imports.Open(path, format, sheet)
	if err != nil {
		return nil, fmt.Errorf("file of import %d: %w", importID, err)
	}
	defer rd.Close()
	header := rd.Header()
	for {
		n, cells, err := rd.Next()
		if err == io.EOF {
			return nil, nil
		}
		if err != nil {
			return nil, fmt.Errorf("file of import %d: %w", importID, err)
		}
		if int64(n) != number {
			continue
		}
		row := map[string]string{}
		for i, h := range header {
			if h == "" {
				h = "column " + strconv.Itoa(i+1)
			}
			if i < len(cells) {
				row[h] = cells[i]
			} else {
				row[h] = ""
			}
		}
		return row, nil
	}
}

func (m *Module) notifications(ctx context.Context, r Ref) ([]Notification, error) {
	link := "/" + r.Entity + "/" + strconv.FormatInt(r.ID, 10)
	out, err := store.Collect(ctx, m.db.Read(), func(s store.Scanner) (Notification, error) {
		var n Notification
		var args string
		err := s.Scan(&n.ID, &n.UserID, &n.Kind, &n.Message, &n.MessageKey, &args, &n.Link, &n.CreatedAt)
		n.CreatedAt = n.CreatedAt.UTC()
		n.MessageArgs = json.RawMessage(args)
		return n, err
	}, "SELECT id, user_id, kind, message, message_key, message_args, link, created_at FROM notifications WHERE link = $1 OR link LIKE $2 ORDER BY id", link, link+"/%")
	if err != nil {
		return nil, fmt.Errorf("notifications about %s: %w", r, err)
	}
	return out, nil
}
