package progress

import (
	"errors"
	"fmt"
	"math"
)

// ErrStartEqualsTarget is returned when a metric's start and target are equal, which
// leaves progress undefined because there is no distance to cover.
var ErrStartEqualsTarget = errors.New("metric start equals target")

// ErrNotFinite is returned when an input number is NaN or infinite.
var ErrNotFinite = errors.New("number is not finite")

// Metric is the part of a key result or initiative metric that progress depends on.
type Metric struct {
	// Start is the value at which progress is 0.
	Start float64
	// Target is the value at which progress is 1. It may be below Start for a
	// decreasing metric.
	Target float64
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
	return nil
}

// MetricProgress returns (current − start) / (target − start) as a fraction.
//
// A decreasing metric (target below start) works the same way: moving from start
// towards target is positive progress. Over-achievement is returned as is (above 1),
// because the product shows more than 100 % as such and only the score caps it.
// A current value on the wrong side of start is clamped to 0: a key result cannot be
// less than not started, and a negative fraction would drag roll-ups of its parents
// below what their other children achieved.
func MetricProgress(m Metric, current float64) (float64, error) {
	if err := m.Validate(); err != nil {
		return 0, fmt.Errorf("metric progress: %w", err)
	}
	if !finite(current) {
		return 0, fmt.Errorf("metric progress: current value %v: %w", current, ErrNotFinite)
	}
	p := (current - m.Start) / (m.Target - m.Start)
	if p < 0 {
		return 0, nil
	}
	return p, nil
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
