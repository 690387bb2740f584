package site

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"newsdesk"
	"newsdesk/index"
)

// readers records one view of the article by each of n new readers, at a
// time before testNow.
func (f *fixture) readers(tb testing.TB, a *newsdesk.Article, n int, ago time.Duration) {
	tb.Helper()
	for i := range n {
		id := fmt.Sprintf("r-%d-%d-%d", a.ID, ago, i)
		must(tb, f.db.RecordRead(context.Background(), newsdesk.ReadEvent{ReaderID: id, ArticleID: a.ID, At: testNow.Add(-ago)}))
	}
}

// source returns the fixture's source of that name, creating it.
func (f *fixture) source(tb testing.TB, name string) *newsdesk.Source {
	tb.Helper()
	if s := f.sources[name]; s != nil {
		return s
	}
	s := &newsdesk.Source{Name: name, Kind: newsdesk.SourceFeed, URL: "https://" + strings.ToLower(name) + ".example/rss", Licence: newsdesk.LicenceFull}
	must(tb, f.db.CreateSource(context.Background(), s))
	f.sources[name] = s
	return s
}

// report stores and indexes a report of src in story (0: a story of its own).
func (f *fixture) report(tb testing.TB, src, headline string, ago time.Duration, story int64, entities ...string) *newsdesk.Article {
	tb.Helper()
	ctx := context.Background()
	a := &newsdesk.Article{URL: "https://" + strings.ToLower(src) + ".example/" + newsdesk.Slugify(headline),
		Headline: headline, Lede: headline + ".", Text: headline + ".", Body: "<p>" + headline + ".</p>", Language: "en",
		PublishedAt: testNow.Add(-ago), FetchedAt: testNow, StoryID: story, Sections: []newsdesk.SectionRef{{Slug: "iraq"}}}
	a.GUID = a.URL
	for _, e := range entities {
		a.Entities = append(a.Entities, newsdesk.EntityRef{Name: e, Mentions: 1})
	}
	if _, err := f.db.UpsertArticles(ctx, f.source(tb, src).ID, []*newsdesk.Article{a}); err != nil {
		tb.Fatalf("upsert %q: %v", headline, err)
	}
	got, err := f.db.Article(ctx, a.ID)
	must(tb, err)
	must(tb, index.New(f.db).Index(ctx, []*newsdesk.Article{got}))
	return got
}

func hrefs(s *goquery.Selection) []string {
	var out []string
	s.Each(func(_ int, x *goquery.Selection) {
		h, _ := x.Attr("href")
		h, _ = url.PathUnescape(h)
		out = append(out, h)
	})
	return out
}

func paths(arts ...*newsdesk.Article) []string {
	out := make([]string, len(arts))
	for i, a := range arts {
		out[i] = a.Path()
	}
	return out
}

// checkHeadings asserts that headings never skip a level going down.
func checkHeadings(t *testing.T, page string, d *goquery.Document) {
	t.Helper()
	prev := 0
	d.Find("h1, h2, h3, h4, h5, h6").Each(func(_ int, s *goquery.Selection) {
		level := int(goquery.NodeName(s)[1] - '0')
		if level > prev+1 {
			t.Errorf("%s: %s %q follows h%d", page, goquery.NodeName(s), strings.TrimSpace(s.Text()), prev)
		}
		prev = level
	})
}

