// Package related finds the "You might also like" articles of an article
// page: other coverage of the same story, articles naming the same
// salient entities, articles saying similar things and, last, recent
// articles of the same section. It never returns the article itself, a
// copy of it, or two copies of each other, and it spreads the first places
// across sources.
//
// A call costs a handful of bounded index ranges and no full-text search:
// the story's articles, the latest articles naming the article's main
// entities (the entity river), the articles of its section published in
// the days around it (the section river) and, when the story and the
// entities give fewer candidates than asked for, those of the whole site
// (the site's river), all read as briefs (headline, lede, source, dates,
// entity IDs) and scored in memory by what they share with the article:
// story, entities and words of the headline and lede. Only the chosen
// few are then read, as cards (no body).
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

// Store is what the Finder reads; newsdesk.Store satisfies it. A store
// that also offers newsdesk.BriefStore has its candidates read as briefs,
// and only the articles returned read whole.
type Store interface {
	Articles(ctx context.Context, f newsdesk.ArticleFilter) ([]*newsdesk.Article, int, error)
}

// Pool sizes and windows. They bound every query of a call.
const (
	storyLimit   = 20
	entityLimit  = 40
	sectionLimit = 30
	recentLimit  = 40
	maxEntities  = 5
	maxLimit     = 50
	// entityWindow and sectionWindow are how far before the article the
	// entity and section pools look; newer articles are always in reach
	// of the entity pool. textAhead is how far after the article the
	// section and site pools look: an old article is compared with the
	// reports of its own days.
	entityWindow  = 30 * 24 * time.Hour
	sectionWindow = 14 * 24 * time.Hour
	recentWindow  = 3 * 24 * time.Hour
	textAhead     = 3 * 24 * time.Hour
	// minText is the similarity an article of the site's river must have
	// to the article to be a candidate at all.
	minText = 0.15
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
	// Fold folds headline and lede words before they are compared (as
	// index.Normalize does: Arabic and Persian letter forms, marks), so
	// that the same word spelled two ways counts as shared; words are used
	// as they are when nil. Plain ASCII text is not folded.
	Fold func(string) string
}

// New returns a Finder reading st.
func New(st Store) *Finder { return &Finder{st: st} }

// candidate is one article considered, with what ties it to the article.
type candidate struct {
	b       *newsdesk.ArticleBrief
	a       *newsdesk.Article // when the pool was read whole
	story   bool
	section bool
	tied    bool // from the story, entity or section pool
	// entityPool: from the entity pool (it names one of the article's
	// main entities).
	entityPool bool
	entity     float64 // sum of the salience of shared entities, 0..1
	vec        vector
	textSim    float64
	score      float64
	sourceID   string
}

// pool is the candidates of one call, each once, in first-seen order.
type pool struct {
	a     *newsdesk.Article
	byID  map[int64]*candidate
	order []*candidate
}

func (p *pool) add(bs []newsdesk.ArticleBrief, arts []*newsdesk.Article, mark func(*candidate)) {
	for i := range bs {
		b := &bs[i]
		if excluded(p.a, b) {
			continue
		}
		c, ok := p.byID[b.ID]
		if !ok {
			c = &candidate{b: b}
			if arts != nil {
				c.a = arts[i]
			}
			p.byID[b.ID] = c
			p.order = append(p.order, c)
		}
		if mark != nil {
			mark(c)
		}
	}
}

// strong counts the candidates of the story or naming an entity the
// article names.
func (p *pool) strong() int {
	n := 0
	for _, c := range p.order {
		if c.story || c.entityPool {
			n++
		}
	}
	return n
}

// read reads one pool: briefs when the store offers them, else whole
// articles and their briefs.
func (f *Finder) read(ctx context.Context, fl newsdesk.ArticleFilter) ([]newsdesk.ArticleBrief, []*newsdesk.Article, error) {
	fl.NoTotal, fl.Cards = true, true
	if bst, ok := f.st.(newsdesk.BriefStore); ok {
		bs, err := bst.ArticleBriefs(ctx, fl)
		return bs, nil, err
	}
	arts, _, err := f.st.Articles(ctx, fl)
	if err != nil {
		return nil, nil, err
	}
	bs := make([]newsdesk.ArticleBrief, len(arts))
	for i, x := range arts {
		bs[i] = brief(x)
	}
	return bs, arts, nil
}

// brief is the brief of a whole article.
func brief(x *newsdesk.Article) newsdesk.ArticleBrief {
	b := newsdesk.ArticleBrief{ID: x.ID, SourceID: x.SourceID, Source: x.Source, StoryID: x.StoryID, DuplicateOf: x.DuplicateOf,
		Status: x.Status, PublishedAt: x.PublishedAt, Fingerprint: x.Fingerprint, Headline: x.Headline, Lede: x.Lede}
	for _, e := range x.Entities {
		b.EntityIDs = append(b.EntityIDs, e.ID)
	}
	return b
}

