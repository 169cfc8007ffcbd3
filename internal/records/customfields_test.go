package records_test

import (
	"cmp"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/records"
	"github.com/relasi/relasi/internal/store"
)

// customKinds is one custom field of every kind an admin may add, with a
// value as a client sends it, the value the API gives back, and a value
// the field refuses with its error code.
var customKinds = []struct {
	key     string
	kind    records.Kind
	extra   map[string]any
	in, out any
	bad     any
	badCode string
}{
	{"tier", records.Text, nil, " Gold ", "Gold", strings.Repeat("x", 256), "too_long"},
	{"score", records.Number, nil, 12.5, "12.5", "banyak", "wrong_type"},
	{"budget", records.Money, nil, json.Number("1500000.50"), "1500000.5", json.Number("1.505"), "invalid_amount"},
	{"renewal", records.Date, nil, "2026-04-01", "2026-04-01", "2026-13-01", "invalid_date"},
	{"active", records.Bool, nil, true, "true", "mungkin", "wrong_type"},
	{"segment", records.Select, map[string]any{"choices": []string{"b2b", "b2c", "gov"}}, "b2b", "b2b", "b2x", "invalid_choice"},
	{"channels", records.MultiSelect, map[string]any{"choices": []string{"wa", "email", "call"}}, []string{"wa", "email", "wa"}, "[wa email]", []string{"fax"}, "invalid_choice"},
	{"shop", records.URL, nil, "tokopedia.com/maju", "https://tokopedia.com/maju", "bukan alamat", "invalid_url"},
	{"billing", records.Email, nil, "Tagihan@Maju.co.id", "tagihan@maju.co.id", "tagihan@", "invalid_email"},
	{"hotline", records.Phone, nil, "0812-3456-7890", "+6281234567890", "halo", "invalid_phone"},
}

func TestCustomFieldValues(t *testing.T) {
	onEveryEngine(t, func(t *testing.T, engine store.Engine) {
		c := newCRM(t, engine)
		for _, k := range customKinds {
			cf := c.customField(t, "contacts", k.key, k.kind, k.extra)
			if cf["key"] != k.key || cf["kind"] != string(k.kind) || cf["entity"] != "contacts" {
				t.Errorf("created field %v", cf)
			}
		}
		var list struct {
			Items []map[string]any `json:"items"`
		}
		c.Do(t, c.AdminToken, "GET", "/api/v1/custom-fields?entity=contacts", nil).Want(t, http.StatusOK).JSON(t, &list)
		if len(list.Items) != len(customKinds) {
			t.Fatalf("%d custom fields listed, want %d", len(list.Items), len(customKinds))
		}
		if money := list.Items[2]; money["currency"] != "IDR" {
			t.Errorf("money field currency %v, want the default IDR", money["currency"])
		}

		// Set every value at once, as a "custom" object.
		values := map[string]any{}
		for _, k := range customKinds {
			values[k.key] = k.in
		}
		con := c.create(t, c.AdminToken, "contacts", map[string]any{"first_name": "Budi", "custom": values})
		check := func(rec map[string]any) {
			t.Helper()
			custom := rec["custom"].(map[string]any)
			for _, k := range customKinds {
				if got := show(custom[k.key]); got != k.out {
					t.Errorf("custom.%s = %s, want %s", k.key, got, k.out)
				}
			}
		}
		check(con)
		check(c.Do(t, c.AdminToken, "GET", recPath("contacts", con), nil).Want(t, http.StatusOK).Map(t))
		check(c.list(t, c.AdminToken, "contacts")[0])

		// Money is stored in minor units.
		var budget int64
		q := "SELECT json_extract(custom, '$.budget') FROM contacts"
		if engine == store.Postgres {
			q = "SELECT (custom->>'budget')::bigint FROM contacts"
		}
		if err := c.DB.Read().QueryRow(q).Scan(&budget); err != nil || budget != 150000050 {
			t.Errorf("stored budget %d (err %v), want 150000050", budget, err)
		}

		// Each bad value is named custom.<key>, all in one answer, and
		// "custom.<key>" entries work as well as the object.
		bad := map[string]any{}
		want := map[string]string{}
		for _, k := range customKinds {
			bad["custom."+k.key] = k.bad
			want["custom."+k.key] = k.badCode
		}
		wantFieldErrors(t, c.Do(t, c.AdminToken, "PATCH", recPath("contacts", con), bad), want)

		// Clearing a value removes it; the others stay.
		upd := c.Do(t, c.AdminToken, "PATCH", recPath("contacts", con), map[string]any{"custom.tier": "", "custom": map[string]any{"channels": []string{}, "active": false}}).Want(t, http.StatusOK).Map(t)
		custom := upd["custom"].(map[string]any)
		if custom["tier"] != nil || show(custom["channels"]) != "[]" || show(custom["active"]) != "false" || show(custom["budget"]) != "1500000.5" {
			t.Errorf("after clearing: %v", custom)
		}
	})
}

