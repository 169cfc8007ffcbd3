package records

import (
	"context"
	"fmt"
	"net/url"
	"strconv"

	"github.com/relasi/relasi/internal/web"
)

// Linked is a list on a detail page of the records of another entity
// that name this one: an account's contacts and deals. Its rows are read
// through Store.List, so the viewer sees only what they may read.
type Linked struct {
	Title   string  // catalog key of the heading
	Entity  *Entity // the records listed: contacts
	Column  string  // their field naming this record: account_id
	Columns []string
}

// linkedRows is how many records a linked list shows before the link to
// all of them.
const linkedRows = 10

// linkedList is one Linked list as the detail page shows it.
type linkedList struct {
	Title   string
	TestID  string // "linked-contacts"
	Columns []string
	Rows    []listRow
	Total   string // "16", "10,000+"
	More    bool   // more than the rows shown: AllURL lists them
	AllURL  string // the entity's list filtered to this record
	NewURL  string // a new record naming this one; "" when the viewer may not create
}

// linkedLists reads the detail page's linked lists for record id.
func (h *pages) linkedLists(c *web.Ctx, fm formatter, id int64) ([]linkedList, error) {
	var out []linkedList
	for _, l := range h.e.Linked {
		list, err := h.linkedList(c.R.Context(), c, fm, l, id)
		if err != nil {
			return nil, fmt.Errorf("%s of %s %d: %w", l.Entity.Name, h.e.Name, id, err)
		}
		out = append(out, list)
	}
	return out, nil
}

func (h *pages) linkedList(ctx context.Context, c *web.Ctx, fm formatter, l Linked, id int64) (linkedList, error) {
	p := *c.User
	base := "/" + l.Entity.Name
	filterText := l.Column + " = " + strconv.FormatInt(id, 10)
	out := linkedList{Title: c.T(l.Title), TestID: "linked-" + l.Entity.Name,
		AllURL: listURL(base, url.Values{"filter": {filterText}})}
	if p.CanWriteAny() == nil {
		out.NewURL = base + "/new?" + url.Values{l.Column: {strconv.FormatInt(id, 10)}}.Encode()
	}
	fields, err := h.s.Fields(ctx, l.Entity)
	if err != nil {
		return out, err
	}
	var cols []Field
	for _, name := range l.Columns {
		if f, ok := fieldByName(fields, name); ok {
			cols = append(cols, f)
			out.Columns = append(out.Columns, fieldLabel(c, f))
		}
	}
	q := Query{Filter: filterText, Page: url.Values{"limit": {strconv.Itoa(linkedRows)}}, Location: c.Loc}
	list, err := h.s.List(ctx, p, l.Entity, q)
	if err != nil {
		return out, err
	}
	n, more, err := h.s.Count(ctx, p, l.Entity, q, CountBound)
	if err != nil {
		return out, err
	}
	out.Total = c.Fmt().Int(int64(n))
	if more {
		out.Total += "+"
	}
	out.More = n > len(list.Items)
	for i := range list.Items {
		r := &list.Items[i]
		row := listRow{ID: r.ID, URL: fmt.Sprintf("%s/%d", base, r.ID)}
		for _, f := range cols {
			row.Cells = append(row.Cells, fm.cell(f, r))
		}
		linkFirst(&row, r)
		out.Rows = append(out.Rows, row)
	}
	return out, nil
}
