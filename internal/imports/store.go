package imports

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/errs"
	"github.com/relasi/relasi/internal/store"
)

// Status is where an import stands.
type Status string

const (
	Pending Status = "pending" // uploaded; its columns are being mapped
	Queued  Status = "queued"  // waiting for a worker
	Running Status = "running"
	Done    Status = "done"
	Failed  Status = "failed" // stopped by an error; it can be resumed
	Undoing Status = "undoing"
	Undone  Status = "undone"
)

// OnDuplicate says what happens to a row that matches an existing record
// (or an earlier row of the file).
type OnDuplicate string

const (
	Skip   OnDuplicate = "skip"   // leave the existing record alone
	Update OnDuplicate = "update" // fill the existing record with the row's values
	Create OnDuplicate = "create" // create another record anyway
)

// Options are the choices made for an import besides the mapping.
type Options struct {
	OnDuplicate OnDuplicate `json:"on_duplicate"`
	// Sheet is the XLSX worksheet; "" is the first.
	Sheet string `json:"sheet,omitempty"`
	// Values decides, per select field, what each value found in its
	// column becomes: field name → source value → decision (values.go).
	Values map[string]map[string]string `json:"values,omitempty"`
	// UnknownOwner says who gets a row whose owner Relasi does not know
	// ("" is the importer); UnknownOwnerID is that user for OwnerUser.
	// See owners.go.
	UnknownOwner   UnknownOwner `json:"unknown_owner,omitempty"`
	UnknownOwnerID int64        `json:"unknown_owner_id,omitempty"`
	// ExternalSystem names the system the external_id column's IDs come
	// from ("hubspot"); see external_ids.go.
	ExternalSystem string `json:"external_system,omitempty"`
	// NewLeads treats imported leads as new business: assigned by the
	// lead settings, on the response clock, flagged and notified when
	// overdue. Without it an import is quiet (see records.Origin).
	NewLeads bool `json:"new_leads,omitempty"`
}

// Counts are an import's results so far.
type Counts struct {
	Created int64 `json:"created"`
	Updated int64 `json:"updated"`
	Skipped int64 `json:"skipped"`
	Failed  int64 `json:"failed"`
	// Related are records made along the way: a contact's new account.
	Related int64 `json:"related_created"`
	// Undone and Kept count what an undo did: records trashed or restored,
	// and records left alone because they changed since the import.
	Undone int64 `json:"undone"`
	Kept   int64 `json:"kept"`
}

// Rows is how many data rows the counts cover.
func (c Counts) Rows() int64 { return c.Created + c.Updated + c.Skipped + c.Failed }

// Import is one run over a file: a dry run or the real thing.
type Import struct {
	ID       int64
	Entity   string
	FileName string
	Format   Format
	Headers  []string
	// Mapping holds the target of each column, "" for a column left out.
	Mapping []string
	Options Options
	DryRun  bool
	Status  Status
	// TotalRows is the number of data rows in the file (blank rows aside).
	TotalRows int64
	// Checkpoint is how many rows of the file are committed; a resumed
	// run starts after them.
	Checkpoint int64
	Counts     Counts
	Error      string
	CreatedBy  int64
	UndoneBy   int64
	CreatedAt  time.Time
	UpdatedAt  time.Time
	StartedAt  *time.Time
	FinishedAt *time.Time
	UndoneAt   *time.Time
}

// Progress is the share of rows done, from 0 to 1.
func (imp Import) Progress() float64 {
	if imp.Status == Done || imp.Status == Undone || imp.Status == Undoing {
		return 1
	}
	if imp.TotalRows <= 0 {
		return 0
	}
	return min(float64(imp.Counts.Rows())/float64(imp.TotalRows), 1)
}

// Active reports whether the import is queued or running.
func (imp Import) Active() bool {
	return imp.Status == Queued || imp.Status == Running || imp.Status == Undoing
}

// CanUndo reports whether an undo may start (or resume).
func (imp Import) CanUndo() bool {
	return !imp.DryRun && (imp.Status == Done || imp.Status == Failed || imp.Status == Undoing) &&
		(imp.Counts.Created > 0 || imp.Counts.Updated > 0 || imp.Counts.Related > 0 || imp.Status == Undoing)
}

// Mine reports whether p may see and act on the import: its creator and
// administrators.
func (imp Import) mine(p auth.Principal) bool {
	return imp.CreatedBy == p.UserID || p.CanManage() == nil
}

