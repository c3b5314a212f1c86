package sqldb_test

import (
	"slices"
	"testing"

	"github.com/cairn-okr/cairn"
)

// TestAlignmentsStored stores several weighted parents of an objective and of a key result,
// reads them back in order from every read (by id, lists and both graphs), refuses a cycle
// inside the write, and drops the edges of a deleted parent.
func TestAlignmentsStored(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, b *testBundle) {
		w := b.world(t)
		north := b.objective(t, w.org.ID, w.period.ID, w.alice.ID)
		south := b.objective(t, w.org.ID, w.period.ID, w.alice.ID)
		home := b.objective(t, w.org.ID, w.period.ID, w.alice.ID)
		kn := b.keyResult(t, w.org.ID, north.ID)
		shared := b.keyResult(t, w.org.ID, home.ID)
		shared.Parents = []cairn.Alignment{{Type: cairn.ItemObjective, ID: south.ID, Weight: 0.3}, {Type: cairn.ItemObjective, ID: north.ID, Weight: 0.7}}
		must(t, b.db.UpdateKeyResult(ctx, shared))
		child := b.objective(t, w.org.ID, w.period.ID, w.alice.ID)
		child.SetParents([]cairn.Alignment{{Type: cairn.ItemKeyResult, ID: kn.ID, Weight: 0}, {Type: cairn.ItemObjective, ID: south.ID, Weight: 2}})
		must(t, b.db.UpdateObjective(ctx, child))

		o, err := b.db.ObjectiveByID(ctx, w.org.ID, child.ID)
		must(t, err)
		if !slices.Equal(o.Parents, child.Parents) || o.Parent == nil || *o.Parent != (cairn.Ref{Type: cairn.ItemKeyResult, ID: kn.ID}) || o.Weight != 0 {
			t.Fatalf("objective parents %+v primary %v weight %v", o.Parents, o.Parent, o.Weight)
		}
		k, err := b.db.KeyResultByID(ctx, w.org.ID, shared.ID)
		must(t, err)
		if !slices.Equal(k.Parents, shared.Parents) {
			t.Fatalf("key result parents %+v, want %+v", k.Parents, shared.Parents)
		}
		ks, err := b.db.ListKeyResults(ctx, cairn.KeyResultFilter{OrgID: w.org.ID})
		must(t, err)
		for _, x := range ks {
			if x.ID == shared.ID && !slices.Equal(x.Parents, shared.Parents) {
				t.Fatalf("listed key result parents %+v", x.Parents)
			}
		}
		os, err := b.db.ListObjectives(ctx, cairn.ObjectiveFilter{OrgID: w.org.ID, ParentID: south.ID})
		must(t, err)
		if len(os) != 1 || os[0].ID != child.ID || !slices.Equal(os[0].Parents, child.Parents) {
			t.Fatalf("objectives aligned to south: %+v", os)
		}
		g, err := b.db.PeriodGraph(ctx, w.org.ID, w.period.ID)
		must(t, err)
		for _, x := range g.KeyResults {
			if x.ID == shared.ID && !slices.Equal(x.Parents, shared.Parents) {
				t.Fatalf("period graph key result parents %+v", x.Parents)
			}
		}
		// North's graph holds the key result of home aligned to it, so home is loaded too.
		g, err = b.db.ObjectiveGraph(ctx, w.org.ID, north.ID)
		must(t, err)
		var ids []int64
		for _, x := range g.KeyResults {
			ids = append(ids, x.ID)
		}
		if !slices.Contains(ids, shared.ID) || !slices.Contains(ids, kn.ID) {
			t.Fatalf("north's graph key results %v, want %d and %d", ids, shared.ID, kn.ID)
		}

		// A cycle through the key result's second parent is refused inside the write.
		x := *north
		x.SetParents([]cairn.Alignment{{Type: cairn.ItemObjective, ID: child.ID, Weight: 1}})
		err = b.db.UpdateObjective(ctx, &x)
		if cairn.ErrorCode(err) != cairn.EINVALID || cairn.ErrorField(err) != "parents[0].id" {
			t.Fatalf("cycle north → child → key result of north: %v (field %q)", err, cairn.ErrorField(err))
		}

		// Deleting south drops the edges to it and leaves the others in order.
		must(t, b.db.DeleteObjective(ctx, w.org.ID, south.ID))
		k, err = b.db.KeyResultByID(ctx, w.org.ID, shared.ID)
		must(t, err)
		if want := shared.Parents[1:]; !slices.Equal(k.Parents, want) {
			t.Fatalf("after deleting south, parents %+v, want %+v", k.Parents, want)
		}
		o, err = b.db.ObjectiveByID(ctx, w.org.ID, child.ID)
		must(t, err)
		if len(o.Parents) != 1 || o.Parents[0].ID != kn.ID {
			t.Fatalf("after deleting south, child's parents %+v", o.Parents)
		}
	})
}
