package jobs_test

import (
	"database/sql"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/cairn-okr/cairn"
	"github.com/cairn-okr/cairn/jobs"
)

// gather returns the registry's metrics by name, each as its label set → value (a
// histogram's value is its sample count).
func gather(t *testing.T, reg *prometheus.Registry) map[string]map[string]float64 {
	t.Helper()
	mfs, err := reg.Gather()
	must(t, err)
	out := map[string]map[string]float64{}
	for _, mf := range mfs {
		m := map[string]float64{}
		for _, x := range mf.GetMetric() {
			key := ""
			for _, l := range x.GetLabel() {
				key += l.GetName() + "=" + l.GetValue() + " "
			}
			switch mf.GetType() {
			case dto.MetricType_HISTOGRAM:
				m[key] = float64(x.GetHistogram().GetSampleCount())
			default:
				m[key] = x.GetGauge().GetValue()
			}
		}
		out[mf.GetName()] = m
	}
	return out
}

// TestMetricsHookLagAndQueueDepth: a service hook's sync lands in the lag histogram under
// trigger "hook", and the queue gauges count River's jobs by state as the table holds them.
func TestMetricsHookLagAndQueueDepth(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, dialect string) {
		b := setup(t, dialect, time.Hour)
		reg := prometheus.NewRegistry()
		reg.MustRegister(b.metrics.Collectors()...)
		_, d := b.bind(t)
		waitFor(t, "the first sync", 10*time.Second, func() bool { return b.dataSource(t, d.ID).Value != nil })
		before := *b.dataSource(t, d.ID).Value
		story := openStoryUnder(t, b.emu, 1)
		must(t, b.emu.UpdateWorkItem("fabrikam", "Fabrikam Fiber", story, map[string]any{"System.State": "Closed"}))
		waitFor(t, "the key result to move", 15*time.Second, func() bool {
			cur := b.dataSource(t, d.ID).Value
			return cur != nil && *cur != before
		})
		var got map[string]map[string]float64
		waitFor(t, "the hook sync's lag", 5*time.Second, func() bool {
			got = gather(t, reg)
			return got["cairn_azdo_sync_lag_seconds"]["trigger=hook "] >= 1
		})
		if got["cairn_azdo_sync_lag_seconds"]["trigger="+cairn.TriggerCreate+" "] < 1 {
			t.Errorf("the first sync of the new data source is not in the lag histogram: %v", got["cairn_azdo_sync_lag_seconds"])
		}
		// The gauges say what the table says.
		rows, err := b.db.SQL().Query(`SELECT state, count(*) FROM river_job WHERE queue = 'azure_devops' GROUP BY state`)
		must(t, err)
		want := map[string]float64{}
		for rows.Next() {
			var s string
			var n float64
			must(t, rows.Scan(&s, &n))
			want[s] = n
		}
		rows.Close()
		got = gather(t, reg)
		// Jobs move from running to completed meanwhile; the total stays.
		total, gauges := 0.0, 0.0
		for _, n := range want {
			total += n
		}
		for labels, n := range got["cairn_jobs"] {
			if strings.HasPrefix(labels, "queue=azure_devops ") {
				gauges += n
			}
		}
		if total < 2 || gauges != total {
			t.Errorf("cairn_jobs sums to %v over %v; the table holds %v jobs (%v)", gauges, got["cairn_jobs"], total, want)
		}
		if _, ok := got["cairn_jobs_oldest_available_seconds"]["queue=azure_devops "]; !ok {
			t.Errorf("no oldest-available gauge: %v", got)
		}
	})
}

// TestMetricsOldestAvailableJob: a job nobody works shows its wait in the gauge.
func TestMetricsOldestAvailableJob(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, dialect string) {
		db := openDB(t, dialect)
		r, err := jobs.New(ctx, jobs.Config{DB: db.SQL(), Dialect: db.Dialect(), Store: db})
		must(t, err)
		m := jobs.NewMetrics(db.SQL(), db.Dialect(), nil)
		reg := prometheus.NewRegistry()
		reg.MustRegister(m.Collectors()...)
		tx, err := db.SQL().BeginTx(ctx, nil)
		must(t, err)
		must(t, r.EnqueueSync(ctx, tx, 42, cairn.TriggerHook, 0))
		must(t, tx.Commit())
		// Backdate it, as if no replica had worked the queue for ten minutes.
		q := `UPDATE river_job SET scheduled_at = ? WHERE state = 'available'`
		var arg any = time.Now().Add(-10 * time.Minute).UTC()
		if dialect == "postgres" {
			q = `UPDATE river_job SET scheduled_at = now() - interval '10 minutes' WHERE state = 'available'`
			arg = nil
		}
		var res sql.Result
		if arg == nil {
			res, err = db.SQL().Exec(q)
		} else {
			res, err = db.SQL().Exec(q, arg.(time.Time).Format("2006-01-02T15:04:05.000000Z"))
		}
		must(t, err)
		if n, _ := res.RowsAffected(); n != 1 {
			t.Fatalf("backdated %d jobs", n)
		}
		got := gather(t, reg)
		if n := got["cairn_jobs"]["queue=azure_devops state=available "]; n != 1 {
			t.Errorf("cairn_jobs{state=available} = %v, want 1", n)
		}
		if age := got["cairn_jobs_oldest_available_seconds"]["queue=azure_devops "]; age < 590 || age > 3600 {
			t.Errorf("the oldest available job waited %v s by the gauge, want about 600", age)
		}
	})
}
