package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"newsdesk"
	"newsdesk/enrich"
	"newsdesk/index"
)

const enrichUsage = `usage:
  newsdesk enrich --explain ARTICLE_ID   show why an article was filed, tagged and clustered as it is
  newsdesk enrich --all                  re-run enrichment over every stored article, with progress`

// enrichVerb explains one article's enrichment, or re-runs enrichment over
// the stored articles (after a change of the section tree, the gazetteer or
// the entity dictionary).
func (m *Main) enrichVerb(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("enrich", flag.ContinueOnError)
	fs.SetOutput(m.Stderr)
	cfg := m.flags(fs)
	explain := fs.Int64("explain", 0, "article `ID` to explain")
	all := fs.Bool("all", false, "re-run enrichment over every stored article")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if (*explain == 0) == !*all {
		return &exitError{2, errors.New(enrichUsage)}
	}
	log, err := cfg.logger(m)
	if err != nil {
		return err
	}
	st, err := cfg.openWriting(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	enricher, err := buildEnricher(ctx, st, log)
	if err != nil {
		return err
	}
	if *explain != 0 {
		return explainArticle(ctx, m.Stdout, st, enricher, *explain)
	}
	return m.reenrichAll(ctx, st, enricher)
}

func explainArticle(ctx context.Context, w io.Writer, st newsdesk.Store, e *enrich.Enricher, id int64) error {
	stored, err := st.Article(ctx, id)
	if err != nil {
		return fmt.Errorf("enrich: article %d: %s", id, newsdesk.ErrorMessage(err))
	}
	// Explain on a copy with the computed fields cleared, so every step
	// decides afresh; the stored article is not changed.
	a := *stored
	a.DatelinePlace, a.DatelineAgency, a.DuplicateOf, a.StoryID = "", "", 0, 0
	if !a.SectionsLocked {
		a.Sections = nil
	}
	a.Entities = nil
	// The indexes were warmed with this very article: take it out, so that
	// it is not found as its own near-copy or story.
	for _, step := range e.Steps {
		if f, ok := step.(interface{ Forget(int64) }); ok {
			f.Forget(id)
		}
	}
	ex, err := e.Explain(ctx, &a)
	if err != nil {
		return fmt.Errorf("enrich: explain article %d: %w", id, err)
	}
	fmt.Fprintf(w, "article %d: %s\nsource: %s\n\n", stored.ID, stored.Headline, stored.Source)
	fmt.Fprint(w, ex.String())
	fmt.Fprintf(w, "\nstored:   sections %s; story %d; duplicate of %d; dateline %q (%s); language %s\n",
		refNames(stored.Sections), stored.StoryID, stored.DuplicateOf, stored.DatelinePlace, stored.DatelineAgency, stored.Language)
	fmt.Fprintf(w, "entities: %s\n", entityNames(stored.Entities))
	if stored.SectionsLocked {
		fmt.Fprintln(w, "sections were chosen by an editor and are kept")
	}
	return nil
}

func refNames(refs []newsdesk.SectionRef) string {
	var names []string
	for _, r := range refs {
		names = append(names, r.Name)
	}
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}

func entityNames(refs []newsdesk.EntityRef) string {
	var names []string
	for _, r := range refs {
		names = append(names, fmt.Sprintf("%s (%s, %d)", r.Name, r.Kind, r.Mentions))
	}
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}

// reenrichAll re-runs enrichment over every stored article, oldest first,
// keeping editors' choices (locked sections) and stories, and reindexes.
func (m *Main) reenrichAll(ctx context.Context, st newsdesk.Store, e *enrich.Enricher) error {
	_, total, err := st.Articles(ctx, newsdesk.ArticleFilter{IncludeUnpublished: true, Limit: 1})
	if err != nil {
		return err
	}
	bar := newProgress(m.Stderr, "enriching", total)
	idx := index.New(st)
	const page = 200
	var done, changed int
	for offset := 0; offset < total; offset += page {
		arts, _, err := st.Articles(ctx, newsdesk.ArticleFilter{IncludeUnpublished: true, Oldest: true, Offset: offset, Limit: page})
		if err != nil {
			return err
		}
		for _, a := range arts {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			before := fmt.Sprint(a.Sections, a.Entities, a.DatelinePlace, a.Language, a.DuplicateOf)
			a.DatelinePlace, a.DatelineAgency, a.DuplicateOf = "", "", 0
			if !a.SectionsLocked {
				a.Sections = nil
			}
			a.Entities = nil
			if err := e.Enrich(ctx, a); err != nil {
				return fmt.Errorf("enrich article %d: %w", a.ID, err)
			}
			if fmt.Sprint(a.Sections, a.Entities, a.DatelinePlace, a.Language, a.DuplicateOf) != before {
				if err := st.UpdateArticle(ctx, a); err != nil {
					return fmt.Errorf("save article %d: %w", a.ID, err)
				}
				changed++
			}
			done++
			bar.set(done)
		}
		if err := idx.Index(ctx, arts); err != nil {
			return fmt.Errorf("reindex: %w", err)
		}
	}
	bar.done()
	fmt.Fprintf(m.Stdout, "enriched %d articles, %d changed\n", done, changed)
	return nil
}
