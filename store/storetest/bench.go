package storetest

import (
	"bufio"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"newsdesk"
)

// The benchmarks below run on every store (store/sqlite and store/postgres
// call them from their own Benchmark functions), so their figures compare
// side by side.

// BenchDoc is one report of the benchmark corpus.
type BenchDoc struct{ Title, Body string }

// repoRoot is the module root, found from the package directory upward.
func repoRoot(tb testing.TB) string {
	dir, err := os.Getwd()
	if err != nil {
		tb.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			tb.Fatal("go.mod not found")
		}
		dir = parent
	}
}

// BenchCorpus returns n reports: the Reuters-21578 set when the shared data is
// there, else generated text with a Zipf word distribution.
func BenchCorpus(tb testing.TB, n int) []BenchDoc {
	path := filepath.Join(repoRoot(tb), "..", "shared", "data", "reuters21578", "reuters21578.dev.jsonl")
	if f, err := os.Open(path); err == nil {
		defer f.Close()
		var docs []BenchDoc
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() && len(docs) < n {
			var r struct{ Title, Body string }
			if json.Unmarshal(sc.Bytes(), &r) == nil && r.Title != "" && len(r.Body) > 200 {
				docs = append(docs, BenchDoc{r.Title, r.Body})
			}
		}
		if len(docs) == n {
			return docs
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	zipf := rand.NewZipf(rand.New(rand.NewPCG(3, 4)), 1.1, 1, 20000)
	word := func() string { return fmt.Sprintf("w%x", zipf.Uint64()) }
	docs := make([]BenchDoc, n)
	for i := range docs {
		var t, b []string
		for range 6 + rng.IntN(6) {
			t = append(t, word())
		}
		for range 150 + rng.IntN(300) {
			b = append(b, word())
		}
		docs[i] = BenchDoc{strings.Join(t, " "), strings.Join(b, " ")}
	}
	return docs
}

// BenchFixture is a store with sections, entities and a source, for the
// benchmarks both stores run.
type BenchFixture struct {
	DB       newsdesk.Store
	Source   *newsdesk.Source
	Sections []*newsdesk.Section
	Entities []*newsdesk.Entity
	// AfterSeed, when set, runs after Seed (PostgreSQL gathers its
	// planner statistics there, as autovacuum would on a live site).
	AfterSeed func(tb testing.TB)
}

// NewBenchFixture fills st (empty) with a source, 4 regions of 5
// countries and 200 people.
func NewBenchFixture(b *testing.B, st newsdesk.Store) *BenchFixture {
	ctx := b.Context()
	f := &BenchFixture{DB: st}
	f.Source = &newsdesk.Source{Name: "Wire", Kind: newsdesk.SourceFeed, URL: "https://wire.example/feed"}
	if err := f.DB.CreateSource(ctx, f.Source); err != nil {
		b.Fatal(err)
	}
	for r := range 4 {
		region := &newsdesk.Section{Slug: fmt.Sprintf("region-%d", r), Name: "Region", Position: r}
		if err := f.DB.CreateSection(ctx, region); err != nil {
			b.Fatal(err)
		}
		f.Sections = append(f.Sections, region)
		for c := range 5 {
			country := &newsdesk.Section{Slug: fmt.Sprintf("country-%d-%d", r, c), Name: "Country", ParentID: region.ID, Position: c}
			if err := f.DB.CreateSection(ctx, country); err != nil {
				b.Fatal(err)
			}
			f.Sections = append(f.Sections, country)
		}
	}
	for i := range 200 {
		e := &newsdesk.Entity{Kind: newsdesk.EntityPerson, Name: fmt.Sprintf("Person %d", i)}
		if err := f.DB.CreateEntity(ctx, e); err != nil {
			b.Fatal(err)
		}
		f.Entities = append(f.Entities, e)
	}
	return f
}

// Article is the i-th benchmark article, made of d.
func (f *BenchFixture) Article(i int, d BenchDoc) *newsdesk.Article {
	base := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	return &newsdesk.Article{
		GUID:        fmt.Sprintf("guid-%d", i),
		URL:         fmt.Sprintf("https://wire.example/%d", i),
		Headline:    d.Title,
		Lede:        firstSentence(d.Body),
		Body:        "<p>" + d.Body + "</p>",
		Text:        d.Body,
		Language:    "en",
		PublishedAt: base.Add(time.Duration(i) * time.Minute),
		Fingerprint: fmt.Sprintf("fp-%d", i),
		Sections:    []newsdesk.SectionRef{{ID: f.Sections[1+i%len(f.Sections[1:])].ID}, {ID: f.Sections[i%4*6].ID}},
		Entities: []newsdesk.EntityRef{{ID: f.Entities[i%200].ID, Mentions: 3}, {ID: f.Entities[(i*7)%200].ID, Mentions: 1},
			{ID: f.Entities[(i*13+1)%200].ID, Mentions: 2}},
	}
}

func firstSentence(s string) string {
	if i := strings.IndexByte(s, '.'); i > 0 && i < 300 {
		return s[:i+1]
	}
	return s[:min(len(s), 200)]
}

// Seed stores and indexes the articles of docs in batches of 50.
func (f *BenchFixture) Seed(b *testing.B, docs []BenchDoc) {
	ctx := b.Context()
	for start := 0; start < len(docs); start += 50 {
		var batch []*newsdesk.Article
		for i := start; i < min(start+50, len(docs)); i++ {
			batch = append(batch, f.Article(i, docs[i]))
		}
		if _, err := f.DB.UpsertArticles(ctx, f.Source.ID, batch); err != nil {
			b.Fatal(err)
		}
		sdocs := make([]newsdesk.SearchDoc, len(batch))
		for i, a := range batch {
			sdocs[i] = newsdesk.SearchDoc{ArticleID: a.ID, Headline: a.Headline, Lede: a.Lede, Body: a.Text}
		}
		if err := f.DB.IndexArticles(ctx, sdocs); err != nil {
			b.Fatal(err)
		}
	}
	if f.AfterSeed != nil {
		f.AfterSeed(b)
	}
}

// BenchUpsertArticles stores new articles in batches of 50, with two
// sections and three entities each.
func BenchUpsertArticles(b *testing.B, f *BenchFixture) {
	docs := BenchCorpus(b, 2000)
	ctx := b.Context()
	n := 0
	for b.Loop() {
		batch := make([]*newsdesk.Article, 50)
		for i := range batch {
			batch[i] = f.Article(n, docs[n%len(docs)])
			n++
		}
		if _, err := f.DB.UpsertArticles(ctx, f.Source.ID, batch); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "articles/s")
}

// BenchUpsertUnchanged re-stores batches already stored, the common
// case of polling a feed.
func BenchUpsertUnchanged(b *testing.B, f *BenchFixture) {
	docs := BenchCorpus(b, 1000)
	f.Seed(b, docs)
	ctx := b.Context()
	n := 0
	for b.Loop() {
		batch := make([]*newsdesk.Article, 50)
		for i := range batch {
			batch[i] = f.Article(n%len(docs), docs[n%len(docs)])
			n++
		}
		if _, err := f.DB.UpsertArticles(ctx, f.Source.ID, batch); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "articles/s")
}

// BenchArticlesRiver reads the front page and a region page (30
// articles with sections and entities) from 10,000 articles.
func BenchArticlesRiver(b *testing.B, f *BenchFixture) {
	f.Seed(b, BenchCorpus(b, 10000))
	ctx := b.Context()
	for _, bc := range []struct {
		name string
		f    newsdesk.ArticleFilter
	}{
		{"front", newsdesk.ArticleFilter{Limit: 30}},
		{"region", newsdesk.ArticleFilter{SectionID: &f.Sections[0].ID, Limit: 30}},
		{"country", newsdesk.ArticleFilter{SectionID: &f.Sections[1].ID, Limit: 30}},
		{"entity", newsdesk.ArticleFilter{EntityID: &f.Entities[5].ID, Limit: 30}},
		{"page10", newsdesk.ArticleFilter{Offset: 300, Limit: 30}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				arts, _, err := f.DB.Articles(ctx, bc.f)
				if err != nil || len(arts) == 0 {
					b.Fatalf("%d articles, err %v", len(arts), err)
				}
			}
		})
	}
}

