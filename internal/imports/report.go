package imports

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/relasi/relasi/internal/errs"
)

// WriteErrors writes the rejected rows of an import as CSV: the file's own
// columns as they were, and a "reason" column saying why each row was
// refused. It reads the file and the failures side by side, in file order,
// so the report of a million-row file takes no more memory than a small
// one. The UTF-8 byte order mark lets Excel show accented names right; the
// file can be corrected and imported again.
//
// t words the reasons and the header in the reader's language; nil keeps
// them in English, as the API gives them.
func (m *Module) WriteErrors(ctx context.Context, w io.Writer, imp Import, t Translator) error {
	say, err := m.reasonWords(ctx, imp.Entity, t)
	if err != nil {
		return err
	}
	rows, err := m.db.Read().QueryContext(ctx, `SELECT row_number, error FROM import_items
		WHERE import_id = $1 AND action = 'failed' AND entity = $2 ORDER BY row_number, id`, imp.ID, imp.Entity)
	if err != nil {
		return fmt.Errorf("failures of import %d: %w", imp.ID, err)
	}
	defer rows.Close()
	next := func() (int64, string, bool, error) {
		if !rows.Next() {
			return 0, "", false, rows.Err()
		}
		var n int64
		var reason string
		err := rows.Scan(&n, &reason)
		return n, say(ReadReason(reason)), err == nil, err
	}

	rd, err := Open(filepath.Join(m.fileDir(imp.ID), "source"), imp.Format, imp.Options.Sheet)
	if err != nil {
		return err
	}
	defer rd.Close()
	if _, err := io.WriteString(w, "\ufeff"); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	// The report is written like the file was: with its delimiter, a
	// semicolon for a spreadsheet saved in Indonesian Excel.
	if fr, ok := rd.(*fileReader); ok {
		if c, ok := fr.Reader.(*CSVReader); ok {
			cw.Comma = c.Delimiter
		}
	}
	reasonHeader := "reason"
	if t != nil {
		reasonHeader = t.T("imports.reason")
	}
	header := append(append([]string{}, rd.Header()...), reasonHeader)
	if err := cw.Write(header); err != nil {
		return err
	}
	want, reason, ok, err := next()
	for ok && err == nil {
		row, cells, rerr := rd.Next()
		if rerr == io.EOF {
			break
		}
		if rerr != nil {
			return rerr
		}
		if int64(row) < want {
			continue
		}
		// Several reasons for one row (never expected) share its line.
		var reasons []string
		for ok && want == int64(row) {
			reasons = append(reasons, reason)
			want, reason, ok, err = next()
		}
		if len(reasons) > 0 {
			out := make([]string, len(rd.Header()), len(rd.Header())+1)
			copy(out, cells)
			if err := cw.Write(append(out, strings.Join(reasons, "; "))); err != nil {
				return err
			}
		}
		for ok && want < int64(row) {
			want, reason, ok, err = next() // a row the file no longer has
		}
	}
	if err != nil {
		return fmt.Errorf("failures of import %d: %w", imp.ID, err)
	}
	cw.Flush()
	return cw.Error()
}

// reasonWords returns how reasons read for t: in English without one,
// else with the fields of entity by their labels.
func (m *Module) reasonWords(ctx context.Context, entity string, t Translator) (func(Reason) string, error) {
	if t == nil {
		return func(r Reason) string { return r.English }, nil
	}
	targets, err := m.TargetsOf(ctx, entity)
	if err != nil && !errs.Is(err, errs.NotFound) {
		return nil, err
	}
	labels := map[string]string{}
	for _, tg := range targets {
		labels[tg.Name] = tg.Label
		if !tg.Custom && t.HasMessage(tg.Label) {
			labels[tg.Name] = t.T(tg.Label)
		}
	}
	label := func(field string) string {
		if l, ok := labels[field]; ok {
			return l
		}
		return field
	}
	return func(r Reason) string { return r.Say(t, label) }, nil
}
