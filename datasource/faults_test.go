package datasource_test

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cairn-okr/cairn"
	"github.com/cairn-okr/cairn/azdo"
	"github.com/cairn-okr/cairn/azdoemu"
	"github.com/cairn-okr/cairn/azdoemu/traffic"
	"github.com/cairn-okr/cairn/datasource"
	"github.com/cairn-okr/cairn/sqldb"
)

// front stands between Cairn and the emulator: it can be taken down (every connection is
// closed without an answer) and can inject faults, while the test reads the emulator's
// own state through the clean address.
type front struct {
	down atomic.Bool
	// downAfter, when positive, takes the front down after that many more requests.
	downAfter atomic.Int64
	h         http.Handler
	url       string
}

func (f *front) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if f.downAfter.Load() > 0 && f.downAfter.Add(-1) == 0 {
		f.down.Store(true)
	}
	if f.down.Load() {
		if hj, ok := w.(http.Hijacker); ok {
			if c, _, err := hj.Hijack(); err == nil {
				c.Close()
				return
			}
		}
		w.WriteHeader(http.StatusBadGateway)
		return
	}
	f.h.ServeHTTP(w, r)
}

// newFront serves the bundle's emulator through a front with the faults spec.
func (b *testBundle) newFront(tb testing.TB, spec string, seed int64) *front {
	tb.Helper()
	faults, err := traffic.ParseFaults(spec)
	must(tb, err)
	mw := traffic.New(traffic.Config{Faults: faults, Seed: seed})
	f := &front{h: mw.Wrap(b.emu, func(r *http.Request) string { return "api" }, func(r *http.Request) string { return "cairn" })}
	ts := httptest.NewServer(f)
	tb.Cleanup(ts.Close)
	f.url = ts.URL
	hosts, err := b.svc.AllowedHosts(b.actx)
	must(tb, err)
	_, err = b.svc.SetAllowedHosts(b.actx, append(hosts, strings.TrimPrefix(ts.URL, "http://")))
	must(tb, err)
	return f
}

// connectVia creates a connection to the emulator through another base URL.
func (b *testBundle) connectVia(tb testing.TB, base string) *datasource.ConnectionView {
	tb.Helper()
	c, err := b.ds.CreateConnection(b.actx, b.org.Slug, datasource.ConnectionInput{
		Name: "via front", OrganizationURL: base + "/" + emuOrg, Project: emuProject,
		Visibility: cairn.VisibilityShared, Auth: datasource.AuthInput{Type: cairn.AuthPAT, Token: testPAT}})
	must(tb, err)
	return c
}

// boundKR binds a new number key result to user stories under the epics and syncs it.
func (b *testBundle) boundKR(tb testing.TB, conn int64, in datasource.DataSourceInput) (*cairn.KeyResult, *cairn.DataSource) {
	tb.Helper()
	k := b.keyResult(tb, cairn.MetricNumber, 0, 100)
	in.Target, in.ConnectionID = cairn.Target{Type: cairn.TargetKeyResult, ID: k.ID}, conn
	d, err := b.ds.CreateDataSource(b.actx, b.org.Slug, in)
	must(tb, err)
	if d.Value == nil || d.Error != nil {
		tb.Fatalf("first sync: value %v error %+v", d.Value, d.Error)
	}
	return k, d
}

var storiesOfEpics = datasource.DataSourceInput{Method: cairn.MethodWorkItems, WorkItemType: "Epic", WorkItemIDs: []int{1, 2}, ProgressType: "User Story"}

func (b *testBundle) get(tb testing.TB, id int64) *cairn.DataSource {
	tb.Helper()
	d, err := b.ds.DataSource(b.actx, b.org.Slug, id)
	must(tb, err)
	return d
}

// closeOneStory closes an open user story under epic 1 so that the next good sync moves.
func (b *testBundle) closeOneStory(tb testing.TB) {
	tb.Helper()
	snaps, err := b.emu.WorkItems(emuOrg, emuProject)
	must(tb, err)
	for _, s := range snaps {
		if s.Type == "User Story" && s.State != "Closed" && s.State != "Removed" {
			for _, id := range b.descendants(tb, 1) {
				if id == s.ID {
					must(tb, b.emu.UpdateWorkItem(emuOrg, emuProject, s.ID, map[string]any{"System.State": "Closed"}))
					return
				}
			}
		}
	}
	tb.Fatal("no open user story under epic 1")
}

