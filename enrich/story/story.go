// Package story clusters articles into stories as they arrive: an article
// about the same event as a recent story joins it, decided on arrival with
// no look-ahead.
//
// The clusterer keeps, for the articles of a recent window (72 hours by
// default), an inverted index from terms to the stories using them, the
// document frequency of every term, and each story's centroid: the summed
// term weights of its articles. An article's terms are its headline, the
// words of its URL slug (they often carry a longer headline), its lede and
// the start of its text, stemmed, plus its entities. Candidate stories come
// from the postings of the article's rarest terms, most recent first and
// capped, so the cost of a decision does not grow with the index. Each
// candidate is scored by the TF-IDF cosine of the article against the
// story's centroid, lowered a little with the time since the story's last
// article; the best candidate at or above the threshold wins. A near
// duplicate (DuplicateOf set by dedup) joins its original's story.
package story

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"sort"
	"strconv"
	"sync"
	"time"

	"newsdesk"
	"newsdesk/enrich"
	"newsdesk/textsim"
)

// Defaults.
const (
	DefaultWindow      = 72 * time.Hour
	DefaultThreshold   = 0.07
	DefaultMaxArticles = 1_000_000
)

// Weights of the fields of an article in its term vector, and the limits
// that keep a decision's cost flat.
const (
	weightHeadline   = 1.0
	weightSlug       = 0.8 // slug words not already in the headline
	weightLede       = 0.5
	weightText       = 0.25
	weightEntity     = 1.5
	textWords        = 150 // words of Text read
	queryTerms       = 12  // rarest terms of the article used to find candidates
	candidatesScored = 32  // candidate stories scored in full
	postingsRead     = 24  // most recent postings read per query term
	centroidMax      = 400 // terms kept per story centroid
	recentMax        = 12  // latest members of a story compared one by one
	mixCentroid      = 0.8 // share of the centroid cosine in the score, the rest is the best member's
	timePenalty      = 0.2 // score lost by a story last seen a full window ago
)

// Options configure a Clusterer.
type Options struct {
	Window      time.Duration // stories idle this long (from the newest article seen) are closed
	Threshold   float64       // least score to join a story
	MaxArticles int           // most articles kept in the index
	Logger      *slog.Logger
}

// Clusterer is the story enrichment step. It is safe for concurrent use.
type Clusterer struct {
	opt Options
	log *slog.Logger

	mu      sync.Mutex
	terms   map[string]*term
	stories map[int64]*story
	docs    map[int64]*doc
	order   []*doc // insertion order, for eviction
	head    int
	newest  time.Time
}

type term struct {
	key      string
	df       int       // live articles using the term
	postings []posting // stories using the term, in order of use
}

type posting struct {
	st *story
	at int64 // unix seconds of the use
}

type story struct {
	id      int64
	members int // live articles
	first   time.Time
	last    time.Time
	weights map[*term]float64
	norm    float64 // TF-IDF norm of weights, as of the last change
	posted  map[*term]int64
	recent  []*doc // the latest members, at most recentMax
}

type doc struct {
	id    int64
	st    *story
	at    time.Time
	terms []*term
	w     []float64 // raw weight of each term
	gone  bool
}

// New returns an empty Clusterer; Warm fills it from the store.
func New(opt Options) *Clusterer {
	if opt.Window <= 0 {
		opt.Window = DefaultWindow
	}
	if opt.Threshold <= 0 {
		opt.Threshold = DefaultThreshold
	}
	if opt.MaxArticles <= 0 {
		opt.MaxArticles = DefaultMaxArticles
	}
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.DiscardHandler)
	}
	return &Clusterer{
		opt:     opt,
		log:     opt.Logger,
		terms:   make(map[string]*term),
		stories: make(map[int64]*story),
		docs:    make(map[int64]*doc),
	}
}

// Name is the step's name.
func (c *Clusterer) Name() string { return "story" }

// Vector is the weighted terms of an article, before IDF.
type Vector map[string]float64

