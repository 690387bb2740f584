// Package ingest runs the pipeline from a source to stored, indexed
// articles: fetch → parse → extract → sanitize → enrich → store → index.
// It knows the stages only through the fields of Pipeline, which
// cmd/newsdesk fills with the concrete packages, and reaches the database
// only through the root interfaces.
package ingest

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"newsdesk"
	"newsdesk/metrics"
)

// FetchRequest asks for one document, conditionally when validators are set.
type FetchRequest struct {
	URL          string
	ETag         string
	LastModified string
	Accept       string
}

// FetchResponse is one fetched document.
type FetchResponse struct {
	URL          string // final URL after redirects
	NotModified  bool
	Body         []byte
	ContentType  string
	ETag         string
	LastModified string
	RetryAfter   time.Duration
}

// Extracted is the main content and metadata of an article page.
type Extracted struct {
	Title        string
	Byline       string
	SiteName     string
	Lang         string
	Description  string
	CanonicalURL string
	ImageURL     string
	Published    time.Time
	Modified     time.Time
	HTML         string // main content, not yet sanitized
	Text         string
}

// Enricher files and connects an article before it is stored, and is told
// of stored batches afterwards.
type Enricher interface {
	Enrich(ctx context.Context, a *newsdesk.Article) error
	Stored(ctx context.Context, articles []*newsdesk.Article)
}

// Store is what the pipeline needs of the database.
type Store interface {
	ArticleExists(ctx context.Context, sourceID int64, guid, url string) (int64, error)
	Article(ctx context.Context, id int64) (*newsdesk.Article, error)
	UpsertArticles(ctx context.Context, sourceID int64, articles []*newsdesk.Article) ([]*newsdesk.Article, error)
	RecordFetch(ctx context.Context, id int64, r newsdesk.FetchResult) error
}

// Indexer adds stored articles to the search index.
type Indexer interface {
	Index(ctx context.Context, articles []*newsdesk.Article) error
}

// Documenter is an Indexer that also gives the search documents of stored
// articles: with a Store that is an IndexingStore, a batch's documents are
// written in the batch's own transaction.
type Documenter interface {
	Documents(ctx context.Context, articles []*newsdesk.Article) ([]newsdesk.SearchDoc, error)
}

// IndexingStore is a Store that stores a batch and its search documents
// in one transaction (newsdesk.ArticleStore.UpsertArticlesIndexed).
type IndexingStore interface {
	UpsertArticlesIndexed(ctx context.Context, sourceID int64, articles []*newsdesk.Article,
		docs func(ctx context.Context, stored []*newsdesk.Article) ([]newsdesk.SearchDoc, error)) ([]*newsdesk.Article, error)
}

// Pipeline holds the stages. Fetch, ParseFeed, Extract, Sanitize and Text
// are required; Enrich, Store, Index, Allowed and OnStored are optional (a
// nil Store makes a dry run).
type Pipeline struct {
	Fetch     func(ctx context.Context, r FetchRequest) (*FetchResponse, error)
	ParseFeed func(base *url.URL, body []byte, contentType string) (*newsdesk.Feed, error)
	Extract   func(base *url.URL, html []byte) (*Extracted, error)
	Sanitize  func(base *url.URL, html string) string
	Text      func(html string) string
	// SanitizeText, when set, does Sanitize and then Text in one step
	// (one HTML parse instead of two); it must give what they give.
	SanitizeText func(base *url.URL, html string) (body, text string)
	// Allowed reports whether robots.txt lets the site fetch an article page.
	Allowed func(ctx context.Context, pageURL string) (bool, error)
	Enrich  Enricher
	Store   Store
	Index   Indexer
	// OnStored is called after a batch is stored (to drop cached pages).
	OnStored func(created, updated []*newsdesk.Article)
	// OnFeed, when set, is told of every feed document parsed (to follow
	// the WebSub hub it names).
	OnFeed func(ctx context.Context, src *newsdesk.Source, feed *newsdesk.Feed)
	// Pushed, when set, reports whether a hub pushes the source's updates;
	// a healthy pushed source is polled only every MaxInterval.
	Pushed func(ctx context.Context, src *newsdesk.Source) bool

	// Metrics records fetches, stored articles and stage errors; may be nil.
	Metrics *metrics.Metrics

	// PageWorkers bounds concurrent article-page fetches per source.
	PageWorkers int
	// MinBodyRunes: a feed item whose content is shorter is completed from
	// its page when the source allows page fetches.
	MinBodyRunes int
	Now          func() time.Time
	Logger       *slog.Logger

	// commit serialises enrich → store → index so that the story and
	// duplicate indexes see every stored article before the next batch is
	// enriched, even when sources are ingested concurrently.
	commit sync.Mutex
}

