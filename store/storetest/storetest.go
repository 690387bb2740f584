// Package storetest is the conformance suite of newsdesk.Store: every
// behaviour the site, the admin and ingest rely on, checked through the
// interface only, so that each implementation (SQLite, PostgreSQL) runs the
// same tests against a real database.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"newsdesk"
)

// Run runs the suite. open returns a new, empty store for one test; it
// should register its own cleanup with t.Cleanup.
func Run(t *testing.T, open func(t *testing.T) newsdesk.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s newsdesk.Store)
	}{
		{"Ping", testPing},
		{"Sources", testSources},
		{"SourcesFilter", testSourcesFilter},
		{"RecordFetch", testRecordFetch},
		{"Leases", testLeases},
		{"LeasesConcurrent", testLeasesConcurrent},
		{"UpsertCreateUpdateUnchanged", testUpsert},
		{"UpsertMatching", testUpsertMatching},
		{"UpsertInvalid", testUpsertInvalid},
		{"UpsertConcurrent", testUpsertConcurrent},
		{"UpsertIndexed", testUpsertIndexed},
		{"ArticleRefs", testArticleRefs},
		{"ArticlesFilter", testArticlesFilter},
		{"ArticlesPagination", testArticlesPagination},
		{"ArticleCards", testArticleCards},
		{"ArticleBriefs", testArticleBriefs},
		{"UpdateArticle", testUpdateArticle},
		{"DeletedSourceAttribution", testDeletedSource},
		{"FindByFingerprint", testFindByFingerprint},
		{"Sections", testSections},
		{"Entities", testEntities},
		{"AliasCandidates", testAliasCandidates},
		{"Stories", testStories},
		{"MoveAndSplit", testMoveAndSplit},
		{"Picks", testPicks},
		{"Reads", testReads},
		{"RecordReads", testRecordReads},
		{"CoRead", testCoRead},
		{"SearchRanking", testSearchRanking},
		{"SearchPhrase", testSearchPhrase},
		{"SearchHostile", testSearchHostile},
		{"SearchFilters", testSearchFilters},
		{"SearchReplaceAndUnpublished", testSearchReplace},
		{"SearchPaging", testSearchPaging},
		{"SearchPersian", testSearchPersian},
		{"Users", testUsers},
		{"Sessions", testSessions},
	}
	tests = append(tests, adminTests...)
	tests = append(tests, websubTests...)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.fn(t, open(t))
		})
	}
}

// base is a fixed point in the past that every test time is built from,
// whole seconds so that any store's time precision keeps it exactly.
var base = time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)

func at(hours int) time.Time { return base.Add(time.Duration(hours) * time.Hour) }

