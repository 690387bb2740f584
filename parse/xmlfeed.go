package parse

import (
	"encoding/base64"
	"net/url"
	"strconv"
	"strings"
	"time"

	"newsdesk"
)

// builder maps a parsed XML tree onto a newsdesk.Feed.
type builder struct {
	d    *doc
	base *url.URL
	p    *problems
}

// baseFor is the base URL in effect at node n: the caller's base, refined
// by any xml:base attributes on n and its ancestors.
func (b *builder) baseFor(n int32) *url.URL {
	var chain []string
	for c := n; c != 0; c = b.d.nodes[c].parent {
		for _, a := range b.d.nodes[c].attrs {
			if a.name == "xml:base" && strings.TrimSpace(a.value) != "" {
				chain = append(chain, strings.TrimSpace(a.value))
			}
		}
	}
	base := b.base
	for k := len(chain) - 1; k >= 0; k-- {
		u, err := url.Parse(chain[k])
		if err != nil {
			b.p.add("bad xml:base", chain[k])
			continue
		}
		if base != nil {
			u = base.ResolveReference(u)
		}
		base = u
	}
	return base
}

func (b *builder) date(s, what string) time.Time {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}
	}
	t, err := Date(s)
	if err != nil {
		b.p.add("unparseable date", what+" "+strconv.Quote(s))
		return time.Time{}
	}
	return t
}

