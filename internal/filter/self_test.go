package filter

import (
	"reflect"
	"testing"

	"github.com/relasi/relasi/internal/errs"
	"github.com/relasi/relasi/internal/store"
)

// ownerSchema is a list's owner fields as records declares them.
func ownerSchema() Schema {
	users := &Via{ID: "t.owner_id", Table: "users", Key: "id"}
	return NewSchema(
		Field{Name: "city", Type: Text, SQL: "t.city"},
		Field{Name: "owner_id", Type: ID, SQL: "t.owner_id", Self: SelfUser},
		Field{Name: "owner", Type: ID, SQL: "t.owner_id", Self: SelfUser},
		Field{Name: "owner.team", Type: ID, SQL: "team_id", Self: SelfTeam, Via: users},
		Field{Name: "owner.name", Type: Text, SQL: "name", Via: users},
	)
}

func TestCompileSelfAndVia(t *testing.T) {
	tests := []struct {
		src  string
		sql  string
		args []any
	}{
		{`owner = me`, `t.owner_id = $1`, []any{int64(7)}},
		{`owner_id = ME`, `t.owner_id = $1`, []any{int64(7)}},
		{`owner != me`, `NOT COALESCE(t.owner_id = $1, 0)`, []any{int64(7)}},
		{`owner in (me, 12)`, `t.owner_id IN ($1, $2)`, []any{int64(7), int64(12)}},
		{`owner.team = my`, `t.owner_id IN (SELECT id FROM users WHERE team_id = $1)`, []any{int64(3)}},
		{`owner.team != my`, `NOT COALESCE(t.owner_id IN (SELECT id FROM users WHERE team_id = $1), 0)`, []any{int64(3)}},
		{`owner.team = 5`, `t.owner_id IN (SELECT id FROM users WHERE team_id = $1)`, []any{int64(5)}},
		{`owner.name = "Budi Santoso"`, `t.owner_id IN (SELECT id FROM users WHERE lower(name) = lower($1))`, []any{"Budi Santoso"}},
		{`owner.name startswith "bu" and city = "Bandung"`, `t.owner_id IN (SELECT id FROM users WHERE lower(name) LIKE lower($1) ESCAPE '\') AND lower(t.city) = lower($2)`, []any{"bu%", "Bandung"}},
		{`owner is null`, `t.owner_id IS NULL`, nil},
	}
	for _, tt := range tests {
		w, err := Compile(tt.src, ownerSchema(), Options{Engine: store.SQLite, Now: fixedNow, UserID: 7, TeamID: 3})
		if err != nil {
			t.Errorf("Compile(%q): %v", tt.src, err)
			continue
		}
		if w.SQL != tt.sql || !reflect.DeepEqual(w.Args, tt.args) {
			t.Errorf("Compile(%q) =\n %s %#v\nwant\n %s %#v", tt.src, w.SQL, w.Args, tt.sql, tt.args)
		}
	}

	// No viewer (a saved view checked, a rule Relasi runs): me is no one.
	w, err := Compile(`owner = me`, ownerSchema(), Options{Engine: store.Postgres})
	if err != nil || !reflect.DeepEqual(w.Args, []any{int64(0)}) {
		t.Errorf("owner = me without a viewer: %v %#v, want it bound to 0, no one's ID", err, w.Args)
	}
}

func TestCompileSelfErrors(t *testing.T) {
	tests := []struct{ src, code, msg string }{
		{`owner = you`, "type_mismatch", `position 9: owner takes me (you, the signed-in user) or a user's ID, found you; to match the owner's name, write owner.name = "you"`},
		{`owner in (me, budi)`, "type_mismatch", `position 15: owner takes me (you, the signed-in user) or a user's ID, found budi; to match the owner's name, write owner.name = "budi"`},
		{`owner = "me"`, "type_mismatch", `position 9: owner is an ID field; expected me or a user's ID, found "me"`},
		{`owner.team = me`, "type_mismatch", `position 14: owner.team takes my (your team) or a team's ID, found me`},
		{`owner.team = "sales"`, "type_mismatch", `position 14: owner.team is an ID field; expected my or a team's ID, found "sales"`},
		{`city = me`, "syntax", `position 8: expected a value, found me; put text in quotes: "me"`},
		{`owner.name = me`, "syntax", `position 14: expected a value, found me; put text in quotes: "me"`},
		{`owner contains "x"`, "type_mismatch", `position 7: contains does not work on owner, an ID field; use =, !=, <, <=, >, >=, in, not in or is null`},
	}
	for _, tt := range tests {
		_, err := Compile(tt.src, ownerSchema(), Options{Engine: store.SQLite, UserID: 7, TeamID: 3})
		e, ok := errs.As(err)
		if !ok || e.Code != errs.Invalid || len(e.Fields) != 1 {
			t.Errorf("Compile(%q) = %v, want one invalid filter", tt.src, err)
			continue
		}
		if fe := e.Fields[0]; fe.Field != "filter" || fe.Code != tt.code || fe.Message != tt.msg {
			t.Errorf("Compile(%q):\n got %s %q\nwant %s %q", tt.src, fe.Code, fe.Message, tt.code, tt.msg)
		}
	}
}
