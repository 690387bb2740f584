package admin_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"newsdesk"
	"newsdesk/admin"
	"newsdesk/auth"
)

// loginRequest posts the login form straight to the mux from addr, with a
// login cookie and token of its own.
func loginRequest(t *testing.T, e *env, addr, username, password string) *httptest.ResponseRecorder {
	t.Helper()
	get := httptest.NewRequest(http.MethodGet, "/admin/login", nil)
	rec := httptest.NewRecorder()
	e.mux.ServeHTTP(rec, get)
	m := loginTokenRe.FindStringSubmatch(rec.Body.String())
	if m == nil {
		t.Fatal("no login token")
	}
	form := url.Values{"username": {username}, "password": {password}, "login_token": {m[1]}}
	req := httptest.NewRequest(http.MethodPost, "/admin/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.RemoteAddr = addr
	for _, ck := range rec.Result().Cookies() {
		req.AddCookie(ck)
	}
	out := httptest.NewRecorder()
	e.mux.ServeHTTP(out, req)
	return out
}

func TestLoginRateLimit(t *testing.T) {
	e := newEnv(t, func(c *admin.Config) { c.Limiter = auth.NewLimiter(3, 10*time.Minute) })
	// Three failures for "root" from one address...
	for i := range 3 {
		if rec := loginRequest(t, e, "192.0.2.1:1000", "root", "wrong-password-"+strconv.Itoa(i)); rec.Code != http.StatusUnauthorized {
			t.Fatalf("failure %d: status %d", i, rec.Code)
		}
	}
	// ...and the right password is refused, from there and from elsewhere
	// (the username is limited too).
	for _, addr := range []string{"192.0.2.1:1000", "198.51.100.7:2000"} {
		rec := loginRequest(t, e, addr, "root", adminPassword)
		if rec.Code != http.StatusTooManyRequests {
			t.Fatalf("from %s: status %d, want 429", addr, rec.Code)
		}
		secs, err := strconv.Atoi(rec.Header().Get("Retry-After"))
		if err != nil || secs < 1 || secs > 600 {
			t.Errorf("Retry-After = %q", rec.Header().Get("Retry-After"))
		}
		if len(rec.Result().Cookies()) > 0 && rec.Result().Cookies()[0].Name == admin.CookieName {
			t.Error("a refused login set a session cookie")
		}
	}
	// The address is limited for other usernames too.
	if rec := loginRequest(t, e, "192.0.2.1:1000", "ed", editorPassword); rec.Code != http.StatusTooManyRequests {
		t.Errorf("other user from the limited address: status %d", rec.Code)
	}
	// Another user from another address is not.
	if rec := loginRequest(t, e, "203.0.113.9:3000", "ed", editorPassword); rec.Code != http.StatusSeeOther {
		t.Errorf("other user from another address: status %d", rec.Code)
	}
	// Unknown usernames count as failures too.
	for range 3 {
		loginRequest(t, e, "203.0.113.50:1", "nobody", "some-password")
	}
	if rec := loginRequest(t, e, "203.0.113.50:1", "nobody", "some-password"); rec.Code != http.StatusTooManyRequests {
		t.Errorf("unknown user past the limit: status %d", rec.Code)
	}
	// After the window, the right password works again.
	e.clock.Advance(10*time.Minute + time.Second)
	if rec := loginRequest(t, e, "192.0.2.1:1000", "root", adminPassword); rec.Code != http.StatusSeeOther {
		t.Errorf("after the window: status %d", rec.Code)
	}
}

func TestLoginCookieAndCSRF(t *testing.T) {
	e := newEnv(t, func(c *admin.Config) { c.Secure = true })
	rec := loginRequest(t, e, "192.0.2.1:1", "root", adminPassword)
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/admin/" {
		t.Fatalf("login: %d → %q", rec.Code, rec.Header().Get("Location"))
	}
	var sess *http.Cookie
	for _, ck := range rec.Result().Cookies() {
		if ck.Name == admin.CookieName {
			sess = ck
		}
	}
	if sess == nil || !sess.HttpOnly || !sess.Secure || sess.Path != "/admin" || sess.SameSite != http.SameSiteLaxMode || sess.MaxAge <= 0 {
		t.Fatalf("session cookie = %+v", sess)
	}
	// The store keeps only the token's hash.
	if _, err := e.st.SessionByTokenHash(t.Context(), sess.Value, testStart); newsdesk.ErrorCode(err) != newsdesk.ENOTFOUND {
		t.Error("the raw token finds a session")
	}
	s, err := e.st.SessionByTokenHash(t.Context(), auth.HashToken(sess.Value), testStart)
	if err != nil || s.CSRFToken == "" || s.UserID != e.ids.Admin {
		t.Fatalf("session = %+v, %v", s, err)
	}

	// The login form needs its token (login CSRF) and a same-origin page.
	c := e.anon()
	form := url.Values{"username": {"root"}, "password": {adminPassword}}
	if res := c.post("/admin/login", form, sameOrigin); res.StatusCode != http.StatusForbidden {
		t.Errorf("login without token: status %d", res.StatusCode)
	}
	body := c.mustGet("/admin/login")
	form.Set("login_token", loginTokenRe.FindStringSubmatch(body)[1])
	if res := c.post("/admin/login", form, http.Header{"Origin": {"https://evil.example"}}); res.StatusCode != http.StatusForbidden {
		t.Errorf("cross-origin login: status %d", res.StatusCode)
	}
	// An open redirect is not possible through ?next.
	form.Set("next", "//evil.example/admin/")
	if res := c.post("/admin/login", form, sameOrigin); res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/admin/" {
		t.Errorf("next=//evil.example: %d → %q", res.StatusCode, res.Header.Get("Location"))
	}
	// ?next inside the admin is kept.
	c = e.anon()
	res, _ := c.get("/admin/picks")
	loc := res.Header.Get("Location")
	body = c.mustGet(loc)
	form.Set("login_token", loginTokenRe.FindStringSubmatch(body)[1])
	form.Set("next", "/admin/picks")
	if res := c.post("/admin/login", form, sameOrigin); res.Header.Get("Location") != "/admin/picks" {
		t.Errorf("next=/admin/picks → %q", res.Header.Get("Location"))
	}
}