// ArticleVector returns the term weights of an article: headline, slug
// words, lede, the start of the text, and entities.
func ArticleVector(a *newsdesk.Article) Vector {
	v := make(Vector)
	head := textsim.Terms(a.Headline)
	for _, t := range head {
		v[t] = weightHeadline
	}
	for _, w := range textsim.SlugWords(a.URL) {
		if textsim.IsStopword(w) || len(w) < 2 {
			continue
		}
		t := textsim.Stem(w)
		if _, ok := v[t]; !ok {
			v[t] = weightSlug
		}
	}
	add := func(text string, weight float64, limit int) {
		ts := textsim.Terms(text)
		if limit > 0 && len(ts) > limit {
			ts = ts[:limit]
		}
		seen := make(map[string]bool)
		for _, t := range ts {
			if !seen[t] {
				seen[t] = true
				v[t] += weight
			}
		}
	}
	add(a.Lede, weightLede, 0)
	add(a.Text, weightText, textWords)
	for i, e := range a.Entities {
		if e.ID == 0 {
			continue
		}
		w := weightEntity
		if i >= 3 {
			w /= 2 // less salient
		}
		v["\x00e"+strconv.FormatInt(e.ID, 10)] = w
	}
	return v
}

// idf is the inverse document frequency of a term over the window. Caller
// holds mu.
func (c *Clusterer) idf(t *term) float64 {
	df := 0
	if t != nil {
		df = t.df
	}
	return math.Log(float64(len(c.docs)+1)/float64(df+1)) + 1
}

// Candidate is a story an article could join, with its score.
type Candidate struct {
	StoryID int64
	Score   float64
	Shared  []string // the article's heaviest terms found in the story
}

// Decide returns the best story for an article with vector v at time at,
// and the other candidates considered, best first.
func (c *Clusterer) Decide(v Vector, at time.Time) []Candidate {
	c.mu.Lock()
	defer c.mu.Unlock()
	type qt struct {
		t *term
		w float64 // TF-IDF weight
	}
	var q []qt
	var qnorm float64
	for k, w := range v {
		t := c.terms[k]
		tw := w * c.idf(t)
		qnorm += tw * tw
		if t != nil {
			q = append(q, qt{t, tw})
		}
	}
	if len(q) == 0 || qnorm == 0 {
		return nil
	}
	qnorm = math.Sqrt(qnorm)
	// Rarest (heaviest) terms first; ties by key for determinism.
	sort.Slice(q, func(i, j int) bool {
		if q[i].w != q[j].w {
			return q[i].w > q[j].w
		}
		return q[i].t.key < q[j].t.key
	})
	qmap := make(map[*term]float64, len(q))
	for _, x := range q {
		qmap[x.t] = x.w
	}
	cutoff := at.Add(-c.opt.Window).Unix()
	cands := make(map[*story]float64)
	for i, x := range q {
		if i == queryTerms {
			break
		}
		ps := x.t.postings
		for j, n := len(ps)-1, 0; j >= 0 && n < postingsRead; j-- {
			p := ps[j]
			if p.at < cutoff {
				break
			}
			if p.st.members > 0 {
				cands[p.st] += x.w
			}
			n++
		}
	}
	// Score fully only the stories sharing the most query weight.
	top := make([]*story, 0, len(cands))
	for st := range cands {
		top = append(top, st)
	}
	sort.Slice(top, func(i, j int) bool {
		if cands[top[i]] != cands[top[j]] {
			return cands[top[i]] > cands[top[j]]
		}
		return top[i].id < top[j].id
	})
	if len(top) > candidatesScored {
		top = top[:candidatesScored]
	}
	out := make([]Candidate, 0, len(top))
	for _, st := range top {
		if st.norm == 0 {
			continue
		}
		var dot float64
		for _, x := range q {
			if w, ok := st.weights[x.t]; ok {
				dot += x.w * w * c.idf(x.t)
			}
		}
		score := dot / (qnorm * st.norm)
		var best float64
		for _, m := range st.recent {
			if m.gone {
				continue
			}
			var mdot, mnorm float64
			for i, t := range m.terms {
				x := m.w[i] * c.idf(t)
				mnorm += x * x
				if qw, ok := qmap[t]; ok {
					mdot += qw * x
				}
			}
			if mnorm > 0 {
				best = math.Max(best, mdot/(qnorm*math.Sqrt(mnorm)))
			}
		}
		score = mixCentroid*score + (1-mixCentroid)*best
		dt := at.Sub(st.last)
		if dt < 0 {
			dt = 0
		}
		score *= 1 - timePenalty*math.Min(1, float64(dt)/float64(c.opt.Window))
		out = append(out, Candidate{StoryID: st.id, Score: score})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Score != out[j].Score {
			return out[i].Score > out[j].Score
		}
		return out[i].StoryID < out[j].StoryID
	})
	if len(out) > 0 {
		// Name the terms behind the best candidate, heaviest first.
		st := c.stories[out[0].StoryID]
		for _, x := range q {
			if _, ok := st.weights[x.t]; ok && len(out[0].Shared) < 5 {
				out[0].Shared = append(out[0].Shared, printable(x.t.key))
			}
		}
	}
	return out
}

