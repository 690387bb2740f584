package metrics

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

func TestMetrics(t *testing.T) {
	reg := prometheus.NewRegistry()
	m := New(reg, func() map[string]int { return map[string]int{"ok": 3, "failing": 1} })
	m.Fetch("feed", "ok")
	m.Fetch("feed", "status")
	m.Stored(7, 2, 1, []time.Duration{time.Minute, 2 * time.Hour})
	m.StageError("parse", "xml_syntax")
	m.CacheLookup(true, false)
	m.CacheLookup(true, true)
	m.CacheLookup(true, true)
	m.CacheLookup(false, false)
	m.DB("upsert_articles", time.Millisecond)
	m.ReaderEvent()

	mux := http.NewServeMux()
	mux.HandleFunc("GET /article/{id}", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(404) })
	h := m.Middleware(mux)
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/article/12", nil))

	rec := httptest.NewRecorder()
	m.Handler("s3cret").ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if rec.Code != http.StatusUnauthorized {
		t.Errorf("metrics without token: %d", rec.Code)
	}
	req := httptest.NewRequest("GET", "/metrics", nil)
	req.Header.Set("Authorization", "Bearer s3cret")
	rec = httptest.NewRecorder()
	m.Handler("s3cret").ServeHTTP(rec, req)
	body, _ := io.ReadAll(rec.Body)
	for _, want := range []string{
		`newsdesk_fetches_total{kind="feed",outcome="ok"} 1`,
		`newsdesk_articles_stored_total{change="created",source_id="7"} 2`,
		`newsdesk_ingest_lag_seconds_count 2`,
		`newsdesk_stage_errors_total{reason="xml_syntax",stage="parse"} 1`,
		`newsdesk_http_request_seconds_count{route="GET /article/{id}",status="4xx"} 1`,
		`newsdesk_sources{state="failing"} 1`,
		`newsdesk_reader_events_total 1`,
		`newsdesk_page_cache_lookups_total{result="hit"} 1`,
		`newsdesk_page_cache_lookups_total{result="stale"} 2`,
		`newsdesk_page_cache_lookups_total{result="miss"} 1`,
		`go_goroutines`,
	} {
		if !strings.Contains(string(body), want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	var nilM *Metrics
	nilM.Fetch("feed", "ok") // safe on nil
}
