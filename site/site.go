// Package site serves the public pages of a newsdesk site: the front page
// river, sections, articles, entities, sources, stories, search, privacy
// and the feeds and sitemaps out. Pages are rendered by package web and
// kept in memory until Invalidate; the only per-reader part of any page,
// the "Recommended to you" block of an article, is rendered per request
// between two cached halves.
package site

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"newsdesk"
	"newsdesk/syndication"
	"newsdesk/web"
)

// RelatedFinder finds articles related to one article; they are shown as
// cards, so they need no body.
type RelatedFinder interface {
	Related(ctx context.Context, a *newsdesk.Article, limit int) ([]*newsdesk.Article, error)
}

// Recommender recommends articles to a reader from the reader's history;
// they are shown as cards, so they need no body.
type Recommender interface {
	Recommend(ctx context.Context, readerID string, current *newsdesk.Article, limit int) ([]newsdesk.Recommendation, error)
}

// Searcher runs full-text queries.
type Searcher interface {
	Search(ctx context.Context, q newsdesk.SearchQuery) (*newsdesk.SearchResult, error)
}

// Observer is told of cache lookups and recorded views, for metrics.
// *metrics.Metrics is one.
type Observer interface {
	CacheLookup(hit, stale bool)
	ReaderEvent()
}

// Config sets up a Handler.
type Config struct {
	// Observer, when set, counts page-cache hits and misses and recorded
	// reading events.
	Observer Observer
	Store    newsdesk.Store
	// Related finds "You might also like"; when nil, articles naming the
	// same entities are shown.
	Related RelatedFinder
	// Recommend fills "Recommended to you" for returning readers; when nil,
	// every reader sees the section's most-read list.
	Recommend Recommender
	// Search runs searches; when nil, Store's own index is queried.
	Search Searcher
	Web    *web.Engine
	// SiteName is shown in the masthead and titles.
	SiteName string
	// BaseURL is the site's public URL without trailing slash
	// ("https://news.example"); canonical links and feeds use it.
	BaseURL string
	// Language is the site's default BCP 47 language ("en" when empty).
	Language string
	Now      func() time.Time
	Logger   *slog.Logger
	// CacheEntries bounds the rendered-page cache (2000 when zero).
	CacheEntries int
	// CacheTTL is how long a rendered page may be served before it is
	// rendered again even without Invalidate (2 minutes when zero), so that
	// expiring picks and "most read" lists stay current.
	CacheTTL time.Duration
}

// Pages are the templates the handlers render; web.New(web.Require(
// site.Pages()...)) and New fail at startup when one is missing.
func Pages() []string {
	return []string{"site/home", "site/section", "site/article", "site/entity", "site/source",
		"site/story", "site/search", "site/privacy", "site/error"}
}

// Handler serves the public site.
type Handler struct {
	store     newsdesk.Store
	related   RelatedFinder
	recommend Recommender
	search    Searcher
	web       *web.Engine
	name      string
	baseURL   string
	lang      string
	secure    bool
	// cookieAttrs follows "nd_reader=<id>" in a new reader's Set-Cookie.
	cookieAttrs string
	now         func() time.Time
	log         *slog.Logger

	pages    *lru[string, *rendered]
	articles *lru[int64, *articleEntry]
	trees    *lru[struct{}, *newsdesk.SectionTree]
	bufs     sync.Pool

	pageFlight    flight[string, *rendered]
	articleFlight flight[int64, *articleEntry]

	// sitemapMax is the most URLs one sitemap lists.
	sitemapMax int

	mostReads      *lru[mostReadKey, []newsdesk.ArticleCount]
	mostReadFlight flight[mostReadKey, []newsdesk.ArticleCount]
	trends         *lru[struct{}, []trendItem]
	trendFlight    flight[struct{}, []trendItem]
	background     sync.WaitGroup // refreshes running behind requests

	reads *readQueue
	views *recentViews
	recs  *lru[string, *readerRecs]
	obs   Observer
}

// Close waits for the refreshes running in the background and writes the
// reading events still queued. The handler must not
// serve after Close.
func (h *Handler) Close() {
	h.background.Wait()
	h.reads.close()
}

