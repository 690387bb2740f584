package recommend

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
)

// EvalClicks replays a Globo.com click log (CSV with header user_id,
// session_id, session_start, session_size, click_article_id,
// click_timestamp, …) in time order. Before each click of a reader who has
// clicked before, it decides ten recommendations from what happened until
// then and writes "user_id\tclick_timestamp\tid1,…,id10" to w; to scoreTo
// it writes HR@10 and MRR@10 of those lists against the click.
//
// baseline chooses the method: "" is newsdesk's (co-reading of the latest
// reads, weighted by recency, damped by popularity, mixed with recent
// popularity and freshness; never an article already read), "popular" the
// most clicked articles of the last hour, "itemknn" the articles most
// often co-clicked with the last one read.
func EvalClicks(r io.Reader, w io.Writer, scoreTo io.Writer, baseline string) error {
	switch baseline {
	case "", "popular", "itemknn":
	default:
		return fmt.Errorf("eval clicks: unknown baseline %q", baseline)
	}
	clicks, err := readClicks(r)
	if err != nil {
		return err
	}
	sort.SliceStable(clicks, func(i, j int) bool { return clicks[i].at < clicks[j].at })
	m := newReplay()
	bw := bufio.NewWriter(w)
	var n, hits int
	var rr float64
	var list []int64
	for _, c := range clicks {
		if h := m.hist[c.user]; len(h) > 0 {
			switch baseline {
			case "":
				list = m.recommend(c.user, c.at, 10)
			case "popular":
				list = m.popular(c.at, 10, nil)
			case "itemknn":
				list = m.itemKNN(c.user, 10)
			}
			n++
			for i, id := range list {
				if id == c.article {
					hits++
					rr += 1 / float64(i+1)
					break
				}
			}
			fmt.Fprintf(bw, "%d\t%d\t%s\n", c.user, c.at, joinIDs(list))
		}
		m.click(c)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("eval clicks: write: %w", err)
	}
	name := baseline
	if name == "" {
		name = "newsdesk"
	}
	fmt.Fprintf(scoreTo, "method\t%s\n", name)
	fmt.Fprintf(scoreTo, "clicks\t%d\n", len(clicks))
	fmt.Fprintf(scoreTo, "scored\t%d\n", n)
	if n > 0 {
		fmt.Fprintf(scoreTo, "hr@10\t%.4f\n", float64(hits)/float64(n))
		fmt.Fprintf(scoreTo, "mrr@10\t%.4f\n", rr/float64(n))
	}
	return nil
}

type click struct {
	user, article, session int64
	at                     int64 // ms
}

func readClicks(r io.Reader) ([]click, error) {
	sc := bufio.NewScanner(r)
	var out []click
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if n == 1 && strings.HasPrefix(line, "user_id") {
			continue
		}
		f := strings.SplitN(line, ",", 7)
		if len(f) < 6 {
			return nil, fmt.Errorf("eval clicks: line %d: want 6 or more columns", n)
		}
		var c click
		var err error
		if c.user, err = strconv.ParseInt(f[0], 10, 64); err == nil {
			if c.session, err = strconv.ParseInt(f[1], 10, 64); err == nil {
				if c.article, err = strconv.ParseInt(f[4], 10, 64); err == nil {
					c.at, err = strconv.ParseInt(f[5], 10, 64)
				}
			}
		}
		if err != nil {
			return nil, fmt.Errorf("eval clicks: line %d: %w", n, err)
		}
		out = append(out, c)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("eval clicks: read: %w", err)
	}
	return out, nil
}

func joinIDs(ids []int64) string {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = strconv.FormatInt(id, 10)
	}
	return strings.Join(s, ",")
}

const (
	popHalfLife   = 3600e3 // ms: half-life of decayed popularity
	popWindow     = 3600e3 // ms: window of the "popular" baseline
	popRefresh    = 300e3  // ms between recomputations of popular lists
	coWindowSteps = 3      // later clicks of a reader paired with each click
)

// replay is the in-memory state of the click replay.
type replay struct {
	hist    map[int64][]int64           // reader → articles, oldest first
	read    map[int64]map[int64]bool    // reader → articles read
	co      map[int64]map[int64]float64 // article → co-clicked article → count
	count   map[int64]float64           // article → clicks
	decayed map[int64]float64           // article → decayed clicks, as of lastT
	firstAt map[int64]int64             // article → first click
	window  []click                     // clicks of the last popWindow
	inWin   map[int64]int

	lastT, base         int64
	popAt               int64
	popTop, popDecayTop []int64
}

func newReplay() *replay {
	return &replay{
		hist: make(map[int64][]int64), read: make(map[int64]map[int64]bool),
		co: make(map[int64]map[int64]float64), count: make(map[int64]float64),
		decayed: make(map[int64]float64), firstAt: make(map[int64]int64), inWin: make(map[int64]int),
	}
}

