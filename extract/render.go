package extract

import (
	"html"
	"strings"

	xhtml "golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// renderer writes the chosen content as simple HTML and plain text. Text
// outside any paragraph element is gathered into implicit paragraphs.
type renderer struct {
	x     *extractor
	stats map[*xhtml.Node]*stat
	html  *strings.Builder
	paras []string

	// The open implicit or explicit paragraph.
	phtml strings.Builder
	ptext strings.Builder
	ptag  string // "" for an implicit <p>
}

// flush ends the open paragraph.
func (r *renderer) flush() {
	t := cleanLines(r.ptext.String())
	if isBareURL(t) {
		t = ""
	}
	if t != "" {
		tag := r.ptag
		if tag == "" {
			tag = "p"
		}
		r.html.WriteString("<" + tag + ">")
		r.html.WriteString(strings.TrimSpace(r.phtml.String()))
		r.html.WriteString("</" + tag + ">\n")
		r.paras = append(r.paras, t)
	}
	r.phtml.Reset()
	r.ptext.Reset()
	r.ptag = ""
}

// cleanLines collapses white space within each line and drops empty lines.
func cleanLines(s string) string {
	if !strings.Contains(s, "\n") {
		return collapse(s)
	}
	lines := strings.Split(s, "\n")
	out := lines[:0]
	for _, l := range lines {
		if l = collapse(l); l != "" {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// container renders a block element whose children may be blocks or
// phrasing content.
func (r *renderer) container(n *xhtml.Node) {
	if n.Type == xhtml.TextNode {
		r.text(n.Data)
		return
	}
	if n.Type != xhtml.ElementNode || r.skip(n) {
		return
	}
	switch n.DataAtom {
	case atom.P, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6, atom.Pre, atom.Dt, atom.Dd, atom.Address:
		if r.hasBlockChild(n) && n.DataAtom != atom.Pre {
			break
		}
		r.flush()
		r.ptag = n.Data
		r.inlineChildren(n)
		r.flush()
		return
	case atom.H1:
		// The headline is metadata, not body text.
		return
	case atom.Ul, atom.Ol:
		r.flush()
		r.html.WriteString("<" + n.Data + ">\n")
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if c.Type == xhtml.ElementNode && c.DataAtom == atom.Li {
				if r.skip(c) {
					continue
				}
				if r.hasBlockChild(c) {
					r.html.WriteString("<li>")
					r.children(c)
					r.flush()
					r.html.WriteString("</li>\n")
				} else {
					r.ptag = "li"
					r.inlineChildren(c)
					r.flush()
				}
			} else {
				r.container(c)
			}
		}
		r.flush()
		r.html.WriteString("</" + n.Data + ">\n")
		return
	case atom.Blockquote:
		r.flush()
		r.html.WriteString("<blockquote>\n")
		r.children(n)
		r.flush()
		r.html.WriteString("</blockquote>\n")
		return
	case atom.Figure:
		r.flush()
		r.figure(n)
		return
	case atom.Table:
		r.flush()
		r.table(n)
		return
	case atom.Img, atom.Picture:
		r.flush()
		if src := r.x.imgSrc(n); src != "" {
			r.html.WriteString(`<figure><img src="` + html.EscapeString(src) + `" alt="` + html.EscapeString(attr(n, "alt")) + `"></figure>` + "\n")
		}
		return
	case atom.Br:
		r.ptext.WriteByte('\n')
		r.phtml.WriteString("<br>")
		return
	case atom.Hr:
		r.flush()
		return
	}
	if !isBlockTag(n.DataAtom) {
		r.inline(n)
		return
	}
	r.flush()
	r.children(n)
	r.flush()
}

func (r *renderer) children(n *xhtml.Node) {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		r.container(c)
	}
}

func (r *renderer) hasBlockChild(n *xhtml.Node) bool {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == xhtml.ElementNode && (isBlockTag(c.DataAtom) || c.DataAtom == atom.Img && false) {
			return true
		}
	}
	return false
}

func (r *renderer) inlineChildren(n *xhtml.Node) {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		r.inline(c)
	}
}

func (r *renderer) text(s string) {
	r.ptext.WriteString(s)
	r.phtml.WriteString(html.EscapeString(s))
}

// inline renders phrasing content into the open paragraph.
func (r *renderer) inline(n *xhtml.Node) {
	switch n.Type {
	case xhtml.TextNode:
		r.text(n.Data)
		return
	case xhtml.ElementNode:
	default:
		return
	}
	if r.skip(n) {
		return
	}
	switch n.DataAtom {
	case atom.Br:
		r.ptext.WriteByte('\n')
		r.phtml.WriteString("<br>")
		return
	case atom.Img:
		if src := r.x.imgSrc(n); src != "" {
			r.phtml.WriteString(`<img src="` + html.EscapeString(src) + `" alt="` + html.EscapeString(attr(n, "alt")) + `">`)
		}
		return
	case atom.A:
		href := r.x.resolve(attr(n, "href"))
		if href != "" && !strings.HasPrefix(href, "#") {
			r.phtml.WriteString(`<a href="` + html.EscapeString(href) + `">`)
			r.inlineChildren(n)
			r.phtml.WriteString("</a>")
			return
		}
	case atom.Em, atom.I, atom.Strong, atom.B, atom.Code, atom.Sub, atom.Sup, atom.Q, atom.Cite, atom.Abbr, atom.Mark, atom.Small, atom.S, atom.U:
		r.phtml.WriteString("<" + n.Data + ">")
		r.inlineChildren(n)
		r.phtml.WriteString("</" + n.Data + ">")
		return
	}
	if isBlockTag(n.DataAtom) {
		// A block inside phrasing content: keep its words apart.
		r.text(" ")
		r.inlineChildren(n)
		r.text(" ")
		return
	}
	r.inlineChildren(n)
}

