package sqldb_test

import (
	"testing"
	"time"

	"github.com/cairn-okr/cairn"
)

func TestImportCheckIns(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, b *testBundle) {
		w := b.world(t)
		o := b.objective(t, w.org.ID, w.period.ID, w.alice.ID)
		k := b.keyResult(t, w.org.ID, o.ID)
		kref := cairn.Ref{Type: cairn.ItemKeyResult, ID: k.ID}
		t0 := time.Date(2026, 7, 2, 9, 0, 0, 0, time.UTC)
		history := []*cairn.CheckIn{
			{OrgID: w.org.ID, Item: kref, Value: 30, CreatedAt: t0.Add(48 * time.Hour)},
			{OrgID: w.org.ID, Item: kref, Value: 10, CreatedAt: t0},
			{OrgID: w.org.ID, Item: kref, Value: 20, CreatedAt: t0.Add(24 * time.Hour)},
		}
		must(t, b.db.ImportCheckIns(ctx, history))
		got, err := b.db.KeyResultByID(ctx, w.org.ID, k.ID)
		must(t, err)
		if got.Metric.Current != 30 || got.LastCheckInAt == nil || !got.LastCheckInAt.Equal(t0.Add(48*time.Hour)) {
			t.Fatalf("current %v at %v, want 30 from the newest check-in", got.Metric.Current, got.LastCheckInAt)
		}
		list, err := b.db.ListCheckIns(ctx, w.org.ID, kref, 0)
		must(t, err)
		if len(list) != 3 || list[0].Value != 30 || list[2].Value != 10 {
			t.Fatalf("imported history = %+v", list)
		}

		t.Run("AllOrNothing", func(t *testing.T) {
			bad := []*cairn.CheckIn{
				{OrgID: w.org.ID, Item: kref, Value: 99, CreatedAt: t0.Add(72 * time.Hour)},
				{OrgID: w.org.ID, Item: cairn.Ref{Type: cairn.ItemKeyResult, ID: 999999}, Value: 1},
			}
			if err := b.db.ImportCheckIns(ctx, bad); cairn.ErrorCode(err) != cairn.ENOTFOUND {
				t.Fatalf("import with a missing item: %v, want not found", err)
			}
			after, err := b.db.ListCheckIns(ctx, w.org.ID, kref, 0)
			must(t, err)
			got, err := b.db.KeyResultByID(ctx, w.org.ID, k.ID)
			must(t, err)
			if len(after) != 3 || got.Metric.Current != 30 {
				t.Fatalf("a failed import left %d check-ins and current %v", len(after), got.Metric.Current)
			}
		})
	})
}