func ptr[T any](v T) *T { return &v }

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if got := newsdesk.ErrorCode(err); got != code {
		t.Fatalf("error code = %q, want %q (err: %v)", got, code, err)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func mustSource(t *testing.T, s newsdesk.Store, name string) *newsdesk.Source {
	t.Helper()
	src := &newsdesk.Source{Name: name, Kind: newsdesk.SourceFeed, URL: "https://" + name + ".example/feed",
		Licence: newsdesk.LicenceExcerpt, Interval: 15 * time.Minute}
	must(t, s.CreateSource(t.Context(), src))
	return src
}

func mustSection(t *testing.T, s newsdesk.Store, slug string, parent int64, pos int) *newsdesk.Section {
	t.Helper()
	sec := &newsdesk.Section{Slug: slug, Name: "Section " + slug, ParentID: parent, Position: pos}
	must(t, s.CreateSection(t.Context(), sec))
	return sec
}

func mustEntity(t *testing.T, s newsdesk.Store, name string, aliases ...string) *newsdesk.Entity {
	t.Helper()
	e := &newsdesk.Entity{Kind: newsdesk.EntityOrganisation, Name: name, Aliases: aliases}
	must(t, s.CreateEntity(t.Context(), e))
	return e
}

func art(guid, headline string, published time.Time) *newsdesk.Article {
	return &newsdesk.Article{
		GUID:        guid,
		URL:         "https://news.example/" + guid,
		Headline:    headline,
		Lede:        "Lede of " + headline,
		Body:        "<p>Body of " + headline + "</p>",
		Text:        "Body of " + headline,
		Language:    "en",
		PublishedAt: published,
	}
}

func upsert(t *testing.T, s newsdesk.Store, sourceID int64, arts ...*newsdesk.Article) []*newsdesk.Article {
	t.Helper()
	created, err := s.UpsertArticles(t.Context(), sourceID, arts)
	must(t, err)
	return created
}

func ids(arts []*newsdesk.Article) []int64 {
	out := make([]int64, len(arts))
	for i, a := range arts {
		out[i] = a.ID
	}
	return out
}

func wantIDs(t *testing.T, what string, got []*newsdesk.Article, want ...int64) {
	t.Helper()
	if g := ids(got); !slices.Equal(g, want) {
		t.Fatalf("%s: article IDs = %v, want %v", what, g, want)
	}
}

func testPing(t *testing.T, s newsdesk.Store) {
	must(t, s.Ping(t.Context()))
}

func testSources(t *testing.T, s newsdesk.Store) {
	ctx := t.Context()
	src := &newsdesk.Source{Name: "Reuters", Kind: newsdesk.SourceFeed, URL: "https://reuters.example/feed",
		SiteURL: "https://reuters.example", Language: "en", Extract: true, Interval: 30 * time.Minute}
	must(t, s.CreateSource(ctx, src))
	if src.ID == 0 || src.CreatedAt.IsZero() {
		t.Fatalf("CreateSource did not set ID and times: %+v", src)
	}
	if src.Licence != newsdesk.LicenceFull {
		t.Errorf("default licence = %q, want full", src.Licence)
	}
	got, err := s.Source(ctx, src.ID)
	must(t, err)
	if got.Name != "Reuters" || got.URL != src.URL || got.SiteURL != src.SiteURL || !got.Extract ||
		got.Interval != 30*time.Minute || got.Language != "en" || got.Kind != newsdesk.SourceFeed {
		t.Errorf("Source = %+v", got)
	}

	dup := &newsdesk.Source{Name: "Other", Kind: newsdesk.SourceFeed, URL: src.URL}
	wantCode(t, s.CreateSource(ctx, dup), newsdesk.ECONFLICT)
	wantCode(t, s.CreateSource(ctx, &newsdesk.Source{Kind: newsdesk.SourceFeed, URL: "https://x.example"}), newsdesk.EINVALID)
	wantCode(t, s.CreateSource(ctx, &newsdesk.Source{Name: "No URL", Kind: newsdesk.SourceFeed}), newsdesk.EINVALID)

	// Manual sources have no URL; two of them do not conflict.
	for _, name := range []string{"Desk A", "Desk B"} {
		must(t, s.CreateSource(ctx, &newsdesk.Source{Name: name, Kind: newsdesk.SourceManual}))
	}

	other := mustSource(t, s, "ap")
	got.Name, got.Paused, got.Licence, got.Interval = "Reuters World", true, newsdesk.LicenceHeadline, time.Hour
	must(t, s.UpdateSource(ctx, got))
	again, err := s.Source(ctx, src.ID)
	must(t, err)
	if again.Name != "Reuters World" || !again.Paused || again.Licence != newsdesk.LicenceHeadline || again.Interval != time.Hour {
		t.Errorf("after update: %+v", again)
	}
	again.URL = other.URL
	wantCode(t, s.UpdateSource(ctx, again), newsdesk.ECONFLICT)

	missing := *got
	missing.ID = 999999
	wantCode(t, s.UpdateSource(ctx, &missing), newsdesk.ENOTFOUND)
	_, err = s.Source(ctx, 999999)
	wantCode(t, err, newsdesk.ENOTFOUND)

	must(t, s.DeleteSource(ctx, src.ID))
	_, err = s.Source(ctx, src.ID)
	wantCode(t, err, newsdesk.ENOTFOUND)
	wantCode(t, s.DeleteSource(ctx, src.ID), newsdesk.ENOTFOUND)
}

func testSourcesFilter(t *testing.T, s newsdesk.Store) {
	ctx := t.Context()
	var all []*newsdesk.Source
	for i := range 5 {
		src := mustSource(t, s, fmt.Sprintf("src%d", i))
		all = append(all, src)
	}
	all[1].Paused = true
	must(t, s.UpdateSource(ctx, all[1]))
	manual := &newsdesk.Source{Name: "Desk", Kind: newsdesk.SourceManual}
	must(t, s.CreateSource(ctx, manual))

	list, total, err := s.Sources(ctx, newsdesk.SourceFilter{})
	must(t, err)
	if total != 6 || len(list) != 6 {
		t.Fatalf("all sources: %d of total %d, want 6", len(list), total)
	}
	for i := 1; i < len(list); i++ {
		if list[i-1].ID >= list[i].ID {
			t.Fatalf("sources not in ID order")
		}
	}
	list, total, err = s.Sources(ctx, newsdesk.SourceFilter{Limit: 2, Offset: 2})
	must(t, err)
	if total != 6 || len(list) != 2 || list[0].ID != all[2].ID {
		t.Errorf("page: %d of total %d, first %d", len(list), total, list[0].ID)
	}
	list, total, err = s.Sources(ctx, newsdesk.SourceFilter{Paused: ptr(true)})
	must(t, err)
	if total != 1 || list[0].ID != all[1].ID {
		t.Errorf("paused filter: total %d", total)
	}
	list, total, err = s.Sources(ctx, newsdesk.SourceFilter{URL: ptr(all[3].URL)})
	must(t, err)
	if total != 1 || list[0].ID != all[3].ID {
		t.Errorf("URL filter: total %d", total)
	}
	_, total, err = s.Sources(ctx, newsdesk.SourceFilter{Kind: ptr(newsdesk.SourceManual)})
	must(t, err)
	if total != 1 {
		t.Errorf("kind filter: total %d, want 1", total)
	}
	list, _, err = s.Sources(ctx, newsdesk.SourceFilter{ID: ptr(all[4].ID)})
	must(t, err)
	if len(list) != 1 || list[0].ID != all[4].ID {
		t.Errorf("ID filter: %v", list)
	}
}

func testRecordFetch(t *testing.T, s newsdesk.Store) {
	ctx := t.Context()
	src := mustSource(t, s, "feed")
	must(t, s.RecordFetch(ctx, src.ID, newsdesk.FetchResult{At: at(0), OK: true, ETag: `"v1"`, LastModified: "Fri, 01 Mar 2024 12:00:00 GMT",
		NextFetchAt: at(1), Items: 10, Created: 10}))
	must(t, s.RecordFetch(ctx, src.ID, newsdesk.FetchResult{At: at(1), OK: false, Error: "HTTP 503", NextFetchAt: at(2)}))
	must(t, s.RecordFetch(ctx, src.ID, newsdesk.FetchResult{At: at(2), OK: false, Error: "timeout", NextFetchAt: at(4)}))
	got, err := s.Source(ctx, src.ID)
	must(t, err)
	if got.Failures != 2 || got.LastError != "timeout" || got.ETag != `"v1"` || !got.NextFetchAt.Equal(at(4)) ||
		!got.LastFetchAt.Equal(at(2)) || !got.LastSuccessAt.Equal(at(0)) {
		t.Errorf("after failures: failures=%d err=%q etag=%q next=%v last=%v success=%v",
			got.Failures, got.LastError, got.ETag, got.NextFetchAt, got.LastFetchAt, got.LastSuccessAt)
	}
	must(t, s.RecordFetch(ctx, src.ID, newsdesk.FetchResult{At: at(24), OK: true, NextFetchAt: at(25), Items: 10, Created: 12}))
	got, err = s.Source(ctx, src.ID)
	must(t, err)
	if got.Failures != 0 || got.LastError != "" || got.ETag != `"v1"` || !got.LastSuccessAt.Equal(at(24)) {
		t.Errorf("after success: failures=%d err=%q etag=%q", got.Failures, got.LastError, got.ETag)
	}
	if got.ItemsPerDay <= 0 {
		t.Errorf("items per day = %v, want > 0 after a day with 12 new articles", got.ItemsPerDay)
	}
	wantCode(t, s.RecordFetch(ctx, 999999, newsdesk.FetchResult{At: at(0), OK: true}), newsdesk.ENOTFOUND)
}

func leaseIDs(t *testing.T, s newsdesk.Store, owner string, now time.Time, ttl time.Duration, limit int) []int64 {
	t.Helper()
	srcs, err := s.LeaseDueSources(t.Context(), owner, now, ttl, limit)
	must(t, err)
	out := make([]int64, len(srcs))
	for i, src := range srcs {
		out[i] = src.ID
	}
	slices.Sort(out)
	return out
}

func testLeases(t *testing.T, s newsdesk.Store) {
	ctx := t.Context()
	now := time.Now().UTC().Truncate(time.Second)
	var due []int64
	for i := range 3 {
		src := mustSource(t, s, fmt.Sprintf("due%d", i))
		must(t, s.RecordFetch(ctx, src.ID, newsdesk.FetchResult{At: now.Add(-time.Hour), OK: true, NextFetchAt: now.Add(-time.Duration(i+1) * time.Minute)}))
		due = append(due, src.ID)
	}
	paused := mustSource(t, s, "paused")
	paused.Paused = true
	must(t, s.UpdateSource(ctx, paused))
	later := mustSource(t, s, "later")
	must(t, s.RecordFetch(ctx, later.ID, newsdesk.FetchResult{At: now, OK: true, NextFetchAt: now.Add(time.Hour)}))
	must(t, s.CreateSource(ctx, &newsdesk.Source{Name: "Desk", Kind: newsdesk.SourceManual}))

	// Most overdue first.
	srcs, err := s.LeaseDueSources(ctx, "a", now, time.Minute, 2)
	must(t, err)
	if len(srcs) != 2 || srcs[0].ID != due[2] || srcs[1].ID != due[1] {
		t.Fatalf("first lease: got %v, want the two most overdue %v, %v", srcs, due[2], due[1])
	}
	b := leaseIDs(t, s, "b", now, time.Minute, 10)
	if !slices.Equal(b, []int64{due[0]}) {
		t.Fatalf("second lease = %v, want only %d", b, due[0])
	}
	if c := leaseIDs(t, s, "c", now, time.Minute, 10); len(c) != 0 {
		t.Fatalf("third lease = %v, want none", c)
	}
	// Another owner cannot release a's lease.
	must(t, s.ReleaseSource(ctx, due[2], "c"))
	if c := leaseIDs(t, s, "c", now, time.Minute, 10); len(c) != 0 {
		t.Fatalf("lease after a foreign release = %v, want none", c)
	}
	must(t, s.ReleaseSource(ctx, due[2], "a"))
	if c := leaseIDs(t, s, "c", now, time.Minute, 10); !slices.Equal(c, []int64{due[2]}) {
		t.Fatalf("lease after release = %v, want %d", c, due[2])
	}
	// Expired leases can be taken again.
	if d := leaseIDs(t, s, "d", now.Add(2*time.Minute), time.Minute, 10); !slices.Equal(d, due) {
		t.Fatalf("lease after expiry = %v, want %v", d, due)
	}
	if len(leaseIDs(t, s, "e", now.Add(30*time.Minute), time.Minute, 0)) != 0 {
		t.Errorf("limit 0 leased sources")
	}
}

func testLeasesConcurrent(t *testing.T, s newsdesk.Store) {
	ctx := t.Context()
	now := time.Now().UTC().Truncate(time.Second)
	const n = 30
	for i := range n {
		src := mustSource(t, s, fmt.Sprintf("c%d", i))
		must(t, s.RecordFetch(ctx, src.ID, newsdesk.FetchResult{At: now.Add(-time.Hour), OK: true, NextFetchAt: now.Add(-time.Minute)}))
	}
	const workers = 6
	results := make(chan []int64, workers)
	errs := make(chan error, workers)
	for w := range workers {
		go func() {
			var got []int64
			for range 10 {
				srcs, err := s.LeaseDueSources(ctx, fmt.Sprintf("w%d", w), now, time.Hour, 2)
				if err != nil {
					errs <- err
					return
				}
				for _, src := range srcs {
					got = append(got, src.ID)
				}
			}
			errs <- nil
			results <- got
		}()
	}
	seen := map[int64]bool{}
	for range workers {
		must(t, <-errs)
	}
	for range workers {
		for _, id := range <-results {
			if seen[id] {
				t.Fatalf("source %d leased twice", id)
			}
			seen[id] = true
		}
	}
	if len(seen) != n {
		t.Errorf("%d sources leased, want all %d", len(seen), n)
	}
}

func testUpsert(t *testing.T, s newsdesk.Store) {
	ctx := t.Context()
	src := mustSource(t, s, "reuters")
	a := art("g1", "Talks resume in Baghdad", at(0))
	b := art("g2", "Oil prices rise", at(1))
	created := upsert(t, s, src.ID, a, b)
	if len(created) != 2 || a.ID == 0 || b.ID == 0 || a.ID == b.ID {
		t.Fatalf("created %d, IDs %d %d", len(created), a.ID, b.ID)
	}
	if a.Slug != "talks-resume-in-baghdad" || a.StoryID == 0 || b.StoryID == 0 || a.StoryID == b.StoryID {
		t.Errorf("slug %q, stories %d %d", a.Slug, a.StoryID, b.StoryID)
	}
	first, err := s.Article(ctx, a.ID)
	must(t, err)
	if first.Headline != a.Headline || first.Source != "reuters" || first.SourceID != src.ID ||
		first.Licence != newsdesk.LicenceExcerpt || !first.PublishedAt.Equal(at(0)) || first.Status != newsdesk.StatusPublished ||
		first.URL != a.URL || first.GUID != "g1" || first.Slug != a.Slug || first.StoryID != a.StoryID {
		t.Errorf("stored article = %+v", first)
	}
	story, err := s.Story(ctx, a.StoryID)
	must(t, err)
	if story.Title != a.Headline || story.Articles != 1 || story.FirstArticleID != a.ID {
		t.Errorf("new story = %+v", story)
	}

	// Unchanged: nothing created, nothing moves.
	same := art("g1", "Talks resume in Baghdad", at(0))
	if created := upsert(t, s, src.ID, same); len(created) != 0 {
		t.Fatalf("unchanged upsert created %d", len(created))
	}
	if same.ID != a.ID || same.StoryID != a.StoryID || same.Slug != a.Slug {
		t.Errorf("unchanged upsert set ID %d story %d slug %q", same.ID, same.StoryID, same.Slug)
	}
	again, err := s.Article(ctx, a.ID)
	must(t, err)
	if !again.UpdatedAt.Equal(first.UpdatedAt) {
		t.Errorf("UpdatedAt moved without a change: %v → %v", first.UpdatedAt, again.UpdatedAt)
	}

	// Changed body: updated in place, UpdatedAt moves.
	changed := art("g1", "Talks resume in Baghdad", at(0))
	changed.Body = "<p>Corrected body</p>"
	if created := upsert(t, s, src.ID, changed); len(created) != 0 {
		t.Fatalf("changed upsert created %d", len(created))
	}
	upd, err := s.Article(ctx, a.ID)
	must(t, err)
	if upd.Body != "<p>Corrected body</p>" || !upd.UpdatedAt.After(first.UpdatedAt) {
		t.Errorf("after change: body %q, UpdatedAt %v (was %v)", upd.Body, upd.UpdatedAt, first.UpdatedAt)
	}
	// Changed headline: new slug, same ID.
	renamed := art("g1", "Talks collapse in Baghdad", at(0))
	upsert(t, s, src.ID, renamed)
	if renamed.ID != a.ID || renamed.Slug != "talks-collapse-in-baghdad" {
		t.Errorf("renamed: ID %d slug %q", renamed.ID, renamed.Slug)
	}
	_, total, err := s.Articles(ctx, newsdesk.ArticleFilter{SourceID: &src.ID})
	must(t, err)
	if total != 2 {
		t.Errorf("articles after updates = %d, want 2", total)
	}
	// A mixed batch returns only the new ones.
	c := art("g3", "New report", at(2))
	created = upsert(t, s, src.ID, art("g2", "Oil prices rise", at(1)), c)
	if len(created) != 1 || created[0] != c {
		t.Errorf("mixed batch created %v, want only the new article", ids(created))
	}
	// Manual articles (source 0) keep the name they are given.
	m := art("desk-1", "Editorial", at(3))
	m.Source = "The Desk"
	upsert(t, s, 0, m)
	got, err := s.Article(ctx, m.ID)
	must(t, err)
	if got.SourceID != 0 || got.Source != "The Desk" {
		t.Errorf("manual article source = %d %q", got.SourceID, got.Source)
	}
	_, err = s.Article(ctx, 999999)
	wantCode(t, err, newsdesk.ENOTFOUND)
}

// testUpsertIndexed: a batch and its search documents are stored in one
// transaction; the documents are asked for every article of the batch,
// created or matched, with its ID, and a failure to make them stores
// nothing.
func testUpsertIndexed(t *testing.T, s newsdesk.Store) {
	ctx := t.Context()
	src := mustSource(t, s, "wire")
	old := art("g1", "Dam talks open in Mosul", at(0))
	upsert(t, s, src.ID, old)
	var asked []int64
	docs := func(ctx context.Context, stored []*newsdesk.Article) ([]newsdesk.SearchDoc, error) {
		var out []newsdesk.SearchDoc
		for _, a := range stored {
			asked = append(asked, a.ID)
			out = append(out, doc(a, ""))
		}
		return out, nil
	}
	again := art("g1", "Dam talks open in Mosul", at(0))
	fresh := art("g2", "Saffron harvest doubles in Torbat", at(1))
	created, err := s.UpsertArticlesIndexed(ctx, src.ID, []*newsdesk.Article{again, fresh}, docs)
	must(t, err)
	wantIDs(t, "created", created, fresh.ID)
	if !slices.Equal(asked, []int64{old.ID, fresh.ID}) {
		t.Errorf("documents asked for %v, want %v", asked, []int64{old.ID, fresh.ID})
	}
	for _, q := range []string{"saffron", "mosul"} {
		if res := search(t, s, newsdesk.SearchQuery{Text: q, Limit: 10}); len(res.Hits) != 1 {
			t.Errorf("search %q: %v, want one hit", q, hitIDs(res))
		}
	}

	failed := errors.New("no documents today")
	lost := art("g3", "Pistachio exports resume", at(2))
	_, err = s.UpsertArticlesIndexed(ctx, src.ID, []*newsdesk.Article{lost}, func(context.Context, []*newsdesk.Article) ([]newsdesk.SearchDoc, error) {
		return nil, failed
	})
	if !errors.Is(err, failed) {
		t.Fatalf("error %v, want the documents' error", err)
	}
	if id, err := s.ArticleExists(ctx, src.ID, "g3", lost.URL); err != nil || id != 0 {
		t.Errorf("the batch whose documents failed was stored: ID %d, %v", id, err)
	}
	if res := search(t, s, newsdesk.SearchQuery{Text: "pistachio", Limit: 10}); len(res.Hits) != 0 {
		t.Errorf("the batch whose documents failed is searchable: %v", hitIDs(res))
	}
}

func testUpsertMatching(t *testing.T, s newsdesk.Store) {
	ctx := t.Context()
	src := mustSource(t, s, "one")
	other := mustSource(t, s, "two")
	byURL := &newsdesk.Article{URL: "https://one.example/a", Headline: "By URL", PublishedAt: at(0)}
	upsert(t, s, src.ID, byURL)

	// Same URL, no GUID: the same article.
	again := &newsdesk.Article{URL: "https://one.example/a", Headline: "By URL, updated", PublishedAt: at(0)}
	if created := upsert(t, s, src.ID, again); len(created) != 0 || again.ID != byURL.ID {
		t.Errorf("URL match: created %d, ID %d want %d", len(created), again.ID, byURL.ID)
	}
	// Same GUID, new URL: the same article.
	g := art("guid-x", "GUID article", at(1))
	upsert(t, s, src.ID, g)
	moved := art("guid-x", "GUID article", at(1))
	moved.URL = "https://one.example/moved"
	if created := upsert(t, s, src.ID, moved); len(created) != 0 || moved.ID != g.ID {
		t.Errorf("GUID match: created %d, ID %d want %d", len(created), moved.ID, g.ID)
	}
	// Same GUID from another source: a different article.
	elsewhere := art("guid-x", "GUID article", at(1))
	if created := upsert(t, s, other.ID, elsewhere); len(created) != 1 || elsewhere.ID == g.ID {
		t.Errorf("other source: created %d, ID %d", len(created), elsewhere.ID)
	}

	for _, tt := range []struct {
		name      string
		source    int64
		guid, url string
		want      int64
	}{
		{"by guid", src.ID, "guid-x", "", g.ID},
		{"by url", src.ID, "", "https://one.example/a", byURL.ID},
		{"guid first", src.ID, "guid-x", "https://one.example/a", g.ID},
		{"unknown guid, known url", src.ID, "nope", "https://one.example/a", byURL.ID},
		{"other source", other.ID, "guid-x", "", elsewhere.ID},
		{"missing", src.ID, "nope", "https://one.example/nope", 0},
		{"empty", src.ID, "", "", 0},
	} {
		id, err := s.ArticleExists(ctx, tt.source, tt.guid, tt.url)
		must(t, err)
		if id != tt.want {
			t.Errorf("ArticleExists %s = %d, want %d", tt.name, id, tt.want)
		}
	}
	// A story given by the caller is kept.
	first := art("s1", "First", at(2))
	upsert(t, s, src.ID, first)
	joined := art("s2", "Second", at(3))
	joined.StoryID = first.StoryID
	upsert(t, s, other.ID, joined)
	if joined.StoryID != first.StoryID {
		t.Fatalf("story not kept: %d want %d", joined.StoryID, first.StoryID)
	}
	story, err := s.Story(ctx, first.StoryID)
	must(t, err)
	if story.Articles != 2 || story.Sources != 2 {
		t.Errorf("joined story counts = %d articles, %d sources", story.Articles, story.Sources)
	}
}

func testUpsertInvalid(t *testing.T, s newsdesk.Store) {
	ctx := t.Context()
	src := mustSource(t, s, "src")
	good := art("ok", "Fine", at(0))
	_, err := s.UpsertArticles(ctx, src.ID, []*newsdesk.Article{good, {GUID: "x"}})
	wantCode(t, err, newsdesk.EINVALID)
	_, total, err := s.Articles(ctx, newsdesk.ArticleFilter{IncludeUnpublished: true})
	must(t, err)
	if total != 0 {
		t.Errorf("an invalid batch stored %d articles", total)
	}
	_, err = s.UpsertArticles(ctx, 999999, []*newsdesk.Article{art("x", "Orphan", at(0))})
	wantCode(t, err, newsdesk.ENOTFOUND)
}

func testArticleRefs(t *testing.T, s newsdesk.Store) {
	ctx := t.Context()
	src := mustSource(t, s, "src")
	region := mustSection(t, s, "middle-east", 0, 0)
	iraq := mustSection(t, s, "iraq", region.ID, 0)
	iran := mustSection(t, s, "iran", region.ID, 1)
	un := mustEntity(t, s, "United Nations", "UN")
	mek := mustEntity(t, s, "Mujahedeen-e-Khalq", "MEK", "MKO")
	a := art("a", "Filed", at(0))
	a.Sections = []newsdesk.SectionRef{{ID: iran.ID}, {ID: iraq.ID}}
	a.Entities = []newsdesk.EntityRef{{ID: un.ID, Mentions: 1}, {ID: mek.ID, Mentions: 4}}
	upsert(t, s, src.ID, a)
	got, err := s.Article(ctx, a.ID)
	must(t, err)
	if len(got.Sections) != 2 || got.Sections[0].ID != iran.ID || got.Sections[0].Slug != "iran" || got.Sections[1].ID != iraq.ID {
		t.Errorf("sections = %+v, want iran (primary) then iraq", got.Sections)
	}
	if got.PrimarySection().Name != iran.Name {
		t.Errorf("primary section name = %q", got.PrimarySection().Name)
	}
	if len(got.Entities) != 2 || got.Entities[0].ID != mek.ID || got.Entities[0].Mentions != 4 ||
		got.Entities[0].Slug != mek.Slug || got.Entities[0].Kind != newsdesk.EntityOrganisation || got.Entities[1].ID != un.ID {
		t.Errorf("entities = %+v, want MEK (4 mentions) then UN", got.Entities)
	}
	// Lists carry the same refs.
	list, _, err := s.Articles(ctx, newsdesk.ArticleFilter{})
	must(t, err)
	if len(list) != 1 || len(list[0].Sections) != 2 || len(list[0].Entities) != 2 {
		t.Errorf("Articles did not load refs: %+v", list)
	}
}

func testArticlesFilter(t *testing.T, s newsdesk.Store) {
	ctx := t.Context()
	one := mustSource(t, s, "one")
	two := mustSource(t, s, "two")
	region := mustSection(t, s, "region", 0, 0)
	country := mustSection(t, s, "country", region.ID, 0)
	city := mustSection(t, s, "city", country.ID, 0)
	elsewhere := mustSection(t, s, "elsewhere", 0, 1)
	e1 := mustEntity(t, s, "Entity One")
	e2 := mustEntity(t, s, "Entity Two")

	a := art("a", "In region", at(0))
	a.Sections = []newsdesk.SectionRef{{ID: region.ID}}
	a.Entities = []newsdesk.EntityRef{{ID: e1.ID, Mentions: 1}}
	b := art("b", "In city", at(1))
	b.Sections = []newsdesk.SectionRef{{ID: city.ID}}
	b.Entities = []newsdesk.EntityRef{{ID: e2.ID, Mentions: 1}}
	c := art("c", "Elsewhere", at(2))
	c.Sections = []newsdesk.SectionRef{{ID: elsewhere.ID}}
	d := art("d", "Unpublished", at(3))
	d.Status = newsdesk.StatusUnpublished
	d.Sections = []newsdesk.SectionRef{{ID: country.ID}}
	upsert(t, s, one.ID, a, b, c, d)
	e := art("e", "Duplicate from two", at(4))
	e.DuplicateOf = a.ID
	e.Sections = []newsdesk.SectionRef{{ID: country.ID}}
	upsert(t, s, two.ID, e)

	for _, tt := range []struct {
		name string
		f    newsdesk.ArticleFilter
		want []int64
	}{
		{"all published, newest first", newsdesk.ArticleFilter{}, []int64{e.ID, c.ID, b.ID, a.ID}},
		{"oldest first", newsdesk.ArticleFilter{Oldest: true}, []int64{a.ID, b.ID, c.ID, e.ID}},
		{"include unpublished", newsdesk.ArticleFilter{IncludeUnpublished: true}, []int64{e.ID, d.ID, c.ID, b.ID, a.ID}},
		{"region with descendants", newsdesk.ArticleFilter{SectionID: &region.ID}, []int64{e.ID, b.ID, a.ID}},
		{"country with descendants", newsdesk.ArticleFilter{SectionID: &country.ID}, []int64{e.ID, b.ID}},
		{"leaf section", newsdesk.ArticleFilter{SectionID: &city.ID}, []int64{b.ID}},
		{"source", newsdesk.ArticleFilter{SourceID: &two.ID}, []int64{e.ID}},
		{"entity", newsdesk.ArticleFilter{EntityID: &e1.ID}, []int64{a.ID}},
		{"any entity", newsdesk.ArticleFilter{AnyEntity: []int64{e1.ID, e2.ID}}, []int64{b.ID, a.ID}},
		{"story", newsdesk.ArticleFilter{StoryID: &c.StoryID}, []int64{c.ID}},
		{"since", newsdesk.ArticleFilter{Since: ptr(at(2))}, []int64{e.ID, c.ID}},
		{"before", newsdesk.ArticleFilter{Before: ptr(at(2))}, []int64{b.ID, a.ID}},
		{"since and before", newsdesk.ArticleFilter{Since: ptr(at(1)), Before: ptr(at(4))}, []int64{c.ID, b.ID}},
		{"exclude duplicates", newsdesk.ArticleFilter{ExcludeDuplicates: true}, []int64{c.ID, b.ID, a.ID}},
		{"ids", newsdesk.ArticleFilter{IDs: []int64{a.ID, c.ID, d.ID}}, []int64{c.ID, a.ID}},
		{"section including unpublished", newsdesk.ArticleFilter{SectionID: &country.ID, IncludeUnpublished: true}, []int64{e.ID, d.ID, b.ID}},
		{"section oldest first", newsdesk.ArticleFilter{SectionID: &region.ID, Oldest: true}, []int64{a.ID, b.ID, e.ID}},
		{"section and source", newsdesk.ArticleFilter{SectionID: &region.ID, SourceID: &one.ID}, []int64{b.ID, a.ID}},
		{"section and since", newsdesk.ArticleFilter{SectionID: &region.ID, Since: ptr(at(1))}, []int64{e.ID, b.ID}},
		{"no match", newsdesk.ArticleFilter{SourceID: ptr(int64(999999))}, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, total, err := s.Articles(ctx, tt.f)
			must(t, err)
			wantIDs(t, tt.name, got, tt.want...)
			if total != len(tt.want) {
				t.Errorf("total = %d, want %d", total, len(tt.want))
			}
		})
	}
}

