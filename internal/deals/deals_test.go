package deals_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"testing"

	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/deals"
	"github.com/relasi/relasi/internal/records"
	"github.com/relasi/relasi/internal/search"
)

func TestNewDealTakesDefaultPipelineStageAndProbability(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		acc := e.do(t, call{Token: e.AdminToken, Method: "POST", Path: "/api/v1/accounts", Body: map[string]any{"name": "PT Maju Jaya"}}, 201).object(t)
		d := e.createDeal(t, e.AdminToken, map[string]any{"name": "Lisensi 50 kursi", "account_id": acc["id"], "amount": 150000000, "close_date": "2026-03-31"})
		def := e.pipelines(t)[0]
		if num(t, d["pipeline_id"]) != def.ID || num(t, d["stage_id"]) != def.Stages[0].ID {
			t.Errorf("new deal in pipeline %v stage %v, want the default pipeline %d and its first stage %d", d["pipeline_id"], d["stage_id"], def.ID, def.Stages[0].ID)
		}
		if num(t, d["probability"]) != 10 || d["currency"] != "IDR" || d["amount"] != json.Number("150000000") {
			t.Errorf("probability %v, currency %v, amount %v; want 10, IDR, 150000000", d["probability"], d["currency"], d["amount"])
		}
		if d["won"] != nil || d["closed_at"] != nil || d["stage_changed_at"] == nil {
			t.Errorf("an open deal: won %v, closed_at %v, stage_changed_at %v", d["won"], d["closed_at"], d["stage_changed_at"])
		}
		display := d["display"].(map[string]any)
		if display["stage_id"] != "Prospecting" || display["pipeline_id"] != "Sales" || display["account_id"] != "PT Maju Jaya" {
			t.Errorf("display names = %v", display)
		}

		// A probability given with the stage stays; one outside 0–100 is refused.
		d = e.createDeal(t, e.AdminToken, map[string]any{"name": "Optimis", "stage_id": e.stage(t, "Negotiation/Review").ID, "probability": 95})
		if num(t, d["probability"]) != 95 {
			t.Errorf("probability %v, want the 95 given", d["probability"])
		}
		f := e.do(t, call{Token: e.AdminToken, Method: "POST", Path: "/api/v1/opportunities", Body: map[string]any{"name": "X", "probability": 150}, Breaks: true}, 422).problemFields(t)
		if !slices.Equal(f, []string{"probability"}) {
			t.Errorf("probability 150 names %v", f)
		}
		if f := e.do(t, call{Token: e.AdminToken, Method: "POST", Path: "/api/v1/opportunities", Body: map[string]any{"amount": 5}, Breaks: true}, 422).problemFields(t); !slices.Equal(f, []string{"name"}) {
			t.Errorf("a deal without a name names %v", f)
		}
	})
}

func TestDealStageMustBelongToItsPipeline(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		var other deals.Pipeline
		e.do(t, call{Token: e.AdminToken, Method: "POST", Path: "/api/v1/pipelines", Body: map[string]any{"name": "Proyek",
			"stages": []map[string]any{{"name": "Tender", "probability": 25}, {"name": "Kontrak", "kind": "won"}}}}, 201).decode(t, &other)
		def := e.pipelines(t)[0]

		f := e.do(t, call{Token: e.AdminToken, Method: "POST", Path: "/api/v1/opportunities",
			Body: map[string]any{"name": "Campur", "pipeline_id": def.ID, "stage_id": other.Stages[0].ID}}, 422).problemFields(t)
		if !slices.Equal(f, []string{"stage_id"}) {
			t.Errorf("a stage of another pipeline names %v, want stage_id", f)
		}
		// Named by its stage alone, a deal joins that stage's pipeline.
		d := e.createDeal(t, e.AdminToken, map[string]any{"name": "Tender RSUD", "stage_id": other.Stages[0].ID})
		if num(t, d["pipeline_id"]) != other.ID || num(t, d["probability"]) != 25 {
			t.Errorf("deal by stage: pipeline %v probability %v, want %d and 25", d["pipeline_id"], d["probability"], other.ID)
		}
		// Moved to another pipeline without a stage, it starts at the first one.
		id := num(t, d["id"])
		d = e.do(t, call{Token: e.AdminToken, Method: "PATCH", Path: fmt.Sprintf("/api/v1/opportunities/%d", id), Body: map[string]any{"pipeline_id": def.ID}}, 200).object(t)
		if num(t, d["stage_id"]) != def.Stages[0].ID || num(t, d["probability"]) != 10 {
			t.Errorf("after changing pipeline: stage %v probability %v, want %d and 10", d["stage_id"], d["probability"], def.Stages[0].ID)
		}
		// A stage of another pipeline is refused through PATCH and move alike.
		e.do(t, call{Token: e.AdminToken, Method: "PATCH", Path: fmt.Sprintf("/api/v1/opportunities/%d", id), Body: map[string]any{"stage_id": other.Stages[1].ID}}, 422)
		f = e.do(t, call{Token: e.AdminToken, Method: "POST", Path: fmt.Sprintf("/api/v1/opportunities/%d/move", id), Body: map[string]any{"stage_id": other.Stages[1].ID}}, 422).problemFields(t)
		if !slices.Equal(f, []string{"stage_id"}) {
			t.Errorf("moving to another pipeline's stage names %v", f)
		}
		e.do(t, call{Token: e.AdminToken, Method: "POST", Path: "/api/v1/opportunities", Body: map[string]any{"name": "Y", "pipeline_id": 9999}}, 422)
	})
}

