// Package parse reads feeds: RSS 0.91, 0.92 and 2.0, RSS 1.0 (RDF), Atom
// 0.3 and 1.0, and JSON Feed 1.0 and 1.1, into newsdesk.Feed. It recovers
// what it can of broken real-world documents (wrong encodings, undeclared
// entities, bare ampersands, control characters, leading garbage, unknown
// namespace prefixes, truncation), marking the feed Bozo with the reason,
// and rejects anything else with an error an editor can act on.
//
// Titles are plain text; summaries and content stay raw HTML from the source
// and must go through sanitize before being shown. Links are absolute http(s)
// URLs or empty, and dates are in UTC.
package parse

import (
	"errors"
	"fmt"
	"net/url"
	"strings"

	"newsdesk"
)

// ErrNotAFeed is matched (with errors.Is) by the error for a document that
// is not a feed at all: an HTML page, an empty body, some other XML or JSON.
var ErrNotAFeed = errors.New("not a feed")

// NotFeedError says why a document is not a feed. For an HTML page that
// advertises its feeds, Alternates lists their absolute URLs.
type NotFeedError struct {
	Reason     string
	Alternates []string
}

func (e *NotFeedError) Error() string {
	msg := "parse feed: " + e.Reason
	if len(e.Alternates) > 0 {
		msg += "; it links to these feeds: " + strings.Join(e.Alternates, ", ")
	}
	return msg
}

// Is makes errors.Is(err, ErrNotAFeed) true.
func (e *NotFeedError) Is(target error) bool { return target == ErrNotAFeed }

// Feed parses a feed document. base is the URL the document was fetched
// from (it may be nil); relative links resolve against it and any xml:base.
// contentType is the HTTP Content-Type header, used for its charset.
func Feed(base *url.URL, body []byte, contentType string) (feed *newsdesk.Feed, err error) {
	defer func() {
		if r := recover(); r != nil {
			feed, err = nil, fmt.Errorf("parse feed: internal error: %v", r)
		}
	}()
	p := &problems{}
	src := decodeBody(body, contentType, p)
	format, rootName := detect(src)
	switch format {
	case "":
		switch {
		case isBlank(src):
			return nil, &NotFeedError{Reason: "document is empty"}
		case rootName == "html" || strings.Contains(strings.ToLower(contentType), "html"):
			return nil, &NotFeedError{Reason: "document is an HTML page, not a feed", Alternates: discover(base, src)}
		case rootName == "{":
			return nil, &NotFeedError{Reason: "document is JSON but not a JSON Feed"}
		case rootName != "":
			return nil, &NotFeedError{Reason: fmt.Sprintf("document root <%s> is not a feed (expected rss, feed or rdf:RDF)", rootName)}
		case strings.HasPrefix(strings.TrimSpace(src), "<"):
			break // broken XML: let the parser say where
		default:
			return nil, &NotFeedError{Reason: "document is neither XML nor JSON"}
		}
	case "json":
		f, err := jsonFeedDoc(base, src, p)
		if err != nil {
			return nil, wrap(err)
		}
		return finish(f, p), nil
	}
	d, err := parseXML(src, p)
	if err != nil {
		return nil, wrap(err)
	}
	root := d.root
	rn := &d.nodes[root]
	b := &builder{d: d, base: base, p: p}
	var f *newsdesk.Feed
	switch {
	case rn.name == "rss" || rn.name == "channel" || (rn.name == "RDF" && (rn.ns == "rdf" || rn.ns == "")):
		f = b.rss(root)
	case rn.name == "feed":
		f = b.atom(root)
	case strings.EqualFold(rn.name, "html"):
		return nil, &NotFeedError{Reason: "document is an HTML page, not a feed", Alternates: discover(base, src)}
	default:
		return nil, &NotFeedError{Reason: fmt.Sprintf("document root <%s> is not a feed (expected rss, feed or rdf:RDF)", rn.qname())}
	}
	if d.truncated {
		if len(f.Items) == 0 {
			return nil, wrap(&syntaxError{lineAt(src, len(src)), "unexpected EOF"})
		}
		p.add("document truncated", fmt.Sprintf("ends on line %d; kept %d complete items", lineAt(src, len(src)), len(f.Items)))
	}
	return finish(f, p), nil
}

func wrap(err error) error {
	var nf *NotFeedError
	if errors.As(err, &nf) {
		return err
	}
	return fmt.Errorf("parse feed: %w", err)
}

func finish(f *newsdesk.Feed, p *problems) *newsdesk.Feed {
	if len(p.kinds) > 0 {
		f.Bozo = true
		f.BozoReason = p.String()
	}
	return f
}

// DetectFormat names the format of a document from its start: "rss" (RSS
// 0.9x/2.0), "atom", "rdf" (RSS 1.0), "json" (JSON Feed), or "" when it is
// none of them.
func DetectFormat(body []byte) string {
	if len(body) > 4096 {
		body = body[:4096]
	}
	f, _ := detect(decodeBody(body, "", &problems{}))
	return f
}

// detect looks at the first element (or the opening brace) of a decoded
// document. It returns the format and, for XML, the root element's name.
func detect(s string) (format, root string) {
	if t := strings.TrimLeft(s, " \t\r\n"); strings.HasPrefix(t, "{") {
		if len(t) > 8192 {
			t = t[:8192]
		}
		if strings.Contains(t, "jsonfeed.org/version") || strings.Contains(t, `"items"`) {
			return "json", ""
		}
		return "", "{" // JSON, but not a feed
	}
	i := 0
	for i < len(s) {
		k := strings.IndexByte(s[i:], '<')
		if k < 0 {
			return "", ""
		}
		i += k
		rest := s[i:]
		switch {
		case strings.HasPrefix(rest, "<?"):
			k := strings.Index(rest, "?>")
			if k < 0 {
				return "", ""
			}
			i += k + 2
		case strings.HasPrefix(rest, "<!--"):
			k := strings.Index(rest, "-->")
			if k < 0 {
				return "", ""
			}
			i += k + 3
		case strings.HasPrefix(rest, "<!"):
			if len(rest) >= 14 && strings.EqualFold(rest[:14], "<!doctype html") {
				return "", "html"
			}
			i += skipDecl(rest)
		case len(rest) > 1 && isNameStart(rest[1]):
			k := 1
			for k < len(rest) && isNameByte(rest[k]) {
				k++
			}
			q := rest[1:k]
			local := q
			if c := strings.IndexByte(q, ':'); c >= 0 {
				local = q[c+1:]
			}
			switch local {
			case "rss", "channel":
				return "rss", q
			case "feed":
				return "atom", q
			case "RDF":
				return "rdf", q
			}
			if strings.EqualFold(local, "html") || strings.EqualFold(local, "head") || strings.EqualFold(local, "body") {
				return "", "html"
			}
			return "", q
		default:
			i++
		}
	}
	return "", ""
}
