package imports

import (
	"net/http"
	"slices"
	"strconv"

	"github.com/relasi/relasi/internal/records"
	"github.com/relasi/relasi/internal/web"
)

// ownersShown is how many unknown names the pages list.
const ownersShown = 20

// migrationView is the mapping page's part about a migration from
// another CRM: what the owner column holds and who gets unknown owners,
// and the system the external IDs come from.
type migrationView struct {
	Owned          bool // the entity has owners
	Owners         OwnerSummary
	MoreUnknown    int // unknown names not listed
	UnknownOwner   string
	UnknownOwnerID int64
	UnknownName    string // the user who gets unknown owners' records, on a report
	Assignable     []ownerUser
	ExternalSystem string
	Systems        []struct{ Name, Label string }
	HasExternalID  bool
}

// migrationData adds the migration part to the mapping page's data, for
// the mapping shown (selected) and the choices made (or sent, when the
// page comes back with an error).
func (m *Module) migrationData(c *web.Ctx, imp Import, selected []string, data map[string]any) error {
	ctx := c.R.Context()
	opts := imp.Options
	if c.R.Method == http.MethodPost {
		migrationForm(c, &opts)
	}
	v := migrationView{UnknownOwner: string(opts.unknownOwner()), UnknownOwnerID: opts.UnknownOwnerID,
		ExternalSystem: opts.ExternalSystem, Systems: records.ExternalSystems, HasExternalID: slices.Contains(selected, ExternalID)}
	if e, ok := m.entity(imp.Entity); ok && e.Owned {
		v.Owned = true
		var err error
		if v.Owners, err = m.Owners(ctx, imp, selected); err != nil {
			return err
		}
		if n := len(v.Owners.Unknown); n > ownersShown {
			v.MoreUnknown = n - ownersShown
			v.Owners.Unknown = v.Owners.Unknown[:ownersShown]
		}
		if v.Assignable, err = m.assignable(ctx, *c.User); err != nil {
			return err
		}
	}
	data["Migration"] = v
	return nil
}

// migrationForm reads the mapping form's migration choices into opts.
func migrationForm(c *web.Ctx, opts *Options) {
	opts.UnknownOwner = UnknownOwner(c.Form("unknown_owner"))
	opts.UnknownOwnerID = 0
	if opts.UnknownOwner == OwnerUser {
		opts.UnknownOwnerID, _ = strconv.ParseInt(c.Form("unknown_owner_id"), 10, 64)
	}
	opts.ExternalSystem = c.Form("external_system")
}

// migrationReport is what a finished dry run's page says about owners.
func (m *Module) migrationReport(c *web.Ctx, imp Import) (*migrationView, error) {
	e, ok := m.entity(imp.Entity)
	if !ok || !e.Owned || !imp.DryRun || imp.Status != Done {
		return nil, nil
	}
	s, err := m.Owners(c.R.Context(), imp, imp.Mapping)
	if err != nil || s.UnknownRows == 0 && len(s.Ambiguous) == 0 {
		return nil, err
	}
	v := &migrationView{Owned: true, Owners: s, UnknownOwner: string(imp.Options.unknownOwner()), UnknownOwnerID: imp.Options.UnknownOwnerID}
	if n := len(s.Unknown); n > ownersShown {
		v.MoreUnknown = n - ownersShown
		v.Owners.Unknown = s.Unknown[:ownersShown]
	}
	if v.UnknownOwner == string(OwnerUser) {
		if u, err := m.auth.GetUser(c.R.Context(), v.UnknownOwnerID); err == nil {
			v.UnknownName = u.Name
		}
	}
	return v, nil
}
