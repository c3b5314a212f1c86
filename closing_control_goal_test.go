package cairn_test

import (
	"testing"

	"github.com/cairn-okr/cairn"
	"github.com/cairn-okr/cairn/progress"
)

// TestCloseAndCarryForwardControlGoals closes a period holding key results with control goals
// (docs/progress.md) and carries the unfinished ones forward. The score is the progress
// capped at 1 and the closing status the one the score suggests (0.7 and above achieved, 0.3
// and above partially achieved, lower missed):
//
//	"p95 stays below 300 ms", ceiling 500, at 400 ms: (400 − 500) / (300 − 500) = 0.5, partially achieved
//	the same at 650 ms, past the ceiling:              clamped to 0,                   missed
//	"availability stays above 99.5 %", floor 95, at 98.6 %: (98.6 − 95) / (99.5 − 95) = 0.8, achieved
//	the same at 99.5 %, the threshold itself:          holds, 1,                        achieved
//	"p95 stays below 300 ms" at 250 ms:                holds, 1,                        achieved
//
// The three that do not hold are carried forward; those that hold are finished. A control
// goal's start is its floor or ceiling, a choice rather than a measurement, so the copy keeps
// the original's goal, start and threshold (target), and starts with no value of its own:
// its current value is the start, as on a new key result, and it has not started.
func TestCloseAndCarryForwardControlGoals(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, b *testBundle) {
		slug, admin := b.org.Slug, b.as("admin")
		q3 := b.nextQuarter(t)
		obj := b.objective(t, "Reliable checkout")
		below := cairn.Metric{Kind: cairn.MetricNumber, Goal: cairn.GoalStayBelow, Start: 500, Target: 300, Unit: "ms"}
		above := cairn.Metric{Kind: cairn.MetricPercentage, Goal: cairn.GoalStayAbove, Start: 95, Target: 99.5, Unit: "%"}
		type row struct {
			title    string
			metric   cairn.Metric
			value    float64
			progress float64
			status   progress.Status
			score    float64
			closing  progress.ClosingStatus
			carried  bool
			kr       *cairn.KeyResult
		}
		rows := []*row{
			{title: "p95 at 400 ms", metric: below, value: 400, progress: 0.5, status: progress.AtRisk, score: 0.5, closing: progress.PartiallyAchieved, carried: true},
			{title: "p95 past the ceiling", metric: below, value: 650, progress: 0, status: progress.AtRisk, score: 0, closing: progress.Missed, carried: true},
			{title: "Availability at 98.6 %", metric: above, value: 98.6, progress: 0.8, status: progress.AtRisk, score: 0.8, closing: progress.Achieved, carried: true},
			{title: "Availability at the threshold", metric: above, value: 99.5, progress: 1, status: progress.OnTrack, score: 1, closing: progress.Achieved},
			{title: "p95 holding", metric: below, value: 250, progress: 1, status: progress.OnTrack, score: 1, closing: progress.Achieved},
		}
		for _, r := range rows {
			r.kr = b.keyResult(t, obj.ID, r.title, func(k *cairn.KeyResult) { k.Metric = r.metric })
			b.checkIn(t, "assignee", krRef(r.kr.ID), r.value)
			b.wantProgress(t, r.title+" before the close", krRef(r.kr.ID), r.progress, r.status)
		}
		// The objective is their plain average: (0.5 + 0 + 0.8 + 1 + 1) / 5 = 0.66, partially achieved.
		const objectiveScore = (0.5 + 0 + 0.8 + 1 + 1) / 5
		wantNear(t, "objective score", objectiveScore, 0.66)

		closed, err := b.svc.ClosePeriodWith(admin, slug, b.period.ID, cairn.PeriodClose{CarryForwardTo: q3.ID})
		must(t, err)
		for _, r := range rows {
			v := b.keyResultView(t, r.kr.ID)
			wantClosing(t, r.title, v.Score, v.ClosingStatus, r.score, r.closing)
			if v.Metric.Start != r.metric.Start || v.Metric.Target != r.metric.Target || v.Metric.Current != r.value {
				t.Fatalf("%s: the original's metric changed with the close: %+v", r.title, v.Metric)
			}
			if (v.CarriedToID != nil) != r.carried {
				t.Fatalf("%s: carried to %v, want carried %v", r.title, v.CarriedToID, r.carried)
			}
		}
		o, err := b.svc.Objective(admin, slug, obj.ID)
		must(t, err)
		wantClosing(t, "objective", o.Score, o.ClosingStatus, objectiveScore, progress.PartiallyAchieved)

		if len(closed.Carried) != 3 {
			t.Fatalf("carried %d key results, want the 3 that do not hold", len(closed.Carried))
		}
		for i, r := range rows[:3] {
			cf := closed.Carried[i]
			if cf.From.ID != r.kr.ID {
				t.Fatalf("carried %d is key result %d, want %s (%d)", i, cf.From.ID, r.title, r.kr.ID)
			}
			c := b.keyResultView(t, cf.Copy.ID)
			m := c.Metric
			if m.Goal != r.metric.Goal || m.Start != r.metric.Start || m.Target != r.metric.Target || m.Current != r.metric.Start || m.BaselinePending {
				t.Fatalf("%s: copy's metric = goal %s, start %v, target %v, current %v; want goal %s, start %v, target %v, current %v",
					r.title, m.Goal, m.Start, m.Target, m.Current, r.metric.Goal, r.metric.Start, r.metric.Target, r.metric.Start)
			}
			if c.Progress != 0 || c.Status != progress.NotStarted || c.Score != nil || c.ClosingStatus != "" || c.LastCheckInAt != nil {
				t.Fatalf("%s: copy has progress %v, status %s, score %v, closing status %q, last check-in %v",
					r.title, c.Progress, c.Status, c.Score, c.ClosingStatus, c.LastCheckInAt)
			}
		}

		t.Run("CopyMeasuresAgainstTheSameCeiling", func(t *testing.T) {
			// 400 ms against the ceiling of 500 is half-way, as it was in Q2; against a
			// ceiling moved to the last value it would be 0.
			copyOfBelow := closed.Carried[0].Copy.ID
			b.checkIn(t, "assignee", krRef(copyOfBelow), 400)
			v := b.keyResultView(t, copyOfBelow)
			wantNear(t, "copy at 400 ms", v.Progress, 0.5)
			if v.Status != progress.AtRisk {
				t.Fatalf("copy at 400 ms: status %s, want at_risk", v.Status)
			}
			b.checkIn(t, "assignee", krRef(copyOfBelow), 300)
			v = b.keyResultView(t, copyOfBelow)
			wantNear(t, "copy at the threshold", v.Progress, 1)
			copyOfAbove := closed.Carried[2].Copy.ID
			b.checkIn(t, "assignee", krRef(copyOfAbove), 97.25) // (97.25 − 95) / 4.5
			wantNear(t, "copy at 97.25 %", b.keyResultView(t, copyOfAbove).Progress, 0.5)
		})
	})
}
