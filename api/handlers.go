package api

import (
	"cmp"
	"context"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"newsdesk"
	"newsdesk/auth"
)

func target(kind string, id int64) string { return kind + ":" + strconv.FormatInt(id, 10) }

// applier is a request body that applies its fields to a T.
type applier[T any] interface{ apply(*T) error }

// decodeApply decodes the request body into b and applies it to v.
func decodeApply[T any](w http.ResponseWriter, r *http.Request, b applier[T], v *T) error {
	if err := decode(w, r, b); err != nil {
		return err
	}
	return b.apply(v)
}

// byPathID loads what the {id} of the request path names.
func byPathID[T any](r *http.Request, load func(context.Context, int64) (T, error)) (T, error) {
	id, err := pathID(r)
	if err != nil {
		var zero T
		return zero, err
	}
	return load(r.Context(), id)
}

// created records the change and answers 201 with v, found at location.
func (h *Handler) created(w http.ResponseWriter, r *http.Request, c *caller, location string, v any, action, target, detail string) error {
	h.changed(r, c, action, target, detail)
	w.Header().Set("Location", location)
	writeJSON(w, http.StatusCreated, v)
	return nil
}

// updated records the change and answers 200 with v.
func (h *Handler) updated(w http.ResponseWriter, r *http.Request, c *caller, v any, action, target, detail string) error {
	h.changed(r, c, action, target, detail)
	writeJSON(w, http.StatusOK, v)
	return nil
}

// deleted records the change and answers 204.
func (h *Handler) deleted(w http.ResponseWriter, r *http.Request, c *caller, action, target, detail string) error {
	h.changed(r, c, action, target, detail)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// Articles.

func (h *Handler) listArticles(w http.ResponseWriter, r *http.Request, c *caller) error {
	q := r.URL.Query()
	offset, limit, err := paging(q)
	if err != nil {
		return err
	}
	f := newsdesk.ArticleFilter{Offset: offset, Limit: limit}
	for name, dst := range map[string]**int64{"source": &f.SourceID, "section": &f.SectionID, "entity": &f.EntityID, "story": &f.StoryID} {
		if *dst, err = optID(q, name); err != nil {
			return err
		}
	}
	if f.Since, err = optTime(q, "since"); err != nil {
		return err
	}
	if f.Before, err = optTime(q, "before"); err != nil {
		return err
	}
	if q.Get("unpublished") != "" {
		if !c.can(auth.EditArticles) {
			return newsdesk.Errorf(newsdesk.EFORBIDDEN, "Unpublished articles are for editors' tokens only.")
		}
		f.IncludeUnpublished = true
	}
	arts, total, err := h.store.Articles(r.Context(), f)
	if err != nil {
		return fmt.Errorf("api articles: %w", err)
	}
	writeJSON(w, http.StatusOK, list[articleJSON]{Items: h.articles(arts, c.can(auth.EditArticles)), Total: total, Offset: offset, Limit: limit})
	return nil
}

// loadArticle returns the article; an unpublished one exists for editors only.
func (h *Handler) loadArticle(r *http.Request, c *caller) (*newsdesk.Article, error) {
	id, err := pathID(r)
	if err != nil {
		return nil, err
	}
	a, err := h.store.Article(r.Context(), id)
	if err != nil {
		return nil, err
	}
	if a.Status != newsdesk.StatusPublished && !c.can(auth.EditArticles) {
		return nil, newsdesk.Errorf(newsdesk.ENOTFOUND, "Article %d not found.", id)
	}
	return a, nil
}

func (h *Handler) getArticle(w http.ResponseWriter, r *http.Request, c *caller) error {
	a, err := h.loadArticle(r, c)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, h.article(a, c.can(auth.EditArticles)))
	return nil
}

type articlePatch struct {
	Headline *string  `json:"headline"`
	Lede     *string  `json:"lede"`
	Status   *string  `json:"status"`
	Sections *[]int64 `json:"sections"` // primary first; setting them locks them
	Entities *[]int64 `json:"entities"` // most salient first
}

