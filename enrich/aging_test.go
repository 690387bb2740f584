package enrich

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

func TestAgingPopsOldestFirst(t *testing.T) {
	base := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
	q := NewAging(func(x time.Time) time.Time { return x })
	if _, ok := q.Oldest(); ok {
		t.Fatal("Oldest of an empty queue reported an entry")
	}
	r := rand.New(rand.NewPCG(1, 2))
	var want []time.Time
	// Pushes and pops interleaved, as an index adds and evicts.
	for i := 0; i < 5000; i++ {
		x := base.Add(time.Duration(r.IntN(100000)) * time.Second)
		q.Push(x)
		want = append(want, x)
		if i%3 == 2 {
			slices.SortFunc(want, func(a, b time.Time) int { return a.Compare(b) })
			o, _ := q.Oldest()
			p := q.Pop()
			if !o.Equal(p) || !p.Equal(want[0]) {
				t.Fatalf("pop %d: got %v (oldest said %v), want %v", i, p, o, want[0])
			}
			want = want[1:]
		}
	}
	if q.Len() != len(want) {
		t.Fatalf("Len = %d, want %d", q.Len(), len(want))
	}
	slices.SortFunc(want, func(a, b time.Time) int { return a.Compare(b) })
	for _, w := range want {
		if p := q.Pop(); !p.Equal(w) {
			t.Fatalf("drain: got %v, want %v", p, w)
		}
	}
	if q.Len() != 0 {
		t.Fatalf("Len after drain = %d", q.Len())
	}
}
