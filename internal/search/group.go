package search

import "slices"

// Group is the hits of one entity, as the search page and the type-ahead
// list them under a heading.
type Group struct {
	Entity string
	Hits   []Hit // the first of them, as many as the list shows
	Count  int   // how many of the hits searched are of this entity
}

// More reports whether the group has hits it does not show.
func (g Group) More() bool { return g.Count > len(g.Hits) }

// entityOrder is the order of the groups: people first, then what they
// buy; an entity not named here comes after, by name.
var entityOrder = []string{"contacts", "accounts", "leads", "deals", "orders", "products"}

// GroupHits groups hits by entity in entityOrder, keeping their rank
// within each group, and keeps at most show hits of each (0: all).
func GroupHits(hits []Hit, show int) []Group {
	var groups []Group
	at := map[string]int{}
	for _, h := range hits {
		i, ok := at[h.Entity]
		if !ok {
			i = len(groups)
			at[h.Entity] = i
			groups = append(groups, Group{Entity: h.Entity})
		}
		g := &groups[i]
		g.Count++
		if show == 0 || len(g.Hits) < show {
			g.Hits = append(g.Hits, h)
		}
	}
	rank := func(e string) int {
		if i := slices.Index(entityOrder, e); i >= 0 {
			return i
		}
		return len(entityOrder)
	}
	slices.SortStableFunc(groups, func(a, b Group) int {
		if d := rank(a.Entity) - rank(b.Entity); d != 0 {
			return d
		}
		switch {
		case a.Entity < b.Entity:
			return -1
		case a.Entity > b.Entity:
			return 1
		}
		return 0
	})
	return groups
}
