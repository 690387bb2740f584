// Package admin serves the editors' side of a newsdesk site under /admin/:
// sources and their health, the section tree, entities and their aliases,
// articles, stories, "Must read" picks, users, API tokens and the audit log.
// Pages are rendered on the server and work without JavaScript. Every state
// change is a POST carrying the session's CSRF token from a same-origin
// page, is checked against the user's role, is written to the audit log and
// drops the public site's cached pages.
package admin

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"newsdesk"
	"newsdesk/auth"
	"newsdesk/web"
)

// Config sets up a Handler.
type Config struct {
	Store newsdesk.Store
	Web   *web.Engine
	// SiteName is shown in the admin's header.
	SiteName string
	// BaseURL is the site's public URL ("https://news.example"); requests
	// from this origin are same-origin even behind a proxy that rewrites Host.
	BaseURL string
	Now     func() time.Time
	Logger  *slog.Logger
	// Invalidate drops the public site's cached pages; called after every
	// content change. Optional.
	Invalidate func()
	// Secure marks the session cookie Secure (set when served over HTTPS).
	Secure bool
	// Limiter limits failed logins per client address and per username;
	// 5 failures per 15 minutes when nil.
	Limiter *auth.Limiter
	// Ingest fetches one source now ("Fetch now"); the button is hidden
	// when nil.
	Ingest func(ctx context.Context, sourceID int64) error
	// Status reports the facts of /readyz (database, migrations,
	// scheduler) for the status page; the page shows only the database
	// check when nil.
	Status func(ctx context.Context) []StatusCheck
	// Search runs the article list's word searches (index.New(store), which
	// folds the query as the documents were); the store's index when nil.
	Search Searcher
	// Reindex refreshes the search documents of edited articles; optional.
	Reindex func(ctx context.Context, articles []*newsdesk.Article) error
	// SessionTTL is how long a login lasts (12 hours when zero). Sessions
	// end at this absolute time, idle or not.
	SessionTTL time.Duration
}

// Searcher runs full-text queries.
type Searcher interface {
	Search(ctx context.Context, q newsdesk.SearchQuery) (*newsdesk.SearchResult, error)
}

// Pages are the templates the admin renders; New fails when one is missing.
func Pages() []string {
	return []string{"admin/layout", "admin/login", "admin/error", "admin/dashboard", "admin/sources",
		"admin/source", "admin/sections", "admin/section", "admin/entities", "admin/entity", "admin/articles",
		"admin/article", "admin/stories", "admin/story", "admin/picks", "admin/users", "admin/user", "admin/tokens", "admin/status",
		"admin/audit", "admin/secret"}
}

// CookieName is the session cookie.
const CookieName = "nd_session"

// loginCookie carries the login form's CSRF token before there is a session.
const loginCookie = "nd_login"

// Handler serves the admin.
type Handler struct {
	store      newsdesk.Store
	web        *web.Engine
	name       string
	now        func() time.Time
	log        *slog.Logger
	invalidate func()
	secure     bool
	limiter    *auth.Limiter
	ingest     func(ctx context.Context, sourceID int64) error
	status     func(ctx context.Context) []StatusCheck
	reindex    func(ctx context.Context, articles []*newsdesk.Article) error
	search     Searcher
	ttl        time.Duration
	origin     *http.CrossOriginProtection
	routes     []route
	// dummyHash is checked against when a username is unknown (its
	// password is random and thrown away); made on first use.
	dummyHash func() (string, error)
}

