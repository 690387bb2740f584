package admin_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"newsdesk"
	"newsdesk/admin"
	"newsdesk/auth"
	"newsdesk/store/sqlite"
	"newsdesk/web"
)

// testStart is the clock of every test: 2 June 2025, 17:05 UTC.
var testStart = time.Date(2025, 6, 2, 17, 5, 0, 0, time.UTC)

// Passwords of the seeded accounts.
const (
	adminPassword  = "root-password-1"
	editorPassword = "editor-password-1"
)

// cheap are argon2id parameters that keep the tests fast; CheckPassword
// reads them from the hash, so logins work as with the default ones.
var cheap = auth.Params{Memory: 64, Time: 1, Threads: 1, KeyLen: 32, SaltLen: 16}

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// ids are the seeded records.
type ids struct {
	Source, PausedSource     int64
	Region, Iraq, Iran       int64
	MEK                      int64
	AcceptAlias, RejectAlias int64
	A1, A2, A3, Unpublished  int64
	Story1, Story2           int64
	Pick1, Pick2             int64
	Admin, Editor            int64
	AdminToken               int64
}

// seed fills an empty store through its interface.
func seed(ctx context.Context, st newsdesk.Store, now time.Time) (ids, error) {
	var x ids
	hash := func(pw string) string {
		h, err := auth.HashPassword(pw, cheap)
		if err != nil {
			panic(err)
		}
		return h
	}
	root := &newsdesk.User{Username: "root", Name: "Root", Role: newsdesk.RoleAdmin, PasswordHash: hash(adminPassword)}
	ed := &newsdesk.User{Username: "ed", Name: "Ed Itor", Role: newsdesk.RoleEditor, PasswordHash: hash(editorPassword)}
	for _, u := range []*newsdesk.User{root, ed} {
		if err := st.CreateUser(ctx, u); err != nil {
			return x, err
		}
	}
	x.Admin, x.Editor = root.ID, ed.ID
	tok := &newsdesk.APIToken{UserID: root.ID, Name: "old tool", TokenHash: auth.HashToken("seeded"), CreatedAt: now}
	if err := st.CreateAPIToken(ctx, tok); err != nil {
		return x, err
	}
	x.AdminToken = tok.ID
	src := &newsdesk.Source{Name: "Gulf Wire", Kind: newsdesk.SourceFeed, URL: "https://gulfwire.example/feed",
		Licence: newsdesk.LicenceFull, Interval: 15 * time.Minute}
	paused := &newsdesk.Source{Name: "Quiet Post", Kind: newsdesk.SourceFeed, URL: "https://quiet.example/feed",
		Licence: newsdesk.LicenceExcerpt, Paused: true, Interval: time.Hour}
	for _, s := range []*newsdesk.Source{src, paused} {
		if err := st.CreateSource(ctx, s); err != nil {
			return x, err
		}
	}
	x.Source, x.PausedSource = src.ID, paused.ID
	if err := st.RecordFetch(ctx, paused.ID, newsdesk.FetchResult{At: now.Add(-time.Hour), OK: false, Error: "HTTP 503 Service Unavailable"}); err != nil {
		return x, err
	}
	region := &newsdesk.Section{Slug: "middle-east", Name: "Middle East"}
	if err := st.CreateSection(ctx, region); err != nil {
		return x, err
	}
	iraq := &newsdesk.Section{Slug: "iraq", Name: "Iraq", Code: "iq", ParentID: region.ID}
	iran := &newsdesk.Section{Slug: "iran", Name: "Iran", Code: "ir", ParentID: region.ID, Position: 1}
	for _, s := range []*newsdesk.Section{iraq, iran} {
		if err := st.CreateSection(ctx, s); err != nil {
			return x, err
		}
	}
	x.Region, x.Iraq, x.Iran = region.ID, iraq.ID, iran.ID
	mek := &newsdesk.Entity{Kind: newsdesk.EntityOrganisation, Name: "Mujahedeen-e-Khalq", Aliases: []string{"MEK"}}
	if err := st.CreateEntity(ctx, mek); err != nil {
		return x, err
	}
	x.MEK = mek.ID
	art := func(guid, headline string, at time.Time) *newsdesk.Article {
		return &newsdesk.Article{GUID: guid, URL: "https://gulfwire.example/" + guid, Headline: headline,
			Lede: "Lede of " + headline, Body: "<p>Body of " + headline + "</p>", Text: "Body of " + headline,
			Language: "en", PublishedAt: at, FetchedAt: at}
	}
	a1 := art("a1", "Camp Ashraf residents stay under guard", now.Add(-3*time.Hour))
	a1.Sections = []newsdesk.SectionRef{{ID: iraq.ID}}
	a1.Entities = []newsdesk.EntityRef{{ID: mek.ID, Mentions: 3}}
	a2 := art("a2", "Tigris water release agreed", now.Add(-2*time.Hour))
	if _, err := st.UpsertArticles(ctx, src.ID, []*newsdesk.Article{a1, a2}); err != nil {
		return x, err
	}
	a3 := art("a3", "Camp deadline extended again", now.Add(-time.Hour))
	a3.StoryID = a1.StoryID
	gone := art("gone", "Withdrawn report", now.Add(-4*time.Hour))
	gone.Status = newsdesk.StatusUnpublished
	if _, err := st.UpsertArticles(ctx, src.ID, []*newsdesk.Article{a3, gone}); err != nil {
		return x, err
	}
	x.A1, x.A2, x.A3, x.Unpublished = a1.ID, a2.ID, a3.ID, gone.ID
	x.Story1, x.Story2 = a1.StoryID, a2.StoryID
	var docs []newsdesk.SearchDoc
	for _, a := range []*newsdesk.Article{a1, a2, a3} {
		docs = append(docs, newsdesk.SearchDoc{ArticleID: a.ID, Headline: strings.ToLower(a.Headline), Lede: strings.ToLower(a.Lede)})
	}
	if err := st.IndexArticles(ctx, docs); err != nil {
		return x, err
	}
	for _, alias := range []string{"PMOI", "People's Mojahedin"} {
		if err := st.AddAliasCandidate(ctx, &newsdesk.AliasCandidate{EntityID: mek.ID, Alias: alias,
			Evidence: "the Mujahedeen-e-Khalq, or " + alias + ", said", ArticleID: a1.ID, CreatedAt: now}); err != nil {
			return x, err
		}
	}
	cands, err := st.AliasCandidates(ctx, newsdesk.AliasPending, 10)
	if err != nil || len(cands) != 2 {
		return x, fmt.Errorf("alias candidates: %v (%d)", err, len(cands))
	}
	for _, c := range cands {
		if c.Alias == "PMOI" {
			x.AcceptAlias = c.ID
		} else {
			x.RejectAlias = c.ID
		}
	}
	p1 := &newsdesk.Pick{ArticleID: a1.ID, Position: 0, CreatedBy: root.ID}
	p2 := &newsdesk.Pick{ArticleID: a3.ID, Position: 1, CreatedBy: root.ID}
	for _, p := range []*newsdesk.Pick{p1, p2} {
		if err := st.CreatePick(ctx, p); err != nil {
			return x, err
		}
	}
	x.Pick1, x.Pick2 = p1.ID, p2.ID
	return x, nil
}

