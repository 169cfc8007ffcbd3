package exports

import (
	"cmp"
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/errs"
	"github.com/relasi/relasi/internal/records"
	"github.com/relasi/relasi/internal/search"
)

// MaxSearchHits is the most search results an export holds; a search is
// for finding a few records, a filter for selecting many.
const MaxSearchHits = 10_000

// SearchRequest is an export of a search result.
type SearchRequest struct {
	Query string
	// Entity limits the export to one entity's hits, as full records
	// (a file the import reads). Without it, a CSV lists the hits as the
	// results page shows them, and an XLSX adds a sheet of full records
	// for each entity found.
	Entity   string
	Columns  []string // with Entity only
	Format   Format
	Labels   bool
	Lang     string
	Location *time.Location
}

// Search checks an export of a search result and runs the search.
func (x *Exporter) Search(ctx context.Context, p auth.Principal, req SearchRequest) (*Export, error) {
	if err := checkFormat(req.Format); err != nil {
		return nil, err
	}
	if req.Lang == "" || req.Location == nil {
		lang, loc := x.principalPrefs(ctx, p)
		req.Lang = cmp.Or(req.Lang, lang)
		if req.Location == nil {
			req.Location = loc
		}
	}
	var only *records.Entity
	if req.Entity != "" {
		e, ok := x.reg.Get(req.Entity)
		if !ok {
			var names []string
			for _, e := range x.reg.All() {
				names = append(names, e.Name)
			}
			var fe errs.Fields
			fe.Add("entity", "invalid_choice", "must be one of: %s", strings.Join(names, ", "))
			return nil, fe.Err()
		}
		only = e
	} else if len(req.Columns) > 0 {
		var fe errs.Fields
		fe.Add("columns", "needs_entity", "can be chosen only together with entity")
		return nil, fe.Err()
	}
	hits, err := search.Search(ctx, x.store.DB(), p, req.Query, MaxSearchHits)
	if err != nil {
		return nil, err
	}
	ids := map[string][]int64{}
	for _, h := range hits {
		ids[h.Entity] = append(ids[h.Entity], h.ID)
	}
	name := "search"
	var sheets []sheet
	if only != nil {
		name += "-" + only.Name
		sh, err := x.hitSheet(ctx, p, only, ids[only.Name], req.Columns, req.Labels, req.Lang)
		if err != nil {
			return nil, err
		}
		sheets = append(sheets, sh)
	} else {
		sheets = append(sheets, x.hitList(hits, req.Labels, req.Lang))
		if req.Format == XLSX {
			for _, e := range x.reg.All() {
				if len(ids[e.Name]) == 0 {
					continue
				}
				sh, err := x.hitSheet(ctx, p, e, ids[e.Name], nil, req.Labels, req.Lang)
				if err != nil {
					return nil, err
				}
				sheets = append(sheets, sh)
			}
		}
	}
	return &Export{Format: req.Format, Filename: filename(name, req.Format, x.store.Now(), req.Location), sheets: sheets, loc: req.Location}, nil
}

// hitList is the results as the search page lists them.
func (x *Exporter) hitList(hits []search.Hit, labels bool, lang string) sheet {
	header := []string{"entity", "id", "title", "detail"}
	if labels && x.catalog != nil {
		header = []string{x.catalog.T(lang, "exports.hit_entity"), x.catalog.T(lang, "field.id"),
			x.catalog.T(lang, "exports.hit_title"), x.catalog.T(lang, "exports.hit_detail")}
	}
	return sheet{name: "search", header: header, rows: func(ctx context.Context, emit func([]cell) error) error {
		cells := make([]cell, 4)
		for _, h := range hits {
			cells[0], cells[1], cells[2], cells[3] = textCell(h.Entity), cell{kind: integer, i: h.ID}, textCell(h.Title), textCell(h.Detail)
			if err := emit(cells); err != nil {
				return err
			}
		}
		return nil
	}}
}

// hitSheet is the full records of one entity's hits, best match first.
func (x *Exporter) hitSheet(ctx context.Context, p auth.Principal, e *records.Entity, ids []int64, cols []string, labels bool, lang string) (sheet, error) {
	return x.entitySheet(ctx, p, e, cols, labels, lang, func() (source, error) {
		return idSource{x: x, p: p, e: e, ids: ids}, nil
	})
}

// idSource reads records by ID, a page of IDs at a time, in the order of
// the IDs. Store.List applies the caller's scope again, and skips records
// deleted since the search.
type idSource struct {
	x   *Exporter
	p   auth.Principal
	e   *records.Entity
	ids []int64
}

func (s idSource) pages(ctx context.Context, fn func(recs []records.Record) error) error {
	for start := 0; start < len(s.ids); start += pageSize {
		chunk := s.ids[start:min(start+pageSize, len(s.ids))]
		marks := make([]string, len(chunk))
		args := make([]any, len(chunk))
		for i, id := range chunk {
			marks[i] = "$" + strconv.Itoa(i+1)
			args[i] = id
		}
		list, err := s.x.store.List(ctx, s.p, s.e, records.Query{
			Where: fmt.Sprintf("%s.id IN (%s)", s.e.Alias, strings.Join(marks, ", ")), Args: args,
			Page: url.Values{"limit": {strconv.Itoa(pageSize)}},
		})
		if err != nil {
			return err
		}
		byID := make(map[int64]int, len(list.Items))
		for i := range list.Items {
			byID[list.Items[i].ID] = i
		}
		ordered := make([]records.Record, 0, len(list.Items))
		for _, id := range chunk {
			if i, ok := byID[id]; ok {
				ordered = append(ordered, list.Items[i])
			}
		}
		if err := fn(ordered); err != nil {
			return err
		}
	}
	return nil
}
