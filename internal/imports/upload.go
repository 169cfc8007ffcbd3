package imports

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/errs"
)

// Upload stores a file for an import into entity and reads its columns:
// the result is a pending import with a guessed mapping (the user's saved
// choices first), to be adjusted and started with Configure. The file is
// kept under the data directory; sheet picks an XLSX worksheet.
func (m *Module) Upload(ctx context.Context, p auth.Principal, entity, fileName string, src io.Reader, sheet string) (Import, error) {
	e, ok := m.entity(entity)
	if !ok {
		var fe errs.Fields
		fe.Add("entity", "invalid_choice", "must be one of: %s", strings.Join(Entities, ", "))
		return Import{}, fe.Err()
	}
	if err := p.CanWriteAny(); err != nil {
		return Import{}, err
	}
	fileName = cleanFileName(fileName)
	if err := os.MkdirAll(m.dir, 0o750); err != nil {
		return Import{}, fmt.Errorf("imports directory: %w", err)
	}
	tmp, err := os.MkdirTemp(m.dir, "upload-")
	if err != nil {
		return Import{}, fmt.Errorf("imports directory: %w", err)
	}
	keep := false
	defer func() {
		if !keep {
			os.RemoveAll(tmp)
		}
	}()
	path := filepath.Join(tmp, "source")
	format, err := m.store(path, src)
	if err != nil {
		return Import{}, err
	}
	header, total, err := scan(path, format, sheet)
	if err != nil {
		return Import{}, err
	}
	fields, err := m.records.Fields(ctx, e)
	if err != nil {
		return Import{}, err
	}
	targets := Targets(e, fields, m.catalog)
	saved, err := m.savedMapping(ctx, p.UserID, e.Name)
	if err != nil {
		return Import{}, err
	}
	mapping := suggest(e.Name, header, targets, saved)
	samples, err := firstRows(path, format, sheet, 20)
	if err != nil {
		return Import{}, err
	}
	mapping, system := guessMigration(e.Name, header, mapping, targets, samples)

	imp := Import{Entity: e.Name, FileName: fileName, Format: format, Headers: header, Mapping: mapping,
		Options: Options{OnDuplicate: Skip, Sheet: sheet, ExternalSystem: system}, DryRun: true, Status: Pending, TotalRows: total, CreatedBy: p.UserID}
	err = m.db.WriteTx(ctx, func(tx *sql.Tx) error {
		now := m.now()
		headers, _ := json.Marshal(imp.Headers)
		mapping, _ := json.Marshal(imp.Mapping)
		options, _ := json.Marshal(imp.Options)
		err := tx.QueryRowContext(ctx, `INSERT INTO imports (entity, file_name, format, headers, mapping, options, dry_run, status, total_rows, created_by, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11) RETURNING id`,
			imp.Entity, imp.FileName, imp.Format, string(headers), string(mapping), string(options), true, Pending, total, p.UserID, now).Scan(&imp.ID)
		if err != nil {
			return fmt.Errorf("create import: %w", err)
		}
		imp.CreatedAt, imp.UpdatedAt = now, now
		// The file moves into place inside the transaction: an import row
		// never points at a file that is not there.
		if err := os.Rename(tmp, m.fileDir(imp.ID)); err != nil {
			return fmt.Errorf("keep import file: %w", err)
		}
		return nil
	})
	if err != nil {
		return Import{}, err
	}
	keep = true
	return imp, nil
}

// store copies the upload to path, refusing files over the size limit
// and files that are neither XLSX nor text, and tells its format.
func (m *Module) store(path string, src io.Reader) (Format, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o640)
	if err != nil {
		return "", fmt.Errorf("store import file: %w", err)
	}
	defer f.Close()
	br := bufio.NewReaderSize(src, sniffBytes)
	head, _ := br.Peek(sniffBytes)
	format, err := FormatOf(head)
	if err != nil {
		return "", err
	}
	n, err := io.Copy(f, io.LimitReader(br, m.MaxFileBytes+1))
	if err != nil {
		return "", fmt.Errorf("store import file: %w", err)
	}
	if n > m.MaxFileBytes {
		return "", errs.E(errs.Invalid, "The file is larger than %d MB.", m.MaxFileBytes>>20).WithKey("imports.error_too_large", m.MaxFileBytes>>20)
	}
	if n == 0 {
		return "", errNoHeader
	}
	return format, f.Close()
}

// scan reads a stored file once: its header and how many data rows it has.
func scan(path string, format Format, sheet string) ([]string, int64, error) {
	rd, err := Open(path, format, sheet)
	if err != nil {
		return nil, 0, err
	}
	defer rd.Close()
	header := slices.Clone(rd.Header())
	var total int64
	for {
		_, cells, err := rd.Next()
		if err == io.EOF {
			return header, total, nil
		}
		if err != nil {
			return nil, 0, err
		}
		if !isBlank(cells) {
			total++
		}
	}
}

