package postgres_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"newsdesk"
	"newsdesk/store/postgres"
	"newsdesk/store/storetest"
)

// testServer is the database the tests make their schemas in, found once.
var testServer struct {
	once sync.Once
	dsn  string
	err  error
}

// serverDSN returns the DSN of a reachable test database, or skips: from
// NEWSDESK_TEST_POSTGRES, else the local server as root, else as postgres.
func serverDSN(tb testing.TB) string {
	tb.Helper()
	testServer.once.Do(func() {
		candidates := []string{os.Getenv("NEWSDESK_TEST_POSTGRES")}
		if candidates[0] == "" {
			candidates = []string{
				"postgres://root@127.0.0.1:5432/test?sslmode=disable",
				"postgres://postgres@127.0.0.1:5432/test?sslmode=disable",
			}
		}
		for _, dsn := range candidates {
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
			conn, err := pgx.Connect(ctx, dsn)
			if err == nil {
				err = conn.Ping(ctx)
				conn.Close(ctx)
			}
			cancel()
			testServer.dsn, testServer.err = dsn, err
			if err == nil {
				return
			}
		}
	})
	if testServer.err != nil {
		tb.Skipf("PostgreSQL not reachable at %s: %v; set NEWSDESK_TEST_POSTGRES", redact(testServer.dsn), testServer.err)
	}
	return testServer.dsn
}

func redact(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil || u.User == nil {
		return dsn
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return u.String()
}

// admin runs one statement on the test database outside any store.
func admin(tb testing.TB, sql string, args ...any) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, serverDSN(tb))
	if err != nil {
		tb.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, sql, args...); err != nil {
		tb.Fatalf("%s: %v", sql, err)
	}
}

// testSchema is an empty schema of the test database, dropped with
// everything in it when the test ends; dsn connects with it as the
// search_path of every connection.
type testSchema struct {
	name, dsn string
}

func newSchema(tb testing.TB) testSchema {
	tb.Helper()
	server := serverDSN(tb)
	var b [6]byte
	rand.Read(b[:])
	name := "tmp_" + hex.EncodeToString(b[:])
	admin(tb, "CREATE SCHEMA "+name)
	tb.Cleanup(func() { admin(tb, "DROP SCHEMA "+name+" CASCADE") })
	u, err := url.Parse(server)
	if err != nil {
		tb.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", name)
	u.RawQuery = q.Encode()
	return testSchema{name: name, dsn: u.String()}
}

// open opens a store on the schema, closed when the test ends. Each schema
// has a notification channel of its own, so that tests running at the same
// time do not hear one another.
func (s testSchema) open(tb testing.TB) *postgres.DB {
	tb.Helper()
	db, err := postgres.OpenOptions(context.Background(), s.dsn, postgres.Options{MaxConns: 4, Channel: s.name})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

func mustOpen(tb testing.TB) *postgres.DB { return newSchema(tb).open(tb) }

func TestStore(t *testing.T) {
	serverDSN(t)
	storetest.Run(t, func(t *testing.T) newsdesk.Store { return mustOpen(t) })
}

func TestOpenBadDSN(t *testing.T) {
	_, err := postgres.Open(t.Context(), "postgres://u:secret@127.0.0.1:5432/x?sslmode=bogus")
	if err == nil || strings.Contains(err.Error(), "secret") {
		t.Fatalf("Open with a bad DSN: %v", err)
	}
}

func dueSources(t *testing.T, db *postgres.DB, n int, now time.Time) []int64 {
	t.Helper()
	var ids []int64
	for i := range n {
		src := &newsdesk.Source{Name: fmt.Sprintf("s%d", i), Kind: newsdesk.SourceFeed, URL: fmt.Sprintf("https://s%d.example/feed", i)}
		if err := db.CreateSource(t.Context(), src); err != nil {
			t.Fatal(err)
		}
		if err := db.RecordFetch(t.Context(), src.ID, newsdesk.FetchResult{At: now.Add(-time.Hour), OK: true,
			NextFetchAt: now.Add(-time.Duration(i+1) * time.Second)}); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, src.ID)
	}
	return ids
}

// TestLeasesAcrossNodes has workers on two stores (two pools, as two
// machines would have) lease at once: no source is handed out twice, and
// every due source is handed out.
func TestLeasesAcrossNodes(t *testing.T) {
	s := newSchema(t)
	nodes := []*postgres.DB{s.open(t), s.open(t)}
	now := time.Now().UTC().Truncate(time.Second)
	want := dueSources(t, nodes[0], 60, now)
	var mu sync.Mutex
	leased := map[int64]string{}
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	start := make(chan struct{})
	for w := range 8 {
		wg.Go(func() {
			db, owner := nodes[w%2], fmt.Sprintf("node%d-worker%d", w%2, w)
			<-start
			for {
				srcs, err := db.LeaseDueSources(t.Context(), owner, now, time.Hour, 3)
				if err != nil {
					errs <- err
					return
				}
				if len(srcs) == 0 {
					return
				}
				mu.Lock()
				for _, src := range srcs {
					if other, dup := leased[src.ID]; dup {
						errs <- fmt.Errorf("source %d leased to %s and %s", src.ID, other, owner)
					}
					leased[src.ID] = owner
				}
				mu.Unlock()
			}
		})
	}
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	got := make([]int64, 0, len(leased))
	for id := range leased {
		got = append(got, id)
	}
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("leased %d sources, want all %d", len(got), len(want))
	}
}

