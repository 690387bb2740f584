package fetch

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"sync/atomic"
	"testing"
	"time"
)

func TestPostForm(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		switch r.URL.Path {
		case "/hub":
			if r.Method != http.MethodPost {
				t.Errorf("method = %s", r.Method)
			}
			if ct := r.Header.Get("Content-Type"); ct != "application/x-www-form-urlencoded" {
				t.Errorf("Content-Type = %q", ct)
			}
			if ua := r.Header.Get("User-Agent"); ua != DefaultUserAgent {
				t.Errorf("User-Agent = %q", ua)
			}
			if err := r.ParseForm(); err != nil {
				t.Error(err)
			}
			if r.PostForm.Get("hub.mode") != "subscribe" || r.PostForm.Get("hub.topic") != "https://pub.example/feed?a=1&b=2" {
				t.Errorf("form = %v", r.PostForm)
			}
			w.WriteHeader(http.StatusAccepted)
			fmt.Fprint(w, "accepted")
		case "/moved":
			http.Redirect(w, r, "/hub", http.StatusTemporaryRedirect)
		case "/bad":
			http.Error(w, "hub.callback missing", http.StatusBadRequest)
		case "/busy":
			w.Header().Set("Retry-After", "60")
			w.WriteHeader(http.StatusServiceUnavailable)
		case "/big":
			w.Write(bytes.Repeat([]byte("x"), 5000))
		}
	}))
	defer srv.Close()
	form := url.Values{"hub.mode": {"subscribe"}, "hub.topic": {"https://pub.example/feed?a=1&b=2"}}
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)

	blocked := newTestClient(t, Options{})
	if _, err := blocked.PostForm(t.Context(), srv.URL+"/hub", form); kindOf(err) != KindBlocked {
		t.Fatalf("without allow-list: %v, want blocked", err)
	}
	if hits.Load() != 0 {
		t.Fatal("a blocked address was reached")
	}
	if _, err := blocked.PostForm(t.Context(), "http://169.254.169.254/latest", form); kindOf(err) != KindBlocked {
		t.Errorf("metadata address: %v, want blocked", err)
	}
	if _, err := blocked.PostForm(t.Context(), "file:///etc/passwd", form); kindOf(err) != KindBadURL {
		t.Errorf("file URL: %v, want bad_url", err)
	}

	c := newTestClient(t, Options{AllowPrivate: loopback, MaxBodyBytes: 4096, Now: func() time.Time { return now }})
	resp, err := c.PostForm(t.Context(), srv.URL+"/hub", form)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusAccepted || string(resp.Body) != "accepted" || resp.URL != srv.URL+"/hub" {
		t.Errorf("response = %+v", resp)
	}

	hits.Store(0)
	_, err = c.PostForm(t.Context(), srv.URL+"/moved", form)
	var fe *Error
	if !errors.As(err, &fe) || fe.Kind != KindStatus || fe.StatusCode != http.StatusTemporaryRedirect {
		t.Errorf("redirect: %v, want a 307 status error", err)
	}
	if hits.Load() != 1 {
		t.Errorf("redirect followed: %d requests", hits.Load())
	}
	if _, err := c.PostForm(t.Context(), srv.URL+"/bad", form); !errors.As(err, &fe) || fe.StatusCode != http.StatusBadRequest {
		t.Errorf("400: %v", err)
	}
	if _, err := c.PostForm(t.Context(), srv.URL+"/big", form); kindOf(err) != KindTooLarge {
		t.Errorf("big answer: %v, want too_large", err)
	}

	// A busy host is left alone, by posts and fetches alike.
	_, err = c.PostForm(t.Context(), srv.URL+"/busy", form)
	if !errors.As(err, &fe) || fe.StatusCode != http.StatusServiceUnavailable || fe.RetryAfter != time.Minute {
		t.Fatalf("503: %v", err)
	}
	hits.Store(0)
	if _, err := c.PostForm(t.Context(), srv.URL+"/hub", form); kindOf(err) != KindBackoff {
		t.Errorf("post during back-off: %v", err)
	}
	if _, err := c.Fetch(t.Context(), Request{URL: srv.URL + "/hub"}); kindOf(err) != KindBackoff {
		t.Errorf("fetch during back-off: %v", err)
	}
	if hits.Load() != 0 {
		t.Errorf("host contacted %d times during back-off", hits.Load())
	}
}

func TestPostFormResolvedNameGuarded(t *testing.T) {
	var reached atomic.Bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		reached.Store(true)
		w.WriteHeader(http.StatusAccepted)
	}))
	defer srv.Close()
	_, p, err := net.SplitHostPort(srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	c := newTestClient(t, Options{Resolver: fakeResolver{"hub.example": {netip.MustParseAddr("127.0.0.1")}}})
	_, err = c.PostForm(t.Context(), "http://hub.example:"+p+"/", url.Values{"a": {"b"}})
	if kindOf(err) != KindBlocked {
		t.Fatalf("name resolving to loopback: %v, want blocked", err)
	}
	if reached.Load() {
		t.Fatal("the loopback server was reached")
	}
}
