package extract

import (
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// stat is what the scorer knows of one element.
type stat struct {
	textLen  int // runes of text, white space runs counted once
	linkLen  int // runes of text inside links
	commas   int
	paras    int // <p> descendants
	score    float64
	scored   bool
	classWgt int
}

func (s *stat) linkDensity() float64 {
	if s.textLen == 0 {
		return 0
	}
	return float64(s.linkLen) / float64(s.textLen)
}

// body is the rendered main content.
type body struct {
	html, text string
}

// content finds, prunes and renders the main content of doc.
func (x *extractor) content(doc *html.Node, m *meta) *body {
	root := findBody(doc)
	if root == nil {
		return nil
	}
	x.strip(root)
	return x.render(root, m)
}

func (x *extractor) render(root *html.Node, m *meta) *body {
	stats := make(map[*html.Node]*stat, 1024)
	measure(root, stats)
	top := x.pick(root, stats)
	if top == nil {
		return nil
	}
	nodes := x.siblings(top, stats)
	r := &renderer{x: x, stats: stats, html: &strings.Builder{}}
	for _, n := range nodes {
		r.container(n)
	}
	r.flush()
	b := &body{html: r.html.String(), text: strings.Join(r.paras, "\n\n")}
	if m.articleBody != "" {
		x.preferLD(b, m.articleBody)
	}
	return b
}

func findBody(doc *html.Node) *html.Node {
	var found *html.Node
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if found != nil {
			return
		}
		if n.Type == html.ElementNode && n.DataAtom == atom.Body {
			found = n
			return
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	if found == nil {
		return doc
	}
	return found
}

// strip removes what is never article text: scripts, forms' controls,
// navigation, hidden elements and blocks whose class or id says they are
// page furniture.
func (x *extractor) strip(n *html.Node) {
	for c := n.FirstChild; c != nil; {
		next := c.NextSibling
		switch c.Type {
		case html.CommentNode, html.DoctypeNode:
			n.RemoveChild(c)
		case html.ElementNode:
			if x.drop(c) {
				n.RemoveChild(c)
			} else {
				x.strip(c)
			}
		}
		c = next
	}
}

func (x *extractor) drop(n *html.Node) bool {
	switch n.DataAtom {
	case atom.Script, atom.Style, atom.Noscript, atom.Template, atom.Svg, atom.Iframe, atom.Object,
		atom.Embed, atom.Button, atom.Input, atom.Select, atom.Textarea, atom.Nav, atom.Aside,
		atom.Footer, atom.Canvas, atom.Audio, atom.Video, atom.Map, atom.Link, atom.Meta, atom.Dialog, atom.Menu:
		return true
	case atom.Header:
		return true
	case 0:
		// Custom elements such as <amp-ad> or <gpt-ad>.
		d := n.Data
		if strings.Contains(d, "-ad") || strings.HasPrefix(d, "ad-") || strings.Contains(d, "social") || strings.Contains(d, "share") {
			return true
		}
	}
	if _, ok := n.Attr, true; ok && len(n.Attr) == 0 {
		return false
	}
	if attr(n, "hidden") != "" || hasAttr(n, "hidden") || attr(n, "aria-hidden") == "true" {
		return true
	}
	if st := attr(n, "style"); st != "" {
		st = strings.ReplaceAll(strings.ToLower(st), " ", "")
		if strings.Contains(st, "display:none") || strings.Contains(st, "visibility:hidden") {
			return true
		}
	}
	for _, w := range strings.Fields(attr(n, "class")) {
		switch strings.ToLower(w) {
		case "hidden", "hide", "d-none", "sr-only", "visually-hidden", "screen-reader-text", "robots-nocontent":
			return true
		}
	}
	switch strings.ToLower(attr(n, "role")) {
	case "navigation", "complementary", "contentinfo", "banner", "menu", "menubar", "dialog", "alert",
		"alertdialog", "search", "toolbar", "tablist", "button":
		return true
	}
	if n.DataAtom == atom.Body || n.DataAtom == atom.Html || n.DataAtom == atom.Article ||
		n.DataAtom == atom.Main || n.DataAtom == atom.A || n.DataAtom == atom.P {
		return false
	}
	if x.lenient {
		return false
	}
	x.tok = classTokens(n, x.tok)
	if len(x.tok) == 0 {
		return false
	}
	return x.v.unlikely.match(x.tok) && !x.v.maybe.match(x.tok)
}

func hasAttr(n *html.Node, key string) bool {
	for _, a := range n.Attr {
		if a.Key == key {
			return true
		}
	}
	return false
}

// classTokens splits n's class and id into lower-case words at
// punctuation and camelCase boundaries: "ArticleBody-main share_bar" gives
// article, body, main, share, bar.
func classTokens(n *html.Node, buf []string) []string {
	buf = buf[:0]
	for _, a := range n.Attr {
		if a.Key != "class" && a.Key != "id" {
			continue
		}
		for _, word := range strings.Fields(a.Val) {
			// WordPress taxonomy classes name the post's topics, not the
			// element's role.
			if strings.HasPrefix(word, "category-") || strings.HasPrefix(word, "tag-") ||
				strings.HasPrefix(word, "postid-") || strings.HasPrefix(word, "format-") {
				continue
			}
			buf = splitWords(word, buf)
		}
	}
	return buf
}

// splitWords appends the lower-case words of s to buf.
func splitWords(s string, buf []string) []string {
	{
		start := -1
		for i := 0; i <= len(s); i++ {
			var c byte
			if i < len(s) {
				c = s[i]
			}
			lower := c >= 'a' && c <= 'z'
			upper := c >= 'A' && c <= 'Z'
			digit := c >= '0' && c <= '9'
			if start >= 0 && (!(lower || upper || digit) || upper && s[i-1] >= 'a' && s[i-1] <= 'z') {
				buf = append(buf, strings.ToLower(s[start:i]))
				start = -1
			}
			if start < 0 && (lower || upper || digit) {
				start = i
			}
		}
	}
	return buf
}

// wordSet matches class tokens: exact words, and stems that match any
// token they begin.
type wordSet struct {
	exact map[string]bool
	stems []string
}

func newWordSet(exact []string, stems ...string) wordSet {
	m := make(map[string]bool, len(exact))
	for _, e := range exact {
		m[e] = true
	}
	return wordSet{exact: m, stems: stems}
}

func (w wordSet) match(tokens []string) bool {
	for _, t := range tokens {
		if w.exact[t] {
			return true
		}
		for _, s := range w.stems {
			if strings.HasPrefix(t, s) {
				return true
			}
		}
	}
	return false
}

// vocab holds the class and id words the heuristics use.
type vocab struct {
	unlikely, maybe, positive, negative, junk, keep wordSet
}

func newVocab() *vocab {
	return &vocab{
		unlikely: newWordSet([]string{"ad", "ads", "adslot", "banner", "combx", "community", "disqus", "footer",
			"gdpr", "menu", "related", "remark", "replies", "rss", "shoutbox", "sidebar", "skyscraper",
			"supplemental", "agegate", "pagination", "pager", "popup", "signup", "masthead", "navbar",
			"navigation", "outbrain", "taboola", "modal", "consent", "breadcrumbs", "breadcrumb", "tooltip",
			"popover", "rollover", "overlay", "nocontent"},
			"advert", "comment", "social", "sponsor", "newsletter", "cookie", "share", "sharing", "subscri", "promo"),
		keep:  newWordSet([]string{"body", "content"}),
		maybe: newWordSet([]string{"article", "body", "column", "content", "main", "shadow", "story", "embed", "embedded"}),
		positive: newWordSet([]string{"article", "body", "content", "entry", "hentry", "main", "page",
			"post", "text", "blog", "story", "prose"}),
		negative: newWordSet([]string{"ad", "ads", "hidden", "hid", "banner", "combx", "com", "contact",
			"gdpr", "masthead", "media", "meta", "outbrain", "related", "scroll", "shoutbox", "sidebar",
			"skyscraper", "shopping", "tags", "widget", "footnote"},
			"comment", "foot", "promo", "share", "sponsor", "tool"),
		junk: newWordSet([]string{"ad", "ads", "adslot", "outbrain", "taboola", "readmore", "byline",
			"timestamp", "toolbar", "tags", "signup", "popup", "modal", "related", "social", "more", "rail"},
			"share", "sharing", "newsletter", "subscri", "promo", "advert", "recommend", "comment",
			"author", "breadcrumb", "caption", "credit", "cookie", "sponsor", "trending"),
	}
}

func (x *extractor) classWeight(n *html.Node) int {
	x.tok = classTokens(n, x.tok)
	if len(x.tok) == 0 {
		return 0
	}
	w := 0
	if x.v.negative.match(x.tok) {
		w -= 25
	}
	if x.v.positive.match(x.tok) {
		w += 25
	}
	return w
}

// measure fills stats for every element below n and returns n's stat.
func measure(n *html.Node, stats map[*html.Node]*stat) *stat {
	s := &stat{}
	stats[n] = s
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		switch c.Type {
		case html.TextNode:
			l, commas := textLen(c.Data)
			s.textLen += l
			s.commas += commas
		case html.ElementNode:
			cs := measure(c, stats)
			s.textLen += cs.textLen
			s.commas += cs.commas
			s.paras += cs.paras
			if c.DataAtom == atom.A {
				s.linkLen += cs.textLen
			} else {
				s.linkLen += cs.linkLen
			}
			if c.DataAtom == atom.P {
				s.paras++
			}
		}
	}
	return s
}

// textLen counts runes of s with white space runs counted as one, and commas.
func textLen(s string) (n, commas int) {
	space := true
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			i++
			if isSpace(c) {
				if !space {
					n++
					space = true
				}
				continue
			}
			space = false
			n++
			if c == ',' {
				commas++
			}
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		space = false
		n++
		if r == '،' || r == '，' || r == '、' {
			commas++
		}
	}
	return n, commas
}

