// Package fetch is newsdesk's one HTTP client for everything it reads from
// the web: feeds, article pages and robots.txt. It is polite (a clear
// User-Agent, a cap on concurrent requests and a spacing per host, back-off
// when a host answers 429 or 503, robots.txt) and safe (no request reaches
// a loopback, private, link-local or metadata address unless the operator
// allows it; bodies, decompression and redirects are capped).
package fetch

import (
	"compress/gzip"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// DefaultUserAgent names newsdesk and where to read about it. Its first
// token ("newsdesk") is the product token matched in robots.txt.
const DefaultUserAgent = "newsdesk/0.1 (+https://github.com/newsdesk)"

// Defaults for zero Options fields.
const (
	DefaultTimeout            = 30 * time.Second
	DefaultMaxBodyBytes       = 10 << 20
	DefaultMaxRedirects       = 5
	DefaultPerHostConcurrency = 2
	DefaultPerHostInterval    = 250 * time.Millisecond
	// DefaultBackoff is how long a host that answered 429 or 503 without
	// a Retry-After is left alone.
	DefaultBackoff = time.Minute
	// MaxBackoff caps what a Retry-After can ask for.
	MaxBackoff = 24 * time.Hour
)

// Resolver looks up the addresses of a host name. *net.Resolver is one.
type Resolver interface {
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
}

// Options configure a Client. Zero fields take the defaults above.
type Options struct {
	UserAgent string
	// Timeout bounds one fetch from the moment it may start (after the
	// per-host wait), redirects and body included.
	Timeout time.Duration
	// MaxBodyBytes caps the body as sent on the wire.
	MaxBodyBytes int64
	// MaxDecompressedBytes caps a compressed body once decoded; by default
	// twice MaxBodyBytes.
	MaxDecompressedBytes int64
	// MaxRedirects caps the redirects followed; negative follows none.
	MaxRedirects int
	// AllowPrivate lists address ranges the operator allows although they
	// are not public (--allow-private). Tests allow 127.0.0.0/8.
	AllowPrivate []netip.Prefix
	// PerHostConcurrency caps the requests in flight to one host.
	PerHostConcurrency int
	// PerHostInterval spaces the starts of requests to one host; negative
	// disables spacing (zero takes the default).
	PerHostInterval time.Duration
	// Transport, when set, carries every request instead of the guarded
	// dialer (the demo serves embedded files through one). URL checks,
	// limits and politeness still apply.
	Transport http.RoundTripper
	// WrapTransport, when set, wraps the transport that carries requests
	// (the guarded one unless Transport is set): the demo answers its own
	// hosts from embedded files and passes every other request on, still
	// guarded.
	WrapTransport func(http.RoundTripper) http.RoundTripper
	// Resolver resolves host names for the guarded dialer; by default
	// net.DefaultResolver.
	Resolver Resolver
	// RobotsTTL is how long a robots.txt is kept; by default an hour.
	RobotsTTL time.Duration
	Now       func() time.Time
	Logger    *slog.Logger
}

// Request is one fetch. ETag and LastModified are the validators of the
// previous answer, sent as If-None-Match and If-Modified-Since.
type Request struct {
	URL          string
	ETag         string
	LastModified string
	Accept       string
}

// Response is a successful fetch (2xx, or 304 with NotModified set).
type Response struct {
	URL          string // final URL, after redirects
	StatusCode   int
	NotModified  bool
	Body         []byte // decoded; empty when NotModified
	ContentType  string
	ETag         string
	LastModified string
	RetryAfter   time.Duration
}

// Client fetches URLs. It is safe for concurrent use; make one and share it.
type Client struct {
	opts     Options
	guard    *guard
	http     *http.Client
	log      *slog.Logger
	now      func() time.Time
	product  string
	hosts    hostTable
	robots   robotsCache
	dialHook func(netip.AddrPort) error // tests: refuse anything off this machine
}

// New returns a Client with its own transport and per-host state.
func New(o Options) *Client {
	if o.UserAgent == "" {
		o.UserAgent = DefaultUserAgent
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.MaxBodyBytes <= 0 {
		o.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if o.MaxDecompressedBytes <= 0 {
		o.MaxDecompressedBytes = 2 * o.MaxBodyBytes
	}
	if o.MaxRedirects == 0 {
		o.MaxRedirects = DefaultMaxRedirects
	} else if o.MaxRedirects < 0 {
		o.MaxRedirects = 0
	}
	if o.PerHostConcurrency <= 0 {
		o.PerHostConcurrency = DefaultPerHostConcurrency
	}
	if o.PerHostInterval == 0 {
		o.PerHostInterval = DefaultPerHostInterval
	} else if o.PerHostInterval < 0 {
		o.PerHostInterval = 0
	}
	if o.Resolver == nil {
		o.Resolver = net.DefaultResolver
	}
	if o.RobotsTTL <= 0 {
		o.RobotsTTL = time.Hour
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	c := &Client{
		opts:    o,
		guard:   newGuard(o.AllowPrivate),
		log:     o.Logger,
		now:     o.Now,
		product: productToken(o.UserAgent),
	}
	c.hosts.init(o.PerHostConcurrency)
	c.robots.init()
	var rt http.RoundTripper = o.Transport
	if rt == nil {
		rt = c.newTransport()
	}
	if o.WrapTransport != nil {
		rt = o.WrapTransport(rt)
	}
	c.http = &http.Client{
		Transport:     rt,
		CheckRedirect: c.checkRedirect,
		// Each Fetch sets its own deadline through the context.
	}
	return c
}

func (c *Client) newTransport() *http.Transport {
	return &http.Transport{
		// Proxy is nil on purpose: a proxy from the environment would dial
		// on our behalf and bypass the address guard.
		Proxy:                  nil,
		DialContext:            c.dialContext,
		ForceAttemptHTTP2:      true,
		TLSHandshakeTimeout:    10 * time.Second,
		ResponseHeaderTimeout:  c.opts.Timeout,
		ExpectContinueTimeout:  time.Second,
		MaxIdleConns:           100,
		MaxIdleConnsPerHost:    c.opts.PerHostConcurrency,
		IdleConnTimeout:        90 * time.Second,
		DisableCompression:     true, // we decode gzip ourselves, with a cap
		MaxResponseHeaderBytes: 64 << 10,
	}
}

// dialContext resolves the host itself and dials each address with a
// net.Dialer whose Control hook refuses addresses that are not public. The
// check happens on the literal address after resolution, so DNS answers
// pointing inside cannot slip through, whatever the name.
func (c *Client) dialContext(ctx context.Context, network, address string) (net.Conn, error) {
	host, port, err := net.SplitHostPort(address)
	if err != nil {
		return nil, err
	}
	var addrs []netip.Addr
	if a, err := netip.ParseAddr(host); err == nil {
		addrs = []netip.Addr{a}
	} else {
		addrs, err = c.opts.Resolver.LookupNetIP(ctx, "ip", host)
		if err != nil {
			return nil, err
		}
		if len(addrs) == 0 {
			return nil, &net.DNSError{Err: "no addresses", Name: host, IsNotFound: true}
		}
	}
	d := net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second, Control: c.control}
	var firstErr error
	for _, a := range addrs {
		conn, err := d.DialContext(ctx, network, net.JoinHostPort(a.Unmap().String(), port))
		if err == nil {
			return conn, nil
		}
		if firstErr == nil {
			firstErr = err
		}
		if ctx.Err() != nil {
			break
		}
	}
	return nil, firstErr
}

var errRedirectCap = errors.New("too many redirects")

func (c *Client) checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) > c.opts.MaxRedirects {
		return errRedirectCap
	}
	u, err := c.checkURL(req.URL)
	if err != nil {
		return err
	}
	if u != req.URL {
		req.URL = u
		req.Host = ""
	}
	// The redirect goes to a host of its own: it must respect that host's
	// back-off too.
	if err := c.hosts.get(hostKey(req.URL)).checkBackoff(c.now()); err != nil {
		return err
	}
	return nil
}

// Fetch gets r.URL. It returns a *Response for 2xx and 304 answers and an
// *Error for everything else.
func (c *Client) Fetch(ctx context.Context, r Request) (*Response, error) {
	u, err := url.Parse(strings.TrimSpace(r.URL))
	if err != nil {
		return nil, &Error{URL: r.URL, Kind: KindBadURL, Err: fmt.Errorf("URL does not parse: %w", err)}
	}
	u, err = c.checkURL(u)
	if err != nil {
		return nil, err
	}
	h := c.hosts.get(hostKey(u))
	if err := h.checkBackoff(c.now()); err != nil {
		return nil, &Error{URL: u.String(), Kind: KindBackoff, RetryAfter: err.(*backoffError).wait, Err: err}
	}
	release, err := h.acquire(ctx, c.opts.PerHostInterval)
	if err != nil {
		return nil, c.classify(u.String(), err)
	}
	defer release()
	// The wait for the slot may have been long: back-off may have begun.
	if err := h.checkBackoff(c.now()); err != nil {
		return nil, &Error{URL: u.String(), Kind: KindBackoff, RetryAfter: err.(*backoffError).wait, Err: err}
	}

	ctx, cancel := context.WithTimeout(ctx, c.opts.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, &Error{URL: r.URL, Kind: KindBadURL, Err: err}
	}
	req.Header.Set("User-Agent", c.opts.UserAgent)
	req.Header.Set("Accept-Encoding", "gzip")
	if r.Accept != "" {
		req.Header.Set("Accept", r.Accept)
	} else {
		req.Header.Set("Accept", "*/*")
	}
	if r.ETag != "" {
		req.Header.Set("If-None-Match", r.ETag)
	}
	if r.LastModified != "" {
		req.Header.Set("If-Modified-Since", r.LastModified)
	}
	start := time.Now()
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, c.classify(u.String(), err)
	}
	defer resp.Body.Close()
	final := resp.Request.URL.String()
	c.log.DebugContext(ctx, "fetched", "url", final, "status", resp.StatusCode, "duration", time.Since(start))

	out := &Response{
		URL:          final,
		StatusCode:   resp.StatusCode,
		ContentType:  resp.Header.Get("Content-Type"),
		ETag:         resp.Header.Get("ETag"),
		LastModified: resp.Header.Get("Last-Modified"),
	}
	switch {
	case resp.StatusCode == http.StatusNotModified:
		out.NotModified = true
		if out.ETag == "" {
			out.ETag = r.ETag
		}
		if out.LastModified == "" {
			out.LastModified = r.LastModified
		}
		return out, nil
	case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable:
		wait := parseRetryAfter(resp.Header.Get("Retry-After"), c.now())
		if wait <= 0 {
			wait = DefaultBackoff
		}
		wait = min(wait, MaxBackoff)
		c.hosts.get(hostKey(resp.Request.URL)).setBackoff(c.now().Add(wait))
		c.log.InfoContext(ctx, "host asked to wait", "host", hostKey(resp.Request.URL), "status", resp.StatusCode, "wait", wait)
		return nil, &Error{URL: final, Kind: KindStatus, StatusCode: resp.StatusCode, RetryAfter: wait}
	case resp.StatusCode < 200 || resp.StatusCode > 299:
		return nil, &Error{URL: final, Kind: KindStatus, StatusCode: resp.StatusCode}
	}
	if ra := parseRetryAfter(resp.Header.Get("Retry-After"), c.now()); ra > 0 {
		out.RetryAfter = ra
	}
	body, err := c.readBody(resp)
	if err != nil {
		if fe, ok := err.(*Error); ok {
			fe.URL = final
			return nil, fe
		}
		return nil, c.classify(final, err)
	}
	out.Body = body
	return out, nil
}

