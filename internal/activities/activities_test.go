package activities_test

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/relasi/relasi/internal/activities"
	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/i18n"
	"github.com/relasi/relasi/internal/store"
	"github.com/relasi/relasi/internal/store/storetest"
)

func TestActivityValidation(t *testing.T) {
	onEveryEngine(t, func(t *testing.T, engine store.Engine) {
		c := newCRM(t, engine)
		_, salesToken := c.User(t, "sari@example.co.id", auth.Sales, 0)
		others := c.create(t, c.AdminToken, "contacts", map[string]any{"first_name": "Budi"})

		cases := []struct {
			name  string
			token string
			body  map[string]any
			want  []string
		}{
			{"no kind or subject", c.AdminToken, map[string]any{"body": "?"}, []string{"kind:required", "subject:required"}},
			{"unknown kind", c.AdminToken, map[string]any{"kind": "fax", "subject": "x"}, []string{"kind:invalid_choice"}},
			{"missing related record", c.AdminToken, map[string]any{"kind": "call", "subject": "Call", "related_type": "contacts", "related_id": 999999}, []string{"related_id:not_found"}},
			{"another salesperson's contact", salesToken, map[string]any{"kind": "call", "subject": "Call", "related_type": "contacts", "related_id": others["id"]}, []string{"related_id:not_found"}},
			{"type without ID", c.AdminToken, map[string]any{"kind": "note", "subject": "Note", "related_type": "accounts"}, []string{"related_id:required"}},
			{"ID without type", c.AdminToken, map[string]any{"kind": "note", "subject": "Note", "related_id": others["id"]}, []string{"related_type:required"}},
			{"derived contact is read-only", c.AdminToken, map[string]any{"kind": "note", "subject": "Note", "contact_id": others["id"]}, []string{"contact_id:read_only"}},
		}
		for _, tc := range cases {
			res := c.Do(t, tc.token, "POST", "/api/v1/activities", tc.body).Want(t, http.StatusUnprocessableEntity)
			if got := fieldErrors(t, res); !slices.Equal(got, tc.want) {
				t.Errorf("%s: field errors %v, want %v", tc.name, got, tc.want)
			}
		}
		var n int
		if err := c.DB.Read().QueryRow("SELECT count(*) FROM activities").Scan(&n); err != nil || n != 0 {
			t.Errorf("%d activities stored (err %v), want none", n, err)
		}
	})
}

func TestActivityDerivesContactAndAccount(t *testing.T) {
	onEveryEngine(t, func(t *testing.T, engine store.Engine) {
		c := newCRM(t, engine)
		acc := c.create(t, c.AdminToken, "accounts", map[string]any{"name": "PT Maju Jaya"})
		con := c.create(t, c.AdminToken, "contacts", map[string]any{"first_name": "Budi", "account_id": acc["id"]})

		onContact := c.create(t, c.AdminToken, "activities", map[string]any{"kind": "call", "subject": "Intro call", "related_type": "contacts", "related_id": con["id"]})
		if num(t, onContact["contact_id"]) != num(t, con["id"]) || num(t, onContact["account_id"]) != num(t, acc["id"]) {
			t.Errorf("activity on a contact: contact %v account %v, want %v and its account %v", onContact["contact_id"], onContact["account_id"], con["id"], acc["id"])
		}
		if d := onContact["display"].(map[string]any); d["contact_id"] != "Budi" || d["account_id"] != "PT Maju Jaya" {
			t.Errorf("display %v, want the contact's and account's names", d)
		}
		onAccount := c.create(t, c.AdminToken, "activities", map[string]any{"kind": "meeting", "subject": "Visit", "related_type": "accounts", "related_id": acc["id"]})
		if onAccount["contact_id"] != nil || num(t, onAccount["account_id"]) != num(t, acc["id"]) {
			t.Errorf("activity on an account: contact %v account %v, want none and %v", onAccount["contact_id"], onAccount["account_id"], acc["id"])
		}
		// A deal (written as the deals module would) gives its contact and account.
		var deal int64
		err := c.DB.Writer().QueryRow(`INSERT INTO deals (name, contact_id, account_id, currency, pipeline_id, stage_id, owner_id, created_at, updated_at)
			VALUES ('Kopi for the office', $1, $2, 'IDR', (SELECT id FROM pipelines WHERE key = 'sales'), (SELECT id FROM stages WHERE key = 'prospecting'), $3, $4, $4)
			RETURNING id`, num(t, con["id"]), num(t, acc["id"]), c.Admin.ID, time.Now().UTC()).Scan(&deal)
		if err != nil {
			t.Fatal(err)
		}
		onDeal := c.create(t, c.AdminToken, "activities", map[string]any{"kind": "email", "subject": "Proposal", "related_type": "opportunities", "related_id": deal})
		if num(t, onDeal["contact_id"]) != num(t, con["id"]) || num(t, onDeal["account_id"]) != num(t, acc["id"]) {
			t.Errorf("activity on a deal: contact %v account %v, want the deal's %v and %v", onDeal["contact_id"], onDeal["account_id"], con["id"], acc["id"])
		}
		// Moving the activity to the account re-derives both.
		moved := c.Do(t, c.AdminToken, "PATCH", path("activities", onContact["id"]), map[string]any{"related_type": "accounts", "related_id": acc["id"]}).Want(t, http.StatusOK).Map(t)
		if moved["contact_id"] != nil || num(t, moved["account_id"]) != num(t, acc["id"]) {
			t.Errorf("moved activity: contact %v account %v, want none and %v", moved["contact_id"], moved["account_id"], acc["id"])
		}
		if got := c.loggedSoFar(); !slices.Equal(got, []string{"call Intro call", "meeting Visit", "email Proposal"}) {
			t.Errorf("OnLogged saw %v, want the two new activities only", got)
		}
	})
}