func TestSessionExpiry(t *testing.T) {
	e := newEnv(t)
	c := e.admin()
	e.clock.Advance(11 * time.Hour)
	if res, _ := c.get("/admin/picks"); res.StatusCode != http.StatusOK {
		t.Fatalf("after 11 hours: status %d", res.StatusCode)
	}
	e.clock.Advance(time.Hour)
	res, _ := c.get("/admin/picks")
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/admin/login") {
		t.Errorf("after 12 hours: status %d → %q", res.StatusCode, res.Header.Get("Location"))
	}
	// Nor can the expired session write.
	before := snapshot(t, e.st)
	if res, _ := c.submit("/admin/picks/"+id(e.ids.Pick1)+"/delete", nil); res.StatusCode != http.StatusSeeOther ||
		!strings.HasPrefix(res.Header.Get("Location"), "/admin/login") {
		t.Errorf("write after expiry: status %d", res.StatusCode)
	}
	if snapshot(t, e.st) != before {
		t.Error("expired session changed the store")
	}
}

func TestLogout(t *testing.T) {
	e := newEnv(t)
	c := e.admin()
	var token string
	u, _ := url.Parse(e.srv.URL + "/admin/")
	for _, ck := range c.hc.Jar.Cookies(u) {
		if ck.Name == admin.CookieName {
			token = ck.Value
		}
	}
	res, _ := c.submit("/admin/logout", nil)
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/admin/login" {
		t.Fatalf("logout: %d → %q", res.StatusCode, res.Header.Get("Location"))
	}
	if _, err := e.st.SessionByTokenHash(t.Context(), auth.HashToken(token), testStart); newsdesk.ErrorCode(err) != newsdesk.ENOTFOUND {
		t.Errorf("session after logout: %v", err)
	}
	// The old cookie, replayed, no longer works.
	replay := e.anon()
	replay.hc.Jar.SetCookies(u, []*http.Cookie{{Name: admin.CookieName, Value: token, Path: "/admin"}})
	if res, _ := replay.get("/admin/"); res.StatusCode != http.StatusSeeOther {
		t.Errorf("replayed cookie: status %d", res.StatusCode)
	}
	if a := lastAudit(t, e.st); a == nil || a.Action != "logout" {
		t.Errorf("last audit = %+v", a)
	}
}

