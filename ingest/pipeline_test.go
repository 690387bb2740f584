package ingest_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"newsdesk"
	"newsdesk/extract"
	"newsdesk/fetch"
	"newsdesk/index"
	"newsdesk/ingest"
	"newsdesk/parse"
	"newsdesk/sanitize"
	"newsdesk/store/sqlite"
)

// corpus is a small news site on 127.0.0.1: a feed and its article pages,
// which a test can change between fetches.
type corpus struct {
	mu       sync.Mutex
	feed     string
	pages    map[string]string
	feedHits int
	srv      *httptest.Server
}

func newCorpus(t *testing.T) *corpus {
	c := &corpus{pages: map[string]string{}}
	c.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c.mu.Lock()
		defer c.mu.Unlock()
		if r.URL.Path == "/feed.xml" {
			c.feedHits++
			etag := fmt.Sprintf(`"%x"`, len(c.feed)*31+strings.Count(c.feed, "e"))
			w.Header().Set("ETag", etag)
			if r.Header.Get("If-None-Match") == etag {
				w.WriteHeader(http.StatusNotModified)
				return
			}
			w.Header().Set("Content-Type", "application/rss+xml")
			fmt.Fprint(w, c.feed)
			return
		}
		if p, ok := c.pages[r.URL.Path]; ok {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprint(w, p)
			return
		}
		http.NotFound(w, r)
	}))
	t.Cleanup(c.srv.Close)
	return c
}

func (c *corpus) set(feed string, pages map[string]string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.feed = strings.ReplaceAll(feed, "BASE", c.srv.URL)
	for k, v := range pages {
		c.pages[k] = v
	}
}

func item(n int, title, body string) string {
	return fmt.Sprintf(`<item><title>%s</title><link>BASE/news/%d.html?utm_source=rss</link><guid>story-%d</guid>
<pubDate>Mon, 0%d Jun 2025 10:00:00 GMT</pubDate><author>desk@wire.example (Sara Ahmadi)</author>
<description><![CDATA[%s]]></description></item>`, title, n, n, n, body)
}

func rss(items ...string) string {
	return `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Test Wire</title><link>BASE/</link>` +
		strings.Join(items, "") + `</channel></rss>`
}

const longBody = `<p>TEHRAN (Test Wire) — Officials met on Monday to discuss the water shortage that has affected several provinces this summer, with reservoirs at their lowest level in decades.</p>
<p>The meeting ended without an agreement on rationing, but officials promised a plan within two weeks and said emergency deliveries by tanker would continue in the worst-hit towns.</p>
<p>Farmers in the region have protested the diversion of rivers to cities, saying their livelihoods are at stake after three dry years in a row.</p>`

func page(title, para string) string {
	return `<!doctype html><html lang="en"><head><title>` + title + ` | Test Wire</title>
<meta property="og:image" content="/img/lead.jpg"><meta name="author" content="Reza Karimi"></head><body>
<header><nav><a href="/">Home</a><a href="/world">World</a><a href="/sport">Sport</a></nav></header>
<main><article><h1>` + title + `</h1>
<p>` + para + `</p>
<p>Witnesses described long queues at petrol stations as drivers waited for hours. The authorities said supplies would return to normal by the end of the week, though few believed it.</p>
<p>"We have heard these promises before," said one driver, who asked not to be named because he feared reprisals. Others said they would stay home until the queues shortened.</p>
<p>Economists warned that the shortage could feed inflation, already above forty percent, if it lasted into the autumn months and disrupted the delivery of food to markets.</p>
<script>document.write("tracker")</script></article></main>
<footer>Copyright Test Wire. <a href="/subscribe">Subscribe</a></footer></body></html>`
}

type harness struct {
	st  *sqlite.DB
	p   *ingest.Pipeline
	src *newsdesk.Source
}

