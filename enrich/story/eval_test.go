package story

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
)

func uciPath() string {
	return filepath.Join("..", "..", "..", "shared", "data", "uci-news-aggregator-sample", "news_aggregator.dev.tsv")
}

func TestEvalUCI(t *testing.T) {
	f, err := os.Open(uciPath())
	if err != nil {
		t.Skipf("UCI data not present: %v", err)
	}
	defer f.Close()
	var out, score bytes.Buffer
	if err := EvalUCI(f, &out, &score); err != nil {
		t.Fatal(err)
	}
	t.Logf("\n%s", score.String())
	if n := strings.Count(out.String(), "\n"); n != 3318 {
		t.Errorf("rows written = %d, want 3318", n)
	}
	var f1 float64
	for _, l := range strings.Split(score.String(), "\n") {
		if v, ok := strings.CutPrefix(l, "bcubed_f1\t"); ok {
			fmt.Sscanf(v, "%g", &f1)
		}
	}
	if f1 < 0.80 {
		t.Errorf("B-cubed F1 %.4f, want ≥ 0.80", f1)
	}
}

// TestEvalUCIJitteredTime replays the dev file with every timestamp moved
// by up to three hours either way. The file's TIMESTAMP is the crawler's
// fetch time, and the crawler fetched one story at a time, so rows of a
// story come in a burst of seconds and the order alone gives the gold
// stories away. Jittered, the stories overlap in time as reports do in a
// real feed; the clusterer must not live on the bursts, so its score must
// stay close. STORY_JITTER_HOURS sets another spread.
func TestEvalUCIJitteredTime(t *testing.T) {
	data, err := os.ReadFile(uciPath())
	if err != nil {
		t.Skipf("UCI data not present: %v", err)
	}
	spread := int64(3 * 3600 * 1000)
	if h := os.Getenv("STORY_JITTER_HOURS"); h != "" {
		n, _ := strconv.Atoi(h)
		spread = int64(n) * 3600 * 1000
	}
	rng := rand.New(rand.NewPCG(7, 11))
	var jittered strings.Builder
	for i, l := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		c := strings.Split(l, "\t")
		if i > 0 {
			ms, err := strconv.ParseInt(c[7], 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			c[7] = strconv.FormatInt(ms+rng.Int64N(2*spread)-spread, 10)
		}
		jittered.WriteString(strings.Join(c, "\t") + "\n")
	}
	f1 := func(data string) float64 {
		var out, score bytes.Buffer
		if err := EvalUCI(strings.NewReader(data), &out, &score); err != nil {
			t.Fatal(err)
		}
		var f float64
		for _, l := range strings.Split(score.String(), "\n") {
			if v, ok := strings.CutPrefix(l, "bcubed_f1\t"); ok {
				fmt.Sscanf(v, "%g", &f)
			}
		}
		return f
	}
	exact, moved := f1(string(data)), f1(jittered.String())
	t.Logf("B-cubed F1 %.4f with the crawl times, %.4f with times moved up to three hours", exact, moved)
	if moved < exact-0.05 {
		t.Errorf("B-cubed F1 falls from %.4f to %.4f when times move up to three hours", exact, moved)
	}
}

// TestTune replays the dev file with the weights changed as STORY_TUNE
// says, e.g. STORY_TUNE="threshold=0.1,0.15 name=1.5": every combination.
func TestTune(t *testing.T) {
	spec := os.Getenv("STORY_TUNE")
	if spec == "" {
		t.Skip("set STORY_TUNE to sweep the weights")
	}
	data, err := os.ReadFile(uciPath())
	if err != nil {
		t.Skip(err)
	}
	combos := []params{defaultParams()}
	var names []string
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
	for _, p := range combos {
		var out, score bytes.Buffer
		if err := evalUCI(bytes.NewReader(data), &out, &score, Options{}, p); err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		for _, n := range names {
			fmt.Fprintf(&b, "%s=%g ", n, getParam(&p, n))
		}
		rows, _ := readUCI(bytes.NewReader(data))
		sort.SliceStable(rows, func(i, j int) bool { return rows[i].at.Before(rows[j].at) })
		t.Logf("%s: %s forced %s", b.String(), strings.ReplaceAll(strings.ReplaceAll(score.String(), "\n", " "), "\t", "="), teacherForced(rows, p))
	}
}

func paramRef(p *params, name string) *float64 {
	switch name {
	case "threshold":
		return &p.threshold
	case "slug":
		return &p.slug
	case "name":
		return &p.name
	case "number":
		return &p.number
	case "body":
		return &p.fieldWeight[fieldBody]
	case "entity":
		return &p.fieldWeight[fieldEntity]
	case "mix":
		return &p.mixCentroid
	case "halflife":
		return &p.halfLife
	case "place":
		return &p.place
	case "figure":
		return &p.figure
	case "support":
		return &p.support
	case "crosssupport":
		return &p.crossSupport
	case "act":
		return &p.activity
	case "acthl":
		return &p.activityHalfLife
	case "slugwords":
		return &p.slugWords
	case "bodyth":
		return &p.fieldThreshold[fieldBody]
	case "namedth":
		return &p.fieldThreshold[fieldEntity]
	}
	return nil
}

func setParam(p *params, name string, x float64) bool {
	if name == "knn" {
		p.knn = int(x)
		return true
	}
	r := paramRef(p, name)
	if r == nil {
		return false
	}
	*r = x
	return true
}

func getParam(p *params, name string) float64 {
	if name == "knn" {
		return float64(p.knn)
	}
	return *paramRef(p, name)
}

// TestErrorAnalysis prints, for the dev file, how the predicted stories
// split and merge the gold ones, with sample headlines. Set STORY_ANALYSE=1.
func TestErrorAnalysis(t *testing.T) {
	if os.Getenv("STORY_ANALYSE") == "" {
		t.Skip("set STORY_ANALYSE=1 to print the error analysis")
	}
	data, err := os.ReadFile(uciPath())
	if err != nil {
		t.Skip(err)
	}
	rows, err := readUCI(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	var out, score bytes.Buffer
	if err := evalUCI(bytes.NewReader(data), &out, &score, Options{}, defaultParams()); err != nil {
		t.Fatal(err)
	}
	pred := make(map[int64]string)
	for _, l := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		id, key, _ := strings.Cut(l, "\t")
		var n int64
		fmt.Sscan(id, &n)
		pred[n] = key
	}
	t.Log(analyse(rows, pred))
	t.Logf("\n%s", score.String())
}

// NewTuned is New with the weights changed as spec says, e.g.
// "support=0.8 namedth=0.5", for tests that sweep the weights.
func NewTuned(opt Options, spec string) (*Clusterer, error) {
	p := defaultParams()
	for _, f := range strings.Fields(spec) {
		name, val, _ := strings.Cut(f, "=")
		var x float64
		if _, err := fmt.Sscan(val, &x); err != nil {
			return nil, fmt.Errorf("weight %q: %w", f, err)
		}
		if !setParam(&p, name, x) {
			return nil, fmt.Errorf("unknown weight %q", name)
		}
	}
	return newClusterer(opt, p), nil
}
