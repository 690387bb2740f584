// Package sanitize is newsdesk's single HTML policy. Every piece of HTML
// that comes from a source goes through HTML last, before it is stored; only
// its output may be shown as trusted markup. The policy is an explicit
// allow-list applied to the tree the HTML5 parser builds (the same tree a
// browser builds), and the output is re-serialised from that tree, so what
// a browser parses is exactly what was checked.
package sanitize

import (
	"net/url"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// HTML returns the allowed subset of s: relative URLs made absolute against
// base (which may be nil), lazy images given a real src, tracking pixels,
// scripts and everything not allowed removed, links marked nofollow. The
// result is a fragment suitable for Article.Body. Input the HTML parser
// refuses (elements nested more than 512 deep) yields "".
func HTML(base *url.URL, s string) string {
	root := clean(base, s)
	if root == nil {
		return ""
	}
	return renderRoot(root, len(s))
}

// clean parses s and applies the policy to the tree; nil when the parser
// refuses s.
func clean(base *url.URL, s string) *html.Node {
	root := parseFragment(s)
	if root == nil {
		return nil
	}
	c := cleaner{base: base}
	c.cleanChildren(root, true)
	groupInline(root)
	return root
}

// renderRoot serialises the children of a cleaned root.
func renderRoot(root *html.Node, size int) string {
	var b strings.Builder
	b.Grow(size)
	for n := root.FirstChild; n != nil; n = n.NextSibling {
		render(&b, n)
	}
	return strings.TrimSpace(b.String())
}

// parseFragment parses s as the content of a <body> and returns a detached
// root holding the nodes.
func parseFragment(s string) *html.Node {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	ctx := &html.Node{Type: html.ElementNode, Data: "body", DataAtom: atom.Body}
	nodes, err := html.ParseFragment(strings.NewReader(s), ctx)
	if err != nil {
		return nil
	}
	root := &html.Node{Type: html.DocumentNode}
	for _, n := range nodes {
		if n.Parent != nil {
			n.Parent.RemoveChild(n)
		}
		root.AppendChild(n)
	}
	return root
}

type action int

const (
	drop        action = iota // remove with everything inside
	keep                      // keep, with its attributes filtered
	unwrap                    // remove the tag, keep what is inside
	unwrapBlock               // as unwrap, and keep block structure with <p>
)

// classify is the allow-list of elements. It may rename n (h1 → h2).
func classify(n *html.Node) action {
	switch n.DataAtom {
	case atom.P, atom.Br, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6,
		atom.Strong, atom.B, atom.Em, atom.I, atom.U, atom.S, atom.Sub, atom.Sup,
		atom.Blockquote, atom.Q, atom.Cite, atom.Code, atom.Pre,
		atom.Ul, atom.Ol, atom.Li, atom.Dl, atom.Dt, atom.Dd,
		atom.A, atom.Img, atom.Figure, atom.Figcaption,
		atom.Table, atom.Caption, atom.Thead, atom.Tbody, atom.Tfoot, atom.Tr, atom.Th, atom.Td,
		atom.Hr, atom.Abbr, atom.Time, atom.Iframe:
		return keep
	case atom.H1:
		rename(n, atom.H2)
		return keep
	case atom.Strike, atom.Del:
		rename(n, atom.S)
		return keep
	case atom.Ins:
		rename(n, atom.U)
		return keep
	case atom.Tt, atom.Kbd, atom.Samp:
		rename(n, atom.Code)
		return keep
	case atom.Script, atom.Style, atom.Noscript, atom.Template, atom.Object, atom.Embed,
		atom.Applet, atom.Param, atom.Form, atom.Input, atom.Button, atom.Select, atom.Option,
		atom.Optgroup, atom.Textarea, atom.Datalist, atom.Output, atom.Fieldset, atom.Legend,
		atom.Svg, atom.Math, atom.Base, atom.Meta, atom.Link, atom.Title, atom.Head,
		atom.Frame, atom.Frameset, atom.Noframes, atom.Noembed, atom.Xmp, atom.Plaintext,
		atom.Audio, atom.Video, atom.Canvas, atom.Map, atom.Area, atom.Source, atom.Track,
		atom.Colgroup, atom.Col, atom.Wbr, atom.Dialog, atom.Menuitem, atom.Keygen,
		atom.Progress, atom.Meter, atom.Slot, atom.Html, atom.Body, atom.Image, atom.Marquee:
		return drop
	case atom.Div, atom.Section, atom.Article, atom.Main, atom.Header, atom.Footer,
		atom.Aside, atom.Nav, atom.Address, atom.Center, atom.Details, atom.Summary,
		atom.Hgroup, atom.Menu, atom.Dir, atom.Listing, atom.Search:
		return unwrapBlock
	}
	if n.DataAtom == 0 && n.Namespace != "" {
		return drop // stray foreign content
	}
	if strings.Contains(n.Data, ":") {
		return drop // namespaced tags (o:p, v:shape …) from word processors
	}
	return unwrap // span, font, small, mark, custom elements …
}

func rename(n *html.Node, a atom.Atom) {
	n.DataAtom = a
	n.Data = a.String()
}

type cleaner struct {
	base     *url.URL
	headings int // depth of kept headings around the current node
}

// cleanChildren applies the policy to parent's children, in place. flow
// says whether parent may hold paragraphs (so that unwrapped block
// containers can leave their inline content in <p>).
func (c *cleaner) cleanChildren(parent *html.Node, flow bool) {
	for n := parent.FirstChild; n != nil; {
		next := n.NextSibling
		switch n.Type {
		case html.TextNode:
		case html.ElementNode:
			c.cleanElement(parent, n, flow)
		default: // comments, doctypes
			parent.RemoveChild(n)
		}
		n = next
	}
}

func (c *cleaner) cleanElement(parent, n *html.Node, flow bool) {
	act := classify(n)
	if act == keep {
		act = c.attributes(n)
	}
	// A parser never nests a heading directly in another; one reached
	// through an unwrapped element is unwrapped too, so that the output
	// reads back as the same tree.
	heading := isHeading(n.DataAtom)
	if act == keep && heading && c.headings > 0 {
		act = unwrap
	}
	switch act {
	case drop:
		parent.RemoveChild(n)
	case unwrap, unwrapBlock:
		c.cleanChildren(n, flow && act == unwrapBlock)
		if act == unwrapBlock && flow {
			groupInline(n)
		}
		for ch := n.FirstChild; ch != nil; {
			nx := ch.NextSibling
			n.RemoveChild(ch)
			parent.InsertBefore(ch, n)
			ch = nx
		}
		parent.RemoveChild(n)
	case keep:
		switch n.DataAtom {
		case atom.Iframe, atom.Img, atom.Br, atom.Hr:
			for n.FirstChild != nil {
				n.RemoveChild(n.FirstChild)
			}
			return
		}
		if heading {
			c.headings++
		}
		c.cleanChildren(n, holdsFlow(n.DataAtom))
		if heading {
			c.headings--
		}
		if n.DataAtom == atom.Blockquote && hasBlockChild(n) {
			groupInline(n)
		}
		if removableWhenEmpty(n.DataAtom) && !meaningful(n) {
			parent.RemoveChild(n)
		}
	}
}

func isHeading(a atom.Atom) bool {
	switch a {
	case atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6:
		return true
	}
	return false
}

func holdsFlow(a atom.Atom) bool {
	switch a {
	case atom.Blockquote, atom.Li, atom.Dd, atom.Td, atom.Th, atom.Figure:
		return true
	}
	return false
}

func removableWhenEmpty(a atom.Atom) bool {
	switch a {
	case atom.P, atom.A, atom.Strong, atom.B, atom.Em, atom.I, atom.U, atom.S, atom.Sub, atom.Sup,
		atom.Q, atom.Cite, atom.Code, atom.Abbr, atom.Time, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6,
		atom.Blockquote, atom.Figure, atom.Figcaption, atom.Pre, atom.Ul, atom.Ol, atom.Dl, atom.Li,
		atom.Dt, atom.Dd, atom.Table, atom.Caption:
		return true
	}
	return false
}

// meaningful reports whether n holds visible text or an image or embed.
func meaningful(n *html.Node) bool {
	for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
		switch ch.Type {
		case html.TextNode:
			if !blank(ch.Data) {
				return true
			}
		case html.ElementNode:
			switch ch.DataAtom {
			case atom.Img, atom.Iframe, atom.Hr:
				return true
			}
			if meaningful(ch) {
				return true
			}
		}
	}
	return false
}