func (h *Handler) patchArticle(w http.ResponseWriter, r *http.Request, c *caller) error {
	ctx := r.Context()
	var p articlePatch
	if err := decode(w, r, &p); err != nil {
		return err
	}
	a, err := h.loadArticle(r, c)
	if err != nil {
		return err
	}
	var changes []string
	if p.Headline != nil {
		hl := strings.Join(strings.Fields(*p.Headline), " ")
		if hl == "" {
			return newsdesk.Errorf(newsdesk.EINVALID, "headline cannot be empty.")
		}
		a.Headline = hl
		changes = append(changes, fmt.Sprintf("headline %q", hl))
	}
	if p.Lede != nil {
		a.Lede = strings.TrimSpace(*p.Lede)
		changes = append(changes, "lede")
	}
	if p.Status != nil {
		st := newsdesk.ArticleStatus(*p.Status)
		if st != newsdesk.StatusPublished && st != newsdesk.StatusUnpublished {
			return newsdesk.Errorf(newsdesk.EINVALID, "status must be published or unpublished.")
		}
		a.Status = st
		changes = append(changes, "status "+*p.Status)
	}
	if p.Sections != nil {
		secs, err := h.store.Sections(ctx)
		if err != nil {
			return fmt.Errorf("api sections: %w", err)
		}
		t := newsdesk.NewSectionTree(secs)
		a.Sections = nil
		for _, id := range *p.Sections {
			s := t.ByID(id)
			if s == nil {
				return newsdesk.Errorf(newsdesk.EINVALID, "Section %d does not exist.", id)
			}
			if !slices.ContainsFunc(a.Sections, func(ref newsdesk.SectionRef) bool { return ref.ID == id }) {
				a.Sections = append(a.Sections, newsdesk.SectionRef{ID: s.ID, Slug: s.Slug, Name: s.Name})
			}
		}
		a.SectionsLocked = true
		changes = append(changes, fmt.Sprintf("sections %v", *p.Sections))
	}
	if p.Entities != nil {
		mentions := map[int64]int{}
		for _, e := range a.Entities {
			mentions[e.ID] = e.Mentions
		}
		a.Entities = nil
		for _, id := range *p.Entities {
			e, err := h.store.Entity(ctx, id)
			if newsdesk.ErrorCode(err) == newsdesk.ENOTFOUND {
				return newsdesk.Errorf(newsdesk.EINVALID, "Entity %d does not exist.", id)
			} else if err != nil {
				return err
			}
			if !slices.ContainsFunc(a.Entities, func(ref newsdesk.EntityRef) bool { return ref.ID == id }) {
				a.Entities = append(a.Entities, newsdesk.EntityRef{ID: e.ID, Slug: e.Slug, Name: e.Name, Kind: e.Kind, Mentions: max(1, mentions[id])})
			}
		}
		changes = append(changes, fmt.Sprintf("entities %v", *p.Entities))
	}
	if len(changes) == 0 {
		return newsdesk.Errorf(newsdesk.EINVALID, "Nothing to change: send headline, lede, status, sections or entities.")
	}
	if err := h.store.UpdateArticle(ctx, a); err != nil {
		return err
	}
	h.changed(r, c, "article.update", target("article", a.ID), "Edited "+strings.Join(changes, "; "))
	a, err = h.store.Article(ctx, a.ID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, h.article(a, true))
	return nil
}

// Sections.

func (h *Handler) listSections(w http.ResponseWriter, r *http.Request, c *caller) error {
	secs, err := h.store.Sections(r.Context())
	if err != nil {
		return fmt.Errorf("api sections: %w", err)
	}
	out := make([]sectionJSON, 0, len(secs))
	for _, s := range secs {
		out = append(out, h.section(s))
	}
	writeJSON(w, http.StatusOK, list[sectionJSON]{Items: out, Total: len(out), Limit: len(out)})
	return nil
}

type sectionBody struct {
	Name        *string `json:"name"`
	Slug        *string `json:"slug"`
	ParentID    *int64  `json:"parent_id"`
	Description *string `json:"description"`
	Code        *string `json:"code"`
	Position    *int    `json:"position"`
}

func (b *sectionBody) apply(s *newsdesk.Section) error {
	if b.Name != nil {
		s.Name = strings.TrimSpace(*b.Name)
	}
	if b.Slug != nil {
		s.Slug = strings.TrimSpace(*b.Slug)
		if newsdesk.Slugify(s.Slug) != s.Slug {
			return newsdesk.Errorf(newsdesk.EINVALID, "slug may hold only lowercase letters, digits and hyphens.")
		}
	}
	if s.Slug == "" {
		s.Slug = newsdesk.Slugify(s.Name)
	}
	if b.ParentID != nil {
		s.ParentID = *b.ParentID
	}
	if b.Description != nil {
		s.Description = strings.TrimSpace(*b.Description)
	}
	if b.Code != nil {
		s.Code = strings.ToLower(strings.TrimSpace(*b.Code))
	}
	if b.Position != nil {
		if *b.Position < 0 {
			return newsdesk.Errorf(newsdesk.EINVALID, "position must be 0 or more.")
		}
		s.Position = *b.Position
	}
	return s.Validate()
}

