package deals_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/deals"
)

func stageNames(p deals.Pipeline) []string {
	var out []string
	for _, s := range p.Stages {
		out = append(out, s.Name)
	}
	return out
}

func TestDefaultPipelineHasTheNineStagesOfTheSeeds(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		list := e.pipelines(t)
		if len(list) != 1 || list[0].Name != "Sales" || !list[0].IsDefault {
			t.Fatalf("pipelines = %+v, want the one default pipeline Sales", list)
		}
		want := []struct {
			name string
			prob int
			kind string
		}{
			{"Prospecting", 10, "open"}, {"Qualification", 20, "open"}, {"Needs Analysis", 30, "open"},
			{"Value Proposition", 40, "open"}, {"Identify Decision Makers", 50, "open"}, {"Quotation/Proposal", 65, "open"},
			{"Negotiation/Review", 80, "open"}, {"Closed Won", 100, "won"}, {"Closed Lost", 0, "lost"},
		}
		got := list[0].Stages
		if len(got) != len(want) {
			t.Fatalf("stages = %v, want %d", stageNames(list[0]), len(want))
		}
		for i, w := range want {
			if s := got[i]; s.Name != w.name || s.Probability != w.prob || s.Kind != w.kind || s.Position != i {
				t.Errorf("stage %d = %s %d%% %s at %d, want %s %d%% %s", i, s.Name, s.Probability, s.Kind, s.Position, w.name, w.prob, w.kind)
			}
		}
	})
}

