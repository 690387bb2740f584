package newsdesk

import (
	"context"
	"time"
)

// APIToken lets a program use the JSON API with its user's role. The token
// itself is shown once when created; the store keeps only its hash.
type APIToken struct {
	ID        int64
	UserID    int64
	Name      string // what the token is for, e.g. "newsletter tool"
	TokenHash string
	CreatedAt time.Time
	ExpiresAt time.Time // zero: never
}

// APITokenStore keeps API tokens.
type APITokenStore interface {
	// CreateAPIToken stores t and sets its ID (and CreatedAt when zero).
	// ENOTFOUND if the user is missing, EINVALID without a hash.
	CreateAPIToken(ctx context.Context, t *APIToken) error
	// APITokenByHash returns the token unless it has expired at now;
	// ENOTFOUND otherwise.
	APITokenByHash(ctx context.Context, tokenHash string, now time.Time) (*APIToken, error)
	// APITokens lists a user's tokens, newest first.
	APITokens(ctx context.Context, userID int64) ([]*APIToken, error)
	// DeleteAPIToken revokes a token. ENOTFOUND if missing.
	DeleteAPIToken(ctx context.Context, id int64) error
}
