package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"newsdesk"
	"newsdesk/store/sqlite"
	"newsdesk/store/storetest"
)

func TestRetention(t *testing.T) {
	storetest.RunRetention(t, func(t *testing.T) storetest.RetentionStore { return mustOpen(t) })
}

// TestRetentionReclaims strips the bodies of many articles (of a few
// kilobytes each, so mostly on overflow pages) and checks that
// the file gives the pages back: new databases are in incremental
// auto-vacuum mode.
func TestRetentionReclaims(t *testing.T) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "fresh.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	seedArticles(t, db, 1000)
	before, err := db.Space(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if before.AutoVacuum != "incremental" {
		t.Fatalf("a new database is in auto_vacuum %s, want incremental", before.AutoVacuum)
	}
	n, err := db.StripBodies(ctx, newsdesk.BodyRule{Before: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)}, false)
	if err != nil || n != 1000 {
		t.Fatalf("stripped %d, %v", n, err)
	}
	after, err := db.Compact(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("before %d pages, after %d pages (%d reclaimed)", before.Pages, after.Pages, after.Reclaimed)
	if after.Reclaimed == 0 || after.Pages >= before.Pages*3/4 || after.FreePages != 0 {
		t.Errorf("compact: %+v, before %+v", after, before)
	}
}

// TestVacuumConverts turns a database made before incremental mode into one.
func TestVacuumConverts(t *testing.T) {
	ctx := context.Background()
	db := mustOpen(t)
	if _, err := db.Writer().Exec(`PRAGMA auto_vacuum = NONE`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Writer().Exec(`VACUUM`); err != nil {
		t.Fatal(err)
	}
	if sp, _ := db.Space(ctx); sp.AutoVacuum != "none" {
		t.Fatalf("set-up: auto_vacuum %s", sp.AutoVacuum)
	}
	seedArticles(t, db, 300)
	if _, err := db.StripBodies(ctx, newsdesk.BodyRule{Before: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)}, false); err != nil {
		t.Fatal(err)
	}
	sp, err := db.Compact(ctx)
	if err != nil || sp.Reclaimed != 0 || sp.FreePages == 0 {
		t.Fatalf("compact in none mode: %+v %v", sp, err)
	}
	sp, err = db.Vacuum(ctx)
	if err != nil || sp.AutoVacuum != "incremental" || sp.FreePages != 0 || sp.Reclaimed <= 0 {
		t.Fatalf("vacuum: %+v %v", sp, err)
	}
}
