package jobs_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/cairn-okr/cairn"
	"github.com/cairn-okr/cairn/auth"
	"github.com/cairn-okr/cairn/azdo"
	"github.com/cairn-okr/cairn/azdoemu"
	"github.com/cairn-okr/cairn/datasource"
	"github.com/cairn-okr/cairn/jobs"
	"github.com/cairn-okr/cairn/sqldb"
	"github.com/cairn-okr/cairn/web"
)

var ctx = context.Background()

const pat = "jobs-test-pat"

type testBundle struct {
	db     *sqldb.DB
	emu    *azdoemu.Server
	emuURL string
	svc    *cairn.Service
	ds     *datasource.Service
	runner *jobs.Runner
	actx   context.Context
	org    *cairn.Org
	kr     *cairn.KeyResult
	// authority is a stand-in Microsoft Entra authority for service principals.
	authority *httptest.Server
	clients   datasource.ClientConfig
	metrics   *jobs.Metrics
}

func must(tb testing.TB, err error) {
	tb.Helper()
	if err != nil {
		tb.Fatal(err)
	}
}

func openDB(tb testing.TB, dialect string) *sqldb.DB {
	tb.Helper()
	db, err := sqldb.Open(ctx, freshDSN(tb, dialect), sqldb.Options{})
	must(tb, err)
	tb.Cleanup(func() { db.Close() })
	return db
}

// freshDSN names a new, empty database of the dialect: a SQLite file, or a schema of
// its own on the PostgreSQL test server, dropped when the test ends.
func freshDSN(tb testing.TB, dialect string) string {
	tb.Helper()
	dsn := filepath.Join(tb.TempDir(), "cairn.db")
	if dialect == sqldb.DialectPostgres {
		base := os.Getenv("CAIRN_TEST_POSTGRES_URL")
		if base == "" {
			if os.Getenv("CI") == "true" {
				tb.Fatal("CAIRN_TEST_POSTGRES_URL is not set; CI must run on PostgreSQL")
			}
			tb.Skip("CAIRN_TEST_POSTGRES_URL is not set; skipping PostgreSQL")
		}
		admin, err := sql.Open("pgx", base)
		must(tb, err)
		var buf [6]byte
		_, _ = rand.Read(buf[:])
		schema := "jobstest_" + hex.EncodeToString(buf[:])
		if _, err := admin.Exec(`CREATE SCHEMA ` + schema); err != nil {
			tb.Fatal(err)
		}
		tb.Cleanup(func() {
			defer admin.Close()
			_, _ = admin.Exec(`DROP SCHEMA ` + schema + ` CASCADE`)
		})
		u, _ := url.Parse(base)
		q := u.Query()
		q.Set("search_path", schema)
		u.RawQuery = q.Encode()
		dsn = u.String()
	}
	return dsn
}

