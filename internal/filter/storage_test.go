package filter

import (
	"context"
	"database/sql"
	"reflect"
	"testing"
	"time"

	"github.com/relasi/relasi/internal/store"
	"github.com/relasi/relasi/internal/store/storetest"
)

// The storage tests run compiled filters against a real table on both
// engines and compare the matching IDs, so that what the SQL means — not only
// what it says — is pinned down.

var storageDDL = map[store.Engine][]string{
	store.SQLite: {
		`CREATE TABLE filter_test_accounts (id INTEGER PRIMARY KEY, employees INTEGER)`,
		`CREATE TABLE filter_test_rows (
			id INTEGER PRIMARY KEY, name TEXT, city TEXT, employees INTEGER,
			amount INTEGER, active INTEGER, rating TEXT, tags TEXT,
			created_at TIMESTAMP, closes_on TEXT, account_id INTEGER)`,
	},
	store.Postgres: {
		`CREATE TABLE filter_test_accounts (id BIGINT PRIMARY KEY, employees BIGINT)`,
		`CREATE TABLE filter_test_rows (
			id BIGINT PRIMARY KEY, name TEXT, city TEXT, employees BIGINT,
			amount BIGINT, active BOOLEAN, rating TEXT, tags JSONB,
			created_at TIMESTAMPTZ, closes_on DATE, account_id BIGINT)`,
	},
}

// storageRows are relative to fixedNow, 2026-03-31 10:00 UTC (17:00 in
// Jakarta): "today" there began at 2026-03-30 17:00 UTC.
func storageRows() [][]any {
	ago := func(d time.Duration) time.Time { return fixedNow.Add(-d) }
	day := 24 * time.Hour
	return [][]any{
		// id, name, city, employees, amount, active, rating, tags, created_at, closes_on, account_id
		{1, "Budi Santoso", "Jakarta", 10, 150050, true, "hot", `["vip","lead"]`, ago(day), "2026-04-15", 1},
		{2, "ANI wijaya", "jakarta", 250, 150000, false, "warm", `["partner"]`, ago(10 * day), "2026-03-31", 2},
		{3, "Promo 50% 5-0", "Bandung", nil, 99, true, "cold", `[]`, ago(100 * day), "2026-01-31", nil},
		{4, "Dedi_Kurniawan", "", 5, nil, nil, nil, nil, ago(200 * day), nil, 1},
		{5, "eko", nil, 0, 0, false, "junk", `["new customer"]`, time.Date(2026, 3, 31, 0, 30, 0, 0, time.UTC), "2026-03-30", 3},
		{6, `Fitri 500 \ Back`, "Surabaya", 1000, 1000000, true, "hot", `["vip"]`, ago(91 * day), "2025-12-31", 2},
		{7, "Gita 5_0", "Medan", 20, 150051, true, "", `["lead","partner"]`, ago(89 * day), "2026-06-30", nil},
		{8, "hadi", "BANDUNG", 19, 149999, false, "warm", nil, time.Date(2026, 3, 30, 16, 59, 59, 0, time.UTC), "2026-02-28", 3},
		{9, nil, "Jakarta Selatan", 3, -500, true, "cold", `["vip","partner","lead"]`, time.Date(2026, 3, 30, 17, 0, 0, 0, time.UTC), "2026-04-01", nil},
		{10, "", "Bogor", 7, 250, nil, "hot", `[]`, fixedNow.Add(time.Hour), "2026-03-31", 1},
	}
}

