package leads

import (
	"context"
	"database/sql"
	"encoding/json"
	"strings"

	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/errs"
	"github.com/relasi/relasi/internal/httpx"
	"github.com/relasi/relasi/internal/records"
)

// DealCreator makes a deal (opportunity) in the conversion's transaction
// and returns its ID. The deals module provides it; leads does not know
// deals. in holds "name", "amount" (major units, as the API takes them),
// "close_date" ("YYYY-MM-DD"), "account_id", "contact_id" and "owner_id",
// each only when known. Field errors it returns are shown beside the
// conversion form's deal fields.
type DealCreator func(ctx context.Context, tx *sql.Tx, p auth.Principal, in records.Input) (int64, error)

// ConvertHook runs in the conversion's transaction once the contact (and
// account, 0 when none) exist, to move what another module keeps about the
// lead — its activities — to them. An error undoes the whole conversion.
type ConvertHook func(ctx context.Context, tx *sql.Tx, leadID, contactID, accountID int64) error

// Account modes of a conversion.
const (
	AccountNew      = "new"      // a new account named after the lead's company
	AccountExisting = "existing" // an account that exists, by ID
	AccountNone     = "none"     // the contact belongs to no account
)

// ConvertInput says what a conversion makes besides the contact.
type ConvertInput struct {
	Account AccountChoice `json:"account"`
	Deal    DealChoice    `json:"deal"`
}

// AccountChoice is the contact's account. Mode "" is "none".
type AccountChoice struct {
	Mode string `json:"mode"`
	ID   int64  `json:"id"`
	// Name of a new account; empty takes the lead's company.
	Name string `json:"name"`
}

// DealChoice asks for a new deal.
type DealChoice struct {
	Create bool   `json:"create"`
	Name   string `json:"name"`
	// Amount in major units of the deal's currency (1500000, 1500000.5): a
	// JSON number, as every amount the API takes.
	Amount    httpx.Number `json:"amount"`
	CloseDate string       `json:"close_date"`
}

// ConvertResult names what the conversion made.
type ConvertResult struct {
	ContactID     int64  `json:"contact_id"`
	AccountID     *int64 `json:"account_id"`
	OpportunityID *int64 `json:"opportunity_id"`
}

// Convert turns a lead into a contact, with a new or existing account and
// a new deal when asked, in one transaction: if any part fails, nothing
// changes. Any lead that is not converted yet may be converted, whatever
// its status or rating: the salesperson decides it is a real prospect.
//
// The contact gets the lead's names, e-mail, phone, job title, city,
// source and owner, and the lifecycle stage "engagement" — a converted
// lead is someone the team is now working with, not yet a customer (a won
// deal or an order makes them one). The lead is kept, marked converted,
// with links to what it became; the history of both names the other, and
// the ConvertHooks move the lead's activities to the contact.
//
// Converting a converted lead is a Conflict; a lead the caller may not see
// is NotFound, one they may see but not change Forbidden.
func (m *Module) Convert(ctx context.Context, p auth.Principal, leadID int64, in ConvertInput) (ConvertResult, error) {
	var res ConvertResult
	err := m.db.WriteTx(ctx, func(tx *sql.Tx) error {
		var err error
		res, err = m.convert(ctx, tx, p, leadID, in)
		return err
	})
	if err != nil {
		return ConvertResult{}, err
	}
	return res, nil
}

