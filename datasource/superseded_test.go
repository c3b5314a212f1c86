package datasource_test

import (
	"testing"
	"time"

	"github.com/cairn-okr/cairn"
	"github.com/cairn-okr/cairn/datasource"
	"github.com/cairn-okr/cairn/sqldb"
)

// TestOlderSyncNeverOverwritesANewerOne: replicas may sync one connection at once. A sync
// that started before the last applied one writes nothing, however late it finishes, and
// the next sync writes the newest values.
func TestOlderSyncNeverOverwritesANewerOne(t *testing.T) {
	t.Parallel()
	for _, dialect := range []string{sqldb.DialectSQLite, sqldb.DialectPostgres} {
		t.Run(dialect, func(t *testing.T) {
			t.Parallel()
			b := setup(t, bundleOptions{dialect: dialect})
			conn := b.connect(t)
			k := b.keyResult(t, cairn.MetricPercentage, 0, 100)
			kref := cairn.Ref{Type: cairn.ItemKeyResult, ID: k.ID}
			d, err := b.ds.CreateDataSource(b.actx, b.org.Slug, datasource.DataSourceInput{Target: cairn.Target{Type: cairn.TargetKeyResult, ID: k.ID},
				ConnectionID: conn.ID, Method: cairn.MethodWorkItems, WorkItemType: "Epic", WorkItemIDs: []int{1}, ProgressType: "User Story"})
			must(t, err)
			value := func() float64 {
				ds, err := b.ds.DataSource(b.actx, b.org.Slug, d.ID)
				must(t, err)
				if ds.Value == nil {
					t.Fatal("no value")
				}
				return *ds.Value
			}
			first := value()
			runs := func() int {
				rs, err := b.ds.Runs(b.actx, b.org.Slug, d.ID, 0)
				must(t, err)
				return len(rs)
			}
			before, checkInsBefore := runs(), len(checkIns(t, b, kref))

			// Close an open story of the epic, so that a sync now finds a new value.
			var story int
			for _, id := range b.descendants(t, 1) {
				w, err := b.emu.WorkItem("fabrikam", id)
				must(t, err)
				if w.Type == "User Story" && w.State != "Closed" && w.State != "Removed" {
					story = id
					break
				}
			}
			if story == 0 {
				t.Fatal("the epic has no open user story")
			}
			must(t, b.emu.UpdateWorkItem("fabrikam", "Fabrikam Fiber", story, map[string]any{"System.State": "Closed"}))

			// A sync that started a minute ago (its clock says so) finishes now: a later
			// sync (the first) was applied already, so it writes nothing.
			early := datasource.NewSyncer(datasource.SyncerConfig{Store: b.db, Sealer: b.sealer, Clients: b.clients,
				Now: func() time.Time { return time.Now().Add(-time.Hour) }})
			rep, err := early.Sync(ctx, conn.ID, cairn.TriggerHook)
			must(t, err)
			if !rep.Superseded {
				t.Fatalf("report = %+v, want superseded", rep)
			}
			if got := value(); got != first {
				t.Fatalf("an older sync overwrote the value: %v, want %v", got, first)
			}
			if runs() != before || len(checkIns(t, b, kref)) != checkInsBefore {
				t.Fatal("an older sync wrote a sync run or a check-in")
			}

			rep, err = b.syncer.Sync(ctx, conn.ID, cairn.TriggerHook)
			must(t, err)
			if rep.Superseded {
				t.Fatal("a new sync was taken for superseded")
			}
			if got := value(); got <= first {
				t.Fatalf("value after closing a story = %v, want more than %v", got, first)
			}
		})
	}
}
