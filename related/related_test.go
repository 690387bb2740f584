package related_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"newsdesk"
	"newsdesk/index"
	"newsdesk/related"
	"newsdesk/store/sqlite"
)

var now = time.Date(2025, 3, 10, 12, 0, 0, 0, time.UTC)

// fixture is a real SQLite store with sources, sections and entities.
type fixture struct {
	t       testing.TB
	ctx     context.Context
	db      *sqlite.DB
	ix      *index.Indexer
	sources map[string]int64
	section map[string]newsdesk.SectionRef
	entity  map[string]newsdesk.EntityRef
	n       int
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, t.TempDir()+"/x.db")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	f := &fixture{t: t, ctx: ctx, db: db, ix: index.New(db),
		sources: map[string]int64{}, section: map[string]newsdesk.SectionRef{}, entity: map[string]newsdesk.EntityRef{}}
	for _, name := range []string{"Iraq", "Iran", "Syria"} {
		s := &newsdesk.Section{Name: name, Slug: newsdesk.Slugify(name)}
		if err := db.CreateSection(ctx, s); err != nil {
			t.Fatal(err)
		}
		f.section[name] = newsdesk.SectionRef{ID: s.ID, Slug: s.Slug, Name: s.Name}
	}
	for _, name := range []string{"Nouri al-Maliki", "Moqtada al-Sadr", "Baghdad", "Hassan Rouhani", "Basra", "OPEC"} {
		e := &newsdesk.Entity{Name: name, Kind: newsdesk.EntityPerson}
		if err := db.CreateEntity(ctx, e); err != nil {
			t.Fatal(err)
		}
		f.entity[name] = newsdesk.EntityRef{ID: e.ID, Slug: e.Slug, Name: e.Name, Kind: e.Kind}
	}
	return f
}

func (f *fixture) source(name string) int64 {
	if id, ok := f.sources[name]; ok {
		return id
	}
	s := &newsdesk.Source{Name: name, Kind: newsdesk.SourceFeed, URL: "https://" + newsdesk.Slugify(name) + ".example/feed"}
	if err := f.db.CreateSource(f.ctx, s); err != nil {
		f.t.Fatal(err)
	}
	f.sources[name] = s.ID
	return s.ID
}

// art describes one article to store.
type art struct {
	src         string
	headline    string
	lede        string
	age         time.Duration // before now
	section     string
	entities    []string // most salient first
	story       *newsdesk.Article
	fingerprint string
	duplicateOf *newsdesk.Article
	unpublished bool
}

func (f *fixture) add(d art) *newsdesk.Article {
	f.t.Helper()
	f.n++
	a := &newsdesk.Article{
		GUID:        fmt.Sprintf("urn:test:%d", f.n),
		URL:         fmt.Sprintf("https://example.com/%d", f.n),
		Headline:    d.headline,
		Lede:        d.lede,
		Text:        d.lede,
		Body:        "<p>" + d.lede + "</p>",
		PublishedAt: now.Add(-d.age),
		Fingerprint: d.fingerprint,
		Status:      newsdesk.StatusPublished,
	}
	if a.Fingerprint == "" {
		a.Fingerprint = fmt.Sprintf("fp%d", f.n)
	}
	if d.unpublished {
		a.Status = newsdesk.StatusUnpublished
	}
	if d.story != nil {
		a.StoryID = d.story.StoryID
	}
	if d.duplicateOf != nil {
		a.DuplicateOf = d.duplicateOf.ID
	}
	if d.section != "" {
		a.Sections = []newsdesk.SectionRef{f.section[d.section]}
	}
	for i, name := range d.entities {
		e := f.entity[name]
		e.Mentions = len(d.entities) - i
		a.Entities = append(a.Entities, e)
	}
	if _, err := f.db.UpsertArticles(f.ctx, f.source(d.src), []*newsdesk.Article{a}); err != nil {
		f.t.Fatal(err)
	}
	if a.Status == newsdesk.StatusPublished {
		if err := f.ix.Index(f.ctx, []*newsdesk.Article{a}); err != nil {
			f.t.Fatal(err)
		}
	}
	got, err := f.db.Article(f.ctx, a.ID)
	if err != nil {
		f.t.Fatal(err)
	}
	return got
}

