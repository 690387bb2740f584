package sanitize

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/net/html"
)

// FuzzHTML checks the policy's invariants on any input: the output, parsed
// as a browser would, holds nothing that can run script or load an
// unwanted document, and sanitizing it again changes nothing.
func FuzzHTML(f *testing.F) {
	seeds, _ := filepath.Glob(filepath.Join("testdata", "*.html"))
	for _, s := range seeds {
		b, err := os.ReadFile(s)
		if err == nil {
			f.Add(string(b))
		}
	}
	for _, s := range []string{
		`<a href="jav&#x09;ascript:alert(1)">x</a>`,
		`<svg><p><style><img src=x onerror=alert(1)>`,
		`<noscript><p title="</noscript><img src=x onerror=alert(1)>">`,
		`<table><caption><div>x</div></caption><tr><td><p>y</td></table>`,
		`<a href=/><h2>t</h2></a>text<br><br>`,
		`<pre>` + "\n\nx" + `</pre>`,
		`<div>a<p>b</div>c`,
		`<img srcset=",,, a.jpg 1x,javascript:alert(1) 2x">`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out := HTML(testBase, in)
		if !utf8.ValidString(out) {
			t.Fatalf("invalid UTF-8 output for %q", in)
		}
		if p := checkSafe(out); p != "" {
			t.Fatalf("unsafe output (%s) for %q:\n%s", p, in, out)
		}
		again := HTML(testBase, out)
		if again != out {
			if tokens(again) > tokens(out) {
				t.Fatalf("second pass adds tokens for %q:\nfirst:  %q\nsecond: %q", in, out, again)
			}
			t.Fatalf("not idempotent for %q:\nfirst:  %q\nsecond: %q", in, out, again)
		}
		// Text never fails and never yields markup characters it was not given.
		if txt := Text(in); !utf8.ValidString(txt) {
			t.Fatalf("Text gave invalid UTF-8 for %q", in)
		}
	})
}

func tokens(s string) int {
	z := html.NewTokenizer(strings.NewReader(s))
	n := 0
	for z.Next() != html.ErrorToken {
		n++
	}
	return n
}

// FuzzExcerpt: never longer than max runes plus the three dots, always
// valid UTF-8, and a prefix of the collapsed text when it was cut.
func FuzzExcerpt(f *testing.F) {
	f.Add("An Iranian opposition group says it was attacked", 20)
	f.Add("گروه مخالف ایرانی می‌گوید مورد حمله قرار گرفته است", 12)
	f.Add("\xff\xfe broken bytes", 3)
	f.Fuzz(func(t *testing.T, text string, max int) {
		if max > 1<<20 || max < -1<<20 {
			return
		}
		got := Excerpt(text, max)
		if !utf8.ValidString(got) {
			t.Fatalf("invalid UTF-8: %q", got)
		}
		if n := utf8.RuneCountInString(got); max >= 0 && n > max+3 || max <= 0 && got != "" {
			t.Fatalf("Excerpt(%q, %d) = %q: %d runes", text, max, got, n)
		}
		full := strings.Join(strings.Fields(strings.ToValidUTF8(text, "\uFFFD")), " ")
		if cut, ok := strings.CutSuffix(got, "..."); ok && got != full {
			if !strings.HasPrefix(full, cut) {
				t.Fatalf("Excerpt(%q, %d) = %q is not a prefix", text, max, got)
			}
		} else if max > 0 && got != full {
			t.Fatalf("Excerpt(%q, %d) = %q, want the whole text", text, max, got)
		}
	})
}

// FuzzHTMLText: HTMLText gives what HTML and then Text give, and the text
// of a fragment never has more runes than the fragment has bytes.
func FuzzHTMLText(f *testing.F) {
	seeds, _ := filepath.Glob(filepath.Join("testdata", "*.html"))
	for _, s := range seeds {
		b, err := os.ReadFile(s)
		if err == nil {
			f.Add(string(b))
		}
	}
	for _, s := range []string{
		`<table><caption><div>x</div></caption><tr><td><p>y</td></table>`,
		`<a href=/><h2>t</h2></a>text<br><br>`,
		"<pre>\n\nx\ny</pre> a\u00a0b\u200bc\x00d \xff e&amp;f&NotEqualTilde;",
		`<div>a<p>b</div>c<li>d<li>e`,
		`a</p>b<ul><li>c</ul><script>x</script><noscript>y</noscript>`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		body, text := HTMLText(testBase, in)
		if want := HTML(testBase, in); body != want {
			t.Fatalf("HTMLText body differs from HTML for %q:\n%q\n%q", in, body, want)
		}
		if want := Text(HTML(testBase, in)); text != want {
			t.Fatalf("HTMLText text differs from Text(HTML) for %q:\n%q\n%q", in, text, want)
		}
		if n := utf8.RuneCountInString(Text(in)); n > len(in) {
			t.Fatalf("Text of %d bytes has %d runes: %q", len(in), n, in)
		}
	})
}

// TestHTMLTextPieces runs the FuzzHTMLText checks over pieces of the test
// pages cut at random places (broken tags, unclosed elements, halves of
// entities), deterministically.
func TestHTMLTextPieces(t *testing.T) {
	var pages []string
	seeds, _ := filepath.Glob(filepath.Join("testdata", "*.html"))
	for _, s := range seeds {
		if b, err := os.ReadFile(s); err == nil {
			pages = append(pages, string(b))
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 400 {
		var b strings.Builder
		for range 1 + rng.IntN(3) {
			p := pages[rng.IntN(len(pages))]
			i := rng.IntN(len(p))
			j := i + rng.IntN(min(len(p)-i, 2000)+1)
			b.WriteString(p[i:j])
		}
		in := b.String()
		body, text := HTMLText(testBase, in)
		if want := HTML(testBase, in); body != want {
			t.Fatalf("HTMLText body differs from HTML for %q:\n%q\n%q", in, body, want)
		}
		if want := Text(HTML(testBase, in)); text != want {
			t.Fatalf("HTMLText text differs from Text(HTML) for %q:\n%q\n%q", in, text, want)
		}
		if n := utf8.RuneCountInString(Text(in)); n > len(in) {
			t.Fatalf("Text of %d bytes has %d runes: %q", len(in), n, in)
		}
	}
}
