// Package demo fills a Relasi database with realistic demo data — an
// Indonesian B2B distributor's sales team with its companies, people,
// leads, deals, activities, products and orders over two years — so a
// newcomer sees a living CRM and benchmarks have a large data set. Rows are
// written with multi-row INSERTs in one transaction per entity, keeping the
// same side tables (e-mail and phone lookups, search index) the API keeps.
package demo

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"log/slog"
	"math"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/contacts"
	"github.com/relasi/relasi/internal/search"
	"github.com/relasi/relasi/internal/store"
)

// Options says how much to make.
type Options struct {
	Contacts int   // people; accounts are a tenth of that
	Seed     int64 // same seed, same data
	Now      time.Time
	Logger   *slog.Logger
}

// Result counts what was made.
type Result struct {
	Users, Teams, Accounts, Contacts int
	Extra                            map[string]int
	AdminEmail, AdminPassword        string
	Took                             time.Duration
}

// Demo credentials, printed by `relasi demo`.
const (
	AdminEmail    = "admin@relasi.demo"
	AdminPassword = "relasi-demo"
)

// Step fills one more part of the demo (leads, deals, …) after people,
// accounts and contacts exist. Modules register theirs with the app.
type Step struct {
	Name string
	Run  func(ctx context.Context, db *store.DB, w *World) (int, error)
}

// World is what earlier steps made, for later steps to refer to.
type World struct {
	Rand       *rand.Rand
	Now        time.Time
	Engine     store.Engine
	UserIDs    []int64 // sales-side users who own records
	AccountIDs []int64
	ContactIDs []int64
	// ContactAccount maps a contact to its account (0: none).
	ContactAccount map[int64]int64
	Owner          map[int64]int64 // contact → owner
}

// RandomTime returns a time within the last days days.
func (w *World) RandomTime(days int) time.Time {
	return w.Now.Add(-time.Duration(w.Rand.Int64N(int64(days) * 24 * int64(time.Hour)))).Truncate(time.Second)
}

// Pick returns a random element.
func Pick[T any](r *rand.Rand, s []T) T { return s[r.IntN(len(s))] }

