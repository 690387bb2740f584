package site

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
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

// Views of a reader still queued when the reader erases the history are
// not written after the erase: the history stays empty.
func TestEraseDropsQueuedViews(t *testing.T) {
	f := newFixture(t, 0)
	ctx := context.Background()
	id := strings.Repeat("c3", 16)
	must(t, f.db.RecordRead(ctx, newsdesk.ReadEvent{ReaderID: id, ArticleID: f.seed.ID, At: testNow.Add(-time.Hour)}))

	// The writer takes a batch of other readers' views (queued before it
	// starts) and then waits, so that the reader's views stay in the queue
	// during the erase.
	f.h.reads.close()
	lingering, gate := make(chan struct{}), make(chan struct{})
	var once sync.Once
	q := &readQueue{store: f.db, log: slog.New(slog.DiscardHandler), ch: make(chan queuedRead, 64), done: make(chan struct{}), erased: map[string]uint64{},
		sleep: func(time.Duration) { once.Do(func() { close(lingering); <-gate }) }}
	f.h.reads = q
	defer q.close()
	for i := range readLingerFrom {
		q.add(newsdesk.ReadEvent{ReaderID: fmt.Sprintf("%032x", i), ArticleID: f.seed.ID, At: testNow})
	}
	go q.run()
	<-lingering
	f.h.reads.add(newsdesk.ReadEvent{ReaderID: id, ArticleID: f.seed.ID, At: testNow})
	f.h.reads.add(newsdesk.ReadEvent{ReaderID: id, ArticleID: f.afp.ID, At: testNow})

	r := httptest.NewRequest("POST", "/privacy", strings.NewReader("action=erase"))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.Header.Set("Cookie", readerCookie+"="+id)
	r.Header.Set("Sec-Fetch-Site", "same-origin")
	w := httptest.NewRecorder()
	f.mux.ServeHTTP(w, r)
	if w.Code != http.StatusSeeOther {
		t.Fatalf("erase: %d", w.Code)
	}
	// A view after the erase (the old number, from a page still open) is
	// written; it is not part of the erased history.
	f.h.reads.add(newsdesk.ReadEvent{ReaderID: id, ArticleID: f.wire.ID, At: testNow.Add(time.Second)})
	close(gate)
	f.h.reads.wait()
	hist, err := f.db.ReadHistory(ctx, id, 10)
	must(t, err)
	if len(hist) != 1 || hist[0].ArticleID != f.wire.ID {
		t.Errorf("history after erase = %+v, want only the later view of %d", hist, f.wire.ID)
	}
	if other, _ := f.db.ReadHistory(ctx, fmt.Sprintf("%032x", 0), 10); len(other) != 1 {
		t.Errorf("another reader's history = %+v", other)
	}
	f.h.reads.erase(ctx, id) // nothing queued: no erase is remembered
	f.h.reads.writeMu.Lock()
	n := len(f.h.reads.erased)
	f.h.reads.writeMu.Unlock()
	if n != 0 {
		t.Errorf("%d erases remembered once their views were taken", n)
	}
}
