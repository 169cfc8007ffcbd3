package records

import (
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/relasi/relasi/internal/filter"
	"github.com/relasi/relasi/internal/web"
)

// The controls in a list's header — owner, status, stage, dates — are
// each a menu of options, and an option is a set of conditions of the
// filter language ("owner.team = my"; "close_date >= today" and
// "close_date < +7d"). A control shows the option whose conditions the
// filter holds, and choosing another replaces them: the filter box and
// the menus always say the same thing, and the URL is the filter alone.

// ListFilter names a control of a list's header: a select field, a
// related field with choices (stage.kind), a date or yes/no field, or
// "owner" on an owned entity.
type ListFilter struct {
	Field string
	// Label is the control's catalog key; "" takes the field's label.
	Label string
	// ChoiceKey prefixes the catalog keys of a related field's choices
	// ("deals.kind." names stage.kind's "open" deals.kind.open).
	ChoiceKey string
}

// Preset is a ready-made view of a list, offered beside the saved views:
// "My open tasks".
type Preset struct {
	Label  string // catalog key
	Filter string
	Sort   string
}

// listControl is one header control as the page shows it.
type listControl struct {
	Name, Label string
	Options     []controlOption
	Chosen      string // the key of the option the filter holds; "" for any
}

type controlOption struct {
	Key, Label string
	terms      []string // the conditions it stands for, as filter.Node.String writes them
	Selected   bool
}

// The date options of a date control, by key.
var dateOptions = []struct{ key, from, to string }{
	{"before_today", "", "today"},
	{"today", "today", "tomorrow"},
	{"next_7_days", "today", "+7d"},
	{"past_7_days", "-7d", ""},
	{"past_30_days", "-30d", ""},
}

// listControls builds the header's controls for the viewer and marks the
// option each holds in filterText.
func (h *pages) listControls(c *web.Ctx, fields []Field, filterText string, people []Owner) ([]listControl, error) {
	var out []listControl
	for _, lf := range h.listFilters(fields) {
		ctl, ok, err := h.listControl(c, fields, lf, people)
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, ctl)
		}
	}
	terms := filterTerms(filterText)
	for i := range out {
		best := -1
		for j, o := range out[i].Options {
			if containsAll(terms, o.terms) && (best < 0 || len(o.terms) > len(out[i].Options[best].terms)) {
				best = j
			}
		}
		if best >= 0 {
			out[i].Options[best].Selected = true
			out[i].Chosen = out[i].Options[best].Key
		}
	}
	return out, nil
}

// owners are the people an owned entity's list offers, by the owner
// control and the bulk form's "give to": those whose records the viewer
// reads, and the one the filter names (owner = 12) even when disabled.
// An entity without owners has none.
func (h *pages) owners(c *web.Ctx, filterText string) ([]Owner, error) {
	if !h.e.Owned {
		return nil, nil
	}
	var keep int64
	for _, t := range filterTerms(filterText) {
		if id, ok := strings.CutPrefix(t, "owner = "); ok {
			keep, _ = strconv.ParseInt(id, 10, 64)
		}
	}
	return ReadableOwners(c.R.Context(), h.s.db.Read(), *c.User, keep)
}

// listFilters are the entity's controls: as it names them, else the
// owner and the first select fields.
func (h *pages) listFilters(fields []Field) []ListFilter {
	if h.e.ListFilters != nil {
		return h.e.ListFilters
	}
	var out []ListFilter
	if h.e.Owned {
		out = append(out, ListFilter{Field: "owner"})
	}
	for _, f := range fields {
		if f.Kind == Select && f.Filterable() && len(out) < maxQuickFilters+1 {
			out = append(out, ListFilter{Field: f.Name})
		}
	}
	return out
}

