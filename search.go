package newsdesk

import (
	"context"
	"time"
)

// Snippet highlight markers. A search snippet is plain text in which each
// matched term stands between SnippetMarkStart and SnippetMarkEnd (two
// private-use characters that never occur in stored text). The page escapes
// the text and only then turns the markers into <mark> elements.
const (
	SnippetMarkStart = "\uE000"
	SnippetMarkEnd   = "\uE001"
)

// SearchDoc is the searchable form of one article, with text already
// normalised by the index stage (letter variants and diacritics folded).
type SearchDoc struct {
	ArticleID int64
	Headline  string
	Lede      string
	Body      string
	Entities  string // entity names and aliases, space-separated
}

// SearchSort orders search results.
type SearchSort string

const (
	SortRelevance SearchSort = "relevance"
	SortNewest    SearchSort = "newest"
)

// SearchQuery is a full-text query. Text is already normalised like the
// documents; words are ANDed, "quoted phrases" kept as phrases.
type SearchQuery struct {
	Text      string
	SectionID *int64
	SourceID  *int64
	EntityID  *int64
	From      *time.Time
	To        *time.Time
	Sort      SearchSort
	Offset    int
	Limit     int
	// NoTotal says the caller does not use SearchResult.Total: the store
	// may skip counting and set it to -1.
	NoTotal bool
	// MaxTotal, when positive, lets the store stop counting at MaxTotal
	// matches; SearchResult.TotalCapped then says Total is a lower bound.
	MaxTotal int
	// Cards asks for the hits' articles as cards, as ArticleFilter.Cards
	// does: no body, for a results page.
	Cards bool
}

// SearchHit is one result.
type SearchHit struct {
	Article *Article
	Snippet string // with SnippetMarkStart/SnippetMarkEnd around matches
	Score   float64
}

// SearchResult is one page of results.
type SearchResult struct {
	Hits  []SearchHit
	Total int
	// TotalCapped means counting stopped early, at SearchQuery.MaxTotal
	// or (a store may bound the work of a capped count) before it: there
	// are Total matches or more.
	TotalCapped bool
}

// SearchIndex is the full-text index over published articles.
type SearchIndex interface {
	// IndexArticles adds or replaces the documents.
	IndexArticles(ctx context.Context, docs []SearchDoc) error
	// Search runs a query. EINVALID for a query that cannot be parsed.
	Search(ctx context.Context, q SearchQuery) (*SearchResult, error)
}
