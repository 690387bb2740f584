package admin

import (
	"strconv"
	"strings"
	"time"
)

// The charts are SVG elements in the page, drawn here as numbers for the
// templates: no script, no inline style (the CSP forbids both); colours
// come from classes in admin.css.

// barChart is a column chart of counts per time bucket.
type barChart struct {
	Width, Height float64
	ViewBox       string
	Bars          []bar
	Ticks         []tick
	Max           int
	Total         int
	Summary       string // the chart in words, for screen readers
}

type bar struct {
	X, Y, W, H float64
	Label      string // "2 June 14:00 UTC: 12 articles"
}

type tick struct {
	X     float64
	Label string
}

// chartHeight is the drawing area's height; labels sit below it.
const chartHeight = 100

// newBarChart draws counts, one bar per bucket of width step starting at
// start, with a tick label every tickEvery buckets.
func newBarChart(counts []int, start time.Time, step time.Duration, tickEvery int, what string) barChart {
	const barW, gap = 8.0, 2.0
	c := barChart{Width: float64(len(counts)) * (barW + gap), Height: chartHeight + 16}
	c.ViewBox = "0 0 " + strconv.FormatFloat(c.Width, 'f', 0, 64) + " " + strconv.FormatFloat(c.Height, 'f', 0, 64)
	for _, n := range counts {
		c.Max = max(c.Max, n)
		c.Total += n
	}
	for i, n := range counts {
		h := 0.0
		if c.Max > 0 {
			h = float64(n) / float64(c.Max) * chartHeight
		}
		if n > 0 && h < 1 {
			h = 1
		}
		at := start.Add(time.Duration(i) * step).UTC()
		x := float64(i) * (barW + gap)
		c.Bars = append(c.Bars, bar{X: x, Y: chartHeight - h, W: barW, H: h,
			Label: at.Format("2 Jan 15:04") + " UTC: " + strconv.Itoa(n) + " " + what})
		if tickEvery > 0 && i%tickEvery == 0 {
			c.Ticks = append(c.Ticks, tick{X: x, Label: at.Format("15:04")})
		}
	}
	peak := ""
	if c.Max > 0 {
		peak = ", at most " + strconv.Itoa(c.Max) + " in one hour"
	}
	c.Summary = strconv.Itoa(c.Total) + " " + what + " in " + strconv.Itoa(len(counts)) + " hours" + peak + "."
	return c
}

// sparkline is a small line of counts per day.
type sparkline struct {
	Width, Height float64
	ViewBox       string
	Points        string // for <polyline points>
	Summary       string
}

func newSparkline(counts []int) sparkline {
	const w, h = 80.0, 20.0
	s := sparkline{Width: w, Height: h, ViewBox: "0 0 80 20"}
	peak, total := 0, 0
	for _, n := range counts {
		peak = max(peak, n)
		total += n
	}
	var b strings.Builder
	for i, n := range counts {
		x := 0.0
		if len(counts) > 1 {
			x = float64(i) * w / float64(len(counts)-1)
		}
		y := h - 1
		if peak > 0 {
			y = h - 1 - float64(n)/float64(peak)*(h-2)
		}
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(strconv.FormatFloat(x, 'f', 1, 64))
		b.WriteByte(',')
		b.WriteString(strconv.FormatFloat(y, 'f', 1, 64))
	}
	s.Points = b.String()
	s.Summary = strconv.Itoa(total) + " articles in " + strconv.Itoa(len(counts)) + " days, at most " + strconv.Itoa(peak) + " a day"
	return s
}
