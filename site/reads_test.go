package site

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"sync"
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

// batchStore records the size of each write; its first write waits for
// gate to close.
type batchStore struct {
	newsdesk.ReaderStore
	entered chan struct{} // closed when the first write begins
	gate    chan struct{}
	once    sync.Once
	mu      sync.Mutex
	sizes   []int
}

func (s *batchStore) write(n int) {
	s.once.Do(func() { close(s.entered); <-s.gate })
	s.mu.Lock()
	s.sizes = append(s.sizes, n)
	s.mu.Unlock()
}

func (s *batchStore) RecordRead(context.Context, newsdesk.ReadEvent) error { s.write(1); return nil }
func (s *batchStore) RecordReads(_ context.Context, events []newsdesk.ReadEvent) error {
	s.write(len(events))
	return nil
}

// After a batch of some size the writer waits before the next one, so
// that a steady stream of views is written in large batches; after a
// small batch it does not wait.
func TestReadQueueLingers(t *testing.T) {
	st := &batchStore{entered: make(chan struct{}), gate: make(chan struct{})}
	q := newReadQueue(st, slog.New(slog.DiscardHandler), 4096)
	view := func(i int) newsdesk.ReadEvent {
		return newsdesk.ReadEvent{ReaderID: fmt.Sprintf("reader-%03d", i), ArticleID: 1, At: testNow}
	}
	var slept []time.Duration
	added := make(chan struct{})
	q.sleep = func(d time.Duration) {
		slept = append(slept, d)
		if len(slept) == 1 {
			// Views that arrive while the writer waits.
			for i := range 100 {
				q.add(view(1000 + i))
			}
			close(added)
		}
	}
	q.add(view(0)) // taken alone; its write waits for the gate
	<-st.entered
	for i := range 20 {
		q.add(view(1 + i))
	}
	close(st.gate)
	<-added
	q.wait()
	q.close() // the writer may still be waiting after the last batch
	st.mu.Lock()
	defer st.mu.Unlock()
	if fmt.Sprint(st.sizes) != "[1 20 100]" || len(slept) != 2 || slept[0] != readLinger {
		t.Errorf("batches %v, waits %v", st.sizes, slept)
	}
}
