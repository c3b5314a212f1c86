package progress_test

import (
	"math"
	"testing"

	"github.com/cairn-okr/cairn/progress"
)

func TestTrendOf(t *testing.T) {
	t.Parallel()
	up := progress.Metric{Goal: progress.Increase, Start: 0, Target: 100}       // steady within 1
	down := progress.Metric{Goal: progress.Decrease, Start: 1500, Target: 800}  // steady within 7
	below := progress.Metric{Goal: progress.StayBelow, Start: 500, Target: 300} // steady within 2
	above := progress.Metric{Goal: progress.StayAbove, Start: 95, Target: 99.5} // steady within 0.045
	tr := func(d progress.Direction, e progress.Effect, n int) progress.Trend {
		return progress.Trend{Direction: d, Effect: e, Points: n}
	}
	tests := []struct {
		name   string
		m      progress.Metric
		values []float64
		want   progress.Trend
		wantOK bool
	}{
		{"NoCheckIns", up, nil, progress.Trend{}, false},
		{"OneCheckInHasNoTrend", up, []float64{5}, progress.Trend{}, false},
		{"TwoUp", up, []float64{10, 20}, tr(progress.Up, progress.Better, 2), true},
		{"ThreeUpDespiteADip", up, []float64{10, 14, 13}, tr(progress.Up, progress.Better, 3), true},
		{"OnlyTheLastThreeCount", up, []float64{50, 10, 20, 30}, tr(progress.Up, progress.Better, 3), true},
		{"IncreaseDownIsWorse", up, []float64{30, 20}, tr(progress.Down, progress.Worse, 2), true},
		{"WithinOnePercentIsFlat", up, []float64{40, 41, 40.5}, tr(progress.Flat, progress.Neutral, 3), true},
		{"ExactlyOnePercentIsFlat", up, []float64{40, 41}, tr(progress.Flat, progress.Neutral, 2), true},
		{"JustOverOnePercentMoves", up, []float64{40, 41.01}, tr(progress.Up, progress.Better, 2), true},
		{"DecreaseDownIsBetter", down, []float64{1300, 1200, 1150}, tr(progress.Down, progress.Better, 3), true},
		{"DecreaseUpIsWorse", down, []float64{1150, 1160}, tr(progress.Up, progress.Worse, 2), true},
		{"DecreaseSmallWobbleIsFlat", down, []float64{1150, 1155}, tr(progress.Flat, progress.Neutral, 2), true},
		{"StayBelowRisingIsWorse", below, []float64{250, 280, 320}, tr(progress.Up, progress.Worse, 3), true},
		{"StayBelowFallingIsBetter", below, []float64{320, 290}, tr(progress.Down, progress.Better, 2), true},
		{"StayAboveFallingIsWorse", above, []float64{99.9, 99.6, 99.2}, tr(progress.Down, progress.Worse, 3), true},
		{"NaNSkipped", up, []float64{10, math.NaN(), 20}, tr(progress.Up, progress.Better, 2), true},
		{"NaNLeavesOne", up, []float64{math.Inf(1), 20}, progress.Trend{}, false},
		{"StartEqualsTargetNoSteadyBand", progress.Metric{Start: 5, Target: 5}, []float64{1, 1.001}, tr(progress.Up, progress.Better, 2), true},
		{"StartEqualsTargetSameValueFlat", progress.Metric{Start: 5, Target: 5}, []float64{1, 1}, tr(progress.Flat, progress.Neutral, 2), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, ok := progress.TrendOf(tt.m, tt.values)
			if ok != tt.wantOK || got != tt.want {
				t.Errorf("TrendOf(%+v, %v) = %+v, %v; want %+v, %v", tt.m, tt.values, got, ok, tt.want, tt.wantOK)
			}
		})
	}
}
