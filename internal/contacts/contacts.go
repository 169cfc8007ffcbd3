// Package contacts is the people a business deals with: customers,
// prospects' staff, partners. A contact may belong to an account and has a
// role there, several e-mail addresses and phone numbers, a lifecycle
// stage and a timeline of every touchpoint.
package contacts

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/relasi/relasi/internal/filter"
	"github.com/relasi/relasi/internal/records"
	"github.com/relasi/relasi/internal/search"
	"github.com/relasi/relasi/internal/store"
)

// Choices of a contact's fields.
var (
	Roles           = []string{"decision_maker", "buyer", "influencer", "user", "other"}
	Sources         = []string{"web_form", "ads", "referral", "event", "import", "social_media", "email", "phone", "walk_in", "partner", "other"}
	LifecycleStages = []string{"awareness", "lead", "engagement", "customer", "retention", "loyalty", "churned"}
)

// Entity describes contacts for the records machinery.
func Entity(engine store.Engine) *records.Entity {
	e := &records.Entity{
		Name: "contacts", Table: "contacts", Alias: "c", Label: "nav.contacts", Singular: "entity.contact",
		Owned: true, DefaultSort: "-created_at",
		ListFilters: []records.ListFilter{{Field: "owner"}, {Field: "lifecycle_stage"}, {Field: "source"}, {Field: "last_activity_at"}},
		Searched:    true, TitleSQL: "trim(c.first_name || ' ' || COALESCE(c.last_name, ''))",
		Fields: []records.Field{
			{Name: "first_name", Label: "field.first_name", Kind: records.Text, Column: "first_name", Required: true, MaxLen: 100, InList: true, PrefixIndex: true},
			{Name: "last_name", Label: "field.last_name", Kind: records.Text, Column: "last_name", MaxLen: 100, InList: true, PrefixIndex: true},
			{Name: "emails", Label: "field.emails", Kind: records.List, Column: "emails", InList: true, Normalize: records.NormalizeEmails,
				Items: records.Email, Lookup: &records.Lookup{Table: "contact_emails", Key: "contact_id", Column: "email"}},
			{Name: "phones", Label: "field.phones", Kind: records.List, Column: "phones", InList: true, Normalize: records.NormalizePhones,
				Items: records.Phone, Lookup: &records.Lookup{Table: "contact_phones", Key: "contact_id", Column: "phone"}},
			{Name: "job_title", Label: "field.job_title", Kind: records.Text, Column: "job_title"},
			{Name: "contact_role", Label: "field.contact_role", Kind: records.Select, Column: "contact_role", Choices: Roles},
			{Name: "account_id", Label: "field.account", Kind: records.Ref, Column: "account_id", Ref: "accounts", InList: true,
				RefTitle: "(SELECT name FROM accounts WHERE id = $col AND deleted_at IS NULL)"},
			{Name: "street", Label: "field.street", Kind: records.Text, Column: "street"},
			{Name: "city", Label: "field.city", Kind: records.Text, Column: "city", InList: true},
			{Name: "province", Label: "field.province", Kind: records.Text, Column: "province"},
			{Name: "postal_code", Label: "field.postal_code", Kind: records.Text, Column: "postal_code", MaxLen: 20},
			{Name: "country", Label: "field.country", Kind: records.Text, Column: "country"},
			{Name: "source", Label: "field.source", Kind: records.Select, Column: "source", Choices: Sources},
			{Name: "lifecycle_stage", Label: "field.lifecycle_stage", Kind: records.Select, Column: "lifecycle_stage", Choices: LifecycleStages, InList: true},
			{Name: "birth_date", Label: "field.birth_date", Kind: records.Date, Column: "birth_date"},
			{Name: "tags", Label: "field.tags", Kind: records.List, Column: "tags"},
			{Name: "last_activity_at", Label: "field.last_activity_at", Kind: records.DateTime, Column: "last_activity_at", ReadOnly: true},
		},
		Related: []records.Related{
			{Name: "account.name", Via: "account_id", Table: "accounts", Column: "name", Type: filter.Text},
			{Name: "account.employees", Via: "account_id", Table: "accounts", Column: "employees", Type: filter.Number},
			{Name: "account.industry", Via: "account_id", Table: "accounts", Column: "industry", Type: filter.Text},
			{Name: "account.city", Via: "account_id", Table: "accounts", Column: "city", Type: filter.Text},
		},
	}
	e.AfterSave = func(ctx context.Context, tx *sql.Tx, c *records.Change) error {
		return afterSave(ctx, tx, engine, c)
	}
	return e
}

