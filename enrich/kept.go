package enrich

import (
	"slices"
	"sync"

	"newsdesk"
)

// KeptMax bounds the values a Kept holds: those of articles enriched but
// never stored (as in dry runs) are dropped.
const KeptMax = 4096

// Kept carries what a step worked out for an article in Enrich (its
// signature, its term vector) to the step's Stored, so that an article's
// text is split and hashed once. A value is given back only while the
// article reads as it did when it was kept. The zero value is ready; it is
// safe for concurrent use.
type Kept[T any] struct {
	mu sync.Mutex
	m  map[*newsdesk.Article]keptValue[T]
}

type keptValue[T any] struct {
	reads articleReads
	v     T
}

// articleReads is what the steps that keep values read of an article.
type articleReads struct {
	headline, url, lede, text, source, agency string
	entities                                  []newsdesk.EntityRef
}

func readsOf(a *newsdesk.Article) articleReads {
	return articleReads{headline: a.Headline, url: a.URL, lede: a.Lede, text: a.Text, source: a.Source,
		agency: a.DatelineAgency, entities: slices.Clone(a.Entities)}
}

func (r articleReads) same(a *newsdesk.Article) bool {
	return r.headline == a.Headline && r.url == a.URL && r.lede == a.Lede && r.text == a.Text &&
		r.source == a.Source && r.agency == a.DatelineAgency && slices.Equal(r.entities, a.Entities)
}

// Keep holds v for a until Take.
func (k *Kept[T]) Keep(a *newsdesk.Article, v T) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.m == nil || len(k.m) >= KeptMax {
		k.m = make(map[*newsdesk.Article]keptValue[T])
	}
	k.m[a] = keptValue[T]{readsOf(a), v}
}

// Take returns and forgets the value kept for a, if a still reads as it
// did when it was kept.
func (k *Kept[T]) Take(a *newsdesk.Article) (T, bool) {
	k.mu.Lock()
	c, ok := k.m[a]
	delete(k.m, a)
	k.mu.Unlock()
	if !ok || !c.reads.same(a) {
		var zero T
		return zero, false
	}
	return c.v, true
}

// Holds reports whether a value is kept for a.
func (k *Kept[T]) Holds(a *newsdesk.Article) bool {
	k.mu.Lock()
	defer k.mu.Unlock()
	_, ok := k.m[a]
	return ok
}

// Len is the number of values kept.
func (k *Kept[T]) Len() int {
	k.mu.Lock()
	defer k.mu.Unlock()
	return len(k.m)
}
