package main

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"io"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// running is a newsdesk serve started in-process by a test.
type running struct {
	addr   string
	stderr *syncBuffer
	cancel context.CancelFunc
	done   chan error
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func noEnv(string) string { return "" }

// startServe runs `newsdesk serve` with args on a free port and returns
// once it accepts requests.
func startServe(t testing.TB, args ...string) *running {
	t.Helper()
	return startServeEnv(t, nil, args...)
}

// startServeEnv is startServe with environment variables.
func startServeEnv(t testing.TB, environ map[string]string, args ...string) *running {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	r := &running{stderr: &syncBuffer{}, cancel: cancel, done: make(chan error, 1)}
	m := &Main{Stdin: strings.NewReader(""), Stdout: io.Discard, Stderr: r.stderr,
		Getenv: func(k string) string { return environ[k] },
		Ready:  func(addr string) { ready <- addr }}
	go func() {
		r.done <- m.Run(ctx, append([]string{"serve", "--addr", "127.0.0.1:0", "--log-level", "warn"}, args...))
	}()
	select {
	case r.addr = <-ready:
	case err := <-r.done:
		t.Fatalf("serve exited: %v\n%s", err, r.stderr.String())
	case <-time.After(2 * time.Minute):
		t.Fatalf("serve did not start\n%s", r.stderr.String())
	}
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-r.done:
			if err != nil {
				t.Errorf("serve: %v", err)
			}
		case <-time.After(30 * time.Second):
			t.Error("serve did not shut down")
		}
	})
	return r
}

func (r *running) get(t testing.TB, path string) (int, http.Header, string) {
	t.Helper()
	resp, err := http.Get("http://" + r.addr + path)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	return resp.StatusCode, resp.Header, string(b)
}

var articleHref = regexp.MustCompile(`<loc>([^<]*/article/\d+[^<]*)</loc>`)

func TestServeDemo(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the whole demo ingest")
	}
	db := filepath.Join(t.TempDir(), "demo.db")
	r := startServeEnv(t, map[string]string{"NEWSDESK_METRICS_TOKEN": "metrics-secret"}, "--demo", "--db", db)

	code, hdr, home := r.get(t, "/")
	if code != 200 {
		t.Fatalf("home: status %d\n%s", code, home)
	}
	if csp := hdr.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'self'") {
		t.Errorf("home CSP = %q", csp)
	}
	for _, block := range []string{"Latest news", "Must read"} {
		if !strings.Contains(home, block) {
			t.Errorf("home page lacks the %q block", block)
		}
	}
	if !strings.Contains(home, "...") {
		t.Error("home river shows no excerpt cut with an ellipsis")
	}

	code, _, sitemap := r.get(t, "/sitemap.xml")
	if code != 200 {
		t.Fatalf("sitemap: status %d", code)
	}
	var sm struct {
		URLs []struct {
			Loc string `xml:"loc"`
		} `xml:"url"`
	}
	if err := xml.Unmarshal([]byte(sitemap), &sm); err != nil {
		t.Fatalf("sitemap is not XML: %v", err)
	}
	var articles []string
	for _, m := range articleHref.FindAllStringSubmatch(sitemap, -1) {
		articles = append(articles, m[1])
	}
	if len(articles) < 60 {
		t.Fatalf("sitemap lists %d article pages, want at least 60 from the demo", len(articles))
	}

	// Every article page carries the blocks of the seed page.
	for i, loc := range articles {
		if testing.Short() && i > 5 {
			break
		}
		path := loc[strings.Index(loc, "/article/"):]
		code, _, page := r.get(t, path)
		if code != 200 {
			t.Errorf("%s: status %d", path, code)
			continue
		}
		for _, want := range []string{`application/ld+json`, `"NewsArticle"`, `"BreadcrumbList"`, `rel="canonical"`,
			"You might also like", "Recommended to you", `property="og:title"`} {
			if !strings.Contains(page, want) {
				t.Errorf("%s lacks %s", path, want)
			}
		}
		for _, m := range regexp.MustCompile(`(?s)<script type="application/ld\+json">(.*?)</script>`).FindAllStringSubmatch(page, -1) {
			var v any
			if err := json.Unmarshal([]byte(m[1]), &v); err != nil {
				t.Errorf("%s: JSON-LD does not parse: %v", path, err)
			}
		}
	}

	// Feeds out are well-formed.
	for _, p := range []string{"/feed.xml", "/atom.xml"} {
		code, _, body := r.get(t, p)
		if code != 200 {
			t.Errorf("%s: status %d", p, code)
			continue
		}
		var v struct{}
		if err := xml.Unmarshal([]byte(body), &v); err != nil {
			t.Errorf("%s: not XML: %v", p, err)
		}
	}
	code, _, jf := r.get(t, "/feed.json")
	var feed struct {
		Version string            `json:"version"`
		Items   []json.RawMessage `json:"items"`
	}
	if code != 200 || json.Unmarshal([]byte(jf), &feed) != nil || len(feed.Items) == 0 {
		t.Errorf("/feed.json: status %d, %d items", code, len(feed.Items))
	}
	t.Run("metrics", func(t *testing.T) {
		r.get(t, "/") // a second view of the home page: a cache hit
		if code, _, _ := r.get(t, "/metrics"); code != http.StatusUnauthorized {
			t.Errorf("/metrics without token: %d", code)
		}
		req, _ := http.NewRequest("GET", "http://"+r.addr+"/metrics", nil)
		req.Header.Set("Authorization", "Bearer metrics-secret")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		for _, want := range []string{`newsdesk_fetches_total{kind="feed",outcome="ok"}`, `newsdesk_articles_stored_total`,
			`newsdesk_http_request_seconds_count{route="GET /{$}"`, `newsdesk_sources{state="ok"} 7`, `newsdesk_page_cache_lookups_total{result="hit"}`} {
			if !strings.Contains(string(body), want) {
				t.Errorf("/metrics lacks %s", want)
			}
		}
	})
	t.Run("images", func(t *testing.T) {
		_, _, page := r.get(t, articles[0][strings.Index(articles[0], "/article/"):])
		m := regexp.MustCompile(`src="(/img/[^"]+)"`).FindStringSubmatch(page)
		if m == nil {
			t.Skip("first article has no image")
		}
		code, hdr, _ := r.get(t, strings.ReplaceAll(m[1], "&amp;", "&"))
		if code != 200 || !strings.HasPrefix(hdr.Get("Content-Type"), "image/") {
			t.Errorf("proxied image %s: %d %s", m[1], code, hdr.Get("Content-Type"))
		}
	})
	t.Run("browser", func(t *testing.T) {
		checkInBrowser(t, r.addr, articles[0][strings.Index(articles[0], "/article/"):])
	})
	if code, _, _ := r.get(t, "/no/such/page"); code != 404 {
		t.Errorf("unknown page: status %d, want 404", code)
	}
}

