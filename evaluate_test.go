package cairn_test

import (
	"testing"
	"time"

	"github.com/cairn-okr/cairn"
	"github.com/cairn-okr/cairn/progress"
)

// TestProgress checks that progress and status, computed from check-ins, weights and
// alignments, are what every read of the Service shows, against the organization's
// threshold and the injected clock.
func TestProgress(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, b *testBundle) {
		slug := b.org.Slug
		viewer := b.as("viewer")

		// parent has a roll-up key result; obj and churn are aligned to it.
		parent := b.objective(t, "Grow")
		rollUp := b.keyResult(t, parent.ID, "Everything below", func(k *cairn.KeyResult) { k.ProgressSource = cairn.SourceRollUp })
		under := func(o *cairn.Objective) { o.Parent = new(krRef(rollUp.ID)) }
		obj := b.objective(t, "Delight customers", under)
		k1 := b.keyResult(t, obj.ID, "Reviews", func(k *cairn.KeyResult) { k.Metric.Target = 200 })
		k2 := b.keyResult(t, obj.ID, "Adoption", func(k *cairn.KeyResult) { k.Metric.Kind, k.Weight = cairn.MetricPercentage, 2 })
		i1 := b.initiative(t, objRef(obj.ID), "Interviews")
		aside := b.initiative(t, objRef(obj.ID), "Side project", func(i *cairn.Initiative) { i.Contributes = false })
		churn := b.objective(t, "Keep customers", under, func(o *cairn.Objective) { o.Weight = 3 })
		// A decreasing metric: churn from 10 % down to 4 %.
		k3 := b.keyResult(t, churn.ID, "Churn", func(k *cairn.KeyResult) {
			k.Metric = cairn.Metric{Kind: cairn.MetricPercentage, Start: 10, Target: 4}
		})

		type want struct {
			progress float64
			status   progress.Status
		}
		check := func(t *testing.T, wants map[cairn.Ref]want) {
			t.Helper()
			for r, w := range wants {
				var got want
				switch r.Type {
				case cairn.ItemObjective:
					v, err := b.svc.Objective(viewer, slug, r.ID)
					must(t, err)
					got = want{v.Progress, v.Status}
				case cairn.ItemKeyResult:
					v, err := b.svc.KeyResult(viewer, slug, r.ID)
					must(t, err)
					got = want{v.Progress, v.Status}
				case cairn.ItemInitiative:
					v, err := b.svc.Initiative(viewer, slug, r.ID)
					must(t, err)
					got = want{v.Progress, v.Status}
				}
				wantNear(t, string(r.Type)+" progress", got.progress, w.progress)
				if got.status != w.status {
					t.Fatalf("%s %d status = %s, want %s", r.Type, r.ID, got.status, w.status)
				}
			}
		}

		t.Run("NotStartedBeforeCheckIns", func(t *testing.T) {
			check(t, map[cairn.Ref]want{
				objRef(parent.ID): {0, progress.NotStarted}, krRef(rollUp.ID): {0, progress.NotStarted},
				objRef(obj.ID): {0, progress.NotStarted}, krRef(k1.ID): {0, progress.NotStarted},
				initRef(i1.ID): {0, progress.NotStarted},
			})
		})

		b.checkIn(t, "assignee", krRef(k1.ID), 40)       // 0.2: 0.3 short of the expected 0.5
		b.checkIn(t, "assignee", krRef(k2.ID), 40)       // 0.4
		b.checkIn(t, "assignee", initRef(i1.ID), 80)     // 0.8
		b.checkIn(t, "assignee", initRef(aside.ID), 100) // counts for nothing
		b.checkIn(t, "assignee", krRef(k3.ID), 7)        // half-way from 10 down to 4
		const (
			objP    = (0.2*1 + 0.4*2 + 0.8*1) / 4 // 0.45
			rollUpP = (objP*1 + 0.5*3) / 4
		)

		t.Run("RollUpAfterCheckIns", func(t *testing.T) {
			check(t, map[cairn.Ref]want{
				krRef(k1.ID):      {0.2, progress.AtRisk},
				krRef(k2.ID):      {0.4, progress.Behind},
				initRef(i1.ID):    {0.8, progress.OnTrack},
				initRef(aside.ID): {1, progress.OnTrack},
				objRef(obj.ID):    {objP, progress.Behind},
				krRef(k3.ID):      {0.5, progress.OnTrack},
				objRef(churn.ID):  {0.5, progress.OnTrack},
				krRef(rollUp.ID):  {rollUpP, progress.Behind},
				objRef(parent.ID): {rollUpP, progress.Behind},
			})
		})
		t.Run("ListsAndTreeAgree", func(t *testing.T) {
			list, err := b.svc.ListObjectives(viewer, slug, cairn.ObjectiveQuery{PeriodID: b.period.ID})
			must(t, err)
			got := map[int64]float64{}
			for _, o := range list {
				got[o.ID] = o.Progress
			}
			wantNear(t, "listed parent", got[parent.ID], rollUpP)
			wantNear(t, "listed objective", got[obj.ID], objP)

			behind, err := b.svc.ListObjectives(viewer, slug, cairn.ObjectiveQuery{Status: string(progress.Behind)})
			must(t, err)
			if len(behind) != 2 || behind[0].ID != parent.ID || behind[1].ID != obj.ID {
				t.Fatalf("behind = %v, want objectives %d and %d", behind, parent.ID, obj.ID)
			}

			krs, err := b.svc.ListKeyResults(viewer, slug, obj.ID, 0)
			must(t, err)
			if len(krs) != 2 || krs[0].ID != k1.ID || krs[0].Metric.Current != 40 {
				t.Fatalf("key results of the objective = %v", krs)
			}
			wantNear(t, "listed key result", krs[1].Progress, 0.4)

			inits, err := b.svc.ListInitiatives(viewer, slug, new(objRef(obj.ID)))
			must(t, err)
			if len(inits) != 2 || inits[0].Current != 80 {
				t.Fatalf("initiatives of the objective = %v", inits)
			}
			wantNear(t, "listed initiative", inits[0].Progress, 0.8)

			tree, err := b.svc.ObjectiveTree(viewer, slug, parent.ID)
			must(t, err)
			wantNear(t, "tree root", tree.Progress, rollUpP)
			if len(tree.KeyResults) != 1 || len(tree.KeyResults[0].Children) != 2 {
				t.Fatalf("the roll-up key result should hold both aligned objectives: %+v", tree.KeyResults)
			}
			child := tree.KeyResults[0].Children[0]
			wantNear(t, "tree child", child.Progress, objP)
			if child.Status != progress.Behind || len(child.KeyResults) != 2 || len(child.Initiatives) != 2 {
				t.Fatalf("tree child = %+v", child)
			}

			chain, err := b.svc.AlignmentChain(ctx, b.org.ID, initRef(i1.ID))
			must(t, err)
			if len(chain) != 4 || chain[3].ID != parent.ID {
				t.Fatalf("chain = %+v", chain)
			}
			wantNear(t, "chain's roll-up key result", chain[2].Progress, rollUpP)
		})
		t.Run("ErrConflictCheckInOnRollUp", func(t *testing.T) {
			wantCode(t, b.svc.CheckIn(b.as("owner"), slug, &cairn.CheckIn{Item: krRef(rollUp.ID), Value: 1}), cairn.ECONFLICT)
		})
		t.Run("ThresholdFromOrg", func(t *testing.T) {
			gap := 0.35
			_, err := b.svc.UpdateOrg(b.as("admin"), slug, cairn.OrgUpdate{AtRiskGap: &gap})
			must(t, err)
			check(t, map[cairn.Ref]want{krRef(k1.ID): {0.2, progress.Behind}})
		})
		t.Run("StatusFollowsClock", func(t *testing.T) {
			defer b.clock.Set(midQ2)
			b.clock.Set(time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)) // the period is over: expected 1
			check(t, map[cairn.Ref]want{
				objRef(obj.ID):   {objP, progress.AtRisk},
				initRef(i1.ID):   {0.8, progress.Behind},
				objRef(churn.ID): {0.5, progress.AtRisk},
			})
			b.clock.Set(time.Date(2026, 3, 31, 0, 0, 0, 0, time.UTC)) // before it starts: expected 0
			check(t, map[cairn.Ref]want{krRef(k1.ID): {0.2, progress.OnTrack}, objRef(parent.ID): {rollUpP, progress.OnTrack}})
		})
		t.Run("DeletedChildLeavesRollUp", func(t *testing.T) {
			must(t, b.svc.DeleteKeyResult(b.as("assignee"), slug, k1.ID))
			check(t, map[cairn.Ref]want{objRef(obj.ID): {(0.4*2 + 0.8) / 3, progress.OnTrack}})
		})
	})
}
