package sanitize

import (
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// HTMLText returns HTML(base, s) and its plain text, Text(HTML(base, s)),
// from one parse: the text is read from the cleaned tree instead of from
// the serialised result parsed again.
func HTMLText(base *url.URL, s string) (body, text string) {
	root := clean(base, s)
	if root == nil {
		return "", ""
	}
	body = renderRoot(root, len(s))
	if body == "" {
		return "", ""
	}
	var w textWriter
	w.b.Grow(len(body) / 2)
	w.walk(root)
	return body, w.b.String()
}

// Text returns the plain text of an HTML fragment: entities decoded,
// whitespace collapsed, a blank line between paragraphs and a line break
// for <br> and between list items and table rows. Scripts, styles and
// everything the HTML policy drops with its content are left out.
func Text(s string) string {
	root := parseFragment(s)
	if root == nil {
		return ""
	}
	var w textWriter
	w.b.Grow(len(s) / 2)
	w.walk(root)
	return w.b.String()
}

type textWriter struct {
	b     strings.Builder
	space bool // a space is due before the next word
	brk   int  // 1: a line break is due, 2: a paragraph break
	pre   int  // depth of <pre>
}

func (w *textWriter) walk(n *html.Node) {
	for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
		switch ch.Type {
		case html.TextNode:
			w.text(ch.Data)
		case html.ElementNode:
			w.element(ch)
		}
	}
}

func (w *textWriter) element(n *html.Node) {
	if n.DataAtom == atom.Iframe || classify(n) == drop && n.DataAtom != atom.Html && n.DataAtom != atom.Body {
		return
	}
	switch n.DataAtom {
	case atom.Br:
		w.lineBreak(1)
		return
	case atom.Img:
		return
	}
	b := textBreak(n.DataAtom)
	w.lineBreak(b)
	if n.DataAtom == atom.Pre {
		w.pre++
	}
	if n.DataAtom == atom.Td || n.DataAtom == atom.Th {
		w.space = true
	}
	w.walk(n)
	if n.DataAtom == atom.Pre {
		w.pre--
	}
	w.lineBreak(b)
	if n.DataAtom == atom.Td || n.DataAtom == atom.Th {
		w.space = true
	}
}

// textBreak is the break an element makes around itself.
func textBreak(a atom.Atom) int {
	switch a {
	case atom.P, atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6, atom.Blockquote, atom.Pre,
		atom.Ul, atom.Ol, atom.Dl, atom.Figure, atom.Table, atom.Hr, atom.Div, atom.Section,
		atom.Article, atom.Main, atom.Header, atom.Footer, atom.Aside, atom.Nav, atom.Address,
		atom.Details, atom.Center, atom.Hgroup:
		return 2
	case atom.Li, atom.Dt, atom.Dd, atom.Tr, atom.Figcaption, atom.Caption, atom.Summary:
		return 1
	}
	return 0
}

func (w *textWriter) lineBreak(n int) {
	if n > w.brk {
		w.brk = n
	}
}

func (w *textWriter) text(s string) {
	for i := 0; i < len(s); {
		c := s[i]
		r := rune(c)
		if c < utf8.RuneSelf {
			switch c {
			case '\n':
				i++
				if w.pre > 0 {
					w.lineBreak(1)
				} else {
					w.space = true
				}
				continue
			case ' ', '\t', '\v', '\f', '\r':
				i++
				w.space = true
				continue
			case 0:
				i++
				r = '\uFFFD'
			default:
				// A run of printable ASCII is written at once.
				j := i + 1
				for j < len(s) && s[j] > ' ' && s[j] < utf8.RuneSelf {
					j++
				}
				w.separate()
				w.b.WriteString(s[i:j])
				i = j
				continue
			}
		} else {
			var n int
			r, n = utf8.DecodeRuneInString(s[i:])
			i += n
			if unicode.IsSpace(r) || r == '\u200b' || r == '\ufeff' {
				w.space = true
				continue
			}
		}
		w.separate()
		w.b.WriteRune(r)
	}
}

// separate writes the break or space due before the next word, if any.
func (w *textWriter) separate() {
	if w.b.Len() > 0 {
		switch {
		case w.brk == 2:
			w.b.WriteString("\n\n")
		case w.brk == 1:
			w.b.WriteByte('\n')
		case w.space:
			w.b.WriteByte(' ')
		}
	}
	w.brk, w.space = 0, false
}

// Excerpt returns text shortened to at most max runes, cut at a word
// boundary and followed by "..." when it was cut. Whitespace, line breaks
// included, is collapsed to single spaces first.
func Excerpt(text string, max int) string {
	if max <= 0 {
		return ""
	}
	text = strings.ToValidUTF8(text, "\uFFFD")
	text = strings.Join(strings.Fields(text), " ")
	if utf8.RuneCountInString(text) <= max {
		return text
	}
	// Byte offset of the end of the first max runes.
	end, count := 0, 0
	for i := range text {
		if count == max {
			end = i
			break
		}
		count++
	}
	cut := text[:end]
	// Back up to the last space unless the next rune starts a word anyway.
	if r, _ := utf8.DecodeRuneInString(text[end:]); r != ' ' {
		if i := strings.LastIndexByte(cut, ' '); i > 0 {
			cut = cut[:i]
		}
	}
	cut = strings.TrimRightFunc(cut, func(r rune) bool {
		return unicode.IsSpace(r) || r == ',' || r == ';' || r == ':' || r == '،' || r == '؛' || r == '-' || r == '—' || r == '–'
	})
	if cut == "" {
		cut = text[:end] // one long word: cut inside it
	}
	return cut + "..."
}
