package sqlite_test

import (
	"context"
	"testing"
	"time"

	"newsdesk"
	"newsdesk/store/sqlite"
)

// TestUpsertIndexedInMemory: an in-memory database has one connection,
// which the batch's transaction would hold while its documents read the
// store; they are made after it instead, and the articles are found.
func TestUpsertIndexedInMemory(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	db, err := sqlite.Open(ctx, ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ent := &newsdesk.Entity{Name: "Kurdistan Regional Government", Kind: newsdesk.EntityOrganisation, Aliases: []string{"KRG"}}
	if err := db.CreateEntity(ctx, ent); err != nil {
		t.Fatal(err)
	}
	a := &newsdesk.Article{GUID: "m1", Headline: "Budget talks in Erbil", PublishedAt: time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)}
	_, err = db.UpsertArticlesIndexed(ctx, 0, []*newsdesk.Article{a}, func(ctx context.Context, stored []*newsdesk.Article) ([]newsdesk.SearchDoc, error) {
		e, err := db.Entity(ctx, ent.ID) // reads the store, as the indexer does for aliases
		if err != nil {
			return nil, err
		}
		return []newsdesk.SearchDoc{{ArticleID: stored[0].ID, Headline: stored[0].Headline, Entities: e.Aliases[0]}}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	res, err := db.Search(ctx, newsdesk.SearchQuery{Text: "KRG", Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Hits) != 1 || res.Hits[0].Article.ID != a.ID {
		t.Errorf("search for the alias found %d hits, want article %d", len(res.Hits), a.ID)
	}
}
