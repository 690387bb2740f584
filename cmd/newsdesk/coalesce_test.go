package main

import (
	"testing"
	"time"
)

func TestCoalesced(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	runs := 0
	var timer func()
	var waited time.Duration
	c := newCoalesced(func() { runs++ }, time.Second)
	c.now = func() time.Time { return now }
	c.after = func(d time.Duration, g func()) { waited, timer = d, g }

	c.call() // the first call runs at once
	if runs != 1 || timer != nil {
		t.Fatalf("first call: %d runs, timer %v", runs, timer != nil)
	}
	now = now.Add(300 * time.Millisecond)
	for range 50 { // a burst within the interval: one run, scheduled
		c.call()
	}
	if runs != 1 || timer == nil || waited != 700*time.Millisecond {
		t.Fatalf("burst: %d runs, timer %v, wait %v", runs, timer != nil, waited)
	}
	now = now.Add(700 * time.Millisecond)
	g := timer
	timer = nil
	g()
	if runs != 2 {
		t.Fatalf("after the interval: %d runs, want 2", runs)
	}
	c.call() // right after the scheduled run: waits again
	if runs != 2 || timer == nil {
		t.Fatalf("call after a scheduled run: %d runs, timer %v", runs, timer != nil)
	}
	timer = nil
	now = now.Add(5 * time.Second)
	c.fire() // the pending run
	now = now.Add(5 * time.Second)
	c.call() // a quiet period later: at once
	if runs != 4 || timer != nil {
		t.Fatalf("after a quiet period: %d runs, timer %v", runs, timer != nil)
	}

	// A run made directly covers the scheduled one, unless a store came
	// after it.
	now = now.Add(200 * time.Millisecond)
	c.call()
	if timer == nil {
		t.Fatal("no run scheduled")
	}
	c.covered()
	timer()
	if runs != 4 {
		t.Fatalf("a covered run ran: %d runs", runs)
	}
	now = now.Add(200 * time.Millisecond)
	timer = nil
	c.call()
	c.covered()
	c.call()
	timer()
	if runs != 5 {
		t.Fatalf("a store after the direct run: %d runs, want 5", runs)
	}
}
