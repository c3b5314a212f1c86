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

func TestExpectedFor(t *testing.T) {
	t.Parallel()
	// Q1 2026 has 90 days. The plan: 20 % by 30 January, 50 % by 28 February and 100 % by
	// 31 March. Each milestone is due at the end of its day, so the corners of the line
	// are 31 Jan 00:00 (30 days in), 1 Mar 00:00 (29 days later) and 1 Apr 00:00 (31 more).
	q1Start, q1End := day(2026, 1, 1), day(2026, 3, 31)
	ms := func(pairs ...any) []progress.Milestone {
		var out []progress.Milestone
		for i := 0; i < len(pairs); i += 2 {
			out = append(out, progress.Milestone{Date: pairs[i].(time.Time), Value: pairs[i+1].(float64)})
		}
		return out
	}
	phased := progress.Metric{Goal: progress.Increase, Start: 0, Target: 100,
		Milestones: ms(day(2026, 1, 30), 20.0, day(2026, 2, 28), 50.0, day(2026, 3, 31), 100.0)}
	// Latency from 1,500 ms down to 800 ms, with 1,290 ms (30 % of the way) due by
	// 14 February: 45 days in, and 45 days before the end.
	down := progress.Metric{Goal: progress.Decrease, Start: 1500, Target: 800, Milestones: ms(day(2026, 2, 14), 1290.0)}
	noon := func(y int, m time.Month, d int) time.Time { return day(y, m, d).Add(12 * time.Hour) }
	with := func(m progress.Metric, milestones []progress.Milestone) progress.Metric {
		m.Milestones = milestones
		return m
	}
	tests := []struct {
		name string
		m    progress.Metric
		now  time.Time
		want float64
	}{
		{"BeforePeriod", phased, day(2025, 12, 31), 0},
		{"AtPeriodStart", phased, q1Start, 0},
		{"HalfWayToFirstMilestone", phased, day(2026, 1, 16), 15.0 / 30 * 0.2},             // 0.1
		{"OnTheFirstMilestoneDayItIsNotYetDue", phased, day(2026, 1, 30), 29.0 / 30 * 0.2}, // 0.1933…
		{"FirstMilestoneDue", phased, day(2026, 1, 31), 0.2},
		{"BetweenFirstAndSecond", phased, noon(2026, 2, 14), 0.2 + 14.5/29*0.3}, // 0.35
		{"SecondMilestoneDue", phased, day(2026, 3, 1), 0.5},
		{"BetweenSecondAndLast", phased, noon(2026, 3, 16), 0.5 + 15.5/31*0.5}, // 0.75
		{"PeriodOver", phased, day(2026, 4, 1), 1},
		{"LongAfter", phased, day(2026, 6, 1), 1},
		{"NoMilestonesIsTheStraightLine", with(phased, nil), noon(2026, 2, 14), 44.5 / 90},
		{"DecreaseBeforeMilestone", down, noon(2026, 1, 23), 0.15},
		{"DecreaseMilestoneDue", down, day(2026, 2, 15), 0.3},
		{"DecreaseAfterMilestone", down, noon(2026, 3, 9), 0.65},
		{"UnsortedMilestonesAreSorted", with(phased, ms(day(2026, 2, 28), 50.0, day(2026, 1, 30), 20.0)), day(2026, 3, 1), 0.5},
		{"LastDayMilestoneEndsLine", with(phased, ms(day(2026, 3, 31), 90.0)), day(2026, 4, 2), 0.9},
		{"MilestoneOnFirstDay", with(phased, ms(day(2026, 1, 1), 10.0)), day(2026, 1, 2), 0.1},
		{"MilestoneAfterPeriodLeftOut", with(phased, ms(day(2026, 4, 15), 10.0)), noon(2026, 2, 14), 44.5 / 90},
		{"MilestoneBeforePeriodLeftOut", with(phased, ms(day(2025, 12, 20), 90.0)), noon(2026, 2, 14), 44.5 / 90},
		{"SameDateLaterWins", with(phased, ms(day(2026, 1, 30), 10.0, day(2026, 1, 30), 20.0)), day(2026, 1, 31), 0.2},
		{"MilestonePastTargetClampedToOne", with(phased, ms(day(2026, 1, 30), 150.0)), day(2026, 1, 31), 1},
		{"MilestoneBehindStartClampedToZero", with(phased, ms(day(2026, 1, 30), -20.0)), day(2026, 1, 31), 0},
		{"ControlGoalIgnoresMilestones", progress.Metric{Goal: progress.StayBelow, Start: 500, Target: 300,
			Milestones: ms(day(2026, 1, 30), 400.0)}, noon(2026, 2, 14), 44.5 / 90},
		{"EndBeforeStartJumpsToOne", with(phased, ms(day(2026, 3, 3), 50.0)), day(2026, 3, 5), 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			start, end := q1Start, q1End
			if tt.name == "EndBeforeStartJumpsToOne" {
				start, end = day(2026, 3, 5), day(2026, 3, 1)
			}
			got := progress.ExpectedFor(tt.m, start, end, tt.now)
			if math.Abs(got-tt.want) > 1e-9 {
				t.Errorf("ExpectedFor(%+v, %v) = %v, want %v", tt.m.Milestones, tt.now, got, tt.want)
			}
		})
	}
}

