package site

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"newsdesk"
	"newsdesk/syndication"
)

// feedLength is how many articles a feed carries.
const feedLength = 50

var (
	hdrRSS   = []string{"application/rss+xml; charset=utf-8"}
	hdrAtom  = []string{"application/atom+xml; charset=utf-8"}
	hdrJSON  = []string{"application/feed+json; charset=utf-8"}
	hdrXML   = []string{"application/xml; charset=utf-8"}
	hdrPlain = []string{"text/plain; charset=utf-8"}
)

// feedScope is what a feed covers: the whole site, a section, an entity or
// a source.
type feedScope struct {
	title  string
	desc   string
	path   string // page the feed mirrors ("" for the home page)
	filter newsdesk.ArticleFilter
}

func (h *Handler) registerFeeds(mux *http.ServeMux) {
	for _, kind := range []string{"feed.xml", "atom.xml", "feed.json"} {
		mux.HandleFunc("GET /"+kind, h.feed(kind, h.siteScope))
		mux.HandleFunc("GET /section/{slug}/"+kind, h.feed(kind, h.sectionScope))
		mux.HandleFunc("GET /entity/{slug}/"+kind, h.feed(kind, h.entityScope))
		mux.HandleFunc("GET /source/{id}/"+kind, h.feed(kind, h.sourceScope))
	}
	mux.HandleFunc("GET "+syndication.SitemapPath, h.sitemap)
	mux.HandleFunc("GET /sitemaps/{part}", h.sitemapPart)
	mux.HandleFunc("GET "+syndication.NewsSitemapPath, h.newsSitemap)
	if syndication.NewsSitemapPath != "/news-sitemap.xml" {
		mux.HandleFunc("GET /news-sitemap.xml", h.newsSitemap)
	}
	mux.HandleFunc("GET /robots.txt", h.robots)
}

func (h *Handler) siteScope(ctx context.Context, r *http.Request) (feedScope, error) {
	return feedScope{title: h.name, desc: "Latest news from " + h.name + ".", filter: newsdesk.ArticleFilter{ExcludeDuplicates: true}}, nil
}

func (h *Handler) sectionScope(ctx context.Context, r *http.Request) (feedScope, error) {
	t, err := h.tree(ctx)
	if err != nil {
		return feedScope{}, err
	}
	s := t.BySlug(r.PathValue("slug"))
	if s == nil {
		return feedScope{}, newsdesk.Errorf(newsdesk.ENOTFOUND, "There is no such section.")
	}
	id := s.ID
	return feedScope{title: h.name + ": " + s.Name, desc: "Latest news from " + s.Name + ".", path: s.Path(),
		filter: newsdesk.ArticleFilter{SectionID: &id, ExcludeDuplicates: true}}, nil
}

func (h *Handler) entityScope(ctx context.Context, r *http.Request) (feedScope, error) {
	e, err := h.store.EntityBySlug(ctx, r.PathValue("slug"))
	if err != nil {
		return feedScope{}, err
	}
	id := e.ID
	return feedScope{title: h.name + ": " + e.Name, desc: "Reports naming " + e.Name + ".", path: e.Path(),
		filter: newsdesk.ArticleFilter{EntityID: &id, ExcludeDuplicates: true}}, nil
}

func (h *Handler) sourceScope(ctx context.Context, r *http.Request) (feedScope, error) {
	id, err := parseID(r, "id")
	if err != nil {
		return feedScope{}, err
	}
	s, err := h.store.Source(ctx, id)
	if err != nil {
		return feedScope{}, err
	}
	return feedScope{title: h.name + ": " + s.Name, desc: "Latest reports from " + s.Name + ".", path: sourcePath(id),
		filter: newsdesk.ArticleFilter{SourceID: &id}}, nil
}

// feed serves one feed document of a scope.
func (h *Handler) feed(kind string, scope func(context.Context, *http.Request) (feedScope, error)) http.HandlerFunc {
	ctype := map[string][]string{"feed.xml": hdrRSS, "atom.xml": hdrAtom, "feed.json": hdrJSON}[kind]
	return func(w http.ResponseWriter, r *http.Request) {
		h.cachedAs(w, r, ctype, func(ctx context.Context, buf *bytes.Buffer) error {
			sc, err := scope(ctx, r)
			if err != nil {
				return err
			}
			f := sc.filter
			f.Limit, f.NoTotal = feedLength, true
			arts, _, err := h.store.Articles(ctx, f)
			if err != nil {
				return fmt.Errorf("feed %s: %w", r.URL.Path, err)
			}
			ch := syndication.Channel{
				Title: sc.title, Description: sc.desc, SiteURL: h.baseURL,
				Link: h.baseURL + sc.path, FeedURL: h.baseURL + r.URL.Path, Language: h.lang,
			}
			if sc.path == "" {
				ch.Link = h.baseURL + "/"
			}
			var doc []byte
			switch kind {
			case "feed.xml":
				doc, err = syndication.RSS(ch, arts)
			case "atom.xml":
				doc, err = syndication.Atom(ch, arts)
			default:
				doc, err = syndication.JSONFeed(ch, arts)
			}
			if err != nil {
				return fmt.Errorf("feed %s: %w", r.URL.Path, err)
			}
			buf.Write(doc)
			return nil
		})
	}
}