func testArticlesPagination(t *testing.T, s newsdesk.Store) {
	ctx := t.Context()
	src := mustSource(t, s, "src")
	var arts []*newsdesk.Article
	for i := range 7 {
		arts = append(arts, art(fmt.Sprintf("p%d", i), fmt.Sprintf("Story %d", i), at(0))) // same time: ID breaks ties
	}
	upsert(t, s, src.ID, arts...)
	var seen []int64
	for off := 0; off < 9; off += 3 {
		page, total, err := s.Articles(ctx, newsdesk.ArticleFilter{Offset: off, Limit: 3})
		must(t, err)
		if total != 7 {
			t.Fatalf("offset %d: total = %d, want 7", off, total)
		}
		seen = append(seen, ids(page)...)
	}
	want := ids(arts)
	slices.Reverse(want)
	if !slices.Equal(seen, want) {
		t.Errorf("pages = %v, want %v (newest first, then higher ID first)", seen, want)
	}
	page, total, err := s.Articles(ctx, newsdesk.ArticleFilter{Offset: 20, Limit: 3})
	must(t, err)
	if len(page) != 0 || total != 7 {
		t.Errorf("past the end: %d articles, total %d", len(page), total)
	}
}

func testUpdateArticle(t *testing.T, s newsdesk.Store) {
	ctx := t.Context()
	src := mustSource(t, s, "src")
	sec := mustSection(t, s, "sec", 0, 0)
	other := mustSection(t, s, "other", 0, 1)
	ent := mustEntity(t, s, "Someone")
	a := art("a", "Original", at(0))
	a.Sections = []newsdesk.SectionRef{{ID: sec.ID}}
	upsert(t, s, src.ID, a)
	before, err := s.Article(ctx, a.ID)
	must(t, err)

	// A status change alone is not a content change.
	before.Status = newsdesk.StatusUnpublished
	must(t, s.UpdateArticle(ctx, before))
	got, err := s.Article(ctx, a.ID)
	must(t, err)
	if got.Status != newsdesk.StatusUnpublished || !got.UpdatedAt.Equal(before.UpdatedAt) {
		t.Errorf("status-only update: status %q, UpdatedAt %v (was %v)", got.Status, got.UpdatedAt, before.UpdatedAt)
	}
	list, _, err := s.Articles(ctx, newsdesk.ArticleFilter{})
	must(t, err)
	if len(list) != 0 {
		t.Errorf("unpublished article still listed")
	}
	story, err := s.Story(ctx, a.StoryID)
	must(t, err)
	if story.Articles != 0 {
		t.Errorf("story counts an unpublished article: %d", story.Articles)
	}

	got.Status = newsdesk.StatusPublished
	got.Headline = "Edited headline"
	got.Author = "Desk Editor"
	got.Sections = []newsdesk.SectionRef{{ID: other.ID}, {ID: sec.ID}}
	got.SectionsLocked = true
	got.Entities = []newsdesk.EntityRef{{ID: ent.ID, Mentions: 2}}
	must(t, s.UpdateArticle(ctx, got))
	after, err := s.Article(ctx, a.ID)
	must(t, err)
	if after.Headline != "Edited headline" || after.Author != "Desk Editor" || !after.UpdatedAt.After(before.UpdatedAt) ||
		after.Slug != "edited-headline" || !after.SectionsLocked || len(after.Sections) != 2 || after.Sections[0].ID != other.ID ||
		len(after.Entities) != 1 || after.Entities[0].Mentions != 2 || after.Status != newsdesk.StatusPublished {
		t.Errorf("after edit: %+v", after)
	}
	list, _, err = s.Articles(ctx, newsdesk.ArticleFilter{SectionID: &other.ID})
	must(t, err)
	wantIDs(t, "refiled article in its new section", list, a.ID)
	// Ingest does not undo an editor's filing.
	re := art("a", "Original from the feed again", at(0))
	re.Sections = []newsdesk.SectionRef{{ID: sec.ID}}
	upsert(t, s, src.ID, re)
	kept, err := s.Article(ctx, a.ID)
	must(t, err)
	if len(kept.Sections) != 2 || kept.Sections[0].ID != other.ID {
		t.Errorf("locked sections replaced by ingest: %+v", kept.Sections)
	}

	missing := *after
	missing.ID = 999999
	wantCode(t, s.UpdateArticle(ctx, &missing), newsdesk.ENOTFOUND)
	after.Headline = ""
	wantCode(t, s.UpdateArticle(ctx, after), newsdesk.EINVALID)
}

