package story

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"sort"
	"strings"
	"testing"

	"newsdesk"
)

// TestTrace replays the dev file (STORY_TRACE=all, A, B; with ~ for times
// moved; weights as STORY_TRACE_TUNE says) and prints every decision that
// went against the gold stories: the row, the candidates with the gold
// story most of each one holds. STORY_TRACE_ORACLE=first opens a story for
// the first row of every gold story, =nosplit joins the best candidate
// whenever the row's gold story was seen: what the online decision loses
// on either side.
func TestTrace(t *testing.T) {
	which := os.Getenv("STORY_TRACE")
	if which == "" {
		t.Skip("set STORY_TRACE")
	}
	rows := traceRows(t, which)
	ctx := context.Background()
	c, err := NewTuned(Options{}, os.Getenv("STORY_TRACE_TUNE"))
	if err != nil {
		t.Fatal(err)
	}
	var next int64
	members := map[int64]map[string]int{}
	major := func(id int64) string {
		best, n := "", 0
		for g, k := range members[id] {
			if k > n || k == n && g < best {
				best, n = g, k
			}
		}
		return best
	}
	goldSeen := map[string]bool{}
	var b bytes.Buffer
	t0 := rows[0].at
	for _, r := range rows {
		a := &newsdesk.Article{Headline: r.title, URL: r.url, PublishedAt: r.at, Status: newsdesk.StatusPublished}
		cands := c.decide(articleVector(a, c.p), "", r.at)
		if len(cands) > 0 && cands[0].Score >= c.p.threshold {
			a.StoryID = cands[0].StoryID
		}
		if os.Getenv("STORY_TRACE_ORACLE") == "first" && !goldSeen[r.gold] {
			a.StoryID = 0
		}
		if os.Getenv("STORY_TRACE_ORACLE") == "nosplit" && goldSeen[r.gold] && a.StoryID == 0 && len(cands) > 0 {
			a.StoryID = cands[0].StoryID
		}
		wrong := ""
		switch {
		case a.StoryID == 0 && goldSeen[r.gold]:
			wrong = "SPLIT"
		case a.StoryID != 0 && major(a.StoryID) != r.gold:
			wrong = "MERGE"
		}
		if a.StoryID == 0 {
			next++
			a.StoryID = next
		}
		if wrong != "" {
			fmt.Fprintf(&b, "%s %6.2fh %.6s→%-4d %q\n", wrong, r.at.Sub(t0).Hours(), r.gold, a.StoryID, r.title)
			for i, cd := range cands {
				if i == 4 {
					break
				}
				fmt.Fprintf(&b, "      %.3f %-4d %.6s t%.1f b%.1f %v\n", cd.Score, cd.StoryID, major(cd.StoryID), cd.Title, cd.Body, cd.Shared)
			}
		}
		goldSeen[r.gold] = true
		if members[a.StoryID] == nil {
			members[a.StoryID] = map[string]int{}
		}
		members[a.StoryID][r.gold]++
		a.ID = r.id
		c.Stored(ctx, []*newsdesk.Article{a})
	}
	var pred []int64
	var gold []string
	for id, m := range members {
		for g, n := range m {
			for i := 0; i < n; i++ {
				pred = append(pred, id)
				gold = append(gold, g)
			}
		}
	}
	p, r, f1 := BCubed(pred, gold)
	t.Logf("P %.4f R %.4f F1 %.4f", p, r, f1)
	if os.Getenv("STORY_TRACE_QUIET") == "" {
		t.Logf("\n%s", b.String())
	}
}

// traceRows reads the rows a trace replays, in time order: the whole dev
// file (all) or one half (A, B), with times moved by up to 3 hours when
// which ends in ~.
func traceRows(t *testing.T, which string) []uciRow {
	t.Helper()
	h := map[string]int{"all": -1, "A": 0, "B": 1}[strings.TrimSuffix(which, "~")]
	var j int64
	if strings.HasSuffix(which, "~") {
		j = 3
	}
	rows, err := readUCI(strings.NewReader(uciSplit(t, h, j)))
	if err != nil {
		t.Fatal(err)
	}
	sort.SliceStable(rows, func(i, j int) bool { return rows[i].at.Before(rows[j].at) })
	return rows
}
