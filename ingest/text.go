package ingest

import (
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"
)

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v = strings.TrimSpace(v); v != "" {
			return v
		}
	}
	return ""
}

func collapseSpace(s string) string {
	return strings.Join(strings.FieldsFunc(s, unicode.IsSpace), " ")
}

// firstParagraph is the first paragraph of plain text with enough words to
// stand as a lede.
func firstParagraph(text string) string {
	for _, para := range strings.Split(text, "\n\n") {
		para = collapseSpace(para)
		if utf8.RuneCountInString(para) >= 60 || strings.Count(para, " ") >= 8 {
			return para
		}
	}
	return collapseSpace(truncateRunes(text, 300))
}

// looksLikeTruncation reports a summary cut by its feed ("…" or "[...]"),
// which reads worse than the article's own first paragraph.
func looksLikeTruncation(s string) bool {
	s = strings.TrimSpace(s)
	return strings.HasSuffix(s, "[…]") || strings.HasSuffix(s, "[...]") || strings.HasSuffix(s, "Continue reading")
}

func truncateRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n])
}

// cleanByline turns "By Michael Ware" or "michael@example.com (Michael
// Ware)" into "Michael Ware".
func cleanByline(s string) string {
	s = collapseSpace(s)
	if i := strings.Index(s, "("); i > 0 && strings.Contains(s[:i], "@") && strings.HasSuffix(s, ")") {
		s = strings.TrimSpace(s[i+1 : len(s)-1])
	}
	for _, p := range []string{"By ", "by ", "BY ", "From ", "from "} {
		s = strings.TrimPrefix(s, p)
	}
	return s
}

func hostOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	return u.Host
}
