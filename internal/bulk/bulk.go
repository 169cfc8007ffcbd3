// Package bulk changes many records at once — selected rows of a list,
// or every record matching its filter — and undoes such a change as one
// operation. Every record goes through the records store as a single edit
// would: the same validation, the same scope and write checks, one
// history entry per record. What each record had is kept beside the
// operation, so undo puts it back unless the record changed again since.
// A few thousand records are changed within the request; more run as a
// background job whose progress the operation's page shows.
package bulk

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/riverqueue/river"

	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/errs"
	"github.com/relasi/relasi/internal/jobs"
	"github.com/relasi/relasi/internal/records"
	"github.com/relasi/relasi/internal/store"
)

// The actions of a bulk change.
const (
	Assign    = "assign"     // a new owner: Value is the user's ID
	Set       = "set"        // Field becomes Value: a status, a stage, a lifecycle stage
	TagAdd    = "tag_add"    // Value joins the record's tags
	TagRemove = "tag_remove" // Value leaves them
	Delete    = "delete"     // to the trash
)

// Actions are the bulk actions, in the order the list offers them.
var Actions = []string{Assign, Set, TagAdd, TagRemove, Delete}

// tagsField is the list field tag actions change.
const tagsField = "tags"

// Request is a bulk change as asked: the records by ID, or every one
// matching Filter (with AllMatching).
type Request struct {
	Entity      string  `json:"entity"`
	Action      string  `json:"action"`
	Field       string  `json:"field,omitempty"`
	Value       string  `json:"value,omitempty"`
	IDs         []int64 `json:"ids,omitempty"`
	AllMatching bool    `json:"all_matching,omitempty"`
	Filter      string  `json:"filter,omitempty"`
}

