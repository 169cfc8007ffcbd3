// Package leads is the people and companies who showed interest but are
// not customers yet: their rating, status and score with its reasons; speed
// to lead (assignment by rule or round robin, a response clock, overdue
// flags that notify the owner and the team's manager, response-time
// reports); and conversion, which turns a lead into a contact with an
// optional account and deal in one transaction.
package leads

import (
	"context"
	"database/sql"
	"embed"
	"io/fs"
	"strconv"
	"strings"
	"time"

	"github.com/relasi/relasi/internal/accounts"
	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/contacts"
	"github.com/relasi/relasi/internal/i18n"
	"github.com/relasi/relasi/internal/records"
	"github.com/relasi/relasi/internal/search"
	"github.com/relasi/relasi/internal/store"
)

// Choices of a lead's fields.
var (
	Ratings  = []string{"hot", "warm", "cold", "junk"}
	Statuses = []string{StatusNew, StatusContacted, StatusQualified, StatusUnqualified, StatusConverted}
	// Sources are the contacts' sources, so a conversion keeps the source.
	Sources = contacts.Sources
)

// Statuses a lead moves through; only Convert sets StatusConverted.
const (
	StatusNew         = "new"
	StatusContacted   = "contacted"
	StatusQualified   = "qualified"
	StatusUnqualified = "unqualified"
	StatusConverted   = "converted"
)

//go:embed templates/*.html
var templates embed.FS

// Templates are this package's pages and partials, for web.NewRenderer.
func Templates() fs.FS {
	sub, _ := fs.Sub(templates, "templates")
	return sub
}

// Config is what the app plugs into the leads module.
type Config struct {
	// CreateDeal makes the deal a conversion asks for, in the conversion's
	// transaction. Without it, a conversion that asks for a deal is refused.
	CreateDeal DealCreator
	// OnConvert runs, in the conversion's transaction, after the contact
	// (and account) exist: other modules move what they keep about the
	// lead (activities, campaign responses) to the contact.
	OnConvert []ConvertHook
	// DealTitleSQL gives a deal's name from its ID in $col, e.g.
	// "(SELECT name FROM opportunities WHERE id = $col)", so a converted
	// lead shows its deal by name. Empty shows the ID only.
	DealTitleSQL string
	// Catalog translates notifications into each recipient's language;
	// nil writes them in English.
	Catalog *i18n.Catalog
}

// Module is the leads domain: the entity, conversion, speed to lead and
// their API and pages.
type Module struct {
	db       *store.DB
	records  *records.Store
	entity   *records.Entity
	contacts *records.Entity
	accounts *records.Entity
	cfg      Config
}

// New returns the module over the records store.
func New(rs *records.Store, cfg Config) *Module {
	db := rs.DB()
	m := &Module{db: db, records: rs, cfg: cfg,
		contacts: contacts.Entity(db.Engine), accounts: accounts.Entity(db.Engine)}
	m.entity = m.newEntity()
	return m
}

// Entity describes leads for the records machinery; register it with the
// app's other entities.
func (m *Module) Entity() *records.Entity { return m.entity }

func (m *Module) now() time.Time { return m.records.Now() }

