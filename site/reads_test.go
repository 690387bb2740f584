package site

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"testing"
	"time"

	"newsdesk"
)

// Views queued faster than the writer drains them are written in batches,
// and none is lost.
func TestReadQueueBatches(t *testing.T) {
	f := newFixture(t, 0)
	q := newReadQueue(f.db, slog.New(slog.NewTextHandler(io.Discard, nil)), 4096)
	defer q.close()
	for i := 0; i < 600; i++ {
		q.add(newsdesk.ReadEvent{ReaderID: fmt.Sprintf("reader-%03d", i), ArticleID: f.seed.ID, At: testNow.Add(-time.Minute)})
	}
	q.wait()
	most, err := f.db.MostRead(context.Background(), 0, testNow.Add(-time.Hour), 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(most) != 1 || most[0].Count != 600 {
		t.Errorf("most read after 600 queued views = %+v", most)
	}
}
