package site

import (
	"bytes"
	"cmp"
	"compress/flate"
	"context"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"html"
	"html/template"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"newsdesk"
	"newsdesk/web"
)

// personalSlot is the element the article template leaves where the
// reader's own block goes; the cached page is split around it.
const personalSlot = "<nd-personal-slot></nd-personal-slot>"

// articleEntry is a rendered article page: the halves around the personal
// block, and the whole page as served to readers without a history.
type articleEntry struct {
	article *newsdesk.Article
	// lists is the other articles the page lists (coverage, related,
	// most read), so that a change to one of them marks it stale.
	lists  []int64
	path   string
	prefix []byte
	suffix []byte
	anon   *rendered

	// The halves compressed once, as pieces of one DEFLATE stream: a
	// personal page in gzip is the halves' pieces around its block's
	// (see personalPage), with no compression per request.
	prefixZ   []byte // ends with a sync flush
	suffixZ   []byte // ends the stream
	prefixCRC uint32
}

type articlePage struct {
	page
	Article  *newsdesk.Article
	Licence  newsdesk.Licence
	Updated  bool
	Dateline string
	// LeadImage is false when the body already shows the lead image (many
	// pages open their text with it): it is not shown twice.
	LeadImage bool
	Coverage  *coverage
	Related   []*newsdesk.Article
}

// lists is the IDs of the articles the page lists besides its own.
func (p *articlePage) lists() []int64 {
	var ids []int64
	if p.Coverage != nil {
		for _, x := range p.Coverage.Articles {
			ids = append(ids, x.ID)
		}
	}
	for _, x := range p.Related {
		ids = append(ids, x.ID)
	}
	return ids
}

type coverage struct {
	Story    *newsdesk.Story
	Articles []*newsdesk.Article
}

type personalBlock struct {
	Personal bool
	Note     string
	Items    []recItem
}

type recItem struct {
	Article   *newsdesk.Article
	Reason    string
	BecauseOf *newsdesk.Article
}

// Limits of the article page's lists.
const (
	relatedLimit   = 5
	recommendLimit = 5
	coverageLimit  = 8
	mostReadWindow = 7 * 24 * time.Hour
)