// MappingByHeader is the mapping as header → field, as mapping files and
// the API write it. With repeated headers, the first column's target wins.
func (imp Import) MappingByHeader() map[string]string {
	out := map[string]string{}
	for i, h := range imp.Headers {
		if i < len(imp.Mapping) {
			if _, seen := out[h]; !seen {
				out[h] = imp.Mapping[i]
			}
		}
	}
	return out
}

// jsonText reads a JSON column as text on either engine.
func jsonText(engine store.Engine, col string) string {
	if engine == store.Postgres {
		return col + "::text"
	}
	return col
}

func (m *Module) importSelect() string {
	e := m.db.Engine
	return `SELECT id, entity, file_name, format, ` + jsonText(e, "headers") + `, ` + jsonText(e, "mapping") + `, ` + jsonText(e, "options") + `,
		dry_run, status, COALESCE(total_rows, 0), checkpoint, created_count, updated_count, skipped_count, failed_count, related_count,
		undone_count, kept_count, error, COALESCE(created_by, 0), COALESCE(undone_by, 0), created_at, updated_at, started_at, finished_at, undone_at
		FROM imports`
}

func scanImport(row store.Scanner) (Import, error) {
	var imp Import
	var headers, mapping, options string
	var started, finished, undone sql.NullTime
	c := &imp.Counts
	err := row.Scan(&imp.ID, &imp.Entity, &imp.FileName, &imp.Format, &headers, &mapping, &options, &imp.DryRun, &imp.Status,
		&imp.TotalRows, &imp.Checkpoint, &c.Created, &c.Updated, &c.Skipped, &c.Failed, &c.Related, &c.Undone, &c.Kept,
		&imp.Error, &imp.CreatedBy, &imp.UndoneBy, &imp.CreatedAt, &imp.UpdatedAt, &started, &finished, &undone)
	if err != nil {
		return Import{}, err
	}
	if err := errors.Join(json.Unmarshal([]byte(headers), &imp.Headers), json.Unmarshal([]byte(mapping), &imp.Mapping),
		json.Unmarshal([]byte(options), &imp.Options)); err != nil {
		return Import{}, fmt.Errorf("import %d: %w", imp.ID, err)
	}
	for len(imp.Mapping) < len(imp.Headers) {
		imp.Mapping = append(imp.Mapping, "")
	}
	imp.CreatedAt, imp.UpdatedAt = imp.CreatedAt.UTC(), imp.UpdatedAt.UTC()
	for _, t := range []struct {
		src sql.NullTime
		dst **time.Time
	}{{started, &imp.StartedAt}, {finished, &imp.FinishedAt}, {undone, &imp.UndoneAt}} {
		if t.src.Valid {
			u := t.src.Time.UTC()
			*t.dst = &u
		}
	}
	return imp, nil
}

var errNoImport = errs.E(errs.NotFound, "No such import, or it is not yours.").WithKey("imports.error_not_found")

// load reads an import without checking who asks.
func (m *Module) load(ctx context.Context, q store.Querier, id int64) (Import, error) {
	imp, err := scanImport(q.QueryRowContext(ctx, m.importSelect()+" WHERE id = $1", id))
	if errors.Is(err, sql.ErrNoRows) {
		return Import{}, errNoImport
	}
	if err != nil {
		return Import{}, fmt.Errorf("get import %d: %w", id, err)
	}
	return imp, nil
}

// Get returns an import its creator or an administrator asks for.
func (m *Module) Get(ctx context.Context, p auth.Principal, id int64) (Import, error) {
	imp, err := m.load(ctx, m.db.Read(), id)
	if err != nil {
		return Import{}, err
	}
	if !imp.mine(p) {
		return Import{}, errNoImport
	}
	return imp, nil
}

// List returns the caller's imports (every import, for administrators),
// newest first, limit at a time; before is the ID to continue below (0 for
// the first page).
func (m *Module) List(ctx context.Context, p auth.Principal, limit int, before int64) ([]Import, error) {
	where, args := []string{"1 = 1"}, []any{}
	if p.CanManage() != nil {
		args = append(args, p.UserID)
		where = append(where, fmt.Sprintf("created_by = $%d", len(args)))
	}
	if before > 0 {
		args = append(args, before)
		where = append(where, fmt.Sprintf("id < $%d", len(args)))
	}
	args = append(args, limit)
	out, err := store.Collect(ctx, m.db.Read(), scanImport,
		m.importSelect()+" WHERE "+strings.Join(where, " AND ")+fmt.Sprintf(" ORDER BY id DESC LIMIT $%d", len(args)), args...)
	if err != nil {
		return nil, fmt.Errorf("list imports: %w", err)
	}
	return out, nil
}