func TestFaultsKeepTheLastGoodValue(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		input    func(b *testBundle) datasource.DataSourceInput
		break_   func(t *testing.T, b *testBundle, f *front)
		repair   func(t *testing.T, b *testBundle, f *front)
		kind     string
		guidance string
	}{
		{
			name:     "RevokedPAT",
			break_:   func(t *testing.T, b *testBundle, f *front) { must(t, b.emu.SetPATExpired(testPAT, true)) },
			repair:   func(t *testing.T, b *testBundle, f *front) { must(t, b.emu.SetPATExpired(testPAT, false)) },
			kind:     cairn.SyncErrCredentials,
			guidance: "reconnect",
		},
		{
			name:     "ConditionalAccess",
			break_:   func(t *testing.T, b *testBundle, f *front) { must(t, b.emu.SetCAP(emuOrg, true)) },
			repair:   func(t *testing.T, b *testBundle, f *front) { must(t, b.emu.SetCAP(emuOrg, false)) },
			kind:     cairn.SyncErrConditionalAccess,
			guidance: "Enable Azure AD CAP validation",
		},
		{
			name:     "EmulatorDown",
			break_:   func(t *testing.T, b *testBundle, f *front) { f.down.Store(true) },
			repair:   func(t *testing.T, b *testBundle, f *front) { f.down.Store(false) },
			kind:     cairn.SyncErrUnavailable,
			guidance: "tries again",
		},
		{
			name:     "EmulatorDownMidSync",
			break_:   func(t *testing.T, b *testBundle, f *front) { f.downAfter.Store(2) },
			repair:   func(t *testing.T, b *testBundle, f *front) { f.down.Store(false) },
			kind:     cairn.SyncErrUnavailable,
			guidance: "tries again",
		},
		{
			name: "DeletedQuery",
			input: func(b *testBundle) datasource.DataSourceInput {
				return datasource.DataSourceInput{Method: cairn.MethodSharedQuery, QueryID: b.queryID(t, "Shared Queries/Active user stories"), ProgressType: "User Story"}
			},
			break_: func(t *testing.T, b *testBundle, f *front) {
				must(t, b.emu.DeleteQuery(emuOrg, emuProject, "Shared Queries/Active user stories"))
			},
			kind:     cairn.SyncErrNotFound,
			guidance: "pick another",
		},
		{
			name: "RenamedType",
			break_: func(t *testing.T, b *testBundle, f *front) {
				must(t, b.emu.RenameType(emuOrg, emuProject, "User Story", "Story"))
			},
			repair: func(t *testing.T, b *testBundle, f *front) {
				must(t, b.emu.RenameType(emuOrg, emuProject, "Story", "User Story"))
			},
			kind:     cairn.SyncErrInvalid,
			guidance: "progress type",
		},
		{
			name: "RemovedField",
			input: func(b *testBundle) datasource.DataSourceInput {
				in := storiesOfEpics
				in.Measure = "Microsoft.VSTS.Scheduling.StoryPoints"
				return in
			},
			break_: func(t *testing.T, b *testBundle, f *front) {
				must(t, b.emu.RemoveField(emuOrg, "Microsoft.VSTS.Scheduling.StoryPoints"))
			},
			kind:     cairn.SyncErrInvalid,
			guidance: "another numeric field",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b := setup(t, bundleOptions{})
			f := b.newFront(t, "", 1)
			conn := b.connectVia(t, f.url)
			in := storiesOfEpics
			if tc.input != nil {
				in = tc.input(b)
			}
			k, d := b.boundKR(t, conn.ID, in)
			before, nCheckIns, success := *d.Value, len(checkIns(t, b, krRef(k))), d.LastSuccessAt

			b.closeOneStory(t)
			tc.break_(t, b, f)
			_, err := b.syncer.Sync(ctx, conn.ID, cairn.TriggerManual)
			must(t, err)
			got := b.get(t, d.ID)
			if got.Error == nil || got.Error.Kind != tc.kind || !strings.Contains(got.Error.Guidance+" "+got.Error.Message, tc.guidance) {
				t.Fatalf("error = %+v, want kind %q mentioning %q", got.Error, tc.kind, tc.guidance)
			}
			if got.Value == nil || *got.Value != before || !got.LastSuccessAt.Equal(*success) || got.LastAttemptAt == nil {
				t.Fatalf("after the fault: value %v (was %v), last success %v (was %v)", got.Value, before, got.LastSuccessAt, success)
			}
			kr, err := b.svc.KeyResult(b.actx, b.org.Slug, k.ID)
			must(t, err)
			if kr.Metric.Current != before || len(checkIns(t, b, krRef(k))) != nCheckIns {
				t.Fatalf("the key result moved to %v or got a check-in during the fault", kr.Metric.Current)
			}
			runs, err := b.ds.Runs(b.actx, b.org.Slug, d.ID, 1)
			must(t, err)
			if len(runs) != 1 || runs[0].Error == nil || runs[0].Error.Kind != tc.kind {
				t.Fatalf("the run log does not record the error: %+v", runs)
			}
			if tc.repair == nil {
				return
			}
			tc.repair(t, b, f)
			_, err = b.syncer.Sync(ctx, conn.ID, cairn.TriggerManual)
			must(t, err)
			got = b.get(t, d.ID)
			if got.Error != nil || got.Value == nil || *got.Value == before {
				t.Fatalf("after the repair: value %v (was %v), error %+v", got.Value, before, got.Error)
			}
		})
	}
}

