package newsdesk

import (
	"context"
	"time"
)

// AuditEntry records one change made in the admin or through the API: who
// did what to which thing, and when. Username is kept with the entry so that
// the log still reads after the user is removed.
type AuditEntry struct {
	ID       int64
	UserID   int64
	Username string
	Action   string // what was done, e.g. "pick.create", "source.delete"
	Target   string // what it was done to, e.g. "article:42"
	Detail   string // a readable summary; never a password or token
	At       time.Time
}

// AuditStore keeps the audit log.
type AuditStore interface {
	// RecordAudit appends e and sets its ID (and At when zero).
	RecordAudit(ctx context.Context, e *AuditEntry) error
	// AuditLog returns entries newest first and the total number kept.
	AuditLog(ctx context.Context, limit, offset int) ([]*AuditEntry, int, error)
}
