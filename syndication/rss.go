package syndication

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"time"

	"newsdesk"
)

type rssDoc struct {
	XMLName   xml.Name   `xml:"rss"`
	Version   string     `xml:"version,attr"`
	NSAtom    string     `xml:"xmlns:atom,attr"`
	NSContent string     `xml:"xmlns:content,attr"`
	NSDC      string     `xml:"xmlns:dc,attr"`
	Channel   rssChannel `xml:"channel"`
}

type rssChannel struct {
	Title         string    `xml:"title"`
	Link          string    `xml:"link"`
	Description   string    `xml:"description"`
	Language      string    `xml:"language,omitempty"`
	LastBuildDate string    `xml:"lastBuildDate,omitempty"`
	Generator     string    `xml:"generator"`
	Self          *atomLink `xml:"atom:link,omitempty"`
	Items         []rssItem `xml:"item"`
}

type rssItem struct {
	Title       string     `xml:"title"`
	Link        string     `xml:"link"`
	GUID        rssGUID    `xml:"guid"`
	PubDate     string     `xml:"pubDate,omitempty"`
	Creator     string     `xml:"dc:creator,omitempty"`
	Categories  []string   `xml:"category"`
	Description string     `xml:"description,omitempty"`
	Content     string     `xml:"content:encoded,omitempty"`
	Source      *rssSource `xml:"source,omitempty"`
}

type rssGUID struct {
	IsPermaLink string `xml:"isPermaLink,attr"`
	Value       string `xml:",chardata"`
}

type rssSource struct {
	URL  string `xml:"url,attr"`
	Name string `xml:",chardata"`
}

// RSS builds an RSS 2.0 feed of arts, in the order given. Each item links
// to the article's page on the site (its permalink GUID), names the author
// (dc:creator) and sections (category), and carries as much text as the
// article's licence allows: the lede excerpt as description, and the body as
// content:encoded for a full licence only.
func RSS(ch Channel, arts []*newsdesk.Article) ([]byte, error) {
	doc := rssDoc{
		Version:   "2.0",
		NSAtom:    "http://www.w3.org/2005/Atom",
		NSContent: "http://purl.org/rss/1.0/modules/content/",
		NSDC:      "http://purl.org/dc/elements/1.1/",
		Channel: rssChannel{
			Title:       ch.Title,
			Link:        ch.link(),
			Description: ch.Description,
			Language:    ch.Language,
			Generator:   "newsdesk",
		},
	}
	if doc.Channel.Description == "" {
		doc.Channel.Description = ch.Title
	}
	if u := ch.updated(arts); !u.IsZero() {
		doc.Channel.LastBuildDate = u.UTC().Format(time.RFC1123Z)
	}
	if ch.FeedURL != "" {
		doc.Channel.Self = &atomLink{Href: ch.FeedURL, Rel: "self", Type: "application/rss+xml"}
	}
	for _, a := range arts {
		link := ArticleURL(ch.SiteURL, a)
		it := rssItem{
			Title:      a.Headline,
			Link:       link,
			GUID:       rssGUID{IsPermaLink: "true", Value: link},
			Creator:    author(a),
			Categories: sectionNames(a),
		}
		if !a.PublishedAt.IsZero() {
			it.PubDate = a.PublishedAt.UTC().Format(time.RFC1123Z)
		}
		if showLede(a) {
			it.Description = Excerpt(a.Lede, ExcerptRunes)
		}
		if showBody(a) {
			it.Content = a.Body
		}
		if a.Source != "" && a.URL != "" {
			// RSS's <source> names the feed an item came from; the
			// original article is the closest address newsdesk keeps.
			it.Source = &rssSource{URL: a.URL, Name: a.Source}
		}
		doc.Channel.Items = append(doc.Channel.Items, it)
	}
	return marshalXML("rss", doc)
}

// marshalXML writes doc as an indented XML document with a declaration.
func marshalXML(what string, doc any) ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	enc := xml.NewEncoder(&buf)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return nil, fmt.Errorf("encode %s: %w", what, err)
	}
	buf.WriteByte('\n')
	return buf.Bytes(), nil
}