func TestDeletedAndMovedItemsLeaveTheSet(t *testing.T) {
	t.Parallel()
	b := setup(t, bundleOptions{})
	conn := b.connect(t)
	k, d := b.boundKR(t, conn.ID, datasource.DataSourceInput{Method: cairn.MethodWorkItems, WorkItemType: "Epic", WorkItemIDs: []int{1}, ProgressType: "*"})
	snaps, err := b.emu.WorkItems(emuOrg, emuProject)
	must(t, err)
	var feature, story int
	for _, s := range snaps {
		if s.Parent == 1 && s.Type == "Feature" && feature == 0 {
			feature = s.ID
		}
	}
	for _, s := range snaps {
		if s.Parent == feature && story == 0 {
			story = s.ID
		}
	}
	must(t, b.emu.DeleteWorkItem(emuOrg, emuProject, story))
	// Moving a feature to another epic takes its stories out of epic 1's tree.
	must(t, b.emu.UpdateWorkItem(emuOrg, emuProject, feature, map[string]any{"System.Parent": nil}))
	must(t, b.emu.UpdateWorkItem(emuOrg, emuProject, feature, map[string]any{"System.Parent": 2}))
	_, err = b.syncer.Sync(ctx, conn.ID, cairn.TriggerSchedule)
	must(t, err)
	got := b.get(t, d.ID)
	want := b.expect(t, b.descendants(t, 1), "*", "count", "number", false, false)
	if got.Error != nil || got.ItemCount != want.items || *got.Value != want.value {
		t.Fatalf("after delete and move: items %d value %v error %+v, want items %d value %v", got.ItemCount, got.Value, got.Error, want.items, want.value)
	}
	if got.ItemCount >= d.ItemCount {
		t.Fatalf("item count %d did not shrink from %d", got.ItemCount, d.ItemCount)
	}
	_ = k
}

func TestCyclicLinksTerminate(t *testing.T) {
	t.Parallel()
	b := setup(t, bundleOptions{})
	conn := b.connect(t)
	_, d := b.boundKR(t, conn.ID, datasource.DataSourceInput{Method: cairn.MethodWorkItems, WorkItemType: "Epic", WorkItemIDs: []int{1}, ProgressType: "*"})
	leaf := b.descendants(t, 1)
	last := leaf[len(leaf)-1]
	// A child-to-ancestor hierarchy link closes a cycle (Azure DevOps refuses it; imported
	// data can still carry one). The emulator may refuse it too; either way the sync ends.
	_ = b.emu.AddLink(emuOrg, last, 1, "System.LinkTypes.Hierarchy-Forward")
	_, err := b.syncer.Sync(ctx, conn.ID, cairn.TriggerManual)
	must(t, err)
	got := b.get(t, d.ID)
	if got.Error != nil || got.ItemCount != d.ItemCount {
		t.Fatalf("with a cycle: items %d error %+v, want %d items", got.ItemCount, got.Error, d.ItemCount)
	}
}