func TestMostRead(t *testing.T) {
	f := newFixture(t, 8)
	// The day: the seed most read, then AFP, then Reuters (12 reads).
	f.readers(t, f.seed, 6, time.Hour)
	f.readers(t, f.afp, 4, 2*time.Hour)
	f.readers(t, f.reuters, 2, 20*time.Hour)
	// Older than a day: not counted while the day has enough reads.
	f.readers(t, f.fillers[0], 9, 30*time.Hour)

	d := doc(t, f.get("/"))
	checkLayout(t, d)
	checkHeadings(t, "/", d)
	block := d.Find("aside.rail section.most-read-block")
	if block.Length() != 1 {
		t.Fatal("home: no most-read block in the rail")
	}
	if got := strings.TrimSpace(block.Find("h2").Text()); got != "Most read" {
		t.Errorf("heading = %q", got)
	}
	if got := strings.TrimSpace(block.Find(".period").Text()); got != "In the last 24 hours" {
		t.Errorf("period = %q", got)
	}
	if got, want := hrefs(block.Find("ol.ranked > li > a")), paths(f.seed, f.afp, f.reuters); !slices.Equal(got, want) {
		t.Errorf("most read = %q, want %q", got, want)
	}
	first := block.Find("ol.ranked > li").First()
	if meta := strings.Join(strings.Fields(first.Find(".meta").Text()), " "); !strings.HasPrefix(meta, "CNN · ") || first.Find(".meta time[datetime]").Length() != 1 {
		t.Errorf("item meta = %q, want source and time", meta)
	}

	// New reads change the order once the cached page has expired, not before.
	f.readers(t, f.reuters, 10, time.Hour)
	d = doc(t, f.get("/"))
	if got := hrefs(d.Find(".most-read-block ol.ranked > li > a")); got[0] != f.seed.Path() {
		t.Errorf("cached page changed before its time: %q", got)
	}
	// Past its minute the list is counted again behind the page that
	// still shows it, and the next page shows the new order.
	later := testNow.Add(3 * time.Minute)
	f.h.now = func() time.Time { return later }
	doc(t, f.get("/"))
	f.h.background.Wait()
	f.h.Invalidate()
	d = doc(t, f.get("/"))
	if got, want := hrefs(d.Find(".most-read-block ol.ranked > li > a")), paths(f.reuters, f.seed, f.afp); !slices.Equal(got, want) {
		t.Errorf("after the cache expired: most read = %q, want %q", got, want)
	}
}

func TestMostReadFallsBackToThreeDays(t *testing.T) {
	f := newFixture(t, 8)
	f.readers(t, f.afp, 2, time.Hour)
	f.readers(t, f.fillers[1], 5, 50*time.Hour)
	f.readers(t, f.fillers[0], 3, 40*time.Hour)
	f.readers(t, f.fillers[2], 7, 80*time.Hour) // beyond three days
	d := doc(t, f.get("/"))
	block := d.Find(".most-read-block")
	if got := strings.TrimSpace(block.Find(".period").Text()); got != "In the last 3 days" {
		t.Errorf("period = %q", got)
	}
	if got, want := hrefs(block.Find("ol.ranked > li > a")), paths(f.fillers[1], f.fillers[0], f.afp); !slices.Equal(got, want) {
		t.Errorf("most read = %q, want %q", got, want)
	}

	// Nothing read at all: no block, and the rail still reads well.
	f2 := newFixture(t, 0)
	if d := doc(t, f2.get("/")); d.Find(".most-read-block").Length() != 0 {
		t.Error("empty most-read block shown")
	}
}

