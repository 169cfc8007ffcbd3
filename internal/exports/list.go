package exports

import (
	"cmp"
	"context"
	"net/url"
	"strconv"
	"strings"

	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/errs"
	"github.com/relasi/relasi/internal/page"
	"github.com/relasi/relasi/internal/records"
)

// List checks an export of an entity's list — filter, sort and columns,
// or a saved view's — and reads its first page, so that a bad filter is
// reported before the file starts.
func (x *Exporter) List(ctx context.Context, p auth.Principal, req Request) (*Export, error) {
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
	e := req.Entity
	if req.ViewID != 0 {
		v, err := x.store.GetView(ctx, p, req.ViewID)
		if err != nil {
			return nil, err
		}
		if v.Entity != e.Name {
			return nil, errs.E(errs.NotFound, "No such saved view.").WithKey("error.view_not_found")
		}
		if req.Filter == "" {
			req.Filter = v.Filter
		}
		if req.Sort == "" {
			req.Sort = v.Sort
		}
		if len(req.Columns) == 0 {
			req.Columns = v.Columns
		}
	}
	sh, err := x.entitySheet(ctx, p, e, req.Columns, req.Labels, req.Lang, func() (source, error) {
		return x.openList(ctx, p, e, records.Query{Filter: req.Filter, Location: req.Location}, req.Sort)
	})
	if err != nil {
		return nil, err
	}
	return &Export{Format: req.Format, Filename: filename(e.Name, req.Format, x.store.Now(), req.Location),
		sheets: []sheet{sh}, loc: req.Location}, nil
}

// entitySheet is a sheet of an entity's records, read by the pager open
// returns (called after the columns are known to be good).
func (x *Exporter) entitySheet(ctx context.Context, p auth.Principal, e *records.Entity, names []string, labels bool, lang string,
	open func() (source, error)) (sheet, error) {
	fields, err := x.store.Fields(ctx, e)
	if err != nil {
		return sheet{}, err
	}
	cols, err := columns(e, fields, names)
	if err != nil {
		return sheet{}, err
	}
	src, err := open()
	if err != nil {
		return sheet{}, err
	}
	lk := &lookups{}
	var contactRefs []string
	for _, c := range cols {
		switch c.part {
		case userEmail:
			if lk.users == nil {
				if lk.users, err = userEmails(ctx, x.store.DB()); err != nil {
					return sheet{}, err
				}
			}
		case contactEmail:
			contactRefs = append(contactRefs, c.field.Name)
		}
	}
	return sheet{
		name:   e.Name,
		header: headers(cols, labels, x.catalog, lang),
		cols:   cols,
		rows: func(ctx context.Context, emit func([]cell) error) error {
			cells := make([]cell, len(cols))
			return src.pages(ctx, func(recs []records.Record) error {
				if len(contactRefs) > 0 {
					var err error
					if lk.contacts, err = x.contactEmails(ctx, p, recs, contactRefs); err != nil {
						return err
					}
				}
				for i := range recs {
					rowCells(cells, cols, &recs[i], lk)
					if err := emit(cells); err != nil {
						return err
					}
				}
				return nil
			})
		},
	}, nil
}

// contactEmails returns the first e-mail of the contacts a page of records
// refers to in the fields refs, as far as the caller may see them.
func (x *Exporter) contactEmails(ctx context.Context, p auth.Principal, recs []records.Record, refs []string) (map[int64]string, error) {
	contacts, ok := x.reg.Get("contacts")
	if !ok {
		return nil, nil
	}
	var ids []int64
	seen := map[int64]bool{}
	for i := range recs {
		for _, f := range refs {
			if id, _ := recs[i].Get(f).(int64); id != 0 && !seen[id] {
				seen[id] = true
				ids = append(ids, id)
			}
		}
	}
	out := make(map[int64]string, len(ids))
	err := idSource{x: x, p: p, e: contacts, ids: ids}.pages(ctx, func(found []records.Record) error {
		for i := range found {
			if l := found[i].Strings("emails"); len(l) > 0 {
				out[found[i].ID] = l[0]
			}
		}
		return nil
	})
	return out, err
}

func checkFormat(f Format) error {
	if f == CSV || f == XLSX {
		return nil
	}
	var fe errs.Fields
	fe.Add("format", "invalid_choice", "must be csv or xlsx")
	return fe.Err()
}

// source yields records a page at a time.
type source interface {
	pages(ctx context.Context, fn func(recs []records.Record) error) error
}

// pager reads a list a page at a time through Store.List, which applies
// the caller's scope, following the keyset cursor: only one page of
// records is in memory at any time.
type pager struct {
	x     *Exporter
	p     auth.Principal
	e     *records.Entity
	q     records.Query
	first *page.List[records.Record] // read when the export was checked
}

func (x *Exporter) openList(ctx context.Context, p auth.Principal, e *records.Entity, q records.Query, sort string) (*pager, error) {
	q.Page = url.Values{"limit": {strconv.Itoa(pageSize)}}
	if sort = strings.TrimSpace(sort); sort != "" {
		q.Page.Set("sort", sort)
	}
	first, err := x.store.List(ctx, p, e, q)
	if err != nil {
		return nil, err
	}
	return &pager{x: x, p: p, e: e, q: q, first: &first}, nil
}

// pages calls fn with every page of the list, in the list's order.
func (pg *pager) pages(ctx context.Context, fn func(recs []records.Record) error) error {
	q := pg.q
	q.Page = url.Values{}
	for k, v := range pg.q.Page {
		q.Page[k] = v
	}
	var list page.List[records.Record]
	if pg.first != nil {
		list, pg.first = *pg.first, nil
	} else {
		var err error
		if list, err = pg.x.store.List(ctx, pg.p, pg.e, q); err != nil {
			return err
		}
	}
	for {
		if err := fn(list.Items); err != nil {
			return err
		}
		if list.NextCursor == "" {
			return nil
		}
		q.Page.Set("cursor", list.NextCursor)
		var err error
		if list, err = pg.x.store.List(ctx, pg.p, pg.e, q); err != nil {
			return err
		}
	}
}
