package site

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"net/http"
	"slices"
	"time"

	"newsdesk"
)

type homePage struct {
	page
	First      bool
	Latest     []*newsdesk.Article
	Pager      pager
	Picks      []*newsdesk.Pick
	TopStories []*newsdesk.Story
	Trending   []trendItem
	MostRead   *mostReadBlock
	Blocks     []sectionBlock
}

type sectionBlock struct {
	Section  *newsdesk.Section
	Articles []*newsdesk.Article
}

// topStoryWindow is how far back "Top stories" looks.
const topStoryWindow = 72 * time.Hour

func (h *Handler) home(w http.ResponseWriter, r *http.Request) {
	n, err := pageNumber(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.cached(w, r, func(ctx context.Context, buf *bytes.Buffer) error {
		p, err := h.homeData(ctx, r, n)
		if err != nil {
			return err
		}
		return h.web.Render(buf, "site/home", p)
	})
}

func (h *Handler) homeData(ctx context.Context, r *http.Request, n int) (*homePage, error) {
	p := &homePage{page: h.basePage(ctx, "", "/"), First: n == 1}
	p.Description = "Latest news, editors' picks and top stories from " + h.name + "."
	p.Alternates = feedAlternates("", h.name)
	if n > 1 {
		p.Title = fmt.Sprintf("Latest news, page %d", n)
	}
	arts, total, err := h.store.Articles(ctx, newsdesk.ArticleFilter{ExcludeDuplicates: true, Offset: (n - 1) * perPage, Limit: perPage, MaxTotal: maxPage * perPage, Cards: true})
	if err != nil {
		return nil, fmt.Errorf("home river: %w", err)
	}
	p.Latest = arts
	if p.Pager, err = paginate(&p.page, "/", nil, n, total, perPage); err != nil {
		return nil, err
	}
	p.OG = &openGraph{Type: "website", Title: h.name, Description: p.Description, URL: p.Canonical, SiteName: h.name}
	if n > 1 {
		return p, nil
	}
	now := h.now()
	if p.Picks, err = h.store.Picks(ctx, now); err != nil {
		return nil, fmt.Errorf("home picks: %w", err)
	}
	since := now.Add(-topStoryWindow)
	stories, err := h.store.Stories(ctx, newsdesk.StoryFilter{Since: &since, MinSources: 2, Limit: 50})
	if err != nil {
		return nil, fmt.Errorf("home top stories: %w", err)
	}
	slices.SortStableFunc(stories, func(a, b *newsdesk.Story) int {
		if c := cmp.Compare(b.Sources, a.Sources); c != 0 {
			return c
		}
		if c := cmp.Compare(b.Articles, a.Articles); c != 0 {
			return c
		}
		return b.LastAt.Compare(a.LastAt)
	})
	p.TopStories = stories[:min(len(stories), 5)]
	if p.Trending, err = h.trendingKept(ctx, now); err != nil {
		return nil, fmt.Errorf("home trending: %w", err)
	}
	if p.MostRead, err = h.mostRead(ctx, nil, now); err != nil {
		return nil, fmt.Errorf("home: %w", err)
	}
	for _, nav := range p.Nav {
		id := nav.Section.ID
		arts, _, err := h.store.Articles(ctx, newsdesk.ArticleFilter{SectionID: &id, ExcludeDuplicates: true, Limit: 6, NoTotal: true, Cards: true})
		if err != nil {
			return nil, fmt.Errorf("home block %s: %w", nav.Section.Slug, err)
		}
		if len(arts) > 0 {
			p.Blocks = append(p.Blocks, sectionBlock{Section: nav.Section, Articles: arts})
		}
	}
	return p, nil
}