// TestQueryOverTwentyThousandItems binds a saved query over 20,003 items, which Azure
// DevOps refuses with VS402337, and checks that Cairn splits it by id ranges and counts
// every item.
func TestQueryOverTwentyThousandItems(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("builds a project of 20,001 work items")
	}
	b := setup(t, bundleOptions{emu: emuOptionsGenerate("epics=1,features=1,stories=20001,tasks=0,bugs=0,seed=3")})
	conn := b.connect(t)
	qid := b.queryID(t, "Shared Queries/Generated/All work items")
	if _, err := b.client(t).RunSavedQuery(ctx, emuProject, qid, 0); !errors.Is(err, azdo.ErrQueryTooLarge) {
		t.Fatalf("running the query directly: %v, want VS402337", err)
	}
	k := b.keyResult(t, cairn.MetricNumber, 0, 100)
	_, err := b.ds.CreateDataSource(b.actx, b.org.Slug, datasource.DataSourceInput{Target: cairn.Target{Type: cairn.TargetKeyResult, ID: k.ID},
		ConnectionID: conn.ID, Method: cairn.MethodSharedQuery, QueryID: qid, ProgressType: "*"})
	must(t, err)
	d, err := b.ds.DataSourceForItem(b.actx, b.org.Slug, krRef(k))
	must(t, err)
	snaps, err := b.emu.WorkItems(emuOrg, emuProject)
	must(t, err)
	all := make([]int, 0, len(snaps))
	for _, s := range snaps {
		all = append(all, s.ID)
	}
	want := b.expect(t, all, cairn.ProgressAll, cairn.MeasureCount, string(cairn.MetricNumber), false, false)
	if len(all) != 20003 || d.Error != nil || d.ItemCount != want.items {
		t.Fatalf("items %d, error %+v; want the %d items (not removed) of all %d and no error", d.ItemCount, d.Error, want.items, len(all))
	}
}

func TestThrottlingIsNeverAnError(t *testing.T) {
	t.Parallel()
	b := setup(t, bundleOptions{})
	f := b.newFront(t, "*:429=1s@40%", 7)
	conn := b.connectVia(t, f.url)
	_, d := b.boundKR(t, conn.ID, storiesOfEpics)
	for range 5 {
		_, err := b.syncer.Sync(ctx, conn.ID, cairn.TriggerManual)
		must(t, err)
		if got := b.get(t, d.ID); got.Error != nil {
			t.Fatalf("a 429 surfaced as an error: %+v", got.Error)
		}
	}
}

func TestManualCheckInOverridesOrPauses(t *testing.T) {
	t.Parallel()
	b := setup(t, bundleOptions{})
	conn := b.connect(t)
	k, d := b.boundKR(t, conn.ID, storiesOfEpics)
	synced := *d.Value

	// A one-off override: the next sync puts the computed value back.
	must(t, b.svc.CheckInAndPause(b.actx, b.org.Slug, &cairn.CheckIn{Item: krRef(k), Value: synced + 5, Note: "estimate"}, false))
	_, err := b.syncer.Sync(ctx, conn.ID, cairn.TriggerSchedule)
	must(t, err)
	kr, err := b.svc.KeyResult(b.actx, b.org.Slug, k.ID)
	must(t, err)
	if kr.Metric.Current != synced {
		t.Fatalf("after an override and a sync: %v, want the synced %v back", kr.Metric.Current, synced)
	}
	// A pause keeps the manual value until resumed.
	must(t, b.svc.CheckInAndPause(b.actx, b.org.Slug, &cairn.CheckIn{Item: krRef(k), Value: synced + 7}, true))
	b.closeOneStory(t)
	_, err = b.syncer.Sync(ctx, conn.ID, cairn.TriggerSchedule)
	must(t, err)
	kr, _ = b.svc.KeyResult(b.actx, b.org.Slug, k.ID)
	if got := b.get(t, d.ID); !got.Paused || got.Status != cairn.DataSourcePaused || kr.Metric.Current != synced+7 {
		t.Fatalf("paused: status %q current %v, want paused at %v", got.Status, kr.Metric.Current, synced+7)
	}
	if _, err := b.ds.SyncNow(b.actx, b.org.Slug, d.ID, true); cairn.ErrorCode(err) != cairn.ECONFLICT {
		t.Fatalf("sync now while paused: %v, want a conflict", err)
	}
	resume := false
	got, err := b.ds.UpdateDataSource(b.actx, b.org.Slug, d.ID, datasource.DataSourceUpdate{Paused: &resume})
	must(t, err)
	if got.Paused || *got.Value != synced+1 {
		t.Fatalf("resumed: paused %v value %v, want %v", got.Paused, got.Value, synced+1)
	}
}