// last_activity_at is the latest done_at of the live, done activities:
// what happened, never what is planned.
func TestLastActivityFollowsActivities(t *testing.T) {
	onEveryEngine(t, func(t *testing.T, engine store.Engine) {
		c := newCRM(t, engine)
		acc := c.create(t, c.AdminToken, "accounts", map[string]any{"name": "PT Maju Jaya"})
		con := c.create(t, c.AdminToken, "contacts", map[string]any{"first_name": "Budi", "account_id": acc["id"]})
		other := c.create(t, c.AdminToken, "contacts", map[string]any{"first_name": "Rina"})
		last := func() (contact, account time.Time) {
			return timeOf(t, c.get(t, c.AdminToken, "contacts", con["id"])["last_activity_at"]),
				timeOf(t, c.get(t, c.AdminToken, "accounts", acc["id"])["last_activity_at"])
		}
		want := func(step string, at time.Time) {
			t.Helper()
			if ct, a := last(); !ct.Equal(at) || !a.Equal(at) {
				t.Errorf("%s: last activity of contact %v, account %v; want %v on both", step, ct, a, at)
			}
		}

		// Planned work is not activity: a meeting held last month but not
		// marked done and a task due tomorrow leave it empty.
		earlier := time.Now().UTC().AddDate(0, -1, 0).Truncate(time.Second)
		meeting := c.create(t, c.AdminToken, "activities", map[string]any{"kind": "meeting", "subject": "Demo", "due_at": earlier.Format(time.RFC3339),
			"related_type": "contacts", "related_id": con["id"]})
		tomorrow := time.Now().UTC().AddDate(0, 0, 1).Truncate(time.Second)
		c.create(t, c.AdminToken, "activities", map[string]any{"kind": "task", "subject": "Send the quotation", "due_at": tomorrow.Format(time.RFC3339),
			"related_type": "contacts", "related_id": con["id"]})
		want("open meeting and task", time.Time{})

		call := c.create(t, c.AdminToken, "activities", map[string]any{"kind": "call", "subject": "Follow-up", "done": true,
			"related_type": "contacts", "related_id": con["id"]})
		callAt := timeOf(t, call["done_at"])
		want("a logged call", callAt)

		held := c.Do(t, c.AdminToken, "PATCH", path("activities", meeting["id"]), map[string]any{"done": true}).Want(t, http.StatusOK).Map(t)
		heldAt := timeOf(t, held["done_at"])
		want("the meeting marked done", heldAt)

		c.Do(t, c.AdminToken, "PATCH", path("activities", meeting["id"]), map[string]any{"done": false}).Want(t, http.StatusOK)
		want("the meeting reopened", callAt)

		c.Do(t, c.AdminToken, "DELETE", path("activities", call["id"]), nil).Want(t, http.StatusNoContent)
		want("the call deleted", time.Time{})

		c.Do(t, c.AdminToken, "POST", path("activities", call["id"])+"/restore", nil).Want(t, http.StatusOK)
		want("the call restored", callAt)

		// Moving the call to another contact takes its time along.
		c.Do(t, c.AdminToken, "PATCH", path("activities", call["id"]), map[string]any{"related_type": "contacts", "related_id": other["id"]}).Want(t, http.StatusOK)
		want("the call moved away", time.Time{})
		if got := timeOf(t, c.get(t, c.AdminToken, "contacts", other["id"])["last_activity_at"]); !got.Equal(callAt) {
			t.Errorf("contact the call moved to: last activity %v, want %v", got, callAt)
		}
	})
}

