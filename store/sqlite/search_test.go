package sqlite_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"newsdesk"
	"newsdesk/store/sqlite"
)

// TestSearchPlans runs the same searches with the plan of a query matching
// few documents (the full-text matches drive, bm25 ranks) and with those
// of a dense one (the river walked newest first; by relevance, the newest
// matches ranked by where the words are), including their fallbacks.
// Newest first, it wants the same hits and totals; by relevance, the same
// totals, hits among the matches ordered by their scores, and pages that
// follow each other. The corpus has fewer matches than a dense query
// ranks, so every match is a candidate.
// Publication order differs from ID order, several articles share a time,
// some are unpublished, so that the walk's ranges and keys are exercised.
func TestSearchPlans(t *testing.T) {
	ctx := t.Context()
	db := mustOpen(t)
	var sources []*newsdesk.Source
	for i := range 3 {
		s := &newsdesk.Source{Name: fmt.Sprintf("wire %d", i), Kind: newsdesk.SourceFeed, URL: fmt.Sprintf("https://wire%d.example/feed", i)}
		if err := db.CreateSource(ctx, s); err != nil {
			t.Fatal(err)
		}
		sources = append(sources, s)
	}
	region := &newsdesk.Section{Slug: "region", Name: "Region"}
	if err := db.CreateSection(ctx, region); err != nil {
		t.Fatal(err)
	}
	var countries []int64
	for i := range 3 {
		c := &newsdesk.Section{Slug: fmt.Sprintf("country-%d", i), Name: fmt.Sprintf("Country %d", i), ParentID: region.ID}
		if err := db.CreateSection(ctx, c); err != nil {
			t.Fatal(err)
		}
		countries = append(countries, c.ID)
	}
	var ents []int64
	for i := range 4 {
		e := &newsdesk.Entity{Kind: newsdesk.EntityPerson, Name: fmt.Sprintf("Person %c", 'A'+i)}
		if err := db.CreateEntity(ctx, e); err != nil {
			t.Fatal(err)
		}
		ents = append(ents, e.ID)
	}
	words := []string{"oil", "gas", "talks", "border", "vote", "court", "storm", "harvest"}
	rng := rand.New(rand.NewPCG(3, 4))
	text := func(n int) string {
		w := make([]string, n)
		for i := range w {
			// Skewed: "oil" is in most articles, "harvest" in few.
			w[i] = words[min(int(rng.ExpFloat64()*2), len(words)-1)]
		}
		return strings.Join(w, " ")
	}
	start := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	var arts []*newsdesk.Article
	for i := range 400 {
		// IDs follow publication in runs, with older articles arriving late.
		day := i
		if rng.IntN(5) == 0 {
			day = rng.IntN(400)
		}
		a := &newsdesk.Article{
			GUID: fmt.Sprintf("g%d", i), Headline: text(4), Lede: text(6), Text: text(12), Language: "en",
			PublishedAt: start.Add(time.Duration(day/2) * time.Hour), // pairs share a time
			Sections:    []newsdesk.SectionRef{{ID: countries[rng.IntN(len(countries))]}},
			Entities:    []newsdesk.EntityRef{{ID: ents[rng.IntN(len(ents))], Mentions: 1}},
		}
		a.Body = "<p>" + a.Text + "</p>"
		if rng.IntN(15) == 0 {
			a.Status = newsdesk.StatusUnpublished
		}
		arts = append(arts, a)
	}
	var docs []newsdesk.SearchDoc
	for i, src := range sources {
		batch := arts[i*len(arts)/len(sources) : (i+1)*len(arts)/len(sources)]
		if _, err := db.UpsertArticles(ctx, src.ID, batch); err != nil {
			t.Fatal(err)
		}
		for _, a := range batch {
			docs = append(docs, newsdesk.SearchDoc{ArticleID: a.ID, Headline: a.Headline, Lede: a.Lede, Body: a.Text})
		}
	}
	if err := db.IndexArticles(ctx, docs); err != nil {
		t.Fatal(err)
	}

	from, to := start.Add(40*time.Hour), start.Add(150*time.Hour)
	type variant struct {
		name          string
		dense, walkTo int
	}
	variants := []variant{{"dense", 1, 1 << 20}, {"dense, short walks", 1, 60}}
	var queries []newsdesk.SearchQuery
	for _, text := range []string{"oil", "gas talks", `"oil gas"`} {
		for _, sort := range []newsdesk.SearchSort{newsdesk.SortRelevance, newsdesk.SortNewest} {
			for _, f := range []func(q *newsdesk.SearchQuery){
				func(q *newsdesk.SearchQuery) {},
				func(q *newsdesk.SearchQuery) { q.From = &from },
				func(q *newsdesk.SearchQuery) { q.From, q.To = &from, &to },
				func(q *newsdesk.SearchQuery) { q.SectionID = &region.ID },
				func(q *newsdesk.SearchQuery) { q.SectionID, q.To = &countries[1], &to },
				func(q *newsdesk.SearchQuery) { q.SourceID = &sources[0].ID },
				func(q *newsdesk.SearchQuery) { q.EntityID, q.SourceID = &ents[0], &sources[1].ID },
			} {
				for _, page := range []newsdesk.SearchQuery{
					{Limit: 10}, {Offset: 500, Limit: 10}, {Offset: 7, Limit: 7, MaxTotal: 25}, {Offset: 7, Limit: 7, NoTotal: true},
				} {
					q := page
					q.Text, q.Sort = text, sort
					f(&q)
					queries = append(queries, q)
				}
			}
		}
	}
	key := func(res *newsdesk.SearchResult, scores bool) string {
		var b strings.Builder
		fmt.Fprintf(&b, "total %d capped %v:", res.Total, res.TotalCapped)
		for _, h := range res.Hits {
			if scores {
				fmt.Fprintf(&b, " %d/%.9g/%v", h.Article.ID, h.Score, h.Snippet != "")
			} else {
				fmt.Fprintf(&b, " %d/%v", h.Article.ID, h.Snippet != "")
			}
		}
		return b.String()
	}
	var want []*newsdesk.SearchResult
	for _, q := range queries {
		res, err := db.Search(ctx, q)
		if err != nil {
			t.Fatalf("%+v: %v", q, err)
		}
		want = append(want, res)
	}
	if !slices.ContainsFunc(want, func(r *newsdesk.SearchResult) bool { return len(r.Hits) >= 10 }) {
		t.Fatal("no search fills a page: the test corpus is too small")
	}
	for _, v := range variants {
		sqlite.SetSearchLimits(db, v.dense, v.walkTo)
		for i, q := range queries {
			name := fmt.Sprintf("%s: %q sort %s from %v to %v section %v source %v entity %v offset %d limit %d max %d nototal %v",
				v.name, q.Text, q.Sort, q.From != nil, q.To != nil, q.SectionID != nil, q.SourceID != nil, q.EntityID != nil,
				q.Offset, q.Limit, q.MaxTotal, q.NoTotal)
			res, err := db.Search(ctx, q)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if q.Sort == newsdesk.SortNewest {
				if got, w := key(res, false), key(want[i], false); got != w {
					t.Errorf("%s:\n got %s\nwant %s", name, got, w)
				}
				continue
			}
			if v.walkTo < 1000 && q.MaxTotal > 0 && res.TotalCapped {
				// Short walks: the newest few articles hold the
				// candidates; the total is a lower bound.
				if res.Total > want[i].Total || res.Total < len(res.Hits)+q.Offset && len(res.Hits) > 0 {
					t.Errorf("%s: total %d, want at most %d and at least the hits", name, res.Total, want[i].Total)
				}
			} else if res.Total != want[i].Total || res.TotalCapped != want[i].TotalCapped || len(res.Hits) != len(want[i].Hits) {
				t.Errorf("%s: total %d capped %v, %d hits; want %d, %v, %d", name, res.Total, res.TotalCapped, len(res.Hits),
					want[i].Total, want[i].TotalCapped, len(want[i].Hits))
			}
			for j, h := range res.Hits {
				if h.Snippet == "" || h.Score <= 0 {
					t.Errorf("%s: hit %d has score %g, snippet %q", name, h.Article.ID, h.Score, h.Snippet)
				}
				if j > 0 && (h.Score > res.Hits[j-1].Score ||
					h.Score == res.Hits[j-1].Score && h.Article.PublishedAt.After(res.Hits[j-1].Article.PublishedAt)) {
					t.Errorf("%s: hit %d (%g) ranked after %d (%g)", name, h.Article.ID, h.Score, res.Hits[j-1].Article.ID, res.Hits[j-1].Score)
				}
			}
			if q.Offset > 0 && q.Offset < 100 {
				// The page continues the first ones.
				first := q
				first.Offset, first.Limit, first.NoTotal = 0, q.Offset+q.Limit, true
				all, err := db.Search(ctx, first)
				if err != nil {
					t.Fatal(err)
				}
				got, w := key(&newsdesk.SearchResult{Hits: res.Hits}, true), key(&newsdesk.SearchResult{Hits: all.Hits[min(q.Offset, len(all.Hits)):]}, true)
				if got != w {
					t.Errorf("%s: page does not follow the first ones:\n got %s\nwant %s", name, got, w)
				}
			}
		}
	}
	sqlite.SetSearchLimits(db, 0, 0)
}

