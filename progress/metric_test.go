package progress_test

import (
	"errors"
	"math"
	"testing"

	"github.com/cairn-okr/cairn/progress"
)

const tol = 1e-12

func near(a, b float64) bool { return math.Abs(a-b) <= tol }

func TestMetricProgress(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		m       progress.Metric
		current float64
		want    float64
		wantErr error
	}{
		{"HalfWay", progress.Metric{Start: 0, Target: 100}, 50, 0.5, nil},
		{"AtStart", progress.Metric{Start: 10, Target: 20}, 10, 0, nil},
		{"AtTarget", progress.Metric{Start: 10, Target: 20}, 20, 1, nil},
		{"NonZeroStart", progress.Metric{Start: 20, Target: 120}, 62, 0.42, nil},
		{"DecreasingTarget", progress.Metric{Start: 100, Target: 40}, 70, 0.5, nil},
		{"DecreasingReached", progress.Metric{Start: 100, Target: 40}, 40, 1, nil},
		{"DecreasingOverAchieved", progress.Metric{Start: 100, Target: 40}, 10, 1.5, nil},
		{"OverAchievementNotCapped", progress.Metric{Start: 0, Target: 10}, 15, 1.5, nil},
		{"BelowStartClampedToZero", progress.Metric{Start: 10, Target: 20}, 5, 0, nil},
		{"DecreasingAboveStartClampedToZero", progress.Metric{Start: 100, Target: 40}, 130, 0, nil},
		{"NegativeRange", progress.Metric{Start: -10, Target: -5}, -7.5, 0.5, nil},
		{"ErrStartEqualsTarget", progress.Metric{Start: 5, Target: 5}, 5, 0, progress.ErrStartEqualsTarget},
		{"ErrNotFiniteCurrent", progress.Metric{Start: 0, Target: 1}, math.NaN(), 0, progress.ErrNotFinite},
		{"ErrNotFiniteStart", progress.Metric{Start: math.Inf(-1), Target: 1}, 0, 0, progress.ErrNotFinite},
		{"ErrNotFiniteTarget", progress.Metric{Start: 0, Target: math.NaN()}, 0, 0, progress.ErrNotFinite},

		// Explicit goals. Decrease: from 1,500 ms towards 800 ms, 1,150 ms is half-way.
		{"IncreaseExplicit", progress.Metric{Goal: progress.Increase, Start: 0, Target: 200}, 50, 0.25, nil},
		{"Decrease1500To800At1150", progress.Metric{Goal: progress.Decrease, Start: 1500, Target: 800}, 1150, 0.5, nil},
		{"Decrease1500To800AtStart", progress.Metric{Goal: progress.Decrease, Start: 1500, Target: 800}, 1500, 0, nil},
		{"Decrease1500To800Reached", progress.Metric{Goal: progress.Decrease, Start: 1500, Target: 800}, 800, 1, nil},
		{"Decrease1500To800OverAchieved", progress.Metric{Goal: progress.Decrease, Start: 1500, Target: 800}, 450, 1.5, nil},
		{"Decrease1500To800WorseThanStart", progress.Metric{Goal: progress.Decrease, Start: 1500, Target: 800}, 1700, 0, nil},
		{"ErrGoalDirectionIncreaseDown", progress.Metric{Goal: progress.Increase, Start: 1500, Target: 800}, 1150, 0, progress.ErrGoalDirection},
		{"ErrGoalDirectionDecreaseUp", progress.Metric{Goal: progress.Decrease, Start: 800, Target: 1500}, 1150, 0, progress.ErrGoalDirection},
		{"ErrUnknownGoal", progress.Metric{Goal: "sideways", Start: 0, Target: 1}, 0, 0, progress.ErrUnknownGoal},

		// StayAbove 99.5 % availability with a floor of 95 %.
		{"StayAboveHolds", progress.Metric{Goal: progress.StayAbove, Start: 95, Target: 99.5}, 99.9, 1, nil},
		{"StayAboveAtThresholdHolds", progress.Metric{Goal: progress.StayAbove, Start: 95, Target: 99.5}, 99.5, 1, nil},
		{"StayAboveBrokenHalfWayFromFloor", progress.Metric{Goal: progress.StayAbove, Start: 95, Target: 99.5}, 97.25, 0.5, nil},
		{"StayAboveAtFloor", progress.Metric{Goal: progress.StayAbove, Start: 95, Target: 99.5}, 95, 0, nil},
		{"StayAboveBelowFloorClampedToZero", progress.Metric{Goal: progress.StayAbove, Start: 95, Target: 99.5}, 90, 0, nil},
		{"ErrGoalDirectionStayAboveFloorOverThreshold", progress.Metric{Goal: progress.StayAbove, Start: 100, Target: 99.5}, 99, 0, progress.ErrGoalDirection},

		// StayBelow 300 ms p95 latency with a ceiling of 500 ms.
		{"StayBelowHolds", progress.Metric{Goal: progress.StayBelow, Start: 500, Target: 300}, 120, 1, nil},
		{"StayBelowAtThresholdHolds", progress.Metric{Goal: progress.StayBelow, Start: 500, Target: 300}, 300, 1, nil},
		{"StayBelowBroken400IsHalf", progress.Metric{Goal: progress.StayBelow, Start: 500, Target: 300}, 400, 0.5, nil},
		{"StayBelowBroken350", progress.Metric{Goal: progress.StayBelow, Start: 500, Target: 300}, 350, 0.75, nil},
		{"StayBelowAtCeiling", progress.Metric{Goal: progress.StayBelow, Start: 500, Target: 300}, 500, 0, nil},
		{"StayBelowOverCeilingClampedToZero", progress.Metric{Goal: progress.StayBelow, Start: 500, Target: 300}, 650, 0, nil},
		{"ErrGoalDirectionStayBelowCeilingUnderThreshold", progress.Metric{Goal: progress.StayBelow, Start: 200, Target: 300}, 250, 0, progress.ErrGoalDirection},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := progress.MetricProgress(tt.m, tt.current)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("MetricProgress(%+v, %v) error = %v, want %v", tt.m, tt.current, err, tt.wantErr)
			}
			if !near(got, tt.want) {
				t.Errorf("MetricProgress(%+v, %v) = %v, want %v", tt.m, tt.current, got, tt.want)
			}
		})
	}
}

