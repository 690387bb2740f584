// Package auth holds the admin's security primitives: argon2id password
// hashing, session and CSRF tokens, role checks and a login rate limiter.
package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/argon2"

	"newsdesk"
)

// Params are the argon2id cost parameters. DefaultParams follow the
// OWASP recommendation for argon2id (19 MiB, 2 iterations, 1 lane).
type Params struct {
	Memory  uint32 // KiB
	Time    uint32
	Threads uint8
	KeyLen  uint32
	SaltLen uint32
}

// DefaultParams are used for new hashes.
var DefaultParams = Params{Memory: 19 * 1024, Time: 2, Threads: 1, KeyLen: 32, SaltLen: 16}

// MinPasswordLength is the shortest password accepted.
const MinPasswordLength = 10

// ErrMismatch is returned when a password does not match its hash.
var ErrMismatch = errors.New("auth: password does not match")

// HashPassword returns an encoded argon2id hash of password in the PHC
// string format ($argon2id$v=19$m=…,t=…,p=…$salt$key).
func HashPassword(password string, p Params) (string, error) {
	if len(password) < MinPasswordLength {
		return "", newsdesk.Errorf(newsdesk.EINVALID, "Password must have at least %d characters.", MinPasswordLength)
	}
	salt := make([]byte, p.SaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	key := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, p.KeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.Memory, p.Time, p.Threads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key)), nil
}

// CheckPassword reports whether password matches the encoded hash, in
// constant time. It returns ErrMismatch for a wrong password and another
// error for a malformed hash.
func CheckPassword(encoded, password string) error {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return errors.New("auth: unsupported password hash")
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return errors.New("auth: unsupported argon2 version")
	}
	var p Params
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.Memory, &p.Time, &p.Threads); err != nil {
		return fmt.Errorf("auth: malformed hash parameters: %w", err)
	}
	salt, err := base64.RawStdEncoding.DecodeString(parts[4])
	if err != nil {
		return fmt.Errorf("auth: malformed salt: %w", err)
	}
	want, err := base64.RawStdEncoding.DecodeString(parts[5])
	if err != nil {
		return fmt.Errorf("auth: malformed key: %w", err)
	}
	if p.Memory > 1<<21 || p.Time > 64 || p.Threads == 0 || len(want) == 0 || len(want) > 128 {
		return errors.New("auth: hash parameters out of range")
	}
	got := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, uint32(len(want)))
	if subtle.ConstantTimeCompare(got, want) != 1 {
		return ErrMismatch
	}
	return nil
}

// NewToken returns a random 256-bit token, URL-safe.
func NewToken() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic("auth: crypto/rand failed: " + err.Error()) // the system is unusable
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// HashToken is what the store keeps of a session token: a lookup by the
// hash means a leaked database does not leak live sessions.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// EqualTokens compares two tokens in constant time.
func EqualTokens(a, b string) bool {
	return len(a) > 0 && subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

// Can reports whether a role may perform an action. Admins may do
// everything; editors everything but managing users and sources.
func Can(role newsdesk.Role, action Action) bool {
	switch role {
	case newsdesk.RoleAdmin:
		return true
	case newsdesk.RoleEditor:
		return action != ManageUsers && action != ManageSources
	}
	return false
}

// Action is a class of admin operation.
type Action string

const (
	ManageUsers   Action = "users"
	ManageSources Action = "sources"
	EditArticles  Action = "articles"
	EditPicks     Action = "picks"
	EditSections  Action = "sections"
	EditEntities  Action = "entities"
	EditStories   Action = "stories"
)

// Limiter limits failed logins per key (client address, username): after
// Burst failures within Window, further attempts are refused until the
// window has passed.
type Limiter struct {
	Burst  int
	Window time.Duration
	Now    func() time.Time

	mu       sync.Mutex
	failures map[string][]time.Time
}

// NewLimiter returns a limiter of burst failures per window.
func NewLimiter(burst int, window time.Duration) *Limiter {
	return &Limiter{Burst: burst, Window: window, Now: time.Now, failures: map[string][]time.Time{}}
}

// Allow reports whether key may try again now, and if not, how long to wait.
func (l *Limiter) Allow(key string) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.Now()
	recent := l.prune(key, now)
	if len(recent) < l.Burst {
		return true, 0
	}
	return false, recent[0].Add(l.Window).Sub(now)
}

// Fail records a failed attempt for key.
func (l *Limiter) Fail(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.Now()
	l.failures[key] = append(l.prune(key, now), now)
	if len(l.failures) > 100_000 { // bound memory under a spray of keys
		for k := range l.failures {
			if len(l.prune(k, now)) == 0 {
				delete(l.failures, k)
			}
		}
	}
}

// Reset forgets key's failures (after a successful login).
func (l *Limiter) Reset(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.failures, key)
}

func (l *Limiter) prune(key string, now time.Time) []time.Time {
	ts := l.failures[key]
	i := 0
	for i < len(ts) && now.Sub(ts[i]) >= l.Window {
		i++
	}
	ts = ts[i:]
	if len(ts) == 0 {
		delete(l.failures, key)
	} else {
		l.failures[key] = ts
	}
	return ts
}