// Result is what one run over a source did.
type Result struct {
	Items       int
	Created     int
	Updated     int
	Skipped     int
	NotModified bool
	ItemsPerDay float64
	Articles    []*newsdesk.Article // every article built (dry runs print them)
	Warnings    []string            // per-item problems that did not fail the run
}

func (p *Pipeline) now() time.Time {
	if p.Now != nil {
		return p.Now()
	}
	return time.Now()
}

func (p *Pipeline) logger() *slog.Logger {
	if p.Logger != nil {
		return p.Logger
	}
	return slog.Default()
}

// RunSource fetches a source once and stores what is new or changed. The
// outcome, good or bad, is recorded on the source (when there is a store);
// the returned error is the same readable reason.
func (p *Pipeline) RunSource(ctx context.Context, src *newsdesk.Source) (*Result, error) {
	started := p.now()
	var (
		res *Result
		err error
		fr  *FetchResponse
	)
	switch src.Kind {
	case newsdesk.SourceFeed:
		res, fr, err = p.runFeed(ctx, src)
	case newsdesk.SourcePage:
		res, fr, err = p.runPage(ctx, src)
	default:
		return nil, newsdesk.Errorf(newsdesk.EINVALID, "Source %d is %s: nothing to fetch.", src.ID, src.Kind)
	}
	p.Metrics.SourceRun(outcome(res, err), p.now().Sub(started))
	if p.Store != nil && ctx.Err() == nil {
		rec := newsdesk.FetchResult{At: started, OK: err == nil}
		if err != nil {
			rec.Error = err.Error()
		}
		if fr != nil {
			rec.ETag, rec.LastModified = fr.ETag, fr.LastModified
		}
		if res != nil {
			rec.Items, rec.Created, rec.ItemsPerDay = res.Items, res.Created, res.ItemsPerDay
		}
		var retry time.Duration
		if fr != nil {
			retry = fr.RetryAfter
		}
		var ra interface{ RetryAfterDuration() time.Duration }
		if errors.As(err, &ra) {
			retry = ra.RetryAfterDuration()
		}
		rec.NextFetchAt = NextFetch(src, started, err == nil, res, retry)
		if later := started.Add(jitter(src, MaxInterval)); err == nil && p.Pushed != nil && later.After(rec.NextFetchAt) && p.Pushed(ctx, src) {
			rec.NextFetchAt = later
		}
		recStart := time.Now()
		rerr := p.Store.RecordFetch(ctx, src.ID, rec)
		p.Metrics.DB("record_fetch", time.Since(recStart))
		if rerr != nil {
			return res, errors.Join(err, fmt.Errorf("record fetch of source %d: %w", src.ID, rerr))
		}
	}
	return res, err
}

func (p *Pipeline) runFeed(ctx context.Context, src *newsdesk.Source) (*Result, *FetchResponse, error) {
	fr, err := p.Fetch(ctx, FetchRequest{URL: src.URL, ETag: src.ETag, LastModified: src.LastModified,
		Accept: "application/rss+xml, application/atom+xml, application/feed+json, application/json;q=0.9, application/xml;q=0.9, text/xml;q=0.8, */*;q=0.5"})
	p.Metrics.Fetch("feed", fetchOutcome(fr, err))
	if err != nil {
		return nil, nil, err
	}
	if fr.NotModified {
		return &Result{NotModified: true, ItemsPerDay: src.ItemsPerDay}, fr, nil
	}
	res, err := p.runDocument(ctx, src, fr.URL, fr.Body, fr.ContentType)
	return res, fr, err
}

// RunDocument runs the pipeline over a feed document already in hand, such
// as one a WebSub hub pushed, exactly as over a fetched one: parse →
// (extract) → sanitize → enrich → store → index. It does not record a fetch
// on the source.
func (p *Pipeline) RunDocument(ctx context.Context, src *newsdesk.Source, docURL string, body []byte, contentType string) (*Result, error) {
	return p.runDocument(ctx, src, docURL, body, contentType)
}

