// Package imports brings CSV and Excel (XLSX) files into Relasi as
// contacts, accounts, leads, products or orders. A file is stored under the
// data directory, its columns are mapped to fields (guessed from English and
// Indonesian headers, adjustable, remembered per user), and every row goes
// through the entity's own validation and save hooks (records.Store), so an
// imported record is exactly what the form or the API would have made.
// A column that goes into a select field is mapped value by value
// (values.go): each distinct value of the file, counted, becomes one of
// the field's choices — guessed from the choices' labels and from the
// values other CRMs write (choice_synonyms.go) — or is left empty, added as
// a new choice of a custom field, or rejects its rows, as the user decides.
//
// An import is a row in imports with one import_items row per data row:
// created, updated, skipped (a duplicate) or failed, with the reason. Rows
// are committed in batches together with the checkpoint (rows done), so a
// crash never leaves half a batch and a resumed run continues after the last
// committed row. A dry run does the same work in transactions that are
// rolled back. Undo moves what an import created to the trash and restores
// what it updated, leaving alone whatever was changed since.
//
// A file exported from another CRM keeps what that system knew: the owner
// (matched to users by e-mail or name, unknown ones handled as the import
// chooses, within the importer's rights: owners.go), the original creation
// time and the record's ID there, which finds the record again on the next
// import (external_ids.go).
// Nothing is lost without a word: a row whose cells do not line up with
// the header fails (width.go), skipped rows say what they repeat
// (duplicate.go), and the report, the page, the API's items and the CLI
// list every row not imported with its reason in the reader's language
// (report.go, names.go). Rows are numbered as a spreadsheet shows them
// (csv_rows.go). Records that arrive by import page no one: the saves
// carry a quiet records.Origin, so lead hooks start no response clock and
// nothing is notified, unless Options.NewLeads says the leads are new.
package imports

import (
	"context"
	"embed"
	"io/fs"
	"path/filepath"
	"time"

	"github.com/riverqueue/river"

	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/i18n"
	"github.com/relasi/relasi/internal/jobs"
	"github.com/relasi/relasi/internal/records"
	"github.com/relasi/relasi/internal/store"
)

//go:embed templates/*.html
var templates embed.FS

// Templates are this package's pages and partials, for web.NewRenderer.
func Templates() fs.FS {
	sub, _ := fs.Sub(templates, "templates")
	return sub
}

// Entities are the record types files can be imported into, in the order
// pickers list them.
var Entities = []string{"contacts", "accounts", "leads", "products", "orders"}

// Config is what the app tells the imports module.
type Config struct {
	// DataDir is Relasi's data directory; uploaded files are kept under
	// <DataDir>/imports/<id>/ for as long as their import may be resumed,
	// reported on or undone.
	DataDir string
	// Catalog lets headers match the fields' translated labels and select
	// values their translated choices; nil matches names only.
	Catalog *i18n.Catalog
}

// Module is the import machinery with its API, pages and background job.
type Module struct {
	db       *store.DB
	records  *records.Store
	auth     *auth.Service
	entities *records.Registry
	catalog  *i18n.Catalog
	dir      string

	// BatchSize is how many rows one transaction commits.
	BatchSize int
	// InlineRows is the largest file (in data rows) the web and API run
	// within the request; larger ones run as a background job.
	InlineRows int64
	// MaxFileBytes bounds an uploaded file.
	MaxFileBytes int64

	jobs *jobs.Inserter
}

// New returns the module. It starts nothing; register Worker with the
// app's job runner so that large imports run.
func New(rs *records.Store, authSvc *auth.Service, entities *records.Registry, cfg Config) *Module {
	m := &Module{db: rs.DB(), records: rs, auth: authSvc, entities: entities, catalog: cfg.Catalog,
		dir: filepath.Join(cfg.DataDir, "imports"), BatchSize: 500, InlineRows: 2000, MaxFileBytes: 1 << 30}
	m.jobs = jobs.NewInserter(m.db, func(w *river.Workers) { river.AddWorker(w, m.Worker()) })
	return m
}

// Close releases the job client the module enqueues with, if it made one.
func (m *Module) Close(ctx context.Context) error {
	return m.jobs.Close(ctx)
}

// entity returns an importable entity by name.
func (m *Module) entity(name string) (*records.Entity, bool) {
	for _, n := range Entities {
		if n == name {
			return m.entities.Get(name)
		}
	}
	return nil, false
}

// importable lists the entities of the registry that files can go into.
func (m *Module) importable() []*records.Entity {
	var out []*records.Entity
	for _, n := range Entities {
		if e, ok := m.entities.Get(n); ok {
			out = append(out, e)
		}
	}
	return out
}

func (m *Module) now() time.Time { return m.records.Now() }

// fileDir is where an import's file lives.
func (m *Module) fileDir(id int64) string {
	return filepath.Join(m.dir, itoa(id))
}