// TestLeaseTakeover: a worker that died holding a lease stops blocking its
// sources once the lease has expired.
func TestLeaseTakeover(t *testing.T) {
	db := mustOpen(t)
	ctx := t.Context()
	now := time.Now().UTC().Truncate(time.Second)
	ids := dueSources(t, db, 3, now)
	dead, err := db.LeaseDueSources(ctx, "dead", now, time.Minute, 10)
	if err != nil || len(dead) != 3 {
		t.Fatalf("first lease: %d sources, err %v", len(dead), err)
	}
	if got, err := db.LeaseDueSources(ctx, "alive", now.Add(59*time.Second), time.Minute, 10); err != nil || len(got) != 0 {
		t.Fatalf("lease before expiry: %d sources, err %v", len(got), err)
	}
	got, err := db.LeaseDueSources(ctx, "alive", now.Add(time.Minute), time.Minute, 10)
	if err != nil {
		t.Fatal(err)
	}
	var gotIDs []int64
	for _, src := range got {
		gotIDs = append(gotIDs, src.ID)
	}
	slices.Sort(gotIDs)
	if !slices.Equal(gotIDs, ids) {
		t.Fatalf("lease after expiry = %v, want %v", gotIDs, ids)
	}
	// The dead owner's late release does not free the new lease.
	if err := db.ReleaseSource(ctx, ids[0], "dead"); err != nil {
		t.Fatal(err)
	}
	if got, _ := db.LeaseDueSources(ctx, "third", now.Add(90*time.Second), time.Minute, 10); len(got) != 0 {
		t.Errorf("a stale owner's release freed %d sources", len(got))
	}
}

// listener runs Listen in the background and records what it is told.
type listener struct {
	calls  chan postgres.Change
	cancel context.CancelFunc
	done   chan error
}

func listen(t *testing.T, db *postgres.DB) *listener {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	l := &listener{calls: make(chan postgres.Change, 100), cancel: cancel, done: make(chan error, 1)}
	go func() { l.done <- db.Listen(ctx, func(c postgres.Change) { l.calls <- c }) }()
	t.Cleanup(func() {
		cancel()
		if err := <-l.done; err != context.Canceled {
			t.Errorf("Listen returned %v, want context.Canceled", err)
		}
	})
	return l
}

// wait returns the next change, failing the test when none comes soon.
func (l *listener) wait(t *testing.T, what string, within time.Duration) postgres.Change {
	t.Helper()
	select {
	case c := <-l.calls:
		return c
	case <-time.After(within):
		t.Fatalf("no call of onChange within %v after %s", within, what)
	}
	return postgres.Change{}
}

func (l *listener) quiet(t *testing.T, what string, d time.Duration) {
	t.Helper()
	select {
	case c := <-l.calls:
		t.Fatalf("onChange called after %s: %+v", what, c)
	case <-time.After(d):
	}
}

