package newsdesk

import (
	"context"
	"time"
)

// Pick is an editors' pick: an article pinned to "Must read", in order,
// until it expires.
type Pick struct {
	ID        int64
	ArticleID int64
	Position  int       // 0 is shown first
	ExpiresAt time.Time // zero: never
	CreatedBy int64     // user ID, 0 for the system
	CreatedAt time.Time
	Article   *Article // filled by Picks
}

// Active reports whether the pick is shown at time now.
func (p *Pick) Active(now time.Time) bool { return p.ExpiresAt.IsZero() || now.Before(p.ExpiresAt) }

// PickStore keeps editors' picks.
type PickStore interface {
	// Picks returns the picks active at now, in position order, each with
	// its published article. Picks of unpublished articles are left out.
	Picks(ctx context.Context, now time.Time) ([]*Pick, error)
	// AllPicks returns every pick, expired ones included (for the admin).
	AllPicks(ctx context.Context) ([]*Pick, error)
	// CreatePick pins an article at p.Position, shifting later picks down,
	// and sets p.ID. ECONFLICT if the article is already picked;
	// ENOTFOUND if the article does not exist.
	CreatePick(ctx context.Context, p *Pick) error
	// MovePick moves a pick to a new position, shifting the others.
	MovePick(ctx context.Context, id int64, position int) error
	// UpdatePickExpiry sets a pick's expiry (zero: never).
	UpdatePickExpiry(ctx context.Context, id int64, expires time.Time) error
	// DeletePick unpins.
	DeletePick(ctx context.Context, id int64) error
}
