package recommend_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"newsdesk"
	"newsdesk/recommend"
	"newsdesk/store/sqlite"
)

var now = time.Date(2025, 3, 10, 12, 0, 0, 0, time.UTC)

// countingStore is the real store, counting the queries Recommend makes.
type countingStore struct {
	newsdesk.Store
	n      atomic.Int64
	briefs atomic.Int64 // candidates whose briefs were read
}

func (c *countingStore) ReadHistory(ctx context.Context, id string, limit int) ([]newsdesk.ReadEvent, error) {
	c.n.Add(1)
	return c.Store.ReadHistory(ctx, id, limit)
}

func (c *countingStore) CoRead(ctx context.Context, ids []int64, since time.Time, limit int) ([]newsdesk.ArticleCount, error) {
	c.n.Add(1)
	return c.Store.CoRead(ctx, ids, since, limit)
}

func (c *countingStore) MostRead(ctx context.Context, sec int64, since time.Time, limit int) ([]newsdesk.ArticleCount, error) {
	c.n.Add(1)
	return c.Store.MostRead(ctx, sec, since, limit)
}

func (c *countingStore) Articles(ctx context.Context, f newsdesk.ArticleFilter) ([]*newsdesk.Article, int, error) {
	c.n.Add(1)
	return c.Store.Articles(ctx, f)
}

func (c *countingStore) Article(ctx context.Context, id int64) (*newsdesk.Article, error) {
	c.n.Add(1)
	return c.Store.Article(ctx, id)
}

func (c *countingStore) ArticleBriefs(ctx context.Context, f newsdesk.ArticleFilter) ([]newsdesk.ArticleBrief, error) {
	c.n.Add(1)
	c.briefs.Add(int64(len(f.IDs)))
	return c.Store.(newsdesk.BriefStore).ArticleBriefs(ctx, f)
}

// cardsOnly hides the store's briefs: candidates are read as cards.
type cardsOnly struct{ newsdesk.Store }

type fixture struct {
	t        testing.TB
	ctx      context.Context
	db       *sqlite.DB
	src      int64
	sections map[string]newsdesk.SectionRef
	n        int
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, t.TempDir()+"/x.db")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	f := &fixture{t: t, ctx: ctx, db: db, sections: map[string]newsdesk.SectionRef{}}
	for _, name := range []string{"Iraq", "Iran", "Syria"} {
		s := &newsdesk.Section{Name: name, Slug: strings.ToLower(name)}
		if err := db.CreateSection(ctx, s); err != nil {
			t.Fatal(err)
		}
		f.sections[name] = newsdesk.SectionRef{ID: s.ID, Slug: s.Slug, Name: s.Name}
	}
	src := &newsdesk.Source{Name: "Wire", Kind: newsdesk.SourceFeed, URL: "https://wire.example/feed"}
	if err := db.CreateSource(ctx, src); err != nil {
		t.Fatal(err)
	}
	f.src = src.ID
	return f
}

// add stores a published article of the section, in story's story when
// story is not nil.
func (f *fixture) add(headline, section string, age time.Duration, story *newsdesk.Article) *newsdesk.Article {
	f.t.Helper()
	f.n++
	a := &newsdesk.Article{
		GUID:        fmt.Sprintf("urn:rec:%d", f.n),
		Headline:    headline,
		Lede:        headline + ".",
		PublishedAt: now.Add(-age),
		Fingerprint: fmt.Sprintf("fp%d", f.n),
		Sections:    []newsdesk.SectionRef{f.sections[section]},
	}
	if story != nil {
		a.StoryID = story.StoryID
	}
	if _, err := f.db.UpsertArticles(f.ctx, f.src, []*newsdesk.Article{a}); err != nil {
		f.t.Fatal(err)
	}
	return a
}

