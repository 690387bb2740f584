package fetch

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

var loopback = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}

// fakeResolver answers from a map and never touches DNS.
type fakeResolver map[string][]netip.Addr

func (f fakeResolver) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	if a, ok := f[host]; ok {
		return a, nil
	}
	return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
}

// newTestClient returns a client that can never dial off this machine,
// whatever its guard decides: an address that passes the guard but is not
// loopback is refused by the test hook with errOffMachine.
func newTestClient(t testing.TB, o Options) *Client {
	t.Helper()
	if o.Resolver == nil {
		o.Resolver = fakeResolver{}
	}
	if o.PerHostInterval == 0 {
		o.PerHostInterval = -1
	}
	c := New(o)
	c.dialHook = func(ap netip.AddrPort) error {
		if !ap.Addr().Unmap().IsLoopback() {
			return errOffMachine
		}
		return nil
	}
	return c
}

var errOffMachine = errors.New("test refuses to dial off this machine")

func kindOf(err error) Kind {
	var fe *Error
	if errors.As(err, &fe) {
		return fe.Kind
	}
	return ""
}

func TestGuardClassifiesAddresses(t *testing.T) {
	g := newGuard(nil)
	tests := []struct {
		addr    string
		blocked bool
	}{
		{"127.0.0.1", true},
		{"127.255.255.254", true},
		{"10.1.2.3", true},
		{"172.16.0.1", true},
		{"172.31.255.255", true},
		{"192.168.1.1", true},
		{"169.254.1.1", true},
		{"169.254.169.254", true},
		{"169.254.170.2", true},
		{"100.64.0.1", true},
		{"100.127.255.255", true},
		{"0.0.0.0", true},
		{"0.1.2.3", true},
		{"224.0.0.1", true},
		{"239.255.255.250", true},
		{"255.255.255.255", true},
		{"240.0.0.1", true},
		{"192.0.0.8", true},
		{"192.0.2.10", true},
		{"198.51.100.7", true},
		{"203.0.113.9", true},
		{"198.18.0.1", true},
		{"198.19.255.255", true},
		{"::", true},
		{"::1", true},
		{"::ffff:127.0.0.1", true},
		{"::ffff:10.0.0.1", true},
		{"::ffff:0:127.0.0.1", true},
		{"::127.0.0.1", true},
		{"64:ff9b::127.0.0.1", true},
		{"64:ff9b::a9fe:a9fe", true}, // 169.254.169.254
		{"64:ff9b::10.0.0.1", true},
		{"64:ff9b:1::1", true},
		{"2002:7f00:1::1", true}, // 6to4 of 127.0.0.1
		{"2002:c0a8:101::1", true},
		{"fc00::1", true},
		{"fd00:ec2::254", true},
		{"fd12:3456::1", true},
		{"fe80::1", true},
		{"fe80::1%eth0", true},
		{"febf::1", true},
		{"ff02::1", true},
		{"2001:db8::1", true},
		{"3fff::1", true},
		{"2001::1", true},
		{"100::1", true},
		// public
		{"93.184.216.34", false},
		{"8.8.8.8", false},
		{"1.1.1.1", false},
		{"100.63.255.255", false},
		{"100.128.0.0", false},
		{"172.15.255.255", false},
		{"172.32.0.0", false},
		{"192.169.0.1", false},
		{"::ffff:8.8.8.8", false},
		{"64:ff9b::8.8.8.8", false},
		{"2002:808:808::1", false},
		{"2606:4700:4700::1111", false},
		{"2a00:1450:4001::200e", false},
	}
	for _, tt := range tests {
		t.Run(tt.addr, func(t *testing.T) {
			err := g.check(netip.MustParseAddr(tt.addr))
			if (err != nil) != tt.blocked {
				t.Fatalf("check(%s) = %v, want blocked=%v", tt.addr, err, tt.blocked)
			}
		})
	}
}

