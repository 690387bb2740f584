package websub_test

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"hash"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"newsdesk"
	"newsdesk/store/sqlite"
	"newsdesk/websub"
)

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// fakeHub is a WebSub hub on 127.0.0.1 over TLS. It answers subscription
// requests with status and, when verify is set, then verifies the intent
// at the callback with a fresh challenge, as a real hub does.
type fakeHub struct {
	t        *testing.T
	srv      *httptest.Server
	status   atomic.Int32
	verify   atomic.Bool
	lease    string
	requests chan url.Values
	checks   chan check
}

type check struct {
	mode      string
	challenge string
	status    int
	body      string
}

func newHub(t *testing.T) *fakeHub {
	h := &fakeHub{t: t, lease: "172800", requests: make(chan url.Values, 16), checks: make(chan check, 16)}
	h.status.Store(http.StatusAccepted)
	h.verify.Store(true)
	h.srv = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/x-www-form-urlencoded" {
			t.Errorf("hub got %s with Content-Type %q", r.Method, r.Header.Get("Content-Type"))
		}
		if err := r.ParseForm(); err != nil {
			t.Error(err)
		}
		form := r.PostForm
		h.requests <- form
		status := int(h.status.Load())
		w.WriteHeader(status)
		if status == http.StatusAccepted && h.verify.Load() {
			go func() {
				q := url.Values{"hub.mode": {form.Get("hub.mode")}, "hub.topic": {form.Get("hub.topic")},
					"hub.challenge": {rand.Text()}}
				if form.Get("hub.mode") == "subscribe" {
					q.Set("hub.lease_seconds", h.lease)
				}
				h.checks <- h.intent(form.Get("hub.callback"), q)
			}()
		}
	}))
	t.Cleanup(h.srv.Close)
	return h
}

// intent sends a verification of intent to callback and reports the answer.
func (h *fakeHub) intent(callback string, q url.Values) check {
	resp, err := http.Get(callback + "?" + q.Encode())
	if err != nil {
		h.t.Errorf("verification: %v", err)
		return check{}
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return check{mode: q.Get("hub.mode"), challenge: q.Get("hub.challenge"), status: resp.StatusCode, body: string(b)}
}

// publish pushes body to callback with the signature header sig ("" for
// none) and returns the status.
func (h *fakeHub) publish(callback string, body []byte, sig string) int {
	req, err := http.NewRequest(http.MethodPost, callback, strings.NewReader(string(body)))
	if err != nil {
		h.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/atom+xml")
	if sig != "" {
		req.Header.Set("X-Hub-Signature", sig)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func (h *fakeHub) request() url.Values {
	h.t.Helper()
	select {
	case f := <-h.requests:
		return f
	case <-time.After(10 * time.Second):
		h.t.Fatal("the hub got no request")
		return nil
	}
}

func (h *fakeHub) noRequest() {
	h.t.Helper()
	select {
	case f := <-h.requests:
		h.t.Fatalf("the hub got an unexpected request: %v", f)
	case <-time.After(50 * time.Millisecond):
	}
}

// checked waits for the hub's verification and requires that the challenge
// was echoed.
func (h *fakeHub) checked() {
	h.t.Helper()
	select {
	case c := <-h.checks:
		if c.status != http.StatusOK || c.body != c.challenge {
			h.t.Fatalf("%s verification answered %d %q, want 200 with the challenge %q", c.mode, c.status, c.body, c.challenge)
		}
	case <-time.After(10 * time.Second):
		h.t.Fatal("the hub did not verify")
	}
}

// post sends forms with the hub's TLS client, as fetch's PostForm would.
func (h *fakeHub) post(ctx context.Context, u string, form url.Values) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, strings.NewReader(form.Encode()))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := h.srv.Client().Do(req)
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	return resp.StatusCode, nil
}

func sign(method string, h func() hash.Hash, secret string, body []byte) string {
	m := hmac.New(h, []byte(secret))
	m.Write(body)
	return method + "=" + hex.EncodeToString(m.Sum(nil))
}

type delivery struct {
	sourceID    int64
	topic, body string
	contentType string
}

// fixture is a subscriber with its callback routes on 127.0.0.1, a real
// SQLite store with one feed source, and a fake hub.
type fixture struct {
	t          *testing.T
	db         *sqlite.DB
	src        *newsdesk.Source
	hub        *fakeHub
	sub        *websub.Subscriber
	clock      *clock
	deliveries chan delivery
	callback   *httptest.Server
}

func newFixture(t *testing.T, tune func(*websub.Config)) *fixture {
	t.Helper()
	ctx := t.Context()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	src := &newsdesk.Source{Name: "Pub", Kind: newsdesk.SourceFeed, URL: "https://pub.example/feed"}
	if err := db.CreateSource(ctx, src); err != nil {
		t.Fatal(err)
	}
	f := &fixture{t: t, db: db, src: src, hub: newHub(t), deliveries: make(chan delivery, 16),
		clock: &clock{t: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}}
	mux := http.NewServeMux()
	f.callback = httptest.NewServer(mux)
	t.Cleanup(f.callback.Close)
	cfg := websub.Config{
		Store:   db,
		BaseURL: f.callback.URL + "/",
		Post:    f.hub.post,
		Deliver: func(ctx context.Context, sourceID int64, topic string, body []byte, contentType string) error {
			f.deliveries <- delivery{sourceID, topic, string(body), contentType}
			return nil
		},
		Workers: 1,
		Now:     f.clock.Now,
	}
	if tune != nil {
		tune(&cfg)
	}
	f.sub, err = websub.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	f.sub.Register(mux)
	return f
}

// run runs the subscriber until the test ends.
func (f *fixture) run() {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- f.sub.Run(ctx) }()
	f.t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			f.t.Error(err)
		}
	})
}