// read records that each reader read the articles, ago before now, the
// later articles later.
func (f *fixture) read(readers []string, ago time.Duration, arts ...*newsdesk.Article) {
	f.t.Helper()
	for _, r := range readers {
		for i, a := range arts {
			at := now.Add(-ago + time.Duration(i)*time.Minute)
			if err := f.db.RecordRead(f.ctx, newsdesk.ReadEvent{ReaderID: r, ArticleID: a.ID, At: at}); err != nil {
				f.t.Fatal(err)
			}
		}
	}
}

func readers(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s-%d", prefix, i)
	}
	return out
}

func (f *fixture) recommender() (*recommend.Recommender, *countingStore) {
	cs := &countingStore{Store: f.db}
	return recommend.New(cs, func() time.Time { return now }), cs
}

func recIDs(recs []newsdesk.Recommendation) []int64 {
	out := make([]int64, len(recs))
	for i, r := range recs {
		out[i] = r.Article.ID
	}
	return out
}

func describe(recs []newsdesk.Recommendation) []string {
	out := make([]string, len(recs))
	for i, r := range recs {
		out[i] = fmt.Sprintf("%d %q (%s)", r.Article.ID, r.Article.Headline, r.Reason)
	}
	return out
}

// checkList asserts what holds for every list: no article read or current,
// no article twice, at most one per story, only published articles.
func checkList(t *testing.T, recs []newsdesk.Recommendation, limit int, never ...*newsdesk.Article) {
	t.Helper()
	if len(recs) > limit {
		t.Errorf("%d recommendations, limit %d", len(recs), limit)
	}
	seen := map[int64]bool{}
	stories := map[int64]int64{}
	for _, r := range recs {
		a := r.Article
		for _, x := range never {
			if a.ID == x.ID {
				t.Errorf("article %d %q recommended: it is read or current", a.ID, a.Headline)
			}
		}
		if seen[a.ID] {
			t.Errorf("article %d twice", a.ID)
		}
		seen[a.ID] = true
		if other, ok := stories[a.StoryID]; ok {
			t.Errorf("articles %d and %d of the same story %d", other, a.ID, a.StoryID)
		}
		stories[a.StoryID] = a.ID
		if a.Status != newsdesk.StatusPublished {
			t.Errorf("article %d is %s", a.ID, a.Status)
		}
		if r.Reason == "" {
			t.Errorf("article %d without a reason", a.ID)
		}
	}
}

func TestRecommendWithHistory(t *testing.T) {
	f := newFixture(t)
	read1 := f.add("Maliki forms cabinet", "Iraq", 20*time.Hour, nil)
	read2 := f.add("Rouhani visits Ankara", "Iran", 10*time.Hour, nil)
	current := f.add("Basra oil exports rise", "Iraq", 2*time.Hour, nil)
	// Co-read with read1: two articles of one story and one of another.
	s1 := f.add("Sadr rejects cabinet list", "Iraq", 15*time.Hour, nil)
	s1b := f.add("Sadr bloc walks out of parliament", "Iraq", 14*time.Hour, s1)
	other := f.add("Kurdish parties back new cabinet", "Iraq", 16*time.Hour, nil)
	// Co-read with read2.
	iran := f.add("Turkey and Iran sign gas deal", "Iran", 9*time.Hour, nil)
	// Popular today, read with neither.
	popular := f.add("Storm closes Gulf ports", "Syria", 5*time.Hour, nil)

	f.read(readers("a", 6), 12*time.Hour, read1, s1, s1b)
	f.read(readers("b", 3), 11*time.Hour, read1, other)
	f.read(readers("c", 4), 8*time.Hour, read2, iran)
	f.read(readers("p", 12), 4*time.Hour, popular)
	f.read([]string{"me"}, 3*time.Hour, read1, read2, current)

	_, cs := f.recommender()
	// Candidates scored on their briefs, or read whole from a store
	// without briefs: the same list.
	for _, store := range []newsdesk.Store{cs, cardsOnly{cs}} {
		cs.n.Store(0)
		checkWithHistory(t, recommend.New(store, func() time.Time { return now }), f, cs, read1, read2, current, s1, s1b, other, iran, popular)
	}
}

