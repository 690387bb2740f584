// Package related finds the "You might also like" articles of an article
// page: other coverage of the same story, articles naming the same
// salient entities, articles saying similar things and, last, recent
// articles of the same section. It never returns the article itself, a
// copy of it, or two copies of each other, and it spreads the first places
// across sources.
//
// A call costs a handful of indexed, bounded queries: one per pool.
package related

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"newsdesk"
	"newsdesk/textsim"
)

// Store is what the Finder reads; newsdesk.Store satisfies it.
type Store interface {
	Articles(ctx context.Context, f newsdesk.ArticleFilter) ([]*newsdesk.Article, int, error)
	Search(ctx context.Context, q newsdesk.SearchQuery) (*newsdesk.SearchResult, error)
}

// Pool sizes and windows. They bound every query of a call.
const (
	storyLimit   = 20
	entityLimit  = 60
	searchLimit  = 30
	sectionLimit = 30
	maxEntities  = 5
	maxLimit     = 50
	// entityWindow and sectionWindow are how far before the article the
	// entity and section pools look; newer articles are always in reach.
	entityWindow  = 30 * 24 * time.Hour
	sectionWindow = 14 * 24 * time.Hour
	// nearCopy is the headline+lede cosine above which two articles are
	// taken to be the same report.
	nearCopy = 0.8
	// diverseTop is how many first places are spread across sources, and
	// perSource how many of them one source may take.
	diverseTop = 5
	perSource  = 2
)

// Score weights.
const (
	wStory     = 10.0
	wEntity    = 3.0
	wText      = 4.0
	wSection   = 0.3
	wFresh     = 1.0
	freshHalf  = 3 * 24 * time.Hour
	oldAfter   = 30 * 24 * time.Hour
	oldPenalty = 1.5
)

// Finder finds related articles.
type Finder struct {
	st Store
	// Now is the clock for freshness; time.Now when nil.
	Now func() time.Time
	// Fold folds search words the way the search documents were folded
	// (index.Normalize); words are used as they are when nil.
	Fold func(string) string
}

// New returns a Finder reading st.
func New(st Store) *Finder { return &Finder{st: st} }

// candidate is one article considered, with what ties it to the article.
type candidate struct {
	a        *newsdesk.Article
	story    bool
	section  bool
	entity   float64 // sum of the salience of shared entities, 0..1
	vec      map[string]float64
	textSim  float64
	score    float64
	sourceID string
}

// Related returns up to limit published articles related to a, best first.
func (f *Finder) Related(ctx context.Context, a *newsdesk.Article, limit int) ([]*newsdesk.Article, error) {
	if a == nil || limit <= 0 {
		return nil, nil
	}
	limit = min(limit, maxLimit)
	now := time.Now
	if f.Now != nil {
		now = f.Now
	}
	pool := make(map[int64]*candidate)
	var order []int64 // first-seen order, for determinism of equal scores
	add := func(arts []*newsdesk.Article, mark func(*candidate)) {
		for _, x := range arts {
			if x == nil || excluded(a, x) {
				continue
			}
			c, ok := pool[x.ID]
			if !ok {
				c = &candidate{a: x}
				pool[x.ID] = c
				order = append(order, x.ID)
			}
			if mark != nil {
				mark(c)
			}
		}
	}

	if a.StoryID != 0 {
		sid := a.StoryID
		arts, _, err := f.st.Articles(ctx, newsdesk.ArticleFilter{StoryID: &sid, Limit: storyLimit, NoTotal: true})
		if err != nil {
			return nil, fmt.Errorf("related %d: story: %w", a.ID, err)
		}
		add(arts, func(c *candidate) { c.story = true })
	}

	weights := entityWeights(a)
	if len(weights) > 0 {
		ids := make([]int64, 0, len(weights))
		for id := range weights {
			ids = append(ids, id)
		}
		slices.Sort(ids)
		since := a.PublishedAt.Add(-entityWindow)
		arts, _, err := f.st.Articles(ctx, newsdesk.ArticleFilter{AnyEntity: ids, Since: &since, Limit: entityLimit, NoTotal: true})
		if err != nil {
			return nil, fmt.Errorf("related %d: entities: %w", a.ID, err)
		}
		add(arts, nil)
	}

	// No date bound on the searches: SQLite plans a bounded search as a
	// walk over the date index with one full-text match per article, which
	// costs far more than ranking the matches of two rare words. Old
	// matches are penalised when scored.
	for _, q := range f.searchQueries(a) {
		res, err := f.st.Search(ctx, newsdesk.SearchQuery{Text: q, Sort: newsdesk.SortRelevance, Limit: searchLimit, NoTotal: true})
		if err != nil {
			if newsdesk.ErrorCode(err) == newsdesk.EINVALID {
				continue
			}
			return nil, fmt.Errorf("related %d: search: %w", a.ID, err)
		}
		arts := make([]*newsdesk.Article, 0, len(res.Hits))
		for _, h := range res.Hits {
			arts = append(arts, h.Article)
		}
		add(arts, nil)
	}

	if sec := a.PrimarySection(); sec != nil && len(pool) < 3*limit {
		sid := sec.ID
		since := a.PublishedAt.Add(-sectionWindow)
		arts, _, err := f.st.Articles(ctx, newsdesk.ArticleFilter{SectionID: &sid, Since: &since, Limit: sectionLimit, NoTotal: true})
		if err != nil {
			return nil, fmt.Errorf("related %d: section: %w", a.ID, err)
		}
		add(arts, func(c *candidate) { c.section = true })
	}
	if len(pool) == 0 {
		return nil, nil
	}

	cands := make([]*candidate, 0, len(pool))
	for _, id := range order {
		cands = append(cands, pool[id])
	}
	score(a, cands, weights, now())
	ranked := slices.Clone(cands)
	slices.SortStableFunc(ranked, func(x, y *candidate) int {
		if c := cmp.Compare(y.score, x.score); c != 0 {
			return c
		}
		if c := y.a.PublishedAt.Compare(x.a.PublishedAt); c != 0 {
			return c
		}
		return cmp.Compare(y.a.ID, x.a.ID)
	})
	return pick(ranked, limit), nil
}

