package recommend

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// clicksPath is the Globo.com click log, outside the repository.
var clicksPath = filepath.Join("..", "..", "shared", "data", "globo-clicks", "clicks.dev.csv")

// readClicksFile returns the header and the first n clicks of the log (all
// when n <= 0), skipping the test when the data is absent.
func readClicksFile(t *testing.T, n int) []byte {
	t.Helper()
	data, err := os.ReadFile(clicksPath)
	if err != nil {
		t.Skipf("Globo data not present: %v", err)
	}
	if n <= 0 {
		return data
	}
	end := 0
	for i := 0; i <= n && end < len(data); i++ { // the header and n rows
		j := bytes.IndexByte(data[end:], '\n')
		if j < 0 {
			end = len(data)
			break
		}
		end += j + 1
	}
	return data[:end]
}

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

func beatsBaselines(t *testing.T, data []byte) {
	t.Helper()
	hr, mrr := metrics(t, data, "")
	phr, pmrr := metrics(t, data, "popular")
	khr, kmrr := metrics(t, data, "itemknn")
	if hr <= phr || hr <= khr || mrr <= pmrr || mrr <= kmrr {
		t.Errorf("newsdesk HR %.4f MRR %.4f does not beat popular (%.4f, %.4f) and itemknn (%.4f, %.4f)", hr, mrr, phr, pmrr, khr, kmrr)
	}
}

// TestEvalClicksSlice replays the first rows of the log (the first hours
// of the period, in file order), enough for the comparison to hold.
func TestEvalClicksSlice(t *testing.T) {
	beatsBaselines(t, readClicksFile(t, evalSliceRows))
}

// evalSliceRows is the size of the replay run with every test.
const evalSliceRows = 10000

// TestEvalClicks replays the whole log (154k clicks, about a minute); it
// runs only with NEWSDESK_EVAL=1.
func TestEvalClicks(t *testing.T) {
	if os.Getenv("NEWSDESK_EVAL") != "1" {
		t.Skip("the full click replay runs with NEWSDESK_EVAL=1")
	}
	if testing.Short() {
		t.Skip("replays 154k clicks")
	}
	beatsBaselines(t, readClicksFile(t, 0))
}
