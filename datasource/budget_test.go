package datasource_test

import (
	"testing"
	"time"

	"github.com/cairn-okr/cairn"
	"github.com/cairn-okr/cairn/azdoemu"
	"github.com/cairn-okr/cairn/datasource"
)

// Routes of the metadata calls a regular sync must not make.
const (
	routeTypes  = "wit/workitemtypes"
	routeType   = "wit/workitemtypes/{type}"
	routeStates = "wit/workitemtypes/{type}/states"
)

// callBudget is what a sync of one connection may call: one membership query per data
// source, one batch call per 200 fetched items and one changed-since call.
func callBudget(sources, fetched int) int { return sources + batches(fetched) + 1 }

// checkBudget fails when a sync made more calls than its budget or any metadata call.
func checkBudget(tb testing.TB, what string, rep *datasource.Report, sources int) {
	tb.Helper()
	if want := callBudget(sources, rep.ItemsFetched); rep.CallCount > want {
		tb.Fatalf("%s of %d items made %d calls (%v), budget %d", what, rep.ItemsFetched, rep.CallCount, rep.Calls, want)
	}
	if n := rep.Calls[routeTypes] + rep.Calls[routeType] + rep.Calls[routeStates]; n > 0 {
		tb.Fatalf("%s made %d metadata calls: %v", what, n, rep.Calls)
	}
}

// changeItems moves n open user stories of the generated data to another state.
func (b *testBundle) changeItems(tb testing.TB, n int) []int {
	tb.Helper()
	snaps, err := b.emu.WorkItems(emuOrg, emuProject)
	must(tb, err)
	var changed []int
	for _, s := range snaps {
		if len(changed) == n {
			break
		}
		if s.Type == "User Story" && (s.State == "New" || s.State == "Active") {
			must(tb, b.emu.UpdateWorkItem(emuOrg, emuProject, s.ID, map[string]any{"System.State": "Closed"}))
			changed = append(changed, s.ID)
		}
	}
	if len(changed) < n {
		tb.Fatalf("only %d open user stories to change, want %d", len(changed), n)
	}
	return changed
}

func TestSyncCallBudget(t *testing.T) {
	t.Parallel()
	const total = 1000
	b := setup(t, bundleOptions{emu: azdoemu.Options{Generate: "epics=1,features=9,stories=200,tasks=780,bugs=10,seed=1"}})
	conn := b.connect(t)
	k := b.keyResult(t, cairn.MetricPercentage, 0, 100)
	const path = "Shared Queries/Generated/All work items"
	d := b.bindDirect(t, &cairn.DataSource{ConnectionID: conn.ID, Target: cairn.Target{Type: cairn.TargetKeyResult, ID: k.ID},
		Method: cairn.MethodSharedQuery, QueryID: b.queryID(t, path), ProgressType: "User Story"})
	checkValue := func(t *testing.T) {
		t.Helper()
		want := b.expect(t, b.queryItems(t, path), "User Story", "count", "percentage", false, false)
		got := b.get(t, d.ID)
		if got.Error != nil || got.Value == nil || !near(*got.Value, want.value) || got.CompleteCount != want.complete {
			t.Fatalf("value %v (%d complete), error %+v; want %v (%d complete)", got.Value, got.CompleteCount, got.Error, want.value, want.complete)
		}
	}

	first, err := b.syncer.Sync(ctx, conn.ID, cairn.TriggerSchedule)
	must(t, err)
	if first.ItemsFetched != total {
		t.Fatalf("the first sync fetched %d items, want %d", first.ItemsFetched, total)
	}
	checkBudget(t, "the first sync", first, 1)
	if want := callBudget(1, total); want != 7 {
		t.Fatalf("the budget of %d items is %d, want 7", total, want)
	}
	checkValue(t)

	again, err := b.syncer.Sync(ctx, conn.ID, cairn.TriggerSchedule)
	must(t, err)
	if again.ItemsFetched != 0 || again.CallCount > 2 {
		t.Fatalf("a no-change re-sync fetched %d items in %d calls: %v", again.ItemsFetched, again.CallCount, again.Calls)
	}
	checkBudget(t, "a no-change re-sync", again, 1)

	changed := b.changeItems(t, 5)
	after, err := b.syncer.Sync(ctx, conn.ID, cairn.TriggerSchedule)
	must(t, err)
	if after.ItemsFetched != len(changed) {
		t.Fatalf("a sync after changing %d items fetched %d", len(changed), after.ItemsFetched)
	}
	checkBudget(t, "a sync after changes", after, 1)
	checkValue(t)
}