func TestClosedPeriodsNeverSync(t *testing.T) {
	t.Parallel()
	b := setup(t, bundleOptions{})
	conn := b.connect(t)
	k, d := b.boundKR(t, conn.ID, storiesOfEpics)
	_, _, err := b.svc.ClosePeriod(b.actx, b.org.Slug, b.period.ID, nil)
	must(t, err)
	b.closeOneStory(t)
	_, err = b.syncer.Sync(ctx, conn.ID, cairn.TriggerManual)
	must(t, err)
	got := b.get(t, d.ID)
	if got.Status != cairn.DataSourceClosed || *got.Value != *d.Value || len(checkIns(t, b, krRef(k))) != 1 {
		t.Fatalf("closed period: status %q value %v (was %v)", got.Status, *got.Value, *d.Value)
	}
}

func TestEmptyMeasuredSetWarns(t *testing.T) {
	t.Parallel()
	b := setup(t, bundleOptions{})
	conn := b.connect(t)
	i := b.initiative(t, nil)
	d, err := b.ds.CreateDataSource(b.actx, b.org.Slug, datasource.DataSourceInput{Target: cairn.Target{Type: cairn.TargetInitiativeTasks, ID: i.ID},
		ConnectionID: conn.ID, Method: cairn.MethodSharedQuery, QueryID: b.queryID(t, "Shared Queries/Q3 Features"), ProgressType: "Task"})
	must(t, err)
	if d.Value == nil || *d.Value != 0 || d.Warning != "no items matched" {
		t.Fatalf("value %v warning %q error %+v items %d, want 0 with \"no items matched\"", *d.Value, d.Warning, d.Error, d.ItemCount)
	}
}

func TestWebhooksOnlyTriggerSyncs(t *testing.T) {
	t.Parallel()
	b := setup(t, bundleOptions{})
	conn := b.connect(t)
	k, d := b.boundKR(t, conn.ID, storiesOfEpics)
	// Without a public URL the hooks are added by hand with a secret Cairn shows once.
	v, err := b.ds.RotateHookSecret(b.actx, b.org.Slug, conn.ID)
	must(t, err)
	b.closeOneStory(t)
	// Forged, duplicated and out-of-order deliveries: payload values are never trusted.
	forged := `{"eventType":"workitem.updated","resource":{"workItemId":1,"fields":{"System.State":{"newValue":"Closed"}}}}`
	if err := b.ds.ReceiveHook(ctx, conn.ID, v.HookUsername, "wrong", strings.NewReader(forged)); cairn.ErrorCode(err) != cairn.EUNAUTHORIZED {
		t.Fatalf("forged delivery: %v", err)
	}
	for range 3 {
		must(t, b.ds.ReceiveHook(ctx, conn.ID, v.HookUsername, v.HookSecret, strings.NewReader(forged)))
	}
	want := b.expect(t, b.descendants(t, 1, 2), "User Story", "count", "number", false, false)
	deadline := 200
	for got := b.get(t, d.ID); *got.Value != want.value; got = b.get(t, d.ID) {
		if deadline--; deadline == 0 {
			t.Fatalf("value %v, want %v from Azure DevOps", *got.Value, want.value)
		}
		sleep()
	}
	if n := len(checkIns(t, b, krRef(k))); n != 2 {
		t.Fatalf("%d check-ins, want 2: duplicates must not write more", n)
	}
}

