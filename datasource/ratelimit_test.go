package datasource_test

import (
	"encoding/json"
	"testing"

	"github.com/cairn-okr/cairn"
	"github.com/cairn-okr/cairn/azdoemu"
	"github.com/cairn-okr/cairn/datasource"
	"github.com/cairn-okr/cairn/sqldb"
)

// TestConnectionShowsRateLimitBudget syncs against an emulator whose budget one sync
// overruns, and checks that the connection then reports the budget Azure DevOps gave,
// what is left of it and the refused requests, in the service and in its JSON.
func TestConnectionShowsRateLimitBudget(t *testing.T) {
	t.Parallel()
	for _, dialect := range []string{"sqlite", sqldb.DialectPostgres} {
		t.Run(dialect, func(t *testing.T) {
			t.Parallel()
			testConnectionShowsRateLimitBudget(t, dialect)
		})
	}
}

func testConnectionShowsRateLimitBudget(t *testing.T, dialect string) {
	b := setup(t, bundleOptions{emu: azdoemu.Options{Scenario: azdoemu.DemoScenario(), Budget: 12}, maxRetries: 2, dialect: dialect})
	conn := b.connect(t)
	k := b.keyResult(t, cairn.MetricPercentage, 0, 100)
	before, err := b.ds.Connection(b.actx, b.org.Slug, conn.ID)
	must(t, err)
	if before.RateLimit != nil {
		t.Fatalf("a connection that never synced reports a budget: %+v", before.RateLimit)
	}
	// Creating the data source checks it live and syncs it: that spends the budget.
	_, err = b.ds.CreateDataSource(b.actx, b.org.Slug, datasource.DataSourceInput{Target: cairn.Target{Type: cairn.TargetKeyResult, ID: k.ID},
		ConnectionID: conn.ID, Method: cairn.MethodSharedQuery, QueryID: b.queryID(t, "Shared Queries/Checkout epic tree"), ProgressType: cairn.ProgressAll, Measure: cairn.MeasureCount})
	if err != nil {
		t.Logf("create data source under a spent budget: %v", err)
	}
	// Azure DevOps asked the identity to wait minutes: the next sync is put off before it
	// sends anything, and keeps the numbers of the sync that spent the budget.
	rep, err := b.syncer.Sync(ctx, conn.ID, cairn.TriggerManual)
	must(t, err)
	if !rep.Deferred || rep.CallCount != 0 {
		t.Errorf("sync under a pending Retry-After: deferred %v after %d calls, want deferred before any call", rep.Deferred, rep.CallCount)
	}
	got, err := b.ds.Connection(b.actx, b.org.Slug, conn.ID)
	must(t, err)
	rl := got.RateLimit
	if rl == nil || !rl.Reported || rl.Limit != 12 || rl.Resource != "ATCPU" || rl.ResetAt == nil {
		t.Fatalf("rate limit %+v, want the emulator's reported budget of 12", rl)
	}
	if rl.Remaining >= 12 || !rl.Low() || rl.Delayed+rl.Throttled == 0 {
		t.Errorf("rate limit %+v, want a low remaining budget and delayed or refused requests", rl)
	}
	list, err := b.ds.ListConnections(b.actx, b.org.Slug)
	must(t, err)
	if len(list) != 1 || list[0].RateLimit == nil || list[0].RateLimit.Limit != 12 {
		t.Errorf("the connection list does not carry the budget: %+v", list)
	}
	data, err := json.Marshal(got)
	must(t, err)
	var m map[string]any
	must(t, json.Unmarshal(data, &m))
	r, _ := m["rate_limit"].(map[string]any)
	if r == nil || r["limit"] != 12.0 || r["reported"] != true {
		t.Errorf("connection JSON rate_limit = %v", m["rate_limit"])
	}
}
