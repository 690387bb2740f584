package sqlite_test

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"newsdesk"
	"newsdesk/store/sqlite"
	"newsdesk/store/storetest"
)

// newBenchFixture is the shared benchmark fixture on a fresh SQLite file.
func newBenchFixture(b *testing.B) (*storetest.BenchFixture, *sqlite.DB) {
	db := mustOpen(b)
	return storetest.NewBenchFixture(b, db), db
}

func fixture(b *testing.B) *storetest.BenchFixture {
	f, _ := newBenchFixture(b)
	return f
}

// The shared benchmarks of every store (store/storetest/bench.go).
func BenchmarkUpsertArticles(b *testing.B)  { storetest.BenchUpsertArticles(b, fixture(b)) }
func BenchmarkUpsertUnchanged(b *testing.B) { storetest.BenchUpsertUnchanged(b, fixture(b)) }
func BenchmarkArticlesRiver(b *testing.B)   { storetest.BenchArticlesRiver(b, fixture(b)) }
func BenchmarkSearch(b *testing.B)          { storetest.BenchSearch(b, fixture(b)) }
func BenchmarkRecordRead(b *testing.B)      { storetest.BenchRecordRead(b, fixture(b)) }

// BenchmarkParallelReads reads section pages from several goroutines while
// a writer keeps storing batches, for read pools of several sizes.
func BenchmarkParallelReads(b *testing.B) {
	docs := storetest.BenchCorpus(b, 3000)
	for _, readers := range []int{1, 2, 4, 8} {
		b.Run(fmt.Sprintf("readers=%d", readers), func(b *testing.B) {
			f, fdb := newBenchFixture(b)
			f.Seed(b, docs[:2000])
			db, err := sqlite.OpenOptions(b.Context(), fdb.Path(), sqlite.Options{Readers: readers})
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close()
			stop := make(chan struct{})
			done := make(chan struct{})
			go func() { // a writer, as ingest is
				defer close(done)
				for n := 2000; ; n += 50 {
					select {
					case <-stop:
						return
					default:
					}
					batch := make([]*newsdesk.Article, 50)
					for i := range batch {
						batch[i] = f.Article(n+i, docs[(n+i)%len(docs)])
					}
					if _, err := db.UpsertArticles(b.Context(), f.Source.ID, batch); err != nil {
						b.Error(err)
						return
					}
				}
			}()
			b.SetParallelism(4)
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				i := 0
				for pb.Next() {
					i++
					if _, _, err := db.Articles(b.Context(), newsdesk.ArticleFilter{SectionID: &f.Sections[i%len(f.Sections)].ID, Limit: 30}); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.StopTimer()
			close(stop)
			<-done
		})
	}
}

// BenchmarkCoRead asks "readers of this also read" over 100,000 read
// events of 20,000 readers on 2,000 articles.
func BenchmarkCoRead(b *testing.B) {
	f, fdb := newBenchFixture(b)
	docs := storetest.BenchCorpus(b, 2000)
	f.Seed(b, docs)
	ctx := b.Context()
	rng := rand.New(rand.NewPCG(5, 6))
	zipf := rand.NewZipf(rand.New(rand.NewPCG(7, 8)), 1.2, 1, 1999)
	now := time.Now()
	tx, err := fdb.Writer().BeginTx(ctx, nil)
	if err != nil {
		b.Fatal(err)
	}
	for i := range 100000 {
		_, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO read_events (reader_id, article_id, at) VALUES (?, ?, ?)`,
			fmt.Sprintf("reader-%d", rng.IntN(20000)), int64(zipf.Uint64())+1, now.Add(-time.Duration(i)*time.Second).UnixMicro())
		if err != nil {
			b.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	since := now.Add(-30 * 24 * time.Hour)
	for _, bc := range []struct {
		name string
		ids  func(i int) []int64
	}{
		{"popular", func(i int) []int64 { return []int64{int64(i%5 + 1), int64(i%20 + 1)} }},
		{"typical", func(i int) []int64 { return []int64{int64(i%1000 + 100), int64(i%1500 + 400)} }},
	} {
		b.Run(bc.name, func(b *testing.B) {
			i := 0
			for b.Loop() {
				i++
				if _, err := fdb.CoRead(ctx, bc.ids(i), since, 10); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