// New checks the configuration and the templates and returns a Handler.
func New(cfg Config) (*Handler, error) {
	if cfg.Store == nil {
		return nil, errors.New("site: Store required")
	}
	if cfg.Web == nil {
		return nil, errors.New("site: Web engine required")
	}
	for _, p := range Pages() {
		if err := cfg.Web.Check(p); err != nil {
			return nil, fmt.Errorf("site: %w", err)
		}
	}
	base := strings.TrimRight(cfg.BaseURL, "/")
	u, err := url.Parse(base)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return nil, fmt.Errorf("site: base URL %q must be absolute", cfg.BaseURL)
	}
	h := &Handler{
		store:     cfg.Store,
		related:   cfg.Related,
		recommend: cfg.Recommend,
		search:    cfg.Search,
		web:       cfg.Web,
		name:      cfg.SiteName,
		baseURL:   base,
		lang:      cfg.Language,
		secure:    u.Scheme == "https",
		now:       cfg.Now,
		log:       cfg.Logger,
	}
	if h.search == nil {
		h.search = cfg.Store
	}
	if h.name == "" {
		h.name = "newsdesk"
	}
	if h.lang == "" {
		h.lang = "en"
	}
	if h.now == nil {
		h.now = time.Now
	}
	if h.log == nil {
		h.log = slog.New(slog.DiscardHandler)
	}
	entries := cfg.CacheEntries
	if entries <= 0 {
		entries = 2000
	}
	ttl := cfg.CacheTTL
	if ttl <= 0 {
		ttl = 2 * time.Minute
	}
	h.pages = newLRU[string, *rendered](entries, ttl)
	h.articles = newLRU[int64, *articleEntry](entries, ttl)
	h.trees = newLRU[struct{}, *newsdesk.SectionTree](1, ttl)
	h.recs = newLRU[string, *readerRecs](readerRecsEntries, readerRecsTTL)
	h.mostReads = newLRU[mostReadKey, []newsdesk.ArticleCount](mostReadEntries, mostReadStale)
	h.trends = newLRU[struct{}, []trendItem](1, trendStale)
	h.bufs.New = func() any { return new(bytes.Buffer) }
	h.sitemapMax = syndication.MaxSitemapURLs
	h.obs = cfg.Observer
	if h.obs == nil {
		h.obs = noObserver{}
	}
	h.reads = newReadQueue(h.store, h.log, 4096)
	h.reads.obs = h.obs
	h.views = newRecentViews(viewWindow, viewShardMax)
	h.cookieAttrs = h.readerCookieAttrs()
	return h, nil
}

// Register adds the site's routes to mux:
//
//	GET  /                               home (?page=N)
//	GET  /section/{slug}                 section (?page=N)
//	GET  /article/{id}                   301 to /article/{id}/{slug}
//	GET  /article/{id}/{slug}            article
//	GET  /entity/{slug}, /source/{id}    entity, source (?page=N)
//	GET  /story/{id}                     story coverage
//	GET  /search                         ?q=&section=&source=&entity=&from=&to=&sort=&page=
//	GET  /opensearch.xml                 OpenSearch description of /search
//	GET  /privacy, POST /privacy         what is kept; opt out, opt in, erase
//	GET  /static/{hash}/{name...}        assets, immutable
//	GET  /feed.xml /atom.xml /feed.json  and the same under /section/{slug},
//	                                     /entity/{slug} and /source/{id}
//	GET  /sitemap.xml /sitemaps/{part}   sitemap (an index when large)
//	GET  /sitemap-news.xml /news-sitemap.xml /robots.txt
//	     /                               everything else: the site's 404 page
//
// More specific patterns registered by other handlers (admin, API) win over
// the catch-all.
func (h *Handler) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET /{$}", h.home)
	mux.HandleFunc("GET /section/{slug}", h.section)
	mux.HandleFunc("GET /article/{id}", h.articleRedirect)
	mux.HandleFunc("GET /article/{id}/{slug}", h.article)
	mux.HandleFunc("GET /entity/{slug}", h.entity)
	mux.HandleFunc("GET /source/{id}", h.source)
	mux.HandleFunc("GET /story/{id}", h.story)
	mux.HandleFunc("GET /search", h.searchPage)
	mux.HandleFunc("GET "+OpenSearchPath, h.openSearch)
	mux.HandleFunc("GET /privacy", h.privacy)
	mux.HandleFunc("POST /privacy", h.privacyPost)
	mux.HandleFunc("GET /static/", h.web.ServeStatic)
	h.registerFeeds(mux)
	mux.HandleFunc("/", h.NotFound)
}

// Invalidate drops every cached page. Call it after an editor changes
// anything a page shows; ingest's stores call Refresh.
func (h *Handler) Invalidate() {
	h.pages.invalidate()
	h.articles.invalidate()
	h.trees.invalidate()
	h.recs.invalidate()
}