func (h *Handler) createSection(w http.ResponseWriter, r *http.Request, c *caller) error {
	s := &newsdesk.Section{}
	if err := decodeApply(w, r, &sectionBody{}, s); err != nil {
		return err
	}
	if err := h.store.CreateSection(r.Context(), s); err != nil {
		return err
	}
	return h.created(w, r, c, Prefix+"/sections", h.section(s), "section.create", target("section", s.ID), fmt.Sprintf("Added section %q", s.Name))
}

func (h *Handler) loadSection(r *http.Request) (*newsdesk.Section, *newsdesk.SectionTree, error) {
	id, err := pathID(r)
	if err != nil {
		return nil, nil, err
	}
	secs, err := h.store.Sections(r.Context())
	if err != nil {
		return nil, nil, fmt.Errorf("api sections: %w", err)
	}
	t := newsdesk.NewSectionTree(secs)
	s := t.ByID(id)
	if s == nil {
		return nil, nil, newsdesk.Errorf(newsdesk.ENOTFOUND, "Section %d not found.", id)
	}
	return s, t, nil
}

func (h *Handler) patchSection(w http.ResponseWriter, r *http.Request, c *caller) error {
	var b sectionBody
	if err := decode(w, r, &b); err != nil {
		return err
	}
	old, t, err := h.loadSection(r)
	if err != nil {
		return err
	}
	s := *old
	if err := b.apply(&s); err != nil {
		return err
	}
	if s.ParentID != 0 {
		p := t.ByID(s.ParentID)
		if p == nil {
			return newsdesk.Errorf(newsdesk.EINVALID, "Section %d does not exist.", s.ParentID)
		}
		for _, a := range t.Ancestors(p) {
			if a.ID == s.ID {
				return newsdesk.Errorf(newsdesk.EINVALID, "A section cannot move under itself or one of its own sections.")
			}
		}
	}
	if err := h.store.UpdateSection(r.Context(), &s); err != nil {
		return err
	}
	return h.updated(w, r, c, h.section(&s), "section.update", target("section", s.ID), fmt.Sprintf("Edited section %q (was %q under %d)", s.Name, old.Name, old.ParentID))
}

func (h *Handler) deleteSection(w http.ResponseWriter, r *http.Request, c *caller) error {
	s, _, err := h.loadSection(r)
	if err != nil {
		return err
	}
	if err := h.store.DeleteSection(r.Context(), s.ID); err != nil {
		return err
	}
	return h.deleted(w, r, c, "section.delete", target("section", s.ID), fmt.Sprintf("Deleted section %q", s.Name))
}

// Entities.

func (h *Handler) listEntities(w http.ResponseWriter, r *http.Request, c *caller) error {
	q := r.URL.Query()
	offset, limit, err := paging(q)
	if err != nil {
		return err
	}
	f := newsdesk.EntityFilter{Query: strings.TrimSpace(q.Get("q")), Offset: offset, Limit: limit}
	if k := q.Get("kind"); k != "" {
		kind := newsdesk.EntityKind(k)
		f.Kind = &kind
	}
	ents, total, err := h.store.Entities(r.Context(), f)
	if err != nil {
		return fmt.Errorf("api entities: %w", err)
	}
	out := make([]entityJSON, 0, len(ents))
	for _, e := range ents {
		out = append(out, h.entity(e))
	}
	writeJSON(w, http.StatusOK, list[entityJSON]{Items: out, Total: total, Offset: offset, Limit: limit})
	return nil
}

func (h *Handler) getEntity(w http.ResponseWriter, r *http.Request, c *caller) error {
	e, err := byPathID(r, h.store.Entity)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, h.entity(e))
	return nil
}

type entityBody struct {
	Name        *string   `json:"name"`
	Kind        *string   `json:"kind"`
	Description *string   `json:"description"`
	Aliases     *[]string `json:"aliases"`
}

