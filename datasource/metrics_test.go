package datasource_test

import (
	"testing"
	"time"

	"github.com/cairn-okr/cairn/datasource"
	"github.com/prometheus/client_golang/prometheus"
)

func TestMetricsCountSyncsAndCalls(t *testing.T) {
	t.Parallel()
	m := datasource.NewMetrics()
	reg := prometheus.NewRegistry()
	reg.MustRegister(m.Collectors()...)
	now := time.Now()
	m.Observe(&datasource.Report{Trigger: "hook", StartedAt: now, FinishedAt: now.Add(time.Second), ItemsFetched: 3,
		Calls: map[string]int{"wit/wiql": 2, "wit/workitemsbatch": 1}})
	fams, err := reg.Gather()
	must(t, err)
	got := map[string]float64{}
	for _, f := range fams {
		for _, mt := range f.GetMetric() {
			key := f.GetName()
			for _, l := range mt.GetLabel() {
				key += "/" + l.GetValue()
			}
			switch {
			case mt.GetCounter() != nil:
				got[key] = mt.GetCounter().GetValue()
			case mt.GetHistogram() != nil:
				got[key] = float64(mt.GetHistogram().GetSampleCount())
			}
		}
	}
	for key, want := range map[string]float64{
		"cairn_azdo_calls_total/wit/wiql": 2, "cairn_azdo_calls_total/wit/workitemsbatch": 1,
		"cairn_azdo_items_fetched_total": 3, "cairn_azdo_syncs_total/ok/hook": 1, "cairn_azdo_sync_duration_seconds/hook": 1,
	} {
		if got[key] != want {
			t.Errorf("%s = %v, want %v (all: %v)", key, got[key], want, got)
		}
	}
}
