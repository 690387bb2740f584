package parse

import (
	"fmt"
	"html"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Limits on the work one document may cause.
const (
	maxDepth = 256
	maxNodes = 1 << 20
	maxItems = 10000
)

// node is an element of a leniently parsed XML document. Nodes live in
// doc.nodes and link to each other by index; index 0 is a sentinel.
type node struct {
	name    string // local name
	ns      string // canonical namespace: "", "atom", "dc", "content", "media", "itunes", "rdf", "xhtml" or a URI
	prefix  string
	attrs   []attr
	parent  int32
	first   int32
	last    int32
	next    int32
	text    string // the element's own character data, entities decoded
	start   int    // offset of '<' of the start tag
	inStart int    // offset just after the start tag
	inEnd   int    // offset of the end tag; valid when closed
	closed  bool
	hasElem bool
}

type attr struct {
	name  string // as written, with any prefix: "href", "xml:base"
	value string // entities decoded
}

type doc struct {
	src       string
	nodes     []node
	root      int32
	truncated bool // input ended inside an element
	p         *problems
	// pending gathers the text of elements with many text pieces (CDATA
	// sections, comments in between) without quadratic concatenation.
	pending map[int32]*strings.Builder
}

type nsBinding struct{ prefix, uri string }

// syntaxError is an XML error an editor can act on.
type syntaxError struct {
	line int
	msg  string
}

func (e *syntaxError) Error() string {
	return fmt.Sprintf("XML syntax error on line %d: %s", e.line, e.msg)
}

func lineAt(src string, off int) int {
	if off > len(src) {
		off = len(src)
	}
	return strings.Count(src[:off], "\n") + 1
}

// parseXML builds a tree from src, recovering from what real feeds get
// wrong: undeclared entities, bare ampersands, undeclared prefixes,
// mismatched or missing end tags, and truncation.
func parseXML(src string, p *problems) (*doc, error) {
	d := &doc{src: src, p: p}
	d.nodes = make([]node, 1, 64+len(src)/200)
	var stack []int32
	var ns []nsBinding
	var nsMark []int
	i := 0
	for i < len(src) {
		j := strings.IndexByte(src[i:], '<')
		if j < 0 {
			j = len(src) - i
		}
		if j > 0 {
			d.text(stack, src[i:i+j], false)
			i += j
			if i >= len(src) {
				break
			}
		}
		// src[i] == '<'
		rest := src[i:]
		switch {
		case strings.HasPrefix(rest, "<!--"):
			k := strings.Index(rest[4:], "-->")
			if k < 0 {
				i = len(src)
				d.truncated = len(stack) > 0
				continue
			}
			i += 4 + k + 3
		case strings.HasPrefix(rest, "<![CDATA["):
			k := strings.Index(rest[9:], "]]>")
			if k < 0 {
				d.text(stack, rest[9:], true)
				d.truncated = true
				i = len(src)
				continue
			}
			d.text(stack, rest[9:9+k], true)
			i += 9 + k + 3
		case strings.HasPrefix(rest, "<!"):
			i += skipDecl(rest)
		case strings.HasPrefix(rest, "<?"):
			k := strings.Index(rest, "?>")
			if k < 0 {
				i = len(src)
				continue
			}
			i += k + 2
		case strings.HasPrefix(rest, "</"):
			k := strings.IndexByte(rest, '>')
			if k < 0 {
				i = len(src)
				continue
			}
			name := strings.TrimSpace(rest[2:k])
			stack = d.end(stack, name, i)
			for len(nsMark) > len(stack) {
				ns = ns[:nsMark[len(nsMark)-1]]
				nsMark = nsMark[:len(nsMark)-1]
			}
			i += k + 1
			if len(stack) == 0 && d.root != 0 && d.nodes[d.root].closed {
				i = len(src) // anything after the root element is ignored
			}
		case len(rest) > 1 && isNameStart(rest[1]):
			if len(stack) == 0 && d.root != 0 {
				// A second root: the document ended already.
				p.add("content after the root element ignored", "")
				i = len(src)
				continue
			}
			n, selfClose, size := d.startTag(rest, i)
			if size < 0 {
				d.truncated = true
				i = len(src)
				continue
			}
			if len(stack) >= maxDepth {
				return nil, &syntaxError{lineAt(src, i), fmt.Sprintf("elements nested deeper than %d", maxDepth)}
			}
			if len(d.nodes) >= maxNodes {
				return nil, &syntaxError{lineAt(src, i), fmt.Sprintf("more than %d elements", maxNodes)}
			}
			nsMark = append(nsMark, len(ns))
			ns = bindNamespaces(ns, n.attrs)
			n.ns = resolveNS(ns, n.prefix, p)
			idx := int32(len(d.nodes))
			if len(stack) > 0 {
				par := stack[len(stack)-1]
				n.parent = par
				pn := &d.nodes[par]
				if pn.last != 0 {
					d.nodes[pn.last].next = idx
				} else {
					pn.first = idx
				}
				pn.last = idx
				pn.hasElem = true
			} else if d.root == 0 {
				d.root = idx
			}
			n.inStart = i + size
			d.nodes = append(d.nodes, n)
			i += size
			if selfClose {
				d.nodes[idx].closed = true
				d.nodes[idx].inEnd = d.nodes[idx].inStart
				ns = ns[:nsMark[len(nsMark)-1]]
				nsMark = nsMark[:len(nsMark)-1]
				if len(stack) == 0 {
					i = len(src)
				}
			} else {
				stack = append(stack, idx)
			}
		default:
			// A '<' that starts no markup: keep it as text.
			if !p.has("bare < in text") {
				p.add("bare < in text", "line "+strconv.Itoa(lineAt(src, i)))
			}
			d.text(stack, "<", true)
			i++
		}
	}
	if len(stack) > 0 {
		d.truncated = true
	}
	for idx, b := range d.pending {
		d.nodes[idx].text = b.String()
	}
	if d.root == 0 {
		if strings.TrimSpace(src) == "" {
			return nil, &syntaxError{1, "document is empty"}
		}
		return nil, &syntaxError{lineAt(src, len(src)), "unexpected EOF"}
	}
	return d, nil
}

// skipDecl returns the length of a <!DOCTYPE ...> or other <!...> declaration,
// internal subset included.
func skipDecl(s string) int {
	depth := 0
	for k := 2; k < len(s); k++ {
		switch s[k] {
		case '[':
			depth++
		case ']':
			depth--
		case '>':
			if depth <= 0 {
				return k + 1
			}
		}
	}
	return len(s)
}

func isNameStart(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c == ':' || c >= 0x80
}

func isNameByte(c byte) bool {
	return isNameStart(c) || c >= '0' && c <= '9' || c == '-' || c == '.'
}

func isSpace(c byte) bool { return c == ' ' || c == '\n' || c == '\t' || c == '\r' }

// startTag parses "<name attr=...>" at the start of s. size is the length
// of the tag, or -1 when the input ends inside it.
func (d *doc) startTag(s string, off int) (n node, selfClose bool, size int) {
	k := 1
	for k < len(s) && isNameByte(s[k]) {
		k++
	}
	qname := s[1:k]
	n.start = off
	if c := strings.IndexByte(qname, ':'); c >= 0 {
		n.prefix, n.name = qname[:c], qname[c+1:]
	} else {
		n.name = qname
	}
	for {
		for k < len(s) && isSpace(s[k]) {
			k++
		}
		if k >= len(s) {
			return n, false, -1
		}
		switch s[k] {
		case '>':
			return n, false, k + 1
		case '/':
			if k+1 < len(s) && s[k+1] == '>' {
				return n, true, k + 2
			}
			k++
			continue
		}
		a := k
		for k < len(s) && !isSpace(s[k]) && s[k] != '=' && s[k] != '>' && s[k] != '/' {
			k++
		}
		name := s[a:k]
		if name == "" { // a stray character such as a quote
			k++
			continue
		}
		for k < len(s) && isSpace(s[k]) {
			k++
		}
		if k >= len(s) {
			return n, false, -1
		}
		if s[k] != '=' {
			n.attrs = append(n.attrs, attr{name: name})
			continue
		}
		k++
		for k < len(s) && isSpace(s[k]) {
			k++
		}
		if k >= len(s) {
			return n, false, -1
		}
		var val string
		if q := s[k]; q == '"' || q == '\'' {
			e := strings.IndexByte(s[k+1:], q)
			if e < 0 {
				return n, false, -1
			}
			val = s[k+1 : k+1+e]
			k += e + 2
		} else {
			a := k
			for k < len(s) && !isSpace(s[k]) && s[k] != '>' {
				k++
			}
			val = s[a:k]
			d.p.add("unquoted attribute value", name)
		}
		n.attrs = append(n.attrs, attr{name: name, value: decodeEntities(val, d.p)})
	}
}

func (d *doc) text(stack []int32, t string, raw bool) {
	if len(stack) == 0 {
		if d.root == 0 && strings.TrimSpace(t) != "" {
			d.p.add("garbage before the root element", "")
		}
		return
	}
	idx := stack[len(stack)-1]
	n := &d.nodes[idx]
	if n.hasElem && isBlank(t) {
		return
	}
	if !raw {
		t = decodeEntities(t, d.p)
	}
	if b := d.pending[idx]; b != nil {
		b.WriteString(t)
	} else if n.text == "" {
		n.text = t
	} else {
		if d.pending == nil {
			d.pending = map[int32]*strings.Builder{}
		}
		b := &strings.Builder{}
		b.WriteString(n.text)
		b.WriteString(t)
		d.pending[idx] = b
	}
}

func isBlank(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isSpace(s[i]) {
			return false
		}
	}
	return true
}

