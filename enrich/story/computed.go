package story

import (
	"slices"
	"sync"

	"newsdesk"
)

// maxComputed bounds the vectors kept between Enrich and Stored (articles
// enriched but never stored, as in dry runs, are dropped).
const maxComputed = 4096

// computedVectors keeps the vector Enrich worked out for an article until
// Stored indexes it, so that an article's text is split and weighed once.
type computedVectors struct {
	mu sync.Mutex
	m  map[*newsdesk.Article]computedVector
}

// computedVector is a vector with what it was computed from.
type computedVector struct {
	headline, url, lede, text, source, agency string
	entities                                  []newsdesk.EntityRef
	v                                         Vector
}

func (cv *computedVectors) remember(a *newsdesk.Article, v Vector) {
	cv.mu.Lock()
	defer cv.mu.Unlock()
	if cv.m == nil || len(cv.m) >= maxComputed {
		cv.m = make(map[*newsdesk.Article]computedVector)
	}
	cv.m[a] = computedVector{
		headline: a.Headline, url: a.URL, lede: a.Lede, text: a.Text, source: a.Source, agency: a.DatelineAgency,
		entities: slices.Clone(a.Entities), v: v,
	}
}

// recall returns and forgets the vector Enrich computed for a, if a still
// reads as it did then.
func (cv *computedVectors) recall(a *newsdesk.Article) (Vector, bool) {
	cv.mu.Lock()
	c, ok := cv.m[a]
	delete(cv.m, a)
	cv.mu.Unlock()
	if !ok || c.headline != a.Headline || c.url != a.URL || c.lede != a.Lede || c.text != a.Text ||
		c.source != a.Source || c.agency != a.DatelineAgency ||
		!slices.Equal(c.entities, a.Entities) {
		return nil, false
	}
	return c.v, true
}