func TestGuardAllowList(t *testing.T) {
	allow, err := ParseAllowList([]string{"10.0.0.0/8", "192.168.1.5", "fd00::/8"})
	if err != nil {
		t.Fatal(err)
	}
	g := newGuard(allow)
	for addr, blocked := range map[string]bool{
		"10.9.8.7":         false,
		"::ffff:10.9.8.7":  false,
		"192.168.1.5":      false,
		"192.168.1.6":      true,
		"127.0.0.1":        true,
		"fd00:1::1":        false,
		"fd00:ec2::254":    true, // metadata needs its own single-address entry
		"169.254.169.254":  true,
		"64:ff9b::a00:1":   false, // NAT64 of allowed 10.0.0.1
		"172.16.0.1":       true,
		"2001:db8::abcd:1": true,
	} {
		if err := g.check(netip.MustParseAddr(addr)); (err != nil) != blocked {
			t.Errorf("check(%s) = %v, want blocked=%v", addr, err, blocked)
		}
	}
	meta := newGuard([]netip.Prefix{netip.MustParsePrefix("169.254.169.254/32")})
	if err := meta.check(netip.MustParseAddr("169.254.169.254")); err != nil {
		t.Errorf("metadata named exactly should be allowed: %v", err)
	}
	if _, err := ParseAllowList([]string{"10.0.0.1/8"}); err == nil {
		t.Error("prefix with host bits accepted")
	}
	if _, err := ParseAllowList([]string{"not-an-ip"}); err == nil {
		t.Error("garbage accepted")
	}
}

func TestFetchRefusesURLs(t *testing.T) {
	c := newTestClient(t, Options{Resolver: fakeResolver{
		"internal.example":   {netip.MustParseAddr("10.0.0.5")},
		"metadata.example":   {netip.MustParseAddr("169.254.169.254")},
		"mapped.example":     {netip.MustParseAddr("::ffff:127.0.0.1")},
		"nat64.example":      {netip.MustParseAddr("64:ff9b::c0a8:0101")},
		"ula.example":        {netip.MustParseAddr("fd00::1")},
		"cgnat.example":      {netip.MustParseAddr("100.100.100.200")},
		"linklocal6.example": {netip.MustParseAddr("fe80::1")},
		"mixed.example": {
			netip.MustParseAddr("127.0.0.1"), netip.MustParseAddr("10.0.0.1"),
		},
		"public.example": {netip.MustParseAddr("93.184.216.34")},
	}})
	tests := []struct {
		url  string
		kind Kind
		msg  string
	}{
		{"http://127.0.0.1/", KindBlocked, "address 127.0.0.1 is loopback; allow it with --allow-private"},
		{"http://10.0.0.1/", KindBlocked, "fetch http://10.0.0.1/: address 10.0.0.1 is private; allow it with --allow-private"},
		{"http://[::1]:8080/", KindBlocked, "loopback"},
		{"http://[::ffff:127.0.0.1]/", KindBlocked, "loopback"},
		{"http://[::ffff:7f00:1]/", KindBlocked, "loopback"},
		{"http://[64:ff9b::7f00:1]/", KindBlocked, "IPv6 form of 127.0.0.1"},
		{"http://[fd00:ec2::254]/latest/meta-data/", KindBlocked, "cloud metadata"},
		{"http://169.254.169.254/latest/meta-data/", KindBlocked, "cloud metadata endpoint; allow it with --allow-private 169.254.169.254/32"},
		{"http://[fe80::1%25eth0]/", KindBadURL, "IPv6"},
		{"http://0.0.0.0/", KindBlocked, "0.0.0.0/8"},
		{"http://2130706433/", KindBlocked, "127.0.0.1 is loopback"},
		{"http://0177.0.0.1/", KindBlocked, "127.0.0.1 is loopback"},
		{"http://0x7f.1/", KindBlocked, "127.0.0.1 is loopback"},
		{"http://0x7f000001/", KindBlocked, "127.0.0.1 is loopback"},
		{"http://127.1/", KindBlocked, "127.0.0.1 is loopback"},
		{"http://0xA9.0xFE.0xA9.0xFE/", KindBlocked, "cloud metadata"},
		{"http://012.0.0.1./", KindBlocked, "10.0.0.1 is private"},
		{"http://3232235777/", KindBlocked, "192.168.1.1 is private"},
		{"http://1.2.3.4.5/", KindBadURL, "ends in a number"},
		{"http://256.1.1.1/", KindBadURL, "ends in a number"},
		{"http://09.1.1.1/", KindBadURL, "ends in a number"},
		{"http://internal.example/feed", KindBlocked, "10.0.0.5 is private"},
		{"http://metadata.example/", KindBlocked, "cloud metadata"},
		{"http://mapped.example/", KindBlocked, "loopback"},
		{"http://nat64.example/", KindBlocked, "192.168.1.1"},
		{"http://ula.example/", KindBlocked, "unique local"},
		{"http://cgnat.example/", KindBlocked, "carrier-grade NAT"},
		{"http://linklocal6.example/", KindBlocked, "link-local"},
		{"http://mixed.example/", KindBlocked, "loopback"},
		{"http://nowhere.example/", KindDNS, "does not resolve"},
		{"file:///etc/passwd", KindBadURL, `scheme "file"`},
		{"gopher://example.com/", KindBadURL, "only http and https"},
		{"ftp://example.com/", KindBadURL, "only http and https"},
		{"/relative", KindBadURL, "not absolute"},
		{"http://user:pass@example.com/", KindBadURL, "user name or password"},
		{"http://user@127.0.0.1/", KindBadURL, "user name"},
		{"http:///nohost", KindBadURL, "no host"},
		{"http://example.com:99999/", KindBadURL, "port"},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			_, err := c.Fetch(t.Context(), Request{URL: tt.url})
			if kindOf(err) != tt.kind {
				t.Fatalf("Fetch(%s) error = %v (kind %q), want kind %q", tt.url, err, kindOf(err), tt.kind)
			}
			if !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("error %q does not say %q", err, tt.msg)
			}
			if strings.Contains(err.Error(), ":pass@") {
				t.Errorf("error %q leaks the password", err)
			}
		})
	}

	// A public address passes the guard and reaches the dialer, which the
	// test refuses: not blocked, a connection error.
	_, err := c.Fetch(t.Context(), Request{URL: "http://public.example/"})
	if kindOf(err) != KindConnection || !errors.Is(err, errOffMachine) {
		t.Fatalf("public address: %v (kind %q), want the test dial hook's refusal", err, kindOf(err))
	}
}