func (p *Pipeline) runDocument(ctx context.Context, src *newsdesk.Source, docURL string, body []byte, contentType string) (*Result, error) {
	base, err := url.Parse(docURL)
	if err != nil {
		return nil, fmt.Errorf("feed URL %q: %w", docURL, err)
	}
	feed, err := p.ParseFeed(base, body, contentType)
	if err != nil {
		p.Metrics.StageError("parse", "unrecoverable")
		return nil, err
	}
	if feed.Bozo {
		p.Metrics.StageError("parse", "recovered")
	}
	if p.OnFeed != nil {
		p.OnFeed(ctx, src, feed)
	}
	res := &Result{Items: len(feed.Items), ItemsPerDay: itemsPerDay(feed.Items, p.now())}
	if feed.Bozo {
		res.Warnings = append(res.Warnings, "feed recovered: "+feed.BozoReason)
	}
	// Oldest first, so that stories and duplicates point at the first report.
	items := append([]*newsdesk.Item(nil), feed.Items...)
	sort.SliceStable(items, func(i, j int) bool { return items[i].Published.Before(items[j].Published) })

	arts := make([]*newsdesk.Article, len(items))
	warns := make([]string, len(items))
	workers := max(p.PageWorkers, 1)
	sem := make(chan struct{}, workers)
	var wg sync.WaitGroup
	for i, it := range items {
		if ctx.Err() != nil {
			break
		}
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			a, warn := p.buildFromItem(ctx, src, feed, base, it)
			arts[i], warns[i] = a, warn
		}()
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return res, err
	}
	var batch []*newsdesk.Article
	for i, a := range arts {
		if warns[i] != "" {
			res.Warnings = append(res.Warnings, warns[i])
		}
		if a == nil {
			res.Skipped++
			continue
		}
		batch = append(batch, a)
	}
	if err := p.commitBatch(ctx, src, batch, res); err != nil {
		return res, err
	}
	return res, nil
}

func (p *Pipeline) runPage(ctx context.Context, src *newsdesk.Source) (*Result, *FetchResponse, error) {
	a, fr, err := p.articleFromPage(ctx, src, FetchRequest{URL: src.URL, ETag: src.ETag, LastModified: src.LastModified})
	if err != nil {
		return nil, fr, err
	}
	res := &Result{Items: 1}
	if a == nil { // not modified
		res.NotModified = true
		return res, fr, nil
	}
	if err := p.commitBatch(ctx, src, []*newsdesk.Article{a}, res); err != nil {
		return res, fr, err
	}
	return res, fr, nil
}

// RunURL fetches one article page and returns the article the pipeline
// would store, without storing it.
func (p *Pipeline) RunURL(ctx context.Context, pageURL string) (*newsdesk.Article, error) {
	src := &newsdesk.Source{Kind: newsdesk.SourcePage, URL: pageURL, Licence: newsdesk.LicenceFull}
	a, _, err := p.articleFromPage(ctx, src, FetchRequest{URL: pageURL})
	if err != nil {
		return nil, err
	}
	if p.Enrich != nil {
		if err := p.Enrich.Enrich(ctx, a); err != nil {
			return a, err
		}
	}
	return a, nil
}

// BuildFromHTML turns an article page already in hand into an article, as
// the pipeline would (extract → sanitize), without fetching or storing.
func (p *Pipeline) BuildFromHTML(base *url.URL, html []byte) (*newsdesk.Article, error) {
	ex, err := p.Extract(base, html)
	if err != nil {
		return nil, err
	}
	a := &newsdesk.Article{URL: base.String(), GUID: base.String(), FetchedAt: p.now()}
	p.applyExtracted(a, base, ex, true)
	p.finish(a, base)
	if ex.Text != "" {
		// The extractor's own plain text leaves out figure captions and
		// other furniture that the sanitized body keeps as markup.
		a.Text = ex.Text
	}
	return a, nil
}