func newHarness(t *testing.T, c *corpus, extractAll bool) *harness {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "ingest.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	fc := fetch.New(fetch.Options{AllowPrivate: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}, PerHostInterval: -1})
	p := &ingest.Pipeline{
		Fetch: func(ctx context.Context, r ingest.FetchRequest) (*ingest.FetchResponse, error) {
			resp, err := fc.Fetch(ctx, fetch.Request{URL: r.URL, ETag: r.ETag, LastModified: r.LastModified, Accept: r.Accept})
			if err != nil {
				return nil, err
			}
			return &ingest.FetchResponse{URL: resp.URL, NotModified: resp.NotModified, Body: resp.Body, ContentType: resp.ContentType,
				ETag: resp.ETag, LastModified: resp.LastModified}, nil
		},
		ParseFeed: parse.Feed,
		Extract: func(base *url.URL, html []byte) (*ingest.Extracted, error) {
			r, err := extract.Article(base, html)
			if err != nil {
				return nil, err
			}
			return &ingest.Extracted{Title: r.Title, Byline: r.Byline, ImageURL: r.ImageURL, HTML: r.HTML, Text: r.Text,
				Published: r.Published, Lang: r.Lang, Description: r.Description}, nil
		},
		Sanitize: sanitize.HTML,
		Text:     sanitize.Text,
		Store:    st,
		Now:      func() time.Time { return time.Date(2025, 6, 10, 12, 0, 0, 0, time.UTC) },
	}
	src := &newsdesk.Source{Name: "Test Wire", Kind: newsdesk.SourceFeed, URL: c.srv.URL + "/feed.xml", Licence: newsdesk.LicenceFull, Extract: extractAll}
	if err := st.CreateSource(ctx, src); err != nil {
		t.Fatal(err)
	}
	return &harness{st: st, p: p, src: src}
}

func (h *harness) run(t *testing.T) (*ingest.Result, error) {
	t.Helper()
	src, err := h.st.Source(context.Background(), h.src.ID)
	if err != nil {
		t.Fatal(err)
	}
	return h.p.RunSource(context.Background(), src)
}

func (h *harness) articles(t *testing.T) []*newsdesk.Article {
	t.Helper()
	arts, _, err := h.st.Articles(context.Background(), newsdesk.ArticleFilter{Limit: 100, IncludeUnpublished: true})
	if err != nil {
		t.Fatal(err)
	}
	return arts
}

func TestRunSourceCreatesUpdatesAndSkips(t *testing.T) {
	c := newCorpus(t)
	c.set(rss(item(1, "Water talks end without a deal", longBody),
		item(2, "Hostile &lt;b&gt;markup&lt;/b&gt;", longBody+`<p><script>alert(1)</script><img src=x onerror=alert(2)><a href="javascript:alert(3)">click</a></p>`)), nil)
	h := newHarness(t, c, false)

	res, err := h.run(t)
	if err != nil {
		t.Fatalf("first run: %v", err)
	}
	if res.Created != 2 || res.Items != 2 {
		t.Fatalf("first run: %+v", res)
	}
	arts := h.articles(t)
	if len(arts) != 2 {
		t.Fatalf("%d articles stored", len(arts))
	}
	for _, a := range arts {
		if strings.Contains(a.Body, "<script") || strings.Contains(a.Body, "onerror") || strings.Contains(a.Body, "javascript:") {
			t.Errorf("unsanitized body stored: %s", a.Body)
		}
		if strings.Contains(a.URL, "utm_source") || !strings.HasPrefix(a.URL, c.srv.URL) {
			t.Errorf("URL not canonical: %s", a.URL)
		}
		if a.Author != "Sara Ahmadi" || a.Source != "Test Wire" || a.Lede == "" || a.Text == "" {
			t.Errorf("attribution: author %q source %q lede %q", a.Author, a.Source, a.Lede)
		}
	}
	src, _ := h.st.Source(context.Background(), h.src.ID)
	if src.LastSuccessAt.IsZero() || src.Failures != 0 || src.LastError != "" || src.ETag == "" || !src.NextFetchAt.After(src.LastFetchAt) {
		t.Errorf("source health after success: %+v", src)
	}

	// Unchanged feed: a conditional GET answered 304.
	res, err = h.run(t)
	if err != nil || !res.NotModified || res.Created != 0 {
		t.Errorf("second run: %+v, %v", res, err)
	}

	// A changed item updates its article; it never makes a second one.
	before := arts
	c.set(rss(item(1, "Water talks end without a deal, officials say", longBody+"<p>Updated with the minister's statement.</p>"),
		item(2, "Hostile &lt;b&gt;markup&lt;/b&gt;", longBody+`<p><script>alert(1)</script><img src=x onerror=alert(2)><a href="javascript:alert(3)">click</a></p>`)), nil)
	res, err = h.run(t)
	if err != nil || res.Created != 0 || res.Updated != 1 {
		t.Fatalf("changed run: %+v, %v", res, err)
	}
	after := h.articles(t)
	if len(after) != 2 {
		t.Fatalf("%d articles after an update", len(after))
	}
	var updated *newsdesk.Article
	for _, a := range after {
		if a.GUID == "story-1" {
			updated = a
		}
	}
	if updated == nil || !strings.HasSuffix(updated.Headline, "officials say") || !strings.Contains(updated.Body, "minister") {
		t.Fatalf("update not applied: %+v", updated)
	}
	_ = before
}

