package datasource_test

import (
	"fmt"
	"os"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cairn-okr/cairn"
	"github.com/cairn-okr/cairn/azdoemu"
	"github.com/cairn-okr/cairn/datasource"
	"github.com/cairn-okr/cairn/sqldb"
)

// bindDirect stores a data source without the live validation, so that a benchmark counts
// the calls of syncs only.
func (b *testBundle) bindDirect(tb testing.TB, d *cairn.DataSource) *cairn.DataSource {
	tb.Helper()
	d.OrgID = b.org.ID
	if d.Measure == "" {
		d.Measure = "count"
	}
	must(tb, b.db.CreateDataSource(ctx, d, nil))
	return d
}

func batches(n int) int { return (n + 199) / 200 }

// BenchmarkSyncCallBudget syncs a 10,000-item data source against the emulator with 40 ms
// of latency: first sync, then a re-sync with nothing changed. It fails when the calls
// exceed the budget: 1 membership query + ⌈changed items/200⌉ batch calls + 1
// changed-since call, with no metadata call (state categories are cached per connection).
func BenchmarkSyncCallBudget(b *testing.B) {
	bb := setup(b, bundleOptions{emu: azdoemu.Options{Latency: 40 * time.Millisecond,
		Generate: "epics=10,features=90,stories=2000,tasks=7800,bugs=100,seed=1"}})
	conn := bb.connect(b)
	k := bb.keyResult(b, cairn.MetricPercentage, 0, 100)
	d := bb.bindDirect(b, &cairn.DataSource{ConnectionID: conn.ID, Target: cairn.Target{Type: cairn.TargetKeyResult, ID: k.ID},
		Method: cairn.MethodSharedQuery, QueryID: bb.queryID(b, "Shared Queries/Generated/All work items"), ProgressType: "User Story"})
	for i := 0; i < b.N; i++ {
		start := time.Now()
		first, err := bb.syncer.Sync(ctx, conn.ID, cairn.TriggerSchedule)
		must(b, err)
		firstTime := time.Since(start)
		got := bb.get(b, d.ID)
		// The generator's history removes a few items (state Removed); they are fetched and dropped.
		if got.Error != nil || first.ItemsFetched != 10000 {
			b.Fatalf("first sync: %d items, error %+v", got.ItemCount, got.Error)
		}
		b.Logf("first sync of %d items (%d not removed): %d calls (%v), budget %d, %v",
			first.ItemsFetched, got.ItemCount, first.CallCount, first.Calls, callBudget(1, first.ItemsFetched), firstTime.Round(time.Millisecond))
		checkBudget(b, "the first sync", first, 1)
		if first.CallCount > 52 {
			b.Fatalf("the first sync of 10,000 items made %d calls, budget 52", first.CallCount)
		}
		start = time.Now()
		again, err := bb.syncer.Sync(ctx, conn.ID, cairn.TriggerSchedule)
		must(b, err)
		againTime := time.Since(start)
		b.Logf("no-change re-sync: %d calls (%v), budget 2, %v", again.CallCount, again.Calls, againTime.Round(time.Millisecond))
		if again.CallCount > 2 || again.ItemsFetched != 0 {
			b.Fatalf("a no-change re-sync made %d calls: %v", again.CallCount, again.Calls)
		}
		b.ReportMetric(float64(first.CallCount), "calls/first-sync")
		b.ReportMetric(float64(again.CallCount), "calls/re-sync")
		b.ReportMetric(float64(firstTime.Milliseconds()), "ms/first-sync")
		b.ReportMetric(float64(againTime.Milliseconds()), "ms/re-sync")
		// The next iteration starts from an empty mirror.
		b.StopTimer()
		_, err = bb.db.SQL().Exec(`DELETE FROM azdo_work_items`)
		must(b, err)
		_, err = bb.db.SQL().Exec(`UPDATE azdo_connections SET watermark_token = '', watermark_time = NULL, mirror_fields = '', mirror_version = mirror_version + 1`)
		must(b, err)
		b.StartTimer()
	}
}

