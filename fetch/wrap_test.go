package fetch

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
)

type hostAnswer struct {
	host string
	next http.RoundTripper
}

func (h hostAnswer) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.URL.Hostname() != h.host {
		return h.next.RoundTrip(r)
	}
	return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"text/plain"}},
		Body: io.NopCloser(strings.NewReader("from memory")), Request: r}, nil
}

// A wrapped transport answers its own hosts and leaves every other request
// to the guarded dialer, which still refuses private addresses.
func TestWrapTransportKeepsGuard(t *testing.T) {
	c := New(Options{PerHostInterval: -1, WrapTransport: func(next http.RoundTripper) http.RoundTripper {
		return hostAnswer{host: "wire.demo.newsdesk.test", next: next}
	}})
	resp, err := c.Fetch(context.Background(), Request{URL: "https://wire.demo.newsdesk.test/feed.xml"})
	if err != nil || string(resp.Body) != "from memory" {
		t.Fatalf("wrapped host: %v", err)
	}
	if _, err := c.Fetch(context.Background(), Request{URL: "http://10.0.0.1/"}); !IsKind(err, KindBlocked) {
		t.Fatalf("private address through the wrapper: %v, want blocked", err)
	}
}
