package syndication

import (
	"strings"
)

// Robots builds the robots.txt of the site at baseURL: every crawler may
// read everything but the admin and search result pages, and the sitemaps
// are named.
func Robots(baseURL string) []byte {
	base := strings.TrimRight(baseURL, "/")
	var b strings.Builder
	b.WriteString("User-agent: *\n")
	b.WriteString("Allow: /\n")
	b.WriteString("Disallow: /admin\n")
	b.WriteString("Disallow: /search?\n")
	b.WriteString("\n")
	b.WriteString("Sitemap: " + base + SitemapPath + "\n")
	b.WriteString("Sitemap: " + base + NewsSitemapPath + "\n")
	return []byte(b.String())
}
