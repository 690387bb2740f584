package extract

import (
	"encoding/json"
	"net/url"
	"strings"
	"time"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// meta is what the page says about itself, gathered before the body is
// looked for. Sources are kept apart so fill can rank them.
type meta struct {
	title, ogTitle, twTitle, ldHeadline, h1   string
	siteName, ldPublisher                     string
	lang                                      string
	description, ogDescription, ldDescription string
	canonical, ogURL                          string
	image, ldImage                            string
	authors, ldAuthors                        []string
	published, modified                       string
	ldPublished, ldModified                   string
	timeDatetime                              string
	articleBody                               string
}

// metadata walks the document once for <head> metadata, JSON-LD, the first
// <h1> and the first <time datetime>.
func (x *extractor) metadata(doc *html.Node) *meta {
	m := &meta{}
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			switch n.DataAtom {
			case atom.Html:
				m.lang = attr(n, "lang")
				if m.lang == "" {
					m.lang = attr(n, "xml:lang")
				}
			case atom.Title:
				if m.title == "" {
					m.title = collapse(textOf(n))
				}
				return
			case atom.Meta:
				x.metaTag(m, n)
				return
			case atom.Link:
				if m.canonical == "" && hasToken(attr(n, "rel"), "canonical") {
					m.canonical = attr(n, "href")
				}
				return
			case atom.Script:
				if strings.Contains(strings.ToLower(attr(n, "type")), "ld+json") && n.FirstChild != nil {
					x.jsonLD(m, n.FirstChild.Data)
				}
				return
			case atom.H1:
				if m.h1 == "" {
					m.h1 = collapse(textOf(n))
				}
			case atom.Time:
				if m.timeDatetime == "" {
					m.timeDatetime = attr(n, "datetime")
				}
			case atom.Svg, atom.Style, atom.Noscript, atom.Template:
				return
			}
			if ip := attr(n, "itemprop"); ip != "" && n.DataAtom != atom.Meta {
				switch ip {
				case "datePublished":
					if m.published == "" {
						m.published = firstNonEmpty(attr(n, "datetime"), attr(n, "content"))
					}
				case "author":
					if len(m.authors) == 0 {
						if a := collapse(textOf(n)); a != "" && len(a) < 100 {
							m.authors = append(m.authors, a)
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
	return m
}

func (x *extractor) metaTag(m *meta, n *html.Node) {
	content := strings.TrimSpace(attr(n, "content"))
	if content == "" {
		return
	}
	key := strings.ToLower(firstNonEmpty(attr(n, "property"), attr(n, "name"), attr(n, "itemprop")))
	if key == "" {
		if strings.EqualFold(attr(n, "http-equiv"), "content-language") && m.lang == "" {
			m.lang = content
		}
		return
	}
	set := func(p *string) {
		if *p == "" {
			*p = content
		}
	}
	switch key {
	case "og:title":
		set(&m.ogTitle)
	case "twitter:title":
		set(&m.twTitle)
	case "og:site_name", "application-name":
		set(&m.siteName)
	case "description":
		set(&m.description)
	case "og:description", "twitter:description":
		set(&m.ogDescription)
	case "og:url":
		set(&m.ogURL)
	case "og:image", "og:image:url", "og:image:secure_url", "twitter:image", "twitter:image:src", "thumbnailurl":
		set(&m.image)
	case "author", "article:author", "byl", "dc.creator", "sailthru.author", "parsely-author", "cxenseparse:author":
		if strings.HasPrefix(content, "http") {
			return
		}
		content = strings.TrimSpace(strings.TrimPrefix(strings.TrimPrefix(content, "By "), "by "))
		if content != "" && !containsFold(m.authors, content) {
			m.authors = append(m.authors, content)
		}
	case "article:published_time", "datepublished", "date", "pubdate", "publishdate", "publish-date",
		"dc.date", "dc.date.issued", "dcterms.created", "dcterms.date", "sailthru.date", "parsely-pub-date",
		"og:published_time", "article.published", "published_time", "original-publish-date":
		set(&m.published)
	case "article:modified_time", "og:updated_time", "datemodified", "last-modified", "dcterms.modified", "article.updated":
		set(&m.modified)
	case "og:locale", "language", "dc.language":
		if m.lang == "" {
			m.lang = content
		}
	}
}

// jsonLD reads article metadata from one JSON-LD block: an object, an
// array, or an object with an @graph array.
func (x *extractor) jsonLD(m *meta, data string) {
	var v any
	if err := json.Unmarshal([]byte(strings.TrimSpace(data)), &v); err != nil {
		return
	}
	var visit func(v any, depth int)
	visit = func(v any, depth int) {
		if depth > 4 {
			return
		}
		switch t := v.(type) {
		case []any:
			for _, e := range t {
				visit(e, depth+1)
			}
		case map[string]any:
			if g, ok := t["@graph"]; ok {
				visit(g, depth+1)
			}
			if isArticleType(t["@type"]) {
				x.ldArticle(m, t)
			} else if isType(t["@type"], "WebSite", "Organization", "NewsMediaOrganization") && m.ldPublisher == "" {
				if depth == 0 || t["@type"] != "Organization" {
					if s, ok := t["name"].(string); ok && isType(t["@type"], "WebSite") {
						m.ldPublisher = s
					}
				}
			}
		}
	}
	visit(v, 0)
}

func (x *extractor) ldArticle(m *meta, t map[string]any) {
	str := func(k string) string {
		s, _ := t[k].(string)
		return strings.TrimSpace(s)
	}
	if m.ldHeadline == "" {
		m.ldHeadline = firstNonEmpty(str("headline"), str("name"))
	}
	if m.ldDescription == "" {
		m.ldDescription = str("description")
	}
	if m.ldPublished == "" {
		m.ldPublished = str("datePublished")
	}
	if m.ldModified == "" {
		m.ldModified = str("dateModified")
	}
	if body := str("articleBody"); len(body) > len(m.articleBody) {
		m.articleBody = body
	}
	if len(m.ldAuthors) == 0 {
		m.ldAuthors = names(t["author"], 0)
	}
	if m.ldImage == "" {
		m.ldImage = imageURL(t["image"], 0)
	}
	if m.ldPublisher == "" {
		if p, ok := t["publisher"].(map[string]any); ok {
			m.ldPublisher, _ = p["name"].(string)
		}
	}
	if m.lang == "" {
		m.lang = str("inLanguage")
	}
}

// names reads schema.org author values: a string, a Person or Organization
// object, or an array of them.
func names(v any, depth int) []string {
	if depth > 3 {
		return nil
	}
	switch t := v.(type) {
	case string:
		s := strings.TrimSpace(t)
		if s == "" || strings.HasPrefix(s, "http") {
			return nil
		}
		return []string{s}
	case map[string]any:
		if s, ok := t["name"].(string); ok {
			return names(s, depth+1)
		}
		if s, ok := t["name"].([]any); ok {
			return names(s, depth+1)
		}
	case []any:
		var out []string
		for _, e := range t {
			for _, n := range names(e, depth+1) {
				if !containsFold(out, n) {
					out = append(out, n)
				}
			}
		}
		return out
	}
	return nil
}

func imageURL(v any, depth int) string {
	if depth > 3 {
		return ""
	}
	switch t := v.(type) {
	case string:
		return strings.TrimSpace(t)
	case map[string]any:
		if s, ok := t["url"].(string); ok {
			return s
		}
		if s, ok := t["contentUrl"].(string); ok {
			return s
		}
	case []any:
		for _, e := range t {
			if s := imageURL(e, depth+1); s != "" {
				return s
			}
		}
	}
	return ""
}

func isType(v any, types ...string) bool {
	switch t := v.(type) {
	case string:
		for _, want := range types {
			if t == want {
				return true
			}
		}
	case []any:
		for _, e := range t {
			if isType(e, types...) {
				return true
			}
		}
	}
	return false
}

func isArticleType(v any) bool {
	switch t := v.(type) {
	case string:
		return strings.HasSuffix(t, "Article") || t == "BlogPosting" || t == "LiveBlogPosting" ||
			t == "SocialMediaPosting" || t == "Report"
	case []any:
		for _, e := range t {
			if isArticleType(e) {
				return true
			}
		}
	}
	return false
}

// fill copies the best value of each field into res.
func (m *meta) fill(res *Result, base *url.URL) {
	res.SiteName = collapse(firstNonEmpty(m.siteName, m.ldPublisher))
	res.Title = cleanTitle(firstNonEmpty(m.ldHeadline, m.ogTitle, m.twTitle, m.title, m.h1), res.SiteName, m.h1)
	authors := m.ldAuthors
	if len(authors) == 0 {
		authors = m.authors
	}
	res.Byline = strings.Join(authors, ", ")
	res.Lang = normalizeLang(m.lang)
	res.Description = collapse(firstNonEmpty(m.ldDescription, m.ogDescription, m.description))
	res.CanonicalURL = resolveAgainst(base, firstNonEmpty(m.canonical, m.ogURL))
	res.ImageURL = resolveAgainst(base, firstNonEmpty(m.image, m.ldImage))
	res.Published = parseTime(firstNonEmpty(m.ldPublished, m.published, m.timeDatetime))
	res.Modified = parseTime(firstNonEmpty(m.ldModified, m.modified))
}

func resolveAgainst(base *url.URL, ref string) string {
	ref = strings.TrimSpace(ref)
	if ref == "" {
		return ""
	}
	u, err := url.Parse(ref)
	if err != nil {
		return ""
	}
	if base != nil {
		u = base.ResolveReference(u)
	}
	return u.String()
}

// cleanTitle removes a site name suffix or prefix (" | Site", "Site - ").
func cleanTitle(title, site, h1 string) string {
	title = collapse(html.UnescapeString(title))
	if title == "" {
		return ""
	}
	for _, sep := range []string{" | ", " - ", " – ", " — ", " :: ", " · ", " » ", " // "} {
		i := strings.LastIndex(title, sep)
		if i <= 0 {
			continue
		}
		head, tail := strings.TrimSpace(title[:i]), strings.TrimSpace(title[i+len(sep):])
		switch {
		case site != "" && strings.EqualFold(tail, site):
			return head
		case site != "" && strings.EqualFold(head, site):
			return tail
		case h1 != "" && strings.EqualFold(head, h1):
			return head
		case site == "" && len(strings.Fields(tail)) <= 3 && len(head) > 2*len(tail):
			return head
		}
		if j := strings.Index(title, sep); j > 0 && site != "" && strings.EqualFold(strings.TrimSpace(title[:j]), site) {
			return strings.TrimSpace(title[j+len(sep):])
		}
	}
	return title
}

func normalizeLang(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexAny(s, ",; "); i >= 0 {
		s = s[:i]
	}
	s = strings.ReplaceAll(s, "_", "-")
	if i := strings.IndexByte(s, '-'); i > 0 {
		return strings.ToLower(s[:i]) + "-" + strings.ToUpper(s[i+1:])
	}
	return strings.ToLower(s)
}

var timeLayouts = []string{
	time.RFC3339Nano,
	time.RFC3339,
	"2006-01-02T15:04:05Z0700",
	"2006-01-02T15:04:05.000Z0700",
	"2006-01-02T15:04Z07:00",
	"2006-01-02T15:04:05",
	"2006-01-02T15:04:05.000",
	"2006-01-02 15:04:05Z07:00",
	"2006-01-02 15:04:05 -0700",
	"2006-01-02 15:04:05",
	"2006-01-02 15:04",
	"2006-01-02",
	"2006/01/02",
	"20060102",
	time.RFC1123Z,
	time.RFC1123,
	"Mon, 2 Jan 2006 15:04:05 -0700",
	"Mon, 2 Jan 2006 15:04:05 MST",
	"January 2, 2006 3:04 PM",
	"January 2, 2006",
	"Jan 2, 2006",
	"2 January 2006",
}

// parseTime reads the date formats pages use in metadata; zero if none fits.
func parseTime(s string) time.Time {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}
	}
	for _, l := range timeLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t
		}
	}
	return time.Time{}
}
