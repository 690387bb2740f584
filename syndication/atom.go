package syndication

import (
	"time"

	"newsdesk"
)

type atomFeed struct {
	XMLName  struct{}    `xml:"http://www.w3.org/2005/Atom feed"`
	Lang     string      `xml:"xml:lang,attr,omitempty"`
	ID       string      `xml:"id"`
	Title    string      `xml:"title"`
	Subtitle string      `xml:"subtitle,omitempty"`
	Updated  string      `xml:"updated"`
	Links    []atomLink  `xml:"link"`
	Author   *atomPerson `xml:"author,omitempty"`
	Gen      string      `xml:"generator"`
	Entries  []atomEntry `xml:"entry"`
}

type atomLink struct {
	Href     string `xml:"href,attr"`
	Rel      string `xml:"rel,attr,omitempty"`
	Type     string `xml:"type,attr,omitempty"`
	HrefLang string `xml:"hreflang,attr,omitempty"`
	Title    string `xml:"title,attr,omitempty"`
}

type atomPerson struct {
	Name string `xml:"name"`
}

type atomText struct {
	Type  string `xml:"type,attr,omitempty"`
	Value string `xml:",chardata"`
}

type atomCategory struct {
	Term  string `xml:"term,attr"`
	Label string `xml:"label,attr,omitempty"`
}

type atomEntry struct {
	Lang       string         `xml:"xml:lang,attr,omitempty"`
	ID         string         `xml:"id"`
	Title      string         `xml:"title"`
	Updated    string         `xml:"updated"`
	Published  string         `xml:"published,omitempty"`
	Author     atomPerson     `xml:"author"`
	Links      []atomLink     `xml:"link"`
	Categories []atomCategory `xml:"category"`
	Summary    *atomText      `xml:"summary,omitempty"`
	Content    *atomText      `xml:"content,omitempty"`
}

// Atom builds an Atom 1.0 feed of arts, in the order given. Entry IDs are
// the articles' permanent URLs (without the slug, so they survive a
// headline change); each entry links to the site's page (rel=alternate) and
// to the original report (rel=related), and carries a summary and content
// as the article's licence allows.
func Atom(ch Channel, arts []*newsdesk.Article) ([]byte, error) {
	feed := atomFeed{
		Lang:     ch.Language,
		ID:       ch.FeedURL,
		Title:    ch.Title,
		Subtitle: ch.Description,
		Gen:      "newsdesk",
		Links:    []atomLink{{Href: ch.link(), Rel: "alternate", Type: "text/html"}},
	}
	if feed.ID == "" {
		feed.ID = ch.link()
	}
	if ch.FeedURL != "" {
		feed.Links = append(feed.Links, atomLink{Href: ch.FeedURL, Rel: "self", Type: "application/atom+xml"})
	}
	// Atom requires an updated time; a feed with no articles and no time
	// given is as old as it can be.
	feed.Updated = atomTime(ch.updated(arts))
	if len(arts) == 0 {
		// Atom requires an author on the feed or on every entry.
		feed.Author = &atomPerson{Name: ch.Title}
	}
	for _, a := range arts {
		e := atomEntry{
			Lang:    a.Language,
			ID:      articleID(ch.SiteURL, a),
			Title:   a.Headline,
			Updated: atomTime(updated(a)),
			Author:  atomPerson{Name: author(a)},
			Links:   []atomLink{{Href: ArticleURL(ch.SiteURL, a), Rel: "alternate", Type: "text/html"}},
		}
		if e.Author.Name == "" {
			e.Author.Name = ch.Title
		}
		if !a.PublishedAt.IsZero() {
			e.Published = atomTime(a.PublishedAt)
		}
		if a.URL != "" {
			e.Links = append(e.Links, atomLink{Href: a.URL, Rel: "related", Type: "text/html", Title: a.Source})
		}
		for _, s := range a.Sections {
			if s.Slug != "" {
				e.Categories = append(e.Categories, atomCategory{Term: s.Slug, Label: s.Name})
			}
		}
		if showLede(a) && a.Lede != "" {
			e.Summary = &atomText{Type: "text", Value: Excerpt(a.Lede, ExcerptRunes)}
		}
		if showBody(a) && a.Body != "" {
			e.Content = &atomText{Type: "html", Value: a.Body}
		}
		feed.Entries = append(feed.Entries, e)
	}
	return marshalXML("atom", feed)
}

// atomTime formats t as RFC 3339 in UTC; the zero time becomes the epoch.
func atomTime(t time.Time) string {
	if t.IsZero() {
		t = time.Unix(0, 0)
	}
	return t.UTC().Format(time.RFC3339)
}
