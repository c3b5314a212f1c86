package cairn_test

import (
	"testing"

	"github.com/cairn-okr/cairn"
	"github.com/cairn-okr/cairn/progress"
)

// TestPendingBaselineInARollUp pins the rule of docs/progress.md for parents: "a child whose
// baseline is pending counts with progress 0 and does not make its parent active". The
// period is Q2 2026 and the clock stands half-way, so the straight line expects 0.5 and the
// at-risk gap is the default 0.25.
//
//   - Mixed holds Pending (weight 3) and Measured at 60 % (weight 1):
//     (3×0 + 1×0.60) / (3 + 1) = 0.15, 0.35 short of 0.5: At risk. Left out, Pending would
//     make it 0.60 and On track.
//   - Alone holds Pending only: 0 and Not started, not At risk.
//   - Roll-up (a key result that rolls up) counts Pending, aligned with weight 2, and an
//     initiative at 80 % (weight 1): (2×0 + 1×0.80) / 3 = 0.2666…, 0.2333… short: Behind.
//   - Roll-up alone counts Pending only (weight 2): 0 and Not started.
//
// Once the baseline is measured (the first check-in, 1500 ms towards 800 ms) Pending is 0 %
// and active, so Alone turns At risk at 0; at 1150 ms it is 50 % and Alone On track.
func TestPendingBaselineInARollUp(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, b *testBundle) {
		slug, viewer := b.org.Slug, b.as("viewer")
		mixed := b.objective(t, "Mixed")
		alone := b.objective(t, "Alone")
		home := b.objective(t, "Home of the roll-ups")
		rollUp := b.keyResult(t, home.ID, "Roll-up", func(k *cairn.KeyResult) { k.ProgressSource = cairn.SourceRollUp })
		rollUpAlone := b.keyResult(t, home.ID, "Roll-up alone", func(k *cairn.KeyResult) { k.ProgressSource = cairn.SourceRollUp })

		pendingMetric := cairn.Metric{Kind: cairn.MetricNumber, Goal: cairn.GoalDecrease, Target: 800, Unit: "ms", BaselinePending: true}
		pending := b.keyResult(t, mixed.ID, "Checkout time", func(k *cairn.KeyResult) {
			k.Metric, k.Weight = pendingMetric, 3
			k.Parents = []cairn.Alignment{{Type: cairn.ItemKeyResult, ID: rollUp.ID, Weight: 2}}
		})
		measured := b.keyResult(t, mixed.ID, "Measured")
		b.checkIn(t, "assignee", krRef(measured.ID), 60)
		pendingAlone := b.keyResult(t, alone.ID, "Page load", func(k *cairn.KeyResult) {
			k.Metric = pendingMetric
			k.Parents = []cairn.Alignment{{Type: cairn.ItemKeyResult, ID: rollUpAlone.ID, Weight: 2}}
		})
		ini := b.initiative(t, krRef(rollUp.ID), "Interviews")
		b.checkIn(t, "assignee", initRef(ini.ID), 80)

		wantObjective := func(t *testing.T, o *cairn.Objective, p float64, st progress.Status) {
			t.Helper()
			got := b.wantProgress(t, o.Title, objRef(o.ID), p, st)
			// The period's list evaluates the same graph the same way.
			list, err := b.svc.ListObjectives(viewer, slug, cairn.ObjectiveQuery{PeriodID: b.period.ID})
			must(t, err)
			for _, l := range list {
				if l.ID == o.ID && (l.Status != st || l.Progress != got) {
					t.Fatalf("%s in the list: %v %s, want %v %s", o.Title, l.Progress, l.Status, got, st)
				}
			}
		}
		wantKeyResult := func(t *testing.T, k *cairn.KeyResult, p float64, st progress.Status) {
			t.Helper()
			b.wantProgress(t, k.Title, krRef(k.ID), p, st)
		}

		t.Run("WhilePending", func(t *testing.T) {
			wantKeyResult(t, pending, 0, progress.NotStarted)
			wantKeyResult(t, pendingAlone, 0, progress.NotStarted)
			wantNear(t, "(3×0 + 1×0.60) / 4", (3*0+1*0.60)/4, 0.15)
			wantObjective(t, mixed, 0.15, progress.AtRisk)
			wantObjective(t, alone, 0, progress.NotStarted)
			wantNear(t, "(2×0 + 1×0.80) / 3", (2*0+1*0.80)/3, 0.26666666666666666)
			wantKeyResult(t, rollUp, 0.8/3, progress.Behind)
			wantKeyResult(t, rollUpAlone, 0, progress.NotStarted)
			// Home holds both roll-ups with weight 1: (0.2666… + 0) / 2; the active one
			// makes it active.
			wantObjective(t, home, 0.4/3, progress.AtRisk)
		})

		t.Run("BaselineMeasured", func(t *testing.T) {
			b.checkIn(t, "assignee", krRef(pendingAlone.ID), 1500)
			wantKeyResult(t, pendingAlone, 0, progress.AtRisk)
			wantObjective(t, alone, 0, progress.AtRisk)
			wantKeyResult(t, rollUpAlone, 0, progress.AtRisk)
			b.checkIn(t, "assignee", krRef(pendingAlone.ID), 1150) // (1150 − 1500) / (800 − 1500)
			wantKeyResult(t, pendingAlone, 0.5, progress.OnTrack)
			wantObjective(t, alone, 0.5, progress.OnTrack)
			wantKeyResult(t, rollUpAlone, 0.5, progress.OnTrack)
			// The other pending key result is still pending: Mixed has not moved.
			wantObjective(t, mixed, 0.15, progress.AtRisk)
		})
	})
}