// Operation is a bulk change and how far it has come.
type Operation struct {
	ID     int64  `json:"id"`
	Entity string `json:"entity"`
	Action string `json:"action"`
	Field  string `json:"field,omitempty"`
	Value  string `json:"value,omitempty"`
	// AllMatching: every record matching Filter (with the creator's
	// scope) when the change started; else the records chosen by ID.
	AllMatching bool   `json:"all_matching"`
	Filter      string `json:"filter,omitempty"`
	Status      string `json:"status"` // queued, running, done, failed, undoing, undone
	Total       int64  `json:"total"`
	Done        int64  `json:"done"`    // records worked through
	Changed     int64  `json:"changed"` // of which changed
	Failed      int64  `json:"failed"`  // of which refused, each with its reason (Failures)
	Undone      int64  `json:"undone"`
	// Kept are records undo left alone: changed again since.
	Kept      int64     `json:"kept"`
	Error     string    `json:"error,omitempty"`
	CreatedBy int64     `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Finished reports whether the operation has stopped working.
func (o Operation) Finished() bool {
	return o.Status == "done" || o.Status == "failed" || o.Status == "undone"
}

// Failure is a record a bulk change refused, and why.
type Failure struct {
	RecordID int64  `json:"record_id"`
	Title    string `json:"title"`
	Error    string `json:"error"`
}

// Module runs bulk changes.
type Module struct {
	db       *store.DB
	records  *records.Store
	entities *records.Registry
	auth     *auth.Service
	// InlineRows is the most records changed within the request; more
	// go to a background job.
	InlineRows int
	// BatchSize is how many records one transaction changes.
	BatchSize int

	jobs *jobs.Inserter
}

// New returns the module. Register Worker with the app's job runner so
// that large changes run.
func New(rs *records.Store, entities *records.Registry, authSvc *auth.Service) *Module {
	m := &Module{db: rs.DB(), records: rs, entities: entities, auth: authSvc, InlineRows: 2000, BatchSize: 100}
	m.jobs = jobs.NewInserter(m.db, func(w *river.Workers) { river.AddWorker(w, m.Worker()) })
	return m
}

// Close releases the job client the module enqueues with, if it made one.
func (m *Module) Close(ctx context.Context) error {
	return m.jobs.Close(ctx)
}

// checked is a request whose entity, action and value make sense.
type checked struct {
	Request
	e     *records.Entity
	field records.Field // the field the action changes
}

// checkAction refuses, field by field and before any record is touched,
// an action that cannot work: an unknown one, a value the field does not
// take.
func (m *Module) checkAction(ctx context.Context, p auth.Principal, req Request) (checked, error) {
	if err := p.CanWriteAny(); err != nil {
		return checked{}, err
	}
	e, ok := m.entities.Get(req.Entity)
	if !ok {
		return checked{}, errs.E(errs.NotFound, "There are no records of type %q.", req.Entity).WithKey("error.not_found")
	}
	c := checked{Request: req, e: e}
	c.Value = strings.TrimSpace(c.Value)
	var fe errs.Fields
	switch req.Action {
	case Assign:
		if !e.Owned {
			fe.Add("action", "invalid", "cannot be %s: %s have no owner", Assign, e.Name)
			break
		}
		c.Field = "owner_id"
		c.field = records.Field{Name: "owner_id", Kind: records.User}
		if c.Value == "" {
			fe.Add("value", "required", "is required: the ID of the new owner")
		}
	case Set:
		f, ok, err := fieldOf(ctx, m.records, e, req.Field)
		if err != nil {
			return checked{}, err
		}
		if !ok || f.ReadOnly || (f.Kind != records.Select && f.Kind != records.Ref && f.Kind != records.Bool) {
			fe.Add("field", "invalid", "must be a choice, yes/no or link field of %s that may be changed", e.Name)
			break
		}
		c.field = f
		if f.Kind == records.Select && c.Value != "" && !slices.Contains(f.Choices, c.Value) {
			fe.Add("value", "invalid_choice", "must be one of %s", strings.Join(f.Choices, ", "))
		}
		if f.Required && c.Value == "" {
			fe.Add("value", "required", "is required: %s cannot be empty", f.Name)
		}
	case TagAdd, TagRemove:
		f, ok, err := fieldOf(ctx, m.records, e, tagsField)
		if err != nil {
			return checked{}, err
		}
		if !ok || f.Kind != records.List {
			fe.Add("action", "invalid", "cannot be %s: %s have no tags", req.Action, e.Name)
			break
		}
		c.Field, c.field = tagsField, f
		if c.Value == "" {
			fe.Add("value", "required", "is required: the tag")
		} else if len([]rune(c.Value)) > 100 {
			fe.Add("value", "too_long", "must be at most %d characters", 100)
		}
	case Delete:
		c.Field, c.Value = "", ""
	default:
		fe.Add("action", "invalid", "must be one of %s", strings.Join(Actions, ", "))
	}
	if err := fe.Err(); err != nil {
		return checked{}, err
	}
	return c, nil
}

// check refuses a request that cannot work: checkAction, and a choice of
// records that is none, both or too many to name.
func (m *Module) check(ctx context.Context, p auth.Principal, req Request) (checked, error) {
	if err := p.CanWriteAny(); err != nil {
		return checked{}, err
	}
	var fe errs.Fields
	switch {
	case req.AllMatching && len(req.IDs) > 0:
		fe.Add("ids", "invalid", "must be left out with all_matching: the filter chooses the records")
	case !req.AllMatching && len(req.IDs) == 0:
		fe.Add("ids", "required", "is required: the records to change, or all_matching with a filter")
	case len(req.IDs) > MaxIDs:
		fe.Add("ids", "too_many", "must be at most %d; for more, change all matching a filter", MaxIDs)
	}
	if err := fe.Err(); err != nil {
		return checked{}, err
	}
	c, err := m.checkAction(ctx, p, req)
	if err != nil {
		return checked{}, err
	}
	return c, nil
}

// MaxIDs is the most records a bulk change names by ID.
const MaxIDs = 10000

// Start begins a bulk change as p. Up to InlineRows records are changed
// before it returns; with more, it returns the queued operation and a
// background job does the work.
func (m *Module) Start(ctx context.Context, p auth.Principal, req Request) (Operation, error) {
	c, err := m.check(ctx, p, req)
	if err != nil {
		return Operation{}, err
	}
	inline := len(c.IDs) <= m.InlineRows
	if c.AllMatching {
		// Counted before anything is recorded: a filter that does not
		// compile is the user's to fix, and leaves no operation behind.
		_, more, err := m.records.Count(ctx, p, c.e, records.Query{Filter: c.Filter}, m.InlineRows)
		if err != nil {
			return Operation{}, err
		}
		inline = !more
	}
	now := m.records.Now()
	var id int64
	err = m.db.WriteTx(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, `INSERT INTO bulk_operations (entity, action, field, value, all_matching, filter, status, created_by, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, 'queued', $7, $8, $8) RETURNING id`,
			c.e.Name, c.Action, c.Field, c.Value, c.AllMatching, c.filterText(), p.UserID, now).Scan(&id); err != nil {
			return fmt.Errorf("record the bulk change: %w", err)
		}
		if c.AllMatching {
			return nil
		}
		return insertItems(ctx, tx, id, uniqueIDs(c.IDs))
	})
	if err != nil {
		return Operation{}, err
	}
	if !inline {
		if err := m.enqueue(ctx, RunArgs{OperationID: id}); err != nil {
			return Operation{}, err
		}
		return m.Get(ctx, p, id)
	}
	if err := m.Run(ctx, id); err != nil {
		return Operation{}, err
	}
	return m.Get(ctx, p, id)
}

func (c checked) filterText() string {
	if c.AllMatching {
		return c.Filter
	}
	return ""
}

func uniqueIDs(ids []int64) []int64 {
	out := slices.Clone(ids)
	slices.Sort(out)
	return slices.Compact(out)
}

// insertItems adds the records of an operation, pending, to it and to
// its total.
func insertItems(ctx context.Context, tx *sql.Tx, op int64, ids []int64) error {
	for chunk := range slices.Chunk(ids, 200) {
		var b strings.Builder
		args := []any{op}
		b.WriteString("INSERT INTO bulk_items (operation_id, record_id) VALUES ")
		for i, id := range chunk {
			if i > 0 {
				b.WriteString(", ")
			}
			args = append(args, id)
			fmt.Fprintf(&b, "($1, $%d)", len(args))
		}
		b.WriteString(" ON CONFLICT DO NOTHING")
		res, err := tx.ExecContext(ctx, b.String(), args...)
		if err != nil {
			return fmt.Errorf("record the bulk change's records: %w", err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "UPDATE bulk_operations SET total = total + $1 WHERE id = $2", n, op); err != nil {
			return fmt.Errorf("count the bulk change's records: %w", err)
		}
	}
	return nil
}

// Get returns an operation p started (an administrator sees every one).
func (m *Module) Get(ctx context.Context, p auth.Principal, id int64) (Operation, error) {
	o, err := m.get(ctx, m.db.Read(), id)
	if err != nil {
		return Operation{}, err
	}
	if o.CreatedBy != p.UserID && p.CanManage() != nil {
		return Operation{}, errs.E(errs.NotFound, "There is no such bulk change.").WithKey("error.not_found")
	}
	return o, nil
}

func (m *Module) get(ctx context.Context, q store.Querier, id int64) (Operation, error) {
	var o Operation
	var createdBy sql.NullInt64
	err := q.QueryRowContext(ctx, `SELECT id, entity, action, field, value, all_matching, filter, status, total, done_count, changed_count, failed_count,
		undone_count, kept_count, error, created_by, created_at, updated_at FROM bulk_operations WHERE id = $1`, id).Scan(
		&o.ID, &o.Entity, &o.Action, &o.Field, &o.Value, &o.AllMatching, &o.Filter, &o.Status, &o.Total, &o.Done, &o.Changed, &o.Failed,
		&o.Undone, &o.Kept, &o.Error, &createdBy, &o.CreatedAt, &o.UpdatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return Operation{}, errs.E(errs.NotFound, "There is no such bulk change.").WithKey("error.not_found")
	}
	if err != nil {
		return Operation{}, fmt.Errorf("bulk change %d: %w", id, err)
	}
	o.CreatedBy = createdBy.Int64
	o.CreatedAt, o.UpdatedAt = o.CreatedAt.UTC(), o.UpdatedAt.UTC()
	return o, nil
}

// Failures lists up to limit records the operation refused, with why.
func (m *Module) Failures(ctx context.Context, p auth.Principal, o Operation, limit int) ([]Failure, error) {
	list, err := store.Collect(ctx, m.db.Read(), func(row store.Scanner) (Failure, error) {
		var f Failure
		err := row.Scan(&f.RecordID, &f.Error)
		return f, err
	}, "SELECT record_id, error FROM bulk_items WHERE operation_id = $1 AND state = 'failed' ORDER BY record_id LIMIT $2", o.ID, limit)
	if err != nil {
		return nil, fmt.Errorf("failures of bulk change %d: %w", o.ID, err)
	}
	if e, ok := m.entities.Get(o.Entity); ok && len(list) > 0 {
		ids := make([]int64, len(list))
		for i, f := range list {
			ids[i] = f.RecordID
		}
		titles, err := m.records.ReadableTitles(ctx, p, e, ids)
		if err != nil {
			return nil, err
		}
		for i := range list {
			list[i].Title = titles[list[i].RecordID]
		}
	}
	return list, nil
}
