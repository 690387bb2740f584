package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"newsdesk"
	"newsdesk/store/sqlite"
)

// TestBenchGen: bench gen fills an empty database through the store with
// the articles asked for, stories of several sources, entities and reads,
// refuses a database that has sources, and bench pages renders from it.
func TestBenchGen(t *testing.T) {
	ctx := context.Background()
	db := filepath.Join(t.TempDir(), "gen.db")
	run := func(args ...string) (string, error) {
		var out, errb bytes.Buffer
		m := &Main{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Getenv: func(string) string { return "" }}
		err := m.Run(ctx, args)
		return out.String() + errb.String(), err
	}
	if out, err := run("bench", "gen", "--articles", "400", "--sources", "8", "--entities", "60", "--batch", "10", "--db", db); err != nil {
		t.Fatalf("bench gen: %v\n%s", err, out)
	}
	st, err := sqlite.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	arts, total, err := st.Articles(ctx, newsdesk.ArticleFilter{Limit: 400})
	if err != nil {
		t.Fatal(err)
	}
	if total != 400 {
		t.Errorf("%d articles stored, want 400", total)
	}
	stories := map[int64]map[int64]bool{}
	for _, a := range arts {
		if len(a.Sections) == 0 || len(a.Entities) == 0 || a.Text == "" || a.Body == "" {
			t.Fatalf("article %d lacks sections, entities or text: %+v", a.ID, a)
		}
		if stories[a.StoryID] == nil {
			stories[a.StoryID] = map[int64]bool{}
		}
		stories[a.StoryID][a.SourceID] = true
	}
	multi := 0
	for _, srcs := range stories {
		if len(srcs) > 1 {
			multi++
		}
	}
	if multi == 0 || len(stories) >= 400 {
		t.Errorf("%d stories, %d with several sources: want stories joined across sources", len(stories), multi)
	}
	if h, err := st.ReadHistory(ctx, BenchReaderID(0), 0); err != nil || len(h) == 0 {
		t.Errorf("reader 0 has %d reads (%v), want a history", len(h), err)
	}
	if res, err := st.Search(ctx, newsdesk.SearchQuery{Text: "minister", Limit: 5}); err != nil || len(res.Hits) == 0 {
		t.Errorf("search found %v (%v), want hits: articles must be indexed", res, err)
	}
	st.Close()

	if _, err := run("bench", "gen", "--articles", "10", "--db", db); err == nil {
		t.Error("bench gen into a database with sources: no error")
	}
	out, err := run("bench", "pages", "--requests", "3", "--db", db)
	if err != nil {
		t.Fatalf("bench pages: %v\n%s", err, out)
	}
	for _, row := range []string{"| home |", "| article, anonymous |", "| search (index only, 20 hits) |"} {
		if !strings.Contains(out, row) {
			t.Errorf("bench pages output lacks %q:\n%s", row, out)
		}
	}
	out, err = run("bench", "pages", "--requests", "2", "--warm", "4", "--only", "article", "--db", db)
	if err != nil {
		t.Fatalf("bench pages --warm: %v\n%s", err, out)
	}
	if !strings.Contains(out, "4 other articles)") || !strings.Contains(out, "| article, anonymous |") || strings.Contains(out, "| home |") {
		t.Errorf("bench pages --warm 4 --only article:\n%s", out)
	}
}
