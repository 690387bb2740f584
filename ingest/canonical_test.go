package ingest

import (
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestCanonicalURL(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"HTTPS://Example.COM/a/b?utm_source=rss&id=3#top", "https://example.com/a/b?id=3"},
		{"http://example.com:80/x", "http://example.com/x"},
		{"https://example.com:443", "https://example.com/"},
		{"https://example.com:8443/x", "https://example.com:8443/x"},
		{"https://example.com/x?b=2&a=1&fbclid=zz&gclid=1", "https://example.com/x?a=1&b=2"},
		{"https://user:pw@example.com/x", "https://example.com/x"},
		{"https://example.com./x?", "https://example.com/x"},
		{"  https://example.com/x  ", "https://example.com/x"},
		{"https://example.com/x?utm_campaign=a&UTM_MEDIUM=b", "https://example.com/x"},
		{"ftp://example.com/x", "ftp://example.com/x"},
		{"/relative/path", "/relative/path"},
		{"https://[2001:DB8::1]:443/a", "https://[2001:db8::1]/a"},
		{"https://news.example/ایران?id=1", "https://news.example/%D8%A7%DB%8C%D8%B1%D8%A7%D9%86?id=1"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := CanonicalURL(tt.in); got != tt.want {
				t.Errorf("CanonicalURL(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func FuzzCanonicalURL(f *testing.F) {
	for _, s := range []string{"https://a.example/x?utm_source=1#f", "http://A.B:80/", "https://x.example/?a=1&a=2", "%zz", "https://[::1]:443/"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		got := CanonicalURL(raw)
		if !utf8.ValidString(raw) {
			return
		}
		// Idempotent: a canonical URL is its own canonical form.
		if again := CanonicalURL(got); again != got {
			t.Fatalf("not idempotent: %q -> %q -> %q", raw, got, again)
		}
		u, err := url.Parse(got)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return
		}
		if u.Fragment != "" || u.User != nil {
			t.Fatalf("fragment or userinfo kept: %q", got)
		}
		for k := range u.Query() {
			if isTrackingParam(k) {
				t.Fatalf("tracking parameter %q kept in %q", k, got)
			}
		}
		if strings.ToLower(u.Host) != u.Host {
			t.Fatalf("host not lower-cased: %q", got)
		}
	})
}