// history reads a deal's history, newest first.
func (e *env) history(t *testing.T, id int64) []records.HistoryEntry {
	t.Helper()
	var h struct{ Items []records.HistoryEntry }
	e.do(t, call{Token: e.AdminToken, Method: "GET", Path: fmt.Sprintf("/api/v1/opportunities/%d/history", id)}, 200).decode(t, &h)
	return h.Items
}

func TestMovingADealRecordsTheStageChange(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		d := e.createDeal(t, e.AdminToken, map[string]any{"name": "Renovasi kantor", "amount": 25000000})
		id := num(t, d["id"])
		path := fmt.Sprintf("/api/v1/opportunities/%d/move", id)
		qual := e.stage(t, "Qualification")

		a := e.do(t, call{Token: e.AdminToken, Method: "POST", Path: path, IfMatch: `"v1"`, Body: map[string]any{"stage_id": qual.ID}}, 200)
		moved := a.object(t)
		if num(t, moved["stage_id"]) != qual.ID || num(t, moved["probability"]) != 20 || num(t, moved["version"]) != 2 || a.Header.Get("ETag") != `"v2"` {
			t.Fatalf("after the move: %v (ETag %s)", moved, a.Header.Get("ETag"))
		}
		h := e.history(t, id)
		if len(h) != 3 || h[0].Action != "stage_changed" || h[1].Action != "updated" || h[2].Action != "created" {
			t.Fatalf("history actions = %v, want stage_changed, updated, created", actions(h))
		}
		if got := h[0].Changes["stage"]; got != [2]any{"Prospecting", "Qualification"} {
			t.Errorf("stage_changed = %v, want Prospecting → Qualification", got)
		}
		if got := h[1].Changes["probability"]; fmt.Sprint(got) != "[10 20]" {
			t.Errorf("the update row's probability change = %v", got)
		}

		// If-Match is honoured: the deal is at v2 now.
		e.do(t, call{Token: e.AdminToken, Method: "POST", Path: path, IfMatch: `"v1"`, Body: map[string]any{"stage_id": e.stage(t, "Needs Analysis").ID}}, 412)
		// Moving where it already is changes nothing.
		e.do(t, call{Token: e.AdminToken, Method: "POST", Path: path, Body: map[string]any{"stage_id": qual.ID}}, 200)
		if n := len(e.history(t, id)); n != 3 {
			t.Errorf("a move to the same stage wrote history: %d rows", n)
		}
		e.do(t, call{Token: e.AdminToken, Method: "POST", Path: path, Body: map[string]any{}, Breaks: true}, 422)
		e.do(t, call{Token: e.AdminToken, Method: "POST", Path: "/api/v1/opportunities/9999/move", Body: map[string]any{"stage_id": qual.ID}}, 404)
	})
}

func actions(h []records.HistoryEntry) []string {
	var out []string
	for _, x := range h {
		out = append(out, x.Action)
	}
	return out
}

