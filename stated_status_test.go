package cairn_test

import (
	"testing"
	"time"

	"github.com/cairn-okr/cairn"
	"github.com/cairn-okr/cairn/progress"
)

// TestStatedStatusHoldsUntilTheNextCheckIn checks the rule of docs/progress.md: a status given
// with a check-in is the item's status until the next check-in, which either gives one again
// or lets Cairn compute it from the pace; an objective's stated status holds until its owners
// clear it; an item closed on its own shows Closed with its score.
func TestStatedStatusHoldsUntilTheNextCheckIn(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, b *testBundle) {
		slug := b.org.Slug
		obj := b.objective(t, "Delight customers")
		kr := b.keyResult(t, obj.ID, "NPS to 100")
		in := b.initiative(t, krRef(kr.ID), "Survey every customer")
		krStatus := func() progress.Status {
			t.Helper()
			v, err := b.svc.KeyResult(b.as("viewer"), slug, kr.ID)
			must(t, err)
			return v.Status
		}
		checkIn := func(item cairn.Ref, value float64, status string) {
			t.Helper()
			b.clock.Set(b.clock.Now().Add(time.Hour))
			must(t, b.svc.CheckIn(b.as("assignee"), slug, &cairn.CheckIn{Item: item, Value: value, Status: status}))
		}

		// Half-way through the period 90 of 100 is ahead of the pace: On track, unless a
		// person says otherwise.
		checkIn(krRef(kr.ID), 90, "at_risk")
		if got := krStatus(); got != progress.AtRisk {
			t.Fatalf("after a check-in that says at risk the key result is %s", got)
		}
		// The status holds while nothing else is said, even as the pace moves on.
		b.clock.Set(b.clock.Now().Add(24 * time.Hour))
		if got := krStatus(); got != progress.AtRisk {
			t.Fatalf("a day later the key result is %s, want at risk still", got)
		}
		checkIn(krRef(kr.ID), 90, "")
		if got := krStatus(); got != progress.OnTrack {
			t.Fatalf("after a check-in with no status the key result is %s, want on track, from the pace", got)
		}
		checkIn(krRef(kr.ID), 10, "on_track")
		if got := krStatus(); got != progress.OnTrack {
			t.Fatalf("after a check-in that says on track at 10 %% the key result is %s", got)
		}

		// Initiatives follow the same rule, in the tree as in their own view.
		checkIn(initRef(in.ID), 80, "behind")
		tree, err := b.svc.ObjectiveTree(b.as("viewer"), slug, obj.ID)
		must(t, err)
		if got := tree.KeyResults[0].Initiatives[0].Status; got != progress.Behind {
			t.Fatalf("the tree shows the initiative %s, want behind", got)
		}
		if got := tree.KeyResults[0].Status; got != progress.OnTrack {
			t.Fatalf("the tree shows the key result %s, want on track", got)
		}

		// An objective's stated status holds until its owners clear it.
		// Half-way through the period, 50 % or so is never at risk by the pace.
		stated := progress.AtRisk
		v, err := b.svc.UpdateObjective(b.as("owner"), slug, obj.ID, cairn.ObjectiveUpdate{StatedStatus: &stated})
		must(t, err)
		if v.Status != stated || v.StatedStatus != stated {
			t.Fatalf("after stating %s the objective is %s (stated %q)", stated, v.Status, v.StatedStatus)
		}
		checkIn(krRef(kr.ID), 50, "")
		if v, err := b.svc.Objective(b.as("viewer"), slug, obj.ID); err != nil || v.Status != stated {
			t.Fatalf("after a key result's check-in the objective is %v (%v), want %s still", v.Status, err, stated)
		}
		bad := progress.Status("closed")
		_, err = b.svc.UpdateObjective(b.as("owner"), slug, obj.ID, cairn.ObjectiveUpdate{StatedStatus: &bad})
		wantField(t, err, "stated_status")
		clear := progress.Status("")
		v, err = b.svc.UpdateObjective(b.as("owner"), slug, obj.ID, cairn.ObjectiveUpdate{StatedStatus: &clear})
		must(t, err)
		if v.StatedStatus != "" || v.Status == stated {
			t.Fatalf("after clearing, the objective is %s (stated %q)", v.Status, v.StatedStatus)
		}

		// Closed is no status a person gives with a check-in.
		wantField(t, b.svc.CheckIn(b.as("assignee"), slug, &cairn.CheckIn{Item: krRef(kr.ID), Value: 1, Status: "closed"}), "status")
	})
}

// TestClosedOnItsOwn checks that an objective, key result or initiative closed on its own
// shows Closed, whatever its check-ins say, and keeps its score, while its period is open.
func TestClosedOnItsOwn(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, b *testBundle) {
		slug := b.org.Slug
		at := midQ2.Add(-time.Hour)
		score := 0.7
		obj := b.objective(t, "Closed early")
		kr := b.keyResult(t, obj.ID, "Done early")
		in := b.initiative(t, krRef(kr.ID), "Shipped")
		b.checkIn(t, "assignee", krRef(kr.ID), 70)
		// The service closes no item on its own: an import does, through the store.
		if obj.ClosedAt != nil || kr.ClosedAt != nil || in.ClosedAt != nil {
			t.Fatal("the service created a closed item")
		}
		o, err := b.db.ObjectiveByID(ctx, b.org.ID, obj.ID)
		must(t, err)
		o.ClosedAt, o.Score = &at, &score
		must(t, b.db.UpdateObjective(ctx, o))
		k, err := b.db.KeyResultByID(ctx, b.org.ID, kr.ID)
		must(t, err)
		k.ClosedAt, k.Score = &at, &score
		must(t, b.db.UpdateKeyResult(ctx, k))
		i, err := b.db.InitiativeByID(ctx, b.org.ID, in.ID)
		must(t, err)
		i.ClosedAt, i.Score = &at, &score
		must(t, b.db.UpdateInitiative(ctx, i))
		tree, err := b.svc.ObjectiveTree(b.as("viewer"), slug, obj.ID)
		must(t, err)
		kv, iv := tree.KeyResults[0], tree.KeyResults[0].Initiatives[0]
		for what, st := range map[string]progress.Status{"objective": tree.Status, "key result": kv.Status, "initiative": iv.Status} {
			if st != progress.Closed {
				t.Errorf("the %s shows %s, want closed", what, st)
			}
		}
		if tree.Score == nil || *tree.Score != score || kv.Score == nil || *kv.Score != score || iv.Score == nil || *iv.Score != score {
			t.Errorf("scores %v, %v, %v, want %g each", tree.Score, kv.Score, iv.Score, score)
		}
		if kv.ClosedAt == nil || !kv.ClosedAt.Equal(at) || iv.ClosedAt == nil || tree.ClosedAt == nil {
			t.Errorf("closed at %v, %v, %v, want %s", tree.ClosedAt, kv.ClosedAt, iv.ClosedAt, at)
		}
		wantNear(t, "progress of the closed key result", kv.Progress, 0.7)
	})
}
