package sanitize

import (
	"flag"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/net/html"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

var testBase = mustURL("https://news.example/world/2024/story.html")

func mustURL(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		panic(err)
	}
	return u
}

func TestHTMLGolden(t *testing.T) {
	inputs, err := filepath.Glob(filepath.Join("testdata", "*.html"))
	if err != nil || len(inputs) == 0 {
		t.Fatalf("no inputs: %v", err)
	}
	for _, in := range inputs {
		name := strings.TrimSuffix(filepath.Base(in), ".html")
		t.Run(name, func(t *testing.T) {
			src, err := os.ReadFile(in)
			if err != nil {
				t.Fatal(err)
			}
			got := HTML(testBase, string(src))
			if err := checkSafe(got); err != "" {
				t.Errorf("unsafe output: %s\n%s", err, got)
			}
			if again := HTML(testBase, got); again != got {
				t.Errorf("not idempotent:\nfirst:  %s\nsecond: %s", got, again)
			}
			golden := strings.TrimSuffix(in, ".html") + ".golden"
			pretty := got + "\n"
			if *update {
				if err := os.WriteFile(golden, []byte(pretty), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update)", err)
			}
			if pretty != string(want) {
				t.Errorf("output differs from %s (go test -update to accept):\n%s", golden, lineDiff(string(want), pretty))
			}
		})
	}
}

func lineDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var b strings.Builder
	for i := 0; i < max(len(w), len(g)); i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			fmt.Fprintf(&b, "line %d\n  want: %s\n  got:  %s\n", i+1, wl, gl)
		}
	}
	return b.String()
}

func TestHTMLCases(t *testing.T) {
	tests := []struct {
		name, in, want string
		base           *url.URL
	}{
		{"plain text becomes a paragraph", "Hello <b>world</b>", "<p>Hello <b>world</b></p>", testBase},
		{"h1 becomes h2", "<h1>Title</h1>", "<h2>Title</h2>", testBase},
		{"relative link resolved, rel added, target dropped", `<p><a href="../x?a=1&amp;b=2" target="_blank">x</a></p>`,
			`<p><a href="https://news.example/world/x?a=1&amp;b=2" rel="nofollow noopener noreferrer">x</a></p>`, testBase},
		{"link without usable href unwrapped", `<p><a href="javascript:void(0)">text</a></p>`, "<p>text</p>", testBase},
		{"empty link and paragraph removed", `<p><a href="/x"> </a></p><p>&nbsp;</p><p>kept</p>`, "<p>kept</p>", testBase},
		{"relative URL kept without base", `<p><a href="/x">x</a></p>`, `<p><a href="/x" rel="nofollow noopener noreferrer">x</a></p>`, nil},
		{"scheme in escaped form refused without base", `<p><a href="javascript%3Aalert(1)">x</a></p>`, `<p>x</p>`, nil},
		{"div text kept in paragraphs", `<div>one<div>two</div>three</div>`, "<p>one</p><p>two</p><p>three</p>", testBase},
		{"spans and fonts unwrapped", `<p><span style="x"><font color=red>red</font></span></p>`, "<p>red</p>", testBase},
		{"dir and lang kept, class dropped", `<p dir="RTL" lang="fa" class="c">سلام</p>`, `<p dir="rtl" lang="fa">سلام</p>`, testBase},
		{"bad lang dropped", `<p lang="fa&quot;onload">x</p>`, `<p>x</p>`, testBase},
		{"pre keeps its leading newline", "<pre>\n\nx</pre>", "<pre>\n\nx</pre>", testBase},
		{"escaped text stays text", "<p>&lt;script&gt;</p>", "<p>&lt;script&gt;</p>", testBase},
		{"lazy image from data-src", `<img src="data:image/gif;base64,R0lG" data-src="a.jpg">`,
			`<p><img src="https://news.example/world/2024/a.jpg" loading="lazy"></p>`, testBase},
		{"tracking pixel removed", `<p>x<img src="https://news.example/p.gif" width="1" height="1"></p>`, "<p>x</p>", testBase},
		{"comments removed", `<p>a<!-- secret -->b</p>`, "<p>ab</p>", testBase},
		{"table cells keep spans", `<table><tr><td colspan="2" rowspan="x" onclick="y">c</td></tr></table>`,
			`<table><tbody><tr><td colspan="2">c</td></tr></tbody></table>`, testBase},
		{"strike and del become s", `<p><strike>a</strike><del>b</del></p>`, "<p><s>a</s><s>b</s></p>", testBase},
		{"nothing left", `<script>x</script><style>y</style>`, "", testBase},
		{"empty input", "", "", testBase},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := HTML(tt.base, tt.in)
			if got != tt.want {
				t.Errorf("HTML(%q)\n got: %s\nwant: %s", tt.in, got, tt.want)
			}
			if err := checkSafe(got); err != "" {
				t.Error(err)
			}
		})
	}
}

