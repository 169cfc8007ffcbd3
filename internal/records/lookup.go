package records

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/search"
)

// Lookups: the records a picker offers as the user types in a form's
// field that links to another record (a contact's account, an activity's
// related record). They pass through List, the path every read of records
// takes, so that the caller's read scope and the trash apply as on a list
// page; the search index only finds the candidates.

// Match is one record a lookup offers.
type Match struct {
	ID     int64  `json:"id"`
	Title  string `json:"title"`
	Detail string `json:"detail"` // a short second line: e-mail, phone, company
}

// MaxLookup is the most matches a lookup answers.
const MaxLookup = 20

// Lookup returns up to limit records of e that p may read matching q: by
// the search index when e is Searched (every word of q, three characters
// or more, at the start of or inside a word of the record's name or
// details; names that begin with the words first), else by its title
// holding q. An empty q gives the records in e's default order.
func (s *Store) Lookup(ctx context.Context, p auth.Principal, e *Entity, q string, limit int) ([]Match, error) {
	limit = min(max(limit, 1), MaxLookup)
	q = strings.TrimSpace(q)
	query := Query{Page: url.Values{"limit": {strconv.Itoa(limit)}}}
	var details map[int64]string
	var order []int64
	switch {
	case q == "":
	case e.Searched:
		hits, err := search.Lookup(ctx, s.db, p, e.Name, q, limit)
		if err != nil {
			return nil, fmt.Errorf("look up %s: %w", e.Name, err)
		}
		if len(hits) == 0 {
			return []Match{}, nil
		}
		details = map[int64]string{}
		marks := make([]string, len(hits))
		for i, h := range hits {
			details[h.ID] = h.Detail
			order = append(order, h.ID)
			marks[i] = "$" + strconv.Itoa(i+1)
			query.Args = append(query.Args, h.ID)
		}
		query.Where = e.Alias + ".id IN (" + strings.Join(marks, ", ") + ")"
	case e.TitleSQL != "":
		query.Where = "lower(COALESCE(" + e.TitleSQL + ", '')) LIKE $1 ESCAPE '\\'"
		query.Args = []any{"%" + likeEscaper.Replace(strings.ToLower(q)) + "%"}
	default:
		return []Match{}, nil
	}
	list, err := s.List(ctx, p, e, query)
	if err != nil {
		return nil, fmt.Errorf("look up %s: %w", e.Name, err)
	}
	byID := make(map[int64]Match, len(list.Items))
	out := make([]Match, 0, len(list.Items))
	for _, r := range list.Items {
		m := Match{ID: r.ID, Title: r.Title, Detail: details[r.ID]}
		if m.Title == "" {
			m.Title = "#" + strconv.FormatInt(r.ID, 10)
		}
		byID[r.ID] = m
		out = append(out, m)
	}
	if order != nil {
		// The search's ranking, not the list's order.
		out = out[:0]
		for _, id := range order {
			if m, ok := byID[id]; ok {
				out = append(out, m)
			}
		}
	}
	return out, nil
}

var likeEscaper = strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`)

// Title is the name of the record of the entity named entity with the
// given ID, as p may see it: "" when there is none, it is in the trash,
// or p may not read it. Forms show it beside a linked record's ID.
func (s *Store) Title(ctx context.Context, p auth.Principal, entity string, id int64) string {
	e, ok := s.entities.get(entity)
	if !ok || id < 1 {
		return ""
	}
	r, err := s.Get(ctx, p, e, id)
	if err != nil || r.DeletedAt != nil {
		return ""
	}
	if r.Title == "" {
		return "#" + strconv.FormatInt(id, 10)
	}
	return r.Title
}

// LookupURL is the address of the lookup of the entity named entity, for
// a picker; "" when the entity has no pages or no lookup here.
func (s *Store) LookupURL(entity string) string {
	if e, ok := s.entities.get(entity); !ok || !hasLookup(e) {
		return ""
	}
	return "/" + entity + "/lookup"
}

// hasLookup reports whether e has a lookup: its records are in the search
// index, or they are few (see Entity.Searched).
func hasLookup(e *Entity) bool { return e.Searched || !e.Owned && e.TitleSQL != "" }
