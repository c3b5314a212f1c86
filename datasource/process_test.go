package datasource_test

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/cairn-okr/cairn"
	"github.com/cairn-okr/cairn/azdoemu"
	"github.com/cairn-okr/cairn/datasource"
	"github.com/cairn-okr/cairn/sqldb"
)

// Reference names of the measures the processes have.
const (
	fStoryPoints = "Microsoft.VSTS.Scheduling.StoryPoints"
	fEffort      = "Microsoft.VSTS.Scheduling.Effort"
	fSize        = "Microsoft.VSTS.Scheduling.Size"
	fOriginal    = "Microsoft.VSTS.Scheduling.OriginalEstimate"
	fRemaining   = "Microsoft.VSTS.Scheduling.RemainingWork"
	fCompleted   = "Microsoft.VSTS.Scheduling.CompletedWork"
	fBusiness    = "Microsoft.VSTS.Common.BusinessValue"
	fImpact      = "Custom.CustomerImpact"
)

// pItem is one work item of a process case. Its state category is written here, from
// the process's definition in Azure DevOps, so that the expected values do not depend
// on the emulator or on Cairn.
type pItem struct {
	typ, state, cat string
	parent          int // index+1 of the parent item, 0 for none
	fields          map[string]float64
}

// processCase is a project of one process: its items under one root (item 1), and for
// each progress type the numeric fields Azure DevOps has on that type.
type processCase struct {
	process string
	items   []pItem
	// measures maps each progress type to the reference names of its numeric fields.
	measures map[string][]string
}

var hours = func(orig, rem, done float64) map[string]float64 {
	return map[string]float64{fOriginal: orig, fRemaining: rem, fCompleted: done}
}