func (p *Pipeline) articleFromPage(ctx context.Context, src *newsdesk.Source, req FetchRequest) (*newsdesk.Article, *FetchResponse, error) {
	if err := p.allowed(ctx, src, req.URL); err != nil {
		return nil, nil, err
	}
	req.Accept = "text/html, application/xhtml+xml;q=0.9, */*;q=0.5"
	fr, err := p.Fetch(ctx, req)
	p.Metrics.Fetch("page", fetchOutcome(fr, err))
	if err != nil {
		return nil, nil, err
	}
	if fr.NotModified {
		return nil, fr, nil
	}
	base, err := url.Parse(fr.URL)
	if err != nil {
		return nil, fr, fmt.Errorf("page URL %q: %w", fr.URL, err)
	}
	ex, err := p.Extract(base, fr.Body)
	if err != nil {
		p.Metrics.StageError("extract", "no_content")
		return nil, fr, fmt.Errorf("extract %s: %w", fr.URL, err)
	}
	canon := CanonicalURL(req.URL)
	a := &newsdesk.Article{
		SourceID: src.ID, Source: src.Name, URL: canon, GUID: canon,
		Language: src.Language, FetchedAt: p.now(),
	}
	p.applyExtracted(a, base, ex, true)
	p.finish(a, base)
	return a, fr, nil
}

func (p *Pipeline) allowed(ctx context.Context, src *newsdesk.Source, pageURL string) error {
	if p.Allowed == nil {
		return nil
	}
	ok, err := p.Allowed(ctx, pageURL)
	if err != nil {
		return fmt.Errorf("robots.txt for %s: %w", pageURL, err)
	}
	if !ok {
		return newsdesk.Errorf(newsdesk.EFORBIDDEN, "robots.txt of %s disallows fetching %s", hostOf(pageURL), pageURL)
	}
	return nil
}

// buildFromItem turns one feed item into an article, fetching and
// extracting its page when the source asks for full text or the feed
// carries only a summary. It returns nil for an item to skip, with the reason.
func (p *Pipeline) buildFromItem(ctx context.Context, src *newsdesk.Source, feed *newsdesk.Feed, base *url.URL, it *newsdesk.Item) (*newsdesk.Article, string) {
	link := it.Link
	if link != "" {
		if u, err := base.Parse(link); err == nil {
			link = u.String()
		}
	}
	canon := CanonicalURL(link)
	guid := strings.TrimSpace(it.GUID)
	if guid == "" {
		guid = canon
	}
	title := strings.TrimSpace(it.Title)
	if title == "" && guid == "" {
		return nil, "item without title, id or link skipped"
	}
	a := &newsdesk.Article{
		SourceID:    src.ID,
		Source:      src.Name,
		GUID:        guid,
		URL:         canon,
		Headline:    title,
		Author:      it.Author,
		ImageURL:    it.ImageURL,
		PublishedAt: it.Published.UTC(),
		UpdatedAt:   it.Updated.UTC(),
		FetchedAt:   p.now(),
		Language:    firstNonEmpty(it.Language, src.Language, feed.Language),
	}
	content := it.Content
	if len(content) < len(it.Summary) {
		content = it.Summary
	}
	body := content
	var ledeHTML string
	if it.Summary != "" && it.Summary != content {
		ledeHTML = it.Summary
	}

	// Complete from the page when the source wants full text, or when the
	// feed gave only a short summary, unless the source opted out of page
	// fetches.
	// The text of HTML has no more runes than the HTML has bytes, so short
	// HTML is known short without parsing it; longer HTML is cleaned once,
	// and what it gives is stored unless the page is fetched.
	fb := feedBody{html: body}
	canFetch := canon != "" && strings.HasPrefix(canon, "http") && src.Licence != newsdesk.LicenceHeadline && !src.NoPageFetch
	short := len(content) < p.minBodyRunes()
	if canFetch && !src.Extract && !short {
		short = utf8.RuneCountInString(fb.clean(p, base).text) < p.minBodyRunes()
	}
	if canFetch && (src.Extract || short) {
		if p.Store != nil {
			// A page already stored is not fetched again unless the feed says it changed.
			if id, err := p.Store.ArticleExists(ctx, src.ID, guid, canon); err == nil && id != 0 {
				if old, err := p.Store.Article(ctx, id); err == nil && old.Headline == collapseSpace(title) && !it.Updated.After(old.UpdatedAt) {
					return nil, ""
				}
			}
		}
		pa, _, err := p.articleFromPage(ctx, src, FetchRequest{URL: canon})
		switch {
		case err == nil && pa != nil:
			p.mergePage(a, pa)
			return a, ""
		case err != nil && content == "":
			return nil, fmt.Sprintf("item %q: %v", title, err)
		case err != nil:
			// Keep the feed's own text and say why the page was not used.
			p.fillFromFeed(a, base, &fb, ledeHTML)
			return a, fmt.Sprintf("item %q: kept the feed text: %v", title, err)
		}
	}
	p.fillFromFeed(a, base, &fb, ledeHTML)
	return a, ""
}

