package fetch

import (
	"context"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"
)

// FuzzCheckURL checks the invariant of the URL checks: any URL accepted
// either names its host as an IP literal that is public (or inside the
// allow-list), or names a host that no numeric IPv4 reading (browser or
// inet_aton style) would turn into an address.
func FuzzCheckURL(f *testing.F) {
	for _, s := range []string{
		"http://example.com/", "http://2130706433/", "http://0177.0.0.1/", "http://0x7f.1/",
		"http://127.1/", "http://[::ffff:127.0.0.1]/", "http://[64:ff9b::7f00:1]/", "https://8.8.8.8/",
		"http://1.2.3.4.5/", "http://0x/", "http://00000000000000000000177.1/", "http://10.0.0.1./",
		"http://[fd00:ec2::254]/", "http://a.b.0x10/", "http://user@host/", "HTTP://EXAMPLE.COM/",
		"http://0.0.0.0:80/", "http://%31%32%37.0.0.1/", "http://127.0.0.1%00.example/",
	} {
		f.Add(s)
	}
	allow := []netip.Prefix{netip.MustParsePrefix("192.168.7.0/24")}
	c := New(Options{AllowPrivate: allow})
	f.Fuzz(func(t *testing.T, raw string) {
		u, err := url.Parse(raw)
		if err != nil {
			return
		}
		got, err := c.checkURL(u)
		if err != nil {
			return
		}
		if got.Scheme != "http" && got.Scheme != "https" {
			t.Fatalf("accepted scheme %q", got.Scheme)
		}
		if got.User != nil {
			t.Fatalf("accepted userinfo in %q", raw)
		}
		host := got.Hostname()
		if a, err := netip.ParseAddr(host); err == nil {
			if !publicOracle(a) && !inAny(allow, a.Unmap()) {
				t.Fatalf("accepted %q: host %s is not public", raw, a)
			}
			return
		}
		if a, ok := inetAton(host); ok {
			t.Fatalf("accepted %q: host %q reads as %s", raw, host, a)
		}
	})
}

// FuzzGuard checks the dial guard against the standard library's own view
// of which addresses are not public.
func FuzzGuard(f *testing.F) {
	f.Add([]byte{127, 0, 0, 1})
	f.Add([]byte{0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1})
	g := newGuard(nil)
	f.Fuzz(func(t *testing.T, b []byte) {
		a, ok := netip.AddrFromSlice(b)
		if !ok {
			return
		}
		if g.check(a) == nil && !publicOracle(a) {
			t.Fatalf("guard allows %s", a)
		}
	})
}

// publicOracle is an independent, coarser judgement built on net/netip.
func publicOracle(a netip.Addr) bool {
	a = a.Unmap()
	if a.IsLoopback() || a.IsPrivate() || a.IsLinkLocalUnicast() || a.IsLinkLocalMulticast() ||
		a.IsMulticast() || a.IsInterfaceLocalMulticast() || a.IsUnspecified() {
		return false
	}
	if a.Is4() {
		b := a.As4()
		return b[0] != 0 && !(b[0] == 100 && b[1]&0xc0 == 64) && b[0] < 224
	}
	if netip.MustParsePrefix("64:ff9b::/96").Contains(a) {
		b := a.As16()
		return publicOracle(netip.AddrFrom4([4]byte(b[12:])))
	}
	return !netip.MustParsePrefix("::/96").Contains(a)
}

func inAny(ps []netip.Prefix, a netip.Addr) bool {
	for _, p := range ps {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// inetAton is the permissive BSD reading of numeric hosts, with strconv's
// base prefixes, independent of parseIPv4Host.
func inetAton(host string) (netip.Addr, bool) {
	host = strings.TrimSuffix(host, ".")
	parts := strings.Split(host, ".")
	if len(parts) > 4 {
		return netip.Addr{}, false
	}
	var nums []uint64
	for _, p := range parts {
		if p == "" || p[0] == '+' || p[0] == '-' || strings.Contains(p, "_") {
			return netip.Addr{}, false
		}
		lp := strings.ToLower(p)
		base := 10
		switch {
		case strings.HasPrefix(lp, "0x"):
			lp, base = lp[2:], 16
			if lp == "" {
				lp = "0"
			}
		case len(lp) > 1 && lp[0] == '0':
			base = 8
		}
		n, err := strconv.ParseUint(lp, base, 32)
		if err != nil {
			return netip.Addr{}, false
		}
		nums = append(nums, n)
	}
	var v uint64
	for i, n := range nums[:len(nums)-1] {
		if n > 255 {
			return netip.Addr{}, false
		}
		v |= n << (8 * (3 - i))
	}
	last := nums[len(nums)-1]
	if last >= 1<<(8*(5-len(nums))) {
		return netip.Addr{}, false
	}
	v |= last
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)}), true
}

// FuzzDial drives Fetch end to end with a resolver that answers any name
// with the fuzzed address: whatever the URL and the answer, the dialler is
// only reached with public or allowed addresses.
func FuzzDial(f *testing.F) {
	f.Add("http://feed.example/rss", []byte{127, 0, 0, 1})
	f.Add("http://feed.example/rss", []byte{93, 184, 216, 34})
	f.Add("https://x.example/", []byte{0xfd, 0, 0xe, 0xc2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0x54})
	allow := []netip.Prefix{netip.MustParsePrefix("192.168.7.0/24")}
	f.Fuzz(func(t *testing.T, raw string, ip []byte) {
		a, ok := netip.AddrFromSlice(ip)
		if !ok {
			return
		}
		c := New(Options{AllowPrivate: allow, PerHostInterval: -1, Timeout: time.Second, Resolver: anyName{a}})
		c.dialHook = func(ap netip.AddrPort) error {
			if d := ap.Addr().Unmap(); !publicOracle(d) && !inAny(allow, d) {
				t.Errorf("dialled %s for %q", d, raw)
			}
			return errOffMachine
		}
		c.Fetch(t.Context(), Request{URL: raw})
	})
}

type anyName struct{ a netip.Addr }

func (r anyName) LookupNetIP(context.Context, string, string) ([]netip.Addr, error) {
	return []netip.Addr{r.a}, nil
}