var processCases = []processCase{
	{
		process: "Agile",
		items: []pItem{
			{"Epic", "Active", "InProgress", 0, nil},
			{"User Story", "New", "Proposed", 1, map[string]float64{fStoryPoints: 3}},
			{"User Story", "Active", "InProgress", 1, map[string]float64{fStoryPoints: 5}},
			{"User Story", "Resolved", "Resolved", 1, map[string]float64{fStoryPoints: 8}},
			{"User Story", "Closed", "Completed", 1, map[string]float64{fStoryPoints: 2}},
			{"User Story", "Closed", "Completed", 1, map[string]float64{fStoryPoints: 13}},
			{"User Story", "Removed", "Removed", 1, map[string]float64{fStoryPoints: 20}},
			{"User Story", "Active", "InProgress", 1, nil},
			{"Task", "Active", "InProgress", 3, hours(8, 5, 3)},
			{"Task", "Closed", "Completed", 3, hours(4, 0, 4)},
			{"Task", "Removed", "Removed", 5, hours(2, 2, 0)},
			{"Bug", "Resolved", "Resolved", 2, map[string]float64{fStoryPoints: 1}},
		},
		measures: map[string][]string{"User Story": {fStoryPoints}, "Task": {fOriginal, fRemaining, fCompleted}},
	},
	{
		process: "Scrum",
		items: []pItem{
			{"Epic", "In Progress", "InProgress", 0, nil},
			{"Product Backlog Item", "New", "Proposed", 1, map[string]float64{fEffort: 3, fBusiness: 10}},
			{"Product Backlog Item", "Approved", "Proposed", 1, map[string]float64{fEffort: 5}},
			{"Product Backlog Item", "Committed", "InProgress", 1, map[string]float64{fEffort: 8, fBusiness: 40}},
			{"Product Backlog Item", "Done", "Completed", 1, map[string]float64{fEffort: 2, fBusiness: 30}},
			{"Product Backlog Item", "Done", "Completed", 1, map[string]float64{fEffort: 13}},
			{"Product Backlog Item", "Removed", "Removed", 1, map[string]float64{fEffort: 20, fBusiness: 99}},
			{"Task", "To Do", "Proposed", 4, map[string]float64{fRemaining: 6}},
			{"Task", "In Progress", "InProgress", 4, map[string]float64{fRemaining: 3}},
			{"Task", "Done", "Completed", 5, map[string]float64{fRemaining: 0}},
			{"Bug", "Committed", "InProgress", 2, map[string]float64{fEffort: 1}},
		},
		measures: map[string][]string{"Product Backlog Item": {fBusiness, fEffort}, "Task": {fRemaining}},
	},
	{
		process: "Basic",
		items: []pItem{
			{"Epic", "Doing", "InProgress", 0, map[string]float64{fEffort: 50}},
			{"Issue", "To Do", "Proposed", 1, map[string]float64{fEffort: 3}},
			{"Issue", "Doing", "InProgress", 1, map[string]float64{fEffort: 5}},
			{"Issue", "Done", "Completed", 1, map[string]float64{fEffort: 8}},
			{"Issue", "Done", "Completed", 1, nil},
			{"Task", "To Do", "Proposed", 3, map[string]float64{fRemaining: 4}},
			{"Task", "Done", "Completed", 3, map[string]float64{fRemaining: 0}},
			{"Task", "Doing", "InProgress", 4, map[string]float64{fRemaining: 2}},
		},
		measures: map[string][]string{"Issue": {fEffort}, "Task": {fRemaining}},
	},
	{
		process: "CMMI",
		items: []pItem{
			{"Epic", "Active", "InProgress", 0, map[string]float64{fSize: 40}},
			{"Feature", "Resolved", "Resolved", 1, map[string]float64{fSize: 21}},
			{"Requirement", "Proposed", "Proposed", 2, map[string]float64{fSize: 3, fOriginal: 10}},
			{"Requirement", "Active", "InProgress", 2, map[string]float64{fSize: 5, fOriginal: 20, fRemaining: 12, fCompleted: 8}},
			{"Requirement", "Resolved", "Resolved", 2, map[string]float64{fSize: 8, fOriginal: 16, fRemaining: 0, fCompleted: 16}},
			{"Requirement", "Closed", "Completed", 2, map[string]float64{fSize: 13, fOriginal: 30, fCompleted: 32}},
			{"Task", "Proposed", "Proposed", 4, hours(6, 6, 0)},
			{"Task", "Active", "InProgress", 4, hours(8, 2, 6)},
			{"Task", "Resolved", "Resolved", 5, hours(4, 0, 4)},
			{"Task", "Closed", "Completed", 6, hours(5, 0, 5)},
			{"Bug", "Active", "InProgress", 3, map[string]float64{fSize: 2}},
			{"Change Request", "Closed", "Completed", 1, map[string]float64{fOriginal: 7}},
			{"Risk", "Active", "InProgress", 1, nil},
			{"Issue", "Resolved", "Resolved", 1, nil},
			{"Review", "Closed", "Completed", 2, nil},
		},
		measures: map[string][]string{"Requirement": {fCompleted, fOriginal, fRemaining, fSize}, "Task": {fOriginal, fRemaining, fCompleted}},
	},
	{
		process: "custom",
		items: []pItem{
			{"Feature", "Active", "InProgress", 0, map[string]float64{fImpact: 9}},
			{"Customer Request", "New", "Proposed", 1, map[string]float64{fStoryPoints: 3, fImpact: 2}},
			{"Customer Request", "Triaged", "Proposed", 1, map[string]float64{fStoryPoints: 5, fImpact: 1}},
			{"Customer Request", "Ready for QA", "InProgress", 1, map[string]float64{fStoryPoints: 8, fImpact: 4}},
			{"Customer Request", "Verified", "Resolved", 1, map[string]float64{fStoryPoints: 2, fImpact: 3}},
			{"Customer Request", "Shipped", "Completed", 1, map[string]float64{fStoryPoints: 13, fImpact: 5}},
			{"Customer Request", "Shipped", "Completed", 1, map[string]float64{fImpact: 7}},
			{"Customer Request", "Won't fix", "Removed", 1, map[string]float64{fStoryPoints: 40, fImpact: 10}},
			{"User Story", "Ready for QA", "InProgress", 1, map[string]float64{fStoryPoints: 5}},
			{"User Story", "Closed", "Completed", 1, map[string]float64{fStoryPoints: 3, fImpact: 6}},
			{"User Story", "Won't fix", "Removed", 1, map[string]float64{fStoryPoints: 8}},
			{"Task", "Active", "InProgress", 4, hours(6, 4, 2)},
			{"Task", "Closed", "Completed", 10, hours(3, 0, 3)},
			{"Bug", "Won't fix", "Removed", 9, nil},
			{"Bug", "Ready for QA", "InProgress", 9, nil},
		},
		measures: map[string][]string{"Customer Request": {fImpact, fStoryPoints}, "User Story": {fImpact, fStoryPoints},
			"Task": {fOriginal, fRemaining, fCompleted}},
	},
}

