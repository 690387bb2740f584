package newsdesk

import (
	"context"
	"time"
)

// SubscriptionState is where a WebSub subscription stands with its hub.
type SubscriptionState string

const (
	// SubscriptionPending: asked for, not yet verified by the hub.
	SubscriptionPending SubscriptionState = "pending"
	// SubscriptionActive: verified; the hub pushes until ExpiresAt.
	SubscriptionActive SubscriptionState = "active"
	// SubscriptionDenied: the hub refused it (LastError says why).
	SubscriptionDenied SubscriptionState = "denied"
	// SubscriptionExpired: the lease ran out before it was renewed.
	SubscriptionExpired SubscriptionState = "expired"
	// SubscriptionUnsubscribed: the site asked the hub to stop (the feed
	// no longer names the hub); pushes are refused.
	SubscriptionUnsubscribed SubscriptionState = "unsubscribed"
)

// Subscription is a source's WebSub subscription: a hub pushes new versions
// of the feed (the topic) to the site's callback URL, ending in
// CallbackToken, signed with Secret. A source has at most one.
type Subscription struct {
	ID       int64
	SourceID int64
	HubURL   string
	TopicURL string
	// Secret signs the hub's pushes (HMAC); random per subscription, never
	// shown or logged.
	Secret string
	// CallbackToken is the random last path component of the callback URL.
	CallbackToken string
	State         SubscriptionState
	LeaseSeconds  int       // as granted by the hub on verification
	ExpiresAt     time.Time // zero until verified
	// RenewAt is when the subscriber next asks the hub again (renewal
	// before expiry, or a retry); zero means never.
	RenewAt   time.Time
	Failures  int    // consecutive failed requests to the hub
	LastError string // readable reason of the last failure or denial
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Validate reports whether the subscription can be stored.
func (s *Subscription) Validate() error {
	switch {
	case s.SourceID == 0:
		return Errorf(EINVALID, "Subscription source required.")
	case s.HubURL == "" || s.TopicURL == "":
		return Errorf(EINVALID, "Subscription hub and topic required.")
	case len(s.Secret) < 32:
		return Errorf(EINVALID, "Subscription secret too short.")
	case len(s.CallbackToken) < 16:
		return Errorf(EINVALID, "Subscription callback token too short.")
	}
	switch s.State {
	case SubscriptionPending, SubscriptionActive, SubscriptionDenied, SubscriptionExpired, SubscriptionUnsubscribed:
	default:
		return Errorf(EINVALID, "Unknown subscription state %q.", s.State)
	}
	return nil
}

// SubscriptionStore keeps WebSub subscriptions.
type SubscriptionStore interface {
	// SaveSubscription stores s as the subscription of s.SourceID,
	// replacing the one the source had, and sets its ID and times
	// (UpdatedAt always, CreatedAt on creation). EINVALID if s does not
	// validate, ENOTFOUND if the source is missing, ECONFLICT if another
	// source's subscription has the same callback token.
	SaveSubscription(ctx context.Context, s *Subscription) error
	// SubscriptionByToken returns the subscription with the callback
	// token, ENOTFOUND if there is none.
	SubscriptionByToken(ctx context.Context, token string) (*Subscription, error)
	// SubscriptionBySource returns the source's subscription, ENOTFOUND if
	// it has none. Deleting a source deletes its subscription.
	SubscriptionBySource(ctx context.Context, sourceID int64) (*Subscription, error)
	// SubscriptionsDue returns up to limit subscriptions whose RenewAt is
	// set and at or before now, earliest first.
	SubscriptionsDue(ctx context.Context, now time.Time, limit int) ([]*Subscription, error)
}