// BenchSearch runs ranked queries (20 hits with snippets and totals)
// over 10,000 indexed articles.
func BenchSearch(b *testing.B, f *BenchFixture) {
	docs := BenchCorpus(b, 10000)
	f.Seed(b, docs)
	ctx := b.Context()
	// Queries made of words of the corpus: one common, two words, a phrase.
	var queries []string
	for i := 0; len(queries) < 30; i += 97 {
		w := strings.Fields(docs[i].Title)
		if len(w) < 3 {
			continue
		}
		queries = append(queries, w[0], w[0]+" "+w[2], `"`+w[1]+" "+w[2]+`"`)
	}
	for _, sort := range []newsdesk.SearchSort{newsdesk.SortRelevance, newsdesk.SortNewest} {
		b.Run(string(sort), func(b *testing.B) {
			i := 0
			for b.Loop() {
				q := queries[i%len(queries)]
				i++
				if _, err := f.DB.Search(ctx, newsdesk.SearchQuery{Text: q, Sort: sort, Limit: 20}); err != nil {
					b.Fatalf("%q: %v", q, err)
				}
			}
		})
	}
}

// BenchRecordRead stores views, one statement each.
func BenchRecordRead(b *testing.B, f *BenchFixture) {
	f.Seed(b, BenchCorpus(b, 500))
	ctx := b.Context()
	i := 0
	for b.Loop() {
		i++
		if err := f.DB.RecordRead(ctx, newsdesk.ReadEvent{ReaderID: fmt.Sprintf("r%d", i%5000), ArticleID: int64(i%500 + 1)}); err != nil {
			b.Fatal(err)
		}
	}
}