// end closes the element named qname, and any unclosed ones inside it.
func (d *doc) end(stack []int32, qname string, off int) []int32 {
	for k := len(stack) - 1; k >= 0; k-- {
		n := &d.nodes[stack[k]]
		if n.qname() != qname {
			continue
		}
		if k != len(stack)-1 {
			if !d.p.has("mismatched end tag") {
				d.p.add("mismatched end tag", fmt.Sprintf("</%s> on line %d", qname, lineAt(d.src, off)))
			}
			for _, inner := range stack[k+1:] {
				d.nodes[inner].closed = true
				d.nodes[inner].inEnd = off
			}
		}
		n.closed = true
		n.inEnd = off
		return stack[:k]
	}
	if !d.p.has("unexpected end tag") {
		d.p.add("unexpected end tag", fmt.Sprintf("</%s> on line %d", qname, lineAt(d.src, off)))
	}
	return stack
}

func (n *node) qname() string {
	if n.prefix == "" {
		return n.name
	}
	return n.prefix + ":" + n.name
}

// bindNamespaces pushes the xmlns declarations among attrs.
func bindNamespaces(ns []nsBinding, attrs []attr) []nsBinding {
	if len(attrs) > 64 {
		attrs = attrs[:64] // no real element declares more namespaces
	}
	for _, a := range attrs {
		if a.name == "xmlns" {
			ns = append(ns, nsBinding{"", a.value})
		} else if strings.HasPrefix(a.name, "xmlns:") {
			ns = append(ns, nsBinding{a.name[6:], a.value})
		}
	}
	return ns
}

