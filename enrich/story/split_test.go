package story

import (
	"bytes"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"os"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// uciSplit returns the rows of the dev file whose story falls in half h (0
// or 1) by a hash of the story id, or all rows for h < 0, with the
// timestamps moved by up to jitter hours either way.
func uciSplit(t *testing.T, h int, jitter int64) string {
	return uciSplitSeed(t, h, jitter, 0)
}

func uciSplitSeed(t *testing.T, h int, jitter int64, seed uint64) string {
	t.Helper()
	data, err := os.ReadFile(uciPath())
	if err != nil {
		t.Skip(err)
	}
	rng := rand.New(rand.NewPCG(7+seed, 11))
	spread := jitter * 3600 * 1000
	var b strings.Builder
	for i, l := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		c := strings.Split(l, "\t")
		if i > 0 {
			if spread > 0 {
				ms, err := strconv.ParseInt(c[7], 10, 64)
				if err != nil {
					t.Fatal(err)
				}
				c[7] = strconv.FormatInt(ms+rng.Int64N(2*spread)-spread, 10)
			}
			if h >= 0 {
				f := fnv.New32a()
				f.Write([]byte(c[5] + strconv.FormatUint(seed, 10)))
				if int((f.Sum32()>>(13*seed))%2) != h {
					continue
				}
			}
		}
		b.WriteString(strings.Join(c, "\t") + "\n")
	}
	return b.String()
}

func scoreLine(score string, key string) float64 {
	var f float64
	for _, l := range strings.Split(score, "\n") {
		if v, ok := strings.CutPrefix(l, key+"\t"); ok {
			fmt.Sscanf(v, "%g", &f)
		}
	}
	return f
}

// TestSplit replays the dev file whole and in two halves split by a hash
// of the story id, with the crawl times and with times moved up to three
// hours, for every combination of weights STORY_SPLIT gives (as
// STORY_TUNE), or the defaults for STORY_SPLIT=default.
func TestSplit(t *testing.T) {
	spec := os.Getenv("STORY_SPLIT")
	if spec == "" {
		t.Skip("set STORY_SPLIT")
	}
	type set struct {
		name string
		data string
	}
	var sets []set
	for _, j := range []int64{0, 3} {
		for _, h := range []int{-1, 0, 1} {
			name := map[int]string{-1: "all", 0: "A", 1: "B"}[h]
			if j > 0 {
				name += "~"
			}
			sets = append(sets, set{name, uciSplit(t, h, j)})
		}
	}
	if os.Getenv("STORY_SPLIT_MORE") != "" {
		for seed := uint64(1); seed <= 2; seed++ {
			for _, j := range []int64{0, 3} {
				for _, h := range []int{0, 1} {
					name := fmt.Sprintf("%s%d", map[int]string{0: "A", 1: "B"}[h], seed)
					if j > 0 {
						name += "~"
					}
					sets = append(sets, set{name, uciSplitSeed(t, h, j, seed)})
				}
			}
		}
	}
	combos := []params{defaultParams()}
	var names []string
	if spec != "default" {
		for _, f := range strings.Fields(spec) {
			name, vals, _ := strings.Cut(f, "=")
			names = append(names, name)
			var next []params
			for _, p := range combos {
				for _, v := range strings.Split(vals, ",") {
					var x float64
					fmt.Sscan(v, &x)
					q := p
					if !setParam(&q, name, x) {
						t.Fatalf("unknown weight %q", name)
					}
					next = append(next, q)
				}
			}
			combos = next
		}
	}
	for _, p := range combos {
		var b strings.Builder
		for _, n := range names {
			fmt.Fprintf(&b, "%s=%g ", n, getParam(&p, n))
		}
		var sum float64
		for _, s := range sets {
			var out, score bytes.Buffer
			if err := evalUCI(strings.NewReader(s.data), &out, &score, Options{}, p); err != nil {
				t.Fatal(err)
			}
			f1 := scoreLine(score.String(), "bcubed_f1")
			sum += f1
			fmt.Fprintf(&b, " %s %.4f", s.name, f1)
			if s.name == "all" {
				fmt.Fprintf(&b, " (P %.3f R %.3f n %g)", scoreLine(score.String(), "bcubed_precision"), scoreLine(score.String(), "bcubed_recall"), scoreLine(score.String(), "stories_predicted"))
			}
		}
		fmt.Fprintf(&b, "  mean %.4f", sum/float64(len(sets)))
		for _, s := range []set{sets[0], sets[3]} {
			rows, _ := readUCI(strings.NewReader(s.data))
			sort.SliceStable(rows, func(i, j int) bool { return rows[i].at.Before(rows[j].at) })
			fmt.Fprintf(&b, " forced %.4f", teacherForced(rows, p).F1)
		}
		t.Log(b.String())
	}
}
