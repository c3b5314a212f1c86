package datasource

import (
	"github.com/prometheus/client_golang/prometheus"
)

// Metrics are the sync engine's Prometheus collectors: syncs by trigger and outcome,
// Azure DevOps calls by route, items fetched, and sync duration.
type Metrics struct {
	syncs    *prometheus.CounterVec
	calls    *prometheus.CounterVec
	items    prometheus.Counter
	duration *prometheus.HistogramVec
}

// NewMetrics returns unregistered collectors; register Collectors() on a registry and pass
// Observe as SyncerConfig.OnSynced.
func NewMetrics() *Metrics {
	return &Metrics{
		syncs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "cairn_azdo_syncs_total", Help: "Azure DevOps connection syncs by trigger and outcome (ok, error, deferred, skipped, not_due).",
		}, []string{"trigger", "outcome"}),
		calls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "cairn_azdo_calls_total", Help: "Azure DevOps HTTP attempts made by syncs, by route.",
		}, []string{"route"}),
		items: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "cairn_azdo_items_fetched_total", Help: "Work items fetched by syncs.",
		}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "cairn_azdo_sync_duration_seconds", Help: "Duration of Azure DevOps connection syncs by trigger.",
			Buckets: []float64{0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300},
		}, []string{"trigger"}),
	}
}

// Collectors returns the collectors to register.
func (m *Metrics) Collectors() []prometheus.Collector {
	return []prometheus.Collector{m.syncs, m.calls, m.items, m.duration}
}

// Observe records one sync's report.
func (m *Metrics) Observe(r *Report) {
	outcome := "ok"
	switch {
	case r.Skipped:
		outcome = "skipped"
	case r.NotDue:
		outcome = "not_due"
	case r.Deferred:
		outcome = "deferred"
	default:
		for _, s := range r.Sources {
			if s.Error != nil {
				outcome = "error"
				break
			}
		}
	}
	m.syncs.WithLabelValues(r.Trigger, outcome).Inc()
	for route, n := range r.Calls {
		m.calls.WithLabelValues(route).Add(float64(n))
	}
	m.items.Add(float64(r.ItemsFetched))
	m.duration.WithLabelValues(r.Trigger).Observe(r.FinishedAt.Sub(r.StartedAt).Seconds())
}