func (b *entityBody) apply(e *newsdesk.Entity) error {
	if b.Name != nil {
		e.Name = strings.TrimSpace(*b.Name)
	}
	if b.Kind != nil {
		e.Kind = newsdesk.EntityKind(*b.Kind)
	}
	if b.Description != nil {
		e.Description = strings.TrimSpace(*b.Description)
	}
	if b.Aliases != nil {
		seen := map[string]bool{}
		e.Aliases = nil
		for _, a := range *b.Aliases {
			a = strings.TrimSpace(a)
			if a != "" && !seen[strings.ToLower(a)] {
				seen[strings.ToLower(a)] = true
				e.Aliases = append(e.Aliases, a)
			}
		}
	}
	return e.Validate()
}

func (h *Handler) createEntity(w http.ResponseWriter, r *http.Request, c *caller) error {
	e := &newsdesk.Entity{}
	if err := decodeApply(w, r, &entityBody{}, e); err != nil {
		return err
	}
	if err := h.store.CreateEntity(r.Context(), e); err != nil {
		return err
	}
	return h.created(w, r, c, Prefix+"/entities/"+strconv.FormatInt(e.ID, 10), h.entity(e), "entity.create", target("entity", e.ID), fmt.Sprintf("Added %s %q", e.Kind, e.Name))
}

func (h *Handler) patchEntity(w http.ResponseWriter, r *http.Request, c *caller) error {
	var b entityBody
	if err := decode(w, r, &b); err != nil {
		return err
	}
	e, err := byPathID(r, h.store.Entity)
	if err != nil {
		return err
	}
	if err := b.apply(e); err != nil {
		return err
	}
	if err := h.store.UpdateEntity(r.Context(), e); err != nil {
		return err
	}
	return h.updated(w, r, c, h.entity(e), "entity.update", target("entity", e.ID), fmt.Sprintf("Edited %q; aliases: %s", e.Name, strings.Join(e.Aliases, ", ")))
}

func (h *Handler) listAliasCandidates(w http.ResponseWriter, r *http.Request, c *caller) error {
	st := newsdesk.AliasStatus(r.URL.Query().Get("status"))
	switch st {
	case "":
		st = newsdesk.AliasPending
	case newsdesk.AliasPending, newsdesk.AliasAccepted, newsdesk.AliasRejected:
	default:
		return newsdesk.Errorf(newsdesk.EINVALID, "status must be pending, accepted or rejected.")
	}
	_, limit, err := paging(r.URL.Query())
	if err != nil {
		return err
	}
	cands, err := h.store.AliasCandidates(r.Context(), st, limit)
	if err != nil {
		return fmt.Errorf("api alias candidates: %w", err)
	}
	out := make([]candidateJSON, 0, len(cands))
	for _, c := range cands {
		out = append(out, candidateJSON{ID: c.ID, EntityID: c.EntityID, Alias: c.Alias, Evidence: c.Evidence,
			ArticleID: c.ArticleID, Status: string(c.Status), CreatedAt: c.CreatedAt.UTC()})
	}
	writeJSON(w, http.StatusOK, list[candidateJSON]{Items: out, Total: len(out), Limit: limit})
	return nil
}

type decisionBody struct {
	Status string `json:"status"`
}

func (h *Handler) decideAliasCandidate(w http.ResponseWriter, r *http.Request, c *caller) error {
	var b decisionBody
	if err := decode(w, r, &b); err != nil {
		return err
	}
	st := newsdesk.AliasStatus(b.Status)
	if st != newsdesk.AliasAccepted && st != newsdesk.AliasRejected {
		return newsdesk.Errorf(newsdesk.EINVALID, "status must be accepted or rejected.")
	}
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := h.store.DecideAliasCandidate(r.Context(), id, st); err != nil {
		return err
	}
	return h.updated(w, r, c, map[string]any{"id": id, "status": st}, "alias."+strings.TrimSuffix(string(st), "ed"), target("alias-candidate", id), "Alias candidate "+string(st))
}

// Stories.

func (h *Handler) listStories(w http.ResponseWriter, r *http.Request, c *caller) error {
	q := r.URL.Query()
	offset, limit, err := paging(q)
	if err != nil {
		return err
	}
	f := newsdesk.StoryFilter{Offset: offset, Limit: limit}
	if f.Since, err = optTime(q, "since"); err != nil {
		return err
	}
	if v := q.Get("min_sources"); v != "" {
		if f.MinSources, err = strconv.Atoi(v); err != nil || f.MinSources < 0 {
			return newsdesk.Errorf(newsdesk.EINVALID, "min_sources must be a number.")
		}
	}
	stories, err := h.store.Stories(r.Context(), f)
	if err != nil {
		return fmt.Errorf("api stories: %w", err)
	}
	out := make([]storyJSON, 0, len(stories))
	for _, s := range stories {
		out = append(out, h.story(s))
	}
	// The store does not count stories; total is what this page shows of.
	writeJSON(w, http.StatusOK, list[storyJSON]{Items: out, Total: offset + len(out), Offset: offset, Limit: limit})
	return nil
}