func krRef(k *cairn.KeyResult) cairn.Ref { return cairn.Ref{Type: cairn.ItemKeyResult, ID: k.ID} }

func emuOptionsGenerate(spec string) azdoemu.Options { return azdoemu.Options{Generate: spec} }

func sleep() { time.Sleep(25 * time.Millisecond) }

// TestFailedFetchLosesNoChange fails a sync after it read the changed-since feed: the next
// incremental sync must still see the change.
func TestFailedFetchLosesNoChange(t *testing.T) {
	t.Parallel()
	b := setup(t, bundleOptions{maxRetries: -1})
	f := b.newFront(t, "", 1)
	conn := b.connectVia(t, f.url)
	_, d := b.boundKR(t, conn.ID, storiesOfEpics)
	b.closeOneStory(t)
	f.downAfter.Store(3) // the item-set query and the changed-since call pass; the fetch fails
	_, err := b.syncer.Sync(ctx, conn.ID, cairn.TriggerSchedule)
	must(t, err)
	if got := b.get(t, d.ID); got.Error == nil || *got.Value != *d.Value {
		t.Fatalf("the failed sync: error %+v value %v, want an error and the old value", got.Error, *got.Value)
	}
	f.down.Store(false)
	rep, err := b.syncer.Sync(ctx, conn.ID, cairn.TriggerSchedule)
	must(t, err)
	got := b.get(t, d.ID)
	if got.Error != nil || *got.Value != *d.Value+1 || rep.ItemsFetched == 0 {
		t.Fatalf("after the repair: value %v (was %v), error %+v, %d fetched; the change was lost", *got.Value, *d.Value, got.Error, rep.ItemsFetched)
	}
}

