package parse

import (
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"

	"newsdesk"
)

// checkInvariants holds for every feed Feed returns: text is valid UTF-8,
// links are empty or absolute http(s), dates are UTC.
func checkInvariants(t testing.TB, f *newsdesk.Feed) {
	t.Helper()
	link := func(what, u string) {
		if u == "" {
			return
		}
		p, err := url.Parse(u)
		if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
			t.Errorf("%s %q is not an absolute http(s) URL", what, u)
		}
	}
	text := func(what, s string) {
		if !utf8.ValidString(s) {
			t.Errorf("%s %q is not valid UTF-8", what, s)
		}
	}
	link("feed link", f.Link)
	link("feed url", f.FeedURL)
	link("hub url", f.HubURL)
	text("feed title", f.Title)
	if f.Bozo != (f.BozoReason != "") {
		t.Errorf("Bozo %v with reason %q", f.Bozo, f.BozoReason)
	}
	if len(f.Items) > maxItems {
		t.Errorf("%d items, more than %d", len(f.Items), maxItems)
	}
	for _, it := range f.Items {
		text("item title", it.Title)
		text("item author", it.Author)
		text("item summary", it.Summary)
		text("item content", it.Content)
		if strings.TrimSpace(it.Title) != it.Title {
			t.Errorf("title %q not trimmed", it.Title)
		}
		link("item link", it.Link)
		link("item image", it.ImageURL)
		for _, e := range it.Enclosures {
			link("enclosure", e.URL)
		}
		for _, tm := range []struct {
			what string
			loc  string
			zero bool
		}{{"published", it.Published.Location().String(), it.Published.IsZero()}, {"updated", it.Updated.Location().String(), it.Updated.IsZero()}} {
			if !tm.zero && tm.loc != "UTC" {
				t.Errorf("%s in %s, want UTC", tm.what, tm.loc)
			}
		}
	}
}
