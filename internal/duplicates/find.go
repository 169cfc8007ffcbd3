package duplicates

import (
	"cmp"
	"context"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/errs"
	"github.com/relasi/relasi/internal/records"
	"github.com/relasi/relasi/internal/store"
)

// Page sizes of the lists of groups and merges.
const (
	DefaultLimit = 20
	MaxLimit     = 100
)

// Reason says why records are likely one.
type Reason struct {
	Kind  string `json:"kind"`  // email, phone, domain, name, company_name
	Value string `json:"value"` // the shared value, or the similar names
}

// Group is a set of records that are likely one customer.
type Group struct {
	IDs     []int64  `json:"ids"` // ascending
	Reasons []Reason `json:"reasons"`
	// Score is how sure the group is one customer, in percent (see
	// ProposeFrom), and Evidence what its records have in common.
	Score    int              `json:"score"`
	Evidence []Evidence       `json:"evidence"`
	Records  []records.Record `json:"records"` // in the order of IDs
}

// newest is the group's highest record ID, by which groups are ordered.
func (g Group) newest() int64 { return g.IDs[len(g.IDs)-1] }

// Page is one page of groups, highest score first, then newest.
type Page struct {
	Items      []Group `json:"items"`
	Total      int     `json:"total"`
	NextCursor string  `json:"next_cursor,omitempty"`
}

// Find lists the likely duplicates among the records of entity the caller
// may read, leaving out pairs dismissed as not duplicates. page holds
// limit and cursor.
func (m *Module) Find(ctx context.Context, p auth.Principal, entity string, page url.Values) (Page, error) {
	e, rule, err := m.entity(entity, "entity")
	if err != nil {
		return Page{}, err
	}
	limit, after, err := parseGroupPage(page)
	if err != nil {
		return Page{}, err
	}
	groups, err := m.groups(ctx, p, e, rule)
	if err != nil {
		return Page{}, err
	}
	out := Page{Items: []Group{}, Total: len(groups)}
	start := 0
	if after != nil {
		start = slices.IndexFunc(groups, func(g Group) bool { return compareGroups(*after, g) < 0 })
		if start < 0 {
			start = len(groups)
		}
	}
	end := min(start+limit, len(groups))
	out.Items = append(out.Items, groups[start:end]...)
	if end < len(groups) {
		last := out.Items[len(out.Items)-1]
		out.NextCursor = strconv.Itoa(last.Score) + "-" + strconv.FormatInt(last.newest(), 10)
	}
	if err := m.fillRecords(ctx, p, e, out.Items); err != nil {
		return Page{}, err
	}
	return out, nil
}

func parsePage(q url.Values) (limit int, after int64, err error) {
	var fe errs.Fields
	limit = parseLimit(q, &fe)
	if s := q.Get("cursor"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n < 1 {
			fe.Add("cursor", "invalid_cursor", "is not a cursor this list gave")
		}
		after = n
	}
	return limit, after, fe.Err()
}

// parseGroupPage reads the limit and cursor of a page of groups. Its
// cursor is the score and newest ID of the last group of the page before
// ("85-1902"): the page goes on with the groups that sort after it.
func parseGroupPage(q url.Values) (limit int, after *Group, err error) {
	var fe errs.Fields
	limit = parseLimit(q, &fe)
	if s := q.Get("cursor"); s != "" {
		scoreText, idText, _ := strings.Cut(s, "-")
		score, serr := strconv.Atoi(scoreText)
		id, err := strconv.ParseInt(idText, 10, 64)
		if serr != nil || err != nil || score < 0 || score > 100 || id < 1 {
			fe.Add("cursor", "invalid_cursor", "is not a cursor this list gave")
		} else {
			after = &Group{IDs: []int64{id}, Score: score}
		}
	}
	return limit, after, fe.Err()
}

func parseLimit(q url.Values, fe *errs.Fields) int {
	limit := DefaultLimit
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > MaxLimit {
			fe.Add("limit", "out_of_range", "must be a whole number from %d to %d", 1, MaxLimit)
		}
		limit = n
	}
	return limit
}

