package sqlite_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"newsdesk"
)

// TestMostReadDays checks the most-read counts kept per day against a count
// of the views themselves, after re-reads that move a view to a later day,
// readers deleted and old views purged, for periods starting at and between
// day boundaries.
func TestMostReadDays(t *testing.T) {
	ctx := t.Context()
	db := mustOpen(t)
	src := &newsdesk.Source{Name: "wire", Kind: newsdesk.SourceFeed, URL: "https://wire.example/feed"}
	if err := db.CreateSource(ctx, src); err != nil {
		t.Fatal(err)
	}
	end := time.Date(2025, 3, 10, 15, 30, 0, 0, time.UTC)
	var arts []*newsdesk.Article
	for i := range 12 {
		a := &newsdesk.Article{GUID: fmt.Sprintf("g%d", i), Headline: fmt.Sprintf("Report %d", i), PublishedAt: end.Add(-time.Duration(i) * 24 * time.Hour)}
		if i == 5 {
			a.Status = newsdesk.StatusUnpublished
		}
		arts = append(arts, a)
	}
	if _, err := db.UpsertArticles(ctx, src.ID, arts); err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 600 {
		e := newsdesk.ReadEvent{
			ReaderID:  fmt.Sprintf("r%d", rng.IntN(40)),
			ArticleID: arts[rng.IntN(len(arts))].ID,
			At:        end.Add(-time.Duration(rng.Int64N(int64(9 * 24 * time.Hour)))),
		}
		if err := db.RecordRead(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	check := func(stage string) {
		t.Helper()
		events, err := db.ReadEvents(ctx, newsdesk.ReadEventKey{}, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, since := range []time.Time{
			end.Add(-24 * time.Hour), end.Add(-7 * 24 * time.Hour), end.Truncate(24 * time.Hour),
			end.Truncate(24 * time.Hour).Add(-48 * time.Hour), end.Add(-30 * 24 * time.Hour), {},
		} {
			counts := map[int64]int{}
			for _, e := range events {
				if !e.At.Before(since) && e.ArticleID != arts[5].ID {
					counts[e.ArticleID]++
				}
			}
			var want []newsdesk.ArticleCount
			for id, n := range counts {
				want = append(want, newsdesk.ArticleCount{ArticleID: id, Count: n})
			}
			slices.SortFunc(want, func(a, b newsdesk.ArticleCount) int {
				if a.Count != b.Count {
					return b.Count - a.Count
				}
				return int(b.ArticleID - a.ArticleID)
			})
			got, err := db.MostRead(ctx, 0, since, 0)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, want) {
				t.Errorf("%s, since %v: most read = %v, want %v", stage, since, got, want)
			}
		}
	}
	check("recorded")
	// Re-reads: the latest view counts, on its own day.
	for r := range 20 {
		e := newsdesk.ReadEvent{ReaderID: fmt.Sprintf("r%d", r), ArticleID: arts[r%len(arts)].ID, At: end.Add(-time.Duration(r) * time.Hour)}
		if err := db.RecordRead(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	check("re-read")
	for r := range 5 {
		if err := db.DeleteReader(ctx, fmt.Sprintf("r%d", r*3)); err != nil {
			t.Fatal(err)
		}
	}
	check("readers deleted")
	if _, err := db.PurgeReadEvents(ctx, end.Add(-100*time.Hour)); err != nil {
		t.Fatal(err)
	}
	check("purged")
	var left int
	if err := db.Reader().QueryRowContext(ctx, `SELECT count(*) FROM read_days WHERE readers <= 0`).Scan(&left); err != nil {
		t.Fatal(err)
	}
	if left != 0 {
		t.Errorf("%d day rows without readers kept", left)
	}
}
