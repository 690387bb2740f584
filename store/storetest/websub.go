package storetest

import (
	"strings"
	"testing"
	"time"

	"newsdesk"
)

// websubTests check the WebSub subscription store. Run includes them.
var websubTests = []struct {
	name string
	fn   func(t *testing.T, s newsdesk.Store)
}{
	{"Subscriptions", testSubscriptions},
	{"SubscriptionsDue", testSubscriptionsDue},
}

func subscription(sourceID int64, token string) *newsdesk.Subscription {
	return &newsdesk.Subscription{
		SourceID:      sourceID,
		HubURL:        "https://hub.example/",
		TopicURL:      "https://pub.example/feed",
		Secret:        strings.Repeat("5e", 32),
		CallbackToken: token,
		State:         newsdesk.SubscriptionPending,
	}
}

func testSubscriptions(t *testing.T, s newsdesk.Store) {
	ctx := t.Context()
	src := mustSource(t, s, "pushed")
	other := mustSource(t, s, "other")

	_, err := s.SubscriptionBySource(ctx, src.ID)
	wantCode(t, err, newsdesk.ENOTFOUND)
	_, err = s.SubscriptionByToken(ctx, "nope")
	wantCode(t, err, newsdesk.ENOTFOUND)

	bad := subscription(src.ID, "tok-aaaaaaaaaaaaaaaa")
	bad.Secret = "short"
	wantCode(t, s.SaveSubscription(ctx, bad), newsdesk.EINVALID)
	bad = subscription(src.ID, "tok-aaaaaaaaaaaaaaaa")
	bad.State = "sleeping"
	wantCode(t, s.SaveSubscription(ctx, bad), newsdesk.EINVALID)
	wantCode(t, s.SaveSubscription(ctx, subscription(999999, "tok-zzzzzzzzzzzzzzzz")), newsdesk.ENOTFOUND)

	sub := subscription(src.ID, "tok-aaaaaaaaaaaaaaaa")
	sub.RenewAt = at(1)
	must(t, s.SaveSubscription(ctx, sub))
	if sub.ID == 0 || sub.CreatedAt.IsZero() || sub.UpdatedAt.IsZero() {
		t.Fatalf("SaveSubscription did not set ID and times: %+v", sub)
	}
	got, err := s.SubscriptionByToken(ctx, "tok-aaaaaaaaaaaaaaaa")
	must(t, err)
	if got.ID != sub.ID || got.SourceID != src.ID || got.HubURL != sub.HubURL || got.TopicURL != sub.TopicURL ||
		got.Secret != sub.Secret || got.State != newsdesk.SubscriptionPending || !got.RenewAt.Equal(at(1)) ||
		!got.ExpiresAt.IsZero() || got.LeaseSeconds != 0 || got.Failures != 0 || got.LastError != "" {
		t.Errorf("by token = %+v", got)
	}

	// Saving again updates the source's one subscription in place.
	got.State, got.LeaseSeconds, got.ExpiresAt, got.RenewAt = newsdesk.SubscriptionActive, 864000, at(240), at(216)
	got.Failures, got.LastError = 2, "hub answered 500"
	must(t, s.SaveSubscription(ctx, got))
	if got.ID != sub.ID {
		t.Errorf("update changed the ID: %d, want %d", got.ID, sub.ID)
	}
	again, err := s.SubscriptionBySource(ctx, src.ID)
	must(t, err)
	if again.ID != sub.ID || again.State != newsdesk.SubscriptionActive || again.LeaseSeconds != 864000 ||
		!again.ExpiresAt.Equal(at(240)) || !again.RenewAt.Equal(at(216)) || again.Failures != 2 ||
		again.LastError != "hub answered 500" || !again.CreatedAt.Equal(sub.CreatedAt) {
		t.Errorf("by source after update = %+v", again)
	}

	// A new hub and token for the same source replace the old ones: the old
	// token no longer finds anything.
	moved := subscription(src.ID, "tok-bbbbbbbbbbbbbbbb")
	moved.HubURL = "https://other-hub.example/"
	must(t, s.SaveSubscription(ctx, moved))
	if moved.ID != sub.ID {
		t.Errorf("replacement ID = %d, want %d", moved.ID, sub.ID)
	}
	_, err = s.SubscriptionByToken(ctx, "tok-aaaaaaaaaaaaaaaa")
	wantCode(t, err, newsdesk.ENOTFOUND)
	got, err = s.SubscriptionByToken(ctx, "tok-bbbbbbbbbbbbbbbb")
	must(t, err)
	if got.HubURL != "https://other-hub.example/" || got.State != newsdesk.SubscriptionPending || !got.RenewAt.IsZero() {
		t.Errorf("replacement = %+v", got)
	}

	// Tokens are unique across sources.
	wantCode(t, s.SaveSubscription(ctx, subscription(other.ID, "tok-bbbbbbbbbbbbbbbb")), newsdesk.ECONFLICT)
	must(t, s.SaveSubscription(ctx, subscription(other.ID, "tok-cccccccccccccccc")))

	// Deleting the source deletes its subscription.
	must(t, s.DeleteSource(ctx, src.ID))
	_, err = s.SubscriptionBySource(ctx, src.ID)
	wantCode(t, err, newsdesk.ENOTFOUND)
	_, err = s.SubscriptionByToken(ctx, "tok-bbbbbbbbbbbbbbbb")
	wantCode(t, err, newsdesk.ENOTFOUND)
	if _, err := s.SubscriptionByToken(ctx, "tok-cccccccccccccccc"); err != nil {
		t.Errorf("other source's subscription: %v", err)
	}
}

func testSubscriptionsDue(t *testing.T, s newsdesk.Store) {
	ctx := t.Context()
	renew := map[string]time.Time{"a": at(5), "b": at(1), "c": {}, "d": at(3), "e": at(30)}
	ids := map[int64]string{}
	for _, name := range []string{"a", "b", "c", "d", "e"} {
		src := mustSource(t, s, "due-"+name)
		sub := subscription(src.ID, "token-of-source-"+name)
		sub.State, sub.RenewAt = newsdesk.SubscriptionActive, renew[name]
		must(t, s.SaveSubscription(ctx, sub))
		ids[src.ID] = name
	}
	names := func(subs []*newsdesk.Subscription) string {
		var out []string
		for _, sub := range subs {
			out = append(out, ids[sub.SourceID])
		}
		return strings.Join(out, ",")
	}
	tests := []struct {
		now   time.Time
		limit int
		want  string
	}{
		{at(0), 10, ""},
		{at(1), 10, "b"},
		{at(5), 10, "b,d,a"},
		{at(5), 2, "b,d"},
		{at(100), 0, "b,d,a,e"},
	}
	for _, tt := range tests {
		got, err := s.SubscriptionsDue(ctx, tt.now, tt.limit)
		must(t, err)
		if names(got) != tt.want {
			t.Errorf("SubscriptionsDue(%s, %d) = %q, want %q", tt.now.Format(time.RFC3339), tt.limit, names(got), tt.want)
		}
	}
	got, err := s.SubscriptionsDue(ctx, at(1), 10)
	must(t, err)
	if len(got) != 1 || got[0].CallbackToken != "token-of-source-b" || got[0].Secret != strings.Repeat("5e", 32) ||
		got[0].HubURL != "https://hub.example/" || got[0].State != newsdesk.SubscriptionActive {
		t.Errorf("due subscription = %+v", got)
	}
}
