// Package metrics defines newsdesk's Prometheus collectors. They are
// registered on a Registerer passed in (never the global default), and every
// method is safe on a nil *Metrics, so packages can record unconditionally.
package metrics

import (
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics holds the collectors.
type Metrics struct {
	fetches       *prometheus.CounterVec
	fetchSeconds  *prometheus.HistogramVec
	itemsStored   *prometheus.CounterVec
	ingestLag     prometheus.Histogram
	stageErrors   *prometheus.CounterVec
	renderSeconds *prometheus.HistogramVec
	cacheLookups  *prometheus.CounterVec
	dbSeconds     *prometheus.HistogramVec
	readerEvents  prometheus.Counter
	gatherer      prometheus.Gatherer
}

// New creates the collectors and registers them, with the Go runtime and
// process collectors, on reg. sources reports the number of sources by
// state ("ok", "failing", "paused") at scrape time; it may be nil.
func New(reg *prometheus.Registry, sources func() map[string]int) *Metrics {
	m := &Metrics{
		fetches: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "newsdesk", Name: "fetches_total",
			Help: "Fetches of sources and article pages by kind (feed, page) and outcome (ok, not_modified, or the error kind).",
		}, []string{"kind", "outcome"}),
		fetchSeconds: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: "newsdesk", Name: "source_run_seconds",
			Help:    "Time to run the pipeline over one source.",
			Buckets: prometheus.ExponentialBuckets(0.01, 2.5, 10),
		}, []string{"outcome"}),
		itemsStored: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "newsdesk", Name: "articles_stored_total",
			Help: "Articles stored, by source and whether they were created or updated.",
		}, []string{"source_id", "change"}),
		ingestLag: prometheus.NewHistogram(prometheus.HistogramOpts{
			Namespace: "newsdesk", Name: "ingest_lag_seconds",
			Help:    "Time from an item's publication at its source to its page on the site.",
			Buckets: []float64{30, 60, 120, 300, 600, 1800, 3600, 7200, 21600, 86400},
		}),
		stageErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "newsdesk", Name: "stage_errors_total",
			Help: "Errors of pipeline stages (parse, extract, enrich, store) by reason.",
		}, []string{"stage", "reason"}),
		renderSeconds: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: "newsdesk", Name: "http_request_seconds",
			Help:    "Time to serve a request, by route pattern and status class.",
			Buckets: []float64{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1},
		}, []string{"route", "status"}),
		cacheLookups: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "newsdesk", Name: "page_cache_lookups_total",
			Help: "Rendered-page cache lookups by result (hit, stale: served while rendered again, miss).",
		}, []string{"result"}),
		dbSeconds: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: "newsdesk", Name: "db_seconds",
			Help:    "Database latency by operation.",
			Buckets: []float64{0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1},
		}, []string{"op"}),
		readerEvents: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: "newsdesk", Name: "reader_events_total",
			Help: "Article views recorded for recommendations.",
		}),
		gatherer: reg,
	}
	reg.MustRegister(m.fetches, m.fetchSeconds, m.itemsStored, m.ingestLag, m.stageErrors,
		m.renderSeconds, m.cacheLookups, m.dbSeconds, m.readerEvents,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if sources != nil {
		reg.MustRegister(&sourceCollector{fn: sources, desc: prometheus.NewDesc("newsdesk_sources",
			"Sources by state (ok, failing, paused).", []string{"state"}, nil)})
	}
	return m
}

type sourceCollector struct {
	fn   func() map[string]int
	desc *prometheus.Desc
}

func (c *sourceCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }
func (c *sourceCollector) Collect(ch chan<- prometheus.Metric) {
	for state, n := range c.fn() {
		ch <- prometheus.MustNewConstMetric(c.desc, prometheus.GaugeValue, float64(n), state)
	}
}

// Handler serves the metrics in the Prometheus text format. When token is
// not empty, requests must carry "Authorization: Bearer <token>".
func (m *Metrics) Handler(token string) http.Handler {
	h := promhttp.HandlerFor(m.gatherer, promhttp.HandlerOpts{})
	if token == "" {
		return h
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+token {
			w.Header().Set("WWW-Authenticate", `Bearer realm="metrics"`)
			http.Error(w, "metrics need a bearer token", http.StatusUnauthorized)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// Fetch counts one fetch.
func (m *Metrics) Fetch(kind, outcome string) {
	if m != nil {
		m.fetches.WithLabelValues(kind, outcome).Inc()
	}
}

// SourceRun records the time of one pipeline run over a source.
func (m *Metrics) SourceRun(outcome string, d time.Duration) {
	if m != nil {
		m.fetchSeconds.WithLabelValues(outcome).Observe(d.Seconds())
	}
}

// Stored counts stored articles and observes the ingest lag of new ones.
func (m *Metrics) Stored(sourceID int64, created, updated int, lags []time.Duration) {
	if m == nil {
		return
	}
	id := strconv.FormatInt(sourceID, 10)
	if created > 0 {
		m.itemsStored.WithLabelValues(id, "created").Add(float64(created))
	}
	if updated > 0 {
		m.itemsStored.WithLabelValues(id, "updated").Add(float64(updated))
	}
	for _, l := range lags {
		if l >= 0 {
			m.ingestLag.Observe(l.Seconds())
		}
	}
}

// StageError counts an error of a pipeline stage.
func (m *Metrics) StageError(stage, reason string) {
	if m != nil {
		m.stageErrors.WithLabelValues(stage, reason).Inc()
	}
}

// CacheLookup counts a page cache lookup: a hit, a hit on a stale page
// (served while it is rendered again), or a miss.
func (m *Metrics) CacheLookup(hit, stale bool) {
	if m == nil {
		return
	}
	switch {
	case hit && stale:
		m.cacheLookups.WithLabelValues("stale").Inc()
	case hit:
		m.cacheLookups.WithLabelValues("hit").Inc()
	default:
		m.cacheLookups.WithLabelValues("miss").Inc()
	}
}

// DB observes the latency of a database operation.
func (m *Metrics) DB(op string, d time.Duration) {
	if m != nil {
		m.dbSeconds.WithLabelValues(op).Observe(d.Seconds())
	}
}

// ReaderEvent counts a recorded article view.
func (m *Metrics) ReaderEvent() {
	if m != nil {
		m.readerEvents.Inc()
	}
}

// Middleware observes the time of each request by its route pattern (the
// ServeMux pattern that matched, so paths with ids do not explode the
// label set) and status class.
func (m *Metrics) Middleware(next http.Handler) http.Handler {
	if m == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusRecorder{ResponseWriter: w, status: 200}
		next.ServeHTTP(sw, r)
		route := r.Pattern
		if route == "" {
			route = "unmatched"
		}
		m.renderSeconds.WithLabelValues(route, statusClass(sw.status)).Observe(time.Since(start).Seconds())
	})
}

var statusClasses = [...]string{"0xx", "1xx", "2xx", "3xx", "4xx", "5xx"}

// statusClass is "2xx" for 200 to 299 and so on, without allocating.
func statusClass(status int) string {
	if c := status / 100; c >= 0 && c < len(statusClasses) {
		return statusClasses[c]
	}
	return strconv.Itoa(status/100) + "xx"
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	s.status = code
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }
