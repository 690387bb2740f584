package dedup

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestEvalMSRP(t *testing.T) {
	path := filepath.Join("..", "..", "..", "shared", "data", "msrp", "msr_paraphrase.dev.tsv")
	f, err := os.Open(path)
	if err != nil {
		t.Skipf("MSRP data not present: %v", err)
	}
	defer f.Close()
	var out, score bytes.Buffer
	if err := EvalMSRP(f, &out, &score); err != nil {
		t.Fatal(err)
	}
	t.Logf("\n%s", score.String())
	if n := strings.Count(out.String(), "\n"); n != 4080 {
		t.Errorf("pairs written = %d, want 4080", n)
	}
	var auc float64
	for _, l := range strings.Split(score.String(), "\n") {
		if v, ok := strings.CutPrefix(l, "roc_auc\t"); ok {
			auc = parseF(t, v)
		}
	}
	if auc < 0.68 {
		t.Errorf("ROC-AUC %.4f, want ≥ 0.68", auc)
	}
}

func parseF(t *testing.T, s string) float64 {
	t.Helper()
	var v float64
	if _, err := fmt.Sscanf(s, "%g", &v); err != nil {
		t.Fatalf("parse %q: %v", s, err)
	}
	return v
}
