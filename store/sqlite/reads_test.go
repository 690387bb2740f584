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

// TestRecordReadsBatches writes more views than one INSERT holds, with a
// reader's repeat views of a report in the same batch (either order) and
// invalid views, and checks them against the same views written one by one.
func TestRecordReadsBatches(t *testing.T) {
	ctx := t.Context()
	src := &newsdesk.Source{Name: "wire", Kind: newsdesk.SourceFeed, URL: "https://wire.example/feed"}
	end := time.Date(2025, 3, 10, 15, 30, 0, 0, time.UTC)
	var events []newsdesk.ReadEvent
	rng := rand.New(rand.NewPCG(3, 4))
	for i := range 300 {
		e := newsdesk.ReadEvent{
			ReaderID:  fmt.Sprintf("r%d", rng.IntN(30)),
			ArticleID: int64(1 + rng.IntN(6)),
			At:        end.Add(-time.Duration(rng.IntN(96)) * time.Hour),
		}
		switch i % 50 {
		case 7:
			e.ReaderID = ""
		case 8:
			e.ArticleID = 0
		}
		events = append(events, e)
	}
	state := func(batched bool) (map[string][]newsdesk.ReadEvent, []newsdesk.ArticleCount) {
		db := mustOpen(t)
		if err := db.CreateSource(ctx, src); err != nil {
			t.Fatal(err)
		}
		var arts []*newsdesk.Article
		for i := range 6 {
			arts = append(arts, &newsdesk.Article{GUID: fmt.Sprintf("g%d", i), Headline: fmt.Sprintf("Report %d", i), PublishedAt: end.Add(-100 * time.Hour)})
		}
		if _, err := db.UpsertArticles(ctx, src.ID, arts); err != nil {
			t.Fatal(err)
		}
		if batched {
			if err := db.RecordReads(ctx, events); err != nil {
				t.Fatal(err)
			}
		} else {
			for _, e := range events {
				if e.ReaderID == "" || e.ArticleID == 0 {
					continue
				}
				if err := db.RecordRead(ctx, e); err != nil {
					t.Fatal(err)
				}
			}
		}
		hist := map[string][]newsdesk.ReadEvent{}
		for r := range 30 {
			id := fmt.Sprintf("r%d", r)
			h, err := db.ReadHistory(ctx, id, 0)
			if err != nil {
				t.Fatal(err)
			}
			hist[id] = h
		}
		most, err := db.MostRead(ctx, 0, end.Add(-50*time.Hour), 0)
		if err != nil {
			t.Fatal(err)
		}
		return hist, most
	}
	oneHist, oneMost := state(false)
	batchHist, batchMost := state(true)
	for id, want := range oneHist {
		if got := batchHist[id]; !slices.EqualFunc(got, want, func(a, b newsdesk.ReadEvent) bool { return a.ArticleID == b.ArticleID && a.At.Equal(b.At) }) {
			t.Errorf("history of %s: batched %v, one by one %v", id, got, want)
		}
	}
	if !slices.Equal(batchMost, oneMost) {
		t.Errorf("most read: batched %v, one by one %v", batchMost, oneMost)
	}
}

// BenchmarkRecordReads writes batches of 256 first views of new readers
// (the site's view writer under a stream of first visits), reported per
// view.
func BenchmarkRecordReads(b *testing.B) {
	ctx := b.Context()
	db := mustOpen(b)
	src := &newsdesk.Source{Name: "wire", Kind: newsdesk.SourceFeed, URL: "https://wire.example/feed"}
	if err := db.CreateSource(ctx, src); err != nil {
		b.Fatal(err)
	}
	now := time.Date(2025, 3, 10, 15, 30, 0, 0, time.UTC)
	var arts []*newsdesk.Article
	for i := range 20 {
		arts = append(arts, &newsdesk.Article{GUID: fmt.Sprintf("g%d", i), Headline: fmt.Sprintf("Report %d", i), PublishedAt: now})
	}
	if _, err := db.UpsertArticles(ctx, src.ID, arts); err != nil {
		b.Fatal(err)
	}
	batch := make([]newsdesk.ReadEvent, 256)
	n := 0
	b.ReportAllocs()
	for b.Loop() {
		for i := range batch {
			n++
			batch[i] = newsdesk.ReadEvent{ReaderID: fmt.Sprintf("%032x", uint64(n)*0x9e3779b97f4a7c15), ArticleID: arts[n%len(arts)].ID, At: now}
		}
		if err := db.RecordReads(ctx, batch); err != nil {
			b.Fatal(err)
		}
	}
}
