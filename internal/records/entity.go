package records

import (
	"context"
	"database/sql"
	"net/url"

	"github.com/relasi/relasi/internal/auth"
)

// Entity describes one record type. Every entity table has the columns
// id, owner_id (when Owned), custom, created_at, updated_at, created_by,
// updated_by, deleted_at and version, besides its fields' columns.
type Entity struct {
	Name     string // "contacts": the API path and the name in history
	Table    string
	Alias    string // "c", used in all SQL about the entity
	Label    string // catalog key of the plural, e.g. "nav.contacts"
	Singular string // catalog key of one, e.g. "entity.contact"
	Owned    bool
	Fields   []Field // standard fields, in the order forms show them
	// TitleSQL gives a record's display name, e.g.
	// "trim(c.first_name || ' ' || COALESCE(c.last_name, ''))".
	TitleSQL    string
	DefaultSort string
	// Searched says that the entity's records are in the search index
	// (internal/search), which its lookup (the pickers of forms that link
	// to it) reads. An unowned entity that is not (a catalogue such as
	// products) is looked up by TitleSQL, a scan of a small table; an
	// owned one that is not (activities) has no lookup, as it may be
	// large.
	Searched bool
	// Related adds filter-only fields read from linked records
	// ("account.employees").
	Related []Related

	// BeforeSave may change the new values or refuse the save; it runs in
	// the write transaction after field validation.
	BeforeSave func(ctx context.Context, tx *sql.Tx, c *Change) error
	// AfterSave keeps side tables in step (search index, lookups); it runs
	// in the same transaction, so a failure undoes the whole save.
	AfterSave func(ctx context.Context, tx *sql.Tx, c *Change) error

	// Panels and Actions extend the detail page.
	Panels  []Panel
	Actions []Action
	// ListFilters are the controls in the list's header; nil offers the
	// owner and the first select fields. Presets are ready-made views
	// offered beside the saved ones.
	ListFilters []ListFilter
	Presets     []Preset
	// Linked lists, on the detail page, the records of other entities
	// that name this one.
	Linked []Linked
	// ListLinks extend the list page's toolbar with other modules' pages
	// about the entity (import a file, find duplicates).
	ListLinks []ListLink
}

// ListLink is a button on an entity's list page.
type ListLink struct {
	Label  string // catalog key
	Href   string
	TestID string
	// Create limits the link to users who may create records.
	Create bool
}

// Change is what a save is about to do, for hooks.
type Change struct {
	Actor  auth.Principal
	Action string  // "created", "updated", "deleted", "restored"
	Old    *Record // nil when creating
	New    *Record
	// Origin is where the write comes from (an import, quiet or not);
	// the zero Origin for a record typed in.
	Origin Origin
}

// Field returns the standard field with this name.
func (e *Entity) Field(name string) (Field, bool) {
	for _, f := range e.Fields {
		if f.Name == name {
			return f, true
		}
	}
	return Field{}, false
}

// ownerField is the owner of owned entities.
func (e *Entity) ownerField() Field {
	return Field{Name: "owner_id", Label: "field.owner", Kind: User, Column: "owner_id", InList: true,
		RefTitle: "(SELECT name FROM users WHERE id = $col)"}
}

// systemFields are the fields every entity has, set by Relasi.
func (e *Entity) systemFields() []Field {
	return []Field{
		{Name: "id", Label: "field.id", Kind: Integer, Column: "id", ReadOnly: true},
		{Name: "created_at", Label: "field.created", Kind: DateTime, Column: "created_at", ReadOnly: true},
		{Name: "updated_at", Label: "field.updated", Kind: DateTime, Column: "updated_at", ReadOnly: true},
	}
}

// Panel is a section a domain adds to an entity's detail page (related
// records, the timeline, a conversion summary). Template names a partial
// (a {{define}} in the domain's _*.html) that receives PanelView.
type Panel struct {
	Title    string // catalog key
	Template string
	Data     func(ctx context.Context, p auth.Principal, r *Record) (any, error)
	// Show, when set, says whether p sees the panel at all (a form that
	// p may not submit is not shown).
	Show func(p auth.Principal, r *Record) bool
}

// Action is a button on a detail page that leads to a domain operation,
// e.g. "Convert" on a lead.
type Action struct {
	Label string // catalog key
	// URL is where the button goes; Method "POST" makes it a form with the
	// CSRF token, anything else a link.
	URL    func(r *Record) string
	Method string
	Show   func(p auth.Principal, r *Record) bool
}

// PanelView is what a panel's template receives: the page (for T, Fmt,
// CSRF), the record and the panel's data.
type PanelView struct {
	Page   any
	Record *Record
	Data   any
}

// NewFrom is the action "label" on a detail page that opens the form of
// a new record at base ("/opportunities") prefilled from the record: a
// new deal from a contact names the contact and its account. prefill
// gives the form's values; the form checks them as if typed.
func NewFrom(label, base string, prefill func(r *Record) url.Values) Action {
	return Action{Label: label, Method: "GET",
		URL: func(r *Record) string {
			if q := prefill(r).Encode(); q != "" {
				return base + "/new?" + q
			}
			return base + "/new"
		},
		Show: func(p auth.Principal, r *Record) bool { return r.DeletedAt == nil && p.CanWriteAny() == nil }}
}