func checkWithHistory(t *testing.T, r *recommend.Recommender, f *fixture, cs *countingStore, read1, read2, current, s1, s1b, other, iran, popular *newsdesk.Article) {
	t.Helper()
	recs, err := r.Recommend(f.ctx, "me", current, 5)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("recommendations: %s; %d queries", describe(recs), cs.n.Load())
	checkList(t, recs, 5, read1, read2, current)
	got := recIDs(recs)
	for _, want := range []*newsdesk.Article{iran, other, popular} {
		if !slices.Contains(got, want.ID) {
			t.Errorf("article %d %q missing", want.ID, want.Headline)
		}
	}
	if slices.Contains(got, s1.ID) == slices.Contains(got, s1b.ID) {
		t.Errorf("want exactly one of story %d's articles %d and %d", s1.StoryID, s1.ID, s1b.ID)
	}
	because := 0
	for _, rec := range recs {
		if rec.BecauseOf == nil {
			continue
		}
		because++
		if rec.BecauseOf.ID != read1.ID && rec.BecauseOf.ID != read2.ID {
			t.Errorf("article %d is recommended because of %d, which the reader did not read", rec.Article.ID, rec.BecauseOf.ID)
		}
		if want := "Because you read “" + rec.BecauseOf.Headline + "”"; rec.Reason != want {
			t.Errorf("reason %q, want %q", rec.Reason, want)
		}
	}
	if because < 3 {
		t.Errorf("%d recommendations with a read behind them, want at least 3", because)
	}
	for _, rec := range recs {
		switch rec.Article.ID {
		case iran.ID:
			if rec.BecauseOf == nil || rec.BecauseOf.ID != read2.ID {
				t.Errorf("article %d should be recommended because of %d: %+v", iran.ID, read2.ID, rec.Reason)
			}
		case other.ID, s1.ID, s1b.ID:
			if rec.BecauseOf == nil || rec.BecauseOf.ID != read1.ID {
				t.Errorf("article %d should be recommended because of %d: %+v", rec.Article.ID, read1.ID, rec.Reason)
			}
		case popular.ID:
			if rec.BecauseOf != nil || rec.Reason != "Most read today" {
				t.Errorf("popular article %d: reason %q, because of %v", popular.ID, rec.Reason, rec.BecauseOf)
			}
		}
	}
	if n := cs.n.Load(); n > 10 {
		t.Errorf("%d queries for one list, want at most 10", n)
	}
}

// popularFixture has most-read articles in Iraq, elsewhere, and unread
// ones.
type popularFixture struct {
	*fixture
	current, iraq1, iraq2, iraqStory, syria, iran, unread *newsdesk.Article
}

func newPopularFixture(t *testing.T) *popularFixture {
	f := &popularFixture{fixture: newFixture(t)}
	f.current = f.add("Mosul dam repairs begin", "Iraq", time.Hour, nil)
	f.iraq1 = f.add("Baghdad marathon draws thousands", "Iraq", 10*time.Hour, nil)
	f.iraq2 = f.add("Erbil airport expands", "Iraq", 20*time.Hour, nil)
	f.iraqStory = f.add("Baghdad marathon winner interviewed", "Iraq", 9*time.Hour, f.iraq1)
	f.syria = f.add("Aleppo souk rebuilt", "Syria", 5*time.Hour, nil)
	f.iran = f.add("Isfahan bridge restored", "Iran", 6*time.Hour, nil)
	f.unread = f.add("Quiet day in Tabriz", "Iran", 30*time.Minute, nil)
	f.read(readers("x", 8), 6*time.Hour, f.iraq1)
	f.read(readers("y", 5), 6*time.Hour, f.iraq2)
	f.read(readers("z", 7), 6*time.Hour, f.iraqStory)
	f.read(readers("w", 20), 3*time.Hour, f.syria)
	f.read(readers("v", 10), 3*time.Hour, f.iran)
	f.read(readers("u", 30), 3*time.Hour, f.current)
	return f
}