func blank(s string) bool {
	for _, r := range s {
		if !unicode.IsSpace(r) && r != '\u200b' && r != '\ufeff' && r != '\u200c' && r != '\u200d' {
			return false
		}
	}
	return true
}

// isBlock reports whether a kept element may not sit inside a <p>.
func isBlock(n *html.Node) bool {
	if n.Type != html.ElementNode {
		return false
	}
	switch n.DataAtom {
	case atom.P, atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6, atom.Blockquote, atom.Pre,
		atom.Ul, atom.Ol, atom.Li, atom.Dl, atom.Dt, atom.Dd, atom.Figure, atom.Figcaption,
		atom.Table, atom.Caption, atom.Thead, atom.Tbody, atom.Tfoot, atom.Tr, atom.Td, atom.Th, atom.Hr:
		return true
	}
	return hasBlockChild(n)
}

func hasBlockChild(n *html.Node) bool {
	for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
		if isBlock(ch) {
			return true
		}
	}
	return false
}

// groupInline wraps each run of inline children of parent that holds
// visible content in a <p>. Runs with nothing visible lose their elements
// (stray <br>s).
func groupInline(parent *html.Node) {
	mergeText(parent)
	var run []*html.Node
	flush := func(before *html.Node) {
		if len(run) == 0 {
			return
		}
		visible := false
		for _, n := range run {
			if n.Type == html.TextNode && !blank(n.Data) || n.Type == html.ElementNode && (n.DataAtom == atom.Img || n.DataAtom == atom.Iframe || meaningful(n)) {
				visible = true
				break
			}
		}
		if !visible {
			// Keep one line break where there was only space between blocks.
			kept := false
			for _, n := range run {
				if n.Type == html.TextNode && !kept {
					n.Data, kept = "\n", true
					continue
				}
				parent.RemoveChild(n)
			}
			run = run[:0]
			return
		}
		// Whitespace at the edges of the run stays outside the paragraph.
		for len(run) > 0 && run[0].Type == html.TextNode && blank(run[0].Data) {
			run[0].Data = "\n"
			run = run[1:]
		}
		for len(run) > 0 && run[len(run)-1].Type == html.TextNode && blank(run[len(run)-1].Data) {
			run[len(run)-1].Data = "\n"
			run = run[:len(run)-1]
		}
		p := &html.Node{Type: html.ElementNode, Data: "p", DataAtom: atom.P}
		parent.InsertBefore(p, run[0])
		for _, n := range run {
			parent.RemoveChild(n)
			p.AppendChild(n)
		}
		run = run[:0]
	}
	for n := parent.FirstChild; n != nil; {
		next := n.NextSibling
		if isBlock(n) {
			flush(n)
		} else {
			run = append(run, n)
		}
		n = next
	}
	flush(nil)
}

