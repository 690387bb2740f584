// Package dedup finds exact and near-duplicate articles: the same wire
// report republished by several outlets, verbatim or with small edits.
//
// Every article gets a Fingerprint (SHA-256 prefix of its normalised text)
// and a SimHash. An exact copy is found through the store by fingerprint; a
// near copy through an in-memory MinHash LSH index over the articles of a
// recent window. DuplicateOf is set to the earliest copy found.
//
// Similarity is the Jaccard resemblance of two texts' feature sets, each
// set holding the text's words and its 3-word shingles. Words alone make
// articles on the same topic look alike; 3-word shingles alone make any
// rewording look unrelated. The index estimates the resemblance with a
// 64-value MinHash signature.
package dedup

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"newsdesk"
	"newsdesk/enrich"
	"newsdesk/textsim"
)

// Defaults.
const (
	DefaultWindow     = 7 * 24 * time.Hour
	DefaultMaxEntries = 200_000
	// DefaultThreshold is the resemblance at or above which two articles
	// are near copies. On MSRP sentence pairs (same-story sentences, the
	// hardest negatives a copy detector meets) 88% of the pairs at or above
	// it are judged equivalent, and most of the rest are one sentence with a
	// figure updated; distinct reports of one event share words but few
	// 3-word shingles and score far below it, while wire copies of whole
	// documents with small edits score 0.7 and more.
	DefaultThreshold = 0.5

	sigSize   = 64 // MinHash values per signature
	bands     = 16 // LSH bands of sigSize/bands rows each
	rows      = sigSize / bands
	shingleK  = 3
	minWords  = 12 // fewer words in Text: add headline and lede
	printSize = 16 // bytes of SHA-256 kept in the fingerprint
)

// Options configure a Deduper.
type Options struct {
	Window     time.Duration // articles older than this (from the newest seen) leave the index
	MaxEntries int           // most articles kept in the index
	Threshold  float64       // least resemblance of a near copy
	Logger     *slog.Logger
}

// Deduper is the dedup enrichment step. It is safe for concurrent use.
type Deduper struct {
	store newsdesk.ArticleStore // may be nil: no exact-duplicate lookup
	opt   Options
	log   *slog.Logger

	mu      sync.Mutex
	entries map[int64]*entry
	aging   *enrich.Aging[*entry] // the live entries and some gone ones, oldest first, for eviction
	// buckets holds, for each band key, the newest entry with it; the
	// others follow through entry.next of that band.
	buckets bandIndex
	newest  time.Time
	// computed keeps what Enrich worked out for an article until Stored
	// indexes it, so that the text is not split and hashed twice.
	computed enrich.Kept[computedSig]
}

// sketch is the low 16 bits of each value of a MinHash signature, which
// is all the index keeps (an entry takes 320 bytes instead of 448): two
// different values agree in them once in 65,536, so about one comparison
// in a thousand has one of its 64 values agree by chance and its
// estimated resemblance raised by 1/64.
type sketch [sigSize]uint16

func sketchOf(sig []uint32) (s sketch) {
	for i, v := range sig {
		s[i] = uint16(v)
	}
	return s
}

// computedSig is an article's SimHash and MinHash sketch.
type computedSig struct {
	simhash uint64
	sketch  sketch
}

// entry is one indexed article. It is kept compact (one allocation, no
// slices): the index holds every article of the window.
type entry struct {
	id          int64
	duplicateOf int64
	at          time.Time
	simhash     uint64
	sig         sketch
	next        [bands]*entry // next older entry with the same key in each band
	gone        bool
}

// New returns a Deduper that looks exact copies up in store (which may be
// nil).
func New(store newsdesk.ArticleStore, opt Options) *Deduper {
	if opt.Window <= 0 {
		opt.Window = DefaultWindow
	}
	if opt.MaxEntries <= 0 {
		opt.MaxEntries = DefaultMaxEntries
	}
	if opt.Threshold <= 0 {
		opt.Threshold = DefaultThreshold
	}
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.DiscardHandler)
	}
	return &Deduper{
		store:   store,
		opt:     opt,
		log:     opt.Logger,
		entries: make(map[int64]*entry),
		aging:   enrich.NewAging(func(e *entry) time.Time { return e.at }),
	}
}

// Name is the step's name.
func (d *Deduper) Name() string { return "dedup" }

// Features returns the words and 3-word shingles of a text as a sorted set
// of hashes.
func Features(text string) []uint64 {
	return features(textsim.TransientWords(text))
}

func features(words []string) []uint64 {
	wh := textsim.WordHashes(words)
	return featuresOf(wh, textsim.ShingleHashes(wh, shingleK))
}

