package ui

import (
	"fmt"
	"html"
	"html/template"
	"math"
	"sort"
	"strings"
	"time"
	"unicode/utf8"
)

// chartPoint is one check-in on the progress chart.
type chartPoint struct {
	At    time.Time
	Value float64
	Tip   string // tooltip: value, note and author
}

// chartInput is everything the progress chart draws.
type chartInput struct {
	Start, End time.Time // the period, end day inclusive
	Now        time.Time
	From, To   float64              // the metric's start and target
	Format     func(float64) string // values in full, for the label and the tooltips
	Axis       func(float64) string // values in short, for the value axis; Format when nil
	Points     []chartPoint
	// Forecast is the value projected for the period's end, when there is one.
	Forecast *float64
	// Threshold is set for a control goal: the expected line gives way to a level line at
	// the target, the threshold the value should hold ("at or below 300 ms").
	Threshold string
	// Milestones are the dated values the expected line runs through, in date order.
	Milestones []chartMilestone
}

// chartMilestone is a milestone on the progress chart.
type chartMilestone struct {
	At    time.Time // when it is due: the end of its date
	Value float64
	Tip   string // "Milestone: 20 % by 30 Apr"
}

// Chart geometry: a 560 × 180 drawing with room for the value labels on the left, which
// grows when the labels are long; axisCharW is about the width of a character of them.
const (
	axisCharW, axisMaxLeft     = 6.0, 200.0
	chartW, chartH             = 560.0, 180.0
	padL, padR, padTop, padBot = 56.0, 14.0, 12.0, 26.0
)