func TestSuggestedScore(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   float64
		want float64
	}{
		{"Partial", 0.7, 0.7},
		{"Complete", 1, 1},
		{"OverAchievementCapped", 1.8, 1},
		{"NegativeFloored", -0.2, 0},
		{"Zero", 0, 0},
		{"NaNIsZero", math.NaN(), 0},
		{"InfIsOne", math.Inf(1), 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := progress.SuggestedScore(tt.in); !near(got, tt.want) {
				t.Errorf("SuggestedScore(%v) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}

func TestRollUp(t *testing.T) {
	t.Parallel()
	c := func(p, w float64, contributes bool) progress.Child {
		return progress.Child{Progress: p, Weight: w, Contributes: contributes}
	}
	tests := []struct {
		name     string
		children []progress.Child
		want     float64
		wantOK   bool
	}{
		{"NoChildren", nil, 0, false},
		{"EmptyChildren", []progress.Child{}, 0, false},
		{"NoneContribute", []progress.Child{c(0.5, 1, false), c(1, 2, false)}, 0, false},
		{"SingleChild", []progress.Child{c(0.3, 0, true)}, 0.3, true},
		{"EqualWeightsByDefault", []progress.Child{c(0.2, 0, true), c(0.6, 0, true)}, 0.4, true},
		{"ExplicitWeights", []progress.Child{c(1, 3, true), c(0, 1, true)}, 0.75, true},
		{"ZeroWeightCountsAsOne", []progress.Child{c(1, 0, true), c(0, 1, true)}, 0.5, true},
		{"NegativeWeightCountsAsOne", []progress.Child{c(1, -4, true), c(0, 1, true)}, 0.5, true},
		{"NaNWeightCountsAsOne", []progress.Child{c(1, math.NaN(), true), c(0, 1, true)}, 0.5, true},
		{"NonContributingIgnored", []progress.Child{c(1, 1, true), c(0, 5, false)}, 1, true},
		{"OverAchievementCarried", []progress.Child{c(1.5, 1, true), c(0.5, 1, true)}, 1, true},
		{"NaNProgressCountsAsZero", []progress.Child{c(math.NaN(), 1, true), c(1, 1, true)}, 0.5, true},
		{"FractionalWeights", []progress.Child{c(0.9, 0.5, true), c(0.3, 1.5, true)}, 0.45, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, ok := progress.RollUp(tt.children)
			if ok != tt.wantOK || !near(got, tt.want) {
				t.Errorf("RollUp(%+v) = %v, %v; want %v, %v", tt.children, got, ok, tt.want, tt.wantOK)
			}
		})
	}
}

func TestInferGoal(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name          string
		start, target float64
		want          progress.Goal
	}{
		{"TargetAboveStart", 0, 100, progress.Increase},
		{"TargetBelowStart", 1500, 800, progress.Decrease},
		{"NegativeRangeUp", -10, -5, progress.Increase},
		{"EqualIsIncrease", 5, 5, progress.Increase},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := progress.InferGoal(tt.start, tt.target); got != tt.want {
				t.Errorf("InferGoal(%v, %v) = %q, want %q", tt.start, tt.target, got, tt.want)
			}
			m := progress.Metric{Start: tt.start, Target: tt.target}
			if got := m.EffectiveGoal(); got != tt.want {
				t.Errorf("EffectiveGoal of %+v = %q, want %q", m, got, tt.want)
			}
		})
	}
}

func TestHolds(t *testing.T) {
	t.Parallel()
	above := progress.Metric{Goal: progress.StayAbove, Start: 95, Target: 99.5}
	below := progress.Metric{Goal: progress.StayBelow, Start: 500, Target: 300}
	tests := []struct {
		name    string
		m       progress.Metric
		current float64
		want    bool
	}{
		{"StayAboveOver", above, 99.9, true},
		{"StayAboveAtThreshold", above, 99.5, true},
		{"StayAboveUnder", above, 99.4, false},
		{"StayBelowUnder", below, 299, true},
		{"StayBelowAtThreshold", below, 300, true},
		{"StayBelowOver", below, 301, false},
		{"NaNNeverHolds", below, math.NaN(), false},
		{"IncreaseHasNoThreshold", progress.Metric{Goal: progress.Increase, Start: 0, Target: 10}, 20, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := progress.Holds(tt.m, tt.current); got != tt.want {
				t.Errorf("Holds(%+v, %v) = %v, want %v", tt.m, tt.current, got, tt.want)
			}
		})
	}
}
