package fetch

import (
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"
)

func TestRobotsRules(t *testing.T) {
	const robots = `
# comment
User-agent: *
Disallow: /private/
Allow: /private/open
Disallow: /*.pdf$
Disallow: /search?

User-agent: OtherBot
User-Agent: newsdesk
Disallow: /
Allow: /news/
Allow: /$
Disallow: /news/drafts
Allow: /news/drafts/public*.html$

User-agent: badbot
Disallow: /
`
	mine := parseRobots([]byte(robots), "newsdesk")
	star := parseRobots([]byte(robots), "someotherclient")
	tests := []struct {
		rules *robotsRules
		path  string
		want  bool
	}{
		{mine, "/", true},
		{mine, "/index.html", false},
		{mine, "/news/", true},
		{mine, "/news/story-1", true},
		{mine, "/news/drafts", false},
		{mine, "/news/drafts/x", false},
		{mine, "/news/drafts/public-1.html", true},
		{mine, "/news/drafts/public-1.html?x", false},
		{mine, "/private/open", false},
		{star, "/", true},
		{star, "/private/x", false},
		{star, "/private/open", true},
		{star, "/private/opener", true},
		{star, "/files/a.pdf", false},
		{star, "/files/a.pdf?dl=1", true},
		{star, "/search?q=iran", false},
		{star, "/search", true},
		{star, "/news/drafts", true},
	}
	for _, tt := range tests {
		if got := tt.rules.allowed(tt.path); got != tt.want {
			t.Errorf("allowed(%q) = %v, want %v", tt.path, got, tt.want)
		}
	}
	// An empty file, or one with only "Disallow:", allows everything.
	for _, body := range []string{"", "User-agent: *\nDisallow:\n", "Disallow: /\n"} {
		if !parseRobots([]byte(body), "newsdesk").allowed("/anything") {
			t.Errorf("%q should allow everything", body)
		}
	}
	// Equal length: Allow wins.
	if !parseRobots([]byte("User-agent: *\nDisallow: /a\nAllow: /a\n"), "x").allowed("/a") {
		t.Error("tie should allow")
	}
}

func TestRobotsMatch(t *testing.T) {
	for _, tt := range []struct {
		pattern, path string
		want          bool
	}{
		{"/", "/x", true},
		{"/a*b*c", "/a-b-c-d", true},
		{"/a*b*c$", "/a-b-c-d", false},
		{"/a*b*c$", "/abcbc", true},
		{"*", "/x", true},
		{"/*$", "/", true},
		{"/x$", "/x/", false},
		{"/**/a", "/q/r/a", true},
		{"/a*aa$", "/aa", false},
		{"/a*aa$", "/aaa", true},
	} {
		if got := robotsMatch(tt.pattern, tt.path); got != tt.want {
			t.Errorf("robotsMatch(%q, %q) = %v, want %v", tt.pattern, tt.path, got, tt.want)
		}
	}
}

func TestAllowedFetchesAndCaches(t *testing.T) {
	var robotsHits atomic.Int32
	var status atomic.Int32
	status.Store(200)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/robots.txt" {
			t.Errorf("unexpected request %s", r.URL)
			return
		}
		robotsHits.Add(1)
		if s := int(status.Load()); s != 200 {
			w.WriteHeader(s)
			return
		}
		w.Write([]byte("User-agent: newsdesk\nDisallow: /private\n"))
	}))
	defer srv.Close()
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	c := newTestClient(t, Options{AllowPrivate: loopback, Now: func() time.Time { return now }})
	check := func(path string, want bool) {
		t.Helper()
		got, err := c.Allowed(t.Context(), srv.URL+path)
		if err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Fatalf("Allowed(%s) = %v, want %v", path, got, want)
		}
	}
	check("/news/1", true)
	check("/private/2", false)
	check("/robots.txt", true)
	if n := robotsHits.Load(); n != 1 {
		t.Fatalf("robots.txt fetched %d times, want 1 (cached)", n)
	}
	// After the TTL a 404 means everything is allowed.
	now = now.Add(2 * time.Hour)
	status.Store(404)
	check("/private/2", true)
	// A 500 disallows everything for a while.
	now = now.Add(2 * time.Hour)
	status.Store(500)
	check("/news/1", false)
	status.Store(404)
	check("/news/1", false) // still the cached 500
	if n := robotsHits.Load(); n != 3 {
		t.Fatalf("robots.txt fetched %d times, want 3", n)
	}
	now = now.Add(robotsServerErrorTTL + time.Second)
	check("/news/1", true)

	// A blocked host is an error, not a verdict.
	blocked := newTestClient(t, Options{})
	if _, err := blocked.Allowed(t.Context(), srv.URL+"/x"); kindOf(err) != KindBlocked {
		t.Fatalf("blocked host: %v", err)
	}
}
