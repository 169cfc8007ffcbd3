package imports

import (
	"testing"

	"github.com/relasi/relasi/internal/errs"
	"github.com/relasi/relasi/internal/i18n"
)

func TestSpreadsheetValues(t *testing.T) {
	for _, tc := range []struct {
		name string
		conv func(string) string
		in   string
		want string
	}{
		{"date", date, "31/01/1990", "1990-01-31"},
		{"date", date, "1-2-2003", "2003-02-01"},
		{"date", date, "31.12.99", "1999-12-31"},
		{"date", date, "1990-01-31", "1990-01-31"},
		{"date", date, "1990-01-31 08:00:00", "1990-01-31"},
		{"date", date, "17 Agustus 1945", "1945-08-17"},
		{"date", date, "17 Agt 1945", "1945-08-17"},
		{"date", date, "August 17, 1945", "1945-08-17"},
		{"date", date, "32904", "1990-01-31"},
		{"date", date, "30/02/1990", "30/02/1990"},
		{"date", date, "kemarin", "kemarin"},
		{"money", func(s string) string { return money(s, "IDR") }, "Rp 1.500.000", "1500000"},
		{"money", func(s string) string { return money(s, "IDR") }, "1.500.000,50", "1500000.5"},
		{"money", func(s string) string { return money(s, "IDR") }, "1,500,000.50", "1500000.5"},
		{"money", func(s string) string { return money(s, "IDR") }, "85000", "85000"},
		{"money", func(s string) string { return money(s, "USD") }, "US$1,234.50", "1234.5"},
		{"money", func(s string) string { return money(s, "IDR") }, "gratis", "gratis"},
		{"integer", integer, "1.250", "1250"},
		{"integer", integer, "12,000", "12000"},
		{"integer", integer, "250.0", "250"},
		{"integer", integer, "banyak", "banyak"},
		{"number", number, "1.234,5", "1234.5"},
		{"number", number, "1,234.5", "1234.5"},
		{"number", number, "0.75", "0.75"},
		{"boolean", boolean, "Ya", "true"},
		{"boolean", boolean, "tidak", "false"},
		{"boolean", boolean, "Aktif", "true"},
		{"boolean", boolean, "mungkin", "mungkin"},
	} {
		if got := tc.conv(tc.in); got != tc.want {
			t.Errorf("%s(%q) = %q, want %q", tc.name, tc.in, got, tc.want)
		}
	}
}

func TestSplitName(t *testing.T) {
	for in, want := range map[string][2]string{
		"Budi Santoso":            {"Budi", "Santoso"},
		"Sukarno":                 {"Sukarno", ""},
		" Siti  Nurhaliza Rahma ": {"Siti", "Nurhaliza Rahma"},
	} {
		if f, l := splitName(in); f != want[0] || l != want[1] {
			t.Errorf("splitName(%q) = %q, %q", in, f, l)
		}
	}
}

func TestUnescapeFormula(t *testing.T) {
	for in, want := range map[string]string{
		"'=SUM(A1:A9)": "=SUM(A1:A9)",
		"'+6281234":    "+6281234",
		"'-5":          "-5",
		"'@budi":       "@budi",
		"'tis":         "'tis",
		"'":            "'",
		"=1+1":         "=1+1",
	} {
		if got := unescapeFormula(in); got != want {
			t.Errorf("unescapeFormula(%q) = %q, want %q", in, got, want)
		}
	}
}

// A rejected row's reason is stored as facts and worded for the reader:
// in Indonesian with the field's label, in English as the API has it, and
// a reason stored as plain text before facts still reads as it was.
func TestRejectedRowReasonsAreFacts(t *testing.T) {
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	c := &converter{sources: map[string][]string{"phones": {"Telepon"}}}
	var fe errs.Fields
	fe.Add("phones", "invalid_phone", "holds %q, which is not a phone number", "0813")
	fe.Add("first_name", "required", "is required")
	stored := c.reason(fe.Err())
	r := ReadReason(stored)
	if want := `field first_name: is required; field phones (column "Telepon"): holds "0813", which is not a phone number`; r.English != want {
		t.Errorf("English = %q, want %q", r.English, want)
	}
	id := catalogIn{cat, "id"}
	labels := map[string]string{"phones": "Nomor telepon", "first_name": "Nama depan"}
	got := r.Say(id, func(f string) string { return labels[f] })
	if want := `kolom Nama depan: wajib diisi; kolom Nomor telepon (kolom "Telepon" di berkas): berisi "0813", yang bukan nomor telepon`; got != want {
		t.Errorf("Indonesian = %q, want %q", got, want)
	}
	dup := ReadReason(rowReason("imports.reason.duplicate_record", []any{"phone", "+62813", "contacts", int64(12)},
		[]string{"imports.key.phone", "", "nav.contacts"}, "duplicate: the same phone (+62813) as contacts 12"))
	if got, want := dup.Say(id, nil), "duplikat: telepon yang sama (+62813) dengan data Kontak #12"; got != want {
		t.Errorf("duplicate = %q, want %q", got, want)
	}
	old := ReadReason("field phones: is not a phone number")
	if got := old.Say(id, nil); got != "field phones: is not a phone number" {
		t.Errorf("an old reason reads %q", got)
	}
}

// catalogIn is the catalog in one language, as a Translator.
type catalogIn struct {
	c    *i18n.Catalog
	lang string
}

func (t catalogIn) T(key string, args ...any) string { return t.c.T(t.lang, key, args...) }
func (t catalogIn) HasMessage(key string) bool       { return t.c.Has(key) }