func (f *fixture) finder() *related.Finder {
	fd := related.New(f.db)
	fd.Now = func() time.Time { return now }
	fd.Fold = index.Normalize
	return fd
}

func ids(arts []*newsdesk.Article) []int64 {
	out := make([]int64, len(arts))
	for i, a := range arts {
		out[i] = a.ID
	}
	return out
}

func headlines(arts []*newsdesk.Article) []string {
	out := make([]string, len(arts))
	for i, a := range arts {
		out[i] = a.Headline
	}
	return out
}

// ledes are unrelated first paragraphs, so that fixture articles are not
// near-copies of each other.
var ledes = []string{
	"Officials gave few details on Monday.",
	"Markets in the region opened lower.",
	"The ministry published a statement late at night.",
	"Witnesses described long queues at checkpoints.",
	"Diplomats expect more talks next week.",
	"Analysts were divided on what comes next.",
	"Parliament is due to debate the plan in spring.",
	"Farmers say costs have doubled since last year.",
	"Teachers went on strike over unpaid wages.",
	"The airport reopened after a short closure.",
	"Hospitals asked for more blood donations.",
	"Students protested outside the university gates.",
}

var baghdad = []string{
	"Baghdad bridge reopens to traffic", "Power cuts hit Baghdad suburbs", "Baghdad book fair draws crowds",
	"New checkpoints across Baghdad", "Baghdad council approves budget", "Flooding in eastern Baghdad",
	"Baghdad airport expands terminal", "Curfew lifted in Baghdad", "Baghdad hospitals short of staff",
	"Baghdad zoo welcomes lion cubs", "Traffic police strike in Baghdad", "Baghdad university marks centenary",
}

func TestRelatedExcludesSelfAndCopies(t *testing.T) {
	f := newFixture(t)
	orig := f.add(art{src: "Reuters", headline: "Maliki meets Sadr in Baghdad over cabinet", lede: "The prime minister held talks on the new cabinet.",
		age: 5 * time.Hour, section: "Iraq", entities: []string{"Nouri al-Maliki", "Moqtada al-Sadr"}})
	a := f.add(art{src: "AP", headline: "Maliki and Sadr agree on cabinet seats", lede: "The two leaders settled the share of ministries after talks.",
		age: 3 * time.Hour, section: "Iraq", entities: []string{"Nouri al-Maliki", "Moqtada al-Sadr"}, fingerprint: "same", duplicateOf: orig})
	exclude := map[int64]string{
		orig.ID: "the article a copies",
	}
	e := f.add(art{src: "AFP", headline: "Maliki Sadr cabinet deal reported", lede: "Copy of the AP report.",
		age: 2 * time.Hour, section: "Iraq", entities: []string{"Nouri al-Maliki"}, fingerprint: "same"})
	exclude[e.ID] = "same fingerprint"
	e = f.add(art{src: "BBC", headline: "Maliki and Sadr agree cabinet seats, sources say", lede: "Rewritten wire copy.",
		age: 2 * time.Hour, section: "Iraq", entities: []string{"Nouri al-Maliki"}, duplicateOf: a})
	exclude[e.ID] = "duplicate of the article"
	e = f.add(art{src: "DW", headline: "Cabinet agreement between Maliki and Sadr", lede: "Another copy of the first report.",
		age: 2 * time.Hour, section: "Iraq", entities: []string{"Nouri al-Maliki"}, duplicateOf: orig})
	exclude[e.ID] = "duplicate of the article the article copies"
	e = f.add(art{src: "NYT", headline: "Maliki and Sadr agree on cabinet seats", lede: "The two leaders settled the share of ministries after talks.",
		age: 1 * time.Hour, section: "Iraq", entities: []string{"Nouri al-Maliki", "Moqtada al-Sadr"}})
	exclude[e.ID] = "same headline and lede (near-copy of the article)"
	e = f.add(art{src: "Guardian", headline: "Maliki draft budget stalls", lede: "Unpublished draft on the budget of Maliki.",
		age: 1 * time.Hour, section: "Iraq", entities: []string{"Nouri al-Maliki"}, unpublished: true})
	exclude[e.ID] = "unpublished"

	// Two near-copies of each other, neither a copy of a: only one may show.
	c1 := f.add(art{src: "Reuters", headline: "Sadr supporters rally in Basra against power cuts", lede: "Thousands marched in Basra demanding electricity.",
		age: 6 * time.Hour, section: "Iraq", entities: []string{"Moqtada al-Sadr", "Basra"}})
	c2 := f.add(art{src: "AFP", headline: "Sadr supporters rally in Basra against power cuts", lede: "Thousands marched in Basra demanding electricity.",
		age: 7 * time.Hour, section: "Iraq", entities: []string{"Moqtada al-Sadr", "Basra"}})
	keep := f.add(art{src: "Al Jazeera", headline: "Maliki names oil minister", lede: "The oil ministry goes to a technocrat.",
		age: 8 * time.Hour, section: "Iraq", entities: []string{"Nouri al-Maliki"}})

	got, err := f.finder().Related(f.ctx, a, 10)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("related: %q", headlines(got))
	for _, x := range got {
		if x.ID == a.ID {
			t.Errorf("the article itself is related to itself")
		}
		if why, bad := exclude[x.ID]; bad {
			t.Errorf("article %d %q is related: %s", x.ID, x.Headline, why)
		}
		if x.Status != newsdesk.StatusPublished {
			t.Errorf("article %d is %s", x.ID, x.Status)
		}
	}
	if slices.Contains(ids(got), c1.ID) == slices.Contains(ids(got), c2.ID) {
		t.Errorf("want exactly one of two near-copies %d and %d, got %v", c1.ID, c2.ID, ids(got))
	}
	if !slices.Contains(ids(got), keep.ID) {
		t.Errorf("article %d sharing the main entity is missing: %v", keep.ID, ids(got))
	}
}