// feedBody is a feed item's body HTML, cleaned (sanitized, and its text
// taken) at most once.
type feedBody struct {
	html, body, text string
	cleaned          bool
}

func (fb *feedBody) clean(p *Pipeline, base *url.URL) *feedBody {
	if !fb.cleaned {
		fb.body, fb.text = p.clean(base, fb.html)
		fb.cleaned = true
	}
	return fb
}

func (p *Pipeline) fillFromFeed(a *newsdesk.Article, base *url.URL, fb *feedBody, ledeHTML string) {
	fb.clean(p, base)
	a.Body, a.Text = fb.body, fb.text
	if ledeHTML != "" {
		a.Lede = p.text(ledeHTML)
	}
	p.tidy(a)
}

// mergePage completes a feed article with what its page said: the page's
// body always wins; the feed's metadata wins where it has some.
func (p *Pipeline) mergePage(a, page *newsdesk.Article) {
	a.Body, a.Text, a.Lede = page.Body, page.Text, page.Lede
	if a.Headline == "" {
		a.Headline = page.Headline
	}
	if a.Author == "" {
		a.Author = page.Author
	}
	if a.ImageURL == "" {
		a.ImageURL, a.ImageAlt = page.ImageURL, page.ImageAlt
	}
	if a.PublishedAt.IsZero() {
		a.PublishedAt = page.PublishedAt
	}
	if a.UpdatedAt.IsZero() {
		a.UpdatedAt = page.UpdatedAt
	}
	if a.Language == "" {
		a.Language = page.Language
	}
}

func (p *Pipeline) applyExtracted(a *newsdesk.Article, base *url.URL, ex *Extracted, bodyFromPage bool) {
	if bodyFromPage {
		a.Body = ex.HTML
	}
	if a.Headline == "" {
		a.Headline = ex.Title
	}
	if a.Author == "" {
		a.Author = ex.Byline
	}
	if a.ImageURL == "" && ex.ImageURL != "" {
		if u, err := base.Parse(ex.ImageURL); err == nil {
			a.ImageURL = u.String()
		}
	}
	if a.PublishedAt.IsZero() {
		a.PublishedAt = ex.Published.UTC()
	}
	if a.UpdatedAt.IsZero() && !ex.Modified.IsZero() {
		a.UpdatedAt = ex.Modified.UTC()
	}
	if a.Language == "" {
		a.Language = ex.Lang
	}
	if ex.Description != "" && a.Lede == "" {
		a.Lede = strings.TrimSpace(ex.Description)
	}
}

// finish sanitizes the body (always the last step on HTML before storing)
// and derives the plain text, lede and missing times.
func (p *Pipeline) finish(a *newsdesk.Article, base *url.URL) {
	a.Body, a.Text = p.clean(base, a.Body)
	p.tidy(a)
}

// clean sanitizes body HTML and takes its text.
func (p *Pipeline) clean(base *url.URL, html string) (body, text string) {
	if p.SanitizeText != nil {
		return p.SanitizeText(base, html)
	}
	body = p.Sanitize(base, html)
	return body, p.text(body)
}

// tidy completes an article whose body is clean: headline, byline, lede,
// dates and status.
func (p *Pipeline) tidy(a *newsdesk.Article) {
	a.Headline = collapseSpace(a.Headline)
	a.Author = cleanByline(a.Author)
	if a.Lede == "" || looksLikeTruncation(a.Lede) {
		a.Lede = firstParagraph(a.Text)
	}
	a.Lede = collapseSpace(a.Lede)
	if a.Headline == "" {
		a.Headline = truncateRunes(a.Lede, 120)
	}
	if a.PublishedAt.IsZero() {
		a.PublishedAt = a.FetchedAt
	}
	if a.UpdatedAt.IsZero() || a.UpdatedAt.Before(a.PublishedAt) {
		a.UpdatedAt = a.PublishedAt
	}
	if a.Status == "" {
		a.Status = newsdesk.StatusPublished
	}
}

