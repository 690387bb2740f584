package story

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"sort"
	"testing"

	"newsdesk"
)

// TestTeacherForced replays the dev file indexing every row under its gold
// story and counts how often the decision on arrival would have been
// right: the ceiling of the scoring itself, free of earlier mistakes.
// Set STORY_ORACLE=1.
func TestTeacherForced(t *testing.T) {
	if os.Getenv("STORY_ORACLE") == "" {
		t.Skip("set STORY_ORACLE=1")
	}
	data, err := os.ReadFile(uciPath())
	if err != nil {
		t.Skip(err)
	}
	rows, _ := readUCI(bytes.NewReader(data))
	sort.SliceStable(rows, func(i, j int) bool { return rows[i].at.Before(rows[j].at) })
	for _, tp := range []float64{0, 12} {
		p := defaultParams()
		p.halfLife = tp
		r := teacherForced(rows, p)
		t.Logf("half-life %gh: %s", tp, r)
		type kv struct {
			k [2]string
			n int
		}
		var all []kv
		for k, n := range r.confused {
			all = append(all, kv{k, n})
		}
		sort.Slice(all, func(i, j int) bool { return all[i].n > all[j].n })
		for _, x := range all[:min(25, len(all))] {
			t.Logf("   %4d  gold %.6s taken for %.6s", x.n, x.k[0], x.k[1])
		}
	}
}

type forced struct {
	Right, Wrong, Missed, NewRight, NewJoined, NotBest int
	F1                                                 float64           // B-cubed F1 of the decisions taken alone
	confused                                           map[[2]string]int // gold story, story chosen instead
}

func teacherForced(rows []uciRow, p params) forced {
	c := newClusterer(Options{}, p)
	ids := map[string]int64{}
	f := forced{confused: map[[2]string]int{}}
	names := map[int64]string{}
	var pred, gold []string
	for _, r := range rows {
		a := &newsdesk.Article{ID: r.id, Headline: r.title, URL: r.url, PublishedAt: r.at, Status: newsdesk.StatusPublished}
		cands := c.Decide(articleVector(a, c.p), r.at)
		gid, seen := ids[r.gold]
		var best int64
		if len(cands) > 0 && cands[0].Score >= c.p.threshold {
			best = cands[0].StoryID
		}
		switch {
		case !seen && best == 0:
			f.NewRight++
		case !seen:
			f.NewJoined++
		case best == gid:
			f.Right++
		case best == 0:
			f.Missed++
		default:
			f.Wrong++
		}
		if seen && (len(cands) == 0 || cands[0].StoryID != gid) {
			f.NotBest++
			if len(cands) > 0 {
				f.confused[[2]string{r.gold, names[cands[0].StoryID]}]++
			}
		}
		switch {
		case best != 0:
			pred = append(pred, names[best])
		default:
			pred = append(pred, fmt.Sprint("alone", r.id))
		}
		gold = append(gold, r.gold)
		if !seen {
			gid = int64(len(ids) + 1)
			ids[r.gold] = gid
			names[gid] = r.gold
		}
		a.StoryID = gid
		c.Stored(context.Background(), []*newsdesk.Article{a})
	}
	_, _, f.F1 = BCubed(pred, gold)
	return f
}

func (f forced) String() string {
	return fmt.Sprintf("F1 %.3f right %d wrong %d missed %d new %d/%d notbest %d", f.F1, f.Right, f.Wrong, f.Missed, f.NewRight, f.NewRight+f.NewJoined, f.NotBest)
}
