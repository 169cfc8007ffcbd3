package demo

// Realistic name material: mostly Indonesian, some English, as a company
// in Indonesia would have in its CRM.
var (
	firstNamesID = []string{"Budi", "Siti", "Agus", "Dewi", "Andi", "Rina", "Putri", "Eko", "Wahyu", "Sri", "Hendra", "Indah",
		"Yusuf", "Ayu", "Rizky", "Fitri", "Dian", "Bayu", "Nur", "Teguh", "Ratna", "Joko", "Maya", "Arif", "Lestari", "Fajar",
		"Sari", "Dimas", "Anisa", "Bambang", "Wulan", "Irfan", "Yuni", "Hadi", "Intan", "Rudi", "Citra", "Ahmad", "Nadia", "Gilang",
		"Kartika", "Taufik", "Melati", "Reza", "Novi", "Ilham", "Rahmat", "Desi", "Ketut", "Made", "Wayan", "Nyoman", "Ucok", "Butet"}
	lastNamesID = []string{"Santoso", "Wijaya", "Pratama", "Saputra", "Hidayat", "Kusuma", "Nugroho", "Siregar", "Simanjuntak",
		"Hutapea", "Lubis", "Nasution", "Halim", "Gunawan", "Setiawan", "Sari", "Utami", "Lestari", "Permana", "Wibowo", "Susanto",
		"Hartono", "Purnomo", "Rahman", "Syahputra", "Tanjung", "Harahap", "Sitompul", "Manurung", "Pangaribuan", "Tanoto", "Salim",
		"Suryadi", "Firmansyah", "Ramadhan", "Anggraini", "Maharani", "Putra", "Suharto", "Kurniawan", "Sembiring", "Ginting", "Tarigan"}
	firstNamesEN = []string{"James", "Emily", "Michael", "Sarah", "David", "Jessica", "Daniel", "Olivia", "Andrew", "Grace",
		"Ryan", "Chloe", "Kevin", "Hannah", "Brian", "Natalie", "Jason", "Rachel", "Mark", "Linda"}
	lastNamesEN = []string{"Smith", "Johnson", "Brown", "Taylor", "Anderson", "Thomas", "Lee", "Walker", "Wright", "Tan",
		"Lim", "Wong", "Chen", "Ng", "Harris", "Clark", "Lewis", "Young", "King", "Scott"}

	companyWords = []string{"Maju", "Jaya", "Sejahtera", "Abadi", "Makmur", "Sentosa", "Nusantara", "Mandiri", "Karya", "Sinar",
		"Mulia", "Prima", "Bersama", "Indo", "Sukses", "Utama", "Perkasa", "Cahaya", "Global", "Teknologi", "Digital", "Sumber",
		"Bumi", "Samudra", "Mega", "Persada", "Lestari", "Gemilang", "Harapan", "Berkah", "Agung", "Citra", "Dharma", "Surya"}
	companyForms  = []string{"PT", "PT", "PT", "CV", "PT", "UD", "Koperasi"}
	companySuffix = []string{"", "", "Indonesia", "Group", "Tbk", "Nusantara", "Logistik", "Retail", "Solusi", "Niaga", "Farma", "Properti"}

	cities = []struct{ City, Province, Postal string }{
		{"Jakarta Selatan", "DKI Jakarta", "12190"}, {"Jakarta Pusat", "DKI Jakarta", "10110"}, {"Jakarta Barat", "DKI Jakarta", "11470"},
		{"Surabaya", "Jawa Timur", "60271"}, {"Bandung", "Jawa Barat", "40115"}, {"Medan", "Sumatera Utara", "20111"},
		{"Semarang", "Jawa Tengah", "50132"}, {"Makassar", "Sulawesi Selatan", "90111"}, {"Palembang", "Sumatera Selatan", "30111"},
		{"Tangerang", "Banten", "15111"}, {"Depok", "Jawa Barat", "16411"}, {"Bekasi", "Jawa Barat", "17121"},
		{"Yogyakarta", "DI Yogyakarta", "55211"}, {"Denpasar", "Bali", "80111"}, {"Malang", "Jawa Timur", "65111"},
		{"Balikpapan", "Kalimantan Timur", "76111"}, {"Pekanbaru", "Riau", "28111"}, {"Manado", "Sulawesi Utara", "95111"},
		{"Batam", "Kepulauan Riau", "29411"}, {"Pontianak", "Kalimantan Barat", "78111"}, {"Banjarmasin", "Kalimantan Selatan", "70111"},
		{"Padang", "Sumatera Barat", "25111"}, {"Solo", "Jawa Tengah", "57111"}, {"Bogor", "Jawa Barat", "16111"},
	}
	streets = []string{"Jl. Sudirman", "Jl. Thamrin", "Jl. Gatot Subroto", "Jl. Diponegoro", "Jl. Ahmad Yani", "Jl. Pemuda",
		"Jl. Gajah Mada", "Jl. Hayam Wuruk", "Jl. Merdeka", "Jl. Asia Afrika", "Jl. Pahlawan", "Jl. Veteran", "Jl. Kartini", "Jl. Imam Bonjol"}
	// Mobile prefixes of Indonesian operators (Telkomsel, Indosat, XL, Axis, Tri, Smartfren).
	mobilePrefixes = []string{"811", "812", "813", "821", "822", "823", "852", "853", "814", "815", "816", "855", "856", "857",
		"858", "817", "818", "819", "859", "877", "878", "838", "831", "832", "833", "895", "896", "897", "898", "899", "881", "882", "887", "888"}
	jobTitles = []string{"Direktur Utama", "Direktur Keuangan", "Manajer Pembelian", "Manajer Operasional", "Kepala Gudang",
		"Staf Pengadaan", "Owner", "General Manager", "IT Manager", "Marketing Manager", "Procurement Officer", "Finance Staff",
		"HR Manager", "Purchasing Supervisor", "CEO", "COO", "Head of Sales", "Store Manager", "Admin", "Pemilik Toko"}
	emailDomains = []string{"gmail.com", "yahoo.co.id", "outlook.com", "gmail.com", "gmail.com", "hotmail.com"}
	tagWords     = []string{"vip", "reseller", "distributor", "grosir", "langganan", "pameran-2025", "webinar", "prioritas"}
)