func (f *fixture) stored() *newsdesk.Subscription {
	f.t.Helper()
	s, err := f.db.SubscriptionBySource(context.Background(), f.src.ID)
	if err != nil {
		f.t.Fatal(err)
	}
	return s
}

func (f *fixture) delivered() delivery {
	f.t.Helper()
	select {
	case d := <-f.deliveries:
		return d
	case <-time.After(10 * time.Second):
		f.t.Fatal("nothing delivered")
		return delivery{}
	}
}

// subscribe subscribes the source at the hub and waits for the verification.
func (f *fixture) subscribe() *newsdesk.Subscription {
	f.t.Helper()
	if err := f.sub.Subscribe(f.t.Context(), f.src, f.hub.srv.URL+"/hub", f.src.URL); err != nil {
		f.t.Fatal(err)
	}
	f.hub.request()
	f.hub.checked()
	return f.stored()
}

const hubPath = "/hub"

func TestSubscribeVerifyAndPush(t *testing.T) {
	f := newFixture(t, nil)
	f.run()
	ctx := t.Context()
	hub := f.hub.srv.URL + hubPath
	if f.sub.Active(ctx, f.src.ID) {
		t.Fatal("active before subscribing")
	}
	if err := f.sub.Subscribe(ctx, f.src, hub, f.src.URL); err != nil {
		t.Fatal(err)
	}
	form := f.hub.request()
	if form.Get("hub.mode") != "subscribe" || form.Get("hub.topic") != f.src.URL || form.Get("hub.lease_seconds") != "864000" {
		t.Errorf("subscription request = %v", form)
	}
	callback, secret := form.Get("hub.callback"), form.Get("hub.secret")
	token, ok := strings.CutPrefix(callback, f.callback.URL+"/websub/")
	if !ok || len(token) < 32 || strings.Contains(token, "/") {
		t.Errorf("callback = %q", callback)
	}
	if b, err := hex.DecodeString(secret); err != nil || len(b) < 32 {
		t.Errorf("secret %q is not 32 random bytes in hex", secret)
	}
	f.hub.checked()

	sub := f.stored()
	now := f.clock.Now()
	if sub.State != newsdesk.SubscriptionActive || sub.LeaseSeconds != 172800 || !sub.ExpiresAt.Equal(now.Add(48*time.Hour)) ||
		!sub.RenewAt.Equal(now.Add(24*time.Hour)) || sub.CallbackToken != token || sub.Secret != secret || sub.HubURL != hub {
		t.Errorf("after verification: %+v", sub)
	}
	if !f.sub.Active(ctx, f.src.ID) {
		t.Error("not active after verification")
	}

	body := []byte(`<feed xmlns="http://www.w3.org/2005/Atom"><title>Pub</title></feed>`)
	methods := []struct {
		name string
		h    func() hash.Hash
	}{{"sha1", sha1.New}, {"sha256", sha256.New}, {"sha384", sha512.New384}, {"sha512", sha512.New}}
	for _, m := range methods {
		if st := f.hub.publish(callback, body, sign(m.name, m.h, secret, body)); st != http.StatusAccepted {
			t.Fatalf("%s push answered %d", m.name, st)
		}
		d := f.delivered()
		if d.sourceID != f.src.ID || d.topic != f.src.URL || d.body != string(body) || d.contentType != "application/atom+xml" {
			t.Errorf("%s delivery = %+v", m.name, d)
		}
	}

	// Pushes without a valid signature are acknowledged and ignored.
	bad := []string{
		"",
		sign("sha256", sha256.New, "not the secret, but long enough to look like one", body),
		sign("sha256", sha256.New, secret, []byte("another body")),
		sign("md5", sha256.New, secret, body),
		"sha256=zz",
		"sha256",
	}
	for _, sig := range bad {
		if st := f.hub.publish(callback, body, sig); st != http.StatusAccepted {
			t.Errorf("push signed %q answered %d, want 202", sig, st)
		}
	}
	next := []byte(`<feed xmlns="http://www.w3.org/2005/Atom"><title>Next</title></feed>`)
	f.hub.publish(callback, next, sign("sha256", sha256.New, secret, next))
	if d := f.delivered(); d.body != string(next) {
		t.Fatalf("a push with a bad signature was delivered: %q", d.body)
	}
	if st := f.sub.Stats(); st.Ignored != int64(len(bad)) || st.Received != 5 || st.Dropped != 0 {
		t.Errorf("stats = %+v", st)
	}
}

