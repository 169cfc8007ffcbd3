package search

import (
	"embed"
	"io/fs"
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

// Result counts: a few as the user types, more on the results page.
const (
	typeaheadLimit = 8
	pageLimit      = 50
)

type resultsPage struct {
	Query    string
	Hits     []Hit
	TooShort bool // the query has no word search can look for
	More     bool // the type-ahead shows only the first hits
}

// RegisterWeb adds GET /search?q=: the results page, or — when htmx asks
// as the user types in the top bar's search box — only the list of hits.
func RegisterWeb(rt *web.Router, db *store.DB) {
	rt.Page("GET /search", func(c *web.Ctx) error {
		q := strings.TrimSpace(c.R.URL.Query().Get("q"))
		partial := c.R.Header.Get("HX-Request") == "true"
		limit := pageLimit
		if partial {
			limit = typeaheadLimit + 1
		}
		hits, err := Search(c.R.Context(), db, *c.User, q, limit)
		if err != nil {
			return err
		}
		d := resultsPage{Query: q, Hits: hits, TooShort: q != "" && len(terms(q)) == 0}
		if partial {
			if len(d.Hits) > typeaheadLimit {
				d.Hits, d.More = d.Hits[:typeaheadLimit], true
			}
			return c.RenderPartial("search", "search_hits", d)
		}
		return c.Render("search", "search.title", "", d)
	})
}