func (h *Handler) getStory(w http.ResponseWriter, r *http.Request, c *caller) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	s, err := h.store.Story(r.Context(), id)
	if err != nil {
		return err
	}
	editor := c.can(auth.EditStories)
	arts, _, err := h.store.Articles(r.Context(), newsdesk.ArticleFilter{StoryID: &id, Oldest: true, IncludeUnpublished: editor, Limit: 500})
	if err != nil {
		return fmt.Errorf("api story %d: %w", id, err)
	}
	out := h.story(s)
	out.Coverage = h.articles(arts, editor)
	writeJSON(w, http.StatusOK, out)
	return nil
}

type storyPatch struct {
	Title string `json:"title"`
}

func (h *Handler) patchStory(w http.ResponseWriter, r *http.Request, c *caller) error {
	var b storyPatch
	if err := decode(w, r, &b); err != nil {
		return err
	}
	id, err := pathID(r)
	if err != nil {
		return err
	}
	title := strings.Join(strings.Fields(b.Title), " ")
	if title == "" {
		return newsdesk.Errorf(newsdesk.EINVALID, "title cannot be empty.")
	}
	if err := h.store.UpdateStoryTitle(r.Context(), id, title); err != nil {
		return err
	}
	h.changed(r, c, "story.rename", target("story", id), fmt.Sprintf("Renamed story to %q", title))
	s, err := h.store.Story(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, h.story(s))
	return nil
}

type mergeBody struct {
	StoryIDs []int64 `json:"story_ids"`
}

// mergeStories moves every article of the listed stories into {id}.
func (h *Handler) mergeStories(w http.ResponseWriter, r *http.Request, c *caller) error {
	ctx := r.Context()
	var b mergeBody
	if err := decode(w, r, &b); err != nil {
		return err
	}
	into, err := pathID(r)
	if err != nil {
		return err
	}
	if _, err := h.store.Story(ctx, into); err != nil {
		return err
	}
	if len(b.StoryIDs) == 0 {
		return newsdesk.Errorf(newsdesk.EINVALID, "story_ids must list the stories to merge in.")
	}
	var move []int64
	for _, sid := range b.StoryIDs {
		if sid == into {
			continue
		}
		if _, err := h.store.Story(ctx, sid); newsdesk.ErrorCode(err) == newsdesk.ENOTFOUND {
			return newsdesk.Errorf(newsdesk.EINVALID, "Story %d does not exist.", sid)
		} else if err != nil {
			return err
		}
		arts, _, err := h.store.Articles(ctx, newsdesk.ArticleFilter{StoryID: &sid, IncludeUnpublished: true})
		if err != nil {
			return fmt.Errorf("api merge story %d: %w", sid, err)
		}
		for _, a := range arts {
			move = append(move, a.ID)
		}
	}
	if len(move) > 0 {
		if err := h.store.MoveArticles(ctx, into, move); err != nil {
			return err
		}
	}
	h.changed(r, c, "story.merge", target("story", into), fmt.Sprintf("Merged stories %v (%d articles)", b.StoryIDs, len(move)))
	s, err := h.store.Story(ctx, into)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, h.story(s))
	return nil
}

type splitBody struct {
	ArticleIDs []int64 `json:"article_ids"`
}

func (h *Handler) splitStory(w http.ResponseWriter, r *http.Request, c *caller) error {
	var b splitBody
	if err := decode(w, r, &b); err != nil {
		return err
	}
	if len(b.ArticleIDs) == 0 {
		return newsdesk.Errorf(newsdesk.EINVALID, "article_ids must list the articles to split out.")
	}
	ids := slices.Compact(slices.Sorted(slices.Values(b.ArticleIDs)))
	arts, _, err := h.store.Articles(r.Context(), newsdesk.ArticleFilter{IDs: ids, IncludeUnpublished: true})
	if err != nil {
		return fmt.Errorf("api split: %w", err)
	}
	if len(arts) != len(ids) {
		return newsdesk.Errorf(newsdesk.EINVALID, "Some of article_ids do not exist.")
	}
	s, err := h.store.SplitArticles(r.Context(), ids)
	if err != nil {
		return err
	}
	return h.created(w, r, c, Prefix+"/stories/"+strconv.FormatInt(s.ID, 10), h.story(s), "story.split", target("story", s.ID), fmt.Sprintf("Split articles %v into a new story", ids))
}

