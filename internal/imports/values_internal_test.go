package imports

import (
	"slices"
	"strings"
	"testing"

	"github.com/relasi/relasi/internal/accounts"
	"github.com/relasi/relasi/internal/contacts"
	"github.com/relasi/relasi/internal/i18n"
	"github.com/relasi/relasi/internal/leads"
	"github.com/relasi/relasi/internal/orders"
	"github.com/relasi/relasi/internal/records"
	"github.com/relasi/relasi/internal/store"
)

// choiceFieldsForTest are the select fields of the importable entities, by
// "entity.field".
func choiceFieldsForTest() map[string]records.Field {
	leadEntity := leads.New(records.NewStore(&store.DB{Engine: store.SQLite}), leads.Config{}).Entity()
	out := map[string]records.Field{}
	for _, e := range []*records.Entity{contacts.Entity(store.SQLite), leadEntity, accounts.Entity(store.SQLite),
		orders.ProductEntity(store.SQLite), orders.OrderEntity(store.SQLite)} {
		for _, f := range e.Fields {
			if f.Kind == records.Select {
				out[e.Name+"."+f.Name] = f
			}
		}
	}
	return out
}

// The table names real choices, gives each value one meaning per field,
// and agrees with what the choices' labels already match: a value it
// leaves unguessed on purpose is guessed by nothing else either.
func TestChoiceSynonymsTable(t *testing.T) {
	catalog, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	fields := choiceFieldsForTest()
	seen := map[string]ChoiceSynonym{}
	for _, s := range ChoiceSynonyms {
		if s.System == "" || s.Column == "" || s.Value == "" {
			t.Errorf("incomplete row %+v", s)
		}
		names := []string{s.Field}
		if !strings.Contains(s.Field, ".") {
			names = []string{"contacts." + s.Field, "leads." + s.Field}
		}
		for _, name := range names {
			f, ok := fields[name]
			if !ok {
				t.Errorf("%+v: %s is not a select field of an importable entity", s, name)
				continue
			}
			if s.Choice != "" && !slices.Contains(f.Choices, s.Choice) {
				t.Errorf("%+v: %q is not a choice of %s (%v)", s, s.Choice, name, f.Choices)
			}
			k := name + "/" + normalize(s.Value)
			if prev, dup := seen[k]; dup && prev.Choice != s.Choice {
				t.Errorf("%q means %q for %s (%s) and %q (%s)", s.Value, prev.Choice, name, prev.System, s.Choice, s.System)
			}
			seen[k] = s
			entity, _, _ := strings.Cut(name, ".")
			if got := matchChoice(catalog, entity, f, s.Value); got != s.Choice {
				t.Errorf("%s %q of %s: guessed %q, the table says %q", s.System, s.Value, name, got, s.Choice)
			}
		}
	}
	// The values the big CRMs write, each one looked at.
	for field, values := range map[string][]string{
		"contacts.lifecycle_stage": {"Subscriber", "Lead", "Marketing Qualified Lead", "Sales Qualified Lead", "Opportunity", "Customer", "Evangelist", "Other",
			"Prospecting", "Qualification", "Needs Analysis", "Value Proposition", "Id. Decision Makers", "Perception Analysis", "Proposal/Price Quote",
			"Negotiation/Review", "Closed Won", "Closed Lost", "open", "won", "lost"},
		"leads.status": {"New", "Open", "In Progress", "Open Deal", "Unqualified", "Attempted to Contact", "Connected", "Bad Timing",
			"Open - Not Contacted", "Working - Contacted", "Closed - Converted", "Closed - Not Converted",
			"Contact in Future", "Contacted", "Junk Lead", "Lost Lead", "Not Contacted", "Pre-Qualified", "Not Qualified", "won", "lost"},
		"leads.rating": {"Hot", "Warm", "Cold"},
		"leads.source": {"Web", "Phone Inquiry", "Partner Referral", "Trade Show", "Purchased List", "Other",
			"Advertisement", "Cold Call", "Employee Referral", "External Referral", "Online Store", "Partner", "Public Relations",
			"Sales Email Alias", "Seminar Partner", "Internal Seminar", "Web Download", "Web Research", "Chat", "Web forms"},
	} {
		for _, v := range values {
			if _, ok := seen[field+"/"+normalize(v)]; !ok {
				t.Errorf("%s: the table has no row for %q", field, v)
			}
		}
	}
}

func TestValueMatching(t *testing.T) {
	catalog, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	fields := choiceFieldsForTest()
	for _, tc := range []struct{ field, value, want string }{
		{"contacts.lifecycle_stage", "marketing qualified lead", "lead"},
		{"contacts.lifecycle_stage", "  Pelanggan  ", "customer"}, // the Indonesian label
		{"contacts.lifecycle_stage", "Other", ""},
		{"leads.status", "CLOSED - NOT CONVERTED", "unqualified"},
		{"leads.status", "Sudah dihubungi", "contacted"},
		{"leads.source", "web_form", "web_form"},
		{"leads.source", "Formulir web", "web_form"},
		{"orders.status", "Lunas", "paid"},
		{"orders.status", "Open", ""},
		{"accounts.industry", "Perbankan", "banking"},
	} {
		entity, _, _ := strings.Cut(tc.field, ".")
		if got := matchChoice(catalog, entity, fields[tc.field], tc.value); got != tc.want {
			t.Errorf("%s %q: %q, want %q", tc.field, tc.value, got, tc.want)
		}
	}
	custom := records.CustomField{Key: "tier", Label: "Tier", Kind: records.Select, Choices: []string{"Gold", "Silver"}}.Field()
	if got := matchChoice(catalog, "contacts", custom, "gold"); got != "Gold" {
		t.Errorf("custom choice: %q", got)
	}
	if got := matchChoice(catalog, "contacts", custom, "Hot"); got != "" {
		t.Errorf("a custom field took a synonym: %q", got)
	}
}

func TestParseMappingFile(t *testing.T) {
	mf, err := ParseMappingFile([]byte(`{"Surel": "emails", "Catatan": "", "Lifecycle Stage": {"field": "lifecycle_stage", "values": {"Other": "!empty"}},
		"Lead Status": {"values": {"Bad Timing": "!reject"}}}`))
	if err != nil {
		t.Fatal(err)
	}
	if mf.Fields["Surel"] != "emails" || mf.Fields["Catatan"] != "" || mf.Fields["Lifecycle Stage"] != "lifecycle_stage" || len(mf.Fields) != 3 {
		t.Errorf("fields %v", mf.Fields)
	}
	if mf.Values["Lifecycle Stage"]["Other"] != ValueEmpty || mf.Values["Lead Status"]["Bad Timing"] != ValueReject {
		t.Errorf("values %v", mf.Values)
	}
	for _, bad := range []string{`[]`, `{"A": 1}`, `{"A": {"feld": "x"}}`, `{"A": {"values": {"x": 1}}}`} {
		if _, err := ParseMappingFile([]byte(bad)); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
}
