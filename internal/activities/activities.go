// Package activities is the work a team does with its customers: calls,
// e-mails, meetings, tasks and notes. Each activity is linked to one record
// (related_type/related_id: a contact, account, lead or deal); the contact
// and account it concerns are derived from that record when it is saved,
// so timelines and "last activity" dates are plain indexed lookups.
package activities

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/relasi/relasi/internal/records"
	"github.com/relasi/relasi/internal/store"
)

// Choices of an activity's fields.
var (
	Kinds = []string{"call", "email", "meeting", "task", "note"}
	// RelatedTypes are the entities an activity can be linked to.
	RelatedTypes = []string{"contacts", "accounts", "leads", "opportunities"}
)

// Hooks are what other modules do when an activity is logged.
type Hooks struct {
	// OnLogged runs in the save's transaction when an activity is created
	// and when one is marked done (a scheduled call that took place). The
	// leads module uses it to stop a lead's response clock.
	OnLogged []func(ctx context.Context, tx *sql.Tx, activity *records.Record) error
}

// Entity describes activities for the records machinery.
func Entity(engine store.Engine, hooks Hooks) *records.Entity {
	e := &records.Entity{
		Name: "activities", Table: "activities", Alias: "act", Label: "nav.activities", Singular: "entity.activity",
		Owned: true, TitleSQL: "act.subject", DefaultSort: "-created_at",
		ListFilters: []records.ListFilter{{Field: "owner"}, {Field: "kind"}, {Field: "done"}, {Field: "due_at"}},
		Presets: []records.Preset{
			{Label: "activities.preset.my_open_tasks", Filter: `owner = me and kind = "task" and done = false`, Sort: "due_at"},
			{Label: "activities.preset.overdue", Filter: "owner = me and done = false and due_at < now", Sort: "due_at"},
		},
		Fields: []records.Field{
			{Name: "kind", Label: "field.activity_kind", Kind: records.Select, Column: "kind", Choices: Kinds, Required: true, InList: true},
			{Name: "subject", Label: "field.subject", Kind: records.Text, Column: "subject", Required: true, MaxLen: 200, InList: true},
			{Name: "body", Label: "field.body", Kind: records.LongText, Column: "body"},
			{Name: "due_at", Label: "field.due_at", Kind: records.DateTime, Column: "due_at", InList: true},
			{Name: "done", Label: "field.done", Kind: records.Bool, Column: "done", InList: true},
			{Name: "done_at", Label: "field.done_at", Kind: records.DateTime, Column: "done_at", ReadOnly: true},
			{Name: "related_type", Label: "field.related_type", Kind: records.Select, Column: "related_type", Choices: RelatedTypes},
			{Name: "related_id", Label: "field.related_id", Kind: records.Integer, Column: "related_id", RefBy: "related_type"},
			{Name: "contact_id", Label: "field.activity_contact", Kind: records.Ref, Column: "contact_id", Ref: "contacts", ReadOnly: true, InList: true,
				RefTitle: "(SELECT trim(first_name || ' ' || COALESCE(last_name, '')) FROM contacts WHERE id = $col AND deleted_at IS NULL)"},
			{Name: "account_id", Label: "field.account", Kind: records.Ref, Column: "account_id", Ref: "accounts", ReadOnly: true,
				RefTitle: "(SELECT name FROM accounts WHERE id = $col AND deleted_at IS NULL)"},
		},
	}
	e.BeforeSave = func(ctx context.Context, tx *sql.Tx, c *records.Change) error {
		return beforeSave(ctx, tx, c)
	}
	e.AfterSave = func(ctx context.Context, tx *sql.Tx, c *records.Change) error {
		return afterSave(ctx, tx, c, hooks)
	}
	return e
}

// beforeSave fills in what Relasi derives: done_at follows done, and the
// contact and account come from the related record, which must exist and
// be readable by the caller.
func beforeSave(ctx context.Context, tx *sql.Tx, c *records.Change) error {
	r := c.New
	done, _ := r.Get("done").(bool)
	r.Set("done", done)
	switch {
	case !done:
		r.Set("done_at", nil)
	case c.Old == nil || c.Old.Get("done") != true:
		r.Set("done_at", time.Now().UTC().Truncate(time.Microsecond))
	}
	return deriveRelated(ctx, tx, c)
}

