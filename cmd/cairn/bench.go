package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"text/tabwriter"
	"time"

	"github.com/cairn-okr/cairn"
	"github.com/cairn-okr/cairn/auth"
	"github.com/cairn-okr/cairn/azdo"
	"github.com/cairn-okr/cairn/azdoemu"
	"github.com/cairn-okr/cairn/azdoemu/traffic"
	"github.com/cairn-okr/cairn/datasource"
	"github.com/cairn-okr/cairn/sqldb"
)

const benchHelp = `Measures Cairn's Azure DevOps sync against the in-process emulator and checks the
call budget: each sync of a connection may make 1 membership query per data source,
⌈changed items/200⌉ batch calls and 1 changed-since call, and no other call.

It starts the emulator with --latency on every call and --generate data (at most 20,000
items), creates a fresh temporary database (SQLite, or a temporary schema in the
PostgreSQL database of --database postgres://…, dropped afterwards), a tenant,
organization, period and key result, and a connection and data source over every work
item ("Shared Queries/Generated/All work items") through Cairn's integration service,
measuring by the requirement type of the spec's process (process=agile by default: User
Story; scrum: Product Backlog Item; basic: Issue; cmmi: Requirement; custom: User Story).
Then it runs the first sync, a re-sync with nothing changed and a sync after --change
items changed; --fleet C,D,I adds C connections with D data sources of about I items
each, synced --workers at a time, first and again with nothing changed.

With --budget N the emulator limits every identity to N TSTU per sliding 5 minutes as
Azure DevOps does (200 there): past 80 % it delays answers and sends the X-RateLimit headers,
and at N it answers 429 with Retry-After. The emulator's window and Cairn's waits then run on a
virtual clock, and --budget-syncs full syncs follow the three syncs, so that Cairn must slow
down and wait; the table adds the delayed and refused requests, the (virtual) time Cairn
waited and the budget left, as the connection reports it.

It prints the calls per route against the budget, wall time and peak heap (Cairn and the
emulator share the process), and exits 1 when a call count exceeds its budget or a sync
fails or is deferred.

'cairn bench fleet' measures the first and an hourly sync of a fleet of connections run
by real 'cairn serve' replicas; see 'cairn bench fleet -h'.`

// benchConfig is the configuration of `cairn bench`.
type benchConfig struct {
	latency  time.Duration
	generate string
	database string
	change   int
	fleet    string
	workers  int
	// budget is the emulator's TSTU allowance per 5 minutes; 0 means none.
	budget      float64
	budgetSyncs int
	// process is the generated project's process and progress its requirement type,
	// which the data sources measure by.
	process, progress string
}

// fleetSize is the shape of a fleet run.
type fleetSize struct{ conns, sources, items int }

func parseFleet(s string) (fleetSize, error) {
	parts := strings.Split(strings.ReplaceAll(s, " ", ""), ",")
	if len(parts) != 3 {
		return fleetSize{}, fmt.Errorf("--fleet %q: want connections,sources,items such as 500,4,500", s)
	}
	var n [3]int
	for i, p := range parts {
		v, err := strconv.Atoi(p)
		if err != nil || v < 1 {
			return fleetSize{}, fmt.Errorf("--fleet %q: %q is not a positive whole number", s, p)
		}
		n[i] = v
	}
	if n[2] < 20 {
		return fleetSize{}, fmt.Errorf("--fleet %q: each data source needs at least 20 items", s)
	}
	if n[1]*n[2] > 20000 {
		return fleetSize{}, fmt.Errorf("--fleet %q: sources × items is %d; the emulator holds at most 20,000", s, n[1]*n[2])
	}
	return fleetSize{conns: n[0], sources: n[1], items: n[2]}, nil
}

