package newsdesk

import "time"

// Feed is a parsed feed document: RSS, Atom, RDF or JSON Feed, normalised.
type Feed struct {
	Title       string
	Link        string // the site's home page
	FeedURL     string // self link, when the feed names one
	Description string
	Language    string
	Updated     time.Time
	Published   time.Time
	HubURL      string // WebSub hub, when the feed names one
	Items       []*Item
	// Bozo is true when the document was broken but recovered.
	Bozo bool
	// BozoReason says what was wrong with a recovered document.
	BozoReason string
}

// Item is one entry of a feed, before extraction and enrichment. Summary and
// Content are raw HTML from the source: never shown before sanitize.
type Item struct {
	GUID       string
	Link       string
	Title      string
	Author     string
	Summary    string
	Content    string
	Published  time.Time
	Updated    time.Time
	Categories []string
	Enclosures []Enclosure
	ImageURL   string
	Language   string
}

// Enclosure is a media file attached to an item.
type Enclosure struct {
	URL    string
	Type   string
	Length int64
}