// featuresOf is features with the words hashed (textsim.WordHashes) and
// the 3-word shingles made. Both shingle sets come sorted and free of
// repeats, so their union is a merge.
func featuresOf(wordHashes, shingles []uint64) []uint64 {
	ones := textsim.ShingleHashes(wordHashes, 1)
	out := make([]uint64, 0, len(ones)+len(shingles))
	i, j := 0, 0
	for i < len(ones) && j < len(shingles) {
		switch x, y := ones[i], shingles[j]; {
		case x < y:
			out = append(out, x)
			i++
		case y < x:
			out = append(out, y)
			j++
		default:
			out = append(out, x)
			i++
			j++
		}
	}
	out = append(out, ones[i:]...)
	return append(out, shingles[j:]...)
}

// signature is the MinHash signature of the feature set (the words and
// the 3-word shingles), made from the two parts without merging them: a
// MinHash is the same over a set or over parts of it with repeats.
func signature(wordHashes, shingles []uint64) []uint32 {
	sig := textsim.MinHash(wordHashes, sigSize)
	textsim.MinHashAdd(sig, shingles)
	return sig
}

// Similarity is the resemblance of two texts in [0, 1]: the Jaccard index
// of their feature sets.
func Similarity(a, b string) float64 {
	return textsim.Jaccard(Features(a), Features(b))
}

// dedupText is the text compared: the body's plain text, with headline and
// lede added when the body is too short to say much alone.
func dedupText(a *newsdesk.Article) []string {
	w := textsim.TransientWords(a.Text)
	if len(w) >= minWords {
		return w
	}
	return textsim.TransientWords(a.Headline + " " + a.Lede + " " + a.Text)
}

// Fingerprint is the hex SHA-256 prefix of the article's normalised text
// (lower-case words joined by single spaces): insensitive to markup, case,
// punctuation and spacing.
func Fingerprint(a *newsdesk.Article) string {
	return fingerprintWords(dedupText(a))
}

func fingerprintWords(words []string) string {
	n := len(words)
	for _, w := range words {
		n += len(w)
	}
	b := make([]byte, 0, n)
	for i, w := range words {
		if i > 0 {
			b = append(b, ' ')
		}
		b = append(b, w...)
	}
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:printSize])
}

// SimHash is the article's 64-bit SimHash over its word 3-shingles.
func SimHash(a *newsdesk.Article) uint64 {
	return textsim.SimHash(textsim.Shingles(dedupText(a), shingleK))
}

// Enrich sets Fingerprint and SimHash and, when an earlier copy exists,
// DuplicateOf.
func (d *Deduper) Enrich(ctx context.Context, a *newsdesk.Article, ex *enrich.Explanation) error {
	words := dedupText(a)
	a.Fingerprint = fingerprintWords(words)
	wh := textsim.WordHashes(words)
	shingles := textsim.ShingleHashes(wh, shingleK)
	a.SimHash = textsim.SimHash(shingles)
	if len(words) == 0 {
		ex.Add(d.Name(), "no text to compare")
		return nil
	}
	if d.store != nil {
		same, err := d.store.FindByFingerprint(ctx, a.Fingerprint)
		if err != nil {
			return fmt.Errorf("find by fingerprint %s: %w", a.Fingerprint, err)
		}
		for _, o := range same {
			if o.ID == a.ID {
				continue
			}
			orig := o.ID
			if o.DuplicateOf != 0 {
				orig = o.DuplicateOf
			}
			a.DuplicateOf = orig
			ex.Add(d.Name(), "exact copy of article %d (same fingerprint %s), original %d", o.ID, a.Fingerprint, orig)
			return nil
		}
	}
	sk := sketchOf(signature(wh, shingles))
	d.computed.Keep(a, computedSig{simhash: a.SimHash, sketch: sk})
	best, sim := d.nearest(a, &sk)
	if best == nil {
		a.DuplicateOf = 0
		ex.Add(d.Name(), "no near copy in the last %s (threshold %.2f)", d.opt.Window, d.opt.Threshold)
		return nil
	}
	orig := best.id
	if best.duplicateOf != 0 {
		orig = best.duplicateOf
	}
	a.DuplicateOf = orig
	ex.Add(d.Name(), "near copy of article %d (resemblance %.2f, simhash distance %d), original %d",
		best.id, sim, textsim.Hamming(a.SimHash, best.simhash), orig)
	return nil
}

