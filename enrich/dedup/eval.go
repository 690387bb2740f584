package dedup

import (
	"bufio"
	"fmt"
	"io"
	"sort"
	"strings"
)

// EvalMSRP scores the near-duplicate similarity on the Microsoft Research
// Paraphrase Corpus (TSV: Quality, #1 ID, #2 ID, #1 String, #2 String). For
// each pair it writes "ID1\tID2\tSCORE\t0|1" to w, the label being the
// decision at DefaultThreshold; to scoreTo it writes accuracy, F1 of the
// positive class, ROC-AUC of the score, and the precision/recall at other
// thresholds (the calibration table).
//
// MSRP pairs are paraphrases: reworded sentences from one story cluster,
// judged equivalent in meaning. A wire copy is a near-identical document.
// So this set is a stress test for the copy detector, not its target: the
// threshold is set for precision (a pair above it should almost surely be
// the same text), not for the best MSRP accuracy, which would mark
// rewordings, and hence distinct reports of one event, as copies.
func EvalMSRP(r io.Reader, w io.Writer, scoreTo io.Writer) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	var scores []float64
	var labels []bool
	first := true
	bw := bufio.NewWriter(w)
	for sc.Scan() {
		line := sc.Text()
		if first {
			first = false
			if strings.HasPrefix(line, "Quality") {
				continue
			}
		}
		c := strings.Split(line, "\t")
		if len(c) < 5 {
			return fmt.Errorf("eval msrp: line %q: want 5 columns, got %d", line, len(c))
		}
		s := Similarity(c[3], c[4])
		dec := 0
		if s >= DefaultThreshold {
			dec = 1
		}
		fmt.Fprintf(bw, "%s\t%s\t%.4f\t%d\n", c[1], c[2], s, dec)
		scores = append(scores, s)
		labels = append(labels, strings.TrimSpace(c[0]) == "1")
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("eval msrp: read: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("eval msrp: write: %w", err)
	}
	if len(scores) == 0 {
		return fmt.Errorf("eval msrp: no pairs")
	}
	acc, p, rec, f1 := confusion(scores, labels, DefaultThreshold)
	fmt.Fprintf(scoreTo, "pairs\t%d\n", len(scores))
	fmt.Fprintf(scoreTo, "threshold\t%.2f\n", DefaultThreshold)
	fmt.Fprintf(scoreTo, "accuracy\t%.4f\n", acc)
	fmt.Fprintf(scoreTo, "precision\t%.4f\n", p)
	fmt.Fprintf(scoreTo, "recall\t%.4f\n", rec)
	fmt.Fprintf(scoreTo, "f1\t%.4f\n", f1)
	fmt.Fprintf(scoreTo, "roc_auc\t%.4f\n", ROCAUC(scores, labels))
	fmt.Fprintf(scoreTo, "# threshold\taccuracy\tprecision\trecall\tf1\n")
	for t := 0.1; t < 0.95; t += 0.1 {
		acc, p, rec, f1 := confusion(scores, labels, t)
		fmt.Fprintf(scoreTo, "# %.1f\t%.4f\t%.4f\t%.4f\t%.4f\n", t, acc, p, rec, f1)
	}
	return nil
}

func confusion(scores []float64, labels []bool, t float64) (acc, precision, recall, f1 float64) {
	var tp, fp, tn, fn float64
	for i, s := range scores {
		switch {
		case s >= t && labels[i]:
			tp++
		case s >= t:
			fp++
		case labels[i]:
			fn++
		default:
			tn++
		}
	}
	acc = (tp + tn) / float64(len(scores))
	if tp+fp > 0 {
		precision = tp / (tp + fp)
	}
	if tp+fn > 0 {
		recall = tp / (tp + fn)
	}
	if precision+recall > 0 {
		f1 = 2 * precision * recall / (precision + recall)
	}
	return acc, precision, recall, f1
}

// ROCAUC is the area under the ROC curve of scores for the positive labels
// (the Mann–Whitney statistic, ties counted half). It is 0.5 when either
// class is empty.
func ROCAUC(scores []float64, labels []bool) float64 {
	idx := make([]int, len(scores))
	for i := range idx {
		idx[i] = i
	}
	sort.Slice(idx, func(a, b int) bool { return scores[idx[a]] < scores[idx[b]] })
	var pos, neg, rankSum float64
	for r := 0; r < len(idx); {
		s := r
		for r < len(idx) && scores[idx[r]] == scores[idx[s]] {
			r++
		}
		avg := float64(s+r+1) / 2 // mean 1-based rank of the tie group
		for k := s; k < r; k++ {
			if labels[idx[k]] {
				rankSum += avg
			}
		}
	}
	for _, l := range labels {
		if l {
			pos++
		} else {
			neg++
		}
	}
	if pos == 0 || neg == 0 {
		return 0.5
	}
	return (rankSum - pos*(pos+1)/2) / (pos * neg)
}