// readBody reads the body within MaxBodyBytes on the wire and
// MaxDecompressedBytes once decoded.
func (c *Client) readBody(resp *http.Response) ([]byte, error) {
	limit := c.opts.MaxBodyBytes
	if resp.ContentLength > limit {
		return nil, &Error{Kind: KindTooLarge, Err: fmt.Errorf("response body exceeds %d bytes (Content-Length %d)", limit, resp.ContentLength)}
	}
	wire := &cappedReader{r: resp.Body, n: limit}
	var r io.Reader = wire
	decLimit := limit
	enc := strings.ToLower(strings.TrimSpace(resp.Header.Get("Content-Encoding")))
	switch enc {
	case "", "identity":
	case "gzip", "x-gzip":
		zr, err := gzip.NewReader(wire)
		if err != nil {
			if wire.over {
				return nil, &Error{Kind: KindTooLarge, Err: fmt.Errorf("response body exceeds %d bytes", limit)}
			}
			return nil, fmt.Errorf("gzip body: %w", err)
		}
		defer zr.Close()
		r = zr
		decLimit = c.opts.MaxDecompressedBytes
	default:
		return nil, &Error{Kind: KindConnection, Err: fmt.Errorf("server sent the body encoded as %q, which was not asked for", enc)}
	}
	capacity := int64(32 << 10)
	if resp.ContentLength > 0 && enc == "" {
		capacity = resp.ContentLength
	}
	buf := make([]byte, 0, min(capacity, decLimit)+1)
	body, err := readUpTo(r, buf, decLimit)
	if wire.over {
		return nil, &Error{Kind: KindTooLarge, Err: fmt.Errorf("response body exceeds %d bytes", limit)}
	}
	if err != nil {
		if errors.Is(err, errDecodedTooLarge) {
			return nil, &Error{Kind: KindTooLarge, Err: fmt.Errorf("response body decompresses to more than %d bytes", decLimit)}
		}
		return nil, err
	}
	return body, nil
}

