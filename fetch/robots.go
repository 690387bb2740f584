package fetch

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"time"
)

// robotsServerErrorTTL is how long a host whose robots.txt answered 5xx (or
// could not be read) is treated as disallowing everything.
const robotsServerErrorTTL = 10 * time.Minute

// maxRobotsBytes is how much of a robots.txt is read (RFC 9309 asks for at
// least 500 KiB).
const maxRobotsBytes = 512 << 10

// Allowed reports whether robots.txt of pageURL's host lets this client's
// product token (or *) fetch pageURL. A missing robots.txt (4xx) allows
// everything; a server error disallows everything for a while. Answers are
// cached per scheme and host.
func (c *Client) Allowed(ctx context.Context, pageURL string) (bool, error) {
	u, err := url.Parse(strings.TrimSpace(pageURL))
	if err != nil {
		return false, &Error{URL: pageURL, Kind: KindBadURL, Err: fmt.Errorf("URL does not parse: %w", err)}
	}
	if u, err = c.checkURL(u); err != nil {
		return false, err
	}
	path := u.EscapedPath()
	if path == "" {
		path = "/"
	}
	if path == "/robots.txt" {
		return true, nil
	}
	if u.RawQuery != "" {
		path += "?" + u.RawQuery
	}
	key := u.Scheme + "://" + strings.ToLower(u.Host)
	rules, err := c.robots.get(ctx, key, c.now(), func(ctx context.Context) (*robotsRules, time.Duration, error) {
		return c.loadRobots(ctx, key+"/robots.txt")
	})
	if err != nil {
		return false, err
	}
	return rules.allowed(path), nil
}

func (c *Client) loadRobots(ctx context.Context, robotsURL string) (*robotsRules, time.Duration, error) {
	resp, err := c.Fetch(ctx, Request{URL: robotsURL, Accept: "text/plain"})
	if err != nil {
		fe, ok := err.(*Error)
		switch {
		case ok && fe.Kind == KindStatus && fe.StatusCode >= 400 && fe.StatusCode < 500 && fe.StatusCode != 429:
			return &robotsRules{}, c.opts.RobotsTTL, nil // no robots.txt: all allowed
		case ok && (fe.Kind == KindStatus || fe.Kind == KindBackoff):
			ttl := max(robotsServerErrorTTL, fe.RetryAfter)
			return &robotsRules{disallowAll: true}, ttl, nil
		}
		return nil, 0, err
	}
	body := resp.Body
	if len(body) > maxRobotsBytes {
		body = body[:maxRobotsBytes]
	}
	return parseRobots(body, c.product), c.opts.RobotsTTL, nil
}

// robotsCache keeps one entry per scheme://host; concurrent callers for the
// same host wait for one load.
type robotsCache struct {
	mu sync.Mutex
	m  map[string]*robotsEntry
}

type robotsEntry struct {
	ready   chan struct{}
	rules   *robotsRules
	expires time.Time
}

func (rc *robotsCache) init() { rc.m = make(map[string]*robotsEntry) }

func (rc *robotsCache) get(ctx context.Context, key string, now time.Time, load func(context.Context) (*robotsRules, time.Duration, error)) (*robotsRules, error) {
	for {
		rc.mu.Lock()
		e := rc.m[key]
		if e != nil {
			select {
			case <-e.ready:
				if now.Before(e.expires) {
					rc.mu.Unlock()
					return e.rules, nil
				}
				e = nil // expired: load again
			default:
			}
		}
		if e != nil {
			rc.mu.Unlock()
			select {
			case <-e.ready:
				continue
			case <-ctx.Done():
				return nil, ctx.Err()
			}
		}
		e = &robotsEntry{ready: make(chan struct{})}
		rc.m[key] = e
		if len(rc.m) > 4096 {
			for k, old := range rc.m {
				select {
				case <-old.ready:
					if !now.Before(old.expires) {
						delete(rc.m, k)
					}
				default:
				}
			}
		}
		rc.mu.Unlock()
		rules, ttl, err := load(ctx)
		rc.mu.Lock()
		if err != nil {
			delete(rc.m, key) // not cached: the next call tries again
		} else {
			e.rules, e.expires = rules, now.Add(ttl)
		}
		close(e.ready)
		rc.mu.Unlock()
		if err != nil {
			return nil, err
		}
		return rules, nil
	}
}