// resolveNS maps an element's prefix to a canonical namespace name.
func resolveNS(ns []nsBinding, prefix string, p *problems) string {
	for k := len(ns) - 1; k >= 0; k-- {
		if ns[k].prefix == prefix {
			if c := canonicalNS(ns[k].uri); c != "?" {
				return c
			}
			if prefix == "" {
				return "" // unknown default namespace: read as plain RSS
			}
			if isKnownPrefix(prefix) {
				return prefix
			}
			return ns[k].uri
		}
	}
	if prefix == "" {
		return ""
	}
	p.add("undeclared namespace prefix", prefix)
	if prefix == "dcterms" {
		return "dc"
	}
	return prefix
}

func isKnownPrefix(p string) bool {
	switch p {
	case "atom", "dc", "content", "media", "itunes", "rdf", "xhtml":
		return true
	}
	return false
}

func canonicalNS(uri string) string {
	u := strings.TrimSuffix(strings.TrimSpace(uri), "/")
	switch u {
	case "http://www.w3.org/2005/Atom", "http://purl.org/atom/ns#", "https://www.w3.org/2005/Atom":
		return "atom"
	case "http://purl.org/dc/elements/1.1", "http://purl.org/dc/terms":
		return "dc"
	case "http://purl.org/rss/1.0/modules/content":
		return "content"
	case "http://search.yahoo.com/mrss", "https://search.yahoo.com/mrss":
		return "media"
	case "http://www.itunes.com/dtds/podcast-1.0.dtd", "https://www.itunes.com/dtds/podcast-1.0.dtd":
		return "itunes"
	case "http://www.w3.org/1999/02/22-rdf-syntax-ns#":
		return "rdf"
	case "http://www.w3.org/1999/xhtml":
		return "xhtml"
	case "http://purl.org/rss/1.0", "http://my.netscape.com/rdf/simple/0.9", "http://backend.userland.com/rss2", "http://backend.userland.com/rss", "":
		return ""
	}
	return "?"
}