// TestCarryForwardMovesTheDataSource closes a period carrying an unfinished synced key
// result forward, on both databases: the data source moves to the copy, which starts from
// the last synced value, and the next sync writes into the copy while the closed original
// keeps its value.
func TestCarryForwardMovesTheDataSource(t *testing.T) {
	t.Parallel()
	for _, dialect := range []string{sqldb.DialectSQLite, sqldb.DialectPostgres} {
		t.Run(dialect, func(t *testing.T) {
			t.Parallel()
			b := setup(t, bundleOptions{dialect: dialect})
			conn := b.connect(t)
			k, d := b.boundKR(t, conn.ID, storiesOfEpics)
			synced := *d.Value
			if synced <= 0 || synced >= 100 {
				t.Fatalf("first sync wrote %v; the test needs an unfinished key result from 0 to 100", synced)
			}
			start := b.period.End.Time().AddDate(0, 0, 1)
			next := &cairn.Period{Name: "Next quarter", Start: cairn.DateOf(start), End: cairn.DateOf(start.AddDate(0, 3, -1))}
			must(t, b.svc.CreatePeriod(b.actx, b.org.Slug, next))

			closed, err := b.svc.ClosePeriodWith(b.actx, b.org.Slug, b.period.ID, cairn.PeriodClose{CarryForwardTo: next.ID})
			must(t, err)
			if len(closed.Carried) != 1 || closed.Carried[0].From.ID != k.ID || !closed.Carried[0].MovedDataSource {
				t.Fatalf("carried %+v, want key result %d with its data source", closed.Carried, k.ID)
			}
			cp := closed.Carried[0].Copy
			if cp.Metric.Start != synced || cp.Metric.Current != synced || cp.ProgressSource != cairn.SourceDataSource {
				t.Fatalf("copy starts at %v with current %v from %q, want %v from the data source", cp.Metric.Start, cp.Metric.Current, cp.ProgressSource, synced)
			}
			moved := b.get(t, d.ID)
			if moved.Target != (cairn.Target{Type: cairn.TargetKeyResult, ID: cp.ID}) || moved.Status != cairn.DataSourceActive {
				t.Fatalf("data source targets %+v with status %q, want the copy %d, active", moved.Target, moved.Status, cp.ID)
			}
			orig, err := b.svc.KeyResult(b.actx, b.org.Slug, k.ID)
			must(t, err)
			if orig.ProgressSource != cairn.SourceManual || orig.Metric.Current != synced || orig.CarriedToID == nil || *orig.CarriedToID != cp.ID {
				t.Fatalf("original = %+v", orig.KeyResult)
			}

			// Both histories tell the move: the data source's new target in each, the
			// original's return to manual check-ins, and the copy's creation.
			dref := cairn.Ref{Type: cairn.ItemDataSource, ID: d.ID}
			moveWant := fmt.Sprintf(`{"id":%d,"type":"key_result"} → {"id":%d,"type":"key_result"}`, k.ID, cp.ID)
			auditOf := func(item cairn.Ref) map[string]string {
				es, err := b.svc.History(b.actx, b.org.Slug, item, 0)
				must(t, err)
				out := map[string]string{}
				for _, e := range es {
					for _, c := range e.Changes {
						out[string(e.Action)+" "+string(e.Subject.Type)+" "+c.Field] = string(c.Before) + " → " + string(c.After)
					}
				}
				return out
			}
			origTrail, copyTrail := auditOf(krRef(k)), auditOf(krRef(cp))
			if got := origTrail["updated "+string(dref.Type)+" target"]; got != moveWant {
				t.Fatalf("original's history: data source target %q, want %q (all: %v)", got, moveWant, origTrail)
			}
			if got := origTrail["updated key_result progress_source"]; got != `"data_source" → "manual"` {
				t.Fatalf("original's history: progress source %q, want back to manual (all: %v)", got, origTrail)
			}
			if got := copyTrail["updated "+string(dref.Type)+" target"]; got != moveWant {
				t.Fatalf("copy's history: data source target %q, want %q (all: %v)", got, moveWant, copyTrail)
			}
			if got := copyTrail["created key_result carried_from_id"]; got != fmt.Sprintf("null → %d", k.ID) {
				t.Fatalf("copy's history: carried_from_id %q, want its creation from %d (all: %v)", got, k.ID, copyTrail)
			}

			b.closeOneStory(t)
			_, err = b.syncer.Sync(ctx, conn.ID, cairn.TriggerManual)
			must(t, err)
			copyView, err := b.svc.KeyResult(b.actx, b.org.Slug, cp.ID)
			must(t, err)
			if copyView.Metric.Current != synced+1 {
				t.Fatalf("copy's current = %v after one more story closed, want %v", copyView.Metric.Current, synced+1)
			}
			if want := 1 / (100 - synced); !near(copyView.Progress, want) {
				t.Fatalf("copy's progress = %v, want %v", copyView.Progress, want)
			}
			cis := checkIns(t, b, krRef(cp))
			if len(cis) != 1 || cis[0].Source != cairn.CheckInAzureDevOps || cis[0].Value != synced+1 {
				t.Fatalf("copy's check-ins = %+v, want one from Azure DevOps of %v", cis, synced+1)
			}
			orig, err = b.svc.KeyResult(b.actx, b.org.Slug, k.ID)
			must(t, err)
			if orig.Metric.Current != synced || len(checkIns(t, b, krRef(k))) != 1 {
				t.Fatalf("the closed original moved to %v", orig.Metric.Current)
			}

			// Reopening leaves the data source with the copy: the original stays as it was.
			_, err = b.svc.ReopenPeriod(b.actx, b.org.Slug, b.period.ID)
			must(t, err)
			b.closeOneStory(t)
			_, err = b.syncer.Sync(ctx, conn.ID, cairn.TriggerManual)
			must(t, err)
			orig, err = b.svc.KeyResult(b.actx, b.org.Slug, k.ID)
			must(t, err)
			copyView, err = b.svc.KeyResult(b.actx, b.org.Slug, cp.ID)
			must(t, err)
			if orig.Metric.Current != synced || copyView.Metric.Current != synced+2 {
				t.Fatalf("after reopening: original %v (want %v), copy %v (want %v)", orig.Metric.Current, synced, copyView.Metric.Current, synced+2)
			}
		})
	}
}
