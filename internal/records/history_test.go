package records_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"testing"

	"github.com/relasi/relasi/internal/records"
	"github.com/relasi/relasi/internal/store"
)

func TestIfMatch(t *testing.T) {
	onEveryEngine(t, func(t *testing.T, engine store.Engine) {
		c := newCRM(t, engine)
		con := c.create(t, c.AdminToken, "contacts", map[string]any{"first_name": "Ani", "city": "Bogor"})
		p := recPath("contacts", con)

		res := c.call(t, c.AdminToken, "PATCH", p, map[string]any{"city": "Depok"}, `If-Match: "v1"`).Want(t, http.StatusOK)
		if res.Header.Get("ETag") != `"v2"` {
			t.Errorf("ETag after a change %q, want \"v2\"", res.Header.Get("ETag"))
		}
		// Someone still holding version 1 is refused, and nothing changes.
		res = c.call(t, c.AdminToken, "PATCH", p, map[string]any{"city": "Bekasi"}, `If-Match: "v1"`).Want(t, http.StatusPreconditionFailed)
		var prob struct{ Type, Detail string }
		res.JSON(t, &prob)
		if prob.Type != "urn:relasi:problem:precondition_failed" || prob.Detail == "" {
			t.Errorf("412 body %s", res.Body)
		}
		c.call(t, c.AdminToken, "PATCH", p, map[string]any{"city": "Bekasi"}, `If-Match: "v9"`).Want(t, http.StatusPreconditionFailed)
		c.call(t, c.AdminToken, "PATCH", p, map[string]any{"city": "Bekasi"}, `If-Match: abc`).Want(t, http.StatusBadRequest)
		got := c.Do(t, c.AdminToken, "GET", p, nil).Want(t, http.StatusOK).Map(t)
		if got["city"] != "Depok" || show(got["version"]) != "2" {
			t.Errorf("after refused changes: city %v version %v, want Depok 2", got["city"], got["version"])
		}
		// A change that changes nothing keeps the version.
		res = c.call(t, c.AdminToken, "PATCH", p, map[string]any{"city": "Depok"}, `If-Match: "v2"`).Want(t, http.StatusOK)
		if res.Header.Get("ETag") != `"v2"` {
			t.Errorf("ETag after a change to the same value %q, want \"v2\"", res.Header.Get("ETag"))
		}
		// Without If-Match the last writer wins; W/ and * are understood.
		c.call(t, c.AdminToken, "PATCH", p, map[string]any{"city": "Bekasi"}, `If-Match: W/"v2"`).Want(t, http.StatusOK)
		c.call(t, c.AdminToken, "PATCH", p, map[string]any{"city": "Bogor"}, `If-Match: *`).Want(t, http.StatusOK)
		c.Do(t, c.AdminToken, "PATCH", p, map[string]any{"city": "Jakarta"}).Want(t, http.StatusOK)
		// If-None-Match answers 304 while the version is current.
		c.call(t, c.AdminToken, "GET", p, nil, `If-None-Match: "v5"`).Want(t, http.StatusNotModified)
		c.call(t, c.AdminToken, "GET", p, nil, `If-None-Match: "v4"`).Want(t, http.StatusOK)
	})
}

func TestHistory(t *testing.T) {
	onEveryEngine(t, func(t *testing.T, engine store.Engine) {
		c := newCRM(t, engine)
		c.customField(t, "accounts", "credit_limit", records.Money, map[string]any{"currency": "USD"})
		acc := c.create(t, c.AdminToken, "accounts", map[string]any{"name": "PT Maju", "annual_revenue": json.Number("1500000.50"), "custom.credit_limit": json.Number("99.90")})
		p := recPath("accounts", acc)
		c.Do(t, c.AdminToken, "PATCH", p, map[string]any{"annual_revenue": 2000000, "name": "PT Maju Jaya", "custom.credit_limit": nil, "city": "Medan"}).Want(t, http.StatusOK)
		c.Do(t, c.AdminToken, "PATCH", p, map[string]any{"city": "Medan"}).Want(t, http.StatusOK) // no change, no row
		c.Do(t, c.AdminToken, "DELETE", p, nil).Want(t, http.StatusNoContent)
		c.Do(t, c.AdminToken, "POST", p+"/restore", nil).Want(t, http.StatusOK)

		var h struct {
			Items []struct {
				Action   string
				Actor    string
				ActorID  *int64 `json:"actor_id"`
				RecordID int64  `json:"record_id"`
				Entity   string
				Changes  map[string][]any
			}
		}
		c.Do(t, c.AdminToken, "GET", p+"/history", nil).Want(t, http.StatusOK).JSON(t, &h)
		var actions []string
		for _, e := range h.Items {
			actions = append(actions, e.Action)
			if e.Actor != c.Admin.Name || e.ActorID == nil || *e.ActorID != c.Admin.ID || e.Entity != "accounts" || e.RecordID != recID(t, acc) {
				t.Errorf("%s row: actor %q (%v), entity %s %d", e.Action, e.Actor, e.ActorID, e.Entity, e.RecordID)
			}
		}
		if want := []string{"restored", "deleted", "updated", "created"}; !slices.Equal(actions, want) {
			t.Fatalf("history %v, want newest first %v", actions, want)
		}
		created, updated := h.Items[3].Changes, h.Items[2].Changes
		for field, want := range map[string]string{"name": "[ PT Maju]", "annual_revenue": "[ 1500000.5]", "custom.credit_limit": "[ 99.9]", "owner_id": "[ " + show(c.Admin.ID) + "]"} {
			if got := show(created[field]); got != want {
				t.Errorf("created %s: %s, want %s", field, got, want)
			}
		}
		if _, ok := created["city"]; ok {
			t.Errorf("created lists the empty city: %v", created)
		}
		wantUpdated := map[string]string{"name": "[PT Maju PT Maju Jaya]", "annual_revenue": "[1500000.5 2000000]", "custom.credit_limit": "[99.9 ]", "city": "[ Medan]"}
		if len(updated) != len(wantUpdated) {
			t.Errorf("updated changes %v, want %v", updated, wantUpdated)
		}
		for field, want := range wantUpdated {
			if got := show(updated[field]); got != want {
				t.Errorf("updated %s: %s, want %s", field, got, want)
			}
		}
	})
}