// TestListenAcrossNodes: a pick made on one node reaches the listener of
// another within a second, not its own; a change that fails notifies
// nobody; a lost listening connection is made again.
func TestListenAcrossNodes(t *testing.T) {
	s := newSchema(t)
	web, editor := s.open(t), s.open(t)
	ctx := t.Context()
	src := &newsdesk.Source{Name: "Desk", Kind: newsdesk.SourceManual}
	if err := editor.CreateSource(ctx, src); err != nil {
		t.Fatal(err)
	}
	var arts []*newsdesk.Article
	for i := range 3 {
		arts = append(arts, &newsdesk.Article{GUID: fmt.Sprint(i), Headline: fmt.Sprint("Report ", i)})
	}
	if _, err := editor.UpsertArticles(ctx, src.ID, arts); err != nil {
		t.Fatal(err)
	}

	l := listen(t, web)
	if c := l.wait(t, "connecting", 5*time.Second); c.What != "listen" || c.Scoped {
		t.Errorf("on connecting: %+v, want an unscoped listen", c)
	}
	if err := editor.CreatePick(ctx, &newsdesk.Pick{ArticleID: 999999}); newsdesk.ErrorCode(err) != newsdesk.ENOTFOUND {
		t.Fatalf("pick of a missing article: %v", err)
	}
	if err := editor.CreatePick(ctx, &newsdesk.Pick{ArticleID: arts[0].ID}); err != nil {
		t.Fatal(err)
	}
	if c := l.wait(t, "CreatePick on another node", time.Second); c.What != "picks" || c.Scoped {
		t.Errorf("after CreatePick: %+v, want unscoped picks", c)
	}
	// Had the failed pick notified, its notification would have come
	// first and this one would follow.
	l.quiet(t, "a single committed change", 200*time.Millisecond)

	// A change made through the listening store itself is its process's
	// own, refreshed where it was made; another node still hears it.
	other := listen(t, editor)
	other.wait(t, "connecting", 5*time.Second)
	if err := web.CreatePick(ctx, &newsdesk.Pick{ArticleID: arts[1].ID, Position: 1}); err != nil {
		t.Fatal(err)
	}
	other.wait(t, "CreatePick on the web node", time.Second)
	l.quiet(t, "a change made through the listening store", 300*time.Millisecond)

	// Unchanged articles are no change.
	same := []*newsdesk.Article{{GUID: "0", Headline: "Report 0"}}
	if _, err := editor.UpsertArticles(ctx, src.ID, same); err != nil {
		t.Fatal(err)
	}
	l.quiet(t, "an upsert that changed nothing", 200*time.Millisecond)

	// A stored batch names its articles, those they copy and their
	// stories; a new entity, none.
	batch := []*newsdesk.Article{
		{GUID: "0", Headline: "Report 0, updated"},
		{GUID: "new", Headline: "A copy of report 2", DuplicateOf: arts[2].ID, StoryID: arts[2].StoryID},
	}
	if _, err := editor.UpsertArticlesIndexed(ctx, src.ID, batch, func(_ context.Context, stored []*newsdesk.Article) ([]newsdesk.SearchDoc, error) {
		var docs []newsdesk.SearchDoc
		for _, a := range stored {
			docs = append(docs, newsdesk.SearchDoc{ArticleID: a.ID, Headline: a.Headline})
		}
		return docs, nil
	}); err != nil {
		t.Fatal(err)
	}
	got := map[string]postgres.Change{}
	for range 2 {
		c := l.wait(t, "an indexed upsert", time.Second)
		got[c.What] = c
	}
	wantArticles := []int64{arts[0].ID, batch[1].ID, arts[2].ID}
	if c := got["articles"]; !c.Scoped || !sameIDs(c.Articles, wantArticles) || !sameIDs(c.Stories, []int64{arts[0].StoryID, arts[2].StoryID}) {
		t.Errorf("articles change %+v, want scoped to articles %v and stories %d, %d", c, wantArticles, arts[0].StoryID, arts[2].StoryID)
	}
	if c := got["search"]; !c.Scoped || !sameIDs(c.Articles, []int64{arts[0].ID, batch[1].ID}) || len(c.Stories) != 0 {
		t.Errorf("search change %+v, want scoped to articles %d, %d", c, arts[0].ID, batch[1].ID)
	}
	if err := editor.CreateEntity(ctx, &newsdesk.Entity{Kind: newsdesk.EntityPerson, Name: "Ada Lovelace"}); err != nil {
		t.Fatal(err)
	}
	if c := l.wait(t, "CreateEntity", time.Second); c.What != "entities" || !c.Scoped || len(c.Articles)+len(c.Stories) != 0 {
		t.Errorf("after CreateEntity: %+v, want entities scoped to the lists", c)
	}
	// Retention names the articles whose bodies it stripped.
	bodied := []*newsdesk.Article{{GUID: "bodied", Headline: "A report with a body", Body: "<p>Text.</p>", Text: "Text.",
		PublishedAt: time.Now().Add(-48 * time.Hour)}}
	if _, err := editor.UpsertArticles(ctx, src.ID, bodied); err != nil {
		t.Fatal(err)
	}
	l.wait(t, "storing a report with a body", time.Second)
	if n, err := editor.StripBodies(ctx, newsdesk.BodyRule{Before: time.Now().Add(-24 * time.Hour)}, false); err != nil || n != 1 {
		t.Fatalf("StripBodies: %d, %v; want 1 article", n, err)
	}
	if c := l.wait(t, "StripBodies", time.Second); c.What != "articles" || !c.Scoped || !sameIDs(c.Articles, []int64{bodied[0].ID}) {
		t.Errorf("after StripBodies: %+v, want articles scoped to %d", c, bodied[0].ID)
	}

	// Kill the listening connection: Listen connects again, says so, and
	// hears the next change.
	admin(t, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query = $1`, "LISTEN "+pgx.Identifier{s.name}.Sanitize())
	l.wait(t, "the listening connection was killed", 5*time.Second)
	a, err := editor.Article(ctx, arts[1].ID)
	if err != nil {
		t.Fatal(err)
	}
	a.Headline = "Edited"
	if err := editor.UpdateArticle(ctx, a); err != nil {
		t.Fatal(err)
	}
	if c := l.wait(t, "UpdateArticle after reconnecting", time.Second); c.What != "articles" || c.Scoped {
		t.Errorf("after an editor's UpdateArticle: %+v, want unscoped articles", c)
	}
}

// sameIDs reports whether a and b hold the same IDs, in any order and
// counted once.
func sameIDs(a, b []int64) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(slices.Compact(a), slices.Compact(b))
}

// TestMigrationsRace opens four stores on one empty schema at once: the
// advisory lock lets one of them migrate and the others find the work done.
func TestMigrationsRace(t *testing.T) {
	s := newSchema(t)
	var wg sync.WaitGroup
	var failed atomic.Int32
	for range 4 {
		wg.Go(func() {
			db, err := postgres.OpenOptions(context.Background(), s.dsn, postgres.Options{MaxConns: 2})
			if err != nil {
				t.Error(err)
				failed.Add(1)
				return
			}
			db.Close()
		})
	}
	wg.Wait()
	if failed.Load() > 0 {
		t.FailNow()
	}
	files, err := os.ReadDir("migrations")
	if err != nil {
		t.Fatal(err)
	}
	for range 2 { // and opening again changes nothing
		db := s.open(t)
		var n int
		if err := db.Pool().QueryRow(t.Context(), `SELECT count(*) FROM schema_migrations`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != len(files) {
			t.Errorf("schema_migrations has %d rows, want %d", n, len(files))
		}
		if err := db.CreateSource(t.Context(), &newsdesk.Source{Name: "Desk", Kind: newsdesk.SourceManual}); err != nil {
			t.Fatal(err)
		}
	}
}

// TestReadsWithoutContention records views of one article by many readers
// from many goroutines: each view is its own row, and none fails.
func TestReadsWithoutContention(t *testing.T) {
	db := mustOpen(t)
	ctx := t.Context()
	src := &newsdesk.Source{Name: "Desk", Kind: newsdesk.SourceManual}
	if err := db.CreateSource(ctx, src); err != nil {
		t.Fatal(err)
	}
	a := &newsdesk.Article{GUID: "hot", Headline: "Everyone reads this"}
	if _, err := db.UpsertArticles(ctx, src.ID, []*newsdesk.Article{a}); err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC().Truncate(time.Second)
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Go(func() {
			for i := range 25 {
				for _, at := range []time.Time{now, now.Add(-time.Minute)} { // the earlier repeat keeps the later time
					if err := db.RecordRead(ctx, newsdesk.ReadEvent{ReaderID: fmt.Sprintf("r%d-%d", w, i), ArticleID: a.ID, At: at}); err != nil {
						t.Error(err)
						return
					}
				}
			}
		})
	}
	wg.Wait()
	most, err := db.MostRead(ctx, 0, now.Add(-time.Hour), 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(most) != 1 || most[0].Count != 200 {
		t.Errorf("most read = %+v, want 200 readers", most)
	}
	hist, err := db.ReadHistory(ctx, "r3-7", 10)
	if err != nil || len(hist) != 1 || !hist[0].At.Equal(now) {
		t.Errorf("history = %+v, %v: want one view at the latest time", hist, err)
	}
}

// TestTextPostgreSQLCannotHold: a NUL or invalid UTF-8 from a broken feed
// is stored (cleaned), not refused, as SQLite would store it.
func TestTextPostgreSQLCannotHold(t *testing.T) {
	db := mustOpen(t)
	a := &newsdesk.Article{GUID: "bad\x00guid", Headline: "Broken \xff feed", Body: "<p>a\x00b</p>"}
	if _, err := db.UpsertArticles(t.Context(), 0, []*newsdesk.Article{a}); err != nil {
		t.Fatal(err)
	}
	got, err := db.Article(t.Context(), a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Headline != "Broken \uFFFD feed" || got.Body != "<p>ab</p>" || got.GUID != "badguid" {
		t.Errorf("stored %q %q %q", got.Headline, got.Body, got.GUID)
	}
	// The same broken item again is the same article, unchanged.
	again := &newsdesk.Article{GUID: "bad\x00guid", Headline: "Broken \xff feed", Body: "<p>a\x00b</p>"}
	if created, err := db.UpsertArticles(t.Context(), 0, []*newsdesk.Article{again}); err != nil || len(created) != 0 || again.ID != a.ID {
		t.Errorf("re-upsert: created %d, ID %d want %d, err %v", len(created), again.ID, a.ID, err)
	}
}

func TestRetention(t *testing.T) {
	serverDSN(t)
	storetest.RunRetention(t, func(t *testing.T) storetest.RetentionStore { return mustOpen(t) })
}

// TestTotals: NoTotal skips the count, MaxTotal bounds it, for lists and
// searches alike.
func TestTotals(t *testing.T) {
	db := mustOpen(t)
	ctx := t.Context()
	var arts []*newsdesk.Article
	for i := range 7 {
		arts = append(arts, &newsdesk.Article{GUID: fmt.Sprint(i), Headline: fmt.Sprint("Market report ", i)})
	}
	if _, err := db.UpsertArticles(ctx, 0, arts); err != nil {
		t.Fatal(err)
	}
	var docs []newsdesk.SearchDoc
	for _, a := range arts {
		docs = append(docs, newsdesk.SearchDoc{ArticleID: a.ID, Headline: a.Headline})
	}
	if err := db.IndexArticles(ctx, docs); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		f    newsdesk.ArticleFilter
		want int
	}{
		{newsdesk.ArticleFilter{Limit: 2}, 7},
		{newsdesk.ArticleFilter{Limit: 2, NoTotal: true}, -1},
		{newsdesk.ArticleFilter{Limit: 2, MaxTotal: 3}, 3},
		{newsdesk.ArticleFilter{Limit: 2, MaxTotal: 100}, 7},
		{newsdesk.ArticleFilter{Limit: 10, MaxTotal: 3}, 3},
	} {
		list, total, err := db.Articles(ctx, tt.f)
		if err != nil || total != tt.want || len(list) != min(tt.f.Limit, 7) {
			t.Errorf("Articles(%+v) = %d articles, total %d, err %v; want total %d", tt.f, len(list), total, err, tt.want)
		}
	}
	for _, tt := range []struct {
		q      newsdesk.SearchQuery
		want   int
		capped bool
	}{
		{newsdesk.SearchQuery{Text: "market", Limit: 2}, 7, false},
		{newsdesk.SearchQuery{Text: "market", Limit: 2, NoTotal: true}, -1, false},
		{newsdesk.SearchQuery{Text: "market", Limit: 2, MaxTotal: 3}, 3, true},
		{newsdesk.SearchQuery{Text: "market", Limit: 2, MaxTotal: 7}, 7, true},
		{newsdesk.SearchQuery{Text: "market", Limit: 2, MaxTotal: 8}, 7, false},
	} {
		res, err := db.Search(ctx, tt.q)
		if err != nil || res.Total != tt.want || res.TotalCapped != tt.capped || len(res.Hits) != 2 {
			t.Errorf("Search(%+v) = %+v, err %v; want total %d capped %v", tt.q, res, err, tt.want, tt.capped)
		}
	}
}