// Related returns up to limit published articles related to a, best first,
// as cards (newsdesk.ArticleFilter.Cards: no body).
func (f *Finder) Related(ctx context.Context, a *newsdesk.Article, limit int) ([]*newsdesk.Article, error) {
	if a == nil || limit <= 0 {
		return nil, nil
	}
	limit = min(limit, maxLimit)
	now := time.Now
	if f.Now != nil {
		now = f.Now
	}
	p := &pool{a: a, byID: make(map[int64]*candidate)}

	if a.StoryID != 0 {
		sid := a.StoryID
		bs, arts, err := f.read(ctx, newsdesk.ArticleFilter{StoryID: &sid, Limit: storyLimit})
		if err != nil {
			return nil, fmt.Errorf("related %d: story: %w", a.ID, err)
		}
		p.add(bs, arts, func(c *candidate) { c.story, c.tied = true, true })
	}

	weights := entityWeights(a)
	if len(weights) > 0 {
		ids := make([]int64, 0, len(weights))
		for id := range weights {
			ids = append(ids, id)
		}
		slices.Sort(ids)
		since := a.PublishedAt.Add(-entityWindow)
		bs, arts, err := f.read(ctx, newsdesk.ArticleFilter{AnyEntity: ids, Since: &since, Limit: entityLimit})
		if err != nil {
			return nil, fmt.Errorf("related %d: entities: %w", a.ID, err)
		}
		p.add(bs, arts, func(c *candidate) { c.tied, c.entityPool = true, true })
	}

	before := a.PublishedAt.Add(textAhead)
	if sec := a.PrimarySection(); sec != nil {
		sid := sec.ID
		since := a.PublishedAt.Add(-sectionWindow)
		bs, arts, err := f.read(ctx, newsdesk.ArticleFilter{SectionID: &sid, Since: &since, Before: &before, Limit: sectionLimit})
		if err != nil {
			return nil, fmt.Errorf("related %d: section: %w", a.ID, err)
		}
		p.add(bs, arts, func(c *candidate) { c.section, c.tied = true, true })
	}

	// The site's river of the article's days: candidates for what they
	// say alone, kept only when they say something like it. It is read
	// when the story and the entities give fewer candidates than asked
	// for; past that, an article tied to none of them rarely outranks
	// those that are, and the river's few rows of one moment would not
	// hold it anyway.
	if p.strong() < limit {
		since := a.PublishedAt.Add(-recentWindow)
		bs, arts, err := f.read(ctx, newsdesk.ArticleFilter{Since: &since, Before: &before, Limit: recentLimit})
		if err != nil {
			return nil, fmt.Errorf("related %d: recent: %w", a.ID, err)
		}
		p.add(bs, arts, nil)
	}
	if len(p.order) == 0 {
		return nil, nil
	}

	score(a, p.order, weights, now(), f.Fold)
	ranked := make([]*candidate, 0, len(p.order))
	for _, c := range p.order {
		if c.tied || c.textSim >= minText {
			ranked = append(ranked, c)
		}
	}
	slices.SortStableFunc(ranked, func(x, y *candidate) int {
		if c := cmp.Compare(y.score, x.score); c != 0 {
			return c
		}
		if c := y.b.PublishedAt.Compare(x.b.PublishedAt); c != 0 {
			return c
		}
		return cmp.Compare(y.b.ID, x.b.ID)
	})
	return f.whole(ctx, pick(ranked, limit))
}

// whole returns the chosen candidates as whole articles, in order.
func (f *Finder) whole(ctx context.Context, chosen []*candidate) ([]*newsdesk.Article, error) {
	if len(chosen) == 0 {
		return nil, nil
	}
	var ids []int64
	for _, c := range chosen {
		if c.a == nil {
			ids = append(ids, c.b.ID)
		}
	}
	byID := make(map[int64]*newsdesk.Article, len(ids))
	if len(ids) > 0 {
		arts, _, err := f.st.Articles(ctx, newsdesk.ArticleFilter{IDs: ids, Limit: len(ids), NoTotal: true, Cards: true})
		if err != nil {
			return nil, fmt.Errorf("related: %w", err)
		}
		for _, x := range arts {
			byID[x.ID] = x
		}
	}
	out := make([]*newsdesk.Article, 0, len(chosen))
	for _, c := range chosen {
		x := c.a
		if x == nil {
			x = byID[c.b.ID]
		}
		if x != nil { // unless unpublished in the meantime
			out = append(out, x)
		}
	}
	return out, nil
}

