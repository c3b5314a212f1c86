package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/cairn-okr/cairn"
	"github.com/cairn-okr/cairn/sqldb"
)

const benchFleetHelp = `Measures the hourly sync of a fleet of Azure DevOps connections run by real
'cairn serve' replicas sharing one database, as a deployment runs it.

It creates a fresh temporary database (SQLite, or a temporary schema in the PostgreSQL
database of --database postgres://…, dropped afterwards), a tenant, organization, period
and objective, starts the emulator in this process with --latency on every call and
generated data, and creates --fleet C,D,I: C connections with D data sources of about I
items each. Then it starts --replicas copies of this binary as 'cairn serve' on free
loopback ports with a shared CAIRN_SECRET_KEY, CAIRN_SYNC_SCHEDULE_EVERY=1s and
CAIRN_SYNC_WORKERS=--workers; their logs go to a temporary file.

It measures two passes. The first: every connection, never synced, is due at once when
every replica is ready (the tenant's Azure DevOps switch stays off until then). The
hourly pass, once no sync is queued or running: every connection's last sync is moved
back by the organization's interval and a minute, and nothing changed in Azure DevOps.
A pass ends when every connection's last sync moved. For each pass it prints the
emulator's calls by route against the call budget (per connection: 1 membership query
per data source, ⌈items/200⌉ batch calls and 1 changed-since call; nothing for unchanged
items), the wall time, the 95th percentile of sync durations, the CPU seconds of each
replica, the database size and the data sources that failed. It exits 1 when a pass is
over its budget or a data source failed.

With --pprof each replica serves Go's profiles on a loopback debug listener, whose
address is printed: 'go tool pprof http://ADDR/debug/pprof/profile?seconds=30' during a
pass profiles that replica.`

// fleetBenchConfig is the configuration of `cairn bench fleet`.
type fleetBenchConfig struct {
	replicas int
	database string
	fleet    string
	latency  time.Duration
	workers  int
	timeout  time.Duration
	pprof    bool
}