// afterSave keeps what depends on an activity in step: the columns derived
// in beforeSave (the store writes read-only fields only when creating),
// the reminder, the last activity of the contact and account, and the
// OnLogged hooks.
func afterSave(ctx context.Context, tx *sql.Tx, c *records.Change, hooks Hooks) error {
	r := c.New
	if c.Action == "updated" {
		_, err := tx.ExecContext(ctx, "UPDATE activities SET done_at = $1, contact_id = $2, account_id = $3 WHERE id = $4",
			r.Get("done_at"), nullID(r.Int("contact_id")), nullID(r.Int("account_id")), r.ID)
		if err != nil {
			return fmt.Errorf("activity %d: %w", r.ID, err)
		}
		if !sameTime(c.Old.Get("due_at"), r.Get("due_at")) {
			// A new due time earns a new reminder.
			if _, err := tx.ExecContext(ctx, "UPDATE activities SET reminded_at = NULL WHERE id = $1", r.ID); err != nil {
				return fmt.Errorf("activity %d: %w", r.ID, err)
			}
		}
	}
	contacts := []int64{r.Int("contact_id")}
	accounts := []int64{r.Int("account_id")}
	if c.Old != nil {
		contacts = append(contacts, c.Old.Int("contact_id"))
		accounts = append(accounts, c.Old.Int("account_id"))
	}
	if err := refreshLastActivity(ctx, tx, contacts, accounts); err != nil {
		return err
	}
	logged := c.Action == "created" || c.Action == "updated" && r.Get("done") == true && c.Old.Get("done") != true
	if !logged {
		return nil
	}
	for _, hook := range hooks.OnLogged {
		if err := hook(ctx, tx, r); err != nil {
			return err
		}
	}
	return nil
}

// lastActivityTables are the tables with a last_activity_at column that
// activities keep up to date, each with the activities column naming its
// rows. Leads and opportunities have no such column (migrations 00005 and
// 00006); add them here if they ever get one.
var lastActivityTables = []struct{ table, column string }{
	{"contacts", "contact_id"},
	{"accounts", "account_id"},
}

// refreshLastActivity sets last_activity_at of the given contacts and
// accounts (0 is skipped) to the time of their latest live activity that
// happened. The rule: an activity counts once it is done (a logged call,
// e-mail or note, a held meeting, a finished task), at its done_at, and
// only if that time is not in the future; an open task or a meeting still
// to come is not activity yet, so "last_activity_at < -90d" finds the
// contacts nobody has talked to. Migration 00018 applied the same rule to
// existing data, and the demo generator follows it. The version moves
// only when the value does, so a client's ETag of the contact stays valid
// when nothing it shows changed.
func refreshLastActivity(ctx context.Context, tx *sql.Tx, contactIDs, accountIDs []int64) error {
	now := time.Now().UTC()
	for i, ids := range [][]int64{contactIDs, accountIDs} {
		t := lastActivityTables[i]
		done := map[int64]bool{}
		for _, id := range ids {
			if id == 0 || done[id] {
				continue
			}
			done[id] = true
			query := fmt.Sprintf(`UPDATE %[1]s SET last_activity_at = latest.at, version = %[1]s.version + 1
				FROM (SELECT MAX(done_at) AS at FROM activities
					WHERE %[2]s = $1 AND deleted_at IS NULL AND done_at IS NOT NULL AND done_at <= $2) latest
				WHERE %[1]s.id = $1 AND %[1]s.last_activity_at IS DISTINCT FROM latest.at`, t.table, t.column)
			if _, err := tx.ExecContext(ctx, query, id, now); err != nil {
				return fmt.Errorf("last activity of %s %d: %w", t.table, id, err)
			}
		}
	}
	return nil
}

// sameTime reports whether two DateTime values (time.Time or nil) are equal.
func sameTime(a, b any) bool {
	ta, aok := a.(time.Time)
	tb, bok := b.(time.Time)
	if !aok || !bok {
		return aok == bok
	}
	return ta.Equal(tb)
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}
