package cairn_test

import (
	"slices"
	"testing"

	"github.com/cairn-okr/cairn"
)

// TestInitiativeValidation checks that initiatives are validated field by field on create
// and on change, that their parent must be an item of the organization that the user may
// edit, and that a refused one is not stored or not changed.
func TestInitiativeValidation(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, b *testBundle) {
		f := b.foreignOKRs(t)
		slug := b.org.Slug
		obj := b.objective(t, "Delight customers")
		kr := b.keyResult(t, obj.ID, "NPS to 50")
		ini := b.initiative(t, objRef(obj.ID), "Interview 20 users")
		// Neither assignee nor member may edit this one.
		elsewhere := b.objective(t, "Someone else's", func(o *cairn.Objective) { o.EditorIDs = nil })
		count := func(t *testing.T) int {
			is, err := b.svc.ListInitiatives(b.as("admin"), slug, nil)
			must(t, err)
			return len(is)
		}
		metric := func() *cairn.Metric { return &cairn.Metric{Kind: cairn.MetricNumber, Start: 0, Target: 12} }

		for _, tc := range []struct {
			name  string
			edit  func(i *cairn.Initiative)
			field string
		}{
			{"ErrInvalidTitleBlank", func(i *cairn.Initiative) { i.Title = " " }, "title"},
			{"ErrInvalidParentType", func(i *cairn.Initiative) { i.Parent.Type = "team" }, "parent.type"},
			{"ErrInvalidParentIDMissing", func(i *cairn.Initiative) { i.Parent.ID = 0 }, "parent.id"},
			{"ErrInvalidParentUnknown", func(i *cairn.Initiative) { i.Parent.ID = 999999 }, "parent.id"},
			{"ErrInvalidParentKeyResultOfOtherOrg", func(i *cairn.Initiative) { i.Parent = krRef(f.kr.ID) }, "parent.id"},
			{"ErrInvalidParentObjectiveOfOtherOrg", func(i *cairn.Initiative) { i.Parent = objRef(f.obj.ID) }, "parent.id"},
			{"ErrInvalidProgressMode", func(i *cairn.Initiative) { i.ProgressMode = "vibes" }, "progress_mode"},
			{"ErrInvalidMetricModeWithoutMetric", func(i *cairn.Initiative) { i.ProgressMode = cairn.ModeMetric }, "metric"},
			{"ErrInvalidManualModeWithMetric", func(i *cairn.Initiative) { i.Metric = metric() }, "metric"},
			{"ErrInvalidTasksModeWithMetric", func(i *cairn.Initiative) { i.ProgressMode, i.Metric = cairn.ModeTasks, metric() }, "metric"},
			{"ErrInvalidMetricTargetEqualsStart", func(i *cairn.Initiative) {
				i.ProgressMode, i.Metric = cairn.ModeMetric, &cairn.Metric{Kind: cairn.MetricNumber, Start: 3, Target: 3}
			}, "metric.target"},
			{"ErrInvalidOwnerOfOtherOrg", func(i *cairn.Initiative) { i.OwnerIDs = []int64{b.id("outsider")} }, "owner_ids"},
			{"ErrInvalidWeightTooLarge", func(i *cairn.Initiative) { i.Weight = 5000 }, "weight"},
		} {
			t.Run("Create/"+tc.name, func(t *testing.T) {
				before := count(t)
				i := &cairn.Initiative{Parent: krRef(kr.ID), Title: "Run a survey", Contributes: true, OwnerIDs: []int64{b.id("member")}}
				tc.edit(i)
				wantField(t, b.svc.CreateInitiative(b.as("assignee"), slug, i), tc.field)
				if after := count(t); after != before {
					t.Fatalf("%d initiatives after a refused create, want %d", after, before)
				}
			})
		}
		t.Run("Create/ErrForbiddenParentNotEditable", func(t *testing.T) {
			i := &cairn.Initiative{Parent: objRef(elsewhere.ID), Title: "Sneak in", OwnerIDs: []int64{b.id("assignee")}}
			wantCode(t, b.svc.CreateInitiative(b.as("assignee"), slug, i), cairn.EFORBIDDEN)
		})
		t.Run("Create/MetricCurrentStartsAtStart", func(t *testing.T) {
			i := &cairn.Initiative{Parent: krRef(kr.ID), Title: "Ship 12 fixes", Contributes: true, ProgressMode: cairn.ModeMetric,
				Metric: &cairn.Metric{Kind: cairn.MetricNumber, Start: 2, Target: 12, Current: 11}, Current: 11, OwnerIDs: []int64{b.id("member")}}
			must(t, b.svc.CreateInitiative(b.as("assignee"), slug, i))
			v, err := b.svc.Initiative(b.as("viewer"), slug, i.ID)
			must(t, err)
			if v.Current != 2 || v.Metric == nil || v.Metric.Current != 2 || v.Progress != 0 || v.Source != "manual" || v.LastCheckInAt != nil {
				t.Fatalf("new initiative = %+v, metric %+v, progress %v", v.Initiative, v.Metric, v.Progress)
			}
		})

		s := func(v string) *string { return &v }
		for _, tc := range []struct {
			name  string
			up    cairn.InitiativeUpdate
			field string
		}{
			{"ErrInvalidTitleBlank", cairn.InitiativeUpdate{Title: s("")}, "title"},
			{"ErrInvalidMetricOnManual", cairn.InitiativeUpdate{Metric: &cairn.MetricUpdate{Target: new(5.0)}}, "metric"},
			{"ErrInvalidMetricModeWithoutKind", cairn.InitiativeUpdate{ProgressMode: new(cairn.ModeMetric)}, "metric.kind"},
			{"ErrInvalidProgressMode", cairn.InitiativeUpdate{ProgressMode: new(cairn.ProgressMode("vibes"))}, "progress_mode"},
			{"ErrInvalidParentOfOtherOrg", cairn.InitiativeUpdate{Parent: new(krRef(f.kr.ID))}, "parent.id"},
			{"ErrInvalidParentType", cairn.InitiativeUpdate{Parent: &cairn.Ref{Type: cairn.ItemInitiative, ID: ini.ID}}, "parent.type"},
			{"ErrInvalidOwnerOfOtherOrg", cairn.InitiativeUpdate{OwnerIDs: &[]int64{b.id("outsider")}}, "owner_ids"},
			{"ErrInvalidWeightNegative", cairn.InitiativeUpdate{Weight: new(-1.0)}, "weight"},
		} {
			t.Run("Update/"+tc.name, func(t *testing.T) {
				_, err := b.svc.UpdateInitiative(b.as("assignee"), slug, ini.ID, tc.up)
				wantField(t, err, tc.field)
				wantInitiativeUnchanged(t, b, ini)
			})
		}
		t.Run("Update/ErrForbiddenMoveToParentNotEditable", func(t *testing.T) {
			_, err := b.svc.UpdateInitiative(b.as("assignee"), slug, ini.ID, cairn.InitiativeUpdate{Parent: new(objRef(elsewhere.ID))})
			wantCode(t, err, cairn.EFORBIDDEN)
			wantInitiativeUnchanged(t, b, ini)
		})
		t.Run("Update/MoveAndSwitchToMetric", func(t *testing.T) {
			v, err := b.svc.UpdateInitiative(b.as("assignee"), slug, ini.ID, cairn.InitiativeUpdate{
				Parent: new(krRef(kr.ID)), Contributes: new(false), ProgressMode: new(cairn.ModeMetric),
				Metric: &cairn.MetricUpdate{Kind: new(cairn.MetricNumber), Start: new(0.0), Target: new(4.0)}})
			must(t, err)
			if v.Parent != krRef(kr.ID) || v.Contributes || v.ProgressMode != cairn.ModeMetric || v.Metric == nil || v.Metric.Target != 4 {
				t.Fatalf("initiative = %+v, metric %+v", v.Initiative, v.Metric)
			}
			under, err := b.svc.ListInitiatives(b.as("viewer"), slug, new(krRef(kr.ID)))
			must(t, err)
			if !slices.ContainsFunc(under, func(i *cairn.InitiativeView) bool { return i.ID == ini.ID }) {
				t.Fatalf("initiative %d not listed under key result %d", ini.ID, kr.ID)
			}
		})
	})
}

func wantInitiativeUnchanged(t *testing.T, b *testBundle, want *cairn.Initiative) {
	t.Helper()
	v, err := b.svc.Initiative(b.as("assignee"), b.org.Slug, want.ID)
	must(t, err)
	if v.Title != want.Title || v.Parent != want.Parent || v.ProgressMode != want.ProgressMode || v.Metric != nil ||
		v.Weight != 1 || !v.Contributes || !slices.Equal(v.OwnerIDs, want.OwnerIDs) {
		t.Fatalf("initiative changed by a refused update: %+v", v.Initiative)
	}
}
