package datasource_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/cairn-okr/cairn"
	"github.com/cairn-okr/cairn/datasource"
	"github.com/cairn-okr/cairn/sqldb"
)

// binding is one target × method case of the end-to-end suite.
type binding struct {
	name   string
	target func(tb testing.TB, b *testBundle) (cairn.Target, string) // target and its kind
	input  func(tb testing.TB, b *testBundle) datasource.DataSourceInput
	// items returns the expected item set from the emulator's own state.
	items func(tb testing.TB, b *testBundle) []int
}

func krTarget(kind cairn.MetricKind, start, target float64) func(tb testing.TB, b *testBundle) (cairn.Target, string) {
	return func(tb testing.TB, b *testBundle) (cairn.Target, string) {
		k := b.keyResult(tb, kind, start, target)
		return cairn.Target{Type: cairn.TargetKeyResult, ID: k.ID}, string(kind)
	}
}

func initiativeMetricTarget(kind cairn.MetricKind) func(tb testing.TB, b *testBundle) (cairn.Target, string) {
	return func(tb testing.TB, b *testBundle) (cairn.Target, string) {
		i := b.initiative(tb, &cairn.Metric{Kind: kind, Start: 0, Target: 100})
		return cairn.Target{Type: cairn.TargetInitiativeMetric, ID: i.ID}, string(kind)
	}
}

func tasksTarget(tb testing.TB, b *testBundle) (cairn.Target, string) {
	i := b.initiative(tb, nil)
	return cairn.Target{Type: cairn.TargetInitiativeTasks, ID: i.ID}, "tasks"
}

func sharedQuery(path, progressType, measure string) func(tb testing.TB, b *testBundle) datasource.DataSourceInput {
	return func(tb testing.TB, b *testBundle) datasource.DataSourceInput {
		return datasource.DataSourceInput{Method: cairn.MethodSharedQuery, QueryID: b.queryID(tb, path), ProgressType: progressType, Measure: measure}
	}
}

// epicFeatures returns the features under epic 1 "Online checkout".
func epicFeatures(tb testing.TB, b *testBundle) []int {
	var out []int
	snaps, err := b.emu.WorkItems(emuOrg, emuProject)
	must(tb, err)
	for _, s := range snaps {
		if s.Type == "Feature" && s.Parent == 1 {
			out = append(out, s.ID)
		}
	}
	if len(out) == 0 {
		tb.Fatal("the demo data has no features under epic 1")
	}
	return out
}

var bindings = []binding{
	{
		name:   "KeyResultPercentageBySharedFlatQuery",
		target: krTarget(cairn.MetricPercentage, 0, 100),
		input:  sharedQuery("Shared Queries/Q3 Features", "Feature", "count"),
		items:  func(tb testing.TB, b *testBundle) []int { return b.queryItems(tb, "Shared Queries/Q3 Features") },
	},
	{
		name:   "KeyResultNumberByWorkItemsStoryPoints",
		target: krTarget(cairn.MetricNumber, 0, 200),
		input: func(tb testing.TB, b *testBundle) datasource.DataSourceInput {
			return datasource.DataSourceInput{Method: cairn.MethodWorkItems, WorkItemType: "Epic", WorkItemIDs: []int{1, 2}, ProgressType: "User Story", Measure: "Microsoft.VSTS.Scheduling.StoryPoints"}
		},
		items: func(tb testing.TB, b *testBundle) []int { return b.descendants(tb, 1, 2) },
	},
	{
		name:   "InitiativeMetricCurrencyByTreeQueryAll",
		target: initiativeMetricTarget(cairn.MetricCurrency),
		input:  sharedQuery("Shared Queries/Checkout epic tree", "*", "count"),
		items:  func(tb testing.TB, b *testBundle) []int { return b.queryItems(tb, "Shared Queries/Checkout epic tree") },
	},
	{
		name:   "InitiativeMetricPercentageByWorkItems",
		target: initiativeMetricTarget(cairn.MetricPercentage),
		input: func(tb testing.TB, b *testBundle) datasource.DataSourceInput {
			return datasource.DataSourceInput{Method: cairn.MethodWorkItems, WorkItemType: "Epic", WorkItemIDs: []int{3}, ProgressType: "Task", Measure: "count"}
		},
		items: func(tb testing.TB, b *testBundle) []int { return b.descendants(tb, 3) },
	},
	{
		name:   "InitiativeTasksByOneHopQuery",
		target: tasksTarget,
		input:  sharedQuery("Shared Queries/Features with stories", "User Story", "count"),
		items: func(tb testing.TB, b *testBundle) []int {
			return b.queryItems(tb, "Shared Queries/Features with stories")
		},
	},
	{
		name:   "InitiativeTasksByWorkItemsFeatures",
		target: tasksTarget,
		input: func(tb testing.TB, b *testBundle) datasource.DataSourceInput {
			return datasource.DataSourceInput{Method: cairn.MethodWorkItems, WorkItemType: "Feature", WorkItemIDs: epicFeatures(tb, b), ProgressType: "User Story"}
		},
		items: func(tb testing.TB, b *testBundle) []int { return b.descendants(tb, epicFeatures(tb, b)...) },
	},
}

