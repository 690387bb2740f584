package site

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
)

var update = flag.Bool("update", false, "rewrite testdata golden files")

// TestArticleHeadGolden keeps the machine-readable head of the seed article
// (canonical, alternates, OpenGraph, Twitter and JSON-LD) as a document, so
// that any change to what search engines and social sites read is seen in
// review. Run with -update to accept a change.
func TestArticleHeadGolden(t *testing.T) {
	f := newFixture(t, 0)
	d := doc(t, f.get(f.seed.Path(), "Sec-GPC", "1"))
	var b bytes.Buffer
	d.Find("head link[rel=canonical], head link[rel=alternate], head meta[property], head meta[name]").Each(func(_ int, s *goquery.Selection) {
		name := goquery.NodeName(s)
		for _, attr := range []string{"rel", "type", "property", "name"} {
			if v, ok := s.Attr(attr); ok {
				name += " " + attr + "=" + v
			}
		}
		v, ok := s.Attr("href")
		if !ok {
			v, _ = s.Attr("content")
		}
		b.WriteString(name + "\n\t" + v + "\n")
	})
	d.Find("script[type='application/ld+json']").Each(func(_ int, s *goquery.Selection) {
		var v any
		if err := json.Unmarshal([]byte(s.Text()), &v); err != nil {
			t.Fatal(err)
		}
		out, _ := json.MarshalIndent(v, "", "  ")
		b.Write(out)
		b.WriteByte('\n')
	})
	// Database IDs depend on insertion order only, but keep the golden
	// readable if the fixture grows.
	got := strings.ReplaceAll(b.String(), "/article/"+strconv.FormatInt(f.seed.ID, 10)+"/", "/article/ID/")
	path := filepath.Join("testdata", "article-head.golden")
	if *update {
		must(t, os.MkdirAll("testdata", 0o755))
		must(t, os.WriteFile(path, []byte(got), 0o644))
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update)", err)
	}
	if got != string(want) {
		t.Errorf("article head differs from %s (run go test -update to accept):\n%s", path, got)
	}
}