func TestFeedParseCLI(t *testing.T) {
	var out, errb bytes.Buffer
	m := &Main{Stdin: strings.NewReader(`<?xml version="1.0"?><rss version="2.0"><channel><title>Wire &amp; Co</title><link>https://wire.example/</link>
<item><title>Talks resume</title><link>/a/1</link><guid>a1</guid><pubDate>Mon, 02 Jun 2025 10:00:00 GMT</pubDate>
<description><![CDATA[<p onclick="x()">Talks <script>alert(1)</script>resumed.</p>]]></description></item></channel></rss>`),
		Stdout: &out, Stderr: &errb, Getenv: noEnv}
	if err := m.Run(context.Background(), []string{"feed", "parse", "--url", "https://wire.example/feed"}); err != nil {
		t.Fatalf("feed parse: %v\n%s", err, errb.String())
	}
	var rep feedReport
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, out.String())
	}
	if rep.Bozo || rep.Feed.Title != "Wire & Co" || len(rep.Entries) != 1 {
		t.Fatalf("report = %+v", rep)
	}
	e := rep.Entries[0]
	if e.Link != "https://wire.example/a/1" || e.Published != "2025-06-02T10:00:00Z" {
		t.Errorf("entry link/date = %q %q", e.Link, e.Published)
	}
	if strings.Contains(e.Summary, "script") || strings.Contains(e.Summary, "onclick") || !strings.Contains(e.Summary, "Talks") {
		t.Errorf("summary not sanitized as stored: %q", e.Summary)
	}

	out.Reset()
	m.Stdin = strings.NewReader("this is not a feed at all")
	err := m.Run(context.Background(), []string{"feed", "parse"})
	if exitCode(err) != 1 {
		t.Errorf("broken feed: exit %d, want 1", exitCode(err))
	}
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil || !rep.Bozo || rep.Error == "" {
		t.Errorf("broken feed report = %s", out.String())
	}
}

func TestExtractCLI(t *testing.T) {
	page := `<!doctype html><html lang="en"><head><title>Talks resume in Vienna | Gulf Wire</title>
<meta name="author" content="Sara Ahmadi"></head><body><nav><a href="/">Home</a> <a href="/world">World</a></nav>
<article><h1>Talks resume in Vienna</h1>
<p>VIENNA (Gulf Wire) — Negotiators returned to the table on Monday after a pause of three weeks, diplomats said, with both delegations signalling that a narrower interim arrangement was within reach.</p>
<p>The talks are expected to focus on inspection schedules and on the sequencing of sanctions relief, two issues that stalled the previous round.</p>
<p>"We are here to work, not to posture," one delegate told reporters outside the hotel where the sessions are held.</p>
<script>alert("x")</script></article><footer>Copyright Gulf Wire. Subscribe to our newsletter.</footer></body></html>`
	for _, format := range []string{"text", "json", "html"} {
		var out, errb bytes.Buffer
		m := &Main{Stdin: strings.NewReader(page), Stdout: &out, Stderr: &errb, Getenv: noEnv}
		if err := m.Run(context.Background(), []string{"extract", "--url", "https://gulfwire.example/talks", "--format", format}); err != nil {
			t.Fatalf("extract --format %s: %v\n%s", format, err, errb.String())
		}
		s := out.String()
		if !strings.Contains(s, "Negotiators returned to the table") || strings.Contains(s, "alert(") {
			t.Errorf("extract --format %s = %q", format, s)
		}
		if format == "text" && strings.Contains(s, "newsletter") {
			t.Errorf("text keeps boilerplate: %q", s)
		}
	}
	var out, errb bytes.Buffer
	m := &Main{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Getenv: noEnv}
	if err := m.Run(context.Background(), []string{"extract"}); err == nil {
		t.Error("extract of an empty page succeeded")
	}
}