// New checks the configuration and the templates and returns a Handler.
func New(cfg Config) (*Handler, error) {
	if cfg.Store == nil {
		return nil, errors.New("admin: Store required")
	}
	if cfg.Web == nil {
		return nil, errors.New("admin: Web engine required")
	}
	for _, p := range Pages() {
		if err := cfg.Web.Check(p); err != nil {
			return nil, fmt.Errorf("admin: %w", err)
		}
	}
	h := &Handler{
		store:      cfg.Store,
		web:        cfg.Web,
		name:       cfg.SiteName,
		now:        cfg.Now,
		log:        cfg.Logger,
		invalidate: cfg.Invalidate,
		secure:     cfg.Secure,
		limiter:    cfg.Limiter,
		ingest:     cfg.Ingest,
		status:     cfg.Status,
		reindex:    cfg.Reindex,
		search:     cfg.Search,
		ttl:        cfg.SessionTTL,
		origin:     http.NewCrossOriginProtection(),
	}
	if h.name == "" {
		h.name = "newsdesk"
	}
	if h.search == nil {
		h.search = cfg.Store
	}
	if h.now == nil {
		h.now = time.Now
	}
	if h.log == nil {
		h.log = slog.New(slog.DiscardHandler)
	}
	if h.invalidate == nil {
		h.invalidate = func() {}
	}
	if h.ttl <= 0 {
		h.ttl = 12 * time.Hour
	}
	if h.limiter == nil {
		h.limiter = auth.NewLimiter(5, 15*time.Minute)
		h.limiter.Now = h.now
	}
	if cfg.BaseURL != "" {
		u, err := url.Parse(cfg.BaseURL)
		if err != nil || u.Scheme == "" || u.Host == "" {
			return nil, fmt.Errorf("admin: base URL %q must be absolute", cfg.BaseURL)
		}
		if err := h.origin.AddTrustedOrigin(u.Scheme + "://" + u.Host); err != nil {
			return nil, fmt.Errorf("admin: %w", err)
		}
	}
	h.origin.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.fail(w, r, nil, newsdesk.Errorf(newsdesk.EFORBIDDEN, "Cross-origin request refused."))
	}))
	h.dummyHash = sync.OnceValues(func() (string, error) { return auth.HashPassword(auth.NewToken(), auth.DefaultParams) })
	h.routes = h.table()
	return h, nil
}

// Route is one registered admin route.
type Route struct {
	Method  string // GET or POST
	Pattern string // as registered on the mux, without the method
	// Action is the permission the route needs (auth.Can); "" means any
	// signed-in user, and Public routes need no session at all.
	Action auth.Action
	Public bool
}

// AdminOnly reports whether editors are refused the route.
func (r Route) AdminOnly() bool {
	return r.Action != "" && !auth.Can(newsdesk.RoleEditor, r.Action)
}

type route struct {
	Route
	fn func(w http.ResponseWriter, r *http.Request, c *reqCtx) error
}

// reqCtx is who makes a request.
type reqCtx struct {
	user  *newsdesk.User
	sess  *newsdesk.Session
	token string // the session token from the cookie
}

func get(pattern string, action auth.Action, fn func(http.ResponseWriter, *http.Request, *reqCtx) error) route {
	return route{Route{Method: http.MethodGet, Pattern: pattern, Action: action}, fn}
}

func post(pattern string, action auth.Action, fn func(http.ResponseWriter, *http.Request, *reqCtx) error) route {
	return route{Route{Method: http.MethodPost, Pattern: pattern, Action: action}, fn}
}

// table is every admin route. Register adds exactly these, and the tests
// walk the same list, so that no write route escapes the checks.
func (h *Handler) table() []route {
	login := get("/admin/login", "", h.loginPage)
	login.Public = true
	loginPost := post("/admin/login", "", h.loginPost)
	loginPost.Public = true
	return []route{
		login,
		loginPost,
		post("/admin/logout", "", h.logout),
		get("/admin/{$}", "", h.dashboard),

		get("/admin/sources", auth.ManageSources, h.sourcesPage),
		post("/admin/sources", auth.ManageSources, h.sourceCreate),
		get("/admin/sources/{id}", auth.ManageSources, h.sourcePage),
		post("/admin/sources/{id}", auth.ManageSources, h.sourceUpdate),
		post("/admin/sources/{id}/pause", auth.ManageSources, h.sourcePause),
		post("/admin/sources/{id}/resume", auth.ManageSources, h.sourceResume),
		post("/admin/sources/{id}/delete", auth.ManageSources, h.sourceDelete),
		post("/admin/sources/{id}/fetch", auth.ManageSources, h.sourceFetch),

		get("/admin/sections", auth.EditSections, h.sectionsPage),
		post("/admin/sections", auth.EditSections, h.sectionCreate),
		get("/admin/sections/{id}", auth.EditSections, h.sectionPage),
		post("/admin/sections/{id}", auth.EditSections, h.sectionUpdate),
		post("/admin/sections/{id}/delete", auth.EditSections, h.sectionDelete),

		get("/admin/entities", auth.EditEntities, h.entitiesPage),
		post("/admin/entities", auth.EditEntities, h.entityCreate),
		get("/admin/entities/{id}", auth.EditEntities, h.entityPage),
		post("/admin/entities/{id}", auth.EditEntities, h.entityUpdate),
		post("/admin/aliases/{id}/accept", auth.EditEntities, h.aliasAccept),
		post("/admin/aliases/{id}/reject", auth.EditEntities, h.aliasReject),

		get("/admin/articles", auth.EditArticles, h.articlesPage),
		get("/admin/articles/{id}", auth.EditArticles, h.articlePage),
		post("/admin/articles/{id}", auth.EditArticles, h.articleUpdate),
		post("/admin/articles/{id}/unpublish", auth.EditArticles, h.articleUnpublish),
		post("/admin/articles/{id}/republish", auth.EditArticles, h.articleRepublish),

		get("/admin/stories", auth.EditStories, h.storiesPage),
		post("/admin/stories/merge", auth.EditStories, h.storiesMerge),
		get("/admin/stories/{id}", auth.EditStories, h.storyPage),
		post("/admin/stories/{id}/rename", auth.EditStories, h.storyRename),
		post("/admin/stories/{id}/split", auth.EditStories, h.storySplit),

		get("/admin/picks", auth.EditPicks, h.picksPage),
		post("/admin/picks", auth.EditPicks, h.pickCreate),
		post("/admin/picks/{id}/up", auth.EditPicks, h.pickUp),
		post("/admin/picks/{id}/down", auth.EditPicks, h.pickDown),
		post("/admin/picks/{id}/expiry", auth.EditPicks, h.pickExpiry),
		post("/admin/picks/{id}/delete", auth.EditPicks, h.pickDelete),

		get("/admin/users", auth.ManageUsers, h.usersPage),
		post("/admin/users", auth.ManageUsers, h.userCreate),
		get("/admin/users/{id}", auth.ManageUsers, h.userPage),
		post("/admin/users/{id}/role", auth.ManageUsers, h.userRole),
		post("/admin/users/{id}/password", auth.ManageUsers, h.userPassword),
		post("/admin/users/{id}/delete", auth.ManageUsers, h.userDelete),

		get("/admin/tokens", "", h.tokensPage),
		post("/admin/tokens", "", h.tokenCreate),
		post("/admin/tokens/{id}/delete", "", h.tokenDelete),

		get("/admin/audit", "", h.auditPage),
		get("/admin/status", "", h.statusPage),
	}
}