// Migration 00018 recomputes last_activity_at of existing databases with
// the rule above: open and future activities no longer count.
func TestMigrationRecomputesLastActivity(t *testing.T) {
	for _, engine := range storetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			db, err := store.Open(ctx, storetest.DSN(t, engine))
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if err := db.MigrateTo(ctx, 17); err != nil {
				t.Fatal(err)
			}
			now := time.Now().UTC().Truncate(time.Second)
			done := now.AddDate(0, 0, -100)
			tomorrow := now.AddDate(0, 0, 1)
			w := db.Writer()
			exec := func(q string, args ...any) {
				t.Helper()
				if _, err := w.ExecContext(ctx, q, args...); err != nil {
					t.Fatalf("%s: %v", q, err)
				}
			}
			exec(`INSERT INTO accounts (id, name, created_at, updated_at, last_activity_at) VALUES (1, 'PT Maju Jaya', $1, $1, $2)`, now, tomorrow)
			exec(`INSERT INTO contacts (id, first_name, account_id, created_at, updated_at, last_activity_at) VALUES (1, 'Budi', 1, $1, $1, $2), (2, 'Rina', NULL, $1, $1, $2)`, now, tomorrow)
			// Budi: a call 100 days ago and a task due tomorrow; Rina: only the open task.
			exec(`INSERT INTO activities (kind, subject, due_at, done, done_at, contact_id, account_id, created_at, updated_at) VALUES
				('call', 'Intro', NULL, true, $1, 1, 1, $1, $1),
				('task', 'Quote', $2, false, NULL, 1, 1, $1, $1),
				('task', 'Quote', $2, false, NULL, 2, NULL, $1, $1)`, done, tomorrow)
			if _, err := db.Migrate(ctx, slog.New(slog.NewTextHandler(io.Discard, nil)), t.TempDir()); err != nil {
				t.Fatal(err)
			}
			for _, q := range []struct {
				query string
				want  time.Time
			}{
				{"SELECT last_activity_at FROM contacts WHERE id = 1", done},
				{"SELECT last_activity_at FROM accounts WHERE id = 1", done},
				{"SELECT last_activity_at FROM contacts WHERE id = 2", time.Time{}},
			} {
				var got sql.NullTime
				if err := db.Read().QueryRowContext(ctx, q.query).Scan(&got); err != nil {
					t.Fatal(err)
				}
				if !got.Time.Equal(q.want) {
					t.Errorf("%s: %v, want %v", q.query, got.Time, q.want)
				}
			}
		})
	}
}

