package admin_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"newsdesk"
)

// write is a request that would change the store when allowed, and what
// the change must be.
type write struct {
	path  string
	form  url.Values
	check func(t *testing.T, e *env) // the store after the request succeeded
	// action is the audit entry's action; "" when the route writes no entry.
	action string
}

func id(n int64) string { return strconv.FormatInt(n, 10) }

// writes gives, for every POST route of the admin, a request that succeeds
// for an admin. TestWriteRoutes fails for a route missing here, so that a
// new route cannot skip the checks.
func writes(x ids) map[string]write {
	get := func(t *testing.T, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	return map[string]write{
		"/admin/logout": {path: "/admin/logout", action: "logout"},
		"/admin/sources": {path: "/admin/sources", action: "source.create",
			form: url.Values{"name": {"Levant Report"}, "kind": {"feed"}, "url": {"https://levant.example/feed"}, "licence": {"excerpt"}, "interval": {"30"}},
			check: func(t *testing.T, e *env) {
				u := "https://levant.example/feed"
				srcs, _, err := e.st.Sources(t.Context(), newsdesk.SourceFilter{URL: &u})
				get(t, err)
				if len(srcs) != 1 || srcs[0].Name != "Levant Report" || srcs[0].Interval != 30*time.Minute || srcs[0].Licence != newsdesk.LicenceExcerpt {
					t.Errorf("created sources = %+v", srcs)
				}
			}},
		"/admin/sources/{id}": {path: "/admin/sources/" + id(x.Source), action: "source.update",
			form: url.Values{"name": {"Gulf Wire Service"}, "kind": {"feed"}, "url": {"https://gulfwire.example/feed"}, "licence": {"headline"}, "extract": {"1"}, "no_page_fetch": {"1"}},
			check: func(t *testing.T, e *env) {
				s, err := e.st.Source(t.Context(), x.Source)
				get(t, err)
				if s.Name != "Gulf Wire Service" || s.Licence != newsdesk.LicenceHeadline || !s.Extract || !s.NoPageFetch {
					t.Errorf("source = %+v", s)
				}
			}},
		"/admin/sources/{id}/pause": {path: "/admin/sources/" + id(x.Source) + "/pause", action: "source.pause",
			check: func(t *testing.T, e *env) {
				s, err := e.st.Source(t.Context(), x.Source)
				get(t, err)
				if !s.Paused {
					t.Error("source not paused")
				}
			}},
		"/admin/sources/{id}/resume": {path: "/admin/sources/" + id(x.PausedSource) + "/resume", action: "source.resume",
			check: func(t *testing.T, e *env) {
				s, err := e.st.Source(t.Context(), x.PausedSource)
				get(t, err)
				if s.Paused {
					t.Error("source still paused")
				}
			}},
		"/admin/sources/{id}/delete": {path: "/admin/sources/" + id(x.Source) + "/delete", action: "source.delete",
			check: func(t *testing.T, e *env) {
				if _, err := e.st.Source(t.Context(), x.Source); newsdesk.ErrorCode(err) != newsdesk.ENOTFOUND {
					t.Errorf("deleted source: err = %v", err)
				}
				if a, err := e.st.Article(t.Context(), x.A1); err != nil || a.Source != "Gulf Wire" {
					t.Errorf("article of deleted source: %v, %v", a, err)
				}
			}},
		"/admin/sources/{id}/fetch": {path: "/admin/sources/" + id(x.Source) + "/fetch", action: "source.fetch",
			check: func(t *testing.T, e *env) {
				s, err := e.st.Source(t.Context(), x.Source)
				get(t, err)
				if e.fetched.Load() != 1 || !s.LastFetchAt.Equal(testStart) {
					t.Errorf("fetches = %d, last fetch %v", e.fetched.Load(), s.LastFetchAt)
				}
			}},
		"/admin/sections": {path: "/admin/sections", action: "section.create",
			form: url.Values{"name": {"Syria"}, "parent": {id(x.Region)}, "code": {"SY"}},
			check: func(t *testing.T, e *env) {
				secs, err := e.st.Sections(t.Context())
				get(t, err)
				s := newsdesk.NewSectionTree(secs).BySlug("syria")
				if s == nil || s.ParentID != x.Region || s.Code != "sy" || s.Position != 2 {
					t.Errorf("created section = %+v", s)
				}
			}},
		"/admin/sections/{id}": {path: "/admin/sections/" + id(x.Iran), action: "section.update",
			form: url.Values{"name": {"Iran (Persia)"}, "slug": {"iran"}, "parent": {"0"}, "position": {"3"}},
			check: func(t *testing.T, e *env) {
				secs, err := e.st.Sections(t.Context())
				get(t, err)
				s := newsdesk.NewSectionTree(secs).ByID(x.Iran)
				if s == nil || s.Name != "Iran (Persia)" || s.ParentID != 0 || s.Position != 3 {
					t.Errorf("moved section = %+v", s)
				}
			}},
		"/admin/sections/{id}/delete": {path: "/admin/sections/" + id(x.Iran) + "/delete", action: "section.delete",
			check: func(t *testing.T, e *env) {
				secs, err := e.st.Sections(t.Context())
				get(t, err)
				if newsdesk.NewSectionTree(secs).ByID(x.Iran) != nil {
					t.Error("section not deleted")
				}
			}},
		"/admin/entities": {path: "/admin/entities", action: "entity.create",
			form: url.Values{"name": {"Camp Ashraf"}, "kind": {"place"}, "aliases": {"Ashraf\nCamp New Iraq"}},
			check: func(t *testing.T, e *env) {
				ent, err := e.st.EntityByName(t.Context(), "camp new iraq")
				get(t, err)
				if ent.Name != "Camp Ashraf" || ent.Kind != newsdesk.EntityPlace {
					t.Errorf("created entity = %+v", ent)
				}
			}},
		"/admin/entities/{id}": {path: "/admin/entities/" + id(x.MEK), action: "entity.update",
			form: url.Values{"name": {"Mujahedeen-e-Khalq"}, "kind": {"organisation"}, "aliases": {"MEK\nMKO, Mojahedin Khalq Organization"}},
			check: func(t *testing.T, e *env) {
				ent, err := e.st.Entity(t.Context(), x.MEK)
				get(t, err)
				if !contains(ent.Aliases, "MKO") || !contains(ent.Aliases, "Mojahedin Khalq Organization") || !contains(ent.Aliases, "MEK") {
					t.Errorf("aliases = %q", ent.Aliases)
				}
			}},
		"/admin/aliases/{id}/accept": {path: "/admin/aliases/" + id(x.AcceptAlias) + "/accept", action: "alias.accept",
			check: func(t *testing.T, e *env) {
				ent, err := e.st.Entity(t.Context(), x.MEK)
				get(t, err)
				if !contains(ent.Aliases, "PMOI") {
					t.Errorf("aliases after accept = %q", ent.Aliases)
				}
			}},
		"/admin/aliases/{id}/reject": {path: "/admin/aliases/" + id(x.RejectAlias) + "/reject", action: "alias.reject",
			check: func(t *testing.T, e *env) {
				cands, err := e.st.AliasCandidates(t.Context(), newsdesk.AliasRejected, 10)
				get(t, err)
				if len(cands) != 1 || cands[0].ID != x.RejectAlias {
					t.Errorf("rejected = %+v", cands)
				}
				ent, err := e.st.Entity(t.Context(), x.MEK)
				get(t, err)
				if contains(ent.Aliases, "People's Mojahedin") {
					t.Error("rejected alias added")
				}
			}},
		"/admin/articles/{id}": {path: "/admin/articles/" + id(x.A2), action: "article.update",
			form: url.Values{"headline": {"Tigris  water release agreed in Baghdad"}, "lede": {"New lede."}, "sections_form": {"1"},
				"primary_section": {id(x.Iraq)}, "sections": {id(x.Region)}, "entities": {"MEK"}},
			check: func(t *testing.T, e *env) {
				a, err := e.st.Article(t.Context(), x.A2)
				get(t, err)
				if a.Headline != "Tigris water release agreed in Baghdad" || a.Lede != "New lede." || !a.SectionsLocked ||
					len(a.Sections) != 2 || a.Sections[0].ID != x.Iraq || a.Sections[1].ID != x.Region ||
					len(a.Entities) != 1 || a.Entities[0].ID != x.MEK {
					t.Errorf("article = %+v", a)
				}
			}},
		"/admin/articles/{id}/unpublish": {path: "/admin/articles/" + id(x.A1) + "/unpublish", action: "article.unpublish",
			check: func(t *testing.T, e *env) {
				a, err := e.st.Article(t.Context(), x.A1)
				get(t, err)
				if a.Status != newsdesk.StatusUnpublished {
					t.Errorf("status = %s", a.Status)
				}
			}},
		"/admin/articles/{id}/republish": {path: "/admin/articles/" + id(x.Unpublished) + "/republish", action: "article.republish",
			check: func(t *testing.T, e *env) {
				a, err := e.st.Article(t.Context(), x.Unpublished)
				get(t, err)
				if a.Status != newsdesk.StatusPublished {
					t.Errorf("status = %s", a.Status)
				}
			}},
		"/admin/stories/merge": {path: "/admin/stories/merge", action: "story.merge",
			form: url.Values{"story": {id(x.Story1), id(x.Story2)}},
			check: func(t *testing.T, e *env) {
				a2, err := e.st.Article(t.Context(), x.A2)
				get(t, err)
				if a2.StoryID != x.Story1 {
					t.Errorf("a2 in story %d, want %d (the story with most articles)", a2.StoryID, x.Story1)
				}
				if _, err := e.st.Story(t.Context(), x.Story2); newsdesk.ErrorCode(err) != newsdesk.ENOTFOUND {
					t.Errorf("emptied story: %v", err)
				}
			}},
		"/admin/stories/{id}/split": {path: "/admin/stories/" + id(x.Story1) + "/split", action: "story.split",
			form: url.Values{"article": {id(x.A3)}},
			check: func(t *testing.T, e *env) {
				a3, err := e.st.Article(t.Context(), x.A3)
				get(t, err)
				a1, err := e.st.Article(t.Context(), x.A1)
				get(t, err)
				if a3.StoryID == x.Story1 || a1.StoryID != x.Story1 {
					t.Errorf("after split: a1 in %d, a3 in %d", a1.StoryID, a3.StoryID)
				}
			}},
		"/admin/stories/{id}/rename": {path: "/admin/stories/" + id(x.Story1) + "/rename", action: "story.rename",
			form: url.Values{"title": {"Camp Ashraf standoff"}},
			check: func(t *testing.T, e *env) {
				s, err := e.st.Story(t.Context(), x.Story1)
				get(t, err)
				if s.Title != "Camp Ashraf standoff" {
					t.Errorf("title = %q", s.Title)
				}
			}},
		"/admin/picks": {path: "/admin/picks", action: "pick.create",
			form: url.Values{"article_id": {id(x.A2)}, "position": {"1"}, "expires": {"2025-06-03T09:30"}},
			check: func(t *testing.T, e *env) {
				picks, err := e.st.AllPicks(t.Context())
				get(t, err)
				if len(picks) != 3 || picks[0].ArticleID != x.A2 || !picks[0].ExpiresAt.Equal(time.Date(2025, 6, 3, 9, 30, 0, 0, time.UTC)) ||
					picks[0].CreatedBy != x.Admin {
					t.Errorf("picks = %+v", picks)
				}
			}},
		"/admin/picks/{id}/up": {path: "/admin/picks/" + id(x.Pick2) + "/up", action: "pick.move",
			check: func(t *testing.T, e *env) { wantPickOrder(t, e, x.A3, x.A1) }},
		"/admin/picks/{id}/down": {path: "/admin/picks/" + id(x.Pick1) + "/down", action: "pick.move",
			check: func(t *testing.T, e *env) { wantPickOrder(t, e, x.A3, x.A1) }},
		"/admin/picks/{id}/expiry": {path: "/admin/picks/" + id(x.Pick1) + "/expiry", action: "pick.expiry",
			form: url.Values{"expires": {"2025-06-04T00:00"}},
			check: func(t *testing.T, e *env) {
				picks, err := e.st.AllPicks(t.Context())
				get(t, err)
				if !picks[0].ExpiresAt.Equal(time.Date(2025, 6, 4, 0, 0, 0, 0, time.UTC)) {
					t.Errorf("expiry = %v", picks[0].ExpiresAt)
				}
			}},
		"/admin/picks/{id}/delete": {path: "/admin/picks/" + id(x.Pick1) + "/delete", action: "pick.delete",
			check: func(t *testing.T, e *env) { wantPickOrder(t, e, x.A3) }},
		"/admin/users": {path: "/admin/users", action: "user.create",
			form: url.Values{"username": {"newbie"}, "name": {"New Bie"}, "role": {"editor"}, "password": {"newbie-password"}},
			check: func(t *testing.T, e *env) {
				u, err := e.st.UserByUsername(t.Context(), "newbie")
				get(t, err)
				if u.Role != newsdesk.RoleEditor || !strings.HasPrefix(u.PasswordHash, "$argon2id$") {
					t.Errorf("user = %s %s", u.Username, u.Role)
				}
				e.login("newbie", "newbie-password")
			}},
		"/admin/users/{id}/role": {path: "/admin/users/" + id(x.Editor) + "/role", action: "user.role",
			form: url.Values{"role": {"admin"}},
			check: func(t *testing.T, e *env) {
				u, err := e.st.User(t.Context(), x.Editor)
				get(t, err)
				if u.Role != newsdesk.RoleAdmin {
					t.Errorf("role = %s", u.Role)
				}
			}},
		"/admin/users/{id}/password": {path: "/admin/users/" + id(x.Editor) + "/password", action: "user.password",
			check: func(t *testing.T, e *env) {
				res := e.anon().postLogin("ed", editorPassword)
				if res.StatusCode != http.StatusUnauthorized {
					t.Errorf("old password after reset: status %d", res.StatusCode)
				}
			}},
		"/admin/users/{id}/delete": {path: "/admin/users/" + id(x.Editor) + "/delete", action: "user.delete",
			check: func(t *testing.T, e *env) {
				if _, err := e.st.User(t.Context(), x.Editor); newsdesk.ErrorCode(err) != newsdesk.ENOTFOUND {
					t.Errorf("removed user: %v", err)
				}
			}},
		"/admin/tokens": {path: "/admin/tokens", action: "token.create",
			form: url.Values{"name": {"newsletter"}, "days": {"30"}},
			check: func(t *testing.T, e *env) {
				toks, err := e.st.APITokens(t.Context(), x.Admin)
				get(t, err)
				if len(toks) != 2 || toks[0].Name != "newsletter" || !toks[0].ExpiresAt.Equal(testStart.Add(30*24*time.Hour)) {
					t.Errorf("tokens = %+v", toks)
				}
			}},
		"/admin/tokens/{id}/delete": {path: "/admin/tokens/" + id(x.AdminToken) + "/delete", action: "token.delete",
			check: func(t *testing.T, e *env) {
				toks, err := e.st.APITokens(t.Context(), x.Admin)
				get(t, err)
				if len(toks) != 0 {
					t.Errorf("tokens = %+v", toks)
				}
			}},
	}
}

func wantPickOrder(t *testing.T, e *env, articles ...int64) {
	t.Helper()
	picks, err := e.st.AllPicks(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	var got []int64
	for _, p := range picks {
		got = append(got, p.ArticleID)
	}
	if len(got) != len(articles) {
		t.Fatalf("picks = %v, want %v", got, articles)
	}
	for i := range got {
		if got[i] != articles[i] {
			t.Fatalf("picks = %v, want %v", got, articles)
		}
	}
}

// TestWriteRoutes walks every POST route the admin registers: anonymous,
// editor on admin-only routes, missing and wrong CSRF tokens, cross-origin
// requests are refused without changing anything; then the admin's
// request succeeds, makes its change, writes its audit entry and (for
// content) drops the site's cache.
func TestWriteRoutes(t *testing.T) {
	_, x, err := seededDB()
	if err != nil {
		t.Fatal(err)
	}
	fixtures := writes(x)
	probe := newEnv(t)
	seen := map[string]bool{}
	for _, rt := range probe.h.Routes() {
		if rt.Method == http.MethodGet {
			continue
		}
		if rt.Public {
			if rt.Pattern != "/admin/login" {
				t.Errorf("unexpected public write route %s", rt.Pattern)
			}
			continue
		}
		seen[rt.Pattern] = true
		w, ok := fixtures[rt.Pattern]
		if !ok {
			t.Errorf("write route %s %s has no case in writes(): add one", rt.Method, rt.Pattern)
			continue
		}
		t.Run(strings.TrimPrefix(rt.Pattern, "/admin/"), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			before := snapshot(t, e.st)
			unchanged := func(what string) {
				t.Helper()
				if after := snapshot(t, e.st); after != before {
					t.Errorf("%s changed the store:\nbefore:\n%s\nafter:\n%s", what, before, after)
				}
			}
			// Anonymous: sent to the login page.
			anon := e.anon()
			form := url.Values{"csrf": {"whatever"}}
			for k, v := range w.form {
				form[k] = v
			}
			res := anon.post(w.path, form, sameOrigin)
			if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/admin/login") {
				t.Errorf("anonymous: status %d, location %q", res.StatusCode, res.Header.Get("Location"))
			}
			unchanged("anonymous request")

			ed, c := e.editor(), e.admin()
			before = snapshot(t, e.st) // the logins are audited
			if rt.AdminOnly() {
				res, _ := ed.submit(w.path, w.form)
				if res.StatusCode != http.StatusForbidden {
					t.Errorf("editor on admin-only route: status %d", res.StatusCode)
				}
				unchanged("editor's request")
			}

			noToken := url.Values{}
			for k, v := range w.form {
				noToken[k] = v
			}
			if res := c.post(w.path, noToken, sameOrigin); res.StatusCode != http.StatusForbidden {
				t.Errorf("missing CSRF token: status %d", res.StatusCode)
			}
			unchanged("request without CSRF token")
			wrong := url.Values{"csrf": {ed.csrf}} // a real token, of another session
			for k, v := range w.form {
				wrong[k] = v
			}
			if res := c.post(w.path, wrong, sameOrigin); res.StatusCode != http.StatusForbidden {
				t.Errorf("wrong CSRF token: status %d", res.StatusCode)
			}
			unchanged("request with another session's CSRF token")
			good := url.Values{"csrf": {c.csrf}}
			for k, v := range w.form {
				good[k] = v
			}
			for _, hdr := range []http.Header{
				{"Origin": {"https://evil.example"}},
				{"Sec-Fetch-Site": {"cross-site"}, "Origin": {"https://evil.example"}},
				{"Sec-Fetch-Site": {"same-site"}},
			} {
				if res := c.post(w.path, good, hdr); res.StatusCode != http.StatusForbidden {
					t.Errorf("cross-origin %v: status %d", hdr, res.StatusCode)
				}
			}
			unchanged("cross-origin request")

			// The admin's own request goes through.
			invalidated := e.invalidated.Load()
			res, body := c.submit(w.path, w.form)
			if res.StatusCode != http.StatusSeeOther && res.StatusCode != http.StatusOK {
				t.Fatalf("admin: status %d\n%s", res.StatusCode, body)
			}
			if snapshot(t, e.st) == before {
				t.Error("admin's request changed nothing")
			}
			if a := lastAudit(t, e.st); w.action != "" && (a == nil || a.Action != w.action || a.Username != "root" || a.UserID != x.Admin || a.Target == "" || a.Detail == "") {
				t.Errorf("audit entry = %+v, want action %s by root", a, w.action)
			}
			if w.check != nil {
				w.check(t, e)
			}
			content := !strings.HasPrefix(w.action, "user.") && !strings.HasPrefix(w.action, "token.") &&
				w.action != "logout" && w.action != "alias.reject" && w.action != "source.pause" && w.action != "source.resume"
			if content && e.invalidated.Load() == invalidated {
				t.Error("content change did not invalidate the site's cache")
			}
		})
	}
	for pattern := range fixtures {
		if !seen[pattern] {
			t.Errorf("writes() has a case for %s, which is not registered", pattern)
		}
	}
}