// Fill makes the demo data.
func Fill(ctx context.Context, db *store.DB, o Options, steps ...Step) (Result, error) {
	start := time.Now()
	if o.Now.IsZero() {
		o.Now = time.Now().UTC()
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	w := &World{Rand: rand.New(rand.NewPCG(uint64(o.Seed), 0x5eed)), Now: o.Now, Engine: db.Engine,
		ContactAccount: map[int64]int64{}, Owner: map[int64]int64{}}
	res := Result{Extra: map[string]int{}, AdminEmail: AdminEmail, AdminPassword: AdminPassword}
	var err error
	if res.Users, res.Teams, err = people(ctx, db, w); err != nil {
		return res, err
	}
	o.Logger.Info("demo: users and teams", "users", res.Users, "teams", res.Teams)
	if res.Accounts, err = makeAccounts(ctx, db, w, max(1, o.Contacts/10)); err != nil {
		return res, err
	}
	o.Logger.Info("demo: accounts", "count", res.Accounts)
	if res.Contacts, err = makeContacts(ctx, db, w, o.Contacts); err != nil {
		return res, err
	}
	o.Logger.Info("demo: contacts", "count", res.Contacts)
	for _, s := range steps {
		n, err := s.Run(ctx, db, w)
		if err != nil {
			return res, fmt.Errorf("demo %s: %w", s.Name, err)
		}
		res.Extra[s.Name] = n
		o.Logger.Info("demo: "+s.Name, "count", n)
	}
	res.Took = time.Since(start)
	return res, nil
}

type demoUser struct {
	email, name string
	role        auth.Role
	team        string
}

var demoUsers = []demoUser{
	{AdminEmail, "Admin Demo", auth.Admin, ""},
	{"rina.manager@relasi.demo", "Rina Kartika", auth.Manager, "Penjualan Jakarta"},
	{"budi.sales@relasi.demo", "Budi Santoso", auth.Sales, "Penjualan Jakarta"},
	{"dewi.sales@relasi.demo", "Dewi Lestari", auth.Sales, "Penjualan Jakarta"},
	{"agus.sales@relasi.demo", "Agus Pratama", auth.Sales, "Penjualan Jakarta"},
	{"hendra.manager@relasi.demo", "Hendra Wijaya", auth.Manager, "Penjualan Surabaya"},
	{"sari.sales@relasi.demo", "Sari Utami", auth.Sales, "Penjualan Surabaya"},
	{"eko.sales@relasi.demo", "Eko Nugroho", auth.Sales, "Penjualan Surabaya"},
	{"maya.support@relasi.demo", "Maya Anggraini", auth.Support, "Layanan Pelanggan"},
	{"yusuf.support@relasi.demo", "Yusuf Hidayat", auth.Support, "Layanan Pelanggan"},
	{"intan.marketing@relasi.demo", "Intan Permata", auth.Marketing, ""},
	{"james.viewer@relasi.demo", "James Tan", auth.ReadOnly, ""},
}

// people creates the demo team once; a second run reuses it.
func people(ctx context.Context, db *store.DB, w *World) (users, teams int, err error) {
	hash, err := auth.HashPassword(AdminPassword)
	if err != nil {
		return 0, 0, err
	}
	err = db.WriteTx(ctx, func(tx *sql.Tx) error {
		teamIDs := map[string]int64{}
		for _, u := range demoUsers {
			if u.team == "" || teamIDs[u.team] != 0 {
				continue
			}
			var id int64
			err := tx.QueryRowContext(ctx, "SELECT id FROM teams WHERE lower(name) = lower($1)", u.team).Scan(&id)
			if err == sql.ErrNoRows {
				err = tx.QueryRowContext(ctx, "INSERT INTO teams (name, created_at, updated_at) VALUES ($1, $2, $2) RETURNING id", u.team, w.Now).Scan(&id)
				teams++
			}
			if err != nil {
				return fmt.Errorf("demo team %s: %w", u.team, err)
			}
			teamIDs[u.team] = id
		}
		// New leads go in turn to the Jakarta sales team, so the demo
		// shows assignment working; an admin's own choice is kept.
		if _, err := tx.ExecContext(ctx, `UPDATE lead_settings SET assignment_mode = 'round_robin', default_team_id = $1
			WHERE id = 1 AND assignment_mode = 'none' AND default_team_id IS NULL AND version = 1`, teamIDs["Penjualan Jakarta"]); err != nil {
			return fmt.Errorf("demo lead assignment: %w", err)
		}
		for _, u := range demoUsers {
			var id int64
			err := tx.QueryRowContext(ctx, "SELECT id FROM users WHERE email = $1", u.email).Scan(&id)
			if err == sql.ErrNoRows {
				var team any
				if u.team != "" {
					team = teamIDs[u.team]
				}
				err = tx.QueryRowContext(ctx, `INSERT INTO users (email, name, password_hash, role, team_id, locale, time_zone, created_at, updated_at)
					VALUES ($1, $2, $3, $4, $5, 'id', 'Asia/Jakarta', $6, $6) RETURNING id`, u.email, u.name, hash, u.role, team, w.Now).Scan(&id)
				users++
			}
			if err != nil {
				return fmt.Errorf("demo user %s: %w", u.email, err)
			}
			if u.role == auth.Manager {
				if _, err := tx.ExecContext(ctx, "UPDATE teams SET manager_id = $1 WHERE id = $2", id, teamIDs[u.team]); err != nil {
					return err
				}
			}
			if u.role == auth.Sales || u.role == auth.Manager {
				w.UserIDs = append(w.UserIDs, id)
			}
		}
		return nil
	})
	return users, teams, err
}

func companyName(r *rand.Rand) string {
	name := Pick(r, companyForms) + " " + Pick(r, companyWords) + " " + Pick(r, companyWords)
	if s := Pick(r, companySuffix); s != "" {
		name += " " + s
	}
	return name
}

func slug(s string) string {
	s = strings.ToLower(s)
	for _, p := range []string{"pt ", "cv ", "ud ", "koperasi ", " tbk"} {
		s = strings.ReplaceAll(s, p, "")
	}
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, s)
}

