package admin

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"newsdesk"
)

const articlesPerPage = 30

type articleFilters struct {
	Query       string
	Source      int64
	Section     int64
	Entity      int64
	Story       int64
	Unpublished bool
}

type articlesData struct {
	Filters  articleFilters
	Articles []*newsdesk.Article
	Picked   map[int64]bool
	Pager    pager
	Sources  []*newsdesk.Source
	Sections []sectionNode
	Searched bool // the list is full-text results (published articles only)
}

// articlesPage lists articles, newest first, filtered by source, section,
// entity and story; a query runs a full-text search (published articles)
// with the same filters, and a number goes straight to that article.
func (h *Handler) articlesPage(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	ctx := r.Context()
	q := r.URL.Query()
	var d articlesData
	var err error
	d.Filters.Query = strings.TrimSpace(q.Get("q"))
	if id, err := strconv.ParseInt(d.Filters.Query, 10, 64); err == nil && id > 0 {
		http.Redirect(w, r, "/admin/articles/"+strconv.FormatInt(id, 10), http.StatusSeeOther)
		return nil
	}
	for name, dst := range map[string]*int64{"source": &d.Filters.Source, "section": &d.Filters.Section,
		"entity": &d.Filters.Entity, "story": &d.Filters.Story} {
		if *dst, err = formID(r, name); err != nil {
			return err
		}
	}
	d.Filters.Unpublished = q.Get("unpublished") != ""
	n := pageNum(r)
	opt := func(v int64) *int64 {
		if v == 0 {
			return nil
		}
		return &v
	}
	var total int
	if d.Filters.Query != "" {
		d.Searched = true
		res, err := h.search.Search(ctx, newsdesk.SearchQuery{Text: d.Filters.Query, SourceID: opt(d.Filters.Source),
			SectionID: opt(d.Filters.Section), EntityID: opt(d.Filters.Entity), Sort: newsdesk.SortNewest,
			Offset: (n - 1) * articlesPerPage, Limit: articlesPerPage})
		if err != nil {
			return err
		}
		for _, hit := range res.Hits {
			d.Articles = append(d.Articles, hit.Article)
		}
		total = res.Total
	} else {
		d.Articles, total, err = h.store.Articles(ctx, newsdesk.ArticleFilter{SourceID: opt(d.Filters.Source),
			SectionID: opt(d.Filters.Section), EntityID: opt(d.Filters.Entity), StoryID: opt(d.Filters.Story),
			IncludeUnpublished: d.Filters.Unpublished, Offset: (n - 1) * articlesPerPage, Limit: articlesPerPage})
		if err != nil {
			return fmt.Errorf("admin articles: %w", err)
		}
	}
	d.Pager = newPager(r, n, total, articlesPerPage)
	if d.Sources, _, err = h.store.Sources(ctx, newsdesk.SourceFilter{}); err != nil {
		return fmt.Errorf("admin articles sources: %w", err)
	}
	t, err := h.sectionTree(r)
	if err != nil {
		return err
	}
	d.Sections = flatten(t)
	picks, err := h.store.AllPicks(ctx)
	if err != nil {
		return fmt.Errorf("admin articles picks: %w", err)
	}
	d.Picked = map[int64]bool{}
	for _, p := range picks {
		d.Picked[p.ArticleID] = true
	}
	h.render(w, r, c, http.StatusOK, "articles", "Articles", "articles", d)
	return nil
}

type sectionChoice struct {
	sectionNode
	Primary bool
	Also    bool
}

type articleData struct {
	Article  *newsdesk.Article
	Sections []sectionChoice
	Entities string // names, one a line
	Picked   bool
}

func (h *Handler) articlePage(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	a, err := h.store.Article(r.Context(), id)
	if err != nil {
		return err
	}
	t, err := h.sectionTree(r)
	if err != nil {
		return err
	}
	d := articleData{Article: a}
	for _, n := range flatten(t) {
		ch := sectionChoice{sectionNode: n}
		for i, ref := range a.Sections {
			if ref.ID == n.ID {
				ch.Primary, ch.Also = i == 0, i > 0
			}
		}
		d.Sections = append(d.Sections, ch)
	}
	var names []string
	for _, e := range a.Entities {
		names = append(names, e.Name)
	}
	d.Entities = strings.Join(names, "\n")
	picks, err := h.store.AllPicks(r.Context())
	if err != nil {
		return fmt.Errorf("admin article picks: %w", err)
	}
	for _, p := range picks {
		d.Picked = d.Picked || p.ArticleID == a.ID
	}
	h.render(w, r, c, http.StatusOK, "article", a.Headline, "articles", d)
	return nil
}

func articleTarget(id int64) string { return "article:" + strconv.FormatInt(id, 10) }

