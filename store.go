package newsdesk

import "context"

// Store is everything newsdesk keeps. store/sqlite and store/postgres
// implement it, and store/storetest holds the behaviour both must have.
type Store interface {
	SourceStore
	ArticleStore
	SectionStore
	EntityStore
	StoryStore
	PickStore
	ReaderStore
	SearchIndex
	UserStore
	APITokenStore
	AuditStore
	SubscriptionStore

	// Ping reports whether the database answers.
	Ping(ctx context.Context) error
	// Close releases the database.
	Close() error
}