func TestBrokenFeedMarksSource(t *testing.T) {
	c := newCorpus(t)
	c.set("<html><body>This is not a feed <", nil)
	h := newHarness(t, c, false)
	if _, err := h.run(t); err == nil {
		t.Fatal("broken feed accepted")
	}
	src, _ := h.st.Source(context.Background(), h.src.ID)
	if src.Failures != 1 || src.LastError == "" || !src.LastSuccessAt.IsZero() {
		t.Errorf("source after a broken feed: failures %d, last error %q", src.Failures, src.LastError)
	}
	if !src.NextFetchAt.After(src.LastFetchAt) {
		t.Error("no next fetch scheduled after a failure")
	}
	if _, err := h.run(t); err == nil {
		t.Fatal("broken feed accepted")
	}
	src2, _ := h.st.Source(context.Background(), h.src.ID)
	if src2.Failures != 2 || src2.NextFetchAt.Sub(src2.LastFetchAt) <= src.NextFetchAt.Sub(src.LastFetchAt) {
		t.Errorf("no back-off: failures %d, next after %v then %v", src2.Failures,
			src.NextFetchAt.Sub(src.LastFetchAt), src2.NextFetchAt.Sub(src2.LastFetchAt))
	}
}

func TestSummaryOnlyFeedIsCompletedFromPages(t *testing.T) {
	c := newCorpus(t)
	c.set(rss(item(3, "Fuel queues lengthen in the capital", "<p>Short summary.</p>")), map[string]string{
		"/news/3.html": page("Fuel queues lengthen in the capital", "Drivers waited for hours at petrol stations across the capital on Tuesday as a fuel shortage entered its second week."),
	})
	h := newHarness(t, c, false)
	res, err := h.run(t)
	if err != nil || res.Created != 1 {
		t.Fatalf("run: %+v, %v", res, err)
	}
	a := h.articles(t)[0]
	if !strings.Contains(a.Text, "Drivers waited for hours") || strings.Contains(a.Text, "tracker") || strings.Contains(a.Text, "Subscribe") {
		t.Errorf("page not extracted into the body: %q", a.Text)
	}
	if !strings.HasPrefix(a.ImageURL, c.srv.URL+"/img/lead.jpg") {
		t.Errorf("lead image %q not resolved from the page", a.ImageURL)
	}
}

func TestPrivateLinkIsNotFetched(t *testing.T) {
	c := newCorpus(t)
	feed := rss(`<item><title>Inside job</title><link>http://10.1.2.3/admin</link><guid>x1</guid><description>short</description></item>`)
	c.set(feed, nil)
	h := newHarness(t, c, true)
	res, err := h.run(t)
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	if len(res.Warnings) == 0 || !strings.Contains(strings.Join(res.Warnings, " "), "10.1.2.3") {
		t.Errorf("no warning about the private address: %q", res.Warnings)
	}
}

// failingDocuments is an indexer whose documents cannot be made.
type failingDocuments struct{ err error }

func (f failingDocuments) Index(context.Context, []*newsdesk.Article) error { return f.err }
func (f failingDocuments) Documents(context.Context, []*newsdesk.Article) ([]newsdesk.SearchDoc, error) {
	return nil, f.err
}

// TestSearchDocumentsWithTheBatch: a batch's search documents are written
// in its own transaction, so a stored article is always searchable, and a
// batch whose documents fail is not stored (the next run takes it again).
func TestSearchDocumentsWithTheBatch(t *testing.T) {
	c := newCorpus(t)
	c.set(rss(item(1, "Water talks end without a deal", longBody)), nil)
	h := newHarness(t, c, false)
	failed := errors.New("documents unavailable")
	h.p.Index = failingDocuments{failed}
	if _, err := h.run(t); !errors.Is(err, failed) {
		t.Fatalf("run with failing documents: %v, want %v", err, failed)
	}
	if arts := h.articles(t); len(arts) != 0 {
		t.Fatalf("%d articles stored without their search documents", len(arts))
	}

	h.p.Index = index.New(h.st)
	res, err := h.run(t)
	if err != nil || res.Created != 1 {
		t.Fatalf("second run: %+v, %v", res, err)
	}
	found, err := h.st.Search(context.Background(), newsdesk.SearchQuery{Text: "water talks", Limit: 10})
	if err != nil || len(found.Hits) != 1 {
		t.Fatalf("search after the run: %+v, %v", found, err)
	}
}