func runBench(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == "fleet" {
		return runBenchFleet(ctx, args[1:], stdout, stderr)
	}
	var cfg benchConfig
	fs := newFlagSet("bench", "cairn bench [flags]", benchHelp, stderr)
	fs.DurationVar(&cfg.latency, "latency", 40*time.Millisecond, "latency the emulator adds to every API call")
	fs.StringVar(&cfg.generate, "generate", "epics=10,features=90,stories=2000,tasks=7800,bugs=100,seed=1", "the emulator's generated data `spec` (10,000 items by default)")
	fs.StringVar(&cfg.database, "database", "", "a postgres:// `URL` to run on a temporary schema there; a temporary SQLite file when empty")
	fs.IntVar(&cfg.change, "change", 100, "how many work items change before the third sync")
	fs.StringVar(&cfg.fleet, "fleet", "", "also sync a fleet of `C,D,I`: C connections × D data sources × about I items, e.g. 500,4,500")
	fs.IntVar(&cfg.workers, "workers", 8, "how many fleet syncs run at once")
	fs.Float64Var(&cfg.budget, "budget", 0, "rate-limit the emulator to this many `TSTU` per identity per 5 minutes, as Azure DevOps does (200); 0 means no limit")
	fs.IntVar(&cfg.budgetSyncs, "budget-syncs", 3, "with --budget, how many full syncs follow the three measured syncs")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the syncs to `file` (read it with go tool pprof)")
	memProfile := fs.String("memprofile", "", "write a heap profile, taken after the syncs, to `file`")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	var fleet *fleetSize
	switch {
	case cfg.latency < 0:
		return fmt.Errorf("--latency %v: must not be negative", cfg.latency)
	case cfg.change < 0:
		return fmt.Errorf("--change %d: must not be negative", cfg.change)
	case cfg.workers < 1:
		return fmt.Errorf("--workers %d: must be at least 1", cfg.workers)
	case cfg.budget < 0:
		return fmt.Errorf("--budget %g: must not be negative", cfg.budget)
	case cfg.budgetSyncs < 0:
		return fmt.Errorf("--budget-syncs %d: must not be negative", cfg.budgetSyncs)
	case cfg.budget > 0 && cfg.fleet != "":
		return fmt.Errorf("--budget and --fleet do not combine: the fleet's connections share one emulator identity and so one budget")
	case cfg.database != "" && !strings.HasPrefix(cfg.database, "postgres://") && !strings.HasPrefix(cfg.database, "postgresql://"):
		return fmt.Errorf("--database %q: want a postgres:// URL, or nothing for a temporary SQLite file", cfg.database)
	}
	if cfg.fleet != "" {
		f, err := parseFleet(cfg.fleet)
		if err != nil {
			return err
		}
		fleet = &f
	}
	spec, err := azdoemu.ParseGenerateSpec(cfg.generate)
	if err != nil {
		return fmt.Errorf("--generate: %w", err)
	}
	cfg.process, cfg.progress = spec.Process, spec.RequirementType()
	progress := func(format string, a ...any) { fmt.Fprintf(stderr, format+"\n", a...) }
	if *cpuProfile != "" {
		stopProfile, err := startCPUProfile(*cpuProfile)
		if err != nil {
			return err
		}
		defer func() {
			if err := stopProfile(); err != nil {
				progress("cpu profile: %v", err)
				return
			}
			progress("wrote the CPU profile to %s", *cpuProfile)
		}()
	}
	if *memProfile != "" {
		defer func() {
			if err := writeHeapProfile(*memProfile); err != nil {
				progress("heap profile: %v", err)
				return
			}
			progress("wrote the heap profile to %s", *memProfile)
		}()
	}

	b, err := newBench(ctx, cfg.database, progress)
	if err != nil {
		return err
	}
	if cfg.budget > 0 {
		b.budget, b.clock = cfg.budget, traffic.NewVirtualClock(time.Now())
	}
	defer b.close()
	single, err := b.single(ctx, cfg)
	if err != nil {
		return err
	}
	var phases []*benchPhase
	phases = append(phases, single...)
	if fleet != nil {
		fp, err := b.fleet(ctx, cfg, *fleet)
		if err != nil {
			return err
		}
		phases = append(phases, fp...)
	}
	fmt.Fprintf(stdout, "Cairn sync benchmark on %s, emulator latency %v", b.db.Dialect(), cfg.latency)
	if cfg.budget > 0 {
		fmt.Fprintf(stdout, ", rate limit %g TSTU per identity per 5 minutes (virtual clock)", cfg.budget)
	}
	fmt.Fprint(stdout, "\n\n")
	if err := printPhases(stdout, phases); err != nil {
		return err
	}
	return overBudget(phases)
}

