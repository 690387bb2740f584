package parse

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// contentTypes gives the HTTP Content-Type a case is served with; the rest
// are served as application/xml.
var contentTypes = map[string]string{
	"latin1-content-type": "text/xml; charset=iso-8859-1",
	"charset-mismatch":    "application/rss+xml; charset=ISO-8859-1",
	"html-page":           "text/html; charset=utf-8",
	"html-no-links":       "text/html",
	"jsonfeed11":          "application/feed+json",
}

type golden struct {
	Format     string `json:",omitempty"`
	Error      string `json:",omitempty"`
	NotAFeed   bool   `json:",omitempty"`
	Alternates []string
	Feed       any `json:",omitempty"`
}

func TestFeedGolden(t *testing.T) {
	files, err := filepath.Glob("testdata/*.*")
	if err != nil {
		t.Fatal(err)
	}
	base, _ := url.Parse("https://example.com/feeds/main.xml")
	n := 0
	for _, file := range files {
		ext := filepath.Ext(file)
		if ext != ".xml" && ext != ".json" && ext != ".html" {
			continue
		}
		n++
		name := strings.TrimSuffix(filepath.Base(file), ext)
		t.Run(name, func(t *testing.T) {
			body, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			ct, ok := contentTypes[name]
			if !ok {
				ct = "application/xml"
			}
			f, err := Feed(base, body, ct)
			g := golden{Format: DetectFormat(body)}
			if err != nil {
				g.Error = err.Error()
				g.NotAFeed = errors.Is(err, ErrNotAFeed)
				var nf *NotFeedError
				if errors.As(err, &nf) {
					g.Alternates = nf.Alternates
				}
				if f != nil {
					t.Errorf("feed returned with error %v", err)
				}
			} else {
				g.Feed = f
				checkInvariants(t, f)
			}
			got, err := json.MarshalIndent(g, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, '\n')
			goldenFile := strings.TrimSuffix(file, ext) + ".golden"
			if *update {
				if err := os.WriteFile(goldenFile, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(goldenFile)
			if err != nil {
				t.Fatalf("%v (run go test -update)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("output differs from %s (run go test -update and review the diff):\n%s", goldenFile, got)
			}
		})
	}
	if n < 20 {
		t.Fatalf("only %d cases found in testdata", n)
	}
}
