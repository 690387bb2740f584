package demo

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"time"
)

// transport answers demo hosts from a Site and passes the rest on.
type transport struct {
	site *Site
	err  error
	next http.RoundTripper
}

// Transport answers requests for hosts ending in DomainSuffix from the
// embedded demo sources, rendered for the current time, and passes any
// other request to next (http.DefaultTransport when nil). No socket is
// opened for a demo host.
func Transport(next http.RoundTripper) http.RoundTripper {
	site, err := NewSite(time.Now())
	return &transport{site: site, err: err, next: next}
}

// Transport answers demo hosts from s and passes other requests to next
// (http.DefaultTransport when nil).
func (s *Site) Transport(next http.RoundTripper) http.RoundTripper {
	return &transport{site: s, next: next}
}

// IsDemoHost reports whether host (with or without a port) is a demo host.
func IsDemoHost(host string) bool {
	if h, _, ok := strings.Cut(host, ":"); ok {
		host = h
	}
	return strings.HasSuffix(strings.ToLower(host), DomainSuffix)
}

func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL == nil || !IsDemoHost(req.URL.Host) {
		next := t.next
		if next == nil {
			next = http.DefaultTransport
		}
		return next.RoundTrip(req)
	}
	if req.Body != nil {
		req.Body.Close()
	}
	if err := req.Context().Err(); err != nil {
		return nil, err
	}
	rec := httptest.NewRecorder()
	if t.err != nil {
		// The embedded sources failed to render: every demo request says
		// why, as a server would.
		http.Error(rec, "demo sources: "+t.err.Error(), http.StatusInternalServerError)
	} else {
		r := req.Clone(req.Context())
		r.Host = req.URL.Host
		r.RequestURI = req.URL.RequestURI()
		t.site.ServeHTTP(rec, r)
	}
	resp := rec.Result()
	resp.Request = req
	resp.Proto, resp.ProtoMajor, resp.ProtoMinor = "HTTP/1.1", 1, 1
	resp.ContentLength = int64(rec.Body.Len())
	if req.Method == http.MethodHead {
		resp.ContentLength = -1
		if n, err := strconv.ParseInt(resp.Header.Get("Content-Length"), 10, 64); err == nil {
			resp.ContentLength = n
		}
	}
	return resp, nil
}
