package auth

import (
	"crypto/rand"
	"crypto/subtle"
	_ "embed"
	"encoding/base64"
	"fmt"
	"strings"
	"sync"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
)

// argon2id parameters: OWASP's recommendation for argon2id (19 MiB, two
// passes, one lane). Stored in each hash, so they can be raised later and old
// hashes still verify.
const (
	argonMemoryKiB = 19 * 1024
	argonTime      = 2
	argonThreads   = 1
	argonKeyLen    = 32
	argonSaltLen   = 16
)

// Password length limits. The upper bound keeps hashing cheap for hostile input.
const (
	MinPasswordLen = 8
	MaxPasswordLen = 256
)

// HashPassword returns an argon2id hash in the PHC string format
// ($argon2id$v=19$m=…,t=…,p=…$salt$key).
func HashPassword(password string) (string, error) {
	salt := make([]byte, argonSaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	key := argon2.IDKey([]byte(password), salt, argonTime, argonMemoryKiB, argonThreads, argonKeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemoryKiB, argonTime, argonThreads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key)), nil
}

// CheckPassword reports whether password matches a hash made by HashPassword.
func CheckPassword(hash, password string) bool {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false
	}
	var mem, iter uint32
	var threads uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &mem, &iter, &threads); err != nil {
		return false
	}
	salt, err := base64.RawStdEncoding.DecodeString(parts[4])
	if err != nil {
		return false
	}
	want, err := base64.RawStdEncoding.DecodeString(parts[5])
	if err != nil {
		return false
	}
	got := argon2.IDKey([]byte(password), salt, iter, mem, threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

// dummyHash is checked against when a login names an unknown e-mail, so the
// answer takes as long as for a known one and does not reveal which exist.
var dummyHash, _ = HashPassword("relasi-dummy-password")

// commonPasswords is SecLists' Passwords/Common-Credentials/10k-most-common.txt
// (MIT licence): the ten thousand passwords people pick most often, one a
// line, most common first.
//
//go:embed common_passwords.txt
var commonPasswordList string

// commonPasswords is the list as a set of lower-case passwords, built on
// first use.
var commonPasswords = sync.OnceValue(func() map[string]struct{} {
	set := make(map[string]struct{}, 10_000)
	for line := range strings.Lines(commonPasswordList) {
		if line = strings.TrimSpace(line); line != "" {
			set[strings.ToLower(line)] = struct{}{}
		}
	}
	return set
})

// IsCommonPassword reports whether password, in any case, is one of the ten
// thousand most common passwords.
func IsCommonPassword(password string) bool {
	_, ok := commonPasswords()[strings.ToLower(password)]
	return ok
}

// passwordProblem returns why a new password is unacceptable, or "". The
// rules are NIST SP 800-63B's: a minimum length, no composition rules, and
// no password that is blank or on a list of commonly used ones — an
// attacker tries those first.
func passwordProblem(password string) (code, message string, args []any) {
	n := utf8.RuneCountInString(password)
	switch {
	case strings.TrimSpace(password) == "":
		return "blank_password", "must not be blank", nil
	case n < MinPasswordLen:
		return "too_short", "must be at least %d characters", []any{MinPasswordLen}
	case n > MaxPasswordLen:
		return "too_long", "must be at most %d characters", []any{MaxPasswordLen}
	case IsCommonPassword(password):
		return "common_password", "is one of the most common passwords; choose one that is harder to guess", nil
	}
	return "", "", nil
}
