// Package opml imports and exports the site's sources as OPML subscription
// lists, the format every feed reader speaks.
package opml

import (
	"bufio"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"golang.org/x/text/encoding/htmlindex"
)

// Outline is one feed of a subscription list. Category is the path of the
// folders it was filed under, joined by " / " ("World / Middle East").
type Outline struct {
	Title    string
	XMLURL   string
	HTMLURL  string
	Category string
	Language string
}

// Limits on the work one document may cause.
const (
	maxDepth    = 64
	maxOutlines = 100000
)

// CategorySep joins nested folder names in Outline.Category.
const CategorySep = " / "

// Parse reads an OPML 1.0 or 2.0 document and returns its feeds, nested
// folders flattened into Category, in document order, each feed URL once.
// Titles come from the title attribute, else text; outlines without a feed
// URL are folders or plain links and are not returned.
func Parse(r io.Reader) ([]Outline, error) {
	dec := xml.NewDecoder(bufio.NewReader(r))
	dec.Strict = false
	dec.AutoClose = xml.HTMLAutoClose
	dec.Entity = xml.HTMLEntity
	dec.CharsetReader = func(label string, in io.Reader) (io.Reader, error) {
		enc, err := htmlindex.Get(strings.TrimSpace(label))
		if err != nil {
			return nil, fmt.Errorf("unknown encoding %q", label)
		}
		return enc.NewDecoder().Reader(in), nil
	}
	var (
		out      []Outline
		seen     = map[string]bool{}
		folders  []string // title of each open outline; "" for feeds
		depth    int
		rootSeen bool
		inBody   bool
	)
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, syntaxError(dec, err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			if depth > maxDepth {
				return nil, fmt.Errorf("opml: outlines nested deeper than %d", maxDepth)
			}
			name := strings.ToLower(t.Name.Local)
			if !rootSeen {
				rootSeen = true
				if name != "opml" {
					return nil, fmt.Errorf("opml: document root <%s> is not opml", t.Name.Local)
				}
				continue
			}
			switch {
			case name == "body" && depth == 2:
				inBody = true
			case name == "outline" && inBody:
				o, isFeed := outline(t.Attr)
				title := ""
				if !isFeed {
					title = o.Title
				}
				if isFeed && !seen[o.XMLURL] {
					seen[o.XMLURL] = true
					o.Category = category(folders, attr(t.Attr, "category"))
					if len(out) >= maxOutlines {
						return nil, fmt.Errorf("opml: more than %d feeds", maxOutlines)
					}
					out = append(out, o)
				}
				folders = append(folders, title)
			}
		case xml.EndElement:
			depth--
			name := strings.ToLower(t.Name.Local)
			if name == "outline" && len(folders) > 0 {
				folders = folders[:len(folders)-1]
			} else if name == "body" {
				inBody = false
			}
		}
	}
	if !rootSeen {
		return nil, errors.New("opml: document is empty or not XML")
	}
	return out, nil
}

func syntaxError(dec *xml.Decoder, err error) error {
	var se *xml.SyntaxError
	if errors.As(err, &se) {
		return fmt.Errorf("opml: XML syntax error on line %d: %s", se.Line, se.Msg)
	}
	line, _ := dec.InputPos()
	return fmt.Errorf("opml: line %d: %w", line, err)
}

// attr finds an attribute by case-insensitive name (OPML 1.0 exporters
// write xmlurl, xmlURL and xmlUrl).
func attr(attrs []xml.Attr, name string) string {
	for _, a := range attrs {
		if strings.EqualFold(a.Name.Local, name) {
			return strings.TrimSpace(a.Value)
		}
	}
	return ""
}

func outline(attrs []xml.Attr) (Outline, bool) {
	o := Outline{
		Title:    collapse(attr(attrs, "title")),
		XMLURL:   attr(attrs, "xmlUrl"),
		HTMLURL:  attr(attrs, "htmlUrl"),
		Language: attr(attrs, "language"),
	}
	if o.Title == "" {
		o.Title = collapse(attr(attrs, "text"))
	}
	if o.XMLURL == "" {
		switch strings.ToLower(attr(attrs, "type")) {
		case "rss", "atom", "feed":
			o.XMLURL = attr(attrs, "url")
		}
	}
	if o.XMLURL == "" {
		return o, false
	}
	if o.Title == "" {
		o.Title = o.XMLURL
	}
	if o.Language == "unknown" {
		o.Language = ""
	}
	return o, true
}