func mobile(r *rand.Rand) string {
	return fmt.Sprintf("+62%s%08d", Pick(r, mobilePrefixes), r.IntN(100_000_000))
}

func makeAccounts(ctx context.Context, db *store.DB, w *World, n int) (int, error) {
	r := w.Rand
	err := db.WriteTx(ctx, func(tx *sql.Tx) error {
		id, err := NextID(ctx, tx, "accounts")
		if err != nil {
			return err
		}
		acc := NewInserter(ctx, tx, db.Engine, "accounts", "id", "name", "domain", "industry", "employees", "annual_revenue", "phone", "website",
			"street", "city", "province", "postal_code", "country", "tags", "owner_id", "custom", "created_at", "updated_at", "version")
		docs := NewSearchWriter(ctx, tx, db.Engine)
		if err := docs.Init(); err != nil {
			return err
		}
		for i := 0; i < n; i++ {
			name := companyName(r)
			domain := slug(name) + Pick(r, []string{".co.id", ".com", ".id"})
			c := Pick(r, cities)
			employees := int64(math.Exp(r.Float64()*8)) + 1 // 1 … ~3000, most small
			revenue := employees * int64(50_000_000+r.IntN(400_000_000)) * 100
			landline := fmt.Sprintf("+62%d%07d", Pick(r, []int{21, 31, 22, 61, 24, 411, 711, 274, 361}), r.IntN(10_000_000))
			owner := Pick(r, w.UserIDs)
			created := w.RandomTime(730)
			var tags any
			if r.IntN(4) == 0 {
				tags = JSONList(Pick(r, tagWords))
			}
			if err := acc.Add(id, name, domain, Pick(r, industries), employees, revenue, landline, "https://www."+domain,
				fmt.Sprintf("%s No. %d", Pick(r, streets), 1+r.IntN(200)), c.City, c.Province, c.Postal, "Indonesia", tags,
				owner, "{}", created, created, 1); err != nil {
				return err
			}
			body := strings.Join([]string{domain, c.City, landline, search.PhoneWords([]string{landline}), "https://www." + domain}, " ")
			detail := search.Detail{Domain: domain, City: c.City, Phones: []string{landline}, Website: "https://www." + domain}
			if err := docs.Add("accounts", id, owner, name, body, detail); err != nil {
				return err
			}
			w.AccountIDs = append(w.AccountIDs, id)
			id++
		}
		if err := acc.Flush(); err != nil {
			return err
		}
		if err := docs.Flush(); err != nil {
			return err
		}
		return SyncSequence(ctx, tx, db.Engine, "accounts")
	})
	return n, err
}

var industries = []string{"retail", "fmcg", "food_beverage", "manufacturing", "logistics", "technology", "construction",
	"healthcare", "hospitality", "automotive", "property", "education", "textile", "banking", "other"}

// JSONList is a list column value.
func JSONList(items ...string) string {
	b, _ := json.Marshal(items)
	return string(b)
}

