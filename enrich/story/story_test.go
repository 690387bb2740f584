package story

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"strings"
	"testing"
	"time"
	"unsafe"

	"newsdesk"
	"newsdesk/enrich"
)

var t0 = time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)

func TestJoinAndSeparate(t *testing.T) {
	ctx := context.Background()
	c := New(Options{Threshold: 0.2})
	seed := []*newsdesk.Article{
		{ID: 1, StoryID: 100, Headline: "Iraqi forces surround Camp Ashraf, home of Iranian exiles", PublishedAt: t0},
		{ID: 2, StoryID: 200, Headline: "Turkey's central bank holds interest rate as lira weakens", PublishedAt: t0},
		{ID: 3, StoryID: 300, Headline: "Earthquake shakes southern Iran, killing dozens", PublishedAt: t0,
			Entities: []newsdesk.EntityRef{{ID: 7, Name: "Bushehr"}}},
	}
	c.Stored(ctx, seed)
	tests := []struct {
		name string
		a    *newsdesk.Article
		want int64
	}{
		{"same event", &newsdesk.Article{Headline: "Camp Ashraf surrounded by Iraqi forces, exiles say", PublishedAt: t0.Add(time.Hour)}, 100},
		{"slug carries the words", &newsdesk.Article{Headline: "Bank decision", URL: "https://example.com/markets/turkey-central-bank-holds-rate-lira-2024.html", PublishedAt: t0.Add(time.Hour)}, 200},
		{"shared entity", &newsdesk.Article{Headline: "Quake near Bushehr kills dozens", PublishedAt: t0.Add(time.Hour), Entities: []newsdesk.EntityRef{{ID: 7}}}, 300},
		{"unrelated", &newsdesk.Article{Headline: "Football: Persepolis wins the Tehran derby", PublishedAt: t0.Add(time.Hour)}, 0},
		{"too late", &newsdesk.Article{Headline: "Iraqi forces surround Camp Ashraf again", PublishedAt: t0.Add(100 * time.Hour)}, 0},
		{"copy joins its original", &newsdesk.Article{Headline: "Unrelated words entirely", DuplicateOf: 2, PublishedAt: t0.Add(time.Hour)}, 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ex := &enrich.Explanation{}
			if err := c.Enrich(ctx, tt.a, ex); err != nil {
				t.Fatal(err)
			}
			if tt.a.StoryID != tt.want {
				t.Errorf("StoryID = %d, want %d\n%s", tt.a.StoryID, tt.want, ex)
			}
			if len(ex.Lines) == 0 {
				t.Errorf("no explanation")
			}
		})
	}
}

func TestWindowEviction(t *testing.T) {
	ctx := context.Background()
	c := New(Options{Window: time.Hour, MaxArticles: 10})
	for i := int64(1); i <= 50; i++ {
		c.Stored(ctx, []*newsdesk.Article{{ID: i, StoryID: i, Headline: fmt.Sprintf("headline number %d word%d", i, i), PublishedAt: t0.Add(time.Duration(i) * time.Minute)}})
	}
	st := c.Stats()
	if st.Articles > 10 || st.Stories > 10 {
		t.Errorf("stats %+v, want at most 10 articles and stories", st)
	}
	// Each article has two terms of its own (its number and its word)
	// and shares two: 22 for ten, 102 had nothing been evicted.
	if st.Terms > 22 {
		t.Errorf("%d terms kept for 10 articles", st.Terms)
	}
}

