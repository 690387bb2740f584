package recommend

import (
	"sync"
	"time"

	"newsdesk"
)

// Counts shared by every reader (the most read lists, each article's
// co-reading) change slowly; a short-lived cache keeps their aggregations
// off the request path of all but one reader a minute.
const (
	countsTTL     = time.Minute
	countsEntries = 4096 // entries kept; past that, expired ones go first, then any
)

// countsKey names one cached list: the most read of a section (0 for the
// whole site) or the co-reading of an article.
type countsKey struct {
	kind byte // 'm' most read, 'c' co-read
	id   int64
}

type countsEntry struct {
	counts []newsdesk.ArticleCount
	at     time.Time
}

// countsCache is a bounded map of lists with a time to live.
type countsCache struct {
	mu sync.Mutex
	m  map[countsKey]countsEntry
}

// get returns the list cached for key, if it was cached less than
// countsTTL before now.
func (c *countsCache) get(key countsKey, now time.Time) ([]newsdesk.ArticleCount, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[key]
	if !ok || now.Sub(e.at) >= countsTTL || now.Before(e.at) {
		return nil, false
	}
	return e.counts, true
}

// put caches counts for key at now. Callers never change a cached list.
func (c *countsCache) put(key countsKey, counts []newsdesk.ArticleCount, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = make(map[countsKey]countsEntry)
	}
	if _, ok := c.m[key]; !ok && len(c.m) >= countsEntries {
		for k, e := range c.m {
			if now.Sub(e.at) >= countsTTL {
				delete(c.m, k)
			}
		}
		for k := range c.m {
			if len(c.m) < countsEntries {
				break
			}
			delete(c.m, k)
		}
	}
	c.m[key] = countsEntry{counts: counts, at: now}
}
