package site

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"newsdesk"
)

type sectionPage struct {
	page
	Section  *newsdesk.Section
	Children []*newsdesk.Section
	Articles []*newsdesk.Article
	Pager    pager
	MostRead *mostReadBlock
}

func (h *Handler) section(w http.ResponseWriter, r *http.Request) {
	n, err := pageNumber(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	slug := r.PathValue("slug")
	h.cached(w, r, func(ctx context.Context, buf *bytes.Buffer) error {
		t, err := h.tree(ctx)
		if err != nil {
			return err
		}
		s := t.BySlug(slug)
		if s == nil {
			return newsdesk.Errorf(newsdesk.ENOTFOUND, "There is no section %q.", slug)
		}
		p := &sectionPage{page: h.basePage(ctx, s.Name, s.Path()), Section: s, Children: t.Children(s.ID)}
		p.markCurrent(t, s.ID)
		p.Breadcrumbs = sectionCrumbs(t, s)
		p.Breadcrumbs[len(p.Breadcrumbs)-1].Current = true
		p.Description = s.Description
		if p.Description == "" {
			p.Description = "Latest news from " + s.Name + " on " + h.name + "."
		}
		p.Alternates = feedAlternates(s.Path(), h.name+": "+s.Name)
		id := s.ID
		var total int
		p.Articles, total, err = h.store.Articles(ctx, newsdesk.ArticleFilter{SectionID: &id, ExcludeDuplicates: true, Offset: (n - 1) * perPage, Limit: perPage, MaxTotal: maxPage * perPage, Cards: true})
		if err != nil {
			return fmt.Errorf("section %s: %w", slug, err)
		}
		if p.Pager, err = paginate(&p.page, s.Path(), nil, n, total, perPage); err != nil {
			return err
		}
		if p.MostRead, err = h.mostRead(ctx, s, h.now()); err != nil {
			return fmt.Errorf("section %s: %w", slug, err)
		}
		p.OG = &openGraph{Type: "website", Title: s.Name, Description: p.Description, URL: p.Canonical, SiteName: h.name}
		return h.web.Render(buf, "site/section", p)
	})
}

type entityPage struct {
	page
	Entity   *newsdesk.Entity
	Aliases  string
	Articles []*newsdesk.Article
	Pager    pager
}

func (h *Handler) entity(w http.ResponseWriter, r *http.Request) {
	n, err := pageNumber(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	slug := r.PathValue("slug")
	h.cached(w, r, func(ctx context.Context, buf *bytes.Buffer) error {
		e, err := h.store.EntityBySlug(ctx, slug)
		if err != nil {
			return fmt.Errorf("entity %s: %w", slug, err)
		}
		p := &entityPage{page: h.basePage(ctx, e.Name, e.Path()), Entity: e, Aliases: strings.Join(e.Aliases, ", ")}
		p.Breadcrumbs = []crumb{{Name: "Home", Path: "/"}, {Name: e.Name, Path: e.Path(), Current: true}}
		p.Description = e.Description
		if p.Description == "" {
			p.Description = "Reports naming " + e.Name + " on " + h.name + "."
		}
		p.Alternates = feedAlternates(e.Path(), h.name+": "+e.Name)
		id := e.ID
		var total int
		p.Articles, total, err = h.store.Articles(ctx, newsdesk.ArticleFilter{EntityID: &id, ExcludeDuplicates: true, Offset: (n - 1) * perPage, Limit: perPage, MaxTotal: maxPage * perPage, Cards: true})
		if err != nil {
			return fmt.Errorf("entity %s articles: %w", slug, err)
		}
		if p.Pager, err = paginate(&p.page, e.Path(), nil, n, total, perPage); err != nil {
			return err
		}
		p.OG = &openGraph{Type: "profile", Title: e.Name, Description: p.Description, URL: p.Canonical, SiteName: h.name}
		return h.web.Render(buf, "site/entity", p)
	})
}

type sourcePage struct {
	page
	Source      *newsdesk.Source
	LicenceText string
	Articles    []*newsdesk.Article
	Pager       pager
}

// licenceText says what the site shows of a source's reports.
func licenceText(l newsdesk.Licence) string {
	switch l {
	case newsdesk.LicenceExcerpt:
		return "An excerpt of each report, with a link to the full report."
	case newsdesk.LicenceHeadline:
		return "Headlines only, each linking to the report."
	}
	return "Full reports, republished with attribution and a link to the original."
}

// parseID reads a positive numeric path value; anything else is not found.
func parseID(r *http.Request, name string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, newsdesk.Errorf(newsdesk.ENOTFOUND, "There is no page at this address.")
	}
	return id, nil
}

func sourcePath(id int64) string { return "/source/" + strconv.FormatInt(id, 10) }

func (h *Handler) source(w http.ResponseWriter, r *http.Request) {
	n, err := pageNumber(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	id, err := parseID(r, "id")
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.cached(w, r, func(ctx context.Context, buf *bytes.Buffer) error {
		s, err := h.store.Source(ctx, id)
		if err != nil {
			return fmt.Errorf("source %d: %w", id, err)
		}
		path := sourcePath(id)
		p := &sourcePage{page: h.basePage(ctx, s.Name, path), Source: s, LicenceText: licenceText(s.Licence)}
		p.Breadcrumbs = []crumb{{Name: "Home", Path: "/"}, {Name: s.Name, Path: path, Current: true}}
		p.Description = "Latest reports from " + s.Name + " on " + h.name + "."
		p.Alternates = feedAlternates(path, h.name+": "+s.Name)
		var total int
		p.Articles, total, err = h.store.Articles(ctx, newsdesk.ArticleFilter{SourceID: &id, Offset: (n - 1) * perPage, Limit: perPage, MaxTotal: maxPage * perPage, Cards: true})
		if err != nil {
			return fmt.Errorf("source %d articles: %w", id, err)
		}
		if p.Pager, err = paginate(&p.page, path, nil, n, total, perPage); err != nil {
			return err
		}
		p.OG = &openGraph{Type: "website", Title: s.Name, Description: p.Description, URL: p.Canonical, SiteName: h.name}
		return h.web.Render(buf, "site/source", p)
	})
}

type storyPage struct {
	page
	Story    *newsdesk.Story
	First    *newsdesk.Article
	Articles []*newsdesk.Article
}

// storyLimit caps the timeline of one story.
const storyLimit = 200

func (h *Handler) story(w http.ResponseWriter, r *http.Request) {
	id, err := parseID(r, "id")
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.cached(w, r, func(ctx context.Context, buf *bytes.Buffer) error {
		st, err := h.store.Story(ctx, id)
		if err != nil {
			return fmt.Errorf("story %d: %w", id, err)
		}
		arts, _, err := h.store.Articles(ctx, newsdesk.ArticleFilter{StoryID: &id, Oldest: true, Limit: storyLimit, NoTotal: true, Cards: true})
		if err != nil {
			return fmt.Errorf("story %d articles: %w", id, err)
		}
		if len(arts) == 0 {
			return newsdesk.Errorf(newsdesk.ENOTFOUND, "This story has no published report.")
		}
		p := &storyPage{page: h.basePage(ctx, st.Title, st.Path()), Story: st, First: arts[0], Articles: arts}
		p.Breadcrumbs = []crumb{{Name: "Home", Path: "/"}}
		if t, err := h.tree(ctx); err == nil {
			if ps := arts[0].PrimarySection(); ps != nil {
				p.Breadcrumbs = sectionCrumbs(t, t.ByID(ps.ID))
				p.markCurrent(t, ps.ID)
			}
		}
		p.Breadcrumbs = append(p.Breadcrumbs, crumb{Name: st.Title, Path: st.Path(), Current: true})
		p.Description = fmt.Sprintf("Coverage of %q: %d reports from %d sources.", st.Title, st.Articles, st.Sources)
		p.OG = &openGraph{Type: "website", Title: st.Title, Description: p.Description, URL: p.Canonical, SiteName: h.name}
		return h.web.Render(buf, "site/story", p)
	})
}