// suggest maps each column: the user's saved choice for a header wins,
// guesses fill the rest, and a single-valued field keeps its first column.
func suggest(entity string, header []string, targets []Target, saved map[string]string) []string {
	guessed := Guess(entity, header, targets)
	valid := map[string]Target{}
	for _, t := range targets {
		valid[t.Name] = t
	}
	out := make([]string, len(header))
	claimed := map[string]bool{}
	for i, h := range header {
		name, ok := saved[h]
		if _, isTarget := valid[name]; !ok || (name != "" && !isTarget) {
			name = guessed[i]
		}
		if name != "" && claimed[name] && !valid[name].Multi {
			name = ""
		}
		if name != "" {
			claimed[name] = true
		}
		out[i] = name
	}
	if claimed[FullName] && (claimed["first_name"] || claimed["last_name"]) {
		for i, t := range out {
			if t == FullName {
				out[i] = ""
			}
		}
	}
	return out
}

// cleanFileName keeps the base name of an upload, for showing it.
func cleanFileName(name string) string {
	name = filepath.Base(strings.ReplaceAll(name, "\\", "/"))
	if name == "." || name == "/" || name == "" || !utf8.ValidString(name) {
		return "upload"
	}
	if utf8.RuneCountInString(name) > 200 {
		name = string([]rune(name)[:200])
	}
	return name
}

// Sample returns the first rows of an import's file, to show beside the
// columns while they are mapped.
func (m *Module) Sample(imp Import, n int) ([][]string, error) {
	return firstRows(filepath.Join(m.fileDir(imp.ID), "source"), imp.Format, imp.Options.Sheet, n)
}

// firstRows reads the first n data rows (blank ones aside) of a stored file.
func firstRows(path string, format Format, sheet string, n int) ([][]string, error) {
	rd, err := Open(path, format, sheet)
	if err != nil {
		return nil, err
	}
	defer rd.Close()
	var out [][]string
	for len(out) < n {
		_, cells, err := rd.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return out, err
		}
		if !isBlank(cells) {
			out = append(out, slices.Clone(cells))
		}
	}
	return out, nil
}

// TargetsOf lists what the columns of an import into entity can be mapped to.
func (m *Module) TargetsOf(ctx context.Context, entity string) ([]Target, error) {
	e, ok := m.entity(entity)
	if !ok {
		return nil, errs.E(errs.NotFound, "Records of type %q cannot be imported.", entity)
	}
	fields, err := m.records.Fields(ctx, e)
	if err != nil {
		return nil, err
	}
	return Targets(e, fields, m.catalog), nil
}

// MappingFromHeaders turns a mapping written by header (a mapping file, the
// API) into one target per column, on top of base (the guessed mapping):
// headers it names get its field ("" leaves the column out). It refuses
// headers the file lacks and fields that are not targets.
func MappingFromHeaders(header, base []string, byHeader map[string]string, targets []Target) ([]string, error) {
	valid := map[string]bool{}
	for _, t := range targets {
		valid[t.Name] = true
	}
	out := slices.Clone(base)
	for len(out) < len(header) {
		out = append(out, "")
	}
	var fe errs.Fields
	for h, name := range byHeader {
		found := false
		for i, col := range header {
			if strings.EqualFold(strings.TrimSpace(col), strings.TrimSpace(h)) {
				out[i], found = name, true
			}
		}
		switch {
		case !found:
			fe.Add("mapping", "unknown_column", "names the column %q, which the file does not have", h)
		case name != "" && !valid[name]:
			fe.Add("mapping", "unknown_field", "maps %q to %q, which is not a field that can be imported", h, name)
		}
	}
	if err := fe.Err(); err != nil {
		return nil, err
	}
	// A field named for one column takes it from a guessed one.
	for h, name := range byHeader {
		if name == "" {
			continue
		}
		for i, col := range header {
			if out[i] == name && !strings.EqualFold(strings.TrimSpace(col), strings.TrimSpace(h)) && !isMulti(name, targets) {
				out[i] = ""
			}
		}
	}
	return out, nil
}

func isMulti(name string, targets []Target) bool {
	for _, t := range targets {
		if t.Name == name {
			return t.Multi
		}
	}
	return false
}