// groups finds every group whose score reaches ProposeFrom, highest
// score first, then newest (by its highest record ID). The stored pairs
// are the candidates the blocking keys found (see refresh); each is
// scored here, from its reasons and the two records' current names and
// companies, which the query reads with the pair at no extra cost.
func (m *Module) groups(ctx context.Context, p auth.Principal, e *records.Entity, rule Rule) ([]Group, error) {
	if err := m.refresh(ctx, e, rule); err != nil {
		return nil, err
	}
	dismissed, err := m.dismissed(ctx, e.Name)
	if err != nil {
		return nil, err
	}
	g := newGraph(dismissed)
	args := []any{e.Name}
	cond := "a.deleted_at IS NULL AND b.deleted_at IS NULL"
	if e.Owned {
		sa, aargs := p.Scope(auth.Read, "a.owner_id", len(args)+1)
		args = append(args, aargs...)
		sb, bargs := p.Scope(auth.Read, "b.owner_id", len(args)+1)
		args = append(args, bargs...)
		cond += " AND " + sa + " AND " + sb
	}
	nameA, scopeA := rule.nameSQL("a")
	nameB, scopeB := rule.nameSQL("b")
	rows, err := m.db.Read().QueryContext(ctx, `SELECT p.low_id, p.high_id, p.reason, p.value, `+nameA+`, `+scopeA+`, `+nameB+`, `+scopeB+`
		FROM duplicate_pairs p
		JOIN `+e.Table+` a ON a.id = p.low_id JOIN `+e.Table+` b ON b.id = p.high_id
		WHERE p.entity = $1 AND `+cond+` ORDER BY p.low_id, p.high_id, p.reason, p.value`, args...)
	if err != nil {
		return nil, fmt.Errorf("%s duplicates: %w", e.Name, err)
	}
	defer rows.Close()
	// A pair's reasons come in consecutive rows.
	var cur pair
	var reasons []Reason
	var sides [2]side
	flush := func() {
		if len(reasons) > 0 {
			g.add(score(cur, reasons, sides[0], sides[1]))
		}
		reasons = nil
	}
	for rows.Next() {
		var pr pair
		var r Reason
		var a, b side
		if err := rows.Scan(&pr.lo, &pr.hi, &r.Kind, &r.Value, &a.name, &a.scope, &b.name, &b.scope); err != nil {
			return nil, fmt.Errorf("%s duplicates: %w", e.Name, err)
		}
		if pr != cur {
			flush()
			cur, sides = pr, [2]side{rule.side(a), rule.side(b)}
		}
		reasons = append(reasons, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("%s duplicates: %w", e.Name, err)
	}
	flush()
	return g.groups(), nil
}

// readable is the condition limiting alias x to the live records p may
// read, with its arguments numbered from first.
func readable(p auth.Principal, e *records.Entity, first int) (string, []any) {
	cond := "x.deleted_at IS NULL"
	if !e.Owned {
		return cond, nil
	}
	scope, args := p.Scope(auth.Read, "x.owner_id", first)
	return cond + " AND " + scope, args
}

// pair is two record IDs, lower first.
type pair struct{ lo, hi int64 }

func pairOf(a, b int64) pair {
	if a > b {
		a, b = b, a
	}
	return pair{a, b}
}

// dismissed returns the pairs of an entity dismissed as not duplicates.
func (m *Module) dismissed(ctx context.Context, entity string) (map[pair]bool, error) {
	list, err := store.Collect(ctx, m.db.Read(), func(row store.Scanner) (pair, error) {
		var p pair
		err := row.Scan(&p.lo, &p.hi)
		return p, err
	}, "SELECT low_id, high_id FROM duplicate_dismissals WHERE entity = $1", entity)
	if err != nil {
		return nil, fmt.Errorf("dismissed %s duplicates: %w", entity, err)
	}
	out := make(map[pair]bool, len(list))
	for _, p := range list {
		out[p] = true
	}
	return out, nil
}

// graph joins the records of scored pairs into groups (union-find).
type graph struct {
	parent    map[int64]int64
	dismissed map[pair]bool
	pairs     []scored
}

func newGraph(dismissed map[pair]bool) *graph {
	return &graph{parent: map[int64]int64{}, dismissed: dismissed}
}

func (g *graph) find(id int64) int64 {
	root := id
	for {
		p, ok := g.parent[root]
		if !ok || p == root {
			break
		}
		root = p
	}
	for id != root { // path compression
		next := g.parent[id]
		g.parent[id] = root
		id = next
	}
	return root
}

// add takes a scored pair into account unless it was dismissed or scores
// below ProposeFrom.
func (g *graph) add(s scored) {
	if s.score >= ProposeFrom && !g.dismissed[s.pair] {
		g.pairs = append(g.pairs, s)
	}
}

// groups returns the groups, each with its IDs ascending, its reasons in
// the order found and the evidence of all its pairs; highest score
// first, then newest (by its highest ID). A group's score is that of the
// weakest pair needed to join it, taking the strongest pairs first: a
// group is only as sure as its least sure link.
func (g *graph) groups() []Group {
	slices.SortStableFunc(g.pairs, func(a, b scored) int { return cmp.Compare(b.score, a.score) })
	scores := map[int64]int{} // by root
	for _, s := range g.pairs {
		for _, id := range []int64{s.lo, s.hi} {
			if _, ok := g.parent[id]; !ok {
				g.parent[id] = id
				scores[id] = 100
			}
		}
		ra, rb := g.find(s.lo), g.find(s.hi)
		if ra == rb {
			continue
		}
		root, other := min(ra, rb), max(ra, rb)
		g.parent[other] = root
		// Pairs come strongest first, so this one is the weakest yet.
		scores[root] = min(scores[root], scores[other], s.score)
	}
	byRoot := map[int64]*Group{}
	for id := range g.parent {
		r := g.find(id)
		grp := byRoot[r]
		if grp == nil {
			grp = &Group{Score: scores[r], Evidence: []Evidence{}}
			byRoot[r] = grp
		}
		grp.IDs = append(grp.IDs, id)
	}
	slices.SortFunc(g.pairs, func(a, b scored) int { return cmp.Or(cmp.Compare(a.lo, b.lo), cmp.Compare(a.hi, b.hi)) })
	for _, s := range g.pairs {
		grp := byRoot[g.find(s.lo)]
		for _, r := range s.reasons {
			if !slices.Contains(grp.Reasons, r) {
				grp.Reasons = append(grp.Reasons, r)
			}
		}
		for _, ev := range s.evidence {
			if !slices.Contains(grp.Evidence, ev) {
				grp.Evidence = append(grp.Evidence, ev)
			}
		}
	}
	out := make([]Group, 0, len(byRoot))
	for _, grp := range byRoot {
		slices.Sort(grp.IDs)
		sortEvidence(grp.Evidence)
		if grp.Reasons == nil {
			grp.Reasons = []Reason{}
		}
		out = append(out, *grp)
	}
	slices.SortFunc(out, compareGroups)
	return out
}

// compareGroups orders groups as the list shows them: highest score
// first, then newest.
func compareGroups(a, b Group) int {
	return cmp.Or(cmp.Compare(b.Score, a.Score), cmp.Compare(b.newest(), a.newest()))
}

// fillRecords reads the records of the groups as the caller sees them.
func (m *Module) fillRecords(ctx context.Context, p auth.Principal, e *records.Entity, groups []Group) error {
	var ids []int64
	for _, g := range groups {
		ids = append(ids, g.IDs...)
	}
	byID, err := m.read(ctx, p, e, ids)
	if err != nil {
		return err
	}
	for i := range groups {
		for _, id := range groups[i].IDs {
			if r, ok := byID[id]; ok {
				groups[i].Records = append(groups[i].Records, r)
			}
		}
		if groups[i].Records == nil {
			groups[i].Records = []records.Record{}
		}
	}
	return nil
}

// read returns the live records with these IDs that p may read.
func (m *Module) read(ctx context.Context, p auth.Principal, e *records.Entity, ids []int64) (map[int64]records.Record, error) {
	out := make(map[int64]records.Record, len(ids))
	for len(ids) > 0 {
		n := min(len(ids), 500)
		args := make([]any, n)
		for i, id := range ids[:n] {
			args[i] = id
		}
		list, err := m.records.List(ctx, p, e, records.Query{
			Where: e.Alias + ".id IN (" + placeholders(1, n) + ")", Args: args,
			Page: url.Values{"limit": {strconv.Itoa(n)}},
		})
		if err != nil {
			return nil, err
		}
		for _, r := range list.Items {
			out[r.ID] = r
		}
		ids = ids[n:]
	}
	return out, nil
}