func TestVerificationRefused(t *testing.T) {
	f := newFixture(t, nil)
	f.hub.verify.Store(false)
	if err := f.sub.Subscribe(t.Context(), f.src, f.hub.srv.URL+hubPath, f.src.URL); err != nil {
		t.Fatal(err)
	}
	form := f.hub.request()
	callback := form.Get("hub.callback")
	q := func(mode, topic, challenge string) url.Values {
		v := url.Values{"hub.mode": {mode}, "hub.topic": {topic}, "hub.lease_seconds": {"3600"}}
		if challenge != "" {
			v.Set("hub.challenge", challenge)
		}
		return v
	}
	tests := []struct {
		name     string
		callback string
		query    url.Values
		status   int
	}{
		{"other topic", callback, q("subscribe", "https://evil.example/feed", "c1"), http.StatusNotFound},
		{"unknown token", f.callback.URL + "/websub/" + strings.Repeat("ab", 32), q("subscribe", f.src.URL, "c2"), http.StatusNotFound},
		{"malformed token", f.callback.URL + "/websub/..%2f..%2fadmin", q("subscribe", f.src.URL, "c3"), http.StatusNotFound},
		{"unsubscribe not asked for", callback, q("unsubscribe", f.src.URL, "c4"), http.StatusNotFound},
		{"no challenge", callback, q("subscribe", f.src.URL, ""), http.StatusBadRequest},
		{"unknown mode", callback, q("publish", f.src.URL, "c5"), http.StatusBadRequest},
	}
	for _, tt := range tests {
		c := f.hub.intent(tt.callback, tt.query)
		if c.status != tt.status || strings.Contains(c.body, tt.query.Get("hub.challenge")) && tt.query.Get("hub.challenge") != "" {
			t.Errorf("%s: %d %q, want %d without the challenge", tt.name, c.status, c.body, tt.status)
		}
	}
	if sub := f.stored(); sub.State != newsdesk.SubscriptionPending || !sub.ExpiresAt.IsZero() {
		t.Fatalf("refused verifications changed the subscription: %+v", sub)
	}
	// A push to a token that names nothing tells the hub to stop.
	if st := f.hub.publish(f.callback.URL+"/websub/"+strings.Repeat("cd", 32), []byte("x"), "sha256=00"); st != http.StatusGone {
		t.Errorf("push to an unknown token: %d, want 410", st)
	}

	// The right topic is verified.
	c := f.hub.intent(callback, q("subscribe", f.src.URL, "right"))
	if c.status != http.StatusOK || c.body != "right" {
		t.Fatalf("verification: %d %q", c.status, c.body)
	}
	if sub := f.stored(); sub.State != newsdesk.SubscriptionActive || sub.LeaseSeconds != 3600 ||
		!sub.RenewAt.Equal(f.clock.Now().Add(30*time.Minute)) {
		t.Errorf("after a one-hour lease: %+v (renewal at half the lease)", sub)
	}
}