// Changes are what a store touched: the articles themselves, the articles
// they copy and their stories, or only the lists (a new entity). The zero
// value is empty.
type Changes struct {
	articles map[int64]bool
	stories  map[int64]bool
	lists    bool
}

// Add records stored articles.
func (c *Changes) Add(arts ...*newsdesk.Article) {
	for _, a := range arts {
		c.init()
		addIDs(c.articles, a.ID, a.DuplicateOf)
		addIDs(c.stories, a.StoryID)
	}
}

// AddIDs records a change to the lists and to the articles and stories
// named (IDs of 0 are skipped), as another node's notification gives them:
// articles must include those the changed ones copy.
func (c *Changes) AddIDs(articles, stories []int64) {
	c.init()
	addIDs(c.articles, articles...)
	addIDs(c.stories, stories...)
}

func (c *Changes) init() {
	if c.articles == nil {
		c.articles, c.stories = map[int64]bool{}, map[int64]bool{}
	}
	c.lists = true
}

// addIDs adds the IDs but 0 to set.
func addIDs(set map[int64]bool, ids ...int64) {
	for _, id := range ids {
		if id != 0 {
			set[id] = true
		}
	}
}

// Empty reports whether nothing was recorded.
func (c *Changes) Empty() bool { return !c.lists }

// Refresh marks stale what the stored articles of c can change: every
// list page, the pages of the articles themselves and of the articles they
// copy, those of every article of their stories (whose coverage may now
// list them), and those that list one of them (an updated headline, or a
// report that left the story); it drops the section tree and the personal
// lists. A stale page is served once more, to the reader who finds it so,
// while it is rendered again behind the request: readers do not wait for
// renders when news is stored every second. The other article pages stay:
// their related articles and most-read lists may miss a newer report for
// as long as the cache's time to live (Config.CacheTTL), and a site that
// stores news every second does not render every article page again every
// second. Changes of the lists alone leave the article pages. An editor's
// change calls Invalidate, which drops every page at once.
func (h *Handler) Refresh(c Changes) {
	if c.Empty() {
		return
	}
	h.pages.soften()
	h.trees.invalidate()
	h.recs.invalidate()
	if len(c.articles) == 0 && len(c.stories) == 0 {
		return
	}
	h.articles.staleIf(func(id int64, e *articleEntry) bool {
		if c.articles[id] || c.stories[e.article.StoryID] || c.articles[e.article.DuplicateOf] {
			return true
		}
		return slices.ContainsFunc(e.lists, func(x int64) bool { return c.articles[x] })
	})
}

// NotFound serves the site's 404 page.
func (h *Handler) NotFound(w http.ResponseWriter, r *http.Request) {
	h.fail(w, r, newsdesk.Errorf(newsdesk.ENOTFOUND, "There is no page at this address."))
}

// status maps an error code to an HTTP status (newsdesk.HTTPStatus).
func status(code string) int { return newsdesk.HTTPStatus(code) }

type errorPage struct {
	page
	Heading string
	Message string
}

