package extract

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"
	"unicode"
)

// The evaluation reads the extraction benchmark's dev split from
// ../shared/data/extraction (relative to the repository root) and scores the
// extractor with the extractbench metric: 4-token shingles, per-page
// normalized tp/fp/fn, precision and recall averaged over pages, F1 the
// harmonic mean of the two averages.

var (
	evalPages = flag.Bool("evalpages", false, "print every page's scores in TestEval")
	evalDump  = flag.String("evaldump", "", "write each page's extracted text to this directory")
	evalTime  = flag.Bool("evaltime", false, "report the median time per page in TestEvalMedian")
)

type evalPage struct {
	id, url, truth string
	html           []byte
}

func evalDir(tb testing.TB) string {
	tb.Helper()
	_, file, _, _ := runtime.Caller(0)
	// extract/ → repository root → ../shared/data/extraction
	dir := filepath.Join(filepath.Dir(file), "..", "..", "shared", "data", "extraction")
	if _, err := os.Stat(filepath.Join(dir, "ground-truth.json")); err != nil {
		tb.Skipf("extraction data not found at %s: skipping evaluation", dir)
	}
	return dir
}

func loadEval(tb testing.TB) []evalPage {
	tb.Helper()
	dir := evalDir(tb)
	raw, err := os.ReadFile(filepath.Join(dir, "ground-truth.json"))
	if err != nil {
		tb.Fatal(err)
	}
	var gt map[string]struct {
		ArticleBody string `json:"articleBody"`
		URL         string `json:"url"`
	}
	if err := json.Unmarshal(raw, &gt); err != nil {
		tb.Fatal(err)
	}
	var pages []evalPage
	for id, t := range gt {
		b, err := os.ReadFile(filepath.Join(dir, "html", id+".html.gz"))
		if err != nil {
			tb.Fatal(err)
		}
		zr, err := gzip.NewReader(bytes.NewReader(b))
		if err != nil {
			tb.Fatal(err)
		}
		h, err := io.ReadAll(zr)
		if err != nil {
			tb.Fatal(err)
		}
		pages = append(pages, evalPage{id: id, url: t.URL, truth: t.ArticleBody, html: h})
	}
	sort.Slice(pages, func(i, j int) bool { return pages[i].id < pages[j].id })
	return pages
}

// Metric helpers, the same as extractbench's.

func isWordRune(r rune) bool { return r == '_' || unicode.IsLetter(r) || unicode.IsNumber(r) }

func tokenize(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return !isWordRune(r) })
}

func shingles(toks []string) map[string]int {
	out := map[string]int{}
	if len(toks) == 0 {
		return out
	}
	if len(toks) < 4 {
		out[strings.Join(toks, "\x00")]++
		return out
	}
	for i := 0; i+4 <= len(toks); i++ {
		out[strings.Join(toks[i:i+4], "\x00")]++
	}
	return out
}

type match struct{ tp, fp, fn float64 }

func matchTexts(truth, pred string) match {
	ts, ps := shingles(tokenize(truth)), shingles(tokenize(pred))
	var m match
	for k, tc := range ts {
		pc := ps[k]
		m.tp += float64(min(tc, pc))
		if tc > pc {
			m.fn += float64(tc - pc)
		}
	}
	for k, pc := range ps {
		if tc := ts[k]; pc > tc {
			m.fp += float64(pc - tc)
		}
	}
	if s := m.tp + m.fp + m.fn; s > 0 {
		m.tp, m.fp, m.fn = m.tp/s, m.fp/s, m.fn/s
	}
	return m
}

func (m match) precision() float64 {
	if m.fp == 0 && m.fn == 0 {
		return 1
	}
	if m.tp == 0 && m.fp == 0 {
		return 0
	}
	return m.tp / (m.tp + m.fp)
}

func (m match) recall() float64 {
	if m.fp == 0 && m.fn == 0 {
		return 1
	}
	if m.tp == 0 && m.fn == 0 {
		return 0
	}
	return m.tp / (m.tp + m.fn)
}

