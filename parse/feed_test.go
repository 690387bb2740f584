package parse

import (
	"errors"
	"fmt"
	"net/url"
	"reflect"
	"strings"
	"testing"
)

func TestDetectFormat(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{`<?xml version="1.0"?><rss version="2.0">`, "rss"},
		{"\ufeff  <!-- c --><feed xmlns=\"http://www.w3.org/2005/Atom\">", "atom"},
		{`<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">`, "rdf"},
		{`{"version": "https://jsonfeed.org/version/1.1", "items": []}`, "json"},
		{`<!DOCTYPE html><html>`, ""},
		{`{"a": 1}`, ""},
		{"", ""},
		{"plain text", ""},
	} {
		if got := DetectFormat([]byte(tc.in)); got != tc.want {
			t.Errorf("DetectFormat(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestDiscoverFeeds(t *testing.T) {
	base, _ := url.Parse("https://site.example/section/page.html")
	page := `<HTML><head>
<!-- <link rel="alternate" type="application/rss+xml" href="/commented.xml"> -->
<LINK REL="Alternate feed" TYPE="application/RSS+xml" HREF="/rss.xml">
<link rel=alternate type=application/atom+xml href=atom.xml>
<link rel="alternate" type="application/feed+json" href="https://site.example/feed.json"/>
<link rel="alternate" type="application/rss+xml" href="/rss.xml">
<link rel="alternate" type="text/html" hreflang="fr" href="/fr/">
<link rel="alternate" type="application/rss+xml" href="javascript:alert(1)">
</head></HTML>`
	got := DiscoverFeeds(base, []byte(page))
	want := []string{"https://site.example/rss.xml", "https://site.example/section/atom.xml", "https://site.example/feed.json"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("DiscoverFeeds = %q, want %q", got, want)
	}
}

func TestErrors(t *testing.T) {
	for _, tc := range []struct {
		name, body, ct, want string
		notFeed              bool
	}{
		{"empty", "", "", "parse feed: document is empty", true},
		{"blank", " \n\t", "", "parse feed: document is empty", true},
		{"text", "just some words", "text/plain", "parse feed: document is neither XML nor JSON", true},
		{"html by type", "<p>hello", "text/html", "parse feed: document is an HTML page, not a feed", true},
		{"eof in root", "<?xml version=\"1.0\"?>\n<rss version=\"2.0\">\n<channel><ti", "", "parse feed: XML syntax error on line 3: unexpected EOF", false},
		{"only decl", "<?xml version=\"1.0\"?>\n", "", "parse feed: XML syntax error on line 2: unexpected EOF", false},
		{"broken json", `{"version": "https://jsonfeed.org/version/1", "items": [`, "", "", false},
		{"deep", "<rss><channel><item>" + strings.Repeat("<x>", maxDepth+10), "", "parse feed: XML syntax error on line 1: elements nested deeper than 256", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, err := Feed(nil, []byte(tc.body), tc.ct)
			if tc.want == "" {
				if err != nil {
					t.Fatalf("err = %v, want a recovered feed", err)
				}
				if !f.Bozo {
					t.Errorf("broken document not marked bozo")
				}
				return
			}
			if err == nil {
				t.Fatalf("no error, feed %+v", f)
			}
			if err.Error() != tc.want {
				t.Errorf("err = %q, want %q", err, tc.want)
			}
			if errors.Is(err, ErrNotAFeed) != tc.notFeed {
				t.Errorf("errors.Is(err, ErrNotAFeed) = %v, want %v", !tc.notFeed, tc.notFeed)
			}
		})
	}
}

func TestItemCap(t *testing.T) {
	var b strings.Builder
	b.WriteString("<rss><channel><title>Many</title>")
	for i := 0; i < maxItems+5; i++ {
		fmt.Fprintf(&b, "<item><title>%d</title></item>", i)
	}
	b.WriteString("</channel></rss>")
	f, err := Feed(nil, []byte(b.String()), "")
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Items) != maxItems || !f.Bozo || !strings.Contains(f.BozoReason, "too many items") {
		t.Errorf("%d items, bozo %q; want %d and a reason", len(f.Items), f.BozoReason, maxItems)
	}
}

func TestRelativeLinksWithoutBase(t *testing.T) {
	f, err := Feed(nil, []byte(`<rss><channel><link>/home</link><item><title>x</title><link>/a</link><guid>g1</guid></item></channel></rss>`), "")
	if err != nil {
		t.Fatal(err)
	}
	if f.Link != "" || f.Items[0].Link != "" || f.Items[0].GUID != "g1" {
		t.Errorf("relative links kept without a base: %q %q", f.Link, f.Items[0].Link)
	}
}

func TestPlainText(t *testing.T) {
	for in, want := range map[string]string{
		"  a \n\t b  ":                "a b",
		"<b>Bold</b> &amp; <i>it</i>": "Bold & it",
		"5 < 6 &amp; 7 > 3":           "5 < 6 & 7 > 3",
		"&lt;em&gt;twice&lt;/em&gt;":  "twice",
		"a\u00a0b":                    "a b",
		"clean":                       "clean",
	} {
		if got := plainText(in); got != want {
			t.Errorf("plainText(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCleanAuthor(t *testing.T) {
	for in, want := range map[string]string{
		"desk@example.com (Sara Haddad)": "Sara Haddad",
		"Sara Haddad <desk@example.com>": "Sara Haddad",
		"Sara Haddad":                    "Sara Haddad",
		"Reuters (Baghdad)":              "Reuters (Baghdad)",
		"desk@example.com":               "desk@example.com",
	} {
		if got := cleanAuthor(in); got != want {
			t.Errorf("cleanAuthor(%q) = %q, want %q", in, got, want)
		}
	}
}