func TestDenied(t *testing.T) {
	f := newFixture(t, nil)
	f.hub.verify.Store(false)
	if err := f.sub.Subscribe(t.Context(), f.src, f.hub.srv.URL+hubPath, f.src.URL); err != nil {
		t.Fatal(err)
	}
	callback := f.hub.request().Get("hub.callback")
	c := f.hub.intent(callback, url.Values{"hub.mode": {"denied"}, "hub.topic": {f.src.URL}, "hub.reason": {"topic not served here"}})
	if c.status != http.StatusOK {
		t.Fatalf("denial answered %d", c.status)
	}
	sub := f.stored()
	if sub.State != newsdesk.SubscriptionDenied || !strings.Contains(sub.LastError, "topic not served here") || !sub.RenewAt.IsZero() {
		t.Errorf("after denial: %+v", sub)
	}
	if st := f.hub.publish(callback, []byte("x"), sign("sha256", sha256.New, sub.Secret, []byte("x"))); st != http.StatusGone {
		t.Errorf("push after denial: %d, want 410", st)
	}
	// The denied subscription is not verified afterwards.
	c = f.hub.intent(callback, url.Values{"hub.mode": {"subscribe"}, "hub.topic": {f.src.URL}, "hub.challenge": {"late"}})
	if c.status != http.StatusNotFound {
		t.Errorf("verification after denial: %d, want 404", c.status)
	}
}

func TestRenewAndExpiry(t *testing.T) {
	f := newFixture(t, nil)
	ctx := t.Context()
	first := f.subscribe()
	if first.State != newsdesk.SubscriptionActive {
		t.Fatalf("subscription = %+v", first)
	}

	// Not due a day and more before expiry.
	f.clock.Add(23 * time.Hour)
	if n, err := f.sub.Renew(ctx); err != nil || n != 0 {
		t.Fatalf("Renew 25h before expiry = %d, %v", n, err)
	}
	f.hub.noRequest()

	// Within a day of expiry: renewed with the same callback and secret.
	f.clock.Add(2 * time.Hour)
	if n, err := f.sub.Renew(ctx); err != nil || n != 1 {
		t.Fatalf("Renew 23h before expiry = %d, %v", n, err)
	}
	form := f.hub.request()
	if form.Get("hub.mode") != "subscribe" || form.Get("hub.secret") != first.Secret || !strings.HasSuffix(form.Get("hub.callback"), first.CallbackToken) {
		t.Errorf("renewal request = %v", form)
	}
	f.hub.checked()
	renewed := f.stored()
	if !renewed.ExpiresAt.Equal(f.clock.Now().Add(48*time.Hour)) || renewed.State != newsdesk.SubscriptionActive {
		t.Errorf("after renewal: %+v", renewed)
	}

	// The hub stops verifying: the renewal is retried, and when the lease
	// runs out the subscription expires and is asked for afresh.
	f.hub.verify.Store(false)
	f.clock.Add(25 * time.Hour)
	if n, _ := f.sub.Renew(ctx); n != 1 {
		t.Fatalf("second renewal = %d", n)
	}
	f.hub.request()
	if sub := f.stored(); sub.State != newsdesk.SubscriptionActive || !sub.RenewAt.Equal(f.clock.Now().Add(time.Hour)) {
		t.Errorf("unverified renewal: %+v", sub)
	}
	f.clock.Add(24 * time.Hour)
	if f.sub.Active(ctx, f.src.ID) {
		t.Error("active after the lease ran out")
	}
	if n, _ := f.sub.Renew(ctx); n != 1 {
		t.Fatalf("renewal after expiry = %d", n)
	}
	f.hub.request()
	sub := f.stored()
	if sub.State != newsdesk.SubscriptionPending || sub.CallbackToken != first.CallbackToken {
		t.Errorf("after expiry: %+v", sub)
	}
	// Never verified: counted as a failure when retried.
	f.clock.Add(time.Hour)
	if n, _ := f.sub.Renew(ctx); n != 1 {
		t.Fatalf("retry of the unverified subscription = %d", n)
	}
	f.hub.request()
	if sub := f.stored(); sub.Failures != 1 || !strings.Contains(sub.LastError, "did not verify") ||
		!sub.RenewAt.Equal(f.clock.Now().Add(2*time.Hour)) {
		t.Errorf("after an unverified retry: %+v", sub)
	}
}

