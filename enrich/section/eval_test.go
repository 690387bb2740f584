package section

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"testing"
)

func reutersPath(t testing.TB) string {
	p := filepath.Join("..", "..", "..", "shared", "data", "reuters21578", "reuters21578.dev.jsonl")
	if _, err := os.Stat(p); err != nil {
		t.Skipf("Reuters-21578 dev file absent: %v", err)
	}
	return p
}

// TestEvalReutersFull runs the whole evaluation; it is slow, so only with
// NEWSDESK_EVAL=1. go test ./enrich/section -run EvalReutersFull -v
func TestEvalReutersFull(t *testing.T) {
	if os.Getenv("NEWSDESK_EVAL") == "" {
		t.Skip("set NEWSDESK_EVAL=1 to run the Reuters-21578 evaluation")
	}
	p := reutersPath(t)
	in, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	var dev io.Reader
	if os.Getenv("NEWSDESK_EVAL") == "learn" {
		f, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		dev = f
	}
	var score bytes.Buffer
	if err := EvalReuters(in, io.Discard, &score, dev); err != nil {
		t.Fatal(err)
	}
	t.Log("\n" + score.String())
}
