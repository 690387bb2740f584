package api

import (
	"strings"
	"testing"

	"newsdesk"
)

// FuzzSnippetHTML: the snippet comes out escaped, with <mark> elements
// only, balanced, and no marker left.
func FuzzSnippetHTML(f *testing.F) {
	m, e := newsdesk.SnippetMarkStart, newsdesk.SnippetMarkEnd
	for _, s := range []string{"a " + m + "camp" + e + " b", m + m + "<script>" + e + e, e + "x" + m, "Tom & Jerry's \"show\""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := snippetHTML(s)
		if strings.Contains(out, m) || strings.Contains(out, e) {
			t.Fatalf("markers left in %q", out)
		}
		rest := strings.ReplaceAll(strings.ReplaceAll(out, "<mark>", ""), "</mark>", "")
		if strings.ContainsAny(rest, "<>\"'") {
			t.Fatalf("unescaped markup in %q", out)
		}
		depth := 0
		for i := 0; i < len(out); i++ {
			switch {
			case strings.HasPrefix(out[i:], "<mark>"):
				depth++
			case strings.HasPrefix(out[i:], "</mark>"):
				depth--
			}
			if depth < 0 || depth > 1 {
				t.Fatalf("unbalanced marks in %q", out)
			}
		}
		if depth != 0 {
			t.Fatalf("unclosed mark in %q", out)
		}
	})
}