// Sources.

func (h *Handler) listSources(w http.ResponseWriter, r *http.Request, c *caller) error {
	offset, limit, err := paging(r.URL.Query())
	if err != nil {
		return err
	}
	srcs, total, err := h.store.Sources(r.Context(), newsdesk.SourceFilter{Offset: offset, Limit: limit})
	if err != nil {
		return fmt.Errorf("api sources: %w", err)
	}
	full := c.can(auth.ManageSources)
	out := make([]sourceJSON, 0, len(srcs))
	for _, s := range srcs {
		out = append(out, h.source(s, full))
	}
	writeJSON(w, http.StatusOK, list[sourceJSON]{Items: out, Total: total, Offset: offset, Limit: limit})
	return nil
}

func (h *Handler) getSource(w http.ResponseWriter, r *http.Request, c *caller) error {
	s, err := byPathID(r, h.store.Source)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, h.source(s, c.can(auth.ManageSources)))
	return nil
}

type sourceBody struct {
	Name            *string `json:"name"`
	Kind            *string `json:"kind"`
	URL             *string `json:"url"`
	SiteURL         *string `json:"site_url"`
	Language        *string `json:"language"`
	Licence         *string `json:"licence"`
	Extract         *bool   `json:"extract"`
	Paused          *bool   `json:"paused"`
	IntervalSeconds *int64  `json:"interval_seconds"`
}

func (b *sourceBody) apply(s *newsdesk.Source) error {
	set := func(dst *string, v *string) {
		if v != nil {
			*dst = strings.TrimSpace(*v)
		}
	}
	set(&s.Name, b.Name)
	set(&s.URL, b.URL)
	set(&s.SiteURL, b.SiteURL)
	set(&s.Language, b.Language)
	if b.Kind != nil {
		s.Kind = newsdesk.SourceKind(*b.Kind)
	}
	if b.Licence != nil {
		s.Licence = newsdesk.Licence(*b.Licence)
	}
	if b.Extract != nil {
		s.Extract = *b.Extract
	}
	if b.Paused != nil {
		s.Paused = *b.Paused
	}
	if b.IntervalSeconds != nil {
		if *b.IntervalSeconds < 60 || *b.IntervalSeconds > 7*24*3600 {
			return newsdesk.Errorf(newsdesk.EINVALID, "interval_seconds must be from 60 to 604800.")
		}
		s.Interval = time.Duration(*b.IntervalSeconds) * time.Second
	}
	if s.Interval == 0 {
		s.Interval = 15 * time.Minute
	}
	for _, u := range []string{s.URL, s.SiteURL} {
		if u != "" && !strings.HasPrefix(u, "https://") && !strings.HasPrefix(u, "http://") {
			return newsdesk.Errorf(newsdesk.EINVALID, "%q is not an http or https address.", u)
		}
	}
	return s.Validate()
}

func (h *Handler) createSource(w http.ResponseWriter, r *http.Request, c *caller) error {
	s := &newsdesk.Source{}
	if err := decodeApply(w, r, &sourceBody{}, s); err != nil {
		return err
	}
	if err := h.store.CreateSource(r.Context(), s); err != nil {
		return err
	}
	return h.created(w, r, c, Prefix+"/sources/"+strconv.FormatInt(s.ID, 10), h.source(s, true), "source.create", target("source", s.ID), fmt.Sprintf("Added %s source %q (%s)", s.Kind, s.Name, s.URL))
}

func (h *Handler) patchSource(w http.ResponseWriter, r *http.Request, c *caller) error {
	var b sourceBody
	if err := decode(w, r, &b); err != nil {
		return err
	}
	s, err := byPathID(r, h.store.Source)
	if err != nil {
		return err
	}
	if err := b.apply(s); err != nil {
		return err
	}
	if err := h.store.UpdateSource(r.Context(), s); err != nil {
		return err
	}
	return h.updated(w, r, c, h.source(s, true), "source.update", target("source", s.ID), fmt.Sprintf("Edited source %q", s.Name))
}

func (h *Handler) deleteSource(w http.ResponseWriter, r *http.Request, c *caller) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	s, err := h.store.Source(r.Context(), id)
	if err != nil {
		return err
	}
	if err := h.store.DeleteSource(r.Context(), id); err != nil {
		return err
	}
	return h.deleted(w, r, c, "source.delete", target("source", id), fmt.Sprintf("Deleted source %q", s.Name))
}

