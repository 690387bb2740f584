package site

import (
	"context"
	"fmt"
	"time"

	"newsdesk"
)

// "Most read" ranks the reports read most in the last day; when the day has
// too few reads to rank (a quiet section, a new site), the last three days.
const (
	mostReadShown    = 5
	mostReadDay      = 24 * time.Hour
	mostReadFallback = 72 * time.Hour
	// mostReadMinReads is how many reads the day's list needs between its
	// reports to be shown rather than the three days'.
	mostReadMinReads = 10
)

// mostReadBlock is the "Most read" list of the home or a section page.
type mostReadBlock struct {
	Heading string // "Most read", "Most read in Iraq"
	Period  string // "In the last 24 hours"
	Items   []rankedItem
}

type rankedItem struct {
	Article *newsdesk.Article
	Reads   int
}

// mostRead is the most-read published reports of the section (0: the whole
// site) and its descendants, nil when nothing has been read in three days.
func (h *Handler) mostRead(ctx context.Context, section *newsdesk.Section, now time.Time) (*mostReadBlock, error) {
	b := &mostReadBlock{Heading: "Most read", Period: "In the last 24 hours"}
	var sectionID int64
	if section != nil {
		sectionID = section.ID
		b.Heading = "Most read in " + section.Name
	}
	counts, err := h.mostReadCounts(ctx, sectionID, mostReadDay, mostReadShown, now)
	if err != nil {
		return nil, fmt.Errorf("most read: %w", err)
	}
	reads := 0
	for _, c := range counts {
		reads += c.Count
	}
	if reads < mostReadMinReads {
		if counts, err = h.mostReadCounts(ctx, sectionID, mostReadFallback, mostReadShown, now); err != nil {
			return nil, fmt.Errorf("most read: %w", err)
		}
		b.Period = "In the last 3 days"
	}
	if len(counts) == 0 {
		return nil, nil
	}
	ids := make([]int64, len(counts))
	for i, c := range counts {
		ids[i] = c.ArticleID
	}
	arts, err := h.articlesByID(ctx, ids)
	if err != nil {
		return nil, fmt.Errorf("most read: %w", err)
	}
	for _, c := range counts {
		if a := arts[c.ArticleID]; a != nil {
			b.Items = append(b.Items, rankedItem{Article: a, Reads: c.Count})
		}
	}
	if len(b.Items) == 0 {
		return nil, nil
	}
	return b, nil
}

// articlesByID loads published articles by ID in one query.
func (h *Handler) articlesByID(ctx context.Context, ids []int64) (map[int64]*newsdesk.Article, error) {
	out := make(map[int64]*newsdesk.Article, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	arts, _, err := h.store.Articles(ctx, newsdesk.ArticleFilter{IDs: ids, Limit: len(ids), NoTotal: true, Cards: true})
	if err != nil {
		return nil, err
	}
	for _, a := range arts {
		out[a.ID] = a
	}
	return out, nil
}

// Most-read counts are kept per section, window and length, whatever is
// stored meanwhile: they sum a week of views, which costs far more than the
// page around them (some 60 ms for a section's week on a site of a million
// articles), and a list a minute old is as good. A list older than
// mostReadTTL is still served, up to mostReadStale, while one refresh runs
// in the background, so that no reader waits for the sum once the site is
// running. Storing an article (Invalidate) does not drop them; the articles
// themselves are loaded at each render, so a report withdrawn since is not
// listed.
const (
	mostReadTTL     = time.Minute
	mostReadStale   = 10 * time.Minute
	mostReadEntries = 1024
)

type mostReadKey struct {
	section int64
	window  time.Duration
	limit   int
}

// mostReadCounts is the store's MostRead of the section (0: the site) over
// the window before now, as computed at most mostReadTTL ago, or at most
// mostReadStale ago while a refresh runs. The slice is shared: callers must
// not change it.
func (h *Handler) mostReadCounts(ctx context.Context, sectionID int64, window time.Duration, limit int, now time.Time) ([]newsdesk.ArticleCount, error) {
	return keptValue(ctx, h.mostReads, &h.mostReadFlight, &h.background, mostReadKey{sectionID, window, limit}, now, mostReadTTL, h.now,
		func(ctx context.Context, now time.Time) ([]newsdesk.ArticleCount, error) {
			return h.store.MostRead(ctx, sectionID, now.Add(-window), limit)
		})
}