func TestTrash(t *testing.T) {
	onEveryEngine(t, func(t *testing.T, engine store.Engine) {
		c := newCRM(t, engine)
		con := c.create(t, c.AdminToken, "contacts", map[string]any{"first_name": "Ani", "last_name": "Rahayu", "phones": []string{"0812-3456-7890"}})
		c.create(t, c.AdminToken, "contacts", map[string]any{"first_name": "Budi"})
		p := recPath("contacts", con)
		searchTitles := func(q string) []string {
			var hits struct{ Items []struct{ Title string } }
			c.Do(t, c.AdminToken, "GET", "/api/v1/search?q="+urlQuery(q), nil).Want(t, http.StatusOK).JSON(t, &hits)
			var out []string
			for _, h := range hits.Items {
				out = append(out, h.Title)
			}
			return out
		}
		if got := searchTitles("Rahayu"); !slices.Equal(got, []string{"Ani Rahayu"}) {
			t.Fatalf("search before delete: %v", got)
		}

		c.Do(t, c.AdminToken, "DELETE", p, nil).Want(t, http.StatusNoContent)
		if got := column(c.list(t, c.AdminToken, "contacts"), "first_name"); !slices.Equal(got, []string{"Budi"}) {
			t.Errorf("list after delete %v", got)
		}
		c.Do(t, c.AdminToken, "GET", p, nil).Want(t, http.StatusNotFound)
		c.Do(t, c.AdminToken, "PATCH", p, map[string]any{"city": "X"}).Want(t, http.StatusNotFound)
		c.Do(t, c.AdminToken, "DELETE", p, nil).Want(t, http.StatusNotFound)
		trash := c.list(t, c.AdminToken, "contacts", "trash", "true")
		if len(trash) != 1 || trash[0]["first_name"] != "Ani" || trash[0]["deleted_at"] == nil {
			t.Errorf("trash %v, want Ani with deleted_at", trash)
		}
		if got := searchTitles("Rahayu"); len(got) != 0 {
			t.Errorf("search finds a deleted contact: %v", got)
		}
		if got := searchTitles("0812-3456"); len(got) != 0 {
			t.Errorf("search by phone finds a deleted contact: %v", got)
		}
		if got := c.list(t, c.AdminToken, "contacts", "filter", `phones contains "+6281234567890"`); len(got) != 0 {
			t.Errorf("filter finds a deleted contact: %v", got)
		}

		back := c.Do(t, c.AdminToken, "POST", p+"/restore", nil).Want(t, http.StatusOK).Map(t)
		if back["deleted_at"] != nil || back["first_name"] != "Ani" || show(back["phones"]) != "[+6281234567890]" {
			t.Errorf("restored %v", back)
		}
		c.Do(t, c.AdminToken, "POST", p+"/restore", nil).Want(t, http.StatusNotFound)
		if got := column(c.list(t, c.AdminToken, "contacts", "sort", "first_name"), "first_name"); !slices.Equal(got, []string{"Ani", "Budi"}) {
			t.Errorf("list after restore %v", got)
		}
		if got := c.list(t, c.AdminToken, "contacts", "trash", "true"); len(got) != 0 {
			t.Errorf("trash after restore %v", got)
		}
		if got := searchTitles("Rahayu"); !slices.Equal(got, []string{"Ani Rahayu"}) {
			t.Errorf("search after restore: %v", got)
		}
		if got := searchTitles("081234567890"); !slices.Equal(got, []string{"Ani Rahayu"}) {
			t.Errorf("search by phone after restore: %v", got)
		}
	})
}