func testDeletedSource(t *testing.T, s newsdesk.Store) {
	ctx := t.Context()
	src := mustSource(t, s, "gone")
	a := art("a", "Stays", at(0))
	upsert(t, s, src.ID, a)
	must(t, s.DeleteSource(ctx, src.ID))
	got, err := s.Article(ctx, a.ID)
	must(t, err)
	if got.Source != "gone" {
		t.Errorf("attribution after source deleted = %q", got.Source)
	}
	if got.Licence == "" {
		t.Errorf("licence lost with the source")
	}
}

func testFindByFingerprint(t *testing.T, s newsdesk.Store) {
	ctx := t.Context()
	one := mustSource(t, s, "one")
	two := mustSource(t, s, "two")
	a := art("a", "Wire copy", at(2))
	a.Fingerprint = "fp1"
	b := art("b", "Wire copy", at(1))
	b.Fingerprint = "fp1"
	c := art("c", "Wire copy", at(0))
	c.Fingerprint = "fp1"
	c.Status = newsdesk.StatusUnpublished
	d := art("d", "Other", at(0))
	d.Fingerprint = "fp2"
	upsert(t, s, one.ID, a, c, d)
	upsert(t, s, two.ID, b)
	got, err := s.FindByFingerprint(ctx, "fp1")
	must(t, err)
	wantIDs(t, "fingerprint", got, b.ID, a.ID)
	got, err = s.FindByFingerprint(ctx, "none")
	must(t, err)
	if len(got) != 0 {
		t.Errorf("unknown fingerprint found %d", len(got))
	}
}

func testSections(t *testing.T, s newsdesk.Store) {
	ctx := t.Context()
	b := mustSection(t, s, "b-region", 0, 1)
	a := mustSection(t, s, "a-region", 0, 0)
	b2 := mustSection(t, s, "b-two", b.ID, 1)
	b1 := mustSection(t, s, "b-one", b.ID, 0)
	a1 := mustSection(t, s, "a-one", a.ID, 0)
	a1.Code = "iq"
	a1.Description = "Iraq"
	must(t, s.UpdateSection(ctx, a1))

	all, err := s.Sections(ctx)
	must(t, err)
	pos := map[int64]int{}
	for i, sec := range all {
		pos[sec.ID] = i
	}
	if len(all) != 5 {
		t.Fatalf("%d sections, want 5", len(all))
	}
	for _, sec := range all {
		if sec.ParentID != 0 && pos[sec.ParentID] > pos[sec.ID] {
			t.Errorf("section %s listed before its parent", sec.Slug)
		}
	}
	if pos[a.ID] > pos[b.ID] || pos[b1.ID] > pos[b2.ID] {
		t.Errorf("siblings not in position order: %v", pos)
	}
	tree := newsdesk.NewSectionTree(all)
	if got := tree.ByCode("iq"); got == nil || got.ID != a1.ID || got.Description != "Iraq" {
		t.Errorf("updated section not found by code: %+v", got)
	}

	wantCode(t, s.CreateSection(ctx, &newsdesk.Section{Slug: "a-region", Name: "Dup"}), newsdesk.ECONFLICT)
	wantCode(t, s.CreateSection(ctx, &newsdesk.Section{Slug: "", Name: "No slug"}), newsdesk.EINVALID)
	wantCode(t, s.UpdateSection(ctx, &newsdesk.Section{ID: 999999, Slug: "x", Name: "X"}), newsdesk.ENOTFOUND)
	dup := *b1
	dup.Slug = "b-two"
	wantCode(t, s.UpdateSection(ctx, &dup), newsdesk.ECONFLICT)
	cycle := *b
	cycle.ParentID = b1.ID
	wantCode(t, s.UpdateSection(ctx, &cycle), newsdesk.EINVALID)

	// Moving a section carries its articles to the new parent's pages.
	src0 := mustSource(t, s, "moved")
	moved := art("moved", "Filed in b-two", at(-1))
	moved.Sections = []newsdesk.SectionRef{{ID: b2.ID}}
	upsert(t, s, src0.ID, moved)
	list, _, err := s.Articles(ctx, newsdesk.ArticleFilter{SectionID: &a.ID})
	must(t, err)
	wantIDs(t, "a-region before the move", list)
	b2.ParentID = a.ID
	must(t, s.UpdateSection(ctx, b2))
	list, _, err = s.Articles(ctx, newsdesk.ArticleFilter{SectionID: &a.ID})
	must(t, err)
	wantIDs(t, "a-region after the move", list, moved.ID)
	list, _, err = s.Articles(ctx, newsdesk.ArticleFilter{SectionID: &b.ID})
	must(t, err)
	wantIDs(t, "b-region after the move", list)

	wantCode(t, s.DeleteSection(ctx, b.ID), newsdesk.EINVALID)
	src := mustSource(t, s, "src")
	only := art("only", "Only in b-one", at(0))
	only.Sections = []newsdesk.SectionRef{{ID: b1.ID}}
	both := art("both", "In b-one and a-one", at(1))
	both.Sections = []newsdesk.SectionRef{{ID: b1.ID}, {ID: a1.ID}}
	upsert(t, s, src.ID, only, both)
	must(t, s.DeleteSection(ctx, b1.ID))
	list, total, err := s.Articles(ctx, newsdesk.ArticleFilter{SectionID: &b.ID})
	must(t, err)
	if total != 0 {
		t.Errorf("b-region still lists %v after its child was deleted", ids(list))
	}
	list, _, err = s.Articles(ctx, newsdesk.ArticleFilter{SectionID: &a.ID})
	must(t, err)
	wantIDs(t, "a-region after delete", list, both.ID, moved.ID)
	got, err := s.Article(ctx, only.ID)
	must(t, err)
	if len(got.Sections) != 0 {
		t.Errorf("article still filed in a deleted section: %+v", got.Sections)
	}
	got, err = s.Article(ctx, both.ID)
	must(t, err)
	if len(got.Sections) != 1 || got.Sections[0].ID != a1.ID {
		t.Errorf("remaining filing = %+v, want a-one as primary", got.Sections)
	}
	wantCode(t, s.DeleteSection(ctx, b1.ID), newsdesk.ENOTFOUND)
}

func testEntities(t *testing.T, s newsdesk.Store) {
	ctx := t.Context()
	mek := mustEntity(t, s, "Mujahedeen-e-Khalq", "MEK", "MKO")
	if mek.ID == 0 || mek.Slug != "mujahedeen-e-khalq" || mek.CreatedAt.IsZero() {
		t.Fatalf("created entity = %+v", mek)
	}
	un := mustEntity(t, s, "United Nations", "UN")
	person := &newsdesk.Entity{Kind: newsdesk.EntityPerson, Name: "Nouri al-Maliki", Aliases: []string{"Maliki"}}
	must(t, s.CreateEntity(ctx, person))

	for _, name := range []string{"mek", "MKO", "mujahedeen-e-khalq", "MUJAHEDEEN-E-KHALQ"} {
		got, err := s.EntityByName(ctx, name)
		must(t, err)
		if got.ID != mek.ID {
			t.Errorf("EntityByName(%q) = %d, want %d", name, got.ID, mek.ID)
		}
	}
	_, err := s.EntityByName(ctx, "nobody")
	wantCode(t, err, newsdesk.ENOTFOUND)
	got, err := s.Entity(ctx, mek.ID)
	must(t, err)
	if !slices.Equal(got.Aliases, []string{"MEK", "MKO"}) || got.Kind != newsdesk.EntityOrganisation {
		t.Errorf("Entity = %+v", got)
	}
	got, err = s.EntityBySlug(ctx, "united-nations")
	must(t, err)
	if got.ID != un.ID {
		t.Errorf("EntityBySlug = %d", got.ID)
	}
	_, err = s.Entity(ctx, 999999)
	wantCode(t, err, newsdesk.ENOTFOUND)
	_, err = s.EntityBySlug(ctx, "nope")
	wantCode(t, err, newsdesk.ENOTFOUND)

	// A name or alias names one entity only.
	wantCode(t, s.CreateEntity(ctx, &newsdesk.Entity{Kind: newsdesk.EntityOrganisation, Name: "Mek"}), newsdesk.ECONFLICT)
	wantCode(t, s.CreateEntity(ctx, &newsdesk.Entity{Kind: newsdesk.EntityOrganisation, Name: "Other", Aliases: []string{"un"}}), newsdesk.ECONFLICT)
	wantCode(t, s.CreateEntity(ctx, &newsdesk.Entity{Kind: "thing", Name: "Odd"}), newsdesk.EINVALID)
	// Extra spaces and case do not make a new name.
	wantCode(t, s.CreateEntity(ctx, &newsdesk.Entity{Kind: newsdesk.EntityPlace, Name: " united   NATIONS "}), newsdesk.ECONFLICT)
	// A different name with the same slug gets a slug of its own.
	twin := &newsdesk.Entity{Kind: newsdesk.EntityPlace, Name: "United—Nations"}
	must(t, s.CreateEntity(ctx, twin))
	if twin.Slug == un.Slug || twin.Slug == "" {
		t.Errorf("slug clash: %q", twin.Slug)
	}
	if e, err := s.EntityBySlug(ctx, twin.Slug); err != nil || e.ID != twin.ID {
		t.Errorf("EntityBySlug(%q): %v", twin.Slug, err)
	}

	got, err = s.Entity(ctx, mek.ID)
	must(t, err)
	got.Aliases = []string{"MEK", "PMOI"}
	got.Description = "Iranian opposition group"
	must(t, s.UpdateEntity(ctx, got))
	if _, err := s.EntityByName(ctx, "MKO"); newsdesk.ErrorCode(err) != newsdesk.ENOTFOUND {
		t.Errorf("removed alias still names the entity (err %v)", err)
	}
	if e, err := s.EntityByName(ctx, "pmoi"); err != nil || e.ID != mek.ID || e.Description != "Iranian opposition group" {
		t.Errorf("new alias: %+v %v", e, err)
	}
	got.Aliases = []string{"UN"}
	wantCode(t, s.UpdateEntity(ctx, got), newsdesk.ECONFLICT)
	if e, err := s.EntityByName(ctx, "pmoi"); err != nil || e.ID != mek.ID {
		t.Errorf("failed update lost aliases: %v", err)
	}
	wantCode(t, s.UpdateEntity(ctx, &newsdesk.Entity{ID: 999999, Kind: newsdesk.EntityPerson, Name: "Ghost"}), newsdesk.ENOTFOUND)

	list, total, err := s.Entities(ctx, newsdesk.EntityFilter{})
	must(t, err)
	if total != 4 || len(list) != 4 {
		t.Errorf("all entities: %d of %d", len(list), total)
	}
	list, total, err = s.Entities(ctx, newsdesk.EntityFilter{Query: "mal"})
	must(t, err)
	if total != 1 || list[0].ID != person.ID {
		t.Errorf("prefix of an alias: total %d", total)
	}
	list, total, err = s.Entities(ctx, newsdesk.EntityFilter{Query: "Uni"})
	must(t, err)
	if total != 2 {
		t.Errorf("prefix 'Uni': total %d, want 2", total)
	}
	_, total, err = s.Entities(ctx, newsdesk.EntityFilter{Kind: ptr(newsdesk.EntityPerson)})
	must(t, err)
	if total != 1 {
		t.Errorf("kind filter: total %d", total)
	}
	list, total, err = s.Entities(ctx, newsdesk.EntityFilter{Limit: 1, Offset: 1})
	must(t, err)
	if total != 4 || len(list) != 1 {
		t.Errorf("page: %d of %d", len(list), total)
	}
}

