package datasource_test

import (
	"testing"

	"github.com/cairn-okr/cairn"
	"github.com/cairn-okr/cairn/datasource"
)

func TestPreviewSavesNothing(t *testing.T) {
	t.Parallel()
	b := setup(t, bundleOptions{})
	conn := b.connect(t)
	i := b.initiative(t, nil)
	in := datasource.DataSourceInput{Target: cairn.Target{Type: cairn.TargetInitiativeTasks, ID: i.ID}, ConnectionID: conn.ID,
		Method: cairn.MethodWorkItems, WorkItemType: "Epic", WorkItemIDs: []int{1}, ProgressType: "User Story"}
	p, err := b.ds.Preview(b.actx, b.org.Slug, in)
	must(t, err)
	want := b.expect(t, b.descendants(t, 1), "User Story", "count", "tasks", false, false)
	if !near(p.Value, want.value) || p.ItemCount != want.items || p.MeasuredCount != want.measured || len(p.Tasks) != len(want.visible) {
		t.Fatalf("preview value %v items %d measured %d tasks %d, want %v %d %d %d", p.Value, p.ItemCount, p.MeasuredCount, len(p.Tasks), want.value, want.items, want.measured, len(want.visible))
	}
	measured := 0
	for _, it := range p.Items {
		if it.Measured {
			measured++
		}
	}
	if measured != want.measured || p.Note == "" {
		t.Errorf("preview lists %d measured items (want %d), note %q", measured, want.measured, p.Note)
	}
	ds, err := b.ds.ListDataSources(b.actx, b.org.Slug)
	must(t, err)
	if len(ds) != 0 {
		t.Fatalf("a preview saved %d data sources", len(ds))
	}
}

func TestDataSourceValidationAgainstLiveMetadata(t *testing.T) {
	t.Parallel()
	b := setup(t, bundleOptions{})
	conn := b.connect(t)
	pct := b.keyResult(t, cairn.MetricPercentage, 0, 100)
	target := cairn.Target{Type: cairn.TargetKeyResult, ID: pct.ID}
	for _, tc := range []struct {
		name  string
		in    datasource.DataSourceInput
		field string
	}{
		{"UnknownType", datasource.DataSourceInput{Method: cairn.MethodWorkItems, WorkItemType: "Saga", WorkItemIDs: []int{1}}, "work_item_type"},
		{"MissingItems", datasource.DataSourceInput{Method: cairn.MethodWorkItems, WorkItemType: "Epic", WorkItemIDs: []int{1, 99999}}, "work_item_ids"},
		{"ItemOfAnotherType", datasource.DataSourceInput{Method: cairn.MethodWorkItems, WorkItemType: "Epic", WorkItemIDs: []int{5}}, "work_item_ids"},
		{"UnknownProgressType", datasource.DataSourceInput{Method: cairn.MethodWorkItems, WorkItemType: "Epic", WorkItemIDs: []int{1}, ProgressType: "Saga"}, "progress_type"},
		{"FieldNotOnType", datasource.DataSourceInput{Method: cairn.MethodWorkItems, WorkItemType: "Epic", WorkItemIDs: []int{1}, ProgressType: "Task", Measure: "Microsoft.VSTS.Scheduling.StoryPoints"}, "measure"},
		{"RemainingWorkNeedsANumberMetric", datasource.DataSourceInput{Method: cairn.MethodWorkItems, WorkItemType: "Epic", WorkItemIDs: []int{1}, ProgressType: "Task", Measure: "Microsoft.VSTS.Scheduling.RemainingWork"}, "measure"},
		{"UnknownQuery", datasource.DataSourceInput{Method: cairn.MethodSharedQuery, QueryID: "00000000-0000-0000-0000-000000000000", ProgressType: "*"}, "query_id"},
		{"BadQueryID", datasource.DataSourceInput{Method: cairn.MethodSharedQuery, QueryID: "bugs", ProgressType: "*"}, "query_id"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.in.Target, tc.in.ConnectionID = target, conn.ID
			_, err := b.ds.CreateDataSource(b.actx, b.org.Slug, tc.in)
			if cairn.ErrorCode(err) != cairn.EINVALID || cairn.ErrorField(err) != tc.field {
				t.Fatalf("error %v (field %q), want invalid %q", err, cairn.ErrorField(err), tc.field)
			}
		})
	}
}
