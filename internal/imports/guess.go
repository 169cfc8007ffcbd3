package imports

import (
	"slices"
	"strings"
	"unicode"

	"github.com/relasi/relasi/internal/i18n"
	"github.com/relasi/relasi/internal/records"
)

// Fields a column can be mapped to besides the entity's own: they are
// resolved into real fields while a row is read.
const (
	// FullName is split into first and last name ("Nama", "Nama Lengkap").
	FullName = "full_name"
	// AccountName links the account with this name; a contact import
	// creates the account when there is none ("Perusahaan").
	AccountName = "account_name"
	// ContactEmail links the contact with this e-mail address (orders).
	ContactEmail = "contact_email"
)

// Target is a field a column can be mapped to.
type Target struct {
	Name  string // the field's name ("first_name", "custom.budget") or a pseudo-field above
	Label string // a catalog key, or a custom field's own label
	// Custom fields carry their label as it is; standard ones a catalog key.
	Custom bool
	// Multi targets take several columns (the e-mail and phone lists, tags).
	Multi bool
	field records.Field
	// aliases are normalised names that match this target exactly: its
	// name, a custom field's key and label, its labels in every language.
	aliases []string
}

// Targets lists what the columns of an import into e may be mapped to,
// in the order of the entity's fields. Read-only and system fields are
// left out; catalog, when given, adds each field's translated labels to
// what headers are matched against.
func Targets(e *records.Entity, fields []records.Field, catalog *i18n.Catalog) []Target {
	var out []Target
	has := func(name string) bool {
		for _, f := range fields {
			if f.Name == name {
				return true
			}
		}
		return false
	}
	if has("first_name") && has("last_name") {
		out = append(out, Target{Name: FullName, Label: "imports.target_full_name", aliases: []string{normalize(FullName)}})
	}
	for _, f := range fields {
		if f.ReadOnly || f.Name == "id" {
			continue
		}
		t := Target{Name: f.Name, Label: f.Label, Custom: f.Custom, Multi: f.Kind == records.List, field: f,
			aliases: []string{normalize(f.Name)}}
		if f.Custom {
			t.aliases = append(t.aliases, normalize(f.Key), normalize(f.Label))
		} else if catalog != nil {
			for _, lang := range i18n.Languages() {
				if catalog.Has(f.Label) {
					t.aliases = append(t.aliases, normalize(catalog.T(lang.Code, f.Label)))
				}
			}
		}
		out = append(out, t)
		if f.Name == "account_id" && f.Ref == "accounts" {
			out = append(out, Target{Name: AccountName, Label: "imports.target_account_name", aliases: []string{normalize(AccountName)}})
		}
		if f.Name == "contact_id" && f.Ref == "contacts" {
			out = append(out, Target{Name: ContactEmail, Label: "imports.target_contact_email", aliases: []string{normalize(ContactEmail)}})
		}
	}
	return append(out, migrationTargets()...)
}

// synonyms maps a normalised header to the targets it may mean, best
// first: the first one the entity has is taken. English and Indonesian
// headers as people write them in spreadsheets and other CRMs' exports.
var synonyms = map[string][]string{}

// The targets of e-mail and phone columns: a contact's lists, a lead's or
// an account's single field, an order's contact.
var (
	emailTargets = []string{"emails", "email", ContactEmail}
	phoneTargets = []string{"phones", "phone"}
)

