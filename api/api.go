// Package api serves newsdesk's JSON API, version 1, under /api/v1/. Reads
// are open to anyone; writes need "Authorization: Bearer <token>" with an
// API token made in the admin, and act with the role of the token's user.
// Every route is described in the OpenAPI 3.1 document at
// /api/v1/openapi.json.
package api

import (
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"newsdesk"
	"newsdesk/auth"
)

// Searcher runs full-text queries.
type Searcher interface {
	Search(ctx context.Context, q newsdesk.SearchQuery) (*newsdesk.SearchResult, error)
}

// Config sets up a Handler.
type Config struct {
	Store newsdesk.Store
	// Search runs /search; the store's own index when nil.
	Search Searcher
	// BaseURL is the site's public URL, for the links to article pages.
	BaseURL string
	Now     func() time.Time
	Logger  *slog.Logger
	// Invalidate drops the public site's cached pages after a content
	// change; optional.
	Invalidate func()
}

// Prefix is where the API is served.
const Prefix = "/api/v1"

//go:embed openapi.json
var openAPI []byte

// OpenAPI returns the OpenAPI 3.1 document describing the API.
func OpenAPI() []byte { return append([]byte(nil), openAPI...) }

// Handler serves the API.
type Handler struct {
	store      newsdesk.Store
	search     Searcher
	baseURL    string
	now        func() time.Time
	log        *slog.Logger
	invalidate func()
	origin     *http.CrossOriginProtection
	routes     []route
}