func TestCustomFieldRequired(t *testing.T) {
	onEveryEngine(t, func(t *testing.T, engine store.Engine) {
		c := newCRM(t, engine)
		c.customField(t, "contacts", "npwp", records.Text, map[string]any{"required": true})
		wantFieldErrors(t, c.Do(t, c.AdminToken, "POST", "/api/v1/contacts", map[string]any{"first_name": "Ani"}),
			map[string]string{"custom.npwp": "required"})
		wantFieldErrors(t, c.Do(t, c.AdminToken, "POST", "/api/v1/contacts", map[string]any{"custom": map[string]any{"npwp": " "}}),
			map[string]string{"custom.npwp": "required", "first_name": "required"})
		con := c.create(t, c.AdminToken, "contacts", map[string]any{"first_name": "Ani", "custom.npwp": "01.234.567.8-901.000"})
		wantFieldErrors(t, c.Do(t, c.AdminToken, "PATCH", recPath("contacts", con), map[string]any{"custom.npwp": nil}),
			map[string]string{"custom.npwp": "required"})
		// A field for accounts does not concern contacts.
		c.customField(t, "accounts", "npwp", records.Text, map[string]any{"required": true})
		c.create(t, c.AdminToken, "accounts", map[string]any{"name": "PT A", "custom": map[string]any{"npwp": "1"}})
		wantFieldErrors(t, c.Do(t, c.AdminToken, "POST", "/api/v1/accounts", map[string]any{"name": "PT B"}),
			map[string]string{"custom.npwp": "required"})
	})
}

func TestCustomFieldFilters(t *testing.T) {
	onEveryEngine(t, func(t *testing.T, engine store.Engine) {
		c := newCRM(t, engine)
		for _, k := range customKinds {
			c.customField(t, "contacts", k.key, k.kind, k.extra)
		}
		c.create(t, c.AdminToken, "contacts", map[string]any{"first_name": "Ani", "custom": map[string]any{
			"tier": "Gold", "score": 12.5, "budget": json.Number("1500000.50"), "renewal": "2026-04-01", "active": true, "segment": "b2b",
			"channels": []string{"wa", "email"}, "shop": "tokopedia.com/ani", "billing": "ani@maju.co.id", "hotline": "0812-3456-7890"}})
		c.create(t, c.AdminToken, "contacts", map[string]any{"first_name": "Budi", "custom": map[string]any{
			"tier": "Silver", "score": 3, "budget": 200, "renewal": "2025-12-31", "active": false, "segment": "b2c",
			"channels": []string{"email"}, "shop": "shopee.co.id/budi", "billing": "budi@gmail.com", "hotline": "021 555 1234"}})
		c.create(t, c.AdminToken, "contacts", map[string]any{"first_name": "Citra"})

		for _, tc := range []struct{ filter, want string }{
			{`custom.tier = "gold"`, "Ani"},
			{`custom.tier contains "ilv"`, "Budi"},
			{`custom.tier in ("silver", "bronze")`, "Budi"},
			{`custom.tier is null`, "Citra"},
			{`custom.tier != "gold"`, "Budi Citra"},
			{`custom.score > 5`, "Ani"},
			{`custom.score <= 3`, "Budi"},
			{`custom.score in (3, 4)`, "Budi"},
			{`custom.budget >= 1500000.5`, "Ani"},
			{`custom.budget = 200`, "Budi"},
			{`custom.budget < 1000000`, "Budi"},
			{`custom.renewal < 2026-01-01`, "Budi"},
			{`custom.renewal > today`, "Ani"},
			{`custom.renewal in (2025-12-31)`, "Budi"},
			{`custom.active = true`, "Ani"},
			{`custom.active = false`, "Budi"},
			{`custom.active is null`, "Citra"},
			{`custom.segment = "B2B"`, "Ani"},
			{`custom.segment in ("b2b", "b2c")`, "Ani Budi"},
			{`custom.channels contains "wa"`, "Ani"},
			{`custom.channels = "email"`, "Ani Budi"},
			{`custom.channels in ("wa", "call")`, "Ani"},
			{`custom.channels is null`, "Citra"},
			{`not custom.channels contains "wa"`, "Budi Citra"},
			{`custom.shop contains "tokopedia"`, "Ani"},
			{`custom.billing = "budi@gmail.com"`, "Budi"},
			{`custom.hotline = "+6281234567890"`, "Ani"},
			{`custom.hotline startswith "+6221"`, "Budi"},
			{`custom.tier = "gold" or custom.segment = "b2c"`, "Ani Budi"},
		} {
			items := c.list(t, c.AdminToken, "contacts", "filter", tc.filter, "sort", "first_name")
			if got := strings.Join(column(items, "first_name"), " "); got != tc.want {
				t.Errorf("filter %s: got %q, want %q", tc.filter, got, tc.want)
			}
		}

		// A filter that does not fit the field's kind is the caller's mistake.
		for _, f := range []string{`custom.score contains "1"`, `custom.segment = "retail"`, `custom.nope = 1`, `custom.active > 1`} {
			if got := fieldErrors(t, c.Do(t, c.AdminToken, "GET", "/api/v1/contacts?filter="+urlQuery(f), nil)); got["filter"] == "" {
				t.Errorf("filter %s: errors %v, want one on filter", f, got)
			}
		}
	})
}

