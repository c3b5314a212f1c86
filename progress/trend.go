package progress

import "math"

// TrendWindow is how many of the latest check-ins a trend looks at.
const TrendWindow = 3

// SteadyShare is the share of the distance from start to target within which a change
// counts as steady: 1 %. Check-ins of a busy metric wobble, and an arrow for every wobble
// would hide the moves that matter.
const SteadyShare = 0.01

// Direction is which way a metric's value moved.
type Direction string

// The directions of a trend.
const (
	Up   Direction = "up"
	Down Direction = "down"
	Flat Direction = "flat"
)

// Effect says whether a move serves the metric's goal.
type Effect string

// The effects of a trend.
const (
	Better  Effect = "better"
	Worse   Effect = "worse"
	Neutral Effect = "neutral"
)

// Trend is how a metric's value moved over its latest check-ins.
type Trend struct {
	// Direction is which way the value moved: up, down or flat.
	Direction Direction `json:"direction"`
	// Effect says whether that serves the goal: up is better for Increase and StayAbove,
	// down for Decrease and StayBelow, and flat is neutral.
	Effect Effect `json:"effect"`
	// Points is how many check-ins the trend compares, 2 or 3.
	Points int `json:"points"`
}

// TrendOf returns the trend of a metric over the values of its check-ins, oldest first.
//
// It compares the newest value with the oldest of the last TrendWindow values: the value
// went up when the difference is positive, down when negative, and stayed flat when the
// difference is within SteadyShare of |target − start| (or exactly zero for a metric whose
// start equals its target). Comparing the ends of the window, not each step, makes
// 10 → 14 → 13 read as up: the window as a whole rose. Values that are not numbers are
// skipped. ok is false when fewer than two values remain, since one check-in has no trend.
func TrendOf(m Metric, values []float64) (t Trend, ok bool) {
	var vs []float64
	for _, v := range values {
		if finite(v) {
			vs = append(vs, v)
		}
	}
	if len(vs) < 2 {
		return Trend{}, false
	}
	if len(vs) > TrendWindow {
		vs = vs[len(vs)-TrendWindow:]
	}
	d := vs[len(vs)-1] - vs[0]
	steady := SteadyShare * math.Abs(m.Target-m.Start)
	if !finite(steady) {
		steady = 0
	}
	t.Points = len(vs)
	switch {
	case math.Abs(d) <= steady:
		t.Direction, t.Effect = Flat, Neutral
	case d > 0:
		t.Direction = Up
	default:
		t.Direction = Down
	}
	if t.Direction != Flat {
		if (t.Direction == Up) == m.EffectiveGoal().rising() {
			t.Effect = Better
		} else {
			t.Effect = Worse
		}
	}
	return t, true
}
