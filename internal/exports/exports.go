// Package exports writes lists of records — a list with its filter, sort
// and columns, a saved view, or a search result — to CSV and XLSX files
// that open in Excel and import back into Relasi without a mapping.
//
// The files are made for both readers. Headers are the stable field names
// (first_name, emails, custom.budget), values are written the way the API
// and the import read them (dates 2026-01-31, money 1500000.5 in major
// units, lists "a, b"), and a reference is written as what it points at
// (account_name, contact_name and contact_email, owner_email) rather than
// as an ID, which means nothing in another database. Rows are read a page
// at a time with keyset cursors and written as they come, so memory stays
// flat for a million rows, and through records.Store.List, so an export
// holds exactly what the caller may see.
package exports

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/i18n"
	"github.com/relasi/relasi/internal/records"
	"github.com/relasi/relasi/internal/store"
)

// Format is a file format.
type Format string

const (
	CSV  Format = "csv"
	XLSX Format = "xlsx"
)

// Media types of the formats.
const (
	CSVType  = "text/csv; charset=utf-8"
	XLSXType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
)

// pageSize is how many records one query reads: the most a list page may hold.
const pageSize = 500

// Request is an export of one entity's list.
type Request struct {
	Entity *records.Entity
	// ViewID names a saved view whose filter, sort and columns are used
	// where Filter, Sort and Columns are empty.
	ViewID  int64
	Filter  string
	Sort    string
	Columns []string // field or companion names (account_name); none means every field
	Format  Format
	// Labels heads the columns with field labels in Lang, for people,
	// instead of field names, for the import.
	Labels bool
	Lang   string
	// Location is the caller's time zone: for relative dates in the
	// filter, date-times in the file and the date in the file name.
	Location *time.Location
}

// Exporter makes exports.
type Exporter struct {
	store   *records.Store
	reg     *records.Registry
	catalog *i18n.Catalog
	logger  *slog.Logger
	prefs   Prefs
}

// Prefs returns a user's language and time zone (auth.Service.UserPrefs).
type Prefs func(ctx context.Context, userID int64) (lang, timeZone string, err error)

// New returns an Exporter of the registry's entities.
func New(s *records.Store, reg *records.Registry, catalog *i18n.Catalog, prefs Prefs, logger *slog.Logger) *Exporter {
	if logger == nil {
		logger = slog.Default()
	}
	return &Exporter{store: s, reg: reg, catalog: catalog, logger: logger, prefs: prefs}
}

// Export is a checked export, ready to write: its request was validated
// and its first page read, so what remains can fail only for reasons the
// caller could not have avoided (the database going away).
type Export struct {
	Format   Format
	Filename string // e.g. contacts-2026-01-31.csv
	sheets   []sheet
	loc      *time.Location
	rows     int
}

// Rows is how many rows WriteTo wrote, headers not counted.
func (ex *Export) Rows() int { return ex.rows }

// ContentType is the export's media type.
func (ex *Export) ContentType() string {
	if ex.Format == XLSX {
		return XLSXType
	}
	return CSVType
}

// WriteTo writes the file. A CSV is written as the rows are read; an XLSX
// is assembled in a temporary file first (a zip is written at its end), so
// nothing reaches w until every row has been read.
func (ex *Export) WriteTo(ctx context.Context, w io.Writer) error {
	ex.rows = 0
	sheets := make([]sheet, len(ex.sheets))
	for i, sh := range ex.sheets {
		rows := sh.rows
		sh.rows = func(ctx context.Context, emit func([]cell) error) error {
			return rows(ctx, func(cells []cell) error {
				ex.rows++
				return emit(cells)
			})
		}
		sheets[i] = sh
	}
	if ex.Format == XLSX {
		return writeXLSX(ctx, w, sheets, ex.loc)
	}
	return writeCSV(ctx, w, sheets[0], ex.loc)
}

// sheet is one table of an export: a header and the rows, produced on
// demand so that only a page of records is held at a time.
type sheet struct {
	name   string
	header []string
	cols   []column
	// rows calls emit with each row's cells, in order.
	rows func(ctx context.Context, emit func([]cell) error) error
}

// location is the zone an export writes date-times in.
func location(loc *time.Location) *time.Location {
	if loc != nil {
		return loc
	}
	return jakarta
}

var jakarta = func() *time.Location {
	loc, err := time.LoadLocation("Asia/Jakarta")
	if err != nil {
		return time.FixedZone("WIB", 7*3600)
	}
	return loc
}()

// filename is name-YYYY-MM-DD.ext, dated in the caller's zone.
func filename(name string, f Format, now time.Time, loc *time.Location) string {
	return fmt.Sprintf("%s-%s.%s", name, now.In(location(loc)).Format(time.DateOnly), f)
}

// userEmails maps user IDs to e-mail addresses, for owner_email. Users
// are few (a team, not a customer base), so one query serves a whole export.
func userEmails(ctx context.Context, db *store.DB) (map[int64]string, error) {
	rows, err := db.Read().QueryContext(ctx, "SELECT id, email FROM users")
	if err != nil {
		return nil, fmt.Errorf("users' e-mails: %w", err)
	}
	defer rows.Close()
	out := map[int64]string{}
	for rows.Next() {
		var id int64
		var email string
		if err := rows.Scan(&id, &email); err != nil {
			return nil, fmt.Errorf("users' e-mails: %w", err)
		}
		out[id] = email
	}
	return out, rows.Err()
}

// principalPrefs is the caller's language and zone, for requests that do
// not say (the CLI, the API).
func (x *Exporter) principalPrefs(ctx context.Context, p auth.Principal) (string, *time.Location) {
	lang, loc := "en", jakarta
	if x.prefs == nil || p.UserID == 0 {
		return lang, loc
	}
	l, tz, err := x.prefs(ctx, p.UserID)
	if err != nil {
		return lang, loc
	}
	if i18n.IsSupported(l) {
		lang = l
	}
	if z, err := time.LoadLocation(tz); err == nil {
		loc = z
	}
	return lang, loc
}
