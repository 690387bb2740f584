package web

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"newsdesk"
)

func TestExcerpt(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		n    int
		in   string
		want string
	}{
		{"seed river", 19, "For weeks, the social security retirees of Iran have been protesting their bad living condition and lack of money to pay for food.",
			"For weeks, the social security retirees of Iran have been protesting their bad living condition and lack of money..."},
		{"seed river keeps comma", 19, "The Iranian people desperately want the government to purchase the safe coronavirus vaccines, approved by the World Health Organisation, but the supreme leader has banned them.",
			"The Iranian people desperately want the government to purchase the safe coronavirus vaccines, approved by the World Health Organisation,..."},
		{"seed teaser", 9, "Reuters: Iranian security forces arrested an Agence France Presse journalist in Tehran on Monday.",
			"Reuters: Iranian security forces arrested an Agence France Presse..."},
		{"short kept whole", 9, "AFP: Iranian police dispersed youths.", "AFP: Iranian police dispersed youths."},
		{"exactly n words", 3, "one two three", "one two three"},
		{"trailing space not cut", 3, "one two three  ", "one two three"},
		{"folds whitespace", 5, "one\n\ttwo   three", "one two three"},
		{"persian", 3, "نیروهای امنیتی ایران یک خبرنگار را بازداشت کردند", "نیروهای امنیتی ایران..."},
		{"zero", 0, "anything", ""},
		{"empty", 5, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Excerpt(tt.n, tt.in); got != tt.want {
				t.Errorf("Excerpt(%d, %q)\n got %q\nwant %q", tt.n, tt.in, got, tt.want)
			}
		})
	}
}

func TestDates(t *testing.T) {
	t.Parallel()
	now := time.Date(2025, 6, 2, 17, 5, 0, 0, time.UTC)
	at := time.Date(2025, 6, 2, 14, 5, 0, 0, time.UTC)
	if got := FormatDate(at.In(time.FixedZone("IRST", 3*3600+1800))); got != "2 June 2025, 14:05 UTC" {
		t.Errorf("FormatDate = %q", got)
	}
	tests := []struct {
		ago  time.Duration
		want string
	}{
		{10 * time.Second, "just now"},
		{-time.Hour, "just now"},
		{time.Minute, "1 minute ago"},
		{59 * time.Minute, "59 minutes ago"},
		{3 * time.Hour, "3 hours ago"},
		{30 * time.Hour, "yesterday"},
		{4 * 24 * time.Hour, "4 days ago"},
		{90 * 24 * time.Hour, "4 March 2025"},
	}
	for _, tt := range tests {
		if got := Relative(now, now.Add(-tt.ago)); got != tt.want {
			t.Errorf("Relative(-%v) = %q, want %q", tt.ago, got, tt.want)
		}
	}
}

