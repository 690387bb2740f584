package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"newsdesk"
	"newsdesk/store"
)

var _ newsdesk.SubscriptionStore = (*DB)(nil)

const subscriptionCols = `id, source_id, hub_url, topic_url, secret, callback_token, state, lease_seconds,
	expires_at, renew_at, failures, last_error, created_at, updated_at`

// SaveSubscription stores s as the subscription of its source, replacing
// the one the source had, and sets its ID and times.
func (db *DB) SaveSubscription(ctx context.Context, s *newsdesk.Subscription) error {
	if err := s.Validate(); err != nil {
		return err
	}
	now := db.now()
	var created time.Time
	err := db.pool.QueryRow(ctx, `INSERT INTO websub_subscriptions (source_id, hub_url, topic_url, secret,
		callback_token, state, lease_seconds, expires_at, renew_at, failures, last_error, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12)
		ON CONFLICT (source_id) DO UPDATE SET hub_url = excluded.hub_url, topic_url = excluded.topic_url,
			secret = excluded.secret, callback_token = excluded.callback_token, state = excluded.state,
			lease_seconds = excluded.lease_seconds, expires_at = excluded.expires_at, renew_at = excluded.renew_at,
			failures = excluded.failures, last_error = excluded.last_error, updated_at = excluded.updated_at
		RETURNING id, created_at`,
		s.SourceID, s.HubURL, s.TopicURL, s.Secret, s.CallbackToken, string(s.State), s.LeaseSeconds,
		ts(s.ExpiresAt), ts(s.RenewAt), s.Failures, s.LastError, now).Scan(&s.ID, tsp(&created))
	switch {
	case isForeignKey(err):
		return notFound("Source", s.SourceID)
	case isUnique(err):
		return newsdesk.Errorf(newsdesk.ECONFLICT, "Callback token already in use.")
	case err != nil:
		return fmt.Errorf("save subscription of source %d: %w", s.SourceID, err)
	}
	s.CreatedAt, s.UpdatedAt = created, now
	return nil
}

// SubscriptionByToken returns the subscription with the callback token.
func (db *DB) SubscriptionByToken(ctx context.Context, token string) (*newsdesk.Subscription, error) {
	s, err := dialect().ScanSubscription(db.pool.QueryRow(ctx, `SELECT `+subscriptionCols+`
		FROM websub_subscriptions WHERE callback_token = $1`, token))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, newsdesk.Errorf(newsdesk.ENOTFOUND, "Subscription not found.")
	} else if err != nil {
		return nil, fmt.Errorf("subscription by token: %w", err)
	}
	return s, nil
}

// SubscriptionBySource returns the source's subscription.
func (db *DB) SubscriptionBySource(ctx context.Context, sourceID int64) (*newsdesk.Subscription, error) {
	s, err := dialect().ScanSubscription(db.pool.QueryRow(ctx, `SELECT `+subscriptionCols+`
		FROM websub_subscriptions WHERE source_id = $1`, sourceID))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, notFound("Subscription of source", sourceID)
	} else if err != nil {
		return nil, fmt.Errorf("subscription of source %d: %w", sourceID, err)
	}
	return s, nil
}

// SubscriptionsDue returns up to limit subscriptions whose RenewAt is set
// and at or before now, earliest first.
func (db *DB) SubscriptionsDue(ctx context.Context, now time.Time, limit int) ([]*newsdesk.Subscription, error) {
	rows, err := db.pool.Query(ctx, `SELECT `+subscriptionCols+` FROM websub_subscriptions
		WHERE renew_at IS NOT NULL AND renew_at <= $1 ORDER BY renew_at, id`+limitOffset(limit, 0), now.UTC())
	if err != nil {
		return nil, fmt.Errorf("subscriptions due: %w", err)
	}
	defer rows.Close()
	out, err := store.ScanAll(rows, dialect().ScanSubscription)
	if err != nil {
		return nil, fmt.Errorf("subscriptions due: %w", err)
	}
	return out, nil
}
