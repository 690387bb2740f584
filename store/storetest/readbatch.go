package storetest

import (
	"testing"
	"time"

	"newsdesk"
)

// testRecordReads checks a store's batched view writes, when it has them:
// the same outcome as one RecordRead per view, invalid events skipped.
func testRecordReads(t *testing.T, s newsdesk.Store) {
	b, ok := s.(newsdesk.ReadBatcher)
	if !ok {
		t.Skip("the store has no batched view writes")
	}
	ctx := t.Context()
	src := mustSource(t, s, "src")
	x, y := art("x", "X", at(0)), art("y", "Y", at(0))
	upsert(t, s, src.ID, x, y)
	now := time.Now().UTC().Truncate(time.Second)
	must(t, b.RecordReads(ctx, []newsdesk.ReadEvent{
		{ReaderID: "r1", ArticleID: x.ID, At: now.Add(-2 * time.Hour)},
		{ReaderID: "r1", ArticleID: x.ID, At: now.Add(-time.Hour)}, // counts once, latest kept
		{ReaderID: "r1", ArticleID: y.ID, At: now.Add(-3 * time.Hour)},
		{ReaderID: "", ArticleID: y.ID, At: now}, // invalid: skipped
		{ReaderID: "r2", ArticleID: 0, At: now},  // invalid: skipped
		{ReaderID: "r2", ArticleID: y.ID, At: now.Add(-time.Minute)},
	}))
	hist, err := s.ReadHistory(ctx, "r1", 10)
	must(t, err)
	if len(hist) != 2 || hist[0].ArticleID != x.ID || !hist[0].At.Equal(now.Add(-time.Hour)) || hist[1].ArticleID != y.ID {
		t.Errorf("r1 history = %+v", hist)
	}
	most, err := s.MostRead(ctx, 0, now.Add(-24*time.Hour), 10)
	must(t, err)
	if len(most) != 2 || most[0] != (newsdesk.ArticleCount{ArticleID: y.ID, Count: 2}) {
		t.Errorf("most read = %+v", most)
	}
	must(t, b.RecordReads(ctx, nil))
}