func TestRelatedSameStoryFirst(t *testing.T) {
	f := newFixture(t)
	first := f.add(art{src: "Reuters", headline: "Earthquake shakes Kermanshah province", lede: "A strong quake struck western Iran near the Iraqi border.",
		age: 30 * time.Hour, section: "Iran"})
	a := f.add(art{src: "AP", headline: "Rouhani visits Kermanshah quake zone", lede: "The president promised help for the homeless survivors.",
		age: 2 * time.Hour, section: "Iran", entities: []string{"Hassan Rouhani"}, story: first})
	// Fresher and sharing a's entity, but another story.
	for i, h := range []string{"Rouhani speaks on the economy", "Rouhani meets Turkish envoy", "Rouhani defends nuclear deal", "Rouhani names new central bank chief"} {
		f.add(art{src: fmt.Sprintf("Wire %d", i), headline: h, lede: ledes[i],
			age: time.Duration(i+1) * time.Hour, section: "Iran", entities: []string{"Hassan Rouhani"}})
	}
	got, err := f.finder().Related(f.ctx, a, 4)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("related: %q", headlines(got))
	if len(got) == 0 || got[0].ID != first.ID {
		t.Fatalf("want the story's other article %d first, got %v", first.ID, ids(got))
	}
	if len(got) != 4 {
		t.Errorf("got %d articles, want 4 (limit)", len(got))
	}
}

