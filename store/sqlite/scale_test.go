package sqlite_test

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"newsdesk"
	"newsdesk/related"
	"newsdesk/store/sqlite"
)

// The scale benchmarks run the queries behind the site's pages on a
// generated corpus of 10k and 100k articles (NEWSDESK_SCALE_SIZES, e.g.
// "10000,100000,1000000", chooses others). A corpus is written with plain
// SQL in large transactions, then the store derives its lists from it. Set
// NEWSDESK_SCALE_DB to a directory to keep the corpora there between runs
// (scale-<n>.db); without it they are built in a temporary directory.
//
//	NEWSDESK_SCALE_DB=/tmp/nd-scale go test ./store/sqlite -run '^$' -bench Scale -benchtime 2s
//
// Each query reports its p50 and p99 latency (p50-us, p99-us) beside the
// mean; the parameters rotate (entities, sections, words) so that no
// single lucky case is measured.

// scaleEnd is the publication time of the newest article of a corpus; the
// corpus spans the two years before it.
var scaleEnd = time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)

const (
	scaleSpan     = 730 * 24 * time.Hour
	scaleSources  = 30
	scaleEntities = 3000
	scaleVocab    = 40000
)

func scaleSizes(tb testing.TB) []int {
	v := os.Getenv("NEWSDESK_SCALE_SIZES")
	if v == "" {
		return []int{10000, 100000}
	}
	var out []int
	for _, f := range strings.Split(v, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1000 {
			tb.Fatalf("NEWSDESK_SCALE_SIZES: bad size %q", f)
		}
		out = append(out, n)
	}
	return out
}

// scaleWord is the word of rank r of the corpus vocabulary: syllables,
// so that the tokenizer sees ordinary words.
func scaleWord(r int) string {
	const syl = "ba ke lo mi nu ra si to vu za de go pi fe ju ha"
	s := strings.Fields(syl)
	var b strings.Builder
	n := r + len(s)
	for n > 0 {
		b.WriteString(s[n%len(s)])
		n /= len(s)
	}
	return b.String()
}

func capital(w string) string { return strings.ToUpper(w[:1]) + w[1:] }

// scaleFix is an opened corpus and what its queries choose from.
type scaleFix struct {
	n         int
	path      string
	db        *sqlite.DB
	regions   []int64 // top-level sections
	countries []int64
	entities  []int64             // by number of articles, most first
	articles  []*newsdesk.Article // a sample of published articles, with refs
	sources   []int64
}

var scaleCache struct {
	sync.Mutex
	dir  string
	fixs map[int]*scaleFix
}

func scaleFixture(b *testing.B, n int) *scaleFix {
	scaleCache.Lock()
	defer scaleCache.Unlock()
	if f := scaleCache.fixs[n]; f != nil {
		return f
	}
	dir := os.Getenv("NEWSDESK_SCALE_DB")
	if dir == "" {
		if scaleCache.dir == "" {
			d, err := os.MkdirTemp("", "newsdesk-scale")
			if err != nil {
				b.Fatal(err)
			}
			scaleCache.dir = d
		}
		dir = scaleCache.dir
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		b.Fatal(err)
	}
	path := filepath.Join(dir, fmt.Sprintf("scale-%d.db", n))
	ctx := context.Background()
	if _, err := os.Stat(path); err != nil {
		start := time.Now()
		if err := buildScaleCorpus(ctx, path+".tmp", n); err != nil {
			b.Fatalf("build corpus of %d: %v", n, err)
		}
		for _, sfx := range []string{"-wal", "-shm"} {
			os.Remove(path + ".tmp" + sfx)
		}
		if err := os.Rename(path+".tmp", path); err != nil {
			b.Fatal(err)
		}
		b.Logf("built a corpus of %d articles in %v", n, time.Since(start).Round(time.Second))
	}
	start := time.Now()
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	if d := time.Since(start); d > time.Second {
		b.Logf("opened (migrated) the corpus of %d in %v", n, d.Round(time.Millisecond))
	}
	f := &scaleFix{n: n, path: path, db: db}
	if err := f.load(ctx); err != nil {
		b.Fatal(err)
	}
	if scaleCache.fixs == nil {
		scaleCache.fixs = map[int]*scaleFix{}
	}
	scaleCache.fixs[n] = f
	return f
}

