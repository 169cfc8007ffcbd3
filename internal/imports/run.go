package imports

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/errs"
	"github.com/relasi/relasi/internal/records"
	"github.com/relasi/relasi/internal/search"
	"github.com/relasi/relasi/internal/store"
)

// errLostClaim stops a run whose import another run has moved on (or that
// was cancelled): its batch is rolled back, so nothing is written twice.
var errLostClaim = errors.New("imports: another run has taken over this import")

// errDryRun rolls back a dry run's batch on purpose.
var errDryRun = errors.New("imports: dry run")

// maxCachedAccounts bounds the memory of account names looked up.
const maxCachedAccounts = 10_000

// Run runs an import that is queued, or resumes one that failed or was
// interrupted, from its checkpoint to the end of the file. progress, when
// not nil, is called after each committed batch. A run that fails leaves
// the import failed with the reason, ready to be resumed.
func (m *Module) Run(ctx context.Context, id int64, progress func(Import)) (Import, error) {
	imp, err := m.claim(ctx, id)
	if errors.Is(err, errLostClaim) {
		return m.load(ctx, m.db.Read(), id)
	}
	if err != nil {
		return imp, err
	}
	err = m.run(ctx, &imp, progress)
	if errors.Is(err, errLostClaim) {
		return m.load(ctx, m.db.Read(), id)
	}
	if err != nil {
		// The reason is recorded even when ctx ended (a shutdown).
		m.setFailed(context.WithoutCancel(ctx), id, err)
		imp, _ = m.load(context.WithoutCancel(ctx), m.db.Read(), id)
		return imp, err
	}
	if err := m.finish(ctx, imp); err != nil {
		return imp, err
	}
	return m.load(ctx, m.db.Read(), id)
}

// claim marks an import running.
func (m *Module) claim(ctx context.Context, id int64) (Import, error) {
	var imp Import
	err := m.db.WriteTx(ctx, func(tx *sql.Tx) error {
		var err error
		if imp, err = m.load(ctx, tx, id); err != nil {
			return err
		}
		switch imp.Status {
		case Queued, Running, Failed:
		case Done:
			return errs.E(errs.Conflict, "Import %d has finished already.", id).WithKey("imports.error_finished")
		default:
			return errs.E(errs.Conflict, "Import %d cannot run now: it is %s.", id, imp.Status).WithKey("imports.error_cannot_run")
		}
		now := m.now()
		// Conditional on the status read, for a run that starts while
		// another one finishes.
		res, err := tx.ExecContext(ctx, `UPDATE imports SET status = 'running', error = '', started_at = COALESCE(started_at, $1), updated_at = $1
			WHERE id = $2 AND status = $3`, now, id, imp.Status)
		if err != nil {
			return fmt.Errorf("start import %d: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errLostClaim
		}
		imp.Status, imp.Error = Running, ""
		return nil
	})
	return imp, err
}

func (m *Module) setFailed(ctx context.Context, id int64, cause error) {
	msg := "The import stopped because of an internal error; it has been logged. Resume it to continue."
	if e, ok := errs.As(cause); ok {
		msg = e.Message
	} else if errors.Is(cause, context.Canceled) || errors.Is(cause, context.DeadlineExceeded) {
		msg = "The import was interrupted. Resume it to continue where it stopped."
	}
	m.db.WriteTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, "UPDATE imports SET status = 'failed', error = $1, updated_at = $2 WHERE id = $3 AND status = 'running'",
			msg, m.now(), id)
		return err
	})
}

