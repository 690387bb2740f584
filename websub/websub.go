// Package websub subscribes newsdesk to WebSub hubs (W3C Recommendation,
// https://www.w3.org/TR/websub/), so that a feed naming a hub is pushed to
// the site when it changes instead of being polled often.
//
// A Subscriber asks the hub for a subscription (a form POST through the
// injected Post, which cmd/newsdesk sends through the guarded fetch client),
// answers the hub's verification of intent on GET /websub/{token}, and takes
// the hub's pushes on POST /websub/{token}: a push whose X-Hub-Signature is
// a valid HMAC of the body under the subscription's secret is handed to the
// injected Deliver from a bounded queue; any other push is acknowledged and
// ignored, as the specification asks. Subscriptions are renewed a day
// before their lease runs out.
package websub

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"newsdesk"
)

// Defaults for zero Config fields.
const (
	// DefaultLeaseSeconds is the lease asked of hubs: ten days.
	DefaultLeaseSeconds = 10 * 24 * 60 * 60
	// DefaultRenewBefore is how long before expiry a subscription is renewed.
	DefaultRenewBefore = 24 * time.Hour
	// DefaultRetry is the first wait after a failed request to a hub (or a
	// hub that never verified); it doubles on each failure up to MaxRetry.
	DefaultRetry = time.Hour
	// MaxRetry caps the wait between requests to a failing hub; a hub that
	// denied a subscription is asked again after as long.
	MaxRetry = 7 * 24 * time.Hour
	// DefaultMaxBodyBytes caps a pushed document.
	DefaultMaxBodyBytes = 5 << 20
	// DefaultQueueSize bounds the pushes waiting for delivery.
	DefaultQueueSize = 64
	// DefaultWorkers is the number of deliveries run at once.
	DefaultWorkers = 2
	// DefaultTick is how often Run looks for subscriptions to renew.
	DefaultTick = 10 * time.Minute
	// DeliverTimeout bounds one delivery.
	DeliverTimeout = 5 * time.Minute
	// CallbackPath is the path of callback URLs, before the token.
	CallbackPath = "/websub/"

	maxLeaseSeconds = 366 * 24 * 60 * 60
	maxChallenge    = 4096
	tokenBytes      = 32
	secretBytes     = 32
)

// Config configures a Subscriber. Store, BaseURL, Post and Deliver are
// required.
type Config struct {
	Store newsdesk.SubscriptionStore
	// BaseURL is the public URL of the site that hubs can reach; callbacks
	// are BaseURL + "/websub/{token}".
	BaseURL string
	// Post sends a form to a hub and returns the status of its answer. A
	// non-2xx answer may come back as a status with a nil error, or as an
	// error.
	Post func(ctx context.Context, url string, form url.Values) (status int, err error)
	// Deliver runs a pushed document of a source through the pipeline.
	Deliver func(ctx context.Context, sourceID int64, topic string, body []byte, contentType string) error

	LeaseSeconds  int           // lease asked of hubs; DefaultLeaseSeconds when 0
	RenewBefore   time.Duration // DefaultRenewBefore when 0
	RetryInterval time.Duration // DefaultRetry when 0
	MaxBodyBytes  int64         // DefaultMaxBodyBytes when 0
	QueueSize     int           // DefaultQueueSize when 0
	Workers       int           // DefaultWorkers when 0
	Tick          time.Duration // DefaultTick when 0
	Now           func() time.Time
	Logger        *slog.Logger
}

// Stats counts pushes since the Subscriber was made.
type Stats struct {
	Received  int64 // pushes with a valid signature, queued
	Ignored   int64 // pushes with a missing or invalid signature
	Dropped   int64 // valid pushes dropped because the queue was full
	Delivered int64 // deliveries that succeeded
	Failed    int64 // deliveries that returned an error
}

// Subscriber keeps a source's subscription with its hub and takes the
// hub's pushes. Make one with New; it is safe for concurrent use.
type Subscriber struct {
	cfg      Config
	callback string // BaseURL + CallbackPath
	log      *slog.Logger

	pushes chan push
	seen   chan seenFeed

	received, ignored, dropped, delivered, failed atomic.Int64

	running sync.Mutex // one Run at a time
}

type push struct {
	sourceID    int64
	topic       string
	body        []byte
	contentType string
}

type seenFeed struct {
	src        *newsdesk.Source
	hub, topic string
}

