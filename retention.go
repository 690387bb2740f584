package newsdesk

import (
	"context"
	"time"
)

// BodyRule selects the articles whose bodies retention removes: those
// published before Before whose primary section is one of Sections (any
// article, filed or not, when Sections is nil) and none of Except. Articles
// whose body is already removed are not selected again.
type BodyRule struct {
	Before   time.Time
	Sections []int64
	Except   []int64
}

// RetentionStore removes what a site no longer keeps. It is separate from
// Store: the command checks for it with a type assertion.
type RetentionStore interface {
	// StripBodies removes the body and text of the articles r selects, from
	// the articles and from the search index, keeping headline, lede, link
	// and metadata, and sets their BodyRemovedAt. With dryRun it changes
	// nothing. It returns the number of articles (that would be) stripped.
	StripBodies(ctx context.Context, r BodyRule, dryRun bool) (int64, error)
	// CountReadEvents returns how many read events are older than before
	// (what PurgeReadEvents would delete).
	CountReadEvents(ctx context.Context, before time.Time) (int64, error)
	// DeleteExpiredSessions deletes admin sessions expired at now and
	// returns how many.
	DeleteExpiredSessions(ctx context.Context, now time.Time) (int64, error)
	// CountExpiredSessions returns how many sessions are expired at now.
	CountExpiredSessions(ctx context.Context, now time.Time) (int64, error)
}