// scenario builds the emulator data of a process case: items with ids 1…n in the
// project Fabrikam Fiber, and a flat saved query of the items below the root.
func (pc processCase) scenario() *azdoemu.Scenario {
	p := azdoemu.ScenarioProject{Name: emuProject, Process: pc.process,
		Queries: []azdoemu.ScenarioQuery{{Name: "Below the root", WIQL: "SELECT [System.Id] FROM WorkItems WHERE [System.TeamProject] = @project AND [System.Id] <> 1"}}}
	for i, it := range pc.items {
		si := azdoemu.ScenarioItem{ID: i + 1, Key: fmt.Sprint("i", i+1), Type: it.typ, Title: fmt.Sprintf("%s %d", it.typ, i+1), State: it.state}
		if it.parent != 0 {
			si.Parent = fmt.Sprint("i", it.parent)
		}
		if len(it.fields) > 0 {
			si.Fields = map[string]any{}
			for k, v := range it.fields {
				si.Fields[k] = v
			}
		}
		p.Items = append(p.Items, si)
	}
	return &azdoemu.Scenario{Organizations: []azdoemu.ScenarioOrg{{Name: emuOrg, Projects: []azdoemu.ScenarioProject{p}}}}
}

// want computes what a data source over the items with the given ids shows, by the
// progress rules of the product, from the categories written in the case.
func (pc processCase) want(ids []int, progressType, measure, kind string, countTotal, resolved bool) expectation {
	var e expectation
	var all, done float64
	in := map[int]bool{}
	for _, id := range ids {
		it := pc.items[id-1]
		if it.cat == "Removed" {
			continue
		}
		in[id] = true
		e.items++
		if progressType != "*" && it.typ != progressType {
			continue
		}
		e.measured++
		m := 1.0
		if measure != "count" {
			m = it.fields[measure]
		}
		all += m
		if it.cat == "Completed" || resolved && it.cat == "Resolved" {
			e.complete++
			done += m
		}
	}
	switch {
	case kind == "percentage" || kind == "tasks":
		if all != 0 {
			e.value = 100 * done / all
		}
	case countTotal || measure == fRemaining:
		e.value = all
	default:
		e.value = done
	}
	for id := range in {
		if progressType != "*" && pc.items[id-1].typ != progressType {
			continue
		}
		for p := id; p != 0; p = pc.items[p-1].parent {
			if in[p] && !slices.Contains(e.visible, p) {
				e.visible = append(e.visible, p)
			}
		}
	}
	sort.Ints(e.visible)
	return e
}

// progressTypes are the types a case measures by: each with numeric fields, and all.
func (pc processCase) progressTypes() []string {
	out := make([]string, 0, len(pc.measures)+1)
	for t := range pc.measures {
		out = append(out, t)
	}
	sort.Strings(out)
	return append(out, "*")
}

// fieldsOf returns the measures of a progress type: for all types, every field any item has.
func (pc processCase) fieldsOf(progressType string) []string {
	if progressType != "*" {
		return pc.measures[progressType]
	}
	var out []string
	for _, fs := range pc.measures {
		for _, f := range fs {
			if !slices.Contains(out, f) {
				out = append(out, f)
			}
		}
	}
	sort.Strings(out)
	return out
}

// processTarget is a target of a process case: what it is and how its value is read.
type processTarget struct {
	name  string
	kind  string
	make  func(tb testing.TB, b *testBundle) cairn.Target
	total bool // count total, for number metrics
}

var processTargets = []processTarget{
	{name: "KeyResultPercentage", kind: "percentage", make: func(tb testing.TB, b *testBundle) cairn.Target {
		return cairn.Target{Type: cairn.TargetKeyResult, ID: b.keyResult(tb, cairn.MetricPercentage, 0, 100).ID}
	}},
	{name: "KeyResultNumber", kind: "number", make: func(tb testing.TB, b *testBundle) cairn.Target {
		return cairn.Target{Type: cairn.TargetKeyResult, ID: b.keyResult(tb, cairn.MetricNumber, 0, 100).ID}
	}},
	{name: "KeyResultNumberTotal", kind: "number", total: true, make: func(tb testing.TB, b *testBundle) cairn.Target {
		return cairn.Target{Type: cairn.TargetKeyResult, ID: b.keyResult(tb, cairn.MetricNumber, 0, 100).ID}
	}},
	{name: "InitiativeMetricCurrency", kind: "currency", make: func(tb testing.TB, b *testBundle) cairn.Target {
		return cairn.Target{Type: cairn.TargetInitiativeMetric, ID: b.initiative(tb, &cairn.Metric{Kind: cairn.MetricCurrency, Start: 0, Target: 100}).ID}
	}},
	{name: "InitiativeMetricPercentage", kind: "percentage", make: func(tb testing.TB, b *testBundle) cairn.Target {
		return cairn.Target{Type: cairn.TargetInitiativeMetric, ID: b.initiative(tb, &cairn.Metric{Kind: cairn.MetricPercentage, Start: 0, Target: 100}).ID}
	}},
	{name: "InitiativeTasks", kind: "tasks", make: func(tb testing.TB, b *testBundle) cairn.Target {
		return cairn.Target{Type: cairn.TargetInitiativeTasks, ID: b.initiative(tb, nil).ID}
	}},
}