func TestFetchAllowsLoopbackWhenAllowed(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if got := r.Header.Get("User-Agent"); got != DefaultUserAgent {
			t.Errorf("User-Agent = %q", got)
		}
		w.Header().Set("Content-Type", "application/rss+xml")
		fmt.Fprint(w, "<rss/>")
	}))
	defer srv.Close()

	blocked := newTestClient(t, Options{})
	if _, err := blocked.Fetch(t.Context(), Request{URL: srv.URL}); kindOf(err) != KindBlocked {
		t.Fatalf("without allow-list: %v, want blocked", err)
	}
	c := newTestClient(t, Options{AllowPrivate: loopback})
	resp, err := c.Fetch(t.Context(), Request{URL: srv.URL + "/feed"})
	if err != nil {
		t.Fatal(err)
	}
	if string(resp.Body) != "<rss/>" || resp.ContentType != "application/rss+xml" || resp.StatusCode != 200 {
		t.Fatalf("response = %+v", resp)
	}
	if resp.URL != srv.URL+"/feed" {
		t.Errorf("URL = %q", resp.URL)
	}
}

// listenOn starts a server on a specific loopback address, or skips.
func listenOn(t *testing.T, addr string, h http.Handler) *httptest.Server {
	t.Helper()
	l, err := net.Listen("tcp", addr+":0")
	if err != nil {
		t.Skipf("cannot listen on %s: %v", addr, err)
	}
	srv := httptest.NewUnstartedServer(h)
	srv.Listener.Close()
	srv.Listener = l
	srv.Start()
	t.Cleanup(srv.Close)
	return srv
}

