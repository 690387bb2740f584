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

// RecordAudit appends e to the audit log and sets its ID (and At when
// zero). EINVALID without an action.
func (db *DB) RecordAudit(ctx context.Context, e *newsdesk.AuditEntry) error {
	if e.Action == "" {
		return newsdesk.Errorf(newsdesk.EINVALID, "Audit entry needs an action.")
	}
	if e.At.IsZero() {
		e.At = db.now()
	}
	err := db.pool.QueryRow(ctx, `INSERT INTO audit_log (user_id, username, action, target, detail, at)
		VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`, e.UserID, e.Username, e.Action, e.Target, e.Detail, e.At.UTC()).Scan(&e.ID)
	if err != nil {
		return fmt.Errorf("record audit %s: %w", e.Action, err)
	}
	return nil
}

// AuditLog returns entries newest first and the total number kept.
func (db *DB) AuditLog(ctx context.Context, limit, offset int) ([]*newsdesk.AuditEntry, int, error) {
	var total int
	if err := db.pool.QueryRow(ctx, `SELECT count(*) FROM audit_log`).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("audit log: %w", err)
	}
	rows, err := db.pool.Query(ctx, `SELECT id, user_id, username, action, target, detail, at
		FROM audit_log ORDER BY at DESC, id DESC`+limitOffset(limit, offset))
	if err != nil {
		return nil, 0, fmt.Errorf("audit log: %w", err)
	}
	defer rows.Close()
	out, err := store.ScanAll(rows, dialect().ScanAuditEntry)
	if err != nil {
		return nil, 0, fmt.Errorf("audit log: %w", err)
	}
	return out, total, nil
}

const apiTokenCols = `id, user_id, name, token_hash, created_at, expires_at`

// CreateAPIToken stores t and sets its ID (and CreatedAt when zero).
// ENOTFOUND if the user is missing, ECONFLICT if the hash is taken, EINVALID
// without a hash.
func (db *DB) CreateAPIToken(ctx context.Context, t *newsdesk.APIToken) error {
	if t.TokenHash == "" {
		return newsdesk.Errorf(newsdesk.EINVALID, "An API token needs a token hash.")
	}
	if t.CreatedAt.IsZero() {
		t.CreatedAt = db.now()
	}
	err := db.pool.QueryRow(ctx, `INSERT INTO api_tokens (user_id, name, token_hash, created_at, expires_at)
		VALUES ($1, $2, $3, $4, $5) RETURNING id`, t.UserID, t.Name, t.TokenHash, t.CreatedAt.UTC(), ts(t.ExpiresAt)).Scan(&t.ID)
	switch {
	case isForeignKey(err):
		return notFound("User", t.UserID)
	case isUnique(err):
		return newsdesk.Errorf(newsdesk.ECONFLICT, "API token already in use.")
	case err != nil:
		return fmt.Errorf("create api token: %w", err)
	}
	return nil
}

// APITokenByHash returns the token unless it has expired at now; ENOTFOUND
// otherwise.
func (db *DB) APITokenByHash(ctx context.Context, tokenHash string, now time.Time) (*newsdesk.APIToken, error) {
	t, err := dialect().ScanAPIToken(db.pool.QueryRow(ctx, `SELECT `+apiTokenCols+` FROM api_tokens
		WHERE token_hash = $1 AND (expires_at IS NULL OR expires_at > $2)`, tokenHash, now.UTC()))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, newsdesk.Errorf(newsdesk.ENOTFOUND, "API token not found or expired.")
	} else if err != nil {
		return nil, fmt.Errorf("api token: %w", err)
	}
	return t, nil
}

// APITokens lists a user's tokens, newest first.
func (db *DB) APITokens(ctx context.Context, userID int64) ([]*newsdesk.APIToken, error) {
	rows, err := db.pool.Query(ctx, `SELECT `+apiTokenCols+` FROM api_tokens WHERE user_id = $1
		ORDER BY created_at DESC, id DESC`, userID)
	if err != nil {
		return nil, fmt.Errorf("api tokens of user %d: %w", userID, err)
	}
	defer rows.Close()
	out, err := store.ScanAll(rows, dialect().ScanAPIToken)
	if err != nil {
		return nil, fmt.Errorf("api tokens of user %d: %w", userID, err)
	}
	return out, nil
}

// DeleteAPIToken revokes a token. ENOTFOUND if missing.
func (db *DB) DeleteAPIToken(ctx context.Context, id int64) error {
	tag, err := db.pool.Exec(ctx, `DELETE FROM api_tokens WHERE id = $1`, id)
	if err != nil {
		return fmt.Errorf("delete api token %d: %w", id, err)
	}
	return affected(tag, "API token", id)
}