func TestRelatedSourceDiversity(t *testing.T) {
	f := newFixture(t)
	a := f.add(art{src: "Home", headline: "OPEC cuts output as oil prices fall", lede: "Ministers agreed to cut production in Vienna.",
		age: time.Hour, section: "Iran", entities: []string{"OPEC"}})
	// Six close matches from one source, three weaker ones from others.
	for i, h := range []string{"OPEC output cut lifts oil prices", "Oil prices jump after OPEC cut", "OPEC cut: what falling oil prices mean",
		"Traders bet OPEC output cut holds", "OPEC cut squeezes oil importers", "Why OPEC chose to cut output"} {
		f.add(art{src: "Oilwire", headline: h, lede: ledes[i], age: time.Duration(i+2) * time.Hour,
			section: "Iran", entities: []string{"OPEC"}})
	}
	var others []int64
	for i, src := range []string{"Reuters", "AP", "AFP"} {
		x := f.add(art{src: src, headline: []string{"Gulf producers weigh budgets", "Saudi spending plans under review", "Kuwait delays bond sale"}[i], lede: ledes[6+i],
			age: time.Duration(20+i) * time.Hour, section: "Iran", entities: []string{"OPEC"}})
		others = append(others, x.ID)
	}
	got, err := f.finder().Related(f.ctx, a, 8)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("related: %q", headlines(got))
	if len(got) != 8 {
		t.Fatalf("got %d articles, want 8", len(got))
	}
	per := map[string]int{}
	for _, x := range got[:5] {
		per[x.Source]++
	}
	if per["Oilwire"] > 2 {
		t.Errorf("Oilwire has %d of the first 5 places, want at most 2: %q", per["Oilwire"], headlines(got))
	}
	// With no alternative left, the rest may all come from one source.
	ow := 0
	for _, x := range got {
		if x.Source == "Oilwire" {
			ow++
		}
	}
	if ow != 5 {
		t.Errorf("Oilwire has %d places of 8, want 5 (the 3 other articles and 5 of its 6)", ow)
	}
	for _, id := range others {
		if !slices.Contains(ids(got), id) {
			t.Errorf("article %d of another source is missing", id)
		}
	}
}

func TestRelatedWithoutEntities(t *testing.T) {
	f := newFixture(t)
	a := f.add(art{src: "Reuters", headline: "Drought dries up Hamoun wetlands", lede: "Farmers near Zabol lose their fields as water vanishes.",
		age: time.Hour, section: "Iran"})
	text := f.add(art{src: "AP", headline: "Hamoun wetlands drought worsens", lede: "The lake bed is dust again this summer.",
		age: 50 * time.Hour, section: "Syria"})
	sec := f.add(art{src: "AFP", headline: "Tehran metro line opens", lede: "A new line links the north and south of the capital.",
		age: 3 * time.Hour, section: "Iran"})
	other := f.add(art{src: "BBC", headline: "Damascus markets reopen", lede: "Shops opened after the holiday.",
		age: 2 * time.Hour, section: "Syria"})
	got, err := f.finder().Related(f.ctx, a, 5)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("related: %q", headlines(got))
	if len(got) < 2 || got[0].ID != text.ID || got[1].ID != sec.ID {
		t.Errorf("want the text match %d then the section's article %d, got %v", text.ID, sec.ID, ids(got))
	}
	if slices.Contains(ids(got), other.ID) {
		t.Errorf("article %d of another section shares nothing, yet is related", other.ID)
	}
}

func TestRelatedLimit(t *testing.T) {
	f := newFixture(t)
	a := f.add(art{src: "Home", headline: "Baghdad bombing kills dozens", lede: "A car bomb exploded in a market.",
		age: time.Hour, section: "Iraq", entities: []string{"Baghdad"}})
	for i := range 12 {
		f.add(art{src: fmt.Sprintf("S%d", i%4), headline: baghdad[i], lede: ledes[i],
			age: time.Duration(i+2) * time.Hour, section: "Iraq", entities: []string{"Baghdad"}})
	}
	fd := f.finder()
	for _, limit := range []int{-1, 0, 1, 3, 12, 100} {
		got, err := fd.Related(f.ctx, a, limit)
		if err != nil {
			t.Fatal(err)
		}
		want := min(max(limit, 0), 12)
		if len(got) != want {
			t.Errorf("limit %d: got %d articles, want %d", limit, len(got), want)
		}
		seen := map[int64]bool{}
		for _, x := range got {
			if seen[x.ID] {
				t.Errorf("limit %d: article %d twice", limit, x.ID)
			}
			seen[x.ID] = true
		}
	}
	if got, err := fd.Related(f.ctx, nil, 5); err != nil || len(got) != 0 {
		t.Errorf("nil article: %v, %v", got, err)
	}
}

