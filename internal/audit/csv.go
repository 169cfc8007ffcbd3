package audit

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/relasi/relasi/internal/auth"
)

// csvHeader names the CSV columns: one row per changed field of an entry,
// or one row with empty field, old and new for entries that changed none
// (deletions, restores).
var csvHeader = []string{"id", "at", "actor_id", "actor", "action", "entity", "record_id", "record", "record_state", "field", "old", "new"}

// csvFlushEvery is how many rows go out between flushes: a download shows
// progress, and a slow reader holds back no more than this.
const csvFlushEvery = 500

// ServeCSV streams the entries matching f as a CSV download. Problems
// found before the first byte (a reader who is not an administrator) are
// returned for the caller to answer; a failure once the download has
// started aborts the connection, so the client sees a broken download
// rather than a complete-looking file with an error inside.
func (l *Log) ServeCSV(w http.ResponseWriter, r *http.Request, p auth.Principal, f Filter) error {
	if err := p.CanManage(); err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "text/csv; charset=utf-8")
	h.Set("Content-Disposition", fmt.Sprintf(`attachment; filename="relasi-audit-%s.csv"`, time.Now().UTC().Format("20060102-150405")))
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	rc := http.NewResponseController(w)
	if err := l.WriteCSV(r.Context(), w, p, f, func() {
		// A long download keeps extending the server's write deadline.
		rc.SetWriteDeadline(time.Now().Add(2 * time.Minute))
		rc.Flush()
	}); err != nil {
		panic(http.ErrAbortHandler)
	}
	return nil
}

// WriteCSV writes the entries matching f as CSV (UTF-8 with a byte-order
// mark, which spreadsheet programs need to read it as UTF-8), calling
// flushed after every batch of rows.
func (l *Log) WriteCSV(ctx context.Context, w io.Writer, p auth.Principal, f Filter, flushed func()) error {
	if _, err := w.Write([]byte("\ufeff")); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(csvHeader); err != nil {
		return err
	}
	rows := 0
	err := l.Each(ctx, p, f, func(e Entry) error {
		actor := ""
		if e.ActorID != nil {
			actor = strconv.FormatInt(*e.ActorID, 10)
		}
		base := []string{strconv.FormatInt(e.ID, 10), e.At.UTC().Format(time.RFC3339Nano), actor, cell(e.Actor), e.Action, e.Entity,
			strconv.FormatInt(e.RecordID, 10), cell(e.Record), e.RecordState}
		fields := e.Fields()
		if len(fields) == 0 {
			fields = []string{""}
		}
		for _, name := range fields {
			row := append(append([]string{}, base...), name, "", "")
			if name != "" {
				c := e.Changes[name]
				row[len(row)-2], row[len(row)-1] = cellValue(c[0]), cellValue(c[1])
			}
			if err := cw.Write(row); err != nil {
				return err
			}
			rows++
			if rows%csvFlushEvery == 0 {
				cw.Flush()
				if err := cw.Error(); err != nil {
					return err
				}
				if flushed != nil {
					flushed()
				}
			}
		}
		return nil
	})
	cw.Flush()
	if err == nil {
		err = cw.Error()
	}
	return err
}

// cellValue writes a changed value as text: text as it is, numbers as
// written, lists and objects as JSON, nothing as an empty cell.
func cellValue(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return cell(x)
	case json.Number:
		return x.String()
	case bool:
		return strconv.FormatBool(x)
	}
	b, _ := json.Marshal(v)
	return cell(string(b))
}

// cell keeps a spreadsheet from running text as a formula: text that
// starts like one gets a leading apostrophe, which spreadsheets hide.
func cell(s string) string {
	if s != "" {
		switch s[0] {
		case '=', '+', '-', '@', '\t', '\r':
			return "'" + s
		}
	}
	return s
}
