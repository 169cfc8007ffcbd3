package duplicates

import (
	"fmt"
	"slices"
	"strconv"

	"github.com/relasi/relasi/internal/errs"
	"github.com/relasi/relasi/internal/records"
	"github.com/relasi/relasi/internal/web"
)

// mergeView is the merge form: the records side by side, a radio button
// per field and record, the survivor chosen on top.
type mergeView struct {
	Entity   string
	Label    string
	IDs      string
	Records  []mergeHead
	Survivor int64
	Rows     []mergeRow
	BackURL  string
}

type mergeHead struct {
	ID      int64
	Title   string
	URL     string
	Created string
	Updated string
	Version int64
}

type mergeRow struct {
	Name, Label string
	Input       string // the radio group's name: "field.<name>"
	Differs     bool   // the records hold different values
	List        bool
	Union       string // the union's text, for list fields
	UnionCheck  bool
	Cells       []mergeCell
}

type mergeCell struct {
	RecordID int64
	Text     string
	Checked  bool
}

// mergeData reads the records of the form and marks the choices:
// submitted ones when the form comes back, else the defaults.
func (m *Module) mergeData(c *web.Ctx, entity, idList string) (mergeView, error) {
	ctx := c.R.Context()
	e, rule, err := m.pageEntity(c, entity)
	if err != nil {
		return mergeView{}, err
	}
	ids, err := parseIDs(idList)
	if err != nil {
		return mergeView{}, err
	}
	if len(ids) < 2 || len(ids) > MaxMerged+1 {
		return mergeView{}, errs.E(errs.NotFound, "There is no page here.").WithKey("error.not_found")
	}
	slices.Sort(ids)
	recs := make([]records.Record, 0, len(ids))
	for _, id := range ids {
		r, err := m.records.Get(ctx, *c.User, e, id)
		if err != nil {
			return mergeView{}, err
		}
		recs = append(recs, r)
	}
	fields, err := m.records.Fields(ctx, e)
	if err != nil {
		return mergeView{}, err
	}
	v := mergeView{Entity: e.Name, Label: c.T(e.Label), IDs: joinIDs(ids), Survivor: ids[0], BackURL: "/duplicates?entity=" + e.Name}
	posted := c.R.Method == "POST"
	if posted {
		if n, err := strconv.ParseInt(c.Form("survivor"), 10, 64); err == nil && slices.Contains(ids, n) {
			v.Survivor = n
		}
	}
	for _, r := range recs {
		title := r.Title
		if title == "" {
			title = fmt.Sprintf("#%d", r.ID)
		}
		v.Records = append(v.Records, mergeHead{ID: r.ID, Title: title, URL: fmt.Sprintf("/%s/%d", e.Name, r.ID),
			Created: c.Fmt().DateTime(r.CreatedAt), Updated: c.Fmt().DateTime(r.UpdatedAt), Version: r.Version})
	}
	defaults := Defaults(fields, recs)
	for _, name := range rule.Keep {
		defaults[name] = v.Survivor
	}
	for _, f := range fields {
		if !Mergeable(f) {
			continue
		}
		row := mergeRow{Name: f.Name, Label: fieldLabel(c, f), Input: "field." + f.Name, List: IsList(f)}
		chosen := strconv.FormatInt(defaults[f.Name], 10)
		if posted {
			chosen = c.Form(row.Input)
		}
		if row.List {
			row.Union = valueText(c, f, &recs[0], nonEmptyList(union(f, recs)))
			row.UnionCheck = chosen == "0" || chosen == "union"
		}
		for i := range recs {
			r := &recs[i]
			row.Cells = append(row.Cells, mergeCell{RecordID: r.ID, Text: valueText(c, f, r, r.Get(f.Name)),
				Checked: chosen == strconv.FormatInt(r.ID, 10)})
			if !same(r.Get(f.Name), recs[0].Get(f.Name)) {
				row.Differs = true
			}
		}
		v.Rows = append(v.Rows, row)
	}
	return v, nil
}

func nonEmptyList(l []string) any {
	if len(l) == 0 {
		return nil
	}
	return l
}

func (m *Module) mergePage(c *web.Ctx) error {
	q := c.R.URL.Query()
	v, err := m.mergeData(c, q.Get("entity"), q.Get("ids"))
	if err != nil {
		return err
	}
	return c.Render("duplicates_merge", "duplicates.merge_title", nav(m.entities[v.Entity]), v)
}

func (m *Module) mergeSubmit(c *web.Ctx) error {
	v, err := m.mergeData(c, c.Form("entity"), c.Form("ids"))
	if err != nil {
		return err
	}
	in := MergeInput{Entity: v.Entity, SurvivorID: v.Survivor, Values: map[string]RecordID{}, Versions: map[string]int64{}}
	for _, h := range v.Records {
		if h.ID != v.Survivor {
			in.MergedIDs = append(in.MergedIDs, h.ID)
		}
		// The versions the user looked at, so a change meanwhile is not
		// merged away unseen.
		if n, err := strconv.ParseInt(c.Form("version."+strconv.FormatInt(h.ID, 10)), 10, 64); err == nil {
			in.Versions[strconv.FormatInt(h.ID, 10)] = n
		}
	}
	for _, row := range v.Rows {
		switch s := c.Form(row.Input); {
		case s == "union" && row.List:
			in.Values[row.Name] = 0
		case s != "":
			n, err := strconv.ParseInt(s, 10, 64)
			if err != nil {
				n = -1 // refused by Merge as not one of the records
			}
			in.Values[row.Name] = RecordID(n)
		}
	}
	mg, _, err := m.Merge(c.R.Context(), *c.User, in)
	if err == nil {
		return c.Redirect(fmt.Sprintf("/%s/%d", mg.Entity, mg.SurvivorID), "flash.duplicates_merged")
	}
	return c.RenderForm("duplicates_merge", "duplicates.merge_title", nav(m.entities[v.Entity]), v, err)
}
