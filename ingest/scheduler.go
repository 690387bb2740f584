package ingest

import (
	"context"
	"log/slog"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"newsdesk"
	"newsdesk/logging"
)

// SourceLeaser hands out due sources so that each is fetched by one worker.
type SourceLeaser interface {
	LeaseDueSources(ctx context.Context, owner string, now time.Time, ttl time.Duration, limit int) ([]*newsdesk.Source, error)
	ReleaseSource(ctx context.Context, id int64, owner string) error
}

// Scheduler runs the pipeline over due sources with a pool of workers.
type Scheduler struct {
	Pipeline *Pipeline
	Sources  SourceLeaser
	Owner    string        // lease owner: unique per process
	Workers  int           // concurrent sources
	Tick     time.Duration // how often to look for due sources
	LeaseTTL time.Duration // a lease outlives a crashed worker by this much
	Logger   *slog.Logger
	Now      func() time.Time

	running atomic.Bool
	jobs    atomic.Int64
	lastRun atomic.Int64 // unix nanos of the last completed pass
}

// Summary counts what a pass did.
type Summary struct {
	Sources     int
	Failed      int
	NotModified int
	Items       int
	Created     int
	Updated     int
}

func (s *Scheduler) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *Scheduler) logger() *slog.Logger {
	if s.Logger != nil {
		return s.Logger
	}
	return slog.Default()
}

// Running reports whether Run is looping, and when its last pass ended.
func (s *Scheduler) Running() (bool, time.Time) {
	n := s.lastRun.Load()
	var t time.Time
	if n != 0 {
		t = time.Unix(0, n)
	}
	return s.running.Load(), t
}

// Run polls for due sources every Tick until ctx is done.
func (s *Scheduler) Run(ctx context.Context) error {
	s.running.Store(true)
	defer s.running.Store(false)
	tick := s.Tick
	if tick <= 0 {
		tick = 30 * time.Second
	}
	t := time.NewTicker(tick)
	defer t.Stop()
	for {
		if _, err := s.RunOnce(ctx, nil); err != nil && ctx.Err() == nil {
			s.logger().ErrorContext(ctx, "ingest pass failed", slog.Any("error", err))
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// RunOnce runs every source that is due now with Workers concurrent
// workers, and returns when none is left. Each worker leases one source at a
// time, just before it runs it, so a lease never waits in a queue while its
// time runs out (another worker could then take the same source). progress,
// when set, is called after each source.
func (s *Scheduler) RunOnce(ctx context.Context, progress func(done int, src *newsdesk.Source, res *Result, err error)) (Summary, error) {
	defer s.lastRun.Store(s.now().UnixNano())
	workers := max(s.Workers, 1)
	ttl := s.LeaseTTL
	if ttl <= 0 {
		ttl = 10 * time.Minute
	}
	var (
		sum      Summary
		mu       sync.Mutex
		done     int
		firstErr error
		wg       sync.WaitGroup
		seen     = map[int64]bool{}
	)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				leased, err := s.Sources.LeaseDueSources(ctx, s.Owner, s.now(), ttl, 1)
				if err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
					return
				}
				if len(leased) == 0 {
					return
				}
				src := leased[0]
				mu.Lock()
				again := seen[src.ID]
				seen[src.ID] = true
				mu.Unlock()
				if again {
					// Its fetch could not be recorded (the next fetch time did
					// not move): leave it to the next pass rather than loop.
					s.release(ctx, src)
					return
				}
				res, err := s.runOne(ctx, src)
				mu.Lock()
				done++
				sum.Sources++
				if err != nil {
					sum.Failed++
				}
				if res != nil {
					sum.Items += res.Items
					sum.Created += res.Created
					sum.Updated += res.Updated
					if res.NotModified {
						sum.NotModified++
					}
				}
				if progress != nil {
					progress(done, src, res, err)
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if firstErr != nil {
		return sum, firstErr
	}
	return sum, ctx.Err()
}

func (s *Scheduler) runOne(ctx context.Context, src *newsdesk.Source) (*Result, error) {
	defer s.release(ctx, src)
	// Every log line of this run carries the job's id and the source's.
	ctx = logging.WithJobID(ctx, strconv.FormatInt(s.jobs.Add(1), 36)+"-"+strconv.FormatInt(src.ID, 10))
	started := time.Now()
	res, err := s.Pipeline.RunSource(ctx, src)
	log := s.logger().With(slog.Int64("source_id", src.ID), slog.Duration("took", time.Since(started)))
	if err != nil {
		log.WarnContext(ctx, "source fetch failed", slog.String("reason", err.Error()))
		return res, err
	}
	if res != nil {
		log.InfoContext(ctx, "source fetched", slog.Int("items", res.Items), slog.Int("created", res.Created),
			slog.Int("updated", res.Updated), slog.Bool("not_modified", res.NotModified))
	}
	return res, nil
}

// release drops this worker's lease on src, with a fresh context: the lease
// must go even on shutdown.
func (s *Scheduler) release(ctx context.Context, src *newsdesk.Source) {
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := s.Sources.ReleaseSource(rctx, src.ID, s.Owner); err != nil {
		s.logger().WarnContext(ctx, "release source lease", slog.Int64("source_id", src.ID), slog.Any("error", err))
	}
}
