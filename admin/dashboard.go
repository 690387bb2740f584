package admin

import (
	"cmp"
	"context"
	"fmt"
	"net/http"
	"slices"
	"time"

	"newsdesk"
)

// dashboardWindow is how far back the dashboard looks.
const dashboardWindow = 48 * time.Hour

// statsLimit bounds the articles read to draw a chart.
const statsLimit = 20000

type dashboardData struct {
	Ingest         barChart
	Failing        []*newsdesk.Source
	TopStories     []*newsdesk.Story
	PendingAliases int
	Picks          int
	Sources        int
}

func (h *Handler) dashboard(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	ctx := r.Context()
	now := h.now().UTC()
	start := now.Truncate(time.Hour).Add(-dashboardWindow + time.Hour)
	counts, err := h.ingestPerHour(ctx, start, int(dashboardWindow/time.Hour))
	if err != nil {
		return err
	}
	d := dashboardData{Ingest: newBarChart(counts, start, time.Hour, 6, "articles")}
	srcs, total, err := h.store.Sources(ctx, newsdesk.SourceFilter{})
	if err != nil {
		return fmt.Errorf("dashboard sources: %w", err)
	}
	d.Sources = total
	for _, s := range srcs {
		if s.Failures > 0 || s.LastError != "" {
			d.Failing = append(d.Failing, s)
		}
	}
	slices.SortStableFunc(d.Failing, func(a, b *newsdesk.Source) int { return cmp.Compare(b.Failures, a.Failures) })
	since := now.Add(-dashboardWindow)
	stories, err := h.store.Stories(ctx, newsdesk.StoryFilter{Since: &since, Limit: 200})
	if err != nil {
		return fmt.Errorf("dashboard stories: %w", err)
	}
	slices.SortStableFunc(stories, func(a, b *newsdesk.Story) int {
		if c := cmp.Compare(b.Sources, a.Sources); c != 0 {
			return c
		}
		return cmp.Compare(b.Articles, a.Articles)
	})
	d.TopStories = stories[:min(len(stories), 10)]
	pending, err := h.store.AliasCandidates(ctx, newsdesk.AliasPending, 1000)
	if err != nil {
		return fmt.Errorf("dashboard alias candidates: %w", err)
	}
	d.PendingAliases = len(pending)
	picks, err := h.store.Picks(ctx, now)
	if err != nil {
		return fmt.Errorf("dashboard picks: %w", err)
	}
	d.Picks = len(picks)
	h.render(w, r, c, http.StatusOK, "dashboard", "Dashboard", "dashboard", d)
	return nil
}

// ingestPerHour counts the articles fetched in each of n hours from start
// (articles published in the window; an article without a fetch time
// counts at its publication).
func (h *Handler) ingestPerHour(ctx context.Context, start time.Time, n int) ([]int, error) {
	counts := make([]int, n)
	since := start.Add(-24 * time.Hour) // reports fetched late were published earlier
	arts, _, err := h.store.Articles(ctx, newsdesk.ArticleFilter{Since: &since, IncludeUnpublished: true, Limit: statsLimit})
	if err != nil {
		return nil, fmt.Errorf("ingest per hour: %w", err)
	}
	for _, a := range arts {
		t := a.FetchedAt
		if t.IsZero() {
			t = a.PublishedAt
		}
		if i := int(t.Sub(start) / time.Hour); t.Compare(start) >= 0 && i < n {
			counts[i]++
		}
	}
	return counts, nil
}

// itemsPerDay counts each source's articles published in each of the last
// days days, today last.
func (h *Handler) itemsPerDay(ctx context.Context, days int) (map[int64][]int, error) {
	today := h.now().UTC().Truncate(24 * time.Hour)
	start := today.AddDate(0, 0, -(days - 1))
	arts, _, err := h.store.Articles(ctx, newsdesk.ArticleFilter{Since: &start, IncludeUnpublished: true, Limit: statsLimit})
	if err != nil {
		return nil, fmt.Errorf("items per day: %w", err)
	}
	out := map[int64][]int{}
	for _, a := range arts {
		i := int(a.PublishedAt.Sub(start) / (24 * time.Hour))
		if a.SourceID == 0 || i < 0 || i >= days {
			continue
		}
		if out[a.SourceID] == nil {
			out[a.SourceID] = make([]int, days)
		}
		out[a.SourceID][i]++
	}
	return out, nil
}
