package storetest

import (
	"slices"
	"testing"
	"time"

	"newsdesk"
)

// RetentionStore is a store with retention: what RunRetention tests.
type RetentionStore interface {
	newsdesk.Store
	newsdesk.RetentionStore
}

// RunRetention runs the retention suite: body stripping by age and section
// (and out of the search index), counting and purging of read events and
// expired sessions, and the source's no-page-fetch opt-out that came with
// it. open returns a new, empty store for one test.
func RunRetention(t *testing.T, open func(t *testing.T) RetentionStore) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s RetentionStore)
	}{
		{"StripBodies", testStripBodies},
		{"StripBodiesKeptOnUpsert", testStripKept},
		{"PurgeReadEvents", testPurgeReads},
		{"ExpiredSessions", testExpiredSessions},
		{"SourceNoPageFetch", testNoPageFetch},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.fn(t, open(t))
		})
	}
}

func testStripBodies(t *testing.T, s RetentionStore) {
	ctx := t.Context()
	src := mustSource(t, s, "wire")
	region := mustSection(t, s, "region", 0, 0)
	country := mustSection(t, s, "country", region.ID, 0)
	other := mustSection(t, s, "other", 0, 1)
	mk := func(guid, word string, published time.Time, sections ...int64) *newsdesk.Article {
		a := art(guid, "Report "+guid, published)
		a.Text = "The " + word + " harvest was late this year."
		a.Body = "<p>" + a.Text + "</p>"
		for _, id := range sections {
			a.Sections = append(a.Sections, newsdesk.SectionRef{ID: id})
		}
		return a
	}
	oldCountry := mk("oc", "saffron", at(0), country.ID, other.ID) // primary: country
	oldOther := mk("oo", "pistachio", at(1), other.ID, country.ID) // primary: other
	oldUnfiled := mk("ou", "barley", at(2))
	newOther := mk("no", "walnut", at(100), other.ID)
	noBody := mk("nb", "none", at(3))
	noBody.Body, noBody.Text = "", ""
	all := []*newsdesk.Article{oldCountry, oldOther, oldUnfiled, newOther, noBody}
	upsert(t, s, src.ID, all...)
	var docs []newsdesk.SearchDoc
	for _, a := range all {
		docs = append(docs, doc(a, ""))
	}
	must(t, s.IndexArticles(ctx, docs))
	cut := at(50)

	// The global rule, leaving the region's subtree to its own rule.
	global := newsdesk.BodyRule{Before: cut, Except: []int64{region.ID, country.ID}}
	n, err := s.StripBodies(ctx, global, true)
	must(t, err)
	if n != 2 {
		t.Fatalf("dry run counts %d articles, want 2 (old in other, old unfiled)", n)
	}
	got, err := s.Article(ctx, oldOther.ID)
	must(t, err)
	if got.Body == "" || !got.BodyRemovedAt.IsZero() {
		t.Fatal("the dry run stripped a body")
	}
	n, err = s.StripBodies(ctx, global, false)
	must(t, err)
	if n != 2 {
		t.Fatalf("stripped %d articles, want 2", n)
	}
	stripped := map[int64]bool{oldOther.ID: true, oldUnfiled.ID: true}
	for _, a := range all {
		got, err := s.Article(ctx, a.ID)
		must(t, err)
		if stripped[a.ID] {
			if got.Body != "" || got.Text != "" || got.BodyRemovedAt.IsZero() {
				t.Errorf("%s: body %q, text %q, removed at %v; want stripped", a.GUID, got.Body, got.Text, got.BodyRemovedAt)
			}
			if got.Headline != a.Headline || got.Lede != a.Lede || got.URL != a.URL || !got.PublishedAt.Equal(a.PublishedAt) || len(got.Sections) != len(a.Sections) {
				t.Errorf("%s: stripping changed more than the body: %+v", a.GUID, got)
			}
		} else if !got.BodyRemovedAt.IsZero() || got.Body != a.Body {
			t.Errorf("%s: body %q, removed at %v; want kept", a.GUID, got.Body, got.BodyRemovedAt)
		}
	}
	// Out of the index by body, still found by headline.
	for word, want := range map[string]int{"pistachio": 0, "barley": 0, "saffron": 1, "walnut": 1} {
		if res := search(t, s, newsdesk.SearchQuery{Text: word}); len(res.Hits) != want {
			t.Errorf("search %q: %d hits after stripping, want %d", word, len(res.Hits), want)
		}
	}
	if res := search(t, s, newsdesk.SearchQuery{Text: "report oo"}); len(res.Hits) != 1 {
		t.Errorf("stripped article not found by its headline: %d hits", len(res.Hits))
	}
	// Run again: nothing left to do.
	n, err = s.StripBodies(ctx, global, false)
	must(t, err)
	if n != 0 {
		t.Errorf("second run stripped %d", n)
	}

	// The region's own rule reaches the article filed first under a country of it.
	n, err = s.StripBodies(ctx, newsdesk.BodyRule{Before: cut, Sections: []int64{region.ID, country.ID}}, false)
	must(t, err)
	if n != 1 {
		t.Errorf("section rule stripped %d, want 1", n)
	}
	got, err = s.Article(ctx, oldCountry.ID)
	must(t, err)
	if got.Body != "" || got.BodyRemovedAt.IsZero() {
		t.Error("section rule left the body of the article in its subtree")
	}
	// An empty section list selects nothing.
	n, err = s.StripBodies(ctx, newsdesk.BodyRule{Before: at(1000), Sections: []int64{}}, true)
	must(t, err)
	if n != 0 {
		t.Errorf("empty section list selects %d", n)
	}
	_, err = s.StripBodies(ctx, newsdesk.BodyRule{}, true)
	wantCode(t, err, newsdesk.EINVALID)
}