func (f *scaleFix) load(ctx context.Context) error {
	secs, err := f.db.Sections(ctx)
	if err != nil {
		return err
	}
	for _, s := range secs {
		if s.ParentID == 0 {
			f.regions = append(f.regions, s.ID)
		} else {
			f.countries = append(f.countries, s.ID)
		}
	}
	r := f.db.Reader()
	ids, err := scanInts(ctx, r, `SELECT entity_id FROM article_entities GROUP BY entity_id ORDER BY count(*) DESC, entity_id`)
	if err != nil {
		return err
	}
	f.entities = ids
	if f.sources, err = scanInts(ctx, r, `SELECT id FROM sources ORDER BY id`); err != nil {
		return err
	}
	// Published articles spread over the corpus, the newest most.
	var sample []int64
	rng := rand.New(rand.NewPCG(7, uint64(f.n)))
	for range 300 {
		k := f.n - 1 - int(rng.ExpFloat64()*float64(f.n)/20)
		sample = append(sample, int64(max(k, 0)+1))
	}
	arts, _, err := f.db.Articles(ctx, newsdesk.ArticleFilter{IDs: sample, Limit: len(sample)})
	if err != nil {
		return err
	}
	f.articles = arts
	if len(arts) < 100 || len(f.entities) < 100 || len(f.countries) == 0 {
		return fmt.Errorf("corpus too small: %d articles, %d entities", len(arts), len(f.entities))
	}
	return nil
}