// seeded is a seeded database file that each env copies.
var seeded struct {
	once sync.Once
	data []byte
	ids  ids
	err  error
}

func seededDB() ([]byte, ids, error) {
	seeded.once.Do(func() {
		dir, err := os.MkdirTemp("", "newsdesk-admin")
		if err != nil {
			seeded.err = err
			return
		}
		defer os.RemoveAll(dir)
		path := filepath.Join(dir, "seed.db")
		db, err := sqlite.Open(context.Background(), path)
		if err != nil {
			seeded.err = err
			return
		}
		db.Now = func() time.Time { return testStart }
		seeded.ids, seeded.err = seed(context.Background(), db, testStart)
		if err := db.Close(); err != nil && seeded.err == nil {
			seeded.err = err
		}
		if seeded.err == nil {
			seeded.data, seeded.err = os.ReadFile(path)
		}
	})
	return seeded.data, seeded.ids, seeded.err
}

// env is an admin on a seeded SQLite store behind a real HTTP server.
type env struct {
	t           *testing.T
	st          *sqlite.DB
	h           *admin.Handler
	mux         *http.ServeMux
	srv         *httptest.Server
	clock       *clock
	ids         ids
	logs        *syncBuffer
	invalidated atomic.Int64
	fetched     atomic.Int64
	// onInvalidate, a func(), is called too when the admin invalidates.
	onInvalidate atomic.Value
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

type envOption func(*admin.Config)

func newEnv(t *testing.T, opts ...envOption) *env {
	t.Helper()
	return newEnvWith(t, nil, opts...)
}

// newEnvWith is newEnv with more routes on the mux (before the server
// starts) and the handler the server runs, made by setup.
func newEnvWith(t *testing.T, setup func(e *env) http.Handler, opts ...envOption) *env {
	t.Helper()
	data, x, err := seededDB()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "admin.db")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	st, err := sqlite.Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	e := &env{t: t, st: st, clock: &clock{t: testStart}, ids: x, logs: &syncBuffer{}}
	st.Now = e.clock.Now
	eng, err := web.New(web.WithClock(e.clock.Now), web.Require(admin.Pages()...))
	if err != nil {
		t.Fatal(err)
	}
	e.srv = httptest.NewUnstartedServer(nil)
	cfg := admin.Config{
		Store: st, Web: eng, SiteName: "Test Desk", BaseURL: "https://news.example", Now: e.clock.Now,
		Logger: slog.New(slog.NewTextHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Invalidate: func() {
			e.invalidated.Add(1)
			if f, ok := e.onInvalidate.Load().(func()); ok {
				f()
			}
		},
		Ingest: func(ctx context.Context, id int64) error {
			e.fetched.Add(1)
			return st.RecordFetch(ctx, id, newsdesk.FetchResult{At: e.clock.Now(), OK: true, Items: 3})
		},
	}
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.Limiter != nil {
		cfg.Limiter.Now = e.clock.Now
	}
	e.h, err = admin.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	e.mux = http.NewServeMux()
	e.h.Register(e.mux)
	e.srv.Config.Handler = e.mux
	if setup != nil {
		e.srv.Config.Handler = setup(e)
	}
	e.srv.Start()
	t.Cleanup(e.srv.Close)
	return e
}

// client is a browser: a cookie jar, no redirects followed, and the CSRF
// token of the last page read.
type client struct {
	e    *env
	hc   *http.Client
	csrf string
}

func (e *env) anon() *client {
	jar, _ := cookiejar.New(nil)
	return &client{e: e, hc: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

var (
	csrfRe       = regexp.MustCompile(`name="csrf" value="([^"]+)"`)
	loginTokenRe = regexp.MustCompile(`name="login_token" value="([^"]+)"`)
)

// login signs in through the form and reads the CSRF token from the
// dashboard.
func (e *env) login(username, password string) *client {
	e.t.Helper()
	c := e.anon()
	res := c.postLogin(username, password)
	if res.StatusCode != http.StatusSeeOther {
		e.t.Fatalf("login %s: status %d", username, res.StatusCode)
	}
	body := c.mustGet("/admin/")
	m := csrfRe.FindStringSubmatch(body)
	if m == nil {
		e.t.Fatalf("login %s: no CSRF token on the dashboard", username)
	}
	c.csrf = m[1]
	return c
}

func (e *env) admin() *client  { return e.login("root", adminPassword) }
func (e *env) editor() *client { return e.login("ed", editorPassword) }

// postLogin loads the login form and posts it.
func (c *client) postLogin(username, password string) *http.Response {
	c.e.t.Helper()
	body := c.mustGet("/admin/login")
	m := loginTokenRe.FindStringSubmatch(body)
	if m == nil {
		c.e.t.Fatal("login page has no login token")
	}
	return c.post("/admin/login", url.Values{"username": {username}, "password": {password}, "login_token": {m[1]}}, sameOrigin)
}

// sameOrigin is what a browser sends with a form posted from the admin.
var sameOrigin = http.Header{"Sec-Fetch-Site": {"same-origin"}}

func (c *client) do(req *http.Request) (*http.Response, string) {
	c.e.t.Helper()
	res, err := c.hc.Do(req)
	if err != nil {
		c.e.t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		c.e.t.Fatal(err)
	}
	return res, string(b)
}

func (c *client) get(path string) (*http.Response, string) {
	c.e.t.Helper()
	req, err := http.NewRequest(http.MethodGet, c.e.srv.URL+path, nil)
	if err != nil {
		c.e.t.Fatal(err)
	}
	return c.do(req)
}

func (c *client) mustGet(path string) string {
	c.e.t.Helper()
	res, body := c.get(path)
	if res.StatusCode != http.StatusOK {
		c.e.t.Fatalf("GET %s: status %d\n%s", path, res.StatusCode, body)
	}
	return body
}

// post sends a form as is (add "csrf" yourself, or use submit).
func (c *client) post(path string, form url.Values, hdr http.Header) *http.Response {
	c.e.t.Helper()
	res, _ := c.postBody(path, form, hdr)
	return res
}

func (c *client) postBody(path string, form url.Values, hdr http.Header) (*http.Response, string) {
	c.e.t.Helper()
	req, err := http.NewRequest(http.MethodPost, c.e.srv.URL+path, strings.NewReader(form.Encode()))
	if err != nil {
		c.e.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for k, vs := range hdr {
		req.Header[k] = vs
	}
	return c.do(req)
}

// submit posts a form with the session's CSRF token, as the page would.
func (c *client) submit(path string, form url.Values) (*http.Response, string) {
	c.e.t.Helper()
	f := url.Values{}
	for k, v := range form {
		f[k] = v
	}
	f.Set("csrf", c.csrf)
	return c.postBody(path, f, sameOrigin)
}

// snapshot writes down everything the admin can change, to tell whether a
// refused request changed anything.
func snapshot(t *testing.T, st newsdesk.Store) string {
	t.Helper()
	ctx := t.Context()
	var b strings.Builder
	check := func(err error) {
		if err != nil {
			t.Fatal(err)
		}
	}
	srcs, _, err := st.Sources(ctx, newsdesk.SourceFilter{})
	check(err)
	for _, s := range srcs {
		fmt.Fprintf(&b, "source %d %q %s %q %q %v %v %v %q\n", s.ID, s.Name, s.Kind, s.URL, s.Licence, s.Paused, s.Interval, s.LastFetchAt, s.LastError)
	}
	secs, err := st.Sections(ctx)
	check(err)
	for _, s := range secs {
		fmt.Fprintf(&b, "section %d %d %q %q %q %q %d\n", s.ID, s.ParentID, s.Slug, s.Name, s.Code, s.Description, s.Position)
	}
	ents, _, err := st.Entities(ctx, newsdesk.EntityFilter{})
	check(err)
	for _, e := range ents {
		fmt.Fprintf(&b, "entity %d %s %q %q %q\n", e.ID, e.Kind, e.Name, e.Aliases, e.Description)
	}
	cands, err := st.AliasCandidates(ctx, newsdesk.AliasPending, 100)
	check(err)
	for _, c := range cands {
		fmt.Fprintf(&b, "candidate %d %q\n", c.ID, c.Alias)
	}
	arts, _, err := st.Articles(ctx, newsdesk.ArticleFilter{IncludeUnpublished: true})
	check(err)
	for _, a := range arts {
		fmt.Fprintf(&b, "article %d %q %q %s story=%d locked=%v %v %v\n", a.ID, a.Headline, a.Lede, a.Status, a.StoryID, a.SectionsLocked, a.Sections, a.Entities)
	}
	stories, err := st.Stories(ctx, newsdesk.StoryFilter{})
	check(err)
	for _, s := range stories {
		fmt.Fprintf(&b, "story %d %q %d\n", s.ID, s.Title, s.Articles)
	}
	picks, err := st.AllPicks(ctx)
	check(err)
	for _, p := range picks {
		fmt.Fprintf(&b, "pick %d %d %d %v\n", p.ID, p.ArticleID, p.Position, p.ExpiresAt)
	}
	users, err := st.Users(ctx)
	check(err)
	for _, u := range users {
		fmt.Fprintf(&b, "user %d %q %s %q\n", u.ID, u.Username, u.Role, u.PasswordHash)
		toks, err := st.APITokens(ctx, u.ID)
		check(err)
		for _, tk := range toks {
			fmt.Fprintf(&b, "token %d %q\n", tk.ID, tk.Name)
		}
	}
	_, n, err := st.AuditLog(ctx, 1, 0)
	check(err)
	fmt.Fprintf(&b, "audit %d\n", n)
	return b.String()
}

// lastAudit is the newest audit entry, nil when there is none.
func lastAudit(t *testing.T, st newsdesk.Store) *newsdesk.AuditEntry {
	t.Helper()
	es, _, err := st.AuditLog(t.Context(), 1, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(es) == 0 {
		return nil
	}
	return es[0]
}

func contains[T comparable](s []T, v T) bool { return slices.Contains(s, v) }
