package jobs

import (
	"context"
	"database/sql"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Metrics are the job queue's Prometheus collectors: how long a requested sync takes to
// land (from the job being queued to the sync's end, by trigger: for "hook" this is the
// lag from an Azure DevOps service hook to the key result moving), and, read from the
// database at each scrape, how many jobs each queue holds in each state and how long
// the oldest available one has waited.
type Metrics struct {
	lag   *prometheus.HistogramVec
	queue *queueCollector
}

// NewMetrics returns the collectors for the queue in db (the store's writer pool); pass
// it as Config.Metrics and register Collectors().
func NewMetrics(db *sql.DB, dialect string, log *slog.Logger) *Metrics {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Metrics{
		lag: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "cairn_azdo_sync_lag_seconds",
			Help:    "Time from a sync being queued (by a service hook, the schedule, sync now or a new data source) to the sync's end, by trigger.",
			Buckets: []float64{0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 900, 3600},
		}, []string{"trigger"}),
		queue: &queueCollector{db: db, dialect: dialect, log: log,
			jobs: prometheus.NewDesc("cairn_jobs", "Jobs in River's table by queue and state (available, scheduled, running, retryable, completed, discarded, cancelled, pending), read at scrape time.",
				[]string{"queue", "state"}, nil),
			oldest: prometheus.NewDesc("cairn_jobs_oldest_available_seconds", "How long the oldest job that may run now has been waiting, by queue; 0 when none waits.",
				[]string{"queue"}, nil),
		},
	}
}

// Collectors returns the collectors to register.
func (m *Metrics) Collectors() []prometheus.Collector {
	return []prometheus.Collector{m.lag, m.queue}
}

func (m *Metrics) observeLag(trigger string, queued, done time.Time) {
	if m == nil || queued.IsZero() {
		return
	}
	m.lag.WithLabelValues(trigger).Observe(done.Sub(queued).Seconds())
}

// queueCollector counts River's jobs at each scrape.
type queueCollector struct {
	db           *sql.DB
	dialect      string
	log          *slog.Logger
	jobs, oldest *prometheus.Desc
}

func (c *queueCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.jobs
	ch <- c.oldest
}

func (c *queueCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	rows, err := c.db.QueryContext(ctx, `SELECT queue, state, count(*) FROM river_job GROUP BY queue, state`)
	if err != nil {
		c.log.Warn("metrics: count the jobs", slog.String("err", err.Error()))
		return
	}
	queues := map[string]bool{Queue: true}
	for rows.Next() {
		var queue, state string
		var n float64
		if err := rows.Scan(&queue, &state, &n); err != nil {
			rows.Close()
			c.log.Warn("metrics: count the jobs", slog.String("err", err.Error()))
			return
		}
		queues[queue] = true
		ch <- prometheus.MustNewConstMetric(c.jobs, prometheus.GaugeValue, n, queue, state)
	}
	rows.Close()
	age := `SELECT queue, EXTRACT(EPOCH FROM now() - min(scheduled_at)) FROM river_job WHERE state = 'available' GROUP BY queue`
	if c.dialect == "sqlite" {
		age = `SELECT queue, (julianday('now') - julianday(min(scheduled_at))) * 86400.0 FROM river_job WHERE state = 'available' GROUP BY queue`
	}
	ages := map[string]float64{}
	rows, err = c.db.QueryContext(ctx, age)
	if err != nil {
		c.log.Warn("metrics: age of the oldest job", slog.String("err", err.Error()))
		return
	}
	defer rows.Close()
	for rows.Next() {
		var queue string
		var s sql.NullFloat64
		if err := rows.Scan(&queue, &s); err != nil {
			c.log.Warn("metrics: age of the oldest job", slog.String("err", err.Error()))
			return
		}
		ages[queue] = max(0, s.Float64)
	}
	for q := range queues {
		ch <- prometheus.MustNewConstMetric(c.oldest, prometheus.GaugeValue, ages[q], q)
	}
}
