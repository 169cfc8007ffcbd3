package imports

import "strings"

// ChoiceSynonym is one row of the table below: what a value that another
// CRM's export (or an Indonesian spreadsheet) writes in a choice column
// means in Relasi.
type ChoiceSynonym struct {
	System string // where files with such values come from
	Column string // the column (property) holding the value there
	Value  string // the value as the export writes it; compared without case, spaces or punctuation
	// Field is the Relasi field as entity.field ("leads.status"); a bare
	// "source" is the source of contacts and of leads, which share their
	// choices (a conversion keeps the source).
	Field string
	// Choice is the field's choice the value becomes; "" leaves the value
	// unguessed on purpose — Relasi has nothing that means it — so the
	// user decides on the mapping page (the rows are rejected until then).
	Choice string
}

// ChoiceSynonyms guess what a value of a choice column becomes, after the
// choices' own names and labels in every language (which already match
// "Lead", "Customer", "Hot", "Contacted", "Pelanggan", "Panas", …; such
// values are listed here too where a reader would look for them). The
// choices are those of internal/contacts (lifecycle_stage, source,
// contact_role), internal/leads (status, rating, source), internal/accounts
// (industry) and internal/orders (status). Deals are not imported, so
// opportunity stages and deal statuses found in contact or lead files go
// to the contact's lifecycle stage and the lead's status.
//
// One value has one meaning per field whichever system wrote it: "Open" is
// HubSpot's lead status and Pipedrive's deal status alike.
var ChoiceSynonyms = []ChoiceSynonym{
	// System      Column              Value                          Field                      Choice
	{"HubSpot", "Lifecycle Stage", "Subscriber", "contacts.lifecycle_stage", "awareness"},
	{"HubSpot", "Lifecycle Stage", "Lead", "contacts.lifecycle_stage", "lead"},
	// Relasi has no marketing-qualified stage: an MQL is still a lead;
	// sales working it (SQL, opportunity) is engagement.
	{"HubSpot", "Lifecycle Stage", "Marketing Qualified Lead", "contacts.lifecycle_stage", "lead"},
	{"HubSpot", "Lifecycle Stage", "MQL", "contacts.lifecycle_stage", "lead"},
	{"HubSpot", "Lifecycle Stage", "Sales Qualified Lead", "contacts.lifecycle_stage", "engagement"},
	{"HubSpot", "Lifecycle Stage", "SQL", "contacts.lifecycle_stage", "engagement"},
	{"HubSpot", "Lifecycle Stage", "Opportunity", "contacts.lifecycle_stage", "engagement"},
	{"HubSpot", "Lifecycle Stage", "Customer", "contacts.lifecycle_stage", "customer"},
	{"HubSpot", "Lifecycle Stage", "Evangelist", "contacts.lifecycle_stage", "loyalty"},
	{"HubSpot", "Lifecycle Stage", "Other", "contacts.lifecycle_stage", ""},

	{"HubSpot", "Lead Status", "New", "leads.status", "new"},
	{"HubSpot", "Lead Status", "Open", "leads.status", "new"},
	{"HubSpot", "Lead Status", "In Progress", "leads.status", "contacted"},
	{"HubSpot", "Lead Status", "Open Deal", "leads.status", "qualified"},
	{"HubSpot", "Lead Status", "Unqualified", "leads.status", "unqualified"},
	{"HubSpot", "Lead Status", "Attempted to Contact", "leads.status", "contacted"},
	{"HubSpot", "Lead Status", "Connected", "leads.status", "contacted"},
	// Spoken to, not now: the lead stays open.
	{"HubSpot", "Lead Status", "Bad Timing", "leads.status", "contacted"},

	{"HubSpot", "Buying Role", "Decision Maker", "contacts.contact_role", "decision_maker"},
	{"HubSpot", "Buying Role", "Budget Holder", "contacts.contact_role", "buyer"},
	{"HubSpot", "Buying Role", "Champion", "contacts.contact_role", "influencer"},
	{"HubSpot", "Buying Role", "Influencer", "contacts.contact_role", "influencer"},
	{"HubSpot", "Buying Role", "End User", "contacts.contact_role", "user"},
	{"HubSpot", "Buying Role", "Executive Sponsor", "contacts.contact_role", "decision_maker"},
	{"HubSpot", "Buying Role", "Blocker", "contacts.contact_role", ""},
	{"HubSpot", "Buying Role", "Legal & Compliance", "contacts.contact_role", ""},

	{"HubSpot", "Original Source", "Organic Search", "source", "web_form"},
	{"HubSpot", "Original Source", "Paid Search", "source", "ads"},
	{"HubSpot", "Original Source", "Paid Social", "source", "ads"},
	{"HubSpot", "Original Source", "Organic Social", "source", "social_media"},
	{"HubSpot", "Original Source", "Social Media", "source", "social_media"},
	{"HubSpot", "Original Source", "Email Marketing", "source", "email"},
	{"HubSpot", "Original Source", "Referrals", "source", "referral"},
	{"HubSpot", "Original Source", "Direct Traffic", "source", "web_form"},
	{"HubSpot", "Original Source", "Offline Sources", "source", "import"},
	{"HubSpot", "Original Source", "Other Campaigns", "source", "other"},

	{"Salesforce", "Lead Source", "Web", "source", "web_form"},
	{"Salesforce", "Lead Source", "Phone Inquiry", "source", "phone"},
	{"Salesforce", "Lead Source", "Partner Referral", "source", "partner"},
	{"Salesforce", "Lead Source", "Trade Show", "source", "event"},
	// A bought list came in by import.
	{"Salesforce", "Lead Source", "Purchased List", "source", "import"},
	{"Salesforce", "Lead Source", "Other", "source", "other"},

	{"Salesforce", "Lead Status", "Open - Not Contacted", "leads.status", "new"},
	{"Salesforce", "Lead Status", "Working - Contacted", "leads.status", "contacted"},
	// Relasi marks a lead converted only when it converts it (the save
	// refuses a new lead that is converted already): such rows fail with
	// that reason unless the user maps the value to something else.
	{"Salesforce", "Lead Status", "Closed - Converted", "leads.status", "converted"},
	{"Salesforce", "Lead Status", "Closed - Not Converted", "leads.status", "unqualified"},

	{"Salesforce", "Rating", "Hot", "leads.rating", "hot"},
	{"Salesforce", "Rating", "Warm", "leads.rating", "warm"},
	{"Salesforce", "Rating", "Cold", "leads.rating", "cold"},

	{"Salesforce", "Stage", "Prospecting", "contacts.lifecycle_stage", "lead"},
	{"Salesforce", "Stage", "Qualification", "contacts.lifecycle_stage", "lead"},
	{"Salesforce", "Stage", "Needs Analysis", "contacts.lifecycle_stage", "engagement"},
	{"Salesforce", "Stage", "Value Proposition", "contacts.lifecycle_stage", "engagement"},
	{"Salesforce", "Stage", "Id. Decision Makers", "contacts.lifecycle_stage", "engagement"},
	{"Salesforce", "Stage", "Perception Analysis", "contacts.lifecycle_stage", "engagement"},
	{"Salesforce", "Stage", "Proposal/Price Quote", "contacts.lifecycle_stage", "engagement"},
	{"Salesforce", "Stage", "Negotiation/Review", "contacts.lifecycle_stage", "engagement"},
	{"Salesforce", "Stage", "Closed Won", "contacts.lifecycle_stage", "customer"},
	// A lost deal says nothing of whether the person was ever a customer.
	{"Salesforce", "Stage", "Closed Lost", "contacts.lifecycle_stage", ""},
	{"Salesforce", "Stage", "Prospecting", "leads.status", "new"},
	{"Salesforce", "Stage", "Qualification", "leads.status", "contacted"},
	{"Salesforce", "Stage", "Needs Analysis", "leads.status", "qualified"},
	{"Salesforce", "Stage", "Value Proposition", "leads.status", "qualified"},
	{"Salesforce", "Stage", "Id. Decision Makers", "leads.status", "qualified"},
	{"Salesforce", "Stage", "Perception Analysis", "leads.status", "qualified"},
	{"Salesforce", "Stage", "Proposal/Price Quote", "leads.status", "qualified"},
	{"Salesforce", "Stage", "Negotiation/Review", "leads.status", "qualified"},
	{"Salesforce", "Stage", "Closed Won", "leads.status", "converted"},
	{"Salesforce", "Stage", "Closed Lost", "leads.status", "unqualified"},

	{"Salesforce", "Contact Role", "Business User", "contacts.contact_role", "user"},
	{"Salesforce", "Contact Role", "Economic Buyer", "contacts.contact_role", "buyer"},
	{"Salesforce", "Contact Role", "Economic Decision Maker", "contacts.contact_role", "decision_maker"},
	{"Salesforce", "Contact Role", "Technical Buyer", "contacts.contact_role", "buyer"},
	{"Salesforce", "Contact Role", "Evaluator", "contacts.contact_role", "influencer"},

	{"Salesforce", "Industry", "Apparel", "accounts.industry", "textile"},
	{"Salesforce", "Industry", "Biotechnology", "accounts.industry", "healthcare"},
	{"Salesforce", "Industry", "Chemicals", "accounts.industry", "manufacturing"},
	{"Salesforce", "Industry", "Communications", "accounts.industry", "telecommunications"},
	{"Salesforce", "Industry", "Electronics", "accounts.industry", "technology"},
	{"Salesforce", "Industry", "Entertainment", "accounts.industry", "media"},
	{"Salesforce", "Industry", "Finance", "accounts.industry", "banking"},
	{"Salesforce", "Industry", "Financial Services", "accounts.industry", "banking"},
	{"Salesforce", "Industry", "Food & Beverage", "accounts.industry", "food_beverage"},
	{"Salesforce", "Industry", "Machinery", "accounts.industry", "manufacturing"},
	{"Salesforce", "Industry", "Shipping", "accounts.industry", "logistics"},
	{"Salesforce", "Industry", "Transportation", "accounts.industry", "logistics"},
	{"Salesforce", "Industry", "Utilities", "accounts.industry", "energy"},
	{"Salesforce", "Industry", "Not For Profit", "accounts.industry", ""},
	{"Salesforce", "Industry", "Engineering", "accounts.industry", ""},

	{"Zoho", "Lead Status", "Attempted to Contact", "leads.status", "contacted"},
	{"Zoho", "Lead Status", "Contact in Future", "leads.status", "contacted"},
	{"Zoho", "Lead Status", "Contacted", "leads.status", "contacted"},
	{"Zoho", "Lead Status", "Junk Lead", "leads.status", "unqualified"},
	{"Zoho", "Lead Status", "Lost Lead", "leads.status", "unqualified"},
	{"Zoho", "Lead Status", "Not Contacted", "leads.status", "new"},
	{"Zoho", "Lead Status", "Pre-Qualified", "leads.status", "qualified"},
	{"Zoho", "Lead Status", "Not Qualified", "leads.status", "unqualified"},

	{"Zoho", "Lead Source", "Advertisement", "source", "ads"},
	{"Zoho", "Lead Source", "Cold Call", "source", "phone"},
	{"Zoho", "Lead Source", "Employee Referral", "source", "referral"},
	{"Zoho", "Lead Source", "External Referral", "source", "referral"},
	{"Zoho", "Lead Source", "Online Store", "source", "web_form"},
	{"Zoho", "Lead Source", "Partner", "source", "partner"},
	{"Zoho", "Lead Source", "Public Relations", "source", ""},
	{"Zoho", "Lead Source", "Sales Email Alias", "source", "email"},
	{"Zoho", "Lead Source", "Seminar Partner", "source", "event"},
	{"Zoho", "Lead Source", "Internal Seminar", "source", "event"},
	{"Zoho", "Lead Source", "Trade Show", "source", "event"},
	{"Zoho", "Lead Source", "Web Download", "source", "web_form"},
	// Found by the salesperson's own search: no inbound channel.
	{"Zoho", "Lead Source", "Web Research", "source", ""},
	{"Zoho", "Lead Source", "Chat", "source", "web_form"},
	{"Zoho", "Lead Source", "Facebook", "source", "social_media"},
	{"Zoho", "Lead Source", "Twitter", "source", "social_media"},

	{"Pipedrive", "Label", "Hot", "leads.rating", "hot"},
	{"Pipedrive", "Label", "Warm", "leads.rating", "warm"},
	{"Pipedrive", "Label", "Cold", "leads.rating", "cold"},
	{"Pipedrive", "Status", "Open", "contacts.lifecycle_stage", "engagement"},
	{"Pipedrive", "Status", "Won", "contacts.lifecycle_stage", "customer"},
	{"Pipedrive", "Status", "Lost", "contacts.lifecycle_stage", ""},
	{"Pipedrive", "Status", "Won", "leads.status", "converted"},
	{"Pipedrive", "Status", "Lost", "leads.status", "unqualified"},
	{"Pipedrive", "Source", "Web forms", "source", "web_form"},
	{"Pipedrive", "Source", "Web visitors", "source", "web_form"},
	{"Pipedrive", "Source", "Chatbot", "source", "web_form"},
	{"Pipedrive", "Source", "Live chat", "source", "web_form"},
	{"Pipedrive", "Source", "Campaigns", "source", "email"},
	{"Pipedrive", "Source", "Messaging inbox", "source", "social_media"},
	{"Pipedrive", "Source", "Import", "source", "import"},
	{"Pipedrive", "Source", "Manually created", "source", ""},
	{"Pipedrive", "Source", "Prospector", "source", ""},
	{"Pipedrive", "Source", "Lead Suggestions", "source", ""},
	{"Pipedrive", "Source", "API", "source", ""},

	{"Indonesian", "Tahap", "Pelanggan", "contacts.lifecycle_stage", "customer"},
	{"Indonesian", "Tahap", "Pelanggan Baru", "contacts.lifecycle_stage", "customer"},
	{"Indonesian", "Tahap", "Pelanggan Tetap", "contacts.lifecycle_stage", "retention"},
	{"Indonesian", "Tahap", "Pelanggan Lama", "contacts.lifecycle_stage", "retention"},
	{"Indonesian", "Tahap", "Pelanggan Setia", "contacts.lifecycle_stage", "loyalty"},
	{"Indonesian", "Tahap", "Mantan Pelanggan", "contacts.lifecycle_stage", "churned"},
	{"Indonesian", "Tahap", "Tidak Aktif", "contacts.lifecycle_stage", "churned"},
	{"Indonesian", "Tahap", "Prospek", "contacts.lifecycle_stage", "lead"},
	{"Indonesian", "Tahap", "Calon Pelanggan", "contacts.lifecycle_stage", "lead"},
	{"Indonesian", "Tahap", "Pelanggan Potensial", "contacts.lifecycle_stage", "lead"},
	{"Indonesian", "Tahap", "Pelanggan Buletin", "contacts.lifecycle_stage", "awareness"},
	{"Indonesian", "Tahap", "Pelanggan Newsletter", "contacts.lifecycle_stage", "awareness"},
	{"Indonesian", "Tahap", "Negosiasi", "contacts.lifecycle_stage", "engagement"},
	{"Indonesian", "Tahap", "Penawaran", "contacts.lifecycle_stage", "engagement"},

	{"Indonesian", "Status Prospek", "Baru", "leads.status", "new"},
	{"Indonesian", "Status Prospek", "Belum Dihubungi", "leads.status", "new"},
	{"Indonesian", "Status Prospek", "Dihubungi", "leads.status", "contacted"},
	{"Indonesian", "Status Prospek", "Sudah Dihubungi", "leads.status", "contacted"},
	{"Indonesian", "Status Prospek", "Sedang Dihubungi", "leads.status", "contacted"},
	{"Indonesian", "Status Prospek", "Dalam Proses", "leads.status", "contacted"},
	{"Indonesian", "Status Prospek", "Diproses", "leads.status", "contacted"},
	{"Indonesian", "Status Prospek", "Follow Up", "leads.status", "contacted"},
	{"Indonesian", "Status Prospek", "Tindak Lanjut", "leads.status", "contacted"},
	{"Indonesian", "Status Prospek", "Tertarik", "leads.status", "qualified"},
	{"Indonesian", "Status Prospek", "Memenuhi Syarat", "leads.status", "qualified"},
	{"Indonesian", "Status Prospek", "Tidak Tertarik", "leads.status", "unqualified"},
	{"Indonesian", "Status Prospek", "Tidak Memenuhi Syarat", "leads.status", "unqualified"},
	{"Indonesian", "Status Prospek", "Gagal", "leads.status", "unqualified"},
	{"Indonesian", "Status Prospek", "Batal", "leads.status", "unqualified"},
	{"Indonesian", "Status Prospek", "Hilang", "leads.status", "unqualified"},
	{"Indonesian", "Status Prospek", "Closing", "leads.status", "converted"},
	{"Indonesian", "Status Prospek", "Berhasil", "leads.status", "converted"},
	{"Indonesian", "Status Prospek", "Dikonversi", "leads.status", "converted"},

	{"Indonesian", "Rating", "Panas", "leads.rating", "hot"},
	{"Indonesian", "Rating", "Hangat", "leads.rating", "warm"},
	{"Indonesian", "Rating", "Dingin", "leads.rating", "cold"},
	{"Indonesian", "Rating", "Spam", "leads.rating", "junk"},
	{"Indonesian", "Rating", "Sampah", "leads.rating", "junk"},

	{"Indonesian", "Sumber", "Website", "source", "web_form"},
	{"Indonesian", "Sumber", "Situs Web", "source", "web_form"},
	{"Indonesian", "Sumber", "Formulir", "source", "web_form"},
	{"Indonesian", "Sumber", "Formulir Web", "source", "web_form"},
	{"Indonesian", "Sumber", "Iklan", "source", "ads"},
	{"Indonesian", "Sumber", "Iklan Online", "source", "ads"},
	{"Indonesian", "Sumber", "Google Ads", "source", "ads"},
	{"Indonesian", "Sumber", "Facebook Ads", "source", "ads"},
	{"Indonesian", "Sumber", "Instagram Ads", "source", "ads"},
	{"Indonesian", "Sumber", "Media Sosial", "source", "social_media"},
	{"Indonesian", "Sumber", "Medsos", "source", "social_media"},
	{"Indonesian", "Sumber", "Instagram", "source", "social_media"},
	{"Indonesian", "Sumber", "TikTok", "source", "social_media"},
	{"Indonesian", "Sumber", "LinkedIn", "source", "social_media"},
	// A chat, a call or a contact saved from the phone book: the user knows.
	{"Indonesian", "Sumber", "WhatsApp", "source", ""},
	{"Indonesian", "Sumber", "Rujukan", "source", "referral"},
	{"Indonesian", "Sumber", "Referensi", "source", "referral"},
	{"Indonesian", "Sumber", "Rekomendasi", "source", "referral"},
	{"Indonesian", "Sumber", "Teman", "source", "referral"},
	{"Indonesian", "Sumber", "Dari Teman", "source", "referral"},
	{"Indonesian", "Sumber", "Acara", "source", "event"},
	{"Indonesian", "Sumber", "Pameran", "source", "event"},
	{"Indonesian", "Sumber", "Expo", "source", "event"},
	{"Indonesian", "Sumber", "Seminar", "source", "event"},
	{"Indonesian", "Sumber", "Telepon", "source", "phone"},
	{"Indonesian", "Sumber", "Telpon", "source", "phone"},
	{"Indonesian", "Sumber", "Telemarketing", "source", "phone"},
	{"Indonesian", "Sumber", "Surel", "source", "email"},
	{"Indonesian", "Sumber", "Datang Langsung", "source", "walk_in"},
	{"Indonesian", "Sumber", "Walk In", "source", "walk_in"},
	{"Indonesian", "Sumber", "Kunjungan", "source", "walk_in"},
	{"Indonesian", "Sumber", "Mitra", "source", "partner"},
	{"Indonesian", "Sumber", "Reseller", "source", "partner"},
	{"Indonesian", "Sumber", "Agen", "source", "partner"},
	{"Indonesian", "Sumber", "Impor", "source", "import"},
	{"Indonesian", "Sumber", "Lainnya", "source", "other"},
	{"Indonesian", "Sumber", "Lain-lain", "source", "other"},

	{"Indonesian", "Peran", "Pengambil Keputusan", "contacts.contact_role", "decision_maker"},
	{"Indonesian", "Peran", "Pembeli", "contacts.contact_role", "buyer"},
	{"Indonesian", "Peran", "Bagian Pembelian", "contacts.contact_role", "buyer"},
	{"Indonesian", "Peran", "Pengguna", "contacts.contact_role", "user"},

	{"Indonesian", "Industri", "Keuangan", "accounts.industry", "banking"},
	{"Indonesian", "Industri", "Bank", "accounts.industry", "banking"},
	{"Indonesian", "Industri", "F&B", "accounts.industry", "food_beverage"},
	{"Indonesian", "Industri", "Kuliner", "accounts.industry", "food_beverage"},
	{"Indonesian", "Industri", "IT", "accounts.industry", "technology"},
	{"Indonesian", "Industri", "Teknologi Informasi", "accounts.industry", "technology"},
	{"Indonesian", "Industri", "Perdagangan", "accounts.industry", "retail"},
	{"Indonesian", "Industri", "Pemerintah", "accounts.industry", "government"},
	{"Indonesian", "Industri", "Rumah Sakit", "accounts.industry", "healthcare"},
	{"Indonesian", "Industri", "Hotel", "accounts.industry", "hospitality"},
	{"Indonesian", "Industri", "Pariwisata", "accounts.industry", "travel"},
	{"Indonesian", "Industri", "Ekspedisi", "accounts.industry", "logistics"},

	{"Indonesian", "Status Pesanan", "Draft", "orders.status", "draft"},
	{"Indonesian", "Status Pesanan", "Menunggu Pembayaran", "orders.status", "confirmed"},
	{"Indonesian", "Status Pesanan", "Belum Dibayar", "orders.status", "confirmed"},
	{"Indonesian", "Status Pesanan", "Diproses", "orders.status", "paid"},
	{"Indonesian", "Status Pesanan", "Lunas", "orders.status", "paid"},
	{"Indonesian", "Status Pesanan", "Sudah Dibayar", "orders.status", "paid"},
	{"Indonesian", "Status Pesanan", "Sedang Dikirim", "orders.status", "shipped"},
	{"Indonesian", "Status Pesanan", "Dalam Pengiriman", "orders.status", "shipped"},
	{"Indonesian", "Status Pesanan", "Pesanan Selesai", "orders.status", "completed"},
	{"Indonesian", "Status Pesanan", "Diterima", "orders.status", "completed"},
	{"Indonesian", "Status Pesanan", "Batal", "orders.status", "cancelled"},
	{"Indonesian", "Status Pesanan", "Pesanan Dibatalkan", "orders.status", "cancelled"},
}

// synonymIndex is ChoiceSynonyms by "entity.field", then by the
// normalised value. An entry of "" keeps the value unguessed.
var synonymIndex = map[string]map[string]string{}

func init() {
	for _, s := range ChoiceSynonyms {
		fields := []string{s.Field}
		if !strings.Contains(s.Field, ".") {
			fields = []string{"contacts." + s.Field, "leads." + s.Field}
		}
		for _, f := range fields {
			if synonymIndex[f] == nil {
				synonymIndex[f] = map[string]string{}
			}
			synonymIndex[f][normalize(s.Value)] = s.Choice
		}
	}
}

// synonymChoice is the choice the table gives a value of the entity's
// field; known reports whether the table has the value at all (an entry of
// "" is known and unguessed).
func synonymChoice(entity, field, value string) (choice string, known bool) {
	choice, known = synonymIndex[entity+"."+field][normalize(value)]
	return choice, known
}
