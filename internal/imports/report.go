package imports

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"path/filepath"
	"strings"
)

// WriteErrors writes the rejected rows of an import as CSV: the file's own
// columns as they were, and a "reason" column saying why each row was
// refused. It reads the file and the failures side by side, in file order,
// so the report of a million-row file takes no more memory than a small
// one. The UTF-8 byte order mark lets Excel show accented names right; the
// file can be corrected and imported again.
func (m *Module) WriteErrors(ctx context.Context, w io.Writer, imp Import) error {
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
		return n, reason, err == nil, err
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
	header := append(append([]string{}, rd.Header()...), "reason")
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
