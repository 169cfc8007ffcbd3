// Package accounts is the companies and organisations a business sells to
// or serves. An account groups contacts, deals, orders and cases.
package accounts

import (
	"context"
	"database/sql"
	"strings"

	"github.com/relasi/relasi/internal/records"
	"github.com/relasi/relasi/internal/search"
	"github.com/relasi/relasi/internal/store"
)

// Industries offered for an account.
var Industries = []string{
	"agriculture", "automotive", "banking", "construction", "consulting", "education", "energy", "fmcg",
	"food_beverage", "government", "healthcare", "hospitality", "insurance", "logistics", "manufacturing",
	"media", "mining", "property", "retail", "technology", "telecommunications", "textile", "travel", "other",
}

// Entity describes accounts for the records machinery.
func Entity(engine store.Engine) *records.Entity {
	e := &records.Entity{
		Name: "accounts", Table: "accounts", Alias: "a", Label: "nav.accounts", Singular: "entity.account",
		Owned: true, Searched: true, TitleSQL: "a.name", DefaultSort: "name",
		Fields: []records.Field{
			{Name: "name", Label: "field.company_name", Kind: records.Text, Column: "name", Required: true, MaxLen: 200, InList: true, PrefixIndex: true},
			{Name: "domain", Label: "field.domain", Kind: records.Text, Column: "domain", MaxLen: 200, Normalize: normalizeDomain},
			{Name: "industry", Label: "field.industry", Kind: records.Select, Column: "industry", Choices: Industries, InList: true},
			{Name: "employees", Label: "field.employees", Kind: records.Integer, Column: "employees", InList: true, Min: new(int64(0))},
			{Name: "annual_revenue", Label: "field.annual_revenue", Kind: records.Money, Column: "annual_revenue", Currency: "IDR", Min: new(int64(0))},
			{Name: "phone", Label: "field.phone", Kind: records.Phone, Column: "phone", Normalize: records.NormalizePhone},
			{Name: "website", Label: "field.website", Kind: records.URL, Column: "website"},
			{Name: "street", Label: "field.street", Kind: records.Text, Column: "street"},
			{Name: "city", Label: "field.city", Kind: records.Text, Column: "city", InList: true},
			{Name: "province", Label: "field.province", Kind: records.Text, Column: "province"},
			{Name: "postal_code", Label: "field.postal_code", Kind: records.Text, Column: "postal_code", MaxLen: 20},
			{Name: "country", Label: "field.country", Kind: records.Text, Column: "country"},
			{Name: "tags", Label: "field.tags", Kind: records.List, Column: "tags"},
			{Name: "last_activity_at", Label: "field.last_activity_at", Kind: records.DateTime, Column: "last_activity_at", ReadOnly: true},
		},
	}
	e.AfterSave = func(ctx context.Context, tx *sql.Tx, c *records.Change) error {
		if c.New.DeletedAt != nil {
			return search.Remove(ctx, tx, engine, "accounts", c.New.ID)
		}
		r := c.New
		body := strings.Join([]string{r.String("domain"), r.String("city"), r.String("phone"), search.PhoneWords(nonEmpty(r.String("phone"))), r.String("website")}, " ")
		detail := search.Detail{Domain: r.String("domain"), City: r.String("city"), Phones: nonEmpty(r.String("phone")), Website: r.String("website")}
		return search.Index(ctx, tx, engine, search.Doc{Entity: "accounts", ID: r.ID, OwnerID: r.OwnerID, Title: r.String("name"), Body: body, Detail: detail})
	}
	return e
}

func nonEmpty(s string) []string {
	if s == "" {
		return nil
	}
	return []string{s}
}

// normalizeDomain keeps the host of a domain or web address, lower-case.
func normalizeDomain(v any) (any, error) {
	s := strings.ToLower(v.(string))
	s = strings.TrimPrefix(strings.TrimPrefix(s, "https://"), "http://")
	s = strings.TrimPrefix(s, "www.")
	if i := strings.IndexAny(s, "/?#"); i >= 0 {
		s = s[:i]
	}
	return s, nil
}

// OnRename runs hooks in the save's transaction when an account's name
// changes, for modules whose records show the account's name (their search
// documents).
func OnRename(e *records.Entity, engine store.Engine, hooks ...func(ctx context.Context, tx *sql.Tx, engine store.Engine, accountID int64) error) {
	after := e.AfterSave
	e.AfterSave = func(ctx context.Context, tx *sql.Tx, c *records.Change) error {
		if after != nil {
			if err := after(ctx, tx, c); err != nil {
				return err
			}
		}
		if c.Old == nil || c.New.DeletedAt != nil || c.Old.String("name") == c.New.String("name") {
			return nil
		}
		for _, h := range hooks {
			if err := h(ctx, tx, engine, c.New.ID); err != nil {
				return err
			}
		}
		return nil
	}
}