func isBlockTag(a atom.Atom) bool {
	switch a {
	case atom.Address, atom.Article, atom.Aside, atom.Blockquote, atom.Details, atom.Dialog, atom.Dd,
		atom.Div, atom.Dl, atom.Dt, atom.Fieldset, atom.Figcaption, atom.Figure, atom.Footer, atom.Form,
		atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6, atom.Header, atom.Hgroup, atom.Hr, atom.Li,
		atom.Main, atom.Nav, atom.Ol, atom.P, atom.Pre, atom.Section, atom.Table, atom.Ul, atom.Tr,
		atom.Td, atom.Th, atom.Tbody, atom.Thead, atom.Tfoot, atom.Caption, atom.Center:
		return true
	}
	return false
}

// inlineTextLen is the text of n's direct phrasing content: text nodes and
// inline elements, not block children.
func inlineTextLen(n *html.Node, stats map[*html.Node]*stat) int {
	l := 0
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		switch c.Type {
		case html.TextNode:
			k, _ := textLen(c.Data)
			l += k
		case html.ElementNode:
			if !isBlockTag(c.DataAtom) {
				l += stats[c].textLen
			}
		}
	}
	return l
}

func (x *extractor) initScore(n *html.Node, s *stat) {
	if s.scored {
		return
	}
	s.scored = true
	switch n.DataAtom {
	case atom.Div, atom.Article, atom.Main:
		s.score = 5
	case atom.Section:
		s.score = 3
	case atom.Pre, atom.Td, atom.Blockquote:
		s.score = 3
	case atom.Address, atom.Ol, atom.Ul, atom.Dl, atom.Dd, atom.Dt, atom.Li, atom.Form:
		s.score = -3
	case atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6, atom.Th:
		s.score = -5
	}
	if n.DataAtom == atom.Article {
		s.score += 10
	}
	if ip := attr(n, "itemprop"); ip == "articleBody" || ip == "text" {
		s.score += 30
	}
	s.classWgt = x.classWeight(n)
	s.score += float64(s.classWgt)
}