// excluded reports whether x may never be shown as related to a: a itself,
// an unpublished article, or a copy of a either way.
func excluded(a, x *newsdesk.Article) bool {
	switch {
	case x.ID == a.ID:
		return true
	case x.Status != "" && x.Status != newsdesk.StatusPublished:
		return true
	case a.Fingerprint != "" && x.Fingerprint == a.Fingerprint:
		return true
	case x.DuplicateOf != 0 && (x.DuplicateOf == a.ID || x.DuplicateOf == a.DuplicateOf):
		return true
	case a.DuplicateOf != 0 && x.ID == a.DuplicateOf:
		return true
	}
	return false
}

// copies reports whether x and y are the same report: same fingerprint,
// one a duplicate of the other, duplicates of the same article, or texts
// nearly alike.
func copies(x, y *candidate) bool {
	a, b := x.a, y.a
	switch {
	case a.Fingerprint != "" && a.Fingerprint == b.Fingerprint:
		return true
	case a.DuplicateOf == b.ID || b.DuplicateOf == a.ID:
		return true
	case a.DuplicateOf != 0 && a.DuplicateOf == b.DuplicateOf:
		return true
	}
	return cosine(x.vec, y.vec) > nearCopy
}

// entityWeights returns the salience of a's most salient entities, summing
// to 1: the first-listed (most salient) weigh most, mentions add weight.
func entityWeights(a *newsdesk.Article) map[int64]float64 {
	w := make(map[int64]float64, maxEntities)
	total := 0.0
	for i, e := range a.Entities {
		if e.ID == 0 {
			continue
		}
		if _, dup := w[e.ID]; dup {
			continue
		}
		if len(w) == maxEntities {
			break
		}
		v := (1 + math.Log1p(float64(max(e.Mentions, 0)))) / float64(i+1)
		w[e.ID] = v
		total += v
	}
	for id := range w {
		w[id] /= total
	}
	return w
}

// searchQueries returns up to two short queries of a's headline words:
// the store ANDs words, so two distinctive words find articles about the
// same thing without demanding the whole headline.
func (f *Finder) searchQueries(a *newsdesk.Article) []string {
	var words []string
	seen := make(map[string]bool)
	for _, w := range textsim.Words(a.Headline) {
		if textsim.IsStopword(w) || utf8.RuneCountInString(w) < 3 || isNumber(w) || seen[w] {
			continue
		}
		seen[w] = true
		words = append(words, w)
	}
	if len(words) == 0 {
		return nil
	}
	// Longer words are rarer: a cheap stand-in for document frequency.
	slices.SortStableFunc(words, func(x, y string) int {
		return cmp.Compare(utf8.RuneCountInString(y), utf8.RuneCountInString(x))
	})
	var qs []string
	switch {
	case len(words) >= 4:
		qs = []string{words[0] + " " + words[1], words[2] + " " + words[3]}
	case len(words) >= 2:
		qs = []string{words[0] + " " + words[1], words[0]}
	default:
		qs = []string{words[0]}
	}
	if f.Fold != nil {
		for i := range qs {
			qs[i] = f.Fold(qs[i])
		}
	}
	return qs
}

