package story

import (
	"context"
	"fmt"
	"math/rand/v2"
	"runtime"
	"strings"
	"testing"
	"time"

	"newsdesk"
)

// feedArticles makes n articles as a feed gives them, each a story of its
// own (the index's worst case): a headline, a URL, a lede and a text of a
// hundred and fifty words drawn from a Zipf vocabulary, three entities and
// a few figures.
func feedArticles(n int) []*newsdesk.Article {
	rng := rand.New(rand.NewPCG(3, 4))
	zipf := rand.NewZipf(rng, 1.1, 1, 300_000)
	words := func(k int) string {
		ws := make([]string, k)
		for i := range ws {
			ws[i] = fmt.Sprintf("w%d", zipf.Uint64())
		}
		return strings.Join(ws, " ")
	}
	span := 60 * time.Hour
	out := make([]*newsdesk.Article, n)
	for i := range out {
		head := words(9)
		out[i] = &newsdesk.Article{
			ID: int64(i + 1), StoryID: int64(i + 1), Headline: head,
			URL:         "https://example.com/news/" + strings.ReplaceAll(words(6), " ", "-"),
			Lede:        words(30) + fmt.Sprintf(" %d.%d", rng.IntN(1000), rng.IntN(10)),
			Text:        words(150) + fmt.Sprintf(" %d people, %d%%", rng.IntN(500), rng.IntN(100)),
			PublishedAt: t0.Add(time.Duration(int64(span) * int64(i) / int64(n))),
			Status:      newsdesk.StatusPublished,
			Entities: []newsdesk.EntityRef{{ID: int64(1 + rng.IntN(5000)), Name: "a"},
				{ID: int64(1 + rng.IntN(5000)), Name: "b"}, {ID: int64(1 + rng.IntN(50)), Name: "c", Kind: newsdesk.EntityPlace}},
		}
	}
	return out
}

func liveHeap() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// BenchmarkIndexBytes10k reports the live heap the story index holds per
// article once 10,000 feed articles, each its own story, are indexed.
func BenchmarkIndexBytes10k(b *testing.B) {
	const n = 10_000
	arts := feedArticles(n)
	ctx := context.Background()
	var per, est float64
	for b.Loop() {
		before := liveHeap()
		c := New(Options{})
		c.Stored(ctx, arts)
		after := liveHeap()
		per = float64(int64(after)-int64(before)) / n
		est = float64(c.Stats().Bytes) / n
		runtime.KeepAlive(c)
	}
	b.ReportMetric(per, "B/article")
	b.ReportMetric(est, "estB/article")
}

// With a byte budget the oldest articles leave first, whatever the window.
func TestByteBudget(t *testing.T) {
	arts := feedArticles(200)
	per := indexBytes(len(ArticleVector(arts[0])))
	c := New(Options{MaxBytes: 50 * per})
	c.Stored(context.Background(), arts)
	st := c.Stats()
	if st.Articles < 30 || st.Articles > 70 || st.Bytes > 50*per {
		t.Errorf("with a budget of about 50 articles the index holds %d articles, %d bytes (budget %d)", st.Articles, st.Bytes, 50*per)
	}
	// The newest article is still there, the oldest are gone.
	c.Forget(arts[len(arts)-1].ID)
	if got := c.Stats().Articles; got != st.Articles-1 {
		t.Errorf("the newest article was not in the index")
	}
	if c.Stats().Bytes != st.Bytes-indexBytes(len(ArticleVector(arts[len(arts)-1]))) {
		t.Errorf("Forget does not give back the article's bytes")
	}
}