// pick scores paragraphs into their ancestors and returns the best
// candidate container.
func (x *extractor) pick(root *html.Node, stats map[*html.Node]*stat) *html.Node {
	var cands []*html.Node
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if c.Type != html.ElementNode {
				continue
			}
			walk(c)
			var l int
			cs := stats[c]
			switch c.DataAtom {
			case atom.P, atom.Pre, atom.Td:
				l = cs.textLen
			case atom.Div, atom.Section, atom.Article, atom.Main, atom.Blockquote, atom.Li, atom.Span, atom.Font, atom.Center:
				l = inlineTextLen(c, stats)
			default:
				continue
			}
			if l < 25 {
				continue
			}
			commas := cs.commas
			score := 1 + float64(commas) + min(float64(l)/100, 3)
			// The paragraph itself (a div with inline text) counts as a
			// candidate too, so a page made of text and <br> is found.
			anc := c.Parent
			for level := 0; anc != nil && level < 5; level++ {
				if anc.Type != html.ElementNode {
					break
				}
				as := stats[anc]
				if as == nil {
					break
				}
				if !as.scored {
					x.initScore(anc, as)
					cands = append(cands, anc)
				}
				div := 1.0
				if level == 1 {
					div = 2
				} else if level > 1 {
					div = float64(level * 3)
				}
				as.score += score / div
				anc = anc.Parent
			}
		}
	}
	walk(root)
	var top *html.Node
	best := 0.0
	for _, c := range cands {
		s := stats[c]
		f := s.score * (1 - s.linkDensity())
		s.score = f
		if top == nil || f > best {
			top, best = c, f
		}
	}
	if top == nil {
		return nil
	}
	// Several strong candidates under one ancestor: the article is split
	// into blocks, take the ancestor.
	var alts []*html.Node
	for _, c := range cands {
		if c != top && stats[c].score >= best*0.75 {
			alts = append(alts, c)
		}
	}
	if len(alts) >= 3 {
		for p, level := top.Parent, 0; p != nil && p.DataAtom != atom.Body && level < 8; p, level = p.Parent, level+1 {
			count := 0
			for _, a := range alts {
				if isAncestor(p, a) {
					count++
				}
			}
			if count >= 3 {
				top = p
				break
			}
		}
	}
	// Climb while the parent scores higher.
	last := stats[top].score
	for p := top.Parent; p != nil && p.Type == html.ElementNode && p.DataAtom != atom.Body; p = p.Parent {
		ps := stats[p]
		if ps == nil {
			break
		}
		if !ps.scored {
			continue
		}
		if ps.score < last/3 {
			break
		}
		if ps.score > last {
			top = p
			last = ps.score
		}
	}
	// A lone child: its parent holds the same content, maybe with more.
	for top.Parent != nil && top.Parent.DataAtom != atom.Body && onlyElementChild(top.Parent) == top {
		top = top.Parent
	}
	return top
}

