package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"newsdesk"
	"newsdesk/store"
)

const userCols = `id, username, name, role, password_hash, created_at`

// CreateUser stores u and sets ID and CreatedAt. ECONFLICT on a duplicate
// username, EINVALID without username or with an unknown role.
func (db *DB) CreateUser(ctx context.Context, u *newsdesk.User) error {
	if err := store.ValidateUser(u); err != nil {
		return err
	}
	now := db.now()
	err := db.w.QueryRowContext(ctx, `INSERT INTO users (username, name, role, password_hash, created_at)
		VALUES (?, ?, ?, ?, ?) RETURNING id`, u.Username, u.Name, string(u.Role), u.PasswordHash, tm(now)).Scan(&u.ID)
	if isUnique(err) {
		return newsdesk.Errorf(newsdesk.ECONFLICT, "The username %q is taken.", u.Username)
	} else if err != nil {
		return fmt.Errorf("create user %q: %w", u.Username, err)
	}
	u.CreatedAt = now
	return nil
}

func (db *DB) userWhere(ctx context.Context, cond string, arg any) (*newsdesk.User, error) {
	u, err := dialect().ScanUser(db.r.QueryRowContext(ctx, `SELECT `+userCols+` FROM users WHERE `+cond, arg))
	if err == sql.ErrNoRows {
		return nil, notFound("User", arg)
	} else if err != nil {
		return nil, fmt.Errorf("user %v: %w", arg, err)
	}
	return u, nil
}

// User returns one user, ENOTFOUND if missing.
func (db *DB) User(ctx context.Context, id int64) (*newsdesk.User, error) {
	return db.userWhere(ctx, "id = ?", id)
}

// UserByUsername returns one user, ENOTFOUND if missing.
func (db *DB) UserByUsername(ctx context.Context, username string) (*newsdesk.User, error) {
	return db.userWhere(ctx, "username = ?", username)
}

// Users returns every user by username.
func (db *DB) Users(ctx context.Context) ([]*newsdesk.User, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT `+userCols+` FROM users ORDER BY username`)
	if err != nil {
		return nil, fmt.Errorf("users: %w", err)
	}
	defer rows.Close()
	out, err := store.ScanAll(rows, dialect().ScanUser)
	if err != nil {
		return nil, fmt.Errorf("users: %w", err)
	}
	return out, nil
}

// UpdateUser saves name, role and password hash. ENOTFOUND if missing.
func (db *DB) UpdateUser(ctx context.Context, u *newsdesk.User) error {
	if err := store.ValidRole(u.Role); err != nil {
		return err
	}
	res, err := db.w.ExecContext(ctx, `UPDATE users SET name = ?, role = ?, password_hash = ? WHERE id = ?`,
		u.Name, string(u.Role), u.PasswordHash, u.ID)
	if err != nil {
		return fmt.Errorf("update user %d: %w", u.ID, err)
	}
	return affected(res, "User", u.ID)
}

// DeleteUser removes a user and its sessions. ENOTFOUND if missing.
func (db *DB) DeleteUser(ctx context.Context, id int64) error {
	res, err := db.w.ExecContext(ctx, `DELETE FROM users WHERE id = ?`, id)
	if err != nil {
		return fmt.Errorf("delete user %d: %w", id, err)
	}
	return affected(res, "User", id)
}

// CreateSession stores s (CreatedAt defaults to now). ENOTFOUND if the
// user is missing, ECONFLICT if the token hash is taken, EINVALID without
// token hash or expiry.
func (db *DB) CreateSession(ctx context.Context, s *newsdesk.Session) error {
	if s.TokenHash == "" || s.ExpiresAt.IsZero() {
		return newsdesk.Errorf(newsdesk.EINVALID, "A session needs a token hash and an expiry.")
	}
	if s.CreatedAt.IsZero() {
		s.CreatedAt = db.now()
	}
	_, err := db.w.ExecContext(ctx, `INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, expires_at)
		VALUES (?, ?, ?, ?, ?)`, s.TokenHash, s.UserID, s.CSRFToken, tm(s.CreatedAt), tm(s.ExpiresAt))
	switch {
	case isForeignKey(err):
		return notFound("User", s.UserID)
	case isUnique(err):
		return newsdesk.Errorf(newsdesk.ECONFLICT, "Session token already in use.")
	case err != nil:
		return fmt.Errorf("create session: %w", err)
	}
	return nil
}

// SessionByTokenHash returns the session unless it has expired at now;
// ENOTFOUND otherwise.
func (db *DB) SessionByTokenHash(ctx context.Context, tokenHash string, now time.Time) (*newsdesk.Session, error) {
	s, err := dialect().ScanSession(db.r.QueryRowContext(ctx, `SELECT token_hash, user_id, csrf_token, created_at, expires_at FROM sessions
		WHERE token_hash = ? AND expires_at > ?`, tokenHash, tm(now)))
	if err == sql.ErrNoRows {
		return nil, newsdesk.Errorf(newsdesk.ENOTFOUND, "Session not found or expired.")
	} else if err != nil {
		return nil, fmt.Errorf("session: %w", err)
	}
	return s, nil
}

// DeleteSession ends a session; ending one that does not exist is not an
// error (logging out twice).
func (db *DB) DeleteSession(ctx context.Context, tokenHash string) error {
	if _, err := db.w.ExecContext(ctx, `DELETE FROM sessions WHERE token_hash = ?`, tokenHash); err != nil {
		return fmt.Errorf("delete session: %w", err)
	}
	return nil
}

// DeleteExpiredSessions removes sessions expired at now and returns how many.
func (db *DB) DeleteExpiredSessions(ctx context.Context, now time.Time) (int64, error) {
	res, err := db.w.ExecContext(ctx, `DELETE FROM sessions WHERE expires_at <= ?`, tm(now))
	if err != nil {
		return 0, fmt.Errorf("delete expired sessions: %w", err)
	}
	return res.RowsAffected()
}
