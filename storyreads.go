package newsdesk

import (
	"context"
	"time"
)

// StoryCount is a story with a count (reads).
type StoryCount struct {
	StoryID int64
	Count   int
}

// StoryReadCounter counts reads per story, so that "Trending" can compare a
// story's readers in one window with another without loading every article.
// The SQL stores implement it beside ReaderStore; without it the same counts
// can be summed from MostRead.
type StoryReadCounter interface {
	// StoryReads returns, for each of storyIDs that has any, the read events
	// with a time in [since, until) of the story's published articles (a
	// reader counts once per article, at the latest view), most read first,
	// ties to the higher story ID.
	StoryReads(ctx context.Context, storyIDs []int64, since, until time.Time) ([]StoryCount, error)
}