func TestHighlight(t *testing.T) {
	t.Parallel()
	s, e := newsdesk.SnippetMarkStart, newsdesk.SnippetMarkEnd
	tests := []struct{ in, want string }{
		{"the " + s + "MEK" + e + " camp", "the <mark>MEK</mark> camp"},
		{s + "<script>" + e + "alert(1)</script>", "<mark>&lt;script&gt;</mark>alert(1)&lt;/script&gt;"},
		{"open " + s + "never closed", "open <mark>never closed</mark>"},
		{"stray " + e + "end", "stray end"},
		{s + s + "double" + e + e, "<mark>double</mark>"},
		{`"quoted" & 'single'`, "&#34;quoted&#34; &amp; &#39;single&#39;"},
	}
	for _, tt := range tests {
		if got := string(Highlight(tt.in)); got != tt.want {
			t.Errorf("Highlight(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestJSONLDEscapesScriptEnd(t *testing.T) {
	t.Parallel()
	js, err := JSONLD(map[string]string{"headline": "</script><script>alert(1)</script> <!-- & \u2028"})
	if err != nil {
		t.Fatal(err)
	}
	if s := string(js); strings.Contains(strings.ToLower(s), "</script") || strings.Contains(s, "<!--") || strings.Contains(s, "\u2028") {
		t.Fatalf("JSON-LD not escaped: %s", s)
	}
	var back map[string]string
	if err := json.Unmarshal([]byte(js), &back); err != nil || !strings.HasPrefix(back["headline"], "</script>") {
		t.Fatalf("JSON-LD does not round-trip: %v %q", err, back["headline"])
	}
}

func TestLang(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{"fa": "fa", "en_GB": "en-GB", "": "", `en" onload="x`: "", " ar ": "ar"} {
		if got := Lang(in); got != want {
			t.Errorf("Lang(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestNewRequiresPages(t *testing.T) {
	t.Parallel()
	if _, err := New(Require("site/home", "site/article")); err != nil {
		t.Fatalf("New with existing pages: %v", err)
	}
	_, err := New(Require("site/home", "site/no-such-page"))
	if err == nil || !strings.Contains(err.Error(), "site/no-such-page") {
		t.Fatalf("New with a missing page: err = %v", err)
	}
}

func TestStatic(t *testing.T) {
	t.Parallel()
	e, err := New()
	if err != nil {
		t.Fatal(err)
	}
	u, err := e.AssetURL("css/site.css")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(u, "/static/") || !strings.HasSuffix(u, "/css/site.css") || len(u) < len("/static//css/site.css")+12 {
		t.Fatalf("AssetURL = %q", u)
	}
	if _, err := e.AssetURL("css/missing.css"); err == nil {
		t.Fatal("AssetURL of a missing asset: no error")
	}
	serve := func(path string, hdr map[string]string) *httptest.ResponseRecorder {
		r := httptest.NewRequest("GET", path, nil)
		for k, v := range hdr {
			r.Header.Set(k, v)
		}
		w := httptest.NewRecorder()
		e.ServeStatic(w, r)
		return w
	}

	w := serve(u, map[string]string{"Accept-Encoding": "gzip, br"})
	if w.Code != 200 || w.Header().Get("Cache-Control") != "public, max-age=31536000, immutable" {
		t.Fatalf("hashed asset: %d %q", w.Code, w.Header().Get("Cache-Control"))
	}
	if ct := w.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/css") {
		t.Errorf("Content-Type = %q", ct)
	}
	if w.Header().Get("Content-Encoding") != "gzip" {
		t.Fatalf("no gzip for a client that takes it")
	}
	zr, err := gzip.NewReader(w.Body)
	if err != nil {
		t.Fatal(err)
	}
	css, _ := io.ReadAll(zr)
	if !bytes.Contains(css, []byte("prefers-color-scheme: dark")) {
		t.Errorf("served CSS is not the site's stylesheet")
	}

	w = serve(u, map[string]string{"If-None-Match": w.Header().Get("ETag")})
	if w.Code != http.StatusNotModified {
		t.Errorf("If-None-Match: status %d, want 304", w.Code)
	}
	w = serve("/static/000000000000/css/site.css", nil)
	if w.Code != 200 || w.Header().Get("Cache-Control") != "no-cache" {
		t.Errorf("stale hash: %d %q", w.Code, w.Header().Get("Cache-Control"))
	}
	w = serve("/static/000000000000/css/../../etc/passwd", nil)
	if w.Code != http.StatusNotFound {
		t.Errorf("unknown asset: status %d", w.Code)
	}
	u, _ = e.AssetURL("img/logo.svg")
	if w = serve(u, nil); w.Header().Get("Content-Type") != "image/svg+xml" {
		t.Errorf("svg Content-Type = %q", w.Header().Get("Content-Type"))
	}
}

func TestAcceptsGzip(t *testing.T) {
	t.Parallel()
	for v, want := range map[string]bool{"gzip": true, "br, gzip;q=0.8": true, "gzip;q=0": false, "br": false, "": false, "*": true, "GZIP": true} {
		r := httptest.NewRequest("GET", "/", nil)
		if v != "" {
			r.Header.Set("Accept-Encoding", v)
		}
		if got := AcceptsGzip(r); got != want {
			t.Errorf("AcceptsGzip(%q) = %v", v, got)
		}
	}
}

func TestETagMatch(t *testing.T) {
	t.Parallel()
	if !ETagMatch(`"a", "b"`, `"b"`) || !ETagMatch(`W/"b"`, `"b"`) || !ETagMatch("*", `"x"`) || ETagMatch(`"c"`, `"b"`) {
		t.Fatal("ETagMatch wrong")
	}
}

func FuzzHighlight(f *testing.F) {
	f.Add("the \uE000MEK\uE001 camp")
	f.Add("\uE001<b>\uE000")
	f.Fuzz(func(t *testing.T, s string) {
		out := string(Highlight(s))
		stripped := strings.ReplaceAll(strings.ReplaceAll(out, "<mark>", ""), "</mark>", "")
		if strings.ContainsAny(stripped, "<>") {
			t.Fatalf("Highlight(%q) lets markup through: %q", s, out)
		}
		if strings.Count(out, "<mark>") != strings.Count(out, "</mark>") {
			t.Fatalf("Highlight(%q) unbalanced: %q", s, out)
		}
	})
}

func FuzzExcerpt(f *testing.F) {
	f.Add(9, "Reuters: Iranian security forces arrested an Agence France Presse journalist")
	f.Add(3, "  a\tb\n c d ")
	f.Fuzz(func(t *testing.T, n int, s string) {
		n = n % 50
		out := Excerpt(n, s)
		body, cut := strings.CutSuffix(out, "...")
		words := strings.Fields(body)
		if len(words) > max(n, 0) {
			t.Fatalf("Excerpt(%d, %q) = %q has %d words", n, s, out, len(words))
		}
		if cut && len(words) != n && !strings.HasSuffix(strings.Join(strings.Fields(s), " "), "...") {
			t.Fatalf("Excerpt(%d, %q) = %q cut before n words", n, s, out)
		}
		if !strings.HasPrefix(strings.Join(strings.Fields(s), " "), strings.Join(words, " ")) {
			t.Fatalf("Excerpt(%d, %q) = %q is not a prefix", n, s, out)
		}
	})
}