func TestUnknownTypeReloadsCategoriesOnce(t *testing.T) {
	t.Parallel()
	b := setup(t, bundleOptions{})
	conn := b.connect(t)
	i := b.initiative(t, nil)
	d, err := b.ds.CreateDataSource(b.actx, b.org.Slug, datasource.DataSourceInput{Target: cairn.Target{Type: cairn.TargetInitiativeTasks, ID: i.ID},
		ConnectionID: conn.ID, Method: cairn.MethodWorkItems, WorkItemType: "Epic", WorkItemIDs: []int{1}, ProgressType: "*"})
	must(t, err)
	if d.Error != nil {
		t.Fatalf("first sync: %+v", d.Error)
	}
	if rep := b.reports.rs[len(b.reports.rs)-1]; rep.Calls[routeTypes]+rep.Calls[routeStates] != 0 {
		t.Fatalf("the first sync after binding made metadata calls: %v", rep.Calls)
	}
	// A type renamed after the connection cached its categories: the next item that
	// changes shows the new name, which the sync looks up once.
	var task int
	for _, id := range b.descendants(t, 1) {
		s, err := b.emu.WorkItem(emuOrg, id)
		must(t, err)
		if s.Type == "Task" {
			task = id
			break
		}
	}
	if task == 0 {
		t.Fatal("epic 1 has no task")
	}
	must(t, b.emu.RenameType(emuOrg, emuProject, "Task", "Chore"))
	must(t, b.emu.UpdateWorkItem(emuOrg, emuProject, task, map[string]any{"System.State": "Active"}))
	rep, err := b.syncer.Sync(ctx, conn.ID, cairn.TriggerSchedule)
	must(t, err)
	if rep.Calls[routeTypes] != 0 || rep.Calls[routeStates] != 1 {
		t.Fatalf("a sync meeting an unknown type made %v, want one states call for that type", rep.Calls)
	}
	ts, err := b.ds.Tasks(b.actx, b.org.Slug, i.ID)
	must(t, err)
	found := false
	for _, tk := range ts {
		if tk.WorkItemID == task {
			found = true
			if tk.Type != "Chore" || tk.StateCategory != "InProgress" {
				t.Fatalf("task %d = %s in category %q, want Chore in InProgress", task, tk.Type, tk.StateCategory)
			}
		}
	}
	if !found {
		t.Fatalf("task %d is not shown", task)
	}
	rep, err = b.syncer.Sync(ctx, conn.ID, cairn.TriggerSchedule)
	must(t, err)
	checkBudget(t, "the sync after the reload", rep, 1)
}

func TestNothingOfTheProgressTypeStaysWithinBudget(t *testing.T) {
	t.Parallel()
	b := setup(t, bundleOptions{})
	conn := b.connect(t)
	k := b.keyResult(t, cairn.MetricPercentage, 0, 100)
	// The query holds features only, so nothing is of the progress type.
	d := b.bindDirect(t, &cairn.DataSource{ConnectionID: conn.ID, Target: cairn.Target{Type: cairn.TargetKeyResult, ID: k.ID},
		Method: cairn.MethodSharedQuery, QueryID: b.queryID(t, "Shared Queries/Q3 Features"), ProgressType: "Task"})
	for _, step := range []string{"the first sync", "a re-sync"} {
		rep, err := b.syncer.Sync(ctx, conn.ID, cairn.TriggerSchedule)
		must(t, err)
		checkBudget(t, step, rep, 1)
		got := b.get(t, d.ID)
		if got.Error != nil || got.MeasuredCount != 0 || got.Warning == "" {
			t.Fatalf("%s: error %+v, %d measured, warning %q; want a warning only", step, got.Error, got.MeasuredCount, got.Warning)
		}
	}
}

// TestScheduledSyncOfAConnectionSyncedMeanwhile: a sync the schedule queued finds the
// connection synced since the schedule read it and calls nothing; once the connection
// has a sync request, or was never synced, it syncs.
func TestScheduledSyncOfAConnectionSyncedMeanwhile(t *testing.T) {
	t.Parallel()
	b := setup(t, bundleOptions{emu: azdoemu.Options{Generate: "epics=1,features=2,stories=20,tasks=10,bugs=2,seed=3"}})
	conn := b.connect(t)
	k := b.keyResult(t, cairn.MetricPercentage, 0, 100)
	const path = "Shared Queries/Generated/All work items"
	b.bindDirect(t, &cairn.DataSource{ConnectionID: conn.ID, Target: cairn.Target{Type: cairn.TargetKeyResult, ID: k.ID},
		Method: cairn.MethodSharedQuery, QueryID: b.queryID(t, path), ProgressType: "User Story"})

	first, err := b.syncer.SyncIfDue(ctx, conn.ID, cairn.TriggerSchedule)
	must(t, err)
	if first.NotDue || first.CallCount == 0 {
		t.Fatalf("a never-synced connection did not sync: %+v", first)
	}
	again, err := b.syncer.SyncIfDue(ctx, conn.ID, cairn.TriggerSchedule)
	must(t, err)
	if !again.NotDue || again.CallCount != 0 || len(again.Sources) != 0 {
		t.Fatalf("a connection synced within its interval synced again: not due %v, %d calls", again.NotDue, again.CallCount)
	}
	must(t, b.db.RequestSync(ctx, conn.ID, time.Now(), nil))
	asked, err := b.syncer.SyncIfDue(ctx, conn.ID, cairn.TriggerSchedule)
	must(t, err)
	if asked.NotDue || asked.CallCount == 0 {
		t.Fatalf("a connection with a sync request did not sync: %+v", asked)
	}
	// Sync, unlike SyncIfDue, always syncs.
	forced, err := b.syncer.Sync(ctx, conn.ID, cairn.TriggerManual)
	must(t, err)
	if forced.NotDue || forced.CallCount == 0 {
		t.Fatalf("Sync did not sync: %+v", forced)
	}
}