// renderChart draws the progress chart as inline SVG: the actual values as a line with a
// dot per check-in, the expected progress as a dashed diagonal (or a dashed line through
// the milestones, each marked with a diamond, or for a control goal a level line at the
// threshold), a "today" marker, the period's end, and the forecast as a dotted line. Colours come from the stylesheet, so
// the chart follows dark mode.
func renderChart(in chartInput) template.HTML {
	if in.Format == nil {
		in.Format = num
	}
	if in.Axis == nil {
		in.Axis = in.Format
	}
	ticks := []float64{in.From, (in.From + in.To) / 2, in.To}
	left := padL
	for _, v := range ticks {
		left = math.Max(left, math.Min(axisMaxLeft, float64(utf8.RuneCountInString(in.Axis(v)))*axisCharW+10))
	}
	start := in.Start
	end := in.End.AddDate(0, 0, 1) // end day inclusive
	if !end.After(start) {
		end = start.Add(24 * time.Hour)
	}
	pts := append([]chartPoint(nil), in.Points...)
	sort.SliceStable(pts, func(i, j int) bool { return pts[i].At.Before(pts[j].At) })

	lo, hi := math.Min(in.From, in.To), math.Max(in.From, in.To)
	for _, m := range in.Milestones {
		lo, hi = math.Min(lo, m.Value), math.Max(hi, m.Value)
	}
	for _, p := range pts {
		lo, hi = math.Min(lo, p.Value), math.Max(hi, p.Value)
	}
	if in.Forecast != nil && finite(*in.Forecast) {
		lo, hi = math.Min(lo, *in.Forecast), math.Max(hi, *in.Forecast)
	}
	if hi == lo {
		hi = lo + 1
	}
	span := hi - lo
	lo -= span * 0.05
	hi += span * 0.05

	x := func(t time.Time) float64 {
		f := float64(t.Sub(start)) / float64(end.Sub(start))
		f = math.Max(0, math.Min(1, f))
		return left + f*(chartW-left-padR)
	}
	y := func(v float64) float64 {
		if !finite(v) {
			v = lo
		}
		f := (v - lo) / (hi - lo)
		return chartH - padBot - f*(chartH-padTop-padBot)
	}

	var b strings.Builder
	last := in.From
	if len(pts) > 0 {
		last = pts[len(pts)-1].Value
	}
	label := fmt.Sprintf("Progress chart: %s now, from %s to a target of %s by %s", in.Format(last), in.Format(in.From), in.Format(in.To), in.End.Format("2 Jan"))
	if in.Threshold != "" {
		label = fmt.Sprintf("Progress chart: %s now; the value should stay %s", in.Format(last), in.Threshold)
	}
	if len(in.Milestones) > 0 {
		var ms []string
		for _, m := range in.Milestones {
			ms = append(ms, in.Format(m.Value)+" by "+m.At.Add(-time.Nanosecond).Format("2 Jan"))
		}
		label += "; milestones " + strings.Join(ms, ", ")
	}
	if in.Forecast != nil {
		label += fmt.Sprintf("; forecast %s at the end", in.Format(*in.Forecast))
	}
	fmt.Fprintf(&b, `<svg class="chart" viewBox="0 0 %g %g" role="img" aria-label="%s" preserveAspectRatio="xMidYMid meet">`, chartW, chartH, html.EscapeString(label))
	fmt.Fprintf(&b, `<title>%s</title>`, html.EscapeString(label))

	// Value axis: the start, the midpoint and the target, in the metric's unit.
	for _, v := range ticks {
		yy := y(v)
		fmt.Fprintf(&b, `<line class="grid" x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f"/>`, left, chartW-padR, yy, yy)
		fmt.Fprintf(&b, `<text class="axis" x="%.1f" y="%.1f" text-anchor="end">%s</text>`, left-6, yy+4, html.EscapeString(in.Axis(v)))
	}
	// Time axis: the period's start and end.
	fmt.Fprintf(&b, `<text class="axis" x="%.1f" y="%.1f">%s</text>`, left, chartH-6, in.Start.Format("2 Jan"))
	fmt.Fprintf(&b, `<line class="end" x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f"/>`, chartW-padR, chartW-padR, padTop, chartH-padBot)
	fmt.Fprintf(&b, `<text class="axis" x="%.1f" y="%.1f" text-anchor="end">ends %s</text>`, chartW-padR, chartH-6, in.End.Format("2 Jan"))

	switch {
	case in.Threshold != "":
		// A control goal holds its threshold all period: a level line, not a path to it.
		fmt.Fprintf(&b, `<line class="goal-threshold" x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f"><title>Threshold: stay %s</title></line>`,
			x(start), y(in.To), x(end), y(in.To), html.EscapeString(in.Threshold))
	case len(in.Milestones) > 0:
		// Expected progress through the milestones: from the start at the period's start,
		// through each milestone when it falls due, to the target at the period's end.
		var exp strings.Builder
		fmt.Fprintf(&exp, "%.1f,%.1f", x(start), y(in.From))
		lastAt := start
		for _, m := range in.Milestones {
			fmt.Fprintf(&exp, " %.1f,%.1f", x(m.At), y(m.Value))
			lastAt = m.At
		}
		if lastAt.Before(end) {
			fmt.Fprintf(&exp, " %.1f,%.1f", x(end), y(in.To))
		}
		fmt.Fprintf(&b, `<polyline class="expected" points="%s"><title>Expected progress, through the milestones</title></polyline>`, exp.String())
	default:
		// Expected progress: a straight line from the start to the target across the period.
		fmt.Fprintf(&b, `<line class="expected" x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f"><title>Expected progress</title></line>`, x(start), y(in.From), x(end), y(in.To))
	}
	for _, m := range in.Milestones {
		mx, my := x(m.At), y(m.Value)
		fmt.Fprintf(&b, `<path class="milestone" d="M%.1f %.1fl5 5-5 5-5-5z"><title>%s</title></path>`, mx, my-5, html.EscapeString(m.Tip))
	}

	// Today.
	if !in.Now.Before(start) && in.Now.Before(end) {
		tx := x(in.Now)
		fmt.Fprintf(&b, `<line class="today" x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f"/>`, tx, tx, padTop, chartH-padBot)
		anchor := "middle"
		if tx > chartW-padR-40 {
			anchor = "end"
		}
		fmt.Fprintf(&b, `<text class="axis today-label" x="%.1f" y="%.1f" text-anchor="%s">Today</text>`, tx, chartH-6, anchor)
	}

	// Actual progress: from the start value at the period's start through every check-in.
	// A control goal's start is a floor or ceiling, not a value it had, so its line starts
	// at the first check-in.
	var line []string
	if in.Threshold == "" {
		line = append(line, fmt.Sprintf("%.1f,%.1f", x(start), y(in.From)))
	}
	for _, p := range pts {
		line = append(line, fmt.Sprintf("%.1f,%.1f", x(p.At), y(p.Value)))
	}
	if len(line) > 0 {
		fmt.Fprintf(&b, `<polyline class="actual" points="%s"/>`, strings.Join(line, " "))
	}

	// Forecast: from the last check-in to the projected value at the period's end.
	if in.Forecast != nil && finite(*in.Forecast) && len(pts) > 0 {
		lp := pts[len(pts)-1]
		fmt.Fprintf(&b, `<line class="forecast" x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f"><title>Forecast: %s at the period's end</title></line>`,
			x(lp.At), y(lp.Value), x(end), y(*in.Forecast), html.EscapeString(in.Format(*in.Forecast)))
	}
	for _, p := range pts {
		fmt.Fprintf(&b, `<circle class="dot" cx="%.1f" cy="%.1f" r="3.5"><title>%s</title></circle>`, x(p.At), y(p.Value), html.EscapeString(p.Tip))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

func finite(f float64) bool { return !math.IsNaN(f) && !math.IsInf(f, 0) }