// articleUpdate saves the headline, lede, sections (which then stay as the
// editor chose them) and entities of an article.
func (h *Handler) articleUpdate(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	ctx := r.Context()
	id, err := pathID(r)
	if err != nil {
		return err
	}
	a, err := h.store.Article(ctx, id)
	if err != nil {
		return err
	}
	var changes []string
	if v, ok := r.PostForm["headline"]; ok {
		headline := strings.Join(strings.Fields(v[0]), " ")
		if headline == "" {
			return newsdesk.Errorf(newsdesk.EINVALID, "The headline cannot be empty.")
		}
		if headline != a.Headline {
			changes = append(changes, fmt.Sprintf("headline %q → %q", a.Headline, headline))
			a.Headline = headline
		}
	}
	if v, ok := r.PostForm["lede"]; ok {
		lede := strings.TrimSpace(v[0])
		if lede != a.Lede {
			changes = append(changes, "lede")
			a.Lede = lede
		}
	}
	if _, ok := r.PostForm["sections_form"]; ok {
		refs, err := h.readSections(r)
		if err != nil {
			return err
		}
		if !slices.EqualFunc(refs, a.Sections, func(x, y newsdesk.SectionRef) bool { return x.ID == y.ID }) || !a.SectionsLocked {
			var slugs []string
			for _, s := range refs {
				slugs = append(slugs, s.Slug)
			}
			changes = append(changes, "sections ["+strings.Join(slugs, ", ")+"]")
			a.Sections, a.SectionsLocked = refs, true
		}
	}
	if v, ok := r.PostForm["entities"]; ok {
		refs, err := h.readEntities(r, v[0], a.Entities)
		if err != nil {
			return err
		}
		if !slices.EqualFunc(refs, a.Entities, func(x, y newsdesk.EntityRef) bool { return x.ID == y.ID }) {
			var names []string
			for _, e := range refs {
				names = append(names, e.Name)
			}
			changes = append(changes, "entities ["+strings.Join(names, ", ")+"]")
			a.Entities = refs
		}
	}
	if len(changes) == 0 {
		return done(w, r, "/admin/articles/"+strconv.FormatInt(id, 10), "saved")
	}
	if err := h.store.UpdateArticle(ctx, a); err != nil {
		return err
	}
	h.reindexArticle(r, a.ID)
	h.changed(r, c, "article.update", articleTarget(a.ID), "Edited "+strings.Join(changes, "; "))
	return done(w, r, "/admin/articles/"+strconv.FormatInt(id, 10), "saved")
}

// readSections reads the primary section and the other sections ticked.
func (h *Handler) readSections(r *http.Request) ([]newsdesk.SectionRef, error) {
	t, err := h.sectionTree(r)
	if err != nil {
		return nil, err
	}
	primary, err := formID(r, "primary_section")
	if err != nil {
		return nil, err
	}
	also, err := formIDs(r, "sections")
	if err != nil {
		return nil, err
	}
	var refs []newsdesk.SectionRef
	seen := map[int64]bool{}
	for _, id := range append([]int64{primary}, also...) {
		if id == 0 || seen[id] {
			continue
		}
		s := t.ByID(id)
		if s == nil {
			return nil, newsdesk.Errorf(newsdesk.EINVALID, "Section %d does not exist.", id)
		}
		seen[id] = true
		refs = append(refs, newsdesk.SectionRef{ID: s.ID, Slug: s.Slug, Name: s.Name})
	}
	if primary == 0 && len(refs) > 0 {
		return nil, newsdesk.Errorf(newsdesk.EINVALID, "Choose the primary section first.")
	}
	return refs, nil
}

// readEntities resolves entity names (one a line) to references, keeping
// the mention counts of those already there.
func (h *Handler) readEntities(r *http.Request, list string, old []newsdesk.EntityRef) ([]newsdesk.EntityRef, error) {
	mentions := map[int64]int{}
	for _, e := range old {
		mentions[e.ID] = e.Mentions
	}
	var refs []newsdesk.EntityRef
	seen := map[int64]bool{}
	for _, name := range splitList(list) {
		e, err := h.store.EntityByName(r.Context(), name)
		if newsdesk.ErrorCode(err) == newsdesk.ENOTFOUND {
			return nil, newsdesk.Errorf(newsdesk.EINVALID, "No entity is named %q; add it under Entities first.", name)
		} else if err != nil {
			return nil, err
		}
		if seen[e.ID] {
			continue
		}
		seen[e.ID] = true
		refs = append(refs, newsdesk.EntityRef{ID: e.ID, Slug: e.Slug, Name: e.Name, Kind: e.Kind, Mentions: max(1, mentions[e.ID])})
	}
	return refs, nil
}

// reindexArticle refreshes the article's search document when a Reindex
// is configured; a failure is logged (the edit itself is saved).
func (h *Handler) reindexArticle(r *http.Request, id int64) {
	if h.reindex == nil {
		return
	}
	a, err := h.store.Article(r.Context(), id)
	if err == nil {
		err = h.reindex(r.Context(), []*newsdesk.Article{a})
	}
	if err != nil {
		h.log.ErrorContext(r.Context(), "admin reindex", "article", id, "err", err)
	}
}

func (h *Handler) articleUnpublish(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	return h.setStatus(w, r, c, newsdesk.StatusUnpublished)
}

func (h *Handler) articleRepublish(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	return h.setStatus(w, r, c, newsdesk.StatusPublished)
}

func (h *Handler) setStatus(w http.ResponseWriter, r *http.Request, c *reqCtx, st newsdesk.ArticleStatus) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	a, err := h.store.Article(r.Context(), id)
	if err != nil {
		return err
	}
	a.Status = st
	if err := h.store.UpdateArticle(r.Context(), a); err != nil {
		return err
	}
	h.reindexArticle(r, a.ID)
	if st == newsdesk.StatusUnpublished {
		h.changed(r, c, "article.unpublish", articleTarget(a.ID), fmt.Sprintf("Unpublished %q", a.Headline))
		return done(w, r, "/admin/articles/"+strconv.FormatInt(id, 10), "unpublished")
	}
	h.changed(r, c, "article.republish", articleTarget(a.ID), fmt.Sprintf("Published %q again", a.Headline))
	return done(w, r, "/admin/articles/"+strconv.FormatInt(id, 10), "republished")
}