// mergeText joins adjacent text children, as a parser would when reading
// the output again.
func mergeText(parent *html.Node) {
	for n := parent.FirstChild; n != nil; n = n.NextSibling {
		for n.Type == html.TextNode && n.NextSibling != nil && n.NextSibling.Type == html.TextNode {
			nx := n.NextSibling
			n.Data += nx.Data
			parent.RemoveChild(nx)
		}
	}
}

// attributes filters n's attributes in place and may change the decision
// (a link without a usable href is unwrapped; an image without a usable
// source, a tracking pixel or a foreign iframe is dropped).
func (c *cleaner) attributes(n *html.Node) action {
	switch n.DataAtom {
	case atom.A:
		return c.link(n)
	case atom.Img:
		return c.image(n)
	case atom.Iframe:
		return c.embed(n)
	}
	old := n.Attr
	n.Attr = n.Attr[:0:0]
	for _, a := range old {
		if a.Namespace != "" {
			continue
		}
		switch a.Key {
		case "dir", "lang":
			if v, ok := textDirLang(a.Key, a.Val); ok {
				n.Attr = append(n.Attr, html.Attribute{Key: a.Key, Val: v})
			}
		case "cite":
			if n.DataAtom == atom.Blockquote || n.DataAtom == atom.Q {
				if u, ok := c.url(a.Val, false); ok {
					n.Attr = append(n.Attr, html.Attribute{Key: "cite", Val: u})
				}
			}
		case "colspan", "rowspan":
			if n.DataAtom == atom.Td || n.DataAtom == atom.Th {
				if v, ok := smallInt(a.Val, 1, 1000); ok {
					n.Attr = append(n.Attr, html.Attribute{Key: a.Key, Val: v})
				}
			}
		case "start":
			if n.DataAtom == atom.Ol {
				if v, ok := smallInt(a.Val, -1000000, 1000000); ok {
					n.Attr = append(n.Attr, html.Attribute{Key: a.Key, Val: v})
				}
			}
		case "title":
			if n.DataAtom == atom.Abbr {
				n.Attr = append(n.Attr, html.Attribute{Key: "title", Val: clip(a.Val, 300)})
			}
		case "datetime":
			if n.DataAtom == atom.Time {
				n.Attr = append(n.Attr, html.Attribute{Key: "datetime", Val: clip(a.Val, 64)})
			}
		}
	}
	n.Attr = dedupe(n.Attr)
	return keep
}

