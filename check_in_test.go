package cairn_test

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/cairn-okr/cairn"
)

// TestCheckIn checks that check-ins are validated, that the caller cannot pose as someone
// else or as Azure DevOps, and that the history lists them newest first with the clock's
// times.
func TestCheckIn(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, b *testBundle) {
		slug := b.org.Slug
		obj := b.objective(t, "Delight customers")
		kr := b.keyResult(t, obj.ID, "NPS to 50")
		rollUp := b.keyResult(t, obj.ID, "Rolled up", func(k *cairn.KeyResult) { k.ProgressSource = cairn.SourceRollUp })
		manual := b.initiative(t, krRef(kr.ID), "Manual work")
		tasks := b.initiative(t, krRef(kr.ID), "Tasks", func(i *cairn.Initiative) { i.ProgressMode = cairn.ModeTasks })
		measured := b.initiative(t, krRef(kr.ID), "Measured", func(i *cairn.Initiative) {
			i.ProgressMode, i.Metric = cairn.ModeMetric, &cairn.Metric{Kind: cairn.MetricNumber, Start: 0, Target: 10}
		})

		for _, tc := range []struct {
			name  string
			c     cairn.CheckIn
			field string
		}{
			{"ErrInvalidValueNaN", cairn.CheckIn{Item: krRef(kr.ID), Value: math.NaN()}, "value"},
			{"ErrInvalidValueInfinite", cairn.CheckIn{Item: krRef(kr.ID), Value: math.Inf(-1)}, "value"},
			{"ErrInvalidStatus", cairn.CheckIn{Item: krRef(kr.ID), Value: 1, Status: "great"}, "status"},
			{"ErrInvalidNoteTooLong", cairn.CheckIn{Item: krRef(kr.ID), Value: 1, Note: strings.Repeat("n", 5001)}, "note"},
			{"ErrInvalidItemObjective", cairn.CheckIn{Item: objRef(obj.ID), Value: 1}, "item.type"},
			{"ErrInvalidManualInitiativeAbove100", cairn.CheckIn{Item: initRef(manual.ID), Value: 101}, "value"},
			{"ErrInvalidManualInitiativeNegative", cairn.CheckIn{Item: initRef(manual.ID), Value: -1}, "value"},
			{"ErrInvalidTasksInitiativeAbove100", cairn.CheckIn{Item: initRef(tasks.ID), Value: 150}, "value"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				c := tc.c
				wantField(t, b.svc.CheckIn(b.as("assignee"), slug, &c), tc.field)
				if c.Item.Type != cairn.ItemObjective {
					if cs, err := b.svc.ListCheckIns(b.as("viewer"), slug, c.Item, 0); err != nil || len(cs) != 0 {
						t.Fatalf("check-ins after a refused one: %v, %v", cs, err)
					}
				}
			})
		}
		t.Run("ErrConflictRollUpKeyResult", func(t *testing.T) {
			wantCode(t, b.svc.CheckIn(b.as("owner"), slug, &cairn.CheckIn{Item: krRef(rollUp.ID), Value: 5}), cairn.ECONFLICT)
		})
		t.Run("MetricInitiativeTakesAnyValue", func(t *testing.T) {
			b.checkIn(t, "assignee", initRef(measured.ID), 15)
			v, err := b.svc.Initiative(b.as("viewer"), slug, measured.ID)
			must(t, err)
			if v.Current != 15 || v.Metric.Current != 15 {
				t.Fatalf("current = %v, metric current = %v, want 15", v.Current, v.Metric.Current)
			}
			wantNear(t, "progress", v.Progress, 1.5)
		})
		t.Run("AuthorAndSourceAreTheCaller", func(t *testing.T) {
			c := &cairn.CheckIn{Item: krRef(kr.ID), Value: 20, Status: "behind", Note: "slow week",
				AuthorID: new(b.id("owner")), Source: cairn.CheckInAzureDevOps, OrgID: b.other.ID}
			must(t, b.svc.CheckIn(b.as("assignee"), slug, c))
			cs, err := b.svc.ListCheckIns(b.as("viewer"), slug, krRef(kr.ID), 0)
			must(t, err)
			if len(cs) != 1 {
				t.Fatalf("%d check-ins, want 1", len(cs))
			}
			got := cs[0]
			if got.AuthorID == nil || *got.AuthorID != b.id("assignee") || got.Source != cairn.CheckInManual || got.OrgID != b.org.ID ||
				got.Value != 20 || got.Status != "behind" || got.Note != "slow week" || !got.CreatedAt.Equal(midQ2) {
				t.Fatalf("check-in = %+v", got)
			}
		})
		t.Run("HistoryNewestFirst", func(t *testing.T) {
			later := midQ2.Add(26 * time.Hour)
			b.clock.Set(later)
			defer b.clock.Set(midQ2)
			b.checkIn(t, "editor", krRef(kr.ID), 35)
			cs, err := b.svc.ListCheckIns(b.as("viewer"), slug, krRef(kr.ID), 0)
			must(t, err)
			if len(cs) != 2 || cs[0].Value != 35 || cs[1].Value != 20 || !cs[0].CreatedAt.Equal(later) ||
				cs[0].AuthorID == nil || *cs[0].AuthorID != b.id("editor") {
				t.Fatalf("history = %+v, %+v", cs[0], cs[1])
			}
			cs, err = b.svc.ListCheckIns(b.as("viewer"), slug, krRef(kr.ID), 1)
			must(t, err)
			if len(cs) != 1 || cs[0].Value != 35 {
				t.Fatalf("history limited to 1 = %v", cs)
			}
			v, err := b.svc.KeyResult(b.as("viewer"), slug, kr.ID)
			must(t, err)
			if v.Metric.Current != 35 || v.LastCheckInAt == nil || !v.LastCheckInAt.Equal(later) {
				t.Fatalf("key result current %v, last check-in %v; want 35 at %v", v.Metric.Current, v.LastCheckInAt, later)
			}
		})
	})
}
