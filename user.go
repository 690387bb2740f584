package newsdesk

import (
	"context"
	"time"
)

// Role is what a user may do in the admin.
type Role string

const (
	RoleAdmin  Role = "admin"  // everything, including users and sources
	RoleEditor Role = "editor" // articles, picks, sections, entities, stories
)

// User is an account of the admin.
type User struct {
	ID           int64
	Username     string
	Name         string
	Role         Role
	PasswordHash string // argon2id or bcrypt encoded hash; never the password
	CreatedAt    time.Time
}

// Session is a logged-in user's session. The store keeps only a hash of
// the token the browser holds.
type Session struct {
	TokenHash string
	UserID    int64
	CSRFToken string
	CreatedAt time.Time
	ExpiresAt time.Time
}

// UserStore keeps admin accounts and their sessions.
type UserStore interface {
	CreateUser(ctx context.Context, u *User) error // ECONFLICT on a duplicate username
	User(ctx context.Context, id int64) (*User, error)
	UserByUsername(ctx context.Context, username string) (*User, error)
	Users(ctx context.Context) ([]*User, error)
	UpdateUser(ctx context.Context, u *User) error // name, role, password hash
	DeleteUser(ctx context.Context, id int64) error
	CreateSession(ctx context.Context, s *Session) error
	SessionByTokenHash(ctx context.Context, tokenHash string, now time.Time) (*Session, error)
	DeleteSession(ctx context.Context, tokenHash string) error
}