// checkSafe parses out as a browser would and reports the first thing in
// it that could run script or load content we do not allow.
func checkSafe(out string) string {
	doc, err := html.Parse(strings.NewReader(out))
	if err != nil {
		return "output does not parse: " + err.Error()
	}
	var problem string
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if problem != "" {
			return
		}
		if n.Type == html.ElementNode {
			switch n.Data {
			case "script", "style", "object", "embed", "form", "input", "button", "textarea", "svg", "math",
				"base", "meta", "link", "noscript", "template", "frame", "frameset", "applet", "select":
				problem = "element <" + n.Data + ">"
				return
			case "iframe":
				src := attr(n, "src")
				if !strings.HasPrefix(src, "https://www.youtube-nocookie.com/embed/") && !strings.HasPrefix(src, "https://player.vimeo.com/video/") {
					problem = "iframe with src " + src
					return
				}
				if attr(n, "sandbox") == "" {
					problem = "iframe without sandbox"
					return
				}
			}
			if n.Namespace != "" {
				problem = "foreign element " + n.Namespace + ":" + n.Data
				return
			}
			for _, a := range n.Attr {
				k := strings.ToLower(a.Key)
				switch {
				case strings.HasPrefix(k, "on"):
					problem = "event handler attribute " + a.Key
				case k == "style" || k == "class" || k == "id" || k == "srcdoc" || k == "formaction" || k == "action" || k == "target":
					problem = "attribute " + a.Key
				case k == "href" || k == "src" || k == "cite" || k == "xlink:href" || k == "poster" || k == "background":
					if dangerousURL(a.Val) {
						problem = a.Key + "=" + a.Val
					}
				case k == "srcset":
					for _, c := range strings.Split(a.Val, ",") {
						if f := strings.Fields(c); len(f) > 0 && dangerousURL(f[0]) {
							problem = "srcset candidate " + f[0]
						}
					}
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	return problem
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

// dangerousURL reads a URL as a browser does (tabs and newlines removed,
// control characters and spaces trimmed, also percent-decoded) and reports
// a script-capable or inline-data scheme.
func dangerousURL(v string) bool {
	v = strings.Map(func(r rune) rune {
		if r == '\t' || r == '\n' || r == '\r' {
			return -1
		}
		return r
	}, v)
	v = strings.ToLower(strings.TrimFunc(v, func(r rune) bool { return r <= ' ' }))
	if dec, err := url.PathUnescape(v); err == nil && dec != v && !strings.HasPrefix(v, "http") && !strings.HasPrefix(v, "mailto:") {
		if dangerousURL(dec) {
			return true
		}
	}
	for _, s := range []string{"javascript:", "vbscript:", "data:", "file:", "livescript:"} {
		if strings.HasPrefix(v, s) {
			return true
		}
	}
	if i := strings.IndexByte(v, ':'); i > 0 && !strings.ContainsAny(v[:i], "/?#") {
		switch v[:i] {
		case "http", "https", "mailto":
		default:
			return true
		}
	}
	return false
}

func TestText(t *testing.T) {
	tests := []struct{ in, want string }{
		{"<p>One &amp; two</p><p>Three</p>", "One & two\n\nThree"},
		{"<p>line<br>break</p>", "line\nbreak"},
		{"  lots   of \n\t space  ", "lots of space"},
		{"<div>a<div>b</div></div>", "a\n\nb"},
		{"<ul><li>one</li><li>two</li></ul><p>after</p>", "one\ntwo\n\nafter"},
		{"<p>x<script>alert(1)</script><style>p{}</style>y</p>", "xy"},
		{"<p>in<b>line</b> <i>words</i></p>", "inline words"},
		{"<table><tr><td>a</td><td>b</td></tr><tr><td>c</td></tr></table>", "a b\nc"},
		{"<p>قال&nbsp;المتحدث</p>", "قال المتحدث"},
		{"<pre>a\n  b</pre>", "a\nb"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := Text(tt.in); got != tt.want {
			t.Errorf("Text(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestExcerpt(t *testing.T) {
	tests := []struct {
		in   string
		max  int
		want string
	}{
		{"short text", 50, "short text"},
		{"An Iranian opposition group says it was attacked", 20, "An Iranian..."},
		{"An Iranian opposition group", 11, "An Iranian..."},
		{"An Iranian, opposition", 12, "An Iranian..."},
		{"Supercalifragilistic", 5, "Super..."},
		{"one\n\ntwo three", 9, "one two..."},
		{"گروه مخالف ایرانی می‌گوید مورد حمله قرار گرفته است", 20, "گروه مخالف ایرانی..."},
		{"قال المتحدث إن المحادثات ستستأنف", 16, "قال المتحدث إن..."},
		{"anything", 0, ""},
	}
	for _, tt := range tests {
		got := Excerpt(tt.in, tt.max)
		if got != tt.want {
			t.Errorf("Excerpt(%q, %d) = %q, want %q", tt.in, tt.max, got, tt.want)
		}
		if n := utf8.RuneCountInString(got); tt.max > 0 && n > tt.max+3 {
			t.Errorf("Excerpt(%q, %d) has %d runes", tt.in, tt.max, n)
		}
	}
}