// benchPhase is one measured step: one sync, or a pass over a fleet.
type benchPhase struct {
	name    string
	calls   map[string]int
	count   int
	budget  int
	fetched int
	syncs   int
	wall    time.Duration
	peak    uint64
	// failed counts data sources whose sync recorded an error.
	failed int
	// deferred counts syncs Azure DevOps' rate limit made Cairn put off for good;
	// snoozed counts the times a sync was put off and run again later.
	deferred, snoozed int
	// rate is what the phase saw of the rate limit; virtual is the time it took on the
	// virtual clock, when the emulator has a budget.
	rate    *rateNumbers
	virtual time.Duration
}

func (p *benchPhase) add(rep *datasource.Report) {
	if p.calls == nil {
		p.calls = map[string]int{}
	}
	for r, n := range rep.Calls {
		p.calls[r] += n
	}
	p.count += rep.CallCount
	p.fetched += rep.ItemsFetched
	p.syncs++
	if rep.Deferred {
		p.deferred++
	}
	for _, s := range rep.Sources {
		if s.Error != nil {
			p.failed++
		}
	}
}

// callBudget is what one connection sync may call: one membership query per data source,
// one batch call per 200 changed items and one changed-since call.
func callBudget(sources, changed int) int { return sources + (changed+199)/200 + 1 }

// overBudget reports every phase over its budget or with failed data sources.
func overBudget(phases []*benchPhase) error {
	var msgs []string
	for _, p := range phases {
		if n := p.counted(); n > p.budget {
			msgs = append(msgs, fmt.Sprintf("%s made %d calls, budget %d", p.name, n, p.budget))
		}
		if p.deferred > 0 {
			msgs = append(msgs, fmt.Sprintf("%s: %d syncs deferred by the rate limit", p.name, p.deferred))
		}
		if p.failed > 0 {
			msgs = append(msgs, fmt.Sprintf("%s: %d data sources failed to sync", p.name, p.failed))
		}
	}
	if len(msgs) > 0 {
		return errors.New(strings.Join(msgs, "; "))
	}
	return nil
}

// counted is the phase's calls that count against its call budget: every attempt but
// those refused with 429, which Azure DevOps does not charge and Cairn retries.
func (p *benchPhase) counted() int {
	if p.rate != nil {
		return p.count - p.rate.throttled
	}
	return p.count
}

// printPhases prints the calls per route and the totals of each phase.
func printPhases(w io.Writer, phases []*benchPhase) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	width := len("failed data sources")
	for _, p := range phases {
		for r := range p.calls {
			width = max(width, len(r))
		}
	}
	row := func(label string, cell func(p *benchPhase) string) {
		// Labels padded to one width stay left-aligned in right-aligned columns.
		fmt.Fprintf(tw, "%-*s\t", width, label)
		for _, p := range phases {
			fmt.Fprintf(tw, "%s\t", cell(p))
		}
		fmt.Fprintln(tw)
	}
	row("", func(p *benchPhase) string { return p.name })
	routes := map[string]bool{}
	for _, p := range phases {
		for r := range p.calls {
			routes[r] = true
		}
	}
	names := make([]string, 0, len(routes))
	for r := range routes {
		names = append(names, r)
	}
	sort.Strings(names)
	for _, r := range names {
		row(r, func(p *benchPhase) string { return strconv.Itoa(p.calls[r]) })
	}
	row("API calls", func(p *benchPhase) string { return strconv.Itoa(p.count) })
	row("budget", func(p *benchPhase) string { return strconv.Itoa(p.budget) })
	row("within budget", func(p *benchPhase) string {
		if p.counted() > p.budget {
			return "NO"
		}
		return "yes"
	})
	row("syncs", func(p *benchPhase) string { return strconv.Itoa(p.syncs) })
	row("items fetched", func(p *benchPhase) string { return thousands(p.fetched) })
	row("failed data sources", func(p *benchPhase) string { return strconv.Itoa(p.failed) })
	if len(phases) > 0 && phases[0].rate != nil {
		rate := func(label string, cell func(r *rateNumbers, p *benchPhase) string) {
			row(label, func(p *benchPhase) string {
				if p.rate == nil {
					return "-"
				}
				return cell(p.rate, p)
			})
		}
		rate("delayed answers", func(r *rateNumbers, _ *benchPhase) string { return strconv.Itoa(r.delayed) })
		rate("refused (429)", func(r *rateNumbers, _ *benchPhase) string { return strconv.Itoa(r.throttled) })
		rate("waited (virtual)", func(r *rateNumbers, _ *benchPhase) string { return r.heldBack.Round(time.Second).String() })
		rate("virtual time", func(_ *rateNumbers, p *benchPhase) string { return p.virtual.Round(time.Second).String() })
		rate("budget left (TSTU)", func(r *rateNumbers, _ *benchPhase) string { return r.remainingText() })
		row("syncs put off (30 s)", func(p *benchPhase) string { return strconv.Itoa(p.snoozed) })
		row("deferred syncs", func(p *benchPhase) string { return strconv.Itoa(p.deferred) })
	}
	row("wall time", func(p *benchPhase) string { return p.wall.Round(time.Millisecond).String() })
	row("peak heap", func(p *benchPhase) string { return fmt.Sprintf("%.1f MiB", float64(p.peak)/(1<<20)) })
	return tw.Flush()
}

