package ingest

import (
	"hash/fnv"
	"math"
	"strconv"
	"time"

	"newsdesk"
)

// Polling bounds.
const (
	MinInterval     = 5 * time.Minute
	MaxInterval     = 6 * time.Hour
	DefaultInterval = 30 * time.Minute
	MaxBackoff      = 24 * time.Hour
)

// NextFetch decides when a source is fetched next. A healthy source is
// polled at an interval adapted to how often it publishes (about four polls
// per new item, within MinInterval..MaxInterval, never more often than its
// own configured Interval allows); a failing source backs off exponentially;
// a server's Retry-After is honoured. A deterministic jitter of ±10% per
// source spreads sources that share an interval.
func NextFetch(src *newsdesk.Source, now time.Time, ok bool, res *Result, retryAfter time.Duration) time.Time {
	base := src.Interval
	if base <= 0 {
		base = DefaultInterval
	}
	var d time.Duration
	if ok {
		d = base
		rate := src.ItemsPerDay
		if res != nil && res.ItemsPerDay > 0 {
			rate = res.ItemsPerDay
		}
		if rate > 0 {
			// Poll about four times per item published.
			adaptive := time.Duration(float64(24*time.Hour) / (rate * 4))
			if adaptive > d {
				d = adaptive
			}
		}
		d = min(max(d, MinInterval), MaxInterval)
	} else {
		failures := src.Failures + 1
		d = time.Duration(float64(base) * math.Pow(2, float64(min(failures-1, 12))))
		d = min(max(d, MinInterval), MaxBackoff)
	}
	if retryAfter > d {
		d = retryAfter
	}
	return now.Add(jitter(src, d))
}

func jitter(src *newsdesk.Source, d time.Duration) time.Duration {
	h := fnv.New32a()
	h.Write([]byte(strconv.FormatInt(src.ID, 10)))
	h.Write([]byte(src.URL))
	f := float64(h.Sum32()%2001)/10000 - 0.1 // -0.1 .. +0.1
	return d + time.Duration(float64(d)*f)
}
