package web

import (
	"encoding/json"
	"fmt"
	"html/template"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"newsdesk"
)

// Excerpt keeps the first n words of plain text and ends it with "..." when
// words were left out, the way the river and "Must read" show their teasers:
// "…their bad living condition and lack of money...". Whitespace runs are
// folded to one space.
func Excerpt(n int, text string) string {
	if n <= 0 {
		return ""
	}
	words, i, cut := 0, 0, -1
	for i < len(text) {
		// Skip spaces.
		for i < len(text) {
			r, size := utf8.DecodeRuneInString(text[i:])
			if !unicode.IsSpace(r) {
				break
			}
			i += size
		}
		if i >= len(text) {
			break
		}
		if words == n {
			cut = i
			break
		}
		for i < len(text) {
			r, size := utf8.DecodeRuneInString(text[i:])
			if unicode.IsSpace(r) {
				break
			}
			i += size
		}
		words++
	}
	if cut < 0 {
		return foldSpace(text)
	}
	return foldSpace(text[:cut]) + "..."
}

// foldSpace trims text and folds each run of whitespace to one space,
// returning text itself when it is already folded.
func foldSpace(text string) string {
	text = strings.TrimSpace(text)
	clean := true
	prevSpace := false
	for _, r := range text {
		sp := unicode.IsSpace(r)
		if sp && (r != ' ' || prevSpace) {
			clean = false
			break
		}
		prevSpace = sp
	}
	if clean {
		return text
	}
	return strings.Join(strings.Fields(text), " ")
}

// DateFormat is how the site writes an absolute time: "2 June 2025, 14:05 UTC".
const DateFormat = "2 January 2006, 15:04 MST"

// FormatDate writes t in UTC as "2 June 2025, 14:05 UTC".
func FormatDate(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(DateFormat)
}

// Relative writes how long before now t was: "just now", "5 minutes ago",
// "3 hours ago", "yesterday", "4 days ago"; older times are written as dates
// ("2 June 2025").
func Relative(now, t time.Time) string {
	if t.IsZero() {
		return ""
	}
	d := now.Sub(t)
	switch {
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		return plural(int(d/time.Minute), "minute") + " ago"
	case d < 24*time.Hour:
		return plural(int(d/time.Hour), "hour") + " ago"
	case d < 48*time.Hour:
		return "yesterday"
	case d < 30*24*time.Hour:
		return plural(int(d/(24*time.Hour)), "day") + " ago"
	}
	return t.UTC().Format("2 January 2006")
}

func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return strconv.Itoa(n) + " " + unit + "s"
}

// Highlight escapes a search snippet and only then turns the
// newsdesk.SnippetMarkStart/End markers into <mark> elements. Unbalanced
// markers are closed or dropped so that the output is always well formed.
func Highlight(snippet string) template.HTML {
	esc := template.HTMLEscapeString(snippet)
	var b strings.Builder
	b.Grow(len(esc) + 32)
	open := false
	for len(esc) > 0 {
		i := strings.IndexAny(esc, newsdesk.SnippetMarkStart+newsdesk.SnippetMarkEnd)
		if i < 0 {
			b.WriteString(esc)
			break
		}
		b.WriteString(esc[:i])
		r, size := utf8.DecodeRuneInString(esc[i:])
		esc = esc[i+size:]
		switch string(r) {
		case newsdesk.SnippetMarkStart:
			if !open {
				b.WriteString("<mark>")
				open = true
			}
		case newsdesk.SnippetMarkEnd:
			if open {
				b.WriteString("</mark>")
				open = false
			}
		}
	}
	if open {
		b.WriteString("</mark>")
	}
	// The text was escaped above and only <mark> and </mark> were added.
	return template.HTML(b.String())
}

// Body returns an article's body for the page. This is the only place where
// stored content becomes template.HTML: Article.Body holds only the output
// of sanitize.HTML, the allow-list policy applied before every store, so it
// is trusted as markup here and nowhere else.
func Body(a *newsdesk.Article) template.HTML {
	if a == nil {
		return ""
	}
	return template.HTML(a.Body)
}

// JSONLD marshals v for a <script type="application/ld+json"> element.
// encoding/json escapes <, > and & as \u003c, \u003e and \u0026 (and U+2028,
// U+2029), so no "</script>" or "<!--" sequence can appear in the output and
// end the element early; the result is therefore safe as template.JS.
func JSONLD(v any) (template.JS, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return "", fmt.Errorf("marshal json-ld: %w", err)
	}
	return template.JS(b), nil
}

// Lang returns a BCP 47 tag fit for a lang attribute, "" when unknown.
func Lang(tag string) string {
	tag = strings.ReplaceAll(strings.TrimSpace(tag), "_", "-")
	for _, r := range tag {
		if !(r == '-' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return ""
		}
	}
	return tag
}

func (e *Engine) funcs() template.FuncMap {
	return template.FuncMap{
		"excerpt":   Excerpt,
		"date":      FormatDate,
		"isodate":   func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
		"ago":       func(t time.Time) string { return Relative(e.now(), t) },
		"dir":       newsdesk.LanguageDirection,
		"lang":      Lang,
		"highlight": Highlight,
		"body":      e.body,
		"img":       e.ImageURL,
		"srcset":    e.imageSrcSet,
		"jsonld":    JSONLD,
		"asset":     e.AssetURL,
		"add":       func(a, b int) int { return a + b },
		"plural":    plural,
	}
}

// body is Body with images pointed at the image proxy, when there is one.
func (e *Engine) body(a *newsdesk.Article) template.HTML {
	b := Body(a)
	if e.images == nil || b == "" {
		return b
	}
	// RewriteHTML only replaces the src and srcset of <img> elements of
	// already-sanitized markup with proxy URLs it escapes itself.
	return template.HTML(e.images.RewriteHTML(string(b)))
}

// ImageURL is the address the page uses for an image at width pixels: the
// proxied one when images are proxied, else the original.
func (e *Engine) ImageURL(src string, width int) string {
	if e.images == nil || src == "" {
		return src
	}
	return e.images.URL(src, width)
}

func (e *Engine) imageSrcSet(src string) string {
	if e.images == nil || src == "" {
		return ""
	}
	return e.images.SrcSet(src)
}