func (m *Module) convert(ctx context.Context, tx *sql.Tx, p auth.Principal, leadID int64, in ConvertInput) (ConvertResult, error) {
	if err := m.db.Serialize(ctx, tx, convertLock+leadID); err != nil {
		return ConvertResult{}, err
	}
	lead, err := m.records.GetTx(ctx, tx, p, m.entity, leadID)
	if err != nil {
		return ConvertResult{}, err
	}
	if err := m.mayChange(ctx, tx, p, &lead); err != nil {
		return ConvertResult{}, err
	}
	if lead.String("status") == StatusConverted {
		return ConvertResult{}, errs.E(errs.Conflict, "This lead was already converted.").WithKey("leads.error.already_converted")
	}
	if err := in.check(&lead, m.cfg.CreateDeal != nil); err != nil {
		return ConvertResult{}, err
	}
	var res ConvertResult
	// What the lead becomes belongs to the lead's owner; an unowned lead's,
	// or one whose owner has left, to whoever converts it.
	var owner int64
	if _, active := userTeam(ctx, tx, lead.OwnerID); active {
		owner = lead.OwnerID
	}

	var accountID int64
	switch in.Account.Mode {
	case AccountExisting:
		if _, err := m.records.GetTx(ctx, tx, p, m.accounts, in.Account.ID); errs.Is(err, errs.NotFound) {
			var fe errs.Fields
			fe.Add("account.id", "not_found", "refers to a record that does not exist")
			return ConvertResult{}, fe.Err()
		} else if err != nil {
			return ConvertResult{}, err
		}
		accountID = in.Account.ID
	case AccountNew:
		acc := records.Input{"name": in.Account.Name, "city": lead.Get("city")}
		a, err := m.records.CreateTx(ctx, tx, p, m.accounts, withOwner(acc, owner))
		if err != nil {
			return ConvertResult{}, prefixFields(err, "account.")
		}
		accountID = a.ID
	}
	if accountID != 0 {
		res.AccountID = &accountID
	}

	contact := records.Input{
		"first_name": lead.Get("first_name"), "last_name": lead.Get("last_name"), "job_title": lead.Get("job_title"),
		"city": lead.Get("city"), "source": lead.Get("source"), "lifecycle_stage": "engagement",
	}
	if e := lead.String("email"); e != "" {
		contact["emails"] = []string{e}
	}
	if ph := lead.String("phone"); ph != "" {
		contact["phones"] = []string{ph}
	}
	if accountID != 0 {
		contact["account_id"] = accountID
	}
	c, err := m.records.CreateTx(ctx, tx, p, m.contacts, withOwner(contact, owner))
	if err != nil {
		return ConvertResult{}, prefixFields(err, "contact.")
	}
	res.ContactID = c.ID

	if in.Deal.Create {
		deal := records.Input{"name": in.Deal.Name, "contact_id": c.ID}
		if in.Deal.Amount != "" {
			deal["amount"] = json.Number(in.Deal.Amount)
		}
		if in.Deal.CloseDate != "" {
			deal["close_date"] = in.Deal.CloseDate
		}
		if accountID != 0 {
			deal["account_id"] = accountID
		}
		id, err := m.cfg.CreateDeal(ctx, tx, p, withOwner(deal, owner))
		if err != nil {
			return ConvertResult{}, prefixFields(err, "deal.")
		}
		res.OpportunityID = &id
	}

	now := m.now()
	links := map[string]any{"status": StatusConverted, "converted_at": now, "converted_contact_id": c.ID, "overdue": false}
	if accountID != 0 {
		links["converted_account_id"] = accountID
	}
	if res.OpportunityID != nil {
		links["converted_opportunity_id"] = *res.OpportunityID
	}
	if err := m.records.SetSystem(ctx, tx, p, m.entity, leadID, links, "converted"); err != nil {
		return ConvertResult{}, err
	}
	from := map[string][2]any{"lead_id": {nil, leadID}, "lead": {nil, lead.Title}}
	if err := records.RecordChange(ctx, tx, now, "contacts", c.ID, "converted", p, from); err != nil {
		return ConvertResult{}, err
	}
	for _, hook := range m.cfg.OnConvert {
		if err := hook(ctx, tx, leadID, c.ID, accountID); err != nil {
			return ConvertResult{}, err
		}
	}
	return res, nil
}

