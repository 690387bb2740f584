package sqlite_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"newsdesk"
	"newsdesk/store/sqlite"
)

// crashEnv names the database a crash child writes to; crashRunEnv tells
// children apart so their GUIDs never collide.
const (
	crashEnv    = "NEWSDESK_SQLITE_CRASH_DB"
	crashRunEnv = "NEWSDESK_SQLITE_CRASH_RUN"
	crashBatch  = 25
)

// TestCrashChild is not a test on its own: TestKillConsistency runs the
// test binary again with crashEnv set, and this writes batches until it is
// killed.
func TestCrashChild(t *testing.T) {
	path := os.Getenv(crashEnv)
	if path == "" {
		t.Skip("helper process of TestKillConsistency")
	}
	run := os.Getenv(crashRunEnv)
	ctx := context.Background()
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		fmt.Println("error", err)
		os.Exit(2)
	}
	base := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	for b := 0; ; b++ {
		batch := make([]*newsdesk.Article, crashBatch)
		for i := range batch {
			guid := fmt.Sprintf("r%s-b%d-%d", run, b, i)
			batch[i] = &newsdesk.Article{GUID: guid, Headline: "Report " + guid,
				Body: "<p>" + strings.Repeat("words of the report ", 50) + "</p>", PublishedAt: base.Add(time.Duration(b) * time.Second)}
		}
		docs := func(_ context.Context, stored []*newsdesk.Article) ([]newsdesk.SearchDoc, error) {
			out := make([]newsdesk.SearchDoc, len(stored))
			for i, a := range stored {
				out[i] = newsdesk.SearchDoc{ArticleID: a.ID, Headline: a.Headline}
			}
			return out, nil
		}
		if _, err := db.UpsertArticlesIndexed(ctx, 1, batch, docs); err != nil {
			fmt.Println("error", err)
			os.Exit(2)
		}
		fmt.Println("batch", b)
	}
}

// TestKillConsistency SIGKILLs a process in the middle of writing batches,
// several times over, and checks that the database is intact and that each
// batch is stored whole or not at all, with its search documents.
func TestKillConsistency(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns processes")
	}
	ctx := t.Context()
	path := t.TempDir() + "/crash.db"
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.CreateSource(ctx, &newsdesk.Source{Name: "Wire", Kind: newsdesk.SourceFeed, URL: "https://wire.example/feed"}); err != nil {
		t.Fatal(err)
	}
	db.Close()

	for run := range 3 {
		cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
		cmd.Env = append(os.Environ(), crashEnv+"="+path, crashRunEnv+"="+strconv.Itoa(run))
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// Let it store a few batches, then kill it while it writes more.
		lines := bufio.NewScanner(out)
		seen := 0
		for lines.Scan() && seen < 3+run*2 {
			if strings.HasPrefix(lines.Text(), "error") {
				t.Fatalf("child: %s", lines.Text())
			}
			if strings.HasPrefix(lines.Text(), "batch") {
				seen++
			}
		}
		time.Sleep(time.Duration(5+7*run) * time.Millisecond)
		if err := cmd.Process.Kill(); err != nil { // SIGKILL
			t.Fatal(err)
		}
		go func() { // drain so the child never blocks on a full pipe before it dies
			for lines.Scan() {
			}
		}()
		_ = cmd.Wait()
		if seen == 0 {
			t.Fatalf("run %d: child stored no batch", run)
		}
		checkCrashed(t, path, run)
	}
}

func checkCrashed(t *testing.T, path string, runs int) {
	t.Helper()
	ctx := t.Context()
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatalf("reopen after kill: %v", err)
	}
	defer db.Close()
	var check string
	if err := db.Writer().QueryRowContext(ctx, `PRAGMA integrity_check`).Scan(&check); err != nil {
		t.Fatal(err)
	}
	if check != "ok" {
		t.Fatalf("integrity_check = %q", check)
	}
	var fk int
	rows, err := db.Writer().QueryContext(ctx, `PRAGMA foreign_key_check`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		fk++
	}
	rows.Close()
	if fk > 0 {
		t.Errorf("%d foreign key violations", fk)
	}
	arts, _, err := db.Articles(ctx, newsdesk.ArticleFilter{IncludeUnpublished: true})
	if err != nil {
		t.Fatal(err)
	}
	perBatch := map[string]int{}
	for _, a := range arts {
		perBatch[a.GUID[:strings.LastIndexByte(a.GUID, '-')]]++
		st, err := db.Story(ctx, a.StoryID)
		if err != nil || st.Articles != 1 {
			t.Fatalf("article %s: story %d counts %+v, err %v", a.GUID, a.StoryID, st, err)
		}
	}
	for run := 0; run <= runs; run++ {
		last := -1
		for b := 0; ; b++ {
			n, ok := perBatch[fmt.Sprintf("r%d-b%d", run, b)]
			if !ok {
				break
			}
			if n != crashBatch {
				t.Errorf("run %d batch %d has %d of %d articles", run, b, n, crashBatch)
			}
			last = b
		}
		if last < 0 {
			t.Errorf("run %d: no batch stored", run)
		}
		if _, ok := perBatch[fmt.Sprintf("r%d-b%d", run, last+2)]; ok {
			t.Errorf("run %d: batch %d missing but later ones stored", run, last+1)
		}
	}
	var unsearchable int
	if err := db.Writer().QueryRowContext(ctx, `SELECT count(*) FROM articles WHERE id NOT IN (SELECT rowid FROM search)`).Scan(&unsearchable); err != nil {
		t.Fatal(err)
	}
	if unsearchable > 0 {
		t.Errorf("%d stored articles have no search document", unsearchable)
	}
	t.Logf("after %d kills: %d articles in %d whole batches", runs+1, len(arts), len(perBatch))
}
