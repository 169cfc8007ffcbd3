// Package privacy answers personal-data requests under Indonesia's
// personal-data protection law (UU PDP): an administrator exports
// everything Relasi holds about one person, or erases the person.
//
// A person is a contact or a lead together with every record Relasi knows
// to be the same person: the lead a contact was converted from (or the
// contact a lead became) and the records merged into it or it was merged
// into. Export and erasure always cover that whole group, so erasing a
// contact cannot leave the person's data behind in the lead it came from
// or in a duplicate in the trash.
//
// Erasure anonymises rather than deletes: the records stay, with their
// orders, deals and activities, so that counts and amounts in reports do
// not change; what identifies the person is cleared or replaced. It runs
// in one transaction, and the audit log gets one "erased" entry per record
// that names who did it and when, and nothing of what was erased.
package privacy

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/errs"
	"github.com/relasi/relasi/internal/records"
	"github.com/relasi/relasi/internal/store"
)

// Subjects are the entities whose records are people.
var Subjects = []string{"contacts", "leads"}

// Placeholder replaces an erased person's name on the record; Erased
// replaces mentions of the person in other text.
const (
	Placeholder = "Erased person"
	Erased      = "[erased]"
)

// ConfirmWord is what a caller types to confirm an erasure (or the
// record's name).
const ConfirmWord = "ERASE"

// maxGroup bounds the records one person may span; a larger group means
// links that do not describe one person, and erasure refuses it.
const maxGroup = 50

// Config is what the app tells the module.
type Config struct {
	// DataDir is Relasi's data directory, where imported files are kept
	// (<DataDir>/imports/<id>/source).
	DataDir string
}

// Module exports and erases people.
type Module struct {
	db       *store.DB
	records  *records.Store
	entities *records.Registry
	dataDir  string
}

// New returns the module.
func New(rs *records.Store, reg *records.Registry, cfg Config) *Module {
	return &Module{db: rs.DB(), records: rs, entities: reg, dataDir: cfg.DataDir}
}

// Ref names one record.
type Ref struct {
	Entity string `json:"entity"`
	ID     int64  `json:"id"`
}

func (r Ref) String() string { return r.Entity + "/" + strconv.FormatInt(r.ID, 10) }

var errNotFound = errs.E(errs.NotFound, "No such contact or lead.").WithKey("error.record_not_found")

// subject returns the entity of a subject name, or a 404: the API answers
// any other entity as an unknown path.
func (m *Module) subject(name string) (*records.Entity, error) {
	if !slices.Contains(Subjects, name) {
		return nil, errs.E(errs.NotFound, "Personal-data requests are about contacts or leads, not %q.", name)
	}
	e, ok := m.entities.Get(name)
	if !ok {
		return nil, errNotFound
	}
	return e, nil
}

// allowed is the one check for every request: administrators only.
func allowed(p auth.Principal) error {
	if err := p.CanManage(); err != nil {
		return errs.E(errs.Forbidden, "Only an administrator may export or erase a person's data.").WithKey("privacy.error_forbidden")
	}
	return nil
}

// group finds the records that are the same person as start, live or in
// the trash: conversions between leads and contacts, and merges.
func (m *Module) group(ctx context.Context, q store.Querier, start Ref) ([]Ref, error) {
	seen := map[Ref]bool{start: true}
	queue := []Ref{start}
	for len(queue) > 0 {
		r := queue[0]
		queue = queue[1:]
		next, err := m.linked(ctx, q, r)
		if err != nil {
			return nil, err
		}
		for _, n := range next {
			if seen[n] {
				continue
			}
			seen[n] = true
			queue = append(queue, n)
			if len(seen) > maxGroup {
				return nil, errs.E(errs.Conflict, "More than %d records are linked to this person through conversions and merges; erase or export them one by one.", maxGroup)
			}
		}
	}
	out := make([]Ref, 0, len(seen))
	for r := range seen {
		out = append(out, r)
	}
	slices.SortFunc(out, func(a, b Ref) int {
		if c := strings.Compare(a.Entity, b.Entity); c != 0 {
			return c
		}
		return int(a.ID - b.ID)
	})
	return out, nil
}