func scanInts(ctx context.Context, db *sql.DB, query string, args ...any) ([]int64, error) {
	rows, err := db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var v int64
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// buildScaleCorpus writes n articles from 30 sources over two years, filed
// under 4 regions of 5 countries, each naming 2–6 of 3000 entities
// (popularity Zipf-distributed), grouped into stories, 3% near-copies and
// 1% unpublished, all published ones in the full-text index; and read
// events over the last 30 days (100k + n/2 of them, mostly of recent
// articles).
func buildScaleCorpus(ctx context.Context, path string, n int) error {
	os.Remove(path)
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		return err
	}
	defer db.Close()
	var countries []int64
	regionOf := map[int64]int64{}
	for r := range 4 {
		region := &newsdesk.Section{Slug: fmt.Sprintf("region-%d", r), Name: fmt.Sprintf("Region %d", r), Position: r}
		if err := db.CreateSection(ctx, region); err != nil {
			return err
		}
		for c := range 5 {
			s := &newsdesk.Section{Slug: fmt.Sprintf("country-%d-%d", r, c), Name: fmt.Sprintf("Country %d-%d", r, c), ParentID: region.ID, Position: c}
			if err := db.CreateSection(ctx, s); err != nil {
				return err
			}
			countries = append(countries, s.ID)
			regionOf[s.ID] = region.ID
		}
	}
	var sources []*newsdesk.Source
	for i := range scaleSources {
		s := &newsdesk.Source{Name: fmt.Sprintf("Wire %d", i), Kind: newsdesk.SourceFeed, URL: fmt.Sprintf("https://wire%d.example/feed", i)}
		if err := db.CreateSource(ctx, s); err != nil {
			return err
		}
		sources = append(sources, s)
	}
	type ent struct {
		id   int64
		name string
	}
	ents := make([]ent, scaleEntities)
	for i := range ents {
		e := &newsdesk.Entity{Kind: newsdesk.EntityPerson, Name: capital(scaleWord(i+500)) + " " + capital(scaleWord(i*7+900))}
		if err := db.CreateEntity(ctx, e); err != nil {
			return err
		}
		ents[i] = ent{e.ID, e.Name}
	}

	rng := rand.New(rand.NewPCG(1, uint64(n)))
	words := rand.NewZipf(rand.New(rand.NewPCG(2, uint64(n))), 1.07, 2, scaleVocab-1)
	entZipf := rand.NewZipf(rand.New(rand.NewPCG(3, uint64(n))), 1.05, 8, scaleEntities-1)
	text := func(k int) string {
		w := make([]string, k)
		for i := range w {
			w[i] = scaleWord(int(words.Uint64()))
		}
		return strings.Join(w, " ")
	}
	start := scaleEnd.Add(-scaleSpan)
	step := scaleSpan / time.Duration(n)
	publishedAt := func(i int) time.Time {
		return start.Add(time.Duration(i+1)*step + time.Duration(rng.Int64N(int64(2*time.Hour))) - time.Hour)
	}

	w := db.Writer()
	type storyAgg struct {
		articles, first int
		firstAt, lastAt int64
		sources         map[string]bool
	}
	stories := map[int64]*storyAgg{}
	storyOf := make([]int64, n+1)
	published := make([]bool, n+1)
	var nextStory int64
	const chunk = 20000
	for lo := 1; lo <= n; lo += chunk {
		tx, err := w.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		prep := func(q string) *sql.Stmt {
			if err != nil {
				return nil
			}
			var st *sql.Stmt
			st, err = tx.PrepareContext(ctx, q)
			return st
		}
		insStory := prep(`INSERT INTO stories (id, title, created_at) VALUES (?, ?, ?)`)
		insArt := prep(`INSERT INTO articles (id, source_id, story_id, status, published_at, updated_at, fetched_at, duplicate_of,
			simhash, source_name, guid, url, slug, language, fingerprint, headline, author, lede, body, text)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'en', ?, ?, ?, ?, ?, ?)`)
		insSec := prep(`INSERT OR IGNORE INTO article_sections (article_id, section_id, position) VALUES (?, ?, ?)`)
		insEnt := prep(`INSERT OR IGNORE INTO article_entities (article_id, entity_id, mentions, position) VALUES (?, ?, ?, ?)`)
		insFTS := prep(`INSERT INTO search (rowid, headline, lede, body, entities) VALUES (?, ?, ?, ?, ?)`)
		if err != nil {
			tx.Rollback()
			return err
		}
		for i := lo; i < min(lo+chunk, n+1); i++ {
			src := sources[int(rng.ExpFloat64()*6)%len(sources)]
			pub := publishedAt(i)
			headline, lede, body := text(8), text(25), text(80)
			status := "published"
			if rng.IntN(100) == 0 {
				status = "unpublished"
			}
			var dup int64
			story := int64(0)
			if i > 50 && rng.IntN(100) < 40 {
				story = storyOf[i-1-rng.IntN(50)]
				if rng.IntN(100) < 8 {
					dup = int64(i - 1 - rng.IntN(20))
				}
			}
			if story == 0 {
				nextStory++
				story = nextStory
				if _, err := insStory.ExecContext(ctx, story, headline, pub.UnixMicro()); err != nil {
					tx.Rollback()
					return err
				}
				stories[story] = &storyAgg{sources: map[string]bool{}}
			}
			storyOf[i] = story
			fp := fmt.Sprintf("fp-%d", i)
			if dup != 0 {
				fp = fmt.Sprintf("fp-%d", dup)
			}
			if _, err := insArt.ExecContext(ctx, i, src.ID, story, status, pub.UnixMicro(), pub.UnixMicro(), pub.UnixMicro(), dup,
				int64(rng.Uint64()), src.Name, fmt.Sprintf("g%d", i), fmt.Sprintf("https://wire.example/a/%d", i),
				newsdesk.Slugify(headline), fp, headline, "A. Writer", lede, "<p>"+body+"</p>", body); err != nil {
				tx.Rollback()
				return err
			}
			country := countries[int(rng.ExpFloat64()*5)%len(countries)]
			if _, err := insSec.ExecContext(ctx, i, country, 0); err != nil {
				tx.Rollback()
				return err
			}
			if rng.IntN(3) == 0 {
				if _, err := insSec.ExecContext(ctx, i, countries[rng.IntN(len(countries))], 1); err != nil {
					tx.Rollback()
					return err
				}
			}
			var names []string
			for p := range 2 + rng.IntN(5) {
				e := ents[entZipf.Uint64()]
				if _, err := insEnt.ExecContext(ctx, i, e.id, 1+rng.IntN(4), p); err != nil {
					tx.Rollback()
					return err
				}
				names = append(names, e.name)
			}
			if status == "published" {
				published[i] = true
				if _, err := insFTS.ExecContext(ctx, i, headline, lede, body, strings.Join(names, " ")); err != nil {
					tx.Rollback()
					return err
				}
				s := stories[story]
				s.articles++
				s.sources[src.Name] = true
				if s.first == 0 {
					s.first, s.firstAt = i, pub.UnixMicro()
				}
				s.firstAt, s.lastAt = min(s.firstAt, pub.UnixMicro()), max(s.lastAt, pub.UnixMicro())
			}
		}
		if err := tx.Commit(); err != nil {
			return err
		}
	}
	tx, err := w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	upd, err := tx.PrepareContext(ctx, `UPDATE stories SET articles = ?, sources = ?, first_at = ?, last_at = ?, first_article_id = ? WHERE id = ?`)
	if err != nil {
		tx.Rollback()
		return err
	}
	for id, s := range stories {
		if _, err := upd.ExecContext(ctx, s.articles, len(s.sources), s.firstAt, s.lastAt, s.first, id); err != nil {
			tx.Rollback()
			return err
		}
	}
	// Reads: mostly of articles published shortly before the read.
	reads := 100000 + n/2
	ins, err := tx.PrepareContext(ctx, `INSERT OR IGNORE INTO read_events (reader_id, article_id, at) VALUES (?, ?, ?)`)
	if err != nil {
		tx.Rollback()
		return err
	}
	readers := 20000 + n/20
	for range reads {
		at := scaleEnd.Add(-time.Duration(rng.Int64N(int64(30 * 24 * time.Hour))))
		k := int(float64(at.Sub(start))/float64(step)) - int(rng.ExpFloat64()*float64(max(int(24*time.Hour/step), 1)))
		k = min(max(k, 1), n)
		if !published[k] {
			continue
		}
		reader := fmt.Sprintf("r%06d", int(rng.ExpFloat64()*float64(readers)/4)%readers)
		if _, err := ins.ExecContext(ctx, reader, k, at.UnixMicro()); err != nil {
			tx.Rollback()
			return err
		}
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	return sqlite.RebuildRivers(ctx, db)
}

// measure runs fn in a b.Loop and reports the p50 and p99 of its calls.
func measure(b *testing.B, fn func(i int) error) {
	var durs []time.Duration
	i := 0
	for b.Loop() {
		t := time.Now()
		if err := fn(i); err != nil {
			b.Fatal(err)
		}
		durs = append(durs, time.Since(t))
		i++
	}
	slices.Sort(durs)
	us := func(q float64) float64 {
		return float64(durs[min(int(q*float64(len(durs))), len(durs)-1)]) / float64(time.Microsecond)
	}
	b.ReportMetric(us(0.5), "p50-us")
	b.ReportMetric(us(0.99), "p99-us")
}

// scaleQuery is one query of the site, its parameters chosen by i.
type scaleQuery struct {
	name string
	fn   func(ctx context.Context, i int) error
}

func (f *scaleFix) queries() []scaleQuery {
	db := f.db
	articles := func(fl newsdesk.ArticleFilter) error {
		arts, _, err := db.Articles(context.Background(), fl)
		if err == nil && len(arts) == 0 && fl.Offset == 0 {
			err = fmt.Errorf("no articles for %+v", fl)
		}
		return err
	}
	ent := func(i int, top int) int64 { return f.entities[(i*37)%min(top, len(f.entities))] }
	common := []string{scaleWord(3), scaleWord(8), scaleWord(15), scaleWord(30)}
	medium := []string{scaleWord(300), scaleWord(700), scaleWord(1200), scaleWord(2500)}
	rare := []string{scaleWord(9000), scaleWord(15000), scaleWord(20000), scaleWord(30000)}
	search := func(q newsdesk.SearchQuery) error {
		_, err := db.Search(context.Background(), q)
		return err
	}
	monthAgo := scaleEnd.Add(-30 * 24 * time.Hour)
	yearAgo := scaleEnd.Add(-365 * 24 * time.Hour)
	yearAgoEnd := yearAgo.Add(30 * 24 * time.Hour)
	finder := related.New(db)
	finder.Now = func() time.Time { return scaleEnd }
	return []scaleQuery{
		{"river", func(ctx context.Context, i int) error {
			return articles(newsdesk.ArticleFilter{ExcludeDuplicates: true, Limit: 20})
		}},
		{"river-page5", func(ctx context.Context, i int) error {
			return articles(newsdesk.ArticleFilter{ExcludeDuplicates: true, Offset: 80, Limit: 20})
		}},
		{"section-region", func(ctx context.Context, i int) error {
			id := f.regions[i%len(f.regions)]
			return articles(newsdesk.ArticleFilter{SectionID: &id, ExcludeDuplicates: true, Limit: 20})
		}},
		{"section-country", func(ctx context.Context, i int) error {
			id := f.countries[i%len(f.countries)]
			return articles(newsdesk.ArticleFilter{SectionID: &id, ExcludeDuplicates: true, Limit: 20})
		}},
		{"section-block", func(ctx context.Context, i int) error {
			id := f.regions[i%len(f.regions)]
			return articles(newsdesk.ArticleFilter{SectionID: &id, ExcludeDuplicates: true, Limit: 6})
		}},
		{"entity-popular", func(ctx context.Context, i int) error {
			id := ent(i, 10)
			return articles(newsdesk.ArticleFilter{EntityID: &id, ExcludeDuplicates: true, Limit: 20})
		}},
		{"entity-any", func(ctx context.Context, i int) error {
			id := ent(i, 1000)
			return articles(newsdesk.ArticleFilter{EntityID: &id, ExcludeDuplicates: true, Limit: 20})
		}},
		{"related-entities", func(ctx context.Context, i int) error {
			a := f.articles[i%len(f.articles)]
			var ids []int64
			for _, e := range a.Entities[:min(5, len(a.Entities))] {
				ids = append(ids, e.ID)
			}
			since := a.PublishedAt.Add(-30 * 24 * time.Hour)
			_, _, err := db.Articles(ctx, newsdesk.ArticleFilter{AnyEntity: ids, Since: &since, Limit: 60})
			return err
		}},
		{"any-entity-nodate", func(ctx context.Context, i int) error {
			a := f.articles[i%len(f.articles)]
			var ids []int64
			for _, e := range a.Entities {
				ids = append(ids, e.ID)
			}
			return articles(newsdesk.ArticleFilter{AnyEntity: ids, ExcludeDuplicates: true, Limit: 10})
		}},
		{"story", func(ctx context.Context, i int) error {
			sid := f.articles[i%len(f.articles)].StoryID
			_, _, err := db.Articles(ctx, newsdesk.ArticleFilter{StoryID: &sid, Oldest: true, Limit: 11})
			return err
		}},
		{"article", func(ctx context.Context, i int) error {
			_, err := db.Article(ctx, f.articles[i%len(f.articles)].ID)
			return err
		}},
		{"related-finder", func(ctx context.Context, i int) error {
			_, err := finder.Related(ctx, f.articles[i%len(f.articles)], 8)
			return err
		}},
		{"search-common", func(ctx context.Context, i int) error {
			return search(newsdesk.SearchQuery{Text: common[i%4], Sort: newsdesk.SortRelevance, Limit: 20})
		}},
		{"search-medium", func(ctx context.Context, i int) error {
			return search(newsdesk.SearchQuery{Text: medium[i%4], Sort: newsdesk.SortRelevance, Limit: 20})
		}},
		{"search-rare", func(ctx context.Context, i int) error {
			return search(newsdesk.SearchQuery{Text: rare[i%4], Sort: newsdesk.SortRelevance, Limit: 20})
		}},
		{"search-two-words", func(ctx context.Context, i int) error {
			return search(newsdesk.SearchQuery{Text: medium[i%4] + " " + common[(i+1)%4], Sort: newsdesk.SortRelevance, Limit: 20})
		}},
		{"search-newest", func(ctx context.Context, i int) error {
			return search(newsdesk.SearchQuery{Text: medium[i%4], Sort: newsdesk.SortNewest, Limit: 20})
		}},
		{"search-common-newest", func(ctx context.Context, i int) error {
			return search(newsdesk.SearchQuery{Text: common[i%4], Sort: newsdesk.SortNewest, Limit: 20})
		}},
		{"search-month", func(ctx context.Context, i int) error {
			return search(newsdesk.SearchQuery{Text: medium[i%4], From: &monthAgo, Sort: newsdesk.SortRelevance, Limit: 20})
		}},
		{"search-common-month", func(ctx context.Context, i int) error {
			return search(newsdesk.SearchQuery{Text: common[i%4], From: &monthAgo, Sort: newsdesk.SortRelevance, Limit: 20})
		}},
		{"search-year-ago-newest", func(ctx context.Context, i int) error {
			return search(newsdesk.SearchQuery{Text: medium[i%4], From: &yearAgo, To: &yearAgoEnd, Sort: newsdesk.SortNewest, Limit: 20})
		}},
		// As the site and the related and recommend packages call them now:
		// counted up to the pages a list shows, or not at all.
		{"river-capped", func(ctx context.Context, i int) error {
			return articles(newsdesk.ArticleFilter{ExcludeDuplicates: true, Limit: 20, MaxTotal: 10000})
		}},
		{"section-region-capped", func(ctx context.Context, i int) error {
			id := f.regions[i%len(f.regions)]
			return articles(newsdesk.ArticleFilter{SectionID: &id, ExcludeDuplicates: true, Limit: 20, MaxTotal: 10000})
		}},
		{"entity-popular-capped", func(ctx context.Context, i int) error {
			id := ent(i, 10)
			return articles(newsdesk.ArticleFilter{EntityID: &id, ExcludeDuplicates: true, Limit: 20, MaxTotal: 10000})
		}},
		{"section-block-nototal", func(ctx context.Context, i int) error {
			id := f.regions[i%len(f.regions)]
			return articles(newsdesk.ArticleFilter{SectionID: &id, ExcludeDuplicates: true, Limit: 6, NoTotal: true})
		}},
		{"related-entities-nototal", func(ctx context.Context, i int) error {
			a := f.articles[i%len(f.articles)]
			var ids []int64
			for _, e := range a.Entities[:min(5, len(a.Entities))] {
				ids = append(ids, e.ID)
			}
			since := a.PublishedAt.Add(-30 * 24 * time.Hour)
			_, _, err := db.Articles(ctx, newsdesk.ArticleFilter{AnyEntity: ids, Since: &since, Limit: 60, NoTotal: true})
			return err
		}},
		{"search-common-capped", func(ctx context.Context, i int) error {
			return search(newsdesk.SearchQuery{Text: common[i%4], Sort: newsdesk.SortRelevance, Limit: 20, MaxTotal: 1000})
		}},
		{"search-medium-nototal", func(ctx context.Context, i int) error {
			return search(newsdesk.SearchQuery{Text: medium[i%4], Sort: newsdesk.SortRelevance, Limit: 20, NoTotal: true})
		}},
		{"mostread-day", func(ctx context.Context, i int) error {
			_, err := db.MostRead(ctx, 0, scaleEnd.Add(-24*time.Hour), 10)
			return err
		}},
		{"mostread-section-week", func(ctx context.Context, i int) error {
			_, err := db.MostRead(ctx, f.regions[i%len(f.regions)], scaleEnd.Add(-7*24*time.Hour), 6)
			return err
		}},
		{"coread", func(ctx context.Context, i int) error {
			_, err := db.CoRead(ctx, []int64{f.articles[i%len(f.articles)].ID}, scaleEnd.Add(-30*24*time.Hour), 10)
			return err
		}},
	}
}

func BenchmarkScale(b *testing.B) {
	for _, n := range scaleSizes(b) {
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			f := scaleFixture(b, n)
			for _, q := range f.queries() {
				b.Run(q.name, func(b *testing.B) {
					ctx := b.Context()
					measure(b, func(i int) error { return q.fn(ctx, i) })
				})
			}
			b.Run("upsert50", func(b *testing.B) { f.benchUpsert(b) })
		})
	}
}