func TestMostReadSection(t *testing.T) {
	f := newFixture(t, 8)
	f.readers(t, f.seed, 9, time.Hour) // Iraq
	f.readers(t, f.afp, 3, time.Hour)  // Iran
	f.readers(t, f.persian, 5, time.Hour)
	f.readers(t, f.reuters, 4, 2*time.Hour)
	f.readers(t, f.wire, 1, time.Hour) // Afghanistan

	d := doc(t, f.get("/section/iran"))
	checkLayout(t, d)
	checkHeadings(t, "/section/iran", d)
	block := d.Find("aside.rail section.most-read-block")
	if got := strings.TrimSpace(block.Find("h2").Text()); got != "Most read in Iran" {
		t.Errorf("heading = %q", got)
	}
	if got, want := hrefs(block.Find("ol.ranked > li > a")), paths(f.persian, f.reuters, f.afp); !slices.Equal(got, want) {
		t.Errorf("Iran most read = %q, want %q", got, want)
	}
	if dir, _ := block.Find("ol.ranked > li").First().Attr("dir"); dir != "rtl" {
		t.Errorf("Persian item dir = %q", dir)
	}
	// The region counts its countries' reports.
	d = doc(t, f.get("/section/iran-neighbours"))
	if got, want := hrefs(d.Find(".most-read-block ol.ranked > li > a")), paths(f.seed, f.persian, f.reuters, f.afp, f.wire); !slices.Equal(got, want) {
		t.Errorf("region most read = %q, want %q", got, want)
	}
	// The Gulf: nothing read, no block.
	if d := doc(t, f.get("/section/gulf")); d.Find(".most-read-block").Length() != 0 || d.Find("section.river").Length() != 1 {
		t.Error("Gulf: most-read block without reads, or river lost")
	}
}

// hideStoryReads is the store without its StoryReadCounter, so that the
// site sums story reads from MostRead.
type hideStoryReads struct{ newsdesk.Store }

// trendFixture adds, to the fixture's Reuters+AFP story (two sources in the
// last two hours):
//   - big: six sources between 28 and 10 hours ago, read 25 times the day
//     before; an hour ago a seventh source, and 12 reads in six hours;
//   - growing: three sources in the last two hours, read 4 times;
//   - a single report of twelve hours ago read 12 times in the last six
//     hours (2 the day before).
func trendFixture(t *testing.T) (f *fixture, big, growing *newsdesk.Article, surge *newsdesk.Article) {
	f = newFixture(t, 4)
	big = f.report(t, "BBC", "Parliament debates the oil law", 28*time.Hour, 0)
	for i, src := range []string{"AP", "DW", "Al Jazeera", "France 24", "CNN"} {
		a := f.report(t, src, "Oil law debate continues, part "+strconv.Itoa(i), time.Duration(26-4*i)*time.Hour, big.StoryID)
		f.readers(t, a, 5, time.Duration(20-2*i)*time.Hour)
	}
	late := f.report(t, "Sky", "Oil law debate: late reading", time.Hour, big.StoryID)
	f.readers(t, late, 10, time.Hour)
	f.readers(t, big, 2, 2*time.Hour)

	growing = f.report(t, "AP", "Dam breach floods villages near Mosul", 2*time.Hour, 0)
	f.report(t, "DW", "Flooding near Mosul after dam breach", time.Hour, growing.StoryID)
	f.report(t, "BBC", "Mosul dam breach: thousands flee", 30*time.Minute, growing.StoryID)
	f.readers(t, growing, 4, time.Hour)

	surge = f.report(t, "Al Jazeera", "Interview with the Kurdish regional president", 12*time.Hour, 0)
	f.readers(t, surge, 12, 3*time.Hour)
	f.readers(t, surge, 2, 20*time.Hour)
	f.h.Invalidate()
	return f, big, growing, surge
}