func TestRedirectToBlockedAddress(t *testing.T) {
	var reached atomic.Bool
	inner := listenOn(t, "127.0.0.1", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		reached.Store(true)
		fmt.Fprint(w, "secret")
	}))
	outer := listenOn(t, "127.0.0.2", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/literal":
			http.Redirect(w, r, inner.URL+"/admin", http.StatusFound)
		case "/decimal":
			http.Redirect(w, r, "http://2130706433:"+inner.Listener.Addr().(*net.TCPAddr).AddrPort().String()[len("127.0.0.1:"):]+"/admin", http.StatusFound)
		case "/name":
			http.Redirect(w, r, "http://inner.example:"+fmt.Sprint(inner.Listener.Addr().(*net.TCPAddr).Port)+"/admin", http.StatusFound)
		case "/scheme":
			http.Redirect(w, r, "file:///etc/passwd", http.StatusFound)
		default:
			fmt.Fprint(w, "ok")
		}
	}))
	c := newTestClient(t, Options{
		AllowPrivate: []netip.Prefix{netip.MustParsePrefix("127.0.0.2/32")},
		Resolver:     fakeResolver{"inner.example": {netip.MustParseAddr("127.0.0.1")}},
	})
	if _, err := c.Fetch(t.Context(), Request{URL: outer.URL + "/"}); err != nil {
		t.Fatalf("allowed host: %v", err)
	}
	for _, path := range []string{"/literal", "/decimal", "/name"} {
		_, err := c.Fetch(t.Context(), Request{URL: outer.URL + path})
		if kindOf(err) != KindBlocked || !strings.Contains(err.Error(), "127.0.0.1 is loopback") {
			t.Errorf("%s: %v (kind %q), want blocked loopback", path, err, kindOf(err))
		}
	}
	if _, err := c.Fetch(t.Context(), Request{URL: outer.URL + "/scheme"}); kindOf(err) != KindBadURL {
		t.Errorf("redirect to file: %v, want bad_url", err)
	}
	if reached.Load() {
		t.Fatal("the blocked server was reached")
	}
}

func TestRedirects(t *testing.T) {
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var n int
		fmt.Sscanf(r.URL.Path, "/r/%d", &n)
		if n > 0 {
			http.Redirect(w, r, fmt.Sprintf("/r/%d", n-1), http.StatusMovedPermanently)
			return
		}
		fmt.Fprint(w, "end")
	}))
	defer srv.Close()
	c := newTestClient(t, Options{AllowPrivate: loopback, MaxRedirects: 3})
	resp, err := c.Fetch(t.Context(), Request{URL: srv.URL + "/r/3"})
	if err != nil {
		t.Fatal(err)
	}
	if resp.URL != srv.URL+"/r/0" || string(resp.Body) != "end" {
		t.Errorf("final URL %q body %q", resp.URL, resp.Body)
	}
	_, err = c.Fetch(t.Context(), Request{URL: srv.URL + "/r/4"})
	if kindOf(err) != KindTooManyRedirects || !strings.Contains(err.Error(), "more than 3 redirects") {
		t.Fatalf("4 redirects: %v", err)
	}
	none := newTestClient(t, Options{AllowPrivate: loopback, MaxRedirects: -1})
	if _, err := none.Fetch(t.Context(), Request{URL: srv.URL + "/r/1"}); kindOf(err) != KindTooManyRedirects {
		t.Fatalf("no redirects allowed: %v", err)
	}
}