// New checks c and returns a Subscriber.
func New(c Config) (*Subscriber, error) {
	if c.Store == nil || c.Post == nil || c.Deliver == nil {
		return nil, errors.New("websub: Store, Post and Deliver are required")
	}
	base, err := url.Parse(strings.TrimSuffix(c.BaseURL, "/"))
	if err != nil || (base.Scheme != "https" && base.Scheme != "http") || base.Host == "" || base.RawQuery != "" || base.Fragment != "" {
		return nil, fmt.Errorf("websub: base URL %q is not an absolute http(s) URL without query", c.BaseURL)
	}
	if c.LeaseSeconds <= 0 {
		c.LeaseSeconds = DefaultLeaseSeconds
	}
	if c.RenewBefore <= 0 {
		c.RenewBefore = DefaultRenewBefore
	}
	if c.RetryInterval <= 0 {
		c.RetryInterval = DefaultRetry
	}
	if c.MaxBodyBytes <= 0 {
		c.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if c.QueueSize <= 0 {
		c.QueueSize = DefaultQueueSize
	}
	if c.Workers <= 0 {
		c.Workers = DefaultWorkers
	}
	if c.Tick <= 0 {
		c.Tick = DefaultTick
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return &Subscriber{
		cfg:      c,
		callback: base.String() + CallbackPath,
		log:      c.Logger,
		pushes:   make(chan push, c.QueueSize),
		seen:     make(chan seenFeed, c.QueueSize),
	}, nil
}

func (s *Subscriber) now() time.Time { return s.cfg.Now().UTC() }

// Stats returns the push counters.
func (s *Subscriber) Stats() Stats {
	return Stats{Received: s.received.Load(), Ignored: s.ignored.Load(), Dropped: s.dropped.Load(),
		Delivered: s.delivered.Load(), Failed: s.failed.Load()}
}

// CallbackURL is the callback URL of a subscription.
func (s *Subscriber) CallbackURL(sub *newsdesk.Subscription) string {
	return s.callback + sub.CallbackToken
}

// Active reports whether the source's updates are pushed now: its
// subscription is verified and its lease has not run out.
func (s *Subscriber) Active(ctx context.Context, sourceID int64) bool {
	sub, err := s.cfg.Store.SubscriptionBySource(ctx, sourceID)
	return err == nil && sub.State == newsdesk.SubscriptionActive && sub.ExpiresAt.After(s.now())
}

// Topic is the topic of a feed: its self link when it names one (the URL
// hubs know it by), else the source's URL.
func Topic(src *newsdesk.Source, feed *newsdesk.Feed) string {
	if feed.FeedURL != "" {
		if u, err := url.Parse(feed.FeedURL); err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != "" {
			return feed.FeedURL
		}
	}
	return src.URL
}

// OnFeed notes that a source's feed was read, with the hub it names or
// none. It never blocks: Run subscribes when the feed names a hub the
// source is not subscribed to, and unsubscribes when the feed stopped
// naming its hub. When Run is behind, the note is dropped; the next read of
// the feed makes another.
func (s *Subscriber) OnFeed(ctx context.Context, src *newsdesk.Source, feed *newsdesk.Feed) {
	if src == nil || feed == nil || src.ID == 0 {
		return
	}
	f := seenFeed{src: src, hub: strings.TrimSpace(feed.HubURL), topic: Topic(src, feed)}
	select {
	case s.seen <- f:
	default:
		s.log.DebugContext(ctx, "websub: busy, feed note dropped", slog.Int64("source_id", src.ID))
	}
}

// reconcile brings the source's subscription in line with what its feed
// said.
func (s *Subscriber) reconcile(ctx context.Context, f seenFeed) {
	sub, err := s.cfg.Store.SubscriptionBySource(ctx, f.src.ID)
	if err != nil && newsdesk.ErrorCode(err) != newsdesk.ENOTFOUND {
		s.log.WarnContext(ctx, "websub: subscription lookup failed", slog.Int64("source_id", f.src.ID), slog.Any("error", err))
		return
	}
	if f.hub == "" {
		if sub != nil && (sub.State == newsdesk.SubscriptionActive || sub.State == newsdesk.SubscriptionPending) {
			if err := s.Unsubscribe(ctx, f.src.ID); err != nil {
				s.log.WarnContext(ctx, "websub: unsubscribe failed", slog.Int64("source_id", f.src.ID), slog.Any("error", err))
			}
		}
		return
	}
	if err := checkHub(f.hub); err != nil {
		s.log.DebugContext(ctx, "websub: hub not used", slog.Int64("source_id", f.src.ID), slog.String("hub", f.hub), slog.Any("reason", err))
		return
	}
	if sub != nil && sub.HubURL == f.hub && sub.TopicURL == f.topic {
		switch sub.State {
		case newsdesk.SubscriptionPending, newsdesk.SubscriptionActive, newsdesk.SubscriptionExpired:
			return // Renew keeps these
		case newsdesk.SubscriptionDenied:
			if s.now().Sub(sub.UpdatedAt) < MaxRetry {
				return
			}
		}
	}
	if err := s.Subscribe(ctx, f.src, f.hub, f.topic); err != nil {
		s.log.WarnContext(ctx, "websub: subscribe failed", slog.Int64("source_id", f.src.ID), slog.String("hub", f.hub), slog.Any("error", err))
	}
}

// checkHub accepts only https hubs: the subscription request carries the
// secret that authenticates every push.
func checkHub(hub string) error {
	u, err := url.Parse(hub)
	if err != nil || u.Host == "" {
		return newsdesk.Errorf(newsdesk.EINVALID, "Hub URL %q is not an absolute URL.", hub)
	}
	if u.Scheme != "https" {
		return newsdesk.Errorf(newsdesk.EINVALID, "Hub %s is not https: the subscription's secret would travel in clear.", hub)
	}
	return nil
}

func checkTopic(topic string) error {
	u, err := url.Parse(topic)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return newsdesk.Errorf(newsdesk.EINVALID, "Topic URL %q is not an absolute http(s) URL.", topic)
	}
	return nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read does not fail
	return hex.EncodeToString(b)
}

func (s *Subscriber) retryDelay(failures int) time.Duration {
	d := s.cfg.RetryInterval
	for range min(failures, 16) {
		d *= 2
		if d >= MaxRetry {
			return MaxRetry
		}
	}
	return min(d, MaxRetry)
}

// Subscribe asks hub to push topic, the feed of src, to the site. The
// subscription is saved (pending, or still active when this renews a live
// one) before the request, since a hub may verify it before it answers; it
// becomes active when the hub verifies it. The same hub and topic keep their
// callback token and secret; a new hub or topic gets new ones, so that the
// old hub's pushes are refused. Hubs must be https.
func (s *Subscriber) Subscribe(ctx context.Context, src *newsdesk.Source, hub, topic string) error {
	if err := checkHub(hub); err != nil {
		return err
	}
	if err := checkTopic(topic); err != nil {
		return err
	}
	now := s.now()
	sub, err := s.cfg.Store.SubscriptionBySource(ctx, src.ID)
	switch {
	case err == nil && sub.HubURL == hub && sub.TopicURL == topic:
		if sub.State == newsdesk.SubscriptionPending {
			// Asked before and never verified: a failure, whatever the
			// hub answered then (post records the answer if it refuses).
			sub.Failures++
			sub.LastError = "the hub did not verify the previous request"
		}
	case err == nil || newsdesk.ErrorCode(err) == newsdesk.ENOTFOUND:
		sub = &newsdesk.Subscription{SourceID: src.ID, HubURL: hub, TopicURL: topic,
			Secret: randomHex(secretBytes), CallbackToken: randomHex(tokenBytes)}
	default:
		return fmt.Errorf("subscribe source %d: %w", src.ID, err)
	}
	if sub.State != newsdesk.SubscriptionActive || !sub.ExpiresAt.After(now) {
		sub.State = newsdesk.SubscriptionPending
	}
	// Asked again after a while if the hub never verifies.
	sub.RenewAt = now.Add(s.retryDelay(sub.Failures))
	if err := s.cfg.Store.SaveSubscription(ctx, sub); err != nil {
		return fmt.Errorf("subscribe source %d: %w", src.ID, err)
	}
	form := url.Values{
		"hub.mode":          {"subscribe"},
		"hub.topic":         {topic},
		"hub.callback":      {s.CallbackURL(sub)},
		"hub.secret":        {sub.Secret},
		"hub.lease_seconds": {strconv.Itoa(s.cfg.LeaseSeconds)},
	}
	if err := s.post(ctx, sub, form); err != nil {
		return fmt.Errorf("subscribe source %d at %s: %w", src.ID, hub, err)
	}
	s.log.InfoContext(ctx, "websub: subscription requested", slog.Int64("source_id", src.ID), slog.String("hub", hub), slog.String("topic", topic))
	return nil
}

// Unsubscribe asks the source's hub to stop pushing. From now on the
// subscription's pushes are refused, whatever the hub answers.
func (s *Subscriber) Unsubscribe(ctx context.Context, sourceID int64) error {
	sub, err := s.cfg.Store.SubscriptionBySource(ctx, sourceID)
	if err != nil {
		return fmt.Errorf("unsubscribe source %d: %w", sourceID, err)
	}
	sub.State, sub.RenewAt = newsdesk.SubscriptionUnsubscribed, time.Time{}
	if err := s.cfg.Store.SaveSubscription(ctx, sub); err != nil {
		return fmt.Errorf("unsubscribe source %d: %w", sourceID, err)
	}
	form := url.Values{
		"hub.mode":     {"unsubscribe"},
		"hub.topic":    {sub.TopicURL},
		"hub.callback": {s.CallbackURL(sub)},
	}
	if err := s.post(ctx, sub, form); err != nil {
		return fmt.Errorf("unsubscribe source %d at %s: %w", sourceID, sub.HubURL, err)
	}
	s.log.InfoContext(ctx, "websub: unsubscription requested", slog.Int64("source_id", sourceID), slog.String("hub", sub.HubURL))
	return nil
}

// post sends a request to the subscription's hub. A refusal is recorded
// on the subscription (reason, next attempt after a wait that grows with
// the failures).
func (s *Subscriber) post(ctx context.Context, sub *newsdesk.Subscription, form url.Values) error {
	status, err := s.cfg.Post(ctx, sub.HubURL, form)
	if err == nil && status != 202 && status != 204 {
		// 202 is the specification's answer; 204 is what hubs that
		// verify before answering send.
		err = fmt.Errorf("hub answered %d, want 202 Accepted", status)
	}
	if err == nil {
		return nil
	}
	// Re-read: a hub may have verified or denied meanwhile.
	cur, rerr := s.cfg.Store.SubscriptionBySource(ctx, sub.SourceID)
	if rerr != nil || cur.CallbackToken != sub.CallbackToken {
		return err
	}
	cur.LastError = err.Error()
	if cur.State != newsdesk.SubscriptionUnsubscribed {
		cur.RenewAt = s.now().Add(s.retryDelay(cur.Failures))
	}
	if serr := s.cfg.Store.SaveSubscription(ctx, cur); serr != nil {
		return errors.Join(err, serr)
	}
	return err
}

// Renew asks again for the subscriptions that are due: those expiring
// within RenewBefore, and retries of failed or never verified requests. A
// subscription whose lease ran out is marked expired first. It returns how
// many were asked for.
func (s *Subscriber) Renew(ctx context.Context) (int, error) {
	now := s.now()
	due, err := s.cfg.Store.SubscriptionsDue(ctx, now, 100)
	if err != nil {
		return 0, fmt.Errorf("renew subscriptions: %w", err)
	}
	var n int
	var errs []error
	for _, sub := range due {
		if ctx.Err() != nil {
			break
		}
		switch sub.State {
		case newsdesk.SubscriptionPending: // Subscribe counts the failure
		case newsdesk.SubscriptionActive:
			if !sub.ExpiresAt.After(now) {
				sub.State = newsdesk.SubscriptionExpired
				sub.LastError = "the lease ran out before it was renewed"
			}
		case newsdesk.SubscriptionExpired:
		default: // denied, unsubscribed: nothing to renew
			sub.RenewAt = time.Time{}
			if err := s.cfg.Store.SaveSubscription(ctx, sub); err != nil {
				errs = append(errs, err)
			}
			continue
		}
		if err := s.cfg.Store.SaveSubscription(ctx, sub); err != nil {
			errs = append(errs, err)
			continue
		}
		n++
		src := &newsdesk.Source{ID: sub.SourceID}
		if err := s.Subscribe(ctx, src, sub.HubURL, sub.TopicURL); err != nil {
			s.log.WarnContext(ctx, "websub: renewal failed", slog.Int64("source_id", sub.SourceID), slog.String("hub", sub.HubURL), slog.Any("error", err))
		}
	}
	return n, errors.Join(errs...)
}

// Run delivers queued pushes with Workers workers, acts on the feeds
// OnFeed noted and renews subscriptions every Tick, until ctx is done. It
// returns when every delivery it started has ended.
func (s *Subscriber) Run(ctx context.Context) error {
	if !s.running.TryLock() {
		return errors.New("websub: Run is already running")
	}
	defer s.running.Unlock()
	var wg sync.WaitGroup
	for range s.cfg.Workers {
		wg.Go(func() {
			for {
				select {
				case <-ctx.Done():
					return
				case p := <-s.pushes:
					s.deliver(ctx, p)
				}
			}
		})
	}
	t := time.NewTicker(s.cfg.Tick)
	defer t.Stop()
	renew := func() {
		if _, err := s.Renew(ctx); err != nil && ctx.Err() == nil {
			s.log.WarnContext(ctx, "websub: renewal pass failed", slog.Any("error", err))
		}
	}
	renew()
loop:
	for {
		select {
		case <-ctx.Done():
			break loop
		case f := <-s.seen:
			s.reconcile(ctx, f)
		case <-t.C:
			renew()
		}
	}
	wg.Wait()
	return nil
}

func (s *Subscriber) deliver(ctx context.Context, p push) {
	dctx, cancel := context.WithTimeout(ctx, DeliverTimeout)
	defer cancel()
	start := time.Now()
	if err := s.cfg.Deliver(dctx, p.sourceID, p.topic, p.body, p.contentType); err != nil {
		s.failed.Add(1)
		s.log.WarnContext(ctx, "websub: push not ingested", slog.Int64("source_id", p.sourceID), slog.Any("error", err))
		return
	}
	s.delivered.Add(1)
	s.log.DebugContext(ctx, "websub: push ingested", slog.Int64("source_id", p.sourceID),
		slog.Int("bytes", len(p.body)), slog.Duration("took", time.Since(start)))
}
