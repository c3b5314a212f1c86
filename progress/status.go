package progress

import (
	"errors"
	"fmt"
	"math"
)

// Status is the health of an objective, key result or initiative.
type Status string

// The statuses, as stored and sent over the API.
const (
	// NotStarted means nothing has happened yet.
	NotStarted Status = "not_started"
	// OnTrack means actual progress is not short of expected progress.
	OnTrack Status = "on_track"
	// Behind means actual progress is short of expected progress by at most the
	// at-risk gap.
	Behind Status = "behind"
	// AtRisk means actual progress is short of expected progress by more than the
	// at-risk gap.
	AtRisk Status = "at_risk"
	// Closed marks an item closed on its own, ahead of its period, as Viva Goals closed
	// items one by one; it is never computed, and Valid does not accept it from a person.
	Closed Status = "closed"
)

// Valid reports whether s is one of the four statuses.
func (s Status) Valid() bool {
	switch s {
	case NotStarted, OnTrack, Behind, AtRisk:
		return true
	}
	return false
}

// DefaultAtRiskGap is the shortfall beyond which an item is at risk unless an
// organization chooses otherwise: 25 percentage points.
const DefaultAtRiskGap = 0.25

// Epsilon is the tolerance used when comparing a gap with a threshold. Progress is
// computed in binary floating point, where for example 0.1 + 0.2 is not exactly 0.3;
// without a tolerance, an item exactly on schedule could show as Behind and an item
// exactly at the threshold as At risk. 1e-9 is far below any difference a person can
// see (a billionth of the target) and far above float noise for values near 1.
const Epsilon = 1e-9

// ErrInvalidThreshold is returned when a status threshold is outside [0, 1].
var ErrInvalidThreshold = errors.New("status threshold must be between 0 and 1")

// Thresholds are an organization's status settings.
type Thresholds struct {
	// AtRiskGap is the shortfall (expected − actual, as a fraction) above which an
	// item is At risk; up to and including it the item is Behind. Zero means the
	// default, so the zero Thresholds behave like DefaultThresholds.
	AtRiskGap float64
}

// DefaultThresholds returns the thresholds the product ships with.
func DefaultThresholds() Thresholds {
	return Thresholds{AtRiskGap: DefaultAtRiskGap}
}

// Validate reports whether th may be saved as an organization's settings.
func (th Thresholds) Validate() error {
	if math.IsNaN(th.AtRiskGap) || th.AtRiskGap < 0 || th.AtRiskGap > 1 {
		return fmt.Errorf("at-risk gap %v: %w", th.AtRiskGap, ErrInvalidThreshold)
	}
	return nil
}

// atRiskGap returns the effective at-risk gap, falling back to the default for the
// zero value and for values Validate would reject, so that StatusOf never fails.
func (th Thresholds) atRiskGap() float64 {
	if th.AtRiskGap == 0 || th.Validate() != nil {
		return DefaultAtRiskGap
	}
	return th.AtRiskGap
}

// StatusOf returns the status of an item whose actual progress is actual and whose
// expected progress today is expected (see Expected).
//
// hasActivity reports whether anything has happened yet, such as a check-in or a
// sync that wrote a value; without activity the item is NotStarted whatever the
// numbers say. Otherwise the gap is expected − actual: a gap of 0 or less is OnTrack,
// a gap up to and including th.AtRiskGap is Behind, and a larger gap is AtRisk. Both
// comparisons allow Epsilon of rounding noise. A NaN actual counts as 0.
func StatusOf(actual float64, hasActivity bool, expected float64, th Thresholds) Status {
	if !hasActivity {
		return NotStarted
	}
	if math.IsNaN(actual) {
		actual = 0
	}
	if math.IsNaN(expected) {
		expected = 0
	}
	gap := expected - actual
	switch {
	case gap <= Epsilon:
		return OnTrack
	case gap <= th.atRiskGap()+Epsilon:
		return Behind
	default:
		return AtRisk
	}
}

// MetricStatus returns the status of a metric whose value is current, with the progress
// expected today (see ExpectedFor).
//
// Without activity it is NotStarted, as StatusOf. A control goal (StayAbove, StayBelow) is
// OnTrack while its value holds the threshold and AtRisk as soon as it does not, whatever
// the date: a threshold is either held or broken, and the expected line says nothing about
// it. The other goals compare their progress with expected as StatusOf does; a metric that
// cannot yield progress (see Metric.Validate) counts as no progress.
func MetricStatus(m Metric, current float64, hasActivity bool, expected float64, th Thresholds) Status {
	if !hasActivity {
		return NotStarted
	}
	if m.EffectiveGoal().Control() {
		if Holds(m, current) {
			return OnTrack
		}
		return AtRisk
	}
	p, err := MetricProgress(m, current)
	if err != nil {
		p = 0
	}
	return StatusOf(p, true, expected, th)
}