// linked returns the records directly known to be the same person as r.
func (m *Module) linked(ctx context.Context, q store.Querier, r Ref) ([]Ref, error) {
	var out []Ref
	ids := func(entity, query string, args ...any) error {
		got, err := store.Collect(ctx, q, func(row store.Scanner) (int64, error) {
			var id sql.NullInt64
			err := row.Scan(&id)
			return id.Int64, err
		}, query, args...)
		for _, id := range got {
			if id != 0 {
				out = append(out, Ref{entity, id})
			}
		}
		return err
	}
	var err error
	switch r.Entity {
	case "contacts":
		err = ids("leads", "SELECT id FROM leads WHERE converted_contact_id = $1", r.ID)
	case "leads":
		err = ids("contacts", "SELECT converted_contact_id FROM leads WHERE id = $1", r.ID)
	}
	if err != nil {
		return nil, fmt.Errorf("conversions of %s: %w", r, err)
	}
	merges, err := m.merges(ctx, q, r)
	if err != nil {
		return nil, err
	}
	for _, mg := range merges {
		for _, id := range append([]int64{mg.SurvivorID}, mg.MergedIDs...) {
			out = append(out, Ref{r.Entity, id})
		}
	}
	return out, nil
}

// mergeRow is one row of the merge log about a record.
type mergeRow struct {
	ID         int64           `json:"id"`
	SurvivorID int64           `json:"survivor_id"`
	MergedIDs  []int64         `json:"merged_ids"`
	Titles     json.RawMessage `json:"titles"`
	Before     json.RawMessage `json:"survivor_before"`
	After      json.RawMessage `json:"survivor_after"`
	MergedAt   time.Time       `json:"merged_at"`
	UndoneAt   *time.Time      `json:"undone_at"`
}

// merges returns the merges r took part in, as survivor or merged record.
// merged_ids is a JSON array; the match on its text is narrowed in Go.
func (m *Module) merges(ctx context.Context, q store.Querier, r Ref) ([]mergeRow, error) {
	rows, err := store.Collect(ctx, q, func(row store.Scanner) (mergeRow, error) {
		var mg mergeRow
		var merged, titles, before, after string
		var undone sql.NullTime
		err := row.Scan(&mg.ID, &mg.SurvivorID, &merged, &titles, &before, &after, &mg.MergedAt, &undone)
		if err != nil {
			return mg, err
		}
		mg.Titles, mg.Before, mg.After = json.RawMessage(titles), json.RawMessage(before), json.RawMessage(after)
		if undone.Valid {
			t := undone.Time.UTC()
			mg.UndoneAt = &t
		}
		mg.MergedAt = mg.MergedAt.UTC()
		return mg, json.Unmarshal([]byte(merged), &mg.MergedIDs)
	}, "SELECT id, survivor_id, "+m.jsonText("merged_ids")+", "+m.jsonText("titles")+", "+m.jsonText("survivor_before")+", "+m.jsonText("survivor_after")+
		", merged_at, undone_at FROM merges WHERE entity = $1 AND (survivor_id = $2 OR "+m.jsonText("merged_ids")+" LIKE $3) ORDER BY id",
		r.Entity, r.ID, "%"+strconv.FormatInt(r.ID, 10)+"%")
	if err != nil {
		return nil, fmt.Errorf("merges of %s: %w", r, err)
	}
	var out []mergeRow
	for _, mg := range rows {
		if mg.SurvivorID == r.ID || slices.Contains(mg.MergedIDs, r.ID) {
			out = append(out, mg)
		}
	}
	return out, nil
}

// exists reports whether a record is in its table, live or in the trash.
func exists(ctx context.Context, q store.Querier, e *records.Entity, id int64) error {
	var one int
	err := q.QueryRowContext(ctx, "SELECT 1 FROM "+e.Table+" WHERE id = $1", id).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return errNotFound
	}
	if err != nil {
		return fmt.Errorf("find %s %d: %w", e.Name, id, err)
	}
	return nil
}

// jsonText reads a JSON column as text on either engine.
func (m *Module) jsonText(col string) string {
	if m.db.Engine == store.Postgres {
		return col + "::text"
	}
	return col
}

// importFile is where an import's file is kept.
func (m *Module) importFile(id int64) string {
	return filepath.Join(m.dataDir, "imports", strconv.FormatInt(id, 10), "source")
}

// personal reports whether a field's values describe the person (and are
// cleared by erasure): text of any kind, e-mails, phones, web addresses,
// lists and dates (a birth date). Choices, numbers, amounts, references
// and Relasi's own timestamps stay, so reports still add up.
func personal(f records.Field) bool {
	switch f.Kind {
	case records.Text, records.LongText, records.Email, records.Phone, records.URL, records.List, records.Date:
		return true
	}
	return false
}
