package parse

import (
	"net/url"
	"strings"
)

// DiscoverFeeds returns the absolute URLs of the feeds an HTML page
// advertises with <link rel="alternate" type="application/rss+xml"> (or
// Atom, RDF, JSON Feed), in page order, without duplicates. A <base href>
// in the page is honoured.
func DiscoverFeeds(base *url.URL, html []byte) []string {
	return discover(base, decodeBody(html, "", &problems{}))
}

func discover(base *url.URL, src string) []string {
	p := &problems{}
	d := &doc{src: src, p: p}
	lower := strings.ToLower(src)
	var out []string
	i := 0
	for {
		k := strings.IndexByte(lower[i:], '<')
		if k < 0 {
			return out
		}
		i += k
		rest := lower[i:]
		switch {
		case strings.HasPrefix(rest, "<!--"):
			e := strings.Index(rest, "-->")
			if e < 0 {
				return out
			}
			i += e + 3
			continue
		}
		isLink := strings.HasPrefix(rest, "<link") && len(rest) > 5 && (isSpace(rest[5]) || rest[5] == '/' || rest[5] == '>')
		isBase := strings.HasPrefix(rest, "<base") && len(rest) > 5 && (isSpace(rest[5]) || rest[5] == '/' || rest[5] == '>')
		if !isLink && !isBase {
			i++
			continue
		}
		n, _, size := d.startTag(src[i:], i)
		if size < 0 {
			return out
		}
		i += size
		if isBase {
			if h := n.attrLower("href"); h != "" {
				if u, err := url.Parse(strings.TrimSpace(h)); err == nil {
					if base != nil {
						u = base.ResolveReference(u)
					}
					base = u
				}
			}
			continue
		}
		if !hasToken(n.attrLower("rel"), "alternate") {
			continue
		}
		switch strings.ToLower(strings.TrimSpace(n.attrLower("type"))) {
		case "application/rss+xml", "application/atom+xml", "application/rdf+xml", "application/feed+json", "application/json":
		default:
			continue
		}
		if u := resolveURL(base, n.attrLower("href")); u != "" {
			out = appendUnique(out, u)
		}
	}
}

// attrLower finds an attribute by case-insensitive name, as HTML has it.
func (n *node) attrLower(name string) string {
	for _, a := range n.attrs {
		if strings.EqualFold(a.name, name) {
			return a.value
		}
	}
	return ""
}

func hasToken(list, tok string) bool {
	for _, f := range strings.Fields(list) {
		if strings.EqualFold(f, tok) {
			return true
		}
	}
	return false
}