func TestAdminsConfigurePipelinesAndStages(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		admin := e.AdminToken
		_, sales := e.user(t, "agus@example.co.id", auth.Sales)

		// Everyone reads; only admins write.
		e.do(t, call{Token: sales, Method: "GET", Path: "/api/v1/pipelines"}, 200)
		e.do(t, call{Token: sales, Method: "POST", Path: "/api/v1/pipelines", Body: map[string]any{"name": "Proyek"}}, 403)

		a := e.do(t, call{Token: admin, Method: "POST", Path: "/api/v1/pipelines", Body: map[string]any{
			"name": "Proyek pemerintah",
			"stages": []map[string]any{
				{"name": "Tender", "probability": 20}, {"name": "Evaluasi", "probability": 50},
				{"name": "Menang", "kind": "won"}, {"name": "Kalah", "kind": "lost"},
			},
		}}, 201)
		var p deals.Pipeline
		a.decode(t, &p)
		if p.IsDefault || p.Position != 1 || !slices.Equal(stageNames(p), []string{"Tender", "Evaluasi", "Menang", "Kalah"}) {
			t.Fatalf("new pipeline = %+v", p)
		}
		if p.Stages[2].Probability != 100 || p.Stages[3].Probability != 0 || p.Stages[0].Kind != "open" {
			t.Errorf("stage defaults: won %d%%, lost %d%%, kind %s; want 100, 0, open", p.Stages[2].Probability, p.Stages[3].Probability, p.Stages[0].Kind)
		}
		if a.Header.Get("ETag") != fmt.Sprintf(`"v%d"`, p.Version) {
			t.Errorf("ETag %q for version %d", a.Header.Get("ETag"), p.Version)
		}

		// Names are unique, case aside: pipelines overall, stages per pipeline.
		if f := e.do(t, call{Token: admin, Method: "POST", Path: "/api/v1/pipelines", Body: map[string]any{"name": "proyek PEMERINTAH"}}, 409).problemFields(t); !slices.Equal(f, []string{"name"}) {
			t.Errorf("duplicate pipeline name names %v", f)
		}
		base := fmt.Sprintf("/api/v1/pipelines/%d", p.ID)
		e.do(t, call{Token: admin, Method: "POST", Path: base + "/stages", Body: map[string]any{"name": "tender"}}, 409)
		bad := e.do(t, call{Token: admin, Method: "POST", Path: base + "/stages", Body: map[string]any{"name": "X", "probability": 101, "kind": "maybe"}, Breaks: true}, 422).problemFields(t)
		if !slices.Equal(bad, []string{"kind", "probability"}) {
			t.Errorf("bad stage names %v, want kind and probability", bad)
		}

		// Add a stage in second place; rename and reorder another.
		var st deals.Stage
		e.do(t, call{Token: admin, Method: "POST", Path: base + "/stages", Body: map[string]any{"name": "Pra-kualifikasi", "probability": 30, "position": 1}}, 201).decode(t, &st)
		var got deals.Pipeline
		e.do(t, call{Token: admin, Method: "GET", Path: base}, 200).decode(t, &got)
		if want := []string{"Tender", "Pra-kualifikasi", "Evaluasi", "Menang", "Kalah"}; !slices.Equal(stageNames(got), want) {
			t.Fatalf("stages after insert = %v, want %v", stageNames(got), want)
		}
		evaluasi := got.Stages[2]
		e.do(t, call{Token: admin, Method: "PATCH", Path: fmt.Sprintf("/api/v1/stages/%d", evaluasi.ID), IfMatch: fmt.Sprintf(`"v%d"`, evaluasi.Version),
			Body: map[string]any{"name": "Evaluasi teknis", "position": 0, "probability": 45}}, 200).decode(t, &st)
		if st.Name != "Evaluasi teknis" || st.Probability != 45 || st.Position != 0 {
			t.Errorf("changed stage = %+v", st)
		}
		e.do(t, call{Token: admin, Method: "PATCH", Path: fmt.Sprintf("/api/v1/stages/%d", evaluasi.ID), IfMatch: fmt.Sprintf(`"v%d"`, evaluasi.Version),
			Body: map[string]any{"name": "Stale"}}, 412)
		e.do(t, call{Token: admin, Method: "GET", Path: base}, 200).decode(t, &got)
		if want := []string{"Evaluasi teknis", "Tender", "Pra-kualifikasi", "Menang", "Kalah"}; !slices.Equal(stageNames(got), want) {
			t.Fatalf("stages after reorder = %v, want %v", stageNames(got), want)
		}
		for i, s := range got.Stages {
			if s.Position != i {
				t.Errorf("%s at position %d, want %d", s.Name, s.Position, i)
			}
		}

		// A stage change is a pipeline change: its ETag moves on.
		e.do(t, call{Token: admin, Method: "PATCH", Path: base, IfMatch: fmt.Sprintf(`"v%d"`, p.Version), Body: map[string]any{"name": "Old"}}, 412)

		// Exactly one default.
		var sales1 deals.Pipeline
		e.do(t, call{Token: admin, Method: "PATCH", Path: base, IfMatch: fmt.Sprintf(`"v%d"`, got.Version), Body: map[string]any{"is_default": true, "position": 0}}, 200).decode(t, &sales1)
		list := e.pipelines(t)
		if len(list) != 2 || list[0].ID != p.ID || !list[0].IsDefault || list[1].IsDefault || list[1].Position != 1 {
			t.Fatalf("after making %d the default first: %+v", p.ID, list)
		}
		if f := e.do(t, call{Token: admin, Method: "PATCH", Path: base, Body: map[string]any{"is_default": false}}, 422).problemFields(t); !slices.Equal(f, []string{"is_default"}) {
			t.Errorf("switching the default off names %v", f)
		}
		if d := e.do(t, call{Token: admin, Method: "DELETE", Path: base}, 409).detail(t); !strings.Contains(d, "default") {
			t.Errorf("deleting the default: %q", d)
		}

		// Stages and pipelines with deals stay; empty ones go.
		tender := got.Stages[1]
		for i := range 2 {
			e.createDeal(t, admin, map[string]any{"name": fmt.Sprintf("Tender %d", i), "stage_id": tender.ID})
		}
		trashed := e.createDeal(t, admin, map[string]any{"name": "Tender lama", "stage_id": tender.ID})
		e.do(t, call{Token: admin, Method: "DELETE", Path: fmt.Sprintf("/api/v1/opportunities/%d", num(t, trashed["id"]))}, 204)
		if d := e.do(t, call{Token: admin, Method: "DELETE", Path: fmt.Sprintf("/api/v1/stages/%d", tender.ID)}, 409).detail(t); !strings.Contains(d, "still in this stage: 2") {
			t.Errorf("deleting a stage with deals: %q, want it to say 2 deals", d)
		}
		e.do(t, call{Token: sales, Method: "DELETE", Path: fmt.Sprintf("/api/v1/stages/%d", got.Stages[2].ID)}, 403)
		e.do(t, call{Token: admin, Method: "DELETE", Path: fmt.Sprintf("/api/v1/stages/%d", got.Stages[2].ID)}, 204)
		e.do(t, call{Token: admin, Method: "DELETE", Path: fmt.Sprintf("/api/v1/stages/%d", got.Stages[2].ID)}, 404)
		e.do(t, call{Token: admin, Method: "GET", Path: base}, 200).decode(t, &got)
		if want := []string{"Evaluasi teknis", "Tender", "Menang", "Kalah"}; !slices.Equal(stageNames(got), want) || got.Stages[3].Position != 3 {
			t.Fatalf("stages after delete = %v (last at %d)", stageNames(got), got.Stages[3].Position)
		}

		// Sales, no longer the default, holds no deals and can go.
		old := list[1]
		e.do(t, call{Token: admin, Method: "DELETE", Path: fmt.Sprintf("/api/v1/pipelines/%d", old.ID)}, 204)
		e.do(t, call{Token: admin, Method: "GET", Path: fmt.Sprintf("/api/v1/pipelines/%d", old.ID)}, 404)
		// The new default, with deals, cannot be made non-default; give it a
		// successor and it still holds its deals.
		var next deals.Pipeline
		e.do(t, call{Token: admin, Method: "POST", Path: "/api/v1/pipelines", Body: map[string]any{"name": "Ritel", "is_default": true}}, 201).decode(t, &next)
		if d := e.do(t, call{Token: admin, Method: "DELETE", Path: base}, 409).detail(t); !strings.Contains(d, "still in this pipeline: 2") {
			t.Errorf("deleting a pipeline with deals: %q", d)
		}
	})
}

func TestPipelineETags(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		p := e.pipelines(t)[0]
		path := fmt.Sprintf("/api/v1/pipelines/%d", p.ID)
		a := e.do(t, call{Token: e.AdminToken, Method: "GET", Path: path}, 200)
		tag := a.Header.Get("ETag")
		if tag != fmt.Sprintf(`"v%d"`, p.Version) {
			t.Fatalf("ETag %q, want version %d", tag, p.Version)
		}
		e.do(t, call{Token: e.AdminToken, Method: "GET", Path: path, IfNoneMatch: tag}, 304)
		e.do(t, call{Token: e.AdminToken, Method: "PATCH", Path: path, IfMatch: tag, Body: map[string]any{"name": "Penjualan"}}, 200)
		e.do(t, call{Token: e.AdminToken, Method: "PATCH", Path: path, IfMatch: tag, Body: map[string]any{"name": "Lagi"}}, 412)
	})
}
