package progress

import (
	"math"
	"slices"
	"time"
)

// Expected returns the progress expected at now on a straight line from the start of
// the period to its end, clamped to [0, 1].
//
// Periods are whole calendar days: the line starts at midnight at the beginning of
// periodStart's date and reaches 1 at midnight at the end of periodEnd's date, so a
// period 2026-07-01..2026-09-30 includes all of 30 September and a one-day period
// runs for 24 hours. Each date is read in its own time's location. Before the period
// begins the result is 0, after it ends 1. A period whose end date precedes its start
// date has no duration and jumps from 0 to 1 at its start.
func Expected(periodStart, periodEnd, now time.Time) float64 {
	start, end := periodBounds(periodStart, periodEnd)
	if now.Before(start) {
		return 0
	}
	if !now.Before(end) {
		return 1
	}
	return float64(now.Sub(start)) / float64(end.Sub(start))
}

// periodBounds returns the first instant of the period and the first instant after it.
func periodBounds(periodStart, periodEnd time.Time) (start, end time.Time) {
	start = startOfDay(periodStart)
	end = startOfDay(periodEnd).AddDate(0, 0, 1)
	if end.Before(start) {
		end = start
	}
	return start, end
}

func startOfDay(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, t.Location())
}

// ExpectedFor returns the progress expected of the metric at now: Expected's straight
// line when the metric has no milestones, else a line through them.
//
// With milestones the line is piecewise linear. It starts at 0 at the start of the period,
// passes through each milestone at the end of the milestone's date (a milestone dated
// 30 January is due by midnight at the end of 30 January, as a period's end date is), and
// reaches 1 at the end of the period. A milestone's height is its value's progress,
// (value − start) / (target − start), clamped to [0, 1], so milestones in the metric's
// unit work for increases and decreases alike. A milestone on the period's last day ends
// the line at its own height. Milestones whose date lies outside the period are left out,
// and of two on one date the later in the list counts; Cairn refuses both when they are
// saved, so they arise only when a period's dates change afterwards.
//
// Control goals hold a threshold all period; their status does not use the expected
// progress, and ExpectedFor returns Expected's line for them.
func ExpectedFor(m Metric, periodStart, periodEnd, now time.Time) float64 {
	if len(m.Milestones) == 0 || m.EffectiveGoal().Control() {
		return Expected(periodStart, periodEnd, now)
	}
	knots := expectedKnots(m, periodStart, periodEnd)
	if now.Before(knots[0].at) {
		return 0
	}
	for i := 1; i < len(knots); i++ {
		a, b := knots[i-1], knots[i]
		if now.Before(b.at) {
			f := float64(now.Sub(a.at)) / float64(b.at.Sub(a.at))
			return a.value + f*(b.value-a.value)
		}
	}
	return knots[len(knots)-1].value
}

// knot is a corner of the expected line: the progress expected at an instant.
type knot struct {
	at    time.Time
	value float64
}

// expectedKnots returns the corners of the metric's expected line over the period, in
// time order with distinct instants: the period's start at 0, the milestones inside the
// period, and the period's end at 1 unless a milestone falls on it.
func expectedKnots(m Metric, periodStart, periodEnd time.Time) []knot {
	start, end := periodBounds(periodStart, periodEnd)
	knots := []knot{{start, 0}}
	ms := append([]Milestone(nil), m.Milestones...)
	sortMilestones(ms)
	for _, ms := range ms {
		at := startOfDay(ms.Date).AddDate(0, 0, 1)
		if !at.After(start) || at.After(end) || !finite(ms.Value) {
			continue
		}
		v := (ms.Value - m.Start) / (m.Target - m.Start)
		if !finite(v) {
			continue
		}
		v = math.Max(0, math.Min(1, v))
		if last := &knots[len(knots)-1]; last.at.Equal(at) {
			last.value = v
			continue
		}
		knots = append(knots, knot{at, v})
	}
	if len(knots) == 1 || knots[len(knots)-1].at.Before(end) {
		knots = append(knots, knot{end, 1})
	}
	return knots
}

// sortMilestones orders milestones by date, keeping the list order of equal dates.
func sortMilestones(ms []Milestone) {
	slices.SortStableFunc(ms, func(a, b Milestone) int { return startOfDay(a.Date).Compare(startOfDay(b.Date)) })
}
