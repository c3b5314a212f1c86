package progress_test

import (
	"math"
	"testing"

	"github.com/cairn-okr/cairn/progress"
)

func TestClosingStatusOf(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		score float64
		want  progress.ClosingStatus
	}{
		{"Full", 1, progress.Achieved},
		{"AtAchievedThreshold", 0.7, progress.Achieved},
		{"AchievedThresholdLessRoundingNoise", 0.7 - 1e-12, progress.Achieved},
		{"JustBelowAchieved", 0.69, progress.PartiallyAchieved},
		{"AtPartialThreshold", 0.3, progress.PartiallyAchieved},
		{"PartialThresholdLessRoundingNoise", 0.3 - 1e-12, progress.PartiallyAchieved},
		{"JustBelowPartial", 0.29, progress.Missed},
		{"Zero", 0, progress.Missed},
		{"NaNIsMissed", math.NaN(), progress.Missed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := progress.ClosingStatusOf(tt.score); got != tt.want {
				t.Errorf("ClosingStatusOf(%v) = %q, want %q", tt.score, got, tt.want)
			}
		})
	}
}

func TestClosingStatusValid(t *testing.T) {
	t.Parallel()
	for _, s := range []progress.ClosingStatus{progress.Achieved, progress.PartiallyAchieved, progress.Missed} {
		if !s.Valid() {
			t.Errorf("%q is not valid", s)
		}
	}
	for _, s := range []progress.ClosingStatus{"", "done", "Achieved"} {
		if s.Valid() {
			t.Errorf("%q is valid", s)
		}
	}
}
