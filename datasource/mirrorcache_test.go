package datasource_test

import (
	"fmt"
	"testing"

	"github.com/cairn-okr/cairn"
	"github.com/cairn-okr/cairn/azdoemu"
	"github.com/cairn-okr/cairn/datasource"
	"github.com/cairn-okr/cairn/sqldb"
)

// TestMirrorKeptInMemoryFollowsOtherReplicas: two sync engines on one database, as two
// replicas, take turns syncing a connection while its items change. Each keeps the
// mirror it wrote in memory; a sync after the other replica changed the mirror must read
// it from the database, or it would compute the data source from items that are no
// longer current. After every sync the value is what the items give.
func TestMirrorKeptInMemoryFollowsOtherReplicas(t *testing.T) {
	t.Parallel()
	for _, dialect := range []string{sqldb.DialectSQLite, sqldb.DialectPostgres} {
		t.Run(dialect, func(t *testing.T) {
			t.Parallel()
			b := setup(t, bundleOptions{dialect: dialect, emu: azdoemu.Options{Generate: "epics=2,features=6,stories=60,tasks=30,bugs=4,seed=7"}})
			conn := b.connect(t)
			k := b.keyResult(t, cairn.MetricPercentage, 0, 100)
			const path = "Shared Queries/Generated/All work items"
			d := b.bindDirect(t, &cairn.DataSource{ConnectionID: conn.ID, Target: cairn.Target{Type: cairn.TargetKeyResult, ID: k.ID},
				Method: cairn.MethodSharedQuery, QueryID: b.queryID(t, path), ProgressType: "User Story"})
			other := datasource.NewSyncer(datasource.SyncerConfig{Store: b.db, Sealer: b.sealer, Clients: b.clients})
			uncached := datasource.NewSyncer(datasource.SyncerConfig{Store: b.db, Sealer: b.sealer, Clients: b.clients, MirrorCacheItems: -1})
			check := func(t *testing.T, what string) {
				t.Helper()
				want := b.expect(t, b.queryItems(t, path), "User Story", "count", "percentage", false, false)
				got := b.get(t, d.ID)
				if got.Error != nil || got.Value == nil || !near(*got.Value, want.value) || got.CompleteCount != want.complete {
					t.Fatalf("%s: value %v (%d complete), error %+v; want %v (%d complete)", what, got.Value, got.CompleteCount, got.Error, want.value, want.complete)
				}
			}
			snaps, err := b.emu.WorkItems(emuOrg, emuProject)
			must(t, err)
			var open []int
			for _, s := range snaps {
				if s.Type == "User Story" && s.State != "Closed" && s.State != "Removed" {
					open = append(open, s.ID)
				}
			}
			if len(open) < 6 {
				t.Fatalf("only %d open user stories", len(open))
			}
			engines := []struct {
				name string
				s    *datasource.Syncer
			}{{"replica A", b.syncer}, {"replica B", other}, {"replica A", b.syncer}, {"replica A", b.syncer},
				{"replica B", other}, {"replica B", other}, {"replica A", b.syncer}, {"no cache", uncached}}
			for i, e := range engines {
				if i > 0 {
					// Close one story between syncs: each sync sees one change.
					must(t, b.emu.UpdateWorkItem(emuOrg, emuProject, open[i-1], map[string]any{"System.State": "Closed"}))
				}
				rep, err := e.s.Sync(ctx, conn.ID, cairn.TriggerHook)
				must(t, err)
				if i > 0 && rep.ItemsFetched != 1 {
					t.Fatalf("sync %d (%s) fetched %d items after one change", i+1, e.name, rep.ItemsFetched)
				}
				check(t, fmt.Sprintf("sync %d (%s)", i+1, e.name))
			}
		})
	}
}
