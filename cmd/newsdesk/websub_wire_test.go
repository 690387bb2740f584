package main

import (
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"newsdesk"
	"newsdesk/fetch"
	"newsdesk/ingest"
	"newsdesk/store/sqlite"
)

func TestHubsCannotReach(t *testing.T) {
	tests := []struct {
		base string
		ok   bool
	}{
		{"https://news.example.org", true},
		{"https://news.example.org/desk/", true},
		{"https://203.0.114.7", true},
		{"", false},
		{"http://news.example.org", false},
		{"https://localhost:8080", false},
		{"https://desk.localhost", false},
		{"https://newsdesk.local", false},
		{"https://intranet", false},
		{"https://127.0.0.1", false},
		{"https://10.1.2.3", false},
		{"https://[::1]:8443", false},
		{"https://[fd00::1]", false},
		{"https://news.example.org/?q=1", false},
		{"news.example.org", false},
	}
	for _, tt := range tests {
		if got := hubsCannotReach(tt.base); (got == "") != tt.ok {
			t.Errorf("hubsCannotReach(%q) = %q, want ok=%v", tt.base, got, tt.ok)
		}
	}
}

// lockedBuffer is a log sink for tests.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func TestWebSubOffWithoutPublicHTTPS(t *testing.T) {
	for _, base := range []string{"", "http://localhost:8080"} {
		var logs lockedBuffer
		log := slog.New(slog.NewTextHandler(&logs, nil))
		p := &ingest.Pipeline{}
		ws := wireWebSub(t.Context(), base, nil, nil, p, log)
		if ws.sub != nil || p.Pushed != nil || p.OnFeed == nil {
			t.Fatalf("%q: WebSub wired on", base)
		}
		mux := http.NewServeMux()
		ws.register(mux)
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/websub/"+strings.Repeat("ab", 32), nil))
		if rec.Code != http.StatusNotFound {
			t.Errorf("%q: callback route answered %d", base, rec.Code)
		}
		src := &newsdesk.Source{ID: 1}
		p.OnFeed(t.Context(), src, &newsdesk.Feed{})
		if logs.String() != "" {
			t.Errorf("%q: logged for a feed without a hub: %s", base, logs.String())
		}
		for range 3 {
			p.OnFeed(t.Context(), src, &newsdesk.Feed{HubURL: "https://hub.example/"})
		}
		if n := strings.Count(logs.String(), "WebSub is off"); n != 1 || !strings.Contains(logs.String(), "level=INFO") {
			t.Errorf("%q: logged %d times, want once at info:\n%s", base, n, logs.String())
		}
		ws.close()
	}
}

// pushHub is a WebSub hub on 127.0.0.1 over TLS: it verifies every
// subscription request at its callback and remembers the secret.
type pushHub struct {
	srv      *httptest.Server
	mu       sync.Mutex
	callback string
	secret   string
	verified chan error
}

func newPushHub(t *testing.T) *pushHub {
	h := &pushHub{verified: make(chan error, 4)}
	h.srv = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil || r.PostForm.Get("hub.mode") != "subscribe" {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		h.mu.Lock()
		h.callback, h.secret = r.PostForm.Get("hub.callback"), r.PostForm.Get("hub.secret")
		h.mu.Unlock()
		w.WriteHeader(http.StatusAccepted)
		form := r.PostForm
		go func() {
			challenge := rand.Text()
			q := url.Values{"hub.mode": {"subscribe"}, "hub.topic": {form.Get("hub.topic")},
				"hub.challenge": {challenge}, "hub.lease_seconds": {"864000"}}
			resp, err := http.Get(form.Get("hub.callback") + "?" + q.Encode())
			if err != nil {
				h.verified <- err
				return
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != http.StatusOK || string(b) != challenge {
				h.verified <- fmt.Errorf("verification answered %d %q", resp.StatusCode, b)
				return
			}
			h.verified <- nil
		}()
	}))
	t.Cleanup(h.srv.Close)
	return h
}

// push sends doc to the subscriber, signed with key.
func (h *pushHub) push(t *testing.T, doc, key string) {
	t.Helper()
	h.mu.Lock()
	callback := h.callback
	h.mu.Unlock()
	mac := hmac.New(sha256.New, []byte(key))
	mac.Write([]byte(doc))
	req, _ := http.NewRequest(http.MethodPost, callback, strings.NewReader(doc))
	req.Header.Set("Content-Type", "application/atom+xml")
	req.Header.Set("X-Hub-Signature", "sha256="+hex.EncodeToString(mac.Sum(nil)))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("push answered %d", resp.StatusCode)
	}
}

func atomFeed(self, hub string, entries ...string) string {
	var b strings.Builder
	fmt.Fprintf(&b, `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
<title>Pub Wire</title><id>urn:pub</id><updated>2026-03-01T12:00:00Z</updated>
<link rel="self" href="%s"/><link rel="hub" href="%s"/><link href="https://pub.example/"/>
`, self, hub)
	for _, e := range entries {
		b.WriteString(e)
	}
	b.WriteString("</feed>\n")
	return b.String()
}