func TestRelatedOldArticlesSink(t *testing.T) {
	f := newFixture(t)
	a := f.add(art{src: "Home", headline: "Sadr calls for protests", lede: "The cleric asked followers to march on Friday.",
		age: time.Hour, section: "Iraq", entities: []string{"Moqtada al-Sadr"}})
	old := f.add(art{src: "A", headline: "Sadr returns from Iran", lede: "The cleric came back after years away.",
		age: 60 * 24 * time.Hour, section: "Iraq", entities: []string{"Moqtada al-Sadr"}, story: a})
	fresh := f.add(art{src: "B", headline: "Sadr movement wins seats", lede: "The bloc did well in the election.",
		age: 3 * time.Hour, section: "Iraq", entities: []string{"Moqtada al-Sadr"}})
	older := f.add(art{src: "C", headline: "Sadr followers gather", lede: "Crowds filled the square.",
		age: 20 * 24 * time.Hour, section: "Iraq", entities: []string{"Moqtada al-Sadr"}})
	got, err := f.finder().Related(f.ctx, a, 5)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("related: %q", headlines(got))
	want := []int64{old.ID, fresh.ID, older.ID}
	if !slices.Equal(ids(got), want) {
		t.Errorf("got %v, want %v (same story first, then fresher before older)", ids(got), want)
	}
}

// articlesOnly offers a store's Articles alone: the Finder then reads its
// pools whole instead of as briefs.
type articlesOnly struct{ st related.Store }

func (s articlesOnly) Articles(ctx context.Context, f newsdesk.ArticleFilter) ([]*newsdesk.Article, int, error) {
	return s.st.Articles(ctx, f)
}

// TestRelatedBoundedPools: similar words find articles of other sections
// published in the article's days, never through a full-text search;
// articles beyond the windows or sharing nothing are not candidates. A
// store without briefs gives the same list.
func TestRelatedBoundedPools(t *testing.T) {
	f := newFixture(t)
	a := f.add(art{src: "Reuters", headline: "Locust swarms destroy Khuzestan wheat harvest", lede: "Farmers in the south watched the insects strip their fields.",
		age: 10 * time.Hour, section: "Iran"})
	near := f.add(art{src: "AP", headline: "Locust swarms reach Basra wheat fields", lede: "The insects crossed the border overnight.",
		age: 30 * time.Hour, section: "Iraq"})
	later := f.add(art{src: "AFP", headline: "Spraying planes fight locust swarms over wheat fields", lede: "Crews tried to save the harvest.",
		age: 2 * time.Hour, section: "Syria"})
	// Like it, but a month before: outside every window of the article.
	old := f.add(art{src: "BBC", headline: "Locust swarms destroy wheat harvest", lede: "Farmers watched the insects strip their fields.",
		age: 40 * 24 * time.Hour, section: "Syria"})
	unrelated := f.add(art{src: "DW", headline: "Damascus opera season opens", lede: "Tickets sold out in an hour.",
		age: 9 * time.Hour, section: "Syria"})
	copyOf := f.add(art{src: "NYT", headline: "Locust swarms destroy Khuzestan wheat harvest, officials say", lede: "Copy.",
		age: 9 * time.Hour, section: "Iraq", fingerprint: a.Fingerprint})

	cs := &countingStore{st: f.db}
	fd := related.New(cs)
	fd.Now = func() time.Time { return now }
	got, err := fd.Related(f.ctx, a, 5)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("related: %q", headlines(got))
	if n := cs.searches.Load(); n != 0 {
		t.Errorf("%d full-text searches", n)
	}
	if len(got) != 2 || !slices.Contains(ids(got), near.ID) || !slices.Contains(ids(got), later.ID) {
		t.Errorf("want the two articles of other sections with the same words, %d and %d, got %v", near.ID, later.ID, ids(got))
	}
	for id, why := range map[int64]string{old.ID: "outside the windows", unrelated.ID: "shares nothing", copyOf.ID: "same fingerprint"} {
		if slices.Contains(ids(got), id) {
			t.Errorf("article %d is related: %s", id, why)
		}
	}

	whole := related.New(articlesOnly{f.db})
	whole.Now = fd.Now
	got2, err := whole.Related(f.ctx, a, 5)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(ids(got2), ids(got)) {
		t.Errorf("without briefs: %v, with: %v", ids(got2), ids(got))
	}
}