// setup wires the integration with River on the dialect and starts working jobs.
func setup(tb testing.TB, dialect string, scheduleEvery time.Duration) *testBundle {
	tb.Helper()
	emu, err := azdoemu.New(azdoemu.Options{Scenario: azdoemu.DemoScenario(), PATs: []string{pat}})
	must(tb, err)
	base, err := emu.Start("127.0.0.1:0")
	must(tb, err)
	tb.Cleanup(func() { emu.Close() })
	b := &testBundle{emu: emu, emuURL: base, db: openDB(tb, dialect)}
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	sealer, err := auth.NewSealer(map[string][]byte{"k": key}, "k")
	must(tb, err)
	b.svc = cairn.NewService(b.db, cairn.ServiceOptions{})
	// Credentials go to the emulator and to a stand-in Entra authority, which the egress
	// policy lists as an operator would.
	b.authority = httptest.NewServer(entraStandIn(emu))
	tb.Cleanup(b.authority.Close)
	b.clients = datasource.ClientConfig{Egress: &azdo.Egress{Hosts: []string{hostOf(base), hostOf(b.authority.URL)}},
		VSSPSURL: base + "/_vssps", EntraAuthority: b.authority.URL}
	syncer := datasource.NewSyncer(datasource.SyncerConfig{Store: b.db, Sealer: sealer, Clients: b.clients})
	b.metrics = jobs.NewMetrics(b.db.SQL(), b.db.Dialect(), nil)
	b.runner, err = jobs.New(ctx, jobs.Config{DB: b.db.SQL(), Dialect: b.db.Dialect(), Store: b.db, Syncer: syncer,
		ScheduleEvery: scheduleEvery, PollInterval: 50 * time.Millisecond, Metrics: b.metrics})
	must(tb, err)
	rctx, cancel := context.WithCancel(ctx)
	must(tb, b.runner.Start(rctx))
	tb.Cleanup(func() {
		sctx, scancel := context.WithTimeout(ctx, 10*time.Second)
		defer scancel()
		_ = b.runner.Stop(sctx)
		cancel()
	})
	// Cairn's API, so that the emulator delivers service hooks to the real receiver.
	ts := httptest.NewUnstartedServer(nil)
	b.ds = datasource.New(datasource.Config{Cairn: b.svc, Store: b.db, Sealer: sealer, Syncer: syncer, Enqueuer: b.runner, Clients: b.clients,
		PublicURL: "http://" + ts.Listener.Addr().String(), HookDebounce: 100 * time.Millisecond})
	srv, err := web.New(web.Config{Service: b.svc, Store: b.db, CSRFKey: bytes.Repeat([]byte("k"), 32), Integration: b.ds})
	must(tb, err)
	ts.Config.Handler = srv
	ts.Start()
	tb.Cleanup(ts.Close)

	admin := &cairn.User{Email: "admin@example.com", Name: "Admin", TenantAdmin: true}
	must(tb, b.db.CreateTenant(ctx, &cairn.Tenant{Name: "T"}, admin))
	b.actx = cairn.NewContext(ctx, admin)
	b.org = &cairn.Org{Name: "Fabrikam", Slug: "fabrikam"}
	must(tb, b.svc.CreateOrg(b.actx, b.org))
	must(tb, b.svc.SetTenantIntegration(b.actx, &cairn.TenantIntegration{Enabled: true}))
	on, five := true, 5
	_, err = b.svc.SetOrgIntegration(b.actx, b.org.Slug, cairn.OrgIntegrationUpdate{Enabled: &on, SyncIntervalMinutes: &five})
	must(tb, err)
	now := time.Now()
	p := &cairn.Period{Name: "Q", Start: cairn.DateOf(now.AddDate(0, -1, 0)), End: cairn.DateOf(now.AddDate(0, 1, 0))}
	must(tb, b.svc.CreatePeriod(b.actx, b.org.Slug, p))
	o := &cairn.Objective{PeriodID: p.ID, Title: "O", OwnerIDs: []int64{admin.ID}}
	must(tb, b.svc.CreateObjective(b.actx, b.org.Slug, o))
	b.kr = &cairn.KeyResult{ObjectiveID: o.ID, Title: "Stories done", Metric: cairn.Metric{Kind: cairn.MetricNumber, Start: 0, Target: 30}}
	must(tb, b.svc.CreateKeyResult(b.actx, b.org.Slug, b.kr))
	return b
}

func (b *testBundle) bind(tb testing.TB) (*datasource.ConnectionView, *cairn.DataSource) {
	tb.Helper()
	c, err := b.ds.CreateConnection(b.actx, b.org.Slug, datasource.ConnectionInput{Name: "c", OrganizationURL: b.emuURL + "/fabrikam",
		Project: "Fabrikam Fiber", Visibility: cairn.VisibilityShared, Auth: datasource.AuthInput{Type: cairn.AuthPAT, Token: pat}})
	must(tb, err)
	d, err := b.ds.CreateDataSource(b.actx, b.org.Slug, datasource.DataSourceInput{Target: cairn.Target{Type: cairn.TargetKeyResult, ID: b.kr.ID},
		ConnectionID: c.ID, Method: cairn.MethodWorkItems, WorkItemType: "Epic", WorkItemIDs: []int{1}, ProgressType: "User Story"})
	must(tb, err)
	return c, d
}

