package sqlite_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"newsdesk"
	"newsdesk/store/sqlite"
)

func seedArticles(tb testing.TB, db *sqlite.DB, n int) *newsdesk.Source {
	tb.Helper()
	ctx := context.Background()
	src := &newsdesk.Source{Name: "Wire", Kind: newsdesk.SourceFeed, URL: fmt.Sprintf("https://wire.example/%d.xml", time.Now().UnixNano())}
	if err := db.CreateSource(ctx, src); err != nil {
		tb.Fatal(err)
	}
	var batch []*newsdesk.Article
	for i := range n {
		batch = append(batch, &newsdesk.Article{GUID: fmt.Sprintf("g%d", i), URL: fmt.Sprintf("https://wire.example/a/%d", i),
			Headline: fmt.Sprintf("Report %d on the harvest", i), Lede: "Farmers said the harvest was late.",
			Body:        "<p>" + strings.Repeat("Farmers said the harvest was late because of the drought. ", 60) + "</p>",
			Text:        strings.Repeat("Farmers said the harvest was late because of the drought. ", 60),
			PublishedAt: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Hour)})
		if len(batch) == 200 || i == n-1 {
			if _, err := db.UpsertArticles(ctx, src.ID, batch); err != nil {
				tb.Fatal(err)
			}
			batch = nil
		}
	}
	return src
}

func TestBackup(t *testing.T) {
	ctx := context.Background()
	db := mustOpen(t)
	seedArticles(t, db, 300)
	dir := t.TempDir()
	path := filepath.Join(dir, "backup.db")
	if err := db.Backup(ctx, path); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("backup left %v beside it, want only backup.db", names)
	}
	fi, err := sqlite.CheckFile(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if err := fi.OK(); err != nil || fi.Articles != 300 || fi.Sources != 1 {
		t.Fatalf("backup check = %+v, %v", fi, err)
	}
	cur, latest, err := db.SchemaVersion(ctx)
	if err != nil || cur != latest || fi.SchemaVersion != cur || cur == 0 {
		t.Errorf("schema versions: db %d, latest %d, backup %d (%v)", cur, latest, fi.SchemaVersion, err)
	}
	// The check changed nothing: still one file.
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("CheckFile left %d files", len(entries))
	}
	// A second backup replaces the first.
	seedArticles(t, db, 10)
	if err := db.Backup(ctx, path); err != nil {
		t.Fatal(err)
	}
	if fi, err := sqlite.CheckFile(ctx, path); err != nil || fi.Articles != 310 {
		t.Errorf("second backup: %+v %v", fi, err)
	}
	back, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer back.Close()
	arts, total, err := back.Articles(ctx, newsdesk.ArticleFilter{Limit: 5})
	if err != nil || total != 310 || len(arts) != 5 || arts[0].Body == "" {
		t.Errorf("opened backup: %d articles of %d, %v", len(arts), total, err)
	}
	if err := db.Backup(ctx, db.Path()); err == nil {
		t.Error("a backup over the database itself succeeded")
	}
}

func TestCheckFile(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	junk := filepath.Join(dir, "junk.db")
	if err := os.WriteFile(junk, []byte(strings.Repeat("not a database ", 400)), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := sqlite.CheckFile(ctx, junk); err == nil {
		t.Error("CheckFile accepted a file that is not a database")
	}
	if _, err := sqlite.CheckFile(ctx, filepath.Join(dir, "missing.db")); newsdesk.ErrorCode(err) != newsdesk.ENOTFOUND {
		t.Errorf("missing file: %v", err)
	}
	// A database from a newer newsdesk is refused.
	db := mustOpen(t)
	if _, err := db.Writer().Exec(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (99999, '99999_future.sql', '')`); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "future.db")
	if err := db.Backup(ctx, path); err != nil {
		t.Fatal(err)
	}
	fi, err := sqlite.CheckFile(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if err := fi.OK(); err == nil || !strings.Contains(err.Error(), "newer") {
		t.Errorf("future schema: %v", err)
	}
}
