package auth

import (
	"errors"
	"strings"
	"testing"
	"time"

	"newsdesk"
)

var fast = Params{Memory: 1024, Time: 1, Threads: 1, KeyLen: 32, SaltLen: 16}

func TestPasswordHash(t *testing.T) {
	h, err := HashPassword("correct horse battery", fast)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=1024,t=1,p=1$") {
		t.Errorf("hash %q not in PHC form", h)
	}
	if err := CheckPassword(h, "correct horse battery"); err != nil {
		t.Errorf("right password refused: %v", err)
	}
	if err := CheckPassword(h, "correct horse batterY"); !errors.Is(err, ErrMismatch) {
		t.Errorf("wrong password: %v, want ErrMismatch", err)
	}
	h2, _ := HashPassword("correct horse battery", fast)
	if h == h2 {
		t.Error("two hashes of one password are equal: salt not random")
	}
	if _, err := HashPassword("short", fast); newsdesk.ErrorCode(err) != newsdesk.EINVALID {
		t.Errorf("short password: %v", err)
	}
	for _, bad := range []string{"", "$2a$10$abc", "$argon2id$v=19$m=x$a$b", "$argon2id$v=19$m=99999999,t=1,p=1$YWJj$YWJj"} {
		if err := CheckPassword(bad, "whatever-long"); err == nil || errors.Is(err, ErrMismatch) {
			t.Errorf("malformed hash %q: %v", bad, err)
		}
	}
}

func TestTokens(t *testing.T) {
	a, b := NewToken(), NewToken()
	if a == b || len(a) < 40 {
		t.Errorf("tokens %q %q", a, b)
	}
	if HashToken(a) == a || len(HashToken(a)) != 64 {
		t.Error("token hash")
	}
	if !EqualTokens(a, a) || EqualTokens(a, b) || EqualTokens("", "") {
		t.Error("EqualTokens")
	}
}

func TestCan(t *testing.T) {
	if !Can(newsdesk.RoleAdmin, ManageUsers) || Can(newsdesk.RoleEditor, ManageUsers) || !Can(newsdesk.RoleEditor, EditPicks) || Can("", EditPicks) {
		t.Error("role table wrong")
	}
}

func TestLimiter(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	l := NewLimiter(3, time.Minute)
	l.Now = func() time.Time { return now }
	for i := 0; i < 3; i++ {
		if ok, _ := l.Allow("ip"); !ok {
			t.Fatalf("attempt %d refused", i)
		}
		l.Fail("ip")
	}
	if ok, wait := l.Allow("ip"); ok || wait != time.Minute {
		t.Errorf("after 3 failures: ok=%v wait=%v", ok, wait)
	}
	if ok, _ := l.Allow("other"); !ok {
		t.Error("other key limited")
	}
	now = now.Add(61 * time.Second)
	if ok, _ := l.Allow("ip"); !ok {
		t.Error("still limited after the window")
	}
	l.Fail("ip")
	l.Reset("ip")
	if ok, _ := l.Allow("ip"); !ok {
		t.Error("limited after reset")
	}
}

func BenchmarkHashPassword(b *testing.B) {
	for b.Loop() {
		if _, err := HashPassword("correct horse battery", DefaultParams); err != nil {
			b.Fatal(err)
		}
	}
}
