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
//
// Erasing a reader's history goes through the queue (erase): the views of
// that reader queued before the erase are dropped, not written, and a batch
// being written when the erase comes is written before the history is
// deleted, so that nothing viewed before the erase is stored after it.
type readQueue struct {
	store newsdesk.ReaderStore
	log   *slog.Logger
	ch    chan queuedRead
	obs   Observer

	// addMu makes the order of the queue that of seq: a view's number is
	// taken and the view queued under it.
	addMu sync.Mutex
	seq   uint64 // number of the latest view queued (under addMu)

	// writeMu is held while a batch is sorted and written, and while a
	// history is erased.
	writeMu sync.Mutex
	erased  map[string]uint64 // reader → latest view number queued before its erase
	taken   uint64            // number of the latest view the writer took

	once    sync.Once
	done    chan struct{}
	pending sync.WaitGroup // queued views not yet written (tests wait on it)
	mu      sync.Mutex
	dropped int
	sleep   func(time.Duration) // time.Sleep; tests replace it
}

func newReadQueue(st newsdesk.ReaderStore, log *slog.Logger, size int) *readQueue {
	q := &readQueue{store: st, log: log, ch: make(chan queuedRead, size), done: make(chan struct{}), sleep: time.Sleep, erased: map[string]uint64{}}
	go q.run()
	return q
}

// queuedRead is a view with its number in the queue.
type queuedRead struct {
	newsdesk.ReadEvent
	seq uint64
}

// add queues a view; it never blocks.
func (q *readQueue) add(e newsdesk.ReadEvent) {
	q.pending.Add(1)
	q.addMu.Lock()
	q.seq++
	var queued bool
	select {
	case q.ch <- queuedRead{e, q.seq}:
		queued = true
	default:
	}
	q.addMu.Unlock()
	if !queued {
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
	batch := make([]queuedRead, 0, readBatch)
	events := make([]newsdesk.ReadEvent, 0, readBatch)
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
		q.writeMu.Lock()
		events = q.keep(events[:0], batch)
		q.write(batcher, events)
		q.writeMu.Unlock()
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

// keep appends to events the views of batch whose reader's history was not
// erased since they were queued, and forgets the erases that no view still
// queued predates. It is called under writeMu.
func (q *readQueue) keep(events []newsdesk.ReadEvent, batch []queuedRead) []newsdesk.ReadEvent {
	for _, e := range batch {
		if last, ok := q.erased[e.ReaderID]; ok && e.seq <= last {
			continue
		}
		events = append(events, e.ReadEvent)
	}
	q.taken = batch[len(batch)-1].seq
	for id, last := range q.erased {
		if last <= q.taken {
			delete(q.erased, id)
		}
	}
	return events
}

// erase deletes every view of a reader: those stored and those queued.
// When it returns, no view queued before it is written any more.
func (q *readQueue) erase(ctx context.Context, readerID string) error {
	q.writeMu.Lock()
	defer q.writeMu.Unlock()
	q.addMu.Lock()
	last := q.seq
	q.addMu.Unlock()
	if last > q.taken {
		q.erased[readerID] = last
	}
	return q.store.DeleteReader(ctx, readerID)
}

func (q *readQueue) write(batcher newsdesk.ReadBatcher, batch []newsdesk.ReadEvent) {
	if len(batch) == 0 {
		return
	}
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
