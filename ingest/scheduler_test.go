package ingest_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"newsdesk"
	"newsdesk/ingest"
)

// Several workers each lease one due source at a time: every source is
// fetched exactly once per pass, and a pass ends when none is due.
func TestSchedulerFetchesEachDueSourceOnce(t *testing.T) {
	var mu sync.Mutex
	hits := map[string]int{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		hits[r.URL.Path]++
		mu.Unlock()
		time.Sleep(5 * time.Millisecond)
		w.Header().Set("Content-Type", "application/rss+xml")
		fmt.Fprintf(w, `<?xml version="1.0"?><rss version="2.0"><channel><title>%s</title>
<item><title>Report from %s</title><link>https://wire.example%s/1</link><guid>%s-1</guid><description>%s</description></item></channel></rss>`,
			r.URL.Path, r.URL.Path, r.URL.Path, r.URL.Path, strings.Repeat("Body text of the report. ", 40))
	}))
	t.Cleanup(srv.Close)
	c := &corpus{srv: srv}
	h := newHarness(t, c, false)
	ctx := context.Background()
	const n = 12
	for i := 0; i < n; i++ {
		if err := h.st.CreateSource(ctx, &newsdesk.Source{Name: fmt.Sprintf("Wire %d", i), Kind: newsdesk.SourceFeed,
			URL: fmt.Sprintf("%s/feed/%d.xml", srv.URL, i), Licence: newsdesk.LicenceFull}); err != nil {
			t.Fatal(err)
		}
	}
	h.p.Now = time.Now
	sched := &ingest.Scheduler{Pipeline: h.p, Sources: h.st, Owner: "test", Workers: 3}
	sum, err := sched.RunOnce(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Sources != n+1 || sum.Created != n+1 || sum.Failed != 0 {
		t.Errorf("pass: %+v, want %d sources and articles", sum, n+1)
	}
	for path, k := range hits {
		if k != 1 {
			t.Errorf("%s fetched %d times in one pass", path, k)
		}
	}
	// Nothing is due any more: a second pass fetches nothing.
	sum, err = sched.RunOnce(ctx, nil)
	if err != nil || sum.Sources != 0 {
		t.Errorf("second pass: %+v, %v", sum, err)
	}
}
