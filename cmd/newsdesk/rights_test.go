package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"newsdesk"
	"newsdesk/store/sqlite"
)

// rightsServer serves a robots.txt that disallows /private/, a feed with
// short summaries linking to pages under /private/ and /open/, and those
// pages, counting page fetches by path prefix.
func rightsServer(t *testing.T) (*httptest.Server, *atomic.Int64, *atomic.Int64) {
	var private, open atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/robots.txt":
			io.WriteString(w, "User-agent: *\nDisallow: /private/\n")
		case r.URL.Path == "/feed.xml":
			w.Header().Set("Content-Type", "application/rss+xml")
			fmt.Fprintf(w, `<?xml version="1.0"?><rss version="2.0"><channel><title>Rights</title><link>http://%s/</link>`, r.Host)
			for i, dir := range []string{"private", "open"} {
				fmt.Fprintf(w, `<item><title>Report %d on the harvest</title><link>http://%s/%s/%d.html</link><guid>r%d</guid><description>Short summary %d.</description></item>`, i, r.Host, dir, i, i, i)
			}
			fmt.Fprint(w, `</channel></rss>`)
		case strings.HasPrefix(r.URL.Path, "/private/"), strings.HasPrefix(r.URL.Path, "/open/"):
			if strings.HasPrefix(r.URL.Path, "/private/") {
				private.Add(1)
			} else {
				open.Add(1)
			}
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			io.WriteString(w, `<html><head><title>Report</title></head><body><article><h1>Report on the harvest</h1>`)
			for p := 0; p < 6; p++ {
				io.WriteString(w, "<p>MASHHAD, Iran — Farmers in the province said the wheat harvest was late this year because of the drought and the cost of diesel for their pumps.</p>")
			}
			io.WriteString(w, `</article></body></html>`)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv, &private, &open
}

// TestPageFetchRights runs the pipeline as serve and ingest wire it
// (wire.go: the fetcher's robots.txt check in Pipeline.Allowed) and checks
// that robots.txt stops page fetches, with the reason recorded, and that a
// source's no-page-fetch opt-out stops them all.
func TestPageFetchRights(t *testing.T) {
	ctx := context.Background()
	srv, private, open := rightsServer(t)
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "rights.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	cfg := DefaultConfig()
	cfg.AllowPrivate = []string{"127.0.0.0/8"}
	cfg.PerHostInterval = -1
	fc, err := newFetcher(&cfg, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	p := newPipeline(fc, st, nil, nil)

	t.Run("robots page source", func(t *testing.T) {
		src := &newsdesk.Source{Name: "Private page", Kind: newsdesk.SourcePage, URL: srv.URL + "/private/9.html"}
		if err := st.CreateSource(ctx, src); err != nil {
			t.Fatal(err)
		}
		if _, err := p.RunSource(ctx, src); err == nil {
			t.Fatal("a page disallowed by robots.txt was ingested")
		}
		got, err := st.Source(ctx, src.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(got.LastError, "robots.txt") || !strings.Contains(got.LastError, "disallows") || got.Failures != 1 {
			t.Errorf("source error = %q (failures %d), want the robots.txt reason", got.LastError, got.Failures)
		}
		if private.Load() != 0 {
			t.Errorf("%d disallowed page fetches", private.Load())
		}
	})

	t.Run("robots feed items", func(t *testing.T) {
		src := &newsdesk.Source{Name: "Rights feed", Kind: newsdesk.SourceFeed, URL: srv.URL + "/feed.xml", Extract: true}
		if err := st.CreateSource(ctx, src); err != nil {
			t.Fatal(err)
		}
		res, err := p.RunSource(ctx, src)
		if err != nil {
			t.Fatal(err)
		}
		if private.Load() != 0 || open.Load() != 1 {
			t.Errorf("page fetches: %d disallowed, %d allowed; want 0 and 1", private.Load(), open.Load())
		}
		if !strings.Contains(strings.Join(res.Warnings, "\n"), "robots.txt") {
			t.Errorf("warnings do not say why the page was not fetched: %q", res.Warnings)
		}
		arts, _, err := st.Articles(ctx, newsdesk.ArticleFilter{SourceID: &src.ID})
		if err != nil || len(arts) != 2 {
			t.Fatalf("stored %d articles, %v", len(arts), err)
		}
		for _, a := range arts {
			fromPage := strings.Contains(a.Text, "diesel")
			if strings.Contains(a.URL, "/private/") == fromPage {
				t.Errorf("%s: text from the page = %v", a.URL, fromPage)
			}
		}
	})

	t.Run("no page fetch", func(t *testing.T) {
		open.Store(0)
		out, errb, err := runMain(t, nil, "sources", "add", "--db", st.Path(), "--name", "Opted out", "--no-page-fetch", srv.URL+"/feed.xml?v=2")
		if err != nil {
			t.Fatalf("sources add --no-page-fetch: %v\n%s", err, errb)
		}
		var id int64
		if _, err := fmt.Sscanf(out, "added source %d:", &id); err != nil {
			t.Fatalf("sources add said %q", out)
		}
		src, err := st.Source(ctx, id)
		if err != nil || !src.NoPageFetch {
			t.Fatalf("source = %+v, %v", src, err)
		}
		res, err := p.RunSource(ctx, src)
		if err != nil {
			t.Fatal(err)
		}
		if res.Created != 2 || open.Load() != 0 || private.Load() != 0 {
			t.Errorf("created %d, page fetches %d+%d; want 2 articles from the feed alone", res.Created, open.Load(), private.Load())
		}
		if _, _, err := runMain(t, nil, "sources", "add", "--db", st.Path(), "--name", "Both", "--extract", "--no-page-fetch", srv.URL+"/feed.xml?v=3"); exitCode(err) != 2 {
			t.Errorf("--extract with --no-page-fetch: %v", err)
		}
	})

	t.Run("import with no page fetch", func(t *testing.T) {
		open.Store(0)
		list := filepath.Join(t.TempDir(), "sources.opml")
		doc := `<?xml version="1.0"?><opml version="2.0"><head><title>Feeds</title></head><body>` +
			`<outline type="rss" text="Imported" title="Imported" xmlUrl="` + srv.URL + `/feed.xml?v=4"/></body></opml>`
		if err := os.WriteFile(list, []byte(doc), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, _, err := runMain(t, nil, "sources", "import", "--db", st.Path(), "--extract", "--no-page-fetch", list); exitCode(err) != 2 {
			t.Errorf("import --extract with --no-page-fetch: %v", err)
		}
		if out, errb, err := runMain(t, nil, "sources", "import", "--db", st.Path(), "--no-page-fetch", list); err != nil || !strings.Contains(out, "imported 1 sources") {
			t.Fatalf("sources import --no-page-fetch: %v\n%s%s", err, out, errb)
		}
		srcs, _, err := st.Sources(ctx, newsdesk.SourceFilter{})
		if err != nil {
			t.Fatal(err)
		}
		var src *newsdesk.Source
		for _, s := range srcs {
			if strings.HasSuffix(s.URL, "?v=4") {
				src = s
			}
		}
		if src == nil || !src.NoPageFetch || src.Extract {
			t.Fatalf("imported source = %+v", src)
		}
		res, err := p.RunSource(ctx, src)
		if err != nil {
			t.Fatal(err)
		}
		if res.Created != 2 || open.Load() != 0 || private.Load() != 0 {
			t.Errorf("created %d, page fetches %d+%d; want 2 articles from the feed alone", res.Created, open.Load(), private.Load())
		}
	})
}