func printable(k string) string {
	if len(k) > 2 && k[0] == 0 {
		return "entity:" + k[2:]
	}
	return k
}

// Enrich sets the article's StoryID to the story it joins, or leaves it 0
// for a story of its own. An article that already has a story keeps it.
func (c *Clusterer) Enrich(ctx context.Context, a *newsdesk.Article, ex *enrich.Explanation) error {
	if a.StoryID != 0 {
		ex.Add(c.Name(), "keeps story %d", a.StoryID)
		return nil
	}
	if a.DuplicateOf != 0 {
		c.mu.Lock()
		d := c.docs[a.DuplicateOf]
		c.mu.Unlock()
		if d != nil && !d.gone {
			a.StoryID = d.st.id
			ex.Add(c.Name(), "joins story %d of article %d, which it copies", a.StoryID, a.DuplicateOf)
			return nil
		}
	}
	cands := c.Decide(ArticleVector(a), articleTime(a))
	if len(cands) == 0 || cands[0].Score < c.opt.Threshold {
		if len(cands) > 0 {
			ex.Add(c.Name(), "new story: best candidate story %d scored %.2f, below %.2f (shared %v)",
				cands[0].StoryID, cands[0].Score, c.opt.Threshold, cands[0].Shared)
		} else {
			ex.Add(c.Name(), "new story: no recent story shares its terms")
		}
		return nil
	}
	a.StoryID = cands[0].StoryID
	ex.Add(c.Name(), "joins story %d (score %.2f ≥ %.2f; shared %v; %d candidates)",
		a.StoryID, cands[0].Score, c.opt.Threshold, cands[0].Shared, len(cands))
	return nil
}

func articleTime(a *newsdesk.Article) time.Time {
	if !a.PublishedAt.IsZero() {
		return a.PublishedAt
	}
	return a.FetchedAt
}

// Stored adds stored articles with their story IDs to the index.
func (c *Clusterer) Stored(ctx context.Context, articles []*newsdesk.Article) {
	for _, a := range articles {
		if a.ID == 0 || a.StoryID == 0 || a.Status == newsdesk.StatusUnpublished {
			continue
		}
		c.Add(a.ID, a.StoryID, ArticleVector(a), articleTime(a))
	}
}

// Add puts article id, with vector v, at time at, into story storyID.
// Adding an indexed article again moves it.
func (c *Clusterer) Add(id, storyID int64, v Vector, at time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if old := c.docs[id]; old != nil {
		c.remove(old)
		delete(c.docs, id)
	}
	st := c.stories[storyID]
	if st == nil {
		st = &story{id: storyID, first: at, last: at, weights: make(map[*term]float64), posted: make(map[*term]int64)}
		c.stories[storyID] = st
	}
	d := &doc{id: id, st: st, at: at, terms: make([]*term, 0, len(v)), w: make([]float64, 0, len(v))}
	unix := at.Unix()
	st.members++
	for k, w := range v {
		t := c.terms[k]
		if t == nil {
			t = &term{key: k}
			c.terms[k] = t
		}
		t.df++
		d.terms = append(d.terms, t)
		d.w = append(d.w, w)
		st.weights[t] += w
		if last, ok := st.posted[t]; !ok || unix-last > int64(c.opt.Window/time.Second)/4 {
			st.posted[t] = unix
			t.postings = append(t.postings, posting{st, unix})
			c.trimPostings(t)
		}
	}
	if at.After(st.last) {
		st.last = at
	}
	if at.Before(st.first) {
		st.first = at
	}
	if len(st.weights) > 2*centroidMax {
		c.prune(st)
	}
	c.renorm(st)
	if len(st.recent) == recentMax {
		copy(st.recent, st.recent[1:])
		st.recent = st.recent[:recentMax-1]
	}
	st.recent = append(st.recent, d)
	c.docs[id] = d
	c.order = append(c.order, d)
	if at.After(c.newest) {
		c.newest = at
	}
	c.evict()
}

