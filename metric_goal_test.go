package cairn_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/cairn-okr/cairn"
	"github.com/cairn-okr/cairn/progress"
)

func day(m time.Month, d int) cairn.Date { return cairn.Date{Year: 2026, Month: m, Day: d} }

// TestMetricGoals walks key results of each goal through check-ins and the clock, and
// checks the progress, status and trend every read of the Service shows. The period is
// Q2 2026 (91 days) and the clock starts half-way, where the straight line expects 0.5.
func TestMetricGoals(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, b *testBundle) {
		slug := b.org.Slug
		viewer := b.as("viewer")
		obj := b.objective(t, "Be fast and reliable")
		read := func(t *testing.T, id int64) *cairn.KeyResultView {
			t.Helper()
			v, err := b.svc.KeyResult(viewer, slug, id)
			must(t, err)
			return v
		}
		want := func(t *testing.T, id int64, p float64, st progress.Status) *cairn.KeyResultView {
			t.Helper()
			v := read(t, id)
			wantNear(t, "progress", v.Progress, p)
			if v.Status != st {
				t.Fatalf("status = %s, want %s (progress %v, expected %v)", v.Status, st, v.Progress, v.Expected)
			}
			return v
		}
		wantTrend := func(t *testing.T, v *cairn.KeyResultView, d progress.Direction, e progress.Effect, n int) {
			t.Helper()
			if v.Trend == nil || *v.Trend != (progress.Trend{Direction: d, Effect: e, Points: n}) {
				t.Fatalf("trend = %+v, want %s %s over %d", v.Trend, d, e, n)
			}
		}

		t.Run("Decrease1500To800At1150IsHalfWay", func(t *testing.T) {
			k := b.keyResult(t, obj.ID, "Page load", func(k *cairn.KeyResult) {
				k.Metric = cairn.Metric{Kind: cairn.MetricNumber, Goal: cairn.GoalDecrease, Start: 1500, Target: 800, Unit: "ms"}
			})
			b.checkIn(t, "assignee", krRef(k.ID), 1150)
			v := want(t, k.ID, 0.5, progress.OnTrack)
			if v.Metric.Goal != cairn.GoalDecrease || v.Trend != nil {
				t.Fatalf("goal %q and trend %+v after one check-in", v.Metric.Goal, v.Trend)
			}
		})

		t.Run("StayBelowFromOnTrackToAtRisk", func(t *testing.T) {
			defer b.clock.Set(midQ2)
			k := b.keyResult(t, obj.ID, "p95 latency stays below 300 ms", func(k *cairn.KeyResult) {
				k.Metric = cairn.Metric{Kind: cairn.MetricNumber, Goal: cairn.GoalStayBelow, Start: 500, Target: 300, Unit: "ms"}
			})
			want(t, k.ID, 0, progress.NotStarted)
			b.checkIn(t, "assignee", krRef(k.ID), 250)
			want(t, k.ID, 1, progress.OnTrack)
			b.checkIn(t, "assignee", krRef(k.ID), 300) // the threshold itself holds
			v := want(t, k.ID, 1, progress.OnTrack)
			wantTrend(t, v, progress.Up, progress.Worse, 2)
			b.checkIn(t, "assignee", krRef(k.ID), 400) // broken: half-way between ceiling and threshold
			v = want(t, k.ID, 0.5, progress.AtRisk)
			wantTrend(t, v, progress.Up, progress.Worse, 3)
			b.clock.Set(time.Date(2026, 4, 2, 0, 0, 0, 0, time.UTC)) // early in the period: still at risk
			want(t, k.ID, 0.5, progress.AtRisk)
			b.clock.Set(time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)) // period over: holding is on track
			b.checkIn(t, "assignee", krRef(k.ID), 280)
			v = want(t, k.ID, 1, progress.OnTrack)
			wantTrend(t, v, progress.Down, progress.Better, 3) // 300 → 400 → 280
		})

		t.Run("StayAboveHoldsAndBreaks", func(t *testing.T) {
			k := b.keyResult(t, obj.ID, "Availability stays above 99.5 %", func(k *cairn.KeyResult) {
				k.Metric = cairn.Metric{Kind: cairn.MetricPercentage, Goal: cairn.GoalStayAbove, Start: 95, Target: 99.5, Unit: "%"}
			})
			b.checkIn(t, "assignee", krRef(k.ID), 99.9)
			want(t, k.ID, 1, progress.OnTrack)
			b.checkIn(t, "assignee", krRef(k.ID), 97.25)
			v := want(t, k.ID, 0.5, progress.AtRisk)
			wantTrend(t, v, progress.Down, progress.Worse, 2)
		})

		t.Run("BaselinePendingThenFirstCheckIn", func(t *testing.T) {
			k := b.keyResult(t, obj.ID, "Checkout time", func(k *cairn.KeyResult) {
				k.Metric = cairn.Metric{Kind: cairn.MetricNumber, Goal: cairn.GoalDecrease, Target: 800, Unit: "ms", BaselinePending: true}
			})
			v := want(t, k.ID, 0, progress.NotStarted)
			if !v.Metric.BaselinePending {
				t.Fatal("the baseline is not pending")
			}
			raw, err := json.Marshal(v)
			must(t, err)
			if !strings.Contains(string(raw), `"start":null`) || !strings.Contains(string(raw), `"baseline_pending":true`) {
				t.Fatalf("JSON of a pending baseline: %s", raw)
			}
			err = b.svc.CheckIn(b.as("assignee"), slug, &cairn.CheckIn{Item: krRef(k.ID), Value: 800})
			wantField(t, err, "value")
			want(t, k.ID, 0, progress.NotStarted)

			b.checkIn(t, "assignee", krRef(k.ID), 1500) // the baseline: no progress yet, half the period gone
			v = want(t, k.ID, 0, progress.AtRisk)
			if v.Metric.BaselinePending || v.Metric.Start != 1500 || v.Metric.Current != 1500 {
				t.Fatalf("after the first check-in the metric is %+v", v.Metric)
			}
			b.checkIn(t, "assignee", krRef(k.ID), 1150)
			v = want(t, k.ID, 0.5, progress.OnTrack)
			wantTrend(t, v, progress.Down, progress.Better, 2)
		})

		t.Run("MilestonesSetTheExpectedLine", func(t *testing.T) {
			defer b.clock.Set(midQ2)
			// Due by the end of 30 April, 31 May and 30 June: the corners of the line are
			// 1 May (30 days in), 1 June (31 days later) and 1 July (30 more).
			k := b.keyResult(t, obj.ID, "Accounts migrated", func(k *cairn.KeyResult) {
				k.Metric = cairn.Metric{Kind: cairn.MetricPercentage, Start: 0, Target: 100, Unit: "%", Milestones: []cairn.Milestone{
					{Date: day(4, 30), Value: 20}, {Date: day(5, 31), Value: 50}, {Date: day(6, 30), Value: 100}}}
			})
			b.checkIn(t, "assignee", krRef(k.ID), 35)
			// 16 May noon is 15.5 of the 31 days from 20 % to 50 %: 0.2 + 0.5 × 0.3 = 0.35.
			v := want(t, k.ID, 0.35, progress.OnTrack) // the straight line (0.5) would say Behind
			wantNear(t, "expected", v.Expected, 0.35)
			b.checkIn(t, "assignee", krRef(k.ID), 20)
			want(t, k.ID, 0.2, progress.Behind) // 0.15 short
			b.clock.Set(time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC))
			v = want(t, k.ID, 0.2, progress.OnTrack) // the first milestone is due and met
			wantNear(t, "expected at the first milestone", v.Expected, 0.2)
			b.clock.Set(time.Date(2026, 6, 16, 0, 0, 0, 0, time.UTC)) // 15 of 30 days to 100 %: 0.75
			want(t, k.ID, 0.2, progress.AtRisk)                       // 0.55 short
			b.checkIn(t, "assignee", krRef(k.ID), 50)
			v = want(t, k.ID, 0.5, progress.Behind) // 0.25 short: the at-risk gap itself
			wantNear(t, "expected late in the period", v.Expected, 0.75)
		})
	})
}