func testAliasCandidates(t *testing.T, s newsdesk.Store) {
	ctx := t.Context()
	mek := mustEntity(t, s, "Mujahedeen-e-Khalq", "MEK")
	un := mustEntity(t, s, "United Nations")
	c := &newsdesk.AliasCandidate{EntityID: mek.ID, Alias: "MKO", Evidence: "the Mujahedeen-e-Khalq, or MKO,"}
	must(t, s.AddAliasCandidate(ctx, c))
	if c.ID == 0 || c.Status != newsdesk.AliasPending {
		t.Fatalf("candidate = %+v", c)
	}
	must(t, s.AddAliasCandidate(ctx, &newsdesk.AliasCandidate{EntityID: mek.ID, Alias: "MKO", Evidence: "again"}))
	must(t, s.AddAliasCandidate(ctx, &newsdesk.AliasCandidate{EntityID: mek.ID, Alias: "PMOI"}))
	bad := &newsdesk.AliasCandidate{EntityID: mek.ID, Alias: "United Nations"}
	must(t, s.AddAliasCandidate(ctx, bad))
	wantCode(t, s.AddAliasCandidate(ctx, &newsdesk.AliasCandidate{EntityID: 999999, Alias: "X"}), newsdesk.ENOTFOUND)

	pending, err := s.AliasCandidates(ctx, newsdesk.AliasPending, 10)
	must(t, err)
	if len(pending) != 3 || pending[0].Alias != "MKO" || pending[0].Evidence != "the Mujahedeen-e-Khalq, or MKO," {
		t.Fatalf("pending = %+v, want MKO once, PMOI, United Nations", pending)
	}
	must(t, s.DecideAliasCandidate(ctx, c.ID, newsdesk.AliasAccepted))
	if e, err := s.EntityByName(ctx, "mko"); err != nil || e.ID != mek.ID {
		t.Errorf("accepted alias does not name the entity: %v", err)
	}
	must(t, s.DecideAliasCandidate(ctx, pending[1].ID, newsdesk.AliasRejected))
	if _, err := s.EntityByName(ctx, "PMOI"); newsdesk.ErrorCode(err) != newsdesk.ENOTFOUND {
		t.Errorf("rejected alias names an entity")
	}
	wantCode(t, s.DecideAliasCandidate(ctx, bad.ID, newsdesk.AliasAccepted), newsdesk.ECONFLICT)
	if e, err := s.EntityByName(ctx, "United Nations"); err != nil || e.ID != un.ID {
		t.Errorf("conflicting accept moved a name")
	}
	wantCode(t, s.DecideAliasCandidate(ctx, c.ID, newsdesk.AliasPending), newsdesk.EINVALID)
	wantCode(t, s.DecideAliasCandidate(ctx, 999999, newsdesk.AliasRejected), newsdesk.ENOTFOUND)
	accepted, err := s.AliasCandidates(ctx, newsdesk.AliasAccepted, 10)
	must(t, err)
	if len(accepted) != 1 || accepted[0].ID != c.ID {
		t.Errorf("accepted = %+v", accepted)
	}
	rejected, err := s.AliasCandidates(ctx, newsdesk.AliasRejected, 1)
	must(t, err)
	if len(rejected) != 1 {
		t.Errorf("rejected = %+v", rejected)
	}
}

func testStories(t *testing.T, s newsdesk.Store) {
	ctx := t.Context()
	one := mustSource(t, s, "one")
	two := mustSource(t, s, "two")
	a := art("a", "First report", at(0))
	upsert(t, s, one.ID, a)
	b := art("b", "Follow-up", at(3))
	b.StoryID = a.StoryID
	c := art("c", "Same source again", at(2))
	c.StoryID = a.StoryID
	upsert(t, s, two.ID, b)
	upsert(t, s, one.ID, c)
	lone := art("lone", "Single", at(5))
	upsert(t, s, one.ID, lone)
	old := art("old", "Old news", at(-48))
	upsert(t, s, two.ID, old)

	st, err := s.Story(ctx, a.StoryID)
	must(t, err)
	if st.Title != "First report" || st.Articles != 3 || st.Sources != 2 || !st.FirstAt.Equal(at(0)) ||
		!st.LastAt.Equal(at(3)) || st.FirstArticleID != a.ID || st.CreatedAt.IsZero() {
		t.Errorf("story = %+v", st)
	}
	list, err := s.Stories(ctx, newsdesk.StoryFilter{})
	must(t, err)
	if len(list) != 3 || list[0].ID != lone.StoryID || list[1].ID != a.StoryID || list[2].ID != old.StoryID {
		t.Errorf("stories not by last activity: %+v", list)
	}
	list, err = s.Stories(ctx, newsdesk.StoryFilter{MinSources: 2})
	must(t, err)
	if len(list) != 1 || list[0].ID != a.StoryID {
		t.Errorf("MinSources 2: %+v", list)
	}
	list, err = s.Stories(ctx, newsdesk.StoryFilter{Since: ptr(at(-1))})
	must(t, err)
	if len(list) != 2 {
		t.Errorf("since: %d stories, want 2", len(list))
	}
	list, err = s.Stories(ctx, newsdesk.StoryFilter{Limit: 1, Offset: 1})
	must(t, err)
	if len(list) != 1 || list[0].ID != a.StoryID {
		t.Errorf("page: %+v", list)
	}
	must(t, s.UpdateStoryTitle(ctx, a.StoryID, "Editors' title"))
	st, err = s.Story(ctx, a.StoryID)
	must(t, err)
	if st.Title != "Editors' title" {
		t.Errorf("title = %q", st.Title)
	}
	wantCode(t, s.UpdateStoryTitle(ctx, 999999, "x"), newsdesk.ENOTFOUND)
	_, err = s.Story(ctx, 999999)
	wantCode(t, err, newsdesk.ENOTFOUND)

	// Unpublishing leaves the counts to published articles.
	bb, err := s.Article(ctx, b.ID)
	must(t, err)
	bb.Status = newsdesk.StatusUnpublished
	must(t, s.UpdateArticle(ctx, bb))
	st, err = s.Story(ctx, a.StoryID)
	must(t, err)
	if st.Articles != 2 || st.Sources != 1 || !st.LastAt.Equal(at(2)) {
		t.Errorf("after unpublishing: %+v", st)
	}
}

func testMoveAndSplit(t *testing.T, s newsdesk.Store) {
	ctx := t.Context()
	one := mustSource(t, s, "one")
	two := mustSource(t, s, "two")
	a := art("a", "A", at(0))
	b := art("b", "B", at(1))
	upsert(t, s, one.ID, a)
	upsert(t, s, two.ID, b)
	bStory := b.StoryID
	must(t, s.MoveArticles(ctx, a.StoryID, []int64{b.ID}))
	_, err := s.Story(ctx, bStory)
	wantCode(t, err, newsdesk.ENOTFOUND)
	st, err := s.Story(ctx, a.StoryID)
	must(t, err)
	if st.Articles != 2 || st.Sources != 2 || !st.LastAt.Equal(at(1)) {
		t.Errorf("after move: %+v", st)
	}
	got, err := s.Article(ctx, b.ID)
	must(t, err)
	if got.StoryID != a.StoryID {
		t.Errorf("moved article story = %d", got.StoryID)
	}
	wantCode(t, s.MoveArticles(ctx, 999999, []int64{a.ID}), newsdesk.ENOTFOUND)
	wantCode(t, s.MoveArticles(ctx, a.StoryID, []int64{999999}), newsdesk.ENOTFOUND)

	split, err := s.SplitArticles(ctx, []int64{b.ID})
	must(t, err)
	if split.ID == 0 || split.ID == a.StoryID || split.Articles != 1 || split.Title != "B" || split.FirstArticleID != b.ID {
		t.Errorf("split story = %+v", split)
	}
	st, err = s.Story(ctx, a.StoryID)
	must(t, err)
	if st.Articles != 1 || st.Sources != 1 || !st.LastAt.Equal(at(0)) {
		t.Errorf("after split: %+v", st)
	}
	list, _, err := s.Articles(ctx, newsdesk.ArticleFilter{StoryID: &split.ID})
	must(t, err)
	wantIDs(t, "split story", list, b.ID)
	_, err = s.SplitArticles(ctx, nil)
	wantCode(t, err, newsdesk.EINVALID)
	_, err = s.SplitArticles(ctx, []int64{999999})
	wantCode(t, err, newsdesk.ENOTFOUND)
}

func pickArticles(picks []*newsdesk.Pick) []int64 {
	out := make([]int64, len(picks))
	for i, p := range picks {
		out[i] = p.ArticleID
	}
	return out
}

