package dedup

import "iter"

// bandIndex maps each LSH band key to the newest entry with it (the others
// follow through entry.next of that band). The index holds sixteen keys an
// article, so it is an open-addressing table with linear probing rather
// than a Go map: 16 bytes a slot at up to three quarters full, against
// about 38 bytes a key measured for the map. The zero value is ready.
type bandIndex struct {
	slots []bandSlot
	n     int
	shift uint // 64 - log2(len(slots))
}

type bandSlot struct {
	key uint64
	e   *entry // nil: the slot is empty
}

// home is the slot a key is looked for first.
func (x *bandIndex) home(k uint64) int {
	return int((k * 0x9e3779b97f4a7c15) >> x.shift)
}

// find returns the slot holding k, or the empty slot where it would go.
func (x *bandIndex) find(k uint64) int {
	mask := len(x.slots) - 1
	i := x.home(k)
	for x.slots[i].e != nil && x.slots[i].key != k {
		i = (i + 1) & mask
	}
	return i
}

// get returns the newest entry with key k, or nil.
func (x *bandIndex) get(k uint64) *entry {
	if x.n == 0 {
		return nil
	}
	return x.slots[x.find(k)].e
}

// set makes e the newest entry with key k; e is not nil.
func (x *bandIndex) set(k uint64, e *entry) {
	if (x.n+1)*4 > len(x.slots)*3 {
		x.resize(max(64, 2*len(x.slots)))
	}
	i := x.find(k)
	if x.slots[i].e == nil {
		x.n++
	}
	x.slots[i] = bandSlot{k, e}
}

// delete forgets key k. The slots after it move back where they may, so
// that no lookup meets a hole before its key.
func (x *bandIndex) delete(k uint64) {
	if x.n == 0 {
		return
	}
	i := x.find(k)
	if x.slots[i].e == nil {
		return
	}
	mask := len(x.slots) - 1
	for j := i; ; {
		j = (j + 1) & mask
		if x.slots[j].e == nil {
			break
		}
		// The slot at j may fill the hole at i unless its home lies
		// cyclically in (i, j].
		h := x.home(x.slots[j].key)
		if (i < j && (h <= i || h > j)) || (j < i && h <= i && h > j) {
			x.slots[i] = x.slots[j]
			i = j
		}
	}
	x.slots[i] = bandSlot{}
	x.n--
	if len(x.slots) > 1024 && x.n*8 < len(x.slots) {
		x.resize(len(x.slots) / 2) // give back what a burst grew
	}
}

// resize moves the keys into size slots, a power of two.
func (x *bandIndex) resize(size int) {
	old := x.slots
	x.slots = make([]bandSlot, size)
	x.shift = 64
	for 1<<(64-x.shift) < size {
		x.shift--
	}
	for _, s := range old {
		if s.e != nil {
			x.slots[x.find(s.key)] = s
		}
	}
}

// len is the number of keys held.
func (x *bandIndex) len() int { return x.n }

// all yields every key with its newest entry.
func (x *bandIndex) all() iter.Seq2[uint64, *entry] {
	return func(yield func(uint64, *entry) bool) {
		for _, s := range x.slots {
			if s.e != nil && !yield(s.key, s.e) {
				return
			}
		}
	}
}
