// Package syndication builds the documents newsdesk publishes for machines:
// RSS 2.0, Atom 1.0 and JSON Feed 1.1 feeds of articles, sitemaps, the
// Google News sitemap and robots.txt. Every builder is a pure function from
// values to bytes, so the same input always gives the same document.
//
// What a feed carries of an article depends on its source's licence: the
// full body for a full licence (or none recorded), the lede only for an
// excerpt licence, and nothing but headline, attribution and links for a
// headline licence.
package syndication

import (
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"newsdesk"
)

// Paths on the site of the documents built here, so that robots.txt, the
// sitemap index and the handlers agree.
const (
	SitemapPath     = "/sitemap.xml"
	NewsSitemapPath = "/sitemap-news.xml"
)

// ExcerptRunes is the longest excerpt, in characters, put in a feed's
// description or summary.
const ExcerptRunes = 300

// Channel describes the feed as a whole.
type Channel struct {
	Title       string
	Description string
	// SiteURL is the site's base URL ("https://news.example"); article
	// links are SiteURL + Article.Path().
	SiteURL string
	// Link is the page the feed mirrors (a section, an entity, the home
	// page); SiteURL when empty.
	Link string
	// FeedURL is the feed's own URL.
	FeedURL  string
	Language string
	// Updated is the time of the last change; when zero, the newest
	// article's time is used.
	Updated time.Time
}

func (ch Channel) link() string {
	if ch.Link != "" {
		return ch.Link
	}
	return ch.SiteURL
}

// ArticleURL is the article's page on the site at baseURL, with the path
// percent-encoded (slugs may be Persian or Arabic) as sitemaps require.
func ArticleURL(baseURL string, a *newsdesk.Article) string {
	return strings.TrimRight(baseURL, "/") + (&url.URL{Path: a.Path()}).EscapedPath()
}

// articleID is an article's permanent URL: it stays the same when an editor
// changes the headline and with it the slug.
func articleID(baseURL string, a *newsdesk.Article) string {
	return strings.TrimRight(baseURL, "/") + "/article/" + strconv.FormatInt(a.ID, 10)
}

// licence is the article's licence, full when none is recorded.
func licence(a *newsdesk.Article) newsdesk.Licence {
	if a.Licence == "" {
		return newsdesk.LicenceFull
	}
	return a.Licence
}

// showBody reports whether the article's body may be republished.
func showBody(a *newsdesk.Article) bool { return licence(a) == newsdesk.LicenceFull }

// showLede reports whether the article's lede may be republished.
func showLede(a *newsdesk.Article) bool { return licence(a) != newsdesk.LicenceHeadline }

// updated is when the article last changed.
func updated(a *newsdesk.Article) time.Time {
	if a.UpdatedAt.After(a.PublishedAt) {
		return a.UpdatedAt
	}
	return a.PublishedAt
}

// newest is the time of the latest change among arts, or zero.
func newest(arts []*newsdesk.Article) time.Time {
	var t time.Time
	for _, a := range arts {
		if u := updated(a); u.After(t) {
			t = u
		}
	}
	return t
}

func (ch Channel) updated(arts []*newsdesk.Article) time.Time {
	if !ch.Updated.IsZero() {
		return ch.Updated
	}
	return newest(arts)
}

// author is the byline, else the source's name.
func author(a *newsdesk.Article) string {
	if a.Author != "" {
		return a.Author
	}
	return a.Source
}

// Excerpt cuts plain text to at most max characters at a word boundary,
// ending it with "…" when it was cut.
func Excerpt(text string, max int) string {
	text = strings.Join(strings.Fields(text), " ")
	if utf8.RuneCountInString(text) <= max {
		return text
	}
	cut, n := 0, 0
	for i := range text {
		if n == max {
			cut = i
			break
		}
		n++
	}
	s := text[:cut]
	if i := strings.LastIndexFunc(s, unicode.IsSpace); i > 0 {
		s = s[:i]
	}
	s = strings.TrimRightFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsPunct(r) })
	return s + "…"
}

// sectionNames are the names of the sections the article is filed under.
func sectionNames(a *newsdesk.Article) []string {
	var names []string
	for _, s := range a.Sections {
		if s.Name != "" {
			names = append(names, s.Name)
		}
	}
	return names
}
