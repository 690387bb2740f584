package opml

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

func checkGolden(t *testing.T, file string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(file, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("%v (run go test -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("output differs from %s (run go test -update and review the diff):\n%s", file, got)
	}
}

func TestParseGolden(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.opml")
	if len(files) < 5 {
		t.Fatalf("only %d cases in testdata", len(files))
	}
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".opml")
		t.Run(name, func(t *testing.T) {
			body, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			out, err := Parse(bytes.NewReader(body))
			res := struct {
				Error    string `json:",omitempty"`
				Outlines []Outline
			}{Outlines: out}
			if err != nil {
				res.Error = err.Error()
			}
			got, _ := json.MarshalIndent(res, "", "  ")
			checkGolden(t, strings.TrimSuffix(file, ".opml")+".golden", append(got, '\n'))
		})
	}
}

func TestWriteGolden(t *testing.T) {
	outlines := []Outline{
		{Title: "Tehran Times", XMLURL: "https://tt.example.ir/atom", Category: "World / Middle East"},
		{Title: "Top-level wire", XMLURL: "https://wire.example.com/rss", HTMLURL: "https://wire.example.com/"},
		{Title: "Baghdad Post & Co", XMLURL: "https://bp.example.iq/feed.xml?a=1&b=2", HTMLURL: "https://bp.example.iq/", Category: "World / Middle East", Language: "ar"},
		{Title: "Arts \"quoted\"", XMLURL: "https://arts.example.com/feed", Category: "Culture"},
		{Title: "Europe Daily", XMLURL: "https://eu.example.com/feed", Category: "World"},
	}
	var b bytes.Buffer
	created := time.Date(2025, 6, 2, 10, 0, 0, 0, time.FixedZone("IRST", 12600))
	if err := WriteAt(&b, "Gulf Desk <sources>", outlines, created); err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "testdata/write.golden.xml", b.Bytes())

	// What is written reads back the same.
	back, err := Parse(bytes.NewReader(b.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if len(back) != len(outlines) {
		t.Fatalf("read back %d outlines, want %d", len(back), len(outlines))
	}
	byURL := map[string]Outline{}
	for _, o := range back {
		byURL[o.XMLURL] = o
	}
	for _, o := range outlines {
		if byURL[o.XMLURL] != o {
			t.Errorf("round trip: got %+v, want %+v", byURL[o.XMLURL], o)
		}
	}
}

func TestWriteUsesNow(t *testing.T) {
	var b bytes.Buffer
	before := time.Now().Add(-time.Second)
	if err := Write(&b, "t", nil); err != nil {
		t.Fatal(err)
	}
	s := b.String()
	i, j := strings.Index(s, "<dateCreated>"), strings.Index(s, "</dateCreated>")
	if i < 0 || j < i {
		t.Fatalf("no dateCreated in %s", s)
	}
	created, err := time.Parse(time.RFC1123Z, s[i+len("<dateCreated>"):j])
	if err != nil || created.Before(before.Truncate(time.Second)) {
		t.Errorf("dateCreated %v (%v), want about now", created, err)
	}
}

func TestParseErrors(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", "opml: document is empty or not XML"},
		{"<rss></rss>", "opml: document root <rss> is not opml"},
		{"<opml><body>" + strings.Repeat("<outline>", maxDepth+1), "opml: outlines nested deeper than 64"},
		{"<?xml version=\"1.0\" encoding=\"no-such\"?><opml/>", "opml: line 1: xml: opening charset \"no-such\": unknown encoding"},
	} {
		_, err := Parse(strings.NewReader(tc.in))
		if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("Parse(%.40q) error = %v, want %q", tc.in, err, tc.want)
		}
	}
}

// FuzzParse checks that Parse never panics and that what it returns can be
// written and read back to the same feeds.
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.opml")
	for _, file := range files {
		if b, err := os.ReadFile(file); err == nil {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		out, err := Parse(bytes.NewReader(body))
		if err != nil {
			return
		}
		seen := map[string]string{}
		for _, o := range out {
			if o.XMLURL == "" {
				t.Fatalf("outline without feed URL: %+v", o)
			}
			if _, dup := seen[o.XMLURL]; dup {
				t.Fatalf("feed %q returned twice", o.XMLURL)
			}
			seen[o.XMLURL] = o.Title
		}
		var b bytes.Buffer
		if err := WriteAt(&b, "fuzz", out, time.Unix(0, 0)); err != nil {
			t.Fatal(err)
		}
		back, err := Parse(&b)
		if err != nil {
			t.Fatalf("reading back what was written: %v\n%s", err, b.String())
		}
		if len(back) != len(out) {
			t.Fatalf("read back %d feeds, want %d", len(back), len(out))
		}
		for _, o := range back {
			if title, ok := seen[o.XMLURL]; !ok || title != o.Title {
				t.Fatalf("round trip changed %q: title %q, want %q", o.XMLURL, o.Title, title)
			}
		}
	})
}
