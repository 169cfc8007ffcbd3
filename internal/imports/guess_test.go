package imports_test

import (
	"reflect"
	"testing"

	"github.com/relasi/relasi/internal/accounts"
	"github.com/relasi/relasi/internal/contacts"
	"github.com/relasi/relasi/internal/i18n"
	"github.com/relasi/relasi/internal/imports"
	"github.com/relasi/relasi/internal/leads"
	"github.com/relasi/relasi/internal/orders"
	"github.com/relasi/relasi/internal/records"
	"github.com/relasi/relasi/internal/store"
)

// targetsFor lists an entity's targets with a custom field "Nomor KTP"
// (key ktp) as an admin would add it.
func targetsFor(t testing.TB, e *records.Entity) []imports.Target {
	t.Helper()
	catalog, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	custom := records.CustomField{Key: "ktp", Label: "Nomor KTP", Kind: records.Text}.Field()
	return imports.Targets(e, append(append([]records.Field{}, e.Fields...), custom), catalog)
}

func TestGuessIndonesianAndEnglishHeaders(t *testing.T) {
	leadEntity := leads.New(records.NewStore(&store.DB{Engine: store.SQLite}), leads.Config{}).Entity()
	for _, tc := range []struct {
		entity *records.Entity
		header []string
		want   []string
	}{
		{contacts.Entity(store.SQLite),
			[]string{"Nama Depan", "Nama Belakang", "Telepon", "Surel", "Perusahaan", "Jabatan", "Kota"},
			[]string{"first_name", "last_name", "phones", "emails", "account_name", "job_title", "city"}},
		{contacts.Entity(store.SQLite),
			[]string{"NAMA", "No. HP", "WhatsApp", "E-mail", "Email 2", "Alamat", "Provinsi", "Kode Pos", "Sumber", "Tanggal Lahir", "Label", "Catatan"},
			[]string{"full_name", "phones", "phones", "emails", "emails", "street", "province", "postal_code", "source", "birth_date", "tags", ""}},
		{contacts.Entity(store.SQLite),
			[]string{"Nama Lengkap", "Nama Depan", "nomor_ktp", "KTP", "Telp. Kantor", "Alamat email kantor", "first_name", "Tahap siklus hidup"},
			[]string{"", "first_name", "custom.ktp", "", "phones", "emails", "", "lifecycle_stage"}},
		{contacts.Entity(store.SQLite),
			[]string{"First Name", "Last Name", "Email Address", "Mobile Phone", "Company", "Title", "City", "Zip"},
			[]string{"first_name", "last_name", "emails", "phones", "account_name", "job_title", "city", "postal_code"}},
		{leadEntity,
			[]string{"Nama", "Perusahaan", "Surel", "Surel Pribadi", "No. WA", "Telepon", "Sumber", "Rating", "Status"},
			[]string{"full_name", "company", "email", "", "phone", "", "source", "rating", "status"}},
		{accounts.Entity(store.SQLite),
			[]string{"Nama Perusahaan", "Domain", "Industri", "Jumlah Karyawan", "Telepon", "Website", "Kota"},
			[]string{"name", "domain", "industry", "employees", "phone", "website", "city"}},
		{orders.ProductEntity(store.SQLite),
			[]string{"SKU", "Nama Produk", "Harga", "Mata Uang", "Kategori", "Aktif", "Deskripsi"},
			[]string{"sku", "name", "unit_price", "currency", "category", "active", "description"}},
		{orders.OrderEntity(store.SQLite),
			[]string{"Email", "Perusahaan", "Tanggal Pesanan", "Status", "Catatan"},
			[]string{"contact_email", "account_name", "ordered_at", "status", "notes"}},
	} {
		got := imports.Guess(tc.entity.Name, tc.header, targetsFor(t, tc.entity))
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s %q:\n got %q\nwant %q", tc.entity.Name, tc.header, got, tc.want)
		}
	}
}

func TestMappingFromHeaders(t *testing.T) {
	targets := targetsFor(t, contacts.Entity(store.SQLite))
	header := []string{"Nama", "Surel", "Catatan", "HP"}
	base := imports.Guess("contacts", header, targets)
	got, err := imports.MappingFromHeaders(header, base, map[string]string{"catatan": "custom.ktp", "Nama": "first_name", "HP": ""}, targets)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"first_name", "emails", "custom.ktp", ""}; !reflect.DeepEqual(got, want) {
		t.Errorf("mapping %q, want %q", got, want)
	}
	for _, bad := range []map[string]string{{"Faks": "phones"}, {"Surel": "gaji"}} {
		if _, err := imports.MappingFromHeaders(header, base, bad, targets); err == nil {
			t.Errorf("%v accepted", bad)
		}
	}
}