func TestCustomFieldSort(t *testing.T) {
	onEveryEngine(t, func(t *testing.T, engine store.Engine) {
		c := newCRM(t, engine)
		for _, k := range customKinds {
			c.customField(t, "contacts", k.key, k.kind, k.extra)
		}
		// Values with ties, mixed case and gaps (no value).
		rows := []map[string]any{
			{"tier": "gold", "score": 12.5, "budget": json.Number("1500000.50"), "renewal": "2026-04-01", "active": true, "segment": "b2b", "shop": "b.co.id", "billing": "z@a.id", "hotline": "0812 1"},
			{"tier": "Silver", "score": -3, "budget": 200, "renewal": "2025-12-31", "active": false, "segment": "gov"},
			{},
			{"tier": "Gold", "score": 12.5, "budget": json.Number("1500000.50"), "renewal": "2026-04-01", "active": true, "segment": "b2b", "shop": "a.co.id", "billing": "a@a.id"},
			{"tier": "bronze", "score": 0, "budget": 0, "renewal": "2024-02-29", "segment": "b2c"},
			{"tier": "Silver", "score": 1000000, "budget": json.Number("99.99"), "renewal": "2026-04-01", "active": true},
			{},
		}
		type rec struct {
			id     int64
			custom map[string]any
		}
		var recs []rec
		for i, v := range rows {
			if h, ok := v["hotline"].(string); ok {
				v["hotline"] = h + "23456789"
			}
			m := c.create(t, c.AdminToken, "contacts", map[string]any{"first_name": fmt.Sprintf("Kontak %d", i), "custom": v})
			recs = append(recs, rec{recID(t, m), m["custom"].(map[string]any)})
		}
		// key orders a record's value as the list must: no value first,
		// text without regard to case, false before true.
		key := func(r rec, k string, kind records.Kind) (float64, string) {
			v := r.custom[k]
			switch kind {
			case records.Number, records.Money:
				if v == nil {
					return -1e300, ""
				}
				var f float64
				fmt.Sscan(show(v), &f)
				return f, ""
			case records.Bool:
				if v == true {
					return 1, ""
				}
				return 0, ""
			}
			return 0, strings.ToLower(show(v))
		}
		for _, k := range customKinds {
			if k.kind == records.MultiSelect {
				wantFieldErrors(t, c.Do(t, c.AdminToken, "GET", "/api/v1/contacts?sort=custom."+k.key, nil), map[string]string{"sort": "unknown_field"})
				continue
			}
			for _, desc := range []bool{false, true} {
				want := slices.Clone(recs)
				slices.SortStableFunc(want, func(a, b rec) int {
					an, as := key(a, k.key, k.kind)
					bn, bs := key(b, k.key, k.kind)
					o := cmp.Or(cmp.Compare(an, bn), strings.Compare(as, bs))
					if desc {
						o = -o
					}
					return cmp.Or(o, cmp.Compare(a.id, b.id))
				})
				sortSpec := "custom." + k.key
				if desc {
					sortSpec = "-" + sortSpec
				}
				got := c.walk(t, c.AdminToken, "contacts", 2, "sort", sortSpec)
				var gotIDs, wantIDs []int64
				for _, g := range got {
					gotIDs = append(gotIDs, recID(t, g))
				}
				for _, w := range want {
					wantIDs = append(wantIDs, w.id)
				}
				if !slices.Equal(gotIDs, wantIDs) {
					t.Errorf("sort=%s in pages of 2: ids %v, want %v", sortSpec, gotIDs, wantIDs)
				}
			}
		}
	})
}

