package extract

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
	"time"
	"unicode/utf8"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// golden is the part of a Result the golden files hold.
type golden struct {
	Title        string    `json:"title"`
	Byline       string    `json:"byline"`
	SiteName     string    `json:"site_name"`
	Lang         string    `json:"lang"`
	Description  string    `json:"description"`
	CanonicalURL string    `json:"canonical_url"`
	ImageURL     string    `json:"image_url"`
	Published    time.Time `json:"published"`
	Modified     time.Time `json:"modified"`
	Text         string    `json:"text"`
	HTML         string    `json:"html"`
	Err          string    `json:"error,omitempty"`
}

func TestArticleGolden(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.html"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no test pages in testdata")
	}
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".html")
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			page, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			base, _ := url.Parse("https://" + name + ".example/news/" + name)
			res, err := Article(base, page)
			var got golden
			if err != nil {
				got.Err = err.Error()
			}
			if res != nil {
				got = golden{res.Title, res.Byline, res.SiteName, res.Lang, res.Description, res.CanonicalURL,
					res.ImageURL, res.Published, res.Modified, res.Text, res.HTML, got.Err}
			}
			var buf bytes.Buffer
			enc := json.NewEncoder(&buf)
			enc.SetEscapeHTML(false)
			enc.SetIndent("", "  ")
			if err := enc.Encode(got); err != nil {
				t.Fatal(err)
			}
			out := buf.Bytes()
			path := filepath.Join("testdata", name+".golden.json")
			if *update {
				if err := os.WriteFile(path, out, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if string(want) != string(out) {
				t.Errorf("%s differs from the golden file:\n got: %s\nwant: %s", name, out, want)
			}
		})
	}
}

// TestArticleContent checks, independently of the golden files, what each
// test page must and must not yield.
func TestArticleContent(t *testing.T) {
	tests := []struct {
		file      string
		want      []string // substrings of Text
		notWant   []string // not in Text
		wantHTML  []string // substrings of HTML
		title     string
		byline    string
		published string
		noContent bool
	}{
		{
			file:      "news.html",
			want:      []string{"Officials from both countries", "What changes for travellers", "Opening hours: 6 a.m.", "This is a good day", "Traders welcomed"},
			notWant:   []string{"cookies", "Share on", "Talks stall", "Storm hits", "All rights reserved", "Read more", "dataLayer", "Trucks waiting"},
			wantHTML:  []string{"<h2>What changes for travellers</h2>", "<li>", "<blockquote>", `<img src="https://news.example/img/trucks.jpg"`},
			title:     "Border crossing reopens after talks",
			byline:    "Sara Haddad",
			published: "2024-03-04T08:15:00Z",
		},
		{
			file:      "jsonld.html",
			want:      []string{"Construction is due to start", "guaranteed minimum flow"},
			notWant:   []string{"Subscribe"},
			title:     "Dam project approved",
			byline:    "Omid Rahimi, Lena Vogt",
			published: "2023-11-20T10:00:00+03:30",
		},
		{
			file:    "persian.html",
			want:    []string{"مقامات دو کشور", "تردد مسافران"},
			notWant: []string{"صفحه اصلی", "تمامی حقوق", "تجارت"},
			title:   "بازگشایی مرز پس از مذاکرات",
			byline:  "مریم احمدی",
		},
		{
			file:     "lazy.html",
			want:     []string{"café owners", "belongs again to the fishermen"},
			notWant:  []string{"data:image"},
			wantHTML: []string{`src="https://lazy.example/photos/quay.jpg"`, `src="https://lazy.example/photos/boats-small.jpg"`},
			title:    "Photo essay: the old harbour",
		},
		{file: "empty.html", noContent: true},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			page, err := os.ReadFile(filepath.Join("testdata", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			base, _ := url.Parse("https://" + strings.TrimSuffix(tt.file, ".html") + ".example/news/1")
			res, err := Article(base, page)
			if tt.noContent {
				if !errors.Is(err, ErrNoContent) {
					t.Fatalf("err = %v, want ErrNoContent", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range tt.want {
				if !strings.Contains(res.Text, w) {
					t.Errorf("Text lacks %q:\n%s", w, res.Text)
				}
			}
			for _, w := range tt.notWant {
				if strings.Contains(res.Text, w) {
					t.Errorf("Text has %q:\n%s", w, res.Text)
				}
			}
			for _, w := range tt.wantHTML {
				if !strings.Contains(res.HTML, w) {
					t.Errorf("HTML lacks %q:\n%s", w, res.HTML)
				}
			}
			if res.Title != tt.title {
				t.Errorf("Title = %q, want %q", res.Title, tt.title)
			}
			if res.Byline != tt.byline {
				t.Errorf("Byline = %q, want %q", res.Byline, tt.byline)
			}
			if tt.published != "" {
				want, _ := time.Parse(time.RFC3339, tt.published)
				if !res.Published.Equal(want) {
					t.Errorf("Published = %v, want %v", res.Published, want)
				}
			}
			if strings.Contains(res.Text, "\n\n\n") {
				t.Errorf("Text has more than one blank line between paragraphs")
			}
		})
	}
}

func TestCleanTitle(t *testing.T) {
	tests := []struct{ title, site, h1, want string }{
		{"Storm hits coast | The Ledger", "The Ledger", "", "Storm hits coast"},
		{"The Ledger - Storm hits coast", "The Ledger", "", "Storm hits coast"},
		{"Storm hits coast - Ledger", "", "", "Storm hits coast"},
		{"Storm hits coast", "The Ledger", "", "Storm hits coast"},
		{"Q&amp;A: a long talk - with a dash inside | News", "News", "", "Q&A: a long talk - with a dash inside"},
	}
	for _, tt := range tests {
		if got := cleanTitle(tt.title, tt.site, tt.h1); got != tt.want {
			t.Errorf("cleanTitle(%q, %q) = %q, want %q", tt.title, tt.site, got, tt.want)
		}
	}
}

func FuzzArticle(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.html"))
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte("<p>plain <b>bold</b><script>alert(1)</script></p>"))
	f.Add([]byte("<html><body><div><p>\xff\xfe broken <scr<script>ipt>x</script></p></div>"))
	f.Add([]byte(`<script type="application/ld+json">{"@graph":[{"@type":"NewsArticle","articleBody":"<script>x</script> text text text"}]}</script>`))
	base, _ := url.Parse("https://fuzz.example/a/b")
	f.Fuzz(func(t *testing.T, page []byte) {
		res, err := Article(base, page)
		if res == nil {
			// Only a page the HTML parser rejects (nested too deep)
			// gives no result at all.
			if err == nil || errors.Is(err, ErrNoContent) {
				t.Fatalf("nil result with error %v", err)
			}
			return
		}
		if !utf8.ValidString(res.Text) {
			t.Errorf("Text is not valid UTF-8: %q", res.Text)
		}
		if strings.Contains(strings.ToLower(res.Text), "<script") {
			t.Errorf("Text contains <script: %q", res.Text)
		}
	})
}
