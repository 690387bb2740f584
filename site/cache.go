package site

import (
	"bytes"
	"compress/gzip"
	"container/list"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strconv"
	"sync"
	"time"

	"newsdesk/web"
)

// rendered is one cached response body with everything needed to serve it
// again without work: the bytes, a gzip-compressed copy and a strong ETag,
// with the header values prepared once.
type rendered struct {
	body   []byte
	gz     []byte // nil when compression does not pay
	etag   string
	status int

	etagHdr []string
	lenHdr  []string
	gzLen   []string
}

// gzipWriters keeps compressors between renders: a new one allocates
// some 800 KiB of state, four times the work of compressing a page.
var gzipWriters = sync.Pool{New: func() any {
	zw, _ := gzip.NewWriterLevel(nil, gzip.BestCompression)
	return zw
}}

func newRendered(status int, body []byte) *rendered {
	sum := sha256.Sum256(body)
	e := &rendered{body: body, status: status, etag: `"` + hex.EncodeToString(sum[:12]) + `"`}
	var buf bytes.Buffer
	buf.Grow(len(body) / 4)
	zw := gzipWriters.Get().(*gzip.Writer)
	zw.Reset(&buf)
	zw.Write(body)
	err := zw.Close()
	zw.Reset(nil)
	gzipWriters.Put(zw)
	if err == nil && buf.Len() < len(body) {
		e.gz = buf.Bytes()
		e.gzLen = []string{strconv.Itoa(len(e.gz))}
	}
	e.etagHdr = []string{e.etag}
	e.lenHdr = []string{strconv.Itoa(len(body))}
	return e
}

var (
	hdrHTML         = []string{"text/html; charset=utf-8"}
	hdrNoCache      = []string{"no-cache"}
	hdrPrivate      = []string{"private, no-cache"}
	hdrVaryEncoding = []string{"Accept-Encoding"}
	hdrVaryCookie   = []string{"Accept-Encoding, Cookie"}
	hdrGzip         = []string{"gzip"}
	hdrNosniff      = []string{"nosniff"}
)

// serve writes a cached response: 304 when the client holds it already,
// gzip when the client takes it. The header slices are shared and never
// modified, which keeps a cache hit free of allocations.
func (e *rendered) serve(w http.ResponseWriter, r *http.Request, contentType, cacheControl, vary []string) {
	h := w.Header()
	h["Content-Type"] = contentType
	h["Cache-Control"] = cacheControl
	h["Etag"] = e.etagHdr
	h["X-Content-Type-Options"] = hdrNosniff
	if e.gz != nil {
		h["Vary"] = vary
	}
	if e.status == http.StatusOK {
		if inm, ok := r.Header["If-None-Match"]; ok && len(inm) > 0 && web.ETagMatch(inm[0], e.etag) {
			w.WriteHeader(http.StatusNotModified)
			return
		}
	}
	body := e.body
	if e.gz != nil && web.AcceptsGzip(r) {
		h["Content-Encoding"] = hdrGzip
		h["Content-Length"] = e.gzLen
		body = e.gz
	} else {
		h["Content-Length"] = e.lenHdr
	}
	w.WriteHeader(e.status)
	if r.Method != http.MethodHead {
		w.Write(body)
	}
}

// lru is a bounded map that forgets the least recently used entry and every
// entry made before the last invalidation or older than its time to live.
// Entries may also be marked stale (soften, staleIf): getStale still
// returns them, flagged, so that a reader is served the page while it is
// rendered again behind it.
type lru[K comparable, V any] struct {
	mu    sync.Mutex
	max   int
	ttl   time.Duration
	gen   uint64 // bumped when entries are dropped
	soft  uint64 // bumped when entries are marked stale
	items map[K]*list.Element
	order *list.List // front: most recently used
}

type lruItem[K comparable, V any] struct {
	key  K
	val  V
	gen  uint64
	soft uint64 // the lru's soft when the value was read: older is stale
	made time.Time
}

// cacheGen is when a value was read, as the cache counts: a value is
// stored only if nothing was dropped since, and as stale if something was
// marked stale since.
type cacheGen struct{ hard, soft uint64 }

func newLRU[K comparable, V any](max int, ttl time.Duration) *lru[K, V] {
	return &lru[K, V]{max: max, ttl: ttl, items: make(map[K]*list.Element), order: list.New()}
}

// generation returns the current generation: a value rendered from data read
// after this call may be stored with put(…, gen).
func (c *lru[K, V]) generation() cacheGen {
	c.mu.Lock()
	defer c.mu.Unlock()
	return cacheGen{c.gen, c.soft}
}

func (c *lru[K, V]) get(key K, now time.Time) (V, bool) {
	v, _, stale, ok := c.lookup(key, now)
	return v, ok && !stale
}

// getAged is get with the value's age: for a cache whose time to live is
// how stale a value may be served.
func (c *lru[K, V]) getAged(key K, now time.Time) (V, time.Duration, bool) {
	v, age, stale, ok := c.lookup(key, now)
	return v, age, ok && !stale
}

// getStale is get that also returns a value marked stale, and says so.
func (c *lru[K, V]) getStale(key K, now time.Time) (v V, stale, ok bool) {
	v, _, stale, ok = c.lookup(key, now)
	return v, stale, ok
}