func TestCustomFieldDeleteKeepsValues(t *testing.T) {
	onEveryEngine(t, func(t *testing.T, engine store.Engine) {
		c := newCRM(t, engine)
		cf := c.customField(t, "contacts", "budget", records.Money, nil)
		c.customField(t, "contacts", "tier", records.Text, nil)
		con := c.create(t, c.AdminToken, "contacts", map[string]any{"first_name": "Ani", "custom": map[string]any{"budget": json.Number("2500000"), "tier": "gold"}})

		c.Do(t, c.AdminToken, "DELETE", fmt.Sprintf("/api/v1/custom-fields/%s", cf["id"]), nil).Want(t, http.StatusNoContent)
		c.Do(t, c.AdminToken, "DELETE", fmt.Sprintf("/api/v1/custom-fields/%s", cf["id"]), nil).Want(t, http.StatusNotFound)
		got := c.Do(t, c.AdminToken, "GET", recPath("contacts", con), nil).Want(t, http.StatusOK).Map(t)
		if _, shown := got["custom"].(map[string]any)["budget"]; shown {
			t.Errorf("a deleted field is still shown: %v", got["custom"])
		}
		wantFieldErrors(t, c.Do(t, c.AdminToken, "PATCH", recPath("contacts", con), map[string]any{"custom.budget": 1}),
			map[string]string{"custom.budget": "unknown_field"})
		// Changing the contact meanwhile must not lose the hidden value.
		c.Do(t, c.AdminToken, "PATCH", recPath("contacts", con), map[string]any{"last_name": "Wijaya", "custom.tier": "silver"}).Want(t, http.StatusOK)

		// The key cannot come back as a kind its stored values (a number)
		// do not fit.
		for _, kind := range []records.Kind{records.Text, records.Date, records.Bool, records.MultiSelect, records.Email} {
			body := map[string]any{"entity": "contacts", "key": "budget", "label": "Budget", "kind": kind, "choices": []string{"a"}}
			wantFieldErrors(t, c.Do(t, c.AdminToken, "POST", "/api/v1/custom-fields", body), map[string]string{"key": "taken"})
		}
		c.customField(t, "contacts", "budget", records.Money, nil)
		got = c.Do(t, c.AdminToken, "GET", recPath("contacts", con), nil).Want(t, http.StatusOK).Map(t)
		custom := got["custom"].(map[string]any)
		if show(custom["budget"]) != "2500000" || custom["tier"] != "silver" || got["last_name"] != "Wijaya" {
			t.Errorf("after re-creating the field: %v", got)
		}

		// Text values fit a select field; the values come back and filter.
		var defs struct{ Items []map[string]any }
		c.Do(t, c.AdminToken, "GET", "/api/v1/custom-fields?entity=contacts", nil).Want(t, http.StatusOK).JSON(t, &defs)
		for _, d := range defs.Items {
			if d["key"] == "tier" {
				c.Do(t, c.AdminToken, "DELETE", fmt.Sprintf("/api/v1/custom-fields/%s", d["id"]), nil).Want(t, http.StatusNoContent)
			}
		}
		wantFieldErrors(t, c.Do(t, c.AdminToken, "POST", "/api/v1/custom-fields", map[string]any{"entity": "contacts", "key": "tier", "label": "Tier", "kind": "number"}),
			map[string]string{"key": "taken"})
		c.customField(t, "contacts", "tier", records.Select, map[string]any{"choices": []string{"gold", "silver"}})

		// 12.5 is no whole number of minor units: a number field's values
		// do not make a money field.
		score := c.customField(t, "contacts", "score", records.Number, nil)
		c.Do(t, c.AdminToken, "PATCH", recPath("contacts", con), map[string]any{"custom.score": 12.5}).Want(t, http.StatusOK)
		c.Do(t, c.AdminToken, "DELETE", fmt.Sprintf("/api/v1/custom-fields/%s", score["id"]), nil).Want(t, http.StatusNoContent)
		wantFieldErrors(t, c.Do(t, c.AdminToken, "POST", "/api/v1/custom-fields", map[string]any{"entity": "contacts", "key": "score", "label": "Score", "kind": "money"}),
			map[string]string{"key": "taken"})
		if got := c.list(t, c.AdminToken, "contacts", "filter", `custom.tier = "silver" and custom.budget > 1000000`); len(got) != 1 {
			t.Errorf("filter by the re-created fields: %d contacts, want 1", len(got))
		}
	})
}