func TestConditionalGet(t *testing.T) {
	const etag = `"v1"`
	const lastMod = "Mon, 02 Jan 2006 15:04:05 GMT"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("If-None-Match") == etag || r.Header.Get("If-Modified-Since") == lastMod {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("ETag", etag)
		w.Header().Set("Last-Modified", lastMod)
		fmt.Fprint(w, "body")
	}))
	defer srv.Close()
	c := newTestClient(t, Options{AllowPrivate: loopback})
	first, err := c.Fetch(t.Context(), Request{URL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	if first.NotModified || first.ETag != etag || first.LastModified != lastMod {
		t.Fatalf("first = %+v", first)
	}
	for _, req := range []Request{
		{URL: srv.URL, ETag: first.ETag},
		{URL: srv.URL, LastModified: first.LastModified},
	} {
		second, err := c.Fetch(t.Context(), req)
		if err != nil {
			t.Fatal(err)
		}
		if !second.NotModified || second.StatusCode != 304 || len(second.Body) != 0 {
			t.Fatalf("conditional = %+v", second)
		}
		if second.ETag != req.ETag || second.LastModified != req.LastModified {
			t.Errorf("validators not carried over: %+v", second)
		}
	}
}

func gzipBytes(t testing.TB, b []byte) []byte {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	zw.Write(b)
	zw.Close()
	return buf.Bytes()
}

func TestBodyLimits(t *testing.T) {
	small := gzipBytes(t, []byte("<rss>hello</rss>"))
	bomb := gzipBytes(t, bytes.Repeat([]byte{0}, 8<<20)) // 8 MiB of zeros, ~8 KiB on the wire
	big := bytes.Repeat([]byte("x"), 3000)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Accept-Encoding") != "gzip" {
			t.Errorf("Accept-Encoding = %q", r.Header.Get("Accept-Encoding"))
		}
		switch r.URL.Path {
		case "/gzip":
			w.Header().Set("Content-Encoding", "gzip")
			w.Write(small)
		case "/bomb":
			w.Header().Set("Content-Encoding", "gzip")
			w.Write(bomb)
		case "/big":
			w.Write(big)
		case "/big-chunked":
			w.Write(big[:1000])
			w.(http.Flusher).Flush()
			w.Write(big[1000:])
		case "/exact":
			w.Write(big[:2048])
		}
	}))
	defer srv.Close()
	c := newTestClient(t, Options{AllowPrivate: loopback, MaxBodyBytes: 2048, MaxDecompressedBytes: 1 << 20})

	resp, err := c.Fetch(t.Context(), Request{URL: srv.URL + "/gzip"})
	if err != nil || string(resp.Body) != "<rss>hello</rss>" {
		t.Fatalf("gzip: %v %+v", err, resp)
	}
	if resp, err := c.Fetch(t.Context(), Request{URL: srv.URL + "/exact"}); err != nil || len(resp.Body) != 2048 {
		t.Fatalf("exactly at the cap: %v", err)
	}
	_, err = c.Fetch(t.Context(), Request{URL: srv.URL + "/bomb"})
	if kindOf(err) != KindTooLarge || !strings.Contains(err.Error(), "decompresses to more than 1048576 bytes") {
		t.Fatalf("bomb: %v", err)
	}
	for _, p := range []string{"/big", "/big-chunked"} {
		_, err = c.Fetch(t.Context(), Request{URL: srv.URL + p})
		if kindOf(err) != KindTooLarge || !strings.Contains(err.Error(), "response body exceeds 2048 bytes") {
			t.Fatalf("%s: %v", p, err)
		}
	}
}

func TestStatusErrors(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.NotFound(w, r)
	}))
	defer srv.Close()
	c := newTestClient(t, Options{AllowPrivate: loopback})
	_, err := c.Fetch(t.Context(), Request{URL: srv.URL + "/feed"})
	var fe *Error
	if !errors.As(err, &fe) || fe.Kind != KindStatus || fe.StatusCode != 404 {
		t.Fatalf("err = %v", err)
	}
	if want := "fetch " + srv.URL + "/feed: server answered 404 Not Found"; err.Error() != want {
		t.Errorf("message %q, want %q", err, want)
	}
	if fe.Temporary() {
		t.Error("404 is not temporary")
	}
}

func TestBackoffOn429(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		switch r.URL.Path {
		case "/date":
			w.Header().Set("Retry-After", time.Date(2026, 1, 1, 12, 10, 0, 0, time.UTC).Format(http.TimeFormat))
			w.WriteHeader(http.StatusServiceUnavailable)
		default:
			w.Header().Set("Retry-After", "120")
			w.WriteHeader(http.StatusTooManyRequests)
		}
	}))
	defer srv.Close()
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	c := newTestClient(t, Options{AllowPrivate: loopback, Now: clock})

	_, err := c.Fetch(t.Context(), Request{URL: srv.URL + "/a"})
	var fe *Error
	if !errors.As(err, &fe) || fe.Kind != KindStatus || fe.StatusCode != 429 || fe.RetryAfter != 2*time.Minute {
		t.Fatalf("first: %#v", err)
	}
	if !strings.Contains(err.Error(), "429 Too Many Requests; retrying after 2m0s") {
		t.Errorf("message: %v", err)
	}
	// Another path on the same host is not sent while backing off.
	now = now.Add(30 * time.Second)
	_, err = c.Fetch(t.Context(), Request{URL: srv.URL + "/b"})
	if !errors.As(err, &fe) || fe.Kind != KindBackoff || fe.RetryAfter != 90*time.Second {
		t.Fatalf("during back-off: %v", err)
	}
	if hits.Load() != 1 {
		t.Fatalf("server hit %d times during back-off", hits.Load())
	}
	// After the wait, the host is contacted again; this time an HTTP date.
	now = now.Add(91 * time.Second)
	_, err = c.Fetch(t.Context(), Request{URL: srv.URL + "/date"})
	if !errors.As(err, &fe) || fe.StatusCode != 503 {
		t.Fatalf("after back-off: %v", err)
	}
	if want := time.Date(2026, 1, 1, 12, 10, 0, 0, time.UTC).Sub(now); fe.RetryAfter != want {
		t.Errorf("RetryAfter from date = %v, want %v", fe.RetryAfter, want)
	}
	if hits.Load() != 2 {
		t.Fatalf("hits = %d", hits.Load())
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	for v, want := range map[string]time.Duration{
		"":                              0,
		"0":                             0,
		"-5":                            0,
		"30":                            30 * time.Second,
		"999999999999":                  MaxBackoff,
		"Sun, 01 Mar 2026 00:05:00 GMT": 5 * time.Minute,
		"Sat, 28 Feb 2026 00:00:00 GMT": 0,
		"soon":                          0,
	} {
		if got := parseRetryAfter(v, now); got != want {
			t.Errorf("parseRetryAfter(%q) = %v, want %v", v, got, want)
		}
	}
}

