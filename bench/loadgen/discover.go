package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"sort"
	"strings"
)

// world is what the scenarios pick from, found through the API.
type world struct {
	contactMin, contactMax int64
	firstNames             []string // as the demo's contacts have them, for search
	lastNames              []string
	phonePrefixes          []string // national mobile prefixes such as 0812, for search
	cities                 []string // for list filters
	accountIDs             []int64  // for new contacts
	openStages             map[int64][]int64
	deals                  []deal // open deals, for moves
}

// deal is an open deal a move scenario client owns: its stage and version
// change with every move.
type deal struct {
	id, pipeline, stage, version int64
}

// discover reads the ID range of contacts, a sample of contacts and
// accounts, the pipelines and enough open deals for every client to move
// its own.
func discover(ctx context.Context, a *api, clients int) (*world, error) {
	w := &world{openStages: map[int64][]int64{}}
	var err error
	if w.contactMin, err = edgeID(ctx, a, "contacts", "id"); err != nil {
		return nil, err
	}
	if w.contactMax, err = edgeID(ctx, a, "contacts", "-id"); err != nil {
		return nil, err
	}

	var sample struct {
		Items []struct {
			FirstName string   `json:"first_name"`
			LastName  string   `json:"last_name"`
			City      string   `json:"city"`
			Phones    []string `json:"phones"`
		} `json:"items"`
	}
	// The oldest 500 contacts are the demo's own, not ones created by an
	// earlier load run.
	if err := getJSON(ctx, a, "/api/v1/contacts?sort=id&limit=500", &sample); err != nil {
		return nil, err
	}
	names, lastNames, prefixes, cities := map[string]bool{}, map[string]bool{}, map[string]bool{}, map[string]bool{}
	for _, c := range sample.Items {
		names[c.FirstName] = true
		if c.LastName != "" {
			lastNames[c.LastName] = true
		}
		if c.City != "" {
			cities[c.City] = true
		}
		for _, p := range c.Phones {
			// +62812… is dialled 0812… at home, and searched that way.
			if strings.HasPrefix(p, "+62") && len(p) > 6 {
				prefixes["0"+p[3:6]] = true
			}
		}
	}
	w.firstNames, w.lastNames, w.phonePrefixes, w.cities = keys(names), keys(lastNames), keys(prefixes), keys(cities)
	if len(w.firstNames) == 0 || len(w.lastNames) == 0 || len(w.phonePrefixes) == 0 || len(w.cities) == 0 {
		return nil, fmt.Errorf("the first 500 contacts have no names, phones or cities: is this a demo database?")
	}

	var accounts struct {
		Items []struct {
			ID int64 `json:"id"`
		} `json:"items"`
	}
	if err := getJSON(ctx, a, "/api/v1/accounts?sort=id&limit=500", &accounts); err != nil {
		return nil, err
	}
	for _, acc := range accounts.Items {
		w.accountIDs = append(w.accountIDs, acc.ID)
	}

	var pipelines struct {
		Items []struct {
			ID     int64 `json:"id"`
			Stages []struct {
				ID   int64  `json:"id"`
				Kind string `json:"kind"`
			} `json:"stages"`
		} `json:"items"`
	}
	if err := getJSON(ctx, a, "/api/v1/pipelines", &pipelines); err != nil {
		return nil, err
	}
	for _, p := range pipelines.Items {
		for _, s := range p.Stages {
			if s.Kind == "open" {
				w.openStages[p.ID] = append(w.openStages[p.ID], s.ID)
			}
		}
	}

	// Sixteen deals per client, each client moving only its own, so no two
	// clients race for one deal and every If-Match names the current version.
	want := clients * 16
	cursor := ""
	for len(w.deals) < want {
		q := url.Values{"filter": {`stage.kind = "open"`}, "sort": {"id"}, "limit": {"500"}}
		if cursor != "" {
			q.Set("cursor", cursor)
		}
		var page struct {
			Items []struct {
				ID         int64 `json:"id"`
				PipelineID int64 `json:"pipeline_id"`
				StageID    int64 `json:"stage_id"`
				Version    int64 `json:"version"`
			} `json:"items"`
			NextCursor string `json:"next_cursor"`
		}
		if err := getJSON(ctx, a, "/api/v1/opportunities?"+q.Encode(), &page); err != nil {
			return nil, err
		}
		for _, d := range page.Items {
			// A move needs another open stage of the same pipeline.
			if len(w.openStages[d.PipelineID]) > 1 {
				w.deals = append(w.deals, deal{id: d.ID, pipeline: d.PipelineID, stage: d.StageID, version: d.Version})
			}
		}
		if page.NextCursor == "" {
			break
		}
		cursor = page.NextCursor
	}
	return w, nil
}

// edgeID is the first ID of an entity in the given order.
func edgeID(ctx context.Context, a *api, entity, sort string) (int64, error) {
	var page struct {
		Items []struct {
			ID int64 `json:"id"`
		} `json:"items"`
	}
	if err := getJSON(ctx, a, "/api/v1/"+entity+"?limit=1&sort="+sort, &page); err != nil {
		return 0, err
	}
	if len(page.Items) == 0 {
		return 0, fmt.Errorf("no %s: fill the database with `relasi demo` first", entity)
	}
	return page.Items[0].ID, nil
}

func getJSON(ctx context.Context, a *api, path string, v any) error {
	status, body, _, err := a.do(ctx, "GET", path, nil, nil)
	if err != nil {
		return fmt.Errorf("GET %s: %w", path, err)
	}
	if status != 200 {
		return fmt.Errorf("GET %s: %d %s", path, status, truncate(body, 300))
	}
	if err := json.Unmarshal(body, v); err != nil {
		return fmt.Errorf("GET %s: %w", path, err)
	}
	return nil
}

func keys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func truncate(b []byte, n int) string {
	s := strings.TrimSpace(string(b))
	if len(s) > n {
		s = s[:n] + "…"
	}
	return s
}