var errDecodedTooLarge = errors.New("decoded body too large")

// readUpTo reads r into buf; more than limit bytes is errDecodedTooLarge.
func readUpTo(r io.Reader, buf []byte, limit int64) ([]byte, error) {
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if int64(len(buf)) > limit {
			return nil, errDecodedTooLarge
		}
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return nil, err
		}
	}
}

// cappedReader reads at most n bytes and records whether there was more.
type cappedReader struct {
	r    io.Reader
	n    int64
	over bool
}

func (c *cappedReader) Read(p []byte) (int, error) {
	if c.n <= 0 {
		// Probe one byte to tell "exactly n" from "more than n".
		var one [1]byte
		k, err := c.r.Read(one[:])
		if k > 0 {
			c.over = true
			return 0, errors.New("body over limit")
		}
		return 0, err
	}
	if int64(len(p)) > c.n {
		p = p[:c.n]
	}
	k, err := c.r.Read(p)
	c.n -= int64(k)
	return k, err
}

// classify turns a transport error into an *Error.
func (c *Client) classify(u string, err error) error {
	var fe *Error
	if errors.As(err, &fe) {
		if fe.URL == "" {
			fe.URL = u
		}
		return fe
	}
	var be *BlockedError
	if errors.As(err, &be) {
		return &Error{URL: u, Kind: KindBlocked, Err: be}
	}
	var boe *backoffError
	if errors.As(err, &boe) {
		return &Error{URL: u, Kind: KindBackoff, RetryAfter: boe.wait, Err: boe}
	}
	if errors.Is(err, errRedirectCap) {
		return &Error{URL: u, Kind: KindTooManyRedirects, Err: fmt.Errorf("more than %d redirects", c.opts.MaxRedirects)}
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) && !dnsErr.IsTimeout {
		return &Error{URL: u, Kind: KindDNS, Err: dnsErr}
	}
	if errors.Is(err, context.DeadlineExceeded) || isTimeout(err) {
		return &Error{URL: u, Kind: KindTimeout, Err: fmt.Errorf("no answer within %s", c.opts.Timeout)}
	}
	if errors.Is(err, context.Canceled) {
		return &Error{URL: u, Kind: KindConnection, Err: context.Canceled}
	}
	var (
		certErr    *tls.CertificateVerificationError
		recErr     tls.RecordHeaderError
		alertErr   tls.AlertError
		unknownCA  x509.UnknownAuthorityError
		hostErr    x509.HostnameError
		invalidErr x509.CertificateInvalidError
	)
	if errors.As(err, &certErr) || errors.As(err, &recErr) || errors.As(err, &alertErr) ||
		errors.As(err, &unknownCA) || errors.As(err, &hostErr) || errors.As(err, &invalidErr) {
		return &Error{URL: u, Kind: KindTLS, Err: unwrapURLError(err)}
	}
	return &Error{URL: u, Kind: KindConnection, Err: unwrapURLError(err)}
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// parseRetryAfter reads a Retry-After value: delay seconds or an HTTP date.
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		if n <= 0 {
			return 0
		}
		if n > int64(MaxBackoff/time.Second) {
			return MaxBackoff
		}
		return time.Duration(n) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := t.Sub(now); d > 0 {
			return d
		}
	}
	return 0
}