// heapWatch samples the heap in use until stopped and keeps its peak.
type heapWatch struct {
	stop chan struct{}
	done chan struct{}
	peak atomic.Uint64
}

func watchHeap() *heapWatch {
	runtime.GC()
	h := &heapWatch{stop: make(chan struct{}), done: make(chan struct{})}
	sample := func() {
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		if ms.HeapInuse > h.peak.Load() {
			h.peak.Store(ms.HeapInuse)
		}
	}
	sample()
	go func() {
		defer close(h.done)
		t := time.NewTicker(10 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-h.stop:
				sample()
				return
			case <-t.C:
				sample()
			}
		}
	}()
	return h
}

func (h *heapWatch) end() uint64 {
	close(h.stop)
	<-h.done
	return h.peak.Load()
}

// noQueue stands in for the job queue: syncs queued by binding a data source are run
// by the benchmark itself, so that it can measure them.
type noQueue struct{}

func (noQueue) EnqueueSync(context.Context, *sql.Tx, int64, string, time.Duration) error { return nil }

// bench is the Cairn under measurement: a fresh database and the services on it.
type bench struct {
	db       *sqldb.DB
	svc      *cairn.Service
	sealer   *auth.Sealer
	actx     context.Context
	org      *cairn.Org
	obj      *cairn.Objective
	progress func(format string, a ...any)
	cleanup  []func()
	// dsn is the database's SQLite file or PostgreSQL URL, and key the sealing key in
	// the form of CAIRN_SECRET_KEY, for replicas that share them.
	dsn, key string
	// budget and clock rate-limit the emulator on a virtual clock (see --budget).
	budget float64
	clock  *traffic.VirtualClock
	// emu is the emulator last started.
	emu *azdoemu.Server
}

const (
	benchOrg     = "fabrikam"
	benchProject = "Fabrikam Fiber"
	benchPAT     = "cairn-bench-pat"
)