func (c *cleaner) link(n *html.Node) action {
	var href, title string
	var dl []html.Attribute
	for _, a := range n.Attr {
		if a.Namespace != "" {
			continue
		}
		switch a.Key {
		case "href":
			if href == "" {
				if u, ok := c.url(a.Val, true); ok && !trackerURL(u) {
					href = u
				}
			}
		case "title":
			title = clip(a.Val, 300)
		case "dir", "lang":
			if v, ok := textDirLang(a.Key, a.Val); ok {
				dl = append(dl, html.Attribute{Key: a.Key, Val: v})
			}
		}
	}
	if href == "" {
		return unwrap
	}
	n.Attr = append(n.Attr[:0:0], html.Attribute{Key: "href", Val: href})
	if title != "" {
		n.Attr = append(n.Attr, html.Attribute{Key: "title", Val: title})
	}
	n.Attr = append(n.Attr, dedupe(dl)...)
	n.Attr = append(n.Attr, html.Attribute{Key: "rel", Val: "nofollow noopener noreferrer"})
	return keep
}

// lazySrcAttrs name where lazy-loading scripts keep the real image.
var lazySrcAttrs = [...]string{"data-src", "data-lazy-src", "data-original", "data-lazy", "data-url", "data-hi-res-src", "data-orig-file"}

func (c *cleaner) image(n *html.Node) action {
	get := func(key string) string {
		for _, a := range n.Attr {
			if a.Namespace == "" && a.Key == key {
				return a.Val
			}
		}
		return ""
	}
	src, ok := c.url(get("src"), false)
	if !ok || isPlaceholder(src) {
		src, ok = "", false
		for _, k := range lazySrcAttrs {
			if u, good := c.url(get(k), false); good && !isPlaceholder(u) {
				src, ok = u, true
				break
			}
		}
	}
	srcset := c.srcset(get("srcset"))
	if srcset == "" {
		for _, k := range [...]string{"data-srcset", "data-lazy-srcset"} {
			if srcset = c.srcset(get(k)); srcset != "" {
				break
			}
		}
	}
	if !ok && srcset != "" {
		first, _, _ := strings.Cut(srcset, " ")
		src, ok = strings.TrimSuffix(first, ","), true
	}
	if !ok {
		return drop
	}
	width, wok := smallInt(get("width"), 0, 100000)
	height, hok := smallInt(get("height"), 0, 100000)
	if wok && hok && len(width) == 1 && width <= "1" && len(height) == 1 && height <= "1" {
		return drop // a 1×1 or 0×0 tracking pixel
	}
	if trackerURL(src) {
		return drop
	}
	attrs := []html.Attribute{{Key: "src", Val: src}}
	if srcset != "" {
		attrs = append(attrs, html.Attribute{Key: "srcset", Val: srcset})
	}
	if alt := get("alt"); alt != "" {
		attrs = append(attrs, html.Attribute{Key: "alt", Val: clip(alt, 1000)})
	}
	if title := get("title"); title != "" {
		attrs = append(attrs, html.Attribute{Key: "title", Val: clip(title, 300)})
	}
	if wok && width != "0" {
		attrs = append(attrs, html.Attribute{Key: "width", Val: width})
	}
	if hok && height != "0" {
		attrs = append(attrs, html.Attribute{Key: "height", Val: height})
	}
	for _, k := range [...]string{"dir", "lang"} {
		if v, ok := textDirLang(k, get(k)); ok {
			attrs = append(attrs, html.Attribute{Key: k, Val: v})
		}
	}
	attrs = append(attrs, html.Attribute{Key: "loading", Val: "lazy"})
	n.Attr = attrs
	return keep
}