func (m *Module) newEntity() *records.Entity {
	ro := func(f records.Field) records.Field { f.ReadOnly = true; return f }
	e := &records.Entity{
		Name: "leads", Table: "leads", Alias: "l", Label: "nav.leads", Singular: "entity.lead",
		Owned: true, DefaultSort: "-created_at",
		ListFilters: []records.ListFilter{{Field: "owner"}, {Field: "status"}, {Field: "rating"}, {Field: "response_due_at"}},
		Presets: []records.Preset{
			{Label: "leads.preset.mine_due_today", Filter: "owner = me and response_due_at >= today and response_due_at < tomorrow", Sort: "response_due_at"},
			{Label: "leads.preset.late", Filter: "overdue = true", Sort: "response_due_at"},
		},
		Searched: true, TitleSQL: "trim(l.first_name || ' ' || COALESCE(l.last_name, ''))",
		Fields: []records.Field{
			{Name: "first_name", Label: "field.first_name", Kind: records.Text, Column: "first_name", Required: true, MaxLen: 100, InList: true, PrefixIndex: true},
			{Name: "last_name", Label: "field.last_name", Kind: records.Text, Column: "last_name", MaxLen: 100, InList: true, PrefixIndex: true},
			{Name: "company", Label: "field.company", Kind: records.Text, Column: "company", MaxLen: 200, InList: true},
			{Name: "job_title", Label: "field.job_title", Kind: records.Text, Column: "job_title"},
			{Name: "email", Label: "field.email", Kind: records.Email, Column: "email", InList: true},
			{Name: "phone", Label: "field.phone", Kind: records.Phone, Column: "phone", Normalize: records.NormalizePhone, InList: true},
			{Name: "rating", Label: "field.rating", Kind: records.Select, Column: "rating", Choices: Ratings, InList: true},
			{Name: "status", Label: "field.lead_status", Kind: records.Select, Column: "status", Choices: Statuses, InList: true},
			{Name: "source", Label: "field.source", Kind: records.Select, Column: "source", Choices: Sources},
			{Name: "city", Label: "field.city", Kind: records.Text, Column: "city"},
			ro(records.Field{Name: "score", Label: "field.score", Kind: records.Integer, Column: "score", InList: true}),
			ro(records.Field{Name: "score_reasons", Label: "field.score_reasons", Kind: records.List, Column: "score_reasons", Show: showReasons}),
			ro(records.Field{Name: "assigned_at", Label: "field.assigned_at", Kind: records.DateTime, Column: "assigned_at"}),
			ro(records.Field{Name: "response_due_at", Label: "field.response_due_at", Kind: records.DateTime, Column: "response_due_at"}),
			ro(records.Field{Name: "first_response_at", Label: "field.first_response_at", Kind: records.DateTime, Column: "first_response_at"}),
			ro(records.Field{Name: "response_seconds", Label: "field.response_seconds", Kind: records.Integer, Unit: records.Seconds, Column: "response_seconds"}),
			ro(records.Field{Name: "overdue", Label: "field.overdue", Kind: records.Bool, Column: "overdue"}),
			ro(records.Field{Name: "converted_at", Label: "field.converted_at", Kind: records.DateTime, Column: "converted_at"}),
			ro(records.Field{Name: "converted_contact_id", Label: "field.converted_contact", Kind: records.Ref, Column: "converted_contact_id", Ref: "contacts",
				RefTitle: "(SELECT trim(first_name || ' ' || COALESCE(last_name, '')) FROM contacts WHERE id = $col)"}),
			ro(records.Field{Name: "converted_account_id", Label: "field.converted_account", Kind: records.Ref, Column: "converted_account_id", Ref: "accounts",
				RefTitle: "(SELECT name FROM accounts WHERE id = $col)"}),
			ro(records.Field{Name: "converted_opportunity_id", Label: "field.converted_opportunity", Kind: records.Ref, Column: "converted_opportunity_id", Ref: "opportunities",
				RefTitle: m.cfg.DealTitleSQL}),
		},
		Actions: []records.Action{{
			Label:  "leads.convert",
			URL:    func(r *records.Record) string { return "/leads/" + strconv.FormatInt(r.ID, 10) + "/convert" },
			Method: "GET",
			Show: func(p auth.Principal, r *records.Record) bool {
				return r.DeletedAt == nil && r.String("status") != StatusConverted && p.CanWriteAny() == nil
			},
		}},
		Panels: []records.Panel{{Title: "leads.score_panel", Template: "leads_score_panel", Data: scorePanel}},
	}
	e.BeforeSave = m.beforeSave
	e.AfterSave = m.afterSave
	return e
}

// indexForSearch keeps the lead's global search document in step.
func indexForSearch(ctx context.Context, tx *sql.Tx, engine store.Engine, r *records.Record) error {
	if r.DeletedAt != nil {
		return search.Remove(ctx, tx, engine, "leads", r.ID)
	}
	var phones []string
	if p := r.String("phone"); p != "" {
		phones = []string{p}
	}
	var emails []string
	if e := r.String("email"); e != "" {
		emails = []string{e}
	}
	title := strings.TrimSpace(r.String("first_name") + " " + r.String("last_name"))
	body := strings.Join([]string{r.String("company"), search.WordsAndParts(emails), search.PhoneWords(phones), r.String("job_title"), r.String("city")}, " ")
	detail := search.Detail{Company: r.String("company"), Emails: emails, Phones: phones, Status: r.String("status"), JobTitle: r.String("job_title"), City: r.String("city")}
	return search.Index(ctx, tx, engine, search.Doc{Entity: "leads", ID: r.ID, OwnerID: r.OwnerID, Title: title, Body: body, Detail: detail})
}