func TestLostNeedsAReasonAndWonCloses(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		d := e.createDeal(t, e.AdminToken, map[string]any{"name": "Pengadaan laptop"})
		id := num(t, d["id"])
		path := fmt.Sprintf("/api/v1/opportunities/%d/move", id)
		lost, won, open := e.stage(t, "Closed Lost"), e.stage(t, "Closed Won"), e.stage(t, "Needs Analysis")

		f := e.do(t, call{Token: e.AdminToken, Method: "POST", Path: path, Body: map[string]any{"stage_id": lost.ID}}, 422).problemFields(t)
		if !slices.Equal(f, []string{"lost_reason"}) {
			t.Errorf("lost without a reason names %v, want lost_reason", f)
		}
		e.do(t, call{Token: e.AdminToken, Method: "POST", Path: path, Body: map[string]any{"stage_id": lost.ID, "lost_reason": "   "}}, 422)
		// Through PATCH the same rule holds.
		e.do(t, call{Token: e.AdminToken, Method: "PATCH", Path: fmt.Sprintf("/api/v1/opportunities/%d", id), Body: map[string]any{"stage_id": lost.ID}}, 422)

		d = e.do(t, call{Token: e.AdminToken, Method: "POST", Path: path, Body: map[string]any{"stage_id": lost.ID, "lost_reason": "Harga kompetitor lebih murah"}}, 200).object(t)
		if d["won"] != false || d["closed_at"] == nil || num(t, d["probability"]) != 0 || d["lost_reason"] != "Harga kompetitor lebih murah" {
			t.Errorf("lost deal: won %v closed_at %v probability %v reason %v", d["won"], d["closed_at"], d["probability"], d["lost_reason"])
		}
		// Reopened, it is open again and the reason stays in the history only.
		d = e.do(t, call{Token: e.AdminToken, Method: "POST", Path: path, Body: map[string]any{"stage_id": open.ID}}, 200).object(t)
		if d["won"] != nil || d["closed_at"] != nil || d["lost_reason"] != nil || num(t, d["probability"]) != 30 {
			t.Errorf("reopened deal: won %v closed_at %v reason %v probability %v", d["won"], d["closed_at"], d["lost_reason"], d["probability"])
		}
		d = e.do(t, call{Token: e.AdminToken, Method: "POST", Path: path, Body: map[string]any{"stage_id": won.ID, "won_reason": "Layanan purnajual"}}, 200).object(t)
		if d["won"] != true || d["closed_at"] == nil || num(t, d["probability"]) != 100 || d["won_reason"] != "Layanan purnajual" {
			t.Errorf("won deal: won %v closed_at %v probability %v reason %v", d["won"], d["closed_at"], d["probability"], d["won_reason"])
		}
		// Won and lost are Relasi's to set.
		e.do(t, call{Token: e.AdminToken, Method: "PATCH", Path: fmt.Sprintf("/api/v1/opportunities/%d", id), Body: map[string]any{"won": false}, Breaks: true}, 422)
	})
}

func TestChangingTheCurrencyKeepsTheAmountShown(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		d := e.createDeal(t, e.AdminToken, map[string]any{"name": "Ekspor", "amount": json.Number("1250.5"), "currency": "USD"})
		if d["amount"] != json.Number("1250.5") {
			t.Fatalf("amount %v", d["amount"])
		}
		path := fmt.Sprintf("/api/v1/opportunities/%d", num(t, d["id"]))
		d = e.do(t, call{Token: e.AdminToken, Method: "PATCH", Path: path, Body: map[string]any{"currency": "JPY"}}, 200).object(t)
		if d["amount"] != json.Number("1250") {
			t.Errorf("USD 1250.5 as JPY shows %v, want 1250", d["amount"])
		}
		d = e.do(t, call{Token: e.AdminToken, Method: "PATCH", Path: path, Body: map[string]any{"currency": "IDR", "amount": 2000000}}, 200).object(t)
		if d["amount"] != json.Number("2000000") {
			t.Errorf("amount sent with the currency shows %v, want 2000000", d["amount"])
		}
	})
}