func newBench(ctx context.Context, database string, progress func(string, ...any)) (b *bench, err error) {
	b = &bench{progress: progress}
	defer func() {
		if err != nil {
			b.close()
		}
	}()
	dsn := database
	if dsn == "" {
		dir, err := os.MkdirTemp("", "cairn-bench-")
		if err != nil {
			return nil, err
		}
		b.cleanup = append(b.cleanup, func() { os.RemoveAll(dir) })
		dsn = filepath.Join(dir, "cairn.db")
		progress("database: temporary SQLite file %s", dsn)
	} else {
		if dsn, err = b.tempSchema(ctx, database); err != nil {
			return nil, err
		}
	}
	if b.db, err = sqldb.Open(ctx, dsn, sqldb.Options{}); err != nil {
		return nil, fmt.Errorf("open the database: %w", err)
	}
	b.cleanup = append(b.cleanup, func() { b.db.Close() })
	b.dsn = dsn
	key := make([]byte, auth.SecretKeyLen)
	if _, err := rand.Read(key); err != nil {
		return nil, err
	}
	b.key = hex.EncodeToString(key)
	if b.sealer, err = auth.LoadKey(b.key, ""); err != nil {
		return nil, err
	}
	b.svc = cairn.NewService(b.db, cairn.ServiceOptions{})
	admin := &cairn.User{Email: "bench@cairn.example", Name: "Benchmark", TenantAdmin: true}
	if err := b.db.CreateTenant(ctx, &cairn.Tenant{Name: "Benchmark"}, admin); err != nil {
		return nil, err
	}
	b.actx = cairn.NewContext(ctx, admin)
	b.org = &cairn.Org{Name: "Fabrikam", Slug: "fabrikam"}
	if err := b.svc.CreateOrg(b.actx, b.org); err != nil {
		return nil, err
	}
	if err := b.svc.SetTenantIntegration(b.actx, &cairn.TenantIntegration{Enabled: true}); err != nil {
		return nil, err
	}
	on := true
	if _, err := b.svc.SetOrgIntegration(b.actx, b.org.Slug, cairn.OrgIntegrationUpdate{Enabled: &on}); err != nil {
		return nil, err
	}
	now := time.Now().UTC()
	period := &cairn.Period{Name: "Benchmark quarter", Start: cairn.DateOf(now.AddDate(0, -1, 0)), End: cairn.DateOf(now.AddDate(0, 2, 0))}
	if err := b.svc.CreatePeriod(b.actx, b.org.Slug, period); err != nil {
		return nil, err
	}
	b.obj = &cairn.Objective{PeriodID: period.ID, Title: "Sync Azure DevOps within budget", OwnerIDs: []int64{admin.ID}}
	if err := b.svc.CreateObjective(b.actx, b.org.Slug, b.obj); err != nil {
		return nil, err
	}
	return b, nil
}

// tempSchema creates a temporary schema in a PostgreSQL database, dropped on close, and
// returns the URL that uses it.
func (b *bench) tempSchema(ctx context.Context, database string) (string, error) {
	u, err := url.Parse(database)
	if err != nil {
		return "", fmt.Errorf("--database: %w", err)
	}
	admin, err := sql.Open("pgx", database)
	if err != nil {
		return "", fmt.Errorf("--database: %w", err)
	}
	var buf [6]byte
	_, _ = rand.Read(buf[:])
	schema := "cairn_bench_" + hex.EncodeToString(buf[:])
	if _, err := admin.ExecContext(ctx, `CREATE SCHEMA `+schema); err != nil {
		admin.Close()
		return "", fmt.Errorf("create a temporary schema in %s: %w", u.Redacted(), err)
	}
	b.cleanup = append(b.cleanup, func() {
		defer admin.Close()
		_, _ = admin.Exec(`DROP SCHEMA ` + schema + ` CASCADE`)
	})
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	b.progress("database: temporary schema %s in %s", schema, u.Redacted())
	return u.String(), nil
}

func (b *bench) close() {
	for i := len(b.cleanup) - 1; i >= 0; i-- {
		b.cleanup[i]()
	}
	b.cleanup = nil
}

// integration returns Cairn's integration service and sync engine for an emulator.
func (b *bench) integration(emuURL string) (*datasource.Service, *datasource.Syncer) {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 64
	clients := datasource.ClientConfig{Egress: &azdo.Egress{Hosts: []string{strings.TrimPrefix(emuURL, "http://")}}, VSSPSURL: emuURL + "/_vssps", HTTPClient: &http.Client{Transport: tr, Timeout: 2 * time.Minute}}
	var now func() time.Time
	if b.clock != nil {
		clients.Sleep, clients.Now, clients.Concurrency = b.clock.Sleep, b.clock.Now, 1
		now = b.clock.Now
	}
	syncer := datasource.NewSyncer(datasource.SyncerConfig{Store: b.db, Sealer: b.sealer, Clients: clients, Now: now})
	return datasource.New(datasource.Config{Cairn: b.svc, Store: b.db, Sealer: b.sealer, Clients: clients, Syncer: syncer, Enqueuer: noQueue{}, Now: now}), syncer
}

