package site

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"strconv"
	"time"

	"newsdesk"
)

// "Trending" ranks stories by how fast they gain sources and readers, not
// by their totals: the last six hours are compared with the day before
// them. For each story,
//
//	sources = (new − before/4) / √(before/4 + 1)
//	readers = (reads − readsBefore/4) / √(readsBefore/4 + trendReadBase)
//	score   = trendSourceWeight·max(0, sources) + log2(1 + max(0, readers))
//
// where new counts the sources whose first report in the story falls in the
// last six hours, each weighed down by its age (half-life trendHalfLife),
// and before counts those that first reported in the day before. Each term
// is the rise over what the day before would predict for six hours, in
// units of that prediction's spread (a Poisson z-score), so that a big
// story that has stopped moving scores nothing and a small one needs more
// than one event to score. Reads are counted on a log scale: a popular site
// has hundreds of them, never hundreds of sources.
const (
	trendRecent       = 6 * time.Hour
	trendBefore       = 24 * time.Hour
	trendHalfLife     = 4 * time.Hour
	trendSourceWeight = 2.0
	trendReadBase     = 5.0
	trendMinReads     = 3 // reads in six hours that make a story a candidate on readers alone
	trendMinScore     = 1.0
	trendCandidates   = 40
	trendShown        = 5
)

// trendItem is one story of the "Trending" block.
type trendItem struct {
	Story       *newsdesk.Story
	Reason      string
	Score       float64
	NewSources  int
	Reads       int
	ReadsBefore int
}

// trendCandidate is what the ranking knows of one story.
type trendCandidate struct {
	story       *newsdesk.Story
	articles    []*newsdesk.Article // loaded for stories with recent reports
	newSources  int
	decayed     float64 // new sources, each weighed by its age
	srcBefore   int
	reads       int
	readsBefore int
}

// The Trending block is kept like the most-read counts: computed at most
// trendTTL ago, or up to trendStale ago while it is computed again behind
// the request. It reads every candidate story's reports and reads (some
// 25 ms on a site of a million articles), and a list a minute old is as
// good; storing an article (Invalidate) does not drop it.
const (
	trendTTL   = time.Minute
	trendStale = 10 * time.Minute
)

// trendingKept is trending as the home page shows it: kept, as above.
func (h *Handler) trendingKept(ctx context.Context, now time.Time) ([]trendItem, error) {
	return keptValue(ctx, h.trends, &h.trendFlight, &h.background, struct{}{}, now, trendTTL, h.now, h.trending)
}

// trending ranks the stories moving fastest at now.
func (h *Handler) trending(ctx context.Context, now time.Time) ([]trendItem, error) {
	recent := now.Add(-trendRecent)
	before := recent.Add(-trendBefore)

	// Candidates: stories with a report in the last six hours from at
	// least two sources (a single report is not a story gaining sources),
	// and the stories of the reports read most in the last six hours.
	stories, err := h.store.Stories(ctx, newsdesk.StoryFilter{Since: &recent, MinSources: 2, Limit: trendCandidates})
	if err != nil {
		return nil, fmt.Errorf("trending stories: %w", err)
	}
	cands := make(map[int64]*trendCandidate, len(stories))
	var order []int64
	add := func(st *newsdesk.Story) *trendCandidate {
		c := &trendCandidate{story: st}
		cands[st.ID] = c
		order = append(order, st.ID)
		return c
	}
	for _, st := range stories {
		c := add(st)
		sid := st.ID
		if c.articles, _, err = h.store.Articles(ctx, newsdesk.ArticleFilter{StoryID: &sid, Oldest: true, Limit: storyLimit, NoTotal: true, Cards: true}); err != nil {
			return nil, fmt.Errorf("trending story %d: %w", sid, err)
		}
		c.countSources(recent, before, now)
	}
	hot, err := h.store.MostRead(ctx, 0, recent, trendCandidates)
	if err != nil {
		return nil, fmt.Errorf("trending reads: %w", err)
	}
	var hotIDs []int64
	for _, c := range hot {
		if c.Count >= trendMinReads {
			hotIDs = append(hotIDs, c.ArticleID)
		}
	}
	hotArts, err := h.articlesByID(ctx, hotIDs)
	if err != nil {
		return nil, fmt.Errorf("trending reads: %w", err)
	}
	for _, id := range hotIDs {
		a := hotArts[id]
		if a == nil || a.StoryID == 0 || cands[a.StoryID] != nil {
			continue
		}
		st, err := h.store.Story(ctx, a.StoryID)
		if newsdesk.ErrorCode(err) == newsdesk.ENOTFOUND {
			continue
		} else if err != nil {
			return nil, fmt.Errorf("trending story %d: %w", a.StoryID, err)
		}
		add(st)
	}
	if len(order) == 0 {
		return nil, nil
	}
	if err := h.storyReads(ctx, cands, order, before, recent, now); err != nil {
		return nil, err
	}

	items := make([]trendItem, 0, len(order))
	for _, id := range order {
		c := cands[id]
		if c.newSources == 0 && c.reads < trendMinReads {
			continue
		}
		score := c.score()
		if score < trendMinScore {
			continue
		}
		items = append(items, trendItem{Story: c.story, Score: score, NewSources: c.newSources,
			Reads: c.reads, ReadsBefore: c.readsBefore, Reason: c.reason()})
	}
	slices.SortStableFunc(items, func(a, b trendItem) int {
		if c := cmp.Compare(b.Score, a.Score); c != 0 {
			return c
		}
		return b.Story.LastAt.Compare(a.Story.LastAt)
	})
	return items[:min(len(items), trendShown)], nil
}

