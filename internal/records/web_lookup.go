package records

import (
	"strconv"
	"strings"

	"github.com/relasi/relasi/internal/search"
	"github.com/relasi/relasi/internal/web"
)

// lookupPage is the answer of GET /{entity}/lookup: the options of a
// picker's list box.
type lookupPage struct {
	Matches  []Match
	TooShort bool // a searched entity needs a word of three characters
}

// lookup answers GET /{entity}/lookup?q=&limit= with the records the user
// may read that match q, as the options of a picker (an HTML fragment
// that app.js puts in the list box).
func (h *pages) lookup(c *web.Ctx) error {
	q := strings.TrimSpace(c.R.URL.Query().Get("q"))
	limit, err := strconv.Atoi(c.R.URL.Query().Get("limit"))
	if err != nil {
		limit = 10
	}
	d := lookupPage{}
	if h.e.Searched && q != "" && len([]rune(q)) < search.MinQueryLen {
		d.TooShort, d.Matches = true, []Match{}
	} else if d.Matches, err = h.s.Lookup(c.R.Context(), *c.User, h.e, q, limit); err != nil {
		return err
	}
	c.W.Header().Set("Cache-Control", "no-store")
	return c.RenderPartial("records_form", "records_lookup", d)
}
