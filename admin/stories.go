package admin

import (
	"cmp"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"newsdesk"
)

const storiesPerPage = 50

type storiesData struct {
	Stories []*newsdesk.Story
	Pager   pager
}

func (h *Handler) storiesPage(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	n := pageNum(r)
	// One more than a page tells whether there is a next page.
	stories, err := h.store.Stories(r.Context(), newsdesk.StoryFilter{Offset: (n - 1) * storiesPerPage, Limit: storiesPerPage + 1})
	if err != nil {
		return fmt.Errorf("admin stories: %w", err)
	}
	total := (n-1)*storiesPerPage + len(stories)
	d := storiesData{Stories: stories[:min(len(stories), storiesPerPage)], Pager: newPager(r, n, total, storiesPerPage)}
	d.Pager.Total = 0 // unknown
	h.render(w, r, c, http.StatusOK, "stories", "Stories", "stories", d)
	return nil
}

type storyData struct {
	Story    *newsdesk.Story
	Articles []*newsdesk.Article
}

func (h *Handler) storyPage(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	s, err := h.store.Story(r.Context(), id)
	if err != nil {
		return err
	}
	arts, _, err := h.store.Articles(r.Context(), newsdesk.ArticleFilter{StoryID: &id, IncludeUnpublished: true, Oldest: true, Limit: 500})
	if err != nil {
		return fmt.Errorf("admin story %d: %w", id, err)
	}
	h.render(w, r, c, http.StatusOK, "story", s.Title, "stories", storyData{Story: s, Articles: arts})
	return nil
}

func storyTarget(id int64) string { return "story:" + strconv.FormatInt(id, 10) }

// storiesMerge moves every article of the selected stories into the one
// of them with the most articles (the oldest on a tie); the others, left
// empty, are dropped by the store.
func (h *Handler) storiesMerge(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	ctx := r.Context()
	ids, err := formIDs(r, "story")
	if err != nil {
		return err
	}
	slices.Sort(ids)
	ids = slices.Compact(ids)
	if len(ids) < 2 {
		return newsdesk.Errorf(newsdesk.EINVALID, "Select at least two stories to merge.")
	}
	var stories []*newsdesk.Story
	for _, id := range ids {
		s, err := h.store.Story(ctx, id)
		if err != nil {
			return err
		}
		stories = append(stories, s)
	}
	into := slices.MaxFunc(stories, func(a, b *newsdesk.Story) int {
		if c := cmp.Compare(a.Articles, b.Articles); c != 0 {
			return c
		}
		return cmp.Compare(b.ID, a.ID)
	})
	var move []int64
	var from []string
	for _, s := range stories {
		if s.ID == into.ID {
			continue
		}
		sid := s.ID
		arts, _, err := h.store.Articles(ctx, newsdesk.ArticleFilter{StoryID: &sid, IncludeUnpublished: true})
		if err != nil {
			return fmt.Errorf("merge story %d: %w", sid, err)
		}
		for _, a := range arts {
			move = append(move, a.ID)
		}
		from = append(from, fmt.Sprintf("%d %q", s.ID, s.Title))
	}
	if len(move) > 0 {
		if err := h.store.MoveArticles(ctx, into.ID, move); err != nil {
			return err
		}
	}
	h.changed(r, c, "story.merge", storyTarget(into.ID), fmt.Sprintf("Merged stories %s into %q (%d articles moved)",
		strings.Join(from, ", "), into.Title, len(move)))
	return done(w, r, "/admin/stories/"+strconv.FormatInt(into.ID, 10), "merged")
}

// storySplit moves the selected articles of a story into a new story.
func (h *Handler) storySplit(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	ctx := r.Context()
	id, err := pathID(r)
	if err != nil {
		return err
	}
	s, err := h.store.Story(ctx, id)
	if err != nil {
		return err
	}
	ids, err := formIDs(r, "article")
	if err != nil {
		return err
	}
	if len(ids) == 0 {
		return newsdesk.Errorf(newsdesk.EINVALID, "Select the articles to move into a new story.")
	}
	arts, _, err := h.store.Articles(ctx, newsdesk.ArticleFilter{IDs: ids, IncludeUnpublished: true})
	if err != nil {
		return fmt.Errorf("split story %d: %w", id, err)
	}
	if len(arts) != len(slices.Compact(slices.Sorted(slices.Values(ids)))) {
		return newsdesk.Errorf(newsdesk.EINVALID, "Some of the selected articles do not exist.")
	}
	for _, a := range arts {
		if a.StoryID != id {
			return newsdesk.Errorf(newsdesk.EINVALID, "Article %d is not in this story.", a.ID)
		}
	}
	ns, err := h.store.SplitArticles(ctx, ids)
	if err != nil {
		return err
	}
	h.changed(r, c, "story.split", storyTarget(ns.ID), fmt.Sprintf("Split %d articles out of story %d %q into a new story",
		len(ids), s.ID, s.Title))
	return done(w, r, "/admin/stories/"+strconv.FormatInt(ns.ID, 10), "split")
}

func (h *Handler) storyRename(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	s, err := h.store.Story(r.Context(), id)
	if err != nil {
		return err
	}
	title := strings.Join(strings.Fields(r.PostForm.Get("title")), " ")
	if title == "" {
		return newsdesk.Errorf(newsdesk.EINVALID, "The title cannot be empty.")
	}
	if err := h.store.UpdateStoryTitle(r.Context(), id, title); err != nil {
		return err
	}
	h.changed(r, c, "story.rename", storyTarget(id), fmt.Sprintf("Renamed story %q to %q", s.Title, title))
	return done(w, r, "/admin/stories/"+strconv.FormatInt(id, 10), "saved")
}
