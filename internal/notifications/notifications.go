// Package notifications is the in-app inbox: short messages for one user
// ("the lead Budi has waited 5 minutes for an answer") with a link to what
// they are about, listed unread first and marked read one by one or all at
// once. Other modules create notifications inside their own transactions,
// so a notification exists exactly when what it reports does.
package notifications

import (
	"context"
	"database/sql"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/errs"
	"github.com/relasi/relasi/internal/i18n"
	"github.com/relasi/relasi/internal/page"
	"github.com/relasi/relasi/internal/store"
)

//go:embed templates/*.html
var templates embed.FS

// Templates are this package's pages, for web.NewRenderer.
func Templates() fs.FS {
	sub, _ := fs.Sub(templates, "templates")
	return sub
}

// Notification is one message to a user.
type Notification struct {
	ID int64 `json:"id"`
	// Kind says what it is about, for clients that group or filter:
	// "lead_overdue", "lead_assigned", ….
	Kind string `json:"kind"`
	// Message is worded in the reader's language.
	Message string `json:"message"`
	// Link is a path in the web UI, e.g. "/leads/12"; "" for none.
	Link      string     `json:"link"`
	CreatedAt time.Time  `json:"created_at"`
	ReadAt    *time.Time `json:"read_at"`

	facts Message // empty for notifications stored as worded text
}

// Unread reports whether the user has not read it yet.
func (n Notification) Unread() bool { return n.ReadAt == nil }

// MaxMessageLen bounds a worded message; longer ones are cut.
const MaxMessageLen = 500

// Message is what a notification says, stored as facts — a catalog key and
// its arguments — and worded when it is read, in the reader's language and
// time zone at that moment, so a user who switches language reads every
// notification in the new one.
type Message struct {
	Key  string `json:"key"`
	Args []Arg  `json:"args"`
}

// Arg is one argument of a Message: a text (a name, a subject) or an
// instant, shown in the reader's date format and time zone.
type Arg struct {
	Text string     `json:"text,omitempty"`
	Time *time.Time `json:"time,omitempty"`
}

// Text is a text argument.
func Text(s string) Arg { return Arg{Text: s} }

// Time is an instant argument.
func Time(t time.Time) Arg { t = t.UTC(); return Arg{Time: &t} }

// Create adds a notification for a user in the caller's transaction.
func Create(ctx context.Context, tx *sql.Tx, userID int64, kind string, m Message, link string) error {
	return create(ctx, tx, userID, kind, m, link, time.Now().UTC().Truncate(time.Microsecond))
}

// CreateAt is Create with the time it happened, for jobs that have a clock.
func CreateAt(ctx context.Context, tx *sql.Tx, userID int64, kind string, m Message, link string, at time.Time) error {
	return create(ctx, tx, userID, kind, m, link, at)
}

