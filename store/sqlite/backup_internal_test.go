package sqlite

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"newsdesk"
)

// BenchmarkBackup compares the two ways to copy a live database: the online
// backup API (pages) and VACUUM INTO (rows, rebuilt). Backup uses the
// faster one.
func BenchmarkBackup(b *testing.B) {
	ctx := context.Background()
	dir := b.TempDir()
	db, err := Open(ctx, filepath.Join(dir, "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	src := &newsdesk.Source{Name: "Wire", Kind: newsdesk.SourceFeed, URL: "https://wire.example/feed"}
	if err := db.CreateSource(ctx, src); err != nil {
		b.Fatal(err)
	}
	text := strings.Repeat("Farmers in the province said the harvest was late because of the drought. ", 40)
	for batch := range 10 {
		var arts []*newsdesk.Article
		for i := range 500 {
			n := batch*500 + i
			arts = append(arts, &newsdesk.Article{GUID: fmt.Sprint(n), URL: fmt.Sprintf("https://wire.example/a/%d", n),
				Headline: fmt.Sprintf("Report %d", n), Body: "<p>" + text + "</p>", Text: text,
				PublishedAt: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(n) * time.Minute)})
		}
		if _, err := db.UpsertArticles(ctx, src.ID, arts); err != nil {
			b.Fatal(err)
		}
	}
	for _, m := range []struct {
		name string
		fn   func(context.Context, string) error
	}{{"pages", db.backupPages}, {"vacuum-into", db.backupVacuumInto}} {
		b.Run(m.name, func(b *testing.B) {
			path := filepath.Join(dir, m.name+".db")
			for b.Loop() {
				if err := db.backup(ctx, path, m.fn); err != nil {
					b.Fatal(err)
				}
			}
			if st, err := os.Stat(path); err == nil {
				b.ReportMetric(float64(st.Size())/1e6, "MB")
			}
		})
	}
}
