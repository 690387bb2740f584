package main

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"newsdesk"
	"newsdesk/store/sqlite"
)

// TestBackupDuringIngest takes a backup while an ingest writes to the
// database in another process, restores it to a new path and checks that
// every article committed before the backup began is in the copy, intact.
func TestBackupDuringIngest(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns an ingest process")
	}
	const feeds, items = 10, 20
	srv, pages := feedFarm(t, feeds, items, 10*time.Millisecond)
	dir := t.TempDir()
	db := filepath.Join(dir, "live.db")
	ctx := context.Background()
	st, err := sqlite.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	for f := 0; f < feeds; f++ {
		if err := st.CreateSource(ctx, &newsdesk.Source{Name: fmt.Sprintf("Farm %d", f), Kind: newsdesk.SourceFeed,
			URL: fmt.Sprintf("%s/feed/%d.xml", srv.URL, f), Licence: newsdesk.LicenceFull, Extract: true}); err != nil {
			t.Fatal(err)
		}
	}
	st.Close()

	cmd := newsdeskCmd("ingest", "--once", "--quiet", "--db", db, "--allow-private", "127.0.0.0/8", "--log-level", "error",
		"--workers", "2", "--per-host-interval", "-1s", "--per-host-concurrency", "4")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-done
	})

	raw, err := sql.Open("sqlite", "file:"+db+"?mode=ro&_busy_timeout=5000")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	count := func() int {
		var n int
		_ = raw.QueryRow("SELECT count(*) FROM articles").Scan(&n)
		return n
	}
	deadline := time.Now().Add(60 * time.Second)
	for count() < 40 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	// The articles committed before the backup begins.
	before := map[int64]string{}
	rows, err := raw.Query("SELECT id, guid FROM articles")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id int64
		var guid string
		if err := rows.Scan(&id, &guid); err != nil {
			t.Fatal(err)
		}
		before[id] = guid
	}
	rows.Close()
	if len(before) < 40 {
		t.Fatalf("only %d articles after a minute of ingest", len(before))
	}

	backup := filepath.Join(dir, "backup.db")
	out, errb, err := runMain(t, nil, "backup", "--db", db, backup)
	if err != nil {
		t.Fatalf("backup: %v\n%s", err, errb)
	}
	if !strings.Contains(out, "backed up") || !strings.Contains(out, " in ") {
		t.Errorf("backup says %q", out)
	}
	if p := pages.Load(); p >= feeds*items {
		t.Fatalf("ingest had fetched every page (%d) before the backup finished; the test proves nothing", p)
	}
	select {
	case err := <-done:
		t.Fatalf("ingest ended before the backup finished: %v", err)
	default:
	}
	t.Logf("backup taken with %d articles committed and ingest at %d of %d pages: %s", len(before), pages.Load(), feeds*items, strings.TrimSpace(out))

	// No overwrite without --force.
	if _, _, err := runMain(t, nil, "backup", "--db", db, backup); err == nil || !strings.Contains(err.Error(), "--force") {
		t.Errorf("second backup to the same path: %v", err)
	}

	restored := filepath.Join(dir, "restored", "newsdesk.db")
	if err := os.MkdirAll(filepath.Dir(restored), 0o700); err != nil {
		t.Fatal(err)
	}
	out, errb, err = runMain(t, nil, "restore", "--db", restored, backup)
	if err != nil {
		t.Fatalf("restore: %v\n%s", err, errb)
	}
	if !strings.Contains(out, "integrity ok") || !strings.Contains(out, "restored") {
		t.Errorf("restore says %q", out)
	}
	back, err := sqlite.Open(ctx, restored)
	if err != nil {
		t.Fatal(err)
	}
	defer back.Close()
	var check string
	if err := back.Reader().QueryRow("PRAGMA integrity_check").Scan(&check); err != nil || check != "ok" {
		t.Fatalf("restored integrity: %q %v", check, err)
	}
	ids := make([]int64, 0, len(before))
	for id := range before {
		ids = append(ids, id)
	}
	arts, _, err := back.Articles(ctx, newsdesk.ArticleFilter{IDs: ids, IncludeUnpublished: true})
	if err != nil {
		t.Fatal(err)
	}
	found := map[int64]bool{}
	for _, a := range arts {
		if before[a.ID] == a.GUID && a.Body != "" {
			found[a.ID] = true
		}
	}
	for id, guid := range before {
		if !found[id] {
			t.Errorf("article %d (%s), committed before the backup, is not in the restored copy", id, guid)
		}
	}

	// Restoring over the database the ingest has open is refused.
	select {
	case <-done:
		t.Log("ingest finished before the in-use check; opening the database to hold it")
	default:
	}
	holder, err := sqlite.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Close()
	if err := holder.Ping(ctx); err != nil {
		t.Fatal(err)
	}
	if _, _, err := runMain(t, nil, "restore", "--db", db, backup); err == nil || !strings.Contains(err.Error(), "in use") {
		t.Errorf("restore over a database in use: %v", err)
	}
}

func TestRestoreChecksTheBackup(t *testing.T) {
	dir := t.TempDir()
	junk := filepath.Join(dir, "junk.db")
	if err := os.WriteFile(junk, []byte(strings.Repeat("not a database ", 300)), 0o600); err != nil {
		t.Fatal(err)
	}
	target := filepath.Join(dir, "site.db")
	if _, _, err := runMain(t, nil, "restore", "--db", target, junk); err == nil {
		t.Error("restore of a file that is not a database succeeded")
	}
	if _, err := os.Stat(target); err == nil {
		t.Error("a failed restore created the database")
	}

	// A good backup replaces an unused database, keeping the old one aside.
	ctx := context.Background()
	st, err := sqlite.Open(ctx, target)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.CreateSource(ctx, &newsdesk.Source{Name: "Old", Kind: newsdesk.SourceFeed, URL: "https://old.example/feed"}); err != nil {
		t.Fatal(err)
	}
	backup := filepath.Join(dir, "b.db")
	if err := st.Backup(ctx, backup); err != nil {
		t.Fatal(err)
	}
	if err := st.CreateSource(ctx, &newsdesk.Source{Name: "After", Kind: newsdesk.SourceFeed, URL: "https://after.example/feed"}); err != nil {
		t.Fatal(err)
	}
	st.Close()
	out, errb, err := runMain(t, nil, "restore", "--db", target, backup)
	if err != nil {
		t.Fatalf("restore: %v\n%s", err, errb)
	}
	if !strings.Contains(out, "previous database is kept as") {
		t.Errorf("restore says %q", out)
	}
	st, err = sqlite.Open(ctx, target)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	srcs, _, err := st.Sources(ctx, newsdesk.SourceFilter{})
	if err != nil || len(srcs) != 1 || srcs[0].Name != "Old" {
		t.Errorf("after restore: %d sources, %v", len(srcs), err)
	}
}

func TestBackupPostgresGuidance(t *testing.T) {
	dsn := "postgres://newsdesk:pg-secret-pw@db.internal/newsdesk"
	_, errb, err := runMain(t, nil, "backup", "--db", dsn, filepath.Join(t.TempDir(), "x.db"))
	if err == nil || exitCode(err) == 0 {
		t.Fatal("backup of a PostgreSQL site succeeded")
	}
	if !strings.Contains(errb, "pg_dump --format=custom") || !strings.Contains(errb, "pg_restore") {
		t.Errorf("no pg_dump guidance:\n%s", errb)
	}
	if strings.Contains(errb, "pg-secret-pw") {
		t.Errorf("guidance shows the database password:\n%s", errb)
	}
}
