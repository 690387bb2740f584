package site

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"newsdesk"
)

// countingObserver counts the views the read writer records.
type countingObserver struct{ events atomic.Int64 }

func (*countingObserver) CacheLookup(bool, bool) {}
func (o *countingObserver) ReaderEvent()         { o.events.Add(1) }

// fixedRecs recommends the same list to every reader.
func fixedRecs(arts ...*newsdesk.Article) recommendFunc {
	return func(context.Context, string, *newsdesk.Article, int) ([]newsdesk.Recommendation, error) {
		var out []newsdesk.Recommendation
		for _, a := range arts {
			out = append(out, newsdesk.Recommendation{Article: a, Reason: "Most read today"})
		}
		return out, nil
	}
}

func recommendedPaths(t *testing.T, w *httptest.ResponseRecorder) []string {
	t.Helper()
	var out []string
	for _, s := range doc(t, w).Find(".recommendations li > a").EachIter() {
		href, _ := s.Attr("href")
		out = append(out, href)
	}
	return out
}

// A personal page in gzip is the identity page byte for byte, both with
// the right Content-Length, whether it was made for the request or kept
// from an earlier one; HEAD sends the headers alone.
func TestPersonalPageEncodings(t *testing.T) {
	f := newFixture(t, 12)
	f.h.recommend = fixedRecs(f.fillers[:6]...)
	id := strings.Repeat("c3", 16)
	cookie := readerCookie + "=" + id
	for round := range 2 {
		plain := f.get(f.seed.Path(), "Cookie", cookie)
		zipped := f.get(f.seed.Path(), "Cookie", cookie, "Accept-Encoding", "gzip")
		if plain.Code != 200 || zipped.Code != 200 {
			t.Fatalf("round %d: status %d, %d", round, plain.Code, zipped.Code)
		}
		if !bytes.Contains(plain.Body.Bytes(), []byte(`class="recommendations"`)) {
			t.Fatalf("round %d: no personal block", round)
		}
		if got := plain.Header().Get("Content-Length"); got != strconv.Itoa(plain.Body.Len()) {
			t.Errorf("round %d: identity Content-Length %s, body %d bytes", round, got, plain.Body.Len())
		}
		if zipped.Header().Get("Content-Encoding") != "gzip" || zipped.Header().Get("Content-Length") != strconv.Itoa(zipped.Body.Len()) {
			t.Errorf("round %d: gzip headers %v, body %d bytes", round, zipped.Header(), zipped.Body.Len())
		}
		zr, err := gzip.NewReader(bytes.NewReader(zipped.Body.Bytes()))
		must(t, err)
		zr.Multistream(false)
		got, err := io.ReadAll(zr)
		must(t, err)
		if !bytes.Equal(got, plain.Body.Bytes()) {
			t.Fatalf("round %d: gzip page decodes to %d bytes unlike the %d-byte identity page", round, len(got), plain.Body.Len())
		}
		if zipped.Body.Len() >= plain.Body.Len()/2 {
			t.Errorf("round %d: gzip page %d bytes for %d", round, zipped.Body.Len(), plain.Body.Len())
		}
	}
	r := httptest.NewRequest("HEAD", f.seed.Path(), nil)
	r.Header.Set("Cookie", cookie)
	w := httptest.NewRecorder()
	f.mux.ServeHTTP(w, r)
	if w.Code != 200 || w.Body.Len() != 0 || w.Header().Get("Content-Length") == "" {
		t.Errorf("HEAD: status %d, %d body bytes, Content-Length %q", w.Code, w.Body.Len(), w.Header().Get("Content-Length"))
	}
}

// The kept personal block follows the reader: a report read is struck from
// the recommendations of the next pages, a reload shows the same block, and
// Invalidate (new articles) makes the list again.
func TestPersonalBlockFollowsReads(t *testing.T) {
	f := newFixture(t, 12)
	a, b, c := f.fillers[0], f.fillers[1], f.fillers[2]
	f.h.recommend = fixedRecs(a, b, c, f.fillers[3], f.fillers[4], f.fillers[5], f.fillers[6])
	cookie := readerCookie + "=" + strings.Repeat("d4", 16)
	has := func(paths []string, x *newsdesk.Article) bool {
		for _, p := range paths {
			if p == x.Path() {
				return true
			}
		}
		return false
	}
	first := recommendedPaths(t, f.get(f.seed.Path(), "Cookie", cookie))
	if len(first) != recommendLimit || !has(first, a) || has(first, f.seed) {
		t.Fatalf("seed page recommends %q", first)
	}
	if again := recommendedPaths(t, f.get(f.seed.Path(), "Cookie", cookie)); strings.Join(again, " ") != strings.Join(first, " ") {
		t.Errorf("reload recommends %q, then %q", first, again)
	}
	onA := recommendedPaths(t, f.get(a.Path(), "Cookie", cookie))
	if has(onA, a) || !has(onA, b) {
		t.Errorf("page of a recommends %q", onA)
	}
	onC := recommendedPaths(t, f.get(c.Path(), "Cookie", cookie))
	if has(onC, a) || has(onC, c) || !has(onC, b) {
		t.Errorf("page of c after reading a recommends %q", onC)
	}
	// Back on the seed page: a and c were read since.
	back := recommendedPaths(t, f.get(f.seed.Path(), "Cookie", cookie))
	if has(back, a) || has(back, c) || !has(back, b) {
		t.Errorf("seed page after reading a and c recommends %q", back)
	}
	f.h.recommend = fixedRecs(f.fillers[7], f.fillers[8])
	f.h.Invalidate()
	if got := recommendedPaths(t, f.get(f.seed.Path(), "Cookie", cookie)); len(got) != 2 || got[0] != f.fillers[7].Path() {
		t.Errorf("after Invalidate: %q", got)
	}
}