// benchUpsert stores batches of 50 new articles, filed and tagged like the
// corpus, into a copy of the corpus; it reports the cost per article.
func (f *scaleFix) benchUpsert(b *testing.B) {
	ctx := b.Context()
	path := filepath.Join(b.TempDir(), "copy.db")
	if err := f.db.Close(); err != nil { // checkpoint, so the file is whole
		b.Fatal(err)
	}
	if err := copyFile(f.path, path); err != nil {
		b.Fatal(err)
	}
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	if f.db, err = sqlite.Open(ctx, f.path); err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(9, 9))
	words := rand.NewZipf(rand.New(rand.NewPCG(10, 10)), 1.07, 2, scaleVocab-1)
	text := func(k int) string {
		w := make([]string, k)
		for i := range w {
			w[i] = scaleWord(int(words.Uint64()))
		}
		return strings.Join(w, " ")
	}
	k := 0
	var durs []time.Duration
	for b.Loop() {
		batch := make([]*newsdesk.Article, 50)
		for i := range batch {
			k++
			body := text(80)
			batch[i] = &newsdesk.Article{
				GUID: fmt.Sprintf("new-%d", k), URL: fmt.Sprintf("https://wire.example/new/%d", k),
				Headline: text(8), Lede: text(25), Body: "<p>" + body + "</p>", Text: body, Language: "en",
				PublishedAt: scaleEnd.Add(time.Duration(k) * time.Second), Fingerprint: fmt.Sprintf("new-%d", k),
				Sections: []newsdesk.SectionRef{{ID: f.countries[rng.IntN(len(f.countries))]}},
				Entities: []newsdesk.EntityRef{{ID: f.entities[rng.IntN(50)], Mentions: 2},
					{ID: f.entities[rng.IntN(len(f.entities))], Mentions: 1}, {ID: f.entities[rng.IntN(len(f.entities))], Mentions: 1}},
			}
		}
		t := time.Now()
		if _, err := db.UpsertArticles(ctx, f.sources[rng.IntN(len(f.sources))], batch); err != nil {
			b.Fatal(err)
		}
		docs := make([]newsdesk.SearchDoc, len(batch))
		for i, a := range batch {
			docs[i] = newsdesk.SearchDoc{ArticleID: a.ID, Headline: a.Headline, Lede: a.Lede, Body: a.Text}
		}
		if err := db.IndexArticles(ctx, docs); err != nil {
			b.Fatal(err)
		}
		durs = append(durs, time.Since(t))
	}
	slices.Sort(durs)
	b.ReportMetric(float64(durs[len(durs)/2])/float64(time.Microsecond)/50, "p50-us/article")
	b.ReportMetric(float64(durs[min(len(durs)*99/100, len(durs)-1)])/float64(time.Microsecond)/50, "p99-us/article")
}

func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(to)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