func TestDealsAreFoundBySearchAndFilters(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		acc := e.do(t, call{Token: e.AdminToken, Method: "POST", Path: "/api/v1/accounts", Body: map[string]any{"name": "Sinar Harapan Logistik"}}, 201).object(t)
		d := e.createDeal(t, e.AdminToken, map[string]any{"name": "Armada pendingin", "account_id": acc["id"]})
		e.createDeal(t, e.AdminToken, map[string]any{"name": "Gudang baru", "stage_id": e.stage(t, "Qualification").ID})
		admin := e.Admin.Principal()
		for _, q := range []string{"pendingin", "Harapan"} {
			hits, err := search.Search(context.Background(), e.DB, admin, q, 10)
			if err != nil {
				t.Fatal(err)
			}
			found := slices.ContainsFunc(hits, func(h search.Hit) bool {
				return h.Entity == "opportunities" && h.ID == num(t, d["id"]) && h.URL == fmt.Sprintf("/opportunities/%d", h.ID)
			})
			if !found {
				t.Errorf("search %q = %+v, want the deal among the hits", q, hits)
			}
		}
		for filter, want := range map[string]string{
			`account.name contains "harapan"`: "Armada pendingin",
			`stage.name = "Qualification"`:    "Gudang baru",
			`stage.kind = "open" and pipeline.name = "Sales" and stage.name != "Qualification"`: "Armada pendingin",
		} {
			var list struct{ Items []map[string]any }
			e.do(t, call{Token: e.AdminToken, Method: "GET", Path: "/api/v1/opportunities?filter=" + urlQuery(filter)}, 200).decode(t, &list)
			if len(list.Items) != 1 || list.Items[0]["name"] != want {
				t.Errorf("filter %s = %v, want only %s", filter, list.Items, want)
			}
		}
		// In the trash, the deal is out of search.
		e.do(t, call{Token: e.AdminToken, Method: "DELETE", Path: fmt.Sprintf("/api/v1/opportunities/%d", num(t, d["id"]))}, 204)
		if hits, _ := search.Search(context.Background(), e.DB, admin, "pendingin", 10); len(hits) != 0 {
			t.Errorf("a deleted deal is still found: %+v", hits)
		}
	})
}

func TestCreatorOpensADealInTheCallersTransaction(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		create := deals.Creator(e.Store, e.Deals)
		sales, _ := e.user(t, "dewi@example.co.id", auth.Sales)
		var id int64
		err := e.DB.WriteTx(context.Background(), func(tx *sql.Tx) error {
			var err error
			id, err = create(context.Background(), tx, sales.Principal(), records.Input{"name": "Dari prospek", "amount": json.Number("5000000")})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		r, err := e.Store.Get(context.Background(), sales.Principal(), e.Deals, id)
		if err != nil {
			t.Fatal(err)
		}
		if r.OwnerID != sales.ID || r.Int("probability") != 10 || r.Int("amount") != 500000000 {
			t.Errorf("created deal = owner %d probability %d amount %d", r.OwnerID, r.Int("probability"), r.Int("amount"))
		}
		// Refused input rolls the caller's transaction back with a field error.
		err = e.DB.WriteTx(context.Background(), func(tx *sql.Tx) error {
			_, err := create(context.Background(), tx, sales.Principal(), records.Input{"name": ""})
			return err
		})
		if err == nil {
			t.Fatal("a deal without a name was created")
		}
	})
}

// A deal's amount is a JSON number and never negative; 0 is an amount.
func TestDealAmountIsANumberAndNotNegative(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		for _, tc := range []struct {
			amount any
			code   string
		}{{-1, "min"}, {json.Number("-0.01"), "min"}, {"1500000", "wrong_type"}} {
			var p struct {
				Errors []struct{ Field, Code string }
			}
			e.do(t, call{Token: e.AdminToken, Method: "POST", Path: "/api/v1/opportunities",
				Body: map[string]any{"name": "Pengadaan", "amount": tc.amount}, Breaks: true}, 422).decode(t, &p)
			if len(p.Errors) != 1 || p.Errors[0].Field != "amount" || p.Errors[0].Code != tc.code {
				t.Errorf("amount %v: %+v, want %s on amount", tc.amount, p.Errors, tc.code)
			}
		}
		d := e.createDeal(t, e.AdminToken, map[string]any{"name": "Gratis", "amount": 0})
		if d["amount"] != json.Number("0") {
			t.Errorf("amount %v, want 0", d["amount"])
		}
		e.do(t, call{Token: e.AdminToken, Method: "PATCH", Path: fmt.Sprintf("/api/v1/opportunities/%d", num(t, d["id"])),
			Body: map[string]any{"amount": -100}, Breaks: true}, 422)
	})
}
