package progress

import (
	"errors"
	"fmt"
	"math"
	"time"
)

// ErrStartEqualsTarget is returned when a metric's start and target are equal, which
// leaves progress undefined because there is no distance to cover.
var ErrStartEqualsTarget = errors.New("metric start equals target")

// ErrNotFinite is returned when an input number is NaN or infinite.
var ErrNotFinite = errors.New("number is not finite")

// ErrUnknownGoal is returned for a goal other than the four of Goal.
var ErrUnknownGoal = errors.New("unknown metric goal")

// ErrGoalDirection is returned when start and target disagree with the goal: an increase
// whose target is below its start, or a stay_below whose start (the ceiling) is below its
// threshold.
var ErrGoalDirection = errors.New("start and target disagree with the goal")

// Goal says which way a metric should move, or which side of a threshold it should stay.
type Goal string

// The goals. Increase and Decrease travel from start to target; StayAbove and StayBelow
// are control goals, whose target is a threshold that the value should hold all period.
const (
	// Increase means the value should rise from start to target (target above start).
	Increase Goal = "increase"
	// Decrease means the value should fall from start to target (target below start).
	Decrease Goal = "decrease"
	// StayAbove means the value should stay at or above the target, the threshold. The
	// start is the floor, below the threshold, where progress is 0 when the value falls.
	StayAbove Goal = "stay_above"
	// StayBelow means the value should stay at or below the target, the threshold. The
	// start is the ceiling, above the threshold, where progress is 0 when the value rises.
	StayBelow Goal = "stay_below"
)

// Valid reports whether g is one of the four goals.
func (g Goal) Valid() bool {
	switch g {
	case Increase, Decrease, StayAbove, StayBelow:
		return true
	}
	return false
}

// Control reports whether g is a control goal (StayAbove or StayBelow): the metric holds a
// threshold instead of travelling to a target, so time plays no part in its status.
func (g Goal) Control() bool { return g == StayAbove || g == StayBelow }

// rising reports whether a higher value is better for g.
func (g Goal) rising() bool { return g == Increase || g == StayAbove }

// InferGoal returns the goal that start and target imply without a stated goal: Increase
// when the target is above the start, Decrease otherwise. Metrics stored before goals
// existed read this way.
func InferGoal(start, target float64) Goal {
	if target < start {
		return Decrease
	}
	return Increase
}

// Milestone is an intermediate target: the value the metric should have reached by the end
// of Date's day. Only the calendar date of Date counts, read in its own location.
type Milestone struct {
	Date  time.Time
	Value float64
}

// Metric is the part of a key result or initiative metric that progress depends on.
type Metric struct {
	// Goal is the metric's goal; empty means InferGoal(Start, Target).
	Goal Goal
	// Start is the value at which progress is 0: the baseline of an increase or decrease,
	// the floor of a StayAbove, the ceiling of a StayBelow.
	Start float64
	// Target is the value at which progress is 1, or the threshold of a control goal.
	Target float64
	// Milestones are dated intermediate targets that bend the expected line (see
	// ExpectedFor). Control goals ignore them.
	Milestones []Milestone
}

// EffectiveGoal returns m.Goal, or the goal inferred from start and target when it is
// empty.
func (m Metric) EffectiveGoal() Goal {
	if m.Goal == "" {
		return InferGoal(m.Start, m.Target)
	}
	return m.Goal
}

// Validate reports whether m can yield a progress value.
func (m Metric) Validate() error {
	if !finite(m.Start) {
		return fmt.Errorf("metric start %v: %w", m.Start, ErrNotFinite)
	}
	if !finite(m.Target) {
		return fmt.Errorf("metric target %v: %w", m.Target, ErrNotFinite)
	}
	if m.Start == m.Target {
		return fmt.Errorf("metric start and target are both %g: %w", m.Start, ErrStartEqualsTarget)
	}
	g := m.EffectiveGoal()
	if !g.Valid() {
		return fmt.Errorf("metric goal %q: %w", g, ErrUnknownGoal)
	}
	if g.rising() != (m.Target > m.Start) {
		return fmt.Errorf("goal %s with start %g and target %g: %w", g, m.Start, m.Target, ErrGoalDirection)
	}
	return nil
}

// MetricProgress returns the progress of a metric whose value is current, as a fraction.
//
// For Increase and Decrease it is (current − start) / (target − start): from 1,500 ms
// towards 800 ms, 1,150 ms is (1150 − 1500) / (800 − 1500) = 0.5. Over-achievement is
// returned as is (above 1), because the product shows more than 100 % as such and only the
// score caps it. A current value on the wrong side of start is clamped to 0: a key result
// cannot be less than not started, and a negative fraction would drag roll-ups of its
// parents below what their other children achieved.
//
// For the control goals it is 1 while the value holds the threshold (current ≥ target for
// StayAbove, current ≤ target for StayBelow; the threshold itself holds). Otherwise it is
// the same fraction (current − start) / (target − start) clamped to [0, 1]: the share of
// the way from the floor (or ceiling) back to the threshold. With StayBelow 300 ms and a
// ceiling of 500 ms, 400 ms is 0.5 and 600 ms is 0. A control goal is never above 1,
// because holding a threshold by a wide margin is not over-achievement.
func MetricProgress(m Metric, current float64) (float64, error) {
	if err := m.Validate(); err != nil {
		return 0, fmt.Errorf("metric progress: %w", err)
	}
	if !finite(current) {
		return 0, fmt.Errorf("metric progress: current value %v: %w", current, ErrNotFinite)
	}
	p := (current - m.Start) / (m.Target - m.Start)
	if m.EffectiveGoal().Control() && (Holds(m, current) || p > 1) {
		return 1, nil
	}
	if p < 0 {
		return 0, nil
	}
	return p, nil
}

// Holds reports whether a control metric's current value holds its threshold: at or above
// the target for StayAbove, at or below it for StayBelow. It is false for the other goals,
// which have no threshold, and for a value that is not a number.
func Holds(m Metric, current float64) bool {
	if !finite(current) {
		return false
	}
	switch m.EffectiveGoal() {
	case StayAbove:
		return current >= m.Target
	case StayBelow:
		return current <= m.Target
	}
	return false
}

// SuggestedScore returns the score suggested when a period closes: the progress,
// capped at 1 and floored at 0. A NaN progress scores 0.
func SuggestedScore(progress float64) float64 {
	switch {
	case math.IsNaN(progress) || progress <= 0:
		return 0
	case progress >= 1:
		return 1
	default:
		return progress
	}
}

func finite(f float64) bool {
	return !math.IsNaN(f) && !math.IsInf(f, 0)
}
