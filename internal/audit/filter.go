package audit

import (
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/errs"
)

// Paging limits of the audit list.
const (
	DefaultLimit = 50
	MaxLimit     = 500
)

// Filter narrows the audit; zero values do not filter.
type Filter struct {
	Entity   string
	RecordID int64
	ActorID  int64
	Action   string
	// Field keeps the entries that changed this field.
	Field string
	// From and To are the first and the day after the last day of the
	// period, as instants in the reader's time zone.
	From, To time.Time
	Limit    int

	after int64 // from the cursor
}

// ParseFilter reads a filter from query parameters: entity, record_id,
// actor_id, action, field, from and to (YYYY-MM-DD, whole days in loc),
// limit and cursor. Every problem is reported at once, per parameter.
func (l *Log) ParseFilter(q url.Values, loc *time.Location) (Filter, error) {
	if loc == nil {
		loc = time.UTC
	}
	f := Filter{Limit: DefaultLimit}
	var fe errs.Fields
	f.Entity = strings.TrimSpace(q.Get("entity"))
	if f.Entity != "" {
		if _, ok := l.reg.Get(f.Entity); !ok && f.Entity != Settings && f.Entity != auth.AuditEntity {
			fe.Add("entity", "invalid_choice", "must be one of: %s", strings.Join(l.entityNames(), ", "))
		}
	}
	id := func(name string) int64 {
		s := strings.TrimSpace(q.Get(name))
		if s == "" {
			return 0
		}
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n < 1 {
			fe.Add(name, "not_an_id", "must be an ID: a whole number from 1 up")
			return 0
		}
		return n
	}
	f.RecordID, f.ActorID = id("record_id"), id("actor_id")
	name := func(param string) string {
		s := strings.ToLower(strings.TrimSpace(q.Get(param)))
		if s != "" && !validName(s) {
			fe.Add(param, "invalid_name", "may hold only the letters a–z, digits, '_' and '.'")
		}
		return s
	}
	f.Action, f.Field = name("action"), name("field")
	day := func(param string) time.Time {
		s := strings.TrimSpace(q.Get(param))
		if s == "" {
			return time.Time{}
		}
		t, err := time.ParseInLocation(time.DateOnly, s, loc)
		if err != nil {
			fe.Add(param, "invalid_date", "must be a date written YYYY-MM-DD")
			return time.Time{}
		}
		return t
	}
	f.From = day("from")
	if to := day("to"); !to.IsZero() {
		f.To = to.AddDate(0, 0, 1)
		if !f.From.IsZero() && f.To.Before(f.From.AddDate(0, 0, 1)) {
			fe.Add("to", "before_from", "must not be before from")
		}
	}
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > MaxLimit {
			fe.Add("limit", "out_of_range", "must be a whole number from %d to %d", 1, MaxLimit)
		} else {
			f.Limit = n
		}
	}
	if c := q.Get("cursor"); c != "" {
		after, err := decodeCursor(c)
		if e, ok := errs.As(err); ok {
			fe = append(fe, e.Fields...)
		}
		f.after = after
	}
	return f, fe.Err()
}

func (l *Log) entityNames() []string {
	var out []string
	for _, e := range l.reg.All() {
		out = append(out, e.Name)
	}
	return append(out, Settings, auth.AuditEntity)
}

// Query is the filter as query parameters (without limit and cursor), for
// links that keep it: the next page, the CSV download.
func (f Filter) Query(loc *time.Location) url.Values {
	q := url.Values{}
	set := func(k, v string) {
		if v != "" {
			q.Set(k, v)
		}
	}
	set("entity", f.Entity)
	if f.RecordID != 0 {
		q.Set("record_id", strconv.FormatInt(f.RecordID, 10))
	}
	if f.ActorID != 0 {
		q.Set("actor_id", strconv.FormatInt(f.ActorID, 10))
	}
	set("action", f.Action)
	set("field", f.Field)
	if loc == nil {
		loc = time.UTC
	}
	if !f.From.IsZero() {
		q.Set("from", f.From.In(loc).Format(time.DateOnly))
	}
	if !f.To.IsZero() {
		q.Set("to", f.To.In(loc).AddDate(0, 0, -1).Format(time.DateOnly))
	}
	return q
}
