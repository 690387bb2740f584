package related_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"newsdesk"
	"newsdesk/index"
	"newsdesk/related"
)

// fullStore is a store that reads articles and searches: what a Finder
// may be handed.
type fullStore interface {
	related.Store
	newsdesk.BriefStore
	Search(ctx context.Context, q newsdesk.SearchQuery) (*newsdesk.SearchResult, error)
}

// countingStore counts the queries a Finder makes, and its searches
// apart.
type countingStore struct {
	st       fullStore
	n        atomic.Int64
	searches atomic.Int64
}

func (c *countingStore) Articles(ctx context.Context, f newsdesk.ArticleFilter) ([]*newsdesk.Article, int, error) {
	c.n.Add(1)
	return c.st.Articles(ctx, f)
}

func (c *countingStore) ArticleBriefs(ctx context.Context, f newsdesk.ArticleFilter) ([]newsdesk.ArticleBrief, error) {
	c.n.Add(1)
	return c.st.ArticleBriefs(ctx, f)
}

func (c *countingStore) Search(ctx context.Context, q newsdesk.SearchQuery) (*newsdesk.SearchResult, error) {
	c.n.Add(1)
	c.searches.Add(1)
	return c.st.Search(ctx, q)
}

// bigFixture stores n articles over 60 days from 20 sources, naming 200
// entities, in stories of one to four articles, with headlines drawn from
// a vocabulary of 800 words.
func bigFixture(b testing.TB, n int) (*fixture, []*newsdesk.Article) {
	f := newFixture(b)
	rng := rand.New(rand.NewPCG(1, 2))
	vocab := make([]string, 800)
	for i := range vocab {
		vocab[i] = word(rng)
	}
	var ents []newsdesk.EntityRef
	for i := range 200 {
		e := &newsdesk.Entity{Name: fmt.Sprintf("Entity %s %d", word(rng), i), Kind: newsdesk.EntityOrganisation}
		if err := f.db.CreateEntity(f.ctx, e); err != nil {
			b.Fatal(err)
		}
		ents = append(ents, newsdesk.EntityRef{ID: e.ID, Name: e.Name, Kind: e.Kind})
	}
	secs := []newsdesk.SectionRef{f.section["Iraq"], f.section["Iran"], f.section["Syria"]}
	phrase := func(k int) string {
		w := make([]string, k)
		for i := range w {
			// Zipf-like: low indexes are common words.
			w[i] = vocab[int(float64(len(vocab))*rng.Float64()*rng.Float64())]
		}
		return strings.Join(w, " ")
	}
	var all []*newsdesk.Article
	var prev *newsdesk.Article
	for i := range n {
		a := &newsdesk.Article{
			GUID:        fmt.Sprintf("urn:bench:%d", i),
			Headline:    phrase(7),
			Lede:        phrase(20),
			PublishedAt: now.Add(-time.Duration(rng.Int64N(int64(60 * 24 * time.Hour)))),
			Fingerprint: fmt.Sprintf("bench%d", i),
			Sections:    []newsdesk.SectionRef{secs[rng.IntN(len(secs))]},
		}
		a.Text = a.Lede
		for j, k := 0, rng.IntN(5); j < k; j++ {
			e := ents[int(float64(len(ents))*rng.Float64()*rng.Float64())]
			e.Mentions = 1 + rng.IntN(4)
			a.Entities = append(a.Entities, e)
		}
		if prev != nil && rng.IntN(3) == 0 {
			a.StoryID = prev.StoryID
		}
		if _, err := f.db.UpsertArticles(f.ctx, f.source(fmt.Sprintf("Source %d", rng.IntN(20))), []*newsdesk.Article{a}); err != nil {
			b.Fatal(err)
		}
		all, prev = append(all, a), a
	}
	for i := 0; i < len(all); i += 500 {
		if err := f.ix.Index(f.ctx, all[i:min(i+500, len(all))]); err != nil {
			b.Fatal(err)
		}
	}
	return f, all
}

func word(rng *rand.Rand) string {
	const letters = "abcdefghiklmnoprstuvwyz"
	n := 4 + rng.IntN(6)
	w := make([]byte, n)
	for i := range w {
		w[i] = letters[rng.IntN(len(letters))]
	}
	return string(w)
}

func BenchmarkRelated(b *testing.B) {
	f, all := bigFixture(b, 5000)
	cs := &countingStore{st: f.db}
	fd := related.New(cs)
	fd.Now = func() time.Time { return now }
	fd.Fold = index.Normalize
	// Read the articles back as the page would, with their refs.
	pages := make([]*newsdesk.Article, 0, 64)
	for i := 0; i < len(all) && len(pages) < 64; i += len(all) / 64 {
		a, err := f.db.Article(f.ctx, all[i].ID)
		if err != nil {
			b.Fatal(err)
		}
		pages = append(pages, a)
	}
	ctx := context.Background()
	i, found := 0, 0
	b.ResetTimer()
	for b.Loop() {
		got, err := fd.Related(ctx, pages[i%len(pages)], 6)
		if err != nil {
			b.Fatal(err)
		}
		found += len(got)
		i++
	}
	b.ReportMetric(float64(cs.n.Load())/float64(i), "queries/op")
	b.ReportMetric(float64(found)/float64(i), "related/op")
	if n := cs.searches.Load(); n != 0 {
		b.Errorf("%d full-text searches", n)
	}
}
