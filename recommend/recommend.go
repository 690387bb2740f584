// Package recommend makes first-party personal recommendations from a
// reader's own reading, each with the reason shown to the reader.
package recommend

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"time"

	"newsdesk"
)

// Recommender recommends articles to readers.
type Recommender struct {
	store  newsdesk.Store
	now    func() time.Time
	counts countsCache
	// firstRead is how many candidates are read first (0: four times the
	// list's length); tests vary it.
	firstRead int
}

// New returns a Recommender reading from store, with now as its clock.
func New(store newsdesk.Store, now func() time.Time) *Recommender {
	if now == nil {
		now = time.Now
	}
	return &Recommender{store: store, now: now}
}

const (
	historyRead   = 500                // reads of the history never recommended again
	coReadSince   = 7 * 24 * time.Hour // co-reads counted over this period
	popularSince  = 24 * time.Hour     // "most read" period
	sectionSince  = 3 * 24 * time.Hour // "popular in section" period
	freshHalfLife = 24 * time.Hour     // freshness half-life
	perStory      = 1                  // recommendations per story
	popularList   = 50                 // most read articles looked at
	coReadList    = 50                 // co-read articles looked at per read
)

type cand struct {
	id        int64
	co, pop   float64
	because   int64
	becauseCo float64
	base      float64 // the score without freshness
}

// Recommend returns up to limit articles for the reader, never one already
// read nor current, at most one per story. With a history, candidates are
// the articles co-read with the latest reads (the reason names the read
// behind each), mixed with what is popular today; without one, the most
// read in current's section, then site-wide, then the newest. The articles
// are cards (newsdesk.ArticleFilter.Cards: no body).
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
		co, err := r.coRead(ctx, a, now)
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
	popular, err := r.mostRead(ctx, 0, popularSince, now)
	if err != nil {
		return nil, fmt.Errorf("recommend: most read: %w", err)
	}
	for _, x := range popular {
		if !exclude[x.ArticleID] {
			get(x.ArticleID).pop = float64(x.Count)
		}
	}
	stories := make(map[int64]int)
	loaded := make(map[int64]*newsdesk.Article)
	if len(hist) == 0 || len(cands) == 0 {
		return r.fallback(ctx, current, popular, loaded, exclude, stories, limit, now)
	}
	var maxCo, maxPop float64
	for _, c := range cands {
		maxCo, maxPop = math.Max(maxCo, c.co), math.Max(maxPop, c.pop)
	}
	// A candidate's score is its co-reading and popularity, known now,
	// plus its freshness, known once its date is read, at most
	// weightFresh. The candidates are read (their dates, status and
	// story: briefs) best bound first, a few at a time, until the list is
	// full with scores no unread candidate can reach; only the chosen ones
	// and the reads behind them are then read as cards.
	type scored struct {
		c     *cand
		info  candInfo
		score float64
	}
	order := make([]scored, 0, len(cands))
	for _, c := range cands {
		co, pop := 0.0, 0.0
		if maxCo > 0 {
			co = c.co / maxCo
		}
		if maxPop > 0 {
			pop = c.pop / maxPop
		}
		c.base = combine(co, pop, 0)
		order = append(order, scored{c: c, score: c.base})
	}
	byScore := func(x, y scored) int {
		if x.score != y.score {
			return cmp.Compare(y.score, x.score)
		}
		return cmp.Compare(y.c.id, x.c.id)
	}
	slices.SortFunc(order, byScore)
	var list, chosen []scored
	chunk := 4 * limit
	if r.firstRead > 0 {
		chunk = r.firstRead
	}
	for read := 0; read < len(order); chunk *= 2 {
		next := order[read:min(len(order), read+chunk)]
		read += len(next)
		ids := make([]int64, len(next))
		for i, x := range next {
			ids[i] = x.c.id
		}
		infos, err := r.candidates(ctx, ids, loaded)
		if err != nil {
			return nil, fmt.Errorf("recommend: load candidates: %w", err)
		}
		for _, x := range infos {
			c := cands[x.id]
			if c == nil || x.status != newsdesk.StatusPublished {
				continue
			}
			// At most 1 (a date ahead of the clock counts as now): no
			// unread candidate can then beat its bound.
			fresh := math.Exp2(-max(0, now.Sub(x.published).Hours()) / freshHalfLife.Hours())
			list = append(list, scored{c, x, c.base + weightFresh*fresh})
		}
		slices.SortFunc(list, byScore)
		chosen = chosen[:0]
		inStory := make(map[int64]int)
		for _, s := range list {
			if len(chosen) == limit {
				break
			}
			if s.info.storyID != 0 && inStory[s.info.storyID] >= perStory {
				continue
			}
			inStory[s.info.storyID]++
			chosen = append(chosen, s)
		}
		if len(chosen) == limit && (read == len(order) || chosen[limit-1].score > order[read].score+weightFresh) {
			break
		}
	}
	for _, s := range chosen {
		stories[s.info.storyID]++
	}
	need := make([]int64, 0, 2*len(chosen))
	for _, s := range chosen {
		need = append(need, s.info.id, s.c.because)
	}
	if err := r.load(ctx, need, loaded); err != nil {
		return nil, fmt.Errorf("recommend: load chosen: %w", err)
	}
	var out []newsdesk.Recommendation
	for _, s := range chosen {
		a := loaded[s.info.id]
		if a == nil {
			stories[s.info.storyID]-- // gone since
			continue
		}
		rec := newsdesk.Recommendation{Article: a, Reason: "Most read today"}
		// A read that is no longer published is not named.
		if b := loaded[s.c.because]; b != nil && seen[b.ID] {
			rec.BecauseOf = b
			rec.Reason = "Because you read “" + b.Headline + "”"
		}
		out = append(out, rec)
	}
	if len(out) < limit {
		more, err := r.fallback(ctx, current, popular, loaded, addAll(exclude, out), stories, limit-len(out), now)
		if err != nil {
			return nil, err
		}
		out = append(out, more...)
	}
	return out, nil
}