// TestRelatedSameWithoutBriefs runs the big fixture's articles through a
// Finder reading briefs and one reading whole articles: same lists.
func TestRelatedSameWithoutBriefs(t *testing.T) {
	if testing.Short() {
		t.Skip("builds 1,000 articles")
	}
	f, all := bigFixture(t, 1000)
	briefs, whole := f.finder(), related.New(articlesOnly{f.db})
	whole.Now = briefs.Now
	for i := 0; i < len(all); i += 50 {
		a, err := f.db.Article(f.ctx, all[i].ID)
		if err != nil {
			t.Fatal(err)
		}
		x, err := briefs.Related(f.ctx, a, 6)
		if err != nil {
			t.Fatal(err)
		}
		y, err := whole.Related(f.ctx, a, 6)
		if err != nil {
			t.Fatal(err)
		}
		if len(x) == 0 || !slices.Equal(ids(x), ids(y)) {
			t.Errorf("article %d: briefs %v, whole %v", a.ID, ids(x), ids(y))
		}
		for _, r := range x {
			if r.ID == a.ID || len(r.Sections) == 0 || r.Headline == "" || r.Body != "" {
				t.Errorf("article %d: related %d is itself or not read as a card (sections, headline, no body)", a.ID, r.ID)
			}
		}
	}
}

// Headline words spelled with Arabic or Persian letter forms (ي/ی, ك/ک)
// are the same words once folded: a Persian report written with Arabic
// keyboard letters is related to one written with Persian letters.
func TestRelatedFoldsLetterForms(t *testing.T) {
	f := newFixture(t)
	a := f.add(art{src: "Reuters", headline: "کمک‌رسانی به زلزله‌زدگان خوی ادامه دارد", lede: "امدادگران کیسه‌های غذا و پتو توزیع کردند.",
		age: 10 * time.Hour, section: "Iran"})
	// Every word it shares with a is spelled with the Arabic letters.
	arabicForms := f.add(art{src: "AP", headline: "كمك‌رساني هلال احمر در خوي", lede: "كيسه‌هاي برنج توزيع شد.",
		age: 8 * time.Hour, section: "Turkey"})
	// Other news of those days, so that shared words weigh something.
	for i, h := range []string{"Damascus opera season opens", "Oil prices steady before OPEC meeting", "Kabul airport reopens to flights"} {
		f.add(art{src: "DW", headline: h, lede: "Details to follow.", age: time.Duration(5+i) * time.Hour, section: "Syria"})
	}
	fd := related.New(f.db)
	fd.Now = func() time.Time { return now }
	got, err := fd.Related(f.ctx, a, 5)
	if err != nil {
		t.Fatal(err)
	}
	if slices.Contains(ids(got), arabicForms.ID) {
		t.Errorf("related without folding, though no word is spelled alike: %q", headlines(got))
	}
	fd.Fold = index.Normalize
	if got, err = fd.Related(f.ctx, a, 5); err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(ids(got), arabicForms.ID) {
		t.Errorf("the report in Arabic letter forms is not related: %q", headlines(got))
	}
}

// TestRelatedSiteRiverOnlyWhenThin checks that the site's river is read
// only when the story and the entities give fewer candidates than asked
// for.
func TestRelatedSiteRiverOnlyWhenThin(t *testing.T) {
	f := newFixture(t)
	a := f.add(art{src: "Reuters", headline: "Opec ministers meet on output", lede: "Ministers gathered in Vienna.",
		age: 5 * time.Hour, section: "Iran", entities: []string{"OPEC"}})
	for i := range 6 {
		f.add(art{src: fmt.Sprint("Wire ", i), headline: fmt.Sprintf("OPEC report %d on quotas", i), lede: "Quotas again.",
			age: time.Duration(6+i) * time.Hour, section: "Iraq", entities: []string{"OPEC"}})
	}
	queries := func(limit int) int64 {
		cs := &countingStore{st: f.db}
		fd := related.New(cs)
		fd.Now = func() time.Time { return now }
		if _, err := fd.Related(f.ctx, a, limit); err != nil {
			t.Fatal(err)
		}
		return cs.n.Load()
	}
	// Story, entities, section, the chosen read whole.
	if n := queries(4); n != 4 {
		t.Errorf("six articles name the entity, four asked for: %d queries, want 4 (no site river)", n)
	}
	if n := queries(8); n != 5 {
		t.Errorf("six articles name the entity, eight asked for: %d queries, want 5 (the site's river too)", n)
	}
}
