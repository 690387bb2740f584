package newsdesk

import (
	"context"
	"time"
)

// ReadEvent is one article view by a reader. Readers are known only by a
// random first-party id kept in a cookie.
type ReadEvent struct {
	ReaderID  string
	ArticleID int64
	At        time.Time
}

// ArticleCount is an article with a count (reads, co-reads).
type ArticleCount struct {
	ArticleID int64
	Count     int
}

// ReaderStore keeps reading events for recommendations and "most read".
type ReaderStore interface {
	// RecordRead stores a view. Repeated views of the same article by the
	// same reader count once.
	RecordRead(ctx context.Context, e ReadEvent) error
	// ReadHistory returns a reader's views, newest first.
	ReadHistory(ctx context.Context, readerID string, limit int) ([]ReadEvent, error)
	// DeleteReader erases every event of a reader.
	DeleteReader(ctx context.Context, readerID string) error
	// MostRead returns the most-read published articles since a time,
	// optionally within a section (and its descendants).
	MostRead(ctx context.Context, sectionID int64, since time.Time, limit int) ([]ArticleCount, error)
	// CoRead returns the articles most often read by readers who read any of
	// articleIDs, excluding those articles, since a time.
	CoRead(ctx context.Context, articleIDs []int64, since time.Time, limit int) ([]ArticleCount, error)
	// PurgeReadEvents deletes events older than before and returns how many.
	PurgeReadEvents(ctx context.Context, before time.Time) (int64, error)
}

// Recommendation is an article recommended to a reader, with the reason a
// reader is shown ("Because you read …").
type Recommendation struct {
	Article *Article
	Reason  string
	// BecauseOf is the article of the reader's history behind the
	// recommendation, or nil (popular, fresh).
	BecauseOf *Article
}

// ReadEventKey is a place in the list of all read events, which is ordered
// by reader ID (byte order), then article ID. The zero key is its start.
type ReadEventKey struct {
	ReaderID  string
	ArticleID int64
}

// ReadEventLister lists every stored read event, for copying one store into
// another. The SQL stores implement it beside ReaderStore.
type ReadEventLister interface {
	// ReadEvents returns up to limit events (all for limit <= 0) that come
	// after the key, in (reader, article) order.
	ReadEvents(ctx context.Context, after ReadEventKey, limit int) ([]ReadEvent, error)
}

// ReadBatcher is implemented by stores that write many views in one
// transaction; the site's view writer uses it when the store has it.
type ReadBatcher interface {
	// RecordReads stores views as RecordRead does, all or none. Invalid
	// events (no reader or article) are skipped.
	RecordReads(ctx context.Context, events []ReadEvent) error
}
