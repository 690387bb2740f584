package story

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"

	"newsdesk"
)

// TestForcedTrace prints the decisions of a teacher-forced replay (every
// row indexed under its gold story) that went wrong, with the score of the
// right story. STORY_FORCED=all, A, B (~ for times moved).
func TestForcedTrace(t *testing.T) {
	which := os.Getenv("STORY_FORCED")
	if which == "" {
		t.Skip("set STORY_FORCED")
	}
	rows := traceRows(t, which)
	c, err := NewTuned(Options{}, os.Getenv("STORY_TRACE_TUNE"))
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]int64{}
	names := map[int64]string{}
	var b strings.Builder
	t0 := rows[0].at
	for _, r := range rows {
		a := &newsdesk.Article{ID: r.id, Headline: r.title, URL: r.url, PublishedAt: r.at, Status: newsdesk.StatusPublished}
		cands := c.Decide(articleVector(a, c.p), r.at)
		gid, seen := ids[r.gold]
		var best int64
		if len(cands) > 0 && cands[0].Score >= c.p.threshold {
			best = cands[0].StoryID
		}
		kind := ""
		switch {
		case !seen && best != 0:
			kind = "NEWJOIN"
		case seen && best == 0:
			kind = "MISSED"
		case seen && best != gid:
			kind = "WRONG"
		}
		if kind != "" {
			fmt.Fprintf(&b, "%-7s %6.2fh %.6s %q\n", kind, r.at.Sub(t0).Hours(), r.gold, r.title)
			for i, cd := range cands {
				if i >= 3 && cd.StoryID != gid {
					continue
				}
				fmt.Fprintf(&b, "      %.3f %.6s t%.1f %v\n", cd.Score, names[cd.StoryID], cd.Title, cd.Shared)
			}
		}
		if !seen {
			gid = int64(len(ids) + 1)
			ids[r.gold] = gid
			names[gid] = r.gold
		}
		a.StoryID = gid
		c.Stored(context.Background(), []*newsdesk.Article{a})
	}
	t.Logf("\n%s", b.String())
}