// decodeEntities replaces character and entity references. HTML entities
// that XML does not declare (&nbsp; &eacute; …) are mapped to characters
// and a bare '&' is kept, both recorded as problems.
func decodeEntities(s string, p *problems) string {
	amp := strings.IndexByte(s, '&')
	if amp < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for amp >= 0 {
		b.WriteString(s[:amp])
		s = s[amp:]
		semi := -1
		for k := 1; k < len(s) && k < 40; k++ {
			c := s[k]
			if c == ';' {
				semi = k
				break
			}
			if !(c == '#' && k == 1) && !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
				break
			}
		}
		if semi < 2 {
			p.add("bare & in text", "")
			b.WriteByte('&')
			s = s[1:]
		} else {
			name := s[1:semi]
			switch name {
			case "amp":
				b.WriteByte('&')
			case "lt":
				b.WriteByte('<')
			case "gt":
				b.WriteByte('>')
			case "quot":
				b.WriteByte('"')
			case "apos":
				b.WriteByte('\'')
			default:
				if name[0] == '#' {
					writeCharRef(&b, name[1:])
				} else if u := html.UnescapeString(s[:semi+1]); u != s[:semi+1] {
					p.add("undeclared entity", "&"+name+";")
					b.WriteString(u)
				} else {
					p.add("unknown entity", "&"+name+";")
					b.WriteString(s[:semi+1])
				}
			}
			s = s[semi+1:]
		}
		amp = strings.IndexByte(s, '&')
	}
	b.WriteString(s)
	return b.String()
}

func writeCharRef(b *strings.Builder, num string) {
	var v uint64
	var err error
	if len(num) > 0 && (num[0] == 'x' || num[0] == 'X') {
		v, err = strconv.ParseUint(num[1:], 16, 32)
	} else {
		v, err = strconv.ParseUint(num, 10, 32)
	}
	r := rune(v)
	switch {
	case err != nil || v > utf8.MaxRune:
		r = utf8.RuneError
	case r < 0x20 && r != '\t' && r != '\n' && r != '\r':
		return // illegal in XML
	case r >= 0x80 && r <= 0x9F:
		// Windows-1252 code points written as references, a common mistake.
		if m := html.UnescapeString("&#" + strconv.Itoa(int(r)) + ";"); m != "" {
			b.WriteString(m)
			return
		}
	}
	b.WriteRune(r) // surrogates and other invalid runes become U+FFFD
}

// Tree helpers.

func (d *doc) children(n int32) func(yield func(int32, *node) bool) {
	return func(yield func(int32, *node) bool) {
		for c := d.nodes[n].first; c != 0; c = d.nodes[c].next {
			if !yield(c, &d.nodes[c]) {
				return
			}
		}
	}
}

// child returns the first child with this namespace and local name, or 0.
func (d *doc) child(n int32, ns, name string) int32 {
	for c := d.nodes[n].first; c != 0; c = d.nodes[c].next {
		if d.nodes[c].name == name && d.nodes[c].ns == ns {
			return c
		}
	}
	return 0
}

// childText is the character data of the first such child, "" if none.
func (d *doc) childText(n int32, ns, name string) string {
	if c := d.child(n, ns, name); c != 0 {
		return d.nodes[c].text
	}
	return ""
}

func (n *node) attr(name string) string {
	for _, a := range n.attrs {
		if a.name == name {
			return a.value
		}
	}
	// Tolerate a prefix on the attribute: rdf:about vs about.
	for _, a := range n.attrs {
		if c := strings.IndexByte(a.name, ':'); c >= 0 && a.name[c+1:] == name && a.name[:c] != "xmlns" {
			return a.value
		}
	}
	return ""
}

// inner is the markup inside an element, as written in the source (entities
// not decoded), or its text when it has no child elements.
func (d *doc) inner(n int32) string {
	nd := &d.nodes[n]
	if !nd.hasElem {
		return nd.text
	}
	end := nd.inEnd
	if !nd.closed {
		end = len(d.src)
	}
	if end < nd.inStart {
		return nd.text
	}
	return d.src[nd.inStart:end]
}
