package fetch

import (
	"errors"
	"fmt"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"syscall"
)

// BlockedError says why the SSRF guard refused an address.
type BlockedError struct {
	Addr   netip.Addr
	Reason string // "loopback", "private", "cloud metadata" …
}

func (e *BlockedError) Error() string {
	if e.Reason == reasonMetadata {
		return fmt.Sprintf("address %s is %s; allow it with --allow-private %s/%d", e.Addr, e.Reason, e.Addr, e.Addr.BitLen())
	}
	return fmt.Sprintf("address %s is %s; allow it with --allow-private", e.Addr, e.Reason)
}

const reasonMetadata = "a cloud metadata endpoint"

type special struct {
	prefix netip.Prefix
	reason string
}

// specialRanges are the non-public address blocks (IANA special-purpose
// registries for IPv4 and IPv6). Order matters only for the reason given.
func specialRanges() []special {
	m := func(s, reason string) special { return special{netip.MustParsePrefix(s), reason} }
	return []special{
		// IPv4
		m("0.0.0.0/8", "in this-network range 0.0.0.0/8"),
		m("10.0.0.0/8", "private"),
		m("100.64.0.0/10", "carrier-grade NAT (private)"),
		m("127.0.0.0/8", "loopback"),
		m("169.254.0.0/16", "link-local"),
		m("172.16.0.0/12", "private"),
		m("192.0.0.0/24", "reserved for protocol assignments"),
		m("192.0.2.0/24", "a documentation address"),
		m("192.88.99.0/24", "a 6to4 relay address"),
		m("192.168.0.0/16", "private"),
		m("198.18.0.0/15", "a benchmarking address"),
		m("198.51.100.0/24", "a documentation address"),
		m("203.0.113.0/24", "a documentation address"),
		m("224.0.0.0/4", "multicast"),
		m("255.255.255.255/32", "broadcast"),
		m("240.0.0.0/4", "reserved"),
		// IPv6
		m("::/128", "unspecified"),
		m("::1/128", "loopback"),
		m("64:ff9b:1::/48", "local-use NAT64"),
		m("100::/64", "a discard-only address"),
		m("2001::/32", "a Teredo tunnel address"),
		m("2001:2::/48", "a benchmarking address"),
		m("2001:10::/28", "an ORCHID address"),
		m("2001:20::/28", "an ORCHID address"),
		m("2001:db8::/32", "a documentation address"),
		m("3fff::/20", "a documentation address"),
		m("fc00::/7", "private (unique local)"),
		m("fe80::/10", "link-local"),
		m("fec0::/10", "site-local"),
		m("ff00::/8", "multicast"),
		m("::/96", "an IPv4-compatible address"),
	}
}

// metadataAddrs are cloud instance metadata endpoints. They are refused even
// when a wider allowed range covers them; only an allow-list entry naming
// the single address lets them through.
var metadataAddrs = [...]netip.Addr{
	netip.AddrFrom4([4]byte{169, 254, 169, 254}),
	netip.AddrFrom4([4]byte{169, 254, 170, 2}),
	netip.MustParseAddr("fd00:ec2::254"),
}

// guard decides which addresses may be dialled.
type guard struct {
	allow   []netip.Prefix
	special []special
}

func newGuard(allow []netip.Prefix) *guard {
	g := &guard{special: specialRanges()}
	for _, p := range allow {
		p = p.Masked()
		if p.Addr().Is4In6() {
			p = netip.PrefixFrom(p.Addr().Unmap(), max(p.Bits()-96, 0))
		}
		g.allow = append(g.allow, p)
	}
	return g
}

