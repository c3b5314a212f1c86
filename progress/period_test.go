package progress_test

import (
	"math"
	"testing"
	"time"

	"github.com/cairn-okr/cairn/progress"
)

func day(y int, m time.Month, d int) time.Time {
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

func TestExpected(t *testing.T) {
	t.Parallel()
	q3Start, q3End := day(2026, 7, 1), day(2026, 9, 30) // 92 days
	berlin := time.FixedZone("CEST", 2*60*60)
	tests := []struct {
		name       string
		start, end time.Time
		now        time.Time
		want       float64
	}{
		{"NotYetStarted", q3Start, q3End, day(2026, 6, 15), 0},
		{"JustBeforeStart", q3Start, q3End, q3Start.Add(-time.Nanosecond), 0},
		{"AtStart", q3Start, q3End, q3Start, 0},
		{"AfterOneDay", q3Start, q3End, day(2026, 7, 2), 1.0 / 92},
		{"HalfWay", q3Start, q3End, q3Start.Add(46 * 24 * time.Hour), 0.5},
		{"EndDayIsIncluded", q3Start, q3End, day(2026, 9, 30).Add(12 * time.Hour), 91.5 / 92},
		{"EndOfEndDay", q3Start, q3End, day(2026, 10, 1), 1},
		{"Ended", q3Start, q3End, day(2026, 12, 1), 1},
		{"TimeOfDayOfBoundsIgnored", q3Start.Add(15 * time.Hour), q3End.Add(3 * time.Hour), day(2026, 7, 2), 1.0 / 92},
		{"OneDayPeriodStart", day(2026, 3, 1), day(2026, 3, 1), day(2026, 3, 1), 0},
		{"OneDayPeriodNoon", day(2026, 3, 1), day(2026, 3, 1), day(2026, 3, 1).Add(12 * time.Hour), 0.5},
		{"OneDayPeriodEnded", day(2026, 3, 1), day(2026, 3, 1), day(2026, 3, 2), 1},
		{"EndBeforeStartBefore", day(2026, 3, 5), day(2026, 3, 1), day(2026, 3, 4), 0},
		{"EndBeforeStartAfter", day(2026, 3, 5), day(2026, 3, 1), day(2026, 3, 5), 1},
		{"OtherZoneNowSameInstant", q3Start, q3End, time.Date(2026, 7, 2, 2, 0, 0, 0, berlin), 1.0 / 92},
		{"BoundsInOwnZone", time.Date(2026, 7, 1, 23, 0, 0, 0, berlin), time.Date(2026, 7, 1, 8, 0, 0, 0, berlin),
			time.Date(2026, 7, 1, 12, 0, 0, 0, berlin), 0.5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := progress.Expected(tt.start, tt.end, tt.now)
			if math.Abs(got-tt.want) > 1e-9 {
				t.Errorf("Expected(%v, %v, %v) = %v, want %v", tt.start, tt.end, tt.now, got, tt.want)
			}
		})
	}
}

func TestStatusOf(t *testing.T) {
	t.Parallel()
	def := progress.DefaultThresholds()
	tests := []struct {
		name     string
		actual   float64
		activity bool
		expected float64
		th       progress.Thresholds
		want     progress.Status
	}{
		{"NotStartedWithoutActivity", 0, false, 0.5, def, progress.NotStarted},
		{"NotStartedEvenIfAhead", 0.9, false, 0.1, def, progress.NotStarted},
		{"OnTrackAhead", 0.6, true, 0.5, def, progress.OnTrack},
		{"OnTrackExactlyOnLine", 0.5, true, 0.5, def, progress.OnTrack},
		{"OnTrackFloatNoise", 0.1 + 0.2, true, 0.3, def, progress.OnTrack},
		{"OnTrackBeforePeriod", 0, true, 0, def, progress.OnTrack},
		{"OnTrackOverAchieved", 1.4, true, 1, def, progress.OnTrack},
		{"BehindSmallGap", 0.49, true, 0.5, def, progress.Behind},
		{"BehindGapExactlyAtRiskGap", 0.25, true, 0.5, def, progress.Behind},
		{"BehindGapAtRiskGapFloatNoise", 0.7 - 0.45, true, 0.5, def, progress.Behind},
		{"AtRiskJustOverGap", 0.25, true, 0.5000001, def, progress.AtRisk},
		{"AtRiskGap2500001", 0, true, 0.2500001, def, progress.AtRisk},
		{"AtRiskLargeGap", 0.1, true, 0.9, def, progress.AtRisk},
		{"ZeroThresholdsUseDefaultBehind", 0.25, true, 0.5, progress.Thresholds{}, progress.Behind},
		{"ZeroThresholdsUseDefaultAtRisk", 0.2, true, 0.5, progress.Thresholds{}, progress.AtRisk},
		{"CustomThresholdBehind", 0.1, true, 0.5, progress.Thresholds{AtRiskGap: 0.4}, progress.Behind},
		{"CustomThresholdExactBoundary", 0.2, true, 0.6, progress.Thresholds{AtRiskGap: 0.4}, progress.Behind},
		{"CustomThresholdAtRisk", 0.1, true, 0.6, progress.Thresholds{AtRiskGap: 0.4}, progress.AtRisk},
		{"CustomStrictThresholdAtRisk", 0.35, true, 0.5, progress.Thresholds{AtRiskGap: 0.1}, progress.AtRisk},
		{"InvalidThresholdFallsBackToDefault", 0.3, true, 0.5, progress.Thresholds{AtRiskGap: -1}, progress.Behind},
		{"NaNActualCountsAsZero", math.NaN(), true, 0.5, def, progress.AtRisk},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := progress.StatusOf(tt.actual, tt.activity, tt.expected, tt.th)
			if got != tt.want {
				t.Errorf("StatusOf(%v, %v, %v, %+v) = %q, want %q", tt.actual, tt.activity, tt.expected, tt.th, got, tt.want)
			}
			if !got.Valid() {
				t.Errorf("status %q is not Valid", got)
			}
		})
	}
}

func TestStatusValid(t *testing.T) {
	t.Parallel()
	for _, s := range []progress.Status{"", "late", "On_Track"} {
		if s.Valid() {
			t.Errorf("Status(%q).Valid() = true, want false", s)
		}
	}
}

func TestThresholdsValidate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		gap     float64
		wantErr bool
	}{
		{"Default", progress.DefaultAtRiskGap, false},
		{"Zero", 0, false},
		{"One", 1, false},
		{"ErrInvalidThresholdNegative", -0.1, true},
		{"ErrInvalidThresholdAboveOne", 1.1, true},
		{"ErrInvalidThresholdNaN", math.NaN(), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := progress.Thresholds{AtRiskGap: tt.gap}.Validate()
			if (err != nil) != tt.wantErr {
				t.Fatalf("Validate(%v) = %v, wantErr %v", tt.gap, err, tt.wantErr)
			}
		})
	}
}