// Picks.

// listPicks returns the picks shown now; ?all=1 with an editor's token
// returns every pick, expired ones and unpublished articles included.
func (h *Handler) listPicks(w http.ResponseWriter, r *http.Request, c *caller) error {
	var picks []*newsdesk.Pick
	var err error
	editor := c.can(auth.EditPicks)
	if r.URL.Query().Get("all") != "" {
		if !editor {
			return newsdesk.Errorf(newsdesk.EFORBIDDEN, "all=1 is for editors' tokens only.")
		}
		picks, err = h.store.AllPicks(r.Context())
	} else {
		picks, err = h.store.Picks(r.Context(), h.now())
	}
	if err != nil {
		return fmt.Errorf("api picks: %w", err)
	}
	out := make([]pickJSON, 0, len(picks))
	for _, p := range picks {
		out = append(out, h.pick(p, editor))
	}
	writeJSON(w, http.StatusOK, list[pickJSON]{Items: out, Total: len(out), Limit: len(out)})
	return nil
}

type pickBody struct {
	ArticleID *int64     `json:"article_id"`
	Position  *int       `json:"position"`
	ExpiresAt *time.Time `json:"expires_at"`
	// NoExpiry clears the expiry (PATCH).
	NoExpiry bool `json:"no_expiry"`
}

func (h *Handler) createPick(w http.ResponseWriter, r *http.Request, c *caller) error {
	var b pickBody
	if err := decode(w, r, &b); err != nil {
		return err
	}
	if b.ArticleID == nil {
		return newsdesk.Errorf(newsdesk.EINVALID, "article_id required.")
	}
	if _, err := h.store.Article(r.Context(), *b.ArticleID); newsdesk.ErrorCode(err) == newsdesk.ENOTFOUND {
		return newsdesk.Errorf(newsdesk.EINVALID, "Article %d does not exist.", *b.ArticleID)
	} else if err != nil {
		return err
	}
	p := &newsdesk.Pick{ArticleID: *b.ArticleID, CreatedBy: c.user.ID, CreatedAt: h.now()}
	if b.Position != nil {
		if *b.Position < 0 {
			return newsdesk.Errorf(newsdesk.EINVALID, "position must be 0 or more.")
		}
		p.Position = *b.Position
	}
	if b.ExpiresAt != nil {
		if !b.ExpiresAt.After(h.now()) {
			return newsdesk.Errorf(newsdesk.EINVALID, "expires_at must be in the future.")
		}
		p.ExpiresAt = b.ExpiresAt.UTC()
	}
	if err := h.store.CreatePick(r.Context(), p); err != nil {
		return err
	}
	h.changed(r, c, "pick.create", target("pick", p.ID), fmt.Sprintf("Pinned article %d at %d", p.ArticleID, p.Position))
	return h.writePick(w, r, p.ID, http.StatusCreated)
}

// writePick writes the pick as stored now.
func (h *Handler) writePick(w http.ResponseWriter, r *http.Request, id int64, status int) error {
	picks, err := h.store.AllPicks(r.Context())
	if err != nil {
		return fmt.Errorf("api picks: %w", err)
	}
	for _, p := range picks {
		if p.ID == id {
			if status == http.StatusCreated {
				w.Header().Set("Location", Prefix+"/picks")
			}
			writeJSON(w, status, h.pick(p, true))
			return nil
		}
	}
	return newsdesk.Errorf(newsdesk.ENOTFOUND, "Pick %d not found.", id)
}

func (h *Handler) findPick(r *http.Request) (*newsdesk.Pick, []*newsdesk.Pick, error) {
	id, err := pathID(r)
	if err != nil {
		return nil, nil, err
	}
	picks, err := h.store.AllPicks(r.Context())
	if err != nil {
		return nil, nil, fmt.Errorf("api picks: %w", err)
	}
	for _, p := range picks {
		if p.ID == id {
			return p, picks, nil
		}
	}
	return nil, nil, newsdesk.Errorf(newsdesk.ENOTFOUND, "Pick %d not found.", id)
}