// ParseAllowList reads the --allow-private values: CIDR prefixes
// ("10.0.0.0/8") or single addresses ("192.168.1.5").
func ParseAllowList(values []string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, v := range values {
		for _, f := range strings.Split(v, ",") {
			f = strings.TrimSpace(f)
			if f == "" {
				continue
			}
			if strings.Contains(f, "/") {
				p, err := netip.ParsePrefix(f)
				if err != nil {
					return nil, fmt.Errorf("allow-private %q: %w", f, err)
				}
				if p != p.Masked() {
					return nil, fmt.Errorf("allow-private %q: host bits set; did you mean %s?", f, p.Masked())
				}
				out = append(out, p)
				continue
			}
			a, err := netip.ParseAddr(f)
			if err != nil {
				return nil, fmt.Errorf("allow-private %q: not an address or CIDR prefix", f)
			}
			out = append(out, netip.PrefixFrom(a, a.BitLen()))
		}
	}
	return out, nil
}

func productToken(ua string) string {
	tok := ua
	if i := strings.IndexAny(tok, "/ "); i >= 0 {
		tok = tok[:i]
	}
	return strings.ToLower(tok)
}

func hostKey(u *url.URL) string { return strings.ToLower(u.Hostname()) }

// hostTable keeps per-host politeness state.
type hostTable struct {
	mu    sync.Mutex
	m     map[string]*hostState
	slots int
}

