package postgres_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"newsdesk"
	"newsdesk/store/postgres"
	"newsdesk/store/storetest"
)

// newBenchFixture is the shared benchmark fixture in a fresh schema; the
// planner's statistics are gathered after seeding.
func newBenchFixture(b *testing.B) (*storetest.BenchFixture, *postgres.DB, testSchema) {
	schema := newSchema(b)
	db := schema.open(b)
	f := storetest.NewBenchFixture(b, db)
	f.AfterSeed = func(tb testing.TB) { analyze(tb, db) }
	return f, db, schema
}

func fixture(b *testing.B) *storetest.BenchFixture {
	f, _, _ := newBenchFixture(b)
	return f
}

// The shared benchmarks of every store (store/storetest/bench.go).
func BenchmarkUpsertArticles(b *testing.B)  { storetest.BenchUpsertArticles(b, fixture(b)) }
func BenchmarkUpsertUnchanged(b *testing.B) { storetest.BenchUpsertUnchanged(b, fixture(b)) }
func BenchmarkArticlesRiver(b *testing.B)   { storetest.BenchArticlesRiver(b, fixture(b)) }
func BenchmarkSearch(b *testing.B)          { storetest.BenchSearch(b, fixture(b)) }
func BenchmarkRecordRead(b *testing.B)      { storetest.BenchRecordRead(b, fixture(b)) }

// analyze vacuums and gathers the planner's statistics, as autovacuum does
// soon after such a load (it vacuums insert-only tables too), so that the
// benchmarks measure the plans and index-only counts of a live site rather
// than those of tables just filled.
func analyze(tb testing.TB, db *postgres.DB) {
	if _, err := db.Pool().Exec(context.Background(), `VACUUM ANALYZE`); err != nil {
		tb.Fatal(err)
	}
}

// BenchmarkParallelReads reads section pages from several goroutines while
// a writer keeps storing batches, for read pools of several sizes.
func BenchmarkParallelReads(b *testing.B) {
	docs := storetest.BenchCorpus(b, 3000)
	for _, readers := range []int{1, 2, 4, 8} {
		b.Run(fmt.Sprintf("readers=%d", readers), func(b *testing.B) {
			f, _, schema := newBenchFixture(b)
			f.Seed(b, docs[:2000])
			// A pool of that many connections for the readers, and one more
			// for the writer.
			db, err := postgres.OpenOptions(b.Context(), schema.dsn, postgres.Options{MaxConns: int32(readers) + 1, Channel: schema.name})
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
	f, fdb, _ := newBenchFixture(b)
	docs := storetest.BenchCorpus(b, 2000)
	f.Seed(b, docs)
	ctx := b.Context()
	rng := rand.New(rand.NewPCG(5, 6))
	zipf := rand.NewZipf(rand.New(rand.NewPCG(7, 8)), 1.2, 1, 1999)
	now := time.Now()
	rows := make([][]any, 0, 100000)
	seen := map[string]bool{}
	for i := range 100000 {
		r, a := fmt.Sprintf("reader-%d", rng.IntN(20000)), int64(zipf.Uint64())+1
		if k := fmt.Sprint(r, a); !seen[k] { // the first view of a pair is kept, as INSERT OR IGNORE does
			seen[k] = true
			rows = append(rows, []any{r, a, now.Add(-time.Duration(i) * time.Second)})
		}
	}
	if _, err := fdb.Pool().CopyFrom(ctx, pgx.Identifier{"read_events"}, []string{"reader_id", "article_id", "at"}, pgx.CopyFromRows(rows)); err != nil {
		b.Fatal(err)
	}
	analyze(b, fdb)
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
