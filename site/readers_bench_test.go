package site

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// BenchmarkReaderBlocks computes the home page's reader blocks on a real
// SQLite store of 40 stories of six reports each (three sources in the day
// before, three in the last six hours) and about 3,000 reads, as an
// uncached render does: Trending with the store's StoryReads and with
// reads summed from MostRead, Most read, and a whole home page miss.
func BenchmarkReaderBlocks(b *testing.B) {
	f := newFixture(b, 20)
	srcs := []string{"AP", "BBC", "DW", "Sky", "NHK", "RFI"}
	for i := range 40 {
		var story int64
		for j, src := range srcs {
			ago := time.Duration(20-3*j)*time.Hour + time.Duration(i)*time.Minute
			a := f.report(b, src, fmt.Sprintf("Story %d, report %d", i, j), ago, story)
			story = a.StoryID
			f.readers(b, a, (i+j)%12+1, ago/2)
		}
	}
	f.h.Invalidate()
	ctx := context.Background()
	items, err := f.h.trending(ctx, testNow)
	must(b, err)
	if len(items) != trendShown {
		b.Fatalf("%d trending stories, want %d", len(items), trendShown)
	}
	b.Run("trending", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := f.h.trending(ctx, testNow); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("trending-summed", func(b *testing.B) {
		f.h.store = hideStoryReads{f.db}
		defer func() { f.h.store = f.db }()
		b.ReportAllocs()
		for b.Loop() {
			if _, err := f.h.trending(ctx, testNow); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("most-read", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := f.h.mostRead(ctx, nil, testNow); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("home-miss", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			f.h.Invalidate()
			if w := f.get("/"); w.Code != 200 {
				b.Fatalf("status %d", w.Code)
			}
		}
	})
}