// Routes lists the registered routes.
func (h *Handler) Routes() []Route {
	out := make([]Route, len(h.routes))
	for i, r := range h.routes {
		out[i] = r.Route
	}
	return out
}

// Register adds the admin's routes to mux.
func (h *Handler) Register(mux *http.ServeMux) {
	for _, rt := range h.routes {
		mux.Handle(rt.Method+" "+rt.Pattern, h.wrap(rt))
	}
	mux.HandleFunc("GET /admin", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/admin/", http.StatusMovedPermanently)
	})
	mux.HandleFunc("/admin/", func(w http.ResponseWriter, r *http.Request) {
		noStore(w)
		h.fail(w, r, nil, newsdesk.Errorf(newsdesk.ENOTFOUND, "There is no admin page at this address."))
	})
}

func noStore(w http.ResponseWriter) {
	hd := w.Header()
	hd.Set("Cache-Control", "no-store")
	hd.Set("X-Robots-Tag", "noindex, nofollow")
}

// maxForm bounds a form body.
const maxForm = 1 << 20

// wrap applies, in order: no caching; the same-origin check and the body
// limit on writes; the session (anonymous users are sent to the login page);
// the CSRF token on writes; the role.
func (h *Handler) wrap(rt route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		noStore(w)
		write := rt.Method != http.MethodGet
		if write {
			if err := h.origin.Check(r); err != nil {
				h.fail(w, r, nil, newsdesk.Errorf(newsdesk.EFORBIDDEN, "Cross-origin request refused."))
				return
			}
			r.Body = http.MaxBytesReader(w, r.Body, maxForm)
			if err := r.ParseForm(); err != nil {
				h.fail(w, r, nil, newsdesk.Errorf(newsdesk.EINVALID, "The form could not be read."))
				return
			}
		}
		c := &reqCtx{}
		if !rt.Public {
			var err error
			if c, err = h.session(r); err != nil {
				if newsdesk.ErrorCode(err) != newsdesk.EUNAUTHORIZED {
					h.fail(w, r, nil, err)
					return
				}
				next := "/admin/"
				if !write {
					next = r.URL.RequestURI()
				}
				http.Redirect(w, r, "/admin/login?next="+url.QueryEscape(next), http.StatusSeeOther)
				return
			}
			if write && !auth.EqualTokens(r.PostForm.Get("csrf"), c.sess.CSRFToken) {
				h.fail(w, r, c, newsdesk.Errorf(newsdesk.EFORBIDDEN, "The form has expired. Go back, reload the page and try again."))
				return
			}
			if rt.Action != "" && !auth.Can(c.user.Role, rt.Action) {
				h.fail(w, r, c, newsdesk.Errorf(newsdesk.EFORBIDDEN, "Your role may not do this."))
				return
			}
		}
		if err := rt.fn(w, r, c); err != nil {
			h.fail(w, r, c, err)
		}
	})
}