// afterSave keeps the e-mail and phone lookup tables and the search
// document in step with the contact. The lookup tables hold e-mails
// lower-cased (as Accept stores them; lowered here again for rows written
// around it) and phones in E.164: the filter's startswith reads them
// through their indexes as ranges of that form (records.Lookup).
func afterSave(ctx context.Context, tx *sql.Tx, engine store.Engine, c *records.Change) error {
	r := c.New
	// A new contact has no lookups to clear (on PostgreSQL each statement
	// is a round trip, and imports create contacts by the million).
	if c.Old != nil {
		if _, err := tx.ExecContext(ctx, "DELETE FROM contact_emails WHERE contact_id = $1", r.ID); err != nil {
			return fmt.Errorf("contact emails: %w", err)
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM contact_phones WHERE contact_id = $1", r.ID); err != nil {
			return fmt.Errorf("contact phones: %w", err)
		}
	}
	if r.DeletedAt != nil {
		return search.Remove(ctx, tx, engine, "contacts", r.ID)
	}
	seen := map[string]bool{}
	for _, e := range r.Strings("emails") {
		if e = strings.ToLower(e); seen[e] {
			continue
		}
		seen[e] = true
		if _, err := tx.ExecContext(ctx, "INSERT INTO contact_emails (contact_id, email) VALUES ($1, $2)", r.ID, e); err != nil {
			return fmt.Errorf("contact emails: %w", err)
		}
	}
	for _, p := range r.Strings("phones") {
		if _, err := tx.ExecContext(ctx, "INSERT INTO contact_phones (contact_id, phone) VALUES ($1, $2)", r.ID, p); err != nil {
			return fmt.Errorf("contact phones: %w", err)
		}
	}
	title := strings.TrimSpace(r.String("first_name") + " " + r.String("last_name"))
	var company string
	if id := r.Int("account_id"); id != 0 {
		if err := tx.QueryRowContext(ctx, "SELECT name FROM accounts WHERE id = $1", id).Scan(&company); err != nil && err != sql.ErrNoRows {
			return fmt.Errorf("contact's account: %w", err)
		}
	}
	body := strings.Join([]string{search.WordsAndParts(r.Strings("emails")), search.PhoneWords(r.Strings("phones")), company, r.String("job_title"), r.String("city")}, " ")
	detail := search.Detail{Company: company, Emails: r.Strings("emails"), Phones: r.Strings("phones"), JobTitle: r.String("job_title"), City: r.String("city")}
	return search.Index(ctx, tx, engine, search.Doc{Entity: "contacts", ID: r.ID, OwnerID: r.OwnerID, Title: title, Body: body, Detail: detail})
}

// ReindexAccount rebuilds the search documents of an account's contacts,
// which hold the account's name: called when an account is renamed.
func ReindexAccount(ctx context.Context, tx *sql.Tx, engine store.Engine, accountID int64) error {
	cast := ""
	if engine == store.Postgres {
		cast = "::text"
	}
	rows, err := tx.QueryContext(ctx, `SELECT c.id, COALESCE(c.owner_id, 0), c.first_name, COALESCE(c.last_name, ''),
			COALESCE(c.emails`+cast+`, '[]'), COALESCE(c.phones`+cast+`, '[]'), COALESCE(c.job_title, ''), COALESCE(c.city, ''), a.name
		FROM contacts c JOIN accounts a ON a.id = c.account_id
		WHERE c.account_id = $1 AND c.deleted_at IS NULL`, accountID)
	if err != nil {
		return fmt.Errorf("reindex contacts of account %d: %w", accountID, err)
	}
	var docs []search.Doc
	for rows.Next() {
		var d search.Doc
		var first, last, emails, phones, title, city, company string
		if err := rows.Scan(&d.ID, &d.OwnerID, &first, &last, &emails, &phones, &title, &city, &company); err != nil {
			rows.Close()
			return fmt.Errorf("reindex contacts of account %d: %w", accountID, err)
		}
		var em, ph []string
		json.Unmarshal([]byte(emails), &em)
		json.Unmarshal([]byte(phones), &ph)
		d.Entity, d.Title = "contacts", strings.TrimSpace(first+" "+last)
		d.Body = strings.Join([]string{search.WordsAndParts(em), search.PhoneWords(ph), company, title, city}, " ")
		d.Detail = search.Detail{Company: company, Emails: em, Phones: ph, JobTitle: title, City: city}
		docs = append(docs, d)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, d := range docs {
		if err := search.Index(ctx, tx, engine, d); err != nil {
			return err
		}
	}
	return nil
}
