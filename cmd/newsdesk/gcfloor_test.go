package main

import (
	"context"
	"runtime"
	"sync"
	"testing"
	"time"
)

func TestGCPercentFor(t *testing.T) {
	const mib = 1 << 20
	for _, c := range []struct {
		live, floor uint64
		want        int
	}{
		{9 * mib, 64 * mib, 611}, // goal 9 × 7.11 = 64 MiB
		{32 * mib, 64 * mib, 100},
		{40 * mib, 64 * mib, 100}, // past half the floor: the default doubling
		{500 * mib, 64 * mib, 100},
		{0, 64 * mib, 100}, // no collection yet
	} {
		if got := gcPercentFor(c.live, c.floor); got != c.want {
			t.Errorf("gcPercentFor(%d MiB, %d MiB) = %d, want %d", c.live/mib, c.floor/mib, got, c.want)
		}
	}
}

// watchGCPercent records what gcFloor sets, instead of setting it.
func watchGCPercent() (set func(int) int, calls func() []int) {
	var mu sync.Mutex
	var all []int
	set = func(p int) int {
		mu.Lock()
		defer mu.Unlock()
		all = append(all, p)
		return 100
	}
	return set, func() []int {
		mu.Lock()
		defer mu.Unlock()
		return append([]int(nil), all...)
	}
}

// An operator's GOGC wins: the floor leaves the collector alone.
func TestGCFloorHonoursGOGC(t *testing.T) {
	set, calls := watchGCPercent()
	ctx, cancel := context.WithCancel(context.Background())
	gcFloorWith(ctx, func(k string) string {
		if k == "GOGC" {
			return "137"
		}
		return ""
	}, 1<<40, time.Millisecond, set)
	time.Sleep(20 * time.Millisecond)
	cancel()
	time.Sleep(5 * time.Millisecond)
	if got := calls(); len(got) != 0 {
		t.Errorf("GOGC set to %v although the operator set it", got)
	}
}

// Without GOGC set, a floor far above the live heap raises GOGC, and the
// default comes back when the process is done.
func TestGCFloorRaisesGOGC(t *testing.T) {
	set, calls := watchGCPercent()
	runtime.GC() // a live heap to measure
	ctx, cancel := context.WithCancel(context.Background())
	gcFloorWith(ctx, func(string) string { return "" }, 1<<40, time.Millisecond, set)
	got := calls()
	if len(got) == 0 || got[0] <= 100 {
		t.Fatalf("GOGC set to %v with a floor of 1 TiB, want one value above 100", got)
	}
	cancel()
	deadline := time.Now().Add(5 * time.Second)
	for got = calls(); got[len(got)-1] != 100; got = calls() {
		if time.Now().After(deadline) {
			t.Fatalf("GOGC left at %v after the process ended", got)
		}
		time.Sleep(time.Millisecond)
	}
}