func testPicks(t *testing.T, s newsdesk.Store) {
	ctx := t.Context()
	src := mustSource(t, s, "src")
	var arts []*newsdesk.Article
	for i := range 5 {
		arts = append(arts, art(fmt.Sprintf("p%d", i), fmt.Sprintf("Pick %d", i), at(i)))
	}
	upsert(t, s, src.ID, arts...)
	now := time.Now().UTC()
	p0 := &newsdesk.Pick{ArticleID: arts[0].ID, Position: 0, CreatedBy: 7}
	must(t, s.CreatePick(ctx, p0))
	p1 := &newsdesk.Pick{ArticleID: arts[1].ID, Position: 5} // past the end: last
	must(t, s.CreatePick(ctx, p1))
	p2 := &newsdesk.Pick{ArticleID: arts[2].ID, Position: 0} // first, shifting the others
	must(t, s.CreatePick(ctx, p2))
	if p0.ID == 0 || p1.ID == 0 || p2.ID == 0 {
		t.Fatalf("pick IDs not set")
	}
	picks, err := s.Picks(ctx, now)
	must(t, err)
	if got := pickArticles(picks); !slices.Equal(got, []int64{arts[2].ID, arts[0].ID, arts[1].ID}) {
		t.Fatalf("picks = %v", got)
	}
	if picks[0].Article == nil || picks[0].Article.Headline != "Pick 2" || picks[1].CreatedBy != 7 || picks[0].CreatedAt.IsZero() {
		t.Errorf("pick = %+v", picks[0])
	}
	wantCode(t, s.CreatePick(ctx, &newsdesk.Pick{ArticleID: arts[0].ID}), newsdesk.ECONFLICT)
	wantCode(t, s.CreatePick(ctx, &newsdesk.Pick{ArticleID: 999999}), newsdesk.ENOTFOUND)

	must(t, s.MovePick(ctx, p2.ID, 2))
	picks, err = s.Picks(ctx, now)
	must(t, err)
	if got := pickArticles(picks); !slices.Equal(got, []int64{arts[0].ID, arts[1].ID, arts[2].ID}) {
		t.Fatalf("after move: %v", got)
	}
	must(t, s.MovePick(ctx, p1.ID, 0))
	picks, err = s.Picks(ctx, now)
	must(t, err)
	if got := pickArticles(picks); !slices.Equal(got, []int64{arts[1].ID, arts[0].ID, arts[2].ID}) {
		t.Fatalf("after second move: %v", got)
	}
	wantCode(t, s.MovePick(ctx, 999999, 0), newsdesk.ENOTFOUND)

	// Expired picks are hidden but kept for the admin.
	must(t, s.UpdatePickExpiry(ctx, p0.ID, now.Add(-time.Minute)))
	must(t, s.UpdatePickExpiry(ctx, p2.ID, now.Add(time.Hour)))
	picks, err = s.Picks(ctx, now)
	must(t, err)
	if got := pickArticles(picks); !slices.Equal(got, []int64{arts[1].ID, arts[2].ID}) {
		t.Errorf("active picks = %v", got)
	}
	picks, err = s.Picks(ctx, now.Add(2*time.Hour))
	must(t, err)
	if got := pickArticles(picks); !slices.Equal(got, []int64{arts[1].ID}) {
		t.Errorf("active picks later = %v", got)
	}
	must(t, s.UpdatePickExpiry(ctx, p0.ID, time.Time{}))
	wantCode(t, s.UpdatePickExpiry(ctx, 999999, now), newsdesk.ENOTFOUND)

	// Picks of unpublished articles are hidden.
	a1, err := s.Article(ctx, arts[1].ID)
	must(t, err)
	a1.Status = newsdesk.StatusUnpublished
	must(t, s.UpdateArticle(ctx, a1))
	picks, err = s.Picks(ctx, now)
	must(t, err)
	if got := pickArticles(picks); !slices.Equal(got, []int64{arts[0].ID, arts[2].ID}) {
		t.Errorf("picks without the unpublished = %v", got)
	}
	all, err := s.AllPicks(ctx)
	must(t, err)
	if len(all) != 3 {
		t.Errorf("AllPicks = %d, want 3", len(all))
	}

	must(t, s.DeletePick(ctx, p1.ID))
	wantCode(t, s.DeletePick(ctx, p1.ID), newsdesk.ENOTFOUND)
	p3 := &newsdesk.Pick{ArticleID: arts[3].ID, Position: 1}
	must(t, s.CreatePick(ctx, p3))
	all, err = s.AllPicks(ctx)
	must(t, err)
	if got := pickArticles(all); !slices.Equal(got, []int64{arts[0].ID, arts[3].ID, arts[2].ID}) {
		t.Errorf("after delete and insert: %v", got)
	}
	for i, p := range all {
		if p.Position != i {
			t.Errorf("positions not dense: %d at index %d", p.Position, i)
		}
	}
}

func testReads(t *testing.T, s newsdesk.Store) {
	ctx := t.Context()
	src := mustSource(t, s, "src")
	region := mustSection(t, s, "region", 0, 0)
	country := mustSection(t, s, "country", region.ID, 0)
	a := art("a", "A", at(0))
	a.Sections = []newsdesk.SectionRef{{ID: country.ID}}
	b := art("b", "B", at(0))
	c := art("c", "C", at(0))
	c.Status = newsdesk.StatusUnpublished
	upsert(t, s, src.ID, a, b, c)
	now := time.Now().UTC().Truncate(time.Second)
	read := func(reader string, id int64, ago time.Duration) {
		t.Helper()
		must(t, s.RecordRead(ctx, newsdesk.ReadEvent{ReaderID: reader, ArticleID: id, At: now.Add(-ago)}))
	}
	read("r1", a.ID, 3*time.Hour)
	read("r1", a.ID, 2*time.Hour) // counts once
	read("r1", a.ID, time.Hour)
	read("r1", b.ID, 90*time.Minute)
	read("r2", a.ID, time.Hour)
	read("r3", b.ID, 48*time.Hour)
	read("r3", c.ID, time.Hour)

	most, err := s.MostRead(ctx, 0, now.Add(-24*time.Hour), 10)
	must(t, err)
	if len(most) != 2 || most[0] != (newsdesk.ArticleCount{ArticleID: a.ID, Count: 2}) || most[1] != (newsdesk.ArticleCount{ArticleID: b.ID, Count: 1}) {
		t.Errorf("most read = %+v", most)
	}
	most, err = s.MostRead(ctx, region.ID, now.Add(-24*time.Hour), 10)
	must(t, err)
	if len(most) != 1 || most[0].ArticleID != a.ID {
		t.Errorf("most read in region = %+v", most)
	}
	most, err = s.MostRead(ctx, 0, now.Add(-24*time.Hour), 1)
	must(t, err)
	if len(most) != 1 {
		t.Errorf("limit ignored: %+v", most)
	}

	hist, err := s.ReadHistory(ctx, "r1", 10)
	must(t, err)
	if len(hist) != 2 || hist[0].ArticleID != a.ID || hist[1].ArticleID != b.ID || hist[0].ReaderID != "r1" {
		t.Errorf("history = %+v, want a (re-read latest) then b", hist)
	}
	must(t, s.DeleteReader(ctx, "r1"))
	hist, err = s.ReadHistory(ctx, "r1", 10)
	must(t, err)
	if len(hist) != 0 {
		t.Errorf("history after delete = %+v", hist)
	}
	n, err := s.PurgeReadEvents(ctx, now.Add(-24*time.Hour))
	must(t, err)
	if n != 1 {
		t.Errorf("purged %d, want 1", n)
	}
	hist, err = s.ReadHistory(ctx, "r3", 10)
	must(t, err)
	if len(hist) != 1 || hist[0].ArticleID != c.ID {
		t.Errorf("r3 history after purge = %+v", hist)
	}
}

func testCoRead(t *testing.T, s newsdesk.Store) {
	ctx := t.Context()
	src := mustSource(t, s, "src")
	var arts []*newsdesk.Article
	for i := range 5 {
		arts = append(arts, art(fmt.Sprintf("c%d", i), fmt.Sprintf("Co %d", i), at(i)))
	}
	upsert(t, s, src.ID, arts...)
	now := time.Now().UTC().Truncate(time.Second)
	read := func(reader string, i int) {
		t.Helper()
		must(t, s.RecordRead(ctx, newsdesk.ReadEvent{ReaderID: reader, ArticleID: arts[i].ID, At: now.Add(-time.Hour)}))
	}
	// Readers of 0 also read 1 (three of them) and 2 (one); 3 is read only by others.
	for _, r := range []string{"x", "y", "z"} {
		read(r, 0)
		read(r, 1)
	}
	read("x", 2)
	read("x", 4)
	read("w", 3)
	read("w", 2)
	// A reader of both 0 and 4 counts once for 1.
	got, err := s.CoRead(ctx, []int64{arts[0].ID, arts[4].ID}, now.Add(-24*time.Hour), 10)
	must(t, err)
	want := []newsdesk.ArticleCount{{ArticleID: arts[1].ID, Count: 3}, {ArticleID: arts[2].ID, Count: 1}}
	if !slices.Equal(got, want) {
		t.Errorf("co-read = %+v, want %+v", got, want)
	}
	got, err = s.CoRead(ctx, []int64{arts[0].ID}, now.Add(-24*time.Hour), 1)
	must(t, err)
	if len(got) != 1 || got[0].ArticleID != arts[1].ID {
		t.Errorf("co-read limit 1 = %+v", got)
	}
	got, err = s.CoRead(ctx, []int64{arts[0].ID}, now, 10)
	must(t, err)
	if len(got) != 0 {
		t.Errorf("co-read since now = %+v, want none", got)
	}
}

// searchFixture stores and indexes a small corpus for the search tests.
type searchFixture struct {
	src, other        *newsdesk.Source
	region, country   *newsdesk.Section
	ent               *newsdesk.Entity
	inHeadline        *newsdesk.Article // "Kirkuk" in the headline
	inBody            *newsdesk.Article // "Kirkuk" only in the body
	phrase, scattered *newsdesk.Article // "oil exports" together / apart
	persian           *newsdesk.Article
}

func doc(a *newsdesk.Article, entities string) newsdesk.SearchDoc {
	return newsdesk.SearchDoc{ArticleID: a.ID, Headline: a.Headline, Lede: a.Lede, Body: a.Text, Entities: entities}
}

func newSearchFixture(t *testing.T, s newsdesk.Store) *searchFixture {
	t.Helper()
	f := &searchFixture{src: mustSource(t, s, "wire"), other: mustSource(t, s, "paper")}
	f.region = mustSection(t, s, "region", 0, 0)
	f.country = mustSection(t, s, "country", f.region.ID, 0)
	f.ent = mustEntity(t, s, "Kurdistan Regional Government", "KRG")
	mk := func(guid, headline, lede, text string, published time.Time) *newsdesk.Article {
		a := art(guid, headline, published)
		a.Lede, a.Text, a.Body = lede, text, "<p>"+text+"</p>"
		return a
	}
	f.inHeadline = mk("h", "Kirkuk council meets", "The council met on Monday.", "Members discussed the budget and the roads.", at(0))
	f.inHeadline.Sections = []newsdesk.SectionRef{{ID: f.country.ID}}
	f.inHeadline.Entities = []newsdesk.EntityRef{{ID: f.ent.ID, Mentions: 1}}
	f.inBody = mk("b", "Regional budget talks", "Ministers met in the capital.", "The talks touched on Kirkuk only briefly, among many other matters of the day.", at(1))
	f.phrase = mk("p", "Pipeline reopens", "Flows restart.", "Oil exports through the northern pipeline resumed on Tuesday.", at(2))
	f.scattered = mk("s", "Exports of grain", "Harvest news.", "Grain exports rose while oil stayed flat.", at(3))
	f.persian = mk("f", "گفت‌وگوهای هسته‌ای در وین", "دور تازه مذاکرات آغاز شد.", "نمایندگان ایران و اروپا در وین دیدار کردند.", at(4))
	f.persian.Language = "fa"
	upsert(t, s, f.src.ID, f.inHeadline, f.inBody, f.phrase)
	upsert(t, s, f.other.ID, f.scattered, f.persian)
	must(t, s.IndexArticles(t.Context(), []newsdesk.SearchDoc{
		doc(f.inHeadline, "Kurdistan Regional Government KRG"), doc(f.inBody, ""), doc(f.phrase, ""), doc(f.scattered, ""), doc(f.persian, ""),
	}))
	return f
}