// A reader's repeat views of a report are written once per window; other
// reports, other readers and views after the window are written. Global
// Privacy Control still records nothing.
func TestRepeatViewsWrittenOnce(t *testing.T) {
	f := newFixture(t, 4)
	obs := &countingObserver{}
	f.h.reads.obs = obs
	now := testNow
	f.h.now = func() time.Time { return now }
	one, two := strings.Repeat("e5", 16), strings.Repeat("f6", 16)
	view := func(id string, a *newsdesk.Article, hdr ...string) {
		t.Helper()
		if w := f.get(a.Path(), append([]string{"Cookie", readerCookie + "=" + id}, hdr...)...); w.Code != 200 {
			t.Fatalf("status %d", w.Code)
		}
	}
	written := func(want int64) {
		t.Helper()
		if got := obs.events.Load(); got != want {
			t.Errorf("%d views written, want %d", got, want)
		}
	}
	for range 20 {
		view(one, f.seed)
	}
	written(1)
	view(one, f.afp)
	view(two, f.seed)
	view(two, f.seed, "Sec-GPC", "1")
	written(3)
	now = now.Add(viewWindow - time.Second)
	view(one, f.seed)
	written(3)
	now = now.Add(2 * viewWindow)
	view(one, f.seed)
	written(4)
	hist, err := f.db.ReadHistory(context.Background(), one, 10)
	must(t, err)
	if len(hist) != 2 || hist[0].ArticleID != f.seed.ID || !hist[0].At.Equal(now) {
		t.Errorf("history = %+v", hist)
	}

	// Erasing the history forgets the views: the next one is written.
	r := httptest.NewRequest("POST", "/privacy", strings.NewReader("action=erase"))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.Header.Set("Cookie", readerCookie+"="+one)
	r.Header.Set("Sec-Fetch-Site", "same-origin")
	w := httptest.NewRecorder()
	f.mux.ServeHTTP(w, r)
	if w.Code != http.StatusSeeOther {
		t.Fatalf("erase: %d", w.Code)
	}
	view(one, f.seed)
	written(5)
}

// recentViews stays within its bound however many readers come, and
// still knows the latest views.
func TestRecentViewsBounded(t *testing.T) {
	v := newRecentViews(time.Hour, 8)
	id := func(i int) string { return strings.Repeat("0", 24) + strconv.FormatInt(int64(0x10000000+i), 16) }
	for i := range 5000 {
		if !v.first(id(i), 1, testNow) {
			t.Fatalf("view %d not new", i)
		}
	}
	total := 0
	for i := range v.shards {
		total += len(v.shards[i].cur) + len(v.shards[i].prev)
	}
	if total > viewShards*2*8 {
		t.Errorf("%d views kept, bound %d", total, viewShards*2*8)
	}
	if v.first(id(4999), 1, testNow) {
		t.Error("latest view forgotten")
	}
	if !v.first("not a reader id", 1, testNow) || !v.first("not a reader id", 1, testNow) {
		t.Error("an invalid id is deduplicated")
	}
}

// TestPersonalPageAllocations guards the returning reader's path once the
// reader's recommendations and block are kept: no more than the router's
// own allocations. The view is recorded once (repeat views are not).
func TestPersonalPageAllocations(t *testing.T) {
	if testing.Short() {
		t.Skip("allocation count")
	}
	f := newFixture(t, 12)
	f.h.recommend = fixedRecs(f.fillers[:6]...)
	for _, enc := range []string{"", "gzip"} {
		r := httptest.NewRequest("GET", f.seed.Path(), nil)
		r.Header.Set("Cookie", readerCookie+"="+strings.Repeat("a7", 16))
		if enc != "" {
			r.Header.Set("Accept-Encoding", enc)
		}
		w := &discardWriter{h: http.Header{}}
		f.mux.ServeHTTP(w, r)
		f.h.reads.wait()
		if w.code != 200 || w.h.Get("Content-Length") == "" {
			t.Fatalf("status %d, headers %v", w.code, w.h)
		}
		allocs := testing.AllocsPerRun(200, func() {
			clear(w.h)
			f.mux.ServeHTTP(w, r)
		})
		t.Logf("returning reader, %q: %.0f allocs per request", enc, allocs)
		if allocs > 4 {
			t.Errorf("returning reader, %q: %.0f allocs per request, want at most 4", enc, allocs)
		}
	}
}

// nopReads is a reader store that keeps nothing, so that an allocation
// count of the first visit leaves the database writer out.
type nopReads struct{ newsdesk.ReaderStore }

func (nopReads) RecordRead(context.Context, newsdesk.ReadEvent) error { return nil }

// TestFirstVisitAllocations guards the first visit without a cookie: a
// reader id and its cookie made in one string, the view queued.
func TestFirstVisitAllocations(t *testing.T) {
	if testing.Short() {
		t.Skip("allocation count")
	}
	f := newFixture(t, 4)
	f.h.reads.close()
	f.h.reads = newReadQueue(nopReads{}, f.h.log, 1<<16)
	r := httptest.NewRequest("GET", f.seed.Path(), nil)
	w := &discardWriter{h: http.Header{}}
	f.mux.ServeHTTP(w, r)
	if w.code != 200 || !strings.HasPrefix(w.h.Get("Set-Cookie"), readerCookie+"=") {
		t.Fatalf("status %d, headers %v", w.code, w.h)
	}
	allocs := testing.AllocsPerRun(500, func() {
		clear(w.h)
		f.mux.ServeHTTP(w, r)
	})
	t.Logf("first visit: %.1f allocs per request", allocs)
	if allocs > 5 {
		t.Errorf("first visit: %.1f allocs per request, want at most 5", allocs)
	}
}
