package postgres_test

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

	"github.com/jackc/pgx/v5"

	"newsdesk"
	"newsdesk/store/postgres"
)

// corpusDoc is one report of the benchmark corpus.
type corpusDoc struct{ title, body string }

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

// corpus returns n reports: the Reuters-21578 set when the shared data is
// there, else generated text with a Zipf word distribution.
func corpus(tb testing.TB, n int) []corpusDoc {
	path := filepath.Join(repoRoot(tb), "..", "shared", "data", "reuters21578", "reuters21578.dev.jsonl")
	if f, err := os.Open(path); err == nil {
		defer f.Close()
		var docs []corpusDoc
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() && len(docs) < n {
			var r struct{ Title, Body string }
			if json.Unmarshal(sc.Bytes(), &r) == nil && r.Title != "" && len(r.Body) > 200 {
				docs = append(docs, corpusDoc{r.Title, r.Body})
			}
		}
		if len(docs) == n {
			return docs
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	zipf := rand.NewZipf(rand.New(rand.NewPCG(3, 4)), 1.1, 1, 20000)
	word := func() string { return fmt.Sprintf("w%x", zipf.Uint64()) }
	docs := make([]corpusDoc, n)
	for i := range docs {
		var t, b []string
		for range 6 + rng.IntN(6) {
			t = append(t, word())
		}
		for range 150 + rng.IntN(300) {
			b = append(b, word())
		}
		docs[i] = corpusDoc{strings.Join(t, " "), strings.Join(b, " ")}
	}
	return docs
}

// benchFixture is a database with sections, entities and a source.
type benchFixture struct {
	schema   testSchema
	db       *postgres.DB
	src      *newsdesk.Source
	sections []*newsdesk.Section
	entities []*newsdesk.Entity
}

func newBenchFixture(b *testing.B) *benchFixture {
	ctx := b.Context()
	f := &benchFixture{schema: newSchema(b)}
	f.db = f.schema.open(b)
	f.src = &newsdesk.Source{Name: "Wire", Kind: newsdesk.SourceFeed, URL: "https://wire.example/feed"}
	if err := f.db.CreateSource(ctx, f.src); err != nil {
		b.Fatal(err)
	}
	for r := range 4 {
		region := &newsdesk.Section{Slug: fmt.Sprintf("region-%d", r), Name: "Region", Position: r}
		if err := f.db.CreateSection(ctx, region); err != nil {
			b.Fatal(err)
		}
		f.sections = append(f.sections, region)
		for c := range 5 {
			country := &newsdesk.Section{Slug: fmt.Sprintf("country-%d-%d", r, c), Name: "Country", ParentID: region.ID, Position: c}
			if err := f.db.CreateSection(ctx, country); err != nil {
				b.Fatal(err)
			}
			f.sections = append(f.sections, country)
		}
	}
	for i := range 200 {
		e := &newsdesk.Entity{Kind: newsdesk.EntityPerson, Name: fmt.Sprintf("Person %d", i)}
		if err := f.db.CreateEntity(ctx, e); err != nil {
			b.Fatal(err)
		}
		f.entities = append(f.entities, e)
	}
	return f
}

func (f *benchFixture) article(i int, d corpusDoc) *newsdesk.Article {
	base := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	return &newsdesk.Article{
		GUID:        fmt.Sprintf("guid-%d", i),
		URL:         fmt.Sprintf("https://wire.example/%d", i),
		Headline:    d.title,
		Lede:        firstSentence(d.body),
		Body:        "<p>" + d.body + "</p>",
		Text:        d.body,
		Language:    "en",
		PublishedAt: base.Add(time.Duration(i) * time.Minute),
		Fingerprint: fmt.Sprintf("fp-%d", i),
		Sections:    []newsdesk.SectionRef{{ID: f.sections[1+i%len(f.sections[1:])].ID}, {ID: f.sections[i%4*6].ID}},
		Entities: []newsdesk.EntityRef{{ID: f.entities[i%200].ID, Mentions: 3}, {ID: f.entities[(i*7)%200].ID, Mentions: 1},
			{ID: f.entities[(i*13+1)%200].ID, Mentions: 2}},
	}
}

func firstSentence(s string) string {
	if i := strings.IndexByte(s, '.'); i > 0 && i < 300 {
		return s[:i+1]
	}
	return s[:min(len(s), 200)]
}

// seed stores and indexes n articles in batches of 50.
func (f *benchFixture) seed(b *testing.B, docs []corpusDoc) {
	ctx := b.Context()
	for start := 0; start < len(docs); start += 50 {
		var batch []*newsdesk.Article
		for i := start; i < min(start+50, len(docs)); i++ {
			batch = append(batch, f.article(i, docs[i]))
		}
		if _, err := f.db.UpsertArticles(ctx, f.src.ID, batch); err != nil {
			b.Fatal(err)
		}
		sdocs := make([]newsdesk.SearchDoc, len(batch))
		for i, a := range batch {
			sdocs[i] = newsdesk.SearchDoc{ArticleID: a.ID, Headline: a.Headline, Lede: a.Lede, Body: a.Text}
		}
		if err := f.db.IndexArticles(ctx, sdocs); err != nil {
			b.Fatal(err)
		}
	}
	f.analyze(b)
}

// analyze vacuums and gathers the planner's statistics, as autovacuum does
// soon after such a load (it vacuums insert-only tables too), so that the
// benchmarks measure the plans and index-only counts of a live site rather
// than those of tables just filled.
func (f *benchFixture) analyze(b *testing.B) {
	if _, err := f.db.Pool().Exec(b.Context(), `VACUUM ANALYZE`); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkUpsertArticles stores new articles in batches of 50, with two
// sections and three entities each.
func BenchmarkUpsertArticles(b *testing.B) {
	f := newBenchFixture(b)
	docs := corpus(b, 2000)
	ctx := b.Context()
	n := 0
	for b.Loop() {
		batch := make([]*newsdesk.Article, 50)
		for i := range batch {
			batch[i] = f.article(n, docs[n%len(docs)])
			n++
		}
		if _, err := f.db.UpsertArticles(ctx, f.src.ID, batch); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "articles/s")
}

// BenchmarkUpsertUnchanged re-stores batches already stored, the common
// case of polling a feed.
func BenchmarkUpsertUnchanged(b *testing.B) {
	f := newBenchFixture(b)
	docs := corpus(b, 1000)
	f.seed(b, docs)
	ctx := b.Context()
	n := 0
	for b.Loop() {
		batch := make([]*newsdesk.Article, 50)
		for i := range batch {
			batch[i] = f.article(n%len(docs), docs[n%len(docs)])
			n++
		}
		if _, err := f.db.UpsertArticles(ctx, f.src.ID, batch); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "articles/s")
}

// BenchmarkArticlesRiver reads the front page and a region page (30
// articles with sections and entities) from 10,000 articles.
func BenchmarkArticlesRiver(b *testing.B) {
	f := newBenchFixture(b)
	f.seed(b, corpus(b, 10000))
	ctx := b.Context()
	for _, bc := range []struct {
		name string
		f    newsdesk.ArticleFilter
	}{
		{"front", newsdesk.ArticleFilter{Limit: 30}},
		{"region", newsdesk.ArticleFilter{SectionID: &f.sections[0].ID, Limit: 30}},
		{"country", newsdesk.ArticleFilter{SectionID: &f.sections[1].ID, Limit: 30}},
		{"entity", newsdesk.ArticleFilter{EntityID: &f.entities[5].ID, Limit: 30}},
		{"page10", newsdesk.ArticleFilter{Offset: 300, Limit: 30}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				arts, _, err := f.db.Articles(ctx, bc.f)
				if err != nil || len(arts) == 0 {
					b.Fatalf("%d articles, err %v", len(arts), err)
				}
			}
		})
	}
}

// BenchmarkSearch runs ranked queries (20 hits with snippets and totals)
// over 10,000 indexed articles.
func BenchmarkSearch(b *testing.B) {
	f := newBenchFixture(b)
	docs := corpus(b, 10000)
	f.seed(b, docs)
	ctx := b.Context()
	// Queries made of words of the corpus: one common, two words, a phrase.
	var queries []string
	for i := 0; len(queries) < 30; i += 97 {
		w := strings.Fields(docs[i].title)
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
				if _, err := f.db.Search(ctx, newsdesk.SearchQuery{Text: q, Sort: sort, Limit: 20}); err != nil {
					b.Fatalf("%q: %v", q, err)
				}
			}
		})
	}
}