// TestEveryProcessEveryTargetAndMeasure binds every target with every measure of every
// progress type, for each built-in process and an inherited one with custom types and
// states, and checks each synced value against the product's progress rules.
func TestEveryProcessEveryTargetAndMeasure(t *testing.T) {
	t.Parallel()
	for _, dialect := range []string{sqldb.DialectSQLite, sqldb.DialectPostgres} {
		for _, pc := range processCases {
			t.Run(dialect+"/"+pc.process, func(t *testing.T) {
				t.Parallel()
				b := setup(t, bundleOptions{dialect: dialect, emu: azdoemu.Options{Scenario: pc.scenario()}})
				conn := b.connect(t)
				all := make([]int, len(pc.items))
				for i := range all {
					all[i] = i + 1
				}
				queryID := b.queryID(t, "Shared Queries/Below the root")
				for _, pt := range pc.progressTypes() {
					// The measures Cairn offers are exactly the numeric fields of the type.
					types := []string{pt}
					if pt == "*" {
						types = nil
						for t := range pc.measures {
							types = append(types, t)
						}
					}
					offered, err := b.ds.MeasureFields(b.actx, b.org.Slug, conn.ID, types)
					must(t, err)
					var got []string
					for _, m := range offered {
						got = append(got, m.ReferenceName)
					}
					sort.Strings(got)
					if want := sortedStrings(pc.fieldsOf(pt)); !slices.Equal(got, want) {
						t.Errorf("measures of %s = %v, want %v", pt, got, want)
					}
					measures := append([]string{"count"}, pc.fieldsOf(pt)...)
					if dialect == sqldb.DialectPostgres {
						// PostgreSQL stores what SQLite does: one field besides the count
						// keeps its pass short, SQLite covers every measure.
						measures = measures[:2]
					}
					for _, measure := range measures {
						for _, tg := range processTargets {
							if measure == fRemaining && tg.kind != "number" {
								continue
							}
							for _, resolved := range []bool{false, true} {
								if resolved && (measure != "count" || tg.kind != "percentage") {
									continue
								}
								name := fmt.Sprintf("%s/%s/%s/resolved=%v", pt, measure, tg.name, resolved)
								target := tg.make(t, b)
								in := datasource.DataSourceInput{Target: target, ConnectionID: conn.ID, Method: cairn.MethodWorkItems,
									WorkItemType: pc.items[0].typ, WorkItemIDs: []int{1}, ProgressType: pt, Measure: measure,
									CountTotal: tg.total, ResolvedIsComplete: resolved}
								ids := all
								if tg.name == "InitiativeMetricPercentage" {
									in.Method, in.WorkItemType, in.WorkItemIDs, in.QueryID = cairn.MethodSharedQuery, "", nil, queryID
									ids = all[1:]
								}
								d, err := b.ds.CreateDataSource(b.actx, b.org.Slug, in)
								if err != nil {
									t.Errorf("%s: create: %v", name, err)
									continue
								}
								w := pc.want(ids, pt, measure, tg.kind, tg.total, resolved)
								if d.Error != nil || d.Value == nil {
									t.Errorf("%s: error %+v, value %v", name, d.Error, d.Value)
									continue
								}
								if !near(*d.Value, w.value) || d.ItemCount != w.items || d.MeasuredCount != w.measured || d.CompleteCount != w.complete {
									t.Errorf("%s: value %v with %d items, %d measured, %d complete; want %v with %d, %d, %d",
										name, *d.Value, d.ItemCount, d.MeasuredCount, d.CompleteCount, w.value, w.items, w.measured, w.complete)
								}
								if target.Type == cairn.TargetInitiativeTasks {
									ts, err := b.ds.Tasks(b.actx, b.org.Slug, target.ID)
									must(t, err)
									var vis []int
									for _, task := range ts {
										vis = append(vis, task.WorkItemID)
										if want := pc.items[task.WorkItemID-1].cat; task.StateCategory != want {
											t.Errorf("%s: task %d (%s) in category %q, want %q", name, task.WorkItemID, task.State, task.StateCategory, want)
										}
									}
									if !slices.Equal(sortedCopy(vis), w.visible) {
										t.Errorf("%s: visible tasks %v, want %v", name, sortedCopy(vis), w.visible)
									}
								}
								// One data source at a time keeps each sync to its own.
								must(t, b.ds.DeleteDataSource(b.actx, b.org.Slug, d.ID))
							}
						}
					}
				}
			})
		}
	}
}