func TestTrending(t *testing.T) {
	f, big, growing, surge := trendFixture(t)
	story := func(a *newsdesk.Article) string { return "/story/" + strconv.FormatInt(a.StoryID, 10) }

	d := doc(t, f.get("/"))
	checkLayout(t, d)
	checkHeadings(t, "/", d)
	items := d.Find("aside.rail section.trending ol.ranked > li")
	want := []string{story(growing), story(f.reuters), story(surge), story(big)}
	if got := hrefs(items.Find("a")); !slices.Equal(got, want) {
		t.Fatalf("trending = %q, want %q (growing, Reuters+AFP, read surge, then the big slow story)", got, want)
	}
	for i, w := range []struct{ count, reason string }{
		{"3 sources · 3 reports", "3 new sources and 4 reads in the last 6 hours"},
		{"2 sources · 2 reports", "2 new sources in the last 6 hours"},
		{"1 source · 1 report", "12 reads in the last 6 hours, against 2 in the day before"},
		{"7 sources · 7 reports", "1 new source and 12 reads in the last 6 hours"},
	} {
		it := items.Eq(i)
		if got := strings.TrimSpace(it.Find(".coverage-count").Text()); got != w.count {
			t.Errorf("trending[%d] count = %q, want %q", i, got, w.count)
		}
		if got := strings.TrimSpace(it.Find(".reason").Text()); got != w.reason {
			t.Errorf("trending[%d] reason = %q, want %q", i, got, w.reason)
		}
	}
	if got := strings.TrimSpace(items.First().Find("a").Text()); got != growing.Headline {
		t.Errorf("trending headline = %q", got)
	}
	// By raw totals, the big story leads "Top stories".
	if got := hrefs(d.Find(".top-stories li a")); len(got) == 0 || got[0] != story(big) {
		t.Errorf("top stories = %q, want the big story first", got)
	}

	// The same ranking when the store cannot count reads per story.
	ctx := context.Background()
	direct, err := f.h.trending(ctx, testNow)
	must(t, err)
	f.h.store = hideStoryReads{f.db}
	summed, err := f.h.trending(ctx, testNow)
	must(t, err)
	if len(direct) != len(summed) {
		t.Fatalf("StoryReads gives %d stories, MostRead %d", len(direct), len(summed))
	}
	for i := range direct {
		a, b := direct[i], summed[i]
		if a.Story.ID != b.Story.ID || a.Reads != b.Reads || a.ReadsBefore != b.ReadsBefore || a.Reason != b.Reason {
			t.Errorf("[%d] StoryReads %+v, MostRead %+v", i, a, b)
		}
	}

	// Six hours on, nothing is new: the growing story has stopped growing.
	f.h.store = f.db
	later, err := f.h.trending(ctx, testNow.Add(7*time.Hour))
	must(t, err)
	for _, it := range later {
		if it.Story.ID == growing.StoryID {
			t.Errorf("seven hours later the growing story still trends: %+v", it)
		}
	}
}

// The home page's Trending block is kept a minute whatever is stored
// (Invalidate), then computed again behind the page that still shows it.
func TestTrendingKept(t *testing.T) {
	f, _, growing, _ := trendFixture(t)
	story := func(a *newsdesk.Article) string { return "/story/" + strconv.FormatInt(a.StoryID, 10) }
	list := func() []string {
		t.Helper()
		return hrefs(doc(t, f.get("/")).Find("aside.rail section.trending ol.ranked > li a"))
	}
	before := list()
	if len(before) == 0 || before[0] != story(growing) {
		t.Fatalf("trending = %q, want the growing story first", before)
	}
	// Seven hours on the growing story has stopped growing; within the
	// minute the kept list is still shown.
	now := testNow.Add(30 * time.Second)
	f.h.now = func() time.Time { return now }
	f.h.Invalidate()
	if got := list(); !slices.Equal(got, before) {
		t.Errorf("within a minute: trending = %q, want the kept %q", got, before)
	}
	// Past the minute the kept list is shown while it is computed again.
	now = testNow.Add(2 * time.Minute)
	f.h.Invalidate()
	if got := list(); !slices.Equal(got, before) {
		t.Errorf("first page after a minute: trending = %q, want the kept %q", got, before)
	}
	f.h.background.Wait()
	if _, age, ok := f.h.trends.getAged(struct{}{}, now); !ok || age != 0 {
		t.Errorf("after the refresh the kept list is %v old (%v), want new", age, ok)
	}
	// Past trendStale nothing kept is shown: seven hours on, the growing
	// story has stopped growing.
	now = testNow.Add(7 * time.Hour)
	f.h.Invalidate()
	if got := list(); slices.Contains(got, story(growing)) {
		t.Errorf("seven hours on: trending = %q, still with the story that stopped growing", got)
	}
}