func TestHubFailures(t *testing.T) {
	f := newFixture(t, nil)
	ctx := t.Context()
	f.hub.status.Store(http.StatusBadRequest)
	err := f.sub.Subscribe(ctx, f.src, f.hub.srv.URL+hubPath, f.src.URL)
	if err == nil || !strings.Contains(err.Error(), "hub answered 400") {
		t.Fatalf("Subscribe to a refusing hub: %v", err)
	}
	f.hub.request()
	sub := f.stored()
	if sub.State != newsdesk.SubscriptionPending || sub.Failures != 0 || !strings.Contains(sub.LastError, "400") ||
		!sub.RenewAt.Equal(f.clock.Now().Add(time.Hour)) {
		t.Errorf("after a refusal: %+v", sub)
	}
	// Each retry waits twice as long.
	for i, wait := range []time.Duration{2 * time.Hour, 4 * time.Hour} {
		f.clock.Add(wait / 2)
		if n, err := f.sub.Renew(ctx); n != 1 || err != nil {
			t.Fatalf("retry %d = %d, %v", i, n, err)
		}
		f.hub.request()
		if sub := f.stored(); sub.Failures != i+1 || !strings.Contains(sub.LastError, "400") || !sub.RenewAt.Equal(f.clock.Now().Add(wait)) {
			t.Errorf("after refusal %d: %+v", i+2, sub)
		}
	}
	f.hub.status.Store(http.StatusAccepted)
	f.clock.Add(4 * time.Hour)
	f.sub.Renew(ctx)
	f.hub.request()
	f.hub.checked()
	if sub := f.stored(); sub.State != newsdesk.SubscriptionActive || sub.Failures != 0 || sub.LastError != "" {
		t.Errorf("after the hub recovered: %+v", sub)
	}

	// Hubs must be https; the secret is not sent in clear.
	plain := "http://" + strings.TrimPrefix(f.hub.srv.URL, "https://") + hubPath
	if err := f.sub.Subscribe(ctx, f.src, plain, f.src.URL); newsdesk.ErrorCode(err) != newsdesk.EINVALID {
		t.Errorf("plain http hub: %v, want EINVALID", err)
	}
	f.hub.noRequest()
}