func TestMetric(t *testing.T) {
	tests := []struct {
		truth, pred string
		p, r        float64
	}{
		{"one two three four five", "one two three four five", 1, 1},
		{"one two three four five", "", 0, 0},
		{"one two three four five", "one two three four", 1, 0.5},
		{"a b", "a b", 1, 1},
		{"one two three four", "one two three four five six", 1.0 / 3, 1},
	}
	for _, tt := range tests {
		m := matchTexts(tt.truth, tt.pred)
		if got := m.precision(); tt.pred != "" && fmt.Sprintf("%.3f", got) != fmt.Sprintf("%.3f", tt.p) {
			t.Errorf("precision(%q, %q) = %.3f, want %.3f", tt.truth, tt.pred, got, tt.p)
		}
		if got := m.recall(); fmt.Sprintf("%.3f", got) != fmt.Sprintf("%.3f", tt.r) {
			t.Errorf("recall(%q, %q) = %.3f, want %.3f", tt.truth, tt.pred, got, tt.r)
		}
	}
}

// TestEval scores the extractor on the benchmark's dev split and fails if
// F1 drops below the floor this extractor has reached.
func TestEval(t *testing.T) {
	pages := loadEval(t)
	type row struct {
		id   string
		p, r float64
		n    int
	}
	var rows []row
	var pSum, rSum float64
	var pN, rN int
	for _, pg := range pages {
		u, _ := url.Parse(pg.url)
		res, err := Article(u, pg.html)
		text := ""
		if err != nil && !errors.Is(err, ErrNoContent) {
			t.Errorf("%s: %v", pg.id, err)
		}
		if res != nil {
			text = strings.ReplaceAll(res.Text, "\u00ad", "")
		}
		if *evalDump != "" {
			os.MkdirAll(*evalDump, 0o755)
			os.WriteFile(filepath.Join(*evalDump, pg.id[:8]+".txt"), []byte(pg.url+"\n\n"+text), 0o644)
			os.WriteFile(filepath.Join(*evalDump, pg.id[:8]+".truth.txt"), []byte(pg.truth), 0o644)
		}
		m := matchTexts(pg.truth, text)
		rw := row{id: pg.id[:8], r: m.recall(), n: len(tokenize(text))}
		if m.tp+m.fp > 0 {
			pSum += m.precision()
			pN++
			rw.p = m.precision()
		}
		if m.tp+m.fn > 0 {
			rSum += m.recall()
			rN++
		}
		rows = append(rows, rw)
	}
	p, r := pSum/float64(max(pN, 1)), rSum/float64(max(rN, 1))
	f1 := 0.0
	if p+r > 0 {
		f1 = 2 * p * r / (p + r)
	}
	slices.SortFunc(rows, func(a, b row) int {
		fa, fb := a.p+a.r, b.p+b.r
		switch {
		case fa < fb:
			return -1
		case fa > fb:
			return 1
		}
		return strings.Compare(a.id, b.id)
	})
	show := rows
	if !*evalPages && len(show) > 15 {
		show = show[:15]
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%-8s %9s %7s %7s\n", "page", "precision", "recall", "tokens")
	for _, rw := range show {
		fmt.Fprintf(&b, "%-8s %9.3f %7.3f %7d\n", rw.id, rw.p, rw.r, rw.n)
	}
	t.Logf("worst pages:\n%s", b.String())
	t.Logf("pages=%d F1=%.4f precision=%.4f recall=%.4f", len(pages), f1, p, r)
	const floor = 0.90
	if f1 < floor {
		t.Errorf("F1 %.4f below %.2f", f1, floor)
	}
}

func BenchmarkArticle(b *testing.B) {
	pages := loadEval(b)
	urls := make([]*url.URL, len(pages))
	size := 0
	for i, pg := range pages {
		urls[i], _ = url.Parse(pg.url)
		size += len(pg.html)
	}
	b.SetBytes(int64(size / len(pages)))
	b.ReportAllocs()
	i := 0
	b.ResetTimer()
	for b.Loop() {
		pg := pages[i%len(pages)]
		if _, err := Article(urls[i%len(pages)], pg.html); err != nil && !errors.Is(err, ErrNoContent) {
			b.Fatal(err)
		}
		i++
	}
}

// TestEvalMedian reports the median time per page (the figure extractbench
// prints), measured in process over a few rounds.
func TestEvalMedian(t *testing.T) {
	if !*evalTime {
		t.Skip("timing report: run with -evaltime")
	}
	pages := loadEval(t)
	best := make([]time.Duration, len(pages))
	for round := 0; round < 3; round++ {
		for i, pg := range pages {
			u, _ := url.Parse(pg.url)
			start := time.Now()
			Article(u, pg.html)
			d := time.Since(start)
			if round == 0 || d < best[i] {
				best[i] = d
			}
		}
	}
	slices.Sort(best)
	t.Logf("median %.2f ms/page, p90 %.2f ms/page", float64(best[len(best)/2])/1e6, float64(best[len(best)*9/10])/1e6)
}
