package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"newsdesk"
	"newsdesk/api"
	"newsdesk/auth"
	"newsdesk/store/sqlite"
)

var testStart = time.Date(2025, 6, 2, 17, 5, 0, 0, time.UTC)

// Tokens of the seeded users.
const (
	adminToken   = "nd_admin-token"
	editorToken  = "nd_editor-token"
	expiredToken = "nd_expired-token"
)

type ids struct {
	Source, Region, Iraq, Iran, MEK, Candidate int64
	Full, Excerpt, Headline, Unpublished       int64
	Story1, Story2, Pick                       int64
	Admin, Editor                              int64
}

func seed(ctx context.Context, st newsdesk.Store, now time.Time) (ids, error) {
	var x ids
	root := &newsdesk.User{Username: "root", Role: newsdesk.RoleAdmin}
	ed := &newsdesk.User{Username: "ed", Role: newsdesk.RoleEditor}
	for _, u := range []*newsdesk.User{root, ed} {
		if err := st.CreateUser(ctx, u); err != nil {
			return x, err
		}
	}
	x.Admin, x.Editor = root.ID, ed.ID
	for _, t := range []*newsdesk.APIToken{
		{UserID: root.ID, Name: "admin tool", TokenHash: auth.HashToken(adminToken)},
		{UserID: ed.ID, Name: "editor tool", TokenHash: auth.HashToken(editorToken)},
		{UserID: root.ID, Name: "old", TokenHash: auth.HashToken(expiredToken), CreatedAt: now.Add(-48 * time.Hour), ExpiresAt: now.Add(-time.Hour)},
	} {
		if err := st.CreateAPIToken(ctx, t); err != nil {
			return x, err
		}
	}
	full := &newsdesk.Source{Name: "Gulf Wire", Kind: newsdesk.SourceFeed, URL: "https://gulfwire.example/feed?key=secret", Licence: newsdesk.LicenceFull}
	excerpt := &newsdesk.Source{Name: "Levant Report", Kind: newsdesk.SourceFeed, URL: "https://levant.example/feed", Licence: newsdesk.LicenceExcerpt}
	headline := &newsdesk.Source{Name: "Wire", Kind: newsdesk.SourceFeed, URL: "https://wire.example/feed", Licence: newsdesk.LicenceHeadline}
	for _, s := range []*newsdesk.Source{full, excerpt, headline} {
		if err := st.CreateSource(ctx, s); err != nil {
			return x, err
		}
	}
	x.Source = full.ID
	if err := st.RecordFetch(ctx, full.ID, newsdesk.FetchResult{At: now, OK: false, Error: "dial tcp 10.0.0.5:443: refused"}); err != nil {
		return x, err
	}
	region := &newsdesk.Section{Slug: "middle-east", Name: "Middle East"}
	if err := st.CreateSection(ctx, region); err != nil {
		return x, err
	}
	iraq := &newsdesk.Section{Slug: "iraq", Name: "Iraq", ParentID: region.ID}
	iran := &newsdesk.Section{Slug: "iran", Name: "Iran", ParentID: region.ID, Position: 1}
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
		return &newsdesk.Article{GUID: guid, URL: "https://news.example/" + guid, Headline: headline, Lede: "Lede of " + headline,
			Body: "<p>Body of " + headline + "</p>", Text: "Body of " + headline, Language: "en", PublishedAt: at}
	}
	a := art("full", "Camp Ashraf residents stay under guard", now.Add(-3*time.Hour))
	a.Sections = []newsdesk.SectionRef{{ID: iraq.ID}}
	a.Entities = []newsdesk.EntityRef{{ID: mek.ID, Mentions: 2}}
	gone := art("gone", "Withdrawn report", now.Add(-5*time.Hour))
	gone.Status = newsdesk.StatusUnpublished
	if _, err := st.UpsertArticles(ctx, full.ID, []*newsdesk.Article{a, gone}); err != nil {
		return x, err
	}
	b := art("excerpt", "Camp deadline extended again", now.Add(-2*time.Hour))
	b.StoryID = a.StoryID
	if _, err := st.UpsertArticles(ctx, excerpt.ID, []*newsdesk.Article{b}); err != nil {
		return x, err
	}
	c := art("headline", "Tigris water release agreed", now.Add(-time.Hour))
	if _, err := st.UpsertArticles(ctx, headline.ID, []*newsdesk.Article{c}); err != nil {
		return x, err
	}
	x.Full, x.Excerpt, x.Headline, x.Unpublished = a.ID, b.ID, c.ID, gone.ID
	x.Story1, x.Story2 = a.StoryID, c.StoryID
	var docs []newsdesk.SearchDoc
	for _, art := range []*newsdesk.Article{a, b, c} {
		docs = append(docs, newsdesk.SearchDoc{ArticleID: art.ID, Headline: strings.ToLower(art.Headline), Lede: strings.ToLower(art.Lede)})
	}
	if err := st.IndexArticles(ctx, docs); err != nil {
		return x, err
	}
	if err := st.AddAliasCandidate(ctx, &newsdesk.AliasCandidate{EntityID: mek.ID, Alias: "PMOI", Evidence: "the MEK, or PMOI", CreatedAt: now}); err != nil {
		return x, err
	}
	cands, err := st.AliasCandidates(ctx, newsdesk.AliasPending, 10)
	if err != nil || len(cands) != 1 {
		return x, fmt.Errorf("candidates: %v", err)
	}
	x.Candidate = cands[0].ID
	p := &newsdesk.Pick{ArticleID: a.ID}
	if err := st.CreatePick(ctx, p); err != nil {
		return x, err
	}
	x.Pick = p.ID
	return x, nil
}

