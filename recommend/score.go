package recommend

import "math"

// Weights of the parts of a recommendation score, shared by the store-backed
// Recommender and the in-memory replay of EvalClicks.
const (
	// historyDecay is the weight lost per step back in the reader's
	// history: the last article read counts most (session continuity).
	historyDecay = 0.6
	// historyUsed is how many of the latest reads feed co-reading.
	historyUsed = 5
	// weightCoRead, weightPopular and weightFresh mix the normalised
	// co-reading, recent popularity and freshness of a candidate.
	weightCoRead  = 0.6
	weightPopular = 2.0
	weightFresh   = 0.1
	// coReadDamping tempers co-reads by the candidate's own popularity
	// (count / popularity^damping), so that the items everybody reads do
	// not win every list.
	coReadDamping = 0.3
)

// historyWeight is the weight of the i-th latest read (0 = latest).
func historyWeight(i int) float64 { return math.Pow(historyDecay, float64(i)) }

// combine mixes the parts, each in [0, 1].
func combine(coRead, popular, fresh float64) float64 {
	return weightCoRead*coRead + weightPopular*popular + weightFresh*fresh
}
