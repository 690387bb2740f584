package syndication

import (
	"strings"
	"time"

	"newsdesk"
)

// Limits of the sitemap protocol and of Google News sitemaps.
const (
	MaxSitemapURLs     = 50000
	MaxNewsSitemapURLs = 1000
	// NewsWindow is how old an article may be and still be listed in the
	// news sitemap.
	NewsWindow = 48 * time.Hour
)

// URL is one page listed in a sitemap, or one sitemap in a sitemap index.
type URL struct {
	Loc     string
	LastMod time.Time // zero: not given
}

type urlSet struct {
	XMLName struct{}     `xml:"http://www.sitemaps.org/schemas/sitemap/0.9 urlset"`
	URLs    []sitemapURL `xml:"url"`
}

type sitemapURL struct {
	Loc     string `xml:"loc"`
	LastMod string `xml:"lastmod,omitempty"`
}

type sitemapIndex struct {
	XMLName  struct{}     `xml:"http://www.sitemaps.org/schemas/sitemap/0.9 sitemapindex"`
	Sitemaps []sitemapURL `xml:"sitemap"`
}

func lastMod(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// Sitemap builds a sitemap of up to MaxSitemapURLs pages; EINVALID for more
// (split them with SplitURLs and list the parts with SitemapIndex).
func Sitemap(urls []URL) ([]byte, error) {
	if len(urls) > MaxSitemapURLs {
		return nil, newsdesk.Errorf(newsdesk.EINVALID, "A sitemap holds at most %d URLs, not %d.", MaxSitemapURLs, len(urls))
	}
	set := urlSet{URLs: make([]sitemapURL, 0, len(urls))}
	for _, u := range urls {
		set.URLs = append(set.URLs, sitemapURL{Loc: u.Loc, LastMod: lastMod(u.LastMod)})
	}
	return marshalXML("sitemap", set)
}

// SitemapIndex builds a sitemap index listing sitemaps; EINVALID for more
// than MaxSitemapURLs.
func SitemapIndex(sitemaps []URL) ([]byte, error) {
	if len(sitemaps) > MaxSitemapURLs {
		return nil, newsdesk.Errorf(newsdesk.EINVALID, "A sitemap index holds at most %d sitemaps, not %d.", MaxSitemapURLs, len(sitemaps))
	}
	idx := sitemapIndex{Sitemaps: make([]sitemapURL, 0, len(sitemaps))}
	for _, u := range sitemaps {
		idx.Sitemaps = append(idx.Sitemaps, sitemapURL{Loc: u.Loc, LastMod: lastMod(u.LastMod)})
	}
	return marshalXML("sitemap index", idx)
}

// SplitURLs cuts urls into parts of at most MaxSitemapURLs, one per
// sitemap, in order.
func SplitURLs(urls []URL) [][]URL {
	var parts [][]URL
	for len(urls) > MaxSitemapURLs {
		parts = append(parts, urls[:MaxSitemapURLs:MaxSitemapURLs])
		urls = urls[MaxSitemapURLs:]
	}
	if len(urls) > 0 || len(parts) == 0 {
		parts = append(parts, urls)
	}
	return parts
}

type newsURLSet struct {
	XMLName struct{}  `xml:"http://www.sitemaps.org/schemas/sitemap/0.9 urlset"`
	NSNews  string    `xml:"xmlns:news,attr"`
	URLs    []newsURL `xml:"url"`
}

type newsURL struct {
	Loc  string   `xml:"loc"`
	News newsNews `xml:"news:news"`
}

type newsNews struct {
	Publication     newsPublication `xml:"news:publication"`
	PublicationDate string          `xml:"news:publication_date"`
	Title           string          `xml:"news:title"`
}

type newsPublication struct {
	Name     string `xml:"news:name"`
	Language string `xml:"news:language"`
}

// NewsSitemap builds a Google News sitemap of the published articles of the
// last NewsWindow before now (when now is zero, before the newest article),
// at most MaxNewsSitemapURLs of them, in the order given. publication is the
// site's name and lang its language, used for articles without a language
// of their own.
func NewsSitemap(publication, lang, baseURL string, now time.Time, arts []*newsdesk.Article) ([]byte, error) {
	if now.IsZero() {
		for _, a := range arts {
			if a.PublishedAt.After(now) {
				now = a.PublishedAt
			}
		}
	}
	since := now.Add(-NewsWindow)
	set := newsURLSet{NSNews: "http://www.google.com/schemas/sitemap-news/0.9", URLs: []newsURL{}}
	for _, a := range arts {
		if len(set.URLs) == MaxNewsSitemapURLs {
			break
		}
		if a.Status == newsdesk.StatusUnpublished || a.PublishedAt.IsZero() ||
			a.PublishedAt.Before(since) || a.PublishedAt.After(now) {
			continue
		}
		l := newsLanguage(a.Language)
		if l == "" {
			l = newsLanguage(lang)
		}
		set.URLs = append(set.URLs, newsURL{
			Loc: ArticleURL(baseURL, a),
			News: newsNews{
				Publication:     newsPublication{Name: publication, Language: l},
				PublicationDate: a.PublishedAt.UTC().Format(time.RFC3339),
				Title:           a.Headline,
			},
		})
	}
	return marshalXML("news sitemap", set)
}

// newsLanguage is the ISO 639 code Google News expects: the base language
// of a BCP 47 tag, except Chinese, which keeps its script (zh-cn, zh-tw).
func newsLanguage(tag string) string {
	s := strings.ToLower(strings.ReplaceAll(tag, "_", "-"))
	switch s {
	case "zh-cn", "zh-hans":
		return "zh-cn"
	case "zh-tw", "zh-hant":
		return "zh-tw"
	}
	base, _, _ := strings.Cut(s, "-")
	return base
}
