package cairn_test

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/cairn-okr/cairn"
)

// TestWeightedAlignment pins the roll-up over weighted alignments: a key result at 40 %
// counts 0.7 towards North and 0.3 towards South; North also has a key result of its own at
// 100 % with weight 1, so North = (0.7×40 % + 1×100 %) / (0.7 + 1) = 1.28 / 1.7. South has
// nothing else, so South = 0.3×40 % / 0.3 = 40 %. An alignment of weight 0 is shown and not
// counted, and a parent given without a weight gets the default, 1.
func TestWeightedAlignment(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, b *testBundle) {
		slug, viewer := b.org.Slug, b.as("viewer")
		home := b.objective(t, "Home")
		north := b.objective(t, "North")
		south := b.objective(t, "South")
		zero := b.objective(t, "Zero")
		equal := b.objective(t, "Equal")
		own := b.keyResult(t, north.ID, "North's own")
		zeroOwn := b.keyResult(t, zero.ID, "Zero's own")
		equalOwn := b.keyResult(t, equal.ID, "Equal's own")
		shared := b.keyResult(t, home.ID, "Shared", func(k *cairn.KeyResult) {
			k.Parents = []cairn.Alignment{
				{Type: cairn.ItemObjective, ID: north.ID, Weight: 0.7},
				{Type: cairn.ItemObjective, ID: south.ID, Weight: 0.3},
				{Type: cairn.ItemObjective, ID: zero.ID, Weight: 0},
			}
		})
		// A parent sent as JSON without a weight counts with the default weight 1.
		var noWeight []cairn.Alignment
		must(t, json.Unmarshal([]byte(`[{"type":"objective","id":`+itoa(equal.ID)+`}]`), &noWeight))
		if noWeight[0].Weight != 1 {
			t.Fatalf("weight of a parent without one = %v, want 1", noWeight[0].Weight)
		}
		eqKR := b.keyResult(t, home.ID, "Equal weights", func(k *cairn.KeyResult) { k.Parents = noWeight })
		b.checkIn(t, "owner", krRef(shared.ID), 40)
		b.checkIn(t, "owner", krRef(eqKR.ID), 40)
		for _, k := range []*cairn.KeyResult{own, zeroOwn, equalOwn} {
			b.checkIn(t, "owner", krRef(k.ID), 100)
		}

		for _, tc := range []struct {
			name string
			id   int64
			want float64
		}{
			{"North", north.ID, (0.7*0.40 + 1*1.00) / 1.7},
			{"South", south.ID, 0.3 * 0.40 / 0.3},
			{"WeightZeroNotCounted", zero.ID, 1.00},
			{"EqualByDefault", equal.ID, (1*0.40 + 1*1.00) / 2},
			// Home holds both key results at 40 %, each with its weight 1 there.
			{"OwnObjectiveStillCounts", home.ID, 0.40},
		} {
			t.Run(tc.name, func(t *testing.T) {
				v, err := b.svc.Objective(viewer, slug, tc.id)
				must(t, err)
				wantNear(t, tc.name, v.Progress, tc.want)
				// The period list evaluates the same graph the same way.
				os, err := b.svc.ListObjectives(viewer, slug, cairn.ObjectiveQuery{PeriodID: b.period.ID})
				must(t, err)
				for _, o := range os {
					if o.ID == tc.id {
						wantNear(t, tc.name+" in the list", o.Progress, tc.want)
					}
				}
			})
		}
		wantNear(t, "(0.7×40+1×100)/1.7", 1.28/1.7, 0.7529411764705882)

		t.Run("ReadBack", func(t *testing.T) {
			k, err := b.svc.KeyResult(viewer, slug, shared.ID)
			must(t, err)
			if len(k.Parents) != 3 || k.Parents[0] != (cairn.Alignment{Type: cairn.ItemObjective, ID: north.ID, Weight: 0.7}) || k.Parents[2].Weight != 0 {
				t.Fatalf("parents = %+v", k.Parents)
			}
		})
		t.Run("TreeShowsTheKeyResultUnderEachParent", func(t *testing.T) {
			for _, p := range []struct {
				id     int64
				weight float64
			}{{north.ID, 0.7}, {south.ID, 0.3}, {zero.ID, 0}} {
				tree, err := b.svc.ObjectiveTree(viewer, slug, p.id)
				must(t, err)
				if len(tree.AlignedKeyResults) != 1 || tree.AlignedKeyResults[0].ID != shared.ID || *tree.AlignedKeyResults[0].AlignedWeight != p.weight {
					t.Fatalf("tree of objective %d: aligned key results %+v, want the shared one with weight %v", p.id, tree.AlignedKeyResults, p.weight)
				}
			}
			tree, err := b.svc.ObjectiveTree(viewer, slug, home.ID)
			must(t, err)
			if len(tree.KeyResults) != 2 || tree.KeyResults[0].ID != shared.ID || tree.KeyResults[0].AlignedWeight != nil {
				t.Fatalf("home tree key results %+v", tree.KeyResults)
			}
		})
		t.Run("ChainsFollowEveryParent", func(t *testing.T) {
			ini := b.initiative(t, krRef(shared.ID), "Work")
			chains, err := b.svc.AlignmentChains(ctx, b.org.ID, initRef(ini.ID))
			must(t, err)
			var tops []int64
			var weights []float64
			for _, c := range chains {
				if len(c) != 3 || c[0].ID != ini.ID || c[1].ID != shared.ID {
					t.Fatalf("chain %+v", c)
				}
				tops = append(tops, c[2].ID)
				weights = append(weights, *c[1].Weight)
				if c[2].Weight != nil {
					t.Fatalf("the last link has a weight: %+v", c[2])
				}
			}
			if !slices.Equal(tops, []int64{home.ID, north.ID, south.ID, zero.ID}) || !slices.Equal(weights, []float64{1, 0.7, 0.3, 0}) {
				t.Fatalf("chains end at %v with weights %v", tops, weights)
			}
		})
		t.Run("ParentReplacesTheParents", func(t *testing.T) {
			o := b.objective(t, "Several", func(o *cairn.Objective) {
				o.SetParents([]cairn.Alignment{{Type: cairn.ItemObjective, ID: north.ID, Weight: 2}, {Type: cairn.ItemKeyResult, ID: own.ID, Weight: 0}})
			})
			if o.Parent == nil || *o.Parent != objRef(north.ID) || o.Weight != 2 {
				t.Fatalf("primary parent %v weight %v, want North with 2", o.Parent, o.Weight)
			}
			v, err := b.svc.UpdateObjective(b.as("owner"), slug, o.ID, cairn.ObjectiveUpdate{Parent: new(objRef(south.ID))})
			must(t, err)
			if len(v.Parents) != 1 || v.Parents[0] != (cairn.Alignment{Type: cairn.ItemObjective, ID: south.ID, Weight: 2}) {
				t.Fatalf("parents after setting parent = %+v, want South alone with the weight 2", v.Parents)
			}
			_, err = b.svc.UpdateObjective(b.as("owner"), slug, o.ID, cairn.ObjectiveUpdate{Parent: new(objRef(north.ID)), Parents: &[]cairn.Alignment{}})
			wantField(t, err, "parents")
		})
	})
}

