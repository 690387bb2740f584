package postgres

import (
	"slices"
	"testing"
)

// TestChangePayload: a scoped payload reads back as the change it was
// made from; one too long for a notification, or one that cannot be read
// in full, is unscoped; a store knows its own.
func TestChangePayload(t *testing.T) {
	db := &DB{origin: "self"}
	for _, tc := range []struct {
		articles, stories []int64
	}{
		{[]int64{1, 22, 333}, []int64{7}},
		{[]int64{5}, nil},
		{nil, nil},
	} {
		p := db.scopedPayload("articles", tc.articles, tc.stories)
		c, own := parseChange(p, "other")
		if own || c.What != "articles" || !c.Scoped || !slices.Equal(c.Articles, tc.articles) || !slices.Equal(c.Stories, tc.stories) {
			t.Errorf("payload %q read as %+v (own %v), want articles %v stories %v", p, c, own, tc.articles, tc.stories)
		}
		if _, own := parseChange(p, "self"); !own {
			t.Errorf("payload %q not taken for the store's own", p)
		}
	}

	many := make([]int64, 2000)
	for i := range many {
		many[i] = int64(1_000_000 + i)
	}
	p := db.scopedPayload("articles", many, []int64{1})
	if len(p) > maxPayload {
		t.Errorf("payload of %d bytes, over %d", len(p), maxPayload)
	}
	if c, _ := parseChange(p, "other"); c.Scoped || c.What != "articles" {
		t.Errorf("a batch too large to name read as %+v, want unscoped articles", c)
	}

	for _, p := range []string{"picks self", "articles other a=1,x", "articles other q=1", "articles other a=", "articles", ""} {
		if c, _ := parseChange(p, "self"); c.Scoped {
			t.Errorf("payload %q read as scoped: %+v", p, c)
		}
	}
}