// finish marks the import done and, for a real one, writes its entry in
// the history.
func (m *Module) finish(ctx context.Context, imp Import) error {
	return m.db.WriteTx(ctx, func(tx *sql.Tx) error {
		now := m.now()
		res, err := tx.ExecContext(ctx, "UPDATE imports SET status = 'done', finished_at = $1, updated_at = $1 WHERE id = $2 AND status = 'running'", now, imp.ID)
		if err != nil {
			return fmt.Errorf("finish import %d: %w", imp.ID, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		if imp.DryRun {
			_, err := tx.ExecContext(ctx, "DELETE FROM import_keys WHERE import_id = $1", imp.ID)
			return err
		}
		c := imp.Counts
		return records.RecordChange(ctx, tx, now, "imports", imp.ID, "import", auth.Principal{UserID: imp.CreatedBy}, map[string][2]any{
			"entity": {nil, imp.Entity}, "file_name": {nil, imp.FileName}, "created": {nil, c.Created}, "updated": {nil, c.Updated},
			"skipped": {nil, c.Skipped}, "failed": {nil, c.Failed}, "related_created": {nil, c.Related},
		})
	})
}

// fileRow is one data row read from the file.
type fileRow struct {
	row   int64
	cells []string
}

// runner is one run of an import.
type runner struct {
	m         *Module
	imp       *Import
	entity    *records.Entity
	accounts  *records.Entity // where a contact's new account goes; nil when none may be made
	p         auth.Principal
	fields    map[string]records.Field
	allFields []records.Field
	conv      *converter

	accountIDs map[string]int64    // lower-case account name → ID
	newChoices map[string][]string // custom field key → choices the import adds
	ownerDir   *ownerDirectory     // the active users, read once per run (owners.go)
	mig        *migration          // the pseudo-fields' setup (external_ids.go)
	width      widthCheck          // rows whose cells do not line up with the header
}

func (m *Module) newRunner(ctx context.Context, imp *Import) (*runner, error) {
	e, ok := m.entity(imp.Entity)
	if !ok {
		return nil, errs.E(errs.Invalid, "Records of type %q cannot be imported.", imp.Entity)
	}
	if imp.CreatedBy == 0 {
		return nil, errs.E(errs.Invalid, "The user who started this import no longer exists.")
	}
	u, err := m.auth.GetUser(ctx, imp.CreatedBy)
	if err != nil {
		return nil, err
	}
	fields, err := m.records.Fields(ctx, e)
	if err != nil {
		return nil, err
	}
	targets := Targets(e, fields, m.catalog)
	if col, problem := validMapping(imp.Mapping, targets); problem != "" {
		return nil, errs.E(errs.Invalid, "The mapping of column %q is not valid (%s); map the columns again.", imp.Headers[col], problem)
	}
	r := &runner{m: m, imp: imp, entity: e, p: u.Principal(), fields: map[string]records.Field{}, width: widthOf(imp),
		conv: newConverter(imp.Headers, imp.Mapping, targets, m.catalog), accountIDs: map[string]int64{}}
	for _, f := range fields {
		r.fields[f.Name] = f
	}
	r.allFields = fields
	r.setupValues()
	if e.Name == "contacts" {
		r.accounts, _ = m.entities.Get("accounts")
	}
	return r, nil
}

func (m *Module) run(ctx context.Context, imp *Import, progress func(Import)) error {
	r, err := m.newRunner(ctx, imp)
	if err != nil {
		return err
	}
	rd, err := Open(filepath.Join(m.fileDir(imp.ID), "source"), imp.Format, imp.Options.Sheet)
	if errors.Is(err, fs.ErrNotExist) {
		// Several instances need one shared data directory for imports;
		// the job is retried, perhaps by the instance that has the file.
		return errs.E(errs.Internal, "The file of this import is not in this server's data directory (%s). Resume it where the file was uploaded, or share the data directory between instances.", m.dir)
	}
	if err != nil {
		return err
	}
	defer rd.Close()
	r.width.sep = delimiterOf(rd)
	for i := int64(0); i < imp.Checkpoint; i++ {
		if _, _, err := rd.Next(); err == io.EOF {
			break
		} else if err != nil {
			return err
		}
	}
	analyzedAt := imp.Checkpoint
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		rows, consumed, err := readBatch(rd, m.BatchSize)
		if err != nil {
			return err
		}
		if consumed == 0 {
			return nil
		}
		if err := r.commit(ctx, rows, consumed); err != nil {
			return err
		}
		if err := m.analyzeAsItGrows(ctx, imp, &analyzedAt); err != nil {
			return err
		}
		if progress != nil {
			progress(*imp)
		}
	}
}

// analyzeAsItGrows refreshes PostgreSQL's statistics each time an import
// has doubled what it wrote since the last refresh (from 5,000 rows on).
// Tables that grow from nothing within minutes are still empty to the
// planner until autovacuum gets to them, and the dedupe look-ups then turn
// into parallel scans that slow every batch down (seen: a million-row
// import on a server without autovacuum fell from 500 to 250 rows a
// second). SQLite plans without statistics.
func (m *Module) analyzeAsItGrows(ctx context.Context, imp *Import, analyzedAt *int64) error {
	if m.db.Engine != store.Postgres || imp.DryRun || imp.Checkpoint < 5000 || imp.Checkpoint < 2*max(*analyzedAt, 1) {
		return nil
	}
	// The tables of Relasi's schema, not every schema of the database.
	tables, err := store.Collect(ctx, m.db.Writer(), func(row store.Scanner) (string, error) {
		var t string
		return t, row.Scan(&t)
	}, "SELECT quote_ident(tablename) FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename")
	if err != nil {
		return fmt.Errorf("import %d: refresh statistics: %w", imp.ID, err)
	}
	if _, err := m.db.Writer().ExecContext(ctx, "ANALYZE "+strings.Join(tables, ", ")); err != nil {
		return fmt.Errorf("import %d: refresh statistics: %w", imp.ID, err)
	}
	*analyzedAt = imp.Checkpoint
	return nil
}

// readBatch reads up to n data rows; blank rows are passed over but
// counted in consumed, which moves the checkpoint.
func readBatch(rd Reader, n int) (rows []fileRow, consumed int64, err error) {
	for len(rows) < n {
		row, cells, err := rd.Next()
		if err == io.EOF {
			return rows, consumed, nil
		}
		if err != nil {
			return nil, 0, err
		}
		consumed++
		if isBlank(cells) {
			continue
		}
		rows = append(rows, fileRow{row: int64(row), cells: slices.Clone(cells)})
	}
	return rows, consumed, nil
}

// errRetry rolls back a batch in which a row failed after writing: the
// batch runs again with that row marked failed.
var errRetry = errors.New("imports: retry the batch without a failed row")

// maxRetries bounds how often one batch starts over; past it, the batch
// runs once more with a savepoint around each row.
const maxRetries = 3

// batchState is what one attempt at a batch knows.
type batchState struct {
	bad      map[int64]string // rows known to fail, with the reason
	existing map[keyID]int64  // keys of live records before the batch
	made     map[keyID]int64  // keys of records this batch created or updated
	madeRow  map[int64]int64  // the row that created or updated each of them
	failedAt int64            // the row that failed late in this attempt
	reason   string
	// A dry run's keys of earlier batches (hash → row), whose records
	// were rolled back, and the keys this attempt adds.
	earlier, added map[int64]int64
	// savepoints wraps each row in a savepoint, for a batch in which many
	// rows fail late: slower, but it never starts over.
	savepoints bool
}

type keyID struct{ what, value string }

// commit saves one batch in one transaction with the checkpoint. A dry
// run's batch is rolled back; only what it found (rows that would fail or
// be skipped) and the counts are kept.
//
// Rows are not wrapped in savepoints: a savepoint per row makes SQLite's
// full-text index flush on every row, which made imports several times
// slower. Instead a row is checked against the fields' rules before
// anything is written (precheck), and the rare row that fails after
// writing — a rule of a save hook, a constraint — makes the batch start
// over without it.
func (r *runner) commit(ctx context.Context, rows []fileRow, consumed int64) error {
	imp := r.imp
	b := &batchState{bad: map[int64]string{}}
	var items []item
	var counts Counts
	lock := func(tx *sql.Tx) error {
		// The checkpoint condition makes batches of two runs of the same
		// import exclusive: the second one finds the checkpoint moved.
		res, err := tx.ExecContext(ctx, "UPDATE imports SET updated_at = $1 WHERE id = $2 AND checkpoint = $3 AND status = 'running'",
			r.m.now(), imp.ID, imp.Checkpoint)
		if err != nil {
			return fmt.Errorf("import %d: %w", imp.ID, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errLostClaim
		}
		return nil
	}
	save := func(tx *sql.Tx, items []item) error {
		if err := insertItems(ctx, tx, imp.ID, items); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE imports SET checkpoint = checkpoint + $1, created_count = created_count + $2,
			updated_count = updated_count + $3, skipped_count = skipped_count + $4, failed_count = failed_count + $5,
			related_count = related_count + $6, updated_at = $7 WHERE id = $8`,
			consumed, counts.Created, counts.Updated, counts.Skipped, counts.Failed, counts.Related, r.m.now(), imp.ID)
		if err != nil {
			return fmt.Errorf("import %d checkpoint: %w", imp.ID, err)
		}
		return nil
	}
	preps := make([]prepared, len(rows))
	for i, fr := range rows {
		rv := r.conv.convert(fr.cells)
		chk := precheck(r.fields, r.allFields, rv.in)
		chk.reject(rv.rejected)
		r.checkMigration(ctx, &rv, &chk)
		preps[i] = prepared{fileRow: fr, rv: rv, chk: chk, keys: r.keysOf(ctx, rv, chk.values)}
		if reason := r.width.problem(fr.cells); reason != "" {
			b.bad[fr.row] = reason // its cells are not where the header says
		}
	}
	var err error
	for attempt := 0; ; attempt++ {
		items, counts = nil, Counts{}
		if attempt > 0 || imp.DryRun {
			// Accounts made by a rolled-back attempt (or by any batch of a
			// dry run) are gone.
			clear(r.accountIDs)
		}
		err = r.m.db.WriteTx(ctx, func(tx *sql.Tx) error {
			if err := lock(tx); err != nil {
				return err
			}
			if err := r.addChoices(ctx, tx); err != nil {
				return err
			}
			if err := r.prefetch(ctx, tx, preps, b); err != nil {
				return err
			}
			b.made, b.madeRow, b.added = map[keyID]int64{}, map[int64]int64{}, map[int64]int64{}
			// The search index and the history are written once for the
			// whole batch; the saves' hooks learn that an import writes.
			rowCtx, index := search.Deferred(records.WithOrigin(records.WithFieldCache(ctx), r.origin()))
			rowCtx, history := records.DeferHistory(rowCtx)
			for _, p := range preps {
				indexMark, historyMark := index.Len(), history.Len()
				its, err := r.row(rowCtx, tx, p, b)
				if err != nil {
					return err
				}
				if len(its) == 1 && its[0].action == "failed" {
					// Whatever the row wrote was rolled back (or never
					// written): so are its deferred writes.
					index.Truncate(indexMark)
					history.Truncate(historyMark)
				}
				items = append(items, its...)
			}
			for _, it := range items {
				counts.add(it, imp.Entity)
			}
			if imp.DryRun {
				return errDryRun
			}
			if err := index.Flush(ctx, tx, r.m.db.Engine); err != nil {
				return err
			}
			if err := history.Flush(ctx, tx); err != nil {
				return err
			}
			if err := setVersions(ctx, tx, r.m.entities, items); err != nil {
				return err
			}
			return save(tx, items)
		})
		if !errors.Is(err, errRetry) {
			break
		}
		b.bad[b.failedAt] = b.reason
		if attempt+1 >= maxRetries {
			b.savepoints = true
		}
	}
	if imp.DryRun && errors.Is(err, errDryRun) {
		kept := items[:0]
		for _, it := range items {
			if it.action == "failed" || it.action == "skipped" {
				it.recordID, it.version = 0, 0
				kept = append(kept, it)
			}
		}
		err = r.m.db.WriteTx(ctx, func(tx *sql.Tx) error {
			if err := lock(tx); err != nil {
				return err
			}
			if err := insertKeys(ctx, tx, imp.ID, b.added); err != nil {
				return err
			}
			return save(tx, kept)
		})
	}
	if err != nil {
		return err
	}
	imp.Checkpoint += consumed
	imp.Counts.Created += counts.Created
	imp.Counts.Updated += counts.Updated
	imp.Counts.Skipped += counts.Skipped
	imp.Counts.Failed += counts.Failed
	imp.Counts.Related += counts.Related
	return nil
}

func (c *Counts) add(it item, entity string) {
	switch {
	case it.entity != entity:
		c.Related++
	case it.action == "created":
		c.Created++
	case it.action == "updated":
		c.Updated++
	case it.action == "skipped":
		c.Skipped++
	case it.action == "failed":
		c.Failed++
	}
}

// prepared is a row read and checked once, however often its batch starts
// over.
type prepared struct {
	fileRow
	rv   rowValues // the input; each attempt works on a copy
	chk  checked
	keys []key
}

// cleanFailure is a row refused before anything of it was written.
type cleanFailure struct{ err error }

func (c cleanFailure) Error() string { return c.err.Error() }
func (c cleanFailure) Unwrap() error { return c.err }

// row imports one row. A row refused before writing becomes a failed
// item; one that fails after writing rolls the batch back (errRetry).
func (r *runner) row(ctx context.Context, tx *sql.Tx, p prepared, b *batchState) ([]item, error) {
	fr := p.fileRow
	failed := func(reason string) []item {
		return []item{{row: fr.row, entity: r.entity.Name, action: "failed", err: reason}}
	}
	if reason, bad := b.bad[fr.row]; bad {
		return failed(reason), nil
	}
	if b.savepoints {
		if _, err := tx.ExecContext(ctx, "SAVEPOINT import_row"); err != nil {
			return nil, fmt.Errorf("savepoint: %w", err)
		}
	}
	items, err := r.save(ctx, tx, p, b)
	if b.savepoints {
		end := []string{"RELEASE SAVEPOINT import_row"}
		if err != nil {
			end = []string{"ROLLBACK TO SAVEPOINT import_row", "RELEASE SAVEPOINT import_row"}
		}
		for _, stmt := range end {
			if _, serr := tx.ExecContext(ctx, stmt); serr != nil {
				return nil, errors.Join(err, fmt.Errorf("savepoint: %w", serr))
			}
		}
	}
	if err == nil {
		return items, nil
	}
	var clean cleanFailure
	if errors.As(err, &clean) {
		return failed(r.conv.reasonWith(clean.err, alsoOf(err))), nil
	}
	if !rowProblem(err) {
		return nil, err
	}
	if b.savepoints {
		return failed(r.conv.reason(err)), nil
	}
	b.failedAt, b.reason = fr.row, r.conv.reason(err)
	return nil, errRetry
}

// rowProblem reports whether err is about the row (bad or conflicting
// data) rather than about the database or the run.
func rowProblem(err error) bool {
	if e, ok := errs.As(err); ok {
		return e.Code != errs.Internal
	}
	return store.IsUniqueViolation(err) || store.IsForeignKeyViolation(err)
}

// prefetch looks up, in one query per kind of key, which live records
// already hold the keys of the batch's rows (e-mail addresses, phones,
// domains); keys compared case-insensitively are looked up row by row.
func (r *runner) prefetch(ctx context.Context, tx *sql.Tx, preps []prepared, b *batchState) error {
	b.existing = map[keyID]int64{}
	values := map[string][]any{}
	seen := map[keyID]bool{}
	for _, p := range preps {
		if _, bad := b.bad[p.row]; bad {
			continue
		}
		for _, k := range p.keys {
			id := keyID{k.k.what, k.value}
			if k.k.batch == "" || seen[id] {
				continue
			}
			seen[id] = true
			values[k.k.what] = append(values[k.k.what], k.value)
		}
	}
	if r.imp.DryRun {
		if err := r.prefetchEarlier(ctx, tx, preps, b); err != nil {
			return err
		}
	}
	for _, k := range r.keyKinds(ctx) {
		vals := values[k.what]
		for len(vals) > 0 {
			n := min(len(vals), 100) // see insertItems on the number of parameters
			ph := make([]string, n)
			for i := range ph {
				ph[i] = fmt.Sprintf("$%d", i+1)
			}
			found, err := store.Collect(ctx, tx, func(row store.Scanner) ([2]any, error) {
				var v string
				var id int64
				err := row.Scan(&v, &id)
				return [2]any{v, id}, err
			}, strings.Replace(k.batch, "$IN", strings.Join(ph, ", "), 1), vals[:n]...)
			if err != nil {
				return fmt.Errorf("look for duplicates by %s: %w", k.what, err)
			}
			for _, f := range found {
				id := keyID{k.what, f[0].(string)}
				if _, ok := b.existing[id]; !ok {
					b.existing[id] = f[1].(int64)
				}
			}
			vals = vals[n:]
		}
	}
	return nil
}

// accountKey is the key a dry run records for an account it would create,
// so that later batches do not count it again.
func accountKey(name string) key {
	return key{dedupeKey{what: "account"}, strings.ToLower(strings.Join(strings.Fields(name), " "))}
}

// prefetchEarlier reads which of the batch's keys rows of earlier batches
// of a dry run had.
func (r *runner) prefetchEarlier(ctx context.Context, tx *sql.Tx, preps []prepared, b *batchState) error {
	b.earlier = map[int64]int64{}
	var hashes []any
	for _, p := range preps {
		for _, k := range p.keys {
			hashes = append(hashes, keyHash(k))
		}
		if p.rv.accountName != "" {
			hashes = append(hashes, keyHash(accountKey(p.rv.accountName)))
		}
	}
	for len(hashes) > 0 {
		n := min(len(hashes), 100)
		ph := make([]string, n)
		for i := range ph {
			ph[i] = fmt.Sprintf("$%d", i+2)
		}
		rows, err := tx.QueryContext(ctx, "SELECT key_hash, row_number FROM import_keys WHERE import_id = $1 AND key_hash IN ("+strings.Join(ph, ", ")+")",
			append([]any{r.imp.ID}, hashes[:n]...)...)
		if err != nil {
			return fmt.Errorf("keys of earlier rows: %w", err)
		}
		for rows.Next() {
			var h, row int64
			if err := rows.Scan(&h, &row); err != nil {
				rows.Close()
				return err
			}
			b.earlier[h] = row
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		hashes = hashes[n:]
	}
	return nil
}

// earlierRow returns the row of an earlier batch of a dry run that had one
// of the keys, or 0.
func (b *batchState) earlierRow(keys []key) (int64, key) {
	for _, k := range keys {
		if row, ok := b.earlier[keyHash(k)]; ok {
			return row, k
		}
	}
	return 0, key{}
}

// addKeys notes the keys of a dry run's row that went through.
func (b *batchState) addKeys(row int64, keys []key) {
	for _, k := range keys {
		h := keyHash(k)
		if _, ok := b.earlier[h]; ok {
			continue
		}
		if _, ok := b.added[h]; !ok {
			b.added[h] = row
		}
	}
}

// insertKeys records a dry run's new keys with its checkpoint.
func insertKeys(ctx context.Context, tx *sql.Tx, importID int64, added map[int64]int64) error {
	const chunk = 100
	args := make([]any, 0, chunk*3)
	var values []string
	flush := func() error {
		if len(values) == 0 {
			return nil
		}
		_, err := tx.ExecContext(ctx, "INSERT INTO import_keys (import_id, key_hash, row_number) VALUES "+strings.Join(values, ", ")+
			" ON CONFLICT (import_id, key_hash) DO NOTHING", args...)
		args, values = args[:0], values[:0]
		if err != nil {
			return fmt.Errorf("record the keys of a dry run: %w", err)
		}
		return nil
	}
	for h, row := range added {
		n := len(args)
		values = append(values, fmt.Sprintf("($%d, $%d, $%d)", n+1, n+2, n+3))
		args = append(args, importID, h, row)
		if len(values) == chunk {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	return flush()
}

// findExisting returns the live record that has one of the keys — made by
// an earlier row of the batch, there before it, or (for keys not fetched
// ahead) found now — and which key matched.
func (r *runner) findExisting(ctx context.Context, tx *sql.Tx, keys []key, b *batchState) (int64, key, error) {
	for _, k := range keys {
		id := keyID{k.k.what, k.value}
		if rec, ok := b.made[id]; ok {
			return rec, k, nil
		}
		if k.k.batch != "" {
			if rec, ok := b.existing[id]; ok {
				return rec, k, nil
			}
			continue
		}
		var rec int64
		err := tx.QueryRowContext(ctx, k.k.query, k.value).Scan(&rec)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return 0, key{}, fmt.Errorf("look for a duplicate %s: %w", k.k.what, err)
		}
		return rec, k, nil
	}
	return 0, key{}, nil
}

// setVersions reads, once per batch, the versions the batch left its
// records at: undo leaves alone a record whose version has moved on since.
func setVersions(ctx context.Context, tx *sql.Tx, entities *records.Registry, items []item) error {
	byEntity := map[string][]any{}
	for _, it := range items {
		if it.recordID != 0 && (it.action == "created" || it.action == "updated") {
			byEntity[it.entity] = append(byEntity[it.entity], it.recordID)
		}
	}
	versions := map[keyID]int64{}
	for name, ids := range byEntity {
		e, ok := entities.Get(name)
		if !ok {
			continue
		}
		for len(ids) > 0 {
			n := min(len(ids), 500)
			ph := make([]string, n)
			for i := range ph {
				ph[i] = fmt.Sprintf("$%d", i+1)
			}
			rows, err := tx.QueryContext(ctx, "SELECT id, version FROM "+e.Table+" WHERE id IN ("+strings.Join(ph, ", ")+")", ids[:n]...)
			if err != nil {
				return fmt.Errorf("versions of %s: %w", name, err)
			}
			for rows.Next() {
				var id, v int64
				if err := rows.Scan(&id, &v); err != nil {
					rows.Close()
					return err
				}
				versions[keyID{name, strconv.FormatInt(id, 10)}] = v
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
			ids = ids[n:]
		}
	}
	for i, it := range items {
		if v, ok := versions[keyID{it.entity, strconv.FormatInt(it.recordID, 10)}]; ok {
			items[i].version = v
		}
	}
	return nil
}

// save decides what a row does — create, update or skip — and does it.
func (r *runner) save(ctx context.Context, tx *sql.Tx, p prepared, b *batchState) (_ []item, err error) {
	fr, rv, keys := p.fileRow, p.rv, p.keys
	rv.in = maps.Clone(rv.in)
	entity := r.entity.Name
	existing, matched, err := r.findExisting(ctx, tx, keys, b)
	if err != nil {
		return nil, err
	}
	var earlierRow int64
	if existing == 0 && r.imp.DryRun {
		earlierRow, matched = b.earlierRow(keys)
	}
	mode := r.imp.Options.OnDuplicate
	if r.imp.DryRun {
		// A row that fails makes nothing a later row could repeat.
		defer func() {
			if err == nil {
				b.addKeys(fr.row, keys)
			}
		}()
	}
	switch {
	case mode == Skip && (existing != 0 || earlierRow != 0):
		return r.duplicate(ctx, tx, p, existing, earlierRow, matched, b)
	case mode == Update && earlierRow != 0:
		// A dry run: the earlier row's record was rolled back, so what the
		// update would change cannot be checked.
		return []item{{row: fr.row, entity: entity, action: "updated"}}, nil
	}
	updating := mode == Update && existing != 0
	if err := p.chk.err(!updating); err != nil {
		return nil, cleanFailure{err}
	}
	if err := r.externalConflict(mode, existing, matched); err != nil {
		return nil, cleanFailure{err}
	}
	var items []item
	if err := r.resolve(ctx, tx, fr.row, &rv, &items, b); err != nil {
		return nil, err
	}
	remember := func(id int64) {
		for _, k := range keys {
			b.made[keyID{k.k.what, k.value}] = id
		}
		if _, ok := b.madeRow[id]; !ok {
			b.madeRow[id] = fr.row
		}
	}
	if updating {
		it, err := r.update(ctx, tx, fr.row, existing, rv.in)
		if err == nil {
			err = r.attachExternalID(ctx, tx, existing, rv)
		}
		if err != nil {
			return nil, err
		}
		remember(existing)
		return append(items, it), nil
	}
	if _, set := rv.in["owner_id"]; rv.noOwner && !set && r.entity.Owned && r.p.Can(auth.Write, auth.Owned{}) == nil {
		rv.in["owner_id"] = nil
	}
	rec, err := r.create(ctx, tx, rv)
	if err != nil {
		return nil, err
	}
	remember(rec.ID)
	return append(items, item{row: fr.row, entity: entity, action: "created", recordID: rec.ID}), nil
}

// resolve turns the names and addresses a row gives for linked records —
// the account by name, the order's contact by e-mail, the owner by e-mail
// or name — into IDs. A contact's account that does not exist yet is
// created, as its own item of the import.
func (r *runner) resolve(ctx context.Context, tx *sql.Tx, row int64, rv *rowValues, items *[]item, b *batchState) error {
	var fe errs.Fields
	if err := r.resolveOwner(ctx, tx, rv, &fe); err != nil {
		return err
	}
	if rv.contactEmail != "" {
		var id int64
		err := tx.QueryRowContext(ctx, `SELECT ce.contact_id FROM contact_emails ce JOIN contacts c ON c.id = ce.contact_id
			WHERE ce.email = lower($1) AND c.deleted_at IS NULL ORDER BY ce.contact_id LIMIT 1`, strings.TrimSpace(rv.contactEmail)).Scan(&id)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			fe.Add("contact_id", "not_found", "no contact has the e-mail address %q", rv.contactEmail)
		case err != nil:
			return fmt.Errorf("find contact by e-mail: %w", err)
		default:
			rv.in["contact_id"] = id
		}
	}
	if err := fe.Err(); err != nil {
		return cleanFailure{err}
	}
	if rv.accountName != "" {
		id, created, err := r.account(ctx, tx, rv.accountName)
		var e *errs.Error
		switch {
		case errors.As(err, &e):
			msg := e.Message
			if len(e.Fields) > 0 {
				msg = e.Fields[0].Message
			}
			fe.Add("account_id", "invalid_account", "the account %q cannot be created: %s", rv.accountName, msg)
			return fe.Err() // after a write, perhaps: the batch starts over
		case err != nil:
			return err
		case id == 0:
			fe.Add("account_id", "not_found", "no account is named %q", rv.accountName)
			return cleanFailure{fe.Err()}
		}
		rv.in["account_id"] = id
		if created && r.imp.DryRun {
			// A dry run makes the account again in every batch that needs
			// it; it counts only the first.
			k := []key{accountKey(rv.accountName)}
			if earlier, _ := b.earlierRow(k); earlier != 0 {
				created = false
			}
			b.addKeys(row, k)
		}
		if created {
			*items = append(*items, item{row: row, entity: "accounts", action: "created", recordID: id})
		}
	}
	return nil
}

// account finds the account with a name (any case), creating it for a
// contact import when there is none. It returns 0 when there is none and
// none may be made.
func (r *runner) account(ctx context.Context, tx *sql.Tx, name string) (id int64, created bool, err error) {
	name = strings.Join(strings.Fields(name), " ")
	k := strings.ToLower(name)
	if id, ok := r.accountIDs[k]; ok {
		return id, false, nil
	}
	err = tx.QueryRowContext(ctx, "SELECT id FROM accounts WHERE lower(COALESCE(name, '')) = lower($1) AND deleted_at IS NULL ORDER BY id LIMIT 1", name).Scan(&id)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		if r.accounts == nil {
			return 0, false, nil
		}
		rec, err := r.m.records.CreateTx(ctx, tx, r.p, r.accounts, records.Input{"name": name})
		if err != nil {
			return 0, false, err
		}
		id, created = rec.ID, true
	case err != nil:
		return 0, false, fmt.Errorf("find account %q: %w", name, err)
	}
	if len(r.accountIDs) >= maxCachedAccounts {
		clear(r.accountIDs)
	}
	r.accountIDs[k] = id
	return id, created, nil
}

// update fills an existing record with a row's values. Empty cells leave
// fields as they are, and lists (e-mails, phones, tags) gain the row's
// values instead of losing theirs. The values before and after are kept
// for undo.
func (r *runner) update(ctx context.Context, tx *sql.Tx, row, id int64, in records.Input) (item, error) {
	e := r.entity
	old, err := r.m.records.GetTx(ctx, tx, r.p, e, id)
	if errs.Is(err, errs.NotFound) {
		return item{}, errs.E(errs.Forbidden, "it matches %s %d, which you may not change", e.Name, id)
	}
	if err != nil {
		return item{}, err
	}
	for name, v := range in {
		f, ok := r.fields[name]
		if !ok || f.Kind != records.List {
			continue
		}
		merged := []any{}
		for _, s := range old.Strings(name) {
			merged = append(merged, s)
		}
		if add, ok := v.([]any); ok {
			merged = append(merged, add...)
		}
		in[name] = merged
	}
	cur, err := r.m.records.UpdateTx(ctx, tx, r.p, e, id, in, 0)
	if err != nil {
		return item{}, err
	}
	if cur.Version == old.Version {
		return item{row: row, entity: e.Name, action: "skipped", recordID: id, err: unchangedReason(e.Name, id)}, nil
	}
	names := make([]string, 0, len(in))
	for name := range in {
		names = append(names, name)
	}
	slices.Sort(names)
	before, err := valuesOf(old, names)
	if err != nil {
		return item{}, err
	}
	after, err := valuesOf(cur, names)
	if err != nil {
		return item{}, err
	}
	prev, err := json.Marshal(change{Old: before, New: after})
	if err != nil {
		return item{}, err
	}
	return item{row: row, entity: e.Name, action: "updated", recordID: id, previous: prev}, nil
}

// change is what an update did to the fields it touched, as the API shows
// their values: enough to put them back.
type change struct {
	Old map[string]json.RawMessage `json:"old"`
	New map[string]json.RawMessage `json:"new"`
}

// valuesOf returns fields of a record as the API shows them ("custom.x"
// names a custom field).
func valuesOf(rec records.Record, names []string) (map[string]json.RawMessage, error) {
	b, err := json.Marshal(rec)
	if err != nil {
		return nil, err
	}
	var all map[string]json.RawMessage
	if err := json.Unmarshal(b, &all); err != nil {
		return nil, err
	}
	var custom map[string]json.RawMessage
	if raw, ok := all["custom"]; ok {
		json.Unmarshal(raw, &custom)
	}
	out := make(map[string]json.RawMessage, len(names))
	for _, name := range names {
		v, ok := all[name]
		if key, isCustom := strings.CutPrefix(name, "custom."); isCustom {
			v, ok = custom[key]
		}
		if !ok {
			v = json.RawMessage("null")
		}
		out[name] = v
	}
	return out, nil
}

// currentVersion reads a record's version, which save hooks may have moved
// on after the save itself.
func currentVersion(ctx context.Context, tx *sql.Tx, e *records.Entity, id int64) (int64, error) {
	var v int64
	if err := tx.QueryRowContext(ctx, "SELECT version FROM "+e.Table+" WHERE id = $1", id).Scan(&v); err != nil {
		return 0, fmt.Errorf("version of %s %d: %w", e.Name, id, err)
	}
	return v, nil
}