// pathOf fills a GET route's {id} with a seeded record.
func pathOf(pattern string, x ids) string {
	p := strings.ReplaceAll(pattern, "{$}", "")
	if !strings.Contains(p, "{id}") {
		return p
	}
	var n int64
	switch strings.Split(p, "/")[2] {
	case "sources":
		n = x.Source
	case "sections":
		n = x.Iraq
	case "entities":
		n = x.MEK
	case "articles":
		n = x.A1
	case "stories":
		n = x.Story1
	case "users":
		n = x.Editor
	}
	return strings.ReplaceAll(p, "{id}", id(n))
}

// TestReadRoutes renders every GET page: anonymous users are sent to the
// login page, editors are refused the admin-only ones, and each page is
// whole, has a main landmark, and carries no inline script or style.
func TestReadRoutes(t *testing.T) {
	e := newEnv(t)
	ed, root, anon := e.editor(), e.admin(), e.anon()
	for _, rt := range e.h.Routes() {
		if rt.Method != http.MethodGet {
			continue
		}
		p := pathOf(rt.Pattern, e.ids)
		t.Run(p, func(t *testing.T) {
			res, body := anon.get(p)
			if rt.Public {
				if res.StatusCode != http.StatusOK {
					t.Errorf("anonymous: status %d", res.StatusCode)
				}
			} else if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/admin/login?next="+url.QueryEscape(p) {
				t.Errorf("anonymous: status %d, location %q", res.StatusCode, res.Header.Get("Location"))
			}
			res, _ = ed.get(p)
			if want := http.StatusOK; rt.AdminOnly() && res.StatusCode != http.StatusForbidden || !rt.AdminOnly() && !rt.Public && res.StatusCode != want {
				t.Errorf("editor: status %d (admin only: %v)", res.StatusCode, rt.AdminOnly())
			}
			res, body = root.get(p)
			if rt.Public {
				return // the login page sends a signed-in user on
			}
			if res.StatusCode != http.StatusOK {
				t.Fatalf("admin: status %d\n%s", res.StatusCode, body)
			}
			checkPage(t, res, body)
		})
	}
}

