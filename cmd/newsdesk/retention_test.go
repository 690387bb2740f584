package main

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"newsdesk"
	"newsdesk/store/sqlite"
)

// TestRetentionVerb applies rules with a section override through the
// verb, dry run first, and checks the article page of a stripped report.
func TestRetentionVerb(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db := filepath.Join(dir, "site.db")
	st, err := sqlite.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	src := &newsdesk.Source{Name: "Gulf Wire", Kind: newsdesk.SourceFeed, URL: "https://gulfwire.example/feed"}
	if err := st.CreateSource(ctx, src); err != nil {
		t.Fatal(err)
	}
	region := &newsdesk.Section{Slug: "middle-east", Name: "Middle East"}
	if err := st.CreateSection(ctx, region); err != nil {
		t.Fatal(err)
	}
	iran := &newsdesk.Section{Slug: "iran", Name: "Iran", ParentID: region.ID}
	if err := st.CreateSection(ctx, iran); err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	mk := func(guid string, age time.Duration, sec *newsdesk.Section) *newsdesk.Article {
		a := &newsdesk.Article{GUID: guid, URL: "https://gulfwire.example/" + guid, Headline: "Report " + guid,
			Lede: "The lede of " + guid + ".", Body: "<p>The full body of " + guid + ".</p>", Text: "The full body of " + guid + ".",
			PublishedAt: now.Add(-age)}
		if sec != nil {
			a.Sections = []newsdesk.SectionRef{{ID: sec.ID}}
		}
		return a
	}
	old := mk("old-unfiled", 40*24*time.Hour, nil)
	oldIran := mk("old-iran", 40*24*time.Hour, iran)     // region rule: 60 days
	olderIran := mk("older-iran", 70*24*time.Hour, iran) // beyond it
	fresh := mk("fresh", 24*time.Hour, nil)
	if _, err := st.UpsertArticles(ctx, src.ID, []*newsdesk.Article{old, oldIran, olderIran, fresh}); err != nil {
		t.Fatal(err)
	}
	if err := st.RecordRead(ctx, newsdesk.ReadEvent{ReaderID: "reader-secret-id", ArticleID: old.ID, At: now.Add(-100 * 24 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	st.Close()
	cfg := writeFile(t, "newsdesk.toml", fmt.Sprintf(`db = %q
[retention]
bodies = "30d"
read_events = "90d"
[[retention.sections]]
section = "middle-east"
bodies = "60d"
`, db))

	out, errb, err := runMain(t, nil, "retention", "--config", cfg, "--dry-run")
	if err != nil {
		t.Fatalf("retention --dry-run: %v\n%s", err, errb)
	}
	for _, want := range []string{
		"bodies older than 30d, every article outside the 2 sections with their own rule: 1 article would be stripped",
		`bodies older than 60d, section "middle-east" (2 sections): 1 article would be stripped`,
		"reader events older than 90d: 1 would be deleted",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("dry run does not say %q:\n%s", want, out)
		}
	}
	out, errb, err = runMain(t, nil, "retention", "--config", cfg)
	if err != nil {
		t.Fatalf("retention: %v\n%s", err, errb)
	}
	if !strings.Contains(out, "1 article stripped") || !strings.Contains(out, "1 deleted") || strings.Contains(out, "reader-secret-id") {
		t.Errorf("retention says:\n%s", out)
	}
	st, err = sqlite.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		a        *newsdesk.Article
		stripped bool
	}{{old, true}, {oldIran, false}, {olderIran, true}, {fresh, false}} {
		got, err := st.Article(ctx, tt.a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if (got.Body == "") != tt.stripped || got.BodyRemovedAt.IsZero() != !tt.stripped {
			t.Errorf("%s: body %q, removed at %v; stripped want %v", tt.a.GUID, got.Body, got.BodyRemovedAt, tt.stripped)
		}
	}
	st.Close()

	r := startServe(t, "--db", db, "--no-ingest")
	code, _, page := r.get(t, old.Path())
	if code != 200 {
		t.Fatalf("article page: %d", code)
	}
	if !strings.Contains(page, "The full text of this report is no longer kept") || !strings.Contains(page, `href="https://gulfwire.example/old-unfiled"`) ||
		strings.Contains(page, "The full body of") || !strings.Contains(page, "The lede of old-unfiled") {
		t.Errorf("stripped article page does not say the text is gone, or shows it")
	}
	if _, _, page := r.get(t, fresh.Path()); !strings.Contains(page, "The full body of fresh") || strings.Contains(page, "no longer kept") {
		t.Error("a fresh article page lost its body")
	}
	code, _, body := r.get(t, "/readyz")
	if code != 200 {
		t.Errorf("/readyz = %d %s", code, body)
	}
}

func TestRetentionUnknownSection(t *testing.T) {
	db := filepath.Join(t.TempDir(), "site.db")
	cfg := writeFile(t, "newsdesk.toml", fmt.Sprintf("db = %q\n[[retention.sections]]\nsection = \"atlantis\"\nbodies = \"10d\"\n", db))
	if _, _, err := runMain(t, nil, "retention", "--config", cfg); err == nil || !strings.Contains(err.Error(), `no section "atlantis"`) {
		t.Errorf("unknown section: %v", err)
	}
}

// TestRetentionLoop runs the serve loop on a short timer.
func TestRetentionLoop(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "loop.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	src := &newsdesk.Source{Name: "W", Kind: newsdesk.SourceFeed, URL: "https://w.example/feed"}
	if err := st.CreateSource(ctx, src); err != nil {
		t.Fatal(err)
	}
	a := &newsdesk.Article{GUID: "g", URL: "https://w.example/g", Headline: "Old", Body: "<p>b</p>", Text: "b", PublishedAt: time.Now().Add(-48 * time.Hour)}
	if _, err := st.UpsertArticles(ctx, src.ID, []*newsdesk.Article{a}); err != nil {
		t.Fatal(err)
	}
	changed := make(chan struct{}, 1)
	log := newTestLogger(t)
	go retentionLoop(ctx, st, Retention{Bodies: 24 * time.Hour}, log, time.Millisecond, time.Hour, func() { changed <- struct{}{} })
	select {
	case <-changed:
	case <-time.After(10 * time.Second):
		t.Fatal("retention loop did not run")
	}
	got, err := st.Article(ctx, a.ID)
	if err != nil || got.Body != "" {
		t.Errorf("after the loop: body %q, %v", got.Body, err)
	}
}

func newTestLogger(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}