func TestMetricStatus(t *testing.T) {
	t.Parallel()
	def := progress.DefaultThresholds()
	q1Start, q1End := day(2026, 1, 1), day(2026, 3, 31)
	mid := day(2026, 2, 14).Add(12 * time.Hour)  // 0.35 expected with the milestones, 0.494 without
	late := day(2026, 3, 16).Add(12 * time.Hour) // 0.75 expected with the milestones
	phased := progress.Metric{Goal: progress.Increase, Start: 0, Target: 100, Milestones: []progress.Milestone{
		{Date: day(2026, 1, 30), Value: 20}, {Date: day(2026, 2, 28), Value: 50}, {Date: day(2026, 3, 31), Value: 100}}}
	straight := phased
	straight.Milestones = nil
	below := progress.Metric{Goal: progress.StayBelow, Start: 500, Target: 300}
	above := progress.Metric{Goal: progress.StayAbove, Start: 95, Target: 99.5}
	tests := []struct {
		name     string
		m        progress.Metric
		current  float64
		activity bool
		now      time.Time
		want     progress.Status
	}{
		{"MilestonesOnTrackAt35", phased, 35, true, mid, progress.OnTrack},
		{"StraightLineBehindAt35", straight, 35, true, mid, progress.Behind},
		{"MilestonesBehindAt20", phased, 20, true, mid, progress.Behind},     // gap 0.15
		{"MilestonesAtRiskAt5", phased, 5, true, mid, progress.AtRisk},       // gap 0.30
		{"LateMilestoneBehindAt50", phased, 50, true, late, progress.Behind}, // gap exactly 0.25
		{"LateMilestoneAtRiskAt45", phased, 45, true, late, progress.AtRisk}, // gap 0.30
		{"LateMilestoneOnTrackAt80", phased, 80, true, late, progress.OnTrack},
		{"MilestonesNotStartedWithoutActivity", phased, 0, false, mid, progress.NotStarted},
		{"StayBelowHoldsOnTrackAfterPeriod", below, 250, true, day(2026, 5, 1), progress.OnTrack},
		{"StayBelowAtThresholdOnTrack", below, 300, true, mid, progress.OnTrack},
		{"StayBelowBrokenAtRiskBeforePeriod", below, 320, true, day(2025, 12, 1), progress.AtRisk},
		{"StayBelowBrokenAtRisk", below, 400, true, mid, progress.AtRisk},
		{"StayBelowNotStartedWithoutActivity", below, 500, false, mid, progress.NotStarted},
		{"StayAboveHoldsOnTrack", above, 99.7, true, late, progress.OnTrack},
		{"StayAboveBrokenAtRisk", above, 99.4, true, q1Start, progress.AtRisk},
		{"DecreaseHalfWayAtMidPeriodOnTrack", progress.Metric{Goal: progress.Decrease, Start: 1500, Target: 800}, 1150, true, day(2026, 2, 15), progress.OnTrack},
		{"InvalidMetricCountsAsNoProgress", progress.Metric{Start: 5, Target: 5}, 5, true, mid, progress.AtRisk},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			expected := progress.ExpectedFor(tt.m, q1Start, q1End, tt.now)
			got := progress.MetricStatus(tt.m, tt.current, tt.activity, expected, def)
			if got != tt.want {
				t.Errorf("MetricStatus(%+v, %v) with expected %.4f = %q, want %q", tt.m, tt.current, expected, got, tt.want)
			}
		})
	}
}