// session returns the signed-in user of the request, EUNAUTHORIZED when
// there is none.
func (h *Handler) session(r *http.Request) (*reqCtx, error) {
	ck, err := r.Cookie(CookieName)
	if err != nil || ck.Value == "" {
		return nil, newsdesk.Errorf(newsdesk.EUNAUTHORIZED, "Please sign in.")
	}
	sess, err := h.store.SessionByTokenHash(r.Context(), auth.HashToken(ck.Value), h.now())
	if newsdesk.ErrorCode(err) == newsdesk.ENOTFOUND {
		return nil, newsdesk.Errorf(newsdesk.EUNAUTHORIZED, "Your session has ended. Please sign in again.")
	} else if err != nil {
		return nil, fmt.Errorf("admin session: %w", err)
	}
	u, err := h.store.User(r.Context(), sess.UserID)
	if newsdesk.ErrorCode(err) == newsdesk.ENOTFOUND {
		return nil, newsdesk.Errorf(newsdesk.EUNAUTHORIZED, "Please sign in.")
	} else if err != nil {
		return nil, fmt.Errorf("admin session user: %w", err)
	}
	return &reqCtx{user: u, sess: sess, token: ck.Value}, nil
}

// status maps an error code to an HTTP status (newsdesk.HTTPStatus).
func status(code string) int { return newsdesk.HTTPStatus(code) }

type errorData struct {
	Heading string
	Message string
	Back    string
}

// fail renders the error page with the status err's code maps to. Internal
// errors are logged and shown as a generic message.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, c *reqCtx, err error) {
	code := newsdesk.ErrorCode(err)
	st := status(code)
	if code == newsdesk.EINTERNAL {
		h.log.ErrorContext(r.Context(), "admin request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	d := errorData{Heading: http.StatusText(st), Message: newsdesk.ErrorMessage(err), Back: backLink(r)}
	if st == http.StatusInternalServerError {
		d.Heading = "Something went wrong"
		d.Message = "The change could not be made. Please try again in a moment."
	}
	h.render(w, r, c, st, "error", d.Heading, "", d)
}

// backLink is the list page a failed request came from.
func backLink(r *http.Request) string {
	parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	if len(parts) >= 2 && parts[0] == "admin" {
		switch parts[1] {
		case "aliases":
			return "/admin/entities"
		case "login", "logout":
			return "/admin/login"
		}
		return "/admin/" + parts[1]
	}
	return "/admin/"
}

// pageData is what the admin layout and every page get.
type pageData struct {
	Site    string
	Title   string
	Nav     string // the current section of the navigation
	User    *newsdesk.User
	CSRF    string
	Flash   string
	IsAdmin bool
	Body    template.HTML
	Data    any
}

// render writes page (a template of the admin group) inside the admin
// layout. The page's "content" is rendered first, then placed in the
// layout: both are html/template output, so the body is already escaped.
func (h *Handler) render(w http.ResponseWriter, r *http.Request, c *reqCtx, st int, page, title, nav string, data any) {
	p := &pageData{Site: h.name, Title: title, Nav: nav, Data: data, Flash: flashes[r.URL.Query().Get("ok")]}
	if c != nil && c.user != nil {
		p.User, p.CSRF, p.IsAdmin = c.user, c.sess.CSRFToken, c.user.Role == newsdesk.RoleAdmin
	}
	var body bytes.Buffer
	if err := h.web.RenderBlock(&body, "admin/"+page, "content", p); err != nil {
		h.renderFailed(w, r, err)
		return
	}
	p.Body = template.HTML(body.String()) // escaped by html/template above
	var out bytes.Buffer
	if err := h.web.RenderBlock(&out, "admin/layout", "admin", p); err != nil {
		h.renderFailed(w, r, err)
		return
	}
	hd := w.Header()
	hd.Set("Content-Type", "text/html; charset=utf-8")
	hd.Set("Content-Length", strconv.Itoa(out.Len()))
	w.WriteHeader(st)
	w.Write(out.Bytes())
}

func (h *Handler) renderFailed(w http.ResponseWriter, r *http.Request, err error) {
	h.log.ErrorContext(r.Context(), "admin render", "path", r.URL.Path, "err", err)
	http.Error(w, "Internal server error", http.StatusInternalServerError)
}

// flashes are the confirmations a redirect may ask for (?ok=key); only
// these fixed texts are ever shown, so a link cannot put words in the page.
var flashes = map[string]string{
	"saved":       "Saved.",
	"created":     "Created.",
	"deleted":     "Deleted.",
	"paused":      "Source paused.",
	"resumed":     "Source resumed.",
	"fetched":     "Source fetched.",
	"accepted":    "Alias accepted.",
	"rejected":    "Alias rejected.",
	"unpublished": "Article unpublished.",
	"republished": "Article published again.",
	"merged":      "Stories merged.",
	"split":       "Articles moved into a new story.",
	"pinned":      "Article pinned to Must read.",
	"moved":       "Pick moved.",
	"unpinned":    "Pick removed.",
	"revoked":     "Token revoked.",
	"role":        "Role changed.",
}

// done redirects after a successful write (303, so that reloading the
// next page does not repeat the POST).
func done(w http.ResponseWriter, r *http.Request, path, flash string) error {
	if flash != "" {
		sep := "?"
		if strings.Contains(path, "?") {
			sep = "&"
		}
		path += sep + "ok=" + flash
	}
	http.Redirect(w, r, path, http.StatusSeeOther)
	return nil
}

// audit records a change, made by the request's user, in the audit log. A
// failure to record is logged: the change itself has been made.
func (h *Handler) audit(r *http.Request, c *reqCtx, action, target, detail string) {
	e := &newsdesk.AuditEntry{Action: action, Target: target, Detail: detail, At: h.now()}
	if c != nil && c.user != nil {
		e.UserID, e.Username = c.user.ID, c.user.Username
	}
	if err := h.store.RecordAudit(r.Context(), e); err != nil {
		h.log.ErrorContext(r.Context(), "record audit", "action", action, "target", target, "err", err)
	}
}

// changed records a content change and drops the public site's cache.
func (h *Handler) changed(r *http.Request, c *reqCtx, action, target, detail string) {
	h.audit(r, c, action, target, detail)
	h.invalidate()
}

// pathID reads the {id} path value.
func pathID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, newsdesk.Errorf(newsdesk.ENOTFOUND, "There is no such item.")
	}
	return id, nil
}