func init() {
	add := func(targets []string, headers ...string) {
		for _, h := range headers {
			synonyms[normalize(h)] = targets
		}
	}
	add([]string{FullName, "name"}, "Nama", "Nama Lengkap", "Name", "Full name", "Nama Kontak", "Contact name", "Nama Pelanggan",
		"Customer name", "Nama Customer", "Pelanggan", "Customer", "Nama Klien", "Client name")
	add([]string{"first_name"}, "Nama Depan", "First name", "First", "Given name", "Forename", "Nama Pertama", "Nama Panggilan")
	add([]string{"last_name"}, "Nama Belakang", "Last name", "Last", "Surname", "Family name", "Nama Keluarga")
	add(emailTargets, "Email", "E-mail", "Surel", "Alamat Email", "Alamat E-mail", "Alamat Surel",
		"Email address", "E-mail address", "Mail", "Email pelanggan", "Customer email", "Email kantor", "Email pribadi", "Work email", "Personal email")
	add(phoneTargets, "Telepon", "Telp", "Tlp", "Telpon", "No. Telp", "No Telp", "No. Telepon", "Nomor Telepon",
		"Phone", "Phone number", "Telephone", "Tel", "Mobile", "Mobile phone", "Cell", "Cell phone", "HP", "No. HP", "No HP",
		"Nomor HP", "Handphone", "Ponsel", "No. Ponsel", "WhatsApp", "WA", "No. WA", "No WA", "Nomor WA", "No. WhatsApp",
		"Nomor WhatsApp", "Telepon kantor", "Telepon rumah", "Work phone", "Home phone", "Office phone")
	add([]string{AccountName, "company", "accounts/name"}, "Perusahaan", "Company", "Company name", "Nama Perusahaan",
		"Organisasi", "Organization", "Organisation", "Instansi", "Account", "Account name", "Akun", "Nama Akun", "Nama Usaha", "Usaha", "Toko")
	add([]string{"job_title"}, "Jabatan", "Title", "Job title", "Posisi", "Position", "Titel", "Pekerjaan", "Occupation", "Role title")
	add([]string{"street"}, "Alamat", "Address", "Street", "Street address", "Jalan", "Alamat Jalan", "Alamat Lengkap",
		"Alamat Kantor", "Alamat Rumah", "Mailing address", "Alamat Surat")
	add([]string{"city"}, "Kota", "City", "Kabupaten/Kota", "Kota/Kabupaten", "Kab/Kota", "Town", "Kota/Kab")
	add([]string{"province"}, "Provinsi", "Province", "State", "Region", "Propinsi", "State/Province", "State/Region")
	add([]string{"postal_code"}, "Kode Pos", "Postal code", "Zip", "Zip code", "Postcode", "Kd Pos", "ZIP/Postal code")
	add([]string{"country"}, "Negara", "Country", "Country/Region")
	add([]string{"source"}, "Sumber", "Source", "Lead source", "Sumber Lead", "Sumber Prospek", "Kanal", "Channel", "Asal",
		"Original Source", "Contact source", "Lead source type", "Sumber Kontak", "Asal Prospek", "Source name")
	add([]string{"birth_date"}, "Tanggal Lahir", "Tgl Lahir", "Tgl. Lahir", "Birth date", "Date of birth", "DOB", "Birthday", "Ulang Tahun")
	add([]string{"notes", "description"}, "Catatan", "Notes", "Note", "Keterangan", "Remarks", "Komentar", "Comment", "Comments")
	add([]string{"description", "notes"}, "Deskripsi", "Description", "Uraian")
	// Pipedrive's lead label is Hot, Warm or Cold; leads have no tags.
	add([]string{"tags", "leads/rating"}, "Label", "Labels", "Tag", "Tags")
	add([]string{"unit_price"}, "Harga", "Price", "Unit price", "Harga Satuan", "Harga Jual", "Selling price", "List price")
	add([]string{"sku"}, "SKU", "Kode Produk", "Kode Barang", "Product code", "Item code", "Kode", "Code")
	add([]string{"name"}, "Nama Produk", "Nama Barang", "Product name", "Produk", "Barang", "Product", "Item", "Item name")
	add([]string{"currency"}, "Mata Uang", "Currency", "Valuta", "Kurs")
	add([]string{"active"}, "Aktif", "Active", "Status Aktif")
	add([]string{"category"}, "Kategori", "Category", "Jenis", "Golongan")
	add([]string{"domain"}, "Domain", "Domain web")
	add([]string{"website"}, "Website", "Situs", "Situs web", "Web", "URL", "Homepage", "Laman")
	add([]string{"industry"}, "Industri", "Industry", "Bidang Usaha", "Sektor", "Sector", "Jenis Usaha")
	add([]string{"employees"}, "Karyawan", "Jumlah Karyawan", "Employees", "Employee count", "Jumlah Pegawai", "Pegawai", "Number of employees", "Staff")
	add([]string{"annual_revenue"}, "Pendapatan", "Pendapatan Tahunan", "Annual revenue", "Revenue", "Omzet", "Omset")
	add([]string{"rating"}, "Rating", "Peringkat", "Lead rating", "Rating prospek", "Suhu prospek", "Lead label", "Label prospek")
	add([]string{"status"}, "Status")
	add([]string{"leads/status"}, "Lead status", "Status prospek", "Status lead", "Status leads", "Status calon pelanggan")
	add([]string{"orders/status"}, "Order status", "Status pesanan", "Status order")
	// Deals are not imported: a stage in a contacts file is the contact's
	// lifecycle stage, in a leads file the lead's status.
	add([]string{"lifecycle_stage", "leads/status"}, "Tahap", "Tahapan", "Lifecycle stage", "Lifecycle", "Siklus hidup", "Tahap siklus hidup",
		"Stage", "Deal stage", "Opportunity stage", "Pipeline stage", "Sales stage", "Tahap penjualan", "Status pelanggan", "Customer status")
	add([]string{"contact_role"}, "Peran", "Role", "Contact role", "Peran kontak", "Buying role", "Peran pembelian")
	add([]string{"owner_id"}, "Pemilik", "Owner", "Owner email", "Email pemilik", "Sales", "Salesperson", "Penanggung jawab", "PIC")
	add([]string{"ordered_at"}, "Tanggal", "Tanggal Pesanan", "Tanggal Order", "Tgl Pesan", "Order date", "Date")
}

