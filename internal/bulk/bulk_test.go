package bulk_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/bulk"
	"github.com/relasi/relasi/internal/contacts"
	"github.com/relasi/relasi/internal/jobs"
	"github.com/relasi/relasi/internal/records"
	"github.com/relasi/relasi/internal/records/recordstest"
	"github.com/relasi/relasi/internal/store"
	"github.com/relasi/relasi/internal/store/storetest"
)

type crm struct {
	*recordstest.Server
	Bulk     *bulk.Module
	Contacts *records.Entity
}

func onEveryEngine(t *testing.T, fn func(t *testing.T, c *crm)) {
	for _, engine := range storetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			t.Parallel()
			fn(t, newCRM(t, engine))
		})
	}
}

func newCRM(t *testing.T, engine store.Engine) *crm {
	c := &crm{Contacts: contacts.Entity(engine)}
	c.Server = recordstest.New(t, engine, func(s *recordstest.Server) {
		records.RegisterAPI(s.Router, s.Store, c.Contacts)
		c.Bulk = bulk.New(s.Store, records.NewRegistry(c.Contacts), s.Auth)
		c.Bulk.RegisterAPI(s.Router)
	})
	t.Cleanup(func() { c.Bulk.Close(context.Background()) })
	return c
}

type operation struct {
	ID       int64
	Status   string
	Total    int64
	Done     int64
	Changed  int64
	Failed   int64
	Undone   int64
	Kept     int64
	Failures []struct {
		RecordID int64 `json:"record_id"`
		Error    string
	}
}

func (c *crm) contact(t *testing.T, owner int64, name string) int64 {
	t.Helper()
	r, err := c.Store.Create(context.Background(), c.Admin.Principal(), c.Contacts, records.Input{"first_name": name, "owner_id": owner})
	if err != nil {
		t.Fatal(err)
	}
	return r.ID
}

func (c *crm) owner(t *testing.T, id int64) int64 {
	t.Helper()
	r, err := c.Store.Get(context.Background(), c.Admin.Principal(), c.Contacts, id)
	if err != nil {
		t.Fatal(err)
	}
	return r.OwnerID
}