func search(t *testing.T, s newsdesk.Store, q newsdesk.SearchQuery) *newsdesk.SearchResult {
	t.Helper()
	res, err := s.Search(t.Context(), q)
	if err != nil {
		t.Fatalf("search %q: %v", q.Text, err)
	}
	return res
}

func hitIDs(res *newsdesk.SearchResult) []int64 {
	out := make([]int64, len(res.Hits))
	for i, h := range res.Hits {
		out[i] = h.Article.ID
	}
	return out
}

func testSearchRanking(t *testing.T, s newsdesk.Store) {
	f := newSearchFixture(t, s)
	res := search(t, s, newsdesk.SearchQuery{Text: "kirkuk", Sort: newsdesk.SortRelevance, Limit: 10})
	if got := hitIDs(res); !slices.Equal(got, []int64{f.inHeadline.ID, f.inBody.ID}) || res.Total != 2 {
		t.Fatalf("kirkuk = %v (total %d), want headline match before body match", got, res.Total)
	}
	if res.Hits[0].Score <= res.Hits[1].Score {
		t.Errorf("scores %v, %v: higher must be better", res.Hits[0].Score, res.Hits[1].Score)
	}
	h := res.Hits[0]
	if h.Article.Headline != f.inHeadline.Headline || h.Article.Source != "wire" || len(h.Article.Sections) != 1 || len(h.Article.Entities) != 1 {
		t.Errorf("hit article = %+v", h.Article)
	}
	// Snippets mark the matches.
	for _, h := range res.Hits {
		if !containsMarked(h.Snippet, "Kirkuk") {
			t.Errorf("snippet %q does not mark Kirkuk", h.Snippet)
		}
	}
	// Newest first on request.
	res = search(t, s, newsdesk.SearchQuery{Text: "kirkuk", Sort: newsdesk.SortNewest, Limit: 10})
	if got := hitIDs(res); !slices.Equal(got, []int64{f.inBody.ID, f.inHeadline.ID}) {
		t.Errorf("newest = %v", got)
	}
	// Entity names are searchable.
	res = search(t, s, newsdesk.SearchQuery{Text: "KRG", Limit: 10})
	if got := hitIDs(res); !slices.Equal(got, []int64{f.inHeadline.ID}) {
		t.Errorf("entity alias search = %v", got)
	}
	// Words are ANDed.
	res = search(t, s, newsdesk.SearchQuery{Text: "kirkuk budget", Limit: 10})
	if got := hitIDs(res); len(got) != 2 {
		t.Errorf("kirkuk budget = %v, want both (each has both words)", got)
	}
	res = search(t, s, newsdesk.SearchQuery{Text: "kirkuk pipeline", Limit: 10})
	if len(res.Hits) != 0 || res.Total != 0 {
		t.Errorf("kirkuk pipeline = %v, want none", hitIDs(res))
	}
}

func containsMarked(snippet, word string) bool {
	return len(snippet) > 0 && indexFold(snippet, newsdesk.SnippetMarkStart+word+newsdesk.SnippetMarkEnd) >= 0
}

// indexFold is a case-insensitive strings.Index for ASCII words.
func indexFold(s, sub string) int {
	lower := func(b byte) byte {
		if 'A' <= b && b <= 'Z' {
			return b + 32
		}
		return b
	}
	for i := 0; i+len(sub) <= len(s); i++ {
		j := 0
		for j < len(sub) && lower(s[i+j]) == lower(sub[j]) {
			j++
		}
		if j == len(sub) {
			return i
		}
	}
	return -1
}

func testSearchPhrase(t *testing.T, s newsdesk.Store) {
	f := newSearchFixture(t, s)
	res := search(t, s, newsdesk.SearchQuery{Text: "oil exports", Limit: 10})
	if got := hitIDs(res); len(got) != 2 {
		t.Errorf("oil exports (words) = %v, want both articles", got)
	}
	res = search(t, s, newsdesk.SearchQuery{Text: `"oil exports"`, Limit: 10})
	if got := hitIDs(res); !slices.Equal(got, []int64{f.phrase.ID}) {
		t.Errorf(`"oil exports" (phrase) = %v, want only %d`, got, f.phrase.ID)
	}
	res = search(t, s, newsdesk.SearchQuery{Text: `pipeline "oil exports`, Limit: 10}) // unclosed quote
	if got := hitIDs(res); !slices.Equal(got, []int64{f.phrase.ID}) {
		t.Errorf("unclosed phrase = %v", got)
	}
}

func testSearchHostile(t *testing.T, s newsdesk.Store) {
	newSearchFixture(t, s)
	for _, q := range []string{
		`AND (`, `"`, `""`, `"""`, `(`, `)`, `*`, `kirkuk*`, `-kirkuk`, `kirkuk OR`, `NOT`, `NEAR(kirkuk budget)`,
		`headline:kirkuk`, `{headline}: kirkuk`, `^kirkuk`, `kirkuk AND AND`, `'; DROP TABLE articles; --`,
		`\`, `%`, `_`, `+`, `kirkuk:`, "\x00", "kirkuk\x00budget", `"kirkuk" "`, `a"b"c`, "\u200c", `🙂`,
		`ک`, `ي`, `   `, "",
	} {
		res, err := s.Search(t.Context(), newsdesk.SearchQuery{Text: q, Limit: 10})
		switch code := newsdesk.ErrorCode(err); code {
		case "":
			if res == nil || res.Total < len(res.Hits) {
				t.Errorf("query %q: bad result %+v", q, res)
			}
		case newsdesk.EINVALID:
		default:
			t.Errorf("query %q: error %v (code %s), want a result or EINVALID", q, err, code)
		}
	}
	// Syntax characters do not change the words' meaning.
	res := search(t, s, newsdesk.SearchQuery{Text: `kirkuk AND (`, Limit: 10})
	res2 := search(t, s, newsdesk.SearchQuery{Text: `kirkuk and`, Limit: 10})
	if !slices.Equal(hitIDs(res), hitIDs(res2)) {
		t.Errorf("punctuation changed results: %v vs %v", hitIDs(res), hitIDs(res2))
	}
}

func testSearchFilters(t *testing.T, s newsdesk.Store) {
	f := newSearchFixture(t, s)
	for _, tt := range []struct {
		name string
		q    newsdesk.SearchQuery
		want []int64
	}{
		{"section with descendants", newsdesk.SearchQuery{Text: "kirkuk", SectionID: &f.region.ID}, []int64{f.inHeadline.ID}},
		{"source", newsdesk.SearchQuery{Text: "exports", SourceID: &f.other.ID}, []int64{f.scattered.ID}},
		{"entity", newsdesk.SearchQuery{Text: "kirkuk", EntityID: &f.ent.ID}, []int64{f.inHeadline.ID}},
		{"from", newsdesk.SearchQuery{Text: "kirkuk", From: ptr(at(1))}, []int64{f.inBody.ID}},
		{"to", newsdesk.SearchQuery{Text: "kirkuk", To: ptr(at(0))}, []int64{f.inHeadline.ID}},
		{"from and to", newsdesk.SearchQuery{Text: "exports", From: ptr(at(2)), To: ptr(at(2))}, []int64{f.phrase.ID}},
	} {
		tt.q.Limit = 10
		res := search(t, s, tt.q)
		if got := hitIDs(res); !slices.Equal(got, tt.want) || res.Total != len(tt.want) {
			t.Errorf("%s: %v (total %d), want %v", tt.name, got, res.Total, tt.want)
		}
	}
}

func testSearchReplace(t *testing.T, s newsdesk.Store) {
	ctx := t.Context()
	f := newSearchFixture(t, s)
	d := doc(f.phrase, "")
	d.Body = "Gas deliveries resumed."
	must(t, s.IndexArticles(ctx, []newsdesk.SearchDoc{d}))
	if res := search(t, s, newsdesk.SearchQuery{Text: `"oil exports"`, Limit: 10}); len(res.Hits) != 0 {
		t.Errorf("replaced document still found by its old text: %v", hitIDs(res))
	}
	if res := search(t, s, newsdesk.SearchQuery{Text: "gas deliveries", Limit: 10}); !slices.Equal(hitIDs(res), []int64{f.phrase.ID}) {
		t.Errorf("replaced document not found by its new text: %v", hitIDs(res))
	}
	a, err := s.Article(ctx, f.inHeadline.ID)
	must(t, err)
	a.Status = newsdesk.StatusUnpublished
	must(t, s.UpdateArticle(ctx, a))
	if res := search(t, s, newsdesk.SearchQuery{Text: "kirkuk", Limit: 10}); !slices.Equal(hitIDs(res), []int64{f.inBody.ID}) || res.Total != 1 {
		t.Errorf("unpublished article found: %v (total %d)", hitIDs(res), res.Total)
	}
}

func testSearchPaging(t *testing.T, s newsdesk.Store) {
	ctx := t.Context()
	src := mustSource(t, s, "src")
	var arts []*newsdesk.Article
	var docs []newsdesk.SearchDoc
	for i := range 12 {
		a := art(fmt.Sprintf("m%d", i), fmt.Sprintf("Market report %d", i), at(i))
		arts = append(arts, a)
	}
	upsert(t, s, src.ID, arts...)
	for _, a := range arts {
		docs = append(docs, doc(a, ""))
	}
	must(t, s.IndexArticles(ctx, docs))
	var seen []int64
	for off := 0; off < 12; off += 5 {
		res := search(t, s, newsdesk.SearchQuery{Text: "market", Sort: newsdesk.SortNewest, Offset: off, Limit: 5})
		if res.Total != 12 {
			t.Fatalf("offset %d: total %d, want 12", off, res.Total)
		}
		seen = append(seen, hitIDs(res)...)
	}
	want := ids(arts)
	slices.Reverse(want)
	if !slices.Equal(seen, want) {
		t.Errorf("pages = %v, want %v", seen, want)
	}
}

func testSearchPersian(t *testing.T, s newsdesk.Store) {
	f := newSearchFixture(t, s)
	res := search(t, s, newsdesk.SearchQuery{Text: "وین", Limit: 10})
	if got := hitIDs(res); !slices.Equal(got, []int64{f.persian.ID}) {
		t.Fatalf("Persian word = %v", got)
	}
	if !containsMarked(res.Hits[0].Snippet, "وین") {
		t.Errorf("Persian snippet %q does not mark the word", res.Hits[0].Snippet)
	}
	res = search(t, s, newsdesk.SearchQuery{Text: `"ایران و اروپا"`, Limit: 10})
	if got := hitIDs(res); !slices.Equal(got, []int64{f.persian.ID}) {
		t.Errorf("Persian phrase = %v", got)
	}
}

