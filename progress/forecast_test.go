package progress_test

import (
	"math"
	"testing"
	"time"

	"github.com/cairn-okr/cairn/progress"
)

func TestForecast(t *testing.T) {
	t.Parallel()
	start, end := day(2026, 7, 1), day(2026, 9, 30) // 92 days; line read at day 92
	at := func(d int) time.Time { return start.AddDate(0, 0, d) }
	pt := func(d int, v float64) progress.Point { return progress.Point{At: at(d), Value: v} }
	tests := []struct {
		name   string
		points []progress.Point
		want   float64
		wantOK bool
	}{
		{"NoPoints", nil, 0, false},
		{"OnePoint", []progress.Point{pt(10, 0.3)}, 0, false},
		{"SameTime", []progress.Point{pt(10, 0.3), pt(10, 0.5)}, 0, false},
		{"NaNLeavesOnePoint", []progress.Point{pt(0, 0), pt(10, math.NaN())}, 0, false},
		{"TwoPointsLinear", []progress.Point{pt(0, 0), pt(46, 0.5)}, 1, true},
		{"SlowPace", []progress.Point{pt(0, 0), pt(23, 0.1), pt(46, 0.2)}, 0.4, true},
		{"OverAchievementNotCapped", []progress.Point{pt(0, 0), pt(23, 0.5)}, 2, true},
		{"Flat", []progress.Point{pt(5, 0.3), pt(50, 0.3), pt(60, 0.3)}, 0.3, true},
		{"Decreasing", []progress.Point{pt(0, 100), pt(46, 80)}, 60, true},
		{"LeastSquaresThroughNoise", []progress.Point{pt(0, 0), pt(10, 0.2), pt(20, 0.1), pt(30, 0.3)}, 0.766, true},
		{"UnorderedPoints", []progress.Point{pt(46, 0.5), pt(0, 0)}, 1, true},
		{"PointsBeforePeriodCount", []progress.Point{pt(-46, 0), pt(0, 0.5)}, 1.5, true},
		{"AfterEnd", []progress.Point{pt(92, 1), pt(100, 1.2)}, 1, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, ok := progress.Forecast(tt.points, start, end)
			if ok != tt.wantOK || math.Abs(got-tt.want) > 1e-9 {
				t.Errorf("Forecast() = %v, %v; want %v, %v", got, ok, tt.want, tt.wantOK)
			}
		})
	}
}
