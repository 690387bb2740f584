package site

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"newsdesk"
)

// readQueue writes reading events behind the requests that produce them:
// an article view costs the reader no database write, and one writer
// goroutine records the views in arrival order. When the queue is full (the
// database is far behind) a view is dropped rather than delaying pages.
type readQueue struct {
	store newsdesk.ReaderStore
	log   *slog.Logger
	ch    chan newsdesk.ReadEvent
	obs   Observer

	once    sync.Once
	done    chan struct{}
	pending sync.WaitGroup // queued views not yet written (tests wait on it)
	mu      sync.Mutex
	dropped int
	sleep   func(time.Duration) // time.Sleep; tests replace it
}

func newReadQueue(st newsdesk.ReaderStore, log *slog.Logger, size int) *readQueue {
	q := &readQueue{store: st, log: log, ch: make(chan newsdesk.ReadEvent, size), done: make(chan struct{}), sleep: time.Sleep}
	go q.run()
	return q
}

// add queues a view; it never blocks.
func (q *readQueue) add(e newsdesk.ReadEvent) {
	q.pending.Add(1)
	select {
	case q.ch <- e:
	default:
		q.pending.Done()
		q.mu.Lock()
		q.dropped++
		n := q.dropped
		q.mu.Unlock()
		if n == 1 || n%1000 == 0 {
			q.log.Warn("reading events dropped: the database is behind", "dropped", n)
		}
	}
}

func (q *readQueue) run() {
	defer close(q.done)
	batcher, _ := q.store.(newsdesk.ReadBatcher)
	batch := make([]newsdesk.ReadEvent, 0, readBatch)
	for e := range q.ch {
		// Take what else is waiting, so that a busy site writes its views
		// in a few transactions rather than one each.
		batch = append(batch[:0], e)
	drain:
		for len(batch) < readBatch {
			select {
			case more, ok := <-q.ch:
				if !ok {
					break drain
				}
				batch = append(batch, more)
			default:
				break drain
			}
		}
		q.write(batcher, batch)
		for range batch {
			q.pending.Done()
		}
		if len(batch) >= readLingerFrom {
			// Views are arriving steadily: let the next batch grow. A
			// transaction's cost is mostly per page written, so a view
			// costs about half as much in batches of 128 as of 32.
			q.sleep(readLinger)
		}
	}
}

// readBatch is the most views written in one transaction.
const readBatch = 256

// After a batch of readLingerFrom views or more, the writer waits
// readLinger before taking the next; a smaller batch (a quiet site) is
// followed by no wait, so a view is written at once.
const (
	readLingerFrom = 8
	readLinger     = 25 * time.Millisecond
)

func (q *readQueue) write(batcher newsdesk.ReadBatcher, batch []newsdesk.ReadEvent) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if batcher != nil && len(batch) > 1 {
		if err := batcher.RecordReads(ctx, batch); err != nil {
			q.log.Warn("record reads", "events", len(batch), "err", err)
			return
		}
		if q.obs != nil {
			for range batch {
				q.obs.ReaderEvent()
			}
		}
		return
	}
	for _, e := range batch {
		if err := q.store.RecordRead(ctx, e); err != nil {
			// The reader's id is deliberately left out of the log.
			q.log.Warn("record read", "article_id", e.ArticleID, "err", err)
		} else if q.obs != nil {
			q.obs.ReaderEvent()
		}
	}
}

// wait returns once every queued view is written.
func (q *readQueue) wait() { q.pending.Wait() }

// close writes the queued views and stops the writer.
func (q *readQueue) close() {
	q.once.Do(func() { close(q.ch) })
	<-q.done
}