func testStripKept(t *testing.T, s RetentionStore) {
	ctx := t.Context()
	src := mustSource(t, s, "wire")
	a := art("g1", "Talks resume", at(0))
	upsert(t, s, src.ID, a)
	_, err := s.StripBodies(ctx, newsdesk.BodyRule{Before: at(1)}, false)
	must(t, err)
	// The feed still carries the item: its body does not come back.
	again := art("g1", "Talks resume", at(0))
	upsert(t, s, src.ID, again)
	got, err := s.Article(ctx, a.ID)
	must(t, err)
	if got.Body != "" || got.Text != "" || got.BodyRemovedAt.IsZero() {
		t.Errorf("re-ingested item brought its body back: %q (removed at %v)", got.Body, got.BodyRemovedAt)
	}
	// A new headline is still taken.
	changed := art("g1", "Talks resume in Vienna", at(0))
	upsert(t, s, src.ID, changed)
	got, err = s.Article(ctx, a.ID)
	must(t, err)
	if got.Headline != "Talks resume in Vienna" || got.Body != "" {
		t.Errorf("after a changed headline: %q, body %q", got.Headline, got.Body)
	}
}

func testPurgeReads(t *testing.T, s RetentionStore) {
	ctx := t.Context()
	src := mustSource(t, s, "wire")
	a, b := art("a", "A", at(0)), art("b", "B", at(0))
	upsert(t, s, src.ID, a, b)
	for i, e := range []newsdesk.ReadEvent{{ReaderID: "r1", ArticleID: a.ID, At: at(1)}, {ReaderID: "r2", ArticleID: a.ID, At: at(2)},
		{ReaderID: "r1", ArticleID: b.ID, At: at(10)}} {
		if err := s.RecordRead(ctx, e); err != nil {
			t.Fatalf("read %d: %v", i, err)
		}
	}
	n, err := s.CountReadEvents(ctx, at(5))
	must(t, err)
	if n != 2 {
		t.Fatalf("count = %d, want 2", n)
	}
	n, err = s.PurgeReadEvents(ctx, at(5))
	must(t, err)
	if n != 2 {
		t.Fatalf("purged %d, want 2", n)
	}
	hist, err := s.ReadHistory(ctx, "r1", 10)
	must(t, err)
	if len(hist) != 1 || hist[0].ArticleID != b.ID {
		t.Errorf("history after purge = %+v", hist)
	}
	if n, _ := s.CountReadEvents(ctx, at(5)); n != 0 {
		t.Errorf("count after purge = %d", n)
	}
}

func testExpiredSessions(t *testing.T, s RetentionStore) {
	ctx := t.Context()
	u := &newsdesk.User{Username: "ed", Role: newsdesk.RoleEditor}
	must(t, s.CreateUser(ctx, u))
	now := base
	for i, exp := range []time.Duration{-2 * time.Hour, -time.Minute, time.Hour} {
		must(t, s.CreateSession(ctx, &newsdesk.Session{TokenHash: "h" + string(rune('0'+i)), UserID: u.ID,
			CreatedAt: now.Add(-3 * time.Hour), ExpiresAt: now.Add(exp)}))
	}
	n, err := s.CountExpiredSessions(ctx, now)
	must(t, err)
	if n != 2 {
		t.Fatalf("expired = %d, want 2", n)
	}
	n, err = s.DeleteExpiredSessions(ctx, now)
	must(t, err)
	if n != 2 {
		t.Fatalf("deleted %d, want 2", n)
	}
	if _, err := s.SessionByTokenHash(ctx, "h2", now); err != nil {
		t.Errorf("live session gone: %v", err)
	}
	if n, _ := s.CountExpiredSessions(ctx, now); n != 0 {
		t.Errorf("expired after delete = %d", n)
	}
}

func testNoPageFetch(t *testing.T, s RetentionStore) {
	ctx := t.Context()
	src := &newsdesk.Source{Name: "Quiet", Kind: newsdesk.SourceFeed, URL: "https://quiet.example/feed", NoPageFetch: true}
	must(t, s.CreateSource(ctx, src))
	got, err := s.Source(ctx, src.ID)
	must(t, err)
	if !got.NoPageFetch {
		t.Fatal("NoPageFetch not kept by CreateSource")
	}
	leased, err := s.LeaseDueSources(ctx, "w", time.Now().Add(time.Hour), time.Minute, 10)
	must(t, err)
	if i := slices.IndexFunc(leased, func(l *newsdesk.Source) bool { return l.ID == src.ID }); i < 0 || !leased[i].NoPageFetch {
		t.Error("leased source lost NoPageFetch")
	}
	got.NoPageFetch = false
	must(t, s.UpdateSource(ctx, got))
	got, err = s.Source(ctx, src.ID)
	must(t, err)
	if got.NoPageFetch {
		t.Error("UpdateSource kept NoPageFetch set")
	}
	all, _, err := s.Sources(ctx, newsdesk.SourceFilter{})
	must(t, err)
	if len(all) != 1 || all[0].NoPageFetch {
		t.Errorf("Sources = %+v", all)
	}
}