func isNumber(w string) bool {
	for _, r := range w {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// score sets every candidate's vector, similarity to a and score.
func score(a *newsdesk.Article, cands []*candidate, weights map[int64]float64, now time.Time) {
	// IDF over the pool and a: words every candidate shares say little.
	termsOf := func(x *newsdesk.Article) []string { return textsim.Terms(x.Headline + " " + x.Lede) }
	df := make(map[string]int)
	all := make([][]string, len(cands)+1)
	all[0] = termsOf(a)
	for i, c := range cands {
		all[i+1] = termsOf(c.a)
	}
	for _, ts := range all {
		seen := make(map[string]bool, len(ts))
		for _, t := range ts {
			if !seen[t] {
				seen[t] = true
				df[t]++
			}
		}
	}
	n := float64(len(all))
	vec := func(ts []string) map[string]float64 {
		v := make(map[string]float64, len(ts))
		for _, t := range ts {
			v[t]++
		}
		norm := 0.0
		for t, tf := range v {
			w := (1 + math.Log(tf)) * math.Log(1+n/float64(df[t]))
			v[t] = w
			norm += w * w
		}
		if norm > 0 {
			norm = math.Sqrt(norm)
			for t := range v {
				v[t] /= norm
			}
		}
		return v
	}
	self := vec(all[0])
	for i, c := range cands {
		c.vec = vec(all[i+1])
		c.textSim = cosine(self, c.vec)
		for _, e := range c.a.Entities {
			c.entity += weights[e.ID]
		}
		c.entity = min(c.entity, 1)
		s := wEntity*c.entity + wText*c.textSim
		if c.story {
			s += wStory
		}
		if c.section {
			s += wSection
		}
		age := now.Sub(c.a.PublishedAt)
		if age < 0 {
			age = 0
		}
		s += wFresh * math.Exp2(-float64(age)/float64(freshHalf))
		if age > oldAfter {
			s -= oldPenalty * math.Min(float64(age)/float64(oldAfter), 4) / 4
		}
		c.score = s
	}
}

// cosine is the dot product of two unit vectors.
func cosine(x, y map[string]float64) float64 {
	if len(x) > len(y) {
		x, y = y, x
	}
	s := 0.0
	for t, w := range x {
		s += w * y[t]
	}
	return s
}

// pick takes candidates in rank order, leaving out copies of the article
// and of those already taken, and lets no source have more than perSource
// of the first diverseTop places while another source's article waits.
func pick(ranked []*candidate, limit int) []*newsdesk.Article {
	for _, c := range ranked {
		c.sourceID = sourceKey(c.a)
	}
	// Enough for the list and for other sources to stand in; past that
	// the comparisons would cost more than they could change.
	want := limit + 3*diverseTop
	var kept []*candidate
	for _, c := range ranked {
		if len(kept) == want {
			break
		}
		if c.textSim > nearCopy {
			continue
		}
		dup := false
		for _, k := range kept {
			if copies(c, k) {
				dup = true
				break
			}
		}
		if !dup {
			kept = append(kept, c)
		}
	}
	out := make([]*newsdesk.Article, 0, min(limit, len(kept)))
	perSrc := make(map[string]int)
	used := make([]bool, len(kept))
	for len(out) < limit && len(out) < len(kept) {
		next := -1
		for i, c := range kept {
			if used[i] {
				continue
			}
			if next < 0 {
				next = i // the best left, if no other source has one
			}
			if len(out) >= diverseTop || perSrc[c.sourceID] < perSource {
				next = i
				break
			}
		}
		used[next] = true
		perSrc[kept[next].sourceID]++
		out = append(out, kept[next].a)
	}
	return out
}

// sourceKey tells sources apart; articles without a source go by the
// source name they carry.
func sourceKey(a *newsdesk.Article) string {
	if a.SourceID != 0 {
		return fmt.Sprint(a.SourceID)
	}
	return "name:" + strings.ToLower(a.Source)
}