var storageTests = []struct {
	filter string
	want   []int64
}{
	{``, []int64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}},
	// text: case-insensitive equality; '' and NULL are both "no value"
	{`city = "JAKARTA"`, []int64{1, 2}},
	{`city != "Jakarta"`, []int64{3, 4, 5, 6, 7, 8, 9, 10}},
	{`city is null`, []int64{4, 5}},
	{`city = ""`, []int64{4, 5}},
	{`city is not null`, []int64{1, 2, 3, 6, 7, 8, 9, 10}},
	{`not city is null`, []int64{1, 2, 3, 6, 7, 8, 9, 10}},
	{`name is null`, []int64{9, 10}},
	{`city < "C"`, []int64{3, 4, 8, 10}}, // as stored, so "" sorts first
	// contains and startswith match %, _ and \ literally
	{`name contains "50%"`, []int64{3}},
	{`name contains "5_0"`, []int64{7}},
	{`name contains "\\"`, []int64{6}},
	{`name contains "SANTO"`, []int64{1}},
	{`name startswith "ani"`, []int64{2}},
	{`name startswith "%"`, nil},
	// in / not in
	{`city in ("bandung", "Medan")`, []int64{3, 7, 8}},
	{`city not in ("bandung", "Medan")`, []int64{1, 2, 4, 5, 6, 9, 10}},
	{`city in ("", "bogor")`, []int64{4, 5, 10}},
	// numbers, including a decimal against an integer column
	{`employees >= 20`, []int64{2, 6, 7}},
	{`employees < 4.5`, []int64{5, 9}},
	{`employees = 3.5`, nil},
	{`employees != 3.5 and employees in (3, 3.5)`, []int64{9}},
	{`not employees > 10`, []int64{1, 3, 4, 5, 9, 10}},
	{`employees in (0, 3, 5)`, []int64{4, 5, 9}},
	// money in minor units
	{`amount = 1500.5`, []int64{1}},
	{`amount > 1500.50`, []int64{6, 7}},
	{`amount <= 1500`, []int64{2, 3, 5, 8, 9, 10}},
	{`amount = -5`, []int64{9}},
	// bool
	{`active = true`, []int64{1, 3, 6, 7, 9}},
	{`active = false`, []int64{2, 5, 8}},
	{`active != true`, []int64{2, 4, 5, 8, 10}},
	{`active is null`, []int64{4, 10}},
	// enum
	{`rating = "HOT"`, []int64{1, 6, 10}},
	{`rating in ("warm", "cold")`, []int64{2, 3, 8, 9}},
	{`rating is null`, []int64{4, 7}},
	{`rating != "hot"`, []int64{2, 3, 4, 5, 7, 8, 9}},
	// multi-select tags
	{`tags contains "vip"`, []int64{1, 6, 9}},
	{`tags = "LEAD"`, []int64{1, 7, 9}},
	{`tags != "vip"`, []int64{2, 3, 4, 5, 7, 8, 10}},
	{`tags in ("partner", "new customer")`, []int64{2, 5, 7, 9}},
	{`tags not in ("vip", "lead")`, []int64{2, 3, 4, 5, 8, 10}},
	{`tags is null`, []int64{3, 4, 8, 10}},
	{`tags is not null`, []int64{1, 2, 5, 6, 7, 9}},
	// date-times: relative instants and whole days in Jakarta
	{`created_at < -90d`, []int64{3, 4, 6}},
	{`created_at >= -90d`, []int64{1, 2, 5, 7, 8, 9, 10}},
	{`created_at > now`, []int64{10}},
	{`created_at >= today`, []int64{5, 9, 10}},
	{`created_at < today`, []int64{1, 2, 3, 4, 6, 7, 8}},
	{`created_at = yesterday`, []int64{1, 8}},
	{`created_at <= yesterday`, []int64{1, 2, 3, 4, 6, 7, 8}},
	{`created_at > yesterday`, []int64{5, 9, 10}},
	{`created_at > -2w and created_at < -1d`, []int64{2}},
	{`created_at = 2026-03-30T10:00:00Z`, []int64{1}},
	{`created_at = 2026-03-30T17:00:00+07:00`, []int64{1}},
	{`created_at >= 2026-03-31T00:00`, []int64{5, 9, 10}},
	{`created_at in (2026-03-30T10:00:00Z, 2026-03-31T00:30:00Z)`, []int64{1, 5}},
	{`created_at in (today, -200d)`, []int64{4, 5, 9, 10}},
	// dates
	{`closes_on < today`, []int64{3, 5, 6, 8}},
	{`closes_on = today`, []int64{2, 10}},
	{`closes_on = tomorrow`, []int64{9}},
	{`closes_on >= -1m and closes_on <= +1m`, []int64{1, 2, 5, 8, 9, 10}},
	{`closes_on in (2026-01-31, 2025-12-31)`, []int64{3, 6}},
	{`closes_on is null`, []int64{4}},
	// a related record through a subquery
	{`account.employees < 20`, []int64{1, 4, 10}},
	{`account.employees is null`, []int64{3, 5, 7, 8, 9}},
	// precedence: not binds tighter than and, and than or
	{`not city = "jakarta" and active = true or rating = "junk"`, []int64{3, 5, 6, 7, 9}},
	{`not (city = "jakarta" and active = true) or rating = "junk"`, []int64{2, 3, 4, 5, 6, 7, 8, 9, 10}},
	{`city = "jakarta" or city = "bandung" and employees > 100`, []int64{1, 2}},
	{`(city = "jakarta" or city = "bandung") and employees > 100`, []int64{2}},
	{`id in (1, 3, 5) and not id = 3`, []int64{1, 5}},
	{`id != 1 and id not in (2, 3, 4, 5, 6, 7, 8)`, []int64{9, 10}},
	{`not not (tags contains "vip" and amount > 1000)`, []int64{1, 6}},
}

func TestStorage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		err := db.WriteTx(ctx, func(tx *sql.Tx) error {
			for _, ddl := range storageDDL[db.Engine] {
				if _, err := tx.ExecContext(ctx, ddl); err != nil {
					return err
				}
			}
			for _, a := range [][]any{{1, 15}, {2, 500}, {3, nil}} {
				if _, err := tx.ExecContext(ctx, `INSERT INTO filter_test_accounts (id, employees) VALUES ($1, $2)`, a...); err != nil {
					return err
				}
			}
			for _, r := range storageRows() {
				if _, err := tx.ExecContext(ctx, `INSERT INTO filter_test_rows (id, name, city, employees, amount, active, rating, tags, created_at, closes_on, account_id)
					VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`, r...); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		s := testSchema()
		for _, tt := range storageTests {
			// Start at $2 to check numbering: the caller's own $1 comes first.
			w, err := Compile(tt.filter, s, Options{Engine: db.Engine, Now: fixedNow, FirstArg: 2})
			if err != nil {
				t.Errorf("Compile(%q): %v", tt.filter, err)
				continue
			}
			q := `SELECT id FROM filter_test_rows t WHERE id > $1`
			if w.SQL != "" {
				q += ` AND ` + w.SQL
			}
			rows, err := db.Read().QueryContext(ctx, q+` ORDER BY id`, append([]any{0}, w.Args...)...)
			if err != nil {
				t.Errorf("%q: %s: %v", tt.filter, w.SQL, err)
				continue
			}
			var got []int64
			for rows.Next() {
				var id int64
				if err := rows.Scan(&id); err != nil {
					t.Fatal(err)
				}
				got = append(got, id)
			}
			if err := rows.Err(); err != nil {
				t.Errorf("%q: %v", tt.filter, err)
			}
			rows.Close()
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("%q matched %v, want %v\nSQL: %s\nargs: %v", tt.filter, got, tt.want, w.SQL, w.Args)
			}
		}
	})
}