// New returns a Handler.
func New(cfg Config) *Handler {
	h := &Handler{store: cfg.Store, search: cfg.Search, baseURL: strings.TrimRight(cfg.BaseURL, "/"), now: cfg.Now,
		log: cfg.Logger, invalidate: cfg.Invalidate, origin: http.NewCrossOriginProtection()}
	if h.search == nil && cfg.Store != nil {
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
	h.routes = h.table()
	return h
}

// Route is one registered API route.
type Route struct {
	Method  string
	Pattern string // e.g. "/api/v1/articles/{id}"
	// Action is the permission a write (or an editors' read) needs; "" for
	// an open read.
	Action auth.Action
}

// Write reports whether the route changes state.
func (r Route) Write() bool { return r.Method != http.MethodGet }

// AdminOnly reports whether editors' tokens are refused the route.
func (r Route) AdminOnly() bool { return r.Action != "" && !auth.Can(newsdesk.RoleEditor, r.Action) }

type route struct {
	Route
	fn func(w http.ResponseWriter, r *http.Request, c *caller) error
}

// caller is who makes a request: nil fields for anonymous readers.
type caller struct {
	user  *newsdesk.User
	token *newsdesk.APIToken
}

// can reports whether the caller may do action.
func (c *caller) can(action auth.Action) bool {
	return c != nil && c.user != nil && auth.Can(c.user.Role, action)
}

func (h *Handler) table() []route {
	r := func(method, path string, action auth.Action, fn func(http.ResponseWriter, *http.Request, *caller) error) route {
		return route{Route{Method: method, Pattern: Prefix + path, Action: action}, fn}
	}
	const get, post, patch, del = http.MethodGet, http.MethodPost, http.MethodPatch, http.MethodDelete
	return []route{
		r(get, "/openapi.json", "", h.openapi),
		r(get, "/articles", "", h.listArticles),
		r(get, "/articles/{id}", "", h.getArticle),
		r(patch, "/articles/{id}", auth.EditArticles, h.patchArticle),
		r(get, "/sections", "", h.listSections),
		r(post, "/sections", auth.EditSections, h.createSection),
		r(patch, "/sections/{id}", auth.EditSections, h.patchSection),
		r(del, "/sections/{id}", auth.EditSections, h.deleteSection),
		r(get, "/entities", "", h.listEntities),
		r(get, "/entities/{id}", "", h.getEntity),
		r(post, "/entities", auth.EditEntities, h.createEntity),
		r(patch, "/entities/{id}", auth.EditEntities, h.patchEntity),
		r(get, "/alias-candidates", auth.EditEntities, h.listAliasCandidates),
		r(post, "/alias-candidates/{id}", auth.EditEntities, h.decideAliasCandidate),
		r(get, "/stories", "", h.listStories),
		r(get, "/stories/{id}", "", h.getStory),
		r(patch, "/stories/{id}", auth.EditStories, h.patchStory),
		r(post, "/stories/{id}/merge", auth.EditStories, h.mergeStories),
		r(post, "/stories/split", auth.EditStories, h.splitStory),
		r(get, "/sources", "", h.listSources),
		r(get, "/sources/{id}", "", h.getSource),
		r(post, "/sources", auth.ManageSources, h.createSource),
		r(patch, "/sources/{id}", auth.ManageSources, h.patchSource),
		r(del, "/sources/{id}", auth.ManageSources, h.deleteSource),
		r(get, "/picks", "", h.listPicks),
		r(post, "/picks", auth.EditPicks, h.createPick),
		r(patch, "/picks/{id}", auth.EditPicks, h.patchPick),
		r(del, "/picks/{id}", auth.EditPicks, h.deletePick),
		r(get, "/search", "", h.searchArticles),
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

// Register adds the API's routes to mux, and a JSON 404 for any other
// path under /api/.
func (h *Handler) Register(mux *http.ServeMux) {
	for _, rt := range h.routes {
		mux.Handle(rt.Method+" "+rt.Pattern, h.wrap(rt))
	}
	mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		h.fail(w, r, newsdesk.Errorf(newsdesk.ENOTFOUND, "No API endpoint %s %s.", r.Method, r.URL.Path))
	})
}

// wrap authenticates the caller (a token, when sent, must be valid, even
// on an open read), refuses cross-origin writes and checks the role.
func (h *Handler) wrap(rt route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Add("Vary", "Authorization")
		if rt.Write() {
			if err := h.origin.Check(r); err != nil {
				h.fail(w, r, newsdesk.Errorf(newsdesk.EFORBIDDEN, "Cross-origin request refused."))
				return
			}
		}
		c, err := h.authenticate(r)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		if rt.Action != "" {
			if c.user == nil {
				h.fail(w, r, newsdesk.Errorf(newsdesk.EUNAUTHORIZED, "This endpoint needs an API token: Authorization: Bearer <token>."))
				return
			}
			if !c.can(rt.Action) {
				h.fail(w, r, newsdesk.Errorf(newsdesk.EFORBIDDEN, "The token's user (%s) may not do this.", c.user.Role))
				return
			}
		}
		if c.user != nil || rt.Write() {
			hd.Set("Cache-Control", "no-store")
		} else {
			hd.Set("Cache-Control", "public, max-age=60")
			hd.Set("Access-Control-Allow-Origin", "*")
		}
		if err := rt.fn(w, r, c); err != nil {
			h.fail(w, r, err)
		}
	})
}

// authenticate reads the bearer token, if any.
func (h *Handler) authenticate(r *http.Request) (*caller, error) {
	authz := r.Header.Get("Authorization")
	if authz == "" {
		return &caller{}, nil
	}
	scheme, token, ok := strings.Cut(authz, " ")
	token = strings.TrimSpace(token)
	if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" {
		return nil, newsdesk.Errorf(newsdesk.EUNAUTHORIZED, "Send the token as Authorization: Bearer <token>.")
	}
	tok, err := h.store.APITokenByHash(r.Context(), auth.HashToken(token), h.now())
	if newsdesk.ErrorCode(err) == newsdesk.ENOTFOUND {
		return nil, newsdesk.Errorf(newsdesk.EUNAUTHORIZED, "The API token is unknown, revoked or expired.")
	} else if err != nil {
		return nil, fmt.Errorf("api token: %w", err)
	}
	u, err := h.store.User(r.Context(), tok.UserID)
	if newsdesk.ErrorCode(err) == newsdesk.ENOTFOUND {
		return nil, newsdesk.Errorf(newsdesk.EUNAUTHORIZED, "The API token's user no longer exists.")
	} else if err != nil {
		return nil, fmt.Errorf("api token user: %w", err)
	}
	return &caller{user: u, token: tok}, nil
}

