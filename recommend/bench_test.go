package recommend_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"newsdesk"
	"newsdesk/recommend"
)

// BenchmarkRecommend asks for six recommendations on article pages of a
// store of 5,000 articles over 30 days and 40,000 reads by 3,000 readers
// over the last week: readers with a history, then new readers.
func BenchmarkRecommend(b *testing.B) {
	f := newFixture(b)
	rng := rand.New(rand.NewPCG(3, 4))
	secs := []string{"Iraq", "Iran", "Syria"}
	var arts []*newsdesk.Article
	for len(arts) < 5000 {
		batch := make([]*newsdesk.Article, 100)
		for i := range batch {
			n := len(arts) + i
			batch[i] = &newsdesk.Article{
				GUID:        fmt.Sprintf("urn:bench:%d", n),
				Headline:    fmt.Sprintf("Report %d", n),
				PublishedAt: now.Add(-time.Duration(rng.Int64N(int64(30 * 24 * time.Hour)))),
				Fingerprint: fmt.Sprintf("bench%d", n),
				Sections:    []newsdesk.SectionRef{f.sections[secs[rng.IntN(len(secs))]]},
			}
			if n > 0 && rng.IntN(3) == 0 {
				batch[i].StoryID = batch[max(i-1, 0)].StoryID
			}
		}
		if _, err := f.db.UpsertArticles(f.ctx, f.src, batch); err != nil {
			b.Fatal(err)
		}
		arts = append(arts, batch...)
	}
	// Reads favour a few hundred articles, as real reading does.
	pick := func() *newsdesk.Article {
		return arts[int(float64(len(arts))*rng.Float64()*rng.Float64()*rng.Float64())]
	}
	for reads := 0; reads < 40000; {
		reader := fmt.Sprintf("reader-%d", rng.IntN(3000))
		for range 1 + rng.IntN(25) {
			at := now.Add(-time.Duration(rng.Int64N(int64(7 * 24 * time.Hour))))
			if err := f.db.RecordRead(f.ctx, newsdesk.ReadEvent{ReaderID: reader, ArticleID: pick().ID, At: at}); err != nil {
				b.Fatal(err)
			}
			reads++
		}
	}
	pages := make([]*newsdesk.Article, 64)
	for i := range pages {
		a, err := f.db.Article(f.ctx, pick().ID)
		if err != nil {
			b.Fatal(err)
		}
		pages[i] = a
	}
	for _, bc := range []struct {
		name   string
		reader func(i int) string
	}{
		{"history", func(i int) string { return fmt.Sprintf("reader-%d", i%3000) }},
		{"new", func(i int) string { return fmt.Sprintf("stranger-%d", i) }},
	} {
		b.Run(bc.name, func(b *testing.B) {
			cs := &countingStore{Store: f.db}
			r := recommend.New(cs, func() time.Time { return now })
			ctx := context.Background()
			i, got := 0, 0
			for b.Loop() {
				recs, err := r.Recommend(ctx, bc.reader(i), pages[i%len(pages)], 6)
				if err != nil {
					b.Fatal(err)
				}
				got += len(recs)
				i++
			}
			b.ReportMetric(float64(cs.n.Load())/float64(i), "queries/op")
			b.ReportMetric(float64(got)/float64(i), "recs/op")
		})
	}
}
