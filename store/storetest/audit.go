package storetest

import (
	"testing"
	"time"

	"newsdesk"
)

// adminTests check the stores the admin and the API add: the audit log
// and API tokens. Run includes them.
var adminTests = []struct {
	name string
	fn   func(t *testing.T, s newsdesk.Store)
}{
	{"AuditLog", testAuditLog},
	{"APITokens", testAPITokens},
}

func testAuditLog(t *testing.T, s newsdesk.Store) {
	ctx := t.Context()
	entries, total, err := s.AuditLog(ctx, 10, 0)
	must(t, err)
	if len(entries) != 0 || total != 0 {
		t.Fatalf("empty log = %d entries, total %d", len(entries), total)
	}
	wantCode(t, s.RecordAudit(ctx, &newsdesk.AuditEntry{Username: "ed"}), newsdesk.EINVALID)
	for i := range 5 {
		e := &newsdesk.AuditEntry{UserID: 7, Username: "ed", Action: "pick.create",
			Target: "article:" + string(rune('a'+i)), Detail: "Pinned", At: at(i)}
		must(t, s.RecordAudit(ctx, e))
		if e.ID == 0 {
			t.Fatal("RecordAudit set no ID")
		}
	}
	noTime := &newsdesk.AuditEntry{Username: "system", Action: "source.delete"}
	must(t, s.RecordAudit(ctx, noTime))
	if noTime.At.IsZero() {
		t.Error("RecordAudit left At zero")
	}
	entries, total, err = s.AuditLog(ctx, 2, 1)
	must(t, err)
	if total != 6 || len(entries) != 2 {
		t.Fatalf("page = %d entries, total %d; want 2 of 6", len(entries), total)
	}
	// Newest first: the entry without a time got "now", after every at(i).
	if entries[0].Target != "article:e" || entries[1].Target != "article:d" {
		t.Errorf("page order = %q, %q", entries[0].Target, entries[1].Target)
	}
	e := entries[0]
	if e.UserID != 7 || e.Username != "ed" || e.Action != "pick.create" || e.Detail != "Pinned" || !e.At.Equal(at(4)) {
		t.Errorf("entry = %+v", e)
	}
	all, _, err := s.AuditLog(ctx, 0, 0)
	must(t, err)
	if len(all) != 6 || all[0].Action != "source.delete" {
		t.Errorf("whole log = %d entries, first %+v", len(all), all[0])
	}
}

func testAPITokens(t *testing.T, s newsdesk.Store) {
	ctx := t.Context()
	u := &newsdesk.User{Username: "tok", Role: newsdesk.RoleEditor}
	must(t, s.CreateUser(ctx, u))
	other := &newsdesk.User{Username: "other", Role: newsdesk.RoleAdmin}
	must(t, s.CreateUser(ctx, other))
	now := base
	wantCode(t, s.CreateAPIToken(ctx, &newsdesk.APIToken{UserID: u.ID}), newsdesk.EINVALID)
	wantCode(t, s.CreateAPIToken(ctx, &newsdesk.APIToken{UserID: 999999, TokenHash: "h0"}), newsdesk.ENOTFOUND)

	forever := &newsdesk.APIToken{UserID: u.ID, Name: "newsletter", TokenHash: "h1", CreatedAt: now}
	must(t, s.CreateAPIToken(ctx, forever))
	if forever.ID == 0 {
		t.Fatal("CreateAPIToken set no ID")
	}
	wantCode(t, s.CreateAPIToken(ctx, &newsdesk.APIToken{UserID: u.ID, TokenHash: "h1"}), newsdesk.ECONFLICT)
	short := &newsdesk.APIToken{UserID: u.ID, Name: "ci", TokenHash: "h2", CreatedAt: now.Add(time.Hour), ExpiresAt: now.Add(2 * time.Hour)}
	must(t, s.CreateAPIToken(ctx, short))
	must(t, s.CreateAPIToken(ctx, &newsdesk.APIToken{UserID: other.ID, TokenHash: "h3", CreatedAt: now}))

	got, err := s.APITokenByHash(ctx, "h1", now.Add(1000*time.Hour))
	must(t, err)
	if got.ID != forever.ID || got.UserID != u.ID || got.Name != "newsletter" || !got.CreatedAt.Equal(now) || !got.ExpiresAt.IsZero() {
		t.Errorf("token = %+v", got)
	}
	if _, err := s.APITokenByHash(ctx, "h2", now.Add(90*time.Minute)); err != nil {
		t.Errorf("live token: %v", err)
	}
	_, err = s.APITokenByHash(ctx, "h2", now.Add(2*time.Hour))
	wantCode(t, err, newsdesk.ENOTFOUND)
	_, err = s.APITokenByHash(ctx, "nope", now)
	wantCode(t, err, newsdesk.ENOTFOUND)

	list, err := s.APITokens(ctx, u.ID)
	must(t, err)
	if len(list) != 2 || list[0].ID != short.ID || list[1].ID != forever.ID {
		t.Errorf("APITokens = %d tokens (want short, forever)", len(list))
	}
	must(t, s.DeleteAPIToken(ctx, short.ID))
	wantCode(t, s.DeleteAPIToken(ctx, short.ID), newsdesk.ENOTFOUND)
	_, err = s.APITokenByHash(ctx, "h2", now)
	wantCode(t, err, newsdesk.ENOTFOUND)

	// A removed user's tokens stop working.
	must(t, s.DeleteUser(ctx, u.ID))
	_, err = s.APITokenByHash(ctx, "h1", now)
	wantCode(t, err, newsdesk.ENOTFOUND)
	if _, err := s.APITokenByHash(ctx, "h3", now); err != nil {
		t.Errorf("other user's token: %v", err)
	}
}