// BenchmarkSharedFetch binds 20 data sources over the same items to one connection: the
// items are fetched once for all of them.
func BenchmarkSharedFetch(b *testing.B) {
	bb := setup(b, bundleOptions{emu: azdoemu.Options{Latency: 40 * time.Millisecond}})
	conn := bb.connect(b)
	for i := range 20 {
		k := bb.keyResult(b, cairn.MetricNumber, 0, 100)
		d := &cairn.DataSource{ConnectionID: conn.ID, Target: cairn.Target{Type: cairn.TargetKeyResult, ID: k.ID}, ProgressType: "*"}
		if i%2 == 0 {
			d.Method, d.WorkItemType, d.WorkItemIDs = cairn.MethodWorkItems, "Epic", []int{1, 2, 3}
		} else {
			d.Method, d.QueryID = cairn.MethodSharedQuery, bb.queryID(b, "Shared Queries/Checkout epic tree")
		}
		bb.bindDirect(b, d)
	}
	unique := len(bb.descendants(b, 1, 2, 3))
	for i := 0; i < b.N; i++ {
		rep, err := bb.syncer.Sync(ctx, conn.ID, cairn.TriggerSchedule)
		must(b, err)
		b.Logf("20 data sources over %d distinct items: %d items fetched in %d batch calls; %d calls in all (%v)",
			unique, rep.ItemsFetched, rep.Calls["wit/workitemsbatch"], rep.CallCount, rep.Calls)
		if rep.ItemsFetched > unique || rep.Calls["wit/workitemsbatch"] > batches(unique) {
			b.Fatalf("fetched %d items in %d calls, want each of %d items once", rep.ItemsFetched, rep.Calls["wit/workitemsbatch"], unique)
		}
		b.ReportMetric(float64(rep.Calls["wit/workitemsbatch"]), "batch-calls")
		b.StopTimer()
		_, err = bb.db.SQL().Exec(`DELETE FROM azdo_work_items`)
		must(b, err)
		_, err = bb.db.SQL().Exec(`UPDATE azdo_connections SET mirror_version = mirror_version + 1`)
		must(b, err)
		b.StartTimer()
	}
}

// BenchmarkFleet syncs a fleet of connections × data sources × items (500 × 4 × 500 by
// default; CAIRN_BENCH_FLEET="connections,sources,items" changes it) with 40 ms of latency
// and 8 syncs at a time, on SQLite and on PostgreSQL, and reports wall time and peak heap.
func BenchmarkFleet(b *testing.B) {
	conns, sources, items := 500, 4, 500
	if v := os.Getenv("CAIRN_BENCH_FLEET"); v != "" {
		if _, err := fmt.Sscanf(strings.ReplaceAll(v, " ", ""), "%d,%d,%d", &conns, &sources, &items); err != nil {
			b.Fatalf("CAIRN_BENCH_FLEET=%q: want connections,sources,items", v)
		}
	}
	for _, dialect := range []string{sqldb.DialectSQLite, sqldb.DialectPostgres} {
		b.Run(dialect, func(b *testing.B) {
			// Each epic's tree holds about `items` work items; every data source binds one.
			spec := fmt.Sprintf("epics=%d,features=%d,stories=%d,tasks=%d,bugs=0,seed=5",
				sources, sources*items/20, sources*items/4, sources*items-sources-sources*items/20-sources*items/4)
			bb := setup(b, bundleOptions{dialect: dialect, emu: azdoemu.Options{Latency: fleetLatency(), Generate: spec}})
			snaps, err := bb.emu.WorkItems(emuOrg, emuProject)
			must(b, err)
			var epics []int
			for _, s := range snaps {
				if s.Type == "Epic" {
					epics = append(epics, s.ID)
				}
			}
			var ids []int64
			for c := 0; c < conns; c++ {
				conn := bb.connect(b)
				ids = append(ids, conn.ID)
				for s := 0; s < sources; s++ {
					k := bb.keyResult(b, cairn.MetricPercentage, 0, 100)
					bb.bindDirect(b, &cairn.DataSource{ConnectionID: conn.ID, Target: cairn.Target{Type: cairn.TargetKeyResult, ID: k.ID},
						Method: cairn.MethodWorkItems, WorkItemType: "Epic", WorkItemIDs: []int{epics[s%len(epics)]}, ProgressType: "User Story"})
				}
			}
			for i := 0; i < b.N; i++ {
				var peak atomic.Uint64
				stop := make(chan struct{})
				go func() {
					var ms runtime.MemStats
					for {
						select {
						case <-stop:
							return
						case <-time.After(20 * time.Millisecond):
							runtime.ReadMemStats(&ms)
							if ms.HeapInuse > peak.Load() {
								peak.Store(ms.HeapInuse)
							}
						}
					}
				}()
				var failed atomic.Int64
				pass := func() time.Duration {
					start := time.Now()
					work := make(chan int64)
					var wg sync.WaitGroup
					for range 8 {
						wg.Go(func() {
							for id := range work {
								rep, err := bb.syncer.Sync(ctx, id, cairn.TriggerSchedule)
								if err != nil {
									b.Error(err)
									continue
								}
								for _, s := range rep.Sources {
									if s.Error != nil {
										failed.Add(1)
									}
								}
							}
						})
					}
					for _, id := range ids {
						work <- id
					}
					close(work)
					wg.Wait()
					return time.Since(start)
				}
				wall := pass()
				again := pass()
				close(stop)
				b.Logf("%s: %d connections × %d data sources × ~%d items: first syncs in %v, no-change re-syncs in %v, peak heap %d MiB, %d failed",
					dialect, conns, sources, items, wall.Round(time.Millisecond), again.Round(time.Millisecond), peak.Load()>>20, failed.Load())
				b.ReportMetric(again.Seconds(), "s/fleet-resync")
				b.ReportMetric(wall.Seconds(), "s/fleet-sync")
				b.ReportMetric(float64(peak.Load()>>20), "MiB-peak-heap")
			}
		})
	}
}

