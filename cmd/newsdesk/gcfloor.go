package main

import (
	"context"
	"runtime/debug"
	"runtime/metrics"
	"time"
)

// A heap floor for the garbage collector. With Go's default (GOGC=100) the
// collector runs whenever the heap has doubled since the last one: a
// server whose live heap is 9 MiB collects some 17 times a second under
// load, each cycle taking a quarter of the CPU for several milliseconds,
// which is most of its tail latency. gcFloor lets the heap grow to at
// least floor bytes between collections, and falls back to the default
// doubling once the live heap is past half the floor, so a large heap
// costs no more memory than before.

// defaultGCFloor is the heap a process may reach before the collector runs.
const defaultGCFloor = 64 << 20

// gcPercentFor is the GOGC that makes the next heap goal floor for a live
// heap of live bytes, and never less than 100.
func gcPercentFor(live, floor uint64) int {
	if live == 0 || floor <= 2*live {
		return 100
	}
	return int((floor - live) * 100 / live)
}

// gcFloor adjusts the collector every interval until ctx ends, unless the
// operator set GOGC. It returns at once; the adjusting runs in the
// background.
func gcFloor(ctx context.Context, getenv func(string) string, floor uint64, interval time.Duration) {
	gcFloorWith(ctx, getenv, floor, interval, debug.SetGCPercent)
}

// gcFloorWith is gcFloor setting GOGC through setGCPercent.
func gcFloorWith(ctx context.Context, getenv func(string) string, floor uint64, interval time.Duration, setGCPercent func(int) int) {
	if getenv("GOGC") != "" || floor == 0 {
		return
	}
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	set := -1
	adjust := func() {
		metrics.Read(sample)
		if sample[0].Value.Kind() != metrics.KindUint64 {
			return
		}
		if p := gcPercentFor(sample[0].Value.Uint64(), floor); p != set {
			setGCPercent(p)
			set = p
		}
	}
	adjust()
	go func() {
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				setGCPercent(100)
				return
			case <-t.C:
				adjust()
			}
		}
	}()
}