// countSources finds, from the story's reports, the sources that first
// reported it in the last six hours and in the day before.
func (c *trendCandidate) countSources(recent, before, now time.Time) {
	first := make(map[string]time.Time, len(c.articles))
	for _, a := range c.articles {
		name := a.Source
		if name == "" {
			name = "#" + strconv.FormatInt(a.SourceID, 10)
		}
		if t, ok := first[name]; !ok || a.PublishedAt.Before(t) {
			first[name] = a.PublishedAt
		}
	}
	for _, t := range first {
		switch {
		case !t.Before(recent) && !t.After(now):
			c.newSources++
			c.decayed += math.Exp2(-now.Sub(t).Hours() / trendHalfLife.Hours())
		case !t.Before(before) && t.Before(recent):
			c.srcBefore++
		}
	}
}

// share is how much of the day before's activity six hours would bring at
// the same pace.
const share = float64(trendRecent) / float64(trendBefore)

func (c *trendCandidate) score() float64 {
	expSrc := float64(c.srcBefore) * share
	sources := (c.decayed - expSrc) / math.Sqrt(expSrc+1)
	expReads := float64(c.readsBefore) * share
	readers := (float64(c.reads) - expReads) / math.Sqrt(expReads+trendReadBase)
	return trendSourceWeight*max(0, sources) + math.Log2(1+max(0, readers))
}

// reason says in words why the story trends.
func (c *trendCandidate) reason() string {
	const window = " in the last 6 hours"
	switch {
	case c.newSources > 0 && c.reads >= trendMinReads:
		return newSourcesText(c.newSources) + " and " + countText(c.reads, "read") + window
	case c.newSources > 0:
		return newSourcesText(c.newSources) + window
	case c.readsBefore == 0:
		return countText(c.reads, "read") + window
	}
	return countText(c.reads, "read") + window + ", against " + strconv.Itoa(c.readsBefore) + " in the day before"
}

func newSourcesText(n int) string {
	if n == 1 {
		return "1 new source"
	}
	return strconv.Itoa(n) + " new sources"
}

func countText(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return strconv.Itoa(n) + " " + unit + "s"
}

// storyReads fills the candidates' reads in the last six hours and in the
// day before: counted by the store per story when it can, otherwise summed
// from the most-read lists over the candidates' reports.
func (h *Handler) storyReads(ctx context.Context, cands map[int64]*trendCandidate, ids []int64, before, recent, now time.Time) error {
	if sc, ok := h.store.(newsdesk.StoryReadCounter); ok {
		for _, w := range []struct {
			since, until time.Time
			set          func(c *trendCandidate, n int)
		}{
			{recent, now.Add(time.Nanosecond), func(c *trendCandidate, n int) { c.reads = n }},
			{before, recent, func(c *trendCandidate, n int) { c.readsBefore = n }},
		} {
			counts, err := sc.StoryReads(ctx, ids, w.since, w.until)
			if err != nil {
				return fmt.Errorf("trending reads: %w", err)
			}
			for _, n := range counts {
				if c := cands[n.StoryID]; c != nil {
					w.set(c, n.Count)
				}
			}
		}
		return nil
	}
	storyOf := map[int64]*trendCandidate{}
	for _, id := range ids {
		c := cands[id]
		if c.articles == nil {
			sid := id
			arts, _, err := h.store.Articles(ctx, newsdesk.ArticleFilter{StoryID: &sid, Limit: storyLimit, NoTotal: true, Cards: true})
			if err != nil {
				return fmt.Errorf("trending story %d: %w", sid, err)
			}
			c.articles = arts
		}
		for _, a := range c.articles {
			storyOf[a.ID] = c
		}
	}
	since := func(t time.Time) (map[int64]int, error) {
		counts, err := h.store.MostRead(ctx, 0, t, 0)
		if err != nil {
			return nil, fmt.Errorf("trending reads: %w", err)
		}
		m := make(map[int64]int, len(counts))
		for _, n := range counts {
			m[n.ArticleID] = n.Count
		}
		return m, nil
	}
	all, err := since(before)
	if err != nil {
		return err
	}
	last, err := since(recent)
	if err != nil {
		return err
	}
	for id, n := range all {
		if c := storyOf[id]; c != nil {
			c.reads += last[id]
			c.readsBefore += n - last[id]
		}
	}
	return nil
}