func (m *replay) click(c click) {
	// Decay lazily: scale the new click up instead of every count down.
	if m.base == 0 {
		m.base = c.at
	}
	m.decayed[c.article] += math.Exp2(float64(c.at-m.base) / popHalfLife)
	m.count[c.article]++
	if _, ok := m.firstAt[c.article]; !ok {
		m.firstAt[c.article] = c.at
	}
	m.window = append(m.window, c)
	m.inWin[c.article]++
	h := m.hist[c.user]
	if m.read[c.user] == nil {
		m.read[c.user] = make(map[int64]bool)
	}
	if !m.read[c.user][c.article] {
		for i := len(h) - 1; i >= 0 && i >= len(h)-coWindowSteps; i-- {
			m.addCo(h[i], c.article)
			m.addCo(c.article, h[i])
		}
	}
	m.read[c.user][c.article] = true
	m.hist[c.user] = append(h, c.article)
	m.lastT = c.at
}

func (m *replay) addCo(a, b int64) {
	if a == b {
		return
	}
	if m.co[a] == nil {
		m.co[a] = make(map[int64]float64)
	}
	m.co[a][b]++
}

// refresh recomputes the popular lists when they are stale.
func (m *replay) refresh(now int64) {
	if now-m.popAt < popRefresh && m.popTop != nil {
		return
	}
	m.popAt = now
	i := 0
	for i < len(m.window) && m.window[i].at < now-popWindow {
		if m.inWin[m.window[i].article]--; m.inWin[m.window[i].article] <= 0 {
			delete(m.inWin, m.window[i].article)
		}
		i++
	}
	m.window = m.window[i:]
	m.popTop = topN(m.inWin, 100, func(id int64, v float64) float64 { return v })
	// Articles without a click in the window have lost most of their
	// decayed popularity: rank only those with one.
	m.popDecayTop = topN(m.inWin, 100, func(id int64, v float64) float64 { return m.decayed[id] })
}

func topN[V int | float64](m map[int64]V, n int, f func(int64, float64) float64) []int64 {
	type kv struct {
		id int64
		v  float64
	}
	all := make([]kv, 0, len(m))
	for id, v := range m {
		if s := f(id, float64(v)); s > 0 {
			all = append(all, kv{id, s})
		}
	}
	sort.Slice(all, func(i, j int) bool {
		if all[i].v != all[j].v {
			return all[i].v > all[j].v
		}
		return all[i].id > all[j].id
	})
	if len(all) > n {
		all = all[:n]
	}
	out := make([]int64, len(all))
	for i, x := range all {
		out[i] = x.id
	}
	return out
}

func (m *replay) popular(now int64, k int, read map[int64]bool) []int64 {
	m.refresh(now)
	out := make([]int64, 0, k)
	for _, id := range m.popTop {
		if len(out) == k {
			break
		}
		if !read[id] {
			out = append(out, id)
		}
	}
	return out
}

func (m *replay) itemKNN(user int64, k int) []int64 {
	h := m.hist[user]
	last := h[len(h)-1]
	read := m.read[user]
	nb := m.co[last]
	return topN(nb, k, func(id int64, v float64) float64 {
		if read[id] {
			return 0
		}
		return v
	})
}

// recommend is newsdesk's method over the replay state.
func (m *replay) recommend(user, now int64, k int) []int64 {
	m.refresh(now)
	h := m.hist[user]
	read := m.read[user]
	scoreCo := make(map[int64]float64)
	seen := make(map[int64]bool)
	for i, j := len(h)-1, 0; i >= 0 && j < historyUsed; i-- {
		a := h[i]
		if seen[a] {
			continue
		}
		seen[a] = true
		w := historyWeight(j)
		j++
		var total float64
		for _, c := range m.co[a] {
			total += c
		}
		for b, c := range m.co[a] {
			if !read[b] {
				scoreCo[b] += w * c / total / math.Pow(m.count[b], coReadDamping)
			}
		}
	}
	// Normalise each part to [0, 1] over the candidates.
	var maxCo float64
	for _, s := range scoreCo {
		maxCo = math.Max(maxCo, s)
	}
	cands := make(map[int64]bool, len(scoreCo)+len(m.popDecayTop))
	for id := range scoreCo {
		cands[id] = true
	}
	for _, id := range m.popDecayTop {
		cands[id] = true
	}
	var maxPop float64
	for id := range cands {
		maxPop = math.Max(maxPop, m.decayed[id])
	}
	final := make(map[int64]float64, len(cands))
	for id := range cands {
		if read[id] {
			continue
		}
		co, pop := 0.0, 0.0
		if maxCo > 0 {
			co = scoreCo[id] / maxCo
		}
		if maxPop > 0 {
			pop = m.decayed[id] / maxPop
		}
		ageH := float64(now-m.firstAt[id]) / 3600e3
		fresh := math.Exp(-ageH / 24)
		final[id] = combine(co, pop, fresh)
	}
	return topN(final, k, func(id int64, v float64) float64 { return v })
}