func (h *Handler) articleRedirect(w http.ResponseWriter, r *http.Request) {
	id, err := parseID(r, "id")
	if err != nil {
		h.fail(w, r, err)
		return
	}
	e, err := h.articleEntry(r.Context(), id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	http.Redirect(w, r, e.path, http.StatusMovedPermanently)
}

func (h *Handler) article(w http.ResponseWriter, r *http.Request) {
	id, err := parseID(r, "id")
	if err != nil {
		h.fail(w, r, err)
		return
	}
	e, err := h.articleEntry(r.Context(), id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if r.PathValue("slug") != e.article.Slug || r.URL.RawQuery != "" {
		http.Redirect(w, r, e.path, http.StatusMovedPermanently)
		return
	}
	rd := h.reader(w, r)
	if !rd.returning || h.recommend == nil || !h.servePersonal(w, r, e, rd.id) {
		e.anon.serve(w, r, hdrHTML, hdrPrivate, hdrVaryCookie)
	}
	// The view is written behind the request (the reader never waits for
	// the database's commit), and a repeat of a view written lately is not
	// written again.
	if now := h.now(); rd.track && h.views.first(rd.id, id, now) {
		h.reads.add(newsdesk.ReadEvent{ReaderID: rd.id, ArticleID: id, At: now})
	}
}

// servePersonal writes the cached halves around the reader's own
// recommendations. It reports false, having written nothing, when the
// recommender fails or has nothing to recommend: the cached page is then
// served as to any reader.
func (h *Handler) servePersonal(w http.ResponseWriter, r *http.Request, e *articleEntry, readerID string) bool {
	rr, err := h.readerRecommendations(r, readerID, e.article)
	if err != nil {
		// The reader's id is kept out of the log, even where an error
		// message names it.
		h.log.WarnContext(r.Context(), "recommend", "article_id", e.article.ID,
			"err", strings.ReplaceAll(err.Error(), readerID, "[reader]"))
		return false
	}
	p, err := rr.page(h, e)
	if err != nil {
		h.log.ErrorContext(r.Context(), "render recommendations", "article_id", e.article.ID, "err", err)
		return false
	}
	if p.block == nil {
		// Nothing personal to say yet: the cached page's most-read list.
		return false
	}
	hd := w.Header()
	hd["Content-Type"] = hdrHTML
	hd["Cache-Control"] = hdrPrivate
	hd["Vary"] = hdrVaryCookie
	hd["X-Content-Type-Options"] = hdrNosniff
	gz := web.AcceptsGzip(r)
	if gz {
		hd["Content-Encoding"] = hdrGzip
		hd["Content-Length"] = p.gzLenHdr
	} else {
		hd["Content-Length"] = p.lenHdr
	}
	w.WriteHeader(http.StatusOK)
	if r.Method == http.MethodHead {
		return true
	}
	// One write of the whole body: net/http then sends it in as few
	// system calls as its buffering allows.
	buf := h.getBuf()
	defer h.putBuf(buf)
	if gz {
		buf.Grow(p.gzLen)
		buf.Write(gzipHeader[:])
		buf.Write(e.prefixZ)
		buf.Write(p.blockZ)
		buf.Write(e.suffixZ)
		var trailer [8]byte
		binary.LittleEndian.PutUint32(trailer[:4], p.crc)
		binary.LittleEndian.PutUint32(trailer[4:], uint32(p.size))
		buf.Write(trailer[:])
	} else {
		buf.Grow(p.size)
		buf.Write(e.prefix)
		buf.Write(p.block)
		buf.Write(e.suffix)
	}
	w.Write(buf.Bytes())
	return true
}

// articleEntry returns the cached article page, rendering it on a miss.
func (h *Handler) articleEntry(ctx context.Context, id int64) (*articleEntry, error) {
	e, stale, ok := h.articles.getStale(id, h.now())
	h.obs.CacheLookup(ok, stale)
	if ok && !stale {
		return e, nil
	}
	// Other requests may wait for this render, or none: it finishes even
	// if this request's client goes away.
	run := func() (*articleEntry, error) {
		return h.renderArticle(context.WithoutCancel(ctx), id, h.now())
	}
	if ok {
		// Served as it was, rendered again behind the request (Refresh).
		h.articleFlight.background(id, &h.background, run)
		return e, nil
	}
	return h.articleFlight.do(id, run)
}

// renderArticle renders an article page and caches it.
func (h *Handler) renderArticle(ctx context.Context, id int64, now time.Time) (*articleEntry, error) {
	gen := h.articles.generation()
	a, err := h.store.Article(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("article %d: %w", id, err)
	}
	if a.Status == newsdesk.StatusUnpublished {
		return nil, newsdesk.Errorf(newsdesk.ENOTFOUND, "This report is not available.")
	}
	p, err := h.articleData(ctx, a)
	if err != nil {
		return nil, err
	}
	buf := h.getBuf()
	defer h.putBuf(buf)
	if err := h.web.Render(buf, "site/article", p); err != nil {
		return nil, err
	}
	prefix, suffix, ok := bytes.Cut(buf.Bytes(), []byte(personalSlot))
	if !ok {
		return nil, fmt.Errorf("article %d: template has no personal slot", id)
	}
	e := &articleEntry{article: a, lists: p.lists(), path: a.Path(), prefix: bytes.Clone(prefix), suffix: bytes.Clone(suffix)}
	e.prefixZ = deflatePiece(e.prefix, flate.BestCompression, false)
	e.suffixZ = deflatePiece(e.suffix, flate.BestCompression, true)
	e.prefixCRC = crc32.ChecksumIEEE(e.prefix)
	anon, err := h.anonymousBlock(ctx, a)
	if err != nil {
		return nil, err
	}
	block := h.getBuf()
	defer h.putBuf(block)
	if err := h.web.RenderBlock(block, "site/article", "personal", anon); err != nil {
		return nil, err
	}
	for _, it := range anon.Items {
		e.lists = append(e.lists, it.Article.ID)
	}
	whole := make([]byte, 0, len(prefix)+block.Len()+len(suffix))
	whole = append(append(append(whole, prefix...), block.Bytes()...), suffix...)
	e.anon = newRendered(http.StatusOK, whole)
	h.articles.put(id, e, gen, now)
	return e, nil
}

// anonymousBlock is "Recommended to you" for a reader without a history:
// the most-read reports of the article's section this week, or its latest
// when nothing has been read yet.
func (h *Handler) anonymousBlock(ctx context.Context, a *newsdesk.Article) (personalBlock, error) {
	var sectionID int64
	scope := h.name
	if ps := a.PrimarySection(); ps != nil {
		sectionID, scope = ps.ID, ps.Name
	}
	block := personalBlock{Note: "Most read in " + scope + " this week."}
	counts, err := h.mostReadCounts(ctx, sectionID, mostReadWindow, recommendLimit+1, h.now())
	if err != nil {
		return block, fmt.Errorf("most read: %w", err)
	}
	ids := make([]int64, 0, len(counts))
	for _, c := range counts {
		if c.ArticleID != a.ID {
			ids = append(ids, c.ArticleID)
		}
	}
	var arts []*newsdesk.Article
	if len(ids) > 0 {
		got, _, err := h.store.Articles(ctx, newsdesk.ArticleFilter{IDs: ids, Limit: len(ids), NoTotal: true, Cards: true})
		if err != nil {
			return block, fmt.Errorf("most read articles: %w", err)
		}
		byID := make(map[int64]*newsdesk.Article, len(got))
		for _, g := range got {
			byID[g.ID] = g
		}
		for _, id := range ids {
			if g := byID[id]; g != nil {
				arts = append(arts, g)
			}
		}
	} else {
		block.Note = "Latest in " + scope + "."
		f := newsdesk.ArticleFilter{ExcludeDuplicates: true, Limit: recommendLimit + 1, NoTotal: true, Cards: true}
		if sectionID != 0 {
			f.SectionID = &sectionID
		}
		got, _, err := h.store.Articles(ctx, f)
		if err != nil {
			return block, fmt.Errorf("latest in section: %w", err)
		}
		for _, g := range got {
			if g.ID != a.ID {
				arts = append(arts, g)
			}
		}
	}
	for _, g := range arts[:min(len(arts), recommendLimit)] {
		block.Items = append(block.Items, recItem{Article: g})
	}
	return block, nil
}

// licenceOf is the article's licence, full when none is recorded.
func licenceOf(a *newsdesk.Article) newsdesk.Licence {
	switch a.Licence {
	case newsdesk.LicenceExcerpt, newsdesk.LicenceHeadline:
		return a.Licence
	}
	return newsdesk.LicenceFull
}

func (h *Handler) articleData(ctx context.Context, a *newsdesk.Article) (*articlePage, error) {
	path := a.Path()
	p := &articlePage{page: h.basePage(ctx, a.Headline, path), Article: a, Licence: licenceOf(a)}
	p.LeadImage = a.ImageURL != "" && p.Licence != newsdesk.LicenceHeadline &&
		!strings.Contains(a.Body, `src="`+html.EscapeString(a.ImageURL)+`"`)
	p.Updated = !a.UpdatedAt.IsZero() && a.UpdatedAt.Sub(a.PublishedAt) >= time.Minute
	if p.Licence != newsdesk.LicenceHeadline {
		p.Description = web.Excerpt(40, a.Lede)
	}
	if p.Description == "" {
		p.Description = a.Source + ": " + a.Headline
	}
	p.Dateline = dateline(a, p.Licence)

	// Breadcrumbs: Home › Region › Country › headline.
	t, err := h.tree(ctx)
	if err != nil {
		return nil, err
	}
	var primary *newsdesk.Section
	if ps := a.PrimarySection(); ps != nil {
		primary = t.ByID(ps.ID)
		p.markCurrent(t, ps.ID)
	}
	p.Breadcrumbs = append(sectionCrumbs(t, primary), crumb{Name: a.Headline, Path: path, Current: true})
	if primary != nil {
		p.Alternates = feedAlternates(primary.Path(), h.name+": "+primary.Name)
	} else {
		p.Alternates = feedAlternates("", h.name)
	}

	if p.Coverage, err = h.coverage(ctx, a); err != nil {
		return nil, err
	}
	if p.Related, err = h.relatedTo(ctx, a); err != nil {
		return nil, err
	}

	p.OG = &openGraph{
		Type: "article", Title: a.Headline, Description: p.Description, URL: p.Canonical,
		Image: h.absImage(a.ImageURL), SiteName: h.name, Locale: strings.ReplaceAll(web.Lang(a.Language), "-", "_"),
		PublishedTime: rfc3339(a.PublishedAt), ModifiedTime: rfc3339(modified(a)),
	}
	if primary != nil {
		p.OG.Section = primary.Name
	}
	lds, err := h.articleJSONLD(a, p)
	if err != nil {
		return nil, err
	}
	p.JSONLD = lds
	return p, nil
}

// dateline is the dateline to show above the text when the text shown does
// not already open with it (a body cut by the licence, or a dateline found
// in the feed's metadata).
func dateline(a *newsdesk.Article, l newsdesk.Licence) string {
	if a.DatelinePlace == "" || l == newsdesk.LicenceHeadline {
		return ""
	}
	shown := a.Text
	if l == newsdesk.LicenceExcerpt || shown == "" {
		shown = a.Lede
	}
	place, _, _ := strings.Cut(a.DatelinePlace, ",")
	head := shown[:min(len(shown), 200)]
	if strings.Contains(strings.ToLower(head), strings.ToLower(strings.TrimSpace(place))) {
		return ""
	}
	d := strings.ToUpper(place) + a.DatelinePlace[len(place):]
	if a.DatelineAgency != "" {
		d += " (" + a.DatelineAgency + ")"
	}
	return d + " —"
}

func (h *Handler) coverage(ctx context.Context, a *newsdesk.Article) (*coverage, error) {
	if a.StoryID == 0 {
		return nil, nil
	}
	st, err := h.store.Story(ctx, a.StoryID)
	if newsdesk.ErrorCode(err) == newsdesk.ENOTFOUND {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("story of article %d: %w", a.ID, err)
	}
	if st.Articles <= 1 {
		return nil, nil
	}
	sid := st.ID
	arts, _, err := h.store.Articles(ctx, newsdesk.ArticleFilter{StoryID: &sid, Oldest: true, Limit: coverageLimit + 1, NoTotal: true, Cards: true})
	if err != nil {
		return nil, fmt.Errorf("coverage of article %d: %w", a.ID, err)
	}
	arts = slices.DeleteFunc(arts, func(x *newsdesk.Article) bool { return x.ID == a.ID })
	if len(arts) == 0 {
		return nil, nil
	}
	return &coverage{Story: st, Articles: arts[:min(len(arts), coverageLimit)]}, nil
}

// relatedTo is "You might also like": never the article itself nor a
// near-copy of it.
func (h *Handler) relatedTo(ctx context.Context, a *newsdesk.Article) ([]*newsdesk.Article, error) {
	var arts []*newsdesk.Article
	if h.related != nil {
		got, err := h.related.Related(ctx, a, relatedLimit+2)
		if err != nil {
			return nil, fmt.Errorf("related to article %d: %w", a.ID, err)
		}
		arts = got
	} else if len(a.Entities) > 0 {
		ids := make([]int64, 0, len(a.Entities))
		for _, e := range a.Entities {
			ids = append(ids, e.ID)
		}
		got, _, err := h.store.Articles(ctx, newsdesk.ArticleFilter{AnyEntity: ids, ExcludeDuplicates: true, Limit: relatedLimit + 2, NoTotal: true, Cards: true})
		if err != nil {
			return nil, fmt.Errorf("related to article %d: %w", a.ID, err)
		}
		arts = got
	}
	out := make([]*newsdesk.Article, 0, relatedLimit)
	for _, x := range arts {
		if x == nil || x.ID == a.ID || x.DuplicateOf == a.ID || (a.DuplicateOf != 0 && x.ID == a.DuplicateOf) ||
			(a.Fingerprint != "" && x.Fingerprint == a.Fingerprint) {
			continue
		}
		out = append(out, x)
		if len(out) == relatedLimit {
			break
		}
	}
	return out, nil
}

func rfc3339(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

func modified(a *newsdesk.Article) time.Time {
	if a.UpdatedAt.After(a.PublishedAt) {
		return a.UpdatedAt
	}
	return a.PublishedAt
}

// JSON-LD documents of the article page (schema.org).
type ldThing = map[string]any

func (h *Handler) articleJSONLD(a *newsdesk.Article, p *articlePage) ([]template.JS, error) {
	article := ldThing{
		"@context":         "https://schema.org",
		"@type":            "NewsArticle",
		"headline":         a.Headline,
		"description":      p.Description,
		"datePublished":    rfc3339(a.PublishedAt),
		"dateModified":     rfc3339(modified(a)),
		"mainEntityOfPage": ldThing{"@type": "WebPage", "@id": p.Canonical},
		"url":              p.Canonical,
		"publisher":        h.publisherLD(),
		"inLanguage":       cmp.Or(web.Lang(a.Language), h.lang),
	}
	if a.URL != "" {
		article["isBasedOn"] = a.URL
	}
	if a.ImageURL != "" {
		article["image"] = []string{h.absImage(a.ImageURL)}
	}
	if a.Author != "" {
		article["author"] = ldThing{"@type": "Person", "name": a.Author}
	} else if a.Source != "" {
		article["author"] = ldThing{"@type": "Organization", "name": a.Source}
	}
	if a.Source != "" {
		article["sourceOrganization"] = ldThing{"@type": "Organization", "name": a.Source}
	}
	if p.OG.Section != "" {
		article["articleSection"] = p.OG.Section
	}
	items := make([]ldThing, 0, len(p.Breadcrumbs))
	for i, c := range p.Breadcrumbs {
		items = append(items, ldThing{"@type": "ListItem", "position": i + 1, "name": c.Name, "item": h.baseURL + c.Path})
	}
	crumbs := ldThing{"@context": "https://schema.org", "@type": "BreadcrumbList", "itemListElement": items}
	var out []template.JS
	for _, v := range []any{article, crumbs} {
		js, err := web.JSONLD(v)
		if err != nil {
			return nil, err
		}
		out = append(out, js)
	}
	return out, nil
}

// publisherLD is the site as a schema.org Organization, with its logo.
func (h *Handler) publisherLD() ldThing {
	org := ldThing{"@type": "Organization", "name": h.name, "url": h.baseURL + "/"}
	if logo, err := h.web.AssetURL("img/logo.svg"); err == nil {
		org["logo"] = ldThing{"@type": "ImageObject", "url": h.baseURL + logo}
	}
	return org
}

// absImage is the absolute address of an article image as the site serves
// it (through its image proxy when there is one), for OpenGraph and JSON-LD.
func (h *Handler) absImage(src string) string {
	u := h.web.ImageURL(src, 1280)
	if strings.HasPrefix(u, "/") {
		return h.baseURL + u
	}
	return u
}

// A reader's recommendations are kept for a short while: a returning
// reader's profile barely moves between two pages, and computing it is the
// dearest part of their article view. The articles the reader opens in the
// meantime are struck from the kept list, so nothing read is recommended.
const (
	readerRecsTTL     = 30 * time.Second
	readerRecsEntries = 20000
)

type readerRecs struct {
	recs []newsdesk.Recommendation
	mu   sync.Mutex
	seen map[int64]bool // articles viewed since the list was computed
	// seenN is len(seen), readable without mu.
	seenN atomic.Int64
	// last is the personal page made most recently from recs.
	last atomic.Pointer[personalPage]
}

// personalPage is a reader's "Recommended to you" for one article page,
// kept with the reader's recommendations: reloading a page, or several tabs
// of it, writes the kept bytes without rendering anything.
type personalPage struct {
	entry *articleEntry // the page it was made for
	seenN int64         // readerRecs.seenN when it was made

	block    []byte // the rendered block; nil when there is nothing to recommend
	blockZ   []byte // block as a DEFLATE piece between entry's prefixZ and suffixZ
	size     int    // of the whole page
	lenHdr   []string
	crc      uint32 // CRC-32 of the whole page, for the gzip trailer
	gzLen    int
	gzLenHdr []string
}

// page returns the reader's personal page around e, made at most once per
// article page and change of what the reader has seen.
func (rr *readerRecs) page(h *Handler, e *articleEntry) (*personalPage, error) {
	if p := rr.last.Load(); p != nil && p.entry == e && p.seenN == rr.seenN.Load() {
		// Made for this page after it was marked seen: nothing changed.
		return p, nil
	}
	rr.mu.Lock()
	defer rr.mu.Unlock()
	if !rr.seen[e.article.ID] {
		rr.seen[e.article.ID] = true
		rr.seenN.Add(1)
	}
	n := rr.seenN.Load()
	if p := rr.last.Load(); p != nil && p.entry == e && p.seenN == n {
		return p, nil
	}
	p := &personalPage{entry: e, seenN: n}
	block := personalBlock{Personal: true, Items: make([]recItem, 0, recommendLimit)}
	for _, rc := range rr.recs {
		if rc.Article == nil || rc.Article.ID == e.article.ID || rr.seen[rc.Article.ID] || len(block.Items) == recommendLimit {
			continue
		}
		block.Items = append(block.Items, recItem{Article: rc.Article, Reason: rc.Reason, BecauseOf: rc.BecauseOf})
	}
	if len(block.Items) > 0 {
		buf := h.getBuf()
		defer h.putBuf(buf)
		if err := h.web.RenderBlock(buf, "site/article", "personal", block); err != nil {
			return nil, err
		}
		p.block = bytes.Clone(buf.Bytes())
		p.blockZ = deflatePiece(p.block, flate.DefaultCompression, false)
		p.size = len(e.prefix) + len(p.block) + len(e.suffix)
		p.lenHdr = []string{strconv.Itoa(p.size)}
		p.crc = crc32.Update(crc32.Update(e.prefixCRC, crc32.IEEETable, p.block), crc32.IEEETable, e.suffix)
		p.gzLen = len(gzipHeader) + len(e.prefixZ) + len(p.blockZ) + len(e.suffixZ) + 8
		p.gzLenHdr = []string{strconv.Itoa(p.gzLen)}
	}
	rr.last.Store(p)
	return p, nil
}

// gzipHeader opens a gzip member (RFC 1952) without name or time.
var gzipHeader = [10]byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff}

// deflaters keeps compressors between renders, one pool for each level
// used: a new one allocates some 800 KiB of state, several times the work
// of compressing a page.
var deflaters = map[int]*sync.Pool{
	flate.DefaultCompression: deflaterPool(flate.DefaultCompression),
	flate.BestCompression:    deflaterPool(flate.BestCompression),
}

func deflaterPool(level int) *sync.Pool {
	return &sync.Pool{New: func() any {
		zw, _ := flate.NewWriter(nil, level)
		return zw
	}}
}

// deflatePiece compresses p as raw DEFLATE blocks. A piece that is not
// final ends with a sync flush, on a byte boundary, so that another
// piece's blocks may follow it in one stream; the final piece ends the
// stream. Pieces never refer back into one another.
func deflatePiece(p []byte, level int, final bool) []byte {
	var out bytes.Buffer
	var zw *flate.Writer
	if pool := deflaters[level]; pool != nil {
		zw = pool.Get().(*flate.Writer)
		defer pool.Put(zw)
		zw.Reset(&out)
		defer zw.Reset(nil)
	} else {
		zw, _ = flate.NewWriter(&out, level)
	}
	zw.Write(p)
	if final {
		zw.Close()
	} else {
		zw.Flush()
	}
	return bytes.Clone(out.Bytes())
}

func (h *Handler) readerRecommendations(r *http.Request, readerID string, current *newsdesk.Article) (*readerRecs, error) {
	now := h.now()
	if rr, ok := h.recs.get(readerID, now); ok {
		return rr, nil
	}
	gen := h.recs.generation()
	recs, err := h.recommend.Recommend(r.Context(), readerID, current, 2*recommendLimit+1)
	if err != nil {
		return nil, err
	}
	rr := &readerRecs{recs: recs, seen: map[int64]bool{}}
	h.recs.put(readerID, rr, gen, now)
	return rr, nil
}