func (h *Handler) patchPick(w http.ResponseWriter, r *http.Request, c *caller) error {
	var b pickBody
	if err := decode(w, r, &b); err != nil {
		return err
	}
	if b.ArticleID != nil {
		return newsdesk.Errorf(newsdesk.EINVALID, "A pick's article cannot change; unpin it and pin the other.")
	}
	p, picks, err := h.findPick(r)
	if err != nil {
		return err
	}
	var changes []string
	if b.Position != nil {
		pos := max(0, min(*b.Position, len(picks)-1))
		if err := h.store.MovePick(r.Context(), p.ID, pos); err != nil {
			return err
		}
		changes = append(changes, fmt.Sprintf("moved to %d", pos))
	}
	switch {
	case b.NoExpiry:
		if err := h.store.UpdatePickExpiry(r.Context(), p.ID, time.Time{}); err != nil {
			return err
		}
		changes = append(changes, "never expires")
	case b.ExpiresAt != nil:
		if err := h.store.UpdatePickExpiry(r.Context(), p.ID, b.ExpiresAt.UTC()); err != nil {
			return err
		}
		changes = append(changes, "expires "+b.ExpiresAt.UTC().Format(time.RFC3339))
	}
	if len(changes) == 0 {
		return newsdesk.Errorf(newsdesk.EINVALID, "Nothing to change: send position, expires_at or no_expiry.")
	}
	h.changed(r, c, "pick.update", target("pick", p.ID), fmt.Sprintf("Pick of article %d %s", p.ArticleID, strings.Join(changes, ", ")))
	return h.writePick(w, r, p.ID, http.StatusOK)
}

func (h *Handler) deletePick(w http.ResponseWriter, r *http.Request, c *caller) error {
	p, _, err := h.findPick(r)
	if err != nil {
		return err
	}
	if err := h.store.DeletePick(r.Context(), p.ID); err != nil {
		return err
	}
	return h.deleted(w, r, c, "pick.delete", target("pick", p.ID), fmt.Sprintf("Unpinned article %d", p.ArticleID))
}

// Search.

func (h *Handler) searchArticles(w http.ResponseWriter, r *http.Request, c *caller) error {
	q := r.URL.Query()
	offset, limit, err := paging(q)
	if err != nil {
		return err
	}
	sq := newsdesk.SearchQuery{Text: strings.TrimSpace(q.Get("q")), Offset: offset, Limit: limit}
	if sq.Text == "" {
		return newsdesk.Errorf(newsdesk.EINVALID, "q required.")
	}
	if len(sq.Text) > 500 {
		return newsdesk.Errorf(newsdesk.EINVALID, "q is too long.")
	}
	for name, dst := range map[string]**int64{"section": &sq.SectionID, "source": &sq.SourceID, "entity": &sq.EntityID} {
		if *dst, err = optID(q, name); err != nil {
			return err
		}
	}
	if sq.From, err = optTime(q, "from"); err != nil {
		return err
	}
	if sq.To, err = optTime(q, "to"); err != nil {
		return err
	}
	switch s := newsdesk.SearchSort(q.Get("sort")); s {
	case "", newsdesk.SortRelevance, newsdesk.SortNewest:
		sq.Sort = cmp.Or(s, newsdesk.SortRelevance)
	default:
		return newsdesk.Errorf(newsdesk.EINVALID, "sort must be relevance or newest.")
	}
	sq.MaxTotal = searchMaxTotal(offset, limit)
	res, err := h.search.Search(r.Context(), sq)
	if err != nil {
		return err
	}
	editor := c.can(auth.EditArticles)
	out := make([]hitJSON, 0, len(res.Hits))
	for _, hit := range res.Hits {
		out = append(out, hitJSON{Article: h.article(hit.Article, editor), Snippet: snippetHTML(hit.Snippet), Score: hit.Score})
	}
	writeJSON(w, http.StatusOK, searchList{Items: out, Total: res.Total, TotalCapped: res.TotalCapped, Offset: offset, Limit: limit})
	return nil
}

// searchTotalUpTo is how many matches a search counts at least: an exact
// count of every match costs far more than the page of hits.
const searchTotalUpTo = 1000

// searchMaxTotal is the MaxTotal of a search for the page at offset: up
// to searchTotalUpTo, and always one past the page, so that a total says
// whether a next page exists.
func searchMaxTotal(offset, limit int) int {
	return max(searchTotalUpTo, offset+limit) + 1
}

// searchList is a page of hits; TotalCapped says that counting stopped
// early and there are Total matches or more.
type searchList struct {
	Items       []hitJSON `json:"items"`
	Total       int       `json:"total"`
	TotalCapped bool      `json:"total_capped,omitempty"`
	Offset      int       `json:"offset"`
	Limit       int       `json:"limit"`
}