// Configure sets the mapping and options of a pending import, or of a dry
// run to check again, and queues it: as a dry run, or for real. Nothing
// runs yet; Launch or Run does that.
func (m *Module) Configure(ctx context.Context, p auth.Principal, id int64, mapping []string, opts Options, dryRun bool) (Import, error) {
	if err := m.prepareValues(ctx, p, id, mapping, &opts); err != nil {
		return Import{}, err
	}
	var imp Import
	err := m.db.WriteTx(ctx, func(tx *sql.Tx) error {
		var err error
		if imp, err = m.load(ctx, tx, id); err != nil {
			return err
		}
		if !imp.mine(p) {
			return errNoImport
		}
		if imp.Status != Pending && !(imp.DryRun && (imp.Status == Done || imp.Status == Failed)) {
			return errs.E(errs.Conflict, "Import %d has started; its mapping can no longer change.", id).WithKey("imports.error_started")
		}
		e, _ := m.entity(imp.Entity)
		fields, err := m.records.Fields(ctx, e)
		if err != nil {
			return err
		}
		if len(mapping) != len(imp.Headers) {
			return errs.E(errs.Invalid, "The mapping has %d columns; the file has %d.", len(mapping), len(imp.Headers))
		}
		if col, problem := validMapping(mapping, Targets(e, fields, m.catalog)); problem != "" {
			var fe errs.Fields
			// Named like the mapping form's select of the column.
			fe.Add(fmt.Sprintf("col_%d", col), problem, mappingProblems[problem], imp.Headers[col])
			return fe.Err()
		}
		if err := checkOptions(&opts); err != nil {
			return err
		}
		if opts.ExternalSystem == "" {
			opts.ExternalSystem = imp.Options.ExternalSystem
		}
		if err := m.checkMigrationOptions(ctx, tx, p, mapping, &opts); err != nil {
			return err
		}
		opts.Sheet = imp.Options.Sheet
		for _, table := range []string{"import_items", "import_keys"} {
			if _, err := tx.ExecContext(ctx, "DELETE FROM "+table+" WHERE import_id = $1", id); err != nil {
				return err
			}
		}
		mb, _ := json.Marshal(mapping)
		ob, _ := json.Marshal(opts)
		_, err = tx.ExecContext(ctx, `UPDATE imports SET mapping = $1, options = $2, dry_run = $3, status = 'queued', checkpoint = 0,
			created_count = 0, updated_count = 0, skipped_count = 0, failed_count = 0, related_count = 0, error = '',
			started_at = NULL, finished_at = NULL, updated_at = $4 WHERE id = $5`, string(mb), string(ob), dryRun, m.now(), id)
		if err != nil {
			return fmt.Errorf("configure import %d: %w", id, err)
		}
		imp.Mapping, imp.Options, imp.DryRun, imp.Status, imp.Checkpoint, imp.Counts = mapping, opts, dryRun, Queued, 0, Counts{}
		return nil
	})
	return imp, err
}

var mappingProblems = map[string]string{
	"unknown_field":       "column %q is mapped to a field that cannot be imported",
	"mapped_twice":        "column %q is mapped to a field another column already fills",
	"full_and_split_name": "column %q holds full names, but other columns hold first or last names",
}

func checkOptions(opts *Options) error {
	if opts.OnDuplicate == "" {
		opts.OnDuplicate = Skip
	}
	if !slices.Contains([]OnDuplicate{Skip, Update, Create}, opts.OnDuplicate) {
		var fe errs.Fields
		fe.Add("on_duplicate", "invalid_choice", "must be one of: skip, update, create")
		return fe.Err()
	}
	return nil
}

// Start turns a finished dry run into the real import of the same file
// with the same mapping: a new import, queued.
func (m *Module) Start(ctx context.Context, p auth.Principal, dryRunID int64) (Import, error) {
	src, err := m.Get(ctx, p, dryRunID)
	if err != nil {
		return Import{}, err
	}
	if !src.DryRun || src.Status != Done {
		return Import{}, errs.E(errs.Conflict, "Only a finished dry run can be started as an import.").WithKey("imports.error_start_dry_run")
	}
	if err := p.CanWriteAny(); err != nil {
		return Import{}, err
	}
	if !nextStepOf(src).Start {
		return Import{}, errs.E(errs.Conflict, "The check found nothing to import: every row would fail or be skipped. Change the mapping or correct the file, and check it again.").WithKey("import_report.error_nothing")
	}
	imp := src
	imp.DryRun, imp.Status, imp.Checkpoint, imp.Counts, imp.Error = false, Queued, 0, Counts{}, ""
	imp.StartedAt, imp.FinishedAt, imp.UndoneAt, imp.UndoneBy = nil, nil, nil, 0
	err = m.db.WriteTx(ctx, func(tx *sql.Tx) error {
		now := m.now()
		headers, _ := json.Marshal(imp.Headers)
		mapping, _ := json.Marshal(imp.Mapping)
		options, _ := json.Marshal(imp.Options)
		err := tx.QueryRowContext(ctx, `INSERT INTO imports (entity, file_name, format, headers, mapping, options, dry_run, status, total_rows, created_by, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11) RETURNING id`,
			imp.Entity, imp.FileName, imp.Format, string(headers), string(mapping), string(options), false, Queued, imp.TotalRows, p.UserID, now).Scan(&imp.ID)
		if err != nil {
			return fmt.Errorf("start import: %w", err)
		}
		imp.CreatedBy, imp.CreatedAt, imp.UpdatedAt = p.UserID, now, now
		if err := linkFile(m.fileDir(src.ID), m.fileDir(imp.ID)); err != nil {
			return err
		}
		copyTally(m.fileDir(src.ID), m.fileDir(imp.ID))
		return nil
	})
	return imp, err
}

