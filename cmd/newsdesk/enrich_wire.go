package main

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"newsdesk"
	"newsdesk/enrich"
	"newsdesk/enrich/dateline"
	"newsdesk/enrich/dedup"
	"newsdesk/enrich/entity"
	"newsdesk/enrich/lang"
	"newsdesk/enrich/section"
	"newsdesk/enrich/story"
	"newsdesk/gazetteer"
)

// Windows of the in-memory indexes of the enrichment steps.
const (
	dedupWindow = 7 * 24 * time.Hour
	storyWindow = 72 * time.Hour
)

// buildEnricher assembles the enrichment chain in its order: dateline and
// language first (section filing reads the dateline), then sections and
// entities, then duplicates and stories (a near-copy joins its original's
// story). The duplicate and story indexes are warmed from the store.
func buildEnricher(ctx context.Context, st newsdesk.Store, log *slog.Logger) (*enrich.Enricher, error) {
	g := gazetteer.New()
	tree := &treeCache{st: st, ttl: 30 * time.Second}
	filer := section.New(tree.get, section.Options{Gazetteer: g})
	if err := learnFiling(ctx, st, filer); err != nil {
		return nil, err
	}
	ent, err := entity.New(st, entity.Options{Gazetteer: g})
	if err != nil {
		return nil, fmt.Errorf("entity dictionary: %w", err)
	}
	now := time.Now()
	dd := dedup.New(st, dedup.Options{Window: dedupWindow, Logger: log})
	if err := dd.Warm(ctx, st, now.Add(-dedupWindow)); err != nil {
		return nil, fmt.Errorf("warm duplicate index: %w", err)
	}
	cl := story.New(story.Options{Window: storyWindow, Logger: log})
	if err := cl.Warm(ctx, st, now.Add(-storyWindow)); err != nil {
		return nil, fmt.Errorf("warm story index: %w", err)
	}
	return &enrich.Enricher{Steps: []enrich.Step{dateline.New(g), lang.NewStep(), filer, ent, dd, cl}}, nil
}

// learnFiling teaches the section filer from the articles editors filed by
// hand (the most recent few thousand).
func learnFiling(ctx context.Context, st newsdesk.Store, filer *section.Filer) error {
	var locked []*newsdesk.Article
	for offset := 0; offset < 5000; offset += 500 {
		arts, _, err := st.Articles(ctx, newsdesk.ArticleFilter{IncludeUnpublished: true, Offset: offset, Limit: 500})
		if err != nil {
			return fmt.Errorf("load articles filed by editors: %w", err)
		}
		for _, a := range arts {
			if a.SectionsLocked {
				locked = append(locked, a)
			}
		}
		if len(arts) < 500 {
			break
		}
	}
	filer.Learn(locked)
	return nil
}

// treeCache keeps the section tree for a short while: filing reads it for
// every article, and editors' changes show within ttl.
type treeCache struct {
	st  newsdesk.SectionStore
	ttl time.Duration

	mu     sync.Mutex
	tree   *newsdesk.SectionTree
	loaded time.Time
}

func (c *treeCache) get(ctx context.Context) (*newsdesk.SectionTree, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.tree != nil && time.Since(c.loaded) < c.ttl {
		return c.tree, nil
	}
	secs, err := c.st.Sections(ctx)
	if err != nil {
		return nil, fmt.Errorf("load sections: %w", err)
	}
	c.tree, c.loaded = newsdesk.NewSectionTree(secs), time.Now()
	return c.tree, nil
}
