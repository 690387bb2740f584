// Package recommend makes first-party personal recommendations from a
// reader's own reading, each with the reason shown to the reader.
package recommend

import (
	"context"
	"fmt"
	"math"
	"sort"
	"time"

	"newsdesk"
)

// Recommender recommends articles to readers.
type Recommender struct {
	store newsdesk.Store
	now   func() time.Time
}

// New returns a Recommender reading from store, with now as its clock.
func New(store newsdesk.Store, now func() time.Time) *Recommender {
	if now == nil {
		now = time.Now
	}
	return &Recommender{store: store, now: now}
}

const (
	historyRead   = 50                 // reads of the history looked at
	coReadSince   = 7 * 24 * time.Hour // co-reads counted over this period
	popularSince  = 24 * time.Hour     // "most read" period
	sectionSince  = 3 * 24 * time.Hour // "popular in section" period
	freshHalfLife = 24 * time.Hour     // freshness half-life
	perStory      = 1                  // recommendations per story
)

type cand struct {
	id        int64
	co, pop   float64
	because   int64
	becauseCo float64
}

// Recommend returns up to limit articles for the reader, never one already
// read nor current, at most one per story. With a history, candidates are
// the articles co-read with the latest reads (the reason names the read
// behind each), mixed with what is popular today; without one, the most
// read in current's section, then site-wide, then the newest.
func (r *Recommender) Recommend(ctx context.Context, readerID string, current *newsdesk.Article, limit int) ([]newsdesk.Recommendation, error) {
	if limit <= 0 {
		return nil, nil
	}
	now := r.now()
	var hist []newsdesk.ReadEvent
	if readerID != "" {
		h, err := r.store.ReadHistory(ctx, readerID, historyRead)
		if err != nil {
			return nil, fmt.Errorf("recommend for %s: history: %w", readerID, err)
		}
		hist = h
	}
	exclude := make(map[int64]bool)
	for _, e := range hist {
		exclude[e.ArticleID] = true
	}
	if current != nil {
		exclude[current.ID] = true
	}
	cands := make(map[int64]*cand)
	get := func(id int64) *cand {
		c := cands[id]
		if c == nil {
			c = &cand{id: id}
			cands[id] = c
		}
		return c
	}
	// Co-reading of each of the latest distinct reads, weighted by recency.
	seen := make(map[int64]bool)
	for i, j := 0, 0; i < len(hist) && j < historyUsed; i++ {
		a := hist[i].ArticleID
		if seen[a] {
			continue
		}
		seen[a] = true
		w := historyWeight(j)
		j++
		co, err := r.store.CoRead(ctx, []int64{a}, now.Add(-coReadSince), 50)
		if err != nil {
			return nil, fmt.Errorf("recommend for %s: co-read %d: %w", readerID, a, err)
		}
		var total float64
		for _, x := range co {
			total += float64(x.Count)
		}
		for _, x := range co {
			if exclude[x.ArticleID] {
				continue
			}
			c := get(x.ArticleID)
			s := w * float64(x.Count) / total
			c.co += s
			if s > c.becauseCo {
				c.because, c.becauseCo = a, s
			}
		}
	}
	popular, err := r.store.MostRead(ctx, 0, now.Add(-popularSince), 50)
	if err != nil {
		return nil, fmt.Errorf("recommend: most read: %w", err)
	}
	for _, x := range popular {
		if !exclude[x.ArticleID] {
			get(x.ArticleID).pop = float64(x.Count)
		}
	}
	if len(hist) == 0 || len(cands) == 0 {
		return r.fallback(ctx, current, exclude, limit, now)
	}
	ids := make([]int64, 0, len(cands))
	for id := range cands {
		ids = append(ids, id)
	}
	arts, _, err := r.store.Articles(ctx, newsdesk.ArticleFilter{IDs: ids, Limit: len(ids)})
	if err != nil {
		return nil, fmt.Errorf("recommend: load candidates: %w", err)
	}
	var maxCo, maxPop float64
	for _, c := range cands {
		maxCo, maxPop = math.Max(maxCo, c.co), math.Max(maxPop, c.pop)
	}
	type scored struct {
		a     *newsdesk.Article
		c     *cand
		score float64
	}
	var list []scored
	for _, a := range arts {
		c := cands[a.ID]
		if c == nil || exclude[a.ID] || a.Status != newsdesk.StatusPublished {
			continue
		}
		co, pop := 0.0, 0.0
		if maxCo > 0 {
			co = c.co / maxCo
		}
		if maxPop > 0 {
			pop = c.pop / maxPop
		}
		fresh := math.Exp2(-now.Sub(a.PublishedAt).Hours() / freshHalfLife.Hours())
		list = append(list, scored{a, c, combine(co, pop, fresh)})
	}
	sort.Slice(list, func(i, j int) bool {
		if list[i].score != list[j].score {
			return list[i].score > list[j].score
		}
		return list[i].a.ID > list[j].a.ID
	})
	because := make(map[int64]*newsdesk.Article)
	stories := make(map[int64]int)
	var out []newsdesk.Recommendation
	for _, s := range list {
		if len(out) == limit {
			break
		}
		if s.a.StoryID != 0 && stories[s.a.StoryID] >= perStory {
			continue
		}
		stories[s.a.StoryID]++
		rec := newsdesk.Recommendation{Article: s.a, Reason: "Most read today"}
		if s.c.because != 0 {
			b := because[s.c.because]
			if b == nil {
				b, err = r.store.Article(ctx, s.c.because)
				if err != nil && newsdesk.ErrorCode(err) != newsdesk.ENOTFOUND {
					return nil, fmt.Errorf("recommend: article %d: %w", s.c.because, err)
				}
				because[s.c.because] = b
			}
			if b != nil {
				rec.BecauseOf = b
				rec.Reason = "Because you read “" + b.Headline + "”"
			}
		}
		out = append(out, rec)
	}
	if len(out) < limit {
		more, err := r.fallback(ctx, current, addAll(exclude, out), limit-len(out), now)
		if err != nil {
			return nil, err
		}
		out = append(out, more...)
	}
	return out, nil
}