func TestOnFeed(t *testing.T) {
	f := newFixture(t, nil)
	f.run()
	ctx := t.Context()
	hub := f.hub.srv.URL + hubPath
	feed := &newsdesk.Feed{HubURL: hub, FeedURL: "https://pub.example/self"}
	f.sub.OnFeed(ctx, f.src, feed)
	form := f.hub.request()
	if form.Get("hub.topic") != "https://pub.example/self" {
		t.Errorf("topic = %q, want the feed's self link", form.Get("hub.topic"))
	}
	f.hub.checked()
	// Seen again: already subscribed, the hub is not asked again.
	f.sub.OnFeed(ctx, f.src, feed)
	f.hub.noRequest()

	// The feed moved to another hub: a fresh subscription, and the old
	// callback is gone.
	old := f.stored()
	feed2 := &newsdesk.Feed{HubURL: hub + "/v2", FeedURL: "https://pub.example/self"}
	f.sub.OnFeed(ctx, f.src, feed2)
	f.hub.request()
	f.hub.checked()
	moved := f.stored()
	if moved.HubURL != hub+"/v2" || moved.CallbackToken == old.CallbackToken || moved.Secret == old.Secret || moved.State != newsdesk.SubscriptionActive {
		t.Errorf("after the move: %+v", moved)
	}
	body := []byte("<feed/>")
	if st := f.hub.publish(f.sub.CallbackURL(old), body, sign("sha256", sha256.New, old.Secret, body)); st != http.StatusGone {
		t.Errorf("push to the old callback: %d, want 410", st)
	}

	// The feed no longer names a hub: unsubscribed, and pushes refused.
	f.sub.OnFeed(ctx, f.src, &newsdesk.Feed{})
	form = f.hub.request()
	if form.Get("hub.mode") != "unsubscribe" || form.Get("hub.callback") != f.sub.CallbackURL(moved) || form.Get("hub.secret") != "" {
		t.Errorf("unsubscription request = %v", form)
	}
	f.hub.checked()
	if sub := f.stored(); sub.State != newsdesk.SubscriptionUnsubscribed || !sub.RenewAt.IsZero() {
		t.Errorf("after unsubscribing: %+v", sub)
	}
	if st := f.hub.publish(f.sub.CallbackURL(moved), body, sign("sha256", sha256.New, moved.Secret, body)); st != http.StatusGone {
		t.Errorf("push after unsubscribing: %d, want 410", st)
	}
	f.sub.OnFeed(ctx, f.src, &newsdesk.Feed{})
	f.hub.noRequest()
}

func TestQueueAndBodyLimits(t *testing.T) {
	f := newFixture(t, func(c *websub.Config) { c.QueueSize = 1; c.MaxBodyBytes = 1000 })
	sub := f.subscribe()
	cb := f.sub.CallbackURL(sub)
	body := []byte("<feed/>")
	sig := sign("sha256", sha256.New, sub.Secret, body)
	// Run is not running: the first push waits in the queue, the second is
	// dropped, and both are acknowledged.
	for range 2 {
		if st := f.hub.publish(cb, body, sig); st != http.StatusAccepted {
			t.Fatalf("push: %d", st)
		}
	}
	if st := f.sub.Stats(); st.Received != 1 || st.Dropped != 1 {
		t.Errorf("stats = %+v", st)
	}
	big := []byte(strings.Repeat("x", 1001))
	if st := f.hub.publish(cb, big, sign("sha256", sha256.New, sub.Secret, big)); st != http.StatusRequestEntityTooLarge {
		t.Errorf("push over the cap: %d, want 413", st)
	}
	f.run()
	if d := f.delivered(); d.body != "<feed/>" {
		t.Errorf("queued push delivered as %q", d.body)
	}
}

func TestNewChecksConfig(t *testing.T) {
	ok := websub.Config{Store: &sqlite.DB{}, BaseURL: "https://news.example/", Post: func(context.Context, string, url.Values) (int, error) { return 202, nil },
		Deliver: func(context.Context, int64, string, []byte, string) error { return nil }}
	if _, err := websub.New(ok); err != nil {
		t.Fatal(err)
	}
	for _, base := range []string{"", "news.example", "ftp://news.example", "https://news.example/?a=b", "https://"} {
		c := ok
		c.BaseURL = base
		if _, err := websub.New(c); err == nil {
			t.Errorf("base URL %q accepted", base)
		}
	}
	c := ok
	c.Post = nil
	if _, err := websub.New(c); err == nil {
		t.Error("no Post accepted")
	}
}

func TestTopic(t *testing.T) {
	src := &newsdesk.Source{URL: "https://pub.example/rss"}
	tests := []struct{ self, want string }{
		{"", "https://pub.example/rss"},
		{"https://pub.example/self.xml", "https://pub.example/self.xml"},
		{"/relative", "https://pub.example/rss"},
		{"javascript:alert(1)", "https://pub.example/rss"},
	}
	for _, tt := range tests {
		if got := websub.Topic(src, &newsdesk.Feed{FeedURL: tt.self}); got != tt.want {
			t.Errorf("Topic(self %q) = %q, want %q", tt.self, got, tt.want)
		}
	}
}