// candInfo is what scoring reads of a candidate.
type candInfo struct {
	id, storyID int64
	status      newsdesk.ArticleStatus
	published   time.Time
}

// candidates reads the scoring information of the published articles
// among ids: from their briefs when the store offers them, else from their
// cards, which are then kept in loaded.
func (r *Recommender) candidates(ctx context.Context, ids []int64, loaded map[int64]*newsdesk.Article) ([]candInfo, error) {
	f := newsdesk.ArticleFilter{IDs: ids, Limit: len(ids), NoTotal: true, Cards: true}
	var out []candInfo
	if bs, ok := r.store.(newsdesk.BriefStore); ok {
		briefs, err := bs.ArticleBriefs(ctx, f)
		if err != nil {
			return nil, err
		}
		for _, b := range briefs {
			out = append(out, candInfo{b.ID, b.StoryID, b.Status, b.PublishedAt})
		}
		return out, nil
	}
	arts, _, err := r.store.Articles(ctx, f)
	if err != nil {
		return nil, err
	}
	for _, a := range arts {
		loaded[a.ID] = a
		out = append(out, candInfo{a.ID, a.StoryID, a.Status, a.PublishedAt})
	}
	return out, nil
}

// load reads the cards of the published articles among ids not in loaded
// yet into it.
func (r *Recommender) load(ctx context.Context, ids []int64, loaded map[int64]*newsdesk.Article) error {
	var missing []int64
	for _, id := range ids {
		if _, ok := loaded[id]; !ok && id != 0 {
			missing = append(missing, id)
			loaded[id] = nil
		}
	}
	if len(missing) == 0 {
		return nil
	}
	arts, _, err := r.store.Articles(ctx, newsdesk.ArticleFilter{IDs: missing, Limit: len(missing), NoTotal: true, Cards: true})
	if err != nil {
		return err
	}
	for _, a := range arts {
		loaded[a.ID] = a
	}
	return nil
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
// section, then site-wide (popular, already counted), then the newest
// articles. stories counts the articles per story already in the list;
// loaded holds articles already read from the store, which are not loaded
// again.
func (r *Recommender) fallback(ctx context.Context, current *newsdesk.Article, popular []newsdesk.ArticleCount, loaded map[int64]*newsdesk.Article,
	exclude map[int64]bool, stories map[int64]int, limit int, now time.Time) ([]newsdesk.Recommendation, error) {
	var out []newsdesk.Recommendation
	take := func(counts []newsdesk.ArticleCount, reason string) {
		for _, c := range counts {
			if len(out) == limit {
				return
			}
			a := loaded[c.ArticleID]
			if a == nil || exclude[a.ID] || a.Status != newsdesk.StatusPublished || (a.StoryID != 0 && stories[a.StoryID] >= perStory) {
				continue
			}
			exclude[a.ID] = true
			stories[a.StoryID]++
			out = append(out, newsdesk.Recommendation{Article: a, Reason: reason})
		}
	}
	var sec *newsdesk.SectionRef
	var inSection []newsdesk.ArticleCount
	if current != nil {
		if sec = current.PrimarySection(); sec != nil {
			counts, err := r.mostRead(ctx, sec.ID, sectionSince, now)
			if err != nil {
				return nil, fmt.Errorf("recommend: most read in section %d: %w", sec.ID, err)
			}
			inSection = counts
		}
	}
	// One query loads what the two lists can use and is not loaded yet.
	var ids []int64
	for _, counts := range [][]newsdesk.ArticleCount{inSection, popular} {
		usable := 0
		for _, c := range counts {
			if usable == 4*limit {
				break
			}
			if !exclude[c.ArticleID] {
				usable++
				ids = append(ids, c.ArticleID)
			}
		}
	}
	if err := r.load(ctx, ids, loaded); err != nil {
		return nil, fmt.Errorf("recommend: load most read: %w", err)
	}
	if sec != nil {
		take(inSection, "Popular in "+sec.Name)
	}
	take(popular, "Most read today")
	if len(out) < limit {
		as, _, err := r.store.Articles(ctx, newsdesk.ArticleFilter{ExcludeDuplicates: true, Limit: 4 * limit, NoTotal: true, Cards: true})
		if err != nil {
			return nil, fmt.Errorf("recommend: newest: %w", err)
		}
		for _, a := range as {
			loaded[a.ID] = a
		}
		take(toCounts(as), "Latest news")
	}
	return out, nil
}

// toCounts lists articles as counts (of zero) in their order.
func toCounts(as []*newsdesk.Article) []newsdesk.ArticleCount {
	out := make([]newsdesk.ArticleCount, len(as))
	for i, a := range as {
		out[i] = newsdesk.ArticleCount{ArticleID: a.ID}
	}
	return out
}

// mostRead is the store's most read of a section (0: the whole site) over
// the period before now, cached for countsTTL.
func (r *Recommender) mostRead(ctx context.Context, sectionID int64, period time.Duration, now time.Time) ([]newsdesk.ArticleCount, error) {
	key := countsKey{'m', sectionID}
	if c, ok := r.counts.get(key, now); ok {
		return c, nil
	}
	c, err := r.store.MostRead(ctx, sectionID, now.Add(-period), popularList)
	if err != nil {
		return nil, err
	}
	r.counts.put(key, c, now)
	return c, nil
}

// coRead is the store's co-reading of one article over coReadSince,
// cached for countsTTL.
func (r *Recommender) coRead(ctx context.Context, articleID int64, now time.Time) ([]newsdesk.ArticleCount, error) {
	key := countsKey{'c', articleID}
	if c, ok := r.counts.get(key, now); ok {
		return c, nil
	}
	c, err := r.store.CoRead(ctx, []int64{articleID}, now.Add(-coReadSince), coReadList)
	if err != nil {
		return nil, err
	}
	r.counts.put(key, c, now)
	return c, nil
}
