package story

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"

	"newsdesk"
)

// EvalUCI replays the UCI News Aggregator TSV (ID TITLE URL PUBLISHER
// CATEGORY STORY HOSTNAME TIMESTAMP) in TIMESTAMP order through a
// Clusterer with default options, exactly as ingest would: Enrich decides
// on arrival, a row left without a story opens a new one, and Stored then
// indexes it. Only the title, the URL (its slug words) and the timestamp
// are read when deciding; STORY and CATEGORY are gold labels, used only
// for scoring. It writes "ID\tSTORY_KEY" per row to w and B-cubed
// precision/recall/F1 and the adjusted Rand index to scoreTo.
//
// Beware the file's TIMESTAMP: it is the aggregator's fetch time, and the
// aggregator fetched one story at a time, so each gold story is one burst of
// rows a fraction of a second apart and consecutive rows change story only
// after a gap of minutes. Any rule keyed to seconds between rows would score
// near perfectly here and mean nothing on a real feed;
// TestEvalUCIJitteredTime replays the file with times moved by hours to
// keep the clusterer honest.
func EvalUCI(r io.Reader, w io.Writer, scoreTo io.Writer) error {
	return evalUCI(r, w, scoreTo, Options{}, defaultParams())
}

type uciRow struct {
	id    int64
	title string
	url   string
	gold  string
	at    time.Time
}

func evalUCI(r io.Reader, w io.Writer, scoreTo io.Writer, opt Options, p params) error {
	rows, err := readUCI(r)
	if err != nil {
		return err
	}
	sort.SliceStable(rows, func(i, j int) bool { return rows[i].at.Before(rows[j].at) })
	ctx := context.Background()
	c := newClusterer(opt, p)
	var nextStory int64
	pred := make([]int64, len(rows))
	gold := make([]string, len(rows))
	bw := bufio.NewWriter(w)
	for i, row := range rows {
		a := &newsdesk.Article{
			Headline:    row.title,
			URL:         row.url,
			PublishedAt: row.at,
			Status:      newsdesk.StatusPublished,
		}
		if err := c.Enrich(ctx, a, nil); err != nil {
			return fmt.Errorf("eval uci: row %d: %w", row.id, err)
		}
		if a.StoryID == 0 {
			nextStory++
			a.StoryID = nextStory
		}
		a.ID = row.id
		c.Stored(ctx, []*newsdesk.Article{a})
		pred[i], gold[i] = a.StoryID, row.gold
		fmt.Fprintf(bw, "%d\t%d\n", row.id, a.StoryID)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("eval uci: write: %w", err)
	}
	prec, rec, f1 := BCubed(pred, gold)
	fmt.Fprintf(scoreTo, "rows\t%d\n", len(rows))
	fmt.Fprintf(scoreTo, "stories_gold\t%d\n", distinct(gold))
	fmt.Fprintf(scoreTo, "stories_predicted\t%d\n", distinct(pred))
	fmt.Fprintf(scoreTo, "bcubed_precision\t%.4f\n", prec)
	fmt.Fprintf(scoreTo, "bcubed_recall\t%.4f\n", rec)
	fmt.Fprintf(scoreTo, "bcubed_f1\t%.4f\n", f1)
	fmt.Fprintf(scoreTo, "ari\t%.4f\n", ARI(pred, gold))
	return nil
}

func readUCI(r io.Reader) ([]uciRow, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	var rows []uciRow
	for n := 1; sc.Scan(); n++ {
		c := strings.Split(sc.Text(), "\t")
		if n == 1 && len(c) > 0 && c[0] == "ID" {
			continue
		}
		if len(c) < 8 {
			return nil, fmt.Errorf("eval uci: line %d: want 8 columns, got %d", n, len(c))
		}
		id, err := strconv.ParseInt(c[0], 10, 64)
		if err != nil {
			return nil, fmt.Errorf("eval uci: line %d: id %q: %w", n, c[0], err)
		}
		ms, err := strconv.ParseInt(c[7], 10, 64)
		if err != nil {
			return nil, fmt.Errorf("eval uci: line %d: timestamp %q: %w", n, c[7], err)
		}
		rows = append(rows, uciRow{id: id, title: c[1], url: c[2], gold: c[5], at: time.UnixMilli(ms).UTC()})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("eval uci: read: %w", err)
	}
	return rows, nil
}

func distinct[K comparable](xs []K) int {
	m := make(map[K]bool)
	for _, x := range xs {
		m[x] = true
	}
	return len(m)
}

// BCubed returns B-cubed precision, recall and F1 of a clustering against
// gold labels (same length).
func BCubed[P, G comparable](pred []P, gold []G) (precision, recall, f1 float64) {
	type pair struct {
		p P
		g G
	}
	both := make(map[pair]int)
	np := make(map[P]int)
	ng := make(map[G]int)
	for i := range pred {
		both[pair{pred[i], gold[i]}]++
		np[pred[i]]++
		ng[gold[i]]++
	}
	// Each item of cell (p,g) has precision |cell|/|p| and recall |cell|/|g|.
	for k, n := range both {
		precision += float64(n) * float64(n) / float64(np[k.p])
		recall += float64(n) * float64(n) / float64(ng[k.g])
	}
	if len(pred) == 0 {
		return 0, 0, 0
	}
	precision /= float64(len(pred))
	recall /= float64(len(pred))
	if precision+recall > 0 {
		f1 = 2 * precision * recall / (precision + recall)
	}
	return precision, recall, f1
}

// ARI is the adjusted Rand index of a clustering against gold labels.
func ARI[P, G comparable](pred []P, gold []G) float64 {
	type pair struct {
		p P
		g G
	}
	both := make(map[pair]int)
	np := make(map[P]int)
	ng := make(map[G]int)
	for i := range pred {
		both[pair{pred[i], gold[i]}]++
		np[pred[i]]++
		ng[gold[i]]++
	}
	c2 := func(n int) float64 { return float64(n) * float64(n-1) / 2 }
	var index, a, b float64
	for _, n := range both {
		index += c2(n)
	}
	for _, n := range np {
		a += c2(n)
	}
	for _, n := range ng {
		b += c2(n)
	}
	total := c2(len(pred))
	if total == 0 {
		return 1
	}
	expected := a * b / total
	max := (a + b) / 2
	if max == expected {
		return 1
	}
	return (index - expected) / (max - expected)
}
