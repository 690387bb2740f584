package dedup

import (
	"math/rand/v2"
	"testing"
)

// TestBandIndexAgainstMap: inserts, replacements and deletions, many of
// them in clusters of keys with the same home slot, leave the table
// answering as a Go map does, through growth and shrinking.
func TestBandIndexAgainstMap(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	var x bandIndex
	want := map[uint64]*entry{}
	entries := make([]*entry, 64)
	for i := range entries {
		entries[i] = &entry{id: int64(i)}
	}
	// Keys from a small pool collide often; the pool is remade as the
	// table grows and shrinks.
	pool := make([]uint64, 3000)
	for i := range pool {
		pool[i] = rng.Uint64()
	}
	check := func(step int) {
		t.Helper()
		if x.len() != len(want) {
			t.Fatalf("step %d: %d keys, want %d", step, x.len(), len(want))
		}
		for k, e := range want {
			if got := x.get(k); got != e {
				t.Fatalf("step %d: key %x gives %v, want entry %d", step, k, got, e.id)
			}
		}
		n := 0
		for k, e := range x.all() {
			if want[k] != e {
				t.Fatalf("step %d: all yields key %x with an entry the map does not have", step, k)
			}
			n++
		}
		if n != len(want) {
			t.Fatalf("step %d: all yields %d keys, want %d", step, n, len(want))
		}
	}
	for step := 0; step < 40000; step++ {
		k := pool[rng.IntN(len(pool))]
		switch {
		case step > 20000 && rng.IntN(10) < 8, rng.IntN(10) < 3: // the second half mostly deletes
			x.delete(k)
			delete(want, k)
		default:
			e := entries[rng.IntN(len(entries))]
			x.set(k, e)
			want[k] = e
		}
		if step%997 == 0 {
			check(step)
		}
	}
	check(-1)
	for k := range want {
		x.delete(k)
	}
	if x.len() != 0 || x.get(pool[0]) != nil {
		t.Fatalf("%d keys left after deleting all", x.len())
	}
}