// Status maps a newsdesk error code to an HTTP status: the one place the
// API does so.
func Status(code string) int { return newsdesk.HTTPStatus(code) }

// errorBody is every error response: {"error": {"code", "message"}}.
type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// fail writes err as JSON. Internal errors are logged, and the client gets
// a generic message.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	code := newsdesk.ErrorCode(err)
	st := Status(code)
	if st == http.StatusInternalServerError {
		h.log.ErrorContext(r.Context(), "api request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	hd := w.Header()
	hd.Set("Cache-Control", "no-store")
	if st == http.StatusUnauthorized {
		hd.Set("WWW-Authenticate", `Bearer realm="newsdesk"`)
	}
	writeJSON(w, st, errorBody{Error: errorDetail{Code: code, Message: newsdesk.ErrorMessage(err)}})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		b = []byte(`{"error":{"code":"internal","message":"Internal error."}}`)
		status = http.StatusInternalServerError
	}
	hd := w.Header()
	hd.Set("Content-Type", "application/json; charset=utf-8")
	hd.Set("Content-Length", strconv.Itoa(len(b)+1))
	w.WriteHeader(status)
	w.Write(append(b, '\n'))
}

// maxBody bounds a request body.
const maxBody = 1 << 20

// decode reads a JSON request body into v, refusing unknown fields and
// anything but one JSON value.
func decode(w http.ResponseWriter, r *http.Request, v any) error {
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		return newsdesk.Errorf(newsdesk.EINVALID, "Send the body as Content-Type: application/json.")
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var maxErr *http.MaxBytesError
		if errors.As(err, &maxErr) {
			return newsdesk.Errorf(newsdesk.EINVALID, "The body is larger than %d bytes.", maxBody)
		}
		return newsdesk.Errorf(newsdesk.EINVALID, "The body is not valid JSON for this endpoint: %s.", jsonProblem(err))
	}
	if _, err := dec.Token(); err != io.EOF {
		return newsdesk.Errorf(newsdesk.EINVALID, "The body must hold one JSON object.")
	}
	return nil
}

// jsonProblem is a short, safe description of a decoding error.
func jsonProblem(err error) string {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return "syntax error at byte " + strconv.FormatInt(se.Offset, 10)
	case errors.As(err, &te):
		return "field " + strconv.Quote(te.Field) + " must be " + te.Type.String()
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return strings.TrimPrefix(err.Error(), "json: ")
	case errors.Is(err, io.EOF):
		return "empty body"
	}
	return "malformed"
}

// audit records a write by the caller, naming the token used.
func (h *Handler) audit(r *http.Request, c *caller, action, target, detail string) {
	e := &newsdesk.AuditEntry{Action: action, Target: target, Detail: detail + " (API token " + strconv.Quote(c.token.Name) + ")", At: h.now()}
	e.UserID, e.Username = c.user.ID, c.user.Username
	if err := h.store.RecordAudit(r.Context(), e); err != nil {
		h.log.ErrorContext(r.Context(), "record audit", "action", action, "target", target, "err", err)
	}
}

// changed records a content change and drops the site's cache.
func (h *Handler) changed(r *http.Request, c *caller, action, target, detail string) {
	h.audit(r, c, action, target, detail)
	h.invalidate()
}

func (h *Handler) openapi(w http.ResponseWriter, r *http.Request, _ *caller) error {
	hd := w.Header()
	hd.Set("Content-Type", "application/json; charset=utf-8")
	hd.Set("Content-Length", strconv.Itoa(len(openAPI)))
	w.WriteHeader(http.StatusOK)
	w.Write(openAPI)
	return nil
}