// commitBatch enriches, stores and indexes a batch under the commit lock.
func (p *Pipeline) commitBatch(ctx context.Context, src *newsdesk.Source, batch []*newsdesk.Article, res *Result) error {
	if len(batch) == 0 {
		return nil
	}
	p.commit.Lock()
	defer p.commit.Unlock()
	if p.Enrich != nil {
		kept := batch[:0]
		for _, a := range batch {
			if err := p.Enrich.Enrich(ctx, a); err != nil {
				res.Warnings = append(res.Warnings, fmt.Sprintf("item %q: %v", a.Headline, err))
				p.logger().WarnContext(ctx, "enrich failed", slog.Int64("source_id", src.ID), slog.String("url", a.URL), slog.Any("error", err))
			}
			kept = append(kept, a)
		}
		batch = kept
	}
	res.Articles = append(res.Articles, batch...)
	if p.Store == nil {
		return nil
	}
	valid := batch[:0]
	for _, a := range batch {
		if err := a.Validate(); err != nil {
			res.Skipped++
			res.Warnings = append(res.Warnings, fmt.Sprintf("item %q: %s", a.URL, newsdesk.ErrorMessage(err)))
			continue
		}
		valid = append(valid, a)
	}
	upsertStart := time.Now()
	// Articles and their search documents in one transaction when the
	// store can: a crash between two would leave stored articles out of
	// search, and ingest does not fetch them again.
	var created []*newsdesk.Article
	var err error
	is, indexing := p.Store.(IndexingStore)
	d, documents := p.Index.(Documenter)
	indexed := indexing && documents
	if indexed {
		created, err = is.UpsertArticlesIndexed(ctx, src.ID, valid, d.Documents)
	} else {
		created, err = p.Store.UpsertArticles(ctx, src.ID, valid)
	}
	p.Metrics.DB("upsert_articles", time.Since(upsertStart))
	if err != nil {
		return fmt.Errorf("store %d articles of source %d: %w", len(valid), src.ID, err)
	}
	isNew := make(map[*newsdesk.Article]bool, len(created))
	for _, a := range created {
		isNew[a] = true
	}
	var updated []*newsdesk.Article
	for _, a := range valid {
		if !isNew[a] && a.ID != 0 {
			updated = append(updated, a)
		}
	}
	res.Created += len(created)
	res.Updated += len(updated)
	if p.Metrics != nil {
		now := p.now()
		lags := make([]time.Duration, 0, len(created))
		for _, a := range created {
			lags = append(lags, now.Sub(a.PublishedAt))
		}
		p.Metrics.Stored(src.ID, len(created), len(updated), lags)
	}
	changed := append(append([]*newsdesk.Article(nil), created...), updated...)
	if p.Enrich != nil && len(changed) > 0 {
		p.Enrich.Stored(ctx, changed)
	}
	if p.Index != nil && !indexed && len(changed) > 0 {
		if err := p.Index.Index(ctx, changed); err != nil {
			return fmt.Errorf("index %d articles: %w", len(changed), err)
		}
	}
	if p.OnStored != nil && len(changed) > 0 {
		p.OnStored(created, updated)
	}
	return nil
}

func (p *Pipeline) text(html string) string {
	if html == "" {
		return ""
	}
	return p.Text(html)
}

func (p *Pipeline) minBodyRunes() int {
	if p.MinBodyRunes > 0 {
		return p.MinBodyRunes
	}
	return 600
}

// itemsPerDay estimates a publishing rate from the items' dates over the
// last 30 days.
func itemsPerDay(items []*newsdesk.Item, now time.Time) float64 {
	since := now.Add(-30 * 24 * time.Hour)
	var n int
	oldest := now
	for _, it := range items {
		if it.Published.IsZero() || it.Published.Before(since) || it.Published.After(now.Add(time.Hour)) {
			continue
		}
		n++
		if it.Published.Before(oldest) {
			oldest = it.Published
		}
	}
	if n == 0 {
		return 0
	}
	days := now.Sub(oldest).Hours() / 24
	if days < 1 {
		days = 1
	}
	return float64(n) / days
}

// outcome names a source run for metrics.
func outcome(res *Result, err error) string {
	switch {
	case err != nil:
		return "error"
	case res != nil && res.NotModified:
		return "not_modified"
	}
	return "ok"
}

// fetchOutcome names a fetch for metrics: ok, not_modified, or the error's
// kind when it has one ("blocked", "timeout", "status", ...).
func fetchOutcome(fr *FetchResponse, err error) string {
	if err != nil {
		var k interface{ ErrorKind() string }
		if errors.As(err, &k) {
			return k.ErrorKind()
		}
		return "error"
	}
	if fr != nil && fr.NotModified {
		return "not_modified"
	}
	return "ok"
}