func addAll(ex map[int64]bool, recs []newsdesk.Recommendation) map[int64]bool {
	m := make(map[int64]bool, len(ex)+len(recs))
	for k := range ex {
		m[k] = true
	}
	for _, r := range recs {
		m[r.Article.ID] = true
	}
	return m
}

// fallback fills a list without history: most read in current's primary
// section, then site-wide, then the newest articles.
func (r *Recommender) fallback(ctx context.Context, current *newsdesk.Article, exclude map[int64]bool, limit int, now time.Time) ([]newsdesk.Recommendation, error) {
	var out []newsdesk.Recommendation
	stories := make(map[int64]int)
	take := func(as []*newsdesk.Article, reason string) {
		for _, a := range as {
			if len(out) == limit {
				return
			}
			if exclude[a.ID] || a.Status != newsdesk.StatusPublished || (a.StoryID != 0 && stories[a.StoryID] >= perStory) {
				continue
			}
			exclude[a.ID] = true
			stories[a.StoryID]++
			out = append(out, newsdesk.Recommendation{Article: a, Reason: reason})
		}
	}
	load := func(counts []newsdesk.ArticleCount) ([]*newsdesk.Article, error) {
		if len(counts) == 0 {
			return nil, nil
		}
		ids := make([]int64, len(counts))
		for i, c := range counts {
			ids[i] = c.ArticleID
		}
		as, _, err := r.store.Articles(ctx, newsdesk.ArticleFilter{IDs: ids, Limit: len(ids)})
		if err != nil {
			return nil, err
		}
		pos := make(map[int64]int, len(ids))
		for i, id := range ids {
			pos[id] = i
		}
		sort.Slice(as, func(i, j int) bool { return pos[as[i].ID] < pos[as[j].ID] })
		return as, nil
	}
	if current != nil {
		if sec := current.PrimarySection(); sec != nil {
			counts, err := r.store.MostRead(ctx, sec.ID, now.Add(-sectionSince), 4*limit)
			if err != nil {
				return nil, fmt.Errorf("recommend: most read in section %d: %w", sec.ID, err)
			}
			as, err := load(counts)
			if err != nil {
				return nil, fmt.Errorf("recommend: load most read: %w", err)
			}
			take(as, "Popular in "+sec.Name)
		}
	}
	if len(out) < limit {
		counts, err := r.store.MostRead(ctx, 0, now.Add(-popularSince), 4*limit)
		if err != nil {
			return nil, fmt.Errorf("recommend: most read: %w", err)
		}
		as, err := load(counts)
		if err != nil {
			return nil, fmt.Errorf("recommend: load most read: %w", err)
		}
		take(as, "Most read today")
	}
	if len(out) < limit {
		as, _, err := r.store.Articles(ctx, newsdesk.ArticleFilter{ExcludeDuplicates: true, Limit: 4 * limit})
		if err != nil {
			return nil, fmt.Errorf("recommend: newest: %w", err)
		}
		take(as, "Latest news")
	}
	return out, nil
}