func testUsers(t *testing.T, s newsdesk.Store) {
	ctx := t.Context()
	u := &newsdesk.User{Username: "editor1", Name: "Ed Itor", Role: newsdesk.RoleEditor, PasswordHash: "$argon2id$x"}
	must(t, s.CreateUser(ctx, u))
	if u.ID == 0 || u.CreatedAt.IsZero() {
		t.Fatalf("user = %+v", u)
	}
	wantCode(t, s.CreateUser(ctx, &newsdesk.User{Username: "editor1", Role: newsdesk.RoleAdmin}), newsdesk.ECONFLICT)
	wantCode(t, s.CreateUser(ctx, &newsdesk.User{Username: "", Role: newsdesk.RoleAdmin}), newsdesk.EINVALID)
	wantCode(t, s.CreateUser(ctx, &newsdesk.User{Username: "x", Role: "root"}), newsdesk.EINVALID)
	admin := &newsdesk.User{Username: "admin", Role: newsdesk.RoleAdmin}
	must(t, s.CreateUser(ctx, admin))

	got, err := s.User(ctx, u.ID)
	must(t, err)
	if got.Username != "editor1" || got.Name != "Ed Itor" || got.Role != newsdesk.RoleEditor || got.PasswordHash != "$argon2id$x" {
		t.Errorf("User = %+v", got)
	}
	got, err = s.UserByUsername(ctx, "admin")
	must(t, err)
	if got.ID != admin.ID {
		t.Errorf("UserByUsername = %+v", got)
	}
	_, err = s.UserByUsername(ctx, "nobody")
	wantCode(t, err, newsdesk.ENOTFOUND)
	_, err = s.User(ctx, 999999)
	wantCode(t, err, newsdesk.ENOTFOUND)
	all, err := s.Users(ctx)
	must(t, err)
	if len(all) != 2 {
		t.Errorf("Users = %d", len(all))
	}
	u.Role, u.Name, u.PasswordHash = newsdesk.RoleAdmin, "Promoted", "$argon2id$y"
	must(t, s.UpdateUser(ctx, u))
	got, err = s.User(ctx, u.ID)
	must(t, err)
	if got.Role != newsdesk.RoleAdmin || got.Name != "Promoted" || got.PasswordHash != "$argon2id$y" {
		t.Errorf("after update = %+v", got)
	}
	wantCode(t, s.UpdateUser(ctx, &newsdesk.User{ID: 999999, Username: "x", Role: newsdesk.RoleEditor}), newsdesk.ENOTFOUND)
	must(t, s.DeleteUser(ctx, u.ID))
	_, err = s.User(ctx, u.ID)
	wantCode(t, err, newsdesk.ENOTFOUND)
	wantCode(t, s.DeleteUser(ctx, u.ID), newsdesk.ENOTFOUND)
}

func testSessions(t *testing.T, s newsdesk.Store) {
	ctx := t.Context()
	u := &newsdesk.User{Username: "ed", Role: newsdesk.RoleEditor}
	must(t, s.CreateUser(ctx, u))
	now := time.Now().UTC().Truncate(time.Second)
	sess := &newsdesk.Session{TokenHash: "hash1", UserID: u.ID, CSRFToken: "csrf", CreatedAt: now, ExpiresAt: now.Add(time.Hour)}
	must(t, s.CreateSession(ctx, sess))
	got, err := s.SessionByTokenHash(ctx, "hash1", now)
	must(t, err)
	if got.UserID != u.ID || got.CSRFToken != "csrf" || !got.ExpiresAt.Equal(now.Add(time.Hour)) || !got.CreatedAt.Equal(now) {
		t.Errorf("session = %+v", got)
	}
	_, err = s.SessionByTokenHash(ctx, "hash1", now.Add(time.Hour))
	wantCode(t, err, newsdesk.ENOTFOUND)
	_, err = s.SessionByTokenHash(ctx, "other", now)
	wantCode(t, err, newsdesk.ENOTFOUND)
	must(t, s.DeleteSession(ctx, "hash1"))
	_, err = s.SessionByTokenHash(ctx, "hash1", now)
	wantCode(t, err, newsdesk.ENOTFOUND)

	// A deleted user's sessions end with it.
	must(t, s.CreateSession(ctx, &newsdesk.Session{TokenHash: "hash2", UserID: u.ID, CreatedAt: now, ExpiresAt: now.Add(time.Hour)}))
	must(t, s.DeleteUser(ctx, u.ID))
	_, err = s.SessionByTokenHash(ctx, "hash2", now)
	wantCode(t, err, newsdesk.ENOTFOUND)
}

// testUpsertConcurrent stores batches from several goroutines at once, as
// ingest workers do: none may fail (no "database is locked") and none may
// be lost.
func testUpsertConcurrent(t *testing.T, s newsdesk.Store) {
	ctx := t.Context()
	const workers, batches, size = 4, 5, 10
	var srcs []*newsdesk.Source
	for w := range workers {
		srcs = append(srcs, mustSource(t, s, fmt.Sprintf("w%d", w)))
	}
	errs := make(chan error, workers)
	for w := range workers {
		go func() {
			for b := range batches {
				batch := make([]*newsdesk.Article, size)
				for i := range batch {
					batch[i] = art(fmt.Sprintf("%d-%d-%d", w, b, i), fmt.Sprintf("Report %d %d %d", w, b, i), at(b))
				}
				if _, err := s.UpsertArticles(ctx, srcs[w].ID, batch); err != nil {
					errs <- err
					return
				}
				if _, _, err := s.Articles(ctx, newsdesk.ArticleFilter{SourceID: &srcs[w].ID, Limit: 5}); err != nil {
					errs <- err
					return
				}
			}
			errs <- nil
		}()
	}
	for range workers {
		must(t, <-errs)
	}
	_, total, err := s.Articles(ctx, newsdesk.ArticleFilter{})
	must(t, err)
	if total != workers*batches*size {
		t.Errorf("%d articles stored, want %d", total, workers*batches*size)
	}
	stories, err := s.Stories(ctx, newsdesk.StoryFilter{})
	must(t, err)
	if len(stories) != workers*batches*size {
		t.Errorf("%d stories, want one per article", len(stories))
	}
}

// testArticleCards checks that a list of cards is the list of whole
// articles without the body, with the start of the text only for an
// article that has no lede.
func testArticleCards(t *testing.T, s newsdesk.Store) {
	ctx := t.Context()
	src := mustSource(t, s, "Wire")
	sec := mustSection(t, s, "iraq", 0, 0)
	ent := mustEntity(t, s, "OPEC")
	withLede := art("c1", "Oil output rises", at(1))
	withLede.Body = "<p>" + strings.Repeat("Long body. ", 2000) + "</p>"
	withLede.Text = strings.Repeat("Long body. ", 2000)
	noLede := art("c2", "Ministers meet", at(2))
	noLede.Lede = ""
	noLede.Text = strings.Repeat("Ministers met in Vienna. ", 100)
	for _, a := range []*newsdesk.Article{withLede, noLede} {
		a.Sections = []newsdesk.SectionRef{{ID: sec.ID}}
		a.Entities = []newsdesk.EntityRef{{ID: ent.ID, Mentions: 2}}
	}
	upsert(t, s, src.ID, withLede, noLede)

	for _, f := range []newsdesk.ArticleFilter{{Limit: 10}, {SectionID: &sec.ID, Limit: 10}, {EntityID: &ent.ID, Limit: 10},
		{IDs: []int64{withLede.ID, noLede.ID}, Limit: 10}} {
		whole, _, err := s.Articles(ctx, f)
		must(t, err)
		f.Cards = true
		cards, _, err := s.Articles(ctx, f)
		must(t, err)
		if len(cards) != 2 || len(whole) != 2 {
			t.Fatalf("%+v: %d cards, %d whole articles, want 2", f, len(cards), len(whole))
		}
		for i, c := range cards {
			w := whole[i]
			if c.Body != "" {
				t.Errorf("card %d has a body of %d bytes", c.ID, len(c.Body))
			}
			switch {
			case c.Lede != "" && c.Text != "":
				t.Errorf("card %d with a lede has text %q", c.ID, c.Text)
			case c.Lede == "" && (c.Text == "" || !strings.HasPrefix(w.Text, c.Text) || len(c.Text) > newsdesk.CardText):
				t.Errorf("card %d without a lede: text %q, want the start of %q", c.ID, c.Text, w.Text[:40])
			}
			c.Body, c.Text, w.Body, w.Text = "", "", "", ""
			if !reflect.DeepEqual(c, w) {
				t.Errorf("card and whole article differ beyond body and text:\n%+v\n%+v", c, w)
			}
		}
	}
	must(t, s.IndexArticles(ctx, []newsdesk.SearchDoc{doc(withLede, ""), doc(noLede, "")}))
	for _, cards := range []bool{false, true} {
		res := search(t, s, newsdesk.SearchQuery{Text: "ministers", Limit: 10, Cards: cards})
		if len(res.Hits) != 1 || res.Hits[0].Article.ID != noLede.ID {
			t.Fatalf("search ministers (cards %v): %d hits, want article %d", cards, len(res.Hits), noLede.ID)
		}
		a := res.Hits[0].Article
		if cards && (a.Body != "" || a.Text == "" || len(a.Text) > newsdesk.CardText) || !cards && a.Body == "" {
			t.Errorf("search hit (cards %v): body %d bytes, text %d bytes", cards, len(a.Body), len(a.Text))
		}
	}
}

// testArticleBriefs checks, for a store that reads briefs, that the
// briefs of a filter are those of the articles Articles returns for it,
// in the same order.
func testArticleBriefs(t *testing.T, s newsdesk.Store) {
	bs, ok := s.(newsdesk.BriefStore)
	if !ok {
		t.Skip("the store reads no briefs")
	}
	ctx := t.Context()
	src := mustSource(t, s, "Wire")
	other := mustSource(t, s, "Agency")
	sec := mustSection(t, s, "iraq", 0, 0)
	opec, iea := mustEntity(t, s, "OPEC"), mustEntity(t, s, "IEA")
	var arts []*newsdesk.Article
	for i := range 12 {
		a := art(fmt.Sprint("b", i), fmt.Sprintf("Report %d on oil", i), at(i))
		if i%2 == 0 {
			a.Sections = []newsdesk.SectionRef{{ID: sec.ID}}
		}
		switch i % 3 {
		case 0:
			a.Entities = []newsdesk.EntityRef{{ID: opec.ID, Mentions: 1}, {ID: iea.ID, Mentions: 3}}
		case 1:
			a.Entities = []newsdesk.EntityRef{{ID: iea.ID, Mentions: 1}}
		}
		arts = append(arts, a)
	}
	upsert(t, s, src.ID, arts[:6]...)
	upsert(t, s, other.ID, arts[6:]...)
	since, before := at(2), at(9)
	story := arts[0].StoryID
	for _, f := range []newsdesk.ArticleFilter{
		{Limit: 5},
		{Limit: 5, Offset: 3, Oldest: true},
		{SectionID: &sec.ID, Limit: 10},
		{AnyEntity: []int64{opec.ID, iea.ID}, Since: &since, Limit: 6},
		{EntityID: &iea.ID, Limit: 10},
		{Since: &since, Before: &before, Limit: 20},
		{StoryID: &story, Limit: 20},
		{IDs: []int64{arts[3].ID, arts[7].ID, arts[1].ID}, Limit: 3},
	} {
		whole, _, err := s.Articles(ctx, f)
		must(t, err)
		briefs, err := bs.ArticleBriefs(ctx, f)
		must(t, err)
		if len(briefs) != len(whole) || len(whole) == 0 {
			t.Fatalf("%+v: %d briefs, %d articles", f, len(briefs), len(whole))
		}
		for i, b := range briefs {
			w := whole[i]
			want := newsdesk.ArticleBrief{ID: w.ID, SourceID: w.SourceID, Source: w.Source, StoryID: w.StoryID, DuplicateOf: w.DuplicateOf,
				Status: w.Status, PublishedAt: w.PublishedAt, Fingerprint: w.Fingerprint, Headline: w.Headline, Lede: w.Lede}
			for _, e := range w.Entities {
				want.EntityIDs = append(want.EntityIDs, e.ID)
			}
			b.PublishedAt, want.PublishedAt = b.PublishedAt.UTC(), want.PublishedAt.UTC()
			if !reflect.DeepEqual(b, want) {
				t.Errorf("%+v: brief %d\n got %+v\nwant %+v", f, i, b, want)
			}
		}
	}
}