// formID reads a positive integer form or query field; 0 when empty.
func formID(r *http.Request, name string) (int64, error) {
	v := strings.TrimSpace(r.FormValue(name))
	if v == "" {
		return 0, nil
	}
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id < 0 {
		return 0, newsdesk.Errorf(newsdesk.EINVALID, "%s must be a number.", fieldLabel(name))
	}
	return id, nil
}

// formIDs reads every value of a repeated field as IDs.
func formIDs(r *http.Request, name string) ([]int64, error) {
	var ids []int64
	for _, v := range r.PostForm[name] {
		id, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		if err != nil || id <= 0 {
			return nil, newsdesk.Errorf(newsdesk.EINVALID, "Invalid selection.")
		}
		ids = append(ids, id)
	}
	return ids, nil
}

func fieldLabel(name string) string {
	name = strings.ReplaceAll(name, "_", " ")
	if name == "" {
		return name
	}
	return strings.ToUpper(name[:1]) + name[1:]
}

// dateTimeLayout is the value of an <input type="datetime-local">; the
// admin reads and writes it in UTC.
const dateTimeLayout = "2006-01-02T15:04"

// formTime reads a datetime-local field (UTC); zero when empty.
func formTime(r *http.Request, name string) (time.Time, error) {
	v := strings.TrimSpace(r.FormValue(name))
	if v == "" {
		return time.Time{}, nil
	}
	for _, layout := range []string{dateTimeLayout, dateTimeLayout + ":05", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, v, time.UTC); err == nil {
			return t, nil
		}
	}
	return time.Time{}, newsdesk.Errorf(newsdesk.EINVALID, "%s must be a date and time such as 2025-06-02T14:05.", fieldLabel(name))
}

// inputTime formats t for a datetime-local field.
func inputTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(dateTimeLayout)
}

// pageNum reads ?page=N (1 when absent or invalid).
func pageNum(r *http.Request) int {
	n, err := strconv.Atoi(r.URL.Query().Get("page"))
	if err != nil || n < 1 {
		return 1
	}
	return min(n, 10000)
}

// pager links the pages of a list.
type pager struct {
	Page, Pages int
	Total       int
	Prev, Next  string
}

func newPager(r *http.Request, n, total, size int) pager {
	pages := max(1, (total+size-1)/size)
	link := func(k int) string {
		q := r.URL.Query()
		q.Del("ok")
		q.Set("page", strconv.Itoa(k))
		return r.URL.Path + "?" + q.Encode()
	}
	p := pager{Page: n, Pages: pages, Total: total}
	if n > 1 {
		p.Prev = link(min(n-1, pages))
	}
	if n < pages {
		p.Next = link(n + 1)
	}
	return p
}
