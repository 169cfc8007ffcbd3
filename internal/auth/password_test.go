package auth_test

import (
	"encoding/base64"
	"fmt"
	"regexp"
	"testing"

	"golang.org/x/crypto/argon2"

	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/errs"
	"github.com/relasi/relasi/internal/store"
	"github.com/relasi/relasi/internal/store/storetest"
)

// phc is the argon2id PHC string: version, the OWASP parameters, a 16-byte
// salt and a 32-byte key, both unpadded base64.
var phc = regexp.MustCompile(`^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$`)

func TestHashPassword(t *testing.T) {
	for _, password := range []string{"correct horse battery", "päßwörd-ünïcode", "        "} {
		t.Run(password, func(t *testing.T) {
			h1, err := auth.HashPassword(password)
			if err != nil {
				t.Fatal(err)
			}
			if !phc.MatchString(h1) {
				t.Fatalf("hash %q is not an argon2id PHC string", h1)
			}
			if !auth.CheckPassword(h1, password) {
				t.Fatal("the right password does not verify")
			}
			for _, wrong := range []string{"", password + "x", password[:len(password)-1]} {
				if auth.CheckPassword(h1, wrong) {
					t.Fatalf("wrong password %q verifies", wrong)
				}
			}
			h2, err := auth.HashPassword(password)
			if err != nil {
				t.Fatal(err)
			}
			if h1 == h2 {
				t.Fatal("two hashes of the same password are equal; the salt is not random")
			}
			if !auth.CheckPassword(h2, password) {
				t.Fatal("the second hash does not verify")
			}
		})
	}
}

// A hash carries its own parameters, so raising them later keeps old hashes working.
func TestCheckPasswordUsesStoredParameters(t *testing.T) {
	salt := []byte("0123456789abcdef")
	key := argon2.IDKey([]byte("old password"), salt, 1, 8*1024, 1, 32)
	old := fmt.Sprintf("$argon2id$v=19$m=8192,t=1,p=1$%s$%s",
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key))
	if !auth.CheckPassword(old, "old password") {
		t.Fatal("a hash with older parameters does not verify")
	}
	if auth.CheckPassword(old, "new password") {
		t.Fatal("a wrong password verifies against an old hash")
	}
}

func TestCheckPasswordRejectsMalformedHashes(t *testing.T) {
	good, err := auth.HashPassword("secret password")
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range []string{
		"",
		"secret password",
		"$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy", // bcrypt
		regexp.MustCompile(`^\$argon2id`).ReplaceAllString(good, "$$argon2i"),
		regexp.MustCompile(`v=19`).ReplaceAllString(good, "v=16"),
		regexp.MustCompile(`m=\d+`).ReplaceAllString(good, "m=x"),
		good + "$extra",
		good[:len(good)-44] + "$!!notbase64!!",
	} {
		if auth.CheckPassword(h, "secret password") {
			t.Errorf("malformed hash %q verifies", h)
		}
	}
}

// Blank and common passwords are refused wherever a password is set: a new
// user (setup, the user forms, the API and the CLI all create users
// through CreateUser), a changed password and an administrator's reset.
func TestPasswordRules(t *testing.T) {
	refused := map[string]string{
		"12345678":         "common_password",
		"password":         "common_password",
		"PassWord":         "common_password",
		"iloveyou":         "common_password",
		"qwertyuiop":       "common_password",
		"        ":         "blank_password",
		"\t\t\t\t\t\t\t\t": "blank_password",
		"":                 "blank_password",
		"1234567":          "too_short",
	}
	accepted := []string{"correct horse battery", "kopi-tubruk-pagi", "        x"}
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		svc, _ := newService(db)
		u := mustCreateUser(t, svc, "ana@example.com", "Ana", auth.Sales, nil)
		_, sess, err := svc.CreateSession(ctx, u.ID, ip, "test")
		if err != nil {
			t.Fatal(err)
		}
		for password, code := range refused {
			_, err := svc.CreateUser(ctx, auth.NewUser{Email: "budi@example.com", Name: "Budi", Password: password, Role: auth.Sales})
			wantFieldCode(t, err, "password", code)
			wantFieldCode(t, svc.SetPassword(ctx, u.ID, password), "password", code)
			wantFieldCode(t, svc.ChangePassword(ctx, u.ID, testPassword, password, sess.ID), "new_password", code)
		}
		for _, password := range accepted {
			if err := svc.SetPassword(ctx, u.ID, password); err != nil {
				t.Errorf("password %q refused: %v", password, err)
			}
		}
	})
}

func wantFieldCode(t *testing.T, err error, field, code string) {
	t.Helper()
	e := wantCode(t, err, errs.Invalid)
	for _, f := range e.Fields {
		if f.Field == field && f.Code == code {
			return
		}
	}
	t.Fatalf("want %s on %q, got %+v", code, field, e.Fields)
}
