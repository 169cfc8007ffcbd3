package records

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/relasi/relasi/internal/errs"
	"github.com/relasi/relasi/internal/web"
)

// listPageSize is how many records a list page shows unless the user
// chooses another of listPageSizes.
const listPageSize = 50

var listPageSizes = []int{25, 50, 100, 200}

// maxFitColumns is the most columns a list lays out in the width of the
// screen, each cut short with its full text on hover; with more chosen,
// the table scrolls sideways instead of squeezing them unreadable.
const maxFitColumns = 9

// columnWidth is the share of a list's row a field's column takes: a
// yes/no, a number or a choice little, e-mails and lists much.
func columnWidth(f Field) string {
	switch f.Kind {
	case Bool, Integer, Number, Select, Date:
		return "narrow"
	case Email, URL, List:
		return "wide"
	}
	return ""
}

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
	Controls     []listControl  // owner, status, stage, dates
	Presets      []viewLink     // ready-made views: "My open tasks"
	Bulk         *bulkBar       // the actions on chosen rows, for users who may write
	Back         string         // this list's URL, for forms to return to
	Fit          bool           // few enough columns to fit the screen: no sideways scroll, a sticky header
	Limit        int            // rows per page
	Limits       []int          // the choices of rows per page
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
	Width       string // "narrow", "wide" or "": the share of the row the column takes
	SortURL     string // "" when the field cannot be sorted by
	Sorted      string // "asc", "desc" or ""
}

type columnChoice struct {
	Name, Label string
	Checked     bool
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
	to, ok, err := h.canonicalListURL(c, h.base)
	if err != nil {
		return err
	}
	if ok {
		http.Redirect(c.W, c.R, to, http.StatusSeeOther)
		return nil
	}
	d, err := h.listData(c, c.R.URL.Query(), false)
	return h.renderList(c, d, err)
}

func (h *pages) trash(c *web.Ctx) error {
	to, ok, err := h.canonicalListURL(c, h.base+"/trash")
	if err != nil {
		return err
	}
	if ok {
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

// canonicalListURL turns what the column chooser and the header's
// controls submit (col=…&col=…, qf.<control>=…) into the list's own
// parameters (columns=a,b, filter=…), so the address bar always shows a
// URL worth bookmarking or saving.
func (h *pages) canonicalListURL(c *web.Ctx, base string) (string, bool, error) {
	q := c.R.URL.Query()
	chooser := q.Has("col_set")
	// Any qf.* parameter, even an empty one (the filter form submits every
	// control), is folded away.
	quick := false
	for k := range q {
		if strings.HasPrefix(k, "qf.") || strings.HasPrefix(k, "qw.") {
			quick = true
		}
	}
	if !chooser && !quick {
		return "", false, nil
	}
	out := url.Values{"filter": {q.Get("filter")}, "sort": {q.Get("sort")}, "columns": {q.Get("columns")}, "limit": {q.Get("limit")}}
	if chooser {
		out.Set("columns", strings.Join(q["col"], ","))
	}
	if quick {
		fields, err := h.allFields(c.R.Context())
		if err != nil {
			return "", false, err
		}
		people, err := h.owners(c, q.Get("filter"))
		if err != nil {
			return "", false, err
		}
		controls, err := h.listControls(c, fields, q.Get("filter"), people)
		if err != nil {
			return "", false, err
		}
		out.Set("filter", applyControls(strings.TrimSpace(q.Get("filter")), controls, q))
	}
	return listURL(base, out), true, nil
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

	d.Fit = len(cols) <= maxFitColumns

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
	d.Limit, d.Limits = listPageSize, listPageSizes
	if n, err := strconv.Atoi(q.Get("limit")); err == nil && slices.Contains(listPageSizes, n) {
		d.Limit = n
	}
	limitParam := ""
	if d.Limit != listPageSize {
		limitParam = strconv.Itoa(d.Limit)
	}
	params := func(sort, cursor string) url.Values {
		return url.Values{"filter": {d.Filter}, "sort": {sort}, "columns": {d.ColumnsParam}, "cursor": {cursor}, "limit": {limitParam}}
	}
	before := func(cursor string) url.Values {
		v := params(d.Sort, "")
		v.Set("before", cursor)
		return v
	}
	for _, f := range cols {
		col := listColumn{Name: f.Name, Label: fieldLabel(c, f), Width: columnWidth(f)}
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

	var people []Owner
	if !trash {
		if people, err = h.owners(c, d.Filter); err != nil {
			return nil, err
		}
		if d.Controls, err = h.listControls(c, fields, d.Filter, people); err != nil {
			return nil, err
		}
		for _, pr := range h.e.Presets {
			vq := url.Values{"filter": {pr.Filter}, "sort": {pr.Sort}}
			d.Presets = append(d.Presets, viewLink{Name: c.T(pr.Label), URL: listURL(h.base, vq),
				Current: d.Filter == pr.Filter && d.Sort == pr.Sort})
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

	d.Back = c.R.URL.RequestURI()
	if !trash && p.CanWriteAny() == nil {
		if d.Bulk, err = h.bulkBar(c, fields, people); err != nil {
			return nil, err
		}
	}

	pageQ := url.Values{"limit": {strconv.Itoa(d.Limit)}, "sort": {d.Sort}, "cursor": {q.Get("cursor")}, "before": {q.Get("before")}}
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
		for i, f := range cols {
			cl := fm.cell(f, r)
			if d.Bulk != nil && i > 0 && inlineEditable(f) && r.DeletedAt == nil {
				cl.Edit, cl.EditLabel = fmt.Sprintf("%s/%d/fields/%s/edit", h.base, r.ID, f.Name), d.Columns[i].Label
			}
			row.Cells = append(row.Cells, cl)
		}
		linkFirst(&row, r)
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

// linkFirst makes a row's first cell the link to its record; a record
// whose first column is empty shows its title or ID there.
func linkFirst(row *listRow, r *Record) {
	if len(row.Cells) == 0 {
		return
	}
	first := &row.Cells[0]
	if first.Text == "" {
		first.Text = r.Title
		if first.Text == "" {
			first.Text = "#" + strconv.FormatInt(r.ID, 10)
		}
	}
	first.URL = row.URL
}
