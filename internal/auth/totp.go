package auth

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"encoding/base32"
	"encoding/binary"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// TOTP (RFC 6238) with the parameters every authenticator app assumes when
// an otpauth:// URI names none: HMAC-SHA1, six digits, 30-second steps.
// One step either side is accepted, for clocks that drift and codes typed
// as they change.
const (
	totpDigits = 6
	totpPeriod = 30
	totpSkew   = 1
)

// b32 is the encoding of TOTP secrets: RFC 4648 base32 without padding,
// as authenticator apps expect it.
var b32 = base32.StdEncoding.WithPadding(base32.NoPadding)

// newTOTPSecret returns a random 160-bit secret (RFC 4226's recommended
// length), base32-encoded.
func newTOTPSecret() string {
	b := make([]byte, 20)
	rand.Read(b)
	return b32.EncodeToString(b)
}

// hotp is RFC 4226's HOTP: the HMAC-SHA1 of the counter, dynamically
// truncated to digits decimal digits.
func hotp(key []byte, counter uint64, digits int) string {
	var msg [8]byte
	binary.BigEndian.PutUint64(msg[:], counter)
	m := hmac.New(sha1.New, key)
	m.Write(msg[:])
	sum := m.Sum(nil)
	off := sum[len(sum)-1] & 0x0f
	bin := binary.BigEndian.Uint32(sum[off:off+4]) & 0x7fffffff
	mod := uint32(1)
	for range digits {
		mod *= 10
	}
	return fmt.Sprintf("%0*d", digits, bin%mod)
}

// totpStep is the RFC 6238 time step of t.
func totpStep(t time.Time) int64 { return t.Unix() / totpPeriod }

// checkTOTP returns the time step of the code, if code is valid for the
// secret at now (one step either side) and newer than lastStep — a code
// already used, or one older than it, is refused, so that a code seen over
// someone's shoulder cannot be replayed.
func checkTOTP(secret, code string, now time.Time, lastStep int64) (int64, bool) {
	key, err := b32.DecodeString(strings.ToUpper(secret))
	if err != nil || len(key) == 0 || len(code) != totpDigits {
		return 0, false
	}
	cur := totpStep(now)
	for step := cur - totpSkew; step <= cur+totpSkew; step++ {
		if step <= lastStep {
			continue
		}
		if hmac.Equal([]byte(hotp(key, uint64(step), totpDigits)), []byte(code)) {
			return step, true
		}
	}
	return 0, false
}

// totpURI is the otpauth:// URI an authenticator app reads (from a QR code
// or pasted): Key Uri Format, as Google Authenticator documents it.
func totpURI(issuer, account, secret string) string {
	label := url.PathEscape(issuer) + ":" + url.PathEscape(account)
	q := url.Values{"secret": {secret}, "issuer": {issuer}, "algorithm": {"SHA1"}, "digits": {"6"}, "period": {"30"}}
	return "otpauth://totp/" + label + "?" + q.Encode()
}

// TOTPCode returns the code an authenticator app shows for secret at t,
// for tests and for tools that sign in as a user.
func TOTPCode(secret string, t time.Time) (string, error) {
	key, err := b32.DecodeString(strings.ToUpper(secret))
	if err != nil {
		return "", fmt.Errorf("TOTP secret: %w", err)
	}
	return hotp(key, uint64(totpStep(t)), totpDigits), nil
}
