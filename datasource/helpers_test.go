package datasource_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cairn-okr/cairn"
	"github.com/cairn-okr/cairn/auth"
	"github.com/cairn-okr/cairn/azdo"
	"github.com/cairn-okr/cairn/azdoemu"
	"github.com/cairn-okr/cairn/datasource"
	"github.com/cairn-okr/cairn/sqldb"
)

const (
	emuOrg     = "fabrikam"
	emuProject = "Fabrikam Fiber"
	testPAT    = "test-pat-0123456789"
)

var ctx = context.Background()

// testBundle is a Cairn with the integration wired to an Azure DevOps emulator reached
// over HTTP.
type testBundle struct {
	db      *sqldb.DB
	emu     *azdoemu.Server
	emuURL  string
	svc     *cairn.Service
	ds      *datasource.Service
	syncer  *datasource.Syncer
	sealer  *auth.Sealer
	clients datasource.ClientConfig
	admin   *cairn.User
	actx    context.Context
	org     *cairn.Org
	period  *cairn.Period
	obj     *cairn.Objective
	reports *reportLog
}

type reportLog struct {
	mu sync.Mutex
	rs []*datasource.Report
}

func (l *reportLog) add(r *datasource.Report) {
	l.mu.Lock()
	l.rs = append(l.rs, r)
	l.mu.Unlock()
}

// bundleOptions tune setup.
type bundleOptions struct {
	emu       azdoemu.Options
	dialect   string
	publicURL string
	enqueuer  datasource.Enqueuer
	// maxRetries is the Azure DevOps client's; 0 keeps its default (6).
	maxRetries int
	// keys are the sealing keys as CAIRN_SECRET_KEY holds them; a random key "k1" when
	// empty.
	keys string
}

