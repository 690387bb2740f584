package postgres_test

import (
	"fmt"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"newsdesk"
	"newsdesk/store/sqlite"
)

// fillSQLite stores a little of everything in a new SQLite store, with the
// awkward cases of a copy: a deleted source, an unpublished article, an
// entity named after a section, stories joined and split, articles
// published at the same time across page boundaries, expired picks.
func fillSQLite(t *testing.T) *sqlite.DB {
	t.Helper()
	ctx := t.Context()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "src.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	base := time.Date(2024, 5, 1, 8, 0, 0, 0, time.UTC)
	var sources []*newsdesk.Source
	for i := range 3 {
		s := &newsdesk.Source{Name: fmt.Sprintf("Wire %d", i), Kind: newsdesk.SourceFeed, URL: fmt.Sprintf("https://w%d.example/feed", i),
			Licence: newsdesk.LicenceExcerpt, Interval: 15 * time.Minute, Extract: i == 1, Language: "en"}
		must(db.CreateSource(ctx, s))
		must(db.RecordFetch(ctx, s.ID, newsdesk.FetchResult{At: base, OK: true, ETag: `"e"`, NextFetchAt: base.Add(time.Hour), Created: 3}))
		sources = append(sources, s)
	}
	must(db.CreateSource(ctx, &newsdesk.Source{Name: "Desk", Kind: newsdesk.SourceManual, NoPageFetch: true}))
	must(db.SaveSubscription(ctx, &newsdesk.Subscription{SourceID: sources[0].ID, HubURL: "https://hub.example/", TopicURL: sources[0].URL,
		Secret: "0123456789abcdef0123456789abcdef", CallbackToken: "token-0123456789ab", State: newsdesk.SubscriptionActive,
		LeaseSeconds: 864000, ExpiresAt: base.Add(240 * time.Hour), RenewAt: base.Add(200 * time.Hour)}))
	region := &newsdesk.Section{Slug: "middle-east", Name: "Middle East"}
	must(db.CreateSection(ctx, region))
	iraq := &newsdesk.Section{Slug: "iraq", Name: "Iraq", ParentID: region.ID, Code: "iq", Position: 1}
	must(db.CreateSection(ctx, iraq))
	iran := &newsdesk.Section{Slug: "iran", Name: "Iran", ParentID: region.ID, Code: "ir"}
	must(db.CreateSection(ctx, iran))
	mek := &newsdesk.Entity{Kind: newsdesk.EntityOrganisation, Name: "Mujahedeen-e-Khalq", Aliases: []string{"MEK", "MKO"}, Description: "Group"}
	must(db.CreateEntity(ctx, mek))
	un := &newsdesk.Entity{Kind: newsdesk.EntityOrganisation, Name: "United Nations", Aliases: []string{"UN"}}
	must(db.CreateEntity(ctx, un))
	cand := &newsdesk.AliasCandidate{EntityID: mek.ID, Alias: "PMOI", Evidence: "also known as PMOI"}
	must(db.AddAliasCandidate(ctx, cand))
	must(db.AddAliasCandidate(ctx, &newsdesk.AliasCandidate{EntityID: un.ID, Alias: "U.N."}))
	must(db.DecideAliasCandidate(ctx, cand.ID, newsdesk.AliasRejected))

	var all []*newsdesk.Article
	for i := range 23 {
		a := &newsdesk.Article{GUID: fmt.Sprintf("g%d", i), URL: fmt.Sprintf("https://w.example/%d", i),
			Headline: fmt.Sprintf("Report %d from Baghdad", i), Lede: "Lede.", Body: "<p>Body.</p>", Text: "Body.",
			Author: "Michael Ware", DatelinePlace: "Baghdad, Iraq", Language: "en", Fingerprint: fmt.Sprintf("fp%d", i%5),
			SimHash:     uint64(i) << 60,                          // the top bit set for some: the uint64 must survive as its bits
			PublishedAt: base.Add(time.Duration(i/4) * time.Hour), // four at a time: pages split equal times
			Sections:    []newsdesk.SectionRef{{ID: iraq.ID}, {ID: region.ID}},
			Entities:    []newsdesk.EntityRef{{ID: mek.ID, Mentions: 1 + i%3}, {ID: un.ID, Mentions: 2}}}
		if i%5 == 4 {
			a.Status = newsdesk.StatusUnpublished
		}
		if i > 0 && i%3 == 0 {
			a.StoryID = all[i-1].StoryID
		}
		_, err := db.UpsertArticles(ctx, sources[i%3].ID, []*newsdesk.Article{a})
		must(err)
		all = append(all, a)
	}
	manual := &newsdesk.Article{GUID: "desk-1", Headline: "Editorial", Source: "The Desk", PublishedAt: base}
	_, err = db.UpsertArticles(ctx, 0, []*newsdesk.Article{manual})
	must(err)
	_, err = db.SplitArticles(ctx, []int64{all[3].ID})
	must(err)
	must(db.DeleteSource(ctx, sources[2].ID))
	if _, err := db.StripBodies(ctx, newsdesk.BodyRule{Before: base.Add(time.Hour)}, false); err != nil {
		t.Fatal(err)
	}

	for i, a := range all[:3] {
		p := &newsdesk.Pick{ArticleID: a.ID, Position: i, CreatedBy: 1}
		if i == 1 {
			p.ExpiresAt = base.Add(-time.Hour)
		}
		must(db.CreatePick(ctx, p))
	}
	ed := &newsdesk.User{Username: "editor", Name: "Ed", Role: newsdesk.RoleEditor, PasswordHash: "$argon2id$v=19$x"}
	must(db.CreateUser(ctx, ed))
	must(db.CreateUser(ctx, &newsdesk.User{Username: "admin", Role: newsdesk.RoleAdmin}))
	must(db.CreateAPIToken(ctx, &newsdesk.APIToken{UserID: ed.ID, Name: "newsletter", TokenHash: "h1"}))
	must(db.CreateAPIToken(ctx, &newsdesk.APIToken{UserID: ed.ID, Name: "expiring", TokenHash: "h2", ExpiresAt: base.Add(24 * time.Hour)}))
	for i := range 7 {
		must(db.RecordAudit(ctx, &newsdesk.AuditEntry{UserID: ed.ID, Username: "editor", Action: "pick.create",
			Target: fmt.Sprintf("article:%d", i), At: base.Add(time.Duration(i) * time.Minute)}))
	}
	for r := range 5 {
		for _, a := range all[r : r+6] {
			must(db.RecordRead(ctx, newsdesk.ReadEvent{ReaderID: fmt.Sprintf("reader-%d", r), ArticleID: a.ID, At: base.Add(time.Duration(r) * time.Minute)}))
		}
	}
	return db
}

