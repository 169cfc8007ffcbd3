package imports

import (
	"context"

	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/web"
)

// rowsNotImported are the first failed and the first skipped rows of an
// import for the import's page, in the viewer's language.
func (m *Module) rowsNotImported(c *web.Ctx, imp Import) (failed, skipped []Failure, more bool, err error) {
	return m.NotImported(c.R.Context(), imp, *c.User, c, failuresShown)
}

// NotImported returns up to limit failed and up to limit skipped rows of
// an import, in file order, each with its reason worded for p in t's
// language — a skipped row naming the record it repeats, by its title
// where p may see it; a nil t gives the API's English. more is set when
// the import has more such rows than returned.
func (m *Module) NotImported(ctx context.Context, imp Import, p auth.Principal, t Translator, limit int) (failed, skipped []Failure, more bool, err error) {
	words, err := m.wording(ctx, imp.Entity, p, t)
	if err != nil {
		return nil, nil, false, err
	}
	for _, action := range []string{"failed", "skipped"} {
		items, err := m.Items(ctx, imp, ItemsQuery{Actions: []string{action}, OwnEntity: true, Limit: limit + 1})
		if err != nil {
			return nil, nil, false, err
		}
		if len(items) > limit {
			items, more = items[:limit], true
		}
		if err := words.lookUp(ctx, reasonsOf(items)); err != nil {
			return nil, nil, false, err
		}
		for _, it := range items {
			f := Failure{Row: it.Row, Action: it.Action, Reason: words.say(it.Facts), Facts: it.Facts}
			if action == "failed" {
				failed = append(failed, f)
			} else {
				skipped = append(skipped, f)
			}
		}
	}
	return failed, skipped, more, nil
}

// nextStep is what the page of a finished dry run offers: to start the
// import when it would create or update something, else the way back to
// the mapping and why nothing would come in.
type nextStep struct {
	// Start: at least one row would be created or updated.
	Start bool
	// Nothing says why not: "all_failed", "all_skipped", "failed_or_skipped"
	// or "empty" (a file without data rows).
	Nothing string
}

func nextStepOf(imp Import) nextStep {
	if !imp.DryRun || imp.Status != Done {
		return nextStep{}
	}
	c := imp.Counts
	switch {
	case c.Created+c.Updated > 0:
		return nextStep{Start: true}
	case c.Rows() == 0:
		return nextStep{Nothing: "empty"}
	case c.Skipped == 0:
		return nextStep{Nothing: "all_failed"}
	case c.Failed == 0:
		return nextStep{Nothing: "all_skipped"}
	}
	return nextStep{Nothing: "failed_or_skipped"}
}