func (g *guard) allowed(a netip.Addr) bool {
	for _, p := range g.allow {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

func (g *guard) allowedExactly(a netip.Addr) bool {
	for _, p := range g.allow {
		if p.IsSingleIP() && p.Addr() == a {
			return true
		}
	}
	return false
}

// check returns nil when a is public or allowed, else a *BlockedError.
func (g *guard) check(a netip.Addr) error {
	if !a.IsValid() {
		return &BlockedError{Addr: a, Reason: "not a valid address"}
	}
	a = a.WithZone("").Unmap()
	for _, m := range metadataAddrs {
		if a == m {
			if g.allowedExactly(a) {
				return nil
			}
			return &BlockedError{Addr: a, Reason: reasonMetadata}
		}
	}
	if g.allowed(a) {
		return nil
	}
	// IPv6 forms that carry an IPv4 address are judged by that address.
	if v4, ok := embeddedIPv4(a); ok {
		if err := g.check(v4); err != nil {
			return &BlockedError{Addr: a, Reason: "an IPv6 form of " + v4.String() + ", which is " + err.(*BlockedError).Reason}
		}
		if a.Is6() && !isNAT64(a) && !is6to4(a) {
			// The IPv4-compatible and -translated forms are not routed.
			return &BlockedError{Addr: a, Reason: "an IPv4-translated address"}
		}
		return nil
	}
	for _, s := range g.special {
		if s.prefix.Contains(a) {
			return &BlockedError{Addr: a, Reason: s.reason}
		}
	}
	return nil
}

var (
	nat64Prefix      = netip.MustParsePrefix("64:ff9b::/96")
	sixToFourPrefix  = netip.MustParsePrefix("2002::/16")
	translatedPrefix = netip.MustParsePrefix("::ffff:0:0:0/96")
	compatPrefix     = netip.MustParsePrefix("::/96")
)

func isNAT64(a netip.Addr) bool { return nat64Prefix.Contains(a) }
func is6to4(a netip.Addr) bool  { return sixToFourPrefix.Contains(a) }

// embeddedIPv4 extracts the IPv4 address of NAT64 (64:ff9b::/96), 6to4
// (2002::/16), IPv4-translated (::ffff:0:a.b.c.d) and IPv4-compatible
// (::a.b.c.d) addresses. IPv4-mapped addresses are unmapped before.
func embeddedIPv4(a netip.Addr) (netip.Addr, bool) {
	if !a.Is6() {
		return netip.Addr{}, false
	}
	b := a.As16()
	switch {
	case nat64Prefix.Contains(a), translatedPrefix.Contains(a):
		return netip.AddrFrom4([4]byte{b[12], b[13], b[14], b[15]}), true
	case sixToFourPrefix.Contains(a):
		return netip.AddrFrom4([4]byte{b[2], b[3], b[4], b[5]}), true
	case compatPrefix.Contains(a) && a != netip.IPv6Unspecified() && a != netip.IPv6Loopback():
		return netip.AddrFrom4([4]byte{b[12], b[13], b[14], b[15]}), true
	}
	return netip.Addr{}, false
}

// control is the net.Dialer.Control hook: it runs after name resolution,
// with the literal address about to be connected, before connect(2).
func (c *Client) control(network, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return &BlockedError{Reason: "not a literal address (" + address + ")"}
	}
	if err := c.guard.check(ap.Addr()); err != nil {
		return err
	}
	if c.dialHook != nil {
		return c.dialHook(ap)
	}
	return nil
}

var errNotIPv4 = errors.New("not an IPv4 address")

// parseIPv4Host reads a host the way browsers do (WHATWG URL "IPv4
// parser"): one to four dot-separated numbers in decimal, octal (leading 0)
// or hex (leading 0x), the last filling the remaining bytes. ok is false
// when the host is a name; err is set when the host ends in a number but is
// not a valid address (browsers reject such URLs).
func parseIPv4Host(host string) (addr netip.Addr, ok bool, err error) {
	parts := strings.Split(host, ".")
	if len(parts) > 1 && parts[len(parts)-1] == "" {
		parts = parts[:len(parts)-1]
	}
	if len(parts) == 0 || !endsInNumber(parts[len(parts)-1]) {
		return netip.Addr{}, false, nil
	}
	if len(parts) > 4 {
		return netip.Addr{}, true, errNotIPv4
	}
	nums := make([]uint64, len(parts))
	for i, p := range parts {
		n, err := parseIPv4Number(p)
		if err != nil {
			return netip.Addr{}, true, err
		}
		nums[i] = n
	}
	for _, n := range nums[:len(nums)-1] {
		if n > 255 {
			return netip.Addr{}, true, errNotIPv4
		}
	}
	last := nums[len(nums)-1]
	if last >= 1<<(8*(5-len(nums))) {
		return netip.Addr{}, true, errNotIPv4
	}
	v := last
	for i, n := range nums[:len(nums)-1] {
		v += n << (8 * (3 - i))
	}
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)}), true, nil
}