// TestEvictionByTime: articles leave the index by their time, not by the
// order they came in: a feed's backlog, read after newer reports, does not
// keep articles older than the window, and an article already out of the
// window is not indexed.
func TestEvictionByTime(t *testing.T) {
	ctx := context.Background()
	c := New(Options{Window: 72 * time.Hour})
	art := func(id int64, hours int) *newsdesk.Article {
		return &newsdesk.Article{ID: id, StoryID: id, Headline: fmt.Sprintf("report %d on word%d", id, id),
			PublishedAt: t0.Add(time.Duration(hours) * time.Hour)}
	}
	// The newest report first, then a backlog from newest to oldest, as
	// a feed lists it.
	c.Stored(ctx, []*newsdesk.Article{art(1, 200)})
	for i := int64(2); i <= 50; i++ {
		c.Stored(ctx, []*newsdesk.Article{art(i, 200-4*int(i-1))})
	}
	// Reports at 200-4k hours for k = 0..49: those at 128 hours or later
	// (k ≤ 18) are within 72 hours of the newest.
	if st := c.Stats(); st.Articles != 19 || st.Stories != 19 {
		t.Errorf("after the backlog: %+v, want 19 articles and stories", st)
	}
	// Time moves on 40 hours: the reports before 168 hours leave, though
	// they were indexed after the newest one.
	c.Stored(ctx, []*newsdesk.Article{art(51, 240)})
	if st := c.Stats(); st.Articles != 10 {
		t.Errorf("after time moved on: %d articles, want 10 (hours 168..240)", st.Articles)
	}
	// Moved articles leave nothing behind.
	c.Stored(ctx, []*newsdesk.Article{{ID: 51, StoryID: 1, Headline: "report 51 on word51", PublishedAt: t0.Add(240 * time.Hour)}})
	if st := c.Stats(); st.Articles != 10 || st.Stories != 9 {
		t.Errorf("after a move: %+v, want 10 articles in 9 stories", st)
	}
}

func TestBCubedARI(t *testing.T) {
	pred := []int{1, 1, 2, 2, 3}
	gold := []string{"a", "a", "b", "b", "c"}
	if p, r, f := BCubed(pred, gold); p != 1 || r != 1 || f != 1 {
		t.Errorf("perfect clustering: %v %v %v", p, r, f)
	}
	if a := ARI(pred, gold); a != 1 {
		t.Errorf("ARI perfect = %v", a)
	}
	one := []int{1, 1, 1, 1, 1}
	p, r, _ := BCubed(one, gold)
	if r != 1 || p >= 0.5 {
		t.Errorf("one cluster: p %v r %v", p, r)
	}
}

// synthetic fills a clusterer with n articles in stories of about ten,
// over the window, from a Zipf vocabulary.
func synthetic(n int) (*Clusterer, func(i int) *newsdesk.Article) {
	rng := rand.New(rand.NewPCG(1, 2))
	zipf := rand.NewZipf(rng, 1.1, 1, 200_000)
	word := func(k uint64) string { return "w" + fmt.Sprint(k) }
	topic := func(s int) []string {
		r := rand.New(rand.NewPCG(uint64(s), 7))
		ws := make([]string, 6)
		for i := range ws {
			ws[i] = "t" + fmt.Sprint(r.IntN(5_000_000))
		}
		return ws
	}
	mk := func(i int, at time.Time) *newsdesk.Article {
		s := i / 10
		tp := topic(s)
		ws := append([]string{}, tp[:4]...)
		for j := 0; j < 8; j++ {
			ws = append(ws, word(zipf.Uint64()))
		}
		return &newsdesk.Article{ID: int64(i + 1), StoryID: int64(s + 1), Headline: strings.Join(ws, " "), PublishedAt: at, Status: newsdesk.StatusPublished}
	}
	c := New(Options{MaxArticles: n + 1})
	span := 60 * time.Hour
	for i := 0; i < n; i++ {
		c.Stored(context.Background(), []*newsdesk.Article{mk(i, t0.Add(time.Duration(int64(span)*int64(i)/int64(n))))})
	}
	return c, func(i int) *newsdesk.Article {
		a := mk(n-1-i%1000*10, t0.Add(span))
		a.ID, a.StoryID = 0, 0
		return a
	}
}