func (r *renderer) figure(n *xhtml.Node) {
	var img string
	var alt string
	var caption *xhtml.Node
	var walk func(*xhtml.Node)
	walk = func(c *xhtml.Node) {
		if c.Type != xhtml.ElementNode {
			return
		}
		switch c.DataAtom {
		case atom.Img:
			if img == "" {
				img = r.x.imgSrc(c)
				alt = attr(c, "alt")
			}
		case atom.Figcaption:
			if caption == nil {
				caption = c
			}
			return
		}
		for k := c.FirstChild; k != nil; k = k.NextSibling {
			walk(k)
		}
	}
	walk(n)
	if img == "" {
		// A figure without an image (a pull quote, a chart in text).
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if c.Type == xhtml.ElementNode && c.DataAtom == atom.Figcaption {
				continue
			}
			r.container(c)
		}
		r.flush()
		return
	}
	r.html.WriteString(`<figure><img src="` + html.EscapeString(img) + `" alt="` + html.EscapeString(alt) + `">`)
	if caption != nil {
		if t := collapse(textOf(caption)); t != "" {
			r.html.WriteString("<figcaption>" + html.EscapeString(t) + "</figcaption>")
		}
	}
	r.html.WriteString("</figure>\n")
}

func (r *renderer) table(n *xhtml.Node) {
	r.html.WriteString("<table>\n")
	var rows func(*xhtml.Node)
	rows = func(c *xhtml.Node) {
		for k := c.FirstChild; k != nil; k = k.NextSibling {
			if k.Type != xhtml.ElementNode {
				continue
			}
			switch k.DataAtom {
			case atom.Thead, atom.Tbody, atom.Tfoot:
				rows(k)
			case atom.Tr:
				r.html.WriteString("<tr>")
				for cell := k.FirstChild; cell != nil; cell = cell.NextSibling {
					if cell.Type != xhtml.ElementNode || (cell.DataAtom != atom.Td && cell.DataAtom != atom.Th) {
						continue
					}
					// Each cell is a paragraph of the text; the HTML keeps
					// the grid.
					outer := r.html
					r.html = &strings.Builder{}
					r.children(cell)
					r.flush()
					inner := strings.TrimSpace(r.html.String())
					r.html = outer
					r.html.WriteString("<" + cell.Data + ">" + inner + "</" + cell.Data + ">")
				}
				r.html.WriteString("</tr>\n")
			case atom.Caption:
				r.ptag = "p"
				r.inlineChildren(k)
				r.flush()
			}
		}
	}
	rows(n)
	r.html.WriteString("</table>\n")
}

// imgSrc is the image's URL, lazy-loading attributes first.
func (x *extractor) imgSrc(n *xhtml.Node) string {
	if n.DataAtom == atom.Picture {
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if c.Type == xhtml.ElementNode && c.DataAtom == atom.Img {
				return x.imgSrc(c)
			}
		}
		return ""
	}
	for _, k := range []string{"data-src", "data-lazy-src", "data-original", "data-url", "data-hi-res-src", "data-lazy"} {
		if v := attr(n, k); v != "" && !strings.HasPrefix(v, "data:") {
			return x.resolve(v)
		}
	}
	src := attr(n, "src")
	if src == "" || strings.HasPrefix(src, "data:") {
		for _, k := range []string{"data-srcset", "srcset", "data-lazy-srcset"} {
			if v := attr(n, k); v != "" {
				first := strings.TrimSpace(strings.Split(v, ",")[0])
				if f := strings.Fields(first); len(f) > 0 {
					return x.resolve(f[0])
				}
			}
		}
		return ""
	}
	return x.resolve(src)
}