// TestMetricGoalValidation checks that goals, baselines and milestones are refused field by
// field, on create and on change.
func TestMetricGoalValidation(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, b *testBundle) {
		slug := b.org.Slug
		obj := b.objective(t, "Be fast")
		ms := func(pairs ...any) []cairn.Milestone {
			var out []cairn.Milestone
			for i := 0; i < len(pairs); i += 2 {
				out = append(out, cairn.Milestone{Date: pairs[i].(cairn.Date), Value: pairs[i+1].(float64)})
			}
			return out
		}
		for _, tc := range []struct {
			name  string
			m     cairn.Metric
			field string
		}{
			{"ErrInvalidGoalUnknown", cairn.Metric{Goal: "sideways", Start: 0, Target: 10}, "metric.goal"},
			{"ErrInvalidIncreaseGoingDown", cairn.Metric{Goal: cairn.GoalIncrease, Start: 1500, Target: 800}, "metric.target"},
			{"ErrInvalidDecreaseGoingUp", cairn.Metric{Goal: cairn.GoalDecrease, Start: 800, Target: 1500}, "metric.target"},
			{"ErrInvalidStayBelowCeilingUnderThreshold", cairn.Metric{Goal: cairn.GoalStayBelow, Start: 200, Target: 300}, "metric.start"},
			{"ErrInvalidStayAboveFloorOverThreshold", cairn.Metric{Goal: cairn.GoalStayAbove, Start: 100, Target: 99.5}, "metric.start"},
			{"ErrInvalidBaselinePendingWithoutGoal", cairn.Metric{Target: 10, BaselinePending: true}, "metric.goal"},
			{"ErrInvalidBaselinePendingForControlGoal", cairn.Metric{Goal: cairn.GoalStayBelow, Target: 300, BaselinePending: true}, "metric.baseline_pending"},
			{"ErrInvalidMilestonesForControlGoal", cairn.Metric{Goal: cairn.GoalStayBelow, Start: 500, Target: 300,
				Milestones: ms(day(5, 1), 400.0)}, "metric.milestones"},
			{"ErrInvalidMilestoneAfterPeriod", cairn.Metric{Start: 0, Target: 100, Milestones: ms(day(7, 15), 50.0)}, "metric.milestones[0].date"},
			{"ErrInvalidMilestoneBeforePeriod", cairn.Metric{Start: 0, Target: 100, Milestones: ms(day(3, 31), 10.0)}, "metric.milestones[0].date"},
			{"ErrInvalidMilestonesNotInDateOrder", cairn.Metric{Start: 0, Target: 100, Milestones: ms(day(5, 31), 50.0, day(4, 30), 60.0)}, "metric.milestones[1].date"},
			{"ErrInvalidMilestonesSameDate", cairn.Metric{Start: 0, Target: 100, Milestones: ms(day(5, 1), 20.0, day(5, 1), 30.0)}, "metric.milestones[1].date"},
			{"ErrInvalidMilestoneGoesBack", cairn.Metric{Start: 0, Target: 100, Milestones: ms(day(4, 30), 50.0, day(5, 31), 20.0)}, "metric.milestones[1].value"},
			{"ErrInvalidDecreaseMilestoneGoesBack", cairn.Metric{Start: 1500, Target: 800, Milestones: ms(day(4, 30), 1200.0, day(5, 31), 1300.0)}, "metric.milestones[1].value"},
			{"ErrInvalidMilestonePastTarget", cairn.Metric{Start: 0, Target: 100, Milestones: ms(day(5, 1), 120.0)}, "metric.milestones[0].value"},
			{"ErrInvalidLastDayMilestoneShortOfTarget", cairn.Metric{Start: 0, Target: 100, Milestones: ms(day(6, 30), 90.0)}, "metric.milestones[0].value"},
			{"ErrInvalidMilestoneWithoutDate", cairn.Metric{Start: 0, Target: 100, Milestones: []cairn.Milestone{{Value: 10}}}, "metric.milestones[0].date"},
		} {
			t.Run("Create/"+tc.name, func(t *testing.T) {
				tc.m.Kind = cairn.MetricNumber
				k := &cairn.KeyResult{ObjectiveID: obj.ID, Title: "Latency", Metric: tc.m}
				wantField(t, b.svc.CreateKeyResult(b.as("owner"), slug, k), tc.field)
			})
		}
		t.Run("Create/InitiativeStayAbove", func(t *testing.T) {
			i := &cairn.Initiative{Parent: objRef(obj.ID), Title: "Keep it up", ProgressMode: cairn.ModeMetric,
				Metric: &cairn.Metric{Kind: cairn.MetricNumber, Goal: cairn.GoalStayAbove, Start: 0, Target: 10}}
			wantField(t, b.svc.CreateInitiative(b.as("owner"), slug, i), "metric.goal")
		})

		pending := b.keyResult(t, obj.ID, "Pending", func(k *cairn.KeyResult) {
			k.Metric = cairn.Metric{Kind: cairn.MetricNumber, Goal: cairn.GoalIncrease, Target: 100, BaselinePending: true}
		})
		measured := b.keyResult(t, obj.ID, "Measured")
		b.checkIn(t, "assignee", krRef(measured.ID), 10)
		yes, no := true, false
		for _, tc := range []struct {
			name  string
			id    int64
			up    cairn.MetricUpdate
			field string
		}{
			{"ErrInvalidStartWhileBaselinePending", pending.ID, cairn.MetricUpdate{Start: new(5.0)}, "metric.start"},
			{"ErrInvalidBaselineNoLongerPendingWithoutStart", pending.ID, cairn.MetricUpdate{BaselinePending: &no}, "metric.start"},
			{"ErrInvalidBaselinePendingAfterCheckIns", measured.ID, cairn.MetricUpdate{BaselinePending: &yes}, "metric.baseline_pending"},
			{"ErrInvalidGoalUnknown", measured.ID, cairn.MetricUpdate{Goal: new(cairn.MetricGoal("up"))}, "metric.goal"},
			{"ErrInvalidMilestoneAfterPeriod", measured.ID, cairn.MetricUpdate{Milestones: &[]cairn.Milestone{{Date: day(8, 1), Value: 50}}}, "metric.milestones[0].date"},
		} {
			t.Run("Update/"+tc.name, func(t *testing.T) {
				_, err := b.svc.UpdateKeyResult(b.as("assignee"), slug, tc.id, cairn.KeyResultUpdate{Metric: &tc.up})
				wantField(t, err, tc.field)
			})
		}

		t.Run("Update/GoalFollowsTheNumbers", func(t *testing.T) {
			k := b.keyResult(t, obj.ID, "Flip")
			v, err := b.svc.UpdateKeyResult(b.as("assignee"), slug, k.ID, cairn.KeyResultUpdate{Metric: &cairn.MetricUpdate{Start: new(100.0), Target: new(40.0)}})
			must(t, err)
			if v.Metric.Goal != cairn.GoalDecrease {
				t.Fatalf("goal after start 100 and target 40 = %q, want decrease", v.Metric.Goal)
			}
		})
		t.Run("Update/BaselineGivenUp", func(t *testing.T) {
			v, err := b.svc.UpdateKeyResult(b.as("assignee"), slug, pending.ID, cairn.KeyResultUpdate{Metric: &cairn.MetricUpdate{BaselinePending: &no, Start: new(20.0)}})
			must(t, err)
			if v.Metric.BaselinePending || v.Metric.Start != 20 || v.Metric.Current != 20 || v.Status != progress.NotStarted {
				t.Fatalf("after giving the start: %+v, %s", v.Metric, v.Status)
			}
		})
		t.Run("Update/ControlGoal", func(t *testing.T) {
			v, err := b.svc.UpdateKeyResult(b.as("assignee"), slug, measured.ID, cairn.KeyResultUpdate{Metric: &cairn.MetricUpdate{
				Goal: new(cairn.GoalStayBelow), Start: new(50.0), Target: new(20.0)}})
			must(t, err)
			if v.Status != progress.OnTrack || v.Progress != 1 { // 10 is below 20
				t.Fatalf("stay_below 20 at 10: progress %v, status %s", v.Progress, v.Status)
			}
		})
	})
}
