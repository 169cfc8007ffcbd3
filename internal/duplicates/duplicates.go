// Package duplicates finds records that are likely the same customer
// entered twice — contacts, accounts and leads sharing an e-mail address, a
// phone number or a near-identical name at the same company, each group
// with a score that weighs that evidence (score.go) — and merges them:
// the user picks each field's surviving value, the survivor keeps every
// related record and the whole history, the others go to the trash, and a
// log of what moved makes every merge undoable.
//
// What makes two records likely duplicates (Rule) and which columns of
// other tables point at a record (References) are declared as data in this
// package: a new module that links to contacts adds one line there.
package duplicates

import (
	"context"
	"database/sql"
	"embed"
	"io/fs"
	"regexp"
	"strings"

	"github.com/relasi/relasi/internal/errs"
	"github.com/relasi/relasi/internal/records"
	"github.com/relasi/relasi/internal/store"
)

//go:embed templates/*.html
var templates embed.FS

// Templates are this package's pages and partials, for web.NewRenderer.
func Templates() fs.FS {
	sub, _ := fs.Sub(templates, "templates")
	return sub
}

// Rule says how likely duplicates of one entity are found and merged.
// Queries about the entity's table use the alias x.
type Rule struct {
	// Sources are values two records share when they are probably the
	// same customer: an e-mail address, a phone number, a web domain.
	Sources []Source
	// Name compares names; nil for none.
	Name *NameRule
	// Show are the fields the list of duplicates shows beside each name.
	Show []string
	// Latest are read-only date fields whose latest value across the
	// merged records the survivor takes (the last activity).
	Latest []string
	// Keep are fields whose value a merge takes from the survivor unless
	// the user chooses otherwise (a lead's status, which only moves by the
	// rules of its own workflow).
	Keep []string
}

// Source is one kind of shared value.
type Source struct {
	Reason string // "email", "phone", "domain": the catalog's duplicates.reason.<Reason>
	// SQL selects (id, value) pairs of the entity's records, with values
	// already in one comparable form (e-mails lower-case, phones E.164).
	SQL string
}

// NameRule compares normalised names (see PersonKey and CompanyKey):
// names at least similarNames alike (see NameSimilarity) are candidates —
// within one scope when Scope is set (the same account), else across all
// records — and the score (see score.go) decides which are offered.
type NameRule struct {
	Reason string // catalog key suffix: "name" (at the same company) or "company_name"
	SQL    string // the name, over alias x
	// Scope is what similar names must share, over alias x, or "" for
	// nothing; a record whose scope is empty is compared with no one.
	Scope string
	// Key normalises the name and ScopeKey the scope.
	Key      func(string) string
	ScopeKey func(string) string
}

// Rules are the entities whose duplicates Relasi looks for, by entity name.
var Rules = map[string]Rule{
	"contacts": {
		Sources: []Source{
			{Reason: "email", SQL: "SELECT contact_id AS id, email AS value FROM contact_emails"},
			{Reason: "phone", SQL: "SELECT contact_id AS id, phone AS value FROM contact_phones"},
		},
		Name: &NameRule{Reason: "name", SQL: "x.first_name || ' ' || COALESCE(x.last_name, '')",
			Scope: "CAST(x.account_id AS TEXT)", Key: PersonKey, ScopeKey: func(s string) string { return s }},
		Show:   []string{"emails", "phones", "account_id", "job_title", "city"},
		Latest: []string{"last_activity_at"},
	},
	"accounts": {
		Sources: []Source{
			{Reason: "domain", SQL: "SELECT id, domain AS value FROM accounts WHERE domain IS NOT NULL AND domain <> ''"},
			{Reason: "phone", SQL: "SELECT id, phone AS value FROM accounts WHERE phone IS NOT NULL AND phone <> ''"},
		},
		Name:   &NameRule{Reason: "company_name", SQL: "x.name", Key: CompanyKey},
		Show:   []string{"domain", "phone", "website", "city"},
		Latest: []string{"last_activity_at"},
	},
	"leads": {
		Sources: []Source{
			{Reason: "email", SQL: "SELECT id, email AS value FROM leads WHERE email IS NOT NULL AND email <> ''"},
			{Reason: "phone", SQL: "SELECT id, phone AS value FROM leads WHERE phone IS NOT NULL AND phone <> ''"},
		},
		Name: &NameRule{Reason: "name", SQL: "x.first_name || ' ' || COALESCE(x.last_name, '')",
			Scope: "x.company", Key: PersonKey, ScopeKey: CompanyKey},
		Show: []string{"email", "phone", "company", "status"},
		Keep: []string{"status"},
	},
}

// nameSQL is the name and the scope of a record over alias (for x in
// the Rule's SQL), as text; empty text for what the Rule has not.
func (r Rule) nameSQL(alias string) (name, scope string) {
	name, scope = "''", "''"
	if nr := r.Name; nr != nil {
		name = "COALESCE(" + overAlias(nr.SQL, alias) + ", '')"
		if nr.Scope != "" {
			scope = "COALESCE(" + overAlias(nr.Scope, alias) + ", '')"
		}
	}
	return name, scope
}

// aliasX finds the alias x in a Rule's SQL.
var aliasX = regexp.MustCompile(`\bx\.`)

// overAlias is a Rule's SQL over alias x rewritten for another alias.
func overAlias(sql, alias string) string {
	return aliasX.ReplaceAllString(sql, alias+".")
}

// side normalises a record's name and scope as read by nameSQL.
func (r Rule) side(raw side) side {
	nr := r.Name
	if nr == nil {
		return side{}
	}
	s := side{name: nr.Key(raw.name)}
	if nr.Scope != "" {
		s.scope = raw.scope
		if nr.ScopeKey != nil {
			s.scope = nr.ScopeKey(raw.scope)
		}
	}
	return s
}

// Config is what the app plugs into the module.
type Config struct {
	// Reindex runs, in the merge's (or undo's) transaction, for every
	// record of an entity whose related records changed hands: other
	// modules rebuild what they derived from the link. For accounts the
	// app passes contacts.ReindexAccount and deals.ReindexAccount, whose
	// search documents hold their account's name.
	Reindex map[string][]func(ctx context.Context, tx *sql.Tx, engine store.Engine, id int64) error
}

// Module finds, merges and unmerges duplicates.
type Module struct {
	db       *store.DB
	records  *records.Store
	entities map[string]*records.Entity
	names    []string // entity names in the app's order, for tabs
	cfg      Config
}

// New returns the module for the entities of reg that have a Rule.
func New(rs *records.Store, reg *records.Registry, cfg Config) *Module {
	m := &Module{db: rs.DB(), records: rs, entities: map[string]*records.Entity{}, cfg: cfg}
	for _, e := range reg.All() {
		if _, ok := Rules[e.Name]; ok {
			m.entities[e.Name] = e
			m.names = append(m.names, e.Name)
		}
	}
	return m
}

// entity returns a served entity by name, or a field error naming param.
func (m *Module) entity(name, param string) (*records.Entity, Rule, error) {
	e, ok := m.entities[name]
	if !ok {
		var fe errs.Fields
		fe.Add(param, "invalid_choice", "must be one of: %s", strings.Join(m.names, ", "))
		return nil, Rule{}, fe.Err()
	}
	return e, Rules[name], nil
}