func create(ctx context.Context, tx *sql.Tx, userID int64, kind string, m Message, link string, at time.Time) error {
	if m.Args == nil {
		m.Args = []Arg{}
	}
	args, err := json.Marshal(m.Args)
	if err != nil {
		return fmt.Errorf("notify user %d: %w", userID, err)
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO notifications (user_id, kind, message, message_key, message_args, link, created_at)
		VALUES ($1, $2, '', $3, $4, $5, $6)`, userID, kind, m.Key, string(args), link, at)
	if err != nil {
		return fmt.Errorf("notify user %d: %w", userID, err)
	}
	return nil
}

// Service reads and marks a user's notifications.
type Service struct {
	db      *store.DB
	catalog *i18n.Catalog
	now     func() time.Time
}

// New returns the service on db; catalog words the messages.
func New(db *store.DB, catalog *i18n.Catalog) *Service {
	return &Service{db: db, catalog: catalog, now: func() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }}
}

// reader is how a user reads: language and time zone.
func (s *Service) reader(ctx context.Context, userID int64) (i18n.Formatter, error) {
	var lang, zone string
	err := s.db.Read().QueryRowContext(ctx, "SELECT locale, time_zone FROM users WHERE id = $1", userID).Scan(&lang, &zone)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return i18n.Formatter{}, fmt.Errorf("reader of notifications: %w", err)
	}
	loc, err := time.LoadLocation(zone)
	if err != nil || zone == "" {
		loc = nil
	}
	return i18n.NewFormatter(lang, loc), nil
}

// word fills in n.Message from its facts for a reader.
func (s *Service) word(n *Notification, f i18n.Formatter) {
	if n.facts.Key == "" || s.catalog == nil {
		return
	}
	args := make([]any, len(n.facts.Args))
	for i, a := range n.facts.Args {
		args[i] = a.Text
		if a.Time != nil {
			args[i] = f.DateTime(*a.Time)
		}
	}
	n.Message = s.catalog.T(f.Lang(), n.facts.Key, args...)
	if utf8.RuneCountInString(n.Message) > MaxMessageLen {
		n.Message = string([]rune(n.Message)[:MaxMessageLen-1]) + "…"
	}
}

// Lists are always unread first, then newest (highest ID) first.
var (
	sortColumns = page.Columns{
		"unread": {Expr: "(CASE WHEN n.read_at IS NULL THEN 0 ELSE 1 END)", Kind: page.Int},
		"newest": {Expr: "(0 - n.id)", Kind: page.Int},
	}
	listSort = "unread,newest"
)

const columns = "n.id, n.kind, n.message, n.message_key, n.message_args, n.link, n.created_at, n.read_at"

func scan(row store.Scanner) (Notification, error) {
	var n Notification
	var read sql.NullTime
	var args string
	if err := row.Scan(&n.ID, &n.Kind, &n.Message, &n.facts.Key, &args, &n.Link, &n.CreatedAt, &read); err != nil {
		return n, err
	}
	if err := json.Unmarshal([]byte(args), &n.facts.Args); err != nil {
		return n, fmt.Errorf("notification %d: arguments: %w", n.ID, err)
	}
	n.CreatedAt = n.CreatedAt.UTC()
	if read.Valid {
		t := read.Time.UTC()
		n.ReadAt = &t
	}
	return n, nil
}

// List returns one page of the caller's notifications, unread first and
// then newest first; unreadOnly leaves out those already read. q holds
// limit and cursor.
func (s *Service) List(ctx context.Context, p auth.Principal, unreadOnly bool, q url.Values) (page.List[Notification], error) {
	pq := url.Values{"limit": q["limit"], "cursor": q["cursor"]}
	pr, err := page.Parse(pq, sortColumns, listSort, "n.id")
	if err != nil {
		return page.List[Notification]{}, err
	}
	where := []string{"n.user_id = $1"}
	args := []any{p.UserID}
	if unreadOnly {
		where = append(where, "n.read_at IS NULL")
	}
	if cond, kargs := pr.Where(len(args) + 1); cond != "" {
		where = append(where, cond)
		args = append(args, kargs...)
	}
	query := fmt.Sprintf("SELECT %s FROM notifications n WHERE %s ORDER BY %s LIMIT %d", columns, strings.Join(where, " AND "), pr.OrderBy(), pr.Fetch())
	rows, err := store.Collect(ctx, s.db.Read(), scan, query, args...)
	if err != nil {
		return page.List[Notification]{}, fmt.Errorf("list notifications: %w", err)
	}
	f, err := s.reader(ctx, p.UserID)
	if err != nil {
		return page.List[Notification]{}, err
	}
	for i := range rows {
		s.word(&rows[i], f)
	}
	return page.Trim(pr, rows, func(n Notification) map[string]any {
		unread := int64(1)
		if n.Unread() {
			unread = 0
		}
		return map[string]any{"unread": unread, "newest": -n.ID}
	}, func(n Notification) int64 { return n.ID }), nil
}

var errNotFound = errs.E(errs.NotFound, "No such notification.").WithKey("notifications.not_found")

// MarkRead marks one of the caller's notifications read and returns it.
// Marking it again changes nothing.
func (s *Service) MarkRead(ctx context.Context, p auth.Principal, id int64) (Notification, error) {
	var n Notification
	err := s.db.WriteTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, "UPDATE notifications SET read_at = $1 WHERE id = $2 AND user_id = $3 AND read_at IS NULL", s.now(), id, p.UserID); err != nil {
			return fmt.Errorf("mark notification %d read: %w", id, err)
		}
		var err error
		n, err = scan(tx.QueryRowContext(ctx, "SELECT "+columns+" FROM notifications n WHERE n.id = $1 AND n.user_id = $2", id, p.UserID))
		if errors.Is(err, sql.ErrNoRows) {
			return errNotFound
		}
		return err
	})
	if err != nil {
		return n, err
	}
	f, err := s.reader(ctx, p.UserID)
	s.word(&n, f)
	return n, err
}

// MarkAllRead marks every unread notification of the caller read and
// returns how many there were.
func (s *Service) MarkAllRead(ctx context.Context, p auth.Principal) (int64, error) {
	var n int64
	err := s.db.WriteTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, "UPDATE notifications SET read_at = $1 WHERE user_id = $2 AND read_at IS NULL", s.now(), p.UserID)
		if err != nil {
			return fmt.Errorf("mark notifications read: %w", err)
		}
		n, err = res.RowsAffected()
		return err
	})
	return n, err
}

// UnreadCount is the number on the layout's bell.
func (s *Service) UnreadCount(ctx context.Context, userID int64) (int, error) {
	var n int
	if err := s.db.Read().QueryRowContext(ctx, "SELECT count(*) FROM notifications WHERE user_id = $1 AND read_at IS NULL", userID).Scan(&n); err != nil {
		return 0, fmt.Errorf("count notifications: %w", err)
	}
	return n, nil
}