func benchmarkEnrich(b *testing.B, n int) {
	c, next := synthetic(n)
	ctx := context.Background()
	b.ReportMetric(float64(c.Stats().Stories), "stories")
	i := 0
	runtime.GC() // leave the cost of building the index out of the loop
	b.ResetTimer()
	for b.Loop() {
		a := next(i)
		i++
		if err := c.Enrich(ctx, a, nil); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEnrich10k(b *testing.B)  { benchmarkEnrich(b, 10_000) }
func BenchmarkEnrich100k(b *testing.B) { benchmarkEnrich(b, 100_000) }
func BenchmarkEnrich1M(b *testing.B) {
	if testing.Short() {
		b.Skip("1M articles take a while to generate")
	}
	benchmarkEnrich(b, 1_000_000)
}

// After Forget, an article no longer finds itself in the index.
func TestForget(t *testing.T) {
	c := New(Options{})
	at := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	a := &newsdesk.Article{ID: 1, StoryID: 10, Headline: "Earthquake of magnitude 6.1 strikes eastern Peru",
		Text: "An earthquake of magnitude 6.1 struck eastern Peru on Sunday, damaging houses in several villages.", PublishedAt: at}
	c.Stored(context.Background(), []*newsdesk.Article{a})
	again := *a
	again.StoryID = 0
	if err := c.Enrich(context.Background(), &again, nil); err != nil || again.StoryID != 10 {
		t.Fatalf("before Forget the article joins its own story: %d, %v", again.StoryID, err)
	}
	c.Forget(1)
	again.StoryID = 0
	if err := c.Enrich(context.Background(), &again, nil); err != nil || again.StoryID != 0 {
		t.Errorf("after Forget the article still finds story %d", again.StoryID)
	}
}

// The index keys its term table by its own copies of the terms, so a kept
// term never pins the text (and the feed document) it was cut from.
func TestTermKeysAreCopies(t *testing.T) {
	text := strings.Repeat("x", 1<<16) + " tehran talks"
	v := Vector{text[len(text)-12 : len(text)-6]: 1, text[len(text)-5:]: 1}
	c := New(Options{})
	c.Add(1, 1, v, time.Unix(1_700_000_000, 0))
	start := uintptr(unsafe.Pointer(unsafe.StringData(text)))
	for k := range c.terms {
		p := uintptr(unsafe.Pointer(unsafe.StringData(k)))
		if p >= start && p < start+uintptr(len(text)) {
			t.Errorf("term %q is keyed by a slice of the article's text", k)
		}
	}
}

// Stored indexes an article by what it reads when stored: the vector kept
// from Enrich is used only while the article still reads the same.
func TestStoredRecomputesChangedArticle(t *testing.T) {
	at := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	ctx := context.Background()
	c := New(Options{})
	a := &newsdesk.Article{Headline: "Earthquake of magnitude 6.1 strikes eastern Peru", PublishedAt: at, Status: newsdesk.StatusPublished}
	if err := c.Enrich(ctx, a, nil); err != nil || a.StoryID != 0 {
		t.Fatalf("first article: story %d, %v", a.StoryID, err)
	}
	// Edited between enrichment and storing (as an update would be).
	a.Headline = "Parliament in Oslo passes the fishing quota bill"
	a.ID, a.StoryID = 1, 7
	c.Stored(ctx, []*newsdesk.Article{a})
	quake := &newsdesk.Article{Headline: "Earthquake of magnitude 6.1 strikes eastern Peru", PublishedAt: at.Add(time.Hour)}
	if err := c.Enrich(ctx, quake, nil); err != nil || quake.StoryID != 0 {
		t.Errorf("an article on the first headline joined story %d (the stored article no longer reads so), %v", quake.StoryID, err)
	}
	quota := &newsdesk.Article{Headline: "Parliament in Oslo passes the fishing quota bill", PublishedAt: at.Add(time.Hour)}
	if err := c.Enrich(ctx, quota, nil); err != nil || quota.StoryID != 7 {
		t.Errorf("an article on the stored headline joined story %d, want 7, %v", quota.StoryID, err)
	}
	// Unchanged: the kept vector is used and gives the same index.
	b := &newsdesk.Article{Headline: "Floods close the main road to Cusco", PublishedAt: at, Status: newsdesk.StatusPublished}
	if err := c.Enrich(ctx, b, nil); err != nil {
		t.Fatal(err)
	}
	if !c.computed.Holds(b) {
		t.Fatal("Enrich kept no vector for Stored")
	}
	b.ID, b.StoryID = 2, 8
	c.Stored(ctx, []*newsdesk.Article{b})
	if c.computed.Holds(b) {
		t.Error("Stored left the kept vector behind")
	}
	again := &newsdesk.Article{Headline: "Floods close the main road to Cusco", PublishedAt: at.Add(time.Hour)}
	if err := c.Enrich(ctx, again, nil); err != nil || again.StoryID != 8 {
		t.Errorf("the same headline joined story %d, want 8, %v", again.StoryID, err)
	}
}

// TestOneReportCentroid: a story of one report reads that report's vector
// as its centroid, and scores exactly as it does once the centroid is a
// copy of its own; a second report then adds to the copy.
func TestOneReportCentroid(t *testing.T) {
	ctx := context.Background()
	c := New(Options{})
	first := &newsdesk.Article{ID: 1, StoryID: 100, Headline: "Iraq gives MEK two months to remove property from former camp",
		Lede: "Iraqi officials told the exiles to clear Camp Ashraf.", PublishedAt: t0,
		Entities: []newsdesk.EntityRef{{ID: 7, Name: "MEK"}}}
	c.Stored(ctx, []*newsdesk.Article{first})
	st := c.stories[100]
	if st.cent != nil || st.only() == nil {
		t.Fatalf("a story of one report keeps a centroid of %d terms", len(st.cent))
	}
	v := ArticleVector(&newsdesk.Article{Headline: "MEK told to clear former Iraq camp within two months",
		Lede: "Exiles must remove their property from Camp Ashraf.", Entities: []newsdesk.EntityRef{{ID: 7}}})
	at := t0.Add(time.Hour)
	c.renorm(st) // with the IDF of now, as below
	norm := st.norm
	before := c.Decide(v, at)
	st.materialize()
	if len(st.cent) != len(st.recent[0].terms) || st.only() != nil {
		t.Fatalf("materialized centroid has %d terms, the report %d", len(st.cent), len(st.recent[0].terms))
	}
	c.renorm(st)
	if st.norm != norm {
		t.Errorf("norms %v from the report, %v from the copy", norm, st.norm)
	}
	after := c.Decide(v, at)
	// The query's norms are summed in map order: equal to the last bits.
	if len(before) != 1 || len(after) != 1 || math.Abs(before[0].Score-after[0].Score) > 1e-12 {
		t.Fatalf("scores differ: %+v from the report, %+v from the copy", before, after)
	}
	// A second report joins: its weights add to the first's.
	c.Stored(ctx, []*newsdesk.Article{{ID: 2, StoryID: 100, Headline: "MEK told to clear former Iraq camp", PublishedAt: at}})
	k := c.terms["mek"]
	if i := st.cent.find(k); i < 0 || st.cent[i].w <= ArticleVector(first)["mek"] {
		t.Errorf("the second report's weight for mek did not add to the centroid")
	}
	if st.members != 2 || st.only() != nil {
		t.Errorf("members %d, only %v", st.members, st.only())
	}
}

// TestPostingsBounded: a term every report uses keeps only the postings a
// decision can reach, and still leads to the latest story.
func TestPostingsBounded(t *testing.T) {
	ctx := context.Background()
	c := New(Options{})
	for i := int64(1); i <= 1000; i++ {
		c.Stored(ctx, []*newsdesk.Article{{ID: i, StoryID: i, Headline: fmt.Sprintf("Tehran talks word%d", i),
			PublishedAt: t0.Add(time.Duration(i) * time.Minute)}})
	}
	k := c.terms["tehran"]
	if n := len(k.postings); n >= 2*postingsScanned || cap(k.postings) > 4*postingsScanned {
		t.Errorf("a term of 1000 stories keeps %d postings (capacity %d)", n, cap(k.postings))
	}
	if last := k.postings[len(k.postings)-1]; last.st.id != 1000 {
		t.Errorf("last posting is of story %d, want 1000", last.st.id)
	}
	cands := c.Decide(ArticleVector(&newsdesk.Article{Headline: "Tehran talks word1000"}), t0.Add(1000*time.Minute))
	if len(cands) == 0 || cands[0].StoryID != 1000 {
		t.Errorf("candidates %+v, want story 1000 first", cands)
	}
}