// setup starts an emulator with the demo data (unless opts say otherwise), opens a
// database and creates a tenant admin, an organization with the integration on, a period
// and an objective.
func setup(tb testing.TB, opts bundleOptions) *testBundle {
	tb.Helper()
	if opts.emu.Scenario == nil && opts.emu.Generate == "" {
		opts.emu.Scenario = azdoemu.DemoScenario()
	}
	opts.emu.PATs = append(opts.emu.PATs, testPAT)
	emu, err := azdoemu.New(opts.emu)
	if err != nil {
		tb.Fatal(err)
	}
	base, err := emu.Start("127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { emu.Close() })
	b := &testBundle{emu: emu, emuURL: base, reports: &reportLog{}}
	b.db = openDB(tb, opts.dialect)
	if opts.keys != "" {
		b.sealer, err = auth.LoadKey(opts.keys, "")
	} else {
		key := make([]byte, 32)
		_, _ = rand.Read(key)
		b.sealer, err = auth.NewSealer(map[string][]byte{"k1": key}, "k1")
	}
	if err != nil {
		tb.Fatal(err)
	}
	b.svc = cairn.NewService(b.db, cairn.ServiceOptions{})
	// The emulator is allowed as an operator allows it; fronts in front of it as a tenant
	// admin does (see newFront).
	egress := egressFor(base)
	egress.Listed = b.svc.AllowedHosts
	clients := datasource.ClientConfig{Egress: egress, VSSPSURL: base + "/_vssps", Sleep: fastSleep, MaxRetries: opts.maxRetries}
	b.clients = clients
	b.syncer = datasource.NewSyncer(datasource.SyncerConfig{Store: b.db, Sealer: b.sealer, Clients: clients, OnSynced: b.reports.add})
	b.ds = datasource.New(datasource.Config{Cairn: b.svc, Store: b.db, Sealer: b.sealer, Clients: clients, Syncer: b.syncer,
		PublicURL: opts.publicURL, Enqueuer: opts.enqueuer, HookDebounce: 50 * time.Millisecond})

	b.admin = &cairn.User{Email: "admin@example.com", Name: "Admin", TenantAdmin: true}
	must(tb, b.db.CreateTenant(ctx, &cairn.Tenant{Name: "Test"}, b.admin))
	b.actx = cairn.NewContext(ctx, b.admin)
	b.org = &cairn.Org{Name: "Fabrikam", Slug: "fabrikam"}
	must(tb, b.svc.CreateOrg(b.actx, b.org))
	must(tb, b.svc.SetTenantIntegration(b.actx, &cairn.TenantIntegration{Enabled: true}))
	on := true
	if _, err := b.svc.SetOrgIntegration(b.actx, b.org.Slug, cairn.OrgIntegrationUpdate{Enabled: &on}); err != nil {
		tb.Fatal(err)
	}
	now := time.Now().UTC()
	b.period = &cairn.Period{Name: "This quarter", Start: cairn.DateOf(now.AddDate(0, -1, 0)), End: cairn.DateOf(now.AddDate(0, 2, 0))}
	must(tb, b.svc.CreatePeriod(b.actx, b.org.Slug, b.period))
	b.obj = &cairn.Objective{PeriodID: b.period.ID, Title: "Ship a faster checkout", OwnerIDs: []int64{b.admin.ID}}
	must(tb, b.svc.CreateObjective(b.actx, b.org.Slug, b.obj))
	return b
}

// fastSleep keeps the client's waits (Retry-After, backoff) short in tests while still
// honouring cancellation.
func fastSleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(min(d/100, 20*time.Millisecond))
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

func must(tb testing.TB, err error) {
	tb.Helper()
	if err != nil {
		tb.Fatal(err)
	}
}

// openDB opens a fresh database: SQLite by default, PostgreSQL for "postgres" when
// CAIRN_TEST_POSTGRES_URL is set (skipped otherwise, failed under CI=true).
func openDB(tb testing.TB, dialect string) *sqldb.DB {
	tb.Helper()
	dsn := filepath.Join(tb.TempDir(), "cairn.db")
	if dialect == sqldb.DialectPostgres {
		dsn = pgSchema(tb)
	}
	db, err := sqldb.Open(ctx, dsn, sqldb.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

func pgSchema(tb testing.TB) string {
	tb.Helper()
	base := os.Getenv("CAIRN_TEST_POSTGRES_URL")
	if base == "" {
		if os.Getenv("CI") == "true" {
			tb.Fatal("CAIRN_TEST_POSTGRES_URL is not set; CI must run on PostgreSQL")
		}
		tb.Skip("CAIRN_TEST_POSTGRES_URL is not set; skipping PostgreSQL")
	}
	admin, err := sql.Open("pgx", base)
	if err != nil {
		tb.Fatal(err)
	}
	var buf [6]byte
	_, _ = rand.Read(buf[:])
	schema := "dstest_" + hex.EncodeToString(buf[:])
	if _, err := admin.Exec(`CREATE SCHEMA ` + schema); err != nil {
		admin.Close()
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		defer admin.Close()
		_, _ = admin.Exec(`DROP SCHEMA ` + schema + ` CASCADE`)
	})
	u, _ := url.Parse(base)
	q := u.Query()
	q.Set("search_path", schema)
	q.Set("synchronous_commit", "off")
	u.RawQuery = q.Encode()
	return u.String()
}

// connect creates a shared PAT connection to the emulator's project.
func (b *testBundle) connect(tb testing.TB) *datasource.ConnectionView {
	tb.Helper()
	c, err := b.ds.CreateConnection(b.actx, b.org.Slug, datasource.ConnectionInput{
		Name: "fabrikam / Fabrikam Fiber", OrganizationURL: b.orgURL(), Project: emuProject,
		Visibility: cairn.VisibilityShared, Auth: datasource.AuthInput{Type: cairn.AuthPAT, Token: testPAT}})
	if err != nil {
		tb.Fatalf("create connection: %v", err)
	}
	return c
}

func (b *testBundle) keyResult(tb testing.TB, kind cairn.MetricKind, start, target float64) *cairn.KeyResult {
	tb.Helper()
	k := &cairn.KeyResult{ObjectiveID: b.obj.ID, Title: "KR " + string(kind), Metric: cairn.Metric{Kind: kind, Start: start, Target: target}, OwnerIDs: []int64{b.admin.ID}}
	must(tb, b.svc.CreateKeyResult(b.actx, b.org.Slug, k))
	return k
}

func (b *testBundle) initiative(tb testing.TB, metric *cairn.Metric) *cairn.Initiative {
	tb.Helper()
	i := &cairn.Initiative{Parent: cairn.Ref{Type: cairn.ItemObjective, ID: b.obj.ID}, Title: "Initiative", Contributes: true,
		ProgressMode: cairn.ModeTasks, OwnerIDs: []int64{b.admin.ID}}
	if metric != nil {
		i.ProgressMode, i.Metric = cairn.ModeMetric, metric
	}
	must(tb, b.svc.CreateInitiative(b.actx, b.org.Slug, i))
	return i
}

func (b *testBundle) queryID(tb testing.TB, path string) string {
	tb.Helper()
	id, err := b.emu.QueryID(emuOrg, emuProject, path)
	if err != nil {
		tb.Fatal(err)
	}
	return id
}

// orgURL is the emulator's organization URL, or its collection URL when it plays Azure
// DevOps Server.
func (b *testBundle) orgURL() string {
	if b.emu.ServerRelease() != "" {
		return b.emu.OrgURL()
	}
	return b.emuURL + "/" + emuOrg
}

// client returns an Azure DevOps client for the test's own view of the emulator.
func (b *testBundle) client(tb testing.TB) *azdo.Client {
	tb.Helper()
	c, err := azdo.New(azdo.Config{OrgURL: b.orgURL(), Auth: azdo.PAT(testPAT), Sleep: fastSleep})
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

// expectation is a value computed from the emulator's own state, independently of the
// engine: items from its snapshot, categories from its states endpoint.
type expectation struct {
	value                     float64
	items, measured, complete int
	visible                   []int
}

// expect computes what a data source should show over the item set ids.
func (b *testBundle) expect(tb testing.TB, ids []int, progressType, measure string, kind string, countTotal, resolved bool) expectation {
	tb.Helper()
	snaps, err := b.emu.WorkItems(emuOrg, emuProject)
	if err != nil {
		tb.Fatal(err)
	}
	byID := map[int]azdoemu.WorkItemSnapshot{}
	for _, s := range snaps {
		byID[s.ID] = s
	}
	cl := b.client(tb)
	cats := map[string]string{}
	category := func(typ, state string) string {
		k := typ + "/" + state
		if c, ok := cats[k]; ok {
			return c
		}
		sts, err := cl.States(ctx, emuProject, typ)
		if err != nil {
			tb.Fatal(err)
		}
		for _, s := range sts {
			cats[typ+"/"+s.Name] = s.Category
		}
		return cats[k]
	}
	var e expectation
	var sumAll, sumDone float64
	inSet := map[int]bool{}
	for _, id := range ids {
		s, ok := byID[id]
		if !ok || s.Deleted || category(s.Type, s.State) == "Removed" {
			continue
		}
		inSet[id] = true
		e.items++
		if progressType != "*" && !strings.EqualFold(s.Type, progressType) {
			continue
		}
		e.measured++
		m := 1.0
		if measure != "count" {
			switch v := s.Fields[measure].(type) {
			case int:
				m = float64(v)
			case float64:
				m = v
			default:
				m = 0
			}
		}
		sumAll += m
		c := category(s.Type, s.State)
		if c == "Completed" || (resolved && c == "Resolved") {
			e.complete++
			sumDone += m
		}
	}
	switch {
	case kind == "percentage" || kind == "tasks":
		if sumAll > 0 {
			e.value = 100 * sumDone / sumAll
		}
	case countTotal || measure == "Microsoft.VSTS.Scheduling.RemainingWork":
		e.value = sumAll
	default:
		e.value = sumDone
	}
	// Visible: items of the type and their ancestors inside the set.
	vis := map[int]bool{}
	for id := range inSet {
		s := byID[id]
		if progressType == "*" || strings.EqualFold(s.Type, progressType) {
			vis[id] = true
			for p := s.Parent; p != 0 && !vis[p]; p = byID[p].Parent {
				if inSet[p] {
					vis[p] = true
				}
			}
		}
	}
	for id := range vis {
		e.visible = append(e.visible, id)
	}
	sort.Ints(e.visible)
	return e
}

// descendants returns the ids and all their descendants from the emulator's snapshot.
func (b *testBundle) descendants(tb testing.TB, roots ...int) []int {
	tb.Helper()
	snaps, err := b.emu.WorkItems(emuOrg, emuProject)
	if err != nil {
		tb.Fatal(err)
	}
	kids := map[int][]int{}
	exists := map[int]bool{}
	for _, s := range snaps {
		exists[s.ID] = !s.Deleted
		if s.Parent != 0 && !s.Deleted {
			kids[s.Parent] = append(kids[s.Parent], s.ID)
		}
	}
	seen := map[int]bool{}
	var out []int
	var walk func(int)
	walk = func(id int) {
		if seen[id] || !exists[id] {
			return
		}
		seen[id] = true
		out = append(out, id)
		for _, k := range kids[id] {
			walk(k)
		}
	}
	for _, r := range roots {
		walk(r)
	}
	return out
}

// queryItems runs a saved query through HTTP and returns its item set: every row, or both
// ends of every link.
func (b *testBundle) queryItems(tb testing.TB, path string) []int {
	tb.Helper()
	res, err := b.client(tb).RunSavedQuery(ctx, emuProject, b.queryID(tb, path), 0)
	if err != nil {
		tb.Fatal(err)
	}
	return res.IDs()
}

func near(a, b float64) bool {
	d := a - b
	return d < 1e-6 && d > -1e-6
}

func checkIns(tb testing.TB, b *testBundle, item cairn.Ref) []*cairn.CheckIn {
	tb.Helper()
	cs, err := b.svc.ListCheckIns(b.actx, b.org.Slug, item, 0)
	if err != nil {
		tb.Fatal(err)
	}
	return cs
}

func sortedCopy(ids []int) []int {
	c := slices.Clone(ids)
	sort.Ints(c)
	return c
}

// egressFor allows the hosts of the given URLs, as an operator allows an emulator.
func egressFor(urls ...string) *azdo.Egress {
	e := &azdo.Egress{}
	for _, u := range urls {
		e.Hosts = append(e.Hosts, strings.TrimPrefix(strings.TrimPrefix(u, "http://"), "https://"))
	}
	return e
}