// skip reports whether an element inside the chosen content is boilerplate.
func (r *renderer) skip(n *xhtml.Node) bool {
	s := r.stats[n]
	if s == nil {
		return false
	}
	switch n.DataAtom {
	case atom.P, atom.A, atom.Em, atom.Strong, atom.B, atom.I, atom.Br, atom.Img, atom.Picture, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6:
		x := r.x
		x.tok = classTokens(n, x.tok)
		if x.v.junk.match(x.tok) {
			return true
		}
		// A paragraph that is one link to the same site is a teaser for
		// another article (links out, such as shop links, are content).
		return n.DataAtom == atom.P && s.textLen > 0 && s.linkDensity() > 0.8 && r.internalLinks(n)
	}
	x := r.x
	x.tok = classTokens(n, x.tok)
	if x.v.junk.match(x.tok) && !x.v.keep.match(x.tok) && !hasDescendant(n, atom.Blockquote) {
		// An embedded post (a quoted tweet) sits in a "social" box but
		// is part of the story.
		return true
	}
	if !isBlockTag(n.DataAtom) {
		return false
	}
	ld := s.linkDensity()
	switch n.DataAtom {
	case atom.Ul, atom.Ol, atom.Div, atom.Section, atom.Table, atom.Dl:
		if s.textLen == 0 {
			return false
		}
		if s.commas >= 10 {
			return false
		}
		w := r.x.classWeight(n)
		if w < 25 && ld > 0.3 && s.textLen < 1000 {
			// A short list of links out of the site (shops, sources)
			// belongs to the text; one into the site is a teaser list.
			if (n.DataAtom == atom.Ul || n.DataAtom == atom.Ol) && r.internalShare(n) < 0.5 {
				return false
			}
			return true
		}
		if ld > 0.5 {
			return true
		}
	case atom.Li:
		if ld > 0.8 && s.textLen < 200 && false {
			return true
		}
	}
	return false
}

// preferLD replaces the rendered text by the JSON-LD articleBody when that
// is clearly longer and its words are found in the page's content.
func (x *extractor) preferLD(b *body, ld string) {
	ldText := normalizeBodyText(ld)
	if len(ldText) < len(b.text)*5/4 || len(ldText) < 200 {
		return
	}
	// Most of what the DOM gave should be inside the articleBody.
	if overlap(b.text, ldText) < 0.6 {
		return
	}
	b.text = ldText
	b.html = textToHTML(ldText)
}

// overlap is the share of a's word 3-grams found in b.
func overlap(a, b string) float64 {
	ta, tb := strings.Fields(a), strings.Fields(b)
	if len(ta) < 3 || len(tb) < 3 {
		return 0
	}
	set := make(map[[3]string]struct{}, len(tb))
	for i := 0; i+3 <= len(tb); i++ {
		set[[3]string{tb[i], tb[i+1], tb[i+2]}] = struct{}{}
	}
	hit := 0
	for i := 0; i+3 <= len(ta); i++ {
		if _, ok := set[[3]string{ta[i], ta[i+1], ta[i+2]}]; ok {
			hit++
		}
	}
	return float64(hit) / float64(len(ta)-2)
}

// normalizeBodyText turns a JSON-LD articleBody (plain text, sometimes with
// HTML entities or tags) into paragraphs separated by blank lines.
func normalizeBodyText(s string) string {
	if strings.ContainsAny(s, "<&") {
		s = html.UnescapeString(stripTags(s))
	}
	var out []string
	for _, p := range strings.Split(strings.ReplaceAll(s, "\r", ""), "\n") {
		if p = collapse(p); p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, "\n\n")
}

func stripTags(s string) string {
	var b strings.Builder
	in := false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '<':
			in = true
		case c == '>' && in:
			in = false
			b.WriteByte(' ')
		case !in:
			b.WriteByte(c)
		}
	}
	return b.String()
}

func textToHTML(text string) string {
	var b strings.Builder
	for _, p := range strings.Split(text, "\n\n") {
		if p = strings.TrimSpace(p); p != "" {
			b.WriteString("<p>" + html.EscapeString(p) + "</p>\n")
		}
	}
	return b.String()
}

// isBareURL reports whether a paragraph is only a web address.
func isBareURL(t string) bool {
	return (strings.HasPrefix(t, "http://") || strings.HasPrefix(t, "https://")) && !strings.ContainsAny(t, " \n")
}

// internalLinks reports whether every link below n points to the page's own
// site.
func (r *renderer) internalLinks(n *xhtml.Node) bool {
	ok := true
	var walk func(*xhtml.Node)
	walk = func(c *xhtml.Node) {
		if !ok || c.Type != xhtml.ElementNode && c != n {
			return
		}
		if c.DataAtom == atom.A {
			ok = r.x.sameSite(attr(c, "href"))
			return
		}
		for k := c.FirstChild; k != nil; k = k.NextSibling {
			walk(k)
		}
	}
	walk(n)
	return ok
}

// internalShare is the share of the links below n that point to the page's
// own site.
func (r *renderer) internalShare(n *xhtml.Node) float64 {
	in, all := 0, 0
	var walk func(*xhtml.Node)
	walk = func(c *xhtml.Node) {
		if c.Type != xhtml.ElementNode {
			return
		}
		if c.DataAtom == atom.A {
			all++
			if r.x.sameSite(attr(c, "href")) {
				in++
			}
			return
		}
		for k := c.FirstChild; k != nil; k = k.NextSibling {
			walk(k)
		}
	}
	walk(n)
	if all == 0 {
		return 0
	}
	return float64(in) / float64(all)
}

func hasDescendant(n *xhtml.Node, a atom.Atom) bool {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == xhtml.ElementNode && (c.DataAtom == a || hasDescendant(c, a)) {
			return true
		}
	}
	return false
}
