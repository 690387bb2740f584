package recommend

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func metrics(t *testing.T, data []byte, baseline string) (hr, mrr float64) {
	t.Helper()
	var out, score bytes.Buffer
	if err := EvalClicks(bytes.NewReader(data), &out, &score, baseline); err != nil {
		t.Fatal(err)
	}
	t.Logf("%s", strings.ReplaceAll(score.String(), "\n", " "))
	for _, l := range strings.Split(score.String(), "\n") {
		if v, ok := strings.CutPrefix(l, "hr@10\t"); ok {
			fmt.Sscanf(v, "%g", &hr)
		}
		if v, ok := strings.CutPrefix(l, "mrr@10\t"); ok {
			fmt.Sscanf(v, "%g", &mrr)
		}
	}
	return hr, mrr
}

func TestEvalClicks(t *testing.T) {
	if testing.Short() {
		t.Skip("replays 154k clicks")
	}
	data, err := os.ReadFile(filepath.Join("..", "..", "shared", "data", "globo-clicks", "clicks.dev.csv"))
	if err != nil {
		t.Skipf("Globo data not present: %v", err)
	}
	hr, mrr := metrics(t, data, "")
	phr, pmrr := metrics(t, data, "popular")
	khr, kmrr := metrics(t, data, "itemknn")
	if hr <= phr || hr <= khr || mrr <= pmrr || mrr <= kmrr {
		t.Errorf("newsdesk HR %.4f MRR %.4f does not beat popular (%.4f, %.4f) and itemknn (%.4f, %.4f)", hr, mrr, phr, pmrr, khr, kmrr)
	}
}
