package story_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"newsdesk"
	"newsdesk/enrich"
	"newsdesk/enrich/story"
	"newsdesk/store/sqlite"
)

// TestWarmFromStore stores a few stories in a real SQLite database, warms
// a fresh clusterer from it, and checks that a new report of a stored story
// joins it while an unrelated one does not.
func TestWarmFromStore(t *testing.T) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "x.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	src := &newsdesk.Source{Name: "Wire", Kind: newsdesk.SourceFeed, URL: "https://wire.example/feed",
		Licence: newsdesk.LicenceExcerpt, Interval: 15 * time.Minute}
	if err := db.CreateSource(ctx, src); err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC().Truncate(time.Second)
	mk := func(n int, head, lede string, at time.Duration) *newsdesk.Article {
		return &newsdesk.Article{
			GUID: "wire-" + string(rune('a'+n)), URL: "https://wire.example/" + string(rune('a'+n)),
			Headline: head, Lede: lede, Text: lede, PublishedAt: now.Add(-at), Status: newsdesk.StatusPublished,
		}
	}
	// The first report of each story makes its story.
	firsts := []*newsdesk.Article{
		mk(0, "Chiquita and Fyffes agree merger to create world's largest banana company",
			"Chiquita Brands and Ireland's Fyffes agreed to merge in an all-share deal, creating the world's largest banana supplier.", 5*time.Hour),
		mk(1, "Mt. Gox files for bankruptcy protection in the United States",
			"The collapsed bitcoin exchange Mt. Gox sought bankruptcy protection in a Dallas court to shield itself from US lawsuits.", 4*time.Hour),
		mk(2, "Colorado collects $2 million in first month of marijuana taxes",
			"Colorado took in about $2 million in taxes on recreational marijuana in January, the first month of legal sales.", 4*time.Hour),
	}
	if _, err := db.UpsertArticles(ctx, src.ID, firsts); err != nil {
		t.Fatal(err)
	}
	merger := firsts[0].StoryID
	if merger == 0 {
		t.Fatal("UpsertArticles set no story")
	}
	// A second report joins the merger story.
	second := mk(3, "Fyffes, Chiquita merger to save $40 million a year",
		"The merged banana company expects savings of $40 million a year from 2016, Chiquita and Fyffes said.", 3*time.Hour)
	second.StoryID = merger
	if _, err := db.UpsertArticles(ctx, src.ID, []*newsdesk.Article{second}); err != nil {
		t.Fatal(err)
	}
	// Too old for the window: must not be loaded.
	old := mk(4, "Chiquita reports quarterly loss", "Chiquita Brands reported a loss for the quarter.", 100*time.Hour)
	if _, err := db.UpsertArticles(ctx, src.ID, []*newsdesk.Article{old}); err != nil {
		t.Fatal(err)
	}

	c := story.New(story.Options{})
	if err := c.Warm(ctx, db, now.Add(-story.DefaultWindow)); err != nil {
		t.Fatal(err)
	}
	if st := c.Stats(); st.Articles != 4 || st.Stories != 3 {
		t.Errorf("warmed %+v, want 4 articles in 3 stories", st)
	}
	tests := []struct {
		name string
		a    *newsdesk.Article
		want int64
	}{
		{"report of a stored story", &newsdesk.Article{
			Headline:    "Chiquita to buy Fyffes, creating biggest banana supplier",
			URL:         "https://other.example/business/chiquita-to-buy-fyffes-creating-biggest-banana-supplier",
			PublishedAt: now,
		}, merger},
		{"another stored story", &newsdesk.Article{
			Headline:    "Bitcoin exchange Mt. Gox seeks US bankruptcy relief",
			PublishedAt: now,
		}, firsts[1].StoryID},
		{"unrelated", &newsdesk.Article{
			Headline:    "Titanfall launches on Xbox One to strong reviews",
			PublishedAt: now,
		}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ex := &enrich.Explanation{}
			if err := c.Enrich(ctx, tt.a, ex); err != nil {
				t.Fatal(err)
			}
			if tt.a.StoryID != tt.want {
				t.Errorf("StoryID = %d, want %d\n%s", tt.a.StoryID, tt.want, ex)
			}
		})
	}
}