// A manager gives twenty of a salesperson's contacts to another in the
// team: each gets one history entry; a contact outside the team is
// refused with its reason; undo gives them back, except one changed again
// since, which undo leaves alone.
func TestAssignAndUndo(t *testing.T) {
	onEveryEngine(t, func(t *testing.T, c *crm) {
		ctx := context.Background()
		team, err := c.Auth.CreateTeam(ctx, c.Admin.Principal(), auth.TeamInput{Name: "Bandung"})
		if err != nil {
			t.Fatal(err)
		}
		_, mayaTok := c.User(t, "maya@example.co.id", auth.Manager, team.ID)
		sari, sariTok := c.User(t, "sari@example.co.id", auth.Sales, team.ID)
		budi, _ := c.User(t, "budi@example.co.id", auth.Sales, team.ID)
		joko, _ := c.User(t, "joko@example.co.id", auth.Sales, 0)
		var ids []int64
		for i := range 20 {
			ids = append(ids, c.contact(t, sari.ID, fmt.Sprintf("Kontak %02d", i)))
		}
		outside := c.contact(t, joko.ID, "Joko's")

		var op operation
		c.Do(t, mayaTok, "POST", "/api/v1/contacts/bulk", map[string]any{"action": "assign", "value": fmt.Sprint(budi.ID), "ids": append(slices.Clone(ids), outside)}).
			Want(t, http.StatusOK).JSON(t, &op)
		if op.Status != "done" || op.Total != 21 || op.Changed != 20 || op.Failed != 1 || len(op.Failures) != 1 || op.Failures[0].RecordID != outside {
			t.Fatalf("assign: %+v; want done, 20 of 21 changed, Joko's contact refused", op)
		}
		for _, id := range ids {
			if got := c.owner(t, id); got != budi.ID {
				t.Fatalf("contact %d owned by %d after the change, want Budi %d", id, got, budi.ID)
			}
		}
		if got := c.owner(t, outside); got != joko.ID {
			t.Errorf("the contact outside the team changed hands")
		}
		history, err := c.Store.History(ctx, "contacts", ids[0], 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(history) != 2 || history[0].Action != "updated" {
			t.Errorf("history of a reassigned contact: %+v; want created, then one update", history)
		}

		// Sari (now without them) may not see the operation; Maya may.
		c.Do(t, sariTok, "GET", fmt.Sprintf("/api/v1/bulk/%d", op.ID), nil).Want(t, http.StatusNotFound)

		// One contact is edited after the change: undo keeps it.
		if _, err := c.Store.Update(ctx, c.Admin.Principal(), c.Contacts, ids[3], records.Input{"city": "Bandung"}, 0); err != nil {
			t.Fatal(err)
		}
		c.Do(t, mayaTok, "POST", fmt.Sprintf("/api/v1/bulk/%d/undo", op.ID), nil).Want(t, http.StatusOK).JSON(t, &op)
		if op.Status != "undone" || op.Undone != 19 || op.Kept != 1 {
			t.Fatalf("undo: %+v; want 19 undone and the edited one kept", op)
		}
		for i, id := range ids {
			want := sari.ID
			if i == 3 {
				want = budi.ID
			}
			if got := c.owner(t, id); got != want {
				t.Errorf("contact %d owned by %d after undo, want %d", id, got, want)
			}
		}
		// Undoing twice changes nothing more.
		c.Do(t, mayaTok, "POST", fmt.Sprintf("/api/v1/bulk/%d/undo", op.ID), nil).Want(t, http.StatusOK).JSON(t, &op)
		if op.Undone != 19 {
			t.Errorf("a second undo: %+v", op)
		}
	})
}

// Bad requests are refused field by field before any record changes.
func TestRefusedRequests(t *testing.T) {
	onEveryEngine(t, func(t *testing.T, c *crm) {
		id := c.contact(t, c.Admin.ID, "Budi")
		viewer, viewerTok := c.User(t, "vera@example.co.id", auth.ReadOnly, 0)
		_ = viewer
		for _, tc := range []struct {
			body  map[string]any
			field string
		}{
			{map[string]any{"action": "paint", "ids": []int64{id}}, "action"},
			{map[string]any{"action": "set", "field": "lifecycle_stage", "value": "emperor", "ids": []int64{id}}, "value"},
			{map[string]any{"action": "set", "field": "first_name", "value": "x", "ids": []int64{id}}, "field"},
			{map[string]any{"action": "tag_add", "ids": []int64{id}}, "value"},
			{map[string]any{"action": "delete"}, "ids"},
			{map[string]any{"action": "delete", "ids": []int64{id}, "all_matching": true}, "ids"},
		} {
			res := c.Do(t, c.AdminToken, "POST", "/api/v1/contacts/bulk", tc.body).Want(t, http.StatusUnprocessableEntity)
			var problem struct {
				Errors []struct{ Field string }
			}
			if err := json.Unmarshal(res.Body, &problem); err != nil || len(problem.Errors) == 0 || problem.Errors[0].Field != tc.field {
				t.Errorf("%v: %s; want a problem naming %s", tc.body, res.Body, tc.field)
			}
			if ct := res.Header.Get("Content-Type"); ct != "application/problem+json" {
				t.Errorf("%v: Content-Type %q", tc.body, ct)
			}
		}
		c.Do(t, c.AdminToken, "POST", "/api/v1/contacts/bulk", map[string]any{"action": "delete", "all_matching": true, "filter": "city = "}).Want(t, http.StatusUnprocessableEntity)
		c.Do(t, viewerTok, "POST", "/api/v1/contacts/bulk", map[string]any{"action": "delete", "ids": []int64{id}}).Want(t, http.StatusForbidden)
		if _, err := c.Store.Get(context.Background(), c.Admin.Principal(), c.Contacts, id); err != nil {
			t.Errorf("a refused request changed the contact: %v", err)
		}
	})
}

// All matching a filter, more than a request changes: a background job
// does it, with progress, then the tags, the trash and undo of both.
func TestAllMatchingInTheBackground(t *testing.T) {
	onEveryEngine(t, func(t *testing.T, c *crm) {
		ctx := context.Background()
		c.Bulk.InlineRows, c.Bulk.BatchSize = 10, 7
		workers := river.NewWorkers()
		river.AddWorker(workers, c.Bulk.Worker())
		runner, err := jobs.New(c.DB, jobs.Config{Workers: workers, FetchPoll: 200 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		if err := runner.Start(ctx); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { runner.Stop(context.Background()) })
		var bandung []int64
		for i := range 25 {
			r, err := c.Store.Create(ctx, c.Admin.Principal(), c.Contacts, records.Input{"first_name": fmt.Sprintf("B%02d", i), "city": "Bandung", "tags": []string{"fair"}})
			if err != nil {
				t.Fatal(err)
			}
			bandung = append(bandung, r.ID)
		}
		jakarta := c.contact(t, c.Admin.ID, "Jakarta")

		wait := func(id int64, status string) operation {
			t.Helper()
			var op operation
			for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
				c.Do(t, c.AdminToken, "GET", fmt.Sprintf("/api/v1/bulk/%d", id), nil).JSON(t, &op)
				if op.Status == status {
					return op
				}
			}
			t.Fatalf("bulk change %d still %q after 30s, want %s", id, op.Status, status)
			return op
		}

		var op operation
		res := c.Do(t, c.AdminToken, "POST", "/api/v1/contacts/bulk", map[string]any{"action": "tag_add", "value": "vip", "all_matching": true, "filter": `city = "Bandung"`})
		res.Want(t, http.StatusAccepted).JSON(t, &op)
		if res.Header.Get("Location") != fmt.Sprintf("/api/v1/bulk/%d", op.ID) {
			t.Errorf("202 without a Location to follow: %q", res.Header.Get("Location"))
		}
		op = wait(op.ID, "done")
		if op.Total != 25 || op.Changed != 25 {
			t.Fatalf("tagging all of Bandung: %+v", op)
		}
		r, _ := c.Store.Get(ctx, c.Admin.Principal(), c.Contacts, bandung[24])
		if got := r.Strings("tags"); !slices.Equal(got, []string{"fair", "vip"}) {
			t.Errorf("tags after adding vip: %q", got)
		}
		j, _ := c.Store.Get(ctx, c.Admin.Principal(), c.Contacts, jakarta)
		if len(j.Strings("tags")) != 0 {
			t.Errorf("the Jakarta contact was tagged")
		}
		c.Do(t, c.AdminToken, "POST", fmt.Sprintf("/api/v1/bulk/%d/undo", op.ID), nil).Want(t, http.StatusAccepted)
		op = wait(op.ID, "undone")
		r, _ = c.Store.Get(ctx, c.Admin.Principal(), c.Contacts, bandung[24])
		if got := r.Strings("tags"); !slices.Equal(got, []string{"fair"}) || op.Undone != 25 {
			t.Errorf("after undo: tags %q, %+v", got, op)
		}

		// A few by ID to the trash, inline, and back.
		c.Do(t, c.AdminToken, "POST", "/api/v1/contacts/bulk", map[string]any{"action": "delete", "ids": bandung[:3]}).Want(t, http.StatusOK).JSON(t, &op)
		if op.Changed != 3 {
			t.Fatalf("to the trash: %+v", op)
		}
		c.Do(t, c.AdminToken, "GET", fmt.Sprintf("/api/v1/contacts/%d", bandung[0]), nil).Want(t, http.StatusNotFound)
		c.Do(t, c.AdminToken, "POST", fmt.Sprintf("/api/v1/bulk/%d/undo", op.ID), nil).Want(t, http.StatusOK)
		c.Do(t, c.AdminToken, "GET", fmt.Sprintf("/api/v1/contacts/%d", bandung[0]), nil).Want(t, http.StatusOK)
	})
}
