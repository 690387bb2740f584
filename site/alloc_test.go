package site

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// discardWriter is a ResponseWriter that keeps nothing, so that an
// allocation count measures the handler alone.
type discardWriter struct {
	h    http.Header
	code int
	n    int
}

func (d *discardWriter) Header() http.Header  { return d.h }
func (d *discardWriter) WriteHeader(code int) { d.code = code }
func (d *discardWriter) Write(p []byte) (int, error) {
	d.n += len(p)
	return len(p), nil
}

// TestArticleHitAllocations guards the cached anonymous article path: a hit
// must cost no more than the router's own allocations.
func TestArticleHitAllocations(t *testing.T) {
	if testing.Short() {
		t.Skip("allocation count")
	}
	f := newFixture(t, 4)
	r := httptest.NewRequest("GET", f.seed.Path(), nil)
	r.Header.Set("Sec-GPC", "1")
	r.Header.Set("Accept-Encoding", "gzip")
	w := &discardWriter{h: http.Header{}}
	f.mux.ServeHTTP(w, r)
	if w.code != 200 || w.n == 0 {
		t.Fatalf("status %d, %d bytes", w.code, w.n)
	}
	allocs := testing.AllocsPerRun(200, func() {
		clear(w.h)
		f.mux.ServeHTTP(w, r)
	})
	t.Logf("cached anonymous article: %.0f allocs per request", allocs)
	if allocs > 4 {
		t.Errorf("cached anonymous article: %.0f allocs per request, want at most 4", allocs)
	}
}