func (b *builder) lang(n int32) string {
	for c := n; c != 0; c = b.d.nodes[c].parent {
		if v := b.d.nodes[c].attr("xml:lang"); v != "" {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// rss builds a feed from RSS 0.9x/2.0 (root rss or channel) or RSS 1.0
// (root rdf:RDF).
func (b *builder) rss(root int32) *newsdesk.Feed {
	d := b.d
	ch := root
	if d.nodes[root].name != "channel" {
		if c := d.child(root, "", "channel"); c != 0 {
			ch = c
		}
	}
	f := &newsdesk.Feed{}
	cbase := b.baseFor(ch)
	f.Title = plainText(d.childText(ch, "", "title"))
	if f.Title == "" {
		f.Title = plainText(d.childText(ch, "dc", "title"))
	}
	f.Link = resolveURL(cbase, d.childText(ch, "", "link"))
	f.Description = strings.TrimSpace(d.childText(ch, "", "description"))
	f.Language = strings.TrimSpace(d.childText(ch, "", "language"))
	if f.Language == "" {
		f.Language = strings.TrimSpace(d.childText(ch, "dc", "language"))
	}
	if f.Language == "" {
		f.Language = b.lang(ch)
	}
	f.Published = b.date(d.childText(ch, "", "pubDate"), "channel pubDate")
	f.Updated = b.date(d.childText(ch, "", "lastBuildDate"), "channel lastBuildDate")
	if f.Updated.IsZero() {
		f.Updated = b.date(d.childText(ch, "dc", "date"), "channel dc:date")
	}
	for _, c := range d.children(ch) {
		if c.ns == "atom" && c.name == "link" {
			b.atomFeedLink(f, c, cbase)
		}
	}
	chAuthor := cleanAuthor(d.childText(ch, "dc", "creator"))
	if chAuthor == "" {
		chAuthor = cleanAuthor(d.childText(ch, "itunes", "author"))
	}
	chImage := ""
	if c := d.child(ch, "itunes", "image"); c != 0 {
		chImage = resolveURL(cbase, d.nodes[c].attr("href"))
	}

	items := b.collect(ch, "item")
	if ch != root {
		items = append(items, b.collect(root, "item")...)
	}
	for _, it := range items {
		if len(f.Items) >= maxItems {
			b.p.add("too many items", "only the first "+strconv.Itoa(maxItems)+" were read")
			break
		}
		item := b.rssItem(it, f.Language)
		if item.Author == "" {
			item.Author = chAuthor
		}
		if item.ImageURL == "" && chImage != "" && len(item.Enclosures) > 0 {
			item.ImageURL = chImage // a podcast episode shows its show's art
		}
		f.Items = append(f.Items, item)
	}
	return f
}

// collect returns the complete children named name of n; an element cut
// off by the end of the document is dropped.
func (b *builder) collect(n int32, name string) []int32 {
	var out []int32
	for i, c := range b.d.children(n) {
		if c.name != name || (c.ns != "" && c.ns != "atom") {
			continue
		}
		if !c.closed {
			b.p.add("incomplete "+name+" dropped", "")
			continue
		}
		out = append(out, i)
	}
	return out
}

func (b *builder) atomFeedLink(f *newsdesk.Feed, c *node, base *url.URL) {
	href := resolveURL(base, c.attr("href"))
	switch strings.ToLower(strings.TrimSpace(c.attr("rel"))) {
	case "self":
		if f.FeedURL == "" {
			f.FeedURL = href
		}
	case "hub":
		if f.HubURL == "" {
			f.HubURL = href
		}
	case "", "alternate":
		if f.Link == "" {
			f.Link = href
		}
	}
}

func (b *builder) rssItem(n int32, feedLang string) *newsdesk.Item {
	d := b.d
	base := b.baseFor(n)
	it := &newsdesk.Item{}
	var guid, link, rdfAbout string
	permalink := true
	rdfAbout = d.nodes[n].attr("rdf:about")
	var author, dcCreator, itunesAuthor string
	var mediaImage, mediaThumb, encImage string
	for i, c := range d.children(n) {
		switch c.ns {
		case "":
			switch c.name {
			case "title":
				it.Title = plainText(d.inner(i))
			case "link":
				if link == "" {
					link = c.text
					if strings.TrimSpace(link) == "" {
						link = c.attr("href")
					}
				}
			case "guid":
				guid = strings.TrimSpace(c.text)
				if strings.EqualFold(strings.TrimSpace(c.attr("isPermaLink")), "false") {
					permalink = false
				}
			case "description":
				it.Summary = strings.TrimSpace(d.inner(i))
			case "pubDate":
				it.Published = b.date(c.text, "item pubDate")
			case "author":
				author = c.text
			case "category":
				it.Categories = appendUnique(it.Categories, plainText(c.text))
			case "enclosure":
				e := b.enclosure(c.attr("url"), c.attr("type"), c.attr("length"), base)
				if e.URL != "" {
					it.Enclosures = append(it.Enclosures, e)
					if encImage == "" && strings.HasPrefix(e.Type, "image/") {
						encImage = e.URL
					}
				}
			}
		case "content":
			if c.name == "encoded" {
				it.Content = strings.TrimSpace(d.inner(i))
			}
		case "dc":
			switch c.name {
			case "creator":
				if dcCreator == "" {
					dcCreator = c.text
				}
			case "date":
				if it.Published.IsZero() {
					it.Published = b.date(c.text, "item dc:date")
				}
			case "modified":
				it.Updated = b.date(c.text, "item dc:modified")
			case "subject":
				it.Categories = appendUnique(it.Categories, plainText(c.text))
			case "title":
				if it.Title == "" {
					it.Title = plainText(c.text)
				}
			case "language":
				it.Language = strings.TrimSpace(c.text)
			}
		case "atom":
			switch c.name {
			case "link":
				rel := strings.ToLower(c.attr("rel"))
				if (rel == "" || rel == "alternate") && link == "" {
					link = c.attr("href")
				}
			case "updated":
				it.Updated = b.date(c.text, "item atom:updated")
			case "published":
				if it.Published.IsZero() {
					it.Published = b.date(c.text, "item atom:published")
				}
			case "author":
				if author == "" {
					author = d.childText(i, "atom", "name")
				}
			}
		case "itunes":
			switch c.name {
			case "author":
				itunesAuthor = c.text
			case "image":
				if mediaImage == "" {
					mediaImage = resolveURL(base, c.attr("href"))
				}
			}
		case "media":
			b.media(i, base, &mediaImage, &mediaThumb)
		}
	}
	it.Author = cleanAuthor(dcCreator)
	if it.Author == "" {
		it.Author = cleanAuthor(author)
	}
	if it.Author == "" {
		it.Author = cleanAuthor(itunesAuthor)
	}
	it.Link = resolveURL(base, link)
	if it.Link == "" && permalink && guid != "" {
		it.Link = resolveURL(base, guid)
	}
	if it.Link == "" && rdfAbout != "" {
		it.Link = resolveURL(base, rdfAbout)
	}
	it.GUID = guid
	if it.GUID == "" {
		it.GUID = strings.TrimSpace(rdfAbout)
	}
	if it.GUID == "" {
		it.GUID = it.Link
	}
	it.ImageURL = firstNonEmpty(mediaImage, mediaThumb, encImage)
	if it.Published.IsZero() {
		it.Published = it.Updated
	}
	if it.Language == "" {
		it.Language = b.lang(n)
	}
	if it.Language == "" {
		it.Language = feedLang
	}
	return it
}

// media reads media:content, media:thumbnail and media:group.
func (b *builder) media(n int32, base *url.URL, image, thumb *string) {
	d := b.d
	c := &d.nodes[n]
	switch c.name {
	case "content":
		u := resolveURL(base, c.attr("url"))
		medium, typ := c.attr("medium"), c.attr("type")
		if *image == "" && u != "" && (medium == "image" || strings.HasPrefix(typ, "image/") || (medium == "" && typ == "" && looksLikeImage(u))) {
			*image = u
		}
		for i, cc := range d.children(n) {
			if cc.ns == "media" && cc.name == "thumbnail" {
				b.media(i, base, image, thumb)
			}
		}
	case "thumbnail":
		if *thumb == "" {
			*thumb = resolveURL(base, c.attr("url"))
		}
	case "group":
		for i, cc := range d.children(n) {
			if cc.ns == "media" {
				b.media(i, base, image, thumb)
			}
		}
	}
}

func looksLikeImage(u string) bool {
	if i := strings.IndexAny(u, "?#"); i >= 0 {
		u = u[:i]
	}
	u = strings.ToLower(u)
	for _, ext := range [...]string{".jpg", ".jpeg", ".png", ".gif", ".webp", ".avif"} {
		if strings.HasSuffix(u, ext) {
			return true
		}
	}
	return false
}

func (b *builder) enclosure(href, typ, length string, base *url.URL) newsdesk.Enclosure {
	e := newsdesk.Enclosure{URL: resolveURL(base, href), Type: strings.ToLower(strings.TrimSpace(typ))}
	if l := strings.TrimSpace(length); l != "" {
		if v, err := strconv.ParseInt(l, 10, 64); err == nil && v > 0 {
			e.Length = v
		}
	}
	return e
}

func firstNonEmpty(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}

// atom builds a feed from Atom 1.0 or 0.3.
func (b *builder) atom(root int32) *newsdesk.Feed {
	d := b.d
	f := &newsdesk.Feed{}
	f.Language = b.lang(root)
	var feedAuthors []string
	for i, c := range d.children(root) {
		if c.ns != "atom" && c.ns != "" {
			if c.ns == "dc" && c.name == "language" && f.Language == "" {
				f.Language = strings.TrimSpace(c.text)
			}
			continue
		}
		switch c.name {
		case "title":
			f.Title = b.atomTitle(i)
		case "subtitle", "tagline":
			f.Description = strings.TrimSpace(b.atomText(i))
		case "link":
			b.atomFeedLink(f, c, b.baseFor(i))
		case "updated", "modified":
			f.Updated = b.date(c.text, "feed "+c.name)
		case "published", "issued":
			f.Published = b.date(c.text, "feed "+c.name)
		case "author":
			if name := cleanAuthor(d.childText(i, c.ns, "name")); name != "" {
				feedAuthors = append(feedAuthors, name)
			}
		}
	}
	feedAuthor := strings.Join(feedAuthors, ", ")
	for _, e := range b.collect(root, "entry") {
		if len(f.Items) >= maxItems {
			b.p.add("too many items", "only the first "+strconv.Itoa(maxItems)+" were read")
			break
		}
		it := b.atomEntry(e, f.Language)
		if it.Author == "" {
			it.Author = feedAuthor
		}
		f.Items = append(f.Items, it)
	}
	return f
}

func (b *builder) atomTitle(n int32) string {
	c := &b.d.nodes[n]
	switch strings.ToLower(c.attr("type")) {
	case "text", "text/plain":
		if !c.hasElem {
			return collapseSpace(c.text)
		}
	}
	return plainText(b.atomText(n))
}

// atomText is an Atom text construct as HTML, or as text for type="text".
func (b *builder) atomText(n int32) string {
	c := &b.d.nodes[n]
	typ := strings.ToLower(c.attr("type"))
	if typ == "xhtml" || c.attr("mode") == "xml" || c.hasElem {
		return b.xhtml(n)
	}
	if c.attr("mode") == "base64" {
		if raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(c.text)); err == nil {
			return strings.ToValidUTF8(string(raw), "\uFFFD")
		}
		b.p.add("bad base64 content", "")
		return ""
	}
	return c.text
}

// xhtml returns the markup inside an xhtml construct, without the wrapping div.
func (b *builder) xhtml(n int32) string {
	d := b.d
	c := &d.nodes[n]
	if c.first != 0 && c.first == c.last {
		if k := &d.nodes[c.first]; k.name == "div" && isBlank(c.text) {
			return strings.TrimSpace(d.inner(c.first))
		}
	}
	return strings.TrimSpace(d.inner(n))
}

// atomContent is an entry's summary or content as HTML.
func (b *builder) atomContent(n int32) string {
	c := &b.d.nodes[n]
	typ := strings.ToLower(strings.TrimSpace(c.attr("type")))
	switch {
	case c.attr("src") != "" && strings.TrimSpace(c.text) == "" && !c.hasElem:
		return ""
	case typ == "" || typ == "text" || typ == "text/plain":
		if c.hasElem || c.attr("mode") != "" {
			return strings.TrimSpace(b.atomText(n))
		}
		return textToHTML(c.text)
	case typ == "html" || typ == "xhtml" || typ == "text/html" || typ == "application/xhtml+xml":
		return strings.TrimSpace(b.atomText(n))
	}
	return "" // other media types are not article text
}

func (b *builder) atomEntry(n int32, feedLang string) *newsdesk.Item {
	d := b.d
	base := b.baseFor(n)
	it := &newsdesk.Item{}
	var authors []string
	var link, altHTML, id string
	var mediaImage, mediaThumb, encImage string
	for i, c := range d.children(n) {
		switch c.ns {
		case "atom", "":
			switch c.name {
			case "title":
				it.Title = b.atomTitle(i)
			case "link":
				href := c.attr("href")
				lbase := base
				if c.attr("xml:base") != "" {
					lbase = b.baseFor(i)
				}
				switch rel := strings.ToLower(strings.TrimSpace(c.attr("rel"))); rel {
				case "", "alternate":
					if link == "" {
						link = resolveURL(lbase, href)
					}
					if t := strings.ToLower(c.attr("type")); altHTML == "" && (t == "text/html" || t == "application/xhtml+xml") {
						altHTML = resolveURL(lbase, href)
					}
				case "enclosure":
					e := b.enclosure(href, c.attr("type"), c.attr("length"), lbase)
					if e.URL != "" {
						it.Enclosures = append(it.Enclosures, e)
						if encImage == "" && strings.HasPrefix(e.Type, "image/") {
							encImage = e.URL
						}
					}
				}
			case "id":
				id = strings.TrimSpace(c.text)
			case "published", "issued", "created":
				if it.Published.IsZero() {
					it.Published = b.date(c.text, "entry "+c.name)
				}
			case "updated", "modified":
				it.Updated = b.date(c.text, "entry "+c.name)
			case "author":
				name := d.childText(i, c.ns, "name")
				if strings.TrimSpace(name) == "" {
					name = d.childText(i, c.ns, "email")
				}
				if name = cleanAuthor(name); name != "" {
					authors = append(authors, name)
				}
			case "summary":
				it.Summary = b.atomContent(i)
			case "content":
				it.Content = b.atomContent(i)
			case "category":
				cat := c.attr("label")
				if cat == "" {
					cat = c.attr("term")
				}
				if cat == "" {
					cat = c.text
				}
				it.Categories = appendUnique(it.Categories, plainText(cat))
			}
		case "dc":
			switch c.name {
			case "creator":
				if name := cleanAuthor(c.text); name != "" {
					authors = append(authors, name)
				}
			case "subject":
				it.Categories = appendUnique(it.Categories, plainText(c.text))
			case "language":
				it.Language = strings.TrimSpace(c.text)
			}
		case "media":
			b.media(i, base, &mediaImage, &mediaThumb)
		case "itunes":
			if c.name == "image" && mediaImage == "" {
				mediaImage = resolveURL(base, c.attr("href"))
			}
		}
	}
	it.Link = firstNonEmpty(altHTML, link)
	it.GUID = id
	if it.GUID == "" {
		it.GUID = it.Link
	}
	if it.Published.IsZero() {
		it.Published = it.Updated
	}
	it.Author = strings.Join(authors, ", ")
	it.ImageURL = firstNonEmpty(mediaImage, mediaThumb, encImage)
	if it.Language == "" {
		it.Language = b.lang(n)
	}
	if it.Language == "" {
		it.Language = feedLang
	}
	return it
}