// waitFor polls until ok or the deadline.
func waitFor(tb testing.TB, what string, d time.Duration, ok func() bool) {
	tb.Helper()
	deadline := time.Now().Add(d)
	for !ok() {
		if time.Now().After(deadline) {
			tb.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (b *testBundle) dataSource(tb testing.TB, id int64) *cairn.DataSource {
	tb.Helper()
	d, err := b.ds.DataSource(b.actx, b.org.Slug, id)
	must(tb, err)
	return d
}

func forEachDB(t *testing.T, fn func(t *testing.T, dialect string)) {
	for _, d := range []string{sqldb.DialectSQLite, sqldb.DialectPostgres} {
		t.Run(d, func(t *testing.T) {
			t.Parallel()
			fn(t, d)
		})
	}
}

func TestBindingQueuesItsFirstSyncInTheSameTransaction(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, dialect string) {
		b := setup(t, dialect, time.Hour)
		_, d := b.bind(t)
		waitFor(t, "the first sync", 10*time.Second, func() bool { return b.dataSource(t, d.ID).Value != nil })
		runs, err := b.ds.Runs(b.actx, b.org.Slug, d.ID, 0)
		must(t, err)
		if len(runs) == 0 || runs[len(runs)-1].Trigger != cairn.TriggerCreate {
			t.Fatalf("runs = %+v, want a first run triggered by create", runs)
		}
	})
}

func TestSyncJobsAreUniquePerConnection(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, dialect string) {
		b := setup(t, dialect, time.Hour)
		c, d := b.bind(t)
		waitFor(t, "the first sync", 10*time.Second, func() bool { return b.dataSource(t, d.ID).Value != nil })
		waitFor(t, "the first job to complete", 10*time.Second, func() bool {
			var n int
			must(t, b.db.SQL().QueryRow(`SELECT COUNT(*) FROM river_job WHERE kind = 'sync_connection' AND state <> 'completed'`).Scan(&n))
			return n == 0
		})
		// Ten sync requests within the debounce window fold into one job (a job waiting
		// out its debounce has not read Azure DevOps yet), plus at most one follow-up
		// queued once it runs. The window is wide enough for ten transactions on
		// a loaded CI machine.
		for range 10 {
			must(t, b.db.RequestSync(ctx, c.ID, time.Now(), func(ctx context.Context, tx *sql.Tx) error {
				return b.runner.EnqueueSync(ctx, tx, c.ID, cairn.TriggerHook, 2*time.Second)
			}))
		}
		var n int
		must(t, b.db.SQL().QueryRow(`SELECT COUNT(*) FROM river_job WHERE kind = 'sync_connection' AND state <> 'completed'`).Scan(&n))
		if n < 1 || n > 2 {
			t.Fatalf("%d queued sync jobs for one connection, want 1, or 2 with a follow-up", n)
		}
		waitFor(t, "the jobs to complete", 10*time.Second, func() bool {
			must(t, b.db.SQL().QueryRow(`SELECT COUNT(*) FROM river_job WHERE kind = 'sync_connection' AND state <> 'completed'`).Scan(&n))
			return n == 0
		})
		runs, err := b.ds.Runs(b.actx, b.org.Slug, d.ID, 0)
		must(t, err)
		hooks := 0
		for _, r := range runs {
			if r.Trigger == cairn.TriggerHook {
				hooks++
			}
		}
		if hooks < 1 || hooks > 3 {
			t.Errorf("ten requests made %d syncs, want them folded into at most 3", hooks)
		}
	})
}

func TestServiceHookToKeyResultLatency(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, dialect string) {
		b := setup(t, dialect, time.Hour)
		c, d := b.bind(t)
		waitFor(t, "the first sync", 10*time.Second, func() bool { return b.dataSource(t, d.ID).Value != nil })
		before := *b.dataSource(t, d.ID).Value
		if c.HookStatus != cairn.HooksActive {
			t.Fatalf("hook status %q, want active", c.HookStatus)
		}
		story := openStoryUnder(t, b.emu, 1)
		// The emulator delivers workitem.updated to Cairn's receiver, which queues a
		// debounced job; the worker syncs and the key result moves.
		start := time.Now()
		must(t, b.emu.UpdateWorkItem("fabrikam", "Fabrikam Fiber", story, map[string]any{"System.State": "Closed"}))
		waitFor(t, "the key result to move", 15*time.Second, func() bool {
			cur := b.dataSource(t, d.ID).Value
			return cur != nil && *cur != before
		})
		t.Logf("%s: PATCH in Azure DevOps → new key result value in %v (debounce 100 ms, poll 50 ms)", dialect, time.Since(start).Round(time.Millisecond))
		if err := b.ds.ReceiveHook(ctx, c.ID, "cairn-1", "wrong", nil); cairn.ErrorCode(err) != cairn.EUNAUTHORIZED {
			t.Fatalf("wrong secret: %v, want unauthorized", err)
		}
	})
}

