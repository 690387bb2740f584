package websub

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"errors"
	"hash"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"newsdesk"
)

// Register adds the callback routes to mux: GET /websub/{token} for the
// hub's verification of intent and POST /websub/{token} for its pushes.
func (s *Subscriber) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET "+CallbackPath+"{token}", s.verify)
	mux.HandleFunc("POST "+CallbackPath+"{token}", s.receive)
}

// validToken reports whether t looks like a token New's subscriptions
// carry, so that probes do not reach the database.
func validToken(t string) bool {
	if len(t) != 2*tokenBytes {
		return false
	}
	for i := 0; i < len(t); i++ {
		c := t[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

func (s *Subscriber) lookup(w http.ResponseWriter, r *http.Request, missing int) *newsdesk.Subscription {
	token := r.PathValue("token")
	if !validToken(token) {
		http.Error(w, http.StatusText(missing), missing)
		return nil
	}
	sub, err := s.cfg.Store.SubscriptionByToken(r.Context(), token)
	switch {
	case newsdesk.ErrorCode(err) == newsdesk.ENOTFOUND:
		http.Error(w, http.StatusText(missing), missing)
		return nil
	case err != nil:
		s.log.ErrorContext(r.Context(), "websub: subscription lookup failed", slog.Any("error", err))
		http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
		return nil
	}
	return sub
}

// verify answers the hub's verification of intent (WebSub §5.3): the
// challenge is echoed only for a subscription or unsubscription this site
// asked for, on the topic it asked for; anything else is 404. A denial
// (§5.2) is recorded.
func (s *Subscriber) verify(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	sub := s.lookup(w, r, http.StatusNotFound)
	if sub == nil {
		return
	}
	ctx := r.Context()
	q := r.URL.Query()
	mode, topic, challenge := q.Get("hub.mode"), q.Get("hub.topic"), q.Get("hub.challenge")
	log := s.log.With(slog.Int64("source_id", sub.SourceID), slog.String("hub", sub.HubURL), slog.String("mode", mode))
	if topic != sub.TopicURL {
		log.WarnContext(ctx, "websub: verification for another topic refused", slog.String("topic", topic))
		http.NotFound(w, r)
		return
	}
	now := s.now()
	switch mode {
	case "subscribe":
		if sub.State != newsdesk.SubscriptionPending && sub.State != newsdesk.SubscriptionActive {
			log.WarnContext(ctx, "websub: verification of a subscription not asked for refused", slog.String("state", string(sub.State)))
			http.NotFound(w, r)
			return
		}
		if !goodChallenge(w, challenge) {
			return
		}
		lease, err := strconv.Atoi(q.Get("hub.lease_seconds"))
		if err != nil || lease <= 0 {
			lease = s.cfg.LeaseSeconds // the hub must send it; assume what was asked
		}
		lease = min(lease, maxLeaseSeconds)
		leaseDur := time.Duration(lease) * time.Second
		sub.State, sub.LeaseSeconds = newsdesk.SubscriptionActive, lease
		sub.ExpiresAt = now.Add(leaseDur)
		sub.RenewAt = sub.ExpiresAt.Add(-min(s.cfg.RenewBefore, leaseDur/2))
		sub.Failures, sub.LastError = 0, ""
		if err := s.cfg.Store.SaveSubscription(ctx, sub); err != nil {
			log.ErrorContext(ctx, "websub: saving a verified subscription failed", slog.Any("error", err))
			http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
			return
		}
		log.InfoContext(ctx, "websub: subscription verified", slog.Int("lease_seconds", lease), slog.Time("expires_at", sub.ExpiresAt))
		writeChallenge(w, challenge)
	case "unsubscribe":
		if sub.State != newsdesk.SubscriptionUnsubscribed {
			log.WarnContext(ctx, "websub: verification of an unsubscription not asked for refused", slog.String("state", string(sub.State)))
			http.NotFound(w, r)
			return
		}
		if !goodChallenge(w, challenge) {
			return
		}
		log.InfoContext(ctx, "websub: unsubscription verified")
		writeChallenge(w, challenge)
	case "denied":
		if sub.State == newsdesk.SubscriptionPending || sub.State == newsdesk.SubscriptionActive {
			reason := strings.TrimSpace(q.Get("hub.reason"))
			if len(reason) > 500 {
				reason = reason[:500]
			}
			sub.State, sub.RenewAt, sub.ExpiresAt = newsdesk.SubscriptionDenied, time.Time{}, time.Time{}
			sub.LastError = "the hub denied the subscription"
			if reason != "" {
				sub.LastError += ": " + reason
			}
			if err := s.cfg.Store.SaveSubscription(ctx, sub); err != nil {
				log.ErrorContext(ctx, "websub: saving a denied subscription failed", slog.Any("error", err))
				http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
				return
			}
			log.WarnContext(ctx, "websub: subscription denied", slog.String("reason", reason))
		}
		w.WriteHeader(http.StatusOK)
	default:
		http.Error(w, "unknown hub.mode", http.StatusBadRequest)
	}
}

func goodChallenge(w http.ResponseWriter, c string) bool {
	if c == "" || len(c) > maxChallenge {
		http.Error(w, "hub.challenge missing or too long", http.StatusBadRequest)
		return false
	}
	return true
}

func writeChallenge(w http.ResponseWriter, c string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusOK)
	io.WriteString(w, c)
}

// receive takes a push (WebSub §7–8). A push for an unknown or dropped
// subscription is answered 410 Gone, so that the hub stops. A push without
// a valid signature is acknowledged like any other and ignored; a valid one
// is queued for delivery, or dropped when the queue is full (the next poll
// of the feed catches up).
func (s *Subscriber) receive(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	sub := s.lookup(w, r, http.StatusGone)
	if sub == nil {
		return
	}
	ctx := r.Context()
	if sub.State == newsdesk.SubscriptionUnsubscribed || sub.State == newsdesk.SubscriptionDenied {
		http.Error(w, http.StatusText(http.StatusGone), http.StatusGone)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.cfg.MaxBodyBytes))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			s.log.WarnContext(ctx, "websub: push too large, not read", slog.Int64("source_id", sub.SourceID), slog.Int64("limit", s.cfg.MaxBodyBytes))
			http.Error(w, http.StatusText(http.StatusRequestEntityTooLarge), http.StatusRequestEntityTooLarge)
			return
		}
		http.Error(w, "body not read", http.StatusBadRequest)
		return
	}
	if reason := checkSignature(r.Header.Get("X-Hub-Signature"), body, sub.Secret); reason != "" {
		n := s.ignored.Add(1)
		s.log.WarnContext(ctx, "websub: push ignored", slog.Int64("source_id", sub.SourceID),
			slog.String("reason", reason), slog.Int64("ignored_total", n))
		w.WriteHeader(http.StatusAccepted)
		return
	}
	p := push{sourceID: sub.SourceID, topic: sub.TopicURL, body: body, contentType: r.Header.Get("Content-Type")}
	select {
	case s.pushes <- p:
		s.received.Add(1)
	default:
		n := s.dropped.Add(1)
		s.log.WarnContext(ctx, "websub: delivery queue full, push dropped; the next poll catches up",
			slog.Int64("source_id", sub.SourceID), slog.Int64("dropped_total", n))
	}
	w.WriteHeader(http.StatusAccepted)
}

// checkSignature returns "" when sig ("method=hex") is a valid HMAC of
// body under secret, else why not. The comparison takes constant time.
func checkSignature(sig string, body []byte, secret string) string {
	if sig == "" {
		return "no signature"
	}
	method, digest, ok := strings.Cut(strings.TrimSpace(sig), "=")
	if !ok {
		return "malformed signature"
	}
	var h func() hash.Hash
	switch strings.ToLower(method) {
	case "sha1":
		h = sha1.New
	case "sha256":
		h = sha256.New
	case "sha384":
		h = sha512.New384
	case "sha512":
		h = sha512.New
	default:
		return "unknown signature method"
	}
	given, err := hex.DecodeString(digest)
	if err != nil {
		return "malformed signature"
	}
	mac := hmac.New(h, []byte(secret))
	mac.Write(body)
	if !hmac.Equal(mac.Sum(nil), given) {
		return "signature does not match"
	}
	return ""
}