func TestDoneSetsDoneAt(t *testing.T) {
	onEveryEngine(t, func(t *testing.T, engine store.Engine) {
		c := newCRM(t, engine)
		task := c.create(t, c.AdminToken, "activities", map[string]any{"kind": "task", "subject": "Send the quotation"})
		if task["done"] != false || task["done_at"] != nil {
			t.Fatalf("new task: done %v done_at %v, want false and null", task["done"], task["done_at"])
		}
		before := time.Now().Add(-time.Second)
		done := c.Do(t, c.AdminToken, "PATCH", path("activities", task["id"]), map[string]any{"done": true}).Want(t, http.StatusOK).Map(t)
		doneAt := timeOf(t, done["done_at"])
		if done["done"] != true || doneAt.Before(before) || doneAt.After(time.Now().Add(time.Second)) {
			t.Fatalf("done task: done %v done_at %v, want true and about now", done["done"], done["done_at"])
		}
		// Saving it again keeps the time it was done.
		again := c.Do(t, c.AdminToken, "PATCH", path("activities", task["id"]), map[string]any{"subject": "Send the quotation (v2)", "done": true}).Want(t, http.StatusOK).Map(t)
		if !timeOf(t, again["done_at"]).Equal(doneAt) {
			t.Errorf("done_at moved from %v to %v on an unrelated change", doneAt, again["done_at"])
		}
		res := c.Do(t, c.AdminToken, "PATCH", path("activities", task["id"]), map[string]any{"done_at": "2026-01-01T00:00:00Z"}).Want(t, http.StatusUnprocessableEntity)
		if got := fieldErrors(t, res); !slices.Equal(got, []string{"done_at:read_only"}) {
			t.Errorf("setting done_at: %v, want done_at:read_only", got)
		}
		undone := c.Do(t, c.AdminToken, "PATCH", path("activities", task["id"]), map[string]any{"done": false}).Want(t, http.StatusOK).Map(t)
		if undone["done"] != false || undone["done_at"] != nil {
			t.Errorf("reopened task: done %v done_at %v, want false and null", undone["done"], undone["done_at"])
		}
		if got := c.loggedSoFar(); !slices.Equal(got, []string{"task Send the quotation", "task Send the quotation"}) {
			t.Errorf("OnLogged saw %v, want the task when created and when first done", got)
		}
	})
}

func TestMoveLeadActivities(t *testing.T) {
	onEveryEngine(t, func(t *testing.T, engine store.Engine) {
		c := newCRM(t, engine)
		acc := c.create(t, c.AdminToken, "accounts", map[string]any{"name": "CV Sinar"})
		con := c.create(t, c.AdminToken, "contacts", map[string]any{"first_name": "Rina"})
		called := time.Date(2026, 2, 1, 8, 0, 0, 0, time.UTC)
		ctx := context.Background()
		// Activities logged on leads 41 and 42, written as the leads
		// module's would be.
		for _, a := range []struct {
			lead    int64
			subject string
		}{{42, "First call"}, {42, "Brochure sent"}, {41, "Someone else's lead"}} {
			_, err := c.DB.Writer().ExecContext(ctx, `INSERT INTO activities (kind, subject, done, done_at, related_type, related_id, owner_id, created_at, updated_at)
				VALUES ('call', $1, true, $2, 'leads', $3, $4, $2, $2)`, a.subject, called, a.lead, c.Admin.ID)
			if err != nil {
				t.Fatal(err)
			}
		}
		err := c.DB.WriteTx(ctx, func(tx *sql.Tx) error {
			return activities.MoveLeadActivities(ctx, tx, 42, num(t, con["id"]), num(t, acc["id"]))
		})
		if err != nil {
			t.Fatal(err)
		}
		rows, err := c.DB.Read().Query("SELECT subject, related_type, related_id, COALESCE(contact_id, 0), COALESCE(account_id, 0) FROM activities ORDER BY id")
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var got []string
		for rows.Next() {
			var subject, typ string
			var rel, contact, account int64
			if err := rows.Scan(&subject, &typ, &rel, &contact, &account); err != nil {
				t.Fatal(err)
			}
			moved := typ == "contacts" && rel == num(t, con["id"]) && contact == rel && account == num(t, acc["id"])
			got = append(got, subject+map[bool]string{true: " moved", false: " stayed"}[moved])
		}
		if want := []string{"First call moved", "Brochure sent moved", "Someone else's lead stayed"}; !slices.Equal(got, want) {
			t.Errorf("after conversion: %v, want %v", got, want)
		}
		if last := timeOf(t, c.get(t, c.AdminToken, "contacts", con["id"])["last_activity_at"]); !last.Equal(called) {
			t.Errorf("contact's last activity %v, want the lead's call at %v", last, called)
		}
	})
}