// nearest returns the earliest indexed article resembling a at or above the
// threshold, and the resemblance.
func (d *Deduper) nearest(a *newsdesk.Article, sig *sketch) (*entry, float64) {
	keys := bandKeys(sig)
	d.mu.Lock()
	defer d.mu.Unlock()
	var best *entry
	var bestSim float64
	seen := make(map[*entry]bool)
	for b, k := range keys {
		for e := d.buckets.get(k); e != nil; e = e.next[b] {
			if seen[e] || e.gone || e.id == a.ID {
				continue
			}
			seen[e] = true
			sim := textsim.EstimateJaccard(sig[:], e.sig[:])
			if sim < d.opt.Threshold {
				continue
			}
			if best == nil || e.at.Before(best.at) || (e.at.Equal(best.at) && e.id < best.id) {
				best, bestSim = e, sim
			}
		}
	}
	return best, bestSim
}

// bandKeys returns the LSH bucket key of each band of sig. The band's
// number is in the top bits of its key, so that keys of different bands
// never meet in one bucket.
func bandKeys(sig *sketch) [bands]uint64 {
	var keys [bands]uint64
	for b := 0; b < bands; b++ {
		h := uint64(b) * 0x9e3779b97f4a7c15
		for r := 0; r < rows; r++ {
			h = textsim.Mix(h ^ uint64(sig[b*rows+r]))
		}
		keys[b] = h>>4 | uint64(b)<<60
	}
	return keys
}

// Stored adds stored articles (with IDs) to the near-duplicate index.
func (d *Deduper) Stored(ctx context.Context, articles []*newsdesk.Article) {
	for _, a := range articles {
		d.add(a)
	}
}

func (d *Deduper) add(a *newsdesk.Article) {
	if a.ID == 0 || a.Status == newsdesk.StatusUnpublished {
		return
	}
	e := &entry{id: a.ID, duplicateOf: a.DuplicateOf, at: articleTime(a)}
	if c, ok := d.computed.Take(a); ok {
		e.simhash = c.simhash
		e.sig = c.sketch
	} else {
		words := dedupText(a)
		if len(words) == 0 {
			return
		}
		wh := textsim.WordHashes(words)
		shingles := textsim.ShingleHashes(wh, shingleK)
		e.simhash = textsim.SimHash(shingles)
		e.sig = sketchOf(signature(wh, shingles))
	}
	keys := bandKeys(&e.sig)
	d.mu.Lock()
	defer d.mu.Unlock()
	if old, ok := d.entries[a.ID]; ok {
		d.unlink(old)
		delete(d.entries, a.ID)
	}
	if e.at.Before(d.newest.Add(-d.opt.Window)) {
		return // already out of the window, as a feed's backlog arrives
	}
	d.entries[a.ID] = e
	d.aging.Push(e)
	for b, k := range keys {
		e.next[b] = d.buckets.get(k)
		d.buckets.set(k, e)
	}
	if e.at.After(d.newest) {
		d.newest = e.at
	}
	d.evict()
}

func articleTime(a *newsdesk.Article) time.Time {
	if !a.PublishedAt.IsZero() {
		return a.PublishedAt
	}
	return a.FetchedAt
}

// evict drops entries older than the window, and beyond the size bound
// the oldest, by their time whatever order they came in. Caller holds mu.
func (d *Deduper) evict() {
	cutoff := d.newest.Add(-d.opt.Window)
	for {
		e, ok := d.aging.Oldest()
		if !ok || !e.gone && len(d.entries) <= d.opt.MaxEntries && !e.at.Before(cutoff) {
			return
		}
		d.aging.Pop()
		if !e.gone {
			delete(d.entries, e.id)
			d.unlink(e)
		}
	}
}

// unlink removes e from its buckets. Caller holds mu.
func (d *Deduper) unlink(e *entry) {
	e.gone = true
	for b, k := range bandKeys(&e.sig) {
		if head := d.buckets.get(k); head == e {
			if e.next[b] == nil {
				d.buckets.delete(k)
			} else {
				d.buckets.set(k, e.next[b])
			}
		} else {
			for p := head; p != nil; p = p.next[b] {
				if p.next[b] == e {
					p.next[b] = e.next[b]
					break
				}
			}
		}
		e.next[b] = nil
	}
}

// Len is the number of articles in the index.
func (d *Deduper) Len() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return len(d.entries)
}

// Warm loads the published articles since a time from the store into the
// index, oldest first, a page at a time.
func (d *Deduper) Warm(ctx context.Context, store newsdesk.ArticleStore, since time.Time) error {
	const page = 500
	n := 0
	for off := 0; ; off += page {
		as, _, err := store.Articles(ctx, newsdesk.ArticleFilter{Since: &since, Oldest: true, Offset: off, Limit: page})
		if err != nil {
			return fmt.Errorf("warm dedup index since %s: %w", since.Format(time.RFC3339), err)
		}
		for _, a := range as {
			d.add(a)
		}
		n += len(as)
		if len(as) < page {
			break
		}
	}
	d.log.Info("dedup index warmed", "articles", n, "indexed", d.Len())
	return nil
}