func TestPerHostConcurrency(t *testing.T) {
	var cur, peak atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := cur.Add(1)
		for {
			p := peak.Load()
			if n <= p || peak.CompareAndSwap(p, n) {
				break
			}
		}
		time.Sleep(30 * time.Millisecond)
		cur.Add(-1)
	}))
	defer srv.Close()
	c := newTestClient(t, Options{AllowPrivate: loopback, PerHostConcurrency: 2})
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			if _, err := c.Fetch(t.Context(), Request{URL: fmt.Sprintf("%s/%d", srv.URL, i)}); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if p := peak.Load(); p != 2 {
		t.Fatalf("peak concurrency per host = %d, want 2", p)
	}
}

func TestPerHostInterval(t *testing.T) {
	var mu sync.Mutex
	var starts []time.Time
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		starts = append(starts, time.Now())
		mu.Unlock()
	}))
	defer srv.Close()
	const gap = 40 * time.Millisecond
	c := newTestClient(t, Options{AllowPrivate: loopback, PerHostInterval: gap, PerHostConcurrency: 4})
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			if _, err := c.Fetch(t.Context(), Request{URL: srv.URL}); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	// Connection set-up makes single gaps jitter; the span cannot shrink.
	slices.SortFunc(starts, time.Time.Compare)
	if span := starts[len(starts)-1].Sub(starts[0]); span < 3*gap-5*time.Millisecond {
		t.Errorf("4 requests spaced %v apart took only %v", gap, span)
	}
}

func TestTimeout(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)
	c := newTestClient(t, Options{AllowPrivate: loopback, Timeout: 100 * time.Millisecond})
	start := time.Now()
	_, err := c.Fetch(t.Context(), Request{URL: srv.URL})
	if kindOf(err) != KindTimeout || !strings.Contains(err.Error(), "timed out") {
		t.Fatalf("err = %v", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("timeout took %v", d)
	}
	var fe *Error
	if errors.As(err, &fe); !fe.Temporary() {
		t.Error("timeout should be temporary")
	}
}

func TestCancelledWhileWaitingForSlot(t *testing.T) {
	block := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-block }))
	defer srv.Close()
	defer close(block)
	c := newTestClient(t, Options{AllowPrivate: loopback, PerHostConcurrency: 1})
	go c.Fetch(t.Context(), Request{URL: srv.URL})
	time.Sleep(20 * time.Millisecond)
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	if _, err := c.Fetch(ctx, Request{URL: srv.URL}); kindOf(err) != KindTimeout {
		t.Fatalf("err = %v", err)
	}
}

func BenchmarkFetch(b *testing.B) {
	body := bytes.Repeat([]byte("<item>news</item>"), 1000)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write(body)
	}))
	defer srv.Close()
	c := newTestClient(b, Options{AllowPrivate: loopback, PerHostConcurrency: 4})
	ctx := context.Background()
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		resp, err := c.Fetch(ctx, Request{URL: srv.URL + "/feed"})
		if err != nil || len(resp.Body) != len(body) {
			b.Fatal(err)
		}
	}
}

