package story

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
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
	if f1 < 0.70 {
		t.Errorf("B-cubed F1 %.4f, want ≥ 0.70", f1)
	}
}

func TestTune(t *testing.T) {
	if os.Getenv("STORY_TUNE") == "" {
		t.Skip("set STORY_TUNE=1 to sweep the threshold")
	}
	data, err := os.ReadFile(uciPath())
	if err != nil {
		t.Skip(err)
	}
	for th := 0.04; th < 0.2; th += 0.03 {
		var out, score bytes.Buffer
		if err := evalUCI(bytes.NewReader(data), &out, &score, Options{Threshold: th}); err != nil {
			t.Fatal(err)
		}
		t.Logf("threshold %.3f: %s", th, strings.ReplaceAll(score.String(), "\n", " "))
	}
}