// TestSecretsNeverLeak signs in with right and wrong passwords, creates
// users and tokens, and checks that no password or token reaches the log,
// the audit log or a page other than the one showing it once.
func TestSecretsNeverLeak(t *testing.T) {
	e := newEnv(t)
	const typed = "typed-password-42"
	anon := e.anon()
	anon.postLogin("root", "wrong-"+adminPassword)
	anon.postLogin("nobody", "wrong-"+editorPassword)
	c := e.admin()
	_, body := c.submit("/admin/users", url.Values{"username": {"typist"}, "role": {"editor"}, "password": {typed}})
	if strings.Contains(body, typed) {
		t.Error("typed password echoed")
	}
	_, body = c.submit("/admin/users", url.Values{"username": {"gen"}, "role": {"editor"}})
	generated := secretOf(t, body)
	_, body = c.submit("/admin/users/"+id(e.ids.Editor)+"/password", nil)
	reset := secretOf(t, body)
	_, body = c.submit("/admin/tokens", url.Values{"name": {"bot"}})
	token := secretOf(t, body)
	if !strings.HasPrefix(token, admin.TokenPrefix) {
		t.Errorf("token %q lacks its prefix", token)
	}
	// The generated secrets work.
	e.login("gen", generated)
	e.login("ed", reset)
	if tk, err := e.st.APITokenByHash(t.Context(), auth.HashToken(token), testStart); err != nil || tk.UserID != e.ids.Admin {
		t.Errorf("token lookup: %+v, %v", tk, err)
	}
	secrets := []string{adminPassword, editorPassword, "wrong-" + adminPassword, "wrong-" + editorPassword, typed, generated, reset, token}
	logs := e.logs.String()
	if !strings.Contains(logs, "admin login failed") {
		t.Error("failed logins were not logged")
	}
	entries, _, err := e.st.AuditLog(t.Context(), 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	var audit strings.Builder
	for _, a := range entries {
		audit.WriteString(a.Detail + " " + a.Target + "\n")
	}
	var pages strings.Builder
	for _, p := range []string{"/admin/", "/admin/users", "/admin/users/" + id(e.ids.Editor), "/admin/tokens", "/admin/audit"} {
		pages.WriteString(c.mustGet(p))
	}
	for _, s := range secrets {
		for what, text := range map[string]string{"log": logs, "audit log": audit.String(), "pages": pages.String()} {
			if strings.Contains(text, s) {
				t.Errorf("%s contains the secret %q", what, s)
			}
		}
	}
	if strings.Contains(pages.String(), "$argon2id$") {
		t.Error("a page shows a password hash")
	}
}

var secretRe = regexp.MustCompile(`id="secret" class="secret" readonly value="([^"]+)"`)

func secretOf(t *testing.T, body string) string {
	t.Helper()
	m := secretRe.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no secret shown:\n%s", body)
	}
	return m[1]
}

func TestAdminCannotLockThemselvesOut(t *testing.T) {
	e := newEnv(t)
	c := e.admin()
	before := snapshot(t, e.st)
	for path, form := range map[string]url.Values{
		"/admin/users/" + id(e.ids.Admin) + "/role":   {"role": {"editor"}},
		"/admin/users/" + id(e.ids.Admin) + "/delete": nil,
	} {
		if res, _ := c.submit(path, form); res.StatusCode != http.StatusBadRequest {
			t.Errorf("%s: status %d", path, res.StatusCode)
		}
	}
	if snapshot(t, e.st) != before {
		t.Error("refused self-change changed the store")
	}
}

func TestEnsureEditor(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	pw, created, err := admin.EnsureEditor(ctx, e.st, "demo")
	if err != nil || !created || len(pw) < auth.MinPasswordLength {
		t.Fatalf("EnsureEditor = %q, %v, %v", pw, created, err)
	}
	u, err := e.st.UserByUsername(ctx, "demo")
	if err != nil || u.Role != newsdesk.RoleEditor || auth.CheckPassword(u.PasswordHash, pw) != nil {
		t.Fatalf("demo user = %+v, %v", u, err)
	}
	e.login("demo", pw)
	again, created, err := admin.EnsureEditor(ctx, e.st, "demo")
	if err != nil || created || again != "" {
		t.Errorf("second EnsureEditor = %q, %v, %v", again, created, err)
	}
	if _, _, err := admin.EnsureEditor(ctx, e.st, ""); newsdesk.ErrorCode(err) != newsdesk.EINVALID {
		t.Errorf("empty username: %v", err)
	}
}