func (c *lru[K, V]) lookup(key K, now time.Time) (V, time.Duration, bool, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.items[key]
	if !ok {
		var zero V
		return zero, 0, false, false
	}
	it := el.Value.(*lruItem[K, V])
	age := now.Sub(it.made)
	if it.gen != c.gen || (c.ttl > 0 && age > c.ttl) {
		c.order.Remove(el)
		delete(c.items, key)
		var zero V
		return zero, 0, false, false
	}
	c.order.MoveToFront(el)
	return it.val, age, it.soft != c.soft, true
}

// put stores val unless the cache was invalidated since gen was read; as
// stale if entries were marked stale since.
func (c *lru[K, V]) put(key K, val V, gen cacheGen, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen.hard != c.gen {
		return
	}
	if el, ok := c.items[key]; ok {
		it := el.Value.(*lruItem[K, V])
		it.val, it.gen, it.soft, it.made = val, gen.hard, gen.soft, now
		c.order.MoveToFront(el)
		return
	}
	c.items[key] = c.order.PushFront(&lruItem[K, V]{key: key, val: val, gen: gen.hard, soft: gen.soft, made: now})
	for c.order.Len() > c.max {
		last := c.order.Back()
		c.order.Remove(last)
		delete(c.items, last.Value.(*lruItem[K, V]).key)
	}
}

// remove drops one entry.
func (c *lru[K, V]) remove(key K) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.items[key]; ok {
		c.order.Remove(el)
		delete(c.items, key)
	}
}

// invalidate drops every entry.
func (c *lru[K, V]) invalidate() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	clear(c.items)
	c.order.Init()
}

// soften marks every entry stale, and any value read before it that is
// stored after it.
func (c *lru[K, V]) soften() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.soft++
}

// staleIf marks stale the entries for which stale is true, and any value
// read before it that is stored after it; the others stay fresh. It
// returns how many it marked.
func (c *lru[K, V]) staleIf(stale func(K, V) bool) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.soft++
	n := 0
	for el := c.order.Front(); el != nil; el = el.Next() {
		it := el.Value.(*lruItem[K, V])
		switch {
		case it.soft != c.soft-1:
			// stale already
		case stale(it.key, it.val):
			n++
		default:
			it.soft = c.soft
		}
	}
	return n
}

func (c *lru[K, V]) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.order.Len()
}

// flight makes concurrent misses of one key render once: the first caller
// renders, the others wait for its result. After an Invalidate during
// heavy traffic, each page is rendered once, not once per reader.
type flight[K comparable, V any] struct {
	mu    sync.Mutex
	calls map[K]*flightCall[V]
}

type flightCall[V any] struct {
	done chan struct{}
	val  V
	err  error
}

func (f *flight[K, V]) do(key K, fn func() (V, error)) (V, error) {
	c, first := f.join(key)
	if !first {
		<-c.done
		return c.val, c.err
	}
	f.run(key, c, fn)
	return c.val, c.err
}

// background runs fn for key in a goroutine of its own, unless a call for
// key is in flight already; it does not wait. wg, when not nil, counts the
// goroutine.
func (f *flight[K, V]) background(key K, wg *sync.WaitGroup, fn func() (V, error)) {
	c, first := f.join(key)
	if !first {
		return
	}
	if wg != nil {
		wg.Add(1)
	}
	go func() {
		if wg != nil {
			defer wg.Done()
		}
		f.run(key, c, fn)
	}()
}

// join returns key's call in flight, and whether the caller made it (and
// must run it).
func (f *flight[K, V]) join(key K) (*flightCall[V], bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.calls == nil {
		f.calls = make(map[K]*flightCall[V])
	}
	if c, ok := f.calls[key]; ok {
		return c, false
	}
	c := &flightCall[V]{done: make(chan struct{})}
	f.calls[key] = c
	return c, true
}

func (f *flight[K, V]) run(key K, c *flightCall[V], fn func() (V, error)) {
	defer func() {
		f.mu.Lock()
		delete(f.calls, key)
		f.mu.Unlock()
		close(c.done)
	}()
	c.val, c.err = fn()
}

// keptValue returns key's value from c when it was computed at most fresh
// before at. An older one, up to c's time to live, is returned as well,
// while one refresh runs behind the request (counted by wg) so that the
// next reader has a new one; with none, compute runs, once for concurrent
// callers. A refresh gets ctx without its cancellation, bounded by
// refreshTimeout, and the time now() gives when it starts.
func keptValue[K comparable, V any](ctx context.Context, c *lru[K, V], f *flight[K, V], wg *sync.WaitGroup, key K,
	at time.Time, fresh time.Duration, now func() time.Time, compute func(ctx context.Context, at time.Time) (V, error)) (V, error) {
	run := func(ctx context.Context, at time.Time) (V, error) {
		gen := c.generation()
		v, err := compute(ctx, at)
		if err == nil {
			c.put(key, v, gen, at)
		}
		return v, err
	}
	if v, age, ok := c.getAged(key, at); ok {
		if age > fresh {
			f.background(key, wg, func() (V, error) {
				ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), refreshTimeout)
				defer cancel()
				return run(ctx, now())
			})
		}
		return v, nil
	}
	return f.do(key, func() (V, error) { return run(ctx, at) })
}

// refreshTimeout bounds a refresh of a kept value behind a request.
const refreshTimeout = 30 * time.Second