func TestCopyFromSQLite(t *testing.T) {
	src := fillSQLite(t)
	dst := mustOpen(t)
	ctx := t.Context()
	stages := map[string]int{}
	err := dst.CopyFromBatch(ctx, src, func(stage string, done, total int) {
		if total >= 0 && done > total {
			t.Errorf("progress %s: %d of %d", stage, done, total)
		}
		stages[stage] = done
	}, 4)
	if err != nil {
		t.Fatal(err)
	}
	for stage, want := range map[string]int{"sources": 3, "sections": 3, "entities": 2, "alias candidates": 2,
		"websub subscriptions": 1, "articles": 24, "picks": 3, "users": 2, "audit log": 7, "read events": 30} {
		if stages[stage] != want {
			t.Errorf("progress %s = %d, want %d", stage, stages[stage], want)
		}
	}

	same := func(what string, fn func(s newsdesk.Store) (any, error)) {
		t.Helper()
		want, err := fn(src)
		if err != nil {
			t.Fatalf("%s from SQLite: %v", what, err)
		}
		got, err := fn(dst)
		if err != nil {
			t.Fatalf("%s from PostgreSQL: %v", what, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s differ after the copy:\n got %s\nwant %s", what, dump(got), dump(want))
		}
	}
	same("sources", func(s newsdesk.Store) (any, error) {
		l, _, err := s.Sources(ctx, newsdesk.SourceFilter{})
		return l, err
	})
	same("subscription", func(s newsdesk.Store) (any, error) { return s.SubscriptionBySource(ctx, 1) })
	same("sections", func(s newsdesk.Store) (any, error) { return s.Sections(ctx) })
	same("entities", func(s newsdesk.Store) (any, error) {
		l, _, err := s.Entities(ctx, newsdesk.EntityFilter{})
		return l, err
	})
	for _, st := range []newsdesk.AliasStatus{newsdesk.AliasPending, newsdesk.AliasRejected} {
		same("alias candidates "+string(st), func(s newsdesk.Store) (any, error) { return s.AliasCandidates(ctx, st, 0) })
	}
	same("articles", func(s newsdesk.Store) (any, error) {
		l, _, err := s.Articles(ctx, newsdesk.ArticleFilter{IncludeUnpublished: true})
		return l, err
	})
	arts, _, err := src.Articles(ctx, newsdesk.ArticleFilter{IncludeUnpublished: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range arts {
		same(fmt.Sprintf("story %d", a.StoryID), func(s newsdesk.Store) (any, error) { return s.Story(ctx, a.StoryID) })
	}
	same("stories", func(s newsdesk.Store) (any, error) { return s.Stories(ctx, newsdesk.StoryFilter{}) })
	same("picks", func(s newsdesk.Store) (any, error) { return s.AllPicks(ctx) })
	same("users", func(s newsdesk.Store) (any, error) { return s.Users(ctx) })
	same("api tokens", func(s newsdesk.Store) (any, error) { return s.APITokens(ctx, 1) })
	same("audit log", func(s newsdesk.Store) (any, error) { l, _, err := s.AuditLog(ctx, 0, 0); return l, err })
	same("read events", func(s newsdesk.Store) (any, error) {
		return s.(newsdesk.ReadEventLister).ReadEvents(ctx, newsdesk.ReadEventKey{}, 0)
	})
	same("most read", func(s newsdesk.Store) (any, error) { return s.MostRead(ctx, 0, time.Time{}, 0) })

	// New rows continue after the copied IDs, and a second copy is refused.
	a := &newsdesk.Article{GUID: "new", Headline: "After the move"}
	if _, err := dst.UpsertArticles(ctx, 0, []*newsdesk.Article{a}); err != nil {
		t.Fatal(err)
	}
	if a.ID <= arts[0].ID || a.ID <= int64(len(arts)) {
		t.Errorf("new article ID %d collides with copied ones", a.ID)
	}
	sec := &newsdesk.Section{Slug: "new", Name: "New"}
	if err := dst.CreateSection(ctx, sec); err != nil || sec.ID <= 3 {
		t.Errorf("new section ID %d, err %v", sec.ID, err)
	}
	if err := dst.CopyFrom(ctx, src, nil); newsdesk.ErrorCode(err) != newsdesk.ECONFLICT {
		t.Errorf("copy into a used database: %v, want ECONFLICT", err)
	}
}

func dump(v any) string {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Slice {
		return fmt.Sprintf("%+v", deref(rv))
	}
	s := "["
	for i := range rv.Len() {
		s += fmt.Sprintf("\n  %+v", deref(rv.Index(i)))
	}
	return s + "]"
}

func deref(v reflect.Value) any {
	if v.Kind() == reflect.Pointer && !v.IsNil() {
		return v.Elem().Interface()
	}
	return v.Interface()
}
