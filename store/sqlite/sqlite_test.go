package sqlite_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"newsdesk"
	"newsdesk/store/sqlite"
	"newsdesk/store/storetest"
)

// template is an empty, migrated database that mustOpen copies, so that
// each test does not pay for the migrations (slow under the race detector).
var template struct {
	once sync.Once
	data []byte
	err  error
}

func templateDB() ([]byte, error) {
	template.once.Do(func() {
		dir, err := os.MkdirTemp("", "newsdesk-template")
		if err != nil {
			template.err = err
			return
		}
		defer os.RemoveAll(dir)
		path := filepath.Join(dir, "t.db")
		db, err := sqlite.Open(context.Background(), path)
		if err != nil {
			template.err = err
			return
		}
		if err := db.Close(); err != nil { // checkpoints the WAL into the file
			template.err = err
			return
		}
		template.data, template.err = os.ReadFile(path)
	})
	return template.data, template.err
}

// mustOpen opens a fresh database file in a temporary directory.
func mustOpen(tb testing.TB) *sqlite.DB {
	tb.Helper()
	data, err := templateDB()
	if err != nil {
		tb.Fatal(err)
	}
	path := filepath.Join(tb.TempDir(), "newsdesk.db")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		tb.Fatal(err)
	}
	db, err := sqlite.Open(context.Background(), path)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if err := db.Close(); err != nil {
			tb.Error(err)
		}
	})
	return db
}

func TestStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T) newsdesk.Store { return mustOpen(t) })
}

func TestMigrationsIdempotent(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "n.db")
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	src := &newsdesk.Source{Name: "Kept", Kind: newsdesk.SourceManual}
	if err := db.CreateSource(ctx, src); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		db, err = sqlite.Open(ctx, path)
		if err != nil {
			t.Fatalf("reopen: %v", err)
		}
		var n int
		if err := db.Reader().QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if want := migrationFiles(t); n != want {
			t.Errorf("schema_migrations has %d rows, want %d", n, want)
		}
		if _, err := db.Source(ctx, src.ID); err != nil {
			t.Errorf("data lost on reopen: %v", err)
		}
		db.Close()
	}
}

func TestPragmas(t *testing.T) {
	db := mustOpen(t)
	ctx := t.Context()
	check := func(name, pragma, want string) {
		t.Helper()
		var got string
		if err := db.Writer().QueryRowContext(ctx, "PRAGMA "+pragma).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("writer %s = %q, want %q", name, got, want)
		}
		if err := db.Reader().QueryRowContext(ctx, "PRAGMA "+pragma).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("reader %s = %q, want %q", name, got, want)
		}
	}
	check("journal mode", "journal_mode", "wal")
	check("foreign keys", "foreign_keys", "1")
	check("synchronous", "synchronous", "1") // NORMAL
	check("busy timeout", "busy_timeout", "5000")
	// The reader pool cannot write.
	if _, err := db.Reader().ExecContext(ctx, `INSERT INTO users (username, role, created_at) VALUES ('x', 'admin', 0)`); err == nil {
		t.Error("reader pool accepted a write")
	}
}

// TestConcurrentReadsDuringWrites runs readers against a writer that keeps
// storing batches: in WAL mode no reader may fail or block on the writer.
func TestConcurrentReadsDuringWrites(t *testing.T) {
	db := mustOpen(t)
	ctx := t.Context()
	src := &newsdesk.Source{Name: "Wire", Kind: newsdesk.SourceFeed, URL: "https://wire.example/feed"}
	if err := db.CreateSource(ctx, src); err != nil {
		t.Fatal(err)
	}
	var done atomic.Bool
	var wg sync.WaitGroup
	var reads atomic.Int64
	errs := make(chan error, 8)
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			last := 0
			for !done.Load() {
				_, total, err := db.Articles(ctx, newsdesk.ArticleFilter{Limit: 20})
				if err != nil {
					errs <- err
					return
				}
				if total < last {
					errs <- errorf("total went back from %d to %d", last, total)
					return
				}
				if total%10 != 0 {
					errs <- errorf("saw a partial batch: total %d", total)
					return
				}
				last = total
				reads.Add(1)
				time.Sleep(time.Millisecond) // leave the CPU to the writer too
			}
		}()
	}
	base := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	for b := range 40 {
		batch := make([]*newsdesk.Article, 10)
		for i := range batch {
			n := b*10 + i
			batch[i] = &newsdesk.Article{GUID: itoa(n), Headline: "Report " + itoa(n), Body: "<p>x</p>", PublishedAt: base.Add(time.Duration(n) * time.Minute)}
		}
		if _, err := db.UpsertArticles(ctx, src.ID, batch); err != nil {
			t.Fatal(err)
		}
	}
	done.Store(true)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if reads.Load() == 0 {
		t.Error("no read completed")
	}
}

func TestMemory(t *testing.T) {
	db, err := sqlite.Open(t.Context(), ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.CreateSource(t.Context(), &newsdesk.Source{Name: "Desk", Kind: newsdesk.SourceManual}); err != nil {
		t.Fatal(err)
	}
	if _, total, err := db.Sources(t.Context(), newsdesk.SourceFilter{}); err != nil || total != 1 {
		t.Fatalf("in-memory database: total %d, err %v", total, err)
	}
}

func errorf(format string, args ...any) error { return fmt.Errorf(format, args...) }

func itoa(n int) string { return strconv.Itoa(n) }

func TestWriterCacheOption(t *testing.T) {
	ctx := t.Context()
	db, err := sqlite.OpenOptions(ctx, filepath.Join(t.TempDir(), "cache.db"), sqlite.Options{WriterCacheKiB: 262144})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, c := range []struct {
		name string
		q    interface {
			QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
		}
		want string
	}{{"writer", db.Writer(), "-262144"}, {"reader", db.Reader(), "-16000"}} {
		var got, store string
		if err := c.q.QueryRowContext(ctx, "PRAGMA cache_size").Scan(&got); err != nil {
			t.Fatal(err)
		}
		if err := c.q.QueryRowContext(ctx, "PRAGMA temp_store").Scan(&store); err != nil {
			t.Fatal(err)
		}
		if got != c.want || store != "2" {
			t.Errorf("%s: cache_size %s, temp_store %s; want %s and 2 (memory)", c.name, got, store, c.want)
		}
	}
}