// sitemap lists the home page, every section and every article. When they
// do not fit in one sitemap, it is an index of parts: /sitemaps/pages.xml
// (home and sections) and /sitemaps/articles-N.xml, newest articles first.
func (h *Handler) sitemap(w http.ResponseWriter, r *http.Request) {
	h.cachedAs(w, r, hdrXML, func(ctx context.Context, buf *bytes.Buffer) error {
		pages, err := h.sitemapPages(ctx)
		if err != nil {
			return err
		}
		_, total, err := h.store.Articles(ctx, newsdesk.ArticleFilter{Limit: 1})
		if err != nil {
			return fmt.Errorf("sitemap: %w", err)
		}
		var doc []byte
		if len(pages)+total <= h.sitemapMax {
			arts, err := h.sitemapArticles(ctx, 0, total)
			if err != nil {
				return err
			}
			doc, err = syndication.Sitemap(append(pages, arts...))
			if err != nil {
				return fmt.Errorf("sitemap: %w", err)
			}
		} else {
			parts := []syndication.URL{{Loc: h.baseURL + "/sitemaps/pages.xml"}}
			for k := 1; (k-1)*h.sitemapMax < total; k++ {
				parts = append(parts, syndication.URL{Loc: h.baseURL + "/sitemaps/articles-" + strconv.Itoa(k) + ".xml"})
			}
			if doc, err = syndication.SitemapIndex(parts); err != nil {
				return fmt.Errorf("sitemap index: %w", err)
			}
		}
		buf.Write(doc)
		return nil
	})
}

// sitemapPart serves one part of a sitemap index.
func (h *Handler) sitemapPart(w http.ResponseWriter, r *http.Request) {
	part := r.PathValue("part")
	h.cachedAs(w, r, hdrXML, func(ctx context.Context, buf *bytes.Buffer) error {
		var urls []syndication.URL
		var err error
		if part == "pages.xml" {
			urls, err = h.sitemapPages(ctx)
		} else {
			num, ok := strings.CutPrefix(part, "articles-")
			num, ok2 := strings.CutSuffix(num, ".xml")
			k, perr := strconv.Atoi(num)
			if !ok || !ok2 || perr != nil || k < 1 || k > 10000 {
				return newsdesk.Errorf(newsdesk.ENOTFOUND, "There is no such sitemap.")
			}
			urls, err = h.sitemapArticles(ctx, (k-1)*h.sitemapMax, h.sitemapMax)
			if err == nil && len(urls) == 0 {
				return newsdesk.Errorf(newsdesk.ENOTFOUND, "There is no such sitemap.")
			}
		}
		if err != nil {
			return err
		}
		doc, err := syndication.Sitemap(urls)
		if err != nil {
			return fmt.Errorf("sitemap %s: %w", part, err)
		}
		buf.Write(doc)
		return nil
	})
}

// sitemapPages are the home page and every section.
func (h *Handler) sitemapPages(ctx context.Context) ([]syndication.URL, error) {
	t, err := h.tree(ctx)
	if err != nil {
		return nil, err
	}
	urls := []syndication.URL{{Loc: h.baseURL + "/"}}
	for _, s := range t.All {
		urls = append(urls, syndication.URL{Loc: h.baseURL + s.Path()})
	}
	return urls, nil
}

// sitemapArticles lists up to limit articles from offset, newest first,
// read in batches.
func (h *Handler) sitemapArticles(ctx context.Context, offset, limit int) ([]syndication.URL, error) {
	const batch = 1000
	var urls []syndication.URL
	for off := offset; off < offset+limit; off += batch {
		arts, _, err := h.store.Articles(ctx, newsdesk.ArticleFilter{Offset: off, Limit: min(batch, offset+limit-off), NoTotal: true})
		if err != nil {
			return nil, fmt.Errorf("sitemap articles: %w", err)
		}
		for _, a := range arts {
			urls = append(urls, syndication.URL{Loc: h.baseURL + a.Path(), LastMod: modified(a)})
		}
		if len(arts) < batch {
			break
		}
	}
	return urls, nil
}

func (h *Handler) newsSitemap(w http.ResponseWriter, r *http.Request) {
	h.cachedAs(w, r, hdrXML, func(ctx context.Context, buf *bytes.Buffer) error {
		now := h.now()
		since := now.Add(-syndication.NewsWindow)
		arts, _, err := h.store.Articles(ctx, newsdesk.ArticleFilter{Since: &since, ExcludeDuplicates: true, Limit: syndication.MaxNewsSitemapURLs, NoTotal: true})
		if err != nil {
			return fmt.Errorf("news sitemap: %w", err)
		}
		doc, err := syndication.NewsSitemap(h.name, h.lang, h.baseURL, now, arts)
		if err != nil {
			return fmt.Errorf("news sitemap: %w", err)
		}
		buf.Write(doc)
		return nil
	})
}

func (h *Handler) robots(w http.ResponseWriter, r *http.Request) {
	body := syndication.Robots(h.baseURL)
	hd := w.Header()
	hd["Content-Type"] = hdrPlain
	hd.Set("Cache-Control", "public, max-age=3600")
	hd.Set("Content-Length", strconv.Itoa(len(body)))
	w.Write(body)
}
