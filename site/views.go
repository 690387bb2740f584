package site

import (
	"encoding/hex"
	"sync"
	"time"
)

// A reader's repeat views of one report in a short while are written once:
// the store counts a reader once per report anyway (it keeps the latest
// time), so a reload storm, or a reader going back and forth between two
// pages, would only rewrite the same row. The stored time of such a view is
// then that of the first one. A repeat within viewWindow is not written
// (unless the reader's shard overflowed), one after 2×viewWindow always is.
const (
	viewWindow   = 5 * time.Minute
	viewShards   = 64
	viewShardMax = 2048 // views remembered per shard and generation
)

// recentViews remembers which reader viewed which report lately, in
// shards by reader so that concurrent requests seldom share a lock. Each
// shard keeps two generations of views: a view is known while it is in
// either. The newer generation becomes the older one once it is a window
// old or full, and the older one is dropped then or once it is two windows
// old, so memory stays bounded (viewShards × 2 × viewShardMax) and no view
// older than two windows is known.
type recentViews struct {
	window time.Duration
	max    int
	shards [viewShards]viewShard
}

type viewKey struct {
	reader  [16]byte
	article int64
}

type viewShard struct {
	mu          sync.Mutex
	cur, prev   map[viewKey]struct{}
	started     time.Time // of cur: its views are not older
	prevStarted time.Time // of prev
	_           [64]byte  // keeps shards on their own cache lines
}

func newRecentViews(window time.Duration, max int) *recentViews {
	v := &recentViews{window: window, max: max}
	for i := range v.shards {
		v.shards[i].cur = make(map[viewKey]struct{})
		v.shards[i].prev = make(map[viewKey]struct{})
	}
	return v
}

// first reports whether the reader's view of the article is the first one
// in the window (and remembers it). readerID is a valid reader id; an
// invalid one is always a first view.
func (v *recentViews) first(readerID string, articleID int64, now time.Time) bool {
	k := viewKey{article: articleID}
	if len(readerID) != 2*len(k.reader) {
		return true
	}
	if _, err := hex.Decode(k.reader[:], []byte(readerID)); err != nil {
		return true
	}
	s := &v.shards[int(k.reader[0])%viewShards]
	s.mu.Lock()
	defer s.mu.Unlock()
	if age := now.Sub(s.started); age >= v.window || age < 0 || len(s.cur) >= v.max {
		s.prev, s.cur = s.cur, s.prev
		clear(s.cur)
		s.prevStarted, s.started = s.started, now
	}
	if age := now.Sub(s.prevStarted); age >= 2*v.window || age < 0 {
		clear(s.prev)
	}
	if _, ok := s.cur[k]; ok {
		return false
	}
	if _, ok := s.prev[k]; ok {
		return false
	}
	s.cur[k] = struct{}{}
	return true
}

// forget drops every view of a reader (whose history was erased), so that
// the next view is written again.
func (v *recentViews) forget(readerID string) {
	var k viewKey
	if len(readerID) != 2*len(k.reader) {
		return
	}
	if _, err := hex.Decode(k.reader[:], []byte(readerID)); err != nil {
		return
	}
	s := &v.shards[int(k.reader[0])%viewShards]
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, m := range []map[viewKey]struct{}{s.cur, s.prev} {
		for key := range m {
			if key.reader == k.reader {
				delete(m, key)
			}
		}
	}
}
