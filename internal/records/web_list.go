package records

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/relasi/relasi/internal/errs"
	"github.com/relasi/relasi/internal/filter"
	"github.com/relasi/relasi/internal/web"
)

// listPageSize is how many records a list page shows.
const listPageSize = 50

// maxQuickFilters is how many select fields get a quick-filter dropdown.
const maxQuickFilters = 3

type listPage struct {
	Entity       *Entity
	Base         string
	Heading      string
	Trash        bool
	Filter       string // as typed
	FilterError  string // "position 12: …", beside the filter box
	Sort         string
	ColumnsParam string // the columns parameter, "" for the default
	Columns      []listColumn
	Choices      []columnChoice // every field, for the column chooser
	Quick        []quickFilter
	Rows         []listRow
	Total        string // how many records match: "1,234", "10,000+"
	NextURL      string
	PrevURL      string // set on later pages
	FirstURL     string // set on later pages
	Views        []viewLink
	CanCreate    bool
	SaveFailed   bool // the save-view form is shown again with its errors
}

type listColumn struct {
	Name, Label string
	SortURL     string // "" when the field cannot be sorted by
	Sorted      string // "asc", "desc" or ""
}

type columnChoice struct {
	Name, Label string
	Checked     bool
}

type quickFilter struct {
	Name, Label string
	Options     []option
}

type listRow struct {
	ID      int64
	URL     string
	Cells   []cell
	Deleted string // when it went to the trash
}

type viewLink struct {
	ID      int64
	Name    string
	URL     string
	Shared  bool
	Owner   string
	Mine    bool
	Current bool
}

func (h *pages) list(c *web.Ctx) error {
	if to, ok := h.canonicalListURL(c.R.URL.Query(), h.base); ok {
		http.Redirect(c.W, c.R, to, http.StatusSeeOther)
		return nil
	}
	d, err := h.listData(c, c.R.URL.Query(), false)
	return h.renderList(c, d, err)
}

func (h *pages) trash(c *web.Ctx) error {
	if to, ok := h.canonicalListURL(c.R.URL.Query(), h.base+"/trash"); ok {
		http.Redirect(c.W, c.R, to, http.StatusSeeOther)
		return nil
	}
	d, err := h.listData(c, c.R.URL.Query(), true)
	return h.renderList(c, d, err)
}

// renderList shows the list, with a filter the list refused explained
// beside the filter box (422) rather than on an error page.
func (h *pages) renderList(c *web.Ctx, d *listPage, err error) error {
	if err != nil {
		return c.RenderForm("records_list", h.e.Label, h.nav, d, err)
	}
	return c.Render("records_list", h.e.Label, h.nav, d)
}

// canonicalListURL turns what the column chooser and the quick filters
// submit (col=…&col=…, qf.<field>=…) into the list's own parameters
// (columns=a,b, filter=…), so the address bar always shows a URL worth
// bookmarking or saving.
func (h *pages) canonicalListURL(q url.Values, base string) (string, bool) {
	chooser := q.Has("col_set")
	// Any qf.* parameter, even an empty one (the filter form submits every
	// quick-filter select), is folded away.
	quick := false
	for k := range q {
		if strings.HasPrefix(k, "qf.") {
			quick = true
		}
	}
	if !chooser && !quick {
		return "", false
	}
	out := url.Values{"filter": {q.Get("filter")}, "sort": {q.Get("sort")}, "columns": {q.Get("columns")}}
	if chooser {
		out.Set("columns", strings.Join(q["col"], ","))
	}
	if quick {
		f := strings.TrimSpace(q.Get("filter"))
		keys := make([]string, 0)
		for k := range q {
			if strings.HasPrefix(k, "qf.") {
				keys = append(keys, k)
			}
		}
		slices.Sort(keys)
		for _, k := range keys {
			v := q.Get(k)
			if v == "" {
				continue
			}
			f = andFilter(f, strings.TrimPrefix(k, "qf.")+" = "+quoteFilter(v))
		}
		out.Set("filter", f)
	}
	return listURL(base, out), true
}

// andFilter adds a condition to a filter, in parentheses when the filter
// is an "or" that "and" would otherwise bind into.
func andFilter(f, cond string) string {
	if f == "" {
		return cond
	}
	if n, err := filter.Parse(f); err != nil || n.Op == filter.OpOr {
		f = "(" + f + ")"
	}
	return f + " and " + cond
}

// quoteFilter writes a value as a string of the filter language.
func quoteFilter(v string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(v) + `"`
}

