package admin

import (
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

// FuzzSafeNext: whatever a login form's next field holds, the redirect
// stays inside the admin.
func FuzzSafeNext(f *testing.F) {
	for _, s := range []string{"/admin/picks", "//evil.example", "/admin/../x", "https://evil.example/admin/", "/admin/\\evil", "/admin//evil", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, next string) {
		got := safeNext(next)
		u, err := url.Parse(got)
		if !strings.HasPrefix(got, "/admin/") || strings.HasPrefix(got, "//") || err != nil || u.Host != "" || u.Scheme != "" ||
			strings.ContainsAny(got, "\\\r\n") {
			t.Fatalf("safeNext(%q) = %q", next, got)
		}
		if got != "/admin/" && got != next {
			t.Fatalf("safeNext(%q) = %q changed a kept value", next, got)
		}
	})
}

// FuzzSplitList: entries are trimmed, non-empty, without separators and
// without case-insensitive repeats.
func FuzzSplitList(f *testing.F) {
	for _, s := range []string{"MEK\nMKO, PMOI", " a ,A,\r\n b ", ",,,", "مجاهدین خلق\nMEK"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		seen := map[string]bool{}
		for _, e := range splitList(s) {
			if e == "" || e != strings.TrimSpace(e) || strings.ContainsAny(e, ",\n\r") || seen[strings.ToLower(e)] {
				t.Fatalf("splitList(%q) has %q", s, e)
			}
			seen[strings.ToLower(e)] = true
		}
	})
}

func TestFormTime(t *testing.T) {
	for in, want := range map[string]time.Time{
		"":                    {},
		"2025-06-03T09:30":    time.Date(2025, 6, 3, 9, 30, 0, 0, time.UTC),
		"2025-06-03T09:30:15": time.Date(2025, 6, 3, 9, 30, 15, 0, time.UTC),
		"2025-06-03":          time.Date(2025, 6, 3, 0, 0, 0, 0, time.UTC),
	} {
		r := httptest.NewRequest("GET", "/?expires="+url.QueryEscape(in), nil)
		got, err := formTime(r, "expires")
		if err != nil || !got.Equal(want) {
			t.Errorf("formTime(%q) = %v, %v", in, got, err)
		}
		if in != "" && inputTime(got)[:10] != in[:10] {
			t.Errorf("inputTime(%v) = %q", got, inputTime(got))
		}
	}
	r := httptest.NewRequest("GET", "/?expires=tomorrow", nil)
	if _, err := formTime(r, "expires"); err == nil {
		t.Error("formTime accepted \"tomorrow\"")
	}
}

func TestCharts(t *testing.T) {
	start := time.Date(2025, 6, 2, 0, 0, 0, 0, time.UTC)
	c := newBarChart([]int{0, 4, 2, 0}, start, time.Hour, 2, "articles")
	if c.Max != 4 || c.Total != 6 || len(c.Bars) != 4 || len(c.Ticks) != 2 || c.ViewBox != "0 0 40 116" {
		t.Fatalf("chart = %+v", c)
	}
	if b := c.Bars[1]; b.H != chartHeight || b.Y != 0 || !strings.Contains(b.Label, "01:00 UTC: 4 articles") {
		t.Errorf("tallest bar = %+v", b)
	}
	if b := c.Bars[2]; b.H != chartHeight/2 || b.Y != chartHeight/2 {
		t.Errorf("half bar = %+v", b)
	}
	if c.Bars[0].H != 0 || !strings.Contains(c.Summary, "6 articles in 4 hours") {
		t.Errorf("empty bar %+v, summary %q", c.Bars[0], c.Summary)
	}
	s := newSparkline([]int{0, 2, 1})
	if s.Points != "0.0,19.0 40.0,1.0 80.0,10.0" {
		t.Errorf("sparkline points = %q", s.Points)
	}
	if z := newSparkline(make([]int, 3)); z.Points != "0.0,19.0 40.0,19.0 80.0,19.0" {
		t.Errorf("flat sparkline = %q", z.Points)
	}
}