// emulator starts an emulator with generated data; stop stops it, as close does.
func (b *bench) emulator(latency time.Duration, spec string) (emu *azdoemu.Server, base string, stop func(), err error) {
	opts := azdoemu.Options{Latency: latency, Generate: spec, PATs: []string{benchPAT}, Budget: b.budget}
	if b.clock != nil {
		opts.Now = b.clock.Now
	}
	emu, err = azdoemu.New(opts)
	if err != nil {
		return nil, "", nil, fmt.Errorf("start the emulator: %w", err)
	}
	b.emu = emu
	stop = sync.OnceFunc(func() { emu.Close() })
	b.cleanup = append(b.cleanup, stop)
	base, err = emu.Start("127.0.0.1:0")
	if err != nil {
		return nil, "", nil, fmt.Errorf("start the emulator: %w", err)
	}
	return emu, base, stop, nil
}

func (b *bench) connect(ctx context.Context, integ *datasource.Service, base, name string) (*datasource.ConnectionView, error) {
	c, err := integ.CreateConnection(ctx, b.org.Slug, datasource.ConnectionInput{Name: name, OrganizationURL: base + "/" + benchOrg,
		Project: benchProject, Visibility: cairn.VisibilityShared, Auth: datasource.AuthInput{Type: cairn.AuthPAT, Token: benchPAT}})
	if err != nil {
		return nil, fmt.Errorf("create connection %q: %w", name, err)
	}
	return c, nil
}

// bind creates a percentage key result and binds it with in.
func (b *bench) bind(ctx context.Context, integ *datasource.Service, title string, in datasource.DataSourceInput) error {
	k := &cairn.KeyResult{ObjectiveID: b.obj.ID, Title: title, Metric: cairn.Metric{Kind: cairn.MetricPercentage, Start: 0, Target: 100},
		OwnerIDs: b.obj.OwnerIDs}
	if err := b.svc.CreateKeyResult(ctx, b.org.Slug, k); err != nil {
		return err
	}
	in.Target = cairn.Target{Type: cairn.TargetKeyResult, ID: k.ID}
	if _, err := integ.CreateDataSource(ctx, b.org.Slug, in); err != nil {
		return fmt.Errorf("bind %q: %w", title, err)
	}
	return nil
}