func atomEntry(id, title, html string) string {
	return fmt.Sprintf(`<entry><id>%s</id><title>%s</title><link href="https://pub.example/%s"/>
<updated>2026-03-01T11:00:00Z</updated><content type="html">%s</content></entry>
`, id, title, id, strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(html))
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestWebSubEndToEnd: a feed naming a hub is polled once, the subscriber
// subscribes through the fetch client, the hub verifies, polling slows down,
// and a pushed document goes through the real pipeline (parse, sanitize,
// SQLite) into a stored article; a push with a bad signature does not.
func TestWebSubEndToEnd(t *testing.T) {
	ctx := t.Context()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "e2e.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	hub := newPushHub(t)
	hubURL := hub.srv.URL + "/hub"

	var feedURL string
	feedSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/atom+xml")
		io.WriteString(w, atomFeed(feedURL, hubURL, atomEntry("first", "First report", "<p>The first report.</p>")))
	}))
	defer feedSrv.Close()
	feedURL = feedSrv.URL + "/feed"

	// The hub's certificate is trusted through the test transport; the
	// guard still checks every URL.
	fc := fetch.New(fetch.Options{AllowPrivate: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")},
		Transport: hub.srv.Client().Transport, PerHostInterval: -1})
	var logs lockedBuffer
	log := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	p := newPipeline(fc, st, nil, log)
	p.MinBodyRunes = 1 // never fetch article pages: no network

	// serve refreshes the site from OnStored, after a push as after a poll.
	var invalidated atomic.Int32
	p.OnStored = func(created, updated []*newsdesk.Article) { invalidated.Add(1) }
	mux := http.NewServeMux()
	site := httptest.NewServer(mux)
	defer site.Close()
	ws := startWebSub(ctx, site.URL, st, fc, p, log)
	defer ws.close()
	ws.register(mux)

	src := &newsdesk.Source{Name: "Pub", Kind: newsdesk.SourceFeed, URL: feedURL, Licence: newsdesk.LicenceFull}
	if err := st.CreateSource(ctx, src); err != nil {
		t.Fatal(err)
	}
	if _, err := p.RunSource(ctx, src); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-hub.verified:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(15 * time.Second):
		t.Fatalf("the hub got no subscription\n%s", logs.String())
	}
	waitFor(t, "an active subscription", func() bool { return ws.sub.Active(ctx, src.ID) })
	sub, err := st.SubscriptionBySource(ctx, src.ID)
	if err != nil {
		t.Fatal(err)
	}
	if sub.HubURL != hubURL || sub.TopicURL != feedURL || !strings.HasPrefix(hub.callback, site.URL+"/websub/") {
		t.Errorf("subscription = hub %q topic %q, callback %q", sub.HubURL, sub.TopicURL, hub.callback)
	}
	if strings.Contains(logs.String(), sub.Secret) {
		t.Error("the secret is in the log")
	}

	// Pushed: the next poll is set at the longest interval.
	src, _ = st.Source(ctx, src.ID)
	started := time.Now()
	if _, err := p.RunSource(ctx, src); err != nil {
		t.Fatal(err)
	}
	src, _ = st.Source(ctx, src.ID)
	if wait := src.NextFetchAt.Sub(started); wait < ingest.MaxInterval*9/10 || wait > ingest.MaxInterval*11/10+time.Minute {
		t.Errorf("next poll of a pushed source in %v, want about %v", wait, ingest.MaxInterval)
	}

	// A push with a bad signature is dropped; a good one is stored,
	// sanitized, and drops the site's cache.
	forged := atomFeed(feedURL, hubURL, atomEntry("forged", "Forged report", "<p>Not from the hub.</p>"))
	hub.push(t, forged, "a guess at the secret, long enough to look real")
	inv := invalidated.Load()
	pushed := atomFeed(feedURL, hubURL,
		atomEntry("second", "Second report", `<p>Pushed at once.</p><script>alert(1)</script>`),
		atomEntry("first", "First report", "<p>The first report.</p>"))
	hub.push(t, pushed, hub.secret)
	var id int64
	waitFor(t, "the pushed article", func() bool {
		id, _ = st.ArticleExists(ctx, src.ID, "second", "")
		return id != 0
	})
	a, err := st.Article(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if a.Headline != "Second report" || !strings.Contains(a.Body, "Pushed at once.") || strings.Contains(a.Body, "script") || a.SourceID != src.ID {
		t.Errorf("pushed article = %q %q", a.Headline, a.Body)
	}
	waitFor(t, "the site cache dropped", func() bool { return invalidated.Load() > inv })
	if id, _ := st.ArticleExists(ctx, src.ID, "forged", ""); id != 0 {
		t.Error("the push with a bad signature was stored")
	}
	waitFor(t, "the delivery counted", func() bool { return ws.sub.Stats().Delivered == 1 })
	if stats := ws.sub.Stats(); stats.Ignored != 1 || stats.Delivered != 1 || stats.Failed != 0 {
		t.Errorf("stats = %+v", stats)
	}
}
