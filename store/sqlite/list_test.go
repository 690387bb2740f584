package sqlite_test

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"newsdesk"
)

// TestArticlesRivers checks the river plans of Articles (entity pages, any
// of several entities merged, sections, copies left out) against the
// same filters worked out in Go over every stored article, after filing,
// status and duplicate-of were changed by editors; and NoTotal, MaxTotal.
func TestArticlesRivers(t *testing.T) {
	ctx := context.Background()
	db := mustOpen(t)
	src := &newsdesk.Source{Name: "Wire", Kind: newsdesk.SourceFeed, URL: "https://wire.example/feed"}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(db.CreateSource(ctx, src))
	region := &newsdesk.Section{Slug: "region", Name: "Region"}
	must(db.CreateSection(ctx, region))
	var countries []int64
	for i := range 2 {
		s := &newsdesk.Section{Slug: fmt.Sprintf("c%d", i), Name: "Country", ParentID: region.ID}
		must(db.CreateSection(ctx, s))
		countries = append(countries, s.ID)
	}
	var ents []int64
	for i := range 5 {
		e := &newsdesk.Entity{Kind: newsdesk.EntityPerson, Name: fmt.Sprintf("Person %d", i)}
		must(db.CreateEntity(ctx, e))
		ents = append(ents, e.ID)
	}
	base := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	var all []*newsdesk.Article
	for i := range 90 {
		a := &newsdesk.Article{
			GUID: fmt.Sprintf("g%d", i), Headline: fmt.Sprintf("Report %d", i),
			PublishedAt: base.Add(time.Duration((i*37)%90) * time.Hour),
			Sections:    []newsdesk.SectionRef{{ID: countries[i%2]}},
		}
		for k, e := range ents {
			if (i+k)%3 == 0 || i%(k+2) == 0 {
				a.Entities = append(a.Entities, newsdesk.EntityRef{ID: e})
			}
		}
		if i%7 == 3 && len(all) > 0 {
			a.DuplicateOf = all[len(all)-1].ID
		}
		_, err := db.UpsertArticles(ctx, src.ID, []*newsdesk.Article{a})
		must(err)
		all = append(all, a)
	}
	// Editors unpublish some, mark copies, change entities and filing.
	for i, a := range all {
		switch i % 11 {
		case 1:
			a.Status = newsdesk.StatusUnpublished
		case 2:
			a.DuplicateOf = all[0].ID
		case 4:
			a.Entities = []newsdesk.EntityRef{{ID: ents[4]}}
			a.Sections = []newsdesk.SectionRef{{ID: countries[(i+1)%2]}}
		default:
			continue
		}
		must(db.UpdateArticle(ctx, a))
	}
	stored, _, err := db.Articles(ctx, newsdesk.ArticleFilter{IncludeUnpublished: true})
	must(err)
	if len(stored) != len(all) {
		t.Fatalf("%d articles stored, want %d", len(stored), len(all))
	}

	since := base.Add(30 * time.Hour)
	want := func(f newsdesk.ArticleFilter) ([]int64, int) {
		var out []*newsdesk.Article
		for _, a := range stored {
			names := func(ids []int64) bool {
				for _, e := range a.Entities {
					if slices.Contains(ids, e.ID) {
						return true
					}
				}
				return false
			}
			filed := func(id int64) bool {
				for _, s := range a.Sections {
					if s.ID == id || id == region.ID {
						return true
					}
				}
				return false
			}
			switch {
			case a.Status != newsdesk.StatusPublished,
				f.ExcludeDuplicates && a.DuplicateOf != 0,
				f.EntityID != nil && !names([]int64{*f.EntityID}),
				f.AnyEntity != nil && !names(f.AnyEntity),
				f.SectionID != nil && !filed(*f.SectionID),
				f.Since != nil && a.PublishedAt.Before(*f.Since):
				continue
			}
			out = append(out, a)
		}
		slices.SortFunc(out, func(x, y *newsdesk.Article) int {
			c := cmp.Or(x.PublishedAt.Compare(y.PublishedAt), cmp.Compare(x.ID, y.ID))
			if f.Oldest {
				return c
			}
			return -c
		})
		total := len(out)
		out = out[min(f.Offset, len(out)):]
		if f.Limit > 0 {
			out = out[:min(f.Limit, len(out))]
		}
		var ids []int64
		for _, a := range out {
			ids = append(ids, a.ID)
		}
		return ids, total
	}
	e0, e2, sec := ents[0], ents[2], countries[1]
	filters := []newsdesk.ArticleFilter{
		{EntityID: &e0, Limit: 10},
		{EntityID: &e2, ExcludeDuplicates: true, Limit: 7, Offset: 7},
		{EntityID: &e0, Oldest: true, Since: &since, Limit: 5},
		{AnyEntity: []int64{ents[1], ents[3]}, Limit: 10},
		{AnyEntity: []int64{ents[1], ents[3], ents[4], ents[1]}, ExcludeDuplicates: true, Since: &since, Limit: 6, Offset: 12},
		{AnyEntity: []int64{ents[0], ents[2]}, Oldest: true, Limit: 9},
		{AnyEntity: []int64{ents[0], ents[4]}},
		{AnyEntity: []int64{}, Limit: 5},
		{EntityID: &e0, AnyEntity: []int64{ents[3]}, Limit: 5},
		{EntityID: &e2, SectionID: &sec, Limit: 4},
		{AnyEntity: []int64{ents[1], ents[2]}, SectionID: &region.ID, ExcludeDuplicates: true, Limit: 8},
		{SectionID: &sec, ExcludeDuplicates: true, Limit: 10},
		{SectionID: &region.ID, ExcludeDuplicates: true, Limit: 10, Offset: 20},
		{ExcludeDuplicates: true, Limit: 10, Offset: 10},
		{ExcludeDuplicates: true, Since: &since, Limit: 10},
	}
	for _, f := range filters {
		t.Run(fmt.Sprintf("%+v", f), func(t *testing.T) {
			ids, total := want(f)
			arts, n, err := db.Articles(ctx, f)
			must(err)
			var got []int64
			for _, a := range arts {
				got = append(got, a.ID)
			}
			if !slices.Equal(got, ids) || n != total {
				t.Errorf("got %v (total %d), want %v (total %d)", got, n, ids, total)
			}
			f.NoTotal = true
			if _, n, err := db.Articles(ctx, f); err != nil || n != -1 {
				t.Errorf("NoTotal: total %d, err %v; want -1", n, err)
			}
			f.NoTotal, f.MaxTotal = false, 3
			arts, n, err = db.Articles(ctx, f)
			must(err)
			if len(arts) != len(ids) || n != min(total, 3) {
				t.Errorf("MaxTotal 3: %d articles, total %d; want %d, %d", len(arts), n, len(ids), min(total, 3))
			}
		})
	}
}