// embed keeps YouTube and Vimeo players, rewritten to a canonical,
// privacy-friendly src and sandboxed; every other iframe is dropped.
func (c *cleaner) embed(n *html.Node) action {
	var src, width, height string
	for _, a := range n.Attr {
		if a.Namespace != "" {
			continue
		}
		switch a.Key {
		case "src":
			if src == "" {
				src = a.Val
			}
		case "width":
			width, _ = smallInt(a.Val, 1, 10000)
		case "height":
			height, _ = smallInt(a.Val, 1, 10000)
		}
	}
	abs, ok := c.url(src, false)
	if !ok {
		return drop
	}
	safe, ok := embedURL(abs)
	if !ok {
		return drop
	}
	n.Attr = []html.Attribute{{Key: "src", Val: safe}}
	if width != "" {
		n.Attr = append(n.Attr, html.Attribute{Key: "width", Val: width})
	}
	if height != "" {
		n.Attr = append(n.Attr, html.Attribute{Key: "height", Val: height})
	}
	n.Attr = append(n.Attr,
		html.Attribute{Key: "sandbox", Val: "allow-scripts allow-same-origin allow-popups allow-presentation"},
		html.Attribute{Key: "allow", Val: "fullscreen; picture-in-picture"},
		html.Attribute{Key: "allowfullscreen", Val: ""},
		html.Attribute{Key: "referrerpolicy", Val: "strict-origin-when-cross-origin"},
		html.Attribute{Key: "loading", Val: "lazy"},
	)
	return keep
}

// embedURL maps a player URL to its canonical safe form.
func embedURL(raw string) (string, bool) {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "https" && u.Scheme != "http" {
		return "", false
	}
	q := u.Query()
	switch strings.ToLower(u.Hostname()) {
	case "www.youtube.com", "youtube.com", "m.youtube.com", "www.youtube-nocookie.com", "youtube-nocookie.com":
		id, ok := strings.CutPrefix(u.Path, "/embed/")
		if !ok || !isToken(id, 64) {
			return "", false
		}
		out := "https://www.youtube-nocookie.com/embed/" + id
		if s, ok := smallInt(q.Get("start"), 0, 1000000); ok {
			out += "?start=" + s
		}
		return out, true
	case "player.vimeo.com":
		id, ok := strings.CutPrefix(u.Path, "/video/")
		if !ok || !isDigits(id) || len(id) > 20 {
			return "", false
		}
		out := "https://player.vimeo.com/video/" + id
		if h := q.Get("h"); h != "" && isHexToken(h, 32) {
			out += "?h=" + h
		}
		return out, true
	}
	return "", false
}

