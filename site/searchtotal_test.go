package site

import (
	"context"
	"strings"
	"testing"

	"newsdesk"
)

// searchFunc is a SearchIndex seam for tests.
type searchFunc func(ctx context.Context, q newsdesk.SearchQuery) (*newsdesk.SearchResult, error)

func (f searchFunc) IndexArticles(context.Context, []newsdesk.SearchDoc) error { return nil }
func (f searchFunc) Search(ctx context.Context, q newsdesk.SearchQuery) (*newsdesk.SearchResult, error) {
	return f(ctx, q)
}

// The search page asks for a total no larger than its pages reach (plus
// one, to know there are more), words a count that is a lower bound as
// such, and links no page beyond it.
func TestSearchCappedTotal(t *testing.T) {
	f := newFixture(t, 0)
	var total int
	var capped bool
	var asked newsdesk.SearchQuery
	f.h.search = searchFunc(func(_ context.Context, q newsdesk.SearchQuery) (*newsdesk.SearchResult, error) {
		asked = q
		return &newsdesk.SearchResult{Hits: []newsdesk.SearchHit{{Article: f.seed}}, Total: total, TotalCapped: capped}, nil
	})
	for _, c := range []struct {
		total  int
		capped bool
		page   string
		want   string
		pages  int
		next   bool
	}{
		{1, false, "1", "1 result", 1, false},
		{37, false, "1", "37 results", 4, true},
		{500, false, "50", "500 results", 50, false},
		{501, false, "1", "500+ results", 50, true},
		{501, true, "49", "500+ results", 50, true},
		{501, true, "50", "500+ results", 50, false},
		{501, true, "51", "500+ results", 50, false}, // the last page is shown
		{120, true, "12", "120+ results", 12, false},
		{120, true, "11", "120+ results", 12, true},
	} {
		total, capped = c.total, c.capped
		f.h.Invalidate()
		d := doc(t, f.get("/search?q=iraq&page="+c.page))
		if asked.MaxTotal != searchMaxShown+1 || asked.NoTotal {
			t.Errorf("asked for MaxTotal %d, NoTotal %v", asked.MaxTotal, asked.NoTotal)
		}
		p, err := f.h.searchData(context.Background(), map[string][]string{"q": {"iraq"}, "page": {c.page}})
		must(t, err)
		if p.Results != c.want || p.Pager.Pages != c.pages || (p.Pager.Next != "") != c.next {
			t.Errorf("total %d (capped %v), page %s: %q, %d pages, next %q; want %q, %d pages, next %v",
				c.total, c.capped, c.page, p.Results, p.Pager.Pages, p.Pager.Next, c.want, c.pages, c.next)
		}
		if h := d.Find("#results-heading").Text(); !strings.HasPrefix(h, c.want+" for") {
			t.Errorf("total %d (capped %v), page %s: heading %q, want %q first", c.total, c.capped, c.page, h, c.want)
		}
		if next := d.Find("nav.pager a[rel=next]").Length() == 1; next != c.next {
			t.Errorf("total %d (capped %v), page %s: next link %v", c.total, c.capped, c.page, next)
		}
	}
}
