package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"newsdesk/metrics"
)

// TestGrafanaDashboard checks that deploy/grafana-dashboard.json is a
// dashboard and that every series it queries is one newsdesk exports.
func TestGrafanaDashboard(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "deploy", "grafana-dashboard.json"))
	if err != nil {
		t.Fatal(err)
	}
	var dash struct {
		Title  string `json:"title"`
		Panels []struct {
			Title   string `json:"title"`
			Type    string `json:"type"`
			Targets []struct {
				Expr string `json:"expr"`
			} `json:"targets"`
		} `json:"panels"`
	}
	if err := json.Unmarshal(b, &dash); err != nil {
		t.Fatalf("dashboard is not JSON: %v", err)
	}

	// Every family newsdesk registers, each recorded once.
	reg := prometheus.NewRegistry()
	mx := metrics.New(reg, func() map[string]int { return map[string]int{"ok": 1} })
	mx.Fetch("feed", "ok")
	mx.SourceRun("ok", time.Second)
	mx.Stored(1, 1, 1, []time.Duration{time.Minute})
	mx.StageError("parse", "recovered")
	mx.CacheLookup(true, false)
	mx.DB("article", time.Millisecond)
	mx.ReaderEvent()
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {})
	mx.Middleware(mux).ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil))
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	known := map[string]bool{}
	for _, f := range families {
		name := f.GetName()
		known[name] = true
		if f.GetType().String() == "HISTOGRAM" {
			for _, s := range []string{"_bucket", "_count", "_sum"} {
				known[name+s] = true
			}
		}
	}

	series := regexp.MustCompile(`\b(newsdesk_[a-z_]+|go_[a-z_]+|process_[a-z_]+)\b`)
	used := map[string]bool{}
	for _, p := range dash.Panels {
		if p.Type != "row" && len(p.Targets) == 0 {
			t.Errorf("panel %q queries nothing", p.Title)
		}
		for _, tg := range p.Targets {
			for _, name := range series.FindAllString(tg.Expr, -1) {
				used[strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(name, "_bucket"), "_count"), "_sum")] = true
				if !known[name] {
					t.Errorf("panel %q queries %s, which newsdesk does not export", p.Title, name)
				}
			}
		}
	}
	for name := range known {
		if strings.HasPrefix(name, "newsdesk_") && !strings.HasSuffix(name, "_bucket") && !strings.HasSuffix(name, "_count") && !strings.HasSuffix(name, "_sum") && !used[name] {
			t.Errorf("the dashboard does not show %s", name)
		}
	}
}
