package site

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"

	"newsdesk"
)

// BenchmarkArticlePage serves one article page from a real SQLite store of
// about 200 articles, after the cache is warm: as an anonymous reader
// (Global Privacy Control on, so nothing is recorded: the whole page comes
// from the cache), the same with gzip and with a matching ETag, and as a
// returning reader whose view is recorded and whose recommendations are
// computed (package recommend) and rendered per request.
func BenchmarkArticlePage(b *testing.B) {
	f := newFixture(b, 195)
	path := f.seed.Path()
	id := strings.Repeat("5a", 16)
	ctx := context.Background()
	for _, a := range f.fillers[:20] {
		must(b, f.db.RecordRead(ctx, newsdesk.ReadEvent{ReaderID: id, ArticleID: a.ID, At: testNow}))
	}
	cases := []struct {
		name string
		hdr  []string
	}{
		{"anonymous", []string{"Sec-GPC", "1"}},
		{"anonymous-gzip", []string{"Sec-GPC", "1", "Accept-Encoding", "gzip"}},
		{"anonymous-304", []string{"Sec-GPC", "1", "If-None-Match", ""}},
		{"returning", []string{"Cookie", readerCookie + "=" + id}},
		// The site's own share of a returning reader's request: the
		// recommender answers at once; the view is still recorded.
		{"returning-site-only", []string{"Cookie", readerCookie + "=" + id}},
	}
	etag := f.get(path, "Sec-GPC", "1").Header().Get("ETag")
	real := f.h.recommend
	fixed, err := real.Recommend(ctx, id, f.seed, recommendLimit+1)
	must(b, err)
	if len(fixed) == 0 {
		b.Fatal("no recommendations for the returning reader")
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			f.h.recommend = real
			if c.name == "returning-site-only" {
				f.h.recommend = recommendFunc(func(context.Context, string, *newsdesk.Article, int) ([]newsdesk.Recommendation, error) {
					return fixed, nil
				})
			}
			r := httptest.NewRequest("GET", path, nil)
			for i := 0; i+1 < len(c.hdr); i += 2 {
				v := c.hdr[i+1]
				if c.hdr[i] == "If-None-Match" {
					v = etag
				}
				r.Header.Set(c.hdr[i], v)
			}
			w := httptest.NewRecorder()
			f.mux.ServeHTTP(w, r)
			if w.Code != 200 && w.Code != 304 {
				b.Fatalf("status %d", w.Code)
			}
			b.ReportAllocs()
			for b.Loop() {
				w := httptest.NewRecorder()
				f.mux.ServeHTTP(w, r)
			}
		})
	}
}