func runBenchFleet(ctx context.Context, args []string, stdout, stderr io.Writer) (err error) {
	var cfg fleetBenchConfig
	fs := newFlagSet("bench fleet", "cairn bench fleet [flags]", benchFleetHelp, stderr)
	fs.IntVar(&cfg.replicas, "replicas", 1, "how many 'cairn serve' replicas run the syncs")
	fs.StringVar(&cfg.database, "database", "", "a postgres:// `URL` to run on a temporary schema there; a temporary SQLite file when empty")
	fs.StringVar(&cfg.fleet, "fleet", "500,4,500", "the fleet `C,D,I`: C connections × D data sources × about I items")
	fs.DurationVar(&cfg.latency, "latency", 40*time.Millisecond, "latency the emulator adds to every API call")
	fs.IntVar(&cfg.workers, "workers", 4, "syncs each replica runs at once (CAIRN_SYNC_WORKERS)")
	fs.DurationVar(&cfg.timeout, "timeout", 30*time.Minute, "give up on a pass that takes longer than this")
	fs.BoolVar(&cfg.pprof, "pprof", false, "give each replica a debug listener (--debug-addr) and print its address, to profile it with go tool pprof during a pass")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	switch {
	case cfg.replicas < 1 || cfg.replicas > 32:
		return fmt.Errorf("--replicas %d: want 1 to 32", cfg.replicas)
	case cfg.latency < 0:
		return fmt.Errorf("--latency %v: must not be negative", cfg.latency)
	case cfg.workers < 1:
		return fmt.Errorf("--workers %d: must be at least 1", cfg.workers)
	case cfg.timeout <= 0:
		return fmt.Errorf("--timeout %v: must be positive", cfg.timeout)
	case cfg.database != "" && !strings.HasPrefix(cfg.database, "postgres://") && !strings.HasPrefix(cfg.database, "postgresql://"):
		return fmt.Errorf("--database %q: want a postgres:// URL, or nothing for a temporary SQLite file", cfg.database)
	}
	f, err := parseFleet(cfg.fleet)
	if err != nil {
		return err
	}
	exe, err := os.Executable()
	if err != nil {
		return fmt.Errorf("find this binary to start replicas: %w", err)
	}
	progress := func(format string, a ...any) { fmt.Fprintf(stderr, format+"\n", a...) }
	b, err := newBench(ctx, cfg.database, progress)
	if err != nil {
		return err
	}
	defer b.close()
	_, base, ids, perConn, err := b.fleetSetup(ctx, cfg.latency, "agile", "User Story", f)
	if err != nil {
		return err
	}
	emu := b.emu
	var interval int
	if err := b.db.SQL().QueryRowContext(ctx, fmt.Sprintf(`SELECT sync_interval_minutes FROM azdo_org_settings WHERE org_id = %d`, b.org.ID)).Scan(&interval); err != nil {
		return fmt.Errorf("read the organization's sync interval: %w", err)
	}
	logDir, err := os.MkdirTemp("", "cairn-bench-fleet-")
	if err != nil {
		return err
	}
	defer func() {
		// The replicas' log stays for a look when the run failed.
		if err == nil {
			os.RemoveAll(logDir)
		}
	}()
	// The tenant's switch is off until every replica is ready: a replica that is ready
	// first must not sync the fleet before the first pass starts.
	if err := b.db.SetSetting(ctx, cairn.TenantIntegrationSetting, "false"); err != nil {
		return err
	}
	progress("replicas: starting %d, logging to %s", cfg.replicas, logDir)
	reps, err := startReplicas(ctx, exe, cfg, b, strings.TrimPrefix(base, "http://"), logDir)
	if err != nil {
		return err
	}
	defer reps.stop()
	for i, a := range reps.debug {
		progress("replica %d: profile it with go tool pprof 'http://%s/debug/pprof/profile?seconds=30'", i+1, a)
	}
	firstSince := time.Now()
	if err := b.db.SetSetting(ctx, cairn.TenantIntegrationSetting, "true"); err != nil {
		return err
	}

	fb := &fleetBench{b: b, reps: reps, ids: ids, timeout: cfg.timeout, progress: progress}
	label := fmt.Sprintf("%d×%d×%d", f.conns, f.sources, f.items)
	emu.ResetStats()
	first, err := fb.pass(ctx, "first pass", f.conns*callBudget(f.sources, perConn), firstSince)
	if err != nil {
		return err
	}
	// A sync queued before the first pass ended may still run; the hourly pass starts
	// once none is queued or running, so that no sync of the first pass writes its
	// last sync over the moved one.
	if err := fb.quiesce(ctx); err != nil {
		return err
	}
	since := time.Now()
	if err := fb.backdate(ctx, time.Duration(interval+1)*time.Minute); err != nil {
		return err
	}
	emu.ResetStats()
	hourly, err := fb.pass(ctx, "hourly pass", f.conns*callBudget(f.sources, 0), since)
	if err != nil {
		return err
	}
	passes := []*fleetPass{first, hourly}
	plural := "s"
	if cfg.replicas == 1 {
		plural = ""
	}
	fmt.Fprintf(stdout, "Cairn fleet sync benchmark on %s: %d replica%s × %d sync workers, fleet %s (%d connections × %d data sources, %s items per connection), emulator latency %v\n\n",
		b.db.Dialect(), cfg.replicas, plural, cfg.workers, label, f.conns, f.sources, thousands(perConn), cfg.latency)
	if err := printFleet(stdout, passes, cfg.replicas); err != nil {
		return err
	}
	phases := make([]*benchPhase, len(passes))
	for i, p := range passes {
		phases[i] = &p.benchPhase
	}
	return overBudget(phases)
}

// fleetPass is one measured pass over the fleet.
type fleetPass struct {
	benchPhase
	// synced is how many connections synced; p95 the 95th percentile of the sync runs'
	// durations; cpu each replica's CPU time; dbSize the database's size after the pass.
	synced int
	p95    time.Duration
	cpu    []time.Duration
	dbSize int64
}

// fleetBench runs the passes of `cairn bench fleet`.
type fleetBench struct {
	b        *bench
	reps     *replicas
	ids      []int64
	timeout  time.Duration
	progress func(format string, a ...any)
}