// TestAlignmentCycles refuses alignments that would make an item count towards itself through
// any path of any parent, and names the path.
func TestAlignmentCycles(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, b *testBundle) {
		slug, owner := b.org.Slug, b.as("owner")
		parents := func(refs ...cairn.Ref) *[]cairn.Alignment {
			ps := []cairn.Alignment{}
			for _, r := range refs {
				ps = append(ps, cairn.Alignment{Type: r.Type, ID: r.ID, Weight: 1})
			}
			return &ps
		}
		// a ← b ← c, and x apart.
		a := b.objective(t, "A")
		bo := b.objective(t, "B", func(o *cairn.Objective) { o.Parent = new(objRef(a.ID)) })
		c := b.objective(t, "C", func(o *cairn.Objective) { o.Parent = new(objRef(bo.ID)) })
		x := b.objective(t, "X")
		kx := b.keyResult(t, x.ID, "KR of X")

		t.Run("ErrInvalidIndirectThreeSteps", func(t *testing.T) {
			_, err := b.svc.UpdateObjective(owner, slug, a.ID, cairn.ObjectiveUpdate{Parents: parents(objRef(x.ID), objRef(c.ID))})
			wantField(t, err, "parents[1].id")
			want := `objective ` + itoa(a.ID) + ` "A" → objective ` + itoa(c.ID) + ` "C" → objective ` + itoa(bo.ID) + ` "B" → objective ` + itoa(a.ID) + ` "A"`
			if !strings.Contains(cairn.ErrorMessage(err), want) {
				t.Fatalf("message %q does not name the path %s", cairn.ErrorMessage(err), want)
			}
			v, err := b.svc.Objective(owner, slug, a.ID)
			must(t, err)
			if len(v.Parents) != 0 {
				t.Fatalf("a refused alignment was stored: %+v", v.Parents)
			}
		})
		t.Run("ErrInvalidThroughASecondParent", func(t *testing.T) {
			// x gets c as a second parent; then a may not align to x.
			_, err := b.svc.UpdateObjective(owner, slug, x.ID, cairn.ObjectiveUpdate{Parents: parents(objRef(a.ID), objRef(c.ID))})
			must(t, err)
			_, err = b.svc.UpdateObjective(owner, slug, a.ID, cairn.ObjectiveUpdate{Parent: new(krRef(kx.ID))})
			wantField(t, err, "parent.id")
			if !strings.Contains(cairn.ErrorMessage(err), "would make a cycle") {
				t.Fatalf("message %q", cairn.ErrorMessage(err))
			}
		})
		t.Run("ErrInvalidKeyResultCycle", func(t *testing.T) {
			// y counts towards c's new key result; that key result may not count towards y.
			kc := b.keyResult(t, c.ID, "KR of C")
			y := b.objective(t, "Y", func(o *cairn.Objective) { o.Parent = new(krRef(kc.ID)) })
			_, err := b.svc.UpdateKeyResult(owner, slug, kc.ID, cairn.KeyResultUpdate{Parents: parents(objRef(a.ID), objRef(y.ID))})
			wantField(t, err, "parents[1].id")
			want := `key result ` + itoa(kc.ID) + ` "KR of C" → objective ` + itoa(y.ID) + ` "Y" → key result ` + itoa(kc.ID) + ` "KR of C"`
			if !strings.Contains(cairn.ErrorMessage(err), want) {
				t.Fatalf("message %q does not name the path %s", cairn.ErrorMessage(err), want)
			}
		})
		t.Run("ErrInvalidKeyResultToItselfOrItsObjective", func(t *testing.T) {
			_, err := b.svc.UpdateKeyResult(owner, slug, kx.ID, cairn.KeyResultUpdate{Parents: parents(krRef(kx.ID))})
			wantField(t, err, "parents[0].id")
			_, err = b.svc.UpdateKeyResult(owner, slug, kx.ID, cairn.KeyResultUpdate{Parents: parents(objRef(x.ID))})
			wantField(t, err, "parents[0].id")
		})
		t.Run("ErrInvalidListedTwice", func(t *testing.T) {
			_, err := b.svc.UpdateObjective(owner, slug, c.ID, cairn.ObjectiveUpdate{Parents: parents(objRef(a.ID), objRef(a.ID))})
			wantField(t, err, "parents[1].id")
		})
		t.Run("ErrInvalidWeight", func(t *testing.T) {
			_, err := b.svc.UpdateObjective(owner, slug, c.ID, cairn.ObjectiveUpdate{Parents: &[]cairn.Alignment{{Type: cairn.ItemObjective, ID: a.ID, Weight: -1}}})
			wantField(t, err, "parents[0].weight")
		})
		t.Run("DiamondIsNoCycle", func(t *testing.T) {
			// A key result of b counting towards a as well as through b is two paths, no cycle.
			kb := b.keyResult(t, bo.ID, "KR of B")
			_, err := b.svc.UpdateKeyResult(owner, slug, kb.ID, cairn.KeyResultUpdate{Parents: parents(objRef(a.ID))})
			must(t, err)
		})
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
