package enrich

import "time"

// Aging holds the entries of an in-memory index by their article's time,
// oldest first, so that the index can drop what has fallen out of its
// window whatever order the articles arrived in: a feed's backlog comes
// after newer reports from other feeds. It is a binary min-heap; the zero
// value is not ready, use NewAging. It is not safe for concurrent use.
type Aging[T any] struct {
	items []T
	at    func(T) time.Time
}

// NewAging returns an empty Aging ordering its entries by at.
func NewAging[T any](at func(T) time.Time) *Aging[T] {
	return &Aging[T]{at: at}
}

// Len is the number of entries held.
func (q *Aging[T]) Len() int { return len(q.items) }

// Push adds x.
func (q *Aging[T]) Push(x T) {
	q.items = append(q.items, x)
	i := len(q.items) - 1
	for i > 0 {
		p := (i - 1) / 2
		if !q.at(q.items[i]).Before(q.at(q.items[p])) {
			break
		}
		q.items[i], q.items[p] = q.items[p], q.items[i]
		i = p
	}
}

// Oldest returns the entry with the earliest time without removing it; ok
// is false when q is empty.
func (q *Aging[T]) Oldest() (x T, ok bool) {
	if len(q.items) == 0 {
		return x, false
	}
	return q.items[0], true
}

// Pop removes and returns the entry with the earliest time. It panics
// when q is empty.
func (q *Aging[T]) Pop() T {
	n := len(q.items) - 1
	top := q.items[0]
	q.items[0] = q.items[n]
	var zero T
	q.items[n] = zero // let the entry go
	q.items = q.items[:n]
	for i := 0; ; {
		l, r, m := 2*i+1, 2*i+2, i
		if l < n && q.at(q.items[l]).Before(q.at(q.items[m])) {
			m = l
		}
		if r < n && q.at(q.items[r]).Before(q.at(q.items[m])) {
			m = r
		}
		if m == i {
			break
		}
		q.items[i], q.items[m] = q.items[m], q.items[i]
		i = m
	}
	if cap(q.items) > 1024 && len(q.items) < cap(q.items)/4 {
		q.items = append([]T(nil), q.items...) // give back what a burst grew
	}
	return top
}