// wantPopular is the list a reader without history gets on current's
// page: the section's most read (current and a second article of a story
// left out), then site-wide, then the newest.
func (f *popularFixture) wantPopular() ([]int64, []string) {
	return []int64{f.iraq1.ID, f.iraq2.ID, f.syria.ID, f.iran.ID, f.unread.ID},
		[]string{"Popular in Iraq", "Popular in Iraq", "Most read today", "Most read today", "Latest news"}
}

func TestRecommendWithoutHistory(t *testing.T) {
	f := newPopularFixture(t)
	r, cs := f.recommender()
	for _, reader := range []string{"new-reader", ""} {
		cs.n.Store(0)
		recs, err := r.Recommend(f.ctx, reader, f.current, 5)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("reader %q: %s; %d queries", reader, describe(recs), cs.n.Load())
		checkList(t, recs, 5, f.current)
		wantIDs, wantReasons := f.wantPopular()
		if got := recIDs(recs); !slices.Equal(got, wantIDs) {
			t.Errorf("reader %q: got %v, want %v", reader, got, wantIDs)
		}
		for i, rec := range recs {
			if i < len(wantReasons) && rec.Reason != wantReasons[i] {
				t.Errorf("reader %q: recommendation %d: reason %q, want %q", reader, i, rec.Reason, wantReasons[i])
			}
			if rec.BecauseOf != nil {
				t.Errorf("reader %q: recommendation %d has a read behind it", reader, i)
			}
		}
		if n := cs.n.Load(); n > 8 {
			t.Errorf("reader %q: %d queries, want at most 8", reader, n)
		}
	}
}

// TestRecommendOptedOut: a reader who opted out has had their history
// erased and is served as a reader without history; without a current
// article the list is site-wide.
func TestRecommendOptedOut(t *testing.T) {
	f := newPopularFixture(t)
	f.read([]string{"gone"}, 2*time.Hour, f.iraq1, f.syria)
	if err := f.db.DeleteReader(f.ctx, "gone"); err != nil {
		t.Fatal(err)
	}
	r, _ := f.recommender()
	recs, err := r.Recommend(f.ctx, "gone", f.current, 5)
	if err != nil {
		t.Fatal(err)
	}
	wantIDs, _ := f.wantPopular()
	if got := recIDs(recs); !slices.Equal(got, wantIDs) {
		t.Errorf("erased reader: got %v, want %v", got, wantIDs)
	}

	recs, err = r.Recommend(f.ctx, "", nil, 3)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("no reader, no article: %s", describe(recs))
	checkList(t, recs, 3)
	if got, want := recIDs(recs), []int64{f.current.ID, f.syria.ID, f.iran.ID}; !slices.Equal(got, want) {
		t.Errorf("no reader, no article: got %v, want %v (most read site-wide)", got, want)
	}
	for _, limit := range []int{0, -1} {
		if recs, err := r.Recommend(f.ctx, "", f.current, limit); err != nil || len(recs) != 0 {
			t.Errorf("limit %d: %v, %v", limit, recs, err)
		}
	}
}

// TestRecommendLongHistory: articles read long ago, beyond the history the
// co-reading looks at, are still never recommended again.
func TestRecommendLongHistory(t *testing.T) {
	f := newPopularFixture(t)
	var old []*newsdesk.Article
	for i := range 60 {
		old = append(old, f.add(fmt.Sprintf("Archive piece %d", i), "Syria", 48*time.Hour, nil))
	}
	f.read(readers("q", 40), 5*time.Hour, old[0]) // the reader's oldest read, now the most read
	f.read([]string{"me"}, 40*time.Hour, old...)
	r, _ := f.recommender()
	recs, err := r.Recommend(f.ctx, "me", f.current, 5)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("recommendations: %s", describe(recs))
	checkList(t, recs, 5, append(old, f.current)...)
}

