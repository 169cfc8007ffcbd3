package auth

import (
	"strings"
	"testing"
	"time"
)

// RFC 6238 appendix B, SHA-1 rows: the secret is the ASCII string
// "12345678901234567890" and codes have eight digits.
func TestHOTPAgainstRFC6238Vectors(t *testing.T) {
	key := []byte("12345678901234567890")
	for _, v := range []struct {
		unix int64
		code string
	}{
		{59, "94287082"},
		{1111111109, "07081804"},
		{1111111111, "14050471"},
		{1234567890, "89005924"},
		{2000000000, "69279037"},
		{20000000000, "65353130"},
	} {
		if got := hotp(key, uint64(totpStep(time.Unix(v.unix, 0))), 8); got != v.code {
			t.Errorf("T=%d: code %s, want %s", v.unix, got, v.code)
		}
	}
}

func TestCheckTOTP(t *testing.T) {
	secret := b32.EncodeToString([]byte("12345678901234567890"))
	now := time.Unix(1111111111, 0)
	code := func(at time.Time) string {
		key, _ := b32.DecodeString(secret)
		return hotp(key, uint64(totpStep(at)), totpDigits)
	}
	// RFC 6238's vector at T=1111111111, cut to six digits.
	if got := code(now); got != "050471" {
		t.Fatalf("six-digit code %s, want 050471", got)
	}
	step, ok := checkTOTP(secret, code(now), now, 0)
	if !ok || step != totpStep(now) {
		t.Fatalf("the current code is refused (step %d, %v)", step, ok)
	}
	if _, ok := checkTOTP(strings.ToLower(secret), code(now), now, 0); !ok {
		t.Fatal("a lower-case secret is refused")
	}
	for name, at := range map[string]time.Time{"previous step": now.Add(-totpPeriod * time.Second), "next step": now.Add(totpPeriod * time.Second)} {
		if _, ok := checkTOTP(secret, code(at), now, 0); !ok {
			t.Errorf("the code of the %s is refused", name)
		}
	}
	for name, at := range map[string]time.Time{"two steps back": now.Add(-2 * totpPeriod * time.Second), "two steps ahead": now.Add(2 * totpPeriod * time.Second)} {
		if _, ok := checkTOTP(secret, code(at), now, 0); ok {
			t.Errorf("the code of %s is accepted", name)
		}
	}
	if _, ok := checkTOTP(secret, code(now), now, totpStep(now)); ok {
		t.Error("a code is accepted twice")
	}
	for _, bad := range []string{"", "12345", "1234567", "abcdef"} {
		if _, ok := checkTOTP(secret, bad, now, 0); ok {
			t.Errorf("code %q accepted", bad)
		}
	}
	if _, ok := checkTOTP("not base32!", code(now), now, 0); ok {
		t.Error("a broken secret accepts codes")
	}
}

func TestTOTPURI(t *testing.T) {
	got := totpURI("Relasi", "ana@example.com", "JBSWY3DPEHPK3PXP")
	want := "otpauth://totp/Relasi:ana@example.com?algorithm=SHA1&digits=6&issuer=Relasi&period=30&secret=JBSWY3DPEHPK3PXP"
	if got != want {
		t.Fatalf("URI\n got %s\nwant %s", got, want)
	}
	if s := newTOTPSecret(); len(s) != 32 {
		t.Fatalf("secret %q: want 32 base32 characters (160 bits)", s)
	}
}