func onlyElementChild(n *html.Node) *html.Node {
	var only *html.Node
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.ElementNode {
			if only != nil {
				return nil
			}
			only = c
		} else if c.Type == html.TextNode && strings.TrimSpace(c.Data) != "" {
			return nil
		}
	}
	return only
}

func isAncestor(a, n *html.Node) bool {
	for p := n.Parent; p != nil; p = p.Parent {
		if p == a {
			return true
		}
	}
	return false
}

// siblings returns top and those of its siblings that continue the article.
func (x *extractor) siblings(top *html.Node, stats map[*html.Node]*stat) []*html.Node {
	parent := top.Parent
	if parent == nil || stats[parent] == nil || top.DataAtom == atom.Body {
		return []*html.Node{top}
	}
	ts := stats[top]
	threshold := max(10, ts.score*0.2)
	topClass := attr(top, "class")
	var out []*html.Node
	for c := parent.FirstChild; c != nil; c = c.NextSibling {
		if c == top {
			out = append(out, c)
			continue
		}
		if c.Type != html.ElementNode {
			continue
		}
		cs := stats[c]
		if cs == nil {
			continue
		}
		bonus := 0.0
		if topClass != "" && attr(c, "class") == topClass {
			bonus = ts.score * 0.2
		}
		if cs.scored && cs.score+bonus >= threshold {
			out = append(out, c)
			continue
		}
		if c.DataAtom == atom.P {
			ld := cs.linkDensity()
			if cs.textLen > 80 && ld < 0.25 {
				out = append(out, c)
			} else if cs.textLen > 0 && cs.textLen <= 80 && ld == 0 {
				t := strings.TrimSpace(textOf(c))
				if strings.HasSuffix(t, ".") || strings.Contains(t, ". ") {
					out = append(out, c)
				}
			}
		}
	}
	return out
}
