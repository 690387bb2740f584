package server

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// TestSecurityHeadersShared: a handler that adds to or replaces a security
// header changes only its own response, never the values later responses
// start from.
func TestSecurityHeadersShared(t *testing.T) {
	h := SecurityHeaders(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/add":
			w.Header().Add("X-Frame-Options", "SAMEORIGIN")
		case "/set":
			w.Header().Set("Content-Security-Policy", "default-src *")
		}
	}), "default-src 'self'", true)
	for _, path := range []string{"/add", "/set", "/"} {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest("GET", path, nil))
		if path == "/add" {
			if got := w.Header().Values("X-Frame-Options"); len(got) != 2 {
				t.Errorf("/add: X-Frame-Options %q, want DENY and SAMEORIGIN", got)
			}
		}
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("GET", "/", nil))
	want := map[string]string{
		"X-Frame-Options":           "DENY",
		"Content-Security-Policy":   "default-src 'self'",
		"X-Content-Type-Options":    "nosniff",
		"Strict-Transport-Security": "max-age=31536000; includeSubDomains",
	}
	for k, v := range want {
		if got := w.Header().Values(k); len(got) != 1 || got[0] != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
}

func BenchmarkSecurityHeaders(b *testing.B) {
	h := SecurityHeaders(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}), "default-src 'self'", false)
	r := httptest.NewRequest("GET", "/", nil)
	b.ReportAllocs()
	for b.Loop() {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
	}
}
