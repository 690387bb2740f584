package parse

import (
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// FuzzFeed checks that no input panics or runs long, and that every feed
// returned keeps the invariants: valid UTF-8 titles, absolute http(s) links.
func FuzzFeed(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.*")
	for _, file := range files {
		if ext := filepath.Ext(file); ext == ".golden" {
			continue
		}
		if b, err := os.ReadFile(file); err == nil {
			f.Add(b, "application/xml")
		}
	}
	f.Add([]byte("<rss><channel><item><title>a</title></item>"), "text/xml; charset=koi8-r")
	f.Add([]byte(`{"version":"https://jsonfeed.org/version/1","items":[{"id":1}]}`), "")
	base, _ := url.Parse("https://example.com/feed/")
	f.Fuzz(func(t *testing.T, body []byte, contentType string) {
		start := time.Now()
		feed, err := Feed(base, body, contentType)
		if d := time.Since(start); d > 2*time.Second {
			t.Fatalf("took %v on %d bytes", d, len(body))
		}
		if err != nil {
			if feed != nil {
				t.Fatal("feed and error both returned")
			}
			return
		}
		checkInvariants(t, feed)
		_ = DetectFormat(body)
		_ = DiscoverFeeds(base, body)
	})
}
