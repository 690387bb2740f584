package main

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	_ "modernc.org/sqlite"

	"newsdesk"
	"newsdesk/store/sqlite"
)

// TestMain lets the test binary act as the newsdesk binary, so that tests
// can run it as a child process and kill it.
func TestMain(m *testing.M) {
	if args := os.Getenv("NEWSDESK_TEST_ARGS"); args != "" {
		main := &Main{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv}
		if err := main.Run(context.Background(), strings.Split(args, "\x1f")); err != nil {
			fmt.Fprintln(os.Stderr, "newsdesk:", err)
			os.Exit(exitCode(err))
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func newsdeskCmd(args ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "NEWSDESK_TEST_ARGS="+strings.Join(args, "\x1f"))
	return cmd
}

// feedFarm serves feeds×items RSS items whose article pages answer slowly,
// so that an ingest can be killed in the middle.
func feedFarm(t *testing.T, feeds, items int, pageDelay time.Duration) (*httptest.Server, *atomic.Int64) {
	var pages atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var f, i int
		if n, _ := fmt.Sscanf(r.URL.Path, "/feed/%d.xml", &f); n == 1 {
			w.Header().Set("Content-Type", "application/rss+xml")
			fmt.Fprintf(w, `<?xml version="1.0"?><rss version="2.0"><channel><title>Farm %d</title><link>http://%s/</link>`, f, r.Host)
			for i := 0; i < items; i++ {
				fmt.Fprintf(w, `<item><title>Report %d of feed %d on the harvest in Khorasan</title><link>http://%s/a/%d/%d.html</link><guid>f%d-i%d</guid><pubDate>%s</pubDate><description>Summary %d.</description></item>`,
					i, f, r.Host, f, i, f, i, time.Date(2025, 6, 1, 0, i, 0, 0, time.UTC).Format(time.RFC1123Z), i)
			}
			fmt.Fprint(w, `</channel></rss>`)
			return
		}
		if n, _ := fmt.Sscanf(r.URL.Path, "/a/%d/%d.html", &f, &i); n == 2 {
			pages.Add(1)
			time.Sleep(pageDelay)
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprintf(w, `<html><head><title>Report %d of feed %d</title></head><body><nav><a href="/">Home</a></nav><article><h1>Report %d of feed %d</h1>`, i, f, i, f)
			for p := 0; p < 5; p++ {
				fmt.Fprintf(w, "<p>MASHHAD, Iran — Paragraph %d of report %d from feed %d: farmers in the province said the wheat harvest was late this year because of the drought and the cost of diesel for their pumps.</p>", p, i, f)
			}
			fmt.Fprint(w, `</article><footer>Farm footer</footer></body></html>`)
			return
		}
		http.NotFound(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv, &pages
}

// TestKillDuringIngest kills an ingest with SIGKILL in the middle, then
// checks that the database is intact, that a second run completes the work,
// and that every item is stored exactly once.
func TestKillDuringIngest(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns ingest processes")
	}
	const feeds, items = 12, 15
	srv, pages := feedFarm(t, feeds, items, 15*time.Millisecond)
	db := filepath.Join(t.TempDir(), "kill.db")
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

	args := []string{"ingest", "--once", "--quiet", "--db", db, "--allow-private", "127.0.0.0/8", "--lease-ttl", "2s", "--log-level", "error",
		"--per-host-interval", "-1ns", "--per-host-concurrency", "8"}
	cmd := newsdeskCmd(args...)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(60 * time.Second)
	for pages.Load() < feeds*items/3 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	killedAt := pages.Load()
	if killedAt >= feeds*items {
		t.Fatalf("ingest finished before the kill (%d pages); the test proves nothing", killedAt)
	}

	raw, err := sql.Open("sqlite", db)
	if err != nil {
		t.Fatal(err)
	}
	var check string
	if err := raw.QueryRow("PRAGMA integrity_check").Scan(&check); err != nil || check != "ok" {
		t.Fatalf("integrity after kill -9: %q %v", check, err)
	}
	var stored int
	raw.QueryRow("SELECT count(*) FROM articles").Scan(&stored)
	t.Logf("killed after %d page fetches with %d articles committed", killedAt, stored)

	time.Sleep(2100 * time.Millisecond) // the killed worker's leases expire
	out, err := newsdeskCmd(args...).CombinedOutput()
	if err != nil {
		t.Fatalf("second ingest: %v\n%s", err, out)
	}
	var total, distinct int
	if err := raw.QueryRow("SELECT count(*), count(DISTINCT source_id || '/' || guid) FROM articles").Scan(&total, &distinct); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	if total != feeds*items || distinct != total {
		t.Errorf("after resume: %d articles, %d distinct, want %d each", total, distinct, feeds*items)
	}
}