func TestTrendScore(t *testing.T) {
	tests := []struct {
		name   string
		hi, lo trendCandidate
	}{
		{"fresh sources beat older ones", trendCandidate{newSources: 2, decayed: 1.8}, trendCandidate{newSources: 2, decayed: 0.6}},
		{"growth beats size", trendCandidate{newSources: 2, decayed: 1.5}, trendCandidate{newSources: 3, decayed: 2.5, srcBefore: 12}},
		{"reads against their own past", trendCandidate{reads: 20, readsBefore: 4}, trendCandidate{reads: 30, readsBefore: 200}},
		{"a source counts more than a few reads", trendCandidate{newSources: 1, decayed: 0.9}, trendCandidate{reads: 4}},
	}
	for _, tt := range tests {
		if hi, lo := tt.hi.score(), tt.lo.score(); hi <= lo {
			t.Errorf("%s: %.2f <= %.2f", tt.name, hi, lo)
		}
	}
	if s := (&trendCandidate{newSources: 0, srcBefore: 8, reads: 5, readsBefore: 80}).score(); s != 0 {
		t.Errorf("a story slowing down scores %.2f", s)
	}
	if s := (&trendCandidate{reads: 1}).score(); s >= trendMinScore {
		t.Errorf("one read scores %.2f, at least the minimum %.2f", s, trendMinScore)
	}
}

// The most-read counts are kept a minute whatever is stored meanwhile
// (Invalidate drops pages, not the counts), then counted again; a report
// unpublished meanwhile is not listed from the kept counts.
func TestMostReadCountsKept(t *testing.T) {
	f := newFixture(t, 8)
	f.readers(t, f.seed, 6, time.Hour)
	f.readers(t, f.afp, 4, 2*time.Hour)
	f.readers(t, f.reuters, 2, 20*time.Hour)
	list := func() []string {
		t.Helper()
		return hrefs(doc(t, f.get("/")).Find(".most-read-block ol.ranked > li > a"))
	}
	if got, want := list(), paths(f.seed, f.afp, f.reuters); !slices.Equal(got, want) {
		t.Fatalf("most read = %q, want %q", got, want)
	}

	f.readers(t, f.reuters, 10, time.Hour)
	f.h.Invalidate()
	now := testNow.Add(mostReadTTL / 2)
	f.h.now = func() time.Time { return now }
	if got, want := list(), paths(f.seed, f.afp, f.reuters); !slices.Equal(got, want) {
		t.Errorf("counts recomputed within a minute: %q, want %q", got, want)
	}

	f.afp.Status = newsdesk.StatusUnpublished
	must(t, f.db.UpdateArticle(context.Background(), f.afp))
	f.h.Invalidate()
	if got, want := list(), paths(f.seed, f.reuters); !slices.Equal(got, want) {
		t.Errorf("after unpublishing AFP: %q, want %q", got, want)
	}

	// After a minute the kept counts are still served while they are
	// counted again behind the request; the next render has the new ones.
	now = testNow.Add(mostReadTTL + time.Second)
	f.h.Invalidate()
	if got, want := list(), paths(f.seed, f.reuters); !slices.Equal(got, want) {
		t.Errorf("just after a minute: most read = %q, want the kept counts %q", got, want)
	}
	f.h.background.Wait()
	f.h.Invalidate()
	if got, want := list(), paths(f.reuters, f.seed); !slices.Equal(got[:2], want) {
		t.Errorf("after a minute: most read = %q, want %q first", got, want)
	}

	// Counts older than mostReadStale are not served: the request waits
	// for new ones.
	f.readers(t, f.seed, 20, time.Hour)
	now = now.Add(mostReadStale + time.Second)
	f.h.Invalidate()
	if got, want := list(), paths(f.seed, f.reuters); !slices.Equal(got[:2], want) {
		t.Errorf("after %v: most read = %q, want %q first", mostReadStale, got, want)
	}
}