var seeded struct {
	once sync.Once
	data []byte
	ids  ids
	err  error
}

func seededDB() ([]byte, ids, error) {
	seeded.once.Do(func() {
		dir, err := os.MkdirTemp("", "newsdesk-api")
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

type env struct {
	t           *testing.T
	st          *sqlite.DB
	h           *api.Handler
	mux         *http.ServeMux
	ids         ids
	logs        bytes.Buffer
	invalidated atomic.Int64
}

func newEnv(t *testing.T) *env {
	t.Helper()
	data, x, err := seededDB()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "api.db")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	st, err := sqlite.Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	st.Now = func() time.Time { return testStart }
	e := &env{t: t, st: st, ids: x}
	e.h = api.New(api.Config{Store: st, BaseURL: "https://news.example", Now: func() time.Time { return testStart },
		Logger: slog.New(slog.NewTextHandler(&e.logs, nil)), Invalidate: func() { e.invalidated.Add(1) }})
	e.mux = http.NewServeMux()
	e.h.Register(e.mux)
	return e
}

// do sends a request to the API; body, when not nil, is sent as JSON.
func (e *env) do(method, path, token string, body any, hdr ...string) *httptest.ResponseRecorder {
	e.t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			e.t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req := httptest.NewRequest(method, path, rd)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	rec := httptest.NewRecorder()
	e.mux.ServeHTTP(rec, req)
	return rec
}

// getJSON GETs path and decodes the 200 response.
func (e *env) getJSON(path, token string, v any) {
	e.t.Helper()
	rec := e.do(http.MethodGet, path, token, nil)
	if rec.Code != http.StatusOK {
		e.t.Fatalf("GET %s: %d %s", path, rec.Code, rec.Body)
	}
	if err := json.Unmarshal(rec.Body.Bytes(), v); err != nil {
		e.t.Fatalf("GET %s: %v", path, err)
	}
}

// wantError checks an error response's status and JSON shape.
func wantError(t *testing.T, rec *httptest.ResponseRecorder, status int, code string) {
	t.Helper()
	if rec.Code != status {
		t.Fatalf("status %d, want %d: %s", rec.Code, status, rec.Body)
	}
	var body struct {
		Error struct{ Code, Message string }
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || body.Error.Code != code || body.Error.Message == "" {
		t.Errorf("error body = %s (want code %s)", rec.Body, code)
	}
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("Content-Type = %q", ct)
	}
}

func snapshot(t *testing.T, st newsdesk.Store) string {
	t.Helper()
	ctx := t.Context()
	var b strings.Builder
	must := func(err error) {
		if err != nil {
			t.Fatal(err)
		}
	}
	srcs, _, err := st.Sources(ctx, newsdesk.SourceFilter{})
	must(err)
	for _, s := range srcs {
		fmt.Fprintf(&b, "source %d %q %q %v %v\n", s.ID, s.Name, s.URL, s.Paused, s.Interval)
	}
	secs, err := st.Sections(ctx)
	must(err)
	for _, s := range secs {
		fmt.Fprintf(&b, "section %+v\n", *s)
	}
	ents, _, err := st.Entities(ctx, newsdesk.EntityFilter{})
	must(err)
	for _, e := range ents {
		fmt.Fprintf(&b, "entity %d %q %q %q\n", e.ID, e.Name, e.Aliases, e.Description)
	}
	cands, err := st.AliasCandidates(ctx, newsdesk.AliasPending, 10)
	must(err)
	fmt.Fprintf(&b, "candidates %d\n", len(cands))
	arts, _, err := st.Articles(ctx, newsdesk.ArticleFilter{IncludeUnpublished: true})
	must(err)
	for _, a := range arts {
		fmt.Fprintf(&b, "article %d %q %q %s %d %v %v %v\n", a.ID, a.Headline, a.Lede, a.Status, a.StoryID, a.SectionsLocked, a.Sections, a.Entities)
	}
	stories, err := st.Stories(ctx, newsdesk.StoryFilter{})
	must(err)
	for _, s := range stories {
		fmt.Fprintf(&b, "story %d %q\n", s.ID, s.Title)
	}
	picks, err := st.AllPicks(ctx)
	must(err)
	for _, p := range picks {
		fmt.Fprintf(&b, "pick %d %d %d %v\n", p.ID, p.ArticleID, p.Position, p.ExpiresAt)
	}
	_, n, err := st.AuditLog(ctx, 1, 0)
	must(err)
	fmt.Fprintf(&b, "audit %d\n", n)
	return b.String()
}

func TestStatus(t *testing.T) {
	for code, want := range map[string]int{
		newsdesk.ENOTFOUND: 404, newsdesk.EINVALID: 400, newsdesk.ECONFLICT: 409, newsdesk.EUNAUTHORIZED: 401,
		newsdesk.EFORBIDDEN: 403, newsdesk.EINTERNAL: 500, "something-else": 500,
	} {
		if got := api.Status(code); got != want {
			t.Errorf("Status(%q) = %d, want %d", code, got, want)
		}
	}
}

// TestOpenAPI checks that the document is OpenAPI 3.1, that every
// registered route is in it with its method and security, and that it
// describes no route that is not registered.
func TestOpenAPI(t *testing.T) {
	e := newEnv(t)
	rec := e.do(http.MethodGet, "/api/v1/openapi.json", "", nil)
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d", rec.Code)
	}
	var doc struct {
		OpenAPI string `json:"openapi"`
		Paths   map[string]map[string]json.RawMessage
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.OpenAPI != "3.1.0" {
		t.Errorf("openapi = %q", doc.OpenAPI)
	}
	registered := map[string]bool{}
	for _, rt := range e.h.Routes() {
		path := strings.TrimPrefix(rt.Pattern, api.Prefix)
		method := strings.ToLower(rt.Method)
		registered[method+" "+path] = true
		op, ok := doc.Paths[path][method]
		if !ok {
			t.Errorf("%s %s is registered but not in openapi.json", rt.Method, rt.Pattern)
			continue
		}
		var o struct {
			OperationID string `json:"operationId"`
			Security    []map[string][]string
			Responses   map[string]json.RawMessage
		}
		if err := json.Unmarshal(op, &o); err != nil {
			t.Fatal(err)
		}
		needsToken := len(o.Security) > 0 && !slices.ContainsFunc(o.Security, func(m map[string][]string) bool { return len(m) == 0 })
		if needsToken != (rt.Action != "") {
			t.Errorf("%s %s: openapi security %v, route action %q", rt.Method, rt.Pattern, o.Security, rt.Action)
		}
		if o.OperationID == "" || len(o.Responses) == 0 {
			t.Errorf("%s %s: operation lacks an id or responses", rt.Method, rt.Pattern)
		}
	}
	for path, ops := range doc.Paths {
		for method := range ops {
			if method == "parameters" {
				continue
			}
			if !registered[method+" "+path] {
				t.Errorf("openapi.json describes %s %s, which is not registered", method, path)
			}
		}
	}
	if !bytes.Equal(api.OpenAPI(), rec.Body.Bytes()) {
		t.Error("served document differs from OpenAPI()")
	}
}

// apiWrite is a request that succeeds for the admin's token, and what it
// must change.
type apiWrite struct {
	path   string
	body   any
	status int
	action string
	check  func(t *testing.T, e *env, body []byte)
}

func writes(x ids) map[string]apiWrite {
	id := func(n int64) string { return strconv.FormatInt(n, 10) }
	return map[string]apiWrite{
		"PATCH /api/v1/articles/{id}": {path: "/api/v1/articles/" + id(x.Excerpt), status: 200, action: "article.update",
			body: map[string]any{"headline": "Deadline extended", "status": "unpublished", "sections": []int64{x.Iran, x.Region}, "entities": []int64{x.MEK}},
			check: func(t *testing.T, e *env, _ []byte) {
				a, err := e.st.Article(t.Context(), x.Excerpt)
				if err != nil || a.Headline != "Deadline extended" || a.Status != newsdesk.StatusUnpublished || !a.SectionsLocked ||
					len(a.Sections) != 2 || a.Sections[0].ID != x.Iran || len(a.Entities) != 1 {
					t.Errorf("article = %+v, %v", a, err)
				}
			}},
		"POST /api/v1/sections": {path: "/api/v1/sections", status: 201, action: "section.create",
			body: map[string]any{"name": "Syria", "parent_id": x.Region, "code": "SY"},
			check: func(t *testing.T, e *env, _ []byte) {
				secs, _ := e.st.Sections(t.Context())
				if s := newsdesk.NewSectionTree(secs).BySlug("syria"); s == nil || s.ParentID != x.Region || s.Code != "sy" {
					t.Errorf("section = %+v", s)
				}
			}},
		"PATCH /api/v1/sections/{id}": {path: "/api/v1/sections/" + id(x.Iran), status: 200, action: "section.update",
			body: map[string]any{"name": "Iran (Persia)", "parent_id": 0},
			check: func(t *testing.T, e *env, _ []byte) {
				secs, _ := e.st.Sections(t.Context())
				if s := newsdesk.NewSectionTree(secs).ByID(x.Iran); s.Name != "Iran (Persia)" || s.ParentID != 0 {
					t.Errorf("section = %+v", s)
				}
			}},
		"DELETE /api/v1/sections/{id}": {path: "/api/v1/sections/" + id(x.Iran), status: 204, action: "section.delete",
			check: func(t *testing.T, e *env, _ []byte) {
				secs, _ := e.st.Sections(t.Context())
				if newsdesk.NewSectionTree(secs).ByID(x.Iran) != nil {
					t.Error("section not deleted")
				}
			}},
		"POST /api/v1/entities": {path: "/api/v1/entities", status: 201, action: "entity.create",
			body: map[string]any{"name": "Camp Ashraf", "kind": "place", "aliases": []string{"Ashraf"}},
			check: func(t *testing.T, e *env, _ []byte) {
				if ent, err := e.st.EntityByName(t.Context(), "ashraf"); err != nil || ent.Name != "Camp Ashraf" {
					t.Errorf("entity = %+v, %v", ent, err)
				}
			}},
		"PATCH /api/v1/entities/{id}": {path: "/api/v1/entities/" + id(x.MEK), status: 200, action: "entity.update",
			body: map[string]any{"aliases": []string{"MEK", "MKO"}},
			check: func(t *testing.T, e *env, _ []byte) {
				if ent, _ := e.st.Entity(t.Context(), x.MEK); !slices.Equal(ent.Aliases, []string{"MEK", "MKO"}) {
					t.Errorf("aliases = %q", ent.Aliases)
				}
			}},
		"POST /api/v1/alias-candidates/{id}": {path: "/api/v1/alias-candidates/" + id(x.Candidate), status: 200, action: "alias.accept",
			body: map[string]any{"status": "accepted"},
			check: func(t *testing.T, e *env, _ []byte) {
				if ent, _ := e.st.Entity(t.Context(), x.MEK); !slices.Contains(ent.Aliases, "PMOI") {
					t.Errorf("aliases = %q", ent.Aliases)
				}
			}},
		"PATCH /api/v1/stories/{id}": {path: "/api/v1/stories/" + id(x.Story1), status: 200, action: "story.rename",
			body: map[string]any{"title": "Camp Ashraf standoff"},
			check: func(t *testing.T, e *env, _ []byte) {
				if s, _ := e.st.Story(t.Context(), x.Story1); s.Title != "Camp Ashraf standoff" {
					t.Errorf("title = %q", s.Title)
				}
			}},
		"POST /api/v1/stories/{id}/merge": {path: "/api/v1/stories/" + id(x.Story1) + "/merge", status: 200, action: "story.merge",
			body: map[string]any{"story_ids": []int64{x.Story2}},
			check: func(t *testing.T, e *env, _ []byte) {
				if a, _ := e.st.Article(t.Context(), x.Headline); a.StoryID != x.Story1 {
					t.Errorf("article in story %d", a.StoryID)
				}
			}},
		"POST /api/v1/stories/split": {path: "/api/v1/stories/split", status: 201, action: "story.split",
			body: map[string]any{"article_ids": []int64{x.Excerpt}},
			check: func(t *testing.T, e *env, body []byte) {
				var s struct{ ID int64 }
				json.Unmarshal(body, &s)
				if a, _ := e.st.Article(t.Context(), x.Excerpt); a.StoryID == x.Story1 || a.StoryID != s.ID {
					t.Errorf("article in story %d, new story %d", a.StoryID, s.ID)
				}
			}},
		"POST /api/v1/sources": {path: "/api/v1/sources", status: 201, action: "source.create",
			body: map[string]any{"name": "Tigris Daily", "kind": "feed", "url": "https://tigris.example/rss", "licence": "excerpt", "interval_seconds": 600},
			check: func(t *testing.T, e *env, _ []byte) {
				u := "https://tigris.example/rss"
				if srcs, _, _ := e.st.Sources(t.Context(), newsdesk.SourceFilter{URL: &u}); len(srcs) != 1 || srcs[0].Interval != 10*time.Minute {
					t.Errorf("sources = %+v", srcs)
				}
			}},
		"PATCH /api/v1/sources/{id}": {path: "/api/v1/sources/" + id(x.Source), status: 200, action: "source.update",
			body: map[string]any{"paused": true},
			check: func(t *testing.T, e *env, _ []byte) {
				if s, _ := e.st.Source(t.Context(), x.Source); !s.Paused || s.Name != "Gulf Wire" {
					t.Errorf("source = %+v", s)
				}
			}},
		"DELETE /api/v1/sources/{id}": {path: "/api/v1/sources/" + id(x.Source), status: 204, action: "source.delete",
			check: func(t *testing.T, e *env, _ []byte) {
				if _, err := e.st.Source(t.Context(), x.Source); newsdesk.ErrorCode(err) != newsdesk.ENOTFOUND {
					t.Errorf("source: %v", err)
				}
			}},
		"POST /api/v1/picks": {path: "/api/v1/picks", status: 201, action: "pick.create",
			body: map[string]any{"article_id": x.Headline, "position": 0, "expires_at": "2025-06-03T12:00:00Z"},
			check: func(t *testing.T, e *env, _ []byte) {
				picks, _ := e.st.AllPicks(t.Context())
				if len(picks) != 2 || picks[0].ArticleID != x.Headline || !picks[0].ExpiresAt.Equal(time.Date(2025, 6, 3, 12, 0, 0, 0, time.UTC)) || picks[0].CreatedBy != x.Admin {
					t.Errorf("picks = %+v", picks)
				}
			}},
		"PATCH /api/v1/picks/{id}": {path: "/api/v1/picks/" + id(x.Pick), status: 200, action: "pick.update",
			body: map[string]any{"expires_at": "2025-06-05T00:00:00Z"},
			check: func(t *testing.T, e *env, _ []byte) {
				picks, _ := e.st.AllPicks(t.Context())
				if !picks[0].ExpiresAt.Equal(time.Date(2025, 6, 5, 0, 0, 0, 0, time.UTC)) {
					t.Errorf("expiry = %v", picks[0].ExpiresAt)
				}
			}},
		"DELETE /api/v1/picks/{id}": {path: "/api/v1/picks/" + id(x.Pick), status: 204, action: "pick.delete",
			check: func(t *testing.T, e *env, _ []byte) {
				if picks, _ := e.st.AllPicks(t.Context()); len(picks) != 0 {
					t.Errorf("picks = %+v", picks)
				}
			}},
	}
}

// TestWriteRoutes walks every write route the API registers: without a
// token, with a bad or expired token, with an editor's token on admin-only
// routes and from another origin's page it is refused and changes nothing;
// with the admin's token it makes its change and writes its audit entry.
func TestWriteRoutes(t *testing.T) {
	_, x, err := seededDB()
	if err != nil {
		t.Fatal(err)
	}
	cases := writes(x)
	probe := newEnv(t)
	seen := map[string]bool{}
	for _, rt := range probe.h.Routes() {
		if !rt.Write() {
			continue
		}
		key := rt.Method + " " + rt.Pattern
		seen[key] = true
		w, ok := cases[key]
		if !ok {
			t.Errorf("write route %s has no case in writes(): add one", key)
			continue
		}
		t.Run(key, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			before := snapshot(t, e.st)
			unchanged := func(what string) {
				t.Helper()
				if snapshot(t, e.st) != before {
					t.Errorf("%s changed the store", what)
				}
			}
			rec := e.do(rt.Method, w.path, "", w.body)
			wantError(t, rec, http.StatusUnauthorized, newsdesk.EUNAUTHORIZED)
			if !strings.HasPrefix(rec.Header().Get("WWW-Authenticate"), "Bearer") {
				t.Errorf("WWW-Authenticate = %q", rec.Header().Get("WWW-Authenticate"))
			}
			unchanged("anonymous request")
			for _, tok := range []string{"nd_not-a-token", expiredToken} {
				wantError(t, e.do(rt.Method, w.path, tok, w.body), http.StatusUnauthorized, newsdesk.EUNAUTHORIZED)
			}
			unchanged("bad token")
			if rt.AdminOnly() {
				wantError(t, e.do(rt.Method, w.path, editorToken, w.body), http.StatusForbidden, newsdesk.EFORBIDDEN)
				unchanged("editor's token on an admin-only route")
			}
			wantError(t, e.do(rt.Method, w.path, adminToken, w.body, "Origin", "https://evil.example"), http.StatusForbidden, newsdesk.EFORBIDDEN)
			wantError(t, e.do(rt.Method, w.path, adminToken, w.body, "Sec-Fetch-Site", "cross-site"), http.StatusForbidden, newsdesk.EFORBIDDEN)
			unchanged("cross-origin request")

			rec = e.do(rt.Method, w.path, adminToken, w.body)
			if rec.Code != w.status {
				t.Fatalf("admin: status %d, want %d: %s", rec.Code, w.status, rec.Body)
			}
			if snapshot(t, e.st) == before {
				t.Error("admin's request changed nothing")
			}
			w.check(t, e, rec.Body.Bytes())
			es, _, err := e.st.AuditLog(t.Context(), 1, 0)
			if err != nil || len(es) != 1 || es[0].Action != w.action || es[0].Username != "root" || !strings.Contains(es[0].Detail, "admin tool") {
				t.Errorf("audit = %+v, %v; want %s by root", es, err, w.action)
			}
			if e.invalidated.Load() == 0 {
				t.Error("no cache invalidation")
			}
		})
	}
	for key := range cases {
		if !seen[key] {
			t.Errorf("writes() has a case for %s, which is not registered", key)
		}
	}
}

func TestBodies(t *testing.T) {
	e := newEnv(t)
	path := "/api/v1/stories/" + strconv.FormatInt(e.ids.Story1, 10)
	req := func(ct, body string) *httptest.ResponseRecorder {
		r := httptest.NewRequest(http.MethodPatch, path, strings.NewReader(body))
		r.Header.Set("Authorization", "Bearer "+editorToken)
		if ct != "" {
			r.Header.Set("Content-Type", ct)
		}
		rec := httptest.NewRecorder()
		e.mux.ServeHTTP(rec, r)
		return rec
	}
	for name, rec := range map[string]*httptest.ResponseRecorder{
		"form body":      req("application/x-www-form-urlencoded", "title=x"),
		"no type":        req("", `{"title":"x"}`),
		"unknown field":  req("application/json", `{"title":"x","colour":"red"}`),
		"two values":     req("application/json", `{"title":"x"}{"title":"y"}`),
		"wrong type":     req("application/json", `{"title":5}`),
		"broken":         req("application/json", `{"title":`),
		"empty title":    req("application/json", `{"title":"  "}`),
		"too large body": req("application/json", `{"title":"`+strings.Repeat("a", 2<<20)+`"}`),
	} {
		t.Run(name, func(t *testing.T) { wantError(t, rec, http.StatusBadRequest, newsdesk.EINVALID) })
	}
	if rec := req("application/json; charset=utf-8", `{"title":"Fine"}`); rec.Code != http.StatusOK {
		t.Errorf("good body: %d %s", rec.Code, rec.Body)
	}
	wantError(t, e.do(http.MethodGet, "/api/v1/nothing", "", nil), http.StatusNotFound, newsdesk.ENOTFOUND)
	wantError(t, e.do(http.MethodGet, "/api/v1/articles/999999", "", nil), http.StatusNotFound, newsdesk.ENOTFOUND)
	wantError(t, e.do(http.MethodGet, "/api/v1/articles/abc", "", nil), http.StatusNotFound, newsdesk.ENOTFOUND)
	wantError(t, e.do(http.MethodGet, "/api/v1/articles?limit=1000", "", nil), http.StatusBadRequest, newsdesk.EINVALID)
	wantError(t, e.do(http.MethodGet, "/api/v1/articles", "Basic abc", nil), http.StatusUnauthorized, newsdesk.EUNAUTHORIZED)
	wantError(t, e.do(http.MethodPost, "/api/v1/picks", editorToken, map[string]any{"article_id": e.ids.Full}), http.StatusConflict, newsdesk.ECONFLICT)
}

func TestReads(t *testing.T) {
	e := newEnv(t)
	x := e.ids
	type article struct {
		ID             int64
		Headline, Lede string
		Body           string
		Link, Status   string
		Licence        string
		Sections       []struct{ ID int64 }
		Entities       []struct{ Name string }
		SectionsLocked *bool `json:"sections_locked"`
	}
	var page struct {
		Items                []article
		Total, Offset, Limit int
	}
	e.getJSON("/api/v1/articles", "", &page)
	if page.Total != 3 || len(page.Items) != 3 || page.Limit != 20 {
		t.Fatalf("articles = %+v", page)
	}
	byID := map[int64]article{}
	for _, a := range page.Items {
		byID[a.ID] = a
		if a.SectionsLocked != nil {
			t.Error("anonymous reader sees sections_locked")
		}
	}
	if _, ok := byID[x.Unpublished]; ok {
		t.Error("unpublished article listed")
	}
	// The licence decides how much text is given.
	if a := byID[x.Full]; a.Body == "" || a.Lede == "" || a.Link != "https://news.example/article/"+strconv.FormatInt(x.Full, 10)+"/camp-ashraf-residents-stay-under-guard" ||
		len(a.Sections) != 1 || len(a.Entities) != 1 {
		t.Errorf("full licence article = %+v", a)
	}
	if a := byID[x.Excerpt]; a.Body != "" || a.Lede == "" || a.Licence != "excerpt" {
		t.Errorf("excerpt licence article = %+v", a)
	}
	if a := byID[x.Headline]; a.Body != "" || a.Lede != "" {
		t.Errorf("headline licence article = %+v", a)
	}
	e.getJSON("/api/v1/articles?limit=1&offset=1", "", &page)
	if page.Total != 3 || len(page.Items) != 1 || page.Items[0].ID != x.Excerpt {
		t.Errorf("page 2 = %+v", page)
	}
	e.getJSON("/api/v1/articles?section="+strconv.FormatInt(x.Region, 10), "", &page)
	if page.Total != 1 || page.Items[0].ID != x.Full {
		t.Errorf("region filter = %+v", page)
	}
	// Unpublished articles exist for editors only.
	path := "/api/v1/articles/" + strconv.FormatInt(x.Unpublished, 10)
	wantError(t, e.do(http.MethodGet, path, "", nil), http.StatusNotFound, newsdesk.ENOTFOUND)
	var one article
	e.getJSON(path, editorToken, &one)
	if one.Status != "unpublished" || one.SectionsLocked == nil {
		t.Errorf("editor's view = %+v", one)
	}
	wantError(t, e.do(http.MethodGet, "/api/v1/articles?unpublished=1", "", nil), http.StatusForbidden, newsdesk.EFORBIDDEN)
	e.getJSON("/api/v1/articles?unpublished=1", editorToken, &page)
	if page.Total != 4 {
		t.Errorf("editor's list with unpublished: %d", page.Total)
	}
	// Editors see every field whatever the licence.
	e.getJSON("/api/v1/articles/"+strconv.FormatInt(x.Headline, 10), editorToken, &one)
	if one.Lede == "" || one.Body == "" {
		t.Errorf("editor's view of a headline-licence article = %+v", one)
	}

	// Sources: fetch details for admins only.
	rec := e.do(http.MethodGet, "/api/v1/sources", "", nil)
	for _, secret := range []string{"key=secret", "10.0.0.5", "last_error", "failures"} {
		if strings.Contains(rec.Body.String(), secret) {
			t.Errorf("anonymous sources list shows %q", secret)
		}
	}
	if rec.Header().Get("Cache-Control") != "public, max-age=60" || rec.Header().Get("Access-Control-Allow-Origin") != "*" {
		t.Errorf("open read headers: %v", rec.Header())
	}
	rec = e.do(http.MethodGet, "/api/v1/sources", editorToken, nil)
	if strings.Contains(rec.Body.String(), "key=secret") {
		t.Error("editor sees feed addresses")
	}
	rec = e.do(http.MethodGet, "/api/v1/sources/"+strconv.FormatInt(x.Source, 10), adminToken, nil)
	if !strings.Contains(rec.Body.String(), "key=secret") || !strings.Contains(rec.Body.String(), `"failures":1`) {
		t.Errorf("admin's source = %s", rec.Body)
	}
	if rec.Header().Get("Cache-Control") != "no-store" {
		t.Errorf("authenticated read Cache-Control = %q", rec.Header().Get("Cache-Control"))
	}

	// Stories with coverage.
	var story struct {
		ID, Articles int64
		Sources      int
		Coverage     []article
	}
	e.getJSON("/api/v1/stories/"+strconv.FormatInt(x.Story1, 10), "", &story)
	if story.Sources != 2 || len(story.Coverage) != 2 || story.Coverage[0].ID != x.Full {
		t.Errorf("story = %+v", story)
	}
	var stories struct{ Items []struct{ ID int64 } }
	e.getJSON("/api/v1/stories?min_sources=2", "", &stories)
	if len(stories.Items) != 1 || stories.Items[0].ID != x.Story1 {
		t.Errorf("stories = %+v", stories)
	}

	// Sections, entities, picks, search.
	var secs struct {
		Items []struct{ ID, ParentID int64 }
	}
	e.getJSON("/api/v1/sections", "", &secs)
	if len(secs.Items) != 3 {
		t.Errorf("sections = %+v", secs)
	}
	var ents struct {
		Items []struct {
			Name    string
			Aliases []string
		}
	}
	e.getJSON("/api/v1/entities?q=mek", "", &ents)
	if len(ents.Items) != 1 || ents.Items[0].Aliases[0] != "MEK" {
		t.Errorf("entities = %+v", ents)
	}
	wantError(t, e.do(http.MethodGet, "/api/v1/alias-candidates", "", nil), http.StatusUnauthorized, newsdesk.EUNAUTHORIZED)
	var cands struct{ Items []struct{ Alias string } }
	e.getJSON("/api/v1/alias-candidates", editorToken, &cands)
	if len(cands.Items) != 1 || cands.Items[0].Alias != "PMOI" {
		t.Errorf("candidates = %+v", cands)
	}
	var picks struct {
		Items []struct {
			Position int
			Article  article
		}
	}
	e.getJSON("/api/v1/picks", "", &picks)
	if len(picks.Items) != 1 || picks.Items[0].Article.ID != x.Full {
		t.Errorf("picks = %+v", picks)
	}
	var hits struct {
		Total int
		Items []struct {
			Article article
			Snippet string
		}
	}
	e.getJSON("/api/v1/search?q=camp&sort=newest", "", &hits)
	if hits.Total != 2 || hits.Items[0].Article.ID != x.Excerpt {
		t.Errorf("search = %+v", hits)
	}
	wantError(t, e.do(http.MethodGet, "/api/v1/search", "", nil), http.StatusBadRequest, newsdesk.EINVALID)
	wantError(t, e.do(http.MethodGet, "/api/v1/search?q=x&sort=best", "", nil), http.StatusBadRequest, newsdesk.EINVALID)
}