// fail writes the error page for err with the status its code maps to. Only
// internal errors are logged; their detail never reaches the reader.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	code := newsdesk.ErrorCode(err)
	st := status(code)
	if code == newsdesk.EINTERNAL {
		h.log.ErrorContext(r.Context(), "site request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	p := errorPage{page: h.basePage(r.Context(), "", ""), Message: newsdesk.ErrorMessage(err)}
	p.NoIndex = true
	switch st {
	case http.StatusNotFound:
		p.Heading = "Page not found"
		p.Message = "We could not find this page. It may have moved or never existed."
		if msg := newsdesk.ErrorMessage(err); msg != "" {
			p.Message = msg
		}
	case http.StatusInternalServerError:
		p.Heading = "Something went wrong"
		p.Message = "The page could not be shown. Please try again in a moment."
	default:
		p.Heading = http.StatusText(st)
	}
	p.Title = p.Heading
	buf := h.getBuf()
	defer h.putBuf(buf)
	hd := w.Header()
	hd.Del("Etag")
	hd.Del("Content-Encoding")
	hd.Del("Content-Length")
	hd.Set("Content-Type", "text/html; charset=utf-8")
	hd.Set("Cache-Control", "no-store")
	if rerr := h.web.Render(buf, "site/error", p); rerr != nil {
		h.log.ErrorContext(r.Context(), "render error page", "err", rerr)
		http.Error(w, http.StatusText(st), st)
		return
	}
	w.WriteHeader(st)
	w.Write(buf.Bytes())
}

func (h *Handler) getBuf() *bytes.Buffer {
	b := h.bufs.Get().(*bytes.Buffer)
	b.Reset()
	return b
}

func (h *Handler) putBuf(b *bytes.Buffer) {
	if b.Cap() <= 1<<20 {
		h.bufs.Put(b)
	}
}

// cached serves the page at the request's path and query from the cache,
// rendering it with render on a miss. Errors are never cached.
func (h *Handler) cached(w http.ResponseWriter, r *http.Request, render func(ctx context.Context, buf *bytes.Buffer) error) {
	h.cachedAs(w, r, hdrHTML, render)
}

// cachedAs is cached for a document of another content type.
func (h *Handler) cachedAs(w http.ResponseWriter, r *http.Request, contentType []string, render func(ctx context.Context, buf *bytes.Buffer) error) {
	key := cacheKey(r)
	e, stale, ok := h.pages.getStale(key, h.now())
	h.obs.CacheLookup(ok, stale)
	if ok && !stale {
		e.serve(w, r, contentType, hdrNoCache, hdrVaryEncoding)
		return
	}
	// Other requests may wait for this render, or none: it finishes even
	// if this request's client goes away.
	ctx := context.WithoutCancel(r.Context())
	run := func() (*rendered, error) {
		gen := h.pages.generation()
		buf := h.getBuf()
		defer h.putBuf(buf)
		if err := render(ctx, buf); err != nil {
			return nil, err
		}
		e := newRendered(http.StatusOK, bytes.Clone(buf.Bytes()))
		h.pages.put(key, e, gen, h.now())
		return e, nil
	}
	if ok {
		// Stored news changed what the page may show: this reader gets
		// the page as it was, the next ones the page rendered again
		// behind this request.
		h.pageFlight.background(key, &h.background, run)
		e.serve(w, r, contentType, hdrNoCache, hdrVaryEncoding)
		return
	}
	e, err := h.pageFlight.do(key, run)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	e.serve(w, r, contentType, hdrNoCache, hdrVaryEncoding)
}

// queryParams are the query parameters any page reads. The cache key keeps
// only these (first value each), so that junk or tracking parameters can
// neither split a page into many cache entries nor evict others.
var queryParams = []string{"page", "q", "section", "source", "entity", "from", "to", "sort"}

func cacheKey(r *http.Request) string {
	if r.URL.RawQuery == "" {
		return r.URL.Path
	}
	q := r.URL.Query()
	var b strings.Builder
	b.WriteString(r.URL.Path)
	sep := byte('?')
	for _, k := range queryParams {
		if vs := q[k]; len(vs) > 0 && vs[0] != "" {
			b.WriteByte(sep)
			b.WriteString(k)
			b.WriteByte('=')
			b.WriteString(url.QueryEscape(vs[0]))
			sep = '&'
		}
	}
	return b.String()
}

// page is what the layout needs on every page.
type page struct {
	Site        siteInfo
	Title       string
	Description string
	Canonical   string
	Lang        string
	Prev, Next  string
	NoIndex     bool
	Alternates  []alternate
	Nav         []navItem
	OG          *openGraph
	JSONLD      []template.JS
	Breadcrumbs []crumb
}

type siteInfo struct {
	Name    string
	BaseURL string
}

type alternate struct {
	Type  string
	Title string
	Href  string
	Label string
}

type navItem struct {
	Section  *newsdesk.Section
	Children []navChild
	// Current is the aria-current value: "page" for the page's own
	// section, "true" for the region holding it, "" otherwise.
	Current string
}

type navChild struct {
	*newsdesk.Section
	Current string
}

type crumb struct {
	Name    string
	Path    string
	Current bool
}

type openGraph struct {
	Type          string
	Title         string
	Description   string
	URL           string
	Image         string
	SiteName      string
	Locale        string
	PublishedTime string
	ModifiedTime  string
	Section       string
}

type pager struct {
	Page, Pages int
	Prev, Next  string
}

// tree returns the section tree, cached like pages.
func (h *Handler) tree(ctx context.Context) (*newsdesk.SectionTree, error) {
	now := h.now()
	if t, ok := h.trees.get(struct{}{}, now); ok {
		return t, nil
	}
	gen := h.trees.generation()
	secs, err := h.store.Sections(ctx)
	if err != nil {
		return nil, fmt.Errorf("load sections: %w", err)
	}
	t := newsdesk.NewSectionTree(secs)
	h.trees.put(struct{}{}, t, gen, now)
	return t, nil
}

// basePage fills the layout fields; a failure to load the section tree
// leaves the navigation out rather than failing the page.
func (h *Handler) basePage(ctx context.Context, title, path string) page {
	p := page{
		Site:  siteInfo{Name: h.name, BaseURL: h.baseURL},
		Title: title,
		Lang:  h.lang,
	}
	if path != "" {
		p.Canonical = h.baseURL + path
	}
	t, err := h.tree(ctx)
	if err != nil {
		h.log.ErrorContext(ctx, "section navigation", "err", err)
		return p
	}
	for _, s := range t.Children(0) {
		item := navItem{Section: s}
		for _, c := range t.Children(s.ID) {
			item.Children = append(item.Children, navChild{Section: c})
		}
		p.Nav = append(p.Nav, item)
	}
	return p
}

// markCurrent flags the navigation entries leading to sectionID.
func (p *page) markCurrent(t *newsdesk.SectionTree, sectionID int64) {
	for i := range p.Nav {
		item := &p.Nav[i]
		if item.Section.ID == sectionID {
			item.Current = "page"
		}
		for j := range item.Children {
			c := &item.Children[j]
			if c.ID == sectionID {
				c.Current, item.Current = "page", "true"
			} else if s := t.ByID(sectionID); s != nil && s.ParentID != 0 {
				// Deeper sections mark their country as the way there.
				for _, a := range t.Ancestors(s) {
					if a.ID == c.ID {
						c.Current, item.Current = "true", "true"
					}
				}
			}
		}
	}
}

// sectionCrumbs is Home › Region › Country for a section.
func sectionCrumbs(t *newsdesk.SectionTree, s *newsdesk.Section) []crumb {
	crumbs := []crumb{{Name: "Home", Path: "/"}}
	if s == nil {
		return crumbs
	}
	for _, a := range t.Ancestors(s) {
		crumbs = append(crumbs, crumb{Name: a.Name, Path: a.Path()})
	}
	return crumbs
}

// feedAlternates are the feeds of a page at base ("" for the site, or
// "/section/iraq").
func feedAlternates(base, title string) []alternate {
	return []alternate{
		{Type: "application/rss+xml", Title: title + " (RSS)", Href: base + "/feed.xml", Label: "RSS"},
		{Type: "application/atom+xml", Title: title + " (Atom)", Href: base + "/atom.xml", Label: "Atom"},
		{Type: "application/feed+json", Title: title + " (JSON Feed)", Href: base + "/feed.json", Label: "JSON Feed"},
	}
}

// perPage is the length of a river page.
const perPage = 20

// maxPage caps deep pagination, which costs the database and serves no one.
const maxPage = 500

// pageNumber reads ?page=N (1 when absent).
func pageNumber(r *http.Request) (int, error) {
	v := r.URL.Query().Get("page")
	if v == "" {
		return 1, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > maxPage {
		return 0, newsdesk.Errorf(newsdesk.ENOTFOUND, "There is no such page.")
	}
	return n, nil
}

// paginate fills the pager and the page's rel=prev/next for a list at path
// (whose other query parameters are in q).
func paginate(p *page, path string, q url.Values, n, total, size int) (pager, error) {
	pages := (total + size - 1) / size
	if pages < 1 {
		pages = 1
	}
	if n > pages {
		return pager{}, newsdesk.Errorf(newsdesk.ENOTFOUND, "There is no such page.")
	}
	link := func(k int) string {
		qq := url.Values{}
		for key, vs := range q {
			if key != "page" {
				qq[key] = vs
			}
		}
		if k > 1 {
			qq.Set("page", strconv.Itoa(k))
		}
		if enc := qq.Encode(); enc != "" {
			return path + "?" + enc
		}
		return path
	}
	pg := pager{Page: n, Pages: pages}
	if n > 1 {
		pg.Prev = link(n - 1)
	}
	if n < pages {
		pg.Next = link(n + 1)
	}
	p.Prev, p.Next = pg.Prev, pg.Next
	if n > 1 {
		p.Canonical = h0(p.Canonical) + link(n)[len(path):]
	}
	return pg, nil
}

// h0 is the canonical URL without a query.
func h0(canonical string) string {
	if i := strings.IndexByte(canonical, '?'); i >= 0 {
		return canonical[:i]
	}
	return canonical
}

type noObserver struct{}

func (noObserver) CacheLookup(bool, bool) {}
func (noObserver) ReaderEvent()           {}