// pass waits until every connection synced after since, and measures it.
func (fb *fleetBench) pass(ctx context.Context, name string, budget int, since time.Time) (*fleetPass, error) {
	p := &fleetPass{benchPhase: benchPhase{name: name, budget: budget}}
	cpu0, err := fb.reps.cpu()
	if err != nil {
		return nil, err
	}
	start := time.Now()
	deadline := start.Add(fb.timeout)
	var lastReport time.Time
	for {
		n, err := fb.syncedSince(ctx, since)
		if err != nil {
			return nil, err
		}
		p.synced = n
		if n == len(fb.ids) {
			break
		}
		if time.Since(lastReport) >= 2*time.Second {
			fb.progress("%s: %d/%d connections synced", name, n, len(fb.ids))
			lastReport = time.Now()
		}
		if err := fb.reps.exited(); err != nil {
			return nil, err
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("%s: %d of %d connections synced after %v (--timeout)%s", name, n, len(fb.ids), fb.timeout, fb.reps.logTails())
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
	p.wall = time.Since(start)
	fb.progress("%s: %d/%d connections synced in %v", name, p.synced, len(fb.ids), p.wall.Round(time.Millisecond))
	cpu1, err := fb.reps.cpu()
	if err != nil {
		return nil, err
	}
	for i := range cpu1 {
		p.cpu = append(p.cpu, cpu1[i]-cpu0[i])
	}
	st := fb.b.emu.Stats()
	p.calls = map[string]int{}
	for route, byStatus := range st.Routes {
		for _, n := range byStatus {
			p.calls[route] += int(n)
			p.count += int(n)
		}
	}
	if p.p95, p.syncs, p.failed, err = fb.runs(ctx, since); err != nil {
		return nil, err
	}
	if p.dbSize, err = fb.b.dbSize(ctx); err != nil {
		return nil, err
	}
	return p, nil
}

// quiesce waits until no sync job is queued or running.
func (fb *fleetBench) quiesce(ctx context.Context) error {
	deadline := time.Now().Add(fb.timeout)
	for {
		var n int
		err := fb.b.db.SQL().QueryRowContext(ctx, `SELECT COUNT(*) FROM river_job WHERE kind = 'sync_connection'
			AND state IN ('available', 'pending', 'retryable', 'running', 'scheduled')`).Scan(&n)
		if err != nil {
			return fmt.Errorf("read the queued syncs: %w", err)
		}
		if n == 0 {
			return nil
		}
		if err := fb.reps.exited(); err != nil {
			return err
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%d syncs still queued or running %v after the first pass (--timeout)%s", n, fb.timeout, fb.reps.logTails())
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// syncedSince counts the connections whose last sync started after since.
func (fb *fleetBench) syncedSince(ctx context.Context, since time.Time) (int, error) {
	rows, err := fb.b.db.SQL().QueryContext(ctx, `SELECT last_sync_at FROM azdo_connections`)
	if err != nil {
		return 0, fmt.Errorf("read the connections' last syncs: %w", err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var t sql.NullTime
		if err := rows.Scan(&t); err != nil {
			return 0, err
		}
		if t.Valid && !t.Time.Before(since.Truncate(time.Millisecond)) {
			n++
		}
	}
	return n, rows.Err()
}

// runs reads the sync runs that started after since: the 95th percentile of their
// durations, how many there are and how many failed.
func (fb *fleetBench) runs(ctx context.Context, since time.Time) (p95 time.Duration, n, failed int, err error) {
	rows, err := fb.b.db.SQL().QueryContext(ctx, `SELECT started_at, finished_at, error_kind FROM azdo_sync_runs`)
	if err != nil {
		return 0, 0, 0, fmt.Errorf("read the sync runs: %w", err)
	}
	defer rows.Close()
	var ds []time.Duration
	for rows.Next() {
		var s, f time.Time
		var kind string
		if err := rows.Scan(&s, &f, &kind); err != nil {
			return 0, 0, 0, err
		}
		if s.Before(since.Truncate(time.Millisecond)) {
			continue
		}
		ds = append(ds, f.Sub(s))
		if kind != "" {
			failed++
		}
	}
	if err := rows.Err(); err != nil {
		return 0, 0, 0, err
	}
	return percentile(ds, 0.95), len(ds), failed, nil
}

// percentile returns the q-th quantile of ds by the nearest-rank method; 0 for none.
func percentile(ds []time.Duration, q float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	i := int(math.Ceil(q*float64(len(ds)))) - 1
	return ds[max(0, min(i, len(ds)-1))]
}

// backdate moves every connection's last sync back by d, so that the connections are due
// as an hour later.
func (fb *fleetBench) backdate(ctx context.Context, d time.Duration) error {
	db := fb.b.db
	rows, err := db.SQL().QueryContext(ctx, `SELECT id, last_sync_at FROM azdo_connections WHERE last_sync_at IS NOT NULL`)
	if err != nil {
		return err
	}
	last := map[int64]time.Time{}
	for rows.Next() {
		var id int64
		var t time.Time
		if err := rows.Scan(&id, &t); err != nil {
			rows.Close()
			return err
		}
		last[id] = t
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	q := `UPDATE azdo_connections SET last_sync_at = ? WHERE id = ?`
	if db.Dialect() != sqldb.DialectSQLite {
		q = `UPDATE azdo_connections SET last_sync_at = $1 WHERE id = $2`
	}
	tx, err := db.SQL().BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for id, t := range last {
		if _, err := tx.ExecContext(ctx, q, t.Add(-d).UTC(), id); err != nil {
			return fmt.Errorf("move the last sync of connection %d back: %w", id, err)
		}
	}
	return tx.Commit()
}

// dbSize is the size of the database: the SQLite file with its write-ahead log, or the
// PostgreSQL tables of the schema with their indexes and TOAST.
func (b *bench) dbSize(ctx context.Context) (int64, error) {
	if b.db.Dialect() == sqldb.DialectSQLite {
		path, _, _ := strings.Cut(b.dsn, "?")
		var n int64
		for _, p := range []string{path, path + "-wal"} {
			if st, err := os.Stat(p); err == nil {
				n += st.Size()
			}
		}
		return n, nil
	}
	var n int64
	err := b.db.SQL().QueryRowContext(ctx, `SELECT COALESCE(SUM(pg_total_relation_size(c.oid)), 0)::bigint
		FROM pg_class c JOIN pg_namespace s ON s.oid = c.relnamespace
		WHERE s.nspname = current_schema() AND c.relkind IN ('r', 'p')`).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("database size: %w", err)
	}
	return n, nil
}

// replicas are the `cairn serve` child processes.
type replicas struct {
	cmds []*exec.Cmd
	done []chan error
	logs []string
	// debug are the replicas' debug listeners with --pprof.
	debug []string
}

// startReplicas starts cfg.replicas copies of exe as `cairn serve` on the bench's
// database and key, allowed to reach the emulator at emuHost, one after the other: each
// is ready before the next starts, and the first migrates the database. Replica i logs
// to replica-i.log in logDir.
func startReplicas(ctx context.Context, exe string, cfg fleetBenchConfig, b *bench, emuHost, logDir string) (*replicas, error) {
	r := &replicas{}
	env := append(os.Environ(),
		"CAIRN_DATABASE_URL="+b.dsn,
		"CAIRN_SECRET_KEY="+b.key,
		"CAIRN_SYNC_SCHEDULE_EVERY=1s",
		"CAIRN_AZDO_ALLOWED_HOSTS="+emuHost,
		"CAIRN_SYNC_WORKERS="+strconv.Itoa(cfg.workers),
		// A test binary runs `cairn` itself when it sees this (see TestMain).
		"CAIRN_BENCH_REPLICA=1",
	)
	for i := range cfg.replicas {
		if err := r.start(ctx, exe, env, filepath.Join(logDir, fmt.Sprintf("replica-%d.log", i+1)), cfg.pprof); err != nil {
			r.stop()
			return nil, fmt.Errorf("replica %d: %w", i+1, err)
		}
	}
	return r, nil
}

// start starts one replica on a free loopback port and waits until it is ready.
func (r *replicas) start(ctx context.Context, exe string, env []string, logFile string, debug bool) error {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	addr := ln.Addr().String()
	ln.Close()
	lf, err := os.Create(logFile)
	if err != nil {
		return err
	}
	args := []string{"serve", "--addr", addr}
	if debug {
		dl, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return err
		}
		daddr := dl.Addr().String()
		dl.Close()
		args = append(args, "--debug-addr", daddr)
		r.debug = append(r.debug, daddr)
	}
	cmd := exec.Command(exe, args...)
	cmd.Env = env
	cmd.Stdout, cmd.Stderr = lf, lf
	if err := cmd.Start(); err != nil {
		lf.Close()
		return err
	}
	done := make(chan error, 1)
	go func() { err := cmd.Wait(); lf.Close(); done <- err }()
	r.cmds, r.done, r.logs = append(r.cmds, cmd), append(r.done, done), append(r.logs, logFile)
	deadline := time.Now().Add(90 * time.Second)
	for time.Now().Before(deadline) {
		if err := r.exited(); err != nil {
			return err
		}
		resp, err := http.Get("http://" + addr + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return r.checkDebug(debug)
			}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
	return fmt.Errorf("not ready within 90 s; see %s", logFile)
}

// checkDebug checks that the last replica's debug listener serves profiles.
func (r *replicas) checkDebug(debug bool) error {
	if !debug {
		return nil
	}
	addr := r.debug[len(r.debug)-1]
	resp, err := http.Get("http://" + addr + "/debug/pprof/cmdline")
	if err != nil {
		return fmt.Errorf("the debug listener %s: %w", addr, err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("the debug listener %s answered %s", addr, resp.Status)
	}
	return nil
}

// exited reports a replica that has stopped, with the end of its log.
func (r *replicas) exited() error {
	for i, d := range r.done {
		select {
		case err := <-d:
			d <- err
			return fmt.Errorf("replica %d exited (%v); its log %s ends:\n%s", i+1, err, r.logs[i], tail(r.logs[i], 2000))
		default:
		}
	}
	return nil
}

// stop asks every replica to stop, and kills those still running after 10 seconds.
func (r *replicas) stop() {
	for _, c := range r.cmds {
		_ = c.Process.Signal(os.Interrupt)
	}
	for i, d := range r.done {
		select {
		case err := <-d:
			d <- err
		case <-time.After(10 * time.Second):
			_ = r.cmds[i].Process.Kill()
			d <- <-d
		}
	}
}

// logTails names the replicas' logs, with the end of each one's warnings and errors.
func (r *replicas) logTails() string {
	var b strings.Builder
	for i, path := range r.logs {
		var keep []string
		for _, line := range strings.Split(tail(path, 1<<20), "\n") {
			if strings.Contains(line, `"level":"WARN"`) || strings.Contains(line, `"level":"ERROR"`) {
				keep = append(keep, line)
			}
		}
		fmt.Fprintf(&b, "\nreplica %d logs to %s", i+1, path)
		if len(keep) > 0 {
			fmt.Fprintf(&b, "; its last warnings and errors:\n%s", strings.Join(keep[max(0, len(keep)-10):], "\n"))
		}
	}
	return b.String()
}

// cpu returns each replica's CPU time (user and system) from /proc.
func (r *replicas) cpu() ([]time.Duration, error) {
	out := make([]time.Duration, len(r.cmds))
	for i, c := range r.cmds {
		d, err := procCPU(c.Process.Pid)
		if err != nil {
			return nil, fmt.Errorf("CPU time of replica %d: %w", i+1, err)
		}
		out[i] = d
	}
	return out, nil
}

// procCPU reads a process's user and system time from /proc/PID/stat, in clock ticks of
// 1/100 s as on Linux.
func procCPU(pid int) (time.Duration, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// The command name, in parentheses, may hold spaces; the fields follow the last ')'.
	i := strings.LastIndexByte(string(data), ')')
	if i < 0 {
		return 0, errors.New("unexpected /proc stat format")
	}
	f := strings.Fields(string(data[i+1:]))
	if len(f) < 13 {
		return 0, errors.New("unexpected /proc stat format")
	}
	utime, err1 := strconv.ParseInt(f[11], 10, 64)
	stime, err2 := strconv.ParseInt(f[12], 10, 64)
	if err := errors.Join(err1, err2); err != nil {
		return 0, err
	}
	return time.Duration(utime+stime) * 10 * time.Millisecond, nil
}

// tail returns the last n bytes of a file.
func tail(path string, n int) string {
	data, _ := os.ReadFile(path)
	if len(data) > n {
		data = data[len(data)-n:]
	}
	return string(data)
}

// printFleet prints the passes side by side.
func printFleet(w io.Writer, passes []*fleetPass, replicas int) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	routes := map[string]bool{}
	for _, p := range passes {
		for r := range p.calls {
			routes[r] = true
		}
	}
	names := make([]string, 0, len(routes))
	width := len("failed data sources")
	for r := range routes {
		names = append(names, r)
		width = max(width, len(r))
	}
	sort.Strings(names)
	row := func(label string, cell func(p *fleetPass) string) {
		fmt.Fprintf(tw, "%-*s\t", width, label)
		for _, p := range passes {
			fmt.Fprintf(tw, "%s\t", cell(p))
		}
		fmt.Fprintln(tw)
	}
	row("", func(p *fleetPass) string { return p.name })
	for _, r := range names {
		row(r, func(p *fleetPass) string { return strconv.Itoa(p.calls[r]) })
	}
	row("API calls", func(p *fleetPass) string { return strconv.Itoa(p.count) })
	row("budget", func(p *fleetPass) string { return strconv.Itoa(p.budget) })
	row("within budget", func(p *fleetPass) string {
		if p.count > p.budget {
			return "NO"
		}
		return "yes"
	})
	row("connections synced", func(p *fleetPass) string { return strconv.Itoa(p.synced) })
	row("data source syncs", func(p *fleetPass) string { return strconv.Itoa(p.syncs) })
	row("failed data sources", func(p *fleetPass) string { return strconv.Itoa(p.failed) })
	row("wall time", func(p *fleetPass) string { return p.wall.Round(time.Millisecond).String() })
	row("p95 sync duration", func(p *fleetPass) string { return p.p95.Round(time.Millisecond).String() })
	for i := range replicas {
		row(fmt.Sprintf("CPU replica %d", i+1), func(p *fleetPass) string { return fmt.Sprintf("%.2f s", p.cpu[i].Seconds()) })
	}
	row("database size", func(p *fleetPass) string { return fmt.Sprintf("%.1f MiB", float64(p.dbSize)/(1<<20)) })
	return tw.Flush()
}