// listData reads one page of the list. With a filter, sort or cursor the
// list refuses, it returns the page without rows and the error.
func (h *pages) listData(c *web.Ctx, q url.Values, trash bool) (*listPage, error) {
	ctx := c.R.Context()
	p := *c.User
	fields, err := h.allFields(ctx)
	if err != nil {
		return nil, err
	}
	d := &listPage{Entity: h.e, Base: h.base, Heading: c.T(h.e.Label), Trash: trash,
		Filter: q.Get("filter"), Sort: q.Get("sort"), CanCreate: p.CanWriteAny() == nil}
	if trash {
		d.Heading = c.T("records.trash_of", c.T(h.e.Label))
	}
	listBase := h.base
	if trash {
		listBase += "/trash"
	}

	// Columns: as asked (unknown names dropped), else the default ones.
	var cols []Field
	for _, name := range splitList(q.Get("columns")) {
		if f, ok := fieldByName(fields, name); ok {
			cols = append(cols, f)
		}
	}
	if len(cols) > 0 {
		names := make([]string, len(cols))
		for i, f := range cols {
			names[i] = f.Name
		}
		d.ColumnsParam = strings.Join(names, ",")
	} else {
		for _, f := range fields {
			if f.InList {
				cols = append(cols, f)
			}
		}
	}
	for _, f := range fields {
		d.Choices = append(d.Choices, columnChoice{Name: f.Name, Label: fieldLabel(c, f), Checked: slices.ContainsFunc(cols, func(x Field) bool { return x.Name == f.Name })})
	}

	// Sort: the first key decides which header shows the arrow.
	sortSpec := d.Sort
	if sortSpec == "" {
		sortSpec = h.e.DefaultSort
		if sortSpec == "" {
			sortSpec = "-created_at"
		}
	}
	primary := strings.TrimSpace(strings.Split(sortSpec, ",")[0])
	primaryDesc := strings.HasPrefix(primary, "-")
	primary = strings.TrimPrefix(primary, "-")
	params := func(sort, cursor string) url.Values {
		return url.Values{"filter": {d.Filter}, "sort": {sort}, "columns": {d.ColumnsParam}, "cursor": {cursor}}
	}
	before := func(cursor string) url.Values {
		v := params(d.Sort, "")
		v.Set("before", cursor)
		return v
	}
	for _, f := range cols {
		col := listColumn{Name: f.Name, Label: fieldLabel(c, f)}
		if f.Sortable() {
			next := f.Name
			if f.Name == primary {
				col.Sorted = "asc"
				if primaryDesc {
					col.Sorted = "desc"
				} else {
					next = "-" + f.Name
				}
			}
			col.SortURL = listURL(listBase, params(next, ""))
		}
		d.Columns = append(d.Columns, col)
	}

	if !trash {
		for _, f := range fields {
			if f.Kind != Select || !f.Filterable() || len(d.Quick) == maxQuickFilters {
				continue
			}
			qf := quickFilter{Name: f.Name, Label: fieldLabel(c, f)}
			for _, ch := range f.Choices {
				qf.Options = append(qf.Options, option{Value: ch, Label: choiceLabel(c, f, ch)})
			}
			d.Quick = append(d.Quick, qf)
		}
		views, err := h.s.Views(ctx, p, h.e.Name)
		if err != nil {
			return nil, err
		}
		current := url.Values{"filter": {d.Filter}, "sort": {d.Sort}, "columns": {d.ColumnsParam}}
		for _, v := range views {
			vq := v.Query()
			d.Views = append(d.Views, viewLink{ID: v.ID, Name: v.Name, URL: listURL(h.base, vq), Shared: v.Shared, Owner: v.Owner,
				Mine: v.UserID == p.UserID, Current: listURL("", vq) == listURL("", current)})
		}
	}

	pageQ := url.Values{"limit": {strconv.Itoa(listPageSize)}, "sort": {d.Sort}, "cursor": {q.Get("cursor")}, "before": {q.Get("before")}}
	query := Query{Filter: d.Filter, Page: pageQ, Trash: trash, Location: c.Loc}
	list, err := h.s.List(ctx, p, h.e, query)
	if err == nil {
		var n int
		var more bool
		if n, more, err = h.s.Count(ctx, p, h.e, query, CountBound); err == nil {
			d.Total = c.Fmt().Int(int64(n))
			if more {
				d.Total += "+"
			}
		}
	}
	if err != nil {
		if e, ok := errs.As(err); ok && e.Code == errs.Invalid {
			for _, fe := range e.Fields {
				d.FilterError = fieldProblemText(c, fe)
				break
			}
		}
		return d, err
	}
	fm, err := h.formatter(c)
	if err != nil {
		return nil, err
	}
	for i := range list.Items {
		r := &list.Items[i]
		row := listRow{ID: r.ID, URL: fmt.Sprintf("%s/%d", h.base, r.ID)}
		if trash {
			row.URL += "/trash" // the detail page answers 404 for it
		}
		for _, f := range cols {
			row.Cells = append(row.Cells, fm.cell(f, r))
		}
		// The first column links to the record; a record whose first
		// column is empty shows its title or ID there.
		if len(row.Cells) > 0 {
			first := &row.Cells[0]
			if first.Text == "" {
				first.Text = r.Title
				if first.Text == "" {
					first.Text = "#" + strconv.FormatInt(r.ID, 10)
				}
			}
			first.URL = row.URL
		}
		if r.DeletedAt != nil {
			row.Deleted = c.Fmt().DateTime(*r.DeletedAt)
		}
		d.Rows = append(d.Rows, row)
	}
	if list.NextCursor != "" {
		d.NextURL = listURL(listBase, params(d.Sort, list.NextCursor))
	}
	if list.PrevCursor != "" {
		d.PrevURL = listURL(listBase, before(list.PrevCursor))
		d.FirstURL = listURL(listBase, params(d.Sort, ""))
	}
	return d, nil
}

// fieldProblemText is a list parameter's problem as the user reads it:
// the filter's own message names the position of the mistake.
func fieldProblemText(c *web.Ctx, fe errs.FieldError) string {
	switch fe.Field {
	case "filter":
		return fe.Message
	case "sort":
		return c.T("records.bad_sort")
	case "cursor":
		return c.T("records.bad_cursor")
	}
	return fe.Field + " " + fe.Message
}