func endsInNumber(p string) bool {
	if p == "" {
		return false
	}
	if isDigits(p) {
		return true
	}
	if len(p) >= 2 && p[0] == '0' && (p[1] == 'x' || p[1] == 'X') {
		return isHex(p[2:])
	}
	return false
}

func parseIPv4Number(p string) (uint64, error) {
	if p == "" {
		return 0, errNotIPv4
	}
	base := 10
	switch {
	case len(p) >= 2 && p[0] == '0' && (p[1] == 'x' || p[1] == 'X'):
		p, base = p[2:], 16
		if p == "" {
			return 0, nil
		}
	case len(p) >= 2 && p[0] == '0':
		p, base = p[1:], 8
	}
	if base == 16 && !isHex(p) || base != 16 && !isDigits(p) {
		return 0, errNotIPv4
	}
	n, err := strconv.ParseUint(p, base, 64)
	if err != nil || n > 1<<32 {
		return 0, errNotIPv4
	}
	return n, nil
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

// checkURL validates a URL before any request: scheme, userinfo and host.
// Hosts spelled as numbers are normalised to dotted IPv4 and checked with
// the guard. It returns the URL to request (a copy when it was rewritten).
func (c *Client) checkURL(u *url.URL) (*url.URL, error) {
	switch u.Scheme {
	case "http", "https":
	default:
		if u.Scheme == "" {
			return nil, &Error{URL: u.String(), Kind: KindBadURL, Err: errors.New("URL is not absolute")}
		}
		return nil, &Error{URL: u.String(), Kind: KindBadURL, Err: fmt.Errorf("scheme %q is not fetched; only http and https are", u.Scheme)}
	}
	if u.User != nil {
		v := *u
		v.User = nil
		return nil, &Error{URL: v.String(), Kind: KindBadURL, Err: errors.New("URL carries a user name or password, which is not sent")}
	}
	host := u.Hostname()
	if host == "" {
		return nil, &Error{URL: u.String(), Kind: KindBadURL, Err: errors.New("URL has no host")}
	}
	if port := u.Port(); port != "" {
		if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
			return nil, &Error{URL: u.String(), Kind: KindBadURL, Err: fmt.Errorf("port %q is not valid", port)}
		}
	}
	if strings.HasPrefix(u.Host, "[") {
		a, err := netip.ParseAddr(host)
		if err != nil || a.Zone() != "" {
			return nil, &Error{URL: u.String(), Kind: KindBadURL, Err: fmt.Errorf("host %q is not a valid IPv6 address", host)}
		}
		if err := c.guard.check(a); err != nil {
			return nil, &Error{URL: u.String(), Kind: KindBlocked, Err: err}
		}
		return u, nil
	}
	if strings.ContainsAny(host, "%\\ \t\r\n\x00") {
		return nil, &Error{URL: u.String(), Kind: KindBadURL, Err: fmt.Errorf("host %q is not valid", host)}
	}
	a, isIP, err := parseIPv4Host(host)
	if err != nil {
		return nil, &Error{URL: u.String(), Kind: KindBadURL, Err: fmt.Errorf("host %q ends in a number but is not an IPv4 address", host)}
	}
	if !isIP {
		return u, nil
	}
	if err := c.guard.check(a); err != nil {
		return nil, &Error{URL: u.String(), Kind: KindBlocked, Err: err}
	}
	if a.String() != host {
		v := *u
		v.Host = a.String()
		if p := u.Port(); p != "" {
			v.Host += ":" + p
		}
		return &v, nil
	}
	return u, nil
}