// url cleans one URL attribute: ASCII tabs and newlines removed and the
// ends trimmed (as browsers do), resolved against the base, and kept only
// for http and https (and mailto when mailto is set).
func (c *cleaner) url(raw string, mailto bool) (string, bool) {
	s := strings.Map(func(r rune) rune {
		switch r {
		case '\t', '\n', '\r':
			return -1
		case '\\':
			return '/'
		}
		return r
	}, raw)
	s = strings.TrimFunc(s, func(r rune) bool { return r <= ' ' })
	if s == "" || len(s) > 8192 {
		return "", false
	}
	u, err := url.Parse(s)
	if err != nil {
		return "", false
	}
	if c.base != nil {
		u = c.base.ResolveReference(u)
	}
	switch strings.ToLower(u.Scheme) {
	case "http", "https":
		if u.Host == "" {
			return "", false
		}
		u.Scheme = strings.ToLower(u.Scheme)
		u.User = nil
		return u.String(), true
	case "mailto":
		if !mailto || u.Opaque == "" {
			return "", false
		}
		return "mailto:" + u.Opaque + queryOf(u), true
	case "":
		// Relative, with no base to resolve against: keep it unless an
		// unescaped reading would show a scheme.
		if un, err := url.PathUnescape(s); err != nil || hasScheme(un) {
			return "", false
		}
		return u.String(), true
	}
	return "", false
}

func queryOf(u *url.URL) string {
	if u.RawQuery == "" {
		return ""
	}
	return "?" + u.RawQuery
}

func hasScheme(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ':':
			return i > 0
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z':
		case i > 0 && ('0' <= c && c <= '9' || c == '+' || c == '-' || c == '.'):
		default:
			return false
		}
	}
	return false
}

// srcset cleans a srcset list: each candidate URL resolved and checked,
// descriptors kept only when they are a width (123w) or density (1.5x).
func (c *cleaner) srcset(v string) string {
	var out []string
	for _, cand := range splitSrcset(v) {
		u, ok := c.url(cand.url, false)
		if !ok || strings.ContainsAny(u, " ,") {
			if !ok {
				continue
			}
			u = strings.NewReplacer(" ", "%20", ",", "%2C").Replace(u)
		}
		if cand.desc != "" {
			if !validDescriptor(cand.desc) {
				continue
			}
			u += " " + cand.desc
		}
		out = append(out, u)
	}
	return strings.Join(out, ", ")
}

type srcsetCandidate struct{ url, desc string }

// splitSrcset follows the HTML "parse a srcset attribute" steps closely
// enough for real pages: a URL is a run of non-space, trailing commas end
// it; the descriptor runs to the next comma.
func splitSrcset(v string) []srcsetCandidate {
	var out []srcsetCandidate
	isSpace := func(b byte) bool { return b == ' ' || b == '\t' || b == '\n' || b == '\r' || b == '\f' }
	i := 0
	for i < len(v) {
		for i < len(v) && (isSpace(v[i]) || v[i] == ',') {
			i++
		}
		start := i
		for i < len(v) && !isSpace(v[i]) {
			i++
		}
		u := v[start:i]
		if u == "" {
			break
		}
		if strings.HasSuffix(u, ",") {
			out = append(out, srcsetCandidate{url: strings.TrimRight(u, ",")})
			continue
		}
		start = i
		for i < len(v) && v[i] != ',' {
			i++
		}
		out = append(out, srcsetCandidate{url: u, desc: strings.TrimSpace(v[start:i])})
	}
	return out
}

func validDescriptor(d string) bool {
	if len(d) < 2 || len(d) > 12 {
		return false
	}
	num, unit := d[:len(d)-1], d[len(d)-1]
	switch unit {
	case 'w':
		return isDigits(num)
	case 'x':
		_, err := strconv.ParseFloat(num, 64)
		return err == nil && num[0] != '-' && num[0] != '+' && !strings.ContainsAny(num, "eEnN")
	}
	return false
}

// isPlaceholder recognises the stand-in images of lazy loaders.
func isPlaceholder(u string) bool {
	p := strings.ToLower(u)
	if i := strings.IndexAny(p, "?#"); i >= 0 {
		p = p[:i]
	}
	name := p[strings.LastIndexByte(p, '/')+1:]
	switch name {
	case "blank.gif", "blank.png", "spacer.gif", "pixel.gif", "pixel.png", "1x1.gif", "1x1.png",
		"transparent.gif", "transparent.png", "grey.gif", "gray.gif", "loading.gif", "empty.gif", "clear.gif":
		return true
	}
	return strings.Contains(name, "placeholder") || strings.HasPrefix(name, "lazy") && (strings.HasSuffix(name, ".gif") || strings.HasSuffix(name, ".svg") || strings.HasSuffix(name, ".png"))
}