// BenchmarkParallelReads reads section pages from several goroutines while
// a writer keeps storing batches, for read pools of several sizes.
func BenchmarkParallelReads(b *testing.B) {
	docs := corpus(b, 3000)
	for _, readers := range []int{1, 2, 4, 8} {
		b.Run(fmt.Sprintf("readers=%d", readers), func(b *testing.B) {
			f := newBenchFixture(b)
			f.seed(b, docs[:2000])
			// A pool of that many connections for the readers, and one more
			// for the writer.
			db, err := postgres.OpenOptions(b.Context(), f.schema.dsn, postgres.Options{MaxConns: int32(readers) + 1, Channel: f.schema.name})
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
						batch[i] = f.article(n+i, docs[(n+i)%len(docs)])
					}
					if _, err := db.UpsertArticles(b.Context(), f.src.ID, batch); err != nil {
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
					if _, _, err := db.Articles(b.Context(), newsdesk.ArticleFilter{SectionID: &f.sections[i%len(f.sections)].ID, Limit: 30}); err != nil {
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
	f := newBenchFixture(b)
	docs := corpus(b, 2000)
	f.seed(b, docs)
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
	if _, err := f.db.Pool().CopyFrom(ctx, pgx.Identifier{"read_events"}, []string{"reader_id", "article_id", "at"}, pgx.CopyFromRows(rows)); err != nil {
		b.Fatal(err)
	}
	f.analyze(b)
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
				if _, err := f.db.CoRead(ctx, bc.ids(i), since, 10); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkRecordRead stores views, one statement each.
func BenchmarkRecordRead(b *testing.B) {
	f := newBenchFixture(b)
	f.seed(b, corpus(b, 500))
	ctx := b.Context()
	i := 0
	for b.Loop() {
		i++
		if err := f.db.RecordRead(ctx, newsdesk.ReadEvent{ReaderID: fmt.Sprintf("r%d", i%5000), ArticleID: int64(i%500 + 1)}); err != nil {
			b.Fatal(err)
		}
	}
}
