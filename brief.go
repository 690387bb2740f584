package newsdesk

import (
	"context"
	"time"
)

// ArticleBrief is the little of an article that a list ranks candidates
// on before it reads the chosen few whole: no body, text or names of
// sections and entities.
type ArticleBrief struct {
	ID          int64
	SourceID    int64
	Source      string // the source's name
	StoryID     int64
	DuplicateOf int64
	Status      ArticleStatus
	PublishedAt time.Time
	Fingerprint string
	Headline    string
	Lede        string
	EntityIDs   []int64 // the entities it names, most mentioned first
}

// BriefStore is offered by stores that can read the briefs of a filter's
// articles more cheaply than the articles themselves.
type BriefStore interface {
	// ArticleBriefs returns the briefs of the articles Articles would
	// return for f, in the same order; it never counts.
	ArticleBriefs(ctx context.Context, f ArticleFilter) ([]ArticleBrief, error)
}