func TestCustomFieldDefinitions(t *testing.T) {
	onEveryEngine(t, func(t *testing.T, engine store.Engine) {
		c := newCRM(t, engine)
		for _, tc := range []struct {
			name string
			body map[string]any
			want map[string]string
		}{
			{"upper case key", map[string]any{"entity": "contacts", "key": "Budget", "label": "B", "kind": "text"}, map[string]string{"key": "invalid_key"}},
			{"key with a dash", map[string]any{"entity": "contacts", "key": "my-field", "label": "B", "kind": "text"}, map[string]string{"key": "invalid_key"}},
			{"key with a quote", map[string]any{"entity": "contacts", "key": "a'b", "label": "B", "kind": "text"}, map[string]string{"key": "invalid_key"}},
			{"key starting with a digit", map[string]any{"entity": "contacts", "key": "1st", "label": "B", "kind": "text"}, map[string]string{"key": "invalid_key"}},
			{"key too long", map[string]any{"entity": "contacts", "key": strings.Repeat("a", 41), "label": "B", "kind": "text"}, map[string]string{"key": "invalid_key"}},
			{"standard field name", map[string]any{"entity": "contacts", "key": "first_name", "label": "B", "kind": "text"}, map[string]string{"key": "taken"}},
			{"unknown kind", map[string]any{"entity": "contacts", "key": "x", "label": "B", "kind": "blob"}, map[string]string{"kind": "invalid_choice"}},
			{"kind a custom field cannot have", map[string]any{"entity": "contacts", "key": "x", "label": "B", "kind": "ref"}, map[string]string{"kind": "invalid_choice"}},
			{"select without choices", map[string]any{"entity": "contacts", "key": "x", "label": "B", "kind": "select", "choices": []string{" "}}, map[string]string{"choices": "required"}},
			{"no label", map[string]any{"entity": "contacts", "key": "x", "kind": "text"}, map[string]string{"label": "required"}},
			{"unknown currency", map[string]any{"entity": "contacts", "key": "x", "label": "B", "kind": "money", "currency": "XYZ"}, map[string]string{"currency": "invalid_choice"}},
			{"unknown entity", map[string]any{"entity": "unicorns", "key": "x", "label": "B", "kind": "text"}, map[string]string{"entity": "invalid_choice"}},
			{"everything wrong", map[string]any{"entity": "contacts", "key": "X", "kind": "blob"}, map[string]string{"key": "invalid_key", "kind": "invalid_choice", "label": "required"}},
		} {
			wantFieldErrors(t, c.Do(t, c.AdminToken, "POST", "/api/v1/custom-fields", tc.body), tc.want)
		}
		cf := c.customField(t, "contacts", "segment", records.Select, map[string]any{"choices": []string{"b2b", " b2c", "b2b"}})
		if show(cf["choices"]) != "[b2b b2c]" {
			t.Errorf("choices %v, want trimmed without duplicates", cf["choices"])
		}
		wantFieldErrors(t, c.Do(t, c.AdminToken, "POST", "/api/v1/custom-fields", map[string]any{"entity": "contacts", "key": "segment", "label": "Again", "kind": "text"}),
			map[string]string{"key": "taken"})
		// The same key on another entity is another field.
		c.customField(t, "accounts", "segment", records.Text, nil)

		// Changing a field: label and choices; stale versions refused.
		fp := fmt.Sprintf("/api/v1/custom-fields/%s", cf["id"])
		upd := c.call(t, c.AdminToken, "PATCH", fp, map[string]any{"label": "Segmen", "choices": []string{"b2b", "b2c", "gov"}}, `If-Match: "v1"`).Want(t, http.StatusOK).Map(t)
		if upd["label"] != "Segmen" || show(upd["choices"]) != "[b2b b2c gov]" || show(upd["version"]) != "2" || upd["kind"] != "select" {
			t.Errorf("changed field %v", upd)
		}
		c.call(t, c.AdminToken, "PATCH", fp, map[string]any{"label": "Lama"}, `If-Match: "v1"`).Want(t, http.StatusPreconditionFailed)

		// A money field may switch to a currency with as many decimals, not
		// to one with fewer: the stored minor units would change meaning.
		money := c.customField(t, "contacts", "deposit", records.Money, nil)
		mp := fmt.Sprintf("/api/v1/custom-fields/%s", money["id"])
		c.create(t, c.AdminToken, "contacts", map[string]any{"first_name": "Budi", "custom.deposit": json.Number("1500000.50")})
		wantFieldErrors(t, c.Do(t, c.AdminToken, "PATCH", mp, map[string]any{"currency": "JPY"}), map[string]string{"currency": "invalid_choice"})
		wantFieldErrors(t, c.Do(t, c.AdminToken, "PATCH", mp, map[string]any{"currency": "ABC"}), map[string]string{"currency": "invalid_choice"})
		if upd := c.Do(t, c.AdminToken, "PATCH", mp, map[string]any{"currency": "USD"}).Want(t, http.StatusOK).Map(t); upd["currency"] != "USD" {
			t.Errorf("currency %v, want USD", upd["currency"])
		}
		if got := c.list(t, c.AdminToken, "contacts", "filter", "custom.deposit = 1500000.5"); len(got) != 1 || show(got[0]["custom"].(map[string]any)["deposit"]) != "1500000.5" {
			t.Errorf("deposit after the currency change: %v", got)
		}
		c.Do(t, c.AdminToken, "DELETE", mp, nil).Want(t, http.StatusNoContent)
		c.create(t, c.AdminToken, "contacts", map[string]any{"first_name": "Ani", "custom.segment": "gov"})
		wantFieldErrors(t, c.Do(t, c.AdminToken, "PATCH", fp, map[string]any{"label": ""}), map[string]string{"label": "required"})
		c.Do(t, c.AdminToken, "PATCH", "/api/v1/custom-fields/9999", map[string]any{"label": "x"}).Want(t, http.StatusNotFound)

		// Only administrators manage fields; everyone may read them.
		for _, role := range []auth.Role{auth.Manager, auth.Sales, auth.Support, auth.Marketing, auth.ReadOnly} {
			_, tok := c.user(t, string(role), role, 0)
			c.Do(t, tok, "POST", "/api/v1/custom-fields", map[string]any{"entity": "contacts", "key": "mine", "label": "Mine", "kind": "text"}).Want(t, http.StatusForbidden)
			c.Do(t, tok, "PATCH", fp, map[string]any{"label": "Mine"}).Want(t, http.StatusForbidden)
			c.Do(t, tok, "DELETE", fp, nil).Want(t, http.StatusForbidden)
			c.Do(t, tok, "GET", "/api/v1/custom-fields?entity=contacts", nil).Want(t, http.StatusOK)
		}
		wantFieldErrors(t, c.Do(t, c.AdminToken, "GET", "/api/v1/custom-fields?entity=nope", nil), map[string]string{"entity": "invalid_choice"})
		got := c.Do(t, c.AdminToken, "GET", "/api/v1/custom-fields?entity=contacts", nil).Want(t, http.StatusOK).Map(t)
		if items := got["items"].([]any); len(items) != 1 || items[0].(map[string]any)["label"] != "Segmen" {
			t.Errorf("fields after the refused changes: %v", got)
		}
	})
}