func (t *hostTable) init(slots int) {
	t.m = make(map[string]*hostState)
	t.slots = slots
}

func (t *hostTable) get(key string) *hostState {
	t.mu.Lock()
	defer t.mu.Unlock()
	h := t.m[key]
	if h == nil {
		if len(t.m) >= 8192 {
			t.pruneLocked()
		}
		h = &hostState{sem: make(chan struct{}, t.slots)}
		t.m[key] = h
	}
	return h
}

// pruneLocked forgets hosts with nothing in flight, no spacing pending and
// no back-off, so that the table stays small on a long run.
func (t *hostTable) pruneLocked() {
	now := time.Now()
	for k, h := range t.m {
		h.mu.Lock()
		idle := len(h.sem) == 0 && now.After(h.next) && h.backoffUntil.IsZero()
		h.mu.Unlock()
		if idle {
			delete(t.m, k)
		}
	}
}

type hostState struct {
	sem          chan struct{} // one token per request in flight
	mu           sync.Mutex
	next         time.Time // earliest start of the next request (real clock)
	backoffUntil time.Time // injected clock
}

// acquire waits for a free slot and for the host's spacing, and returns the
// function that frees the slot.
func (h *hostState) acquire(ctx context.Context, interval time.Duration) (func(), error) {
	select {
	case h.sem <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	release := func() { <-h.sem }
	if interval <= 0 {
		return release, nil
	}
	h.mu.Lock()
	now := time.Now()
	start := h.next
	if start.Before(now) {
		start = now
	}
	h.next = start.Add(interval)
	h.mu.Unlock()
	if wait := start.Sub(now); wait > 0 {
		t := time.NewTimer(wait)
		defer t.Stop()
		select {
		case <-t.C:
		case <-ctx.Done():
			release()
			return nil, ctx.Err()
		}
	}
	return release, nil
}

type backoffError struct {
	until time.Time
	wait  time.Duration
}

func (e *backoffError) Error() string {
	return fmt.Sprintf("host asked us to wait until %s", e.until.UTC().Format(time.RFC3339))
}

func (h *hostState) checkBackoff(now time.Time) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.backoffUntil.IsZero() {
		return nil
	}
	if now.Before(h.backoffUntil) {
		return &backoffError{until: h.backoffUntil, wait: h.backoffUntil.Sub(now)}
	}
	h.backoffUntil = time.Time{}
	return nil
}

func (h *hostState) setBackoff(until time.Time) {
	h.mu.Lock()
	if until.After(h.backoffUntil) {
		h.backoffUntil = until
	}
	h.mu.Unlock()
}