func (h *pages) listControl(c *web.Ctx, fields []Field, lf ListFilter, people []Owner) (listControl, bool, error) {
	ctl := listControl{Name: lf.Field}
	label := func(key string) string {
		if lf.Label != "" {
			return c.T(lf.Label)
		}
		return c.T(key)
	}
	add := func(key, text string, terms ...string) {
		ctl.Options = append(ctl.Options, controlOption{Key: key, Label: text, terms: canonicalTerms(terms)})
	}
	if lf.Field == "owner" {
		if !h.e.Owned {
			return ctl, false, nil
		}
		ctl.Label = label("field.owner")
		p := *c.User
		add("me", c.T("records.owner_me"), "owner = me")
		if p.TeamID != 0 {
			add("team", c.T("records.owner_team"), "owner.team = my")
		}
		for _, o := range people {
			if o.ID != p.UserID {
				id := strconv.FormatInt(o.ID, 10)
				add(id, o.Name, "owner = "+id)
			}
		}
		return ctl, true, nil
	}
	for _, r := range h.e.Related {
		if r.Name == lf.Field && len(r.Choices) > 0 {
			ctl.Label = label(r.Name)
			for _, ch := range r.Choices {
				add(ch, c.T(lf.ChoiceKey+ch), r.Name+" = "+quoteFilter(ch))
			}
			return ctl, true, nil
		}
	}
	f, ok := fieldByName(fields, lf.Field)
	if !ok || !f.Filterable() {
		return ctl, false, nil
	}
	ctl.Label = label(f.Label)
	if f.Custom {
		ctl.Label = fieldLabel(c, f)
	}
	switch f.Kind {
	case Select:
		for _, ch := range f.Choices {
			add(ch, choiceLabel(c, f, ch), f.Name+" = "+quoteFilter(ch))
		}
	case Bool:
		add("yes", c.T("records.yes"), f.Name+" = true")
		add("no", c.T("records.no"), f.Name+" = false")
	case Date, DateTime:
		for _, d := range dateOptions {
			var terms []string
			if d.from != "" {
				terms = append(terms, f.Name+" >= "+d.from)
			}
			if d.to != "" {
				terms = append(terms, f.Name+" < "+d.to)
			}
			add(d.key, c.T("records.when."+d.key), terms...)
		}
		add("none", c.T("records.when.none"), f.Name+" is null")
	default:
		return ctl, false, nil
	}
	return ctl, true, nil
}

// applyControls rewrites filterText for the controls the query changed
// (qf.<name>, with qw.<name> the option the page showed chosen): the
// conditions of the control's options leave the filter, the chosen
// option's join it. A control the user did not touch changes nothing,
// so an edit of the filter box is not undone by the menus beside it.
func applyControls(filterText string, controls []listControl, q url.Values) string {
	terms := filterTerms(filterText)
	changed := false
	for _, ctl := range controls {
		key := "qf." + ctl.Name
		if !q.Has(key) {
			continue
		}
		chosen := q.Get(key)
		if q.Has("qw."+ctl.Name) && q.Get("qw."+ctl.Name) == chosen {
			continue
		}
		var drop, add []string
		for _, o := range ctl.Options {
			drop = append(drop, o.terms...)
			if o.Key == chosen {
				add = o.terms
			}
		}
		if chosen != "" && add == nil {
			continue // not an option of this control
		}
		terms = slices.DeleteFunc(terms, func(t string) bool { return slices.Contains(drop, t) })
		terms = append(terms, add...)
		changed = true
	}
	if !changed {
		return filterText
	}
	return joinTerms(terms)
}

// filterTerms splits a filter into its top-level "and" conditions, each
// as filter.Node.String writes it; a filter that does not parse is one
// term, kept as typed.
func filterTerms(filterText string) []string {
	if strings.TrimSpace(filterText) == "" {
		return nil
	}
	n, err := filter.Parse(filterText)
	if err != nil {
		return []string{filterText}
	}
	switch n.Op {
	case filter.OpEmpty:
		return nil
	case filter.OpAnd:
		out := make([]string, len(n.Children))
		for i, child := range n.Children {
			out[i] = child.String()
		}
		return out
	}
	return []string{n.String()}
}

// joinTerms writes conditions back as one filter, with the parentheses
// an "or" among them needs.
func joinTerms(terms []string) string {
	var nodes []filter.Node
	for _, t := range terms {
		n, err := filter.Parse(t)
		if err != nil {
			return strings.Join(terms, " and ") // a term the user mistyped stays for the error beside the box
		}
		nodes = append(nodes, n)
	}
	switch len(nodes) {
	case 0:
		return ""
	case 1:
		return nodes[0].String()
	}
	return filter.Node{Op: filter.OpAnd, Children: nodes}.String()
}

func canonicalTerms(terms []string) []string {
	out := make([]string, 0, len(terms))
	for _, t := range terms {
		out = append(out, filterTerms(t)...)
	}
	return out
}

func containsAll(have, want []string) bool {
	for _, w := range want {
		if !slices.Contains(have, w) {
			return false
		}
	}
	return len(want) > 0
}