// TestRecommendCachesCounts: the most read lists and co-reading are shared
// by every reader for a minute, then counted again.
func TestRecommendCachesCounts(t *testing.T) {
	f := newPopularFixture(t)
	clock := now
	cs := &countingStore{Store: f.db}
	r := recommend.New(cs, func() time.Time { return clock })
	first, err := r.Recommend(f.ctx, "a", f.current, 3)
	if err != nil {
		t.Fatal(err)
	}
	cold := cs.n.Load()
	cs.n.Store(0)
	if _, err := r.Recommend(f.ctx, "b", f.current, 3); err != nil {
		t.Fatal(err)
	}
	if warm := cs.n.Load(); warm >= cold {
		t.Errorf("second reader: %d queries, first %d: the most read lists were counted again", warm, cold)
	}
	// A new favourite in Iraq shows once the cached list has expired.
	hit := f.add("Basra port strike ends", "Iraq", time.Hour, nil)
	f.read(readers("late", 40), time.Hour, hit)
	clock = now.Add(2 * time.Minute)
	got, err := r.Recommend(f.ctx, "c", f.current, 3)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("before: %s; after: %s", describe(first), describe(got))
	if len(got) == 0 || got[0].Article.ID != hit.ID {
		t.Errorf("after the cache expired, want the new most read %d first, got %v", hit.ID, recIDs(got))
	}
}

// TestRecommendReadsFewCandidates: candidates are read best bound first
// and only until no unread one can enter the list, which gives the list
// that reading and scoring all of them gives.
func TestRecommendReadsFewCandidates(t *testing.T) {
	f := newFixture(t)
	rng := rand.New(rand.NewPCG(7, 8))
	var reads []*newsdesk.Article
	for i := range 4 {
		reads = append(reads, f.add(fmt.Sprintf("Read %d", i), "Iraq", time.Duration(30+i)*time.Hour, nil))
	}
	var stories []*newsdesk.Article
	for i := range 120 {
		var story *newsdesk.Article
		if len(stories) > 0 && rng.IntN(4) == 0 {
			story = stories[rng.IntN(len(stories))]
		}
		a := f.add(fmt.Sprintf("Candidate %d", i), "Iran", time.Duration(1+rng.IntN(60))*time.Hour, story)
		if story == nil {
			stories = append(stories, a)
		}
		// The first forty are read with the reader's latest read, as often
		// each: only freshness orders them.
		with, n := reads[len(reads)-1], 3
		if i >= 40 {
			with, n = reads[rng.IntN(len(reads)-1)], 2+rng.IntN(3)
		}
		f.read(readers(fmt.Sprintf("c%d", i), n), 20*time.Hour, with, a)
	}
	f.read([]string{"me"}, 10*time.Hour, reads...)
	_, cs := f.recommender()
	list := func(first int) ([]newsdesk.Recommendation, int64) {
		r := recommend.New(cs, func() time.Time { return now })
		recommend.SetFirstRead(r, first)
		cs.briefs.Store(0)
		recs, err := r.Recommend(f.ctx, "me", nil, 6)
		if err != nil {
			t.Fatal(err)
		}
		return recs, cs.briefs.Load()
	}
	all, readAll := list(1 << 20)
	if len(all) != 6 {
		t.Fatalf("%d recommendations, want 6: %s", len(all), describe(all))
	}
	for _, first := range []int{1, 3, 0} {
		got, read := list(first)
		if !slices.Equal(describe(got), describe(all)) {
			t.Errorf("first read %d: %s\nall read: %s", first, describe(got), describe(all))
		}
		if first == 0 && read >= readAll {
			t.Errorf("read %d candidates of %d", read, readAll)
		}
		t.Logf("first read %d: %d of %d candidates read", first, read, readAll)
	}
}
