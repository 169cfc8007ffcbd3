package leads

import (
	"context"
	"strconv"
	"strings"

	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/errs"
	"github.com/relasi/relasi/internal/httpx"
	"github.com/relasi/relasi/internal/i18n"
	"github.com/relasi/relasi/internal/records"
	"github.com/relasi/relasi/internal/store"
	"github.com/relasi/relasi/internal/web"
)

// convertView is the conversion form: the lead, the accounts its company
// may already be, and the form's values (defaults, or what was submitted).
type convertView struct {
	Lead     records.Record
	Accounts []option
	Values   map[string]string
	// AccountTitle is the name of the account chosen (account_id), which
	// the form's picker shows, also after an error.
	AccountTitle string
	Currency     string
	// DealsAvailable is false until the app plugs in a DealCreator.
	DealsAvailable bool
}

// convertFields are the form's inputs.
var convertFields = []string{"account_mode", "account_name", "account_id", "deal_create", "deal_name", "deal_amount", "deal_close_date"}

func (m *Module) convertData(c *web.Ctx, id int64) (convertView, error) {
	ctx := c.R.Context()
	lead, err := m.records.Get(ctx, *c.User, m.entity, id)
	if err != nil {
		return convertView{}, err
	}
	accounts, err := m.similarAccounts(ctx, *c.User, lead.String("company"))
	if err != nil {
		return convertView{}, err
	}
	v := convertView{Lead: lead, Accounts: accounts, Currency: i18n.DefaultCurrency, DealsAvailable: m.cfg.CreateDeal != nil,
		Values: map[string]string{"account_mode": AccountNone, "account_name": lead.String("company"), "deal_name": lead.String("company")}}
	switch {
	case len(accounts) > 0:
		// The company is probably one of these: offer it first.
		v.Values["account_mode"] = AccountExisting
		v.Values["account_id"] = strconv.FormatInt(accounts[0].ID, 10)
	case lead.String("company") != "":
		v.Values["account_mode"] = AccountNew
	}
	if c.R.Method == "POST" {
		for _, f := range convertFields {
			v.Values[f] = c.Form(f)
		}
	}
	if n, err := strconv.ParseInt(v.Values["account_id"], 10, 64); err == nil {
		v.AccountTitle = m.records.Title(ctx, *c.User, "accounts", n)
	}
	return v, nil
}

// similarAccounts lists up to 20 accounts the caller may see whose name
// holds the company's name, exact matches first.
func (m *Module) similarAccounts(ctx context.Context, p auth.Principal, company string) ([]option, error) {
	company = strings.ToLower(strings.TrimSpace(company))
	if company == "" {
		return nil, nil
	}
	scope, args := p.Scope(auth.Read, "a.owner_id", 3)
	pattern := "%" + strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`).Replace(company) + "%"
	return store.Collect(ctx, m.db.Read(), scanOption,
		`SELECT a.id, a.name FROM accounts a
		WHERE a.deleted_at IS NULL AND lower(a.name) LIKE $1 ESCAPE '\' AND `+scope+`
		ORDER BY CASE WHEN lower(a.name) = $2 THEN 0 ELSE 1 END, lower(a.name), a.id LIMIT 20`,
		append([]any{pattern, company}, args...)...)
}

func (m *Module) convertPage(c *web.Ctx) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	v, err := m.convertData(c, id)
	if err != nil {
		return err
	}
	if id := v.Lead.Int("converted_contact_id"); id != 0 {
		return c.Redirect("/contacts/"+strconv.FormatInt(id, 10), "flash.lead_already_converted")
	}
	return c.Render("leads_convert", "leads.convert_title", "leads", v)
}

func (m *Module) convertSubmit(c *web.Ctx) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	v, err := m.convertData(c, id)
	if err != nil {
		return err
	}
	in, err := convertInput(c, v.Values, v.Currency)
	if err == nil {
		var res ConvertResult
		res, err = m.Convert(c.R.Context(), *c.User, id, in)
		if err == nil {
			return c.Redirect("/contacts/"+strconv.FormatInt(res.ContactID, 10), "flash.lead_converted")
		}
	}
	return c.RenderForm("leads_convert", "leads.convert_title", "leads", v, err)
}

// convertInput reads the form. Amounts are typed the way the user writes
// money ("1.500.000" in Bahasa Indonesia) and passed on in major units.
func convertInput(c *web.Ctx, f map[string]string, currency string) (ConvertInput, error) {
	var in ConvertInput
	var fe errs.Fields
	in.Account.Mode = f["account_mode"]
	switch in.Account.Mode {
	case AccountNew:
		in.Account.Name = f["account_name"]
	case AccountExisting:
		if f["account_id"] != "" {
			n, err := strconv.ParseInt(f["account_id"], 10, 64)
			if err != nil || n < 1 {
				fe.Add("account.id", "not_found", "refers to a record that does not exist")
			}
			in.Account.ID = n
		}
	}
	in.Deal.Create = f["deal_create"] != ""
	// The deal's name comes filled in, so it counts only with the box
	// ticked; an amount or close date the user typed without ticking it
	// is sent on, and refused beside its field rather than dropped.
	in.Deal.CloseDate = f["deal_close_date"]
	if in.Deal.Create {
		in.Deal.Name = f["deal_name"]
	}
	if s := f["deal_amount"]; s != "" {
		minor, err := i18n.ParseMoney(c.Lang, s, currency)
		if err != nil {
			fe.Add("deal.amount", "lead_amount", "must be an amount like %s", c.Fmt().AmountExample(currency))
		} else {
			exp, _ := i18n.CurrencyExponent(currency)
			in.Deal.Amount = httpx.Number(records.FormatAmount(minor, exp))
		}
	}
	return in, fe.Err()
}