// TestCustomStatesPinnedValues pins a few values of the inherited process by hand:
// "Shipped" completes, "Won't fix" leaves the denominator, "Ready for QA" is in progress.
func TestCustomStatesPinnedValues(t *testing.T) {
	t.Parallel()
	pc := processCases[len(processCases)-1]
	b := setup(t, bundleOptions{emu: azdoemu.Options{Scenario: pc.scenario()}})
	conn := b.connect(t)
	cases := []struct {
		progress, measure string
		resolved          bool
		want              float64
	}{
		// Customer Requests: 6 counted (Won't fix dropped), 2 Shipped.
		{"Customer Request", "count", false, 100 * 2.0 / 6},
		// Verified is Resolved: complete only with the option.
		{"Customer Request", "count", true, 100 * 3.0 / 6},
		// Story points 3+5+8+2+13+0 = 31, Shipped 13+0.
		{"Customer Request", fStoryPoints, false, 100 * 13.0 / 31},
		// Customer impact 2+1+4+3+5+7 = 22, Shipped 5+7.
		{"Customer Request", fImpact, false, 100 * 12.0 / 22},
		// User stories: Ready for QA and Closed count, Won't fix does not.
		{"User Story", "count", false, 50},
	}
	for _, c := range cases {
		k := b.keyResult(t, cairn.MetricPercentage, 0, 100)
		d, err := b.ds.CreateDataSource(b.actx, b.org.Slug, datasource.DataSourceInput{Target: cairn.Target{Type: cairn.TargetKeyResult, ID: k.ID},
			ConnectionID: conn.ID, Method: cairn.MethodWorkItems, WorkItemType: "Feature", WorkItemIDs: []int{1},
			ProgressType: c.progress, Measure: c.measure, ResolvedIsComplete: c.resolved})
		must(t, err)
		if d.Value == nil || !near(*d.Value, c.want) {
			t.Errorf("%s by %s (resolved %v) = %v, want %v", c.progress, c.measure, c.resolved, d.Value, c.want)
		}
	}
}

// TestMeasureMustBeANumericFieldOfTheType refuses measures the process does not have on
// the progress type, or that are not numeric, and names the ones it has.
func TestMeasureMustBeANumericFieldOfTheType(t *testing.T) {
	t.Parallel()
	pc := processCases[3] // CMMI: Size, not Story Points
	b := setup(t, bundleOptions{emu: azdoemu.Options{Scenario: pc.scenario()}})
	conn := b.connect(t)
	for _, c := range []struct{ progress, measure, want string }{
		{"Requirement", fStoryPoints, "choose one of"},
		{"Requirement", "Microsoft.VSTS.CMMI.RequirementType", "has no numeric field"},
		{"Task", fSize, "has no numeric field"},
		{"*", fEffort, "no work item type"},
	} {
		k := b.keyResult(t, cairn.MetricNumber, 0, 100)
		_, err := b.ds.CreateDataSource(b.actx, b.org.Slug, datasource.DataSourceInput{Target: cairn.Target{Type: cairn.TargetKeyResult, ID: k.ID},
			ConnectionID: conn.ID, Method: cairn.MethodWorkItems, WorkItemType: "Epic", WorkItemIDs: []int{1}, ProgressType: c.progress, Measure: c.measure})
		if cairn.ErrorField(err) != "measure" || !strings.Contains(cairn.ErrorMessage(err), c.want) {
			t.Errorf("%s by %s: %v, want a measure error containing %q", c.progress, c.measure, err, c.want)
		}
	}
}

func sortedStrings(s []string) []string {
	c := slices.Clone(s)
	sort.Strings(c)
	return c
}