type robotsRule struct {
	allow   bool
	pattern string
}

type robotsRules struct {
	disallowAll bool
	rules       []robotsRule
}

// parseRobots keeps the rules of the groups naming product (merged), or
// else those of the * groups, per RFC 9309.
func parseRobots(body []byte, product string) *robotsRules {
	var (
		mine, star  []robotsRule
		foundMine   bool
		groupAgents []string
		inRules     bool
		groupMine   bool
		groupStar   bool
		sc          = bufio.NewScanner(bytes.NewReader(body))
		lineBufCap  = 64 << 10
	)
	sc.Buffer(make([]byte, 0, 4096), lineBufCap)
	sc.Split(scanLinesLenient)
	for sc.Scan() {
		line := sc.Text()
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		k = strings.ToLower(strings.TrimSpace(k))
		v = strings.TrimSpace(v)
		switch k {
		case "user-agent":
			if inRules {
				groupAgents, groupMine, groupStar, inRules = nil, false, false, false
			}
			agent := strings.ToLower(v)
			if i := strings.IndexAny(agent, "/ "); i >= 0 {
				agent = agent[:i]
			}
			groupAgents = append(groupAgents, agent)
			if agent == product && product != "" {
				groupMine, foundMine = true, true
			}
			if agent == "*" {
				groupStar = true
			}
		case "allow", "disallow":
			if len(groupAgents) == 0 {
				continue // rules before any user-agent line
			}
			inRules = true
			if v == "" {
				continue // "Disallow:" with nothing allows everything
			}
			r := robotsRule{allow: k == "allow", pattern: normalizeRobotsPattern(v)}
			if groupMine {
				mine = append(mine, r)
			}
			if groupStar {
				star = append(star, r)
			}
		default:
			// sitemap, crawl-delay and others end nothing and add nothing.
		}
	}
	if foundMine {
		return &robotsRules{rules: mine}
	}
	return &robotsRules{rules: star}
}

func scanLinesLenient(data []byte, atEOF bool) (int, []byte, error) {
	if i := bytes.IndexAny(data, "\r\n"); i >= 0 {
		return i + 1, data[:i], nil
	}
	if atEOF && len(data) > 0 {
		return len(data), data, nil
	}
	if len(data) >= 64<<10 {
		return len(data), data, nil // an absurdly long line: take it whole
	}
	return 0, nil, nil
}

// normalizeRobotsPattern percent-encodes bytes that a URL path carries
// escaped, so patterns written with raw UTF-8 match escaped paths.
func normalizeRobotsPattern(p string) string {
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		c := p[i]
		if c >= 0x80 || c == ' ' {
			fmt.Fprintf(&b, "%%%02X", c)
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// allowed applies the longest matching rule; on a tie Allow wins, and no
// match allows.
func (r *robotsRules) allowed(path string) bool {
	if r.disallowAll {
		return false
	}
	best, allow := -1, true
	for _, rule := range r.rules {
		if !robotsMatch(rule.pattern, path) {
			continue
		}
		n := len(rule.pattern)
		if n > best || n == best && rule.allow {
			best, allow = n, rule.allow
		}
	}
	return allow
}

// robotsMatch reports whether pattern (with * for any run and a final $ for
// the end) matches a prefix of path, or all of it when anchored. Greedy
// leftmost matching of the parts between stars is exact for this grammar
// and runs in linear time.
func robotsMatch(pattern, path string) bool {
	anchored := strings.HasSuffix(pattern, "$")
	if anchored {
		pattern = pattern[:len(pattern)-1]
	}
	parts := strings.Split(pattern, "*")
	if !strings.HasPrefix(path, parts[0]) {
		return false
	}
	pos := len(parts[0])
	if len(parts) == 1 {
		return !anchored || pos == len(path)
	}
	for _, part := range parts[1 : len(parts)-1] {
		i := strings.Index(path[pos:], part)
		if i < 0 {
			return false
		}
		pos += i + len(part)
	}
	last := parts[len(parts)-1]
	if anchored {
		return len(path)-pos >= len(last) && strings.HasSuffix(path, last)
	}
	return strings.Contains(path[pos:], last)
}
