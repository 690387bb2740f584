package server

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"newsdesk/logging"
	"newsdesk/metrics"
)

// discardWriter is a ResponseWriter that keeps nothing, so that an
// allocation count measures the middleware alone.
type discardWriter struct{ h http.Header }

func (d *discardWriter) Header() http.Header         { return d.h }
func (d *discardWriter) WriteHeader(int)             {}
func (d *discardWriter) Write(p []byte) (int, error) { return len(p), nil }

// TestChainAllocations guards what the middleware (request id, recovery,
// access log, security headers, compression check, route metrics) costs
// every response that the handler writes itself: the request id (its
// string, header value, context and request copy) and two status
// recorders; the other two are the ServeMux's own (10 in all before the
// request id was a counter and the compression check stopped splitting).
func TestChainAllocations(t *testing.T) {
	if testing.Short() {
		t.Skip("allocation count")
	}
	mx := metrics.New(prometheus.NewRegistry(), nil)
	var sawID string
	body := make([]byte, 2000)
	inner := http.NewServeMux()
	inner.HandleFunc("GET /page", func(w http.ResponseWriter, r *http.Request) {
		sawID = logging.RequestID(r.Context())
		w.Header()["Content-Type"] = []string{"text/html"}
		w.Write(body)
	})
	h := Chain(mx.Middleware(inner), Config{Logger: slog.New(slog.NewTextHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelWarn}))})
	r := httptest.NewRequest("GET", "/page", nil)
	w := &discardWriter{h: http.Header{}}
	h.ServeHTTP(w, r)
	if sawID == "" || w.h.Get("X-Request-Id") != sawID || len(sawID) != 16 {
		t.Fatalf("request id %q in context, %q in header", sawID, w.h.Get("X-Request-Id"))
	}
	allocs := testing.AllocsPerRun(500, func() {
		clear(w.h)
		h.ServeHTTP(w, r)
	})
	t.Logf("middleware: %.1f allocs per request", allocs)
	if allocs > 8 {
		t.Errorf("middleware: %.1f allocs per request, want at most 8", allocs)
	}
}

func TestRequestIDsDiffer(t *testing.T) {
	seen := map[string]bool{}
	h := RequestID(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen[logging.RequestID(r.Context())] = true
	}))
	for range 1000 {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil))
	}
	if len(seen) != 1000 {
		t.Errorf("%d distinct ids in 1000 requests", len(seen))
	}
}

func TestAcceptsGzip(t *testing.T) {
	for v, want := range map[string]bool{
		"":                       false,
		"gzip":                   true,
		"GZIP":                   true,
		"br, gzip":               true,
		"deflate, gzip;q=0.5":    true,
		"gzip;q=0":               false,
		"gzip; q=0.0":            false,
		"gzip;Q=0":               false,
		"gzip;q=junk":            false,
		"gzip;level=1":           true,
		"identity, br":           false,
		"x-gzip":                 false,
		"br;q=1.0, gzip;q=0.001": true,
	} {
		r := httptest.NewRequest("GET", "/", nil)
		if v != "" {
			r.Header.Set("Accept-Encoding", v)
		}
		if got := acceptsGzip(r); got != want {
			t.Errorf("Accept-Encoding %q: %v, want %v", v, got, want)
		}
	}
	r := httptest.NewRequest("GET", "/", nil)
	r.Header.Set("Accept-Encoding", "br;q=1.0, deflate, gzip;q=0.5")
	if n := testing.AllocsPerRun(100, func() { acceptsGzip(r) }); n != 0 {
		t.Errorf("acceptsGzip: %.0f allocs", n)
	}
}

// A response that already varies by Accept-Encoding (the site's cached and
// personal pages say so themselves) gets no second Vary line.
func TestCompressVaryOnce(t *testing.T) {
	for _, set := range []string{"", "Accept-Encoding", "Accept-Encoding, Cookie", "cookie, accept-encoding"} {
		h := Compress(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if set != "" {
				w.Header().Set("Vary", set)
			}
			w.Header().Set("Content-Type", "text/html")
			w.Write(make([]byte, 2000))
		}))
		r := httptest.NewRequest("GET", "/", nil)
		r.Header.Set("Accept-Encoding", "gzip")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		got := w.Header().Values("Vary")
		if len(got) != 1 || (set != "" && got[0] != set) || (set == "" && got[0] != "Accept-Encoding") {
			t.Errorf("Vary %q set by the handler: response has %q", set, got)
		}
	}
}