// Failure is a row that could not be imported, or a skipped duplicate.
type Failure struct {
	Row    int64  `json:"row"`
	Action string `json:"action"`
	Reason string `json:"reason"` // in English
	Facts  Reason `json:"-"`
}

// Failures returns up to limit rejected rows of an import in file order,
// skipped ones too when withSkipped, with their reasons in English.
func (m *Module) Failures(ctx context.Context, id int64, limit int, withSkipped bool) ([]Failure, error) {
	q := ItemsQuery{Actions: []string{"failed"}, Limit: limit}
	if withSkipped {
		q.Actions = append(q.Actions, "skipped")
	}
	items, err := m.Items(ctx, Import{ID: id}, q)
	if err != nil {
		return nil, err
	}
	out := make([]Failure, len(items))
	for i, it := range items {
		out[i] = Failure{Row: it.Row, Action: it.Action, Reason: it.Facts.English, Facts: it.Facts}
	}
	return out, nil
}

// item is the outcome of one row (or of a record a row made on the way).
type item struct {
	row      int64
	entity   string
	action   string // created, updated, skipped, failed
	recordID int64
	version  int64
	previous []byte // JSON, updates only
	err      string
}

// insertItems writes a batch's items, several rows per statement. The
// chunks stay small: SQLite looks up numbered parameters ($n) by name, so
// a statement's cost grows with the square of its parameters.
func insertItems(ctx context.Context, tx *sql.Tx, importID int64, items []item) error {
	const cols, chunk = 8, 50
	for len(items) > 0 {
		n := min(len(items), chunk)
		var b strings.Builder
		b.WriteString("INSERT INTO import_items (import_id, row_number, entity, action, record_id, version, previous, error) VALUES ")
		args := make([]any, 0, n*cols)
		for i, it := range items[:n] {
			if i > 0 {
				b.WriteString(", ")
			}
			base := i * cols
			fmt.Fprintf(&b, "($%d, $%d, $%d, $%d, $%d, $%d, $%d, $%d)", base+1, base+2, base+3, base+4, base+5, base+6, base+7, base+8)
			var prev any
			if it.previous != nil {
				prev = string(it.previous)
			}
			args = append(args, importID, it.row, it.entity, it.action, nullInt(it.recordID), nullInt(it.version), prev, it.err)
		}
		if _, err := tx.ExecContext(ctx, b.String(), args...); err != nil {
			return fmt.Errorf("record import items: %w", err)
		}
		items = items[n:]
	}
	return nil
}

func nullInt(n int64) any {
	if n == 0 {
		return nil
	}
	return n
}

// savedMapping returns the user's last mapping for an entity (header →
// field), or nil.
func (m *Module) savedMapping(ctx context.Context, userID int64, entity string) (map[string]string, error) {
	var raw string
	err := m.db.Read().QueryRowContext(ctx, "SELECT "+jsonText(m.db.Engine, "mapping")+" FROM import_mappings WHERE user_id = $1 AND entity = $2",
		userID, entity).Scan(&raw)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("saved mapping: %w", err)
	}
	var out map[string]string
	if err := json.Unmarshal([]byte(raw), &out); err != nil {
		return nil, fmt.Errorf("saved mapping: %w", err)
	}
	return out, nil
}

// SaveMapping remembers a mapping (header → field) as the user's choice
// for the entity, offered for the next file with such columns. Columns
// mapped before keep their earlier choice unless this mapping names them.
func (m *Module) SaveMapping(ctx context.Context, userID int64, entity string, mapping map[string]string) error {
	old, err := m.savedMapping(ctx, userID, entity)
	if err != nil {
		return err
	}
	merged := map[string]string{}
	for h, f := range old {
		merged[h] = f
	}
	for h, f := range mapping {
		merged[h] = f
	}
	b, _ := json.Marshal(merged)
	return m.db.WriteTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO import_mappings (user_id, entity, mapping, updated_at) VALUES ($1, $2, $3, $4)
			ON CONFLICT (user_id, entity) DO UPDATE SET mapping = EXCLUDED.mapping, updated_at = EXCLUDED.updated_at`,
			userID, entity, string(b), m.now())
		if err != nil {
			return fmt.Errorf("save mapping: %w", err)
		}
		return nil
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
