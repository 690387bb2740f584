package newsdesk

import (
	"context"
	"strconv"
	"time"
)

// Story is one event as covered by one or more articles, possibly from
// several sources.
type Story struct {
	ID             int64
	Title          string // headline of the first report, unless an editor set one
	FirstArticleID int64
	Articles       int // published articles in the story
	Sources        int // distinct sources among them
	FirstAt        time.Time
	LastAt         time.Time
	CreatedAt      time.Time
}

// Path is the story's page on the site.
func (s *Story) Path() string { return "/story/" + strconv.FormatInt(s.ID, 10) }

// StoryFilter selects stories. Results are by LastAt, newest first.
type StoryFilter struct {
	Since      *time.Time // LastAt >= Since
	MinSources int
	Offset     int
	Limit      int
}

// StoryStore keeps stories. Stories are made by UpsertArticles (an article
// stored without a story gets its own) and joined by clustering.
type StoryStore interface {
	// Story returns one story with its counts, ENOTFOUND if missing.
	Story(ctx context.Context, id int64) (*Story, error)
	// Stories returns stories matching the filter, most recently active first.
	Stories(ctx context.Context, f StoryFilter) ([]*Story, error)
	// MoveArticles puts the articles into story storyID and drops stories
	// left empty.
	MoveArticles(ctx context.Context, storyID int64, articleIDs []int64) error
	// SplitArticles moves the articles into a new story and returns it.
	SplitArticles(ctx context.Context, articleIDs []int64) (*Story, error)
	// UpdateStoryTitle sets the story's title.
	UpdateStoryTitle(ctx context.Context, id int64, title string) error
}