// TestSearchTotals checks NoTotal and MaxTotal of Search.
func TestSearchTotals(t *testing.T) {
	ctx := context.Background()
	db := mustOpen(t)
	var docs []newsdesk.SearchDoc
	for i := range 30 {
		a := &newsdesk.Article{GUID: fmt.Sprintf("g%d", i), Headline: fmt.Sprintf("Oil report %d", i),
			PublishedAt: time.Date(2025, 1, 1+i, 0, 0, 0, 0, time.UTC)}
		if _, err := db.UpsertArticles(ctx, 0, []*newsdesk.Article{a}); err != nil {
			t.Fatal(err)
		}
		docs = append(docs, newsdesk.SearchDoc{ArticleID: a.ID, Headline: "oil report"})
	}
	if err := db.IndexArticles(ctx, docs); err != nil {
		t.Fatal(err)
	}
	from := time.Date(2025, 1, 11, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		q           newsdesk.SearchQuery
		hits, total int
		capped      bool
	}{
		{newsdesk.SearchQuery{Text: "oil", Limit: 5}, 5, 30, false},
		{newsdesk.SearchQuery{Text: "oil", Limit: 5, NoTotal: true}, 5, -1, false},
		{newsdesk.SearchQuery{Text: "oil", Limit: 5, MaxTotal: 12}, 5, 12, true},
		{newsdesk.SearchQuery{Text: "oil", Limit: 5, MaxTotal: 40}, 5, 30, false},
		{newsdesk.SearchQuery{Text: "oil", From: &from, Limit: 5, MaxTotal: 15}, 5, 15, true},
		{newsdesk.SearchQuery{Text: "oil", From: &from, Limit: 50, MaxTotal: 30}, 20, 20, false},
		{newsdesk.SearchQuery{Text: "oil", From: &from, Sort: newsdesk.SortNewest, Limit: 3}, 3, 20, false},
	} {
		res, err := db.Search(ctx, tc.q)
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Hits) != tc.hits || res.Total != tc.total || res.TotalCapped != tc.capped {
			t.Errorf("%+v: %d hits, total %d, capped %v; want %d, %d, %v", tc.q, len(res.Hits), res.Total, res.TotalCapped, tc.hits, tc.total, tc.capped)
		}
		for _, h := range res.Hits {
			if h.Article.PublishedAt.Before(from) && tc.q.From != nil {
				t.Errorf("%+v: hit %d published %v", tc.q, h.Article.ID, h.Article.PublishedAt)
			}
			if h.Snippet == "" {
				t.Errorf("%+v: hit %d without snippet", tc.q, h.Article.ID)
			}
		}
	}
}