// TestSearchDenseWindow: a query with a common word ranks the newest
// matches by where the words are (headline first), looks for them among
// the newest articles (widening once when those do not fill the page),
// and counts a capped total there as a lower bound; an uncapped total is
// exact.
func TestSearchDenseWindow(t *testing.T) {
	ctx := t.Context()
	db := mustOpen(t)
	src := &newsdesk.Source{Name: "wire", Kind: newsdesk.SourceFeed, URL: "https://wire.example/feed"}
	if err := db.CreateSource(ctx, src); err != nil {
		t.Fatal(err)
	}
	start := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	var arts []*newsdesk.Article
	for i := range 300 {
		a := &newsdesk.Article{GUID: fmt.Sprintf("g%d", i), Headline: "Weather report", Lede: "Clouds and rain.",
			Text: "Oil and gas fields.", PublishedAt: start.Add(time.Duration(i) * time.Hour)}
		if i%7 == 0 {
			a.Headline = "Oil prices climb"
		}
		if i == 50 || i == 240 || i == 250 {
			a.Text = "The oil field closed." // the phrase "oil field"
		}
		arts = append(arts, a)
	}
	if _, err := db.UpsertArticles(ctx, src.ID, arts); err != nil {
		t.Fatal(err)
	}
	var docs []newsdesk.SearchDoc
	for _, a := range arts {
		docs = append(docs, newsdesk.SearchDoc{ArticleID: a.ID, Headline: a.Headline, Lede: a.Lede, Body: a.Text})
	}
	if err := db.IndexArticles(ctx, docs); err != nil {
		t.Fatal(err)
	}
	// Dense from 10 documents; a window of 20 IDs, then 80.
	sqlite.SetSearchLimits(db, 10, 100)
	defer sqlite.SetSearchLimits(db, 0, 0)
	newest := arts[len(arts)-1].ID

	res, err := db.Search(ctx, newsdesk.SearchQuery{Text: "oil", Limit: 5, MaxTotal: 1000})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Hits) != 5 || res.Total != 20 || !res.TotalCapped {
		t.Fatalf("oil: %d hits, total %d capped %v; want 5 hits, 20 (the window) capped", len(res.Hits), res.Total, res.TotalCapped)
	}
	for i, h := range res.Hits {
		if h.Article.ID <= newest-20 {
			t.Errorf("hit %d is outside the window", h.Article.ID)
		}
		if i < 3 && h.Article.Headline != "Oil prices climb" {
			t.Errorf("hit %d %q ranks before a headline match", h.Article.ID, h.Article.Headline)
		}
		if i > 0 && h.Article.Headline == res.Hits[i-1].Article.Headline && h.Article.PublishedAt.After(res.Hits[i-1].Article.PublishedAt) {
			t.Errorf("equal hits not newest first")
		}
	}

	res, err = db.Search(ctx, newsdesk.SearchQuery{Text: "oil", Limit: 5})
	if err != nil {
		t.Fatal(err)
	}
	if res.Total != 300 || res.TotalCapped {
		t.Errorf("uncapped total %d capped %v, want 300 exact", res.Total, res.TotalCapped)
	}

	// The phrase is rare, its words dense: none among the newest 20, two
	// among the newest 80, the old one out of reach.
	res, err = db.Search(ctx, newsdesk.SearchQuery{Text: `"oil field"`, Limit: 5, MaxTotal: 1000})
	if err != nil {
		t.Fatal(err)
	}
	var got []int64
	for _, h := range res.Hits {
		got = append(got, h.Article.ID)
	}
	if want := []int64{arts[250].ID, arts[240].ID}; !slices.Equal(got, want) || res.Total != 2 || !res.TotalCapped {
		t.Errorf(`"oil field": hits %v total %d capped %v; want %v, 2 capped`, got, res.Total, res.TotalCapped, want)
	}
}