// single measures one connection with one data source over every generated item.
func (b *bench) single(ctx context.Context, cfg benchConfig) ([]*benchPhase, error) {
	emu, base, stop, err := b.emulator(cfg.latency, cfg.generate)
	if err != nil {
		return nil, err
	}
	defer stop() // frees its memory before a fleet run
	snaps, err := emu.WorkItems(benchOrg, benchProject)
	if err != nil {
		return nil, err
	}
	total := len(snaps)
	if cfg.change > total {
		return nil, fmt.Errorf("--change %d: the generated data has %d items", cfg.change, total)
	}
	b.progress("emulator: %s work items, %v latency per call", thousands(total), cfg.latency)
	integ, syncer := b.integration(base)
	conn, err := b.connect(b.actx, integ, base, "Benchmark")
	if err != nil {
		return nil, err
	}
	qid, err := emu.QueryID(benchOrg, benchProject, "Shared Queries/Generated/All work items")
	if err != nil {
		return nil, err
	}
	if err := b.bind(b.actx, integ, "All "+cfg.progress+"s done", datasource.DataSourceInput{ConnectionID: conn.ID,
		Method: cairn.MethodSharedQuery, QueryID: qid, ProgressType: cfg.progress, Measure: cairn.MeasureCount}); err != nil {
		return nil, err
	}
	sync := func(name, trigger string, changed int) (*benchPhase, error) {
		p := &benchPhase{name: name, budget: callBudget(1, changed)}
		h := watchHeap()
		var vstart time.Time
		if b.clock != nil {
			vstart = b.clock.Now()
		}
		start := time.Now()
		rep, err := syncer.Sync(ctx, conn.ID, trigger)
		// A sync the rate limit defers is run again later, as the job queue does: River
		// snoozes it 30 seconds.
		for b.clock != nil && err == nil && rep.Deferred && p.snoozed < 100 {
			p.snoozed++
			_ = b.clock.Sleep(ctx, 30*time.Second)
			rep, err = syncer.Sync(ctx, conn.ID, trigger)
		}
		p.wall, p.peak = time.Since(start), h.end()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		p.add(rep)
		if b.clock != nil {
			p.virtual = b.clock.Now().Sub(vstart)
			v, err := integ.Connection(b.actx, b.org.Slug, conn.ID)
			if err != nil {
				return nil, err
			}
			p.rate = &rateNumbers{}
			p.rate.add(v.RateLimit)
		}
		return p, nil
	}
	b.progress("first sync… %s items", thousands(total))
	first, err := sync("first sync", cairn.TriggerCreate, total)
	if err != nil {
		return nil, err
	}
	b.progress("no-change re-sync…")
	again, err := sync("re-sync", cairn.TriggerSchedule, 0)
	if err != nil {
		return nil, err
	}
	b.progress("sync after changing %s items…", thousands(cfg.change))
	for i := 0; i < cfg.change; i++ {
		s := snaps[i]
		if err := emu.UpdateWorkItem(benchOrg, benchProject, s.ID, map[string]any{"System.Title": s.Title + " (changed)"}); err != nil {
			return nil, err
		}
	}
	changed, err := sync(fmt.Sprintf("after %d changes", cfg.change), cairn.TriggerSchedule, cfg.change)
	if err != nil {
		return nil, err
	}
	out := []*benchPhase{first, again, changed}
	if b.clock != nil {
		proj, err := emu.Project(benchOrg, benchProject)
		if err != nil {
			return nil, err
		}
		for i := range cfg.budgetSyncs {
			b.progress("full sync %d of %d under the rate limit…", i+1, cfg.budgetSyncs)
			p, err := sync(fmt.Sprintf("full sync %d", i+1), cairn.TriggerManual, total)
			if err != nil {
				return nil, err
			}
			// "Sync now" also reloads the state categories: the types list, then each
			// type's states.
			p.budget += 1 + len(proj.Types)
			out = append(out, p)
		}
	}
	return out, nil
}