// renorm recomputes a story's TF-IDF norm. Caller holds mu.
func (c *Clusterer) renorm(st *story) {
	var n float64
	for t, w := range st.weights {
		x := w * c.idf(t)
		n += x * x
	}
	st.norm = math.Sqrt(n)
}

// prune keeps the centroidMax heaviest terms of a story. Caller holds mu.
func (c *Clusterer) prune(st *story) {
	type tw struct {
		t *term
		w float64
	}
	all := make([]tw, 0, len(st.weights))
	for t, w := range st.weights {
		all = append(all, tw{t, w * c.idf(t)})
	}
	sort.Slice(all, func(i, j int) bool { return all[i].w > all[j].w })
	for _, x := range all[centroidMax:] {
		delete(st.weights, x.t)
		delete(st.posted, x.t)
	}
}

// trimPostings drops a term's postings older than the window and those of
// closed stories at its head. Caller holds mu.
func (c *Clusterer) trimPostings(t *term) {
	cutoff := c.newest.Add(-c.opt.Window).Unix()
	i := 0
	for i < len(t.postings) && (t.postings[i].at < cutoff || t.postings[i].st.members == 0) {
		i++
	}
	if i > 0 {
		t.postings = append(t.postings[:0], t.postings[i:]...)
	}
}

// remove takes a document out of the counts. Caller holds mu.
func (c *Clusterer) remove(d *doc) {
	d.gone = true
	d.st.members--
	if d.st.members <= 0 {
		delete(c.stories, d.st.id)
	}
	for _, t := range d.terms {
		t.df--
		if t.df <= 0 {
			// No live article uses the term: its postings can only lead
			// to stories whose other articles do not have it.
			delete(c.terms, t.key)
			t.postings = nil
		}
	}
}

// evict closes what fell out of the window or beyond the size bound, in
// insertion order. Caller holds mu.
func (c *Clusterer) evict() {
	cutoff := c.newest.Add(-c.opt.Window)
	for c.head < len(c.order) {
		d := c.order[c.head]
		if !d.gone && len(c.docs) <= c.opt.MaxArticles && !d.at.Before(cutoff) {
			break
		}
		if !d.gone {
			delete(c.docs, d.id)
			c.remove(d)
		}
		c.order[c.head] = nil
		c.head++
	}
	if c.head > 1024 && c.head > len(c.order)/2 {
		c.order = append([]*doc(nil), c.order[c.head:]...)
		c.head = 0
	}
}

// Stats is the size of the index.
type Stats struct {
	Articles, Stories, Terms int
}

// Stats returns the size of the index.
func (c *Clusterer) Stats() Stats {
	c.mu.Lock()
	defer c.mu.Unlock()
	return Stats{Articles: len(c.docs), Stories: len(c.stories), Terms: len(c.terms)}
}

// Warm loads the published articles since a time from the store into the
// index, oldest first, a page at a time.
func (c *Clusterer) Warm(ctx context.Context, store newsdesk.ArticleStore, since time.Time) error {
	const page = 500
	n := 0
	for off := 0; ; off += page {
		as, _, err := store.Articles(ctx, newsdesk.ArticleFilter{Since: &since, Oldest: true, Offset: off, Limit: page})
		if err != nil {
			return fmt.Errorf("warm story index since %s: %w", since.Format(time.RFC3339), err)
		}
		c.Stored(ctx, as)
		n += len(as)
		if len(as) < page {
			break
		}
	}
	c.log.Info("story index warmed", "articles", n, "stories", c.Stats().Stories)
	return nil
}