func TestSyncEveryTargetAndMethod(t *testing.T) {
	t.Parallel()
	for _, dialect := range []string{sqldb.DialectSQLite, sqldb.DialectPostgres} {
		for _, bc := range bindings {
			t.Run(dialect+"/"+bc.name, func(t *testing.T) {
				t.Parallel()
				b := setup(t, bundleOptions{dialect: dialect})
				conn := b.connect(t)
				target, kind := bc.target(t, b)
				in := bc.input(t, b)
				in.Target, in.ConnectionID = target, conn.ID
				d, err := b.ds.CreateDataSource(b.actx, b.org.Slug, in)
				if err != nil {
					t.Fatalf("create data source: %v", err)
				}
				want := b.expect(t, bc.items(t, b), in.ProgressType, d.Measure, kind, in.CountTotal, in.ResolvedIsComplete)
				if d.Error != nil {
					t.Fatalf("data source error: %+v", d.Error)
				}
				if d.Value == nil || !near(*d.Value, want.value) {
					t.Fatalf("value = %v, want %v", d.Value, want.value)
				}
				if d.ItemCount != want.items || d.MeasuredCount != want.measured || d.CompleteCount != want.complete {
					t.Errorf("counts = %d/%d/%d, want %d/%d/%d", d.ItemCount, d.MeasuredCount, d.CompleteCount, want.items, want.measured, want.complete)
				}
				if d.LastSuccessAt == nil || d.Status != cairn.DataSourceActive || d.NextSyncAt == nil {
					t.Errorf("state after sync: last success %v, status %q, next %v", d.LastSuccessAt, d.Status, d.NextSyncAt)
				}
				cs := checkIns(t, b, target.Ref())
				if len(cs) != 1 || cs[0].Source != cairn.CheckInAzureDevOps || !near(cs[0].Value, want.value) || cs[0].Note == "" {
					t.Fatalf("check-ins = %+v, want one azure-devops check-in of %v", cs, want.value)
				}
				if target.Type == cairn.TargetInitiativeTasks {
					ts, err := b.ds.Tasks(b.actx, b.org.Slug, target.ID)
					must(t, err)
					var got []int
					for _, task := range ts {
						got = append(got, task.WorkItemID)
						if task.URL == "" || !strings.Contains(task.URL, "/_workitems/edit/") {
							t.Errorf("task %d url = %q", task.WorkItemID, task.URL)
						}
					}
					if !slices.Equal(sortedCopy(got), want.visible) {
						t.Errorf("visible tasks = %v, want %v", sortedCopy(got), want.visible)
					}
				}
				// A second sync with nothing changed writes nothing.
				rep, err := b.syncer.Sync(ctx, conn.ID, cairn.TriggerSchedule)
				must(t, err)
				if sr := rep.Source(d.ID); sr == nil || sr.CheckIn || sr.Error != nil {
					t.Errorf("re-sync report = %+v", sr)
				}
				if rep.Calls["wit/workitemsbatch"] != 0 {
					t.Errorf("a re-sync with no change made %d batch calls", rep.Calls["wit/workitemsbatch"])
				}
				if n := len(checkIns(t, b, target.Ref())); n != 1 {
					t.Errorf("check-ins after an unchanged re-sync = %d, want 1", n)
				}
			})
		}
	}
}
