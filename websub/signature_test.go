package websub

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"hash"
	"strings"
	"testing"
)

var methods = map[string]func() hash.Hash{"sha1": sha1.New, "sha256": sha256.New, "sha384": sha512.New384, "sha512": sha512.New}

func macHex(h func() hash.Hash, secret string, body []byte) string {
	m := hmac.New(h, []byte(secret))
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil))
}

func TestCheckSignature(t *testing.T) {
	secret, body := strings.Repeat("ab", 32), []byte("<feed/>")
	good := macHex(sha256.New, secret, body)
	tests := []struct {
		sig, want string
	}{
		{"sha256=" + good, ""},
		{"SHA256=" + strings.ToUpper(good), ""},
		{" sha256=" + good + " ", ""},
		{"sha1=" + macHex(sha1.New, secret, body), ""},
		{"sha384=" + macHex(sha512.New384, secret, body), ""},
		{"sha512=" + macHex(sha512.New, secret, body), ""},
		{"", "no signature"},
		{"sha256", "malformed signature"},
		{"sha256=xyz", "malformed signature"},
		{"md5=" + good, "unknown signature method"},
		{"sha512=" + good, "signature does not match"},
		{"sha256=" + good[:len(good)-2], "signature does not match"},
		{"sha256=" + macHex(sha256.New, secret+"x", body), "signature does not match"},
	}
	for _, tt := range tests {
		if got := checkSignature(tt.sig, body, secret); got != tt.want {
			t.Errorf("checkSignature(%q) = %q, want %q", tt.sig, got, tt.want)
		}
	}
}

// FuzzCheckSignature: a signature made with the secret is always
// accepted, the same signature over a changed body never is, and any
// accepted header names a method whose HMAC of the body it carries.
func FuzzCheckSignature(f *testing.F) {
	f.Add([]byte("<feed/>"), "secret-secret-secret-secret-secret", "sha256=00")
	f.Add([]byte(""), "s", "sha1=")
	f.Add([]byte("x"), "k", "SHA512=ff")
	f.Fuzz(func(t *testing.T, body []byte, secret, sig string) {
		for name, h := range methods {
			valid := name + "=" + macHex(h, secret, body)
			if r := checkSignature(valid, body, secret); r != "" {
				t.Fatalf("valid %s signature refused: %s", name, r)
			}
			if r := checkSignature(valid, append(body, 'x'), secret); r == "" {
				t.Fatalf("%s signature accepted for another body", name)
			}
		}
		if checkSignature(sig, body, secret) != "" {
			return
		}
		method, digest, _ := strings.Cut(strings.TrimSpace(sig), "=")
		h, ok := methods[strings.ToLower(method)]
		if !ok || !strings.EqualFold(digest, macHex(h, secret, body)) {
			t.Fatalf("accepted %q, which is not an HMAC of the body", sig)
		}
	})
}

// BenchmarkCheckSignature verifies a sha256 signature over a 1 MiB push.
func BenchmarkCheckSignature(b *testing.B) {
	secret, body := strings.Repeat("ab", 32), []byte(strings.Repeat("<entry>x</entry>", 1<<16))
	sig := "sha256=" + macHex(sha256.New, secret, body)
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if r := checkSignature(sig, body, secret); r != "" {
			b.Fatal(r)
		}
	}
}