// category is the folder path of a feed: its enclosing folders, else the
// first path of its OPML 2.0 category attribute ("/World/Middle East").
func category(folders []string, attrCategory string) string {
	var parts []string
	for _, f := range folders {
		if f != "" {
			parts = append(parts, f)
		}
	}
	if len(parts) == 0 && attrCategory != "" {
		first, _, _ := strings.Cut(attrCategory, ",")
		for _, p := range strings.Split(first, "/") {
			if p = collapse(p); p != "" {
				parts = append(parts, p)
			}
		}
	}
	return strings.Join(parts, CategorySep)
}

func collapse(s string) string { return strings.Join(strings.Fields(s), " ") }

// Write writes outlines as an OPML 2.0 document titled title, created now.
func Write(w io.Writer, title string, outlines []Outline) error {
	return WriteAt(w, title, outlines, time.Now())
}

// WriteAt writes outlines as an OPML 2.0 document with the given creation
// time: feeds without a category first, then one folder per category,
// nested along " / ", folders in alphabetical order, feeds in the order
// given.
func WriteAt(w io.Writer, title string, outlines []Outline, created time.Time) error {
	root := &folder{}
	for _, o := range outlines {
		f := root
		if o.Category != "" {
			for _, part := range strings.Split(o.Category, strings.TrimSpace(CategorySep)) {
				if part = collapse(part); part != "" {
					f = f.sub(part)
				}
			}
		}
		f.feeds = append(f.feeds, o)
	}
	var b bytes.Buffer
	b.WriteString(xml.Header)
	b.WriteString("<opml version=\"2.0\">\n  <head>\n    <title>")
	escape(&b, title)
	b.WriteString("</title>\n    <dateCreated>")
	b.WriteString(created.UTC().Format(time.RFC1123Z))
	b.WriteString("</dateCreated>\n  </head>\n  <body>\n")
	root.write(&b, 2)
	b.WriteString("  </body>\n</opml>\n")
	if _, err := w.Write(b.Bytes()); err != nil {
		return fmt.Errorf("opml write: %w", err)
	}
	return nil
}

type folder struct {
	name  string
	subs  []*folder
	feeds []Outline
}

func (f *folder) sub(name string) *folder {
	for _, s := range f.subs {
		if s.name == name {
			return s
		}
	}
	s := &folder{name: name}
	f.subs = append(f.subs, s)
	return s
}

func (f *folder) write(b *bytes.Buffer, indent int) {
	pad := strings.Repeat("  ", indent)
	for _, o := range f.feeds {
		b.WriteString(pad)
		b.WriteString(`<outline type="rss" text="`)
		escape(b, o.Title)
		b.WriteString(`" title="`)
		escape(b, o.Title)
		b.WriteString(`" xmlUrl="`)
		escape(b, o.XMLURL)
		b.WriteString(`"`)
		if o.HTMLURL != "" {
			b.WriteString(` htmlUrl="`)
			escape(b, o.HTMLURL)
			b.WriteString(`"`)
		}
		if o.Language != "" {
			b.WriteString(` language="`)
			escape(b, o.Language)
			b.WriteString(`"`)
		}
		b.WriteString("/>\n")
	}
	sort.SliceStable(f.subs, func(i, j int) bool { return strings.ToLower(f.subs[i].name) < strings.ToLower(f.subs[j].name) })
	for _, s := range f.subs {
		b.WriteString(pad)
		b.WriteString(`<outline text="`)
		escape(b, s.name)
		b.WriteString(`" title="`)
		escape(b, s.name)
		b.WriteString("\">\n")
		s.write(b, indent+1)
		b.WriteString(pad)
		b.WriteString("</outline>\n")
	}
}

func escape(b *bytes.Buffer, s string) {
	_ = xml.EscapeText(b, []byte(s)) // a bytes.Buffer does not fail
}