func TestConnectionAndTLSErrors(t *testing.T) {
	c := newTestClient(t, Options{AllowPrivate: loopback})

	tlsSrv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer tlsSrv.Close()
	_, err := c.Fetch(t.Context(), Request{URL: tlsSrv.URL})
	if kindOf(err) != KindTLS || !strings.Contains(err.Error(), "TLS failed") {
		t.Errorf("self-signed certificate: %v (kind %q)", err, kindOf(err))
	}

	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	_, err = c.Fetch(t.Context(), Request{URL: "http://" + addr + "/"})
	if kindOf(err) != KindConnection || !strings.Contains(err.Error(), "connection failed") {
		t.Errorf("closed port: %v (kind %q)", err, kindOf(err))
	}
	var fe *Error
	if errors.As(err, &fe); !fe.Temporary() {
		t.Error("a refused connection is temporary")
	}
}

// TestProxyFromEnvironmentIgnored: a proxy named in the environment would
// connect on our behalf and bypass the guard, so it is never used.
func TestProxyFromEnvironmentIgnored(t *testing.T) {
	var proxied atomic.Bool
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		proxied.Store(true)
		fmt.Fprint(w, "from proxy")
	}))
	defer proxy.Close()
	t.Setenv("HTTP_PROXY", proxy.URL)
	t.Setenv("http_proxy", proxy.URL)
	t.Setenv("NO_PROXY", "")
	// Loopback is allowed so that the proxy itself would be reachable.
	c := newTestClient(t, Options{AllowPrivate: loopback, Resolver: fakeResolver{"internal.example": {netip.MustParseAddr("10.1.1.1")}}})
	_, err := c.Fetch(t.Context(), Request{URL: "http://internal.example/"})
	if kindOf(err) != KindBlocked {
		t.Fatalf("err = %v, want blocked", err)
	}
	if proxied.Load() {
		t.Fatal("request went through the environment's proxy")
	}
}

type fileTransport map[string]string

func (f fileTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	body, ok := f[r.URL.String()]
	status := http.StatusOK
	if !ok {
		status = http.StatusNotFound
	}
	return &http.Response{
		StatusCode: status, Status: http.StatusText(status), Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: http.Header{"Content-Type": {"application/atom+xml"}}, Body: io.NopCloser(strings.NewReader(body)),
		ContentLength: int64(len(body)), Request: r,
	}, nil
}

func TestCustomTransport(t *testing.T) {
	c := newTestClient(t, Options{Transport: fileTransport{"http://demo.newsdesk.test/feed.xml": "<feed/>"}})
	resp, err := c.Fetch(t.Context(), Request{URL: "http://demo.newsdesk.test/feed.xml"})
	if err != nil || string(resp.Body) != "<feed/>" {
		t.Fatalf("custom transport: %v %+v", err, resp)
	}
	if _, err := c.Fetch(t.Context(), Request{URL: "http://demo.newsdesk.test/missing"}); kindOf(err) != KindStatus {
		t.Fatalf("missing file: %v", err)
	}
	// The URL checks still apply in front of any transport.
	if _, err := c.Fetch(t.Context(), Request{URL: "http://0x7f.1/feed.xml"}); kindOf(err) != KindBlocked {
		t.Fatalf("numeric loopback through custom transport: %v", err)
	}
}

func TestUserAgentOverride(t *testing.T) {
	var got atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got.Store(r.Header.Get("User-Agent"))
		if r.URL.Path == "/robots.txt" {
			fmt.Fprint(w, "User-agent: mysite\nDisallow: /x\n\nUser-agent: *\nDisallow: /\n")
		}
	}))
	defer srv.Close()
	const ua = "MySite/2.0 (+https://mysite.example/bot)"
	c := newTestClient(t, Options{AllowPrivate: loopback, UserAgent: ua})
	if _, err := c.Fetch(t.Context(), Request{URL: srv.URL}); err != nil {
		t.Fatal(err)
	}
	if got.Load() != ua {
		t.Errorf("User-Agent = %v", got.Load())
	}
	// robots.txt groups are matched on the product token "mysite".
	if ok, err := c.Allowed(t.Context(), srv.URL+"/y"); err != nil || !ok {
		t.Errorf("Allowed(/y) = %v, %v; want true by the mysite group", ok, err)
	}
	if ok, _ := c.Allowed(t.Context(), srv.URL+"/x"); ok {
		t.Error("Allowed(/x) = true; the mysite group disallows it")
	}
}