// fleetLatency is the emulator's latency for the fleet benchmark: 40 ms, or
// CAIRN_BENCH_LATENCY.
func fleetLatency() time.Duration {
	if d, err := time.ParseDuration(os.Getenv("CAIRN_BENCH_LATENCY")); err == nil {
		return d
	}
	return 40 * time.Millisecond
}

// BenchmarkHookResync measures the sync a service hook starts on a connection whose data
// source holds 20,000 work items, after one of them changed: the membership query, one
// batch call for the changed item and the progress of every item, with no latency, so
// that the time is Cairn's own (and the emulator's WIQL). It runs with the mirror kept in
// memory between syncs, as a replica does, and with the mirror read from the database on
// every sync.
func BenchmarkHookResync(b *testing.B) {
	bb := setup(b, bundleOptions{emu: azdoemu.Options{
		Generate: "epics=20,features=180,stories=4000,tasks=15600,bugs=200,seed=1"}})
	conn := bb.connect(b)
	k := bb.keyResult(b, cairn.MetricPercentage, 0, 100)
	bb.bindDirect(b, &cairn.DataSource{ConnectionID: conn.ID, Target: cairn.Target{Type: cairn.TargetKeyResult, ID: k.ID},
		Method: cairn.MethodSharedQuery, QueryID: bb.queryID(b, "Shared Queries/Generated/All work items"), ProgressType: "User Story"})
	first, err := bb.syncer.Sync(ctx, conn.ID, cairn.TriggerSchedule)
	must(b, err)
	if first.ItemsFetched != 20000 {
		b.Fatalf("the first sync fetched %d items, want 20000", first.ItemsFetched)
	}
	snaps, err := bb.emu.WorkItems(emuOrg, emuProject)
	must(b, err)
	var stories []int
	for _, s := range snaps {
		if s.Type == "User Story" {
			stories = append(stories, s.ID)
		}
	}
	change := 0
	for _, c := range []struct {
		name   string
		syncer *datasource.Syncer
	}{
		{"mirror-in-memory", bb.syncer},
		{"mirror-from-database", datasource.NewSyncer(datasource.SyncerConfig{Store: bb.db, Sealer: bb.sealer, Clients: bb.clients, MirrorCacheItems: -1})},
	} {
		b.Run(c.name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				change++
				must(b, bb.emu.UpdateWorkItem(emuOrg, emuProject, stories[change%len(stories)], map[string]any{"System.Title": fmt.Sprintf("Changed %d", change)}))
				b.StartTimer()
				rep, err := c.syncer.Sync(ctx, conn.ID, cairn.TriggerHook)
				must(b, err)
				if rep.ItemsFetched != 1 || rep.Sources[0].Error != nil {
					b.Fatalf("a re-sync after one change fetched %d items, error %+v", rep.ItemsFetched, rep.Sources[0].Error)
				}
			}
		})
	}
}
