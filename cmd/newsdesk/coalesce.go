package main

import (
	"sync"
	"time"
)

// coalesced runs f at most once per interval however often it is called:
// a call within interval of the last run schedules one run at the end of
// the interval, which covers every call made until then. Ingest stores a
// batch every few milliseconds while it runs; dropping every cached page
// for each one would have readers' pages rendered again and again, so the
// site is refreshed at most once per interval, and never later than that
// after a store.
type coalesced struct {
	f        func()
	interval time.Duration
	now      func() time.Time
	after    func(time.Duration, func())

	mu      sync.Mutex
	last    time.Time
	pending bool
	skip    bool // the pending run is covered by a run made directly
}

func newCoalesced(f func(), interval time.Duration) *coalesced {
	return &coalesced{f: f, interval: interval, now: time.Now,
		after: func(d time.Duration, g func()) { time.AfterFunc(d, g) }}
}

// call runs f now, or schedules it, as above.
func (c *coalesced) call() {
	c.mu.Lock()
	if c.pending {
		c.skip = false // this call's store is not covered yet
		c.mu.Unlock()
		return
	}
	now := c.now()
	if wait := c.last.Add(c.interval).Sub(now); wait > 0 {
		c.pending = true
		c.mu.Unlock()
		c.after(wait, c.fire)
		return
	}
	c.last = now
	c.mu.Unlock()
	c.f()
}

func (c *coalesced) fire() {
	c.mu.Lock()
	skip := c.skip
	c.pending, c.skip = false, false
	if skip {
		c.mu.Unlock()
		return
	}
	c.last = c.now()
	c.mu.Unlock()
	c.f()
}

// covered tells c that the caller is running f itself now, after every
// call so far: a run already scheduled is not needed (unless call is
// called again before it).
func (c *coalesced) covered() {
	c.mu.Lock()
	c.skip = c.pending
	c.last = c.now()
	c.mu.Unlock()
}
