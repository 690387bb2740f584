package story

import (
	"fmt"
	"sort"
	"strings"
)

// analyse renders the contingency of predicted and gold stories: for every
// predicted story holding more than one gold story, its make-up, and for
// every gold story split over several predicted ones, the pieces.
func analyse(rows []uciRow, pred map[int64]string) string {
	type cell struct{ p, g string }
	n := make(map[cell]int)
	np := make(map[string]int)
	ng := make(map[string]int)
	title := make(map[cell]string)
	for _, r := range rows {
		c := cell{pred[r.id], r.gold}
		n[c]++
		np[c.p]++
		ng[c.g]++
		if title[c] == "" {
			title[c] = r.title
		}
	}
	var b strings.Builder
	byP := make(map[string][]cell)
	byG := make(map[string][]cell)
	for c := range n {
		byP[c.p] = append(byP[c.p], c)
		byG[c.g] = append(byG[c.g], c)
	}
	sortCells := func(cs []cell) {
		sort.Slice(cs, func(i, j int) bool {
			if n[cs[i]] != n[cs[j]] {
				return n[cs[i]] > n[cs[j]]
			}
			return cs[i].p+cs[i].g < cs[j].p+cs[j].g
		})
	}
	keys := func(m map[string]int) []string {
		var ks []string
		for k := range m {
			ks = append(ks, k)
		}
		sort.Slice(ks, func(i, j int) bool { return m[ks[i]] > m[ks[j]] || m[ks[i]] == m[ks[j]] && ks[i] < ks[j] })
		return ks
	}
	fmt.Fprintf(&b, "\n== merged (predicted stories holding several gold stories)\n")
	for _, p := range keys(np) {
		cs := byP[p]
		if len(cs) < 2 {
			continue
		}
		sortCells(cs)
		fmt.Fprintf(&b, "pred %s (%d):\n", p, np[p])
		for _, c := range cs {
			fmt.Fprintf(&b, "   %4d of gold %.6s (%d)  %.70q\n", n[c], c.g, ng[c.g], title[c])
		}
	}
	fmt.Fprintf(&b, "\n== split (gold stories over several predicted ones)\n")
	for _, g := range keys(ng) {
		cs := byG[g]
		if len(cs) < 2 {
			continue
		}
		sortCells(cs)
		fmt.Fprintf(&b, "gold %.6s (%d) in %d:", g, ng[g], len(cs))
		for i, c := range cs {
			if i == 8 {
				fmt.Fprintf(&b, " …")
				break
			}
			fmt.Fprintf(&b, " %d", n[c])
		}
		fmt.Fprintf(&b, "  %.60q\n", title[cs[0]])
	}
	return b.String()
}