func makeContacts(ctx context.Context, db *store.DB, w *World, n int) (int, error) {
	r := w.Rand
	// Account names for the search documents of their contacts.
	names := map[int64]string{}
	rows, err := db.Read().QueryContext(ctx, "SELECT id, name FROM accounts")
	if err != nil {
		return 0, err
	}
	for rows.Next() {
		var id int64
		var name string
		if err := rows.Scan(&id, &name); err != nil {
			rows.Close()
			return 0, err
		}
		names[id] = name
	}
	rows.Close()
	accountOwner := map[int64]int64{}
	if err := func() error {
		rows, err := db.Read().QueryContext(ctx, "SELECT id, COALESCE(owner_id, 0) FROM accounts")
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id, owner int64
			if err := rows.Scan(&id, &owner); err != nil {
				return err
			}
			accountOwner[id] = owner
		}
		return rows.Err()
	}(); err != nil {
		return 0, err
	}
	err = db.WriteTx(ctx, func(tx *sql.Tx) error {
		id, err := NextID(ctx, tx, "contacts")
		if err != nil {
			return err
		}
		con := NewInserter(ctx, tx, db.Engine, "contacts", "id", "first_name", "last_name", "emails", "phones", "job_title", "contact_role",
			"account_id", "street", "city", "province", "postal_code", "country", "source", "lifecycle_stage", "birth_date", "tags",
			"owner_id", "custom", "created_at", "updated_at", "version")
		emails := NewInserter(ctx, tx, db.Engine, "contact_emails", "contact_id", "email")
		phones := NewInserter(ctx, tx, db.Engine, "contact_phones", "contact_id", "phone")
		docs := NewSearchWriter(ctx, tx, db.Engine)
		if err := docs.Init(); err != nil {
			return err
		}
		con.ParentOf(emails, phones)
		for i := 0; i < n; i++ {
			first, last := Pick(r, firstNamesID), Pick(r, lastNamesID)
			if r.IntN(5) == 0 {
				first, last = Pick(r, firstNamesEN), Pick(r, lastNamesEN)
			}
			var account int64
			company := ""
			if len(w.AccountIDs) > 0 && r.IntN(4) != 0 {
				account = Pick(r, w.AccountIDs)
				company = names[account]
			}
			owner := Pick(r, w.UserIDs)
			if account != 0 && accountOwner[account] != 0 && r.IntN(5) != 0 {
				owner = accountOwner[account]
			}
			local := strings.ToLower(first) + "." + strings.ToLower(last)
			if r.IntN(3) == 0 {
				local += fmt.Sprint(r.IntN(1000))
			}
			mailDomain := Pick(r, emailDomains)
			if account != 0 && r.IntN(2) == 0 {
				mailDomain = slug(company) + ".co.id"
			}
			ems := []string{fmt.Sprintf("%s.%d@%s", local, id, mailDomain)}
			if r.IntN(6) == 0 {
				ems = append(ems, fmt.Sprintf("%s%d@%s", strings.ToLower(first), id, Pick(r, emailDomains)))
			}
			phs := []string{mobile(r)}
			if r.IntN(5) == 0 {
				phs = append(phs, mobile(r))
			}
			c := Pick(r, cities)
			created := w.RandomTime(730)
			birth := time.Date(1960+r.IntN(45), time.Month(1+r.IntN(12)), 1+r.IntN(28), 0, 0, 0, 0, time.UTC).Format(time.DateOnly)
			var tags any
			if r.IntN(5) == 0 {
				tags = JSONList(Pick(r, tagWords))
			}
			title := Pick(r, jobTitles)
			stage := Pick(r, contacts.LifecycleStages)
			if err := con.Add(id, first, last, JSONList(ems...), JSONList(phs...), title, Pick(r, contacts.Roles), NullID(account),
				fmt.Sprintf("%s No. %d", Pick(r, streets), 1+r.IntN(300)), c.City, c.Province, c.Postal, "Indonesia",
				Pick(r, contacts.Sources), stage, birth, tags, owner, "{}", created, created, 1); err != nil {
				return err
			}
			for _, e := range ems {
				if err := emails.Add(id, e); err != nil {
					return err
				}
			}
			for _, p := range phs {
				if err := phones.Add(id, p); err != nil {
					return err
				}
			}
			body := strings.Join([]string{search.WordsAndParts(ems), search.PhoneWords(phs), company, title, c.City}, " ")
			detail := search.Detail{Company: company, Emails: ems, Phones: phs, JobTitle: title, City: c.City}
			if err := docs.Add("contacts", id, owner, first+" "+last, body, detail); err != nil {
				return err
			}
			w.ContactIDs = append(w.ContactIDs, id)
			w.ContactAccount[id] = account
			w.Owner[id] = owner
			id++
		}
		for _, in := range []*Inserter{con, emails, phones} {
			if err := in.Flush(); err != nil {
				return err
			}
		}
		if err := docs.Flush(); err != nil {
			return err
		}
		return SyncSequence(ctx, tx, db.Engine, "contacts")
	})
	return n, err
}

// NullID is NULL for 0, for optional references.
func NullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// NullText is NULL for "", for optional text columns.
func NullText(s string) any {
	if s == "" {
		return nil
	}
	return s
}
