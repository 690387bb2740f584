// Package extract finds the main article of a news page: its text, a simple
// HTML rendering of it, and the page's metadata (title, byline, dates, lead
// image, language). The HTML it returns is not sanitized; sanitize runs later.
//
// The body is found by scoring text blocks (readability style: paragraph
// length, commas, class and id hints, link density), joining the sibling
// blocks that belong to the same article, and then pruning boilerplate inside
// it (share bars, related links, newsletter boxes, captions of embeds). A
// schema.org articleBody is used instead when the page carries one that is
// clearly longer than what the DOM gives and whose text is found on the page.
package extract

import (
	"bytes"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/net/html"
)

// ErrNoContent is returned when a page holds no article text.
var ErrNoContent = errors.New("extract: no article content")

// Result is an extracted article.
type Result struct {
	Title        string
	Byline       string
	SiteName     string
	Lang         string
	Description  string
	CanonicalURL string
	ImageURL     string
	Published    time.Time
	Modified     time.Time
	// HTML is the main content as simple HTML (paragraphs, headings, lists,
	// blockquotes, figures, tables). It is not sanitized.
	HTML string
	// Text is the plain main text, paragraphs separated by blank lines.
	Text string
}

// Article extracts the main article and metadata from an HTML page. base is
// the page's URL, used to resolve relative links and images; it may be nil.
// It returns ErrNoContent when no article text can be found.
func Article(base *url.URL, page []byte) (*Result, error) {
	page = decode(page)
	doc, err := html.Parse(bytes.NewReader(page))
	if err != nil {
		return nil, fmt.Errorf("extract parse: %w", err)
	}
	x := &extractor{base: base, v: newVocab()}
	res := &Result{}
	m := x.metadata(doc)
	m.fill(res, base)

	body := x.content(doc, m)
	if body == nil || utf8.RuneCountInString(body.text) < minText {
		// Layout classes such as "has-sidebar" can hide the article:
		// try again keeping them, and take the longer text.
		if doc2, err := html.Parse(bytes.NewReader(page)); err == nil {
			x.lenient = true
			if b2 := x.content(doc2, m); b2 != nil && (body == nil || len(b2.text) > len(body.text)) {
				body = b2
			}
		}
	}
	if body == nil || len(body.text) == 0 {
		if m.articleBody != "" {
			res.Text = normalizeBodyText(m.articleBody)
			res.HTML = textToHTML(res.Text)
			if strings.TrimSpace(res.Text) != "" {
				return res, nil
			}
		}
		return res, ErrNoContent
	}
	res.Text = body.text
	res.HTML = body.html
	if !utf8.ValidString(res.Text) {
		res.Text = strings.ToValidUTF8(res.Text, "\uFFFD")
	}
	if !utf8.ValidString(res.HTML) {
		res.HTML = strings.ToValidUTF8(res.HTML, "\uFFFD")
	}
	return res, nil
}

// minText is the length in runes below which a first attempt is retried.
const minText = 500

// extractor carries the per-call state of one extraction.
type extractor struct {
	base *url.URL
	v    *vocab
	tok  []string // scratch for classTokens
	// lenient keeps blocks whose class or id looks like page furniture;
	// set for the second attempt on a page where the first found little.
	lenient bool
}

// resolve makes ref absolute against the page URL; it returns "" for
// javascript: and data: references that cannot be shown.
func (x *extractor) resolve(ref string) string {
	ref = strings.TrimSpace(ref)
	if ref == "" {
		return ""
	}
	lower := strings.ToLower(ref)
	if strings.HasPrefix(lower, "javascript:") || strings.HasPrefix(lower, "data:") {
		return ""
	}
	u, err := url.Parse(ref)
	if err != nil {
		return ""
	}
	if x.base != nil {
		u = x.base.ResolveReference(u)
	}
	return u.String()
}

// sameSite reports whether ref points to the page's own host (a leading
// "www." ignored). Relative references always do.
func (x *extractor) sameSite(ref string) bool {
	u, err := url.Parse(strings.TrimSpace(ref))
	if err != nil {
		return false
	}
	if u.Host == "" {
		return true
	}
	if x.base == nil {
		return false
	}
	return strings.TrimPrefix(strings.ToLower(u.Hostname()), "www.") == strings.TrimPrefix(strings.ToLower(x.base.Hostname()), "www.")
}