// withOwner names the owner in an input; 0 leaves the creator's default.
func withOwner(in records.Input, owner int64) records.Input {
	if owner != 0 {
		in["owner_id"] = owner
	}
	return in
}

// check fills in defaults and reports every problem of the input at once.
func (in *ConvertInput) check(lead *records.Record, dealsAvailable bool) error {
	var fe errs.Fields
	switch in.Account.Mode {
	case "", AccountNone:
		in.Account.Mode = AccountNone
	case AccountExisting:
		if in.Account.ID < 1 {
			fe.Add("account.id", "required", "is required")
		}
	case AccountNew:
		in.Account.Name = strings.TrimSpace(in.Account.Name)
		if in.Account.Name == "" {
			in.Account.Name = lead.String("company")
		}
		if in.Account.Name == "" {
			fe.Add("account.name", "required", "is required")
		}
	default:
		fe.Add("account.mode", "invalid_choice", "must be one of: %s", strings.Join([]string{AccountNew, AccountExisting, AccountNone}, ", "))
	}
	// A value the chosen mode does not use is refused, not ignored: an
	// account ID sent without "existing", or a deal's amount without
	// "create", means the caller expects something that would not happen.
	if in.Account.ID != 0 && in.Account.Mode != AccountExisting {
		fe.Add("account.id", "needs_account_mode", `is only used when the account mode is "%s"`, AccountExisting)
	}
	if strings.TrimSpace(in.Account.Name) != "" && in.Account.Mode != AccountNew {
		fe.Add("account.name", "needs_account_mode", `is only used when the account mode is "%s"`, AccountNew)
	}
	if !in.Deal.Create {
		for field, given := range map[string]bool{"deal.name": strings.TrimSpace(in.Deal.Name) != "", "deal.amount": in.Deal.Amount != "", "deal.close_date": in.Deal.CloseDate != ""} {
			if given {
				fe.Add(field, "needs_deal_create", "is only used when a deal is created (deal.create)")
			}
		}
	}
	if in.Deal.Create && !dealsAvailable {
		fe.Add("deal.create", "deals_unavailable", "cannot be done here: deals are not available")
	}
	if in.Deal.Create {
		in.Deal.Name = strings.TrimSpace(in.Deal.Name)
		if in.Deal.Name == "" {
			in.Deal.Name = strings.TrimSpace(lead.String("company"))
		}
		if in.Deal.Name == "" {
			in.Deal.Name = lead.Title
		}
	}
	return fe.Err()
}

// mayChange is the write check of the records machinery for an operation
// that is more than a field update.
func (m *Module) mayChange(ctx context.Context, tx *sql.Tx, p auth.Principal, r *records.Record) error {
	if err := p.CanWriteAny(); err != nil {
		return err
	}
	var team int64
	if r.OwnerID != 0 {
		var ok bool
		if team, ok = userTeam(ctx, tx, r.OwnerID); !ok {
			team = 0
		}
	}
	return p.Can(auth.Write, auth.Owned{OwnerID: r.OwnerID, OwnerTeamID: team})
}

// renameFields gives field errors the names of the form's inputs.
func renameFields(err error, names map[string]string) error {
	e, ok := errs.As(err)
	if !ok || len(e.Fields) == 0 {
		return err
	}
	out := *e
	out.Fields = make([]errs.FieldError, len(e.Fields))
	for i, f := range e.Fields {
		if n, ok := names[f.Field]; ok {
			f.Field = n
		}
		out.Fields[i] = f
	}
	return &out
}

// prefixFields names the field errors of a part of the conversion after
// the part ("deal.amount"), so the form shows them beside the right input.
func prefixFields(err error, prefix string) error {
	e, ok := errs.As(err)
	if !ok || len(e.Fields) == 0 {
		return err
	}
	out := *e
	out.Fields = make([]errs.FieldError, len(e.Fields))
	for i, f := range e.Fields {
		f.Field = prefix + f.Field
		out.Fields[i] = f
	}
	return &out
}