// linkFile gives a new import the file of another: a hard link where the
// file system allows one, a copy otherwise.
func linkFile(fromDir, toDir string) error {
	if err := os.MkdirAll(toDir, 0o750); err != nil {
		return fmt.Errorf("import file: %w", err)
	}
	from, to := filepath.Join(fromDir, "source"), filepath.Join(toDir, "source")
	if err := os.Link(from, to); err == nil {
		return nil
	}
	in, err := os.Open(from)
	if err != nil {
		return fmt.Errorf("import file: %w", err)
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o640)
	if err != nil {
		return fmt.Errorf("import file: %w", err)
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return fmt.Errorf("import file: %w", err)
	}
	return out.Close()
}

// Launch runs a queued import: within the call when the file is small,
// else as a background job (the import stays queued until a worker takes
// it).
func (m *Module) Launch(ctx context.Context, imp Import) (Import, error) {
	if imp.TotalRows <= m.InlineRows {
		// A browser that goes away does not stop a small import halfway.
		imp, err := m.Run(context.WithoutCancel(ctx), imp.ID, nil)
		if e, ok := errs.As(err); ok && e.Code != errs.Internal {
			return imp, nil // the import shows what went wrong
		}
		return imp, err
	}
	if err := m.Queue(ctx, imp.ID); err != nil {
		return imp, err
	}
	return m.load(ctx, m.db.Read(), imp.ID)
}

// Queue leaves an import to a background worker: a queued import, or one
// that stopped, which then resumes from its checkpoint.
func (m *Module) Queue(ctx context.Context, id int64) error {
	err := m.db.WriteTx(ctx, func(tx *sql.Tx) error {
		imp, err := m.load(ctx, tx, id)
		if err != nil {
			return err
		}
		switch imp.Status {
		case Queued, Running:
		case Failed:
			_, err = tx.ExecContext(ctx, "UPDATE imports SET status = 'queued', updated_at = $1 WHERE id = $2", m.now(), id)
		default:
			err = errs.E(errs.Conflict, "Import %d cannot run now: it is %s.", id, imp.Status).WithKey("imports.error_cannot_run")
		}
		return err
	})
	if err != nil {
		return err
	}
	return m.enqueue(ctx, RunArgs{ImportID: id})
}

// RequestUndo undoes an import within the call when it made few records,
// else starts the undo and leaves the rest to a background job.
func (m *Module) RequestUndo(ctx context.Context, p auth.Principal, id int64) (Import, error) {
	imp, err := m.Get(ctx, p, id)
	if err != nil {
		return imp, err
	}
	if imp.Counts.Created+imp.Counts.Updated+imp.Counts.Related <= m.InlineRows {
		return m.Undo(context.WithoutCancel(ctx), p, id, nil)
	}
	if imp, err = m.startUndo(ctx, p, id); err != nil {
		return imp, err
	}
	return imp, m.enqueue(ctx, RunArgs{ImportID: id, Undo: true, UserID: p.UserID})
}

// Remove deletes a pending or dry-run import with its file; real imports
// stay, as the record of what came in.
func (m *Module) Remove(ctx context.Context, p auth.Principal, id int64) error {
	imp, err := m.Get(ctx, p, id)
	if err != nil {
		return err
	}
	if !imp.DryRun || imp.Active() {
		return errs.E(errs.Conflict, "Only a dry run that is not running can be removed.").WithKey("imports.error_remove")
	}
	err = m.db.WriteTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, "DELETE FROM imports WHERE id = $1", id)
		return err
	})
	if err != nil {
		return fmt.Errorf("remove import %d: %w", id, err)
	}
	if err := os.RemoveAll(m.fileDir(id)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("remove import file: %w", err)
	}
	return nil
}