func openStoryUnder(tb testing.TB, emu *azdoemu.Server, root int) int {
	tb.Helper()
	snaps, err := emu.WorkItems("fabrikam", "Fabrikam Fiber")
	must(tb, err)
	parent := map[int]int{}
	for _, s := range snaps {
		parent[s.ID] = s.Parent
	}
	for _, s := range snaps {
		if s.Type != "User Story" || s.State == "Closed" || s.State == "Removed" {
			continue
		}
		for p := parent[s.ID]; p != 0; p = parent[p] {
			if p == root {
				return s.ID
			}
		}
	}
	tb.Fatal("no open user story under the root")
	return 0
}

func TestLeaderSchedulesDueConnections(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, dialect string) {
		b := setup(t, dialect, 100*time.Millisecond)
		c, d := b.bind(t)
		waitFor(t, "the first sync", 10*time.Second, func() bool { return b.dataSource(t, d.ID).Value != nil })
		// Make the connection's last sync older than the organization's 5 minute interval.
		old := time.Now().Add(-10 * time.Minute).UTC()
		q := `UPDATE azdo_connections SET last_sync_at = ? WHERE id = ?`
		if dialect == sqldb.DialectPostgres {
			q = `UPDATE azdo_connections SET last_sync_at = $1 WHERE id = $2`
		}
		_, err := b.db.SQL().Exec(q, old, c.ID)
		must(t, err)
		waitFor(t, "a scheduled sync", 10*time.Second, func() bool {
			runs, err := b.ds.Runs(b.actx, b.org.Slug, d.ID, 0)
			must(t, err)
			return len(runs) > 0 && runs[0].Trigger == cairn.TriggerSchedule
		})
	})
}

// TestUnansweredSyncRequestIsDue: a sync request that no applied sync answered (it came
// while every slot's sync was running) makes the connection due before its interval.
func TestUnansweredSyncRequestIsDue(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, dialect string) {
		b := setup(t, dialect, 100*time.Millisecond)
		c, d := b.bind(t)
		waitFor(t, "the first sync", 10*time.Second, func() bool { return b.dataSource(t, d.ID).Value != nil })
		ids, err := b.db.DueConnections(ctx, time.Now(), 10)
		must(t, err)
		if len(ids) != 0 {
			t.Fatalf("due right after a sync: %v", ids)
		}
		// A request recorded without a job, as when every slot was running.
		must(t, b.db.RequestSync(ctx, c.ID, time.Now(), nil))
		ids, err = b.db.DueConnections(ctx, time.Now(), 10)
		must(t, err)
		if len(ids) != 1 || ids[0] != c.ID {
			t.Fatalf("due = %v, want the connection with the request", ids)
		}
		waitFor(t, "the leader to answer the request", 10*time.Second, func() bool {
			runs, err := b.ds.Runs(b.actx, b.org.Slug, d.ID, 0)
			must(t, err)
			return len(runs) > 1 && runs[0].Trigger == cairn.TriggerSchedule
		})
		ids, err = b.db.DueConnections(ctx, time.Now(), 10)
		must(t, err)
		if len(ids) != 0 {
			t.Fatalf("still due after the sync answered the request: %v", ids)
		}
	})
}

// TestReplicasMigrateRiverTogether: replicas started together on one database each
// create their job runner, which applies River's migrations, at once; with the
// database's migration lock they take turns and every one starts.
func TestReplicasMigrateRiverTogether(t *testing.T) {
	t.Parallel()
	for _, dialect := range []string{sqldb.DialectSQLite, sqldb.DialectPostgres} {
		t.Run(dialect, func(t *testing.T) {
			t.Parallel()
			dsn := freshDSN(t, dialect)
			var dbs []*sqldb.DB
			for range 4 {
				db, err := sqldb.Open(ctx, dsn, sqldb.Options{})
				must(t, err)
				t.Cleanup(func() { db.Close() })
				dbs = append(dbs, db)
			}
			var wg sync.WaitGroup
			errs := make([]error, len(dbs))
			for i, db := range dbs {
				wg.Go(func() {
					_, errs[i] = jobs.New(ctx, jobs.Config{DB: db.SQL(), Dialect: db.Dialect(), Store: db, MigrationLock: db.MigrationLock})
				})
			}
			wg.Wait()
			for i, err := range errs {
				if err != nil {
					t.Errorf("replica %d: %v", i+1, err)
				}
			}
		})
	}
}
