package search

import (
	"encoding/json"
	"slices"
	"strings"

	"github.com/relasi/relasi/internal/phone"
)

// Detail is what a hit shows under a record's name, kept with its search
// document (search_docs.detail, as JSON) in the form the record holds it:
// the document's body is lower-cased words for matching, no line to read.
// A domain package fills what its records have; empty fields are left out.
type Detail struct {
	Company     string   `json:"company,omitempty"` // the account's name, or a lead's company
	Emails      []string `json:"emails,omitempty"`
	Phones      []string `json:"phones,omitempty"` // as stored (E.164); shown as the record's page shows them
	JobTitle    string   `json:"job_title,omitempty"`
	City        string   `json:"city,omitempty"`
	Domain      string   `json:"domain,omitempty"`
	Website     string   `json:"website,omitempty"`
	Status      string   `json:"status,omitempty"` // a choice value (an order's or a lead's status), translated by the page
	SKU         string   `json:"sku,omitempty"`
	Category    string   `json:"category,omitempty"`
	ExternalIDs []string `json:"external_ids,omitempty"` // "hubspot:1025", added by withExternalIDs
}

// Field is one labelled value of a hit: Name says what it is ("email",
// "phone", "company", "status", "sku", …, the key of its label
// search.field.<name>), Value is shown as the record's page shows it.
type Field struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// Encode is the detail as search_docs stores it: JSON, "{}" for none.
func (d Detail) Encode() string {
	b, err := json.Marshal(d)
	if err != nil { // a struct of strings always marshals
		return "{}"
	}
	return string(b)
}

// decodeDetail reads a stored detail; a damaged one reads as none, so a
// hit still shows its name.
func decodeDetail(s string) Detail {
	var d Detail
	_ = json.Unmarshal([]byte(s), &d)
	return d
}

// shown is a field of a hit with the words it matches: its value lower
// case, or a phone's digits in every typed form.
type shown struct {
	Field
	words  []string
	stored string // a phone as stored
}

// fields lists every value of the detail in the order a hit shows them,
// each as the page shows it.
func (d Detail) fields() []shown {
	var out []shown
	add := func(name string, values ...string) {
		for _, v := range values {
			if v = strings.TrimSpace(v); v != "" {
				out = append(out, shown{Field{name, v}, []string{strings.ToLower(v)}, ""})
			}
		}
	}
	add("company", d.Company)
	add("status", d.Status)
	add("sku", d.SKU)
	add("category", d.Category)
	add("email", d.Emails...)
	for _, p := range d.Phones {
		if p = strings.TrimSpace(p); p != "" {
			// Its digits as stored and as shown: the international and,
			// for a number of this country, the national form. (A foreign
			// number's national form costs another parse: bestMatch reads
			// it only when nothing else matched.)
			shownAs := phone.DisplayIn(p, phone.DefaultRegion)
			out = append(out, shown{Field{"phone", shownAs}, []string{phone.Digits(p), phone.Digits(shownAs)}, p})
		}
	}
	add("domain", d.Domain)
	add("website", d.Website)
	add("job_title", d.JobTitle)
	add("city", d.City)
	add("external_id", d.ExternalIDs...)
	return out
}

// summaryNames are the fields a hit's readable line shows, one value of
// each at most: who the record is with and how to reach them, an order's
// status, a product's SKU. The rest are shown only when the query matched
// them.
var summaryNames = []string{"company", "status", "sku", "category", "email", "phone", "domain"}

// readable returns a hit's readable line and the field the query q
// matched: nil when the name holds every word (the name is what matched),
// unless a field holds the query as typed and the name does not ("KOP-200"
// is the SKU of "Kopi … 200 g"). The line leaves out the matched value,
// which the hit shows with its label.
func readable(title string, d Detail, q string, words []string) (line []Field, match *Field) {
	all := d.fields()
	matched := -1
	q = strings.ToLower(strings.TrimSpace(q))
	if titleRank(title, words) == 2 {
		matched = bestMatch(all, words)
	} else if !strings.Contains(strings.ToLower(title), q) {
		matched = slices.IndexFunc(all, func(f shown) bool { return f.stored == "" && strings.Contains(f.words[0], q) })
	}
	if matched >= 0 {
		match = &all[matched].Field
	}
	for _, name := range summaryNames {
		for i, f := range all {
			if f.Name == name && i != matched {
				line = append(line, f.Field)
				break
			}
		}
	}
	return line, match
}

// bestMatch is the index of the field that holds the most words of the
// query, the first such in display order, or -1 for none.
func bestMatch(fields []shown, words []string) int {
	best, most := -1, 0
	for i, f := range fields {
		n := 0
		for _, w := range words {
			if slices.ContainsFunc(f.words, func(fw string) bool { return strings.Contains(fw, w) }) {
				n++
			}
		}
		if n > most {
			best, most = i, n
		}
	}
	if best < 0 && len(words) == 1 {
		// A phone query (terms makes it one word of digits) typed in a
		// foreign number's national form.
		for i, f := range fields {
			if f.stored != "" && slices.ContainsFunc(phone.SearchForms(f.stored), func(form string) bool { return strings.Contains(form, words[0]) }) {
				return i
			}
		}
	}
	return best
}

// lineText joins a readable line for the API's detail and exports.
func lineText(line []Field) string {
	vals := make([]string, len(line))
	for i, f := range line {
		vals[i] = f.Value
	}
	return strings.Join(vals, " · ")
}