// excluded reports whether x may never be shown as related to a: a itself,
// an unpublished article, or a copy of a either way.
func excluded(a *newsdesk.Article, x *newsdesk.ArticleBrief) bool {
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
	a, b := x.b, y.b
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

// vector is a unit tf-idf vector of term numbers, sorted by term.
type vector struct {
	terms []int32
	w     []float64
}

// maxLede is how much of a lede is compared: its first sentences say
// what it is about.
const maxLede = 250

// termsOf numbers the terms of a headline and lede with dict.
func termsOf(dict map[string]int32, fold func(string) string, headline, lede string) []int32 {
	if len(lede) > maxLede {
		cut := strings.LastIndexByte(lede[:maxLede], ' ')
		if cut <= 0 {
			cut = maxLede
		}
		lede = lede[:cut]
	}
	text := headline + " " + lede
	if fold != nil && !isASCII(text) {
		text = fold(text)
	}
	// The words share one buffer that lives as long as dict, which is
	// dropped at the end of the call.
	ws := textsim.TransientWords(text)
	out := make([]int32, 0, len(ws))
	for _, w := range ws {
		if textsim.IsStopword(w) || utf8.RuneCountInString(w) < 2 {
			continue
		}
		t := textsim.Stem(w)
		id, ok := dict[t]
		if !ok {
			id = int32(len(dict))
			dict[t] = id
		}
		out = append(out, id)
	}
	return out
}

// isASCII reports whether s is plain ASCII, which folding leaves as it is.
func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// score sets every candidate's vector, similarity to a and score.
func score(a *newsdesk.Article, cands []*candidate, weights map[int64]float64, now time.Time, fold func(string) string) {
	// IDF over the pool and a: words every candidate shares say little.
	dict := make(map[string]int32, 64*len(cands))
	all := make([][]int32, len(cands)+1)
	all[0] = termsOf(dict, fold, a.Headline, a.Lede)
	for i, c := range cands {
		all[i+1] = termsOf(dict, fold, c.b.Headline, c.b.Lede)
	}
	df := make([]int32, len(dict))
	last := make([]int32, len(dict)) // the last document counted, plus one
	for d, ts := range all {
		for _, t := range ts {
			if last[t] != int32(d+1) {
				last[t] = int32(d + 1)
				df[t]++
			}
		}
	}
	n := float64(len(all))
	vec := func(ts []int32) vector {
		sorted := slices.Clone(ts)
		slices.Sort(sorted)
		var v vector
		norm := 0.0
		for i := 0; i < len(sorted); {
			j := i + 1
			for j < len(sorted) && sorted[j] == sorted[i] {
				j++
			}
			t := sorted[i]
			w := (1 + math.Log(float64(j-i))) * math.Log(1+n/float64(df[t]))
			v.terms, v.w = append(v.terms, t), append(v.w, w)
			norm += w * w
			i = j
		}
		if norm > 0 {
			norm = math.Sqrt(norm)
			for i := range v.w {
				v.w[i] /= norm
			}
		}
		return v
	}
	self := vec(all[0])
	for i, c := range cands {
		c.vec = vec(all[i+1])
		c.textSim = cosine(self, c.vec)
		for _, id := range c.b.EntityIDs {
			c.entity += weights[id]
		}
		c.entity = min(c.entity, 1)
		s := wEntity*c.entity + wText*c.textSim
		if c.story {
			s += wStory
		}
		if c.section {
			s += wSection
		}
		age := now.Sub(c.b.PublishedAt)
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
func cosine(x, y vector) float64 {
	s := 0.0
	for i, j := 0, 0; i < len(x.terms) && j < len(y.terms); {
		switch {
		case x.terms[i] < y.terms[j]:
			i++
		case x.terms[i] > y.terms[j]:
			j++
		default:
			s += x.w[i] * y.w[j]
			i++
			j++
		}
	}
	return s
}

// pick takes candidates in rank order, leaving out copies of the article
// and of those already taken, and lets no source have more than perSource
// of the first diverseTop places while another source's article waits.
func pick(ranked []*candidate, limit int) []*candidate {
	for _, c := range ranked {
		c.sourceID = sourceKey(c.b)
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
	out := make([]*candidate, 0, min(limit, len(kept)))
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
		out = append(out, kept[next])
	}
	return out
}

// sourceKey tells sources apart; articles without a source go by the
// source name they carry.
func sourceKey(b *newsdesk.ArticleBrief) string {
	if b.SourceID != 0 {
		return fmt.Sprint(b.SourceID)
	}
	return "name:" + strings.ToLower(b.Source)
}
