package search

import (
	"embed"
	"io/fs"
	"slices"
	"strings"

	"github.com/relasi/relasi/internal/store"
	"github.com/relasi/relasi/internal/web"
)

//go:embed templates/*.html
var templates embed.FS

// Templates are the search pages, for web.NewRenderer.
func Templates() fs.FS {
	sub, _ := fs.Sub(templates, "templates")
	return sub
}

// Result counts: a few as the user types; on the results page a few of
// each type out of the best matches (pageLimit, counted per type), or,
// for one type, the first hundred of them.
const (
	typeaheadLimit = 8
	groupLimit     = 5
	typeLimit      = 100
	pageLimit      = candidates
)

type resultsPage struct {
	Query    string
	Type     string // the one entity the page lists, "" for all
	Groups   []Group
	Found    bool
	Capped   bool // the page searched its most hits: counts may be more
	TooShort bool // the query has no word search can look for
	More     bool // the type-ahead shows only the first hits
	Dropdown bool // the type-ahead list under the top bar's box
}

// RegisterWeb adds GET /search?q=[&type=contacts]: the results page,
// grouped by type, or — when htmx asks as the user types in the top bar's
// search box — only the list of hits.
func RegisterWeb(rt *web.Router, db *store.DB) {
	rt.Page("GET /search", func(c *web.Ctx) error {
		q := strings.TrimSpace(c.R.URL.Query().Get("q"))
		typ := c.R.URL.Query().Get("type")
		if !slices.Contains(entityOrder, typ) {
			typ = ""
		}
		partial := c.R.Header.Get("HX-Request") == "true"
		limit := pageLimit
		if partial {
			typ, limit = "", typeaheadLimit+1
		}
		hits, words, err := find(c.R.Context(), db, *c.User, typ, q, limit)
		if err != nil {
			return err
		}
		d := resultsPage{Query: q, Type: typ, Found: len(hits) > 0, TooShort: q != "" && len(terms(q)) == 0, Dropdown: partial}
		switch {
		case partial:
			if len(hits) > typeaheadLimit {
				hits, d.More = hits[:typeaheadLimit], true
			}
			d.Groups = GroupHits(hits, 0)
		case typ != "":
			d.Groups, d.Capped = GroupHits(hits, typeLimit), len(hits) >= pageLimit
		default:
			d.Groups, d.Capped = GroupHits(hits, groupLimit), len(hits) >= pageLimit
		}
		// Only the hits shown are read into lines (a phone costs a parse).
		for _, g := range d.Groups {
			fill(g.Hits, q, words)
		}
		if partial {
			return c.RenderPartial("search", "search_hits", d)
		}
		return c.Render("search", "search.title", "", d)
	})
}