// checkPage checks what every admin page must be.
func checkPage(t *testing.T, res *http.Response, body string) {
	t.Helper()
	if cc := res.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("Cache-Control = %q", cc)
	}
	for _, bad := range []string{" style=", "<style", "<script", "$argon2id$", "javascript:"} {
		if strings.Contains(body, bad) {
			t.Errorf("page contains %q", bad)
		}
	}
	for _, want := range []string{"<main id=\"main\"", "<nav aria-label=\"Admin\"", "</html>", "<h1"} {
		if !strings.Contains(body, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	// Every form that posts carries the CSRF token.
	forms := strings.Count(body, `method="post"`)
	if tokens := strings.Count(body, `name="csrf"`); tokens < forms {
		t.Errorf("%d post forms but %d CSRF fields", forms, tokens)
	}
}

func TestRoutesHaveHandlersAndRoles(t *testing.T) {
	e := newEnv(t)
	adminOnly := map[string]bool{}
	for _, rt := range e.h.Routes() {
		if rt.AdminOnly() {
			adminOnly[strings.Split(rt.Pattern, "/")[2]] = true
		}
	}
	for _, group := range []string{"sources", "users"} {
		if !adminOnly[group] {
			t.Errorf("%s routes are not admin-only", group)
		}
	}
	for group := range adminOnly {
		if group != "sources" && group != "users" {
			t.Errorf("%s routes are admin-only; editors should have them", group)
		}
	}
}
