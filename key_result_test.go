package cairn_test

import (
	"math"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/cairn-okr/cairn"
	"github.com/cairn-okr/cairn/progress"
)

// TestKeyResultValidation checks that key results are validated field by field on create
// and on change, and that a refused one is not stored or not changed.
func TestKeyResultValidation(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, b *testBundle) {
		f := b.foreignOKRs(t)
		slug := b.org.Slug
		obj := b.objective(t, "Delight customers")
		kr := b.keyResult(t, obj.ID, "NPS to 50")
		count := func(t *testing.T) int {
			ks, err := b.svc.ListKeyResults(b.as("admin"), slug, 0, b.period.ID)
			must(t, err)
			return len(ks)
		}

		for _, tc := range []struct {
			name  string
			edit  func(k *cairn.KeyResult)
			field string
		}{
			{"ErrInvalidTitleBlank", func(k *cairn.KeyResult) { k.Title = "" }, "title"},
			{"ErrInvalidObjectiveMissing", func(k *cairn.KeyResult) { k.ObjectiveID = 0 }, "objective_id"},
			{"ErrInvalidObjectiveUnknown", func(k *cairn.KeyResult) { k.ObjectiveID = 999999 }, "objective_id"},
			{"ErrInvalidObjectiveOfOtherOrg", func(k *cairn.KeyResult) { k.ObjectiveID = f.obj.ID }, "objective_id"},
			{"ErrInvalidMetricKindMissing", func(k *cairn.KeyResult) { k.Metric.Kind = "" }, "metric.kind"},
			{"ErrInvalidMetricKindUnknown", func(k *cairn.KeyResult) { k.Metric.Kind = "furlongs" }, "metric.kind"},
			{"ErrInvalidMetricTargetEqualsStart", func(k *cairn.KeyResult) { k.Metric.Start, k.Metric.Target = 7, 7 }, "metric.target"},
			{"ErrInvalidMetricTargetInfinite", func(k *cairn.KeyResult) { k.Metric.Target = math.Inf(1) }, "metric.target"},
			{"ErrInvalidMetricStartNaN", func(k *cairn.KeyResult) { k.Metric.Start = math.NaN() }, "metric.start"},
			{"ErrInvalidMetricUnitTooLong", func(k *cairn.KeyResult) { k.Metric.Unit = strings.Repeat("u", 21) }, "metric.unit"},
			{"ErrInvalidProgressSource", func(k *cairn.KeyResult) { k.ProgressSource = "magic" }, "progress_source"},
			{"ErrInvalidOwnerOfOtherOrg", func(k *cairn.KeyResult) { k.OwnerIDs = []int64{b.id("outsider")} }, "owner_ids"},
			{"ErrInvalidOwnerListedTwice", func(k *cairn.KeyResult) { k.OwnerIDs = []int64{b.id("member"), b.id("member")} }, "owner_ids"},
			{"ErrInvalidWeightNegative", func(k *cairn.KeyResult) { k.Weight = -1 }, "weight"},
		} {
			t.Run("Create/"+tc.name, func(t *testing.T) {
				before := count(t)
				k := &cairn.KeyResult{ObjectiveID: obj.ID, Title: "Reach", OwnerIDs: []int64{b.id("member")},
					Metric: cairn.Metric{Kind: cairn.MetricCurrency, Start: 0, Target: 1000, Unit: "EUR"}}
				tc.edit(k)
				wantField(t, b.svc.CreateKeyResult(b.as("owner"), slug, k), tc.field)
				if after := count(t); after != before {
					t.Fatalf("%d key results after a refused create, want %d", after, before)
				}
			})
		}

		t.Run("Create/CurrentStartsAtStart", func(t *testing.T) {
			k := &cairn.KeyResult{ObjectiveID: obj.ID, Title: "Cut churn", OwnerIDs: []int64{b.id("member")}, Score: new(1.0),
				Metric: cairn.Metric{Kind: cairn.MetricPercentage, Start: 8, Target: 4, Current: 5, Unit: " % "}}
			must(t, b.svc.CreateKeyResult(b.as("owner"), slug, k))
			v, err := b.svc.KeyResult(b.as("viewer"), slug, k.ID)
			must(t, err)
			if v.Metric.Current != 8 || v.Metric.Unit != "%" || v.ProgressSource != cairn.SourceManual || v.Source != "manual" ||
				v.Score != nil || v.LastCheckInAt != nil || v.Weight != 1 || v.Progress != 0 || v.Status != progress.NotStarted {
				t.Fatalf("new key result = %+v (progress %v, status %s)", v.KeyResult, v.Progress, v.Status)
			}
		})

		s := func(v string) *string { return &v }
		for _, tc := range []struct {
			name  string
			up    cairn.KeyResultUpdate
			field string
		}{
			{"ErrInvalidTitleBlank", cairn.KeyResultUpdate{Title: s("")}, "title"},
			{"ErrInvalidMetricTargetEqualsStart", cairn.KeyResultUpdate{Metric: &cairn.MetricUpdate{Target: new(0.0)}}, "metric.target"},
			{"ErrInvalidMetricKind", cairn.KeyResultUpdate{Metric: &cairn.MetricUpdate{Kind: new(cairn.MetricKind("stones"))}}, "metric.kind"},
			{"ErrInvalidProgressSource", cairn.KeyResultUpdate{ProgressSource: new(cairn.ProgressSource("vibes"))}, "progress_source"},
			{"ErrInvalidOwnerOfOtherOrg", cairn.KeyResultUpdate{OwnerIDs: &[]int64{b.id("outsider")}}, "owner_ids"},
			{"ErrInvalidWeightNaN", cairn.KeyResultUpdate{Weight: new(math.NaN())}, "weight"},
			{"ErrInvalidScoreNegative", cairn.KeyResultUpdate{Score: new(-0.5)}, "score"},
			{"ErrInvalidClosingStatus", cairn.KeyResultUpdate{ClosingStatus: new(progress.ClosingStatus("won"))}, "closing_status"},
		} {
			t.Run("Update/"+tc.name, func(t *testing.T) {
				_, err := b.svc.UpdateKeyResult(b.as("assignee"), slug, kr.ID, tc.up)
				wantField(t, err, tc.field)
				v, err := b.svc.KeyResult(b.as("assignee"), slug, kr.ID)
				must(t, err)
				if v.Title != kr.Title || !reflect.DeepEqual(v.Metric, kr.Metric) || v.ProgressSource != kr.ProgressSource || v.Weight != 1 ||
					v.Score != nil || !slices.Equal(v.OwnerIDs, kr.OwnerIDs) {
					t.Fatalf("key result changed by a refused update: %+v", v.KeyResult)
				}
			})
		}
		t.Run("Update/MetricKeepsCurrent", func(t *testing.T) {
			b.checkIn(t, "assignee", krRef(kr.ID), 30)
			v, err := b.svc.UpdateKeyResult(b.as("assignee"), slug, kr.ID, cairn.KeyResultUpdate{
				Metric: &cairn.MetricUpdate{Target: new(60.0), Unit: s("points")}})
			must(t, err)
			if v.Metric.Current != 30 || v.Metric.Target != 60 || v.Metric.Unit != "points" {
				t.Fatalf("metric = %+v", v.Metric)
			}
			wantNear(t, "progress against the new target", v.Progress, 0.5)
		})
	})
}
