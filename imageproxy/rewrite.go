package imageproxy

import (
	"html"
	"regexp"
	"strings"
)

// imgTag matches an <img> element of sanitized HTML, whose attribute values
// are always double-quoted.
var imgTag = regexp.MustCompile(`<img\b[^>]*>`)

var imgAttr = regexp.MustCompile(`\s(src|srcset)="([^"]*)"`)

// RewriteHTML points every image of sanitized HTML at the proxy: src becomes
// the proxied original (at 960 pixels wide) and srcset the responsive
// sizes, so the reader's browser fetches images from the site only. An
// image whose source cannot be proxied is dropped.
func (p *Proxy) RewriteHTML(s string) string {
	if !strings.Contains(s, "<img") {
		return s
	}
	return imgTag.ReplaceAllStringFunc(s, func(tag string) string {
		var src string
		if m := imgAttr.FindAllStringSubmatch(tag, -1); m != nil {
			for _, a := range m {
				if a[1] == "src" {
					src = html.UnescapeString(a[2])
				}
			}
		}
		proxied := p.URL(src, 960)
		if proxied == "" {
			return ""
		}
		tag = imgAttr.ReplaceAllString(tag, "")
		attrs := ` src="` + html.EscapeString(proxied) + `" srcset="` + html.EscapeString(p.SrcSet(src)) +
			`" sizes="(max-width: 45rem) 100vw, 45rem"`
		if strings.HasSuffix(tag, "/>") {
			return strings.TrimSuffix(tag, "/>") + attrs + "/>"
		}
		return strings.TrimSuffix(tag, ">") + attrs + ">"
	})
}