// trackerURL recognises known tracking and feed-analytics hosts.
func trackerURL(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil {
		return false
	}
	host := strings.ToLower(u.Hostname())
	switch host {
	case "pixel.wp.com", "stats.wordpress.com", "pixel.quantserve.com", "sb.scorecardresearch.com",
		"www.google-analytics.com", "google-analytics.com", "pixel.facebook.com",
		"ad.doubleclick.net", "feeds.feedblitz.com", "pixel.mathtag.com", "bat.bing.com", "api.rss2json.com":
		return host != "feeds.feedblitz.com" || strings.HasPrefix(u.Path, "/~/i/")
	case "feeds.feedburner.com", "feedproxy.google.com":
		return strings.HasPrefix(u.Path, "/~r/") || strings.HasPrefix(u.Path, "/~ff/") || strings.HasPrefix(u.Path, "/~a/")
	}
	return host == "doubleclick.net" || strings.HasSuffix(host, ".doubleclick.net")
}

func textDirLang(key, v string) (string, bool) {
	v = strings.TrimSpace(v)
	if key == "dir" {
		switch l := strings.ToLower(v); l {
		case "ltr", "rtl", "auto":
			return l, true
		}
		return "", false
	}
	if v == "" || len(v) > 35 {
		return "", false
	}
	for i := 0; i < len(v); i++ {
		c := v[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-') {
			return "", false
		}
	}
	return v, true
}

func smallInt(v string, lo, hi int) (string, bool) {
	v = strings.TrimSpace(v)
	v = strings.TrimSuffix(v, "px")
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		return "", false
	}
	return strconv.Itoa(n), true
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

func isToken(s string, max int) bool {
	if s == "" || len(s) > max {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

func isHexToken(s string, max int) bool {
	if s == "" || len(s) > max {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'f' || '0' <= c && c <= '9') {
			return false
		}
	}
	return true
}

func clip(s string, max int) string {
	if len(s) <= max {
		return s
	}
	for max > 0 && !utf8.RuneStart(s[max]) {
		max--
	}
	return s[:max]
}

func dedupe(attrs []html.Attribute) []html.Attribute {
	for i := 1; i < len(attrs); i++ {
		for j := 0; j < i; j++ {
			if attrs[j].Key == attrs[i].Key {
				attrs = append(attrs[:i], attrs[i+1:]...)
				i--
				break
			}
		}
	}
	return attrs
}

// render writes n as HTML. Only elements and attributes the policy kept
// are in the tree, and every text and attribute value is escaped.
func render(b *strings.Builder, n *html.Node) {
	switch n.Type {
	case html.TextNode:
		escape(b, n.Data, false)
		return
	case html.ElementNode:
	default:
		return
	}
	b.WriteByte('<')
	b.WriteString(n.Data)
	for _, a := range n.Attr {
		b.WriteByte(' ')
		b.WriteString(a.Key)
		if a.Val == "" && a.Key == "allowfullscreen" {
			continue
		}
		b.WriteString(`="`)
		escape(b, a.Val, true)
		b.WriteByte('"')
	}
	b.WriteByte('>')
	switch n.DataAtom {
	case atom.Br, atom.Hr, atom.Img:
		return
	case atom.Pre:
		// The parser drops a newline right after <pre>; keep one that was there.
		if fc := n.FirstChild; fc != nil && fc.Type == html.TextNode && strings.HasPrefix(fc.Data, "\n") {
			b.WriteByte('\n')
		}
	}
	for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
		render(b, ch)
	}
	b.WriteString("</")
	b.WriteString(n.Data)
	b.WriteByte('>')
}

func escape(b *strings.Builder, s string, attr bool) {
	last := 0
	for i := 0; i < len(s); i++ {
		var esc string
		switch s[i] {
		case '&':
			esc = "&amp;"
		case '<':
			esc = "&lt;"
		case '>':
			esc = "&gt;"
		case '"':
			if !attr {
				continue
			}
			esc = "&#34;"
		case 0:
			esc = "\uFFFD"
		default:
			continue
		}
		b.WriteString(s[last:i])
		b.WriteString(esc)
		last = i + 1
	}
	b.WriteString(s[last:])
}
