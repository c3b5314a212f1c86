package cairn_test

import (
	"testing"

	"github.com/cairn-okr/cairn"
	"github.com/cairn-okr/cairn/progress"
)

// TestTwoParentsWeighted70And30 pins the roll-up of docs/alignment.md for an item under two
// parents with weights 70 and 30, and a third parent with weight 0: under each parent,
// progress = Σ (weight × child progress) / Σ weight over the children counted there, the
// weight of an edge belonging to that edge. The clock stands half-way through the period,
// where the straight line expects 0.5.
//
// A key result, Shared, at 40 % counts 70 towards North, 30 towards South and 0 towards
// Zero; it counts with weight 1 towards its own objective, Home:
//
//	North = (70 × 0.40 + 30 × 1.00) / (70 + 30) = 58 / 100  = 0.58  (its own key result, weight 30, at 100 %)
//	South = (30 × 0.40 + 70 × 1.00) / (30 + 70) = 82 / 100  = 0.82  (its own key result, weight 70, at 100 %)
//	East  = (70 × 0.40 +  1 × 1.00) / (70 + 1)  = 29 / 71   ≈ 0.408 (its own key result, default weight 1, at 100 %)
//	Zero  = nothing counted: 0 and Not started, though Shared is active
//	Home  = 0.40
//
// An objective, Child, at 50 % (its one key result) counts 70 towards the roll-up key
// result RA, 30 towards RB and 0 towards RZ; each roll-up also has an initiative:
//
//	RA = (70 × 0.50 + 30 × 0.80) / (70 + 30) = 59 / 100 = 0.59  (initiative weight 30 at 80 %)
//	RB = (30 × 0.50 + 70 × 0.80) / (30 + 70) = 71 / 100 = 0.71  (initiative weight 70 at 80 %)
//	RZ = (1 × 0.20) / 1                            = 0.20  (initiative weight 1 at 20 %; Child not counted)
//	Parents, holding RA, RB and RZ with weight 1 each, = (0.59 + 0.71 + 0.20) / 3 = 0.50
func TestTwoParentsWeighted70And30(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, b *testBundle) {
		slug, viewer := b.org.Slug, b.as("viewer")
		weighted := func(w float64) func(*cairn.KeyResult) { return func(k *cairn.KeyResult) { k.Weight = w } }

		home := b.objective(t, "Home")
		north := b.objective(t, "North")
		south := b.objective(t, "South")
		east := b.objective(t, "East")
		zero := b.objective(t, "Zero")
		northOwn := b.keyResult(t, north.ID, "North's own", weighted(30))
		southOwn := b.keyResult(t, south.ID, "South's own", weighted(70))
		eastOwn := b.keyResult(t, east.ID, "East's own")
		shared := b.keyResult(t, home.ID, "Shared", func(k *cairn.KeyResult) {
			k.Parents = []cairn.Alignment{
				{Type: cairn.ItemObjective, ID: north.ID, Weight: 70},
				{Type: cairn.ItemObjective, ID: south.ID, Weight: 30},
				{Type: cairn.ItemObjective, ID: zero.ID, Weight: 0},
			}
		})
		// A second key result counts 70 towards East, which has its own key result with the
		// default weight 1: weights are not scaled, so 70 outweighs it seventy times.
		eastShared := b.keyResult(t, home.ID, "Shared with East", func(k *cairn.KeyResult) {
			k.Parents = []cairn.Alignment{{Type: cairn.ItemObjective, ID: east.ID, Weight: 70}}
		})
		for _, k := range []*cairn.KeyResult{northOwn, southOwn, eastOwn} {
			b.checkIn(t, "assignee", krRef(k.ID), 100)
		}
		b.checkIn(t, "assignee", krRef(shared.ID), 40)
		b.checkIn(t, "assignee", krRef(eastShared.ID), 40)

		parents := b.objective(t, "Parents")
		roll := func(title string) *cairn.KeyResult {
			return b.keyResult(t, parents.ID, title, func(k *cairn.KeyResult) { k.ProgressSource = cairn.SourceRollUp })
		}
		ra, rb, rz := roll("RA"), roll("RB"), roll("RZ")
		for _, c := range []struct {
			kr     *cairn.KeyResult
			weight float64
			value  float64
		}{{ra, 30, 80}, {rb, 70, 80}, {rz, 1, 20}} {
			i := b.initiative(t, krRef(c.kr.ID), "Work on "+c.kr.Title, func(i *cairn.Initiative) { i.Weight = c.weight })
			b.checkIn(t, "assignee", initRef(i.ID), c.value)
		}
		child := b.objective(t, "Child", func(o *cairn.Objective) {
			o.SetParents([]cairn.Alignment{
				{Type: cairn.ItemKeyResult, ID: ra.ID, Weight: 70},
				{Type: cairn.ItemKeyResult, ID: rb.ID, Weight: 30},
				{Type: cairn.ItemKeyResult, ID: rz.ID, Weight: 0},
			})
		})
		childOwn := b.keyResult(t, child.ID, "Child's own")
		b.checkIn(t, "assignee", krRef(childOwn.ID), 50)

		wantNear(t, "(70×0.40 + 30×1.00) / 100", (70*0.40+30*1.00)/100, 0.58)
		wantNear(t, "(30×0.40 + 70×1.00) / 100", (30*0.40+70*1.00)/100, 0.82)
		wantNear(t, "(70×0.40 + 1×1.00) / 71", (70*0.40+1*1.00)/71, 0.4084507042253521)
		wantNear(t, "(70×0.50 + 30×0.80) / 100", (70*0.50+30*0.80)/100, 0.59)
		wantNear(t, "(30×0.50 + 70×0.80) / 100", (30*0.50+70*0.80)/100, 0.71)

		for _, tc := range []struct {
			name   string
			ref    cairn.Ref
			want   float64
			status progress.Status
		}{
			{"North", objRef(north.ID), 0.58, progress.OnTrack},
			{"South", objRef(south.ID), 0.82, progress.OnTrack},
			{"East", objRef(east.ID), 29.0 / 71, progress.Behind},
			{"Zero", objRef(zero.ID), 0, progress.NotStarted},
			{"Home", objRef(home.ID), 0.40, progress.Behind},
			{"Child", objRef(child.ID), 0.50, progress.OnTrack},
			{"RA", krRef(ra.ID), 0.59, progress.OnTrack},
			{"RB", krRef(rb.ID), 0.71, progress.OnTrack},
			{"RZ", krRef(rz.ID), 0.20, progress.AtRisk},
			{"Parents", objRef(parents.ID), 0.50, progress.OnTrack},
		} {
			t.Run(tc.name, func(t *testing.T) {
				b.wantProgress(t, tc.name, tc.ref, tc.want, tc.status)
			})
		}

		t.Run("ReadBack", func(t *testing.T) {
			o, err := b.svc.Objective(viewer, slug, child.ID)
			must(t, err)
			want := []cairn.Alignment{{Type: cairn.ItemKeyResult, ID: ra.ID, Weight: 70}, {Type: cairn.ItemKeyResult, ID: rb.ID, Weight: 30}, {Type: cairn.ItemKeyResult, ID: rz.ID, Weight: 0}}
			if len(o.Parents) != 3 || o.Parents[0] != want[0] || o.Parents[1] != want[1] || o.Parents[2] != want[2] {
				t.Fatalf("Child's parents = %+v, want %+v", o.Parents, want)
			}
			if o.Parent == nil || *o.Parent != krRef(ra.ID) || o.Weight != 70 {
				t.Fatalf("Child's primary parent %v with weight %v, want RA with 70", o.Parent, o.Weight)
			}
		})

		t.Run("ReweightingMovesBothParents", func(t *testing.T) {
			// Shared now counts 30 towards North and 70 towards South:
			// North = (30×0.40 + 30×1.00) / 60 = 0.70; South = (70×0.40 + 70×1.00) / 140 = 0.70.
			_, err := b.svc.UpdateKeyResult(b.as("assignee"), slug, shared.ID, cairn.KeyResultUpdate{Parents: &[]cairn.Alignment{
				{Type: cairn.ItemObjective, ID: north.ID, Weight: 30},
				{Type: cairn.ItemObjective, ID: south.ID, Weight: 70},
			}})
			must(t, err)
			for _, c := range []struct {
				o    *cairn.Objective
				want float64
			}{{north, (30*0.40 + 30*1.00) / 60}, {south, (70*0.40 + 70*1.00) / 140}, {zero, 0}} {
				v, err := b.svc.Objective(viewer, slug, c.o.ID)
				must(t, err)
				wantNear(t, c.o.Title+" after reweighting", v.Progress, c.want)
			}
			wantNear(t, "0.70", (30*0.40+30*1.00)/60, 0.70)
		})
	})
}