func TestMyOpenTasks(t *testing.T) {
	onEveryEngine(t, func(t *testing.T, engine store.Engine) {
		c := newCRM(t, engine)
		me, token := c.User(t, "sari@example.co.id", auth.Sales, 0)
		_, otherToken := c.User(t, "eko@example.co.id", auth.Sales, 0)
		con := c.create(t, token, "contacts", map[string]any{"first_name": "Budi", "last_name": "Santoso"})
		now := time.Now().UTC()
		add := func(token string, body map[string]any) {
			c.create(t, token, "activities", body)
		}
		add(token, map[string]any{"kind": "task", "subject": "Someday: update the brochure"})
		add(token, map[string]any{"kind": "call", "subject": "Call Budi tomorrow", "due_at": now.Add(24 * time.Hour).Format(time.RFC3339),
			"related_type": "contacts", "related_id": con["id"]})
		add(token, map[string]any{"kind": "meeting", "subject": "Yesterday's meeting", "due_at": now.Add(-24 * time.Hour).Format(time.RFC3339)})
		add(token, map[string]any{"kind": "task", "subject": "Finished task", "done": true})
		add(token, map[string]any{"kind": "note", "subject": "A note is no task"})
		add(otherToken, map[string]any{"kind": "task", "subject": "Eko's task"})

		tasks, err := activities.MyOpenTasks(context.Background(), c.DB.Read(), me.Principal(), 10)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, task := range tasks {
			s := task.Subject
			if task.Overdue {
				s += " (overdue)"
			}
			if task.ContactName != "" {
				s += " with " + task.ContactName + " at " + task.RelatedLink()
			}
			got = append(got, s)
		}
		want := []string{"Yesterday's meeting (overdue)", "Call Budi tomorrow with Budi Santoso at /contacts/" + fmt.Sprint(con["id"]), "Someday: update the brochure"}
		if !slices.Equal(got, want) {
			t.Errorf("my open tasks:\n got %q\nwant %q", got, want)
		}
	})
}

func TestRemindersNotifyOnce(t *testing.T) {
	onEveryEngine(t, func(t *testing.T, engine store.Engine) {
		c := newCRM(t, engine)
		_, token := c.User(t, "sari@example.co.id", auth.Sales, 0)
		catalog, err := i18n.Load()
		if err != nil {
			t.Fatal(err)
		}
		now := time.Now().UTC().Truncate(time.Second)
		due := func(d time.Duration) string { return now.Add(d).Format(time.RFC3339) }
		task := c.create(t, token, "activities", map[string]any{"kind": "task", "subject": "Send the quotation", "due_at": due(10 * time.Minute)})
		c.create(t, token, "activities", map[string]any{"kind": "meeting", "subject": "Demo at PT Maju", "due_at": due(20 * time.Minute)})
		c.create(t, token, "activities", map[string]any{"kind": "call", "subject": "Calls are not reminded", "due_at": due(5 * time.Minute)})
		c.create(t, token, "activities", map[string]any{"kind": "task", "subject": "Done already", "due_at": due(5 * time.Minute), "done": true})
		c.create(t, token, "activities", map[string]any{"kind": "task", "subject": "Overdue", "due_at": due(-5 * time.Minute)})

		send := func(at time.Time) int {
			n, err := activities.SendReminders(context.Background(), c.DB, catalog, at)
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
		if n := send(now); n != 1 {
			t.Fatalf("first run sent %d reminders, want 1 (the task due in 10 minutes)", n)
		}
		if n := send(now.Add(time.Minute)); n != 0 {
			t.Errorf("second run sent %d reminders, want none: each activity is reminded once", n)
		}
		if n := send(now.Add(6 * time.Minute)); n != 1 {
			t.Errorf("six minutes later sent %d reminders, want 1 (the meeting, now 14 minutes away)", n)
		}
		// A new due time earns a new reminder.
		c.Do(t, token, "PATCH", path("activities", task["id"]), map[string]any{"due_at": due(30 * time.Minute)}).Want(t, http.StatusOK)
		if n := send(now.Add(20 * time.Minute)); n != 1 {
			t.Errorf("after moving the task, sent %d reminders, want 1", n)
		}

		var messages []string
		rows, err := c.DB.Read().Query("SELECT kind, message_args, link FROM notifications WHERE message_key = 'activities.reminder' ORDER BY id")
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var kind, msg, link string
			if err := rows.Scan(&kind, &msg, &link); err != nil {
				t.Fatal(err)
			}
			if kind != "activity_reminder" || !strings.HasPrefix(link, "/activities/") {
				t.Errorf("notification kind %q link %q, want activity_reminder and the activity's page", kind, link)
			}
			messages = append(messages, msg)
		}
		// Stored as facts (the subject and the due time), worded when read.
		if len(messages) != 3 || !strings.Contains(messages[0], `"text":"Send the quotation"`) || !strings.Contains(messages[1], "Demo at PT Maju") {
			t.Errorf("notifications %q, want the task, the meeting and the task again", messages)
		}
	})
}
