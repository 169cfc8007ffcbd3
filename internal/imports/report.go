package imports

import (
	"context"
	"encoding/csv"
	"io"
	"path/filepath"
	"strconv"

	"github.com/relasi/relasi/internal/auth"
)

// notImportedChunk is how many items the report reads (and names the
// records of) at a time.
const notImportedChunk = 500

// WriteNotImported writes the rows of an import that were not imported,
// as CSV: for each, its row in the file, whether it failed or was skipped
// (a duplicate), the reason, then the file's own cells as they were — all
// of them, so a row with more cells than the header shows the cell that
// moved the others. Every row the import did not bring in is there, so
// nothing of the file is lost without a word. The file and the items are
// read side by side, in file order and in chunks, so the report of a
// million-row file takes no more memory than a small one. The UTF-8 byte
// order mark lets Excel show accented names right; the file is written
// with the file's separator (a semicolon for a spreadsheet saved in
// Indonesian Excel).
//
// t words the header, the outcomes and the reasons in the reader's
// language, naming the records skipped rows repeat by their titles where
// p may see them; a nil t writes them in English as the API gives them
// (outcome "failed" or "skipped").
func (m *Module) WriteNotImported(ctx context.Context, w io.Writer, imp Import, p auth.Principal, t Translator) error {
	words, err := m.wording(ctx, imp.Entity, p, t)
	if err != nil {
		return err
	}
	q := ItemsQuery{Actions: []string{"failed", "skipped"}, OwnEntity: true, Limit: notImportedChunk}
	var chunk []Item
	next := func() (Item, bool, error) {
		if len(chunk) == 0 {
			var err error
			if chunk, err = m.Items(ctx, imp, q); err != nil || len(chunk) == 0 {
				return Item{}, false, err
			}
			last := chunk[len(chunk)-1]
			q.AfterRow, q.AfterID = last.Row, last.ID
			if err := words.lookUp(ctx, reasonsOf(chunk)); err != nil {
				return Item{}, false, err
			}
		}
		it := chunk[0]
		chunk = chunk[1:]
		return it, true, nil
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
	if sep := delimiterOf(rd); sep != 0 {
		cw.Comma = sep
	}
	say := func(key, english string) string {
		if t == nil {
			return english
		}
		return t.T(key)
	}
	header := append([]string{say("imports.row", "row"), say("import_report.outcome", "outcome"), say("imports.reason", "reason")}, rd.Header()...)
	if err := cw.Write(header); err != nil {
		return err
	}
	outcome := map[string]string{
		"failed":  say("import_report.outcome.failed", "failed"),
		"skipped": say("import_report.outcome.skipped", "skipped"),
	}
	it, ok, err := next()
	for ok && err == nil {
		row, cells, rerr := rd.Next()
		if rerr == io.EOF {
			break
		}
		if rerr != nil {
			return rerr
		}
		if int64(row) < it.Row {
			continue
		}
		for ok && it.Row == int64(row) {
			out := make([]string, 0, 3+max(len(cells), len(rd.Header())))
			out = append(out, strconv.FormatInt(it.Row, 10), outcome[it.Action], words.say(it.Facts))
			out = append(out, cells...)
			for len(out) < 3+len(rd.Header()) {
				out = append(out, "")
			}
			if err := cw.Write(out); err != nil {
				return err
			}
			it, ok, err = next()
		}
		for ok && err == nil && it.Row < int64(row) {
			it, ok, err = next() // a row the file no longer has
		}
	}
	if err != nil {
		return err
	}
	cw.Flush()
	return cw.Error()
}