// containsHint finds a column whose name holds a telling word among
// others ("Alamat email kantor", "No. telepon rumah 2").
var containsHint = []struct {
	word    string
	targets []string
}{
	{"email", emailTargets},
	{"surel", emailTargets},
	{"whatsapp", phoneTargets},
	{"telepon", phoneTargets},
	{"telp", phoneTargets},
	{"phone", phoneTargets},
	{"handphone", phoneTargets},
	{"ponsel", phoneTargets},
}

// normalize reduces a header or name to lower-case letters and digits:
// "No. HP" and "no_hp" are both "nohp".
func normalize(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// Guess maps each column of header to a target name ("" leaves it out) for
// an import into entity: an exact match of a field's name or label (custom
// fields by label or key) first, then the English and Indonesian synonyms,
// then a telling word inside the header. Several e-mail and phone columns
// all go into the lists; any other field takes the first column that
// matches it.
func Guess(entity string, header []string, targets []Target) []string {
	byName := make(map[string]Target, len(targets))
	for _, t := range targets {
		byName[t.Name] = t
	}
	exact := map[string]string{}
	for _, t := range targets {
		for _, a := range t.aliases {
			if _, taken := exact[a]; !taken && a != "" {
				exact[a] = t.Name
			}
		}
	}
	pick := func(candidates []string) string {
		for _, c := range candidates {
			if ent, name, ok := strings.Cut(c, "/"); ok {
				if ent != entity {
					continue
				}
				c = name
			}
			if _, ok := byName[c]; ok {
				return c
			}
		}
		return ""
	}
	out := make([]string, len(header))
	claimed := map[string]bool{}
	guess := func(h string) string {
		n := normalize(h)
		target := exact[n]
		if target == "" {
			target = pick(synonyms[n])
		}
		if target == "" {
			// "Email 2", "Telepon1": the same with a number after it.
			if trimmed := strings.TrimRightFunc(n, unicode.IsDigit); trimmed != n && trimmed != "" {
				target = exact[trimmed]
				if target == "" {
					target = pick(synonyms[trimmed])
				}
			}
		}
		if target == "" {
			for _, hint := range containsHint {
				if strings.Contains(n, hint.word) {
					target = pick(hint.targets)
					break
				}
			}
		}
		return target
	}
	for i, h := range header {
		target := guess(h)
		if rest := pipedriveCol.ReplaceAllString(strings.TrimSpace(h), ""); target == "" && rest != strings.TrimSpace(h) {
			// Pipedrive names a column after its item: "Person - Name".
			target = guess(rest)
		}
		if target == "" {
			continue
		}
		if claimed[target] && !byName[target].Multi {
			continue
		}
		claimed[target] = true
		out[i] = target
	}
	// Separate first and last name columns beat one full-name column.
	if claimed[FullName] && (claimed["first_name"] || claimed["last_name"]) {
		for i, t := range out {
			if t == FullName {
				out[i] = ""
			}
		}
	}
	return out
}

// validMapping checks a mapping against the targets: every name must be a
// target, and single-valued targets may take one column only. It returns
// the problem, or "".
func validMapping(mapping []string, targets []Target) (column int, problem string) {
	byName := make(map[string]Target, len(targets))
	for _, t := range targets {
		byName[t.Name] = t
	}
	seen := map[string]bool{}
	for i, name := range mapping {
		if name == "" {
			continue
		}
		t, ok := byName[name]
		if !ok {
			return i, "unknown_field"
		}
		if seen[name] && !t.Multi {
			return i, "mapped_twice"
		}
		seen[name] = true
	}
	if seen[FullName] && (seen["first_name"] || seen["last_name"]) {
		return slices.Index(mapping, FullName), "full_and_split_name"
	}
	return -1, ""
}
