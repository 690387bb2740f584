package sqlite

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"newsdesk"
)

// BenchmarkIndexGrowth indexes NEWSDESK_BENCH_FTS_DOCS synthetic documents
// (340 words each; 20,000 by default) in batches of 25, as ingest does,
// into an empty database whose writer has a page cache of
// NEWSDESK_BENCH_FTS_CACHE_KIB (the default when unset), and reports the
// bytes the process read per document: FTS5's merges re-read their
// segments through that cache.
//
//	go test ./store/sqlite -run '^$' -bench IndexGrowth -benchtime 1x
//	NEWSDESK_BENCH_FTS_DOCS=60000 NEWSDESK_BENCH_FTS_CACHE_KIB=131072 go test ./store/sqlite -run '^$' -bench IndexGrowth -benchtime 1x
func BenchmarkIndexGrowth(b *testing.B) {
	docs, _ := strconv.Atoi(os.Getenv("NEWSDESK_BENCH_FTS_DOCS"))
	if docs <= 0 {
		docs = 20_000
	}
	cache, _ := strconv.Atoi(os.Getenv("NEWSDESK_BENCH_FTS_CACHE_KIB"))
	const batch = 25
	words := make([]string, 20_000)
	for i := range words {
		words[i] = fmt.Sprintf("w%dx", i)
	}
	for b.Loop() {
		b.StopTimer()
		ctx := context.Background()
		db, err := OpenOptions(ctx, filepath.Join(b.TempDir(), "fts.db"), Options{WriterCacheKiB: cache})
		if err != nil {
			b.Fatal(err)
		}
		rng := rand.New(rand.NewPCG(1, 2))
		text := func(n int) string {
			var s strings.Builder
			for range n {
				s.WriteString(words[int(float64(len(words))*rng.Float64()*rng.Float64())])
				s.WriteByte(' ')
			}
			return s.String()
		}
		before := readBytes(b)
		b.StartTimer()
		for id := 1; id <= docs; id += batch {
			ds := make([]newsdesk.SearchDoc, batch)
			for i := range ds {
				ds[i] = newsdesk.SearchDoc{ArticleID: int64(id + i), Headline: text(8), Lede: text(30), Body: text(300)}
			}
			if err := db.IndexArticles(ctx, ds); err != nil {
				b.Fatal(err)
			}
		}
		b.StopTimer()
		b.ReportMetric(float64(readBytes(b)-before)/float64(docs), "read-B/doc")
		b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(docs), "µs/doc")
		db.Close()
		b.StartTimer() // b.Loop wants the timer running
	}
}

// readBytes is what the process has read so far (rchar of /proc/self/io:
// reads served by the operating system's cache included).
func readBytes(b *testing.B) int64 {
	data, err := os.ReadFile("/proc/self/io")
	if err != nil {
		b.Skipf("no /proc/self/io: %v", err)
	}
	for _, l := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(l, "rchar: "); ok {
			n, _ := strconv.ParseInt(v, 10, 64)
			return n
		}
	}
	b.Skip("no rchar in /proc/self/io")
	return 0
}