// fleetSetup starts an emulator with data for the fleet f and creates its connections,
// each with f.sources data sources over one epic apiece. It returns the connections and
// how many items each one's data sources hold together.
func (b *bench) fleetSetup(ctx context.Context, latency time.Duration, process, progressType string, f fleetSize) (emu *azdoemu.Server, base string, ids []int64, perConn int, err error) {
	s := f.sources
	spec := fmt.Sprintf("epics=%d,features=%d,stories=%d,tasks=%d,bugs=0,seed=5,process=%s",
		s, s*f.items/20, s*f.items/4, s*f.items-s-s*f.items/20-s*f.items/4, process)
	emu, base, _, err = b.emulator(latency, spec)
	if err != nil {
		return nil, "", nil, 0, err
	}
	snaps, err := emu.WorkItems(benchOrg, benchProject)
	if err != nil {
		return nil, "", nil, 0, err
	}
	var epics []int
	for _, w := range snaps {
		if w.Type == "Epic" {
			epics = append(epics, w.ID)
		}
	}
	if len(epics) < s {
		return nil, "", nil, 0, fmt.Errorf("the fleet's data has %d epics, want %d", len(epics), s)
	}
	integ, _ := b.integration(base)
	b.progress("fleet: creating %d connections × %d data sources over %s items…", f.conns, s, thousands(len(snaps)))
	ids = make([]int64, f.conns)
	err = parallel(ctx, f.conns, 16, func(i int) error {
		conn, err := b.connect(b.actx, integ, base, fmt.Sprintf("Fleet %d", i+1))
		if err != nil {
			return err
		}
		ids[i] = conn.ID
		for j := 0; j < s; j++ {
			if err := b.bind(b.actx, integ, fmt.Sprintf("Fleet %d.%d", i+1, j+1), datasource.DataSourceInput{ConnectionID: conn.ID,
				Method: cairn.MethodWorkItems, WorkItemType: "Epic", WorkItemIDs: []int{epics[j]}, ProgressType: progressType, Measure: cairn.MeasureCount}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, "", nil, 0, err
	}
	// Each connection holds every item of its data sources' epics.
	return emu, base, ids, len(descendants(snaps, epics[:s])), nil
}

// fleet measures many connections syncing at once, each with several data sources.
func (b *bench) fleet(ctx context.Context, cfg benchConfig, f fleetSize) ([]*benchPhase, error) {
	s := f.sources
	_, base, ids, perConn, err := b.fleetSetup(ctx, cfg.latency, cfg.process, cfg.progress, f)
	if err != nil {
		return nil, err
	}
	_, syncer := b.integration(base)
	pass := func(name, trigger string, changed int) (*benchPhase, error) {
		p := &benchPhase{name: name, budget: f.conns * callBudget(s, changed)}
		var mu sync.Mutex
		h := watchHeap()
		start := time.Now()
		err := parallel(ctx, len(ids), cfg.workers, func(i int) error {
			rep, err := syncer.Sync(ctx, ids[i], trigger)
			if err != nil {
				return err
			}
			mu.Lock()
			p.add(rep)
			mu.Unlock()
			return nil
		})
		p.wall, p.peak = time.Since(start), h.end()
		return p, err
	}
	b.progress("fleet: first syncs of %d connections, %d at a time…", f.conns, cfg.workers)
	first, err := pass(fmt.Sprintf("fleet first (%d×%d×%d)", f.conns, s, f.items), cairn.TriggerCreate, perConn)
	if err != nil {
		return nil, err
	}
	b.progress("fleet: no-change re-syncs…")
	again, err := pass("fleet re-sync", cairn.TriggerSchedule, 0)
	if err != nil {
		return nil, err
	}
	return []*benchPhase{first, again}, nil
}

// parallel runs fn for 0…n-1 with at most workers at once; it stops handing out work
// at the first error, which it returns.
func parallel(ctx context.Context, n, workers int, fn func(i int) error) error {
	work := make(chan int)
	failed := make(chan struct{})
	var (
		wg       sync.WaitGroup
		once     sync.Once
		firstErr error
	)
	for range min(workers, n) {
		wg.Go(func() {
			for i := range work {
				if err := fn(i); err != nil {
					once.Do(func() { firstErr = err; close(failed) })
				}
			}
		})
	}
feed:
	for i := 0; i < n; i++ {
		select {
		case work <- i:
		case <-failed:
			break feed
		case <-ctx.Done():
			break feed
		}
	}
	close(work)
	wg.Wait()
	if firstErr != nil {
		return firstErr
	}
	return ctx.Err()
}

// thousands formats n with thousands separators.
func thousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// descendants returns the roots and every item below them.
func descendants(snaps []azdoemu.WorkItemSnapshot, roots []int) []int {
	kids := map[int][]int{}
	for _, w := range snaps {
		if w.Parent != 0 {
			kids[w.Parent] = append(kids[w.Parent], w.ID)
		}
	}
	seen := map[int]bool{}
	var out []int
	todo := append([]int(nil), roots...)
	for len(todo) > 0 {
		id := todo[len(todo)-1]
		todo = todo[:len(todo)-1]
		if seen[id] {
			continue
		}
		seen[id] = true
		out = append(out, id)
		todo = append(todo, kids[id]...)
	}
	return out
}

// startCPUProfile starts profiling the CPU into path and returns the function that stops
// and closes it.
func startCPUProfile(path string) (func() error, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("--cpuprofile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("--cpuprofile: %w", err)
	}
	return func() error {
		pprof.StopCPUProfile()
		return f.Close()
	}, nil
}

// writeHeapProfile writes the heap profile, after a garbage collection, to path.
func writeHeapProfile(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	runtime.GC()
	if err := pprof.WriteHeapProfile(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
