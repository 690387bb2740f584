package syndication

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"

	"newsdesk"
)

// JSONFeedVersion is the version URL of the JSON Feed documents built here.
const JSONFeedVersion = "https://jsonfeed.org/version/1.1"

type jsonFeed struct {
	Version     string       `json:"version"`
	Title       string       `json:"title"`
	HomePageURL string       `json:"home_page_url,omitempty"`
	FeedURL     string       `json:"feed_url,omitempty"`
	Description string       `json:"description,omitempty"`
	Language    string       `json:"language,omitempty"`
	Items       []jsonItem   `json:"items"`
	Authors     []jsonAuthor `json:"authors,omitempty"`
}

type jsonAuthor struct {
	Name string `json:"name"`
}

type jsonItem struct {
	ID            string       `json:"id"`
	URL           string       `json:"url"`
	ExternalURL   string       `json:"external_url,omitempty"`
	Title         string       `json:"title"`
	ContentHTML   string       `json:"content_html,omitempty"`
	ContentText   string       `json:"content_text,omitempty"`
	Summary       string       `json:"summary,omitempty"`
	Image         string       `json:"image,omitempty"`
	DatePublished string       `json:"date_published,omitempty"`
	DateModified  string       `json:"date_modified,omitempty"`
	Authors       []jsonAuthor `json:"authors,omitempty"`
	Language      string       `json:"language,omitempty"`
	Tags          []string     `json:"tags,omitempty"`
}

// JSONFeed builds a JSON Feed 1.1 document of arts, in the order given.
// Each item's url is the site's page and external_url the original report.
// content_html carries the body for a full licence; an excerpt licence gives
// the lede as summary and content_text; a headline licence gives only a line
// naming the source, since JSON Feed requires some content on every item.
func JSONFeed(ch Channel, arts []*newsdesk.Article) ([]byte, error) {
	f := jsonFeed{
		Version:     JSONFeedVersion,
		Title:       ch.Title,
		HomePageURL: ch.link(),
		FeedURL:     ch.FeedURL,
		Description: ch.Description,
		Language:    ch.Language,
		Items:       make([]jsonItem, 0, len(arts)),
	}
	for _, a := range arts {
		it := jsonItem{
			ID:          articleID(ch.SiteURL, a),
			URL:         ArticleURL(ch.SiteURL, a),
			ExternalURL: a.URL,
			Title:       a.Headline,
			Image:       a.ImageURL,
			Language:    a.Language,
			Tags:        sectionNames(a),
		}
		if !a.PublishedAt.IsZero() {
			it.DatePublished = a.PublishedAt.UTC().Format(time.RFC3339)
		}
		if u := updated(a); !u.IsZero() {
			it.DateModified = u.UTC().Format(time.RFC3339)
		}
		if name := author(a); name != "" {
			it.Authors = []jsonAuthor{{Name: name}}
		}
		switch {
		case showBody(a) && a.Body != "":
			it.ContentHTML = a.Body
			it.Summary = Excerpt(a.Lede, ExcerptRunes)
		case showLede(a) && a.Lede != "":
			it.Summary = Excerpt(a.Lede, ExcerptRunes)
			it.ContentText = it.Summary
		default:
			it.ContentText = readAt(a)
		}
		f.Items = append(f.Items, it)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(f); err != nil {
		return nil, fmt.Errorf("encode json feed: %w", err)
	}
	return buf.Bytes(), nil
}

// readAt is the line shown in place of text the licence does not allow.
func readAt(a *newsdesk.Article) string {
	switch {
	case a.Source != "" && a.URL != "":
		return "Read the report at " + a.Source + ": " + a.URL
	case a.URL != "":
		return "Read the report: " + a.URL
	}
	return a.Headline
}
