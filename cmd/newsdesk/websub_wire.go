package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"sync"

	"newsdesk"
	"newsdesk/fetch"
	"newsdesk/ingest"
	"newsdesk/websub"
)

// webSub is the WebSub wiring of serve: feeds that name a hub are
// subscribed to and pushed to the site, and polled only every
// ingest.MaxInterval while the subscription is active. It is off (a nil
// sub) unless the site has a public https base URL that hubs can reach.
type webSub struct {
	sub  *websub.Subscriber
	stop func() // ends Run and waits for it
}

// wireWebSub sets p.OnFeed and p.Pushed and starts the subscriber's
// deliveries and renewals, which stop when ctx is done or close is called.
// Pushes are run through p.RunDocument for their source, whose OnStored
// refreshes the site after a push as after a poll.
func wireWebSub(ctx context.Context, baseURL string, st newsdesk.Store, fc *fetch.Client, p *ingest.Pipeline, log *slog.Logger) *webSub {
	ws := &webSub{stop: func() {}}
	if reason := hubsCannotReach(baseURL); reason != "" {
		var once sync.Once
		p.OnFeed = func(ctx context.Context, src *newsdesk.Source, feed *newsdesk.Feed) {
			if feed.HubURL != "" {
				once.Do(func() {
					log.InfoContext(ctx, "WebSub is off: hubs cannot reach the site; feeds that name a hub are polled",
						slog.String("reason", reason), slog.Int64("source_id", src.ID), slog.String("hub", feed.HubURL))
				})
			}
		}
		return ws
	}
	return startWebSub(ctx, baseURL, st, fc, p, log)
}

// startWebSub is wireWebSub once baseURL is known to be reachable.
func startWebSub(ctx context.Context, baseURL string, st newsdesk.Store, fc *fetch.Client, p *ingest.Pipeline, log *slog.Logger) *webSub {
	ws := &webSub{stop: func() {}}
	sub, err := websub.New(websub.Config{
		Store:   st,
		BaseURL: baseURL,
		Post: func(ctx context.Context, hub string, form url.Values) (int, error) {
			resp, err := fc.PostForm(ctx, hub, form)
			var fe *fetch.Error
			if errors.As(err, &fe) && fe.Kind == fetch.KindStatus {
				return fe.StatusCode, nil
			} else if err != nil {
				return 0, err
			}
			return resp.StatusCode, nil
		},
		Deliver: func(ctx context.Context, sourceID int64, topic string, body []byte, contentType string) error {
			return deliverPush(ctx, st, p, log, sourceID, topic, body, contentType)
		},
		Logger: log,
	})
	if err != nil { // hubsCannotReach accepted the URL, so New does too
		log.Error("WebSub is off", slog.Any("error", err))
		return ws
	}
	ws.sub = sub
	p.OnFeed = sub.OnFeed
	p.Pushed = func(ctx context.Context, src *newsdesk.Source) bool { return sub.Active(ctx, src.ID) }
	rctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = sub.Run(rctx)
	}()
	ws.stop = func() { cancel(); <-done }
	log.Info("WebSub on: feeds that name a hub are pushed", slog.String("callback", strings.TrimSuffix(baseURL, "/")+websub.CallbackPath+"…"))
	return ws
}

// register adds the callback routes when WebSub is on.
func (ws *webSub) register(mux *http.ServeMux) {
	if ws.sub != nil {
		ws.sub.Register(mux)
	}
}

// close stops deliveries and renewals and waits for them.
func (ws *webSub) close() { ws.stop() }

// deliverPush runs a pushed feed document through the pipeline as the
// source's own, unless the source is gone, paused or not a feed.
func deliverPush(ctx context.Context, st newsdesk.SourceStore, p *ingest.Pipeline, log *slog.Logger,
	sourceID int64, topic string, body []byte, contentType string) error {
	src, err := st.Source(ctx, sourceID)
	if err != nil {
		return fmt.Errorf("push for source %d: %w", sourceID, err)
	}
	if src.Paused || src.Kind != newsdesk.SourceFeed {
		log.DebugContext(ctx, "websub: push for a paused or non-feed source ignored", slog.Int64("source_id", sourceID))
		return nil
	}
	res, err := p.RunDocument(ctx, src, topic, body, contentType)
	if err != nil {
		return fmt.Errorf("push for source %d: %w", sourceID, err)
	}
	log.InfoContext(ctx, "websub: push ingested", slog.Int64("source_id", sourceID), slog.Int("items", res.Items),
		slog.Int("created", res.Created), slog.Int("updated", res.Updated))
	return nil
}

// hubsCannotReach says why hubs on the internet cannot call back baseURL,
// or "" when they can: it must be https (the pushes carry the feed, and the
// verification its secret's use) on a public name or address.
func hubsCannotReach(baseURL string) string {
	if baseURL == "" {
		return "no --base-url"
	}
	u, err := url.Parse(baseURL)
	if err != nil || u.Host == "" {
		return "--base-url is not an absolute URL"
	}
	if u.Scheme != "https" {
		return "--base-url is not https"
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return "--base-url has a query or fragment"
	}
	host := strings.ToLower(strings.TrimSuffix(u.Hostname(), "."))
	if a, err := netip.ParseAddr(host); err == nil {
		a = a.Unmap()
		if !a.IsGlobalUnicast() || a.IsPrivate() || a.IsLoopback() || a.IsLinkLocalUnicast() {
			return "--base-url names a private address"
		}
		return ""
	}
	if !strings.Contains(host, ".") || host == "localhost" {
		return "--base-url names a local host"
	}
	for _, suffix := range []string{".localhost", ".local", ".internal", ".lan", ".home.arpa", ".test", ".invalid"} {
		if strings.HasSuffix(host, suffix) {
			return "--base-url names a local host"
		}
	}
	return ""
}
